//! Verifying DPoP proofs at an authorization server or a resource server (RFC 9449 §4.3,
//! §7.1).

use crate::htu::normalize_htu;
use crate::{DPOP_TYP, DpopError, NonceIssuer, ath};
use jose_core::alg::JwsAlgorithm;
use jose_core::backend::Backend;
use jose_core::jwk::Jwk;
use jwk_thumbprint::ThumbprintHash;
use jwt_claims::{ClaimError, ClaimReader, ClaimReason, NumericDate, TimeRules};
use replay_store::{Namespace, ReplayId, ReplayStore, Seen};

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
/// [`ProofVerifier::require_nonce`]).
///
/// Replay detection is part of construction: [`ProofVerifier::new`] takes the
/// [`ReplayStore`] that records each proof's (`jkt`, `jti`) until it can no longer be
/// accepted (`MemoryReplayStore` for one process, `RedisReplayStore` for several).
/// [`ProofVerifier::without_replay_detection`] is the explicit opt-out, for callers that
/// detect replays elsewhere. When the store fails, [`ProofVerifier::verify`] refuses the
/// proof with [`DpopError::ReplayStore`] (fail closed).
///
/// ```
/// use dpop::{DpopKey, ProofRequest, ProofVerifier};
/// use jose_core::alg::JwsAlgorithm;
/// use replay_store::MemoryReplayStore;
/// use std::sync::Arc;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), dpop::DpopError> {
/// let verifier = ProofVerifier::new(Arc::new(MemoryReplayStore::new()));
///
/// let key = DpopKey::generate(JwsAlgorithm::ES256)?;
/// let proof = key.proof("POST", "https://as.example/token").sign()?;
///
/// let request = ProofRequest::new(&proof, "POST", "https://as.example/token");
/// let verified = verifier.verify(&request).await?;
/// assert_eq!(verified.thumbprint(), key.thumbprint());
/// // The same proof a second time is a replay.
/// assert_eq!(verifier.verify(&request).await, Err(dpop::DpopError::Replay));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ProofVerifier {
    algorithms: Vec<JwsAlgorithm>,
    max_age: Duration,
    leeway: Duration,
    replay: Option<Arc<dyn ReplayStore>>,
    nonces: Option<Arc<NonceIssuer>>,
    backend: Backend,
}

impl core::fmt::Debug for ProofVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ProofVerifier")
            .field("algorithms", &self.algorithms)
            .field("max_age", &self.max_age)
            .field("leeway", &self.leeway)
            .field(
                "replay_store",
                &self.replay.as_ref().map_or_else(
                    || "none (replay detection disabled)".to_owned(),
                    |s| s.describe(),
                ),
            )
            .field("nonces", &self.nonces)
            .field("backend", &self.backend)
            .finish()
    }
}

impl ProofVerifier {
    /// The defaults, detecting replays with `store` (namespace [`Namespace::DPOP_PROOF`]).
    #[must_use]
    pub fn new(store: Arc<dyn ReplayStore>) -> Self {
        Self::with_replay(Some(store))
    }

    /// The defaults **without replay detection**: a captured proof is accepted again until
    /// it is too old (60 s by default). Only for callers that record `jti` values themselves,
    /// or that verify proofs they will not act on (tests, tooling).
    #[must_use]
    pub fn without_replay_detection() -> Self {
        Self::with_replay(None)
    }

