//! RS256/384/512 (RSASSA-PKCS1-v1_5) and PS256/384/512 (RSASSA-PSS with MGF1 and a salt as
//! long as the hash), RFC 7518 §3.3 and §3.5.

use crate::JwsError;
use getrandom::SysRng;
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{KeyError, RsaKey};
use rsa::traits::SignatureScheme;
use rsa::{Pkcs1v15Sign, pss::Pss};
use sha2::{Digest, Sha256, Sha384, Sha512};

fn digest(alg: JwsAlgorithm, input: &[u8]) -> Vec<u8> {
    match alg {
        JwsAlgorithm::RS384 | JwsAlgorithm::PS384 => Sha384::digest(input).to_vec(),
        JwsAlgorithm::RS512 | JwsAlgorithm::PS512 => Sha512::digest(input).to_vec(),
        _ => Sha256::digest(input).to_vec(),
    }
}

pub(super) fn sign(alg: JwsAlgorithm, key: &RsaKey, input: &[u8]) -> Result<Vec<u8>, JwsError> {
    let private = key
        .private_key()
        .ok_or(JwsError::Key(KeyError::NotPrivate))?;
    let hashed = digest(alg, input);
    // The OS RNG drives blinding (and the PSS salt); its failure is reported, not a panic.
    let mut rng = SysRng;
    let result = match alg {
        JwsAlgorithm::RS256 => Pkcs1v15Sign::new::<Sha256>().sign(Some(&mut rng), private, &hashed),
        JwsAlgorithm::RS384 => Pkcs1v15Sign::new::<Sha384>().sign(Some(&mut rng), private, &hashed),
        JwsAlgorithm::RS512 => Pkcs1v15Sign::new::<Sha512>().sign(Some(&mut rng), private, &hashed),
        JwsAlgorithm::PS256 => Pss::<Sha256>::new().sign(Some(&mut rng), private, &hashed),
        JwsAlgorithm::PS384 => Pss::<Sha384>::new().sign(Some(&mut rng), private, &hashed),
        _ => Pss::<Sha512>::new().sign(Some(&mut rng), private, &hashed),
    };
    result.map_err(|_| JwsError::Random)
}

/// The length check that comes before any verification, shared by both backends.
pub(super) fn check_form(
    alg: JwsAlgorithm,
    key: &RsaKey,
    signature: &[u8],
) -> Result<(), JwsError> {
    if signature.len() == key.size() {
        Ok(())
    } else {
        Err(JwsError::MalformedSignature {
            alg,
            reason: "length differs from the modulus size",
        })
    }
}

pub(super) fn verify(
    alg: JwsAlgorithm,
    key: &RsaKey,
    input: &[u8],
    signature: &[u8],
) -> Result<(), JwsError> {
    check_form(alg, key, signature)?;
    let public = key.public_key();
    let hashed = digest(alg, input);
    let result = match alg {
        JwsAlgorithm::RS256 => Pkcs1v15Sign::new::<Sha256>().verify(public, &hashed, signature),
        JwsAlgorithm::RS384 => Pkcs1v15Sign::new::<Sha384>().verify(public, &hashed, signature),
        JwsAlgorithm::RS512 => Pkcs1v15Sign::new::<Sha512>().verify(public, &hashed, signature),
        // `Pss::new` fixes the salt length to the hash length, as RFC 7518 §3.5 requires.
        JwsAlgorithm::PS256 => Pss::<Sha256>::new().verify(public, &hashed, signature),
        JwsAlgorithm::PS384 => Pss::<Sha384>::new().verify(public, &hashed, signature),
        _ => Pss::<Sha512>::new().verify(public, &hashed, signature),
    };
    result.map_err(|_| JwsError::InvalidSignature)
}
