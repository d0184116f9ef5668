//! The result of a successful verification.

use jose_core::header::JwsHeader;
use serde_json::{Map, Value};

/// A JWS whose signature has been verified.
///
/// It can only be obtained from the verification functions, so holding one means the payload
/// was signed by a key the caller trusts with an algorithm the caller allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedJws {
    pub(crate) header: JwsHeader,
    pub(crate) protected: Map<String, Value>,
    pub(crate) payload: Vec<u8>,
    pub(crate) signature_index: usize,
}

impl VerifiedJws {
    /// The joint header (protected and unprotected parameters).
    #[must_use]
    pub fn header(&self) -> &JwsHeader {
        &self.header
    }

    /// The integrity-protected header parameters only.
    #[must_use]
    pub fn protected_header(&self) -> &Map<String, Value> {
        &self.protected
    }

    /// The payload.
    #[must_use]
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The payload, by value.
    #[must_use]
    pub fn into_payload(self) -> Vec<u8> {
        self.payload
    }

    /// Which signature of a general JSON JWS verified (0 for compact and flattened).
    #[must_use]
    pub fn signature_index(&self) -> usize {
        self.signature_index
    }
}
