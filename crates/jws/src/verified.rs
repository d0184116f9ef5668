//! The result of a successful verification.

use jose_core::header::JwsHeader;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The integrity-protected header parameters.
#[derive(Clone, Debug)]
pub(crate) enum ProtectedParams {
    /// As read from the protected header.
    Map(Map<String, Value>),
    /// Exactly the joint header's parameters (a plain protected header and nothing
    /// unprotected): the map is made from it the first time it is asked for.
    Joint(OnceLock<Map<String, Value>>),
}

/// A JWS whose signature has been verified.
///
/// It can only be obtained from the verification functions, so holding one means the payload
/// was signed by a key the caller trusts with an algorithm the caller allowed.
#[derive(Clone, Debug)]
pub struct VerifiedJws {
    pub(crate) header: JwsHeader,
    pub(crate) protected: ProtectedParams,
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
        match &self.protected {
            ProtectedParams::Map(map) => map,
            ProtectedParams::Joint(map) => map.get_or_init(|| self.header.to_map()),
        }
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

impl PartialEq for VerifiedJws {
    fn eq(&self, other: &Self) -> bool {
        self.header == other.header
            && self.protected_header() == other.protected_header()
            && self.payload == other.payload
            && self.signature_index == other.signature_index
    }
}

impl Eq for VerifiedJws {}
