//! Verifying signed JWTs.

use crate::{JwtError, RegisteredClaims, Validation};
use jose_core::header::JwsHeader;
use jose_core::json::{self, JsonLimits};
use jws::KeyResolver;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A JWT whose signature and claims have been verified.
///
/// Only [`verify`] (and the functions built on it) make one.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedJwt<T = Map<String, Value>> {
    header: JwsHeader,
    registered: RegisteredClaims,
    claims: T,
}

impl<T> VerifiedJwt<T> {
    /// The protected header.
    #[must_use]
    pub fn header(&self) -> &JwsHeader {
        &self.header
    }

    /// The registered claims, typed.
    #[must_use]
    pub fn registered(&self) -> &RegisteredClaims {
        &self.registered
    }

    /// The claims in the caller's type (deserialized from the whole claims object).
    #[must_use]
    pub fn claims(&self) -> &T {
        &self.claims
    }

    /// The claims, by value.
    #[must_use]
    pub fn into_claims(self) -> T {
        self.claims
    }

    /// Assembles a verified JWT from parts that were verified by other means (for example a
    /// JWT decrypted from a JWE whose authenticity the caller established).
    #[doc(hidden)]
    #[must_use]
    pub fn from_verified_parts(header: JwsHeader, registered: RegisteredClaims, claims: T) -> Self {
        Self {
            header,
            registered,
            claims,
        }
    }
}

/// Parses a JWT payload as a strict JSON object.
///
/// # Errors
/// [`JwtError::Payload`].
pub fn parse_claims(payload: &[u8]) -> Result<Map<String, Value>, JwtError> {
    json::parse_object(payload, &JsonLimits::DEFAULT).map_err(JwtError::Payload)
}

/// Turns a verified claims object into the caller's type after the claim checks.
///
/// # Errors
/// The claim-check errors, or [`JwtError::Claims`].
pub fn finish<T: DeserializeOwned>(
    header: JwsHeader,
    claims: Map<String, Value>,
    validation: &Validation,
) -> Result<VerifiedJwt<T>, JwtError> {
    let registered = validation.check_claims(&claims)?;
    let claims =
        serde_json::from_value(Value::Object(claims)).map_err(|e| {
            match json::schema_error(&e) {
                json::JsonError::Schema(m) => JwtError::Claims(m),
                other => JwtError::Claims(other.to_string()),
            }
        })?;
    Ok(VerifiedJwt {
        header,
        registered,
        claims,
    })
}

/// Verifies a signed JWT (compact JWS): signature, then `typ`, then that it is not a nested
/// JWT (`cty: JWT`, refused with [`JwtError::Nesting`]: RFC 7519 §7.2), then the claims.
///
/// # Errors
/// [`JwtError`] naming the first failed check.
pub fn verify<T: DeserializeOwned>(
    token: &str,
    keys: &(impl KeyResolver + ?Sized),
    validation: &Validation,
) -> Result<VerifiedJwt<T>, JwtError> {
    let verified = jws::compact::verify(token, keys, validation.jws())?;
    validation.check_header(verified.header())?;
    refuse_nested(verified.header())?;
    if verified.header().b64() == Some(false) {
        // RFC 7797 §7: the unencoded option does not apply to JWTs.
        return Err(JwtError::Jws(jws::JwsError::Malformed(
            "a JWT cannot use the unencoded payload option",
        )));
    }
    let header = verified.header().clone();
    finish_from_payload(header, verified.payload(), validation)
}

/// Refuses a signed JWT whose header says `cty: JWT`: its payload is another JWT (RFC 7519
/// §7.2 step 8), not claims, and this crate does not verify nested JWS. Verifiers that read
/// claims from a JWS they verified themselves call this on its header.
///
/// # Errors
/// [`JwtError::Nesting`].
pub fn refuse_nested(header: &JwsHeader) -> Result<(), JwtError> {
    if crate::typ::is_nested_jwt(header.cty()) {
        return Err(JwtError::Nesting(
            "the JWS says cty: JWT (a nested JWT) where claims were expected",
        ));
    }
    Ok(())
}

/// The registered claims of a payload as JSON values, each `Some` when the member is present
/// (even as `null`), everything else skipped: what [`RegisteredClaims::from_lookup`] reads.
#[derive(Deserialize)]
struct RegisteredMembers {
    #[serde(default, deserialize_with = "present")]
    iss: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    sub: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    aud: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    exp: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    nbf: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    iat: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    jti: Option<Value>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

impl RegisteredMembers {
    fn slot(&mut self, name: &str) -> Option<&mut Option<Value>> {
        match name {
            "iss" => Some(&mut self.iss),
            "sub" => Some(&mut self.sub),
            "aud" => Some(&mut self.aud),
            "exp" => Some(&mut self.exp),
            "nbf" => Some(&mut self.nbf),
            "iat" => Some(&mut self.iat),
            "jti" => Some(&mut self.jti),
            _ => None,
        }
    }

