//! The JWS Compact Serialization (RFC 7515 §7.1): `header.payload.signature`.
//!
//! ```
//! use jose_core::alg::JwsAlgorithm;
//! use jose_core::header::JwsHeader;
//! use jws::{SigningKey, VerifyOptions, compact};
//!
//! let key = SigningKey::generate(JwsAlgorithm::ES256)?;
//! let token = compact::CompactSign::new(b"hello")
//!     .header(JwsHeader::new(JwsAlgorithm::ES256).with_typ("example"))
//!     .sign(&key)?;
//!
//! let public = key.public_jwk()?;
//! let verified = compact::verify(&token, &public, &VerifyOptions::new())?;
//! assert_eq!(verified.payload(), b"hello");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::sign::{SignatureParts, build_protected};
use crate::verify::{VerifyInput, verify_one};
use crate::{JwsError, KeyResolver, Signer, VerifiedJws, VerifyOptions};
use jose_core::b64;
use jose_core::header::JwsHeader;

/// Builds a compact JWS.
#[derive(Clone, Debug)]
#[must_use]
pub struct CompactSign<'a> {
    payload: &'a [u8],
    header: JwsHeader,
    protected_json: Option<String>,
    detached: bool,
    unencoded: bool,
    include_kid: bool,
}

impl<'a> CompactSign<'a> {
    /// Starts a JWS over `payload`.
    pub fn new(payload: &'a [u8]) -> Self {
        Self {
            payload,
            header: JwsHeader::default(),
            protected_json: None,
            detached: false,
            unencoded: false,
            include_kid: true,
        }
    }

    /// Sets the protected header. `alg` defaults to the signer's algorithm (and must equal it
    /// when set); `kid` defaults to the signer's key id.
    pub fn header(mut self, header: JwsHeader) -> Self {
        self.header = header;
        self
    }

    /// Uses this exact JSON text as the protected header (validated strictly); for reproducing
    /// published examples byte for byte.
    pub fn protected_json(mut self, json: impl Into<String>) -> Self {
        self.protected_json = Some(json.into());
        self
    }

    /// Leaves the payload out of the serialization (RFC 7515 Appendix F): `header..signature`.
    pub fn detached(mut self) -> Self {
        self.detached = true;
        self
    }

    /// Signs the payload as is, without base64url (RFC 7797 `b64: false`, listed in `crit`).
    /// Unless the JWS is detached, the payload must not contain `.`.
    pub fn unencoded(mut self) -> Self {
        self.unencoded = true;
        self
    }

    /// Does not copy the signer's key id into `kid`.
    pub fn omit_kid(mut self) -> Self {
        self.include_kid = false;
        self
    }

    /// Signs.
    ///
    /// # Errors
    /// [`JwsError`] when the header conflicts with the signer, an unencoded payload contains
    /// `.`, or signing fails.
    pub fn sign(self, signer: &(impl Signer + ?Sized)) -> Result<String, JwsError> {
        let protected = build_protected(
            self.protected_json.as_deref(),
            self.header,
            None,
            signer,
            self.unencoded,
            self.include_kid,
        )?;
        if protected.unencoded && !self.detached && self.payload.contains(&b'.') {
            return Err(JwsError::Malformed(
                "an unencoded payload in a compact JWS must not contain '.'",
            ));
        }
        let parts = SignatureParts::sign(&protected, self.payload, signer, !self.detached)?;
        let signature_len = b64::encoded_len(parts.signature.len());
        let mut out = if self.detached {
            let mut out = String::with_capacity(protected.encoded.len() + 2 + signature_len);
            out.push_str(&protected.encoded);
            out.push('.');
            out
        } else {
            // The signing input is the serialization up to the second '.': the header, '.',
            // and the payload as written (base64url, or unencoded and checked above to be free
            // of '.'; it must also be text to live in a string). No second encoding.
            let mut out = String::from_utf8(parts.signing_input)
                .map_err(|_| JwsError::Malformed("an unencoded compact payload must be UTF-8"))?;
            out.reserve_exact(1 + signature_len);
            out
        };
        out.push('.');
        b64::encode_into_vartime(&parts.signature, &mut out);
        Ok(out)
    }
}

/// Verifies a compact JWS with an attached payload.
///
/// JSON serializations are refused here; use [`crate::json::verify`] for those.
///
/// # Errors
/// [`JwsError`] describing the first check that failed.
pub fn verify(
    token: &str,
    keys: &(impl KeyResolver + ?Sized),
    options: &VerifyOptions,
) -> Result<VerifiedJws, JwsError> {
    verify_inner(token, None, keys, options)
}

/// Verifies a compact JWS whose payload is detached (`header..signature`), with the payload
/// supplied separately.
///
/// # Errors
/// [`JwsError`] describing the first check that failed.
pub fn verify_detached(
    token: &str,
    payload: &[u8],
    keys: &(impl KeyResolver + ?Sized),
    options: &VerifyOptions,
) -> Result<VerifiedJws, JwsError> {
    verify_inner(token, Some(payload), keys, options)
}

/// Splits a compact serialization into its three parts, checking the size first.
pub(crate) fn split(token: &str, max: usize) -> Result<(&str, &str, &str), JwsError> {
    if token.len() > max {
        return Err(JwsError::TooLarge {
            max,
            actual: token.len(),
        });
    }
    let mut parts = token.splitn(4, '.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) => Ok((h, p, s)),
        (_, _, _, Some(_)) => Err(JwsError::Malformed(
            "a compact JWS has exactly three parts; found more",
        )),
        _ => Err(JwsError::Malformed(
            "a compact JWS has exactly three parts separated by '.'",
        )),
    }
}

fn verify_inner(
    token: &str,
    detached: Option<&[u8]>,
    keys: &(impl KeyResolver + ?Sized),
    options: &VerifyOptions,
) -> Result<VerifiedJws, JwsError> {
    let trimmed = token.strip_prefix('{');
    if trimmed.is_some() {
        return Err(JwsError::Malformed(
            "expected the compact serialization, found JSON",
        ));
    }
    let (header, payload, signature) = split(token, options.size_limits().max_input_bytes)?;
    if header.is_empty() {
        return Err(JwsError::Malformed("the protected header is empty"));
    }
    let input = VerifyInput {
        protected_b64: header,
        unprotected: None,
        payload_text: payload,
        detached,
        signature_b64: signature,
        // The signing input of an attached compact JWS is its own prefix (up to the last
        // `.`, which `split` found): no copy needed, and no byte-offset slicing.
        attached_signing_input: token
            .rsplit_once('.')
            .map(|(signing_input, _)| signing_input),
    };
    verify_one(&input, keys, options, 0)
}
