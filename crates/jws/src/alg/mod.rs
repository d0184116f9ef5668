//! The signature algorithms, one module per family, applied to a validated [`Jwk`].
//!
//! Callers check first that the key may be used with the algorithm
//! ([`Jwk::check_operation`]); these functions then only dispatch on the key's backend and
//! material. With the `aws-lc-rs` feature, keys whose backend is aws-lc-rs go to the `aws_lc` module
//! first; what it cannot serve falls through to the RustCrypto modules.

// With every algorithm family compiled out, the dispatch has only its fallback arm.
#![cfg_attr(
    not(any(feature = "hmac", feature = "rsa", feature = "ec", feature = "eddsa")),
    allow(unused_imports, unused_variables)
)]

#[cfg(feature = "aws-lc-rs")]
mod aws_lc;
#[cfg(feature = "ec")]
mod ecdsa;
#[cfg(feature = "eddsa")]
mod eddsa;
#[cfg(feature = "hmac")]
mod hmac;
#[cfg(feature = "rsa")]
mod rsa;

use crate::JwsError;
use jose_core::alg::{JwsAlgorithm, JwsFamily};
#[cfg(feature = "aws-lc-rs")]
use jose_core::backend::Backend;
use jose_core::jwk::{Jwk, KeyMaterial};

/// Signs `input` with `key` under `alg`, with the key's backend.
pub(crate) fn sign(key: &Jwk, alg: JwsAlgorithm, input: &[u8]) -> Result<Vec<u8>, JwsError> {
    #[cfg(feature = "aws-lc-rs")]
    if key.backend() == Backend::AwsLc
        && let Some(result) = aws_lc::sign(key, alg, input)
    {
        return result;
    }
    match (alg.family(), key.material()) {
        #[cfg(feature = "hmac")]
        (JwsFamily::Hmac, KeyMaterial::Oct(k)) => Ok(hmac::sign(alg, k.secret().expose(), input)),
        #[cfg(feature = "rsa")]
        (JwsFamily::RsaPkcs1 | JwsFamily::RsaPss, KeyMaterial::Rsa(k)) => rsa::sign(alg, k, input),
        #[cfg(feature = "ec")]
        (JwsFamily::Ecdsa, KeyMaterial::Ec(k)) => ecdsa::sign(alg, k, input),
        #[cfg(feature = "eddsa")]
        (JwsFamily::EdDsa, KeyMaterial::Ed25519(k)) => eddsa::sign(k, input),
        _ => Err(unsupported_or_mismatch(key, alg)),
    }
}

/// Verifies `signature` over `input` with `key` under `alg`, with the key's backend.
pub(crate) fn verify(
    key: &Jwk,
    alg: JwsAlgorithm,
    input: &[u8],
    signature: &[u8],
) -> Result<(), JwsError> {
    #[cfg(feature = "aws-lc-rs")]
    if key.backend() == Backend::AwsLc
        && let Some(result) = aws_lc::verify(key, alg, input, signature)
    {
        return result;
    }
    match (alg.family(), key.material()) {
        #[cfg(feature = "hmac")]
        (JwsFamily::Hmac, KeyMaterial::Oct(k)) => {
            hmac::verify(alg, k.secret().expose(), input, signature)
        }
        #[cfg(feature = "rsa")]
        (JwsFamily::RsaPkcs1 | JwsFamily::RsaPss, KeyMaterial::Rsa(k)) => {
            rsa::verify(alg, k, input, signature)
        }
        #[cfg(feature = "ec")]
        (JwsFamily::Ecdsa, KeyMaterial::Ec(k)) => ecdsa::verify(alg, k, input, signature),
        #[cfg(feature = "eddsa")]
        (JwsFamily::EdDsa, KeyMaterial::Ed25519(k)) => eddsa::verify(k, input, signature),
        _ => Err(unsupported_or_mismatch(key, alg)),
    }
}

/// The error for a key/algorithm pair no arm handles: either the family is compiled out, or
/// the key does not fit (which `check_operation` normally reports first).
fn unsupported_or_mismatch(key: &Jwk, alg: JwsAlgorithm) -> JwsError {
    let feature = match alg.family() {
        JwsFamily::Hmac => "hmac",
        JwsFamily::RsaPkcs1 | JwsFamily::RsaPss => "rsa",
        JwsFamily::Ecdsa => "ec",
        JwsFamily::EdDsa => "eddsa",
        _ => "an unknown",
    };
    match key.check_algorithm(&alg.into()) {
        Err(e) => JwsError::Key(e),
        Ok(()) => JwsError::Unsupported { alg, feature },
    }
}
