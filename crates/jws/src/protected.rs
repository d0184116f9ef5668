//! Reading a compact JWS's protected header strictly, before anything in it is interpreted:
//! for profiles that refuse a token on its header (`crit`, an algorithm outside their list, a
//! forbidden parameter) before they pick a key.
//!
//! The steps, in order: the size limit, three parts, base64url, a strict JSON object
//! ([`ProtectedHeader::read`]); `crit` ([`ProtectedHeader::check_crit`]); `alg` against the
//! profile's list ([`ProtectedHeader::algorithm`]); then the typed header
//! ([`ProtectedHeader::into_header`]). The signature is then checked once, by
//! [`crate::compact::verify`] with a key resolver, or, for a header the profile has read and
//! adjusted itself, by [`verify_signature`].
//!
//! ```
//! use jose_core::alg::JwsAlgorithm;
//! use jose_core::header::JwsHeader;
//! use jws::protected::{AlgorithmRefusal, ProtectedHeader};
//! use jws::{SigningKey, compact};
//!
//! let key = SigningKey::generate(JwsAlgorithm::ES256)?;
//! let token = compact::CompactSign::new(b"{}")
//!     .header(JwsHeader::new(JwsAlgorithm::ES256).with_typ("JWT"))
//!     .sign(&key)?;
//!
//! let header = ProtectedHeader::read(&token, 16 << 10)?;
//! header.check_crit(&[])?;
//! let alg = header.algorithm(|alg| alg == JwsAlgorithm::ES256).map_err(|e| e.to_string())?;
//! let refused = header.algorithm(|alg| alg == JwsAlgorithm::RS256).unwrap_err();
//! assert_eq!(refused, AlgorithmRefusal::NotAllowed(JwsAlgorithm::ES256));
//!
//! let payload = jws::protected::verify_signature(&token, &key.public_jwk()?, alg)?;
//! assert_eq!(payload, b"{}");
//! assert_eq!(header.into_header()?.typ(), Some("JWT"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::{JwsError, Verifier};
use jose_core::alg::{AlgorithmError, JwsAlgorithm};
use jose_core::b64;
use jose_core::header::{self, HeaderError, JWS_REGISTERED, JwsHeader};
use jose_core::json::{self, JsonLimits, truncate_for_error};
use serde_json::{Map, Value};

/// A compact JWS's protected header, read as a strict JSON object and not yet interpreted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtectedHeader {
    map: Map<String, Value>,
}

/// Why the header's `alg` was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AlgorithmRefusal {
    /// The header has no `alg`.
    #[error("the header has no \"alg\"")]
    Missing,
    /// `alg` is not a string.
    #[error("alg must be a string")]
    NotAString,
    /// `alg` is `none` in some letter case (as written, shortened).
    #[error("algorithm {0:?} (unsecured) is not allowed")]
    None(String),
    /// `alg` names no algorithm this workspace implements (as written, shortened).
    #[error("unsupported algorithm {0:?}")]
    Unsupported(String),
    /// `alg` is an algorithm the profile does not accept.
    #[error("algorithm {0} is not allowed")]
    NotAllowed(JwsAlgorithm),
}

impl AlgorithmRefusal {
    /// The `alg` as written (shortened); `""` when absent or not a string.
    #[must_use]
    pub fn written(&self) -> String {
        match self {
            AlgorithmRefusal::Missing | AlgorithmRefusal::NotAString => String::new(),
            AlgorithmRefusal::None(name) | AlgorithmRefusal::Unsupported(name) => name.clone(),
            AlgorithmRefusal::NotAllowed(alg) => alg.as_str().to_owned(),
        }
    }

    /// The [`JwsError`] of a malformed `alg` (not a string); `None` for the other refusals,
    /// which a profile reports as an algorithm it does not accept.
    #[must_use]
    pub fn malformed(&self) -> Option<JwsError> {
        match self {
            AlgorithmRefusal::NotAString => Some(JwsError::Header(HeaderError::InvalidParameter {
                name: "alg",
                reason: "must be a string",
            })),
            _ => None,
        }
    }
}

