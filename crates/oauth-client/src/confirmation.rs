//! The `cnf` (confirmation) claim: the key a token is bound to (RFC 7800 §3), by JWK
//! thumbprint (RFC 9449 §6.1, `jkt`), certificate thumbprint (RFC 8705 §3.1, `x5t#S256`) or
//! the key itself (`jwk`).

use jose_core::jwk::Jwk;
use serde_json::{Map, Value};

/// A typed `cnf` claim.
///
/// ```
/// use oauth_client::Confirmation;
/// use serde_json::json;
///
/// let cnf = Confirmation::from_value(&json!({"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}))
///     .unwrap();
/// assert_eq!(cnf.jkt.as_deref(), Some("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Confirmation {
    /// `jkt`: the SHA-256 JWK thumbprint of a DPoP key (RFC 9449).
    pub jkt: Option<String>,
    /// `x5t#S256`: the SHA-256 thumbprint of a client certificate (RFC 8705).
    pub x5t_s256: Option<String>,
    /// `jwk`: the key itself (RFC 7800 §3.2).
    pub jwk: Option<Jwk>,
    /// Every other member (`kid`, `jku`, `jwe`, extensions), as sent.
    pub other: Map<String, Value>,
}

impl Confirmation {
    /// Reads a `cnf` value: an object whose `jkt` and `x5t#S256` are strings and whose `jwk`
    /// is a usable JWK.
    ///
    /// # Errors
    /// What is wrong with it, without the token's bytes.
    pub fn from_value(value: &Value) -> Result<Self, &'static str> {
        let Value::Object(members) = value else {
            return Err("cnf must be an object");
        };
        let mut other = members.clone();
        let mut string = |name: &str, error: &'static str| match other.remove(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(error),
        };
        let jkt = string("jkt", "cnf.jkt must be a string")?;
        let x5t_s256 = string("x5t#S256", "cnf.x5t#S256 must be a string")?;
        let jwk = match other.remove("jwk") {
            None => None,
            Some(Value::Object(key)) => Some(
                Jwk::from_map(key, &jose_core::jwk::KeyPolicy::default())
                    .map_err(|_| "cnf.jwk is not a usable JWK")?,
            ),
            Some(_) => return Err("cnf.jwk must be an object"),
        };
        Ok(Self {
            jkt,
            x5t_s256,
            jwk,
            other,
        })
    }
}
