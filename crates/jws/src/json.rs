//! The JWS JSON Serialization (RFC 7515 §7.2): general (several signatures) and flattened.
//!
//! ```
//! use jose_core::alg::JwsAlgorithm;
//! use jose_core::header::JwsHeader;
//! use jose_core::jwk::JwkSet;
//! use jws::{SigningKey, VerifyOptions, json::JsonSign};
//!
//! let es = SigningKey::new(jose_core::jwk::Jwk::generate(JwsAlgorithm::ES256)?.with_kid("es"), JwsAlgorithm::ES256)?;
//! let ed = SigningKey::new(jose_core::jwk::Jwk::generate(JwsAlgorithm::EdDSA)?.with_kid("ed"), JwsAlgorithm::EdDSA)?;
//! let jws = JsonSign::new(b"payload")
//!     .signature(&es, JwsHeader::default())
//!     .signature(&ed, JwsHeader::default())
//!     .sign_general()?;
//!
//! // A verifier holding only the Ed25519 key accepts the JWS through the second signature.
//! let keys = JwkSet::new(vec![ed.public_jwk()?])?;
//! let verified = jws::json::verify(&jws.to_string(), &keys, &VerifyOptions::new())?;
//! assert_eq!(verified.signature_index(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::sign::{SignatureParts, build_protected};
use crate::verify::{VerifyInput, parse_protected, verify_one};
use crate::{JwsError, KeyResolver, Signer, VerifiedJws, VerifyOptions};
use jose_core::b64;
use jose_core::header::JwsHeader;
use jose_core::json::{self, JsonLimits};
use jose_core::jwk::SelectError;
use serde_json::{Map, Value};

struct Entry<'a> {
    signer: &'a dyn Signer,
    protected: JwsHeader,
    protected_json: Option<String>,
    unprotected: Option<JwsHeader>,
}

/// Builds a JSON-serialized JWS with one or more signatures.
#[must_use]
pub struct JsonSign<'a> {
    payload: &'a [u8],
    detached: bool,
    unencoded: bool,
    include_kid: bool,
    entries: Vec<Entry<'a>>,
}

impl core::fmt::Debug for JsonSign<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("JsonSign")
            .field("payload_len", &self.payload.len())
            .field("signatures", &self.entries.len())
            .finish_non_exhaustive()
    }
}

impl<'a> JsonSign<'a> {
    /// Starts a JWS over `payload`.
    pub fn new(payload: &'a [u8]) -> Self {
        Self {
            payload,
            detached: false,
            unencoded: false,
            include_kid: true,
            entries: Vec::new(),
        }
    }

    /// Adds a signature with this protected header (`alg` and `kid` come from the signer).
    pub fn signature(self, signer: &'a dyn Signer, protected: JwsHeader) -> Self {
        self.push(signer, protected, None, None)
    }

    /// Adds a signature with protected and unprotected header parameters (which must be
    /// disjoint).
    pub fn signature_with_unprotected(
        self,
        signer: &'a dyn Signer,
        protected: JwsHeader,
        unprotected: JwsHeader,
    ) -> Self {
        self.push(signer, protected, None, Some(unprotected))
    }

    /// Adds a signature whose protected header is this exact JSON text; for reproducing
    /// published examples byte for byte.
    pub fn signature_with_protected_json(
        self,
        signer: &'a dyn Signer,
        protected_json: impl Into<String>,
        unprotected: Option<JwsHeader>,
    ) -> Self {
        self.push(
            signer,
            JwsHeader::default(),
            Some(protected_json.into()),
            unprotected,
        )
    }

    fn push(
        mut self,
        signer: &'a dyn Signer,
        protected: JwsHeader,
        protected_json: Option<String>,
        unprotected: Option<JwsHeader>,
    ) -> Self {
        self.entries.push(Entry {
            signer,
            protected,
            protected_json,
            unprotected,
        });
        self
    }

    /// Leaves `payload` out of the serialization.
    pub fn detached(mut self) -> Self {
        self.detached = true;
        self
    }

    /// Signs the payload without base64url (RFC 7797); every signature uses `b64: false`.
    /// The payload must then be UTF-8 to fit in the JSON string.
    pub fn unencoded(mut self) -> Self {
        self.unencoded = true;
        self
    }

    /// Does not copy signers' key ids into `kid`.
    pub fn omit_kid(mut self) -> Self {
        self.include_kid = false;
        self
    }

