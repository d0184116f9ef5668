//! Symmetric keys (`kty: "oct"`, RFC 7518 §6.4).

use super::KeyError;
use super::members::Members;
use crate::SecretBytes;
use serde_json::{Map, Value};

/// A symmetric key: HMAC keys, AES keys, `dir` CEKs, PBES2 passwords.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OctKey {
    k: SecretBytes,
}

impl OctKey {
    /// Wraps key bytes.
    ///
    /// # Errors
    /// [`KeyError::EmptySymmetricKey`] for an empty key.
    pub fn new(k: SecretBytes) -> Result<Self, KeyError> {
        if k.is_empty() {
            return Err(KeyError::EmptySymmetricKey);
        }
        Ok(Self { k })
    }

    /// The key bytes.
    #[must_use]
    pub fn secret(&self) -> &SecretBytes {
        &self.k
    }

    /// `len` random bytes.
    ///
    /// # Errors
    /// [`KeyError::Random`] or [`KeyError::EmptySymmetricKey`].
    pub fn generate(len: usize) -> Result<Self, KeyError> {
        Self::new(SecretBytes::random(len)?)
    }

    pub(crate) fn read(members: &mut Members) -> Result<Self, KeyError> {
        Self::new(members.require_secret("k")?)
    }

    pub(crate) fn write(&self, out: &mut Map<String, Value>) {
        super::members::put_b64(out, "k", self.k.expose());
    }
}
