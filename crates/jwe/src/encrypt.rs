//! Encryption, shared by every serialization (RFC 7516 §5.1).
//!
//! The caller's headers are authoritative: a parameter the caller placed (in the protected,
//! shared or per-recipient header) stays where it is and must agree with what the key
//! management produces; parameters the caller did not place go to the protected header
//! (compact, flattened) or the per-recipient header (general). Every recipient's joint
//! header is checked the way a recipient would check it before anything is encrypted.

use crate::alg::{self, PartyInfo};
use crate::{EncryptionKey, JweError, enc, zip};
use jose_core::SecretBytes;
use jose_core::alg::ContentEncryptionAlgorithm;
use jose_core::b64;
use jose_core::backend::Backend;
use jose_core::header::{self, JweHeader};
use jose_core::json::{self, JsonLimits};
use serde_json::{Map, Value};

/// Where parameters the caller did not place go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Placement {
    /// The protected header (compact and flattened serializations).
    Protected,
    /// Each recipient's unprotected header (general serialization).
    PerRecipient,
}

/// The protected header as the caller gave it.
#[derive(Clone, Debug)]
pub(crate) enum Protected {
    /// Parameters; the library serializes them and may add to them.
    Header(Box<JweHeader>),
    /// Exact JSON text, for reproducing published examples byte for byte; nothing is added.
    Json(String),
}

/// Values a test fixed in place of fresh randomness.
#[derive(Clone, Debug, Default)]
pub(crate) struct FixedContent {
    pub(crate) cek: Option<SecretBytes>,
    pub(crate) iv: Option<Vec<u8>>,
}

/// Everything needed to encrypt.
pub(crate) struct Request<'a> {
    pub(crate) plaintext: &'a [u8],
    pub(crate) enc: ContentEncryptionAlgorithm,
    pub(crate) protected: Protected,
    pub(crate) shared: Option<Map<String, Value>>,
    pub(crate) aad: Option<&'a [u8]>,
    pub(crate) zip: bool,
    pub(crate) include_kid: bool,
    pub(crate) recipients: Vec<(&'a EncryptionKey, Option<Map<String, Value>>)>,
    pub(crate) placement: Placement,
    /// Whether parameters may go into unprotected headers (not in the compact form).
    pub(crate) json: bool,
    pub(crate) fixed: FixedContent,
}

/// One recipient's output: its unprotected header and its encrypted key.
pub(crate) type RecipientOutput = (Option<Map<String, Value>>, Vec<u8>);

/// The encrypted parts, ready to serialize.
pub(crate) struct Encrypted {
    pub(crate) protected_b64: String,
    pub(crate) shared: Option<Map<String, Value>>,
    pub(crate) recipients: Vec<RecipientOutput>,
    pub(crate) aad_b64: Option<String>,
    pub(crate) iv: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
    pub(crate) tag: Vec<u8>,
}

/// Header parameter names the key management may produce, as static strings for errors.
fn static_name(name: &str) -> &'static str {
    match name {
        "alg" => "alg",
        "kid" => "kid",
        "epk" => "epk",
        "apu" => "apu",
        "apv" => "apv",
        "iv" => "iv",
        "tag" => "tag",
        "p2s" => "p2s",
        "p2c" => "p2c",
        "enc" => "enc",
        "zip" => "zip",
        _ => "header",
    }
}

/// Reads a base64url parameter the caller placed.
fn caller_b64(
    caller: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<Vec<u8>>, JweError> {
    match caller.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => b64::decode(s)
            .map(Some)
            .map_err(|source| JweError::Base64 { part: name, source }),
        Some(_) => Err(JweError::InvalidParameter {
            name,
            reason: "must be a base64url string",
        }),
    }
}

fn random(len: usize) -> Result<Vec<u8>, JweError> {
    let mut bytes = vec![0u8; len];
    jose_core::rand::fill(&mut bytes).map_err(|_| JweError::Random)?;
    Ok(bytes)
}

/// A recipient as the caller gave it: its key and its unprotected header.
type Recipient<'a> = (&'a EncryptionKey, Option<Map<String, Value>>);