    fn get(&mut self, name: &str) -> Option<&Value> {
        self.slot(name).and_then(|v| v.as_ref())
    }

    fn take(&mut self, name: &str) -> Option<Value> {
        self.slot(name).and_then(Option::take)
    }
}

/// The registered claims of a payload as written, picked out by the strict validator.
#[derive(Default)]
struct RawRegistered<'a> {
    members: [Option<&'a [u8]>; 7],
}

impl<'a> RawRegistered<'a> {
    fn take(&mut self, name: &str, value: &'a [u8]) {
        if let Some(i) = crate::REGISTERED.iter().position(|r| *r == name)
            && let Some(slot) = self.members.get_mut(i)
        {
            *slot = Some(value);
        }
    }

    /// Each member read as a JSON value, as [`RegisteredMembers`] reads it from the whole
    /// payload; `None` when serde_json refuses one.
    fn parse(&self) -> Option<RegisteredMembers> {
        let mut values = self
            .members
            .iter()
            .map(|m| m.map(serde_json::from_slice::<Value>).transpose());
        let mut next = || values.next().and_then(Result::ok);
        // In the order of `REGISTERED`.
        Some(RegisteredMembers {
            iss: next()?,
            sub: next()?,
            aud: next()?,
            exp: next()?,
            nbf: next()?,
            iat: next()?,
            jti: next()?,
        })
    }
}

/// [`parse_claims`] then [`finish`] without the intermediate claims object: the payload is
/// validated strictly, its registered claims and the caller's type are read straight from the
/// bytes. The same checks in the same order, with the same errors (only the text of a
/// [`JwtError::Claims`] may name a position in the payload). A claims object of its own is
/// never built: a caller asking for a `Map` gets the one serde_json reads from the bytes,
/// not a copy of it.
fn finish_from_payload<T: DeserializeOwned>(
    header: JwsHeader,
    payload: &[u8],
    validation: &Validation,
) -> Result<VerifiedJwt<T>, JwtError> {
    // The strict validator's one pass also picks out the registered claims as written and
    // notes which of the other required claims are present.
    let unregistered: Vec<&str> = validation.required_unregistered().collect();
    let mut seen = vec![false; unregistered.len()];
    let mut raw = RawRegistered::default();
    json::validate_members(payload, &JsonLimits::DEFAULT, &mut |name, value| {
        raw.take(name, value);
        for (required, seen) in unregistered.iter().zip(seen.iter_mut()) {
            *seen |= *required == name;
        }
    })
    .map_err(JwtError::Payload)?;
    // Valid JSON: an object starts with '{' after any whitespace. (serde would also read a
    // struct from an array.)
    if payload.trim_ascii_start().first() != Some(&b'{') {
        return Err(JwtError::Payload(json::JsonError::NotAnObject));
    }
    let mut members = match raw.parse() {
        Some(members) => members,
        // A registered claim serde_json cannot read (a number beyond f64): the error of the
        // reader of the whole payload.
        None => serde_json::from_slice(payload).map_err(|e| match json::schema_error(&e) {
            json::JsonError::Schema(m) => JwtError::Claims(m),
            other => JwtError::Claims(other.to_string()),
        })?,
    };
    let present = crate::REGISTERED.map(|name| members.get(name).is_some());
    let registered =
        RegisteredClaims::from_values(|name| members.take(name).map(std::borrow::Cow::Owned))?;
    let registered = validation.check_registered(registered, |name| {
        let registered_present = crate::REGISTERED.iter().zip(present);
        let other_present = unregistered.iter().zip(seen.iter().copied());
        registered_present
            .chain(other_present)
            .any(|(r, p)| p && *r == name)
    })?;
    let claims = serde_json::from_slice(payload).map_err(|e| match json::schema_error(&e) {
        json::JsonError::Schema(m) => JwtError::Claims(m),
        other => JwtError::Claims(other.to_string()),
    })?;
    Ok(VerifiedJwt {
        header,
        registered,
        claims,
    })
}

/// Reads a JWT **without verifying anything**: for debugging and routing only.
///
/// # Errors
/// [`JwtError`] when the token is malformed.
pub fn decode_unverified(token: &str) -> Result<(JwsHeader, Map<String, Value>), JwtError> {
    let header = jws::unverified::decode_header(token)?;
    let payload = jws::unverified::decode_payload(token)?;
    Ok((header, parse_claims(&payload)?))
}
