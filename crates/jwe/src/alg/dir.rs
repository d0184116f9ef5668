//! `dir` (RFC 7518 §4.5): the shared symmetric key is the CEK.

use crate::JweError;
use jose_core::SecretBytes;
use jose_core::alg::{ContentEncryptionAlgorithm, KeyAlgorithm};
use jose_core::jwk::{Jwk, KeyError};

/// The CEK: the key itself, which must have exactly the size `enc` needs. A key whose `alg`
/// names a content encryption algorithm serves only that one.
pub(super) fn cek(key: &Jwk, enc: ContentEncryptionAlgorithm) -> Result<SecretBytes, JweError> {
    if let Some(KeyAlgorithm::ContentEncryption(allowed)) = key.alg()
        && *allowed != enc
    {
        return Err(JweError::Key(KeyError::AlgorithmNotPermitted {
            key_alg: allowed.as_str().to_owned(),
            requested: enc.as_str().to_owned(),
        }));
    }
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
