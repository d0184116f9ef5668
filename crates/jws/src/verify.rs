//! The verification of one signature, shared by every serialization.

use crate::sign::signing_input;
use crate::{JwsError, KeyResolver, VerifiedJws, VerifyOptions};
use jose_core::b64;
use jose_core::header::{self, HeaderError, JWS_REGISTERED, JwsHeader};
use jose_core::json::{self, JsonLimits};
use serde_json::{Map, Value};

/// One signature and what it covers, as found in a serialization.
pub(crate) struct VerifyInput<'a> {
    /// The protected header as written (base64url), possibly empty in JSON serializations.
    pub(crate) protected_b64: &'a str,
    /// The unprotected header of a JSON serialization.
    pub(crate) unprotected: Option<&'a Map<String, Value>>,
    /// The payload as written in the serialization (empty when detached).
    pub(crate) payload_text: &'a str,
    /// The payload supplied by the caller for a detached JWS.
    pub(crate) detached: Option<&'a [u8]>,
    /// The signature as written (base64url).
    pub(crate) signature_b64: &'a str,
    /// The signing input when it is a slice of the serialization itself (compact, attached).
    pub(crate) attached_signing_input: Option<&'a str>,
}

/// Decodes and strictly parses a protected header; an empty one is an empty object.
pub(crate) fn parse_protected(
    protected_b64: &str,
    options: &VerifyOptions,
) -> Result<Map<String, Value>, JwsError> {
    if protected_b64.is_empty() {
        return Ok(Map::new());
    }
    let max = options.size_limits().max_header_bytes;
    if b64::decoded_len(protected_b64.len()) > max {
        return Err(JwsError::Header(HeaderError::Json(
            json::JsonError::TooLarge {
                max,
                actual: b64::decoded_len(protected_b64.len()),
            },
        )));
    }
    let bytes = b64::decode_vartime(protected_b64).map_err(|source| JwsError::Base64 {
        part: "protected header",
        source,
    })?;
    let limits = JsonLimits {
        max_bytes: max,
        max_depth: JsonLimits::HEADER.max_depth,
    };
    json::parse_object(&bytes, &limits).map_err(|e| JwsError::Header(HeaderError::Json(e)))
}

pub(crate) fn verify_one(
    input: &VerifyInput<'_>,
    keys: &(impl KeyResolver + ?Sized),
    options: &VerifyOptions,
    index: usize,
) -> Result<VerifiedJws, JwsError> {
    let protected = parse_protected(input.protected_b64, options)?;
    let unprotected: Vec<&Map<String, Value>> = input.unprotected.into_iter().collect();
    header::check_crit(
        &protected,
        &unprotected,
        JWS_REGISTERED,
        &options.understood(),
    )?;
    if unprotected.iter().any(|u| u.contains_key("b64")) {
        return Err(HeaderError::InvalidParameter {
            name: "b64",
            reason: "must be integrity protected",
        }
        .into());
    }
    let joint = match input.unprotected {
        None => protected.clone(),
        Some(u) => header::merge_disjoint([&protected, u])?,
    };
    let header = JwsHeader::from_map(joint)?;
    let alg = header.alg().ok_or(JwsError::MissingAlgorithm)?;
    let encoded_payload = match header.b64() {
        None => true,
        Some(b) => {
            // RFC 7797 §6: a `b64` parameter must be understood, so it must be listed in `crit`.
            if !header.crit().is_some_and(|c| c.iter().any(|n| n == "b64")) {
                return Err(HeaderError::Crit("\"b64\" is used but not listed".into()).into());
            }
            b
        }
    };
    if !options.allowed_algorithms().is_empty() && !options.allowed_algorithms().contains(&alg) {
        return Err(JwsError::AlgorithmNotAllowed(alg));
    }
    let key = keys.resolve(&header)?;
    options.check_algorithm(alg, &*key)?;
    key.check_algorithm(alg)?;

    let signature =
        b64::decode_vartime(input.signature_b64).map_err(|source| JwsError::Base64 {
            part: "signature",
            source,
        })?;
    let owned_input;
    let (signed, payload): (&[u8], Vec<u8>) = match input.detached {
        Some(detached) => {
            if !input.payload_text.is_empty() {
                return Err(JwsError::DetachedPayload(
                    "the JWS carries a payload; it is not detached",
                ));
            }
            owned_input = signing_input(input.protected_b64, detached, encoded_payload, 0);
            (&owned_input, detached.to_vec())
        }
        None => {
            let payload = if encoded_payload {
                b64::decode_vartime(input.payload_text).map_err(|source| JwsError::Base64 {
                    part: "payload",
                    source,
                })?
            } else {
                input.payload_text.as_bytes().to_vec()
            };
            let signed = match input.attached_signing_input {
                Some(s) => s.as_bytes(),
                None => {
                    owned_input = [
                        input.protected_b64.as_bytes(),
                        b".",
                        input.payload_text.as_bytes(),
                    ]
                    .concat();
                    &owned_input
                }
            };
            (signed, payload)
        }
    };
    key.verify(alg, signed, &signature)?;
    Ok(VerifiedJws {
        header,
        protected,
        payload,
        signature_index: index,
    })
}
