//! JWK Sets (RFC 7517 §5) and key selection.

use super::{Jwk, KeyError, KeyOperation, KeyPolicy, KeyType};
use crate::alg::{Curve, KeyAlgorithm};
use crate::json;
use serde_json::{Map, Value};

/// A key of a JWK Set that could not be imported, kept so that a lookup by its `kid` can say
/// why it is unusable instead of "no such key".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedKey {
    /// The key's `kid`, when it had a readable one.
    pub kid: Option<String>,
    /// Why it was rejected.
    pub error: KeyError,
}

/// A JSON Web Key Set.
///
/// Keys that fail validation do not make the whole set unusable (providers publish keys of
/// types a client may not support); they are kept aside as [`RejectedKey`]s. A set that mixes
/// symmetric with asymmetric keys, or public with private asymmetric keys, is refused outright:
/// such sets invite key confusion (Wycheproof `MixedKeySet`).
///
/// ```
/// use jose_core::jwk::{Jwk, JwkSet, KeySelector};
/// use jose_core::alg::JwsAlgorithm;
///
/// let a = Jwk::generate(JwsAlgorithm::ES256)?.with_kid("a").to_public()?;
/// let b = Jwk::generate(JwsAlgorithm::EdDSA)?.with_kid("b").to_public()?;
/// let set = JwkSet::new(vec![a, b])?;
/// let text = set.to_json();
///
/// let set = JwkSet::from_json(text.as_bytes())?;
/// let key = set.select(&KeySelector::for_jws(JwsAlgorithm::EdDSA, Some("b")))?;
/// assert_eq!(key.kid(), Some("b"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JwkSet {
    keys: Vec<Jwk>,
    rejected: Vec<RejectedKey>,
    extra: Map<String, Value>,
}

/// What to look for in a [`JwkSet`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeySelector<'a> {
    /// Required `kid`.
    pub kid: Option<&'a str>,
    /// Algorithm the key must fit (type, curve, size, and its own `alg` if it has one).
    pub alg: Option<KeyAlgorithm>,
    /// Operation the key must permit (`use`, `key_ops`, private part).
    pub operation: Option<KeyOperation>,
    /// Required key type.
    pub kty: Option<KeyType>,
    /// Required curve.
    pub crv: Option<Curve>,
}

impl<'a> KeySelector<'a> {
    /// A selector for verifying (or, with `operation` changed, creating) a JWS with `alg`.
    #[must_use]
    pub fn for_jws(alg: crate::alg::JwsAlgorithm, kid: Option<&'a str>) -> Self {
        Self {
            kid,
            alg: Some(KeyAlgorithm::Jws(alg)),
            operation: Some(KeyOperation::Verify),
            ..Self::default()
        }
    }

    /// Whether `key` matches every criterion.
    #[must_use]
    pub fn matches(&self, key: &Jwk) -> bool {
        if let Some(kid) = self.kid
            && key.kid() != Some(kid)
        {
            return false;
        }
        if let Some(kty) = self.kty
            && key.key_type() != kty
        {
            return false;
        }
        if let Some(crv) = self.crv
            && key.curve() != Some(crv)
        {
            return false;
        }
        match (&self.operation, &self.alg) {
            (Some(op), Some(alg)) => key.check_operation(op, alg).is_ok(),
            (None, Some(alg)) => {
                key.check_algorithm(alg).is_ok() && key.alg().is_none_or(|a| a == alg)
            }
            (Some(op), None) => {
                key.key_use()
                    .is_none_or(|u| op.matching_use().as_ref() == Some(u))
                    && key.key_ops().is_none_or(|ops| ops.contains(op))
            }
            (None, None) => true,
        }
    }
}

/// Why no single key could be selected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectError {
    /// No key matched.
    #[error("no key in the JWK Set matches{}", describe(kid.as_deref(), alg.as_deref()))]
    NoMatch {
        /// The `kid` looked for.
        kid: Option<String>,
        /// The algorithm looked for.
        alg: Option<String>,
    },
    /// Several keys matched and nothing tells them apart (Wycheproof `DuplicateKid`).
    #[error("{count} keys in the JWK Set match{}; refusing to guess", describe(kid.as_deref(), None))]
    Ambiguous {
        /// How many keys matched.
        count: usize,
        /// The `kid` looked for.
        kid: Option<String>,
    },
    /// The key with this `kid` was rejected when the set was read.
    #[error("the key with kid {kid:?} is unusable: {error}")]
    Rejected {
        /// The `kid`.
        kid: String,
        /// Why it was rejected.
        error: KeyError,
    },
}

