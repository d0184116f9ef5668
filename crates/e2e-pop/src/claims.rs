//! Claim types shared by the tokens, and helpers to read typed claims.

use crate::E2ePopError;
use jose_core::json::truncate_for_error;
use serde_json::{Map, Value};

/// The contexts of an ICT (`ctx`): the application domains in which the end-user lets the
/// client prove their identity end-to-end (`email`, `instant_messaging`, ...).
///
/// Read from a string or an array of strings (the reference library accepts both), always
/// written as an array.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contexts(Vec<String>);

impl Contexts {
    /// These contexts.
    #[must_use]
    pub fn new(contexts: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self(contexts.into_iter().map(Into::into).collect())
    }

    /// Reads `ctx`: a string, or an array of strings.
    ///
    /// # Errors
    /// [`E2ePopError::InvalidClaim`] for `null`, numbers, objects, or arrays holding anything
    /// but strings.
    pub fn from_json(value: &Value) -> Result<Self, E2ePopError> {
        let invalid = E2ePopError::InvalidClaim {
            claim: "ctx",
            reason: "must be a string or an array of strings",
        };
        match value {
            Value::String(s) => Ok(Self(vec![s.clone()])),
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned).ok_or(invalid.clone()))
                .collect::<Result<Vec<_>, _>>()
                .map(Self),
            _ => Err(invalid),
        }
    }

    /// As the JSON array the builders emit.
    #[must_use]
    pub fn to_json(&self) -> Value {
        Value::Array(self.0.iter().cloned().map(Value::String).collect())
    }

    /// Whether `context` is one of them.
    #[must_use]
    pub fn contains(&self, context: &str) -> bool {
        self.0.iter().any(|c| c == context)
    }

    /// The contexts.
    #[must_use]
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// Checks that every required context is present.
    ///
    /// # Errors
    /// [`E2ePopError::ContextMissing`] naming the first absent one.
    pub fn require_all(&self, required: &[String]) -> Result<(), E2ePopError> {
        match required.iter().find(|r| !self.contains(r)) {
            None => Ok(()),
            Some(missing) => Err(E2ePopError::ContextMissing {
                missing: truncate_for_error(missing),
                present: self
                    .0
                    .iter()
                    .take(16)
                    .map(|c| truncate_for_error(c))
                    .collect(),
            }),
        }
    }
}

/// An optional array of strings.
pub(crate) fn string_list(
    map: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<Vec<String>>, E2ePopError> {
    let invalid = E2ePopError::InvalidClaim {
        claim: name,
        reason: "must be an array of strings",
    };
    match map.get(name) {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or(invalid.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(invalid),
    }
}

/// An optional boolean.
pub(crate) fn boolean(
    map: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<bool>, E2ePopError> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(E2ePopError::InvalidClaim {
            claim: name,
            reason: "must be a boolean",
        }),
    }
}

/// An optional string.
#[cfg(feature = "pgp")]
pub(crate) fn string(
    map: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, E2ePopError> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(E2ePopError::InvalidClaim {
            claim: name,
            reason: "must be a string",
        }),
    }
}

/// The claims without the given names.
pub(crate) fn without(map: &Map<String, Value>, names: &[&str]) -> Map<String, Value> {
    map.iter()
        .filter(|(k, _)| !names.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
