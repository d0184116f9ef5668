//! Decryption, shared by every serialization (RFC 7516 §5.2).
//!
//! Order of the checks: the structure and the headers of *every* recipient (strict JSON,
//! disjointness, `crit`, `zip` only protected), then the policy (`alg`, `enc`, a key for the
//! recipient), then the sizes of IV and tag, and only then any cryptography. Work that an
//! attacker can make expensive (PBES2 iterations, decompression) is bounded by the limits
//! before it starts; PBES2 iterations also in total over the recipients one decryption tries.

use crate::key::{KeySource, SelectedKey};
use crate::options::{Limits, WorkBudget};
use crate::{DecryptOptions, DecryptedJwe, JweError, alg, enc, zip};
use jose_core::alg::ContentEncryptionAlgorithm;
use jose_core::b64;
use jose_core::header::{self, HeaderError, JWE_REGISTERED, JweHeader};
use jose_core::json::{self, JsonLimits};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// A serialization taken apart, not yet decoded.
pub(crate) struct Parsed<'a> {
    pub(crate) protected_b64: Cow<'a, str>,
    pub(crate) shared: Option<Map<String, Value>>,
    pub(crate) recipients: Vec<ParsedRecipient<'a>>,
    pub(crate) iv: Cow<'a, str>,
    pub(crate) ciphertext: Cow<'a, str>,
    pub(crate) tag: Cow<'a, str>,
    pub(crate) aad: Option<Cow<'a, str>>,
}

/// One recipient of a serialization.
pub(crate) struct ParsedRecipient<'a> {
    pub(crate) header: Option<Map<String, Value>>,
    pub(crate) encrypted_key: Cow<'a, str>,
}

fn decode(part: &'static str, text: &str) -> Result<Vec<u8>, JweError> {
    b64::decode_vartime(text).map_err(|source| JweError::Base64 { part, source })
}

/// Decodes and strictly parses a protected header; an empty one is an empty object.
pub(crate) fn parse_protected(
    protected_b64: &str,
    max: usize,
) -> Result<Map<String, Value>, JweError> {
    if protected_b64.is_empty() {
        return Ok(Map::new());
    }
    let decoded_len = b64::decoded_len(protected_b64.len());
    if decoded_len > max {
        return Err(JweError::Header(HeaderError::Json(
            json::JsonError::TooLarge {
                max,
                actual: decoded_len,
            },
        )));
    }
    let bytes = decode("protected header", protected_b64)?;
    let limits = JsonLimits {
        max_bytes: max,
        max_depth: JsonLimits::HEADER.max_depth,
    };
    json::parse_object(&bytes, &limits).map_err(|e| JweError::Header(HeaderError::Json(e)))
}

/// The joint header of every recipient, after the structural checks.
fn joint_headers(
    protected: &Map<String, Value>,
    parsed: &Parsed<'_>,
    options: &DecryptOptions,
) -> Result<Vec<JweHeader>, JweError> {
    let unprotected: Vec<&Map<String, Value>> = parsed
        .shared
        .iter()
        .chain(parsed.recipients.iter().filter_map(|r| r.header.as_ref()))
        .collect();
    // RFC 7516 §4.1.3: `zip` must be integrity protected. An unprotected `zip` is refused
    // rather than ignored, so that no two readers disagree about the plaintext.
    if unprotected.iter().any(|u| u.contains_key("zip")) {
        return Err(JweError::InvalidParameter {
            name: "zip",
            reason: "must be in the protected header",
        });
    }
    header::check_crit(
        protected,
        &unprotected,
        JWE_REGISTERED,
        &options.understood(),
    )?;
    parsed
        .recipients
        .iter()
        .map(|r| {
            let mut parts = vec![protected];
            parts.extend(parsed.shared.as_ref());
            parts.extend(r.header.as_ref());
            let joint = header::merge_disjoint(parts)?;
            let h = JweHeader::from_map(joint)?;
            if h.alg().is_none() {
                return Err(JweError::MissingAlgorithm);
            }
            Ok(h)
        })
        .collect()
}

