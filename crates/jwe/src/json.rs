//! The JWE JSON Serialization (RFC 7516 §7.2): general (several recipients) and flattened.
//!
//! ```
//! use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
//! use jose_core::header::JweHeader;
//! use jose_core::jwk::{Jwk, JwkSet};
//! use jwe::{DecryptOptions, EncryptionKey, json::JsonEncrypt};
//!
//! let alice = Jwk::generate(KeyManagementAlgorithm::A256Kw)?.with_kid("alice");
//! let bob = Jwk::generate(KeyManagementAlgorithm::EcdhEsA128Kw)?.with_kid("bob");
//! let to_alice = EncryptionKey::from_jwk(alice.clone())?;
//! let to_bob = EncryptionKey::from_jwk(bob.to_public()?)?;
//!
//! let jwe = JsonEncrypt::new(b"for both of you", ContentEncryptionAlgorithm::A128CbcHs256)
//!     .unprotected(JweHeader::default().with_cty("text/plain"))
//!     .aad(b"authenticated, not encrypted")
//!     .recipient(&to_alice)
//!     .recipient(&to_bob)
//!     .encrypt_general()?;
//!
//! // Bob holds only his own key: the second recipient decrypts.
//! let keys = JwkSet::new(vec![bob])?;
//! let decrypted = jwe::json::decrypt(&jwe.to_string(), &keys, &DecryptOptions::new())?;
//! assert_eq!(decrypted.plaintext(), b"for both of you");
//! assert_eq!(decrypted.recipient_index(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::decrypt::{Parsed, ParsedRecipient};
use crate::encrypt::{Encrypted, FixedContent, Placement, Protected, Request};
use crate::{DecryptOptions, DecryptedJwe, EncryptionKey, JweError, KeySource};
use jose_core::alg::ContentEncryptionAlgorithm;
use jose_core::b64;
use jose_core::header::JweHeader;
use jose_core::json::{self, JsonLimits};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Builds a JSON-serialized JWE for one or more recipients.
#[derive(Clone, Debug)]
#[must_use]
pub struct JsonEncrypt<'a> {
    plaintext: &'a [u8],
    enc: ContentEncryptionAlgorithm,
    protected: JweHeader,
    protected_json: Option<String>,
    unprotected: Option<JweHeader>,
    aad: Option<&'a [u8]>,
    zip: bool,
    include_kid: bool,
    recipients: Vec<(&'a EncryptionKey, Option<JweHeader>)>,
    fixed: FixedContent,
}

impl<'a> JsonEncrypt<'a> {
    /// Starts a JWE of `plaintext`, encrypted with `enc`.
    pub fn new(plaintext: &'a [u8], enc: ContentEncryptionAlgorithm) -> Self {
        Self {
            plaintext,
            enc,
            protected: JweHeader::default(),
            protected_json: None,
            unprotected: None,
            aad: None,
            zip: false,
            include_kid: true,
            recipients: Vec::new(),
            fixed: FixedContent::default(),
        }
    }

    /// Sets parameters of the protected header (`enc` is added unless a header states it).
    pub fn protected(mut self, header: JweHeader) -> Self {
        self.protected = header;
        self
    }

    /// Uses this exact JSON text as the protected header (validated strictly). Nothing is
    /// added to it; parameters it lacks go to the unprotected headers. For reproducing
    /// published examples byte for byte.
    pub fn protected_json(mut self, json: impl Into<String>) -> Self {
        self.protected_json = Some(json.into());
        self
    }

    /// Sets the shared unprotected header (`unprotected`), which applies to every recipient
    /// but is not integrity protected.
    pub fn unprotected(mut self, header: JweHeader) -> Self {
        self.unprotected = Some(header);
        self
    }

    /// Sets additional authenticated data (`aad`): authenticated by the tag, not encrypted.
    pub fn aad(mut self, aad: &'a [u8]) -> Self {
        self.aad = Some(aad);
        self
    }

    /// Compresses the plaintext with DEFLATE before encrypting (`zip: DEF`, which goes into
    /// the protected header). See [`crate::compact::CompactEncrypt::zip`] for when not to.
    pub fn zip(mut self) -> Self {
        self.zip = true;
        self
    }

