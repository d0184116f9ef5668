//! Making DPoP proofs: [`DpopKey`] and [`ProofBuilder`].

use crate::htu::normalize_htu;
use crate::{DpopError, ath};
use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use jose_core::jwk::Jwk;
use jwk_thumbprint::ThumbprintHash;
use jws::{Signer, SigningKey};
use jwt_claims::NumericDate;
use serde_json::{Map, Value};
use std::sync::Arc;

/// The `typ` of a DPoP proof.
pub const DPOP_TYP: &str = "dpop+jwt";

/// A client's DPoP key: the private key that signs proofs, its public JWK (embedded in every
/// proof) and its RFC 7638 thumbprint (`jkt`, sent as `dpop_jkt` and bound into tokens).
///
/// Cheap to clone; share one per client.
#[derive(Clone)]
pub struct DpopKey {
    signer: Arc<dyn Signer + Send + Sync>,
    public: Arc<Jwk>,
    jkt: Arc<str>,
}

impl core::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DpopKey")
            .field("alg", &self.signer.algorithm())
            .field("jkt", &self.jkt)
            .finish_non_exhaustive()
    }
}

impl DpopKey {
    /// A fresh key for `alg` (ES256 is the usual choice): openid-client's
    /// `randomDPoPKeyPair(alg)`.
    ///
    /// ```
    /// use dpop::DpopKey;
    /// use jose_core::alg::JwsAlgorithm;
    ///
    /// let key = DpopKey::generate(JwsAlgorithm::ES256)?;
    /// assert_eq!(key.thumbprint().len(), 43); // the `dpop_jkt` value
    /// # Ok::<(), dpop::DpopError>(())
    /// ```
    ///
    /// An RSA key of another size (`modulusLength`) goes through [`DpopKey::new`]:
    ///
    /// ```no_run
    /// use jose_core::alg::JwsAlgorithm;
    /// use jose_core::jwk::{GenerateOptions, Jwk};
    ///
    /// let options = GenerateOptions { rsa_bits: 3072, ..GenerateOptions::default() };
    /// let jwk = Jwk::generate_with(JwsAlgorithm::PS256, &options)?;
    /// let key = dpop::DpopKey::new(jws::SigningKey::new(jwk, JwsAlgorithm::PS256)?)?;
    /// # let _ = key;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`DpopError::UnsuitableKey`] for a symmetric algorithm, or a generation failure.
    pub fn generate(alg: JwsAlgorithm) -> Result<Self, DpopError> {
        if alg.is_symmetric() {
            return Err(DpopError::UnsuitableKey(format!("{alg} is symmetric")));
        }
        Self::new(SigningKey::generate(alg)?)
    }

    /// Wraps a signing key (its JWK must be an asymmetric private key).
    ///
    /// # Errors
    /// [`DpopError::UnsuitableKey`] for a symmetric key.
    pub fn new(key: SigningKey) -> Result<Self, DpopError> {
        if key.jwk().is_symmetric() {
            return Err(DpopError::UnsuitableKey(
                "a symmetric key has no public key to embed".into(),
            ));
        }
        // The embedded key carries only what RFC 7638 hashes plus nothing private.
        let public = key.public_jwk()?.without_kid().without_alg();
        let jkt = jwk_thumbprint::thumbprint_b64(&public, ThumbprintHash::Sha256);
        Ok(Self {
            signer: Arc::new(key),
            public: Arc::new(public),
            jkt: jkt.into(),
        })
    }

    /// Uses a custom signer (an HSM or KMS key) with its public key.
    ///
    /// # Errors
    /// [`DpopError::UnsuitableKey`] when `public` is not an asymmetric public key that fits the
    /// signer's algorithm.
    pub fn from_signer(
        signer: Arc<dyn Signer + Send + Sync>,
        public: Jwk,
    ) -> Result<Self, DpopError> {
        if public.is_private() {
            return Err(DpopError::UnsuitableKey(
                "the embedded key must be public".into(),
            ));
        }
        public
            .check_algorithm(&signer.algorithm().into())
            .map_err(|e| DpopError::UnsuitableKey(e.to_string()))?;
        let public = public.without_kid().without_alg();
        let jkt = jwk_thumbprint::thumbprint_b64(&public, ThumbprintHash::Sha256);
        Ok(Self {
            signer,
            public: Arc::new(public),
            jkt: jkt.into(),
        })
    }

    /// The proof algorithm.
    #[must_use]
    pub fn algorithm(&self) -> JwsAlgorithm {
        self.signer.algorithm()
    }

