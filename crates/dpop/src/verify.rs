//! Verifying DPoP proofs at an authorization server or a resource server (RFC 9449 §4.3,
//! §7.1).

use crate::htu::normalize_htu;
use crate::{DPOP_TYP, DpopError, NonceIssuer, ReplayCache, ath};
use jose_core::alg::JwsAlgorithm;
use jose_core::backend::Backend;
use jose_core::jwk::Jwk;
use jwk_thumbprint::ThumbprintHash;
use jwt_claims::NumericDate;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// Longest proof accepted (a proof is a few hundred bytes; RSA keys make it larger).
pub const MAX_PROOF_LEN: usize = 8 * 1024;
/// Longest `jti` accepted.
pub const MAX_JTI_LEN: usize = 256;

/// What a server accepts in DPoP proofs.
///
/// Defaults: ES256, ES384, ES512, PS256, PS384, PS512, RS256, EdDSA; proofs issued at most
/// 60 s ago and at most 5 s in the future; no nonce required (server nonces:
/// [`ProofVerifier::require_nonce`]); no replay detection until a
/// [`ReplayCache`] is set (set one: [`crate::InMemoryReplayCache`] for a single process).
///
/// ```
/// use dpop::{DpopKey, InMemoryReplayCache, ProofRequest, ProofVerifier};
/// use jose_core::alg::JwsAlgorithm;
/// use std::sync::Arc;
///
/// let verifier = ProofVerifier::new().replay_cache(Arc::new(InMemoryReplayCache::default()));
///
/// let key = DpopKey::generate(JwsAlgorithm::ES256)?;
/// let proof = key.proof("POST", "https://as.example/token").sign()?;
///
/// let verified = verifier.verify(&ProofRequest::new(&proof, "POST", "https://as.example/token"))?;
/// assert_eq!(verified.thumbprint(), key.thumbprint());
/// // The same proof a second time is a replay.
/// assert!(verifier.verify(&ProofRequest::new(&proof, "POST", "https://as.example/token")).is_err());
/// # Ok::<(), dpop::DpopError>(())
/// ```
#[derive(Clone)]
pub struct ProofVerifier {
    algorithms: Vec<JwsAlgorithm>,
    max_age: Duration,
    future_leeway: Duration,
    replay: Option<Arc<dyn ReplayCache>>,
    nonces: Option<Arc<NonceIssuer>>,
    backend: Backend,
}

impl core::fmt::Debug for ProofVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ProofVerifier")
            .field("algorithms", &self.algorithms)
            .field("max_age", &self.max_age)
            .field("future_leeway", &self.future_leeway)
            .field("replay_cache", &self.replay.is_some())
            .field("nonces", &self.nonces)
            .field("backend", &self.backend)
            .finish()
    }
}

impl Default for ProofVerifier {
    fn default() -> Self {
        use JwsAlgorithm::*;
        Self {
            algorithms: vec![ES256, ES384, ES512, PS256, PS384, PS512, RS256, EdDSA],
            max_age: Duration::from_secs(60),
            future_leeway: Duration::from_secs(5),
            replay: None,
            nonces: None,
            backend: Backend::default(),
        }
    }
}

impl ProofVerifier {
    /// The defaults.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts these algorithms (symmetric ones are dropped: a proof is signed by its own key).
    #[must_use]
    pub fn algorithms(mut self, algs: impl IntoIterator<Item = JwsAlgorithm>) -> Self {
        self.algorithms = algs.into_iter().filter(|a| !a.is_symmetric()).collect();
        self
    }

    /// How old a proof may be (default 60 s).
    #[must_use]
    pub fn max_age(mut self, age: Duration) -> Self {
        self.max_age = age;
        self
    }

    /// How far in the future `iat` may be (default 5 s).
    #[must_use]
    pub fn future_leeway(mut self, leeway: Duration) -> Self {
        self.future_leeway = leeway;
        self
    }

