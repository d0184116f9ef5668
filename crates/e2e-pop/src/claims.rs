//! Claim types shared by the tokens, and helpers to read typed claims.

use crate::E2ePopError;
use jose_core::json::truncate_for_error;
use jwt_claims::{Audience, ClaimError, ClaimReader, NumericDate, RegisteredClaims};
use serde_json::{Map, Value};

/// The claims the three tokens share: `iss`, `sub`, `iat`, `nbf`, `exp` and `jti` (each
/// token has its own `aud`). [`crate::PopClaims`], [`crate::IctClaims`] and
/// [`crate::E2ePopClaims`] dereference to it, so `claims.iss` reads the same on each.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommonClaims {
    /// `iss`: the client id (PoP and E2E PoP tokens) or the OP's issuer identifier (ICT).
    pub iss: String,
    /// `sub`: the end-user's subject identifier.
    pub sub: String,
    /// `iat`.
    pub iat: NumericDate,
    /// `nbf`.
    pub nbf: Option<NumericDate>,
    /// `exp`.
    pub exp: NumericDate,
    /// `jti`.
    pub jti: String,
}

impl CommonClaims {
    /// The shared claims of checked registered claims, and the token's `aud`.
    pub(crate) fn split(r: RegisteredClaims) -> Result<(Self, Option<Audience>), E2ePopError> {
        let missing = |claim| E2ePopError::Claim(ClaimError::missing(claim));
        let common = Self {
            iss: r.iss.ok_or(missing("iss"))?,
            sub: r.sub.ok_or(missing("sub"))?,
            iat: r.iat.ok_or(missing("iat"))?,
            nbf: r.nbf,
            exp: r.exp.ok_or(missing("exp"))?,
            jti: r.jti.ok_or(missing("jti"))?,
        };
        Ok((common, r.aud))
    }
}

/// Implements `Deref<Target = CommonClaims>` for a claims type with a `common` field.
macro_rules! deref_common {
    ($claims:ty) => {
        impl core::ops::Deref for $claims {
            type Target = crate::claims::CommonClaims;
            fn deref(&self) -> &crate::claims::CommonClaims {
                &self.common
            }
        }
    };
}
pub(crate) use deref_common;

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
    /// [`E2ePopError::Claim`] for `null`, numbers, objects, or arrays holding anything
    /// but strings.
    pub fn from_json(value: &Value) -> Result<Self, E2ePopError> {
        let mut holder = Map::new();
        holder.insert("ctx".to_owned(), value.clone());
        let contexts = ClaimReader::new(&holder)
            .string_or_list("ctx")?
            .ok_or(ClaimError::missing("ctx"))?;
        Ok(Self(contexts))
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
    Ok(ClaimReader::new(map).string_list(name)?)
}

/// An optional boolean.
pub(crate) fn boolean(
    map: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<bool>, E2ePopError> {
    Ok(ClaimReader::new(map).optional_bool(name)?)
}

/// An optional string.
#[cfg(feature = "pgp")]
pub(crate) fn string(
    map: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, E2ePopError> {
    Ok(ClaimReader::new(map).optional_string(name)?)
}

/// The claims without the given names.
pub(crate) fn without(map: &Map<String, Value>, names: &[&str]) -> Map<String, Value> {
    map.iter()
        .filter(|(k, _)| !names.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
