#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

use jose_core::jwk::Jwk;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// The hash function of a thumbprint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ThumbprintHash {
    /// SHA-256, the usual choice (DPoP `jkt`, OIDC² `jkt`, RFC 9278 examples).
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl ThumbprintHash {
    /// The name in the IANA "Named Information Hash Algorithm" registry, as RFC 9278 URIs use
    /// it: `sha-256`, `sha-384`, `sha-512`.
    #[must_use]
    pub const fn uri_name(self) -> &'static str {
        match self {
            ThumbprintHash::Sha256 => "sha-256",
            ThumbprintHash::Sha384 => "sha-384",
            ThumbprintHash::Sha512 => "sha-512",
        }
    }

    /// Digest length in bytes.
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            ThumbprintHash::Sha256 => 32,
            ThumbprintHash::Sha384 => 48,
            ThumbprintHash::Sha512 => 64,
        }
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            ThumbprintHash::Sha256 => Sha256::digest(data).to_vec(),
            ThumbprintHash::Sha384 => Sha384::digest(data).to_vec(),
            ThumbprintHash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

impl core::str::FromStr for ThumbprintHash {
    type Err = ThumbprintError;
    /// Accepts the RFC 9278 names and the short forms `sha256`, `sha384`, `sha512`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sha-256" | "sha256" => Ok(ThumbprintHash::Sha256),
            "sha-384" | "sha384" => Ok(ThumbprintHash::Sha384),
            "sha-512" | "sha512" => Ok(ThumbprintHash::Sha512),
            other => Err(ThumbprintError::UnsupportedHash(
                jose_core::json::truncate_for_error(other),
            )),
        }
    }
}

/// Why a thumbprint URI was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ThumbprintError {
    /// The URI does not start with `urn:ietf:params:oauth:jwk-thumbprint:`.
    #[error("not a JWK thumbprint URI")]
    NotAThumbprintUri,
    /// The hash name is not one this crate supports.
    #[error("unsupported thumbprint hash {0:?}")]
    UnsupportedHash(String),
    /// The thumbprint is not valid base64url, or has the wrong length for its hash.
    #[error("invalid thumbprint value")]
    InvalidValue,
}

/// The RFC 9278 URI prefix.
pub const URI_PREFIX: &str = "urn:ietf:params:oauth:jwk-thumbprint:";

/// The JSON the thumbprint hashes (RFC 7638 §3.2–3.3): the required members of the key type,
/// in lexicographic order, without whitespace. For symmetric keys it contains the secret.
#[must_use]
pub fn canonical_json(jwk: &Jwk) -> String {
    let members = jwk.thumbprint_members();
    let mut out = String::with_capacity(
        2 + members
            .iter()
            .map(|(name, value)| name.len() + value.len() + 6)
            .sum::<usize>(),
    );
    out.push('{');
    for (i, (name, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(name);
        out.push_str("\":");
        // Values are base64url, curve names or key types: printable ASCII without '"' or '\\',
        // written as they are; serde_json escapes anything else, if ever needed.
        if value
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
        {
            out.push('"');
            out.push_str(value);
            out.push('"');
        } else {
            out.push_str(&serde_json::Value::String(value.clone()).to_string());
        }
    }
    out.push('}');
    out
}

/// The thumbprint bytes.
#[must_use]
pub fn thumbprint(jwk: &Jwk, hash: ThumbprintHash) -> Vec<u8> {
    hash.digest(canonical_json(jwk).as_bytes())
}

/// The thumbprint, base64url-encoded (the form used in `jkt`, `kid` and URIs).
#[must_use]
pub fn thumbprint_b64(jwk: &Jwk, hash: ThumbprintHash) -> String {
    jose_core::b64::encode(thumbprint(jwk, hash))
}

/// The RFC 9278 URI `urn:ietf:params:oauth:jwk-thumbprint:<hash>:<thumbprint>`.
#[must_use]
pub fn thumbprint_uri(jwk: &Jwk, hash: ThumbprintHash) -> String {
    format!(
        "{URI_PREFIX}{}:{}",
        hash.uri_name(),
        thumbprint_b64(jwk, hash)
    )
}

/// Splits an RFC 9278 URI into its hash and thumbprint bytes.
///
/// # Errors
/// [`ThumbprintError`] when the URI is not a well-formed thumbprint URI.
pub fn parse_thumbprint_uri(uri: &str) -> Result<(ThumbprintHash, Vec<u8>), ThumbprintError> {
    let rest = uri
        .strip_prefix(URI_PREFIX)
        .ok_or(ThumbprintError::NotAThumbprintUri)?;
    let (hash, value) = rest
        .split_once(':')
        .ok_or(ThumbprintError::NotAThumbprintUri)?;
    let hash: ThumbprintHash = hash.parse()?;
    let bytes = jose_core::b64::decode(value).map_err(|_| ThumbprintError::InvalidValue)?;
    if bytes.len() != hash.output_len() {
        return Err(ThumbprintError::InvalidValue);
    }
    Ok((hash, bytes))
}

/// Whether `jwk` has the base64url thumbprint `expected`, compared in constant time.
#[must_use]
pub fn matches(jwk: &Jwk, expected: &str, hash: ThumbprintHash) -> bool {
    match jose_core::b64::decode(expected) {
        Ok(bytes) => jose_core::constant_time_eq(&thumbprint(jwk, hash), &bytes),
        Err(_) => false,
    }
}

/// Whether `jwk` is the key an RFC 9278 URI names.
#[must_use]
pub fn matches_uri(jwk: &Jwk, uri: &str) -> bool {
    match parse_thumbprint_uri(uri) {
        Ok((hash, bytes)) => jose_core::constant_time_eq(&thumbprint(jwk, hash), &bytes),
        Err(_) => false,
    }
}
