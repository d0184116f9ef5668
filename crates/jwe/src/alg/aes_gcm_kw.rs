//! A128GCMKW, A192GCMKW, A256GCMKW (RFC 7518 §4.7): the CEK encrypted with AES-GCM under the
//! shared key, with the IV and tag published in the `iv` and `tag` header parameters.

use crate::JweError;
use crate::enc::aes_gcm::{self, IV_LEN, TAG_LEN};
use jose_core::SecretBytes;
use jose_core::alg::KeyManagementAlgorithm;
use jose_core::backend::Backend;
use jose_core::header::JweHeader;

pub(super) struct Wrapped {
    pub(super) encrypted_key: Vec<u8>,
    pub(super) iv: Vec<u8>,
    pub(super) tag: Vec<u8>,
}

/// Encrypts the CEK under `kek` with a fresh random IV (or the one a test fixed).
pub(super) fn wrap(
    backend: Backend,
    kek: &[u8],
    cek: &[u8],
    fixed_iv: Option<&[u8]>,
) -> Result<Wrapped, JweError> {
    let iv = match fixed_iv {
        Some(iv) => iv.to_vec(),
        None => jose_core::rand::bytes::<IV_LEN>()
            .map_err(|_| JweError::Random)?
            .to_vec(),
    };
    if iv.len() != IV_LEN {
        return Err(JweError::Encrypt("the key wrap IV must be 12 bytes"));
    }
    let mut encrypted_key = cek.to_vec();
    let tag = aes_gcm::seal(backend, kek, &iv, &[], &mut encrypted_key)
        .ok_or(JweError::Encrypt("AES-GCM refused the key size"))?;
    Ok(Wrapped {
        encrypted_key,
        iv,
        tag,
    })
}

/// Decrypts the CEK. `iv` and `tag` must be present with their exact sizes; a tag that does
/// not verify is [`JweError::DecryptionFailed`].
pub(super) fn unwrap(
    backend: Backend,
    alg: KeyManagementAlgorithm,
    kek: &[u8],
    header: &JweHeader,
    encrypted_key: &[u8],
    cek_len: usize,
) -> Result<SecretBytes, JweError> {
    let iv = header
        .iv
        .as_deref()
        .ok_or(JweError::MissingParameter("iv"))?;
    let tag = header
        .tag
        .as_deref()
        .ok_or(JweError::MissingParameter("tag"))?;
    if iv.len() != IV_LEN {
        return Err(JweError::InvalidParameter {
            name: "iv",
            reason: "must be 96 bits for AES-GCM key wrapping",
        });
    }
    if tag.len() != TAG_LEN {
        return Err(JweError::InvalidParameter {
            name: "tag",
            reason: "must be 128 bits for AES-GCM key wrapping",
        });
    }
    if encrypted_key.len() != cek_len {
        return Err(JweError::EncryptedKeyLength {
            alg,
            expected: cek_len,
            actual: encrypted_key.len(),
        });
    }
    let mut plain = encrypted_key.to_vec();
    let ok = aes_gcm::open(backend, kek, iv, &[], &mut plain, tag, false);
    // Wrapped either way, so that the buffer is wiped when dropped.
    let plain = SecretBytes::new(plain);
    if ok {
        Ok(plain)
    } else {
        Err(JweError::DecryptionFailed)
    }
}
