//! Errors of the `jws` crate.

use jose_core::alg::JwsAlgorithm;
use jose_core::header::HeaderError;
use jose_core::json::JsonError;
use jose_core::jwk::{KeyError, SelectError};

/// Why a JWS could not be produced or was not accepted.
///
/// Variants are grouped by phase: parsing the serialization, checking the header against the
/// caller's policy, finding the key, and the cryptographic check. None of them carries token
/// bytes or key material.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwsError {
    // --- Parsing --------------------------------------------------------------------------
    /// The input is larger than [`crate::Limits::max_input_bytes`].
    #[error("JWS of {actual} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// The limit.
        max: usize,
        /// The input size.
        actual: usize,
    },
    /// The serialization is malformed.
    #[error("malformed JWS: {0}")]
    Malformed(&'static str),
    /// A part is not valid base64url.
    #[error("malformed JWS: the {part} is not valid base64url: {source}")]
    Base64 {
        /// Which part.
        part: &'static str,
        /// The decoding error.
        source: jose_core::b64::Base64Error,
    },
    /// The JSON serialization (or a JSON header) is not acceptable JSON.
    #[error("malformed JWS JSON: {0}")]
    Json(#[from] JsonError),
    /// A header parameter is missing, malformed, duplicated across headers, or `crit` is violated.
    #[error("JWS header: {0}")]
    Header(#[from] HeaderError),
    /// The JWS has more signatures than [`crate::Limits::max_signatures`].
    #[error("JWS has {actual} signatures, more than the limit of {max}")]
    TooManySignatures {
        /// The limit.
        max: usize,
        /// The number found.
        actual: usize,
    },

    // --- Policy ---------------------------------------------------------------------------
    /// The header has no `alg`.
    #[error("the JWS header has no \"alg\"")]
    MissingAlgorithm,
    /// The header's `alg` is not one the caller accepts.
    #[error(
        "algorithm {0} is not allowed: accept it with VerifyOptions::algorithms (Validation::algorithms for a JWT)"
    )]
    AlgorithmNotAllowed(JwsAlgorithm),
    /// No algorithm was allowed: the options name none and the key does not fix one.
    #[error(
        "no algorithm is allowed: the key has no \"alg\" and its type fixes none; name the accepted algorithms with VerifyOptions::algorithms (Validation::algorithms for a JWT), or sign with SigningKey::new(key, alg)"
    )]
    NoAlgorithmAllowed,
    /// The payload is detached but none was supplied, or one was supplied for an attached payload.
    #[error("detached payload: {0}")]
    DetachedPayload(&'static str),

    // --- Keys -----------------------------------------------------------------------------
    /// The key cannot be used for this algorithm or operation.
    #[error("key: {0}")]
    Key(#[from] KeyError),
    /// No key, or no single key, of the key set fits the header.
    #[error("key selection: {0}")]
    KeySelection(#[from] SelectError),
    /// The header embeds no `jwk` but the key source requires one.
    #[error("the header has no \"jwk\" to verify with")]
    MissingEmbeddedKey,
    /// The key source refused the header for a reason of its own.
    #[error("no key for this JWS: {0}")]
    NoKey(String),

    // --- Cryptography ---------------------------------------------------------------------
    /// The signature does not verify.
    #[error("invalid signature")]
    InvalidSignature,
    /// The signature has the wrong size or encoding for the algorithm.
    #[error("invalid {alg} signature: {reason}")]
    MalformedSignature {
        /// The algorithm.
        alg: JwsAlgorithm,
        /// What is wrong.
        reason: &'static str,
    },
    /// The algorithm is known but support for it is not compiled in.
    #[error("{alg} is not supported by this build (enable the {feature:?} feature of jws)")]
    Unsupported {
        /// The algorithm.
        alg: JwsAlgorithm,
        /// The feature to enable.
        feature: &'static str,
    },
    /// A [`crate::Signer`] failed (for example a remote KMS).
    #[error("signer failed: {0}")]
    Signer(String),
    /// The operating system's random number generator failed.
    #[error("the random number generator failed")]
    Random,
}

impl From<jose_core::Error> for JwsError {
    fn from(e: jose_core::Error) -> Self {
        match e {
            jose_core::Error::Base64(source) => JwsError::Base64 {
                part: "value",
                source,
            },
            jose_core::Error::Json(e) => JwsError::Json(e),
            jose_core::Error::Header(e) => JwsError::Header(e),
            jose_core::Error::Key(e) => JwsError::Key(e),
            jose_core::Error::Select(e) => JwsError::KeySelection(e),
            jose_core::Error::Algorithm(source) => JwsError::Header(HeaderError::Algorithm {
                name: "alg",
                source,
            }),
            _ => JwsError::Random,
        }
    }
}
