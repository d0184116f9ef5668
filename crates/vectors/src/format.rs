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
    /// Whether the RFCs require the refusal (`rfc`, the default, not written) or it is this
    /// workspace's policy where the RFCs allow accepting (`policy`): a peer that accepts a
    /// `policy` vector is within the RFCs.
    #[serde(default, skip_serializing_if = "Basis::is_rfc")]
    pub basis: Basis,
}

/// What makes an invalid vector invalid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// The RFCs require the refusal (a MUST, or the input is not what the RFC defines).
    #[default]
    Rfc,
    /// The RFCs allow accepting (a MAY or SHOULD, a recipient's limit, a feature left out);
    /// this workspace refuses.
    Policy,
}

impl Basis {
    fn is_rfc(&self) -> bool {
        *self == Self::Rfc
    }
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

// --- JWE ---------------------------------------------------------------------------------

/// A JWE vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JweVector {
    /// Common members.
    #[serde(flatten)]
    pub common: Common,
    /// `compact`, `flattened` or `general`.
    pub serialization: String,
    /// The JWE: a string (compact) or an object (JSON serializations).
    pub jwe: Value,
    /// The plaintext octets, base64url (valid vectors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plaintext_b64: Option<String>,
    /// The plaintext as text, when it is UTF-8 (informative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plaintext_utf8: Option<String>,
    /// How to decrypt.
    pub decrypt: JweDecrypt,
    /// How the JWE was made, for implementations that want to reproduce it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypt: Option<JweEncrypt>,
}

/// The recipient's key and policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JweDecrypt {
    /// The private (or symmetric) JWK, or a JWK Set; a PBES2 password is an `oct` JWK whose
    /// `k` is the password's octets.
    pub key: Value,
    /// Accepted key management algorithms.
    pub algorithms: Vec<String>,
    /// Accepted content encryption algorithms.
    pub encryptions: Vec<String>,
    /// `crit` extensions the recipient understands.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub critical: Vec<String>,
    /// The recipient's limit on PBES2 `p2c` (when the vector depends on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_p2c: Option<u32>,
}

/// The inputs that produced a JWE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JweEncrypt {
    /// Whether encrypting again with these inputs reproduces `jwe`.
    pub reproducible: Reproducible,
    /// The protected header, as the exact JSON text that was base64url-encoded (it holds the
    /// algorithm's parameters: `epk`, `p2s`, `p2c`, `iv`, `tag`).
    pub protected: String,
    /// The shared unprotected header (JSON serializations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unprotected: Option<Value>,
    /// Additional authenticated data (JSON serializations), base64url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aad_b64: Option<String>,
    /// The content encryption key, base64url.
    pub cek_b64: String,
    /// The content encryption IV, base64url.
    pub iv_b64: String,
    /// The recipients, in order.
    pub recipients: Vec<JweRecipient>,
}

/// One recipient's inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JweRecipient {
    /// The recipient's public (or symmetric) key; a password as an `oct` JWK.
    pub key: Value,
    /// The per-recipient unprotected header (general JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<Value>,
    /// For ECDH-ES: the ephemeral private key whose public half is `epk`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epk_private: Option<Value>,
}

// --- DPoP --------------------------------------------------------------------------------

/// A DPoP proof vector (RFC 9449).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DpopVector {
    /// Common members.
    #[serde(flatten)]
    pub common: Common,
    /// The `DPoP` header value: a compact JWS.
    pub proof: String,
    /// The HTTP request the proof is presented with.
    pub request: DpopRequest,
    /// The verifier's policy.
    pub policy: DpopPolicy,
    /// For valid vectors: the RFC 7638 SHA-256 thumbprint of the proof key (`jkt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jkt: Option<String>,
}

/// The request a DPoP proof accompanies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DpopRequest {
    /// HTTP method.
    pub htm: String,
    /// The request URI (compared without query and fragment).
    pub htu: String,
    /// The access token presented with the proof; `ath` must be its SHA-256 hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    /// The nonce the server expects, when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The `jkt` the access token is bound to (`cnf.jkt`), when checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_jkt: Option<String>,
}

/// A DPoP verifier's policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DpopPolicy {
    /// Accepted algorithms (asymmetric only).
    pub algorithms: Vec<String>,
    /// The current time, NumericDate.
    pub now: i64,
    /// How old `iat` may be, in seconds.
    pub max_age_seconds: u64,
    /// How far in the future `iat` may be, in seconds.
    pub leeway_seconds: u64,
}

// --- OIDC² -------------------------------------------------------------------------------

/// An OIDC² token vector (PoP token, Identity Certification Token, E2E PoP token).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Oidc2Vector {
    /// Common members.
    #[serde(flatten)]
    pub common: Common,
    /// `pop`, `ict` or `e2e-pop`.
    pub token_type: String,
    /// The compact token.
    pub token: String,
    /// The verification key: the OP's key (with `kid`) for an ICT, the client key for an E2E
    /// PoP token verified alone; absent for a PoP token (its `jwk` header) and for a pair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Value>,
    /// For an E2E PoP token: the ICT that certifies its key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ict: Option<String>,
    /// For an E2E PoP token: the OP key that verifies `ict` (trusted whatever the ICT's `iss`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ict_key: Option<Value>,
    /// The verifier's policy.
    pub policy: Oidc2Policy,
    /// For valid vectors: the claims set; for a pair, the verified identity (`issuer`,
    /// `subject`, `client_id`, `contexts`, `claims`, `client_jwk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Value>,
}

/// An OIDC² verifier's policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Oidc2Policy {
    /// Accepted algorithms.
    pub algorithms: Vec<String>,
    /// The current time, NumericDate.
    pub now: i64,
    /// Allowed clock difference in seconds.
    pub leeway_seconds: u64,
    /// The verifier's audience: the OP's issuer for a PoP token, the client id for an ICT, the
    /// verifier's identifier for an E2E PoP token.
    pub audience: String,
    /// Expected issuer: the client id for PoP and E2E PoP tokens, the OP's issuer for an ICT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Expected subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Contexts the ICT must grant (absent: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contexts: Option<Vec<String>>,
}

// --- Signing challenge -----------------------------------------------------------------------

/// A signing-challenge vector (signed challenge or signed response). The members beyond the
/// common ones are described in `docs/vectors.md` and `docs/signing-challenge.md`; they are
/// kept as JSON here because the crate's own tests write the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SigningChallengeVector {
    /// Common members.
    #[serde(flatten)]
    pub common: Common,
    /// `challenge` or `response`.
    pub token_type: String,
    /// The compact JWS.
    pub token: String,
    /// The session the verifier compares the claims with.
    pub session: serde_json::Map<String, Value>,
    /// `now`, `leeway_seconds`, `max_lifetime_seconds`, and optional switches.
    pub policy: serde_json::Map<String, Value>,
    /// `rfc6979`.
    pub reproducible: Reproducible,
    /// Challenge: the service's JWK Set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<Value>,
    /// Response: the trust anchors, standard-base64 DER certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_anchors: Option<Vec<String>>,
    /// Valid vectors: the verified claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Value>,
    /// Valid vectors: the private test key that signed the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<Value>,
}
