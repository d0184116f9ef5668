//! Errors of the `jwe` crate.

use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
use jose_core::b64::Base64Error;
use jose_core::header::HeaderError;
use jose_core::json::JsonError;
use jose_core::jwk::{KeyError, SelectError};

/// Why a JWE could not be produced or was not accepted.
///
/// Variants are grouped by phase: parsing the serialization, checking the header against the
/// caller's policy and limits, finding the key, and the cryptography. None of them carries
/// token bytes or key material.
///
/// Every failure of the cryptographic checks that an attacker could use as an oracle (an
/// authentication tag that does not verify, an RSA key that does not unwrap, an AES key wrap
/// whose integrity check fails) is the single variant [`JweError::DecryptionFailed`]: the
/// error never says which step failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JweError {
    // --- Parsing --------------------------------------------------------------------------
    /// The input is larger than [`crate::Limits::max_input_bytes`].
    #[error("JWE of {actual} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// The limit.
        max: usize,
        /// The input size.
        actual: usize,
    },
    /// The serialization is malformed.
    #[error("malformed JWE: {0}")]
    Malformed(&'static str),
    /// A part is not valid base64url.
    #[error("malformed JWE: the {part} is not valid base64url: {source}")]
    Base64 {
        /// Which part (`protected header`, `encrypted key`, `iv`, `ciphertext`, `tag`, `aad`).
        part: &'static str,
        /// The decoding error.
        source: Base64Error,
    },
    /// The JSON serialization is not acceptable JSON.
    #[error("malformed JWE JSON: {0}")]
    Json(#[from] JsonError),
    /// A header parameter is malformed, duplicated across headers, or `crit` is violated.
    #[error("JWE header: {0}")]
    Header(#[from] HeaderError),
    /// The JWE has more recipients than [`crate::Limits::max_recipients`].
    #[error("JWE has {actual} recipients, more than the limit of {max}")]
    TooManyRecipients {
        /// The limit.
        max: usize,
        /// The number found.
        actual: usize,
    },

    // --- Policy and limits ----------------------------------------------------------------
    /// The header has no `alg`.
    #[error("the JWE header has no \"alg\"")]
    MissingAlgorithm,
    /// The header has no `enc`.
    #[error("the JWE header has no \"enc\"")]
    MissingEncryption,
    /// The key management algorithm is not one the caller accepts.
    #[error(
        "key management algorithm {0} is not allowed: accept it with DecryptOptions::algorithms"
    )]
    AlgorithmNotAllowed(KeyManagementAlgorithm),
    /// The content encryption algorithm is not one the caller accepts.
    #[error(
        "content encryption algorithm {0} is not allowed: accept it with DecryptOptions::encryptions"
    )]
    EncryptionNotAllowed(ContentEncryptionAlgorithm),
    /// No key management algorithm was allowed: the options name none and the key does not
    /// fix one.
    #[error(
        "no key management algorithm is allowed: the key has no \"alg\"; name the accepted algorithms with DecryptOptions::algorithms, or encrypt with EncryptionKey::new(key, alg)"
    )]
    NoAlgorithmAllowed,
    /// A header parameter the algorithm needs is absent.
    #[error("header parameter {0:?} is required by the algorithm but missing")]
    MissingParameter(&'static str),
    /// A header parameter has a value the algorithm cannot use.
    #[error("header parameter {name:?} is invalid: {reason}")]
    InvalidParameter {
        /// The parameter (`epk`, `iv`, `tag`, `p2s`, `p2c`, `zip`, `enc`, ...).
        name: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A value exceeds one of the [`crate::Limits`].
    #[error("{what} of {actual} exceeds the limit of {max}")]
    LimitExceeded {
        /// Which limit (`p2c`, `decompressed plaintext`, ...).
        what: &'static str,
        /// The limit.
        max: u64,
        /// The value found (for streams, the size reached when decoding stopped).
        actual: u64,
    },
    /// A `p2c` below the minimum of 1000 iterations (RFC 7518 §4.8.1.2).
    #[error("p2c of {actual} is below the minimum of {min} iterations")]
    IterationCountTooSmall {
        /// The minimum.
        min: u32,
        /// The value found.
        actual: u64,
    },
    /// The IV has the wrong length for the content encryption algorithm.
    #[error("the IV must be {expected} bytes for {enc}, found {actual}")]
    IvLength {
        /// The content encryption algorithm.
        enc: ContentEncryptionAlgorithm,
        /// Required length.
        expected: usize,
        /// Actual length.
        actual: usize,
    },
    /// The authentication tag has the wrong length for the content encryption algorithm.
    #[error("the authentication tag must be {expected} bytes for {enc}, found {actual}")]
    TagLength {
        /// The content encryption algorithm.
        enc: ContentEncryptionAlgorithm,
        /// Required length.
        expected: usize,
        /// Actual length.
        actual: usize,
    },
    /// The encrypted key has the wrong length for the algorithm (an AES-wrapped key of the
    /// wrong size, an RSA ciphertext not as long as the modulus, a non-empty encrypted key with
    /// `dir` or `ECDH-ES`).
    #[error("the encrypted key must be {expected} bytes for {alg}, found {actual}")]
    EncryptedKeyLength {
        /// The key management algorithm.
        alg: KeyManagementAlgorithm,
        /// Required length.
        expected: usize,
        /// Actual length.
        actual: usize,
    },
    /// A content encryption key of the wrong size for `enc` (a `dir` key of the wrong length,
    /// or a CEK supplied for a test).
    #[error("{enc} needs a content encryption key of {expected} bytes, found {actual}")]
    CekLength {
        /// The content encryption algorithm.
        enc: ContentEncryptionAlgorithm,
        /// Required length.
        expected: usize,
        /// Actual length.
        actual: usize,
    },

    // --- Keys -----------------------------------------------------------------------------
    /// The key cannot be used for this algorithm or operation.
    #[error("key: {0}")]
    Key(#[from] KeyError),
    /// No key, or no single key, of the key set fits the header.
    #[error("key selection: {0}")]
    KeySelection(#[from] SelectError),
    /// The key source has no key for this JWE (or for any of its recipients).
    #[error("no key for this JWE: {0}")]
    NoKey(String),

    // --- Cryptography ---------------------------------------------------------------------
    /// Decryption failed: the authentication tag does not verify, or the content encryption
    /// key could not be recovered. Deliberately says no more.
    #[error("decryption failed")]
    DecryptionFailed,
    /// The decompressed plaintext would exceed the cap of [`crate::Limits::decompression_cap`]
    /// (a compression bomb); decompression stopped there.
    #[error("the decompressed plaintext exceeds the limit of {max} bytes")]
    DecompressionLimit {
        /// The cap for this ciphertext.
        max: usize,
    },
    /// The compressed plaintext is not valid DEFLATE data.
    #[error("the plaintext cannot be decompressed: {0}")]
    Decompression(&'static str),
    /// The algorithm is known but support for it is not compiled in.
    #[error("{alg} is not supported by this build (enable the {feature:?} feature of jwe)")]
    Unsupported {
        /// The algorithm or parameter value.
        alg: &'static str,
        /// The feature to enable.
        feature: &'static str,
    },
    /// The algorithm can decrypt but not encrypt (`RSA1_5`), or the builder was given
    /// something it cannot produce.
    #[error("cannot encrypt: {0}")]
    Encrypt(&'static str),
    /// The operating system's random number generator failed.
    #[error("the random number generator failed")]
    Random,
}

impl From<jose_core::Error> for JweError {
    fn from(e: jose_core::Error) -> Self {
        match e {
            jose_core::Error::Base64(source) => JweError::Base64 {
                part: "value",
                source,
            },
            jose_core::Error::Json(e) => JweError::Json(e),
            jose_core::Error::Header(e) => JweError::Header(e),
            jose_core::Error::Key(e) => JweError::Key(e),
            jose_core::Error::Select(e) => JweError::KeySelection(e),
            jose_core::Error::Algorithm(source) => JweError::Header(HeaderError::Algorithm {
                name: "alg",
                source,
            }),
            _ => JweError::Random,
        }
    }
}
