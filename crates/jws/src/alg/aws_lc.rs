//! The aws-lc-rs backend: the same algorithms computed by aws-lc-rs with the key's prepared
//! objects ([`Jwk::aws_lc`]), for keys whose backend is [`Backend::AwsLc`].
//!
//! Each function returns `None` when aws-lc-rs cannot serve the key (no private part, an RSA
//! modulus outside 2048 to 8192 bits, a key that does not fit the algorithm); the caller then
//! takes the RustCrypto path, which also produces the error for a key that does not fit.
//! The checks of a signature's form (length, ECDSA `r` and `s` range) are the RustCrypto
//! modules' own, so both backends refuse the same inputs with the same errors.
//!
//! [`Backend::AwsLc`]: jose_core::backend::Backend::AwsLc

// Builds with some families compiled out leave parts unused.
#![cfg_attr(
    not(all(feature = "hmac", feature = "rsa", feature = "ec", feature = "eddsa")),
    allow(unused_imports, unused_variables)
)]

use crate::JwsError;
use jose_core::alg::{JwsAlgorithm, JwsFamily};
use jose_core::aws_lc_rs::error::Unspecified;
use jose_core::aws_lc_rs::{hmac, rand::SystemRandom, signature};
use jose_core::jwk::{Jwk, KeyMaterial};

/// Signs `input`, or `None` when aws-lc-rs cannot serve this key and algorithm.
pub(super) fn sign(
    key: &Jwk,
    alg: JwsAlgorithm,
    input: &[u8],
) -> Option<Result<Vec<u8>, JwsError>> {
    let prepared = key.aws_lc();
    match alg.family() {
        #[cfg(feature = "hmac")]
        JwsFamily::Hmac => {
            let k = prepared.hmac_key(alg.hash())?;
            Some(Ok(hmac::sign(k, input).as_ref().to_vec()))
        }
        #[cfg(feature = "rsa")]
        JwsFamily::RsaPkcs1 | JwsFamily::RsaPss => {
            let pair = prepared.rsa_key_pair()?;
            let encoding: &'static dyn signature::RsaEncoding = match alg {
                JwsAlgorithm::RS256 => &signature::RSA_PKCS1_SHA256,
                JwsAlgorithm::RS384 => &signature::RSA_PKCS1_SHA384,
                JwsAlgorithm::RS512 => &signature::RSA_PKCS1_SHA512,
                // The PSS salt is as long as the hash, as RFC 7518 §3.5 requires.
                JwsAlgorithm::PS256 => &signature::RSA_PSS_SHA256,
                JwsAlgorithm::PS384 => &signature::RSA_PSS_SHA384,
                _ => &signature::RSA_PSS_SHA512,
            };
            let mut out = vec![0u8; pair.public_modulus_len()];
            Some(
                pair.sign(encoding, &SystemRandom::new(), input, &mut out)
                    .map(|()| out)
                    .map_err(|_| JwsError::Signer("aws-lc-rs refused to sign with RSA".into())),
            )
        }
        #[cfg(feature = "ec")]
        JwsFamily::Ecdsa => {
            if alg.curve() != key.curve() {
                return None;
            }
            let pair = prepared.ecdsa_key_pair()?;
            Some(
                pair.sign(&SystemRandom::new(), input)
                    .map(|s| s.as_ref().to_vec())
                    .map_err(|_| JwsError::Signer("aws-lc-rs refused to sign with ECDSA".into())),
            )
        }
        #[cfg(feature = "eddsa")]
        JwsFamily::EdDsa => {
            let pair = prepared.ed25519_key_pair()?;
            Some(Ok(pair.sign(input).as_ref().to_vec()))
        }
        _ => None,
    }
}