impl ProtectedHeader {
    /// Reads the header of a compact JWS of at most `max_input_bytes` bytes.
    ///
    /// # Errors
    /// [`JwsError::TooLarge`]; [`JwsError::Malformed`] unless there are exactly three parts;
    /// [`JwsError::Base64`]; [`JwsError::Header`] with [`HeaderError::Json`] for anything but a
    /// strict JSON object.
    pub fn read(token: &str, max_input_bytes: usize) -> Result<Self, JwsError> {
        if token.len() > max_input_bytes {
            return Err(JwsError::TooLarge {
                max: max_input_bytes,
                actual: token.len(),
            });
        }
        let mut parts = token.splitn(4, '.');
        let (Some(header_b64), Some(_), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwsError::Malformed(
                "a compact JWS has exactly three parts separated by '.'",
            ));
        };
        let bytes = b64::decode(header_b64).map_err(|source| JwsError::Base64 {
            part: "protected header",
            source,
        })?;
        let map = json::parse_object(&bytes, &JsonLimits::HEADER)
            .map_err(|e| JwsError::Header(HeaderError::Json(e)))?;
        Ok(Self { map })
    }

    /// Applies the `crit` rules (RFC 7515 §4.1.11) with these extensions understood.
    ///
    /// # Errors
    /// [`JwsError::Header`] with [`HeaderError::Crit`].
    pub fn check_crit(&self, understood: &[&str]) -> Result<(), JwsError> {
        header::check_crit(&self.map, &[], JWS_REGISTERED, understood).map_err(JwsError::Header)
    }

    /// The header's `alg`, if `allowed` accepts it.
    ///
    /// # Errors
    /// The [`AlgorithmRefusal`].
    pub fn algorithm(
        &self,
        allowed: impl Fn(JwsAlgorithm) -> bool,
    ) -> Result<JwsAlgorithm, AlgorithmRefusal> {
        let alg = match self.map.get("alg") {
            None => return Err(AlgorithmRefusal::Missing),
            Some(Value::String(name)) => name.parse::<JwsAlgorithm>().map_err(|e| match e {
                AlgorithmError::None => AlgorithmRefusal::None(truncate_for_error(name)),
                _ => AlgorithmRefusal::Unsupported(truncate_for_error(name)),
            })?,
            Some(_) => return Err(AlgorithmRefusal::NotAString),
        };
        if allowed(alg) {
            Ok(alg)
        } else {
            Err(AlgorithmRefusal::NotAllowed(alg))
        }
    }

    /// The parameters as read.
    #[must_use]
    pub fn parameters(&self) -> &Map<String, Value> {
        &self.map
    }

    /// The parameters, for a profile that reads a parameter leniently (rewrites it) before
    /// [`ProtectedHeader::into_header`].
    pub fn parameters_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.map
    }

    /// The typed header.
    ///
    /// # Errors
    /// The [`HeaderError`] of the first parameter of the wrong form.
    pub fn into_header(self) -> Result<JwsHeader, HeaderError> {
        JwsHeader::from_map(self.map)
    }
}

/// Checks the signature of a compact JWS whose header the caller has read with
/// [`ProtectedHeader`] and accepted (its `crit` checked, `b64` refused), with `key` under
/// `alg`, and returns the payload. The header is not parsed again: a profile that adjusted it
/// (a lenient reading) is not refused on the original form.
///
/// As everywhere in this crate, an ECDSA signature must be the fixed-size `r || s` of the
/// key's curve, with `r` and `s` in range.
///
/// # Errors
/// [`JwsError::Malformed`], [`JwsError::Key`] when the key does not fit `alg`,
/// [`JwsError::Base64`], [`JwsError::MalformedSignature`], [`JwsError::InvalidSignature`].
pub fn verify_signature(
    token: &str,
    key: &(impl Verifier + ?Sized),
    alg: JwsAlgorithm,
) -> Result<Vec<u8>, JwsError> {
    let (signing_input, signature_b64) = token
        .rsplit_once('.')
        .ok_or(JwsError::Malformed("a compact JWS has three parts"))?;
    let payload_b64 = signing_input
        .split_once('.')
        .map(|(_, p)| p)
        .unwrap_or_default();
    key.check_algorithm(alg)?;
    let signature = b64::decode(signature_b64).map_err(|source| JwsError::Base64 {
        part: "signature",
        source,
    })?;
    key.verify(alg, signing_input.as_bytes(), &signature)?;
    b64::decode(payload_b64).map_err(|source| JwsError::Base64 {
        part: "payload",
        source,
    })
}