    /// The signature objects, and whether the payload is unencoded (from the builder or from
    /// `b64: false` in the protected headers).
    fn signatures(&self) -> Result<(Vec<Value>, bool), JwsError> {
        if self.entries.is_empty() {
            return Err(JwsError::Malformed("a JWS needs at least one signature"));
        }
        let mut out = Vec::with_capacity(self.entries.len());
        let mut mode = None;
        for e in &self.entries {
            let protected = build_protected(
                e.protected_json.as_deref(),
                e.protected.clone(),
                e.unprotected.as_ref(),
                e.signer,
                self.unencoded,
                self.include_kid,
            )?;
            if *mode.get_or_insert(protected.unencoded) != protected.unencoded {
                return Err(JwsError::Malformed(
                    "all signatures must use the same b64 value (RFC 7797 §3)",
                ));
            }
            let parts = SignatureParts::sign(&protected, self.payload, e.signer, false)?;
            let mut sig = Map::new();
            sig.insert("protected".into(), Value::String(protected.encoded));
            if let Some(u) = &e.unprotected {
                sig.insert("header".into(), Value::Object(u.to_map()));
            }
            sig.insert(
                "signature".into(),
                Value::String(b64::encode_vartime(&parts.signature)),
            );
            out.push(Value::Object(sig));
        }
        Ok((out, mode.unwrap_or(self.unencoded)))
    }

    fn payload_member(&self, unencoded: bool) -> Result<Option<Value>, JwsError> {
        if self.detached {
            return Ok(None);
        }
        Ok(Some(Value::String(if unencoded {
            core::str::from_utf8(self.payload)
                .map_err(|_| JwsError::Malformed("an unencoded JSON payload must be UTF-8"))?
                .to_owned()
        } else {
            b64::encode_vartime(self.payload)
        })))
    }

    /// The general JSON serialization: `{"payload": ..., "signatures": [...]}`.
    ///
    /// # Errors
    /// [`JwsError`] when a header conflicts with its signer or signing fails.
    pub fn sign_general(self) -> Result<Value, JwsError> {
        let (signatures, unencoded) = self.signatures()?;
        let mut out = Map::new();
        if let Some(p) = self.payload_member(unencoded)? {
            out.insert("payload".into(), p);
        }
        out.insert("signatures".into(), Value::Array(signatures));
        Ok(Value::Object(out))
    }

    /// The flattened JSON serialization (exactly one signature).
    ///
    /// # Errors
    /// [`JwsError::Malformed`] unless there is exactly one signature, or as
    /// [`JsonSign::sign_general`].
    pub fn sign_flattened(self) -> Result<Value, JwsError> {
        if self.entries.len() != 1 {
            return Err(JwsError::Malformed(
                "the flattened serialization has exactly one signature",
            ));
        }
        let (signatures, unencoded) = self.signatures()?;
        let mut out = Map::new();
        if let Some(p) = self.payload_member(unencoded)? {
            out.insert("payload".into(), p);
        }
        if let Some(Value::Object(sig)) = signatures.into_iter().next() {
            out.extend(sig);
        }
        Ok(Value::Object(out))
    }
}

/// A parsed JSON serialization, not yet verified.
struct Parsed {
    payload: Option<String>,
    signatures: Vec<ParsedSignature>,
}

struct ParsedSignature {
    protected: String,
    header: Option<Map<String, Value>>,
    signature: String,
}