    /// Does not copy keys' ids into `kid`.
    pub fn omit_kid(mut self) -> Self {
        self.include_kid = false;
        self
    }

    /// Adds a recipient. Its algorithm's parameters (`alg`, `kid`, `epk`, ...) go to its
    /// per-recipient header in the general serialization and to the protected header in the
    /// flattened one.
    pub fn recipient(mut self, key: &'a EncryptionKey) -> Self {
        self.recipients.push((key, None));
        self
    }

    /// Adds a recipient with parameters of its own unprotected header. Parameters placed here
    /// stay here; those the key management produces must agree with them.
    pub fn recipient_with_header(mut self, key: &'a EncryptionKey, header: JweHeader) -> Self {
        self.recipients.push((key, Some(header)));
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

    fn run(self, placement: Placement) -> Result<Encrypted, JweError> {
        let protected = match self.protected_json {
            Some(text) => Protected::Json(text),
            None => Protected::Header(Box::new(self.protected)),
        };
        crate::encrypt::encrypt(Request {
            plaintext: self.plaintext,
            enc: self.enc,
            protected,
            shared: self.unprotected.map(|h| h.to_map()),
            aad: self.aad,
            zip: self.zip,
            include_kid: self.include_kid,
            recipients: self
                .recipients
                .into_iter()
                .map(|(k, h)| (k, h.map(|h| h.to_map())))
                .collect(),
            placement,
            json: true,
            fixed: self.fixed,
        })
    }

    /// The general JSON serialization: `{"protected", "unprotected", "recipients": [...],
    /// "aad", "iv", "ciphertext", "tag"}`.
    ///
    /// # Errors
    /// [`JweError`] when there is no recipient, headers conflict or overlap, a key does not
    /// fit, or `dir` / `ECDH-ES` is combined with other recipients.
    pub fn encrypt_general(self) -> Result<Value, JweError> {
        let e = self.run(Placement::PerRecipient)?;
        let mut out = Map::new();
        let recipients = e
            .recipients
            .iter()
            .map(|(header, key)| Value::Object(recipient_members(header.as_ref(), key)))
            .collect();
        common_members(&e, &mut out);
        out.insert("recipients".into(), Value::Array(recipients));
        content_members(e, &mut out);
        Ok(Value::Object(out))
    }

    /// The flattened JSON serialization (exactly one recipient): the recipient's `header` and
    /// `encrypted_key` at the top level.
    ///
    /// # Errors
    /// [`JweError::Encrypt`] unless there is exactly one recipient, or as
    /// [`JsonEncrypt::encrypt_general`].
    pub fn encrypt_flattened(self) -> Result<Value, JweError> {
        if self.recipients.len() != 1 {
            return Err(JweError::Encrypt(
                "the flattened serialization has exactly one recipient",
            ));
        }
        let e = self.run(Placement::Protected)?;
        let mut out = Map::new();
        common_members(&e, &mut out);
        if let Some((header, key)) = e.recipients.first() {
            out.extend(recipient_members(header.as_ref(), key));
        }
        content_members(e, &mut out);
        Ok(Value::Object(out))
    }
}

fn recipient_members(header: Option<&Map<String, Value>>, key: &[u8]) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(h) = header {
        m.insert("header".into(), Value::Object(h.clone()));
    }
    // RFC 7516 §7.2.1: absent when the encrypted key is empty.
    if !key.is_empty() {
        m.insert(
            "encrypted_key".into(),
            Value::String(b64::encode_vartime(key)),
        );
    }
    m
}

fn common_members(e: &Encrypted, out: &mut Map<String, Value>) {
    if !e.protected_b64.is_empty() {
        out.insert("protected".into(), Value::String(e.protected_b64.clone()));
    }
    if let Some(shared) = &e.shared {
        out.insert("unprotected".into(), Value::Object(shared.clone()));
    }
}

fn content_members(e: Encrypted, out: &mut Map<String, Value>) {
    if let Some(aad) = e.aad_b64 {
        out.insert("aad".into(), Value::String(aad));
    }
    out.insert("iv".into(), Value::String(b64::encode_vartime(&e.iv)));
    out.insert(
        "ciphertext".into(),
        Value::String(b64::encode_vartime(&e.ciphertext)),
    );
    out.insert("tag".into(), Value::String(b64::encode_vartime(&e.tag)));
}

