//! The registered claims (RFC 7519 §4.1) and the claims set.

use crate::{JwtError, NumericDate};
use serde_json::{Map, Value};
use std::borrow::Cow;

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
        && !has_space_or_control(s)
}

/// Whether `s` contains whitespace or a control character (bytewise for ASCII text, where the
/// two sets are the bytes up to the space and DEL).
fn has_space_or_control(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().any(|b| b <= b' ' || b == 0x7f)
    } else {
        s.chars().any(|c| c.is_whitespace() || c.is_control())
    }
}

/// A JSON string's content, moved out of an owned value, copied out of a borrowed one.
fn into_string(value: Cow<'_, Value>) -> Option<String> {
    match value {
        Cow::Borrowed(Value::String(s)) => Some(s.clone()),
        Cow::Owned(Value::String(s)) => Some(s),
        _ => None,
    }
}

fn string_or_uri(
    value: Option<Cow<'_, Value>>,
    claim: &'static str,
) -> Result<Option<String>, JwtError> {
    let Some(value) = value else {
        return Ok(None);
    };
    match into_string(value) {
        Some(s) if is_string_or_uri(&s) => Ok(Some(s)),
        Some(_) => Err(JwtError::InvalidClaim {
            claim,
            reason: "contains ':' but is not a URI",
        }),
        None => Err(JwtError::InvalidClaim {
            claim,
            reason: "must be a string",
        }),
    }
}

/// `aud`: a StringOrURI or an array of them.
fn audience(value: Option<Cow<'_, Value>>) -> Result<Option<Audience>, JwtError> {
    let invalid = JwtError::InvalidClaim {
        claim: "aud",
        reason: "must be a StringOrURI or an array of them",
    };
    let items: Option<Vec<String>> = match value {
        None => return Ok(None),
        Some(Cow::Borrowed(Value::Array(items))) => items
            .iter()
            .map(|i| into_string(Cow::Borrowed(i)))
            .collect(),
        Some(Cow::Owned(Value::Array(items))) => items
            .into_iter()
            .map(|i| into_string(Cow::Owned(i)))
            .collect(),
        Some(single) => {
            return match into_string(single) {
                Some(s) if is_string_or_uri(&s) => Ok(Some(Audience::Single(s))),
                _ => Err(invalid),
            };
        }
    };
    match items {
        Some(v) if v.iter().all(|s| is_string_or_uri(s)) => Ok(Some(Audience::Multiple(v))),
        _ => Err(invalid),
    }
}

fn date(
    value: Option<Cow<'_, Value>>,
    claim: &'static str,
) -> Result<Option<NumericDate>, JwtError> {
    match value {
        None => Ok(None),
        Some(v) => NumericDate::from_json(&v)
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
        Self::from_values(|name| get(name).map(Cow::Borrowed))
    }

    /// As [`RegisteredClaims::from_lookup`], taking each claim's value by name: strings of an
    /// owned value are moved, not copied. The checks run in one order whatever the source
    /// (`aud`, `jti`, `iss`, `sub`, `exp`, `nbf`, `iat`), so the first error is the same.
    pub(crate) fn from_values<'v>(
        mut take: impl FnMut(&str) -> Option<Cow<'v, Value>>,
    ) -> Result<Self, JwtError> {
        let aud = audience(take("aud"))?;
        let jti = match take("jti") {
            None => None,
            Some(v) => Some(into_string(v).ok_or(JwtError::InvalidClaim {
                claim: "jti",
                reason: "must be a string",
            })?),
        };
        Ok(Self {
            iss: string_or_uri(take("iss"), "iss")?,
            sub: string_or_uri(take("sub"), "sub")?,
            aud,
            exp: date(take("exp"), "exp")?,
            nbf: date(take("nbf"), "nbf")?,
            iat: date(take("iat"), "iat")?,
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
