//! AES-GCM (RFC 7518 §5.3) with a 96-bit IV and a 128-bit tag, in place.
//!
//! Used for the content (A128GCM, A192GCM, A256GCM) and for the key wrap of A*GCMKW.

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{AesGcm, Nonce, Tag};
use jose_core::backend::Backend;

/// Length of the IV.
#[cfg_attr(not(feature = "aes"), allow(dead_code))]
pub(crate) const IV_LEN: usize = 12;
/// Length of the authentication tag.
#[cfg_attr(not(feature = "aes"), allow(dead_code))]
pub(crate) const TAG_LEN: usize = 16;

fn seal_with<C>(key: &[u8], iv: &[u8], aad: &[u8], buf: &mut [u8]) -> Option<Vec<u8>>
where
    C: KeyInit + AeadInOut + aes_gcm::aead::AeadCore<NonceSize = U12>,
{
    let cipher = C::new_from_slice(key).ok()?;
    let nonce = Nonce::<U12>::try_from(iv).ok()?;
    let tag = cipher
        .encrypt_inout_detached(&nonce, aad, buf.into())
        .ok()?;
    Some(tag.to_vec())
}

fn open_with<C>(key: &[u8], iv: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> bool
where
    C: KeyInit
        + AeadInOut
        + aes_gcm::aead::AeadCore<NonceSize = U12, TagSize = aes_gcm::aead::consts::U16>,
{
    let (Ok(cipher), Ok(nonce), Ok(tag)) = (
        C::new_from_slice(key),
        Nonce::<U12>::try_from(iv),
        Tag::try_from(tag),
    ) else {
        return false;
    };
    // The tag is checked (in constant time) before anything is decrypted, so on failure the
    // buffer still holds the ciphertext.
    cipher
        .decrypt_inout_detached(&nonce, aad, buf.into(), &tag)
        .is_ok()
}

/// Encrypts `buf` in place under a 16-, 24- or 32-byte key with `backend`; returns the tag,
/// or `None` for a key, IV or message size AES-GCM cannot take.
pub(crate) fn seal(
    backend: Backend,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    buf: &mut [u8],
) -> Option<Vec<u8>> {
    #[cfg(feature = "aws-lc-rs")]
    if backend == Backend::AwsLc {
        return lc::seal(key, iv, aad, buf);
    }
    let _ = backend;
    match key.len() {
        16 => seal_with::<AesGcm<aes::Aes128, U12>>(key, iv, aad, buf),
        24 => seal_with::<AesGcm<aes::Aes192, U12>>(key, iv, aad, buf),
        32 => seal_with::<AesGcm<aes::Aes256, U12>>(key, iv, aad, buf),
        _ => None,
    }
}

/// Checks the tag and decrypts `buf` in place with `backend`. On failure `buf` is unchanged.
pub(crate) fn open(
    backend: Backend,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8],
    keep_ciphertext: bool,
) -> bool {
    #[cfg(feature = "aws-lc-rs")]
    if backend == Backend::AwsLc {
        return lc::open(key, iv, aad, buf, tag, keep_ciphertext);
    }
    // RustCrypto checks the tag before it decrypts: a failure leaves `buf` as it was.
    let _ = keep_ciphertext;
    let _ = backend;
    match key.len() {
        16 => open_with::<AesGcm<aes::Aes128, U12>>(key, iv, aad, buf, tag),
        24 => open_with::<AesGcm<aes::Aes192, U12>>(key, iv, aad, buf, tag),
        32 => open_with::<AesGcm<aes::Aes256, U12>>(key, iv, aad, buf, tag),
        _ => false,
    }
}

/// AES-GCM with aws-lc-rs.
#[cfg(feature = "aws-lc-rs")]
mod lc {
    use jose_core::aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};

    fn cipher(key: &[u8]) -> Option<LessSafeKey> {
        let alg = match key.len() {
            16 => &aead::AES_128_GCM,
            24 => &aead::AES_192_GCM,
            32 => &aead::AES_256_GCM,
            _ => return None,
        };
        Some(LessSafeKey::new(UnboundKey::new(alg, key).ok()?))
    }

    pub(super) fn seal(key: &[u8], iv: &[u8], aad: &[u8], buf: &mut [u8]) -> Option<Vec<u8>> {
        let nonce = Nonce::try_assume_unique_for_key(iv).ok()?;
        let tag = cipher(key)?
            .seal_in_place_separate_tag(nonce, Aad::from(aad), buf)
            .ok()?;
        Some(tag.as_ref().to_vec())
    }

    pub(super) fn open(
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8],
        keep_ciphertext: bool,
    ) -> bool {
        let (Some(cipher), Ok(nonce)) = (cipher(key), Nonce::try_assume_unique_for_key(iv)) else {
            return false;
        };
        if tag.len() != super::TAG_LEN {
            return false;
        }
        // AWS-LC writes the plaintext before it compares the tag and wipes it on failure;
        // when asked, the ciphertext is kept so that a failed attempt leaves `buf` as it was
        // (another recipient's key may be tried on it next). The last attempt needs no copy.
        let ciphertext = keep_ciphertext.then(|| buf.to_vec());
        if cipher
            .open_in_place_separate_tag(nonce, Aad::from(aad), tag, buf)
            .is_ok()
        {
            true
        } else {
            if let Some(ciphertext) = ciphertext {
                buf.copy_from_slice(&ciphertext);
            }
            false
        }
    }
}
