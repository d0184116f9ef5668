//! `dir` (RFC 7518 §4.5): the shared symmetric key is the CEK.

use crate::JweError;
use jose_core::SecretBytes;
use jose_core::alg::ContentEncryptionAlgorithm;
use jose_core::jwk::Jwk;

/// The CEK: the key itself, which must have exactly the size `enc` needs.
pub(super) fn cek(key: &Jwk, enc: ContentEncryptionAlgorithm) -> Result<SecretBytes, JweError> {
    let secret = super::oct_secret(key)?;
    if secret.len() != enc.key_len() {
        return Err(JweError::CekLength {
            enc,
            expected: enc.key_len(),
            actual: secret.len(),
        });
    }
    Ok(secret.clone())
}
