//! ES256, ES384, ES512 (RFC 7518 §3.4): ECDSA with the signature as the fixed-size
//! concatenation `r || s`.
//!
//! Signing is deterministic (RFC 6979). Verification accepts only exactly `2 × size` bytes and
//! refuses `r` or `s` equal to zero or not below the group order (the "psychic signature" class,
//! CVE-2022-21449); high `s` values are accepted, as JWS does not require normalised signatures.

use crate::JwsError;
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{EcKey, KeyError};
use signature::{Signer as _, Verifier as _};

pub(super) fn sign(alg: JwsAlgorithm, key: &EcKey, input: &[u8]) -> Result<Vec<u8>, JwsError> {
    let not_private = || JwsError::Key(KeyError::NotPrivate);
    let failed = |_| JwsError::Signer("ECDSA signing failed".into());
    Ok(match key {
        EcKey::P256 { secret, .. } => {
            let sk = p256::ecdsa::SigningKey::from(secret.as_ref().ok_or_else(not_private)?);
            let sig: p256::ecdsa::Signature = sk.try_sign(input).map_err(failed)?;
            sig.to_bytes().to_vec()
        }
        EcKey::P384 { secret, .. } => {
            let sk = p384::ecdsa::SigningKey::from(secret.as_ref().ok_or_else(not_private)?);
            let sig: p384::ecdsa::Signature = sk.try_sign(input).map_err(failed)?;
            sig.to_bytes().to_vec()
        }
        EcKey::P521 { secret, .. } => {
            let sk = p521::ecdsa::SigningKey::from(secret.as_ref().ok_or_else(not_private)?);
            let sig: p521::ecdsa::Signature = sk.try_sign(input).map_err(failed)?;
            sig.to_bytes().to_vec()
        }
        _ => {
            return Err(JwsError::Key(KeyError::IncompatibleAlgorithm {
                key: "EC".into(),
                alg: alg.to_string(),
            }));
        }
    })
}

pub(super) fn verify(
    alg: JwsAlgorithm,
    key: &EcKey,
    input: &[u8],
    signature: &[u8],
) -> Result<(), JwsError> {
    let expected = 2 * key.curve().coordinate_len();
    if signature.len() != expected {
        return Err(JwsError::MalformedSignature {
            alg,
            reason: "not the fixed-size r || s of the curve",
        });
    }
    // `from_slice` refuses r or s of zero or not below the order.
    let malformed = |_| JwsError::MalformedSignature {
        alg,
        reason: "r or s is zero or not below the group order",
    };
    let invalid = |_| JwsError::InvalidSignature;
    match key {
        EcKey::P256 { public, .. } => {
            let sig = p256::ecdsa::Signature::from_slice(signature).map_err(malformed)?;
            p256::ecdsa::VerifyingKey::from(public)
                .verify(input, &sig)
                .map_err(invalid)
        }
        EcKey::P384 { public, .. } => {
            let sig = p384::ecdsa::Signature::from_slice(signature).map_err(malformed)?;
            p384::ecdsa::VerifyingKey::from(public)
                .verify(input, &sig)
                .map_err(invalid)
        }
        EcKey::P521 { public, .. } => {
            let sig = p521::ecdsa::Signature::from_slice(signature).map_err(malformed)?;
            p521::ecdsa::VerifyingKey::from(public)
                .verify(input, &sig)
                .map_err(invalid)
        }
        _ => Err(JwsError::InvalidSignature),
    }
}
