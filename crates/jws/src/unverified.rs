//! Reading a compact JWS **without verifying it**.
//!
//! Nothing these functions return may be trusted: anyone can write any header and payload.
//! They exist for routing (which key set, which tenant) and for debugging tools such as
//! `jose jwt inspect`. Verify with [`crate::compact::verify`] before acting on the content.

use crate::{JwsError, Limits};
use jose_core::b64;
use jose_core::header::JwsHeader;
use jose_core::json::JsonLimits;

/// The protected header of a compact JWS, unverified.
///
/// # Errors
/// [`JwsError`] when the token is malformed.
pub fn decode_header(token: &str) -> Result<JwsHeader, JwsError> {
    let limits = Limits::default();
    let (header, _, _) = crate::compact::split(token, limits.max_input_bytes)?;
    let bytes = b64::decode_vartime(header).map_err(|source| JwsError::Base64 {
        part: "protected header",
        source,
    })?;
    let map = jose_core::json::parse_object(
        &bytes,
        &JsonLimits {
            max_bytes: limits.max_header_bytes,
            max_depth: 16,
        },
    )?;
    Ok(JwsHeader::from_map(map)?)
}

/// The payload of a compact JWS, unverified (base64url-decoded unless the header says
/// `b64: false`).
///
/// # Errors
/// [`JwsError`] when the token is malformed.
pub fn decode_payload(token: &str) -> Result<Vec<u8>, JwsError> {
    let header = decode_header(token)?;
    let (_, payload, _) = crate::compact::split(token, Limits::default().max_input_bytes)?;
    if header.b64() == Some(false) {
        return Ok(payload.as_bytes().to_vec());
    }
    b64::decode_vartime(payload).map_err(|source| JwsError::Base64 {
        part: "payload",
        source,
    })
}
