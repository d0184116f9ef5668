//! RSA-OAEP (SHA-1), RSA-OAEP-256, RSA-OAEP-384, RSA-OAEP-512 (RFC 7518 §4.3; the SHA-384 and
//! SHA-512 variants are registered by the IANA JOSE registry): the CEK encrypted to the
//! recipient's RSA public key, MGF1 with the same hash.

use crate::JweError;
use getrandom::SysRng;
use jose_core::SecretBytes;
use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
use jose_core::jwk::{Jwk, KeyError, KeyMaterial, RsaKey};
use rsa::Oaep;
use rsa::traits::PaddingScheme;
use sha2::{Sha256, Sha384, Sha512};

use KeyManagementAlgorithm as Kma;

pub(super) fn rsa_key(key: &Jwk) -> Result<&RsaKey, JweError> {
    match key.material() {
        KeyMaterial::Rsa(k) => Ok(k),
        _ => Err(JweError::Key(KeyError::IncompatibleAlgorithm {
            key: key.key_type().to_string(),
            alg: "RSA".into(),
        })),
    }
}

/// Encrypts the CEK to the public key.
pub(super) fn encrypt(alg: Kma, key: &Jwk, cek: &[u8]) -> Result<Vec<u8>, JweError> {
    let public = rsa_key(key)?.public_key();
    let mut rng = SysRng;
    let result = match alg {
        Kma::RsaOaep => Oaep::<sha1::Sha1>::new().encrypt(&mut rng, public, cek),
        Kma::RsaOaep256 => Oaep::<Sha256>::new().encrypt(&mut rng, public, cek),
        Kma::RsaOaep384 => Oaep::<Sha384>::new().encrypt(&mut rng, public, cek),
        _ => Oaep::<Sha512>::new().encrypt(&mut rng, public, cek),
    };
    // The CEK always fits a 2048-bit modulus; what remains is an RNG failure.
    result.map_err(|_| JweError::Random)
}

/// Decrypts the CEK. The ciphertext must be exactly as long as the modulus (public
/// information); everything after that, including a decrypted key of the wrong length for
/// `enc`, is the single [`JweError::DecryptionFailed`].
pub(super) fn decrypt(
    alg: Kma,
    key: &Jwk,
    encrypted_key: &[u8],
    enc: ContentEncryptionAlgorithm,
) -> Result<SecretBytes, JweError> {
    let rsa = rsa_key(key)?;
    let private = rsa
        .private_key()
        .ok_or(JweError::Key(KeyError::NotPrivate))?;
    if encrypted_key.len() != rsa.size() {
        return Err(JweError::EncryptedKeyLength {
            alg,
            expected: rsa.size(),
            actual: encrypted_key.len(),
        });
    }
    // The OS RNG blinds the private-key operation.
    let mut rng = SysRng;
    let result = match alg {
        Kma::RsaOaep => Oaep::<sha1::Sha1>::new().decrypt(Some(&mut rng), private, encrypted_key),
        Kma::RsaOaep256 => Oaep::<Sha256>::new().decrypt(Some(&mut rng), private, encrypted_key),
        Kma::RsaOaep384 => Oaep::<Sha384>::new().decrypt(Some(&mut rng), private, encrypted_key),
        _ => Oaep::<Sha512>::new().decrypt(Some(&mut rng), private, encrypted_key),
    };
    match result {
        Ok(cek) => {
            let cek = SecretBytes::new(cek);
            if cek.len() == enc.key_len() {
                Ok(cek)
            } else {
                Err(JweError::DecryptionFailed)
            }
        }
        Err(_) => Err(JweError::DecryptionFailed),
    }
}