    fn with_replay(replay: Option<Arc<dyn ReplayStore>>) -> Self {
        use JwsAlgorithm::*;
        Self {
            algorithms: vec![ES256, ES384, ES512, PS256, PS384, PS512, RS256, EdDSA],
            max_age: Duration::from_secs(60),
            leeway: Duration::from_secs(5),
            replay,
            nonces: None,
            backend: Backend::default(),
        }
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

    /// The clock tolerance (default 5 s): how far in the future `iat` may be. The past is
    /// bounded by [`ProofVerifier::max_age`] alone, which the leeway does not extend.
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The former name of [`ProofVerifier::leeway`].
    #[deprecated(note = "renamed `leeway`, the one name of the clock tolerance in every crate")]
    #[must_use]
    pub fn future_leeway(self, leeway: Duration) -> Self {
        self.leeway(leeway)
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
    /// use replay_store::MemoryReplayStore;
    /// use std::sync::Arc;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), DpopError> {
    /// let issuer = Arc::new(NonceIssuer::new(NonceKey::generate()?));
    /// let verifier = ProofVerifier::new(Arc::new(MemoryReplayStore::new()))
    ///     .require_nonce(issuer.clone());
    /// let key = DpopKey::generate(JwsAlgorithm::ES256)?;
    ///
    /// // Without a nonce: the server answers use_dpop_nonce with a fresh one.
    /// let proof = key.proof("POST", "https://as.example/token").sign()?;
    /// let request = ProofRequest::new(&proof, "POST", "https://as.example/token");
    /// let err = verifier.verify(&request).await.unwrap_err();
    /// let challenge = issuer.answer(&err).expect("a use_dpop_nonce answer");
    ///
    /// // The client retries with it.
    /// let proof = key.proof("POST", "https://as.example/token").nonce(challenge.dpop_nonce()).sign()?;
    /// verifier.verify(&ProofRequest::new(&proof, "POST", "https://as.example/token")).await?;
    /// # Ok(())
    /// # }
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
    /// use replay_store::MemoryReplayStore;
    /// use std::sync::Arc;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), dpop::DpopError> {
    /// let key = DpopKey::generate(JwsAlgorithm::ES256)?;
    /// let proof = key.proof("GET", "https://rs.example/orders").sign()?;
    /// let verifier = ProofVerifier::new(Arc::new(MemoryReplayStore::new())).backend(Backend::RustCrypto);
    /// let request = ProofRequest::new(&proof, "GET", "https://rs.example/orders");
    /// let verified = verifier.verify(&request).await?;
    /// assert_eq!(verified.jwk().backend(), Backend::RustCrypto);
    /// # Ok(())
    /// # }
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

    /// Verifies a proof for a request, then records it in the replay store (one store call,
    /// made only when every other check passed).
    ///
    /// # Errors
    /// The [`DpopError`] of the first check that failed, in RFC 9449 §4.3 order;
    /// [`DpopError::Replay`] for a proof seen before; [`DpopError::ReplayStore`] when the
    /// store cannot answer (the proof is refused).
    pub async fn verify(&self, request: &ProofRequest<'_>) -> Result<VerifiedProof, DpopError> {
        let now = request.now.unwrap_or_else(NumericDate::now);
        let (proof, expires) = self.check(request, now)?;
        if let Some(store) = &self.replay {
            let id = ReplayId::from_parts(
                Namespace::DPOP_PROOF,
                &[proof.jkt.as_bytes(), proof.jti.as_bytes()],
            )?;
            let seen = store
                .check_and_record(&id, now.to_system_time(), expires.to_system_time())
                .await?;
            if seen == Seen::Replayed {
                return Err(DpopError::Replay);
            }
        }
        Ok(proof)
    }

    /// Every check but replay; also returns until when the proof could be accepted.
    fn check(
        &self,
        request: &ProofRequest<'_>,
        now: NumericDate,
    ) -> Result<(VerifiedProof, NumericDate), DpopError> {
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
        let read = ClaimReader::new(&claims);
        let htm = read.string("htm")?;
        let htu = read.string("htu")?;
        let iat = registered.iat.ok_or(DpopError::MissingClaim("iat"))?;
        let proof_ath = read.optional_string("ath")?;
        let nonce = read.optional_string("nonce")?;

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
        self.check_nonce(nonce.as_deref(), request, now)?;
        // Check 11: freshness.
        TimeRules::at(now)
            .leeway(self.leeway)
            .check_iat(iat)
            .map_err(|_| DpopError::IssuedInFuture { iat, now })?;
        TimeRules::at(now)
            .max_age(self.max_age)
            .check_age(iat)
            .map_err(|_| DpopError::Stale { iat, now })?;
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
        // Replay (checked by `verify`): each (key, jti) once within the acceptance window.
        let expires = iat.plus(self.max_age).plus(self.leeway);
        let verified = VerifiedProof {
            jwk,
            jkt,
            jti,
            htm,
            htu: presented,
            iat,
            nonce,
            ath: request.access_token.map(ath),
        };
        Ok((verified, expires))
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

impl From<ClaimError> for DpopError {
    fn from(e: ClaimError) -> Self {
        match e.reason {
            ClaimReason::Missing => DpopError::MissingClaim(e.claim),
            ClaimReason::Invalid(reason) => DpopError::InvalidClaim {
                claim: e.claim,
                reason,
            },
            _ => DpopError::InvalidClaim {
                claim: e.claim,
                reason: "is invalid",
            },
        }
    }
}

/// The request a proof arrived with.
///
/// `Debug` shows neither the access token nor the proof (only the proof's length).
#[derive(Clone)]
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

impl core::fmt::Debug for ProofRequest<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ProofRequest")
            .field("proof_len", &self.proof.len())
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("access_token", &self.access_token.map(|_| "[redacted]"))
            .field("token_jkt", &self.token_jkt)
            .field("nonces", &self.nonces)
            .field("now", &self.now)
            .finish()
    }
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
