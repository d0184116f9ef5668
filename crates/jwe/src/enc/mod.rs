//! Content encryption (RFC 7518 §5): AES-CBC with HMAC-SHA2, and AES-GCM.
//!
//! Both work in place on the caller's buffer: the plaintext buffer becomes the ciphertext and
//! back, so a payload is not copied for the cryptography.

pub(crate) mod aes_cbc_hmac;
pub(crate) mod aes_gcm;

use crate::JweError;
use jose_core::alg::ContentEncryptionAlgorithm;
use jose_core::backend::Backend;

use ContentEncryptionAlgorithm as Cea;

fn is_gcm(enc: Cea) -> bool {
    matches!(enc, Cea::A128Gcm | Cea::A192Gcm | Cea::A256Gcm)
}

/// Encrypts `buf` in place and returns the authentication tag. AES-GCM runs on `backend`;
/// AES-CBC-HMAC always on RustCrypto.
///
/// # Errors
/// [`JweError::CekLength`] or [`JweError::IvLength`] for inputs of the wrong size.
pub(crate) fn encrypt(
    backend: Backend,
    enc: Cea,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    buf: &mut Vec<u8>,
) -> Result<Vec<u8>, JweError> {
    check_sizes(enc, cek, iv)?;
    let tag = if is_gcm(enc) {
        aes_gcm::seal(backend, cek, iv, aad, buf)
    } else {
        aes_cbc_hmac::seal(enc, cek, iv, aad, buf)
    };
    tag.ok_or(JweError::Encrypt(
        "the plaintext is too long for the algorithm",
    ))
}

/// What goes with the ciphertext into content decryption.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sealed<'a> {
    /// The initialization vector.
    pub(crate) iv: &'a [u8],
    /// The additional authenticated data.
    pub(crate) aad: &'a [u8],
    /// The authentication tag.
    pub(crate) tag: &'a [u8],
}

/// Checks the tag and decrypts `buf` in place. On success `buf` holds the plaintext; on
/// [`JweError::DecryptionFailed`] it still holds the ciphertext if `keep_ciphertext` (for
/// another attempt), otherwise anything.
///
/// # Errors
/// [`JweError::CekLength`], [`JweError::IvLength`], [`JweError::TagLength`], or
/// [`JweError::DecryptionFailed`].
pub(crate) fn decrypt(
    backend: Backend,
    enc: Cea,
    cek: &[u8],
    sealed: &Sealed<'_>,
    buf: &mut Vec<u8>,
    keep_ciphertext: bool,
) -> Result<(), JweError> {
    let Sealed { iv, aad, tag } = *sealed;
    check_sizes(enc, cek, iv)?;
    check_tag(enc, tag)?;
    let ok = if is_gcm(enc) {
        aes_gcm::open(backend, cek, iv, aad, buf, tag, keep_ciphertext)
    } else {
        aes_cbc_hmac::open(enc, cek, iv, aad, buf, tag)
    };
    if ok {
        Ok(())
    } else {
        Err(JweError::DecryptionFailed)
    }
}

fn check_sizes(enc: Cea, cek: &[u8], iv: &[u8]) -> Result<(), JweError> {
    if cek.len() != enc.key_len() {
        return Err(JweError::CekLength {
            enc,
            expected: enc.key_len(),
            actual: cek.len(),
        });
    }
    check_iv(enc, iv)
}

/// Checks the IV length for `enc`.
pub(crate) fn check_iv(enc: Cea, iv: &[u8]) -> Result<(), JweError> {
    if iv.len() == enc.iv_len() {
        Ok(())
    } else {
        Err(JweError::IvLength {
            enc,
            expected: enc.iv_len(),
            actual: iv.len(),
        })
    }
}

/// Checks the tag length for `enc`.
pub(crate) fn check_tag(enc: Cea, tag: &[u8]) -> Result<(), JweError> {
    if tag.len() == enc.tag_len() {
        Ok(())
    } else {
        Err(JweError::TagLength {
            enc,
            expected: enc.tag_len(),
            actual: tag.len(),
        })
    }
}
