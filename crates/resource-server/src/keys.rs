//! Where the issuer's verification keys come from.

use jose_core::jwk::JwkSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed, sendable future (the return type of [`KeySource::keys`]).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The issuer's keys could not be obtained (network, HTTP status, malformed JWK Set). The
/// message is for logs only; the client is answered with 503.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the issuer's keys are unavailable: {0}")]
pub struct KeySourceError(pub String);

/// The issuer's JWK Set, as a verification needs it.
///
/// `kid` is the token's key id: a source that caches may refetch when it does not know it.
/// [`StaticKeys`] holds a fixed set; a remote JWK Set fetched from the issuer implements it
/// too.
pub trait KeySource: Send + Sync + core::fmt::Debug {
    /// The JWK Set to verify a token whose header names `kid`.
    ///
    /// # Errors
    /// [`KeySourceError`] when the keys cannot be obtained.
    fn keys<'a>(
        &'a self,
        kid: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Arc<JwkSet>, KeySourceError>>;
}

/// A fixed JWK Set (keys configured locally, or tests).
#[derive(Clone, Debug)]
pub struct StaticKeys(Arc<JwkSet>);

impl StaticKeys {
    /// These keys.
    #[must_use]
    pub fn new(keys: JwkSet) -> Self {
        Self(Arc::new(keys))
    }
}

impl KeySource for StaticKeys {
    fn keys<'a>(
        &'a self,
        _kid: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Arc<JwkSet>, KeySourceError>> {
        let keys = self.0.clone();
        Box::pin(async move { Ok(keys) })
    }
}