pub(crate) fn encrypt(request: Request<'_>) -> Result<Encrypted, JweError> {
    let Request {
        plaintext,
        enc,
        protected,
        shared,
        aad,
        zip: want_zip,
        include_kid,
        mut recipients,
        placement,
        json,
        fixed,
    } = request;
    check_recipient_count(&recipients, placement)?;
    let (mut protected, protected_text) = protected_members(protected)?;
    let fixed_protected = protected_text.is_some();
    let compress = place_zip(
        &mut protected,
        shared.as_ref(),
        &recipients,
        want_zip,
        fixed_protected,
    )?;
    place_enc(
        &mut protected,
        shared.as_ref(),
        &recipients,
        enc,
        fixed_protected,
    )?;
    let direct = recipients.iter().any(|(k, _)| alg::is_direct(k.alg()));
    if direct && recipients.len() > 1 {
        return Err(JweError::Encrypt(
            "dir and ECDH-ES determine the content encryption key: only one recipient",
        ));
    }
    // What the caller placed, per recipient; also checks that the caller's headers are
    // disjoint.
    let callers = recipients
        .iter()
        .map(|(_, h)| {
            let mut parts = vec![&protected];
            parts.extend(shared.as_ref());
            parts.extend(h.as_ref());
            header::merge_disjoint(parts).map_err(JweError::from)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (cek, produced) = manage_keys(&recipients, &callers, enc, &fixed)?;
    let placing = Placing {
        placement,
        fixed_protected,
        json,
        include_kid,
    };
    let out_recipients =
        placing.place_produced(&mut protected, &mut recipients, &callers, produced)?;
    check_recipient_headers(&protected, shared.as_ref(), &out_recipients)?;

    let protected_b64 = match &protected_text {
        Some(text) => b64::encode(text.as_bytes()),
        None if protected.is_empty() => String::new(),
        None => b64::encode(Value::Object(protected).to_string().as_bytes()),
    };
    let aad_b64 = aad.map(b64::encode);
    let full_aad = match &aad_b64 {
        None => protected_b64.clone().into_bytes(),
        Some(a) => [protected_b64.as_bytes(), b".", a.as_bytes()].concat(),
    };
    // The content is encrypted on the first recipient's backend.
    let backend = recipients
        .first()
        .map_or_else(Backend::default, |(k, _)| k.backend());
    let content = Content {
        backend,
        enc,
        cek: &cek,
        aad: &full_aad,
        compress,
    };
    let Sealed {
        iv,
        ciphertext,
        tag,
    } = content.encrypt(plaintext, fixed.iv)?;
    Ok(Encrypted {
        protected_b64,
        shared,
        recipients: out_recipients,
        aad_b64,
        iv,
        ciphertext,
        tag,
    })
}

/// At least one recipient, and only one in the compact and flattened serializations.
fn check_recipient_count(
    recipients: &[Recipient<'_>],
    placement: Placement,
) -> Result<(), JweError> {
    if recipients.is_empty() {
        return Err(JweError::Encrypt("a JWE needs at least one recipient"));
    }
    if placement == Placement::Protected && recipients.len() > 1 {
        return Err(JweError::Encrypt(
            "several recipients need the general JSON serialization",
        ));
    }
    Ok(())
}

/// The protected header's members, and its exact text when the caller fixed it.
fn protected_members(
    protected: Protected,
) -> Result<(Map<String, Value>, Option<String>), JweError> {
    Ok(match protected {
        Protected::Header(h) => (h.to_map(), None),
        // An empty text means no protected header at all (JSON serializations only).
        Protected::Json(text) if text.is_empty() => (Map::new(), Some(text)),
        Protected::Json(text) => (
            json::parse_object(text.as_bytes(), &JsonLimits::HEADER)?,
            Some(text),
        ),
    })
}

/// The unprotected headers the caller gave: the shared one, then each recipient's.
fn unprotected<'h>(
    shared: Option<&'h Map<String, Value>>,
    recipients: &'h [Recipient<'_>],
) -> impl Iterator<Item = &'h Map<String, Value>> {
    shared
        .into_iter()
        .chain(recipients.iter().filter_map(|(_, h)| h.as_ref()))
}

