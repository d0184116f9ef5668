//! ES256, ES384, ES512 (RFC 7518 §3.4): ECDSA with the signature as the fixed-size
//! concatenation `r || s`.
//!
//! Signing is deterministic (RFC 6979). Verification accepts only exactly `2 × size` bytes and
//! refuses `r` or `s` equal to zero or not below the group order (the "psychic signature" class,
//! CVE-2022-21449); high `s` values are accepted, as JWS does not require normalised signatures.

use crate::JwsError;
use ecdsa::hazmat::sign_prehashed_rfc6979;
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{EcKey, KeyError};
use sha2::Digest as _;
use signature::Verifier as _;

pub(super) fn sign(alg: JwsAlgorithm, key: &EcKey, input: &[u8]) -> Result<Vec<u8>, JwsError> {
    let not_private = || JwsError::Key(KeyError::NotPrivate);
    // RFC 6979 straight from the secret scalar: `ecdsa::SigningKey::from(&SecretKey)` would
    // first derive the public key, a second scalar multiplication per signature that signing
    // never uses. The signature is the one `SigningKey::try_sign` makes (same digest, same
    // deterministic nonce, same low-S rule of the curve).
    Ok(match key {
        EcKey::P256 { secret, .. } => {
            let d = secret.as_ref().ok_or_else(not_private)?.to_nonzero_scalar();
            let z = sha2::Sha256::digest(input);
            let (sig, _) = sign_prehashed_rfc6979::<p256::NistP256, sha2::Sha256>(&d, &z, &[]);
            sig.to_bytes().to_vec()
        }
        EcKey::P384 { secret, .. } => {
            let d = secret.as_ref().ok_or_else(not_private)?.to_nonzero_scalar();
            let z = sha2::Sha384::digest(input);
            let (sig, _) = sign_prehashed_rfc6979::<p384::NistP384, sha2::Sha384>(&d, &z, &[]);
            sig.to_bytes().to_vec()
        }
        EcKey::P521 { secret, .. } => {
            let d = secret.as_ref().ok_or_else(not_private)?.to_nonzero_scalar();
            let z = sha2::Sha512::digest(input);
            let (sig, _) = sign_prehashed_rfc6979::<p521::NistP521, sha2::Sha512>(&d, &z, &[]);
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

/// The checks of the signature's form that come before any verification, shared by both
/// backends so that they fail alike: exactly `2 × size` bytes, `r` and `s` in `[1, n - 1]`.
pub(super) fn check_form(alg: JwsAlgorithm, key: &EcKey, signature: &[u8]) -> Result<(), JwsError> {
    let expected = 2 * key.curve().coordinate_len();
    if signature.len() != expected {
        return Err(JwsError::MalformedSignature {
            alg,
            reason: "not the fixed-size r || s of the curve",
        });
    }
    // `from_slice` refuses r or s of zero or not below the order.
    let in_range = match key {
        EcKey::P256 { .. } => p256::ecdsa::Signature::from_slice(signature).is_ok(),
        EcKey::P384 { .. } => p384::ecdsa::Signature::from_slice(signature).is_ok(),
        EcKey::P521 { .. } => p521::ecdsa::Signature::from_slice(signature).is_ok(),
        _ => false,
    };
    if in_range {
        Ok(())
    } else {
        Err(JwsError::MalformedSignature {
            alg,
            reason: "r or s is zero or not below the group order",
        })
    }
}

pub(super) fn verify(
    alg: JwsAlgorithm,
    key: &EcKey,
    input: &[u8],
    signature: &[u8],
) -> Result<(), JwsError> {
    check_form(alg, key, signature)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use jose_core::alg::Curve;
    use signature::Signer as _;

    fn ec_key(curve: Curve) -> EcKey {
        EcKey::generate(curve).unwrap()
    }

    /// The prehashed RFC 6979 path must produce exactly what the `ecdsa` crate's
    /// `SigningKey` produces for the same message (same digest, nonce and low-S rule).
    #[test]
    fn signatures_equal_the_signing_key_ones() {
        for (i, msg) in [&b""[..], b"eyJhbGciOiJFUzI1NiJ9.e30", &[0x5a; 1000]]
            .iter()
            .enumerate()
        {
            let k = ec_key(Curve::P256);
            let ours = sign(JwsAlgorithm::ES256, &k, msg).map_err(|e| e.to_string());
            let EcKey::P256 {
                secret: Some(s), ..
            } = &k
            else {
                unreachable!()
            };
            let theirs: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from(s).sign(msg);
            assert_eq!(ours, Ok(theirs.to_bytes().to_vec()), "P-256 message {i}");

            let k = ec_key(Curve::P384);
            let ours = sign(JwsAlgorithm::ES384, &k, msg).map_err(|e| e.to_string());
            let EcKey::P384 {
                secret: Some(s), ..
            } = &k
            else {
                unreachable!()
            };
            let theirs: p384::ecdsa::Signature = p384::ecdsa::SigningKey::from(s).sign(msg);
            assert_eq!(ours, Ok(theirs.to_bytes().to_vec()), "P-384 message {i}");

            let k = ec_key(Curve::P521);
            let ours = sign(JwsAlgorithm::ES512, &k, msg).map_err(|e| e.to_string());
            let EcKey::P521 {
                secret: Some(s), ..
            } = &k
            else {
                unreachable!()
            };
            let theirs: p521::ecdsa::Signature = p521::ecdsa::SigningKey::from(s).sign(msg);
            assert_eq!(ours, Ok(theirs.to_bytes().to_vec()), "P-521 message {i}");
        }
    }
}