fn describe(kid: Option<&str>, alg: Option<&str>) -> String {
    match (kid, alg) {
        (Some(k), Some(a)) => format!(" kid {k:?} and algorithm {a}"),
        (Some(k), None) => format!(" kid {k:?}"),
        (None, Some(a)) => format!(" algorithm {a}"),
        (None, None) => String::new(),
    }
}

impl JwkSet {
    /// A set of already validated keys.
    ///
    /// # Errors
    /// [`KeyError::MixedKeySet`] when the keys mix symmetric with asymmetric, or public with
    /// private keys.
    pub fn new(keys: Vec<Jwk>) -> Result<Self, KeyError> {
        check_homogeneous(&keys)?;
        Ok(Self {
            keys,
            rejected: Vec::new(),
            extra: Map::new(),
        })
    }

    /// Parses a JWK Set from JSON text with the default [`KeyPolicy`].
    ///
    /// # Errors
    /// [`KeyError`] when the text is not a JWK Set or mixes key kinds.
    pub fn from_json(text: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_json_with_policy(text, &KeyPolicy::default())
    }

    /// Parses a JWK Set from JSON text.
    ///
    /// # Errors
    /// [`KeyError`] when the text is not a JWK Set or mixes key kinds.
    pub fn from_json_with_policy(
        text: impl AsRef<[u8]>,
        policy: &KeyPolicy,
    ) -> Result<Self, KeyError> {
        let limits = json::JsonLimits {
            max_bytes: policy.json.max_bytes.saturating_mul(16),
            max_depth: policy.json.max_depth + 2,
        };
        let mut map = json::parse_object(text.as_ref(), &limits)?;
        let Some(Value::Array(items)) = map.remove("keys") else {
            return Err(KeyError::InvalidMember {
                member: "keys",
                reason: "must be an array of JWKs",
            });
        };
        let mut keys = Vec::with_capacity(items.len());
        let mut rejected = Vec::new();
        for item in items {
            let Value::Object(obj) = item else {
                rejected.push(RejectedKey {
                    kid: None,
                    error: KeyError::InvalidMember {
                        member: "keys",
                        reason: "entries must be objects",
                    },
                });
                continue;
            };
            let kid = obj.get("kid").and_then(Value::as_str).map(str::to_owned);
            match Jwk::from_map(obj, policy) {
                Ok(key) => keys.push(key),
                Err(error) => rejected.push(RejectedKey { kid, error }),
            }
        }
        check_homogeneous(&keys)?;
        Ok(Self {
            keys,
            rejected,
            extra: map,
        })
    }

    /// Reads either a JWK Set or a single JWK (as a one-key set).
    ///
    /// # Errors
    /// As [`JwkSet::from_json`] or [`Jwk::from_json`].
    pub fn from_json_key_or_set(text: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        let text = text.as_ref();
        let map = json::parse_object(text, &json::JsonLimits::DEFAULT)?;
        if map.contains_key("keys") {
            Self::from_json(text)
        } else {
            Self::new(vec![Jwk::from_map(map, &KeyPolicy::default())?])
        }
    }

    /// The usable keys.
    #[must_use]
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// Keys that failed validation when the set was read.
    #[must_use]
    pub fn rejected(&self) -> &[RejectedKey] {
        &self.rejected
    }

    /// Number of usable keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there is no usable key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key with this `kid`, if exactly one has it.
    #[must_use]
    pub fn by_kid(&self, kid: &str) -> Option<&Jwk> {
        let mut found = self.keys.iter().filter(|k| k.kid() == Some(kid));
        match (found.next(), found.next()) {
            (Some(k), None) => Some(k),
            _ => None,
        }
    }

