//! HS256, HS384, HS512 (RFC 7518 §3.2).

use crate::JwsError;
use hmac::{Hmac, KeyInit, Mac};
use jose_core::alg::JwsAlgorithm;
use sha2::{Sha256, Sha384, Sha512};

/// Computes the MAC. Key length was checked against the algorithm beforehand.
pub(super) fn sign(alg: JwsAlgorithm, key: &[u8], input: &[u8]) -> Vec<u8> {
    match alg {
        JwsAlgorithm::HS384 => mac::<Hmac<Sha384>>(key, input),
        JwsAlgorithm::HS512 => mac::<Hmac<Sha512>>(key, input),
        _ => mac::<Hmac<Sha256>>(key, input),
    }
}

/// Checks the MAC in constant time.
pub(super) fn verify(
    alg: JwsAlgorithm,
    key: &[u8],
    input: &[u8],
    signature: &[u8],
) -> Result<(), JwsError> {
    let ok = match alg {
        JwsAlgorithm::HS384 => check::<Hmac<Sha384>>(key, input, signature),
        JwsAlgorithm::HS512 => check::<Hmac<Sha512>>(key, input, signature),
        _ => check::<Hmac<Sha256>>(key, input, signature),
    };
    if ok {
        Ok(())
    } else {
        Err(JwsError::InvalidSignature)
    }
}

fn mac<M: Mac + KeyInit>(key: &[u8], input: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    match <M as KeyInit>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(input);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

fn check<M: Mac + KeyInit>(key: &[u8], input: &[u8], signature: &[u8]) -> bool {
    match <M as KeyInit>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(input);
            // `verify_slice` compares in constant time and rejects a wrong length.
            m.verify_slice(signature).is_ok()
        }
        Err(_) => false,
    }
}
