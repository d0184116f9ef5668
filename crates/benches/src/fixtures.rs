//! The inputs every implementation gets: one claims set, one key per algorithm, payloads.
//!
//! Keys are generated once per run; peers import the very same keys (as PKCS#8 PEM, JWK or
//! raw bytes), so every implementation signs and encrypts with identical material.

use jose_core::alg::{Curve, JwsAlgorithm, KeyManagementAlgorithm};
use jose_core::backend::Backend;
use jose_core::jwk::{GenerateOptions, Jwk, KeyError, KeyMaterial};
use serde::{Deserialize, Serialize};

/// The issuer of the benchmark tokens.
pub const ISSUER: &str = "https://issuer.example.com";
/// The audience of the benchmark tokens.
pub const AUDIENCE: &str = "https://api.example.com";

/// Every JWS algorithm, in table order.
pub const JWS_ALGORITHMS: [JwsAlgorithm; 13] = [
    JwsAlgorithm::HS256,
    JwsAlgorithm::HS384,
    JwsAlgorithm::HS512,
    JwsAlgorithm::RS256,
    JwsAlgorithm::RS384,
    JwsAlgorithm::RS512,
    JwsAlgorithm::PS256,
    JwsAlgorithm::PS384,
    JwsAlgorithm::PS512,
    JwsAlgorithm::ES256,
    JwsAlgorithm::ES384,
    JwsAlgorithm::ES512,
    JwsAlgorithm::EdDSA,
];

/// The claims that are not registered claim names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomClaims {
    /// OAuth scopes.
    pub scope: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Whether the address was verified.
    pub email_verified: bool,
    /// Application roles.
    pub roles: Vec<String>,
    /// Tenant.
    pub org: String,
}

/// A typical access token's claims: the registered ones and [`CustomClaims`], about 300 bytes
/// of JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Subject.
    pub sub: String,
    /// Audience.
    pub aud: String,
    /// Expiry.
    pub exp: i64,
    /// Not before.
    pub nbf: i64,
    /// Issued at.
    pub iat: i64,
    /// Token id.
    pub jti: String,
    /// The rest.
    #[serde(flatten)]
    pub custom: CustomClaims,
}

impl Claims {
    /// The claims of a token issued at `now`, valid for a day.
    #[must_use]
    pub fn typical(now: i64) -> Self {
        Self {
            iss: ISSUER.into(),
            sub: "248289761001".into(),
            aud: AUDIENCE.into(),
            exp: now + 86_400,
            nbf: now,
            iat: now,
            jti: "8f3a2c71e6b94d05".into(),
            custom: CustomClaims {
                scope: "openid orders:read".into(),
                name: "Jane Doe".into(),
                email: "janedoe@example.com".into(),
                email_verified: true,
                roles: vec!["admin".into(), "billing".into()],
                org: "acme-eu".into(),
            },
        }
    }