fn take_string(
    map: &mut Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, JwsError> {
    match map.remove(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(JwsError::Malformed(match name {
            "payload" => "\"payload\" must be a string",
            "protected" => "\"protected\" must be a string",
            _ => "\"signature\" must be a string",
        })),
    }
}

fn parse_signature(mut map: Map<String, Value>) -> Result<ParsedSignature, JwsError> {
    let protected = take_string(&mut map, "protected")?.unwrap_or_default();
    let header = match map.remove("header") {
        None => None,
        Some(Value::Object(h)) => Some(h),
        Some(_) => return Err(JwsError::Malformed("\"header\" must be an object")),
    };
    if protected.is_empty() && header.as_ref().is_none_or(Map::is_empty) {
        return Err(JwsError::Malformed(
            "a signature needs a protected or an unprotected header",
        ));
    }
    let signature = take_string(&mut map, "signature")?.ok_or(JwsError::Malformed(
        "a signature entry has no \"signature\"",
    ))?;
    Ok(ParsedSignature {
        protected,
        header,
        signature,
    })
}

fn parse(input: &str, options: &VerifyOptions) -> Result<Parsed, JwsError> {
    let max = options.size_limits().max_input_bytes;
    if input.len() > max {
        return Err(JwsError::TooLarge {
            max,
            actual: input.len(),
        });
    }
    let mut map = json::parse_object(
        input.as_bytes(),
        &JsonLimits {
            max_bytes: max,
            max_depth: 20,
        },
    )?;
    let payload = take_string(&mut map, "payload")?;
    let signatures = match map.remove("signatures") {
        Some(Value::Array(items)) => {
            if ["protected", "header", "signature"]
                .iter()
                .any(|m| map.contains_key(*m))
            {
                return Err(JwsError::Malformed(
                    "general serialization with top-level signature members",
                ));
            }
            if items.is_empty() {
                return Err(JwsError::Malformed("\"signatures\" is empty"));
            }
            let max = options.size_limits().max_signatures;
            if items.len() > max {
                return Err(JwsError::TooManySignatures {
                    max,
                    actual: items.len(),
                });
            }
            items
                .into_iter()
                .map(|item| match item {
                    Value::Object(m) => parse_signature(m),
                    _ => Err(JwsError::Malformed(
                        "\"signatures\" entries must be objects",
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?
        }
        Some(_) => return Err(JwsError::Malformed("\"signatures\" must be an array")),
        None => vec![parse_signature(map)?],
    };
    Ok(Parsed {
        payload,
        signatures,
    })
}

/// Verifies a general or flattened JSON JWS with an attached payload; succeeds when any one
/// signature verifies with a key from `keys`, and reports which.
///
/// # Errors
/// [`JwsError`]: the first failure of a signature whose key was found, otherwise the first
/// failure.
pub fn verify(
    input: &str,
    keys: &(impl KeyResolver + ?Sized),
    options: &VerifyOptions,
) -> Result<VerifiedJws, JwsError> {
    verify_inner(input, None, keys, options)
}

/// Verifies a JSON JWS whose payload is detached, with the payload supplied separately.
///
/// # Errors
/// As [`verify`].
pub fn verify_detached(
    input: &str,
    payload: &[u8],
    keys: &(impl KeyResolver + ?Sized),
    options: &VerifyOptions,
) -> Result<VerifiedJws, JwsError> {
    verify_inner(input, Some(payload), keys, options)
}

fn verify_inner(
    input: &str,
    detached: Option<&[u8]>,
    keys: &(impl KeyResolver + ?Sized),
    options: &VerifyOptions,
) -> Result<VerifiedJws, JwsError> {
    let parsed = parse(input, options)?;
    let payload_text = match (&parsed.payload, detached) {
        (Some(p), None) => p.as_str(),
        (None, None) => {
            return Err(JwsError::DetachedPayload(
                "the payload is detached; supply it",
            ));
        }
        (Some(p), Some(_)) if !p.is_empty() => {
            return Err(JwsError::DetachedPayload(
                "the JWS carries a payload; it is not detached",
            ));
        }
        (_, Some(_)) => "",
    };
    // RFC 7797 §3: every signature must agree on `b64`.
    if parsed.signatures.len() > 1 {
        let mut modes = parsed
            .signatures
            .iter()
            .map(|s| parse_protected(&s.protected, options).map(|p| p.get("b64").cloned()));
        if let Some(first) = modes.next() {
            let first = first?;
            for m in modes {
                if m? != first {
                    return Err(JwsError::Malformed("signatures disagree on b64"));
                }
            }
        }
    }
    let mut first_error: Option<JwsError> = None;
    let mut key_found_error: Option<JwsError> = None;
    for (index, sig) in parsed.signatures.iter().enumerate() {
        let input = VerifyInput {
            protected_b64: &sig.protected,
            unprotected: sig.header.as_ref(),
            payload_text,
            detached,
            signature_b64: &sig.signature,
            attached_signing_input: None,
        };
        match verify_one(&input, keys, options, index) {
            Ok(v) => return Ok(v),
            Err(e) => {
                let key_missing = matches!(e, JwsError::KeySelection(SelectError::NoMatch { .. }));
                if !key_missing && key_found_error.is_none() {
                    key_found_error = Some(e.clone());
                }
                first_error.get_or_insert(e);
            }
        }
    }
    Err(key_found_error
        .or(first_error)
        .unwrap_or(JwsError::InvalidSignature))
}