    /// Detects replayed proofs with this cache.
    #[must_use]
    pub fn replay_cache(mut self, cache: Arc<dyn ReplayCache>) -> Self {
        self.replay = Some(cache);
        self
    }

    /// Requires a server nonce in every proof: one that `issuer` (or any instance holding the
    /// same keys) issued and still accepts (RFC 9449 §8, §9). A proof without one, or with a
    /// stale, forged or malformed one, fails with [`DpopError::UseNonce`]; answer it with
    /// [`NonceIssuer::answer`]. Nonces listed on the request ([`ProofRequest::nonce`]) are
    /// accepted too.
    ///
    /// ```
    /// use dpop::{DpopError, DpopKey, NonceIssuer, NonceKey, ProofRequest, ProofVerifier};
    /// use jose_core::alg::JwsAlgorithm;
    /// use std::sync::Arc;
    ///
    /// let issuer = Arc::new(NonceIssuer::new(NonceKey::generate()?));
    /// let verifier = ProofVerifier::new().require_nonce(issuer.clone());
    /// let key = DpopKey::generate(JwsAlgorithm::ES256)?;
    ///
    /// // Without a nonce: the server answers use_dpop_nonce with a fresh one.
    /// let proof = key.proof("POST", "https://as.example/token").sign()?;
    /// let err = verifier.verify(&ProofRequest::new(&proof, "POST", "https://as.example/token"))
    ///     .unwrap_err();
    /// let challenge = issuer.answer(&err).expect("a use_dpop_nonce answer");
    ///
    /// // The client retries with it.
    /// let proof = key.proof("POST", "https://as.example/token").nonce(challenge.dpop_nonce()).sign()?;
    /// verifier.verify(&ProofRequest::new(&proof, "POST", "https://as.example/token"))?;
    /// # Ok::<(), DpopError>(())
    /// ```
    #[must_use]
    pub fn require_nonce(mut self, issuer: Arc<NonceIssuer>) -> Self {
        self.nonces = Some(issuer);
        self
    }