/// The JSON members, borrowed from the input where no escape forces a copy.
#[derive(Deserialize)]
struct RawJwe<'a> {
    #[serde(borrow, default)]
    protected: Option<Cow<'a, str>>,
    #[serde(default)]
    unprotected: Option<Map<String, Value>>,
    #[serde(borrow, default)]
    recipients: Option<Vec<RawRecipient<'a>>>,
    #[serde(default)]
    header: Option<Map<String, Value>>,
    #[serde(borrow, default)]
    encrypted_key: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    aad: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    iv: Option<Cow<'a, str>>,
    #[serde(borrow)]
    ciphertext: Cow<'a, str>,
    #[serde(borrow, default)]
    tag: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct RawRecipient<'a> {
    #[serde(default)]
    header: Option<Map<String, Value>>,
    #[serde(borrow, default)]
    encrypted_key: Option<Cow<'a, str>>,
}

fn parse<'a>(input: &'a str, options: &DecryptOptions) -> Result<Parsed<'a>, JweError> {
    let max = options.size_limits().max_input_bytes;
    if input.len() > max {
        return Err(JweError::TooLarge {
            max,
            actual: input.len(),
        });
    }
    // Strict first (duplicates, grammar, depth), then typed, borrowing the long strings.
    json::validate(
        input.as_bytes(),
        &JsonLimits {
            max_bytes: max,
            max_depth: 20,
        },
    )?;
    if !input.trim_start().starts_with('{') {
        return Err(JweError::Json(json::JsonError::NotAnObject));
    }
    let raw: RawJwe<'a> =
        serde_json::from_str(input).map_err(|e| JweError::Json(json::schema_error(&e)))?;
    let recipients = match raw.recipients {
        Some(items) => {
            if raw.header.is_some() || raw.encrypted_key.is_some() {
                return Err(JweError::Malformed(
                    "general serialization with top-level recipient members",
                ));
            }
            if items.is_empty() {
                return Err(JweError::Malformed("\"recipients\" is empty"));
            }
            let max = options.size_limits().max_recipients;
            if items.len() > max {
                return Err(JweError::TooManyRecipients {
                    max,
                    actual: items.len(),
                });
            }
            items
                .into_iter()
                .map(|r| ParsedRecipient {
                    header: r.header,
                    encrypted_key: r.encrypted_key.unwrap_or_default(),
                })
                .collect()
        }
        None => vec![ParsedRecipient {
            header: raw.header,
            encrypted_key: raw.encrypted_key.unwrap_or_default(),
        }],
    };
    if raw.protected.as_deref() == Some("") {
        // RFC 7516 §7.2.1: an empty protected header is expressed by omitting the member.
        return Err(JweError::Malformed("\"protected\" is empty"));
    }
    let protected_b64 = raw.protected.unwrap_or_default();
    if protected_b64.is_empty()
        && raw.unprotected.as_ref().is_none_or(Map::is_empty)
        && recipients
            .iter()
            .all(|r| r.header.as_ref().is_none_or(Map::is_empty))
    {
        return Err(JweError::Malformed("the JWE has no header"));
    }
    Ok(Parsed {
        protected_b64,
        shared: raw.unprotected,
        recipients,
        iv: raw.iv.ok_or(JweError::Malformed("the JWE has no \"iv\""))?,
        ciphertext: raw.ciphertext,
        tag: raw
            .tag
            .ok_or(JweError::Malformed("the JWE has no \"tag\""))?,
        aad: raw.aad,
    })
}

/// Decrypts a general or flattened JSON JWE with a key for any one of its recipients, and
/// reports which recipient it was.
///
/// # Errors
/// [`JweError`]: the first failure of a recipient the key source had a key for; otherwise
/// why no recipient could be tried.
pub fn decrypt(
    input: &str,
    keys: &(impl KeySource + ?Sized),
    options: &DecryptOptions,
) -> Result<DecryptedJwe, JweError> {
    let parsed = parse(input, options)?;
    crate::decrypt::decrypt(&parsed, keys, options)
}
