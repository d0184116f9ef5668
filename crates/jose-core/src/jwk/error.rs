//! Errors from importing, exporting and using keys.

use crate::alg::KeyAlgorithm;
use crate::b64::Base64Error;
use crate::json::JsonError;

/// Why a key was refused or cannot be used as asked.
///
/// Variants name the member or check that failed; none carries key material.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    // --- Parsing -------------------------------------------------------------------------
    /// The JWK text is not acceptable JSON.
    #[error("JWK is not valid JSON: {0}")]
    Json(#[from] JsonError),
    /// A required member is absent.
    #[error("JWK member {0:?} is missing")]
    MissingMember(&'static str),
    /// A member has the wrong JSON type or an invalid value.
    #[error("JWK member {member:?} is invalid: {reason}")]
    InvalidMember {
        /// The member.
        member: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A base64url member does not decode.
    #[error("JWK member {member:?} is not valid base64url: {source}")]
    Base64 {
        /// The member.
        member: &'static str,
        /// The decoding error.
        source: Base64Error,
    },
    /// A member decodes to the wrong number of bytes.
    #[error("JWK member {member:?} must be {expected} bytes, found {actual}")]
    InvalidLength {
        /// The member.
        member: &'static str,
        /// Required length.
        expected: usize,
        /// Actual length.
        actual: usize,
    },
    /// The `kty` is not one this workspace implements.
    #[error("unsupported key type {0:?}")]
    UnsupportedKeyType(String),
    /// The `crv` is not one this workspace implements for the key type.
    #[error("unsupported curve {0:?}")]
    UnsupportedCurve(String),
    /// Support for this key type was left out at compile time.
    #[error("support for {what} keys is not compiled in (enable the {feature:?} feature)")]
    FeatureDisabled {
        /// The key type.
        what: &'static str,
        /// The cargo feature that adds it.
        feature: &'static str,
    },
    /// `key_ops` lists an operation twice.
    #[error("key_ops lists {0:?} more than once")]
    DuplicateKeyOperation(String),
    /// `use` and `key_ops` contradict each other.
    #[error("\"use\" and \"key_ops\" are inconsistent")]
    InconsistentUseAndKeyOps,

    // --- Key material ----------------------------------------------------------------------
    /// An EC or OKP public key is not a valid point (off the curve, the identity, or malformed).
    #[error("the public key is not a valid point on {0}")]
    InvalidPoint(&'static str),
    /// A private scalar is zero or not below the group order.
    #[error("the private key is out of range")]
    InvalidPrivateKey,
    /// The private part does not belong to the public part given with it.
    #[error("the private key does not match the public key")]
    PublicPrivateMismatch,
    /// The RSA modulus is shorter than the policy allows.
    #[error("RSA modulus of {bits} bits is shorter than the minimum of {min}")]
    RsaKeyTooSmall {
        /// Modulus size.
        bits: usize,
        /// Policy minimum.
        min: usize,
    },
    /// The RSA modulus is longer than the policy allows.
    #[error("RSA modulus of {bits} bits is longer than the maximum of {max}")]
    RsaKeyTooLarge {
        /// Modulus size.
        bits: usize,
        /// Policy maximum.
        max: usize,
    },
    /// The RSA public exponent is unusable (even, 1, or too large).
    #[error("invalid RSA public exponent")]
    RsaInvalidExponent,
    /// The RSA modulus is not odd or otherwise not a usable modulus.
    #[error("invalid RSA modulus")]
    RsaInvalidModulus,
    /// The RSA private components are inconsistent with each other.
    #[error("inconsistent RSA private key: {0}")]
    RsaInconsistent(&'static str),
    /// The modulus carries the fingerprint of keys from the ROCA-vulnerable generator
    /// (CVE-2017-15361), whose factors can be recovered.
    #[error("RSA modulus has the ROCA (CVE-2017-15361) fingerprint")]
    RsaRocaVulnerable,
    /// Multi-prime RSA (`oth`) is not supported.
    #[error("multi-prime RSA keys (\"oth\") are not supported")]
    RsaMultiPrime,
    /// A symmetric key has no bytes.
    #[error("symmetric key is empty")]
    EmptySymmetricKey,
    /// The `x5c` certificate chain cannot be used with this key.
    #[error("x5c: {0}")]
    X509(&'static str),
    /// PEM or DER could not be read or written.
    #[error("PEM/DER: {0}")]
    Encoding(String),

    // --- Use -------------------------------------------------------------------------------
    /// The operation needs a private (or secret) key but this key is public.
    #[error("a private key is required")]
    NotPrivate,
    /// A symmetric key has no public form.
    #[error("a symmetric key has no public form")]
    NoPublicForm,
    /// The key's `use` member does not allow the operation.
    #[error("key \"use\" is {key_use:?}, which does not permit {operation}")]
    UseNotPermitted {
        /// The key's `use`.
        key_use: String,
        /// The attempted operation.
        operation: &'static str,
    },
    /// The key's `key_ops` member does not list the operation.
    #[error("key_ops does not permit {0}")]
    OperationNotPermitted(&'static str),
    /// The key's `alg` member names another algorithm.
    #[error("key is restricted to algorithm {key_alg}, not {requested}")]
    AlgorithmNotPermitted {
        /// The key's `alg`.
        key_alg: String,
        /// The algorithm asked for.
        requested: String,
    },
    /// The key's type or curve does not fit the algorithm.
    #[error("a {key} key cannot be used with {alg}")]
    IncompatibleAlgorithm {
        /// Key type (and curve) description.
        key: String,
        /// The algorithm.
        alg: String,
    },
    /// A symmetric key is shorter than the algorithm requires (RFC 7518 §3.2).
    #[error("{alg} requires a key of at least {min} bytes, this one has {actual}")]
    KeyTooShort {
        /// The algorithm.
        alg: KeyAlgorithm,
        /// Minimum length in bytes.
        min: usize,
        /// Actual length in bytes.
        actual: usize,
    },
    /// A symmetric key does not have the exact length the algorithm requires.
    #[error("{alg} requires a key of exactly {expected} bytes, this one has {actual}")]
    WrongKeyLength {
        /// The algorithm.
        alg: KeyAlgorithm,
        /// Required length in bytes.
        expected: usize,
        /// Actual length in bytes.
        actual: usize,
    },
    /// The algorithm cannot be used to generate a key of this kind.
    #[error("cannot generate a key for {0}")]
    CannotGenerate(String),
    /// The operating system's random number generator failed.
    #[error("the random number generator failed")]
    Random,

    // --- Key sets --------------------------------------------------------------------------
    /// A JWK Set mixes symmetric with asymmetric keys, or public with private keys
    /// (Wycheproof `MixedKeySet`).
    #[error("the JWK Set mixes {0}")]
    MixedKeySet(&'static str),
}

impl From<crate::Error> for KeyError {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::Random => KeyError::Random,
            crate::Error::Key(k) => k,
            other => KeyError::Encoding(other.to_string()),
        }
    }
}