    /// Verifies proofs on this crypto backend: the key in each proof's `jwk` header is pinned
    /// to it. Default [`Backend::default()`]: aws-lc-rs when the build compiles it in (this
    /// crate's `aws-lc-rs` feature does) and RustCrypto otherwise; see `docs/backends.md`.
    ///
    /// ```
    /// use dpop::{DpopKey, ProofRequest, ProofVerifier};
    /// use jose_core::alg::JwsAlgorithm;
    /// use jose_core::backend::Backend;
    ///
    /// let key = DpopKey::generate(JwsAlgorithm::ES256)?;
    /// let proof = key.proof("GET", "https://rs.example/orders").sign()?;
    /// let verifier = ProofVerifier::new().backend(Backend::RustCrypto);
    /// let verified = verifier.verify(&ProofRequest::new(&proof, "GET", "https://rs.example/orders"))?;
    /// assert_eq!(verified.jwk().backend(), Backend::RustCrypto);
    /// # Ok::<(), dpop::DpopError>(())
    /// ```
    #[must_use]
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// The algorithms, as the `algs` parameter of a `WWW-Authenticate: DPoP` challenge.
    #[must_use]
    pub fn algs_parameter(&self) -> String {
        self.algorithms
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Verifies a proof for a request.
    ///
    /// # Errors
    /// The [`DpopError`] of the first check that failed, in RFC 9449 §4.3 order.
    pub fn verify(&self, request: &ProofRequest<'_>) -> Result<VerifiedProof, DpopError> {
        let proof = request.proof;
        if proof.len() > MAX_PROOF_LEN {
            return Err(DpopError::TooLarge {
                max: MAX_PROOF_LEN,
                actual: proof.len(),
            });
        }
        // Checks 2 and 4–7: a JWS signed by the public key in its own `jwk` header, with an
        // allowed asymmetric algorithm (private and symmetric keys in `jwk` are refused when
        // the header is read).
        let options = jws::VerifyOptions::new().algorithms(self.algorithms.iter().copied());
        let verified = jws::compact::verify(proof, &jws::EmbeddedJwkOn(self.backend), &options)?;
        if !verified
            .header()
            .typ()
            .is_some_and(|t| t.eq_ignore_ascii_case(DPOP_TYP))
        {
            return Err(DpopError::WrongType);
        }
        let jwk = verified
            .header()
            .jwk()
            .ok_or(DpopError::Jws(jws::JwsError::MissingEmbeddedKey))?
            .clone()
            .with_backend(self.backend);
        let claims = jwt_claims::parse_claims(verified.payload())?;
        let registered = jwt_claims::RegisteredClaims::from_map(&claims)?;

        // Check 3: required claims and their types.
        let jti = registered
            .jti
            .clone()
            .ok_or(DpopError::MissingClaim("jti"))?;
        if jti.is_empty() || jti.len() > MAX_JTI_LEN {
            return Err(DpopError::InvalidClaim {
                claim: "jti",
                reason: "empty or longer than 256 characters",
            });
        }
        let htm = string(&claims, "htm")?.ok_or(DpopError::MissingClaim("htm"))?;
        let htu = string(&claims, "htu")?.ok_or(DpopError::MissingClaim("htu"))?;
        let iat = registered.iat.ok_or(DpopError::MissingClaim("iat"))?;
        let proof_ath = string(&claims, "ath")?;
        let nonce = string(&claims, "nonce")?;

        // Check 8: method.
        if htm != request.method {
            return Err(DpopError::MethodMismatch);
        }
        // Check 9: URI, normalised, without query and fragment.
        let expected = normalize_htu(request.uri)?;
        let presented = normalize_htu(&htu).map_err(|_| DpopError::InvalidClaim {
            claim: "htu",
            reason: "not an absolute http(s) URI",
        })?;
        if presented != expected {
            return Err(DpopError::UriMismatch);
        }
        // Check 10: nonce.
        let now = request.now.unwrap_or_else(NumericDate::now);
        self.check_nonce(nonce.as_deref(), request, now)?;
        // Check 11: freshness.
        if iat > now.plus(self.future_leeway) {
            return Err(DpopError::IssuedInFuture { iat, now });
        }
        if iat.plus(self.max_age) < now {
            return Err(DpopError::Stale { iat, now });
        }
        // Check 12: access token hash and key binding.
        let jkt = jwk_thumbprint::thumbprint_b64(&jwk, ThumbprintHash::Sha256);
        if let Some(token) = request.access_token {
            let proof_ath = proof_ath.ok_or(DpopError::MissingAccessTokenHash)?;
            if !jose_core::constant_time_eq(proof_ath.as_bytes(), ath(token).as_bytes()) {
                return Err(DpopError::AccessTokenHashMismatch);
            }
        }
        if let Some(bound) = request.token_jkt
            && !jose_core::constant_time_eq(bound.as_bytes(), jkt.as_bytes())
        {
            return Err(DpopError::KeyBindingMismatch);
        }
        // Replay: each (key, jti) once within the acceptance window.
        if let Some(cache) = &self.replay {
            let id = format!("{jkt}:{jti}");
            let expires = iat.plus(self.max_age).plus(self.future_leeway);
            if !cache.insert_if_new(&id, expires, now) {
                return Err(DpopError::Replay);
            }
        }
        Ok(VerifiedProof {
            jwk,
            jkt,
            jti,
            htm,
            htu: presented,
            iat,
            nonce,
            ath: request.access_token.map(ath),
        })
    }
}

impl ProofVerifier {
    /// RFC 9449 §4.3 check 10: when the verifier requires server nonces or the request lists
    /// nonces, the proof's nonce must be one of them.
    fn check_nonce(
        &self,
        nonce: Option<&str>,
        request: &ProofRequest<'_>,
        now: NumericDate,
    ) -> Result<(), DpopError> {
        if self.nonces.is_none() && request.nonces.is_empty() {
            return Ok(());
        }
        let nonce = nonce.ok_or(DpopError::UseNonce)?;
        let listed = request
            .nonces
            .iter()
            .any(|expected| jose_core::constant_time_eq(nonce.as_bytes(), expected.as_bytes()));
        let sealed = self
            .nonces
            .as_ref()
            .is_some_and(|issuer| issuer.check_at(nonce, now).is_ok());
        if listed || sealed {
            Ok(())
        } else {
            Err(DpopError::UseNonce)
        }
    }
}

fn string(claims: &Map<String, Value>, name: &'static str) -> Result<Option<String>, DpopError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(DpopError::InvalidClaim {
            claim: name,
            reason: "must be a string",
        }),
    }
}

