//! The JWS rules both tokens share: compact only, at most 16 KiB, strict
//! JSON, `alg` ES256 (ES384 by opt-in for signed responses) as the raw `r || s` of its curve,
//! no `jwk`/`jku`/`x5u`, no `crit`, `typ` absent or `JWT`, integer `iat` and `exp`.

use crate::SigningChallengeError;
use crate::error::from_jws;
use jose_core::alg::JwsAlgorithm;
use jose_core::b64;
use jose_core::header::{self, HeaderError, JWS_REGISTERED, JwsHeader};
use jose_core::json::{self, JsonLimits, truncate_for_error};
use jose_core::jwk::Jwk;
use jws::{JwsError, Verifier};
use serde_json::{Map, Value};
use std::time::Duration;

/// Largest accepted token (the signed response carries a certificate chain).
pub(crate) const MAX_TOKEN_BYTES: usize = 16 << 10;

/// How `exp` is read. Some descriptions of the tokens call it an "expiry duration in seconds
/// (i.e. 3 seconds)"; every real token of the service uses an absolute NumericDate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExpInterpretation {
    /// `exp` is a NumericDate (RFC 7519). The default.
    #[default]
    NumericDate,
    /// `exp` is a number of seconds after `iat` (an "expiry duration").
    RelativeToIat,
    /// A duration when `exp < iat` and `exp <= 86400`, a NumericDate otherwise.
    Auto,
}

impl ExpInterpretation {
    /// The absolute expiry.
    #[must_use]
    pub fn absolute(self, iat: i64, exp: i64) -> i64 {
        match self {
            ExpInterpretation::NumericDate => exp,
            ExpInterpretation::RelativeToIat => iat.saturating_add(exp),
            ExpInterpretation::Auto if exp < iat && exp <= 86_400 => iat.saturating_add(exp),
            ExpInterpretation::Auto => exp,
        }
    }
}

/// The settings both verifiers share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rules {
    pub(crate) leeway: Duration,
    pub(crate) max_lifetime: Duration,
    pub(crate) exp: ExpInterpretation,
    pub(crate) strict_headers: bool,
    pub(crate) lenient: bool,
    pub(crate) now: Option<i64>,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            leeway: Duration::from_secs(5),
            max_lifetime: Duration::from_secs(3),
            exp: ExpInterpretation::NumericDate,
            strict_headers: false,
            lenient: false,
            now: None,
        }
    }
}

impl Rules {
    pub(crate) fn now(&self) -> i64 {
        self.now.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        })
    }

    fn leeway(&self) -> i64 {
        i64::try_from(self.leeway.as_secs()).unwrap_or(i64::MAX)
    }

    /// `iat ≤ now + leeway`, `now < exp + leeway` (invalid from the `exp` second on, as in
    /// RFC 7519), `0 < exp − iat ≤ max_lifetime`. Returns the absolute `exp`.
    pub(crate) fn check_times(&self, iat: i64, exp: i64) -> Result<i64, SigningChallengeError> {
        let now = self.now();
        let exp = self.exp.absolute(iat, exp);
        let leeway = self.leeway();
        let lifetime = exp.saturating_sub(iat);
        if lifetime <= 0 || lifetime.unsigned_abs() > self.max_lifetime.as_secs() {
            return Err(SigningChallengeError::LifetimeOutOfRange {
                lifetime,
                max: self.max_lifetime.as_secs(),
            });
        }
        if iat > now.saturating_add(leeway) {
            return Err(SigningChallengeError::IssuedInFuture { iat, now });
        }
        if exp.saturating_add(leeway) <= now {
            return Err(SigningChallengeError::Expired { exp, now });
        }
        Ok(exp)
    }
}

/// The header, parsed strictly, with the shared header rules applied.
pub(crate) fn parse_header(
    token: &str,
    allowed: &[JwsAlgorithm],
    expected_params: &[&str],
    rules: &Rules,
) -> Result<(JwsHeader, JwsAlgorithm), SigningChallengeError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(SigningChallengeError::TooLarge {
            max: MAX_TOKEN_BYTES,
            actual: token.len(),
        });
    }
    let parts: Vec<&str> = token.splitn(4, '.').collect();
    let [header_b64, _, _] = parts[..] else {
        return Err(SigningChallengeError::Malformed(JwsError::Malformed(
            "a compact JWS has exactly three parts separated by '.'",
        )));
    };
    let bytes = b64::decode(header_b64).map_err(|source| {
        SigningChallengeError::Malformed(JwsError::Base64 {
            part: "protected header",
            source,
        })
    })?;
    let mut map = json::parse_object(&bytes, &JsonLimits::HEADER)
        .map_err(|e| SigningChallengeError::Malformed(JwsError::Header(HeaderError::Json(e))))?;
    header::check_crit(&map, &[], JWS_REGISTERED, &[])
        .map_err(|e| from_jws(JwsError::Header(e), ""))?;
    for forbidden in ["jwk", "jku", "x5u", "b64"] {
        if map.contains_key(forbidden) {
            return Err(SigningChallengeError::ForbiddenHeader(forbidden));
        }
    }
    if rules.strict_headers
        && let Some(name) = map.keys().find(|k| !expected_params.contains(&k.as_str()))
    {
        return Err(SigningChallengeError::UnexpectedHeader(truncate_for_error(
            name,
        )));
    }
    // An `algo` member (a misspelling of `alg` in some descriptions) is never read as `alg`.
    let alg = match map.get("alg") {
        None => return Err(SigningChallengeError::AlgorithmNotAllowed { alg: String::new() }),
        Some(Value::String(name)) => name.parse::<JwsAlgorithm>().map_err(|_| {
            SigningChallengeError::AlgorithmNotAllowed {
                alg: truncate_for_error(name),
            }
        })?,
        Some(_) => {
            return Err(SigningChallengeError::Malformed(JwsError::Header(
                HeaderError::InvalidParameter {
                    name: "alg",
                    reason: "must be a string",
                },
            )));
        }
    };
    if !allowed.contains(&alg) {
        return Err(SigningChallengeError::AlgorithmNotAllowed {
            alg: alg.as_str().to_owned(),
        });
    }
    match map.get("typ") {
        None => {}
        Some(Value::String(t)) if jws_typ_is_jwt(t) => {}
        Some(Value::String(t)) => {
            return Err(SigningChallengeError::WrongTyp(truncate_for_error(t)));
        }
        Some(_) => return Err(SigningChallengeError::WrongTyp("(not a string)".into())),
    }
    // A lenient reader accepts `x5c` as a lone string and reads it as a one-element chain.
    if rules.lenient
        && let Some(Value::String(single)) = map.get("x5c")
    {
        let single = Value::String(single.clone());
        map.insert("x5c".into(), Value::Array(vec![single]));
    }
    let header = JwsHeader::from_map(map).map_err(|e| match e {
        HeaderError::InvalidParameter { name: "x5c", .. }
        | HeaderError::Base64 { name: "x5c", .. } => {
            SigningChallengeError::X5cInvalid("must be an array of base64 DER certificates")
        }
        other => from_jws(JwsError::Header(other), alg.as_str()),
    })?;
    Ok((header, alg))
}

