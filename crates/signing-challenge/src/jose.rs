//! The JWS rules both tokens share: compact only, at most 16 KiB, strict JSON, `alg` ES256
//! (ES384 by opt-in for signed responses) as the raw `r || s` of its curve, no
//! `jwk`/`jku`/`x5u`, no `crit`, `typ` absent or `JWT`, integer `iat` and `exp`. The header is
//! read by `jws::protected`, claims by `jwt_claims::ClaimReader`, times by
//! `jwt_claims::TimeRules`.

use crate::SigningChallengeError;
use crate::error::from_jws;
use jose_core::alg::JwsAlgorithm;
use jose_core::header::{HeaderError, JwsHeader};
use jose_core::json::{self, JsonLimits, truncate_for_error};
use jose_core::jwk::Jwk;
use jws::JwsError;
use jws::protected::ProtectedHeader;
use jwt_claims::{ClaimError, NumericDate, TimeError, TimeRules};
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
        self.now.unwrap_or_else(|| NumericDate::now().seconds())
    }

    /// `iat ≤ now + leeway`, `now < exp + leeway` (invalid from the `exp` second on, as in
    /// RFC 7519), `0 < exp − iat ≤ max_lifetime`, in whole seconds, through
    /// [`TimeRules`]. Returns the absolute `exp`.
    pub(crate) fn check_times(&self, iat: i64, exp: i64) -> Result<i64, SigningChallengeError> {
        let now = self.now();
        let exp = self.exp.absolute(iat, exp);
        let whole = |d: Duration| Duration::from_secs(d.as_secs());
        let rules = TimeRules::at(NumericDate::from_seconds(now))
            .leeway(whole(self.leeway))
            .max_lifetime(whole(self.max_lifetime));
        let (iat_date, exp_date) = (
            NumericDate::from_seconds(iat),
            NumericDate::from_seconds(exp),
        );
        // A token of no lifetime is refused too (the service's tokens last seconds).
        if exp == iat {
            return Err(SigningChallengeError::LifetimeOutOfRange {
                lifetime: 0,
                max: self.max_lifetime.as_secs(),
            });
        }
        rules.check_lifetime(iat_date, exp_date)?;
        rules.check_iat(iat_date)?;
        rules.check_exp(exp_date)?;
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
    let mut header = ProtectedHeader::read(token, MAX_TOKEN_BYTES).map_err(|e| from_jws(e, ""))?;
    header.check_crit(&[]).map_err(|e| from_jws(e, ""))?;
    let map = header.parameters();
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
    let alg = header
        .algorithm(|alg| allowed.contains(&alg))
        .map_err(|refusal| match refusal.malformed() {
            Some(e) => SigningChallengeError::Malformed(e),
            None => SigningChallengeError::AlgorithmNotAllowed {
                alg: refusal.written(),
            },
        })?;
    match header.parameters().get("typ") {
        None => {}
        Some(Value::String(t)) if jws_typ_is_jwt(t) => {}
        Some(Value::String(t)) => {
            return Err(SigningChallengeError::WrongTyp(truncate_for_error(t)));
        }
        Some(_) => return Err(SigningChallengeError::WrongTyp("(not a string)".into())),
    }
    // A lenient reader accepts `x5c` as a lone string and reads it as a one-element chain.
    let map = header.parameters_mut();
    if rules.lenient
        && let Some(Value::String(single)) = map.get("x5c")
    {
        let single = Value::String(single.clone());
        map.insert("x5c".into(), Value::Array(vec![single]));
    }
    let header = header.into_header().map_err(|e| match e {
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

/// Verifies the signature with `key` and returns the payload as a strict JSON object: the key
/// must fit `alg`, and the signature must be the raw `r || s` of the curve's size (jws's rule
/// for every ECDSA signature). The header was checked by [`parse_header`] (which also refuses
/// `b64` and `crit`, so the payload is always base64url) and is not parsed again.
pub(crate) fn verified_claims(
    token: &str,
    key: &Jwk,
    alg: JwsAlgorithm,
) -> Result<Map<String, Value>, SigningChallengeError> {
    let payload =
        jws::protected::verify_signature(token, key, alg).map_err(|e| from_jws(e, alg.as_str()))?;
    json::parse_object(&payload, &JsonLimits::DEFAULT).map_err(SigningChallengeError::Payload)
}

impl From<TimeError> for SigningChallengeError {
    fn from(e: TimeError) -> Self {
        use SigningChallengeError as E;
        match e {
            TimeError::Expired { exp, now } => E::Expired {
                exp: exp.seconds(),
                now: now.seconds(),
            },
            TimeError::IssuedInFuture { iat, now } => E::IssuedInFuture {
                iat: iat.seconds(),
                now: now.seconds(),
            },
            TimeError::LifetimeOutOfRange {
                lifetime,
                max_seconds,
            } => E::LifetimeOutOfRange {
                lifetime,
                max: max_seconds,
            },
            // Not checked by this crate's rules.
            _ => E::Claim(ClaimError::invalid(e.claim(), "out of range")),
        }
    }
}

/// Compares secrets in constant time.
pub(crate) fn same(a: &str, b: &str) -> bool {
    jose_core::constant_time_eq(a.as_bytes(), b.as_bytes())
}
