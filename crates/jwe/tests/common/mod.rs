//! Helpers shared by the test files: reading vectors and keys.

#![allow(dead_code)]

use jose_core::SecretBytes;
use jose_core::jwk::Jwk;
use serde_json::Value;

/// Reads a vector file from `vectors/sources/`.
pub fn vectors(path: &str) -> Value {
    let full = format!(
        "{}/../../vectors/sources/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// A JWK from a JSON value.
pub fn jwk(v: &Value) -> Jwk {
    Jwk::from_json(v.to_string()).unwrap()
}

/// base64url-decodes a JSON string value.
pub fn b64(v: &Value) -> Vec<u8> {
    jose_core::b64::decode(v.as_str().unwrap()).unwrap()
}

/// A secret from a base64url JSON string value.
pub fn secret(v: &Value) -> SecretBytes {
    SecretBytes::new(b64(v))
}

/// A string field.
pub fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is not a string"))
}
