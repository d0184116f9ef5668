//! The issuer's JWK Set fetched over HTTPS: oauth-client's JWK Set cache, discovery and
//! HTTP seam, tuned for a resource server.

use crate::{BoxFuture, KeySource, KeySourceError};
use jose_core::jwk::JwkSet;
use oauth_client::{
    ClientAuth, ClientMetadata, Configuration, ConfigurationBuilder, DiscoveryAlgorithm,
    ExportedJwksCache, ServerMetadata,
};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// The issuer's JWK Set, fetched from its `jwks_uri` and cached by oauth-client's
/// [`Configuration`] (the same cache a relying party uses for ID Tokens):
///
/// - freshness from the response's `Cache-Control: max-age`, kept within 1 min .. 1 h
///   (1 h without the header);
/// - a refetch when a token names an unknown `kid`, at most once per 30 s;
/// - one fetch for a burst of concurrent requests (single flight);
/// - stale-if-error: a set that cannot be refreshed is still used for 1 h past its freshness;
/// - HTTPS only (unless the builder allows insecure requests), a 10 s timeout and a 512 KiB
///   cap on each response;
/// - [`RemoteKeys::export`] / [`RemoteKeys::import`] for runtimes that start cold.
///
/// Change any of these on [`RemoteKeys::configuration_builder`] and pass it to the `_with`
/// constructors.
///
/// ```no_run
/// # async fn demo() -> Result<(), oauth_client::Error> {
/// use resource_server::{AccessTokenValidation, RemoteKeys, ResourceServer};
///
/// let issuer = url::Url::parse("https://issuer.example").unwrap();
/// let keys = RemoteKeys::discover(&issuer).await?;
/// let server = ResourceServer::builder(
///     AccessTokenValidation::new(issuer.as_str(), "https://api.example"),
///     keys,
/// )
/// .build();
/// # let _ = server;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct RemoteKeys {
    config: Configuration,
}

impl RemoteKeys {
    /// oauth-client's configuration builder with this type's defaults (see [`RemoteKeys`]).
    /// Its client identity is unused: fetching keys needs no client authentication.
    #[must_use]
    pub fn configuration_builder() -> ConfigurationBuilder {
        Configuration::builder(ClientMetadata::new("resource-server"), ClientAuth::none())
            .timeout(Duration::from_secs(10))
            .max_response_bytes(512 * 1024)
            .jwks_cache_bounds(Duration::from_secs(60), Duration::from_secs(3600))
            .jwks_cache(Duration::from_secs(3600), Duration::from_secs(30))
            .jwks_stale_if_error(Duration::from_secs(3600))
    }

    /// Discovers the issuer's metadata (OpenID Connect Discovery) and uses its `jwks_uri`.
    ///
    /// # Errors
    /// oauth-client's discovery errors (transport, status, an `issuer` that is not `issuer`,
    /// an `http:` URL without the opt-in).
    pub async fn discover(issuer: &Url) -> Result<Self, oauth_client::Error> {
        Self::discover_with(
            Self::configuration_builder(),
            issuer,
            DiscoveryAlgorithm::Oidc,
        )
        .await
    }

    /// Discovers the issuer's metadata with `algorithm` (OpenID Connect or RFC 8414) and the
    /// options of `builder`.
    ///
    /// # Errors
    /// As [`RemoteKeys::discover`].
    pub async fn discover_with(
        builder: ConfigurationBuilder,
        issuer: &Url,
        algorithm: DiscoveryAlgorithm,
    ) -> Result<Self, oauth_client::Error> {
        let config = builder.discover_with(issuer, algorithm).await?;
        if config.server_metadata().jwks_uri.is_none() {
            return Err(oauth_client::Error::InvalidConfiguration(
                "the issuer's metadata has no jwks_uri".into(),
            ));
        }
        Ok(Self { config })
    }

    /// Uses this `jwks_uri` of `issuer` directly, without discovery.
    ///
    /// # Errors
    /// [`oauth_client::Error`] for an unusable configuration (an `http:` URL without the
    /// opt-in).
    pub fn from_jwks_uri(issuer: &str, jwks_uri: Url) -> Result<Self, oauth_client::Error> {
        Self::from_jwks_uri_with(Self::configuration_builder(), issuer, jwks_uri)
    }

    /// [`RemoteKeys::from_jwks_uri`] with the options of `builder`.
    ///
    /// # Errors
    /// As [`RemoteKeys::from_jwks_uri`].
    pub fn from_jwks_uri_with(
        builder: ConfigurationBuilder,
        issuer: &str,
        jwks_uri: Url,
    ) -> Result<Self, oauth_client::Error> {
        let mut server = ServerMetadata::new(issuer);
        server.jwks_uri = Some(jwks_uri);
        Ok(Self {
            config: builder.build(server)?,
        })
    }

    /// Uses the JWK Set cache of an existing configuration (for example the one that also
    /// introspects tokens).
    #[must_use]
    pub fn from_configuration(config: Configuration) -> Self {
        Self { config }
    }

    /// The configuration the keys are fetched with.
    #[must_use]
    pub fn configuration(&self) -> &Configuration {
        &self.config
    }

    /// The cached JWK Set and when it was fetched; see the security note on
    /// [`ExportedJwksCache`].
    #[must_use]
    pub fn export(&self) -> Option<ExportedJwksCache> {
        self.config.jwks_cache()
    }

    /// Loads a cache exported by [`RemoteKeys::export`]. **Danger zone**: the keys become
    /// trusted signing keys of the issuer; import only what your own code stored.
    ///
    /// # Errors
    /// [`oauth_client::Error::Jwks`] for a document that is not a usable JWK Set.
    pub fn import(&self, cache: &ExportedJwksCache) -> Result<(), oauth_client::Error> {
        self.config.set_jwks_cache(cache)
    }
}

impl KeySource for RemoteKeys {
    fn keys<'a>(
        &'a self,
        kid: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Arc<JwkSet>, KeySourceError>> {
        Box::pin(async move {
            self.config
                .jwk_set(kid)
                .await
                .map_err(|e| KeySourceError(e.to_string()))
        })
    }
}
