//! Compact tokens taken apart and put together by hand, for the generators of e2e-pop's and
//! signing-challenge's vectors: the decoded header and claims of a token, a JSON object with
//! one member changed or removed, and a token with an arbitrary signature.
//!
//! The generators only take apart tokens they made themselves: a failure is a bug of the
//! generator, hence the panics.

#![allow(clippy::unwrap_used)]

use jose_core::b64;
use serde_json::Value;

/// The claims of a compact token, decoded.
pub(crate) fn claims_of(token: &str) -> Value {
    serde_json::from_slice(&jws::unverified::decode_payload(token).unwrap()).unwrap()
}

/// The protected header of a compact token, decoded.
pub(crate) fn header_of(token: &str) -> Value {
    serde_json::from_slice(&b64::decode(token.split('.').next().unwrap()).unwrap()).unwrap()
}

/// `v` with member `name` set to `value`.
pub(crate) fn with(mut v: Value, name: &str, value: Value) -> Value {
    v[name] = value;
    v
}

/// `v` without member `name`.
pub(crate) fn without(mut v: Value, name: &str) -> Value {
    if let Some(object) = v.as_object_mut() {
        object.remove(name);
    }
    v
}

/// A compact token with this header and these claims and an arbitrary signature.
pub(crate) fn unsigned(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64::encode(header.to_string()),
        b64::encode(claims.to_string()),
        b64::encode(signature)
    )
}
