//! Steps shared by every serialization when signing: building the protected header and
//! computing the signature.

use crate::{JwsError, Signer};
use jose_core::b64;
use jose_core::header::JwsHeader;
use jose_core::json::{self, JsonLimits};
use serde_json::{Map, Value};

/// A protected header ready to sign with.
pub(crate) struct Protected {
    /// BASE64URL(UTF8(JWS Protected Header)).
    pub(crate) encoded: String,
    /// Whether the payload is signed unencoded (`b64: false`).
    pub(crate) unencoded: bool,
}

/// Builds the protected header for `signer`.
///
/// `alg` comes from the signer (a conflicting `alg` is refused), `kid` from the signer unless
/// either header sets one or `include_kid` is false, and `b64: false` with `crit: ["b64"]` is
/// added for unencoded payloads.
pub(crate) fn build_protected(
    raw_json: Option<&str>,
    header: JwsHeader,
    unprotected: Option<&JwsHeader>,
    signer: &(impl Signer + ?Sized),
    unencoded: bool,
    include_kid: bool,
) -> Result<Protected, JwsError> {
    let alg = signer.algorithm();
    if let Some(raw) = raw_json {
        let parsed = JwsHeader::from_json(raw.as_bytes())?;
        if parsed.alg() != Some(alg) {
            return Err(JwsError::Malformed(
                "the protected header's alg differs from the signer's algorithm",
            ));
        }
        let unencoded = parsed.b64() == Some(false);
        return Ok(Protected {
            encoded: b64::encode_vartime(raw),
            unencoded,
        });
    }
    if header.alg().is_some_and(|a| a != alg) {
        return Err(JwsError::Malformed(
            "the header's alg differs from the signer's algorithm",
        ));
    }
    let unencoded = unencoded || header.b64() == Some(false);
    if !unencoded && unprotected.is_none() && is_plain(&header) {
        let kid = header
            .kid()
            .or_else(|| signer.key_id().filter(|_| include_kid));
        return plain_protected(alg, &header, kid);
    }
    let mut map: Map<String, Value> = header.to_map();
    map.insert("alg".into(), Value::String(alg.as_str().into()));
    let kid_elsewhere = map.contains_key("kid") || unprotected.is_some_and(|u| u.kid().is_some());
    if include_kid
        && !kid_elsewhere
        && let Some(kid) = signer.key_id()
    {
        map.insert("kid".into(), Value::String(kid.into()));
    }
    if unencoded {
        map.insert("b64".into(), Value::Bool(false));
        let mut crit: Vec<Value> = match map.remove("crit") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        if !crit.iter().any(|c| c == "b64") {
            crit.push(Value::String("b64".into()));
        }
        map.insert("crit".into(), Value::Array(crit));
    }
    if let Some(u) = unprotected {
        jose_core::header::merge_disjoint([&map, &u.to_map()])?;
    }
    // serde_json's writer: the same bytes as `Value`'s `Display`, without going through `fmt`.
    let text = serde_json::to_string(&map)
        .map_err(|_| JwsError::Malformed("the protected header cannot be serialized"))?;
    // What we produce must be what a strict reader accepts.
    json::validate(text.as_bytes(), &JsonLimits::HEADER)?;
    Ok(Protected {
        encoded: b64::encode_vartime(text),
        unencoded,
    })
}

/// Whether the header holds at most `alg`, `kid`, `typ` and `cty`: the headers of nearly every
/// JWT, written without a map by [`plain_protected`].
fn is_plain(header: &JwsHeader) -> bool {
    let c = header.common();
    header.b64().is_none()
        && header.extra().is_empty()
        && c.jku.is_none()
        && c.jwk.is_none()
        && c.x5u.is_none()
        && c.x5c.is_none()
        && c.x5t.is_none()
        && c.x5t_s256.is_none()
        && c.crit.is_none()
}

/// The protected header of a [plain](is_plain) header, written straight as JSON: the bytes
/// the map path writes (members in name order, strings escaped by serde_json's writer), then
/// checked by the strict reader's limits and base64url-encoded.
fn plain_protected(
    alg: jose_core::alg::JwsAlgorithm,
    header: &JwsHeader,
    kid: Option<&str>,
) -> Result<Protected, JwsError> {
    let members = [
        ("alg", Some(alg.as_str())),
        ("cty", header.cty()),
        ("kid", kid),
        ("typ", header.typ()),
    ];
    let mut text = Vec::with_capacity(64);
    text.push(b'{');
    for (name, value) in members {
        let Some(value) = value else { continue };
        if text.len() > 1 {
            text.push(b',');
        }
        text.push(b'"');
        text.extend_from_slice(name.as_bytes());
        text.extend_from_slice(b"\":");
        serde_json::to_writer(&mut text, value)
            .map_err(|_| JwsError::Malformed("the protected header cannot be serialized"))?;
    }
    text.push(b'}');
    // What we produce must be what a strict reader accepts: strings written by serde_json
    // under distinct names, one level deep, so only the size can be refused (the error the
    // strict reader gives).
    let max = JsonLimits::HEADER.max_bytes;
    if text.len() > max {
        return Err(json::JsonError::TooLarge {
            max,
            actual: text.len(),
        }
        .into());
    }
    Ok(Protected {
        encoded: b64::encode_vartime(text),
        unencoded: false,
    })
}

/// A computed signature.
pub(crate) struct SignatureParts {
    pub(crate) signing_input: Vec<u8>,
    pub(crate) signature: Vec<u8>,
}

impl SignatureParts {
    /// Signs `payload` under `protected`; with `room_for_signature`, the signing input has the
    /// capacity to take the encoded signature after it (the compact serialization).
    pub(crate) fn sign(
        protected: &Protected,
        payload: &[u8],
        signer: &(impl Signer + ?Sized),
        room_for_signature: bool,
    ) -> Result<Self, JwsError> {
        // Room for '.' and the signature, which a compact serialization appends to the
        // signing input: no reallocation there.
        let spare = if room_for_signature {
            1 + b64::encoded_len(signature_len_hint(signer.algorithm()))
        } else {
            0
        };
        let signing_input = signing_input(&protected.encoded, payload, !protected.unencoded, spare);
        let signature = signer.sign(&signing_input)?;
        Ok(Self {
            signing_input,
            signature,
        })
    }
}

/// The length of a signature by `alg` (for RSA, a 2048-bit key's): a capacity hint only.
fn signature_len_hint(alg: jose_core::alg::JwsAlgorithm) -> usize {
    use jose_core::alg::JwsAlgorithm as A;
    match alg {
        A::HS256 => 32,
        A::HS384 => 48,
        A::HS512 | A::ES256 | A::EdDSA => 64,
        A::ES384 => 96,
        A::ES512 => 132,
        _ => 256,
    }
}

/// ASCII(BASE64URL(protected)) || '.' || payload (base64url-encoded unless `b64: false`), with
/// room for `spare` more bytes.
pub(crate) fn signing_input(
    protected_b64: &str,
    payload: &[u8],
    encode: bool,
    spare: usize,
) -> Vec<u8> {
    if encode {
        // Encoded straight into the signing input: no intermediate copy of the payload.
        let mut input = String::with_capacity(
            protected_b64.len() + 1 + b64::encoded_len(payload.len()) + spare,
        );
        input.push_str(protected_b64);
        input.push('.');
        b64::encode_into_vartime(payload, &mut input);
        input.into_bytes()
    } else {
        let mut input = Vec::with_capacity(protected_b64.len() + 1 + payload.len() + spare);
        input.extend_from_slice(protected_b64.as_bytes());
        input.push(b'.');
        input.extend_from_slice(payload);
        input
    }
}
