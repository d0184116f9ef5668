//! Building and signing JWTs.

use crate::{Audience, JwtError, NumericDate, REGISTERED, RegisteredClaims};
use jose_core::header::JwsHeader;
use jws::Signer;
use serde::Serialize;
use serde_json::{Map, Value};
use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Jti {
    Random(usize),
    Fixed(String),
    Omit,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Expiry {
    Lifetime(Duration),
    At(NumericDate),
    Never,
}

/// Builds a JWT claims set and signs it.
///
/// Defaults: `iat` = now, `exp` = `iat` + 5 minutes, a random 128-bit `jti`, `typ: JWT`.
///
/// ```
/// use jose_core::alg::JwsAlgorithm;
/// use jws::SigningKey;
/// use jwt_claims::{JwtBuilder, Validation};
/// use std::time::Duration;
///
/// let key = SigningKey::generate(JwsAlgorithm::ES256)?;
/// let token = JwtBuilder::new()
///     .issuer("https://issuer.example")
///     .subject("alice")
///     .audience("https://api.example")
///     .lifetime(Duration::from_secs(600))
///     .claim("scope", "read write")?
///     .sign(&key)?;
///
/// let verified = jwt_claims::verify::<serde_json::Map<String, serde_json::Value>>(
///     &token,
///     &key.public_jwk()?,
///     &Validation::new().issuer("https://issuer.example").audience("https://api.example"),
/// )?;
/// assert_eq!(verified.registered().sub.as_deref(), Some("alice"));
/// assert_eq!(verified.claims()["scope"], "read write");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct JwtBuilder {
    registered: RegisteredClaims,
    custom: Map<String, Value>,
    header: JwsHeader,
    expiry: Expiry,
    issued_at: Option<NumericDate>,
    omit_iat: bool,
    nbf_now: bool,
    jti: Jti,
}

impl Default for JwtBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl JwtBuilder {
    /// A builder with the defaults.
    pub fn new() -> Self {
        Self {
            registered: RegisteredClaims::default(),
            custom: Map::new(),
            header: JwsHeader::default().with_typ("JWT"),
            expiry: Expiry::Lifetime(Duration::from_secs(300)),
            issued_at: None,
            omit_iat: false,
            nbf_now: false,
            jti: Jti::Random(16),
        }
    }

    /// Sets `iss`.
    pub fn issuer(mut self, iss: impl Into<String>) -> Self {
        self.registered.iss = Some(iss.into());
        self
    }

    /// Sets `sub`.
    pub fn subject(mut self, sub: impl Into<String>) -> Self {
        self.registered.sub = Some(sub.into());
        self
    }