fn jws_typ_is_jwt(t: &str) -> bool {
    t.eq_ignore_ascii_case("JWT") || t.eq_ignore_ascii_case("application/jwt")
}

/// A token whose signature verified: its payload bytes.
pub(crate) struct Verified {
    pub(crate) payload: Vec<u8>,
}

/// Verifies the signature with `key`: the key must fit `alg`, and the signature must be the
/// raw `r || s` of the curve's size. The header was checked by [`parse_header`] (which also
/// refuses `b64` and `crit`, so the payload is always base64url).
pub(crate) fn verify_signature(
    token: &str,
    key: &Jwk,
    alg: JwsAlgorithm,
) -> Result<Verified, SigningChallengeError> {
    let (signing_input, signature_b64) =
        token
            .rsplit_once('.')
            .ok_or(SigningChallengeError::Malformed(JwsError::Malformed(
                "a compact JWS has three parts",
            )))?;
    let payload_b64 = signing_input
        .split_once('.')
        .map(|(_, p)| p)
        .unwrap_or_default();
    Verifier::check_algorithm(key, alg).map_err(|e| from_jws(e, alg.as_str()))?;
    let signature = b64::decode(signature_b64).map_err(|source| {
        SigningChallengeError::Malformed(JwsError::Base64 {
            part: "signature",
            source,
        })
    })?;
    Verifier::verify(key, alg, signing_input.as_bytes(), &signature)
        .map_err(|e| from_jws(e, alg.as_str()))?;
    let payload = b64::decode(payload_b64).map_err(|source| {
        SigningChallengeError::Malformed(JwsError::Base64 {
            part: "payload",
            source,
        })
    })?;
    Ok(Verified { payload })
}

/// The payload as a strict JSON object.
pub(crate) fn claims(verified: &Verified) -> Result<Map<String, Value>, SigningChallengeError> {
    json::parse_object(&verified.payload, &JsonLimits::DEFAULT)
        .map_err(SigningChallengeError::Payload)
}

/// Typed readers for claims.
pub(crate) struct Reader<'a>(pub(crate) &'a Map<String, Value>);

impl Reader<'_> {
    fn get(&self, name: &'static str) -> Result<&Value, SigningChallengeError> {
        self.0
            .get(name)
            .ok_or(SigningChallengeError::MissingClaim(name))
    }

    pub(crate) fn string(&self, name: &'static str) -> Result<String, SigningChallengeError> {
        match self.get(name)? {
            Value::String(s) => Ok(s.clone()),
            _ => Err(SigningChallengeError::InvalidClaim {
                claim: name,
                reason: "must be a string",
            }),
        }
    }

    pub(crate) fn optional_string(
        &self,
        name: &'static str,
    ) -> Result<Option<String>, SigningChallengeError> {
        if self.0.contains_key(name) {
            self.string(name).map(Some)
        } else {
            Ok(None)
        }
    }

    /// A JSON integer (no fraction, no exponent).
    pub(crate) fn integer(&self, name: &'static str) -> Result<i64, SigningChallengeError> {
        self.get(name)?
            .as_i64()
            .ok_or(SigningChallengeError::InvalidClaim {
                claim: name,
                reason: "must be an integer",
            })
    }

    pub(crate) fn parsed<T: core::str::FromStr>(
        &self,
        name: &'static str,
        reason: &'static str,
    ) -> Result<T, SigningChallengeError> {
        self.string(name)?
            .parse()
            .map_err(|_| SigningChallengeError::InvalidClaim {
                claim: name,
                reason,
            })
    }

    /// A non-empty string of at most `max` characters.
    pub(crate) fn bounded(
        &self,
        name: &'static str,
        max: usize,
    ) -> Result<String, SigningChallengeError> {
        let s = self.string(name)?;
        if s.is_empty() || s.chars().count() > max {
            return Err(SigningChallengeError::InvalidClaim {
                claim: name,
                reason: "must be a non-empty string of bounded length",
            });
        }
        Ok(s)
    }
}

/// Compares secrets in constant time.
pub(crate) fn same(a: &str, b: &str) -> bool {
    jose_core::constant_time_eq(a.as_bytes(), b.as_bytes())
}
