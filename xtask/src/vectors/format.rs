//! The vector file format, as Rust types. `vectors/schema.json` is the same format as a JSON
//! Schema and `docs/vectors.md` explains it in prose; the three must agree (`vectors check`
//! refuses a file that does not round-trip through these types unchanged).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `format` member of every vector file.
pub const FORMAT: &str = "jose-rs-vectors/1";

/// One file of vectors, all of one kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VectorFile<V> {
    /// Path of the JSON Schema, relative to the file.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// Always [`FORMAT`].
    pub format: String,
    /// What the vectors test: `jws`, `jwe`, `jwk`, `jwk-thumbprint`, `jwt`, `dpop`, `oidc2`,
    /// `signing-challenge`.
    pub kind: String,
    /// One line about the file.
    pub title: String,
    /// The command that wrote the file.
    pub generated_by: String,
    /// The vectors.
    pub vectors: Vec<V>,
}

/// Whether a vector must be accepted or refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// Every check passes and the stated outputs are produced.
    Valid,
    /// Processing must fail, for the stated reason.
    Invalid,
}

/// Where a vector comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// `rfc`, `cookbook` (RFC 7520 JSON files), `draft`, `wycheproof` or `generated`.
    pub origin: String,
    /// A citation a person can look up: "RFC 7515, Appendix A.1".
    pub reference: String,
    /// The upstream copy the values were taken from, relative to the repository root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The case inside that file (a section number, a Wycheproof `tcId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// For generated vectors: the seed label the keys and randomness were derived from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
}

/// Why an invalid vector must fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// A code from the table in `docs/vectors.md` (`alg-none`, `bad-signature`, ...).
    pub code: String,
    /// The claim a claim-validation failure is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    /// Why, in a sentence.
    pub explanation: String,
    /// The rule that requires the failure ("RFC 8725, Section 3.1").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// Members every vector has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Common {
    /// Unique across the whole suite.
    pub id: String,
    /// What the vector shows.
    pub description: String,
    /// Where it comes from.
    pub source: Source,
    /// Accept or refuse.
    pub expect: Expect,
    /// Required for invalid vectors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// How reproducible a signature is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reproducible {
    /// Any correct implementation produces these exact bytes (HMAC, RSASSA-PKCS1-v1_5,
    /// Ed25519, and JWE with the given CEK, IV and deterministic key management).
    Exact,
    /// ECDSA with deterministic nonces (RFC 6979) produces these bytes; other implementations
    /// produce different, equally valid signatures.
    Rfc6979,
    /// Randomised (RSASSA-PSS, RSA-OAEP, ...): verify or decrypt only.
    Randomized,
}

// --- JWS ---------------------------------------------------------------------------------

/// A JWS vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JwsVector {
    /// Common members.
    #[serde(flatten)]
    pub common: Common,
    /// `compact`, `flattened` or `general`.
    pub serialization: String,
    /// The JWS: a string (compact) or an object (JSON serializations).
    pub jws: Value,
    /// The payload octets, base64url: the expected result of a valid vector, and the content
    /// to supply when `detached`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_b64: Option<String>,
    /// The payload as text, when it is UTF-8 (informative; `payload_b64` is authoritative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_utf8: Option<String>,
    /// The payload is not in the serialization and is supplied separately.
    #[serde(default, skip_serializing_if = "is_false")]
    pub detached: bool,
    /// How to verify.
    pub verify: JwsVerify,
    /// How the JWS was made, for implementations that want to reproduce it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign: Option<JwsSign>,
}

/// The verifier's key and policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JwsVerify {
    /// A JWK or a JWK Set (`{"keys": [...]}`); private members, when present, are ignored.
    pub key: Value,
    /// The algorithms the verifier accepts.
    pub algorithms: Vec<String>,
    /// The `crit` extensions the verifier understands (besides `b64`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub critical: Vec<String>,
}

/// What produced a JWS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JwsSign {
    /// Whether signing again reproduces `jws`.
    pub reproducible: Reproducible,
    /// One entry per signature, in order.
    pub signatures: Vec<JwsSignature>,
}

/// One signature's inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JwsSignature {
    /// The private (or symmetric) JWK.
    pub key: Value,
    /// The protected header, as the exact JSON text that was base64url-encoded.
    pub protected: String,
    /// The unprotected header (JSON serializations only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<Value>,
}

// --- JWK and thumbprints -------------------------------------------------------------------

/// A JWK or JWK Set import vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JwkVector {
    /// Common members.
    #[serde(flatten)]
    pub common: Common,
    /// The exact JSON text to import (a string, so that duplicate members survive).
    pub jwk_json: String,
    /// Import as a JWK Set rather than a single JWK.
    #[serde(default, skip_serializing_if = "is_false")]
    pub set: bool,
    /// For a valid private or public key: its public form (members sorted, no private parts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<Value>,
}

/// A JWK Thumbprint vector (RFC 7638, RFC 9278).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThumbprintVector {
    /// Common members.
    #[serde(flatten)]
    pub common: Common,
    /// The key.
    pub jwk: Value,
    /// `SHA-256`, `SHA-384` or `SHA-512`.
    pub hash: String,
    /// The canonical JSON the hash is computed over.
    pub canonical_json: String,
    /// The thumbprint, base64url.
    pub thumbprint_b64: String,
    /// The RFC 9278 URI (SHA-256 only here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

// --- JWT ---------------------------------------------------------------------------------

/// A JWT claim-validation vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JwtVector {
    /// Common members.
    #[serde(flatten)]
    pub common: Common,
    /// The compact JWT.
    pub jwt: String,
    /// The verification key: a JWK or a JWK Set.
    pub key: Value,
    /// The validation policy; every member is explicit, there are no hidden defaults.
    pub validation: JwtValidation,
    /// For valid vectors: the claims set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Value>,
}

/// Validation options of a JWT vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JwtValidation {
    /// Accepted algorithms.
    pub algorithms: Vec<String>,
    /// The current time, NumericDate.
    pub now: i64,
    /// Allowed clock difference for `exp`, `nbf` and `iat`, in seconds.
    pub leeway_seconds: u64,
    /// Accepted issuer, when `iss` is checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The verifier's own audience, when `aud` is checked. A token with `aud` is refused when
    /// this is absent (RFC 7519 §4.1.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Expected subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Expected `typ`, compared case-insensitively, `application/` prefix optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    /// Claims that must be present.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_claims: Vec<String>,
    /// Maximum age measured from `iat`, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_seconds: Option<u64>,
}
