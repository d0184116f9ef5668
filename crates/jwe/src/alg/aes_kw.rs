//! AES Key Wrap (RFC 3394), for A128KW, A192KW, A256KW (RFC 7518 §4.4) and as the second
//! step of ECDH-ES+A*KW and PBES2.

use crate::JweError;
use aes_kw::{KeyInit, KwAes128, KwAes192, KwAes256};
use jose_core::SecretBytes;
use jose_core::alg::KeyManagementAlgorithm;
use jose_core::backend::Backend;

/// The 64-bit integrity check value a wrapped key carries.
const OVERHEAD: usize = 8;

/// Wraps `cek` under `kek` (16, 24 or 32 bytes) with `backend` (aws-lc-rs has no 24-byte
/// key wrap; that one runs on RustCrypto).
pub(crate) fn wrap(backend: Backend, kek: &[u8], cek: &[u8]) -> Result<Vec<u8>, JweError> {
    #[cfg(feature = "aws-lc-rs")]
    if backend == Backend::AwsLc
        && let Some(out) = lc::wrap(kek, cek)
    {
        return Ok(out);
    }
    let _ = backend;
    let mut out = vec![0u8; cek.len() + OVERHEAD];
    let result = match kek.len() {
        16 => KwAes128::new_from_slice(kek).map(|kw| kw.wrap_key(cek, &mut out).map(<[u8]>::len)),
        24 => KwAes192::new_from_slice(kek).map(|kw| kw.wrap_key(cek, &mut out).map(<[u8]>::len)),
        _ => KwAes256::new_from_slice(kek).map(|kw| kw.wrap_key(cek, &mut out).map(<[u8]>::len)),
    };
    match result {
        Ok(Ok(len)) if len == out.len() => Ok(out),
        _ => Err(JweError::Encrypt("AES key wrap refused the key sizes")),
    }
}

/// Unwraps a CEK of `cek_len` bytes. The wrapped key's length is public and checked first; an
/// integrity check failure is [`JweError::DecryptionFailed`].
pub(crate) fn unwrap(
    backend: Backend,
    alg: KeyManagementAlgorithm,
    kek: &[u8],
    encrypted_key: &[u8],
    cek_len: usize,
) -> Result<SecretBytes, JweError> {
    if encrypted_key.len() != cek_len + OVERHEAD {
        return Err(JweError::EncryptedKeyLength {
            alg,
            expected: cek_len + OVERHEAD,
            actual: encrypted_key.len(),
        });
    }
    #[cfg(feature = "aws-lc-rs")]
    if backend == Backend::AwsLc
        && let Some(result) = lc::unwrap(kek, encrypted_key, cek_len)
    {
        return result;
    }
    let _ = backend;
    let mut out = vec![0u8; cek_len];
    let buf = out.as_mut_slice();
    let ok = match kek.len() {
        16 => KwAes128::new_from_slice(kek).map(|kw| kw.unwrap_key(encrypted_key, buf).is_ok()),
        24 => KwAes192::new_from_slice(kek).map(|kw| kw.unwrap_key(encrypted_key, buf).is_ok()),
        _ => KwAes256::new_from_slice(kek).map(|kw| kw.unwrap_key(encrypted_key, buf).is_ok()),
    };
    // Wrapped in `SecretBytes` either way, so that the buffer is wiped when dropped.
    let out = SecretBytes::new(out);
    match ok {
        Ok(true) => Ok(out),
        _ => Err(JweError::DecryptionFailed),
    }
}

/// AES key wrap with aws-lc-rs, for 128- and 256-bit keys; `None` for the others.
#[cfg(feature = "aws-lc-rs")]
mod lc {
    use super::OVERHEAD;
    use crate::JweError;
    use jose_core::SecretBytes;
    use jose_core::aws_lc_rs::key_wrap::{AES_128, AES_256, AesBlockCipher, AesKek, KeyWrap};

    fn cipher(kek: &[u8]) -> Option<&'static AesBlockCipher> {
        match kek.len() {
            16 => Some(&AES_128),
            32 => Some(&AES_256),
            _ => None,
        }
    }

    pub(super) fn wrap(kek: &[u8], cek: &[u8]) -> Option<Vec<u8>> {
        let key = AesKek::new(cipher(kek)?, kek).ok()?;
        let mut out = vec![0u8; cek.len() + OVERHEAD];
        let len = key.wrap(cek, &mut out).ok()?.len();
        (len == out.len()).then_some(out)
    }

    pub(super) fn unwrap(
        kek: &[u8],
        encrypted_key: &[u8],
        cek_len: usize,
    ) -> Option<Result<SecretBytes, JweError>> {
        let key = AesKek::new(cipher(kek)?, kek).ok()?;
        let mut out = vec![0u8; cek_len];
        let ok = key
            .unwrap(encrypted_key, &mut out)
            .is_ok_and(|plain| plain.len() == cek_len);
        // Wrapped either way, so that the buffer is wiped when dropped.
        let out = SecretBytes::new(out);
        Some(if ok {
            Ok(out)
        } else {
            Err(JweError::DecryptionFailed)
        })
    }
}
