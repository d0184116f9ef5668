//! Errors of the `e2e-pop` crate.

use crate::TokenKind;
use jose_core::json::JsonError;
use jose_core::jwk::KeyError;
use jws::JwsError;
use jwt_claims::{ClaimError, TimeError};
use replay_store::StoreError;

/// Why a token was refused or could not be made.
///
/// Variants are grouped by the phase of verification that produced them, in the order the
/// verifiers run (the reference library's order, see `docs/e2e-pop.md`): the serialization,
/// the header, the key, the signature, `typ`, the claims, the times, the token-specific checks,
/// the cross-checks of a pair, and replay. [`E2ePopError::code`] gives each a stable name for
/// logs, metrics and test vectors; [`E2ePopError::root`] looks through the
/// [`E2ePopError::InToken`] wrapper that [`crate::verify_pair`] adds.
///
/// No variant carries token bytes or key material; echoed strings are shortened.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum E2ePopError {
    // --- Serialization ----------------------------------------------------------------------
    /// The token is longer than the limit (64 KiB).
    #[error("the token is {actual} bytes, more than the limit of {max}")]
    TooLarge {
        /// The limit.
        max: usize,
        /// The token's size.
        actual: usize,
    },
    /// The token is not a well-formed compact JWS (part count, base64url, header JSON).
    #[error("malformed token: {0}")]
    Malformed(JwsError),
    /// The header's `crit` lists an extension this crate does not understand.
    #[error("crit: {0}")]
    Crit(String),

    // --- Header -----------------------------------------------------------------------------
    /// The header's `alg` is missing, `none`, symmetric, or not in the verifier's allow-list.
    #[error("algorithm {alg:?} is not allowed")]
    AlgorithmNotAllowed {
        /// The algorithm named in the header (shortened), or `""` when absent.
        alg: String,
    },
    /// The header's `typ` is missing or not the token's type.
    #[error("{}", wrong_typ(expected, found.as_deref()))]
    WrongTyp {
        /// The expected media type.
        expected: &'static str,
        /// The header's `typ` (shortened).
        found: Option<String>,
    },

    // --- Key --------------------------------------------------------------------------------
    /// The PoP token's header has no `jwk`.
    #[error("the PoP token's header has no \"jwk\"")]
    EmbeddedKeyMissing,
    /// The PoP token's header `jwk` contains private key material.
    #[error("the PoP token's header \"jwk\" contains a private key")]
    EmbeddedKeyPrivate,
    /// The PoP token's header `jwk` is not a valid public key.
    #[error("the PoP token's header \"jwk\" is invalid: {0}")]
    EmbeddedKeyInvalid(KeyError),
    /// The ICT's header has no `kid`.
    #[error("the ICT's header has no \"kid\"")]
    KidMissing,
    /// The OP's keys have no key with the ICT's `kid`.
    #[error("no OP key has kid {kid:?}")]
    UnknownKid {
        /// The `kid` (shortened).
        kid: String,
    },
    /// The OP key with this `kid` was refused when the JWK Set was read (for example an RSA
    /// key under 2048 bits), or several keys share the `kid`.
    #[error("the OP key with kid {kid:?} is unusable: {reason}")]
    KeyUnusable {
        /// The `kid` (shortened).
        kid: String,
        /// Why.
        reason: String,
    },
    /// The ICT's issuer is not one whose keys the resolver holds.
    #[error("the ICT's issuer {iss:?} is not trusted")]
    UntrustedIssuer {
        /// The (unverified) issuer (shortened).
        iss: String,
    },
    /// The key does not fit the algorithm: wrong key type or curve, RSA under 2048 bits, or
    /// its `use`/`key_ops`/`alg` members forbid it.
    #[error("the key cannot verify {alg}: {source}")]
    KeyMismatch {
        /// The header's algorithm.
        alg: String,
        /// Why the key does not fit.
        source: KeyError,
    },

    // --- Signature --------------------------------------------------------------------------
    /// The signature does not verify.
    #[error("invalid signature")]
    SignatureInvalid,
    /// The signature has the wrong size or encoding for the algorithm.
    #[error("malformed signature: {0}")]
    SignatureMalformed(&'static str),

    // --- Claims -----------------------------------------------------------------------------
    /// The payload is not a strict JSON object.
    #[error("the payload is not a JSON object: {0}")]
    Payload(JsonError),
    /// A required claim is absent, or a claim has the wrong type or form (a `null` value
    /// included): the claim group shared by every profile (`claim_missing`, `claim_invalid`).
    #[error(transparent)]
    Claim(#[from] ClaimError),
    /// `iss` is not an expected issuer.
    #[error("unexpected issuer {found:?}")]
    IssuerMismatch {
        /// The token's issuer (shortened).
        found: String,
    },
    /// `sub` is not the expected subject.
    #[error("unexpected subject")]
    SubjectMismatch,
    /// `aud` contains none of the expected audiences.
    #[error("the audience contains none of the expected values")]
    AudienceMismatch,

    // --- Time -------------------------------------------------------------------------------
    /// `nbf`, `exp`, the age of `iat`, `iat` in the future or the lifetime failed: the time
    /// group shared by every profile (`exp`, `nbf`, `iat_too_old`, `iat_future`, `lifetime`).
    #[error(transparent)]
    Time(#[from] TimeError),

    // --- Token-specific checks --------------------------------------------------------------
    /// The ICT has no `cnf`, or `cnf` is not an object holding `jwk`.
    #[error("the ICT has no \"cnf\" object with a \"jwk\"")]
    CnfMissing,
    /// The ICT's `cnf.jwk` is not a valid public key of a supported type.
    #[error("the ICT's \"cnf.jwk\" is invalid: {0}")]
    CnfInvalid(KeyError),
    /// The ICT's `cnf.jwk` contains private key material.
    #[error("the ICT's \"cnf.jwk\" contains a private key")]
    CnfPrivateKey,
    /// The ICT's `ctx` lacks a required context.
    #[error("the ICT's contexts {present:?} lack the required {missing:?}")]
    ContextMissing {
        /// The first required context that is absent (shortened).
        missing: String,
        /// The ICT's contexts (shortened).
        present: Vec<String>,
    },
    /// The E2E PoP token's header has no `jkt`.
    #[error("the E2E PoP token's header has no \"jkt\"")]
    JktMissing,
    /// The E2E PoP token's `jkt` is not the SHA-256 thumbprint of the client key.
    #[error("the E2E PoP token's \"jkt\" is not the thumbprint of the client key")]
    JktMismatch,

    // --- Cross-checks of an ICT and an E2E PoP token ----------------------------------------
    /// The E2E PoP token's `sub` differs from the ICT's `sub`.
    #[error("the E2E PoP token's sub differs from the ICT's sub")]
    SubjectNotBound,
    /// The E2E PoP token's `iss` differs from the ICT's `aud` (the client id).
    #[error("the E2E PoP token's iss is not the ICT's aud (the client id)")]
    ClientNotBound,

    // --- Extension (feature `pgp`) ----------------------------------------------------------
    /// The E2E PoP token has no `pgp_fingerprint` although the verifier requires one.
    #[error("the E2E PoP token has no \"pgp_fingerprint\"")]
    PgpFingerprintMissing,
    /// `pgp_fingerprint` is not the expected fingerprint.
    #[error("the E2E PoP token's \"pgp_fingerprint\" is not the expected one")]
    PgpFingerprintMismatch,
    /// `ict_jti` is absent or not the paired ICT's `jti`.
    #[error("the E2E PoP token's \"ict_jti\" is not the paired ICT's jti")]
    IctJtiMismatch,

    // --- Replay -----------------------------------------------------------------------------
    /// The token's `jti` was already accepted within its lifetime.
    #[error("replay: this {token} was already accepted (same jti)")]
    Replay {
        /// Which token.
        token: TokenKind,
    },
    /// The replay store could not answer (unreachable, timed out, full) or the token's replay
    /// identifier is too long: the token is refused (fail closed). The code is the store's
    /// ([`StoreError::code`]: `replay_store_unavailable`, `replay_store_timeout`,
    /// `replay_store_full`, `replay_id_invalid`, ...).
    #[error("replay store: {0}")]
    ReplayStore(#[from] StoreError),

    // --- ICT request (feature `ict-request`) ------------------------------------------------
    /// The OP's discovery document names no `ict_endpoint`: it does not support OIDC².
    #[error("the OP does not support OIDC² (no ict_endpoint)")]
    IctNotSupported,
    /// The discovery document could not be used (status, JSON, issuer, scheme).
    #[error("discovery: {0}")]
    Discovery(String),
    /// The ICT endpoint answered 401: the access token is invalid or grants no end-to-end
    /// context.
    #[error("the ICT endpoint refused the access token (401)")]
    IctUnauthorized,
    /// The ICT endpoint answered 403: it refused the PoP token.
    #[error("the ICT endpoint refused the PoP token (403)")]
    IctForbidden,
    /// The ICT endpoint answered 404: a required claim is not available.
    #[error("the ICT endpoint cannot provide a required claim (404)")]
    IctClaimsUnavailable,
    /// The ICT endpoint answered another status than 201.
    #[error("the ICT endpoint answered {status}")]
    IctRequestFailed {
        /// The HTTP status.
        status: u16,
    },
    /// The ICT endpoint's 201 response is not a valid ICT response.
    #[error("the ICT response is invalid: {0}")]
    IctResponse(String),
    /// The HTTP exchange failed.
    #[error("transport: {0}")]
    Transport(String),

    // --- Wrapper used by verify_pair --------------------------------------------------------
    /// One token of a pair failed; `source` says why.
    #[error("{token}: {source}")]
    InToken {
        /// The token that failed.
        token: TokenKind,
        /// Why.
        source: Box<E2ePopError>,
    },

    // --- Configuration and building ---------------------------------------------------------
    /// The verifier or builder is not configured for use (for example no context requirement
    /// chosen, or an empty expected value).
    #[error("configuration: {0}")]
    Config(&'static str),
    /// A builder lacks a claim the token requires.
    #[error("cannot build the {token}: claim {claim:?} is not set")]
    Incomplete {
        /// The token being built.
        token: TokenKind,
        /// The missing claim.
        claim: &'static str,
    },
    /// A custom claim uses a name that has its own setter, or was set twice.
    #[error("claim {0:?} has its own setter or is set twice")]
    DuplicateClaim(String),
    /// A key could not be used to build a token (symmetric, private where a public key belongs,
    /// or not matching the signer).
    #[error("key: {0}")]
    Key(String),
    /// Signing failed.
    #[error("signing failed: {0}")]
    Signing(JwsError),
    /// The nonce generator failed or produced an empty value.
    #[error("nonce generator: {0}")]
    Nonce(String),
}

impl E2ePopError {
    /// The error without the [`E2ePopError::InToken`] wrapper.
    #[must_use]
    pub fn root(&self) -> &E2ePopError {
        match self {
            E2ePopError::InToken { source, .. } => source.root(),
            other => other,
        }
    }

    /// The token a [`crate::verify_pair`] error is about.
    #[must_use]
    pub fn token(&self) -> Option<TokenKind> {
        match self {
            E2ePopError::InToken { token, .. } => Some(*token),
            _ => None,
        }
    }

    /// A stable name of the failed check, for logs, metrics and test vectors (for example
    /// `typ`, `signature`, `exp`, `jkt_mismatch`). The [`E2ePopError::InToken`] wrapper is
    /// looked through.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self.root() {
            E2ePopError::TooLarge { .. } => "too_large",
            E2ePopError::Malformed(_) => "malformed",
            E2ePopError::Crit(_) => "crit",
            E2ePopError::AlgorithmNotAllowed { .. } => "alg",
            E2ePopError::WrongTyp { .. } => "typ",
            E2ePopError::EmbeddedKeyMissing => "jwk_missing",
            E2ePopError::EmbeddedKeyPrivate => "jwk_private",
            E2ePopError::EmbeddedKeyInvalid(_) => "jwk_invalid",
            E2ePopError::KidMissing => "kid_missing",
            E2ePopError::UnknownKid { .. } => "kid_unknown",
            E2ePopError::KeyUnusable { .. } => "key_unusable",
            E2ePopError::UntrustedIssuer { .. } => "issuer_untrusted",
            E2ePopError::KeyMismatch { .. } => "key_mismatch",
            E2ePopError::SignatureInvalid => "signature",
            E2ePopError::SignatureMalformed(_) => "signature_malformed",
            E2ePopError::Payload(_) => "payload",
            E2ePopError::Claim(e) => e.code(),
            E2ePopError::IssuerMismatch { .. } => "iss",
            E2ePopError::SubjectMismatch => "sub",
            E2ePopError::AudienceMismatch => "aud",
            E2ePopError::Time(e) => e.code(),
            E2ePopError::CnfMissing => "cnf_missing",
            E2ePopError::CnfInvalid(_) => "cnf_invalid",
            E2ePopError::CnfPrivateKey => "cnf_private",
            E2ePopError::ContextMissing { .. } => "ctx",
            E2ePopError::JktMissing => "jkt_missing",
            E2ePopError::JktMismatch => "jkt_mismatch",
            E2ePopError::SubjectNotBound => "pair_sub",
            E2ePopError::ClientNotBound => "pair_client",
            E2ePopError::PgpFingerprintMissing => "pgp_fingerprint_missing",
            E2ePopError::PgpFingerprintMismatch => "pgp_fingerprint",
            E2ePopError::IctJtiMismatch => "ict_jti",
            E2ePopError::Replay { .. } => "replay",
            E2ePopError::ReplayStore(e) => e.code(),
            E2ePopError::IctNotSupported => "ict_not_supported",
            E2ePopError::Discovery(_) => "discovery",
            E2ePopError::IctUnauthorized => "ict_unauthorized",
            E2ePopError::IctForbidden => "ict_forbidden",
            E2ePopError::IctClaimsUnavailable => "ict_claims_unavailable",
            E2ePopError::IctRequestFailed { .. } => "ict_request_failed",
            E2ePopError::IctResponse(_) => "ict_response",
            E2ePopError::Transport(_) => "transport",
            E2ePopError::InToken { .. } => "token",
            E2ePopError::Config(_) => "config",
            E2ePopError::Incomplete { .. } => "incomplete",
            E2ePopError::DuplicateClaim(_) => "duplicate_claim",
            E2ePopError::Key(_) => "key",
            E2ePopError::Signing(_) => "signing",
            E2ePopError::Nonce(_) => "nonce",
        }
    }

    /// The claim a claim error is about.
    #[must_use]
    pub fn claim(&self) -> Option<&'static str> {
        Some(match self.root() {
            E2ePopError::Claim(e) => e.claim,
            E2ePopError::IssuerMismatch { .. }
            | E2ePopError::ClientNotBound
            | E2ePopError::UntrustedIssuer { .. } => "iss",
            E2ePopError::SubjectMismatch | E2ePopError::SubjectNotBound => "sub",
            E2ePopError::AudienceMismatch => "aud",
            E2ePopError::Time(TimeError::LifetimeOutOfRange { .. }) => return None,
            E2ePopError::Time(e) => e.claim(),
            E2ePopError::CnfMissing | E2ePopError::CnfInvalid(_) | E2ePopError::CnfPrivateKey => {
                "cnf"
            }
            E2ePopError::ContextMissing { .. } => "ctx",
            E2ePopError::PgpFingerprintMissing | E2ePopError::PgpFingerprintMismatch => {
                "pgp_fingerprint"
            }
            E2ePopError::IctJtiMismatch => "ict_jti",
            E2ePopError::Replay { .. } => "jti",
            _ => return None,
        })
    }

    pub(crate) fn in_token(self, token: TokenKind) -> Self {
        E2ePopError::InToken {
            token,
            source: Box::new(self),
        }
    }
}

/// Maps a JWS-layer error to the check that failed.
pub(crate) fn from_jws(e: JwsError) -> E2ePopError {
    use jose_core::header::HeaderError;
    match e {
        JwsError::TooLarge { max, actual } => E2ePopError::TooLarge { max, actual },
        JwsError::MissingAlgorithm => E2ePopError::AlgorithmNotAllowed { alg: String::new() },
        JwsError::AlgorithmNotAllowed(alg) => E2ePopError::AlgorithmNotAllowed {
            alg: alg.as_str().to_owned(),
        },
        JwsError::Header(HeaderError::Algorithm {
            name: "alg",
            source,
        }) => E2ePopError::AlgorithmNotAllowed {
            alg: match source {
                jose_core::alg::AlgorithmError::None => "none".to_owned(),
                jose_core::alg::AlgorithmError::Unsupported(name) => name,
                _ => String::new(),
            },
        },
        JwsError::Header(HeaderError::Crit(reason)) => E2ePopError::Crit(reason),
        JwsError::Header(HeaderError::PrivateKey("jwk")) => E2ePopError::EmbeddedKeyPrivate,
        JwsError::Header(HeaderError::InvalidKey {
            name: "jwk",
            source,
        }) => E2ePopError::EmbeddedKeyInvalid(source),
        JwsError::MissingEmbeddedKey => E2ePopError::EmbeddedKeyMissing,
        JwsError::InvalidSignature => E2ePopError::SignatureInvalid,
        JwsError::MalformedSignature { reason, .. } => E2ePopError::SignatureMalformed(reason),
        other => E2ePopError::Malformed(other),
    }
}

/// The text of [`E2ePopError::WrongTyp`]: plain words, not Rust's `Option` syntax.
fn wrong_typ(expected: &str, found: Option<&str>) -> String {
    match found {
        Some(found) => format!("typ is {found:?}, expected {expected:?}"),
        None => format!("the header has no typ, expected {expected:?}"),
    }
}
