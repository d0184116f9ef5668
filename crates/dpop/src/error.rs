//! Errors of the `dpop` crate.

use jws::JwsError;
use jwt_claims::{JwtError, NumericDate};
use replay_store::StoreError;

/// Why a DPoP proof could not be made or was not accepted.
///
/// [`DpopError::error_code`] gives the OAuth error a server should answer with
/// (`invalid_dpop_proof`, `use_dpop_nonce`, `invalid_token`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DpopError {
    // --- Request shape -----------------------------------------------------------------
    /// The request carried no `DPoP` header.
    #[error("the request has no DPoP proof")]
    MissingProof,
    /// The request carried more than one `DPoP` header (RFC 9449 §4.3 check 1).
    #[error("the request has {0} DPoP proofs; exactly one is allowed")]
    MultipleProofs(usize),
    /// The proof is larger than the limit.
    #[error("DPoP proof of {actual} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// The limit.
        max: usize,
        /// The proof size.
        actual: usize,
    },

    // --- JWS ---------------------------------------------------------------------------
    /// The proof is not a valid JWS signed by the key in its `jwk` header (format, header,
    /// algorithm, signature; a private or symmetric key in `jwk` is refused here too).
    #[error("invalid DPoP proof: {0}")]
    Jws(#[from] JwsError),
    /// The `typ` header is not `dpop+jwt`.
    #[error("the proof's typ is not dpop+jwt")]
    WrongType,

    // --- Claims --------------------------------------------------------------------------
    /// The payload or a claim is malformed.
    #[error("invalid DPoP proof claims: {0}")]
    Claims(#[from] JwtError),
    /// A required claim is absent.
    #[error("the proof has no {0:?} claim")]
    MissingClaim(&'static str),
    /// A claim has the wrong type or an unusable value.
    #[error("the proof's {claim:?} claim is invalid: {reason}")]
    InvalidClaim {
        /// The claim.
        claim: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// `htm` is not the request's method.
    #[error("the proof is for another HTTP method")]
    MethodMismatch,
    /// `htu` is not the request's URI (scheme, host, port or path differ).
    #[error("the proof is for another URI")]
    UriMismatch,
    /// `iat` is too far in the past.
    #[error("the proof was issued at {iat}, too long before {now}")]
    Stale {
        /// The proof's `iat`.
        iat: NumericDate,
        /// The time used for the check.
        now: NumericDate,
    },
    /// `iat` is in the future.
    #[error("the proof was issued in the future ({iat}, now {now})")]
    IssuedInFuture {
        /// The proof's `iat`.
        iat: NumericDate,
        /// The time used for the check.
        now: NumericDate,
    },
    /// The server requires a nonce and the proof has none, or not the current one.
    #[error("the proof does not carry the server's current nonce")]
    UseNonce,
    /// `ath` is absent although an access token was presented.
    #[error("the proof has no ath although an access token is presented")]
    MissingAccessTokenHash,
    /// `ath` is not the hash of the presented access token.
    #[error("the proof's ath does not match the access token")]
    AccessTokenHashMismatch,
    /// The proof's key is not the key the access token is bound to (`cnf.jkt`).
    #[error("the proof's key is not the key the access token is bound to")]
    KeyBindingMismatch,
    /// The `jti` was seen before within the acceptance window.
    #[error("the proof was replayed")]
    Replay,
    /// The replay store could not answer (unreachable, timed out, full), so the proof is
    /// refused: replay detection fails closed. [`StoreError::code`] is stable
    /// (`replay_store_unavailable`, `replay_store_timeout`, `replay_store_full`, ...).
    #[error("the proof is refused: {0}")]
    ReplayStore(#[from] StoreError),

    // --- Client side ---------------------------------------------------------------------
    /// A `DPoP-Nonce` value contains characters outside NQCHAR (RFC 9449 §8.1).
    #[error("the DPoP-Nonce value is not a valid nonce")]
    InvalidNonce,
    /// A URL cannot be used as `htu`.
    #[error("invalid URL for a DPoP proof: {0}")]
    InvalidUrl(String),
    /// The key cannot make DPoP proofs (symmetric keys cannot).
    #[error("DPoP proofs need an asymmetric private key: {0}")]
    UnsuitableKey(String),

    // --- Server configuration --------------------------------------------------------------
    /// A server nonce key cannot be used (too short, not base64url, no randomness). The key's
    /// bytes are never part of the message.
    #[error("unusable DPoP server nonce key: {0}")]
    NonceKey(&'static str),
}

impl DpopError {
    /// The OAuth error code for this failure: `use_dpop_nonce` when a (fresh) nonce is needed,
    /// `invalid_token` for a token/proof key mismatch, otherwise `invalid_dpop_proof` (also
    /// for [`DpopError::ReplayStore`]: the proof is refused; log the store's
    /// [`StoreError::code`] and answer 503 if the API distinguishes server failures).
    #[must_use]
    pub fn error_code(&self) -> &'static str {
        match self {
            DpopError::UseNonce => "use_dpop_nonce",
            DpopError::KeyBindingMismatch => "invalid_token",
            _ => "invalid_dpop_proof",
        }
    }
}
