#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod client;
mod error;
mod htu;
mod nonce;
mod proof;
mod server_nonce;
mod verify;

pub use client::DpopClient;
pub use error::DpopError;
pub use htu::{normalize_htu, origin_of};
pub use nonce::{MAX_NONCE_LEN, NonceStore, is_valid_nonce};
pub use proof::{DPOP_TYP, DpopKey, ProofBuilder};
pub use server_nonce::{
    DPOP_NONCE_HEADER, MIN_NONCE_KEY_LEN, NonceChallenge, NonceIssuer, NonceKey, NonceRejection,
};
pub use verify::{MAX_JTI_LEN, MAX_PROOF_LEN, ProofRequest, ProofVerifier, VerifiedProof};

/// The `ath` claim for an access token: base64url(SHA-256(ASCII(token))) (RFC 9449 §4.2).
#[must_use]
pub fn ath(access_token: &str) -> String {
    use sha2::Digest;
    jose_core::b64::encode(sha2::Sha256::digest(access_token.as_bytes()))
}