    /// Sets `aud` to one audience.
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.registered.aud = Some(Audience::Single(aud.into()));
        self
    }

    /// Sets `aud` to a list of audiences.
    pub fn audiences(mut self, aud: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.registered.aud = Some(Audience::Multiple(
            aud.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Sets `exp` to `iat` plus `lifetime` (computed when the token is built).
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.expiry = Expiry::Lifetime(lifetime);
        self
    }

    /// Sets `exp` to a fixed time.
    pub fn expires_at(mut self, exp: NumericDate) -> Self {
        self.expiry = Expiry::At(exp);
        self
    }

    /// Leaves `exp` out. Such tokens never expire; most validators refuse them.
    pub fn no_expiry(mut self) -> Self {
        self.expiry = Expiry::Never;
        self
    }

    /// Sets `nbf`.
    pub fn not_before(mut self, nbf: NumericDate) -> Self {
        self.registered.nbf = Some(nbf);
        self.nbf_now = false;
        self
    }

    /// Sets `nbf` to `iat`.
    pub fn not_before_now(mut self) -> Self {
        self.nbf_now = true;
        self
    }

    /// Uses this time as "now" for `iat` (and `exp`, `nbf` derived from it) instead of the clock.
    pub fn issued_at(mut self, iat: NumericDate) -> Self {
        self.issued_at = Some(iat);
        self
    }

    /// Leaves `iat` out (`exp` and `nbf` are still computed from the current time).
    pub fn no_issued_at(mut self) -> Self {
        self.omit_iat = true;
        self
    }

    /// Sets `jti`.
    pub fn jti(mut self, jti: impl Into<String>) -> Self {
        self.jti = Jti::Fixed(jti.into());
        self
    }

    /// A random `jti` encoding `bytes` bytes of entropy (default 16).
    pub fn random_jti(mut self, bytes: usize) -> Self {
        self.jti = Jti::Random(bytes.max(8));
        self
    }

    /// Leaves `jti` out.
    pub fn no_jti(mut self) -> Self {
        self.jti = Jti::Omit;
        self
    }

    /// Adds a custom claim.
    ///
    /// # Errors
    /// [`JwtError::DuplicateClaim`] for a registered claim name or a name set before;
    /// [`JwtError::Claims`] when the value cannot be serialized.
    pub fn claim(self, name: impl Into<String>, value: impl Serialize) -> Result<Self, JwtError> {
        let value = serde_json::to_value(value).map_err(|e| JwtError::Claims(e.to_string()))?;
        self.insert_custom(name.into(), value)
    }

    fn insert_custom(mut self, name: String, value: Value) -> Result<Self, JwtError> {
        if REGISTERED.contains(&name.as_str()) || self.custom.contains_key(&name) {
            return Err(JwtError::DuplicateClaim(name));
        }
        self.custom.insert(name, value);
        Ok(self)
    }

    /// Adds every member of a serializable struct or map as a custom claim.
    ///
    /// # Errors
    /// As [`JwtBuilder::claim`], and [`JwtError::Claims`] unless `claims` serializes to an
    /// object.
    pub fn claims(mut self, claims: &impl Serialize) -> Result<Self, JwtError> {
        match serde_json::to_value(claims).map_err(|e| JwtError::Claims(e.to_string()))? {
            Value::Object(map) => {
                for (k, v) in map {
                    // Already a JSON value: no second serialization.
                    self = self.insert_custom(k, v)?;
                }
                Ok(self)
            }
            _ => Err(JwtError::Claims(
                "custom claims must serialize to a JSON object".into(),
            )),
        }
    }

    /// Replaces the protected header (`alg` and `kid` still come from the signer).
    pub fn header(mut self, header: JwsHeader) -> Self {
        self.header = header;
        self
    }

    /// Sets `typ` (RFC 8725 §3.11 explicit typing, e.g. `at+jwt`).
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.header = self.header.with_typ(typ);
        self
    }

    /// Sets `cty`.
    pub fn cty(mut self, cty: impl Into<String>) -> Self {
        self.header = self.header.with_cty(cty);
        self
    }

    /// The claims set as it will be signed.
    ///
    /// # Errors
    /// [`JwtError::InvalidClaim`] when `iss`, `sub` or `aud` contain `:` without being URIs;
    /// [`JwtError::Random`] when a random `jti` cannot be drawn.
    pub fn build_claims(&self) -> Result<Map<String, Value>, JwtError> {
        let mut registered = self.registered.clone();
        let now = self.issued_at.unwrap_or_else(NumericDate::now);
        if !self.omit_iat {
            registered.iat = Some(now);
        }
        registered.exp = match &self.expiry {
            Expiry::Lifetime(d) => Some(now.plus(*d)),
            Expiry::At(t) => Some(*t),
            Expiry::Never => None,
        };
        if self.nbf_now {
            registered.nbf = Some(now);
        }
        registered.jti = match &self.jti {
            Jti::Random(n) => Some(jose_core::rand::token(*n).map_err(|_| JwtError::Random)?),
            Jti::Fixed(s) => Some(s.clone()),
            Jti::Omit => None,
        };
        let mut map = Map::new();
        registered.write(&mut map);
        // Everything we write must pass our own reader.
        RegisteredClaims::from_map(&map)?;
        for (k, v) in &self.custom {
            map.insert(k.clone(), v.clone());
        }
        Ok(map)
    }

    /// The protected header as it will be signed (before `alg` and `kid` are added).
    pub fn header_ref(&self) -> &JwsHeader {
        &self.header
    }

    /// Signs the claims as a compact JWS.
    ///
    /// # Errors
    /// As [`JwtBuilder::build_claims`], or [`JwtError::Jws`] when signing fails.
    pub fn sign(&self, signer: &(impl Signer + ?Sized)) -> Result<String, JwtError> {
        let claims = serialize(&self.build_claims()?)?;
        Ok(jws::compact::CompactSign::new(&claims)
            .header(self.header.clone())
            .sign(signer)?)
    }
}

/// The claims set as compact JSON (serde_json's writer: the same bytes as `Value`'s `Display`,
/// without going through `fmt`).
pub(crate) fn serialize(claims: &Map<String, Value>) -> Result<Vec<u8>, JwtError> {
    serde_json::to_vec(claims).map_err(|e| JwtError::Claims(e.to_string()))
}
