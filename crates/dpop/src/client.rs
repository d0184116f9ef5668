//! The client side: one [`DpopClient`] per OAuth client holds the key and the latest nonce of
//! each server.

use crate::htu::origin_of;
use crate::{DpopError, DpopKey, NonceStore};

/// A DPoP key plus the nonces servers have asked for, ready to make the proof of each request
/// and to recognise when a request must be retried with a fresh nonce.
///
/// ```
/// use dpop::DpopClient;
/// use jose_core::alg::JwsAlgorithm;
///
/// let client = DpopClient::generate(JwsAlgorithm::ES256)?;
/// let proof = client.proof("POST", "https://as.example/token", None)?;
///
/// // The server answers 400 {"error":"use_dpop_nonce"} with `DPoP-Nonce: n-1`:
/// client.record_nonce("https://as.example/token", "n-1")?;
/// assert!(DpopClient::is_nonce_error(400, None, Some("use_dpop_nonce")));
/// let retry = client.proof("POST", "https://as.example/token", None)?; // carries nonce n-1
/// # let _ = (proof, retry);
/// # Ok::<(), dpop::DpopError>(())
/// ```
#[derive(Clone, Debug)]
pub struct DpopClient {
    key: DpopKey,
    nonces: std::sync::Arc<NonceStore>,
}

impl DpopClient {
    /// A client for an existing key.
    #[must_use]
    pub fn new(key: DpopKey) -> Self {
        Self {
            key,
            nonces: std::sync::Arc::new(NonceStore::default()),
        }
    }

    /// A client with a fresh key.
    ///
    /// # Errors
    /// As [`DpopKey::generate`].
    pub fn generate(alg: jose_core::alg::JwsAlgorithm) -> Result<Self, DpopError> {
        Ok(Self::new(DpopKey::generate(alg)?))
    }

    /// The key.
    #[must_use]
    pub fn key(&self) -> &DpopKey {
        &self.key
    }

    /// The `dpop_jkt` authorization request parameter (RFC 9449 §10).
    #[must_use]
    pub fn dpop_jkt(&self) -> &str {
        self.key.thumbprint()
    }

    /// The proof for a request of `method` to `uri`, with the nonce last received from that
    /// origin and, for resource requests, the access token's hash.
    ///
    /// # Errors
    /// As [`crate::ProofBuilder::sign`].
    pub fn proof(
        &self,
        method: &str,
        uri: &str,
        access_token: Option<&str>,
    ) -> Result<String, DpopError> {
        let nonce = self.nonces.get(&origin_of(uri)?);
        let mut builder = self.key.proof(method, uri).maybe_nonce(nonce.as_deref());
        if let Some(token) = access_token {
            builder = builder.access_token(token);
        }
        builder.sign()
    }

    /// Records the `DPoP-Nonce` header of a response from `uri`.
    ///
    /// # Errors
    /// [`DpopError::InvalidNonce`] for a value outside the nonce syntax (it is not stored).
    pub fn record_nonce(&self, uri: &str, nonce: &str) -> Result<(), DpopError> {
        self.nonces.set(&origin_of(uri)?, nonce)
    }

    /// The nonce currently held for the origin of `uri`.
    #[must_use]
    pub fn nonce_for(&self, uri: &str) -> Option<String> {
        origin_of(uri).ok().and_then(|o| self.nonces.get(&o))
    }

    /// Whether a response asks for a (new) nonce: a 400 with `error=use_dpop_nonce` in the body
    /// (authorization server), or a 401 whose `WWW-Authenticate` value starts with the `DPoP`
    /// scheme (exactly, in any letter case) and carries `error="use_dpop_nonce"` (resource
    /// server). Any header value, including non-ASCII text, is handled without panicking. Retry such a request once, after
    /// [`DpopClient::record_nonce`].
    #[must_use]
    pub fn is_nonce_error(
        status: u16,
        www_authenticate: Option<&str>,
        body_error: Option<&str>,
    ) -> bool {
        match status {
            400 => body_error == Some("use_dpop_nonce"),
            401 => www_authenticate.is_some_and(|h| {
                // The first word is the scheme; no slicing at byte offsets (the value is
                // untrusted and may hold any UTF-8).
                let scheme = h
                    .split(|c: char| c.is_ascii_whitespace() || c == ',')
                    .find(|w| !w.is_empty());
                scheme.is_some_and(|s| s.eq_ignore_ascii_case("dpop"))
                    && h.contains("use_dpop_nonce")
            }),
            _ => false,
        }
    }

    /// The `Authorization` header value for a DPoP-bound access token.
    #[must_use]
    pub fn authorization_header(access_token: &str) -> String {
        format!("DPoP {access_token}")
    }
}
