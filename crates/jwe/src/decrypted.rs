//! The result of a successful decryption.

use jose_core::header::JweHeader;
use serde_json::{Map, Value};

/// A JWE that decrypted: its authentication tag verified under a content encryption key the
/// caller's key recovered, with algorithms the caller allowed.
///
/// Only the decryption functions make one. Note what it proves: the content was encrypted by
/// someone who could encrypt to the caller's key. With a public recipient key that is anyone;
/// sign the content (nested JWT) when the sender must be authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptedJwe {
    pub(crate) header: JweHeader,
    pub(crate) protected: Map<String, Value>,
    pub(crate) plaintext: Vec<u8>,
    pub(crate) recipient_index: usize,
    pub(crate) aad: Option<Vec<u8>>,
}

impl DecryptedJwe {
    /// The joint header of the recipient that decrypted (protected, shared unprotected and
    /// per-recipient parameters).
    #[must_use]
    pub fn header(&self) -> &JweHeader {
        &self.header
    }

    /// The integrity-protected header parameters only.
    #[must_use]
    pub fn protected_header(&self) -> &Map<String, Value> {
        &self.protected
    }

    /// The plaintext (decompressed if the JWE used `zip`).
    #[must_use]
    pub fn plaintext(&self) -> &[u8] {
        &self.plaintext
    }

    /// The plaintext, by value.
    #[must_use]
    pub fn into_plaintext(self) -> Vec<u8> {
        self.plaintext
    }

    /// Which recipient of a general JSON JWE decrypted (0 for compact and flattened).
    #[must_use]
    pub fn recipient_index(&self) -> usize {
        self.recipient_index
    }

    /// The JSON serialization's `aad` member, decoded, which the tag authenticated.
    #[must_use]
    pub fn aad(&self) -> Option<&[u8]> {
        self.aad.as_deref()
    }
}
