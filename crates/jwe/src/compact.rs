//! The JWE Compact Serialization (RFC 7516 §7.1):
//! `header.encrypted_key.iv.ciphertext.tag`.
//!
//! ```
//! use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
//! use jose_core::jwk::Jwk;
//! use jwe::{DecryptOptions, EncryptionKey, compact};
//!
//! // The recipient's key pair; the sender has only the public half.
//! let private = Jwk::generate(KeyManagementAlgorithm::EcdhEsA256Kw)?;
//! let to = EncryptionKey::new(private.to_public()?, KeyManagementAlgorithm::EcdhEsA256Kw)?;
//!
//! let token = compact::CompactEncrypt::new(b"hello", ContentEncryptionAlgorithm::A256Gcm)
//!     .encrypt(&to)?;
//!
//! // The key's `alg` member says which algorithm it accepts.
//! let decrypted = compact::decrypt(&token, &private, &DecryptOptions::new())?;
//! assert_eq!(decrypted.plaintext(), b"hello");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::decrypt::{Parsed, ParsedRecipient};
use crate::encrypt::{FixedContent, Placement, Protected, Request};
use crate::{DecryptOptions, DecryptedJwe, EncryptionKey, JweError, KeySource};
use jose_core::alg::ContentEncryptionAlgorithm;
use jose_core::b64;
use jose_core::header::JweHeader;
use std::borrow::Cow;

/// Builds a compact JWE for one recipient.
#[derive(Clone, Debug)]
#[must_use]
pub struct CompactEncrypt<'a> {
    plaintext: &'a [u8],
    enc: ContentEncryptionAlgorithm,
    header: JweHeader,
    protected_json: Option<String>,
    zip: bool,
    include_kid: bool,
    fixed: FixedContent,
}

impl<'a> CompactEncrypt<'a> {
    /// Starts a JWE of `plaintext`, encrypted with `enc`.
    pub fn new(plaintext: &'a [u8], enc: ContentEncryptionAlgorithm) -> Self {
        Self {
            plaintext,
            enc,
            header: JweHeader::default(),
            protected_json: None,
            zip: false,
            include_kid: true,
            fixed: FixedContent::default(),
        }
    }

    /// Sets parameters of the protected header (`typ`, `cty`, extensions). `alg`, `enc` and
    /// the algorithm's parameters are added; if set here they must agree with the key.
    pub fn header(mut self, header: JweHeader) -> Self {
        self.header = header;
        self
    }

    /// Uses this exact JSON text as the protected header (validated strictly); it must already
    /// hold every parameter, and each must agree with the key. For reproducing published
    /// examples byte for byte.
    pub fn protected_json(mut self, json: impl Into<String>) -> Self {
        self.protected_json = Some(json.into());
        self
    }

    /// Compresses the plaintext with DEFLATE before encrypting (`zip: DEF`).
    ///
    /// Compressing before encrypting leaks information about the plaintext through the length
    /// of the ciphertext when an attacker can influence part of it (CRIME, BREACH); use it
    /// only for content no attacker contributes to.
    pub fn zip(mut self) -> Self {
        self.zip = true;
        self
    }

    /// Does not copy the key's id into `kid`.
    pub fn omit_kid(mut self) -> Self {
        self.include_kid = false;
        self
    }

    /// Uses this content encryption key instead of a fresh random one.
    ///
    /// **For tests and vector generators only.**
    #[cfg(feature = "fixed-randomness-for-tests")]
    pub fn fixed_cek(mut self, cek: jose_core::SecretBytes) -> Self {
        self.fixed.cek = Some(cek);
        self
    }

    /// Uses this content encryption IV instead of a fresh random one.
    ///
    /// **For tests and vector generators only**: an IV reused under one key breaks AES-GCM.
    #[cfg(feature = "fixed-randomness-for-tests")]
    pub fn fixed_iv(mut self, iv: impl Into<Vec<u8>>) -> Self {
        self.fixed.iv = Some(iv.into());
        self
    }

    /// Encrypts to `key`.
    ///
    /// # Errors
    /// [`JweError`] when the header conflicts with the key, the key does not fit, or the
    /// operating system's randomness fails.
    pub fn encrypt(self, key: &EncryptionKey) -> Result<String, JweError> {
        let protected = match self.protected_json {
            Some(text) => Protected::Json(text),
            None => Protected::Header(Box::new(self.header)),
        };
        let e = crate::encrypt::encrypt(Request {
            plaintext: self.plaintext,
            enc: self.enc,
            protected,
            shared: None,
            aad: None,
            zip: self.zip,
            include_kid: self.include_kid,
            recipients: vec![(key, None)],
            placement: Placement::Protected,
            json: false,
            fixed: self.fixed,
        })?;
        if e.protected_b64.is_empty() {
            return Err(JweError::Encrypt("a compact JWE needs a protected header"));
        }
        let encrypted_key = e.recipients.first().map_or(&[][..], |(_, k)| k.as_slice());
        let mut out = String::with_capacity(
            e.protected_b64.len()
                + b64::encoded_len(encrypted_key.len())
                + b64::encoded_len(e.iv.len())
                + b64::encoded_len(e.ciphertext.len())
                + b64::encoded_len(e.tag.len())
                + 4,
        );
        out.push_str(&e.protected_b64);
        out.push('.');
        b64::encode_into_vartime(encrypted_key, &mut out);
        out.push('.');
        b64::encode_into_vartime(&e.iv, &mut out);
        out.push('.');
        b64::encode_into_vartime(&e.ciphertext, &mut out);
        out.push('.');
        b64::encode_into_vartime(&e.tag, &mut out);
        Ok(out)
    }
}

/// Splits a compact serialization into its five parts, checking the size first.
pub(crate) fn split(token: &str, max: usize) -> Result<[&str; 5], JweError> {
    if token.len() > max {
        return Err(JweError::TooLarge {
            max,
            actual: token.len(),
        });
    }
    if token.starts_with('{') {
        return Err(JweError::Malformed(
            "expected the compact serialization, found JSON",
        ));
    }
    let mut parts = token.splitn(6, '.');
    let mut out = [""; 5];
    for slot in &mut out {
        *slot = parts.next().ok_or(JweError::Malformed(
            "a compact JWE has exactly five parts separated by '.'",
        ))?;
    }
    if parts.next().is_some() {
        return Err(JweError::Malformed(
            "a compact JWE has exactly five parts; found more",
        ));
    }
    if out[0].is_empty() {
        return Err(JweError::Malformed("the protected header is empty"));
    }
    Ok(out)
}

/// Decrypts a compact JWE.
///
/// The JSON serializations are refused here; use [`crate::json::decrypt`] for those, or
/// [`crate::decrypt`] for either.
///
/// # Errors
/// [`JweError`] describing the first check that failed.
pub fn decrypt(
    token: &str,
    keys: &(impl KeySource + ?Sized),
    options: &DecryptOptions,
) -> Result<DecryptedJwe, JweError> {
    let [protected, encrypted_key, iv, ciphertext, tag] =
        split(token, options.size_limits().max_input_bytes)?;
    let parsed = Parsed {
        protected_b64: Cow::Borrowed(protected),
        shared: None,
        recipients: vec![ParsedRecipient {
            header: None,
            encrypted_key: Cow::Borrowed(encrypted_key),
        }],
        iv: Cow::Borrowed(iv),
        ciphertext: Cow::Borrowed(ciphertext),
        tag: Cow::Borrowed(tag),
        aad: None,
    };
    crate::decrypt::decrypt(&parsed, keys, options)
}