    /// The public key embedded in proofs.
    #[must_use]
    pub fn public_jwk(&self) -> &Jwk {
        &self.public
    }

    /// The SHA-256 JWK thumbprint: the `dpop_jkt` authorization request parameter and the
    /// `cnf.jkt` of bound tokens.
    #[must_use]
    pub fn thumbprint(&self) -> &str {
        &self.jkt
    }

    /// Starts a proof for a request.
    pub fn proof<'a>(&'a self, method: &'a str, uri: &'a str) -> ProofBuilder<'a> {
        ProofBuilder {
            key: self,
            method,
            uri,
            access_token: None,
            nonce: None,
            issued_at: None,
            jti: None,
        }
    }
}

/// Builds one DPoP proof.
///
/// ```
/// use dpop::DpopKey;
/// use jose_core::alg::JwsAlgorithm;
///
/// let key = DpopKey::generate(JwsAlgorithm::ES256)?;
/// let proof = key
///     .proof("GET", "https://rs.example/resource?page=2")
///     .access_token("an-access-token")
///     .sign()?;
/// assert_eq!(proof.split('.').count(), 3);
/// # Ok::<(), dpop::DpopError>(())
/// ```
///
/// `Debug` does not show the access token (only whether there is one).
#[must_use]
pub struct ProofBuilder<'a> {
    key: &'a DpopKey,
    method: &'a str,
    uri: &'a str,
    access_token: Option<&'a str>,
    nonce: Option<&'a str>,
    issued_at: Option<NumericDate>,
    jti: Option<String>,
}

impl core::fmt::Debug for ProofBuilder<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ProofBuilder")
            .field("key", self.key)
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("access_token", &self.access_token.map(|_| "[redacted]"))
            .field("nonce", &self.nonce)
            .field("issued_at", &self.issued_at)
            .field("jti", &self.jti)
            .finish()
    }
}

impl<'a> ProofBuilder<'a> {
    /// Binds the proof to an access token (`ath`), for requests to resource servers.
    pub fn access_token(mut self, token: &'a str) -> Self {
        self.access_token = Some(token);
        self
    }

    /// Includes the server-provided nonce.
    pub fn nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// Includes a nonce if there is one.
    pub fn maybe_nonce(mut self, nonce: Option<&'a str>) -> Self {
        self.nonce = nonce;
        self
    }

    /// Uses this `iat` instead of the clock.
    pub fn issued_at(mut self, iat: NumericDate) -> Self {
        self.issued_at = Some(iat);
        self
    }

    /// Uses this `jti` instead of a random one (tests and vectors only).
    pub fn jti(mut self, jti: impl Into<String>) -> Self {
        self.jti = Some(jti.into());
        self
    }

    /// Signs the proof.
    ///
    /// # Errors
    /// [`DpopError::InvalidUrl`] for a URI that cannot be `htu`, [`DpopError::InvalidNonce`]
    /// for a nonce outside the NQCHAR syntax, or a signing failure.
    pub fn sign(self) -> Result<String, DpopError> {
        if self.method.is_empty() || !self.method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(DpopError::InvalidClaim {
                claim: "htm",
                reason: "not an HTTP method",
            });
        }
        let mut claims = Map::new();
        let jti = match self.jti {
            Some(j) => j,
            None => jose_core::rand::token(16)
                .map_err(|_| DpopError::UnsuitableKey("no randomness".into()))?,
        };
        claims.insert("jti".into(), Value::String(jti));
        claims.insert("htm".into(), Value::String(self.method.to_owned()));
        claims.insert("htu".into(), Value::String(normalize_htu(self.uri)?));
        claims.insert(
            "iat".into(),
            self.issued_at.unwrap_or_else(NumericDate::now).to_json(),
        );
        if let Some(token) = self.access_token {
            claims.insert("ath".into(), Value::String(ath(token)));
        }
        if let Some(nonce) = self.nonce {
            if !crate::nonce::is_valid_nonce(nonce) {
                return Err(DpopError::InvalidNonce);
            }
            claims.insert("nonce".into(), Value::String(nonce.to_owned()));
        }
        let header = JwsHeader::default()
            .with_typ(DPOP_TYP)
            .with_jwk(self.key.public.as_ref().clone())?;
        let payload = Value::Object(claims).to_string();
        Ok(jws::compact::CompactSign::new(payload.as_bytes())
            .header(header)
            .omit_kid()
            .sign(self.key.signer.as_ref())?)
    }
}

impl From<jose_core::header::HeaderError> for DpopError {
    fn from(e: jose_core::header::HeaderError) -> Self {
        DpopError::Jws(jws::JwsError::Header(e))
    }
}