/// A recipient the key source has a key for.
struct Candidate<'k> {
    index: usize,
    key: SelectedKey<'k>,
    kid_matches: bool,
}

pub(crate) fn decrypt(
    parsed: &Parsed<'_>,
    keys: &(impl KeySource + ?Sized),
    options: &DecryptOptions,
) -> Result<DecryptedJwe, JweError> {
    let limits = options.size_limits();
    let ReadHeaders {
        protected,
        headers,
        enc,
    } = read_headers(parsed, options)?;
    let encrypted_keys = parsed
        .recipients
        .iter()
        .map(|r| decode("encrypted key", &r.encrypted_key))
        .collect::<Result<Vec<_>, _>>()?;
    // `zip` is known to come from the protected header.
    let compressed = headers.first().is_some_and(|h| h.zip().is_some());
    if compressed && !cfg!(feature = "deflate") {
        return Err(JweError::Unsupported {
            alg: "zip DEF",
            feature: "deflate",
        });
    }
    let (candidates, policy_error) = select_candidates(&headers, keys, options)?;
    let content = Content::decode(parsed, enc)?;
    let mut buf = decode("ciphertext", &parsed.ciphertext)?;
    let opened = open_with_candidates(
        &candidates,
        &headers,
        &encrypted_keys,
        enc,
        &content,
        &mut buf,
        limits,
    );
    let index = match opened {
        Ok(index) => index,
        Err(e) => return Err(e.or(policy_error).unwrap_or(JweError::DecryptionFailed)),
    };
    let plaintext = if compressed {
        zip::decompress(&buf, limits.decompression_cap(buf.len()))?
    } else {
        buf
    };
    Ok(DecryptedJwe {
        header: headers[index].clone(),
        protected,
        plaintext,
        recipient_index: index,
        aad: content.aad,
    })
}

/// The recipient count checked, the protected header parsed, each recipient's joint header,
/// and the one content encryption algorithm they all name (and the options allow).
fn read_headers(parsed: &Parsed<'_>, options: &DecryptOptions) -> Result<ReadHeaders, JweError> {
    let limits = options.size_limits();
    if parsed.recipients.len() > limits.max_recipients {
        return Err(JweError::TooManyRecipients {
            max: limits.max_recipients,
            actual: parsed.recipients.len(),
        });
    }
    let protected = parse_protected(&parsed.protected_b64, limits.max_header_bytes)?;
    let headers = joint_headers(&protected, parsed, options)?;
    let first = headers
        .first()
        .ok_or(JweError::Malformed("a JWE needs at least one recipient"))?;
    let enc = first.enc().ok_or(JweError::MissingEncryption)?;
    if headers.iter().any(|h| h.enc() != Some(enc)) {
        return Err(JweError::Malformed(
            "the recipients disagree on the content encryption algorithm",
        ));
    }
    options.check_encryption(enc)?;
    Ok(ReadHeaders {
        protected,
        headers,
        enc,
    })
}

/// What [`read_headers`] found.
struct ReadHeaders {
    protected: Map<String, Value>,
    headers: Vec<JweHeader>,
    enc: ContentEncryptionAlgorithm,
}

