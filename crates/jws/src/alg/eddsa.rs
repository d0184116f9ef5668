//! EdDSA with Ed25519 (RFC 8037 §3.1; `Ed25519` of RFC 9864).
//!
//! Verification is strict: it refuses non-canonical `S`, and small-order `R` or public keys.

use crate::JwsError;
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Ed25519Key, KeyError};
use signature::Signer as _;

pub(super) fn sign(key: &Ed25519Key, input: &[u8]) -> Result<Vec<u8>, JwsError> {
    let sk = key
        .signing_key()
        .ok_or(JwsError::Key(KeyError::NotPrivate))?;
    let sig: ed25519_dalek::Signature = sk
        .try_sign(input)
        .map_err(|_| JwsError::Signer("Ed25519 signing failed".into()))?;
    Ok(sig.to_bytes().to_vec())
}

/// The length check that comes before any verification, shared by both backends.
pub(super) fn check_form(signature: &[u8]) -> Result<(), JwsError> {
    if signature.len() == ed25519_dalek::SIGNATURE_LENGTH {
        Ok(())
    } else {
        Err(JwsError::MalformedSignature {
            alg: JwsAlgorithm::EdDSA,
            reason: "not 64 bytes",
        })
    }
}

pub(super) fn verify(key: &Ed25519Key, input: &[u8], signature: &[u8]) -> Result<(), JwsError> {
    check_form(signature)?;
    let sig = ed25519_dalek::Signature::from_slice(signature).map_err(|_| {
        JwsError::MalformedSignature {
            alg: JwsAlgorithm::EdDSA,
            reason: "not 64 bytes",
        }
    })?;
    key.public_key()
        .verify_strict(input, &sig)
        .map_err(|_| JwsError::InvalidSignature)
}