/// The request a proof arrived with.
#[derive(Clone, Debug)]
#[must_use]
pub struct ProofRequest<'a> {
    proof: &'a str,
    method: &'a str,
    uri: &'a str,
    access_token: Option<&'a str>,
    token_jkt: Option<&'a str>,
    nonces: Vec<&'a str>,
    now: Option<NumericDate>,
}

impl<'a> ProofRequest<'a> {
    /// A proof received with a request of `method` to `uri` (the full request URI; its query
    /// and fragment are ignored).
    pub fn new(proof: &'a str, method: &'a str, uri: &'a str) -> Self {
        Self {
            proof,
            method,
            uri,
            access_token: None,
            token_jkt: None,
            nonces: Vec::new(),
            now: None,
        }
    }

    /// The proof from the request's `DPoP` header values, refusing none or several
    /// (RFC 9449 §4.3 check 1).
    ///
    /// # Errors
    /// [`DpopError::MissingProof`] or [`DpopError::MultipleProofs`].
    pub fn from_header_values(
        values: &[&'a str],
        method: &'a str,
        uri: &'a str,
    ) -> Result<Self, DpopError> {
        match values {
            [] => Err(DpopError::MissingProof),
            [one] if !one.contains(',') => Ok(Self::new(one.trim(), method, uri)),
            many => Err(DpopError::MultipleProofs(many.len().max(2))),
        }
    }

    /// The access token presented with the request: `ath` must be its hash.
    pub fn access_token(mut self, token: &'a str) -> Self {
        self.access_token = Some(token);
        self
    }

    /// The `cnf.jkt` the access token is bound to: the proof's key must have this thumbprint.
    pub fn token_jkt(mut self, jkt: &'a str) -> Self {
        self.token_jkt = Some(jkt);
        self
    }

    /// A nonce the server currently accepts (call again for several, e.g. current and
    /// previous); with any set, a proof without one of them fails with
    /// [`DpopError::UseNonce`].
    pub fn nonce(mut self, nonce: &'a str) -> Self {
        self.nonces.push(nonce);
        self
    }

    /// Uses this time instead of the clock.
    pub fn now(mut self, now: NumericDate) -> Self {
        self.now = Some(now);
        self
    }
}

/// A proof that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedProof {
    jwk: Jwk,
    jkt: String,
    jti: String,
    htm: String,
    htu: String,
    iat: NumericDate,
    nonce: Option<String>,
    ath: Option<String>,
}

impl VerifiedProof {
    /// The proof's public key.
    #[must_use]
    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// The key's SHA-256 thumbprint: what an authorization server puts in `cnf.jkt`.
    #[must_use]
    pub fn thumbprint(&self) -> &str {
        &self.jkt
    }

    /// The proof's `jti`.
    #[must_use]
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// The proof's `htm`.
    #[must_use]
    pub fn method(&self) -> &str {
        &self.htm
    }

    /// The proof's `htu`, normalised.
    #[must_use]
    pub fn uri(&self) -> &str {
        &self.htu
    }

    /// The proof's `iat`.
    #[must_use]
    pub fn issued_at(&self) -> NumericDate {
        self.iat
    }

    /// The proof's `nonce`.
    #[must_use]
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }

    /// The `ath` that was checked, if an access token was presented.
    #[must_use]
    pub fn access_token_hash(&self) -> Option<&str> {
        self.ath.as_deref()
    }
}
