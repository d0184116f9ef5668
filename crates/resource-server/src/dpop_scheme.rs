//! The `DPoP` authorization scheme at a resource server (RFC 9449 §7): the proof checked
//! against the request's method and public URL, the token's `cnf.jkt`, `ath`, replays, and
//! server nonces.

use dpop::{NonceIssuer, ProofRequest, ProofVerifier};
use std::sync::Arc;
use url::Url;

/// How a [`ResourceServer`](crate::ResourceServer) accepts DPoP-bound tokens.
///
/// The proof's `htu` is compared with the URL the client used: the request's path (and
/// query, which the comparison ignores) under `public_base_url`, the scheme, host, port and
/// path prefix clients see (behind a proxy or load balancer, not the local listener).
/// Replays are detected through the [`ProofVerifier`]'s replay store: give every instance the
/// same shared store (Redis) and the same public base URL.
///
/// ```
/// use dpop::{NonceIssuer, NonceKey, ProofVerifier};
/// use replay_store::MemoryReplayStore;
/// use resource_server::DpopOptions;
/// use std::sync::Arc;
///
/// let verifier = ProofVerifier::new(Arc::new(MemoryReplayStore::new()));
/// let nonces = Arc::new(NonceIssuer::new(NonceKey::generate()?));
/// let dpop = DpopOptions::new(verifier, "https://api.example".parse()?)
///     .require_nonce(nonces)
///     .required();
/// # let _ = dpop;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct DpopOptions {
    verifier: ProofVerifier,
    public_base_url: Url,
    nonces: Option<Arc<NonceIssuer>>,
    required: bool,
}

impl DpopOptions {
    /// Proofs verified by `verifier` (algorithms, times, replay store), for requests to
    /// `public_base_url`.
    #[must_use]
    pub fn new(verifier: ProofVerifier, public_base_url: Url) -> Self {
        Self {
            verifier,
            public_base_url,
            nonces: None,
            required: false,
        }
    }

    /// Demands a server nonce in every proof (RFC 9449 §9), issued and checked by `issuer`:
    /// stateless, so instances holding the same key accept each other's nonces.
    #[must_use]
    pub fn require_nonce(mut self, issuer: Arc<NonceIssuer>) -> Self {
        self.nonces = Some(issuer);
        self
    }

    /// Refuses the `Bearer` scheme: every token must be DPoP-bound
    /// (`dpop_bound_access_tokens_required`).
    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Whether `Bearer` is refused.
    #[must_use]
    pub fn is_required(&self) -> bool {
        self.required
    }

    /// The public base URL.
    #[must_use]
    pub fn public_base_url(&self) -> &Url {
        &self.public_base_url
    }

    /// The verifier with the nonce policy applied (what the server runs).
    pub(crate) fn into_parts(self) -> (ProofVerifier, Url, Option<Arc<NonceIssuer>>, bool) {
        let verifier = match &self.nonces {
            Some(issuer) => self.verifier.require_nonce(issuer.clone()),
            None => self.verifier,
        };
        (verifier, self.public_base_url, self.nonces, self.required)
    }
}

/// The DPoP settings a built server runs with.
#[derive(Debug)]
pub(crate) struct DpopRuntime {
    pub(crate) verifier: ProofVerifier,
    pub(crate) public_base_url: Url,
    pub(crate) nonces: Option<Arc<NonceIssuer>>,
    pub(crate) required: bool,
}

impl DpopRuntime {
    pub(crate) fn new(options: DpopOptions) -> Self {
        let (verifier, public_base_url, nonces, required) = options.into_parts();
        Self {
            verifier,
            public_base_url,
            nonces,
            required,
        }
    }

    /// The URL the client addressed: the target's path and query under the public base URL.
    /// `None` for a target that is neither origin-form nor an absolute URL.
    pub(crate) fn request_url(&self, target: &str) -> Option<String> {
        let path_and_query = if target.starts_with('/') {
            target.to_owned()
        } else {
            let url = Url::parse(target).ok()?;
            match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_owned(),
            }
        };
        let base = self.public_base_url.as_str().trim_end_matches('/');
        Some(format!("{base}{path_and_query}"))
    }

    /// Verifies the proof of a request carrying `token` bound to `jkt`.
    pub(crate) async fn verify(
        &self,
        proofs: &[&str],
        method: &str,
        url: &str,
        token: &str,
        jkt: &str,
    ) -> Result<dpop::VerifiedProof, dpop::DpopError> {
        let request = ProofRequest::from_header_values(proofs, method, url)?
            .access_token(token)
            .token_jkt(jkt);
        self.verifier.verify(&request).await
    }
}
