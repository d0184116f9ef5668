//! Building and signing JWTs.

use crate::{Audience, JwtError, NumericDate, REGISTERED, RegisteredClaims, is_string_or_uri};
use custom::{Custom, CustomValue};
use jose_core::header::JwsHeader;
use jws::Signer;
use serde::Serialize;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::OnceLock;

mod custom;
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
    custom: Custom,
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
            custom: Custom::default(),
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
    pub fn claim(
        mut self,
        name: impl Into<String>,
        value: impl Serialize,
    ) -> Result<Self, JwtError> {
        let value = self
            .custom
            .write(&value)
            .map_err(|e| JwtError::Claims(e.to_string()))?;
        self.insert_custom(Cow::Owned(name.into()), value)
    }

    fn insert_custom(
        mut self,
        name: Cow<'static, str>,
        value: CustomValue,
    ) -> Result<Self, JwtError> {
        if REGISTERED.contains(&name.as_ref()) || self.custom.contains(&name) {
            return Err(JwtError::DuplicateClaim(name.into_owned()));
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
        if maps_sort_keys()
            && let Some(mut members) = self.custom.split(claims)
        {
            // As through a map: a name given twice keeps its last value, and the members are
            // added in name order (so the first duplicate reported is the same).
            // Latest first, then a stable sort by name: the first of each name is its last.
            members.reverse();
            members.sort_by(|(a, _), (b, _)| a.cmp(b));
            members.dedup_by(|(later, _), (kept, _)| later == kept);
            for (name, value) in members {
                self = self.insert_custom(name, value)?;
            }
            return Ok(self);
        }
        match serde_json::to_value(claims).map_err(|e| JwtError::Claims(e.to_string()))? {
            Value::Object(map) => {
                for (k, v) in map {
                    // Already a JSON value: no second serialization.
                    self = self.insert_custom(Cow::Owned(k), CustomValue::Value(v))?;
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
        let stamped = self.stamp()?;
        let mut registered = self.registered.clone();
        registered.iat = stamped.iat;
        registered.exp = stamped.exp;
        registered.nbf = stamped.nbf;
        registered.jti = stamped.jti.map(Cow::into_owned);
        let mut map = Map::new();
        registered.write(&mut map);
        // Everything we write must pass our own reader.
        RegisteredClaims::from_map(&map)?;
        for (k, v) in self.custom.iter() {
            let value = self
                .custom
                .value(v)
                .map_err(|e| JwtError::Claims(e.to_string()))?;
            map.insert(k.to_owned(), value);
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
        let claims = self.claims_json()?;
        Ok(jws::compact::CompactSign::new(&claims)
            .header(self.header.clone())
            .sign(signer)?)
    }

    /// The claims computed when the token is built: `iat`, `exp`, `nbf` from the clock (or
    /// the time given) and the `jti`.
    fn stamp(&self) -> Result<Stamped<'_>, JwtError> {
        let now = self.issued_at.unwrap_or_else(NumericDate::now);
        Ok(Stamped {
            iat: (!self.omit_iat).then_some(now),
            exp: match &self.expiry {
                Expiry::Lifetime(d) => Some(now.plus(*d)),
                Expiry::At(t) => Some(*t),
                Expiry::Never => None,
            },
            nbf: if self.nbf_now {
                Some(now)
            } else {
                self.registered.nbf
            },
            jti: match &self.jti {
                Jti::Random(n) => Some(Cow::Owned(
                    jose_core::rand::token(*n).map_err(|_| JwtError::Random)?,
                )),
                Jti::Fixed(s) => Some(Cow::Borrowed(s.as_str())),
                Jti::Omit => None,
            },
        })
    }

    /// [`JwtBuilder::build_claims`] serialized, written straight as JSON without the map: the
    /// same bytes (members in name order as the map keeps them, the same writer for every
    /// value) and the same errors (the StringOrURI checks the map's read-back makes, in its
    /// order). Where serde_json's map keeps insertion order (its `preserve_order` feature),
    /// through the map.
    fn claims_json(&self) -> Result<Vec<u8>, JwtError> {
        if !maps_sort_keys() {
            return serialize(&self.build_claims()?);
        }
        let stamped = self.stamp()?;
        let r = &self.registered;
        check_string_or_uri(r)?;
        // The registered claims in name order.
        let registered: [(&str, Option<Member<'_>>); 7] = [
            ("aud", r.aud.as_ref().map(Member::Audience)),
            ("exp", stamped.exp.map(Member::Date)),
            ("iat", stamped.iat.map(Member::Date)),
            ("iss", r.iss.as_deref().map(Member::Str)),
            ("jti", stamped.jti.as_deref().map(Member::Str)),
            ("nbf", stamped.nbf.map(Member::Date)),
            ("sub", r.sub.as_deref().map(Member::Str)),
        ];
        let mut registered = registered
            .into_iter()
            .filter_map(|(name, m)| m.map(|m| (name, m)))
            .peekable();
        let mut custom = self.custom.iter().peekable();
        let mut out = Vec::with_capacity(self.json_len_hint());
        out.push(b'{');
        loop {
            // A custom claim never has a registered name: the two sequences are disjoint.
            let take_registered = match (registered.peek(), custom.peek()) {
                (Some((r, _)), Some((c, _))) => r < c,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            if out.len() > 1 {
                out.push(b',');
            }
            if take_registered {
                if let Some((name, member)) = registered.next() {
                    write_name(&mut out, name)?;
                    match member {
                        Member::Str(s) => write_str(&mut out, s)?,
                        Member::Audience(Audience::Single(s)) => write_str(&mut out, s)?,
                        other => write_value(&mut out, &other)?,
                    }
                }
            } else if let Some((name, value)) = custom.next() {
                write_name(&mut out, name)?;
                match (self.custom.text(value), value) {
                    (Some(text), _) => out.extend_from_slice(text),
                    (None, CustomValue::Value(v)) => write_value(&mut out, v)?,
                    (None, CustomValue::Json(_)) => {
                        return Err(JwtError::Claims("a custom claim's text was lost".into()));
                    }
                }
            }
        }
        out.push(b'}');
        Ok(out)
    }

    /// About the length of the claims' JSON, so that the buffer is allocated once.
    fn json_len_hint(&self) -> usize {
        let r = &self.registered;
        let strings = [r.iss.as_deref(), r.sub.as_deref()]
            .into_iter()
            .flatten()
            .chain(r.aud.iter().flat_map(Audience::iter))
            .map(|s| s.len() + 8)
            .sum::<usize>();
        let custom = self.custom.len_hint();
        // Three dates, `jti` and the punctuation.
        2 + strings + custom + 3 * 20 + 64
    }
}

/// The claims a builder computes when it builds the token.
struct Stamped<'a> {
    iat: Option<NumericDate>,
    exp: Option<NumericDate>,
    nbf: Option<NumericDate>,
    jti: Option<Cow<'a, str>>,
}

/// A registered claim's value, borrowed.
enum Member<'a> {
    Str(&'a str),
    Audience(&'a Audience),
    Date(NumericDate),
}

impl Serialize for Member<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Member::Str(v) => v.serialize(s),
            Member::Audience(Audience::Single(v)) => v.serialize(s),
            Member::Audience(Audience::Multiple(v)) => v.serialize(s),
            Member::Date(d) => d.serialize(s),
        }
    }
}

/// Writes `"name":`.
fn write_name(out: &mut Vec<u8>, name: &str) -> Result<(), JwtError> {
    write_str(out, name)?;
    out.push(b':');
    Ok(())
}

/// Writes a JSON string as serde_json does: text with nothing to escape (no `"`, `\\` or
/// control character, which are all serde_json escapes) is copied as is.
fn write_str(out: &mut Vec<u8>, s: &str) -> Result<(), JwtError> {
    if s.bytes().all(|b| b >= b' ' && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        Ok(())
    } else {
        write_value(out, s)
    }
}

fn write_value(out: &mut Vec<u8>, value: &(impl Serialize + ?Sized)) -> Result<(), JwtError> {
    serde_json::to_writer(&mut *out, value).map_err(|e| JwtError::Claims(e.to_string()))
}

/// The checks `RegisteredClaims::from_map` makes on what the builder wrote, in its order
/// (`aud`, then `iss`, then `sub`; `jti` and the dates are always valid as written), with its
/// errors.
fn check_string_or_uri(r: &RegisteredClaims) -> Result<(), JwtError> {
    if r.aud
        .as_ref()
        .is_some_and(|a| !a.iter().all(is_string_or_uri))
    {
        return Err(JwtError::InvalidClaim {
            claim: "aud",
            reason: "must be a StringOrURI or an array of them",
        });
    }
    for (claim, value) in [("iss", &r.iss), ("sub", &r.sub)] {
        if value.as_deref().is_some_and(|v| !is_string_or_uri(v)) {
            return Err(JwtError::InvalidClaim {
                claim,
                reason: "contains ':' but is not a URI",
            });
        }
    }
    Ok(())
}

/// Whether `serde_json::Map` iterates in key order (its default `BTreeMap`), as opposed to
/// insertion order (the `preserve_order` feature, which any crate of the build may turn on).
fn maps_sort_keys() -> bool {
    static SORTED: OnceLock<bool> = OnceLock::new();
    *SORTED.get_or_init(|| {
        let mut probe = Map::new();
        probe.insert("b".into(), Value::Null);
        probe.insert("a".into(), Value::Null);
        probe.keys().next().map(String::as_str) == Some("a")
    })
}

/// The claims set as compact JSON (serde_json's writer: the same bytes as `Value`'s `Display`,
/// without going through `fmt`).
pub(crate) fn serialize(claims: &Map<String, Value>) -> Result<Vec<u8>, JwtError> {
    serde_json::to_vec(claims).map_err(|e| JwtError::Claims(e.to_string()))
}
