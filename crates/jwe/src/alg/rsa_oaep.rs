//! RSA-OAEP (SHA-1), RSA-OAEP-256, RSA-OAEP-384, RSA-OAEP-512 (RFC 7518 §4.3; the SHA-384 and
//! SHA-512 variants are registered by the IANA JOSE registry): the CEK encrypted to the
//! recipient's RSA public key, MGF1 with the same hash.

use crate::JweError;
use getrandom::SysRng;
use jose_core::SecretBytes;
use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
#[cfg(feature = "aws-lc-rs")]
use jose_core::backend::Backend;
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
    #[cfg(feature = "aws-lc-rs")]
    if key.backend() == Backend::AwsLc
        && let Some(result) = lc::encrypt(alg, key, cek)
    {
        return result;
    }
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
    #[cfg(feature = "aws-lc-rs")]
    if key.backend() == Backend::AwsLc
        && let Some(result) = lc::decrypt(alg, key, encrypted_key, enc)
    {
        return result;
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

/// RSA-OAEP with aws-lc-rs, for keys of 2048 to 8192 bits; `None` for the others.
#[cfg(feature = "aws-lc-rs")]
mod lc {
    use super::Kma;
    use crate::JweError;
    use jose_core::SecretBytes;
    use jose_core::alg::ContentEncryptionAlgorithm;
    use jose_core::aws_lc_rs::rsa::{
        OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OAEP_SHA384_MGF1SHA384, OAEP_SHA512_MGF1SHA512,
        OaepAlgorithm,
    };
    use jose_core::jwk::Jwk;

    fn algorithm(alg: Kma) -> &'static OaepAlgorithm {
        match alg {
            Kma::RsaOaep => &OAEP_SHA1_MGF1SHA1,
            Kma::RsaOaep256 => &OAEP_SHA256_MGF1SHA256,
            Kma::RsaOaep384 => &OAEP_SHA384_MGF1SHA384,
            _ => &OAEP_SHA512_MGF1SHA512,
        }
    }

    pub(super) fn encrypt(alg: Kma, key: &Jwk, cek: &[u8]) -> Option<Result<Vec<u8>, JweError>> {
        let public = key.aws_lc().oaep_encrypting_key()?;
        let mut out = vec![0u8; public.ciphertext_size()];
        let len = match public.encrypt(algorithm(alg), cek, &mut out, None) {
            Ok(c) => c.len(),
            Err(_) => return Some(Err(JweError::Random)),
        };
        out.truncate(len);
        Some(Ok(out))
    }

    /// Like the RustCrypto path: every failure after the length check (done by the caller)
    /// is the single [`JweError::DecryptionFailed`].
    pub(super) fn decrypt(
        alg: Kma,
        key: &Jwk,
        encrypted_key: &[u8],
        enc: ContentEncryptionAlgorithm,
    ) -> Option<Result<SecretBytes, JweError>> {
        let private = key.aws_lc().oaep_decrypting_key()?;
        let mut out = vec![0u8; private.min_output_size()];
        let len = private
            .decrypt(algorithm(alg), encrypted_key, &mut out, None)
            .map(|p| p.len());
        // Wrapped either way, so that the buffer is wiped when dropped.
        let mut out = SecretBytes::new(out);
        Some(match len {
            Ok(len) if len == enc.key_len() => {
                out = SecretBytes::new(out.expose()[..len].to_vec());
                Ok(out)
            }
            _ => Err(JweError::DecryptionFailed),
        })
    }
}