    /// Every key matching `selector`.
    pub fn find<'s>(&'s self, selector: &'s KeySelector<'_>) -> impl Iterator<Item = &'s Jwk> + 's {
        self.keys.iter().filter(move |k| selector.matches(k))
    }

    /// The one key matching `selector`.
    ///
    /// # Errors
    /// [`SelectError::NoMatch`], [`SelectError::Ambiguous`] or [`SelectError::Rejected`].
    pub fn select(&self, selector: &KeySelector<'_>) -> Result<&Jwk, SelectError> {
        // A `kid` shared with a key that failed import leaves the set ambiguous about which
        // key that identifier names (Wycheproof `DuplicateKid`): refuse rather than guess.
        let rejected_same_kid = selector.kid.map_or(0, |kid| {
            self.rejected
                .iter()
                .filter(|r| r.kid.as_deref() == Some(kid))
                .count()
        });
        let mut found = self.keys.iter().filter(|k| selector.matches(k));
        match (found.next(), found.next()) {
            (Some(_), None) if rejected_same_kid > 0 => Err(SelectError::Ambiguous {
                count: 1 + rejected_same_kid,
                kid: selector.kid.map(json::truncate_for_error),
            }),
            (Some(k), None) => Ok(k),
            (Some(_), Some(_)) => Err(SelectError::Ambiguous {
                count: 2 + found.count(),
                kid: selector.kid.map(str::to_owned),
            }),
            (None, _) => {
                if let Some(kid) = selector.kid
                    && let Some(r) = self.rejected.iter().find(|r| r.kid.as_deref() == Some(kid))
                {
                    return Err(SelectError::Rejected {
                        kid: kid.to_owned(),
                        error: r.error.clone(),
                    });
                }
                Err(SelectError::NoMatch {
                    kid: selector.kid.map(json::truncate_for_error),
                    alg: selector.alg.as_ref().map(|a| a.as_str().to_owned()),
                })
            }
        }
    }

    /// Adds a key.
    ///
    /// # Errors
    /// [`KeyError::MixedKeySet`] when the key is of another kind than the rest.
    pub fn push(&mut self, key: Jwk) -> Result<(), KeyError> {
        self.keys.push(key);
        if let Err(e) = check_homogeneous(&self.keys) {
            self.keys.pop();
            return Err(e);
        }
        Ok(())
    }

    /// Sets the crypto backend of every key in the set (see [`crate::backend`]).
    #[must_use]
    pub fn with_backend(mut self, backend: crate::backend::Backend) -> Self {
        self.keys = self
            .keys
            .into_iter()
            .map(|k| k.with_backend(backend))
            .collect();
        self
    }

    /// The public keys of this set, for publishing (symmetric keys are left out).
    #[must_use]
    pub fn to_public(&self) -> JwkSet {
        JwkSet {
            keys: self
                .keys
                .iter()
                .filter_map(|k| k.to_public().ok())
                .collect(),
            rejected: Vec::new(),
            extra: self.extra.clone(),
        }
    }

    /// The set as a JSON object (private members included for private keys).
    #[must_use]
    pub fn to_json_value(&self) -> Map<String, Value> {
        let mut map = self.extra.clone();
        map.insert(
            "keys".into(),
            Value::Array(
                self.keys
                    .iter()
                    .map(|k| Value::Object(k.to_json_value()))
                    .collect(),
            ),
        );
        map
    }

    /// The set as JSON text (private members included for private keys).
    #[must_use]
    pub fn to_json(&self) -> String {
        Value::Object(self.to_json_value()).to_string()
    }
}

fn check_homogeneous(keys: &[Jwk]) -> Result<(), KeyError> {
    let symmetric = keys.iter().filter(|k| k.is_symmetric()).count();
    if symmetric > 0 && symmetric < keys.len() {
        return Err(KeyError::MixedKeySet("symmetric and asymmetric keys"));
    }
    let private = keys
        .iter()
        .filter(|k| !k.is_symmetric() && k.is_private())
        .count();
    let asymmetric = keys.len() - symmetric;
    if private > 0 && private < asymmetric {
        return Err(KeyError::MixedKeySet("public and private keys"));
    }
    Ok(())
}

impl serde::Serialize for JwkSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json_value().serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for JwkSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        let text = value.to_string();
        JwkSet::from_json(text.as_bytes()).map_err(serde::de::Error::custom)
    }
}
