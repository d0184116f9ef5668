//! AES Key Wrap (RFC 3394), for A128KW, A192KW, A256KW (RFC 7518 §4.4) and as the second
//! step of ECDH-ES+A*KW and PBES2.

use crate::JweError;
use aes_kw::{KeyInit, KwAes128, KwAes192, KwAes256};
use jose_core::SecretBytes;
use jose_core::alg::KeyManagementAlgorithm;

/// The 64-bit integrity check value a wrapped key carries.
const OVERHEAD: usize = 8;

/// Wraps `cek` under `kek` (16, 24 or 32 bytes).
pub(crate) fn wrap(kek: &[u8], cek: &[u8]) -> Result<Vec<u8>, JweError> {
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
