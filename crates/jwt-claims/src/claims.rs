//! The registered claims (RFC 7519 §4.1) and the claims set.

use crate::{JwtError, NumericDate};
use serde_json::{Map, Value};

/// The `aud` claim: one audience or several.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// `"aud": "x"`.
    Single(String),
    /// `"aud": ["x", "y"]`.
    Multiple(Vec<String>),
}

impl Audience {
    /// Whether `value` is one of the audiences.
    #[must_use]
    pub fn contains(&self, value: &str) -> bool {
        self.iter().any(|a| a == value)
    }

    /// The audiences.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let slice: &[String] = match self {
            Audience::Single(a) => core::slice::from_ref(a),
            Audience::Multiple(v) => v,
        };
        slice.iter().map(String::as_str)
    }

    fn to_json(&self) -> Value {
        match self {
            Audience::Single(a) => Value::String(a.clone()),
            Audience::Multiple(v) => Value::Array(v.iter().cloned().map(Value::String).collect()),
        }
    }
}

impl From<&str> for Audience {
    fn from(a: &str) -> Self {
        Audience::Single(a.to_owned())
    }
}

impl From<String> for Audience {
    fn from(a: String) -> Self {
        Audience::Single(a)
    }
}

impl From<Vec<String>> for Audience {
    fn from(v: Vec<String>) -> Self {
        Audience::Multiple(v)
    }
}

/// The registered claims of a JWT, typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegisteredClaims {
    /// `iss`: the issuer.
    pub iss: Option<String>,
    /// `sub`: the subject.
    pub sub: Option<String>,
    /// `aud`: the audience(s).
    pub aud: Option<Audience>,
    /// `exp`: expiration time.
    pub exp: Option<NumericDate>,
    /// `nbf`: not-before time.
    pub nbf: Option<NumericDate>,
    /// `iat`: issue time.
    pub iat: Option<NumericDate>,
    /// `jti`: unique identifier.
    pub jti: Option<String>,
}

/// Names of the registered claims.
pub const REGISTERED: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// Whether `s` is a StringOrURI (RFC 7519 §2): any string, but one containing `:` must be a URI
/// (a scheme, then no whitespace or control characters).
#[must_use]
pub fn is_string_or_uri(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return true;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn string_or_uri(value: Option<&Value>, claim: &'static str) -> Result<Option<String>, JwtError> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) if is_string_or_uri(s) => Ok(Some(s.clone())),
        Some(Value::String(_)) => Err(JwtError::InvalidClaim {
            claim,
            reason: "contains ':' but is not a URI",
        }),
        Some(_) => Err(JwtError::InvalidClaim {
            claim,
            reason: "must be a string",
        }),
    }
}

fn date(value: Option<&Value>, claim: &'static str) -> Result<Option<NumericDate>, JwtError> {
    match value {
        None => Ok(None),
        Some(v) => NumericDate::from_json(v)
            .map(Some)
            .ok_or(JwtError::InvalidClaim {
                claim,
                reason: "must be a NumericDate (a number of seconds)",
            }),
    }
}

impl RegisteredClaims {
    /// Reads the registered claims of a claims object. A registered claim of the wrong type is
    /// an error, never treated as absent.
    ///
    /// # Errors
    /// [`JwtError::InvalidClaim`] naming the claim.
    pub fn from_map(map: &Map<String, Value>) -> Result<Self, JwtError> {
        Self::from_lookup(|name| map.get(name))
    }

    /// As [`RegisteredClaims::from_map`], with each registered claim looked up by name
    /// (`None` when absent).
    pub(crate) fn from_lookup<'v>(
        get: impl Fn(&str) -> Option<&'v Value>,
    ) -> Result<Self, JwtError> {
        let aud = match get("aud") {
            None => None,
            Some(Value::String(s)) if is_string_or_uri(s) => Some(Audience::Single(s.clone())),
            Some(Value::Array(items)) => {
                let mut v = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) if is_string_or_uri(s) => v.push(s.clone()),
                        _ => {
                            return Err(JwtError::InvalidClaim {
                                claim: "aud",
                                reason: "must be a StringOrURI or an array of them",
                            });
                        }
                    }
                }
                Some(Audience::Multiple(v))
            }
            Some(_) => {
                return Err(JwtError::InvalidClaim {
                    claim: "aud",
                    reason: "must be a StringOrURI or an array of them",
                });
            }
        };
        let jti = match get("jti") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return Err(JwtError::InvalidClaim {
                    claim: "jti",
                    reason: "must be a string",
                });
            }
        };
        Ok(Self {
            iss: string_or_uri(get("iss"), "iss")?,
            sub: string_or_uri(get("sub"), "sub")?,
            aud,
            exp: date(get("exp"), "exp")?,
            nbf: date(get("nbf"), "nbf")?,
            iat: date(get("iat"), "iat")?,
            jti,
        })
    }

    /// Writes the claims that are set into `out`.
    pub fn write(&self, out: &mut Map<String, Value>) {
        let mut put = |name: &str, v: Value| {
            out.insert(name.to_owned(), v);
        };
        if let Some(v) = &self.iss {
            put("iss", Value::String(v.clone()));
        }
        if let Some(v) = &self.sub {
            put("sub", Value::String(v.clone()));
        }
        if let Some(v) = &self.aud {
            put("aud", v.to_json());
        }
        if let Some(v) = self.exp {
            put("exp", v.to_json());
        }
        if let Some(v) = self.nbf {
            put("nbf", v.to_json());
        }
        if let Some(v) = self.iat {
            put("iat", v.to_json());
        }
        if let Some(v) = &self.jti {
            put("jti", Value::String(v.clone()));
        }
    }
}
