//! The verification of one signature, shared by every serialization.

use crate::sign::signing_input;
use crate::verified::ProtectedParams;
use crate::{JwsError, KeyResolver, VerifiedJws, VerifyOptions};
use jose_core::b64;
use jose_core::header::{self, HeaderError, JWS_REGISTERED, JwsHeader};
use jose_core::json::{self, JsonLimits};
use serde_json::{Map, Value};
use std::sync::OnceLock;

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
    let (bytes, limits) = decode_protected(protected_b64, options)?;
    json::parse_object(&bytes, &limits).map_err(|e| JwsError::Header(HeaderError::Json(e)))
}

/// A protected header's bytes, within the size limit, and the limits to parse them with.
fn decode_protected(
    protected_b64: &str,
    options: &VerifyOptions,
) -> Result<(Vec<u8>, JsonLimits), JwsError> {
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
    Ok((bytes, limits))
}

/// A protected header read for verification, with no unprotected header beside it.
// Returned once and matched at once: boxing the header would cost an allocation per token.
#[allow(clippy::large_enum_variant)]
pub(crate) enum ReadProtected {
    /// Nothing but `alg`, `kid`, `typ` and `cty`, each a string without escapes, and a known
    /// `alg`: the header of nearly every JWT, read straight into the typed header. Nothing in
    /// it can fail the checks of the map path (no `crit`, no `b64`, nothing to merge).
    Plain(JwsHeader),
    /// Anything else: the members, for the checks of the map path.
    Members(Map<String, Value>),
}

/// The members of a plain protected header, as written.
#[derive(Default)]
struct PlainMembers<'a> {
    alg: Option<&'a str>,
    kid: Option<&'a str>,
    typ: Option<&'a str>,
    cty: Option<&'a str>,
    other: bool,
}

impl<'a> PlainMembers<'a> {
    fn take(&mut self, name: &str, raw: &'a [u8]) {
        let slot = match name {
            "alg" => &mut self.alg,
            "kid" => &mut self.kid,
            "typ" => &mut self.typ,
            "cty" => &mut self.cty,
            _ => {
                self.other = true;
                return;
            }
        };
        // A validated JSON string without a backslash is its own content between the quotes.
        *slot = raw
            .strip_prefix(b"\"")
            .and_then(|r| r.strip_suffix(b"\""))
            .filter(|r| !r.contains(&b'\\'))
            .and_then(|r| core::str::from_utf8(r).ok());
        self.other |= slot.is_none();
    }

    /// The typed header, when every member was plain; `None` sends the header to the map path.
    fn header(&self) -> Option<JwsHeader> {
        if self.other {
            return None;
        }
        let mut header = JwsHeader::default();
        if let Some(alg) = self.alg {
            header = header.with_alg(alg.parse().ok()?);
        }
        if let Some(kid) = self.kid {
            header = header.with_kid(kid);
        }
        if let Some(typ) = self.typ {
            header = header.with_typ(typ);
        }
        if let Some(cty) = self.cty {
            header = header.with_cty(cty);
        }
        Some(header)
    }
}

/// [`parse_protected`] for a JWS without an unprotected header, in the same single pass of
/// the strict validator: a plain header is read without a map. The same errors for the same
/// input (a header that is not plain takes the map path).
pub(crate) fn read_protected(
    protected_b64: &str,
    options: &VerifyOptions,
) -> Result<ReadProtected, JwsError> {
    if protected_b64.is_empty() {
        return Ok(ReadProtected::Members(Map::new()));
    }
    let (bytes, limits) = decode_protected(protected_b64, options)?;
    let mut plain = PlainMembers::default();
    json::validate_members(&bytes, &limits, &mut |name, raw| plain.take(name, raw))
        .map_err(|e| JwsError::Header(HeaderError::Json(e)))?;
    // Only an object reports members: anything else is not plain.
    if bytes.trim_ascii_start().first() == Some(&b'{')
        && let Some(header) = plain.header()
    {
        return Ok(ReadProtected::Plain(header));
    }
    object(&bytes).map(ReadProtected::Members)
}

/// The top-level object of validated JSON, as [`json::parse_object`] returns it.
fn object(bytes: &[u8]) -> Result<Map<String, Value>, JwsError> {
    let header_json = |e| JwsError::Header(HeaderError::Json(e));
    match serde_json::from_slice(bytes).map_err(|e| header_json(json::schema_error(&e)))? {
        Value::Object(map) => Ok(map),
        _ => Err(header_json(json::JsonError::NotAnObject)),
    }
}

pub(crate) fn verify_one(
    input: &VerifyInput<'_>,
    keys: &(impl KeyResolver + ?Sized),
    options: &VerifyOptions,
    index: usize,
) -> Result<VerifiedJws, JwsError> {
    let protected = match input.unprotected {
        None => read_protected(input.protected_b64, options)?,
        Some(_) => ReadProtected::Members(parse_protected(input.protected_b64, options)?),
    };
    let (header, protected) = match protected {
        ReadProtected::Plain(header) => (header, ProtectedParams::Joint(OnceLock::new())),
        ReadProtected::Members(protected) => {
            let header = joint_header(&protected, input, options)?;
            (header, ProtectedParams::Map(protected))
        }
    };
    verify_signature(header, protected, input, keys, options, index)
}

/// The checks of the protected (and unprotected) header parameters that need the members,
/// then the joint header.
fn joint_header(
    protected: &Map<String, Value>,
    input: &VerifyInput<'_>,
    options: &VerifyOptions,
) -> Result<JwsHeader, JwsError> {
    let unprotected: Vec<&Map<String, Value>> = input.unprotected.into_iter().collect();
    header::check_crit(
        protected,
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
        Some(u) => header::merge_disjoint([protected, u])?,
    };
    Ok(JwsHeader::from_map(joint)?)
}

/// The rest of the verification, from the joint header: `b64`, the algorithm and the key, the
/// signature.
fn verify_signature(
    header: JwsHeader,
    protected: ProtectedParams,
    input: &VerifyInput<'_>,
    keys: &(impl KeyResolver + ?Sized),
    options: &VerifyOptions,
    index: usize,
) -> Result<VerifiedJws, JwsError> {
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