/// Policy: which recipients may be tried, with which key, those naming the selected key's
/// `kid` first. No cryptography yet. With no candidate, the first policy refusal (or "no
/// key") is the error; otherwise it is handed back, to report if every attempt fails.
fn select_candidates<'k>(
    headers: &[JweHeader],
    keys: &'k (impl KeySource + ?Sized),
    options: &DecryptOptions,
) -> Result<(Vec<Candidate<'k>>, Option<JweError>), JweError> {
    let mut policy_error: Option<JweError> = None;
    let mut candidates: Vec<Candidate<'k>> = Vec::new();
    for (index, h) in headers.iter().enumerate() {
        let Some(alg) = h.alg() else { continue };
        let allowed = options.allowed_algorithms();
        if !allowed.is_empty() && !allowed.contains(&alg) {
            policy_error.get_or_insert(JweError::AlgorithmNotAllowed(alg));
            continue;
        }
        let checked = keys.select(h).and_then(|key| {
            options.check_algorithm(alg, &key)?;
            key.check(alg)?;
            Ok(key)
        });
        match checked {
            Ok(key) => candidates.push(Candidate {
                index,
                kid_matches: h.kid().is_some() && h.kid() == key.kid(),
                key,
            }),
            Err(e) => {
                policy_error.get_or_insert(e);
            }
        }
    }
    if candidates.is_empty() {
        return Err(policy_error.unwrap_or(JweError::NoKey(
            "the key source has no key for any recipient".into(),
        )));
    }
    candidates.sort_by_key(|c| !c.kid_matches);
    Ok((candidates, policy_error))
}

/// The shared parts of the content's encryption: IV, tag, `aad` and the full AAD.
struct Content<'p> {
    iv: Vec<u8>,
    tag: Vec<u8>,
    aad: Option<Vec<u8>>,
    full_aad: Cow<'p, [u8]>,
}

impl<'p> Content<'p> {
    fn decode(parsed: &'p Parsed<'_>, enc: ContentEncryptionAlgorithm) -> Result<Self, JweError> {
        let iv = decode("iv", &parsed.iv)?;
        enc::check_iv(enc, &iv)?;
        let tag = decode("tag", &parsed.tag)?;
        enc::check_tag(enc, &tag)?;
        let aad = parsed
            .aad
            .as_deref()
            .map(|a| decode("aad", a))
            .transpose()?;
        // RFC 7516 §5.2 step 14: ASCII(BASE64URL(protected)), with `.` and the `aad` member
        // in the JSON serialization.
        let full_aad: Cow<'p, [u8]> = match &parsed.aad {
            None => Cow::Borrowed(parsed.protected_b64.as_bytes()),
            Some(a) => Cow::Owned([parsed.protected_b64.as_bytes(), b".", a.as_bytes()].concat()),
        };
        Ok(Self {
            iv,
            tag,
            aad,
            full_aad,
        })
    }
}

/// Tries each candidate in turn, decrypting `buf` in place; the index of the recipient that
/// opened it. On failure, the error to report (a spent work budget before a cryptographic
/// failure), if any attempt produced one.
fn open_with_candidates(
    candidates: &[Candidate<'_>],
    headers: &[JweHeader],
    encrypted_keys: &[Vec<u8>],
    enc: ContentEncryptionAlgorithm,
    content: &Content<'_>,
    buf: &mut Vec<u8>,
    limits: &Limits,
) -> Result<usize, Option<JweError>> {
    let mut crypto_error: Option<JweError> = None;
    let mut budget_error: Option<JweError> = None;
    let mut budget = WorkBudget::new(limits);
    for (i, c) in candidates.iter().enumerate() {
        // Only a failed attempt that another one follows needs the ciphertext back.
        let another_follows = i + 1 < candidates.len();
        let h = &headers[c.index];
        let Some(alg) = h.alg() else { continue };
        let key = &encrypted_keys[c.index];
        let attempt = alg::unwrap(alg, enc, c.key, h, key, &mut budget).and_then(|cek| {
            let sealed = enc::Sealed {
                iv: &content.iv,
                aad: &content.full_aad,
                tag: &content.tag,
            };
            enc::decrypt(
                c.key.backend(),
                enc,
                cek.expose(),
                &sealed,
                buf,
                another_follows,
            )
        });
        match attempt {
            Ok(()) => return Ok(c.index),
            // The budget is spent: this recipient was not tried, which the caller must learn
            // rather than a generic failure.
            Err(e) if budget.exceeded() && budget_error.is_none() => budget_error = Some(e),
            // A failed attempt leaves `buf` holding the ciphertext when another follows.
            Err(e) => {
                crypto_error.get_or_insert(e);
            }
        }
    }
    Err(budget_error.or(crypto_error))
}
