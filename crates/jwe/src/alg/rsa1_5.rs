//! RSA1_5 (RFC 7518 §4.2), decryption only, with the countermeasure of RFC 7516 §11.5.
//!
//! RSAES-PKCS1-v1_5 decryption is a padding oracle waiting to happen (Bleichenbacher 1998,
//! ROBOT, Marvin). Three layers keep this module from being one:
//!
//! 1. the RSA layer uses implicit rejection (draft-irtf-cfrg-rsa-guidance): a ciphertext with
//!    invalid padding decrypts to a pseudo-random message derived from the private key and the
//!    ciphertext, in constant time, instead of an error;
//! 2. a random CEK of the right size is drawn *before* decrypting, and whatever the RSA layer
//!    returns replaces it only if it has exactly the size `enc` needs, selected without a
//!    data-dependent branch;
//! 3. the caller then decrypts the content with that CEK, so a bad padding, a wrong length and
//!    a wrong key all end in the same authentication tag failure,
//!    [`crate::JweError::DecryptionFailed`].

use super::rsa_oaep::rsa_key;
use crate::JweError;
use getrandom::SysRng;
use jose_core::SecretBytes;
use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
use jose_core::jwk::{Jwk, KeyError};
use rsa::Pkcs1v15Encrypt;
use rsa::traits::PaddingScheme;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

/// The CEK to use: the decrypted one if it has the right size, a random one otherwise.
pub(super) fn decrypt(
    key: &Jwk,
    encrypted_key: &[u8],
    enc: ContentEncryptionAlgorithm,
) -> Result<SecretBytes, JweError> {
    let rsa = rsa_key(key)?;
    let private = rsa
        .private_key()
        .ok_or(JweError::Key(KeyError::NotPrivate))?;
    if encrypted_key.len() != rsa.size() {
        // The length of the ciphertext is public; refusing it reveals nothing.
        return Err(JweError::EncryptedKeyLength {
            alg: KeyManagementAlgorithm::Rsa1_5,
            expected: rsa.size(),
            actual: encrypted_key.len(),
        });
    }
    let expected = enc.key_len();
    // Drawn first, so that the work done does not depend on the padding.
    let random = SecretBytes::random(expected).map_err(|_| JweError::Random)?;
    let mut rng = SysRng;
    let decrypted = Pkcs1v15Encrypt
        .decrypt(Some(&mut rng), private, encrypted_key)
        .unwrap_or_default();
    let decrypted = SecretBytes::new(decrypted);
    let valid: Choice = (decrypted.len() as u64).ct_eq(&(expected as u64));
    // Copy what fits into a buffer of the expected size, then select byte by byte.
    let mut candidate = vec![0u8; expected];
    let n = decrypted.len().min(expected);
    candidate[..n].copy_from_slice(&decrypted.expose()[..n]);
    let candidate = SecretBytes::new(candidate);
    let cek: Vec<u8> = random
        .expose()
        .iter()
        .zip(candidate.expose())
        .map(|(r, c)| u8::conditional_select(r, c, valid))
        .collect();
    Ok(SecretBytes::new(cek))
}
