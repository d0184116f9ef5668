//! Helpers shared by the vector kinds.

use super::format::{Basis, Common, Expect, Reason, Source};
use jose_core::alg::JwsAlgorithm;
use jose_core::b64;
use jose_core::jwk::{Jwk, JwkSet, KeyError};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Reads a JSON file under `vectors/sources/`.
pub fn source_file(relative: &str) -> Result<Value, String> {
    let path = root().join("vectors/sources").join(relative);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The repository-relative path of a file under `vectors/sources/`.
pub fn source_path(relative: &str) -> String {
    format!("vectors/sources/{relative}")
}

/// A string member, or an error naming it.
pub fn str_of<'a>(v: &'a Value, name: &str) -> Result<&'a str, String> {
    v.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("missing string member {name:?}"))
}

/// Parses a JWS algorithm name.
pub fn jws_alg(name: &str) -> Result<JwsAlgorithm, String> {
    name.parse()
        .map_err(|_| format!("unknown JWS algorithm {name:?}"))
}

/// Parses a list of JWS algorithm names.
pub fn jws_algs(names: &[String]) -> Result<Vec<JwsAlgorithm>, String> {
    names.iter().map(|n| jws_alg(n)).collect()
}

/// The names of every JWS algorithm.
pub fn all_jws_algs() -> Vec<String> {
    JwsAlgorithm::ALL
        .iter()
        .map(|a| a.as_str().to_owned())
        .collect()
}

/// base64url of text.
pub fn b64s(text: &str) -> String {
    b64::encode(text.as_bytes())
}

/// Decodes base64url, as an error string on failure.
pub fn unb64(text: &str) -> Result<Vec<u8>, String> {
    b64::decode(text).map_err(|e| format!("base64url: {e}"))
}

/// A verification key source: one JWK or a JWK Set.
#[derive(Debug)]
pub enum Keys {
    /// One key.
    One(Box<Jwk>),
    /// A set.
    Set(JwkSet),
}

impl Keys {
    /// Imports a JWK or a JWK Set.
    pub fn from_value(v: &Value) -> Result<Self, KeyError> {
        let text = v.to_string();
        if v.get("keys").is_some() {
            Ok(Keys::Set(JwkSet::from_json(text)?))
        } else {
            Ok(Keys::One(Box::new(Jwk::from_json(text)?)))
        }
    }
}

/// Imports one JWK.
pub fn jwk(v: &Value) -> Result<Jwk, String> {
    Jwk::from_json(v.to_string()).map_err(|e| format!("key: {e}"))
}

/// The public form of a key as JSON (symmetric keys stay as they are).
pub fn verification_value(key: &Jwk) -> Result<Value, String> {
    if key.is_symmetric() {
        Ok(Value::Object(key.to_json_value()))
    } else {
        super::keys::public_value(key)
    }
}

/// Common members of a valid vector.
pub fn valid(id: impl Into<String>, description: impl Into<String>, source: Source) -> Common {
    Common {
        id: id.into(),
        description: description.into(),
        source,
        expect: Expect::Valid,
        reason: None,
    }
}

/// Common members of an invalid vector.
pub fn invalid(
    id: impl Into<String>,
    description: impl Into<String>,
    source: Source,
    code: &str,
    explanation: impl Into<String>,
    reference: Option<&str>,
) -> Common {
    Common {
        id: id.into(),
        description: description.into(),
        source,
        expect: Expect::Invalid,
        reason: Some(Reason {
            code: code.to_owned(),
            claim: None,
            explanation: explanation.into(),
            reference: reference.map(str::to_owned),
            basis: Basis::Rfc,
        }),
    }
}

/// The common members of a generated invalid vector (`jws/negative/...`): its id is also its
/// seed, and its source "jose-rs negative vector".
pub fn negative(
    id: &str,
    description: &str,
    code: &str,
    explanation: &str,
    reference: Option<&str>,
) -> Common {
    let source = generated("jose-rs negative vector", id);
    invalid(id, description, source, code, explanation, reference)
}

/// A source citing a published document.
pub fn cite(origin: &str, reference: &str, file: &str, case: Option<&str>) -> Source {
    Source {
        origin: origin.to_owned(),
        reference: reference.to_owned(),
        file: Some(source_path(file)),
        case: case.map(str::to_owned),
        seed: None,
    }
}

/// A source for a vector generated here.
pub fn generated(reference: &str, seed: &str) -> Source {
    Source {
        origin: "generated".to_owned(),
        reference: reference.to_owned(),
        file: None,
        case: None,
        seed: Some(seed.to_owned()),
    }
}

/// Serializes a typed vector.
pub fn to_value(v: &impl serde::Serialize) -> Result<Value, String> {
    serde_json::to_value(v).map_err(|e| e.to_string())
}

/// The payload text if it is UTF-8.
pub fn utf8(bytes: &[u8]) -> Option<String> {
    std::str::from_utf8(bytes).ok().map(str::to_owned)
}

/// Completes a verification that has no replay store, which never waits: one poll. The vectors
/// are single tokens checked once, so the verifiers are built `without_replay_detection`.
pub fn poll_once<F: Future>(f: F) -> Result<F::Output, String> {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => Ok(v),
        std::task::Poll::Pending => {
            Err("the verifier waited although it has no replay store".into())
        }
    }
}
