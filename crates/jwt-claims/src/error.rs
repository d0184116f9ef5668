//! Errors of the `jwt-claims` crate.

use crate::NumericDate;
use jose_core::json::JsonError;
use jws::JwsError;

/// Why a JWT was not accepted or could not be made.
///
/// Each claim check has its own variant naming the claim; [`JwtError::code`] gives a stable
/// identifier for logs and metrics. Values from the token appear only where they help (times,
/// and a shortened issuer), never the token itself.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// The JWS layer refused the token (format, header, key, algorithm, signature).
    #[error(transparent)]
    Jws(#[from] JwsError),
    /// The JWE layer refused an encrypted token (format, header, key, algorithm, decryption).
    #[cfg(feature = "jwe")]
    #[error(transparent)]
    Jwe(#[from] jwe::JweError),
    /// A JWT holds something other than what the caller asked for: a nested JWT whose
    /// content is not a signed JWT, or a nested JWT (`cty: JWT`, in a JWE or a JWS) where
    /// claims were expected.
    #[error("nested JWT: {0}")]
    Nesting(&'static str),
    /// The payload is not a strict JSON object.
    #[error("the JWT payload is not a JSON object: {0}")]
    Payload(JsonError),
    /// A registered claim has the wrong type or form.
    #[error("claim {claim:?} is invalid: {reason}")]
    InvalidClaim {
        /// The claim.
        claim: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A required claim is absent.
    #[error("claim {0:?} is missing")]
    MissingClaim(String),
    /// `exp` has passed (with the allowed leeway).
    #[error("the token expired at {exp} (now {now})")]
    Expired {
        /// The `exp` claim.
        exp: NumericDate,
        /// The time used for the check.
        now: NumericDate,
    },
    /// `nbf` is still in the future (with the allowed leeway).
    #[error("the token is not valid before {nbf} (now {now})")]
    NotYetValid {
        /// The `nbf` claim.
        nbf: NumericDate,
        /// The time used for the check.
        now: NumericDate,
    },
    /// `iat` is in the future (with the allowed leeway).
    #[error("the token was issued in the future, at {iat} (now {now})")]
    IssuedInFuture {
        /// The `iat` claim.
        iat: NumericDate,
        /// The time used for the check.
        now: NumericDate,
    },
    /// `iat` is further in the past than the maximum age allows.
    #[error("the token was issued at {iat}, more than {max_age_seconds} s before {now}")]
    TooOld {
        /// The `iat` claim.
        iat: NumericDate,
        /// The maximum age in seconds.
        max_age_seconds: u64,
        /// The time used for the check.
        now: NumericDate,
    },
    /// `iss` is not an accepted issuer.
    #[error("unexpected issuer {found:?}: accept it with Validation::issuer")]
    IssuerMismatch {
        /// The token's issuer (shortened).
        found: String,
    },
    /// `aud` does not contain an accepted audience.
    #[error(
        "the token's audience does not include an accepted audience: name yours with Validation::audience"
    )]
    AudienceMismatch,
    /// The token has an audience but the validation names none (RFC 7519 §4.1.3 requires the
    /// recipient to identify itself with a value in `aud`).
    #[error(
        "the token has an audience but no accepted audience is configured: name yours with Validation::audience"
    )]
    AudienceNotExpected,
    /// `sub` is not the expected subject.
    #[error("unexpected subject: the expected one is set with Validation::subject")]
    SubjectMismatch,
    /// The header's `typ` is not the expected type.
    #[error("{}", typ_mismatch(expected, found.as_deref()))]
    TypMismatch {
        /// The expected type.
        expected: String,
        /// The header's type.
        found: Option<String>,
    },
    /// No `typ` is configured and the header's `typ` types the token for a specific profile
    /// (anything but `JWT`/`application/jwt`): RFC 8725 §3.11 explicit typing keeps such a
    /// token from being accepted where a plain JWT is expected.
    #[error(
        "typ \"{found}\" marks a token of a specific profile (RFC 8725 §3.11); to accept it, configure Validation::typ(\"{found}\")"
    )]
    TypNotAccepted {
        /// The header's type (shortened).
        found: String,
    },
    /// The claims do not fit the caller's claims type.
    #[error("the claims do not have the expected shape: {0}")]
    Claims(String),
    /// A custom claim uses the name of a registered claim or of another custom claim.
    #[error("claim {0:?} is set twice (registered claims have their own setters)")]
    DuplicateClaim(String),
    /// The operating system's random number generator failed.
    #[error("the random number generator failed")]
    Random,
}

impl JwtError {
    /// A stable identifier of the kind of error, in the style of panva's jose
    /// (`ERR_JWT_EXPIRED`, ...).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            JwtError::Jws(JwsError::InvalidSignature) => "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            JwtError::Jws(JwsError::AlgorithmNotAllowed(_) | JwsError::NoAlgorithmAllowed) => {
                "ERR_JOSE_ALG_NOT_ALLOWED"
            }
            JwtError::Jws(JwsError::KeySelection(_)) => "ERR_JWKS_NO_MATCHING_KEY",
            JwtError::Jws(_) => "ERR_JWS_INVALID",
            #[cfg(feature = "jwe")]
            JwtError::Jwe(e) => match e {
                jwe::JweError::DecryptionFailed => "ERR_JWE_DECRYPTION_FAILED",
                jwe::JweError::AlgorithmNotAllowed(_)
                | jwe::JweError::EncryptionNotAllowed(_)
                | jwe::JweError::NoAlgorithmAllowed => "ERR_JOSE_ALG_NOT_ALLOWED",
                jwe::JweError::KeySelection(_) => "ERR_JWKS_NO_MATCHING_KEY",
                _ => "ERR_JWE_INVALID",
            },
            JwtError::Nesting(_) => "ERR_JWT_INVALID",
            JwtError::Payload(_) | JwtError::Claims(_) => "ERR_JWT_INVALID",
            JwtError::Expired { .. } | JwtError::TooOld { .. } => "ERR_JWT_EXPIRED",
            JwtError::DuplicateClaim(_) | JwtError::Random => "ERR_JWT_CREATE",
            _ => "ERR_JWT_CLAIM_VALIDATION_FAILED",
        }
    }

    /// The claim a claim-validation error is about.
    #[must_use]
    pub fn claim(&self) -> Option<&str> {
        Some(match self {
            JwtError::InvalidClaim { claim, .. } => claim,
            JwtError::MissingClaim(c) | JwtError::DuplicateClaim(c) => c,
            JwtError::Expired { .. } => "exp",
            JwtError::NotYetValid { .. } => "nbf",
            JwtError::IssuedInFuture { .. } | JwtError::TooOld { .. } => "iat",
            JwtError::IssuerMismatch { .. } => "iss",
            JwtError::AudienceMismatch | JwtError::AudienceNotExpected => "aud",
            JwtError::SubjectMismatch => "sub",
            JwtError::TypMismatch { .. } | JwtError::TypNotAccepted { .. } => "typ",
            _ => return None,
        })
    }
}

/// The text of [`JwtError::TypMismatch`]: plain words, not Rust's `Option` syntax.
fn typ_mismatch(expected: &str, found: Option<&str>) -> String {
    match found {
        Some(found) => {
            format!("unexpected typ {found:?}, expected {expected:?} (set with Validation::typ)")
        }
        None => format!("the header has no typ, expected {expected:?} (set with Validation::typ)"),
    }
}