/// Verifies `signature`, or `None` when aws-lc-rs cannot serve this key and algorithm.
pub(super) fn verify(
    key: &Jwk,
    alg: JwsAlgorithm,
    input: &[u8],
    sig: &[u8],
) -> Option<Result<(), JwsError>> {
    let prepared = key.aws_lc();
    let invalid = |_: Unspecified| JwsError::InvalidSignature;
    match (alg.family(), key.material()) {
        #[cfg(feature = "hmac")]
        (JwsFamily::Hmac, KeyMaterial::Oct(_)) => {
            let k = prepared.hmac_key(alg.hash())?;
            // Compares in constant time; a tag of another length is refused.
            Some(hmac::verify(k, input, sig).map_err(invalid))
        }
        #[cfg(feature = "rsa")]
        (JwsFamily::RsaPkcs1 | JwsFamily::RsaPss, KeyMaterial::Rsa(k)) => {
            let public = prepared.verification_key(alg)?;
            Some(
                super::rsa::check_form(alg, k, sig)
                    .and_then(|()| public.verify_sig(input, sig).map_err(invalid)),
            )
        }
        #[cfg(feature = "ec")]
        (JwsFamily::Ecdsa, KeyMaterial::Ec(k)) => {
            let public = prepared.verification_key(alg)?;
            Some(
                super::ecdsa::check_form(alg, k, sig)
                    .and_then(|()| public.verify_sig(input, sig).map_err(invalid)),
            )
        }
        #[cfg(feature = "eddsa")]
        (JwsFamily::EdDsa, KeyMaterial::Ed25519(_)) => {
            let public = prepared.verification_key(alg)?;
            Some(super::eddsa::check_form(sig).and_then(|()| {
                // ed25519-dalek's strict verification (the RustCrypto path) refuses a
                // small-order R; AWS-LC does not check it, so it is checked here.
                if has_small_order_r(sig) {
                    return Err(JwsError::InvalidSignature);
                }
                public.verify_sig(input, sig).map_err(invalid)
            }))
        }
        _ => None,
    }
}

/// Whether the `R` half of an Ed25519 signature encodes a point of small order (order 1, 2,
/// 4 or 8), in any of its encodings. The list is libsodium's (`has_small_order`): the
/// y-coordinates of those points and their non-canonical forms `y + p`, compared without
/// the sign bit of x.
#[cfg(feature = "eddsa")]
fn has_small_order_r(sig: &[u8]) -> bool {
    const BLOCKLIST: [[u8; 32]; 7] = [
        // y = 0 (order 4)
        [0; 32],
        // y = 1 (the identity)
        [
            1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0,
        ],
        // order 8
        [
            0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef,
            0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88,
            0x6d, 0x53, 0xfc, 0x05,
        ],
        // order 8
        [
            0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10,
            0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77,
            0x92, 0xac, 0x03, 0x7a,
        ],
        // y = p - 1 (order 2)
        [
            0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0x7f,
        ],
        // y = p, non-canonical 0 (order 4)
        [
            0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0x7f,
        ],
        // y = p + 1, non-canonical 1 (the identity)
        [
            0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0xff, 0xff, 0xff, 0x7f,
        ],
    ];
    let Some(r) = sig.get(..32) else {
        return false;
    };
    BLOCKLIST
        .iter()
        .any(|bad| r[..31] == bad[..31] && (r[31] & 0x7f) == bad[31])
}

#[cfg(all(test, feature = "eddsa"))]
mod tests {
    use super::*;
    use curve25519_dalek::constants::EIGHT_TORSION;

    fn with_r(r: [u8; 32]) -> [u8; 64] {
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&r);
        sig
    }

    /// All eight points of small order are flagged, with either sign bit; the base point and
    /// an ordinary public key are not.
    #[test]
    fn every_small_order_point_is_flagged_and_nothing_else() {
        for point in EIGHT_TORSION {
            let r = point.compress().to_bytes();
            assert!(has_small_order_r(&with_r(r)), "{r:02x?}");
            let mut flipped = r;
            flipped[31] ^= 0x80;
            assert!(has_small_order_r(&with_r(flipped)), "{flipped:02x?}");
        }
        let base = curve25519_dalek::constants::ED25519_BASEPOINT_COMPRESSED.to_bytes();
        assert!(!has_small_order_r(&with_r(base)));
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
        assert!(!has_small_order_r(&with_r(key.to_bytes())));
    }
}