/// `zip` only in the protected header, added there when compression is asked for; whether
/// the content is compressed.
fn place_zip(
    protected: &mut Map<String, Value>,
    shared: Option<&Map<String, Value>>,
    recipients: &[Recipient<'_>],
    want_zip: bool,
    fixed_protected: bool,
) -> Result<bool, JweError> {
    if unprotected(shared, recipients).any(|u| u.contains_key("zip")) {
        return Err(JweError::InvalidParameter {
            name: "zip",
            reason: "must be in the protected header",
        });
    }
    if want_zip && !protected.contains_key("zip") {
        if fixed_protected {
            return Err(JweError::Encrypt(
                "the protected header text has no \"zip\" but compression was asked for",
            ));
        }
        protected.insert("zip".into(), Value::String("DEF".into()));
    }
    Ok(protected.contains_key("zip"))
}

/// `enc`: where the caller put it, it must agree; otherwise it goes into the protected
/// header.
fn place_enc(
    protected: &mut Map<String, Value>,
    shared: Option<&Map<String, Value>>,
    recipients: &[Recipient<'_>],
    enc: ContentEncryptionAlgorithm,
    fixed_protected: bool,
) -> Result<(), JweError> {
    let enc_value = Value::String(enc.as_str().into());
    let mut enc_placed = false;
    for h in std::iter::once(&*protected).chain(unprotected(shared, recipients)) {
        match h.get("enc") {
            Some(v) if *v == enc_value => enc_placed = true,
            Some(_) => {
                return Err(JweError::InvalidParameter {
                    name: "enc",
                    reason: "differs from the content encryption algorithm being used",
                });
            }
            None => {}
        }
    }
    if !enc_placed {
        if fixed_protected {
            return Err(JweError::Encrypt(
                "the headers do not state \"enc\" and the protected header text is fixed",
            ));
        }
        protected.insert("enc".into(), enc_value);
    }
    Ok(())
}

/// What one recipient's key management produced: its encrypted key and header parameters.
type Produced = (Vec<u8>, alg::Params);

/// The CEK, and what each recipient's key management produced.
fn manage_keys(
    recipients: &[Recipient<'_>],
    callers: &[Map<String, Value>],
    enc: ContentEncryptionAlgorithm,
    fixed: &FixedContent,
) -> Result<(SecretBytes, Vec<Produced>), JweError> {
    let mut cek: Option<SecretBytes> = None;
    let mut produced: Vec<Produced> = Vec::with_capacity(recipients.len());
    for ((key, _), caller) in recipients.iter().zip(callers) {
        let apu = key.apu().map(<[u8]>::to_vec).or(caller_b64(caller, "apu")?);
        let apv = key.apv().map(<[u8]>::to_vec).or(caller_b64(caller, "apv")?);
        let party = PartyInfo {
            apu: apu.as_deref(),
            apv: apv.as_deref(),
        };
        if alg::is_direct(key.alg()) {
            let (derived, params) = alg::direct_cek(key, enc, party)?;
            if fixed.cek.as_ref().is_some_and(|f| *f != derived) {
                return Err(JweError::Encrypt(
                    "dir and ECDH-ES determine the CEK; a different fixed CEK was given",
                ));
            }
            cek = Some(derived);
            produced.push((Vec::new(), params));
        } else {
            if cek.is_none() {
                cek = Some(fresh_cek(enc, fixed)?);
            }
            let Some(cek) = cek.as_ref() else {
                return Err(JweError::Encrypt("no content encryption key"));
            };
            produced.push(alg::wrap(key, cek, party)?);
        }
    }
    let cek = cek.ok_or(JweError::Encrypt("no content encryption key"))?;
    Ok((cek, produced))
}

/// A random CEK for `enc`, or the one a test fixed (of the right length).
fn fresh_cek(
    enc: ContentEncryptionAlgorithm,
    fixed: &FixedContent,
) -> Result<SecretBytes, JweError> {
    let c = match &fixed.cek {
        Some(c) => c.clone(),
        None => SecretBytes::new(random(enc.key_len())?),
    };
    if c.len() != enc.key_len() {
        return Err(JweError::CekLength {
            enc,
            expected: enc.key_len(),
            actual: c.len(),
        });
    }
    Ok(c)
}

/// Where the parameters the key management produced go.
struct Placing {
    placement: Placement,
    fixed_protected: bool,
    json: bool,
    include_kid: bool,
}

impl Placing {
    /// Places the produced parameters (`alg`, `kid` and the key management's), each in the
    /// protected header or the recipient's header unless the caller placed it with the same
    /// value; each recipient's output.
    fn place_produced(
        &self,
        protected: &mut Map<String, Value>,
        recipients: &mut [Recipient<'_>],
        callers: &[Map<String, Value>],
        produced: Vec<Produced>,
    ) -> Result<Vec<RecipientOutput>, JweError> {
        let mut out_recipients = Vec::with_capacity(recipients.len());
        for (((key, header), caller), (encrypted_key, params)) in
            recipients.iter_mut().zip(callers).zip(produced)
        {
            let mut items: Vec<(String, Value)> = vec![("alg".into(), key.alg().as_str().into())];
            if self.include_kid
                && !caller.contains_key("kid")
                && let Some(kid) = key.kid()
            {
                items.push(("kid".into(), Value::String(kid.into())));
            }
            items.extend(params);
            for (name, value) in items {
                self.place(protected, header, caller, name, value)?;
            }
            out_recipients.push((header.take(), encrypted_key));
        }
        Ok(out_recipients)
    }

    /// Places one produced parameter.
    fn place(
        &self,
        protected: &mut Map<String, Value>,
        header: &mut Option<Map<String, Value>>,
        caller: &Map<String, Value>,
        name: String,
        value: Value,
    ) -> Result<(), JweError> {
        if let Some(existing) = caller.get(&name) {
            if *existing != value {
                return Err(JweError::InvalidParameter {
                    name: static_name(&name),
                    reason: "was set by the caller to another value than the key management produced",
                });
            }
            return Ok(());
        }
        if self.placement == Placement::Protected && !self.fixed_protected {
            protected.insert(name, value);
        } else if self.json {
            header.get_or_insert_with(Map::new).insert(name, value);
        } else {
            return Err(JweError::Encrypt(
                "the protected header text lacks a parameter the key management produced",
            ));
        }
        Ok(())
    }
}

/// Checks every recipient's joint header as a recipient will.
fn check_recipient_headers(
    protected: &Map<String, Value>,
    shared: Option<&Map<String, Value>>,
    recipients: &[RecipientOutput],
) -> Result<(), JweError> {
    for (h, _) in recipients {
        let mut parts = vec![protected];
        parts.extend(shared);
        parts.extend(h.as_ref());
        JweHeader::from_map(header::merge_disjoint(parts)?)?;
    }
    Ok(())
}

/// The content encryption, once the headers are settled.
struct Content<'a> {
    backend: Backend,
    enc: ContentEncryptionAlgorithm,
    cek: &'a SecretBytes,
    aad: &'a [u8],
    compress: bool,
}

impl Content<'_> {
    /// Encrypts with the IV a test fixed, or a fresh one.
    fn encrypt(&self, plaintext: &[u8], fixed_iv: Option<Vec<u8>>) -> Result<Sealed, JweError> {
        let iv = match fixed_iv {
            Some(iv) => iv,
            None => random(self.enc.iv_len())?,
        };
        enc::check_iv(self.enc, &iv)?;
        // One buffer: the plaintext is copied (or compressed) into it once, with room for the
        // CBC padding, and encrypted in place.
        let mut buf = if self.compress {
            let mut b = zip::compress(plaintext)?;
            b.reserve(16);
            b
        } else {
            let mut b = Vec::with_capacity(plaintext.len() + 16);
            b.extend_from_slice(plaintext);
            b
        };
        let tag = enc::encrypt(
            self.backend,
            self.enc,
            self.cek.expose(),
            &iv,
            self.aad,
            &mut buf,
        )?;
        Ok(Sealed {
            iv,
            ciphertext: buf,
            tag,
        })
    }
}

/// The encrypted content.
struct Sealed {
    iv: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
}