    /// The claims as compact JSON.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The current time in seconds since the epoch.
#[must_use]
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// One key per algorithm family, generated once.
#[derive(Clone, Debug)]
pub struct Keys {
    /// 32-byte HMAC key.
    pub hs256: Jwk,
    /// 48-byte HMAC key.
    pub hs384: Jwk,
    /// 64-byte HMAC key.
    pub hs512: Jwk,
    /// RSA 2048, without `alg`: RS*, PS* and RSA-OAEP-256.
    pub rsa: Jwk,
    /// P-256 (ES256 and ECDH-ES), without `alg`.
    pub p256: Jwk,
    /// P-384.
    pub p384: Jwk,
    /// P-521.
    pub p521: Jwk,
    /// Ed25519.
    pub ed25519: Jwk,
    /// X25519, without `alg`.
    pub x25519: Jwk,
    /// 32-byte AES key for A256KW.
    pub a256kw: Jwk,
    /// 32-byte content encryption key for `dir` + A256GCM.
    pub dir: Jwk,
}

impl Keys {
    /// Generates the keys.
    ///
    /// # Errors
    /// [`KeyError`] when the system RNG fails.
    pub fn generate() -> Result<Self, KeyError> {
        let x25519 = Jwk::generate_with(
            KeyManagementAlgorithm::EcdhEs,
            &GenerateOptions {
                curve: Some(Curve::X25519),
                ..GenerateOptions::default()
            },
        )?;
        Ok(Self {
            hs256: Jwk::generate(JwsAlgorithm::HS256)?.without_alg(),
            hs384: Jwk::generate(JwsAlgorithm::HS384)?.without_alg(),
            hs512: Jwk::generate(JwsAlgorithm::HS512)?.without_alg(),
            rsa: Jwk::generate(JwsAlgorithm::RS256)?.without_alg(),
            p256: Jwk::generate(JwsAlgorithm::ES256)?.without_alg(),
            p384: Jwk::generate(JwsAlgorithm::ES384)?.without_alg(),
            p521: Jwk::generate(JwsAlgorithm::ES512)?.without_alg(),
            ed25519: Jwk::generate(JwsAlgorithm::EdDSA)?.without_alg(),
            x25519: x25519.without_alg(),
            a256kw: Jwk::generate(KeyManagementAlgorithm::A256Kw)?.without_alg(),
            dir: Jwk::generate(jose_core::alg::ContentEncryptionAlgorithm::A256Gcm)?.without_alg(),
        })
    }

    /// The same keys, each pinned to `backend`.
    #[must_use]
    pub fn with_backend(&self, backend: Backend) -> Self {
        let pin = |k: &Jwk| k.clone().with_backend(backend);
        Self {
            hs256: pin(&self.hs256),
            hs384: pin(&self.hs384),
            hs512: pin(&self.hs512),
            rsa: pin(&self.rsa),
            p256: pin(&self.p256),
            p384: pin(&self.p384),
            p521: pin(&self.p521),
            ed25519: pin(&self.ed25519),
            x25519: pin(&self.x25519),
            a256kw: pin(&self.a256kw),
            dir: pin(&self.dir),
        }
    }

    /// The private (or secret) key for a JWS algorithm.
    #[must_use]
    pub fn for_jws(&self, alg: JwsAlgorithm) -> &Jwk {
        use JwsAlgorithm::*;
        match alg {
            HS256 => &self.hs256,
            HS384 => &self.hs384,
            HS512 => &self.hs512,
            ES256 => &self.p256,
            ES384 => &self.p384,
            ES512 => &self.p521,
            EdDSA | Ed25519 => &self.ed25519,
            _ => &self.rsa,
        }
    }
}

/// What the other side of `key` holds: its public half, or the key itself when symmetric
/// (the verifying key of a signer, the recipient key of a decrypter).
#[must_use]
pub fn shareable(key: &Jwk) -> Jwk {
    if key.is_symmetric() {
        key.clone()
    } else {
        key.to_public().unwrap_or_else(|_| key.clone())
    }
}

/// The secret bytes of an `oct` key (empty for other keys).
#[must_use]
pub fn secret_bytes(key: &Jwk) -> &[u8] {
    match key.material() {
        KeyMaterial::Oct(k) => k.secret().expose(),
        _ => &[],
    }
}

/// `len` bytes of JSON-ish text, the same every run.
#[must_use]
pub fn payload(len: usize) -> Vec<u8> {
    const TEXT: &[u8] = b"{\"event\":\"order.created\",\"id\":\"ord_8f3a\",\"total\":1299},";
    TEXT.iter().copied().cycle().take(len).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    #[test]
    fn typical_claims_are_about_300_bytes() {
        let len = Claims::typical(1_800_000_000).to_json().len();
        assert!((280..=320).contains(&len), "{len} bytes");
    }

    #[test]
    fn payloads_have_the_requested_size() {
        assert_eq!(payload(1024).len(), 1024);
        assert_eq!(payload(1 << 20).len(), 1 << 20);
    }
}
