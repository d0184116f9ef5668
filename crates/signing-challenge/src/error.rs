//! Errors of the `signing-challenge` crate.

use jose_core::json::JsonError;
use jose_core::jwk::KeyError;
use jws::JwsError;
use jwt_claims::ClaimError;
use replay_store::StoreError;

/// Why a token, certificate chain or signature was refused, or a token could not be made.
///
/// Variants are grouped in the order the verifiers run: the serialization, the header, the
/// key and certificates, the JWS signature, the claims, the comparison with the session, the
/// user's signature, the times, single use. [`SigningChallengeError::code`] names the failed
/// check with a stable string. None carries token bytes, certificates or key material.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigningChallengeError {
    // --- Serialization ----------------------------------------------------------------------
    /// The token is longer than the limit (16 KiB).
    #[error("the token is {actual} bytes, more than the limit of {max}")]
    TooLarge {
        /// The limit.
        max: usize,
        /// The token's size.
        actual: usize,
    },
    /// The token is not a well-formed compact JWS.
    #[error("malformed token: {0}")]
    Malformed(JwsError),
    /// `crit` lists an extension (none is understood).
    #[error("crit: {0}")]
    Crit(String),

    // --- Header -----------------------------------------------------------------------------
    /// `alg` is missing, `none`, or not one the verifier accepts (ES256; ES384 when enabled
    /// for signed responses). An `algo` member is not read in its place.
    #[error("algorithm {alg:?} is not allowed")]
    AlgorithmNotAllowed {
        /// The header's `alg` (shortened), or `""` when absent.
        alg: String,
    },
    /// The header carries `jwk`, `jku` or `x5u` (keys are never taken from those), or `b64`.
    #[error("header parameter {0:?} is not accepted")]
    ForbiddenHeader(&'static str),
    /// Strict headers: a parameter other than `alg`, `kid`, `typ` (and `x5c` for responses).
    #[error("header parameter {0:?} is not expected")]
    UnexpectedHeader(String),
    /// `typ` is present and not `JWT`.
    #[error("typ is {0:?}, expected \"JWT\" or none")]
    WrongTyp(String),

    // --- Keys and certificates --------------------------------------------------------------
    /// The signed challenge has no `kid`.
    #[error("the header has no \"kid\"")]
    KidMissing,
    /// No key of the JWK Set has the `kid`, or none fits `alg`.
    #[error("no usable key for kid {kid:?}: {reason}")]
    UnknownKid {
        /// The `kid` (shortened).
        kid: String,
        /// Why.
        reason: String,
    },
    /// The key does not fit `alg` (curve, type, or its own restrictions).
    #[error("the key cannot verify {alg}: {source}")]
    KeyMismatch {
        /// The header's algorithm.
        alg: String,
        /// Why.
        source: KeyError,
    },
    /// The signed response has no `x5c`, or it is not an array of base64 certificates.
    #[error("x5c: {0}")]
    X5cInvalid(&'static str),
    /// The chain has more certificates than allowed.
    #[error("x5c holds {len} certificates, more than the limit of {max}")]
    ChainTooLong {
        /// Certificates in `x5c`.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A certificate is larger than allowed, or not a DER X.509 certificate.
    #[error("certificate {index} of x5c: {reason}")]
    CertificateInvalid {
        /// Position in `x5c` (0 = leaf).
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// A certificate is not valid at the signing instant.
    #[error("certificate {index} of x5c is not valid at {at} (valid {not_before}..={not_after})")]
    CertificateNotValidAt {
        /// Position in `x5c`.
        index: usize,
        /// The instant checked (Unix seconds).
        at: i64,
        /// Start of validity (Unix seconds).
        not_before: i64,
        /// End of validity (Unix seconds).
        not_after: i64,
    },
    /// A certificate's issuer is not the next certificate's subject.
    #[error("certificate {index} of x5c is not issued by the next one")]
    ChainBroken {
        /// Position of the certificate whose issuer does not match.
        index: usize,
    },
    /// A certificate's signature does not verify with its issuer's key.
    #[error("the signature of certificate {index} of x5c does not verify")]
    CertificateSignatureInvalid {
        /// Position in `x5c` (`len` for the last certificate checked against an anchor).
        index: usize,
    },
    /// A certificate's signature algorithm or key type is not supported.
    #[error("certificate {index} of x5c: unsupported algorithm {what}")]
    UnsupportedCertificateAlgorithm {
        /// Position in `x5c`.
        index: usize,
        /// The algorithm or key.
        what: String,
    },
    /// An issuing certificate is not a CA (basic constraints), may not sign certificates
    /// (key usage), or its path length constraint is exceeded.
    #[error("certificate {index} of x5c cannot issue certificates: {reason}")]
    NotACa {
        /// Position in `x5c`.
        index: usize,
        /// Which constraint.
        reason: &'static str,
    },
    /// A certificate has a critical extension this crate does not process.
    #[error("certificate {index} of x5c has an unsupported critical extension {oid}")]
    UnknownCriticalExtension {
        /// Position in `x5c`.
        index: usize,
        /// The extension's OID.
        oid: String,
    },
    /// The leaf certificate's key usage does not allow digital signatures.
    #[error("the leaf certificate's key usage does not allow digital signatures")]
    LeafKeyUsage,
    /// No trust anchor issued the last certificate of the chain.
    #[error("the certificate chain does not lead to a trust anchor")]
    UntrustedChain,
    /// The leaf certificate is not the certificate registered for the session.
    #[error("the leaf certificate is not the one registered for this session")]
    CertNotBoundToSession,

    // --- JWS signature ----------------------------------------------------------------------
    /// The JWS signature does not verify.
    #[error("invalid signature")]
    SignatureInvalid,
    /// The JWS signature has the wrong size or encoding for `alg` (for example 96 bytes
    /// labelled ES256, or DER).
    #[error("malformed signature: {0}")]
    SignatureMalformed(&'static str),

    // --- Claims -----------------------------------------------------------------------------
    /// The payload is not a strict JSON object.
    #[error("the payload is not a JSON object: {0}")]
    Payload(JsonError),
    /// A required claim is absent, or a claim has the wrong type or form: the claim group
    /// shared by every profile (`claim_missing`, `claim_invalid`).
    #[error(transparent)]
    Claim(#[from] ClaimError),

    // --- Comparison with the session ---------------------------------------------------------
    /// `sign_ref` is not the session's signing reference.
    #[error("sign_ref is not the session's")]
    SignRefMismatch,
    /// `nonce` is not the nonce the mobile sent.
    #[error("nonce is not the session's")]
    NonceMismatch,
    /// `doc_hash` is not the session's document hash.
    #[error("doc_hash is not the session's")]
    DocHashMismatch,
    /// `challenge_code` is not the code shown to the user.
    #[error("challenge_code is not the session's")]
    ChallengeCodeMismatch,
    /// `hss_nonce` is not the one issued in the signed challenge.
    #[error("hss_nonce is not the session's")]
    HssNonceMismatch,
    /// `ff_id` is not the device registered for the user.
    #[error("ff_id is not the session's")]
    FfIdMismatch,
    /// The verifier needs a session value it was not given.
    #[error("the session lacks {0}")]
    SessionIncomplete(&'static str),

    // --- User signature ---------------------------------------------------------------------
    /// `usr_signature` is not lower- or upper-case hex of a strict DER ECDSA signature.
    #[error("usr_signature is malformed: {0}")]
    UserSignatureMalformed(&'static str),
    /// `usr_signature` does not verify over `doc_hash` with the leaf certificate's key.
    #[error("usr_signature does not verify over doc_hash")]
    UserSignatureInvalid,

    // --- Time -------------------------------------------------------------------------------
    /// `exp` (plus the leeway) has passed.
    #[error("the token expired at {exp} (now {now})")]
    Expired {
        /// The absolute expiry (Unix seconds).
        exp: i64,
        /// The time of the check.
        now: i64,
    },
    /// `iat` is in the future beyond the leeway.
    #[error("the token was issued in the future, at {iat} (now {now})")]
    IssuedInFuture {
        /// `iat`.
        iat: i64,
        /// The time of the check.
        now: i64,
    },
    /// `exp − iat` is not within `1..=max_lifetime`.
    #[error("the token's lifetime exp - iat = {lifetime} s is outside 1..={max} s")]
    LifetimeOutOfRange {
        /// `exp − iat`.
        lifetime: i64,
        /// The maximum.
        max: u64,
    },
    /// `timestamp` (milliseconds) is outside the signing window.
    #[error("timestamp {timestamp} ms is outside the signing window {earliest}..={latest} ms")]
    TimestampOutOfRange {
        /// The claim.
        timestamp: i64,
        /// The earliest accepted value.
        earliest: i64,
        /// The latest accepted value.
        latest: i64,
    },

    // --- Single use -------------------------------------------------------------------------
    /// A signed response for this `sign_ref` or `hss_nonce` was already accepted.
    #[error("a signed response for this session was already accepted")]
    AlreadyUsed,
    /// The replay store could not answer (unreachable, timed out, full): the response is
    /// refused (fail closed). The code is the store's ([`StoreError::code`]:
    /// `replay_store_unavailable`, `replay_store_timeout`, `replay_store_full`, ...).
    #[error("replay store: {0}")]
    ReplayStore(#[from] StoreError),

    // --- Configuration and building ---------------------------------------------------------
    /// A verifier or builder setting is unusable.
    #[error("configuration: {0}")]
    Config(&'static str),
    /// A helper value could not be parsed (a sign_ref, doc_hash, challenge code, certificate).
    #[error("invalid {what}: {reason}")]
    InvalidValue {
        /// What was parsed.
        what: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A builder lacks a claim.
    #[error("cannot build the token: {0:?} is not set")]
    Incomplete(&'static str),
    /// A key cannot be used as asked.
    #[error("key: {0}")]
    Key(String),
    /// Signing failed.
    #[error("signing failed: {0}")]
    Signing(JwsError),
    /// The operating system's random number generator failed.
    #[error("the random number generator failed")]
    Random,
}

impl SigningChallengeError {
    /// A stable name of the failed check, for logs, metrics and test vectors.
    #[must_use]
    pub fn code(&self) -> &'static str {
        use SigningChallengeError as E;
        match self {
            E::TooLarge { .. } => "too_large",
            E::Malformed(_) => "malformed",
            E::Crit(_) => "crit",
            E::AlgorithmNotAllowed { .. } => "alg",
            E::ForbiddenHeader(_) => "header_forbidden",
            E::UnexpectedHeader(_) => "header_unexpected",
            E::WrongTyp(_) => "typ",
            E::KidMissing => "kid_missing",
            E::UnknownKid { .. } => "kid_unknown",
            E::KeyMismatch { .. } => "key_mismatch",
            E::X5cInvalid(_) => "x5c",
            E::ChainTooLong { .. } => "chain_too_long",
            E::CertificateInvalid { .. } => "certificate_invalid",
            E::CertificateNotValidAt { .. } => "certificate_validity",
            E::ChainBroken { .. } => "chain_broken",
            E::CertificateSignatureInvalid { .. } => "certificate_signature",
            E::UnsupportedCertificateAlgorithm { .. } => "certificate_algorithm",
            E::NotACa { .. } => "not_a_ca",
            E::UnknownCriticalExtension { .. } => "critical_extension",
            E::LeafKeyUsage => "leaf_key_usage",
            E::UntrustedChain => "untrusted_chain",
            E::CertNotBoundToSession => "cert_not_bound",
            E::SignatureInvalid => "signature",
            E::SignatureMalformed(_) => "signature_malformed",
            E::Payload(_) => "payload",
            E::Claim(e) => e.code(),
            E::SignRefMismatch => "sign_ref",
            E::NonceMismatch => "nonce",
            E::DocHashMismatch => "doc_hash",
            E::ChallengeCodeMismatch => "challenge_code",
            E::HssNonceMismatch => "hss_nonce",
            E::FfIdMismatch => "ff_id",
            E::SessionIncomplete(_) => "session_incomplete",
            E::UserSignatureMalformed(_) => "usr_signature_malformed",
            E::UserSignatureInvalid => "usr_signature",
            E::Expired { .. } => "exp",
            E::IssuedInFuture { .. } => "iat_future",
            E::LifetimeOutOfRange { .. } => "lifetime",
            E::TimestampOutOfRange { .. } => "timestamp",
            E::AlreadyUsed => "replay",
            E::ReplayStore(e) => e.code(),
            E::Config(_) => "config",
            E::InvalidValue { .. } => "invalid_value",
            E::Incomplete(_) => "incomplete",
            E::Key(_) => "key",
            E::Signing(_) => "signing",
            E::Random => "random",
        }
    }
}

/// Maps a JWS-layer error to the check that failed.
pub(crate) fn from_jws(e: JwsError, alg: &str) -> SigningChallengeError {
    use SigningChallengeError as E;
    use jose_core::header::HeaderError;
    match e {
        JwsError::TooLarge { max, actual } => E::TooLarge { max, actual },
        JwsError::AlgorithmNotAllowed(a) => E::AlgorithmNotAllowed {
            alg: a.as_str().to_owned(),
        },
        JwsError::Header(HeaderError::Crit(reason)) => E::Crit(reason),
        JwsError::Key(source) => E::KeyMismatch {
            alg: alg.to_owned(),
            source,
        },
        JwsError::InvalidSignature => E::SignatureInvalid,
        JwsError::MalformedSignature { reason, .. } => E::SignatureMalformed(reason),
        other => E::Malformed(other),
    }
}
