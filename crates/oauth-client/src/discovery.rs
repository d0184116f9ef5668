//! Authorization server metadata discovery (OpenID Connect Discovery 1.0 §4, RFC 8414 §3).

use crate::config::{ConfigurationBuilder, Inner};
use crate::http::{Headers, HttpClient, Method};
use crate::jwks::JwksCache;
use crate::request::{Outgoing, error_response, parse_json_object, require_json};
use crate::{ClientAuth, ClientMetadata, Configuration, Error, ServerMetadata};
use std::sync::Arc;
use url::Url;

/// Where the metadata of an issuer is published.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscoveryAlgorithm {
    /// OpenID Connect: `<issuer>/.well-known/openid-configuration`.
    #[default]
    Oidc,
    /// RFC 8414: `/.well-known/oauth-authorization-server` inserted between the host and the
    /// issuer's path.
    OAuth2,
}

/// The metadata URL of an issuer.
///
/// ```
/// use oauth_client::{DiscoveryAlgorithm, well_known_url};
/// use url::Url;
///
/// let issuer = Url::parse("https://example.com/tenant")?;
/// assert_eq!(
///     well_known_url(&issuer, DiscoveryAlgorithm::Oidc).as_str(),
///     "https://example.com/tenant/.well-known/openid-configuration"
/// );
/// assert_eq!(
///     well_known_url(&issuer, DiscoveryAlgorithm::OAuth2).as_str(),
///     "https://example.com/.well-known/oauth-authorization-server/tenant"
/// );
/// # Ok::<(), url::ParseError>(())
/// ```
#[must_use]
pub fn well_known_url(issuer: &Url, algorithm: DiscoveryAlgorithm) -> Url {
    let mut url = issuer.clone();
    url.set_query(None);
    url.set_fragment(None);
    let path = issuer.path().trim_end_matches('/');
    let new_path = match algorithm {
        DiscoveryAlgorithm::Oidc => format!("{path}/.well-known/openid-configuration"),
        DiscoveryAlgorithm::OAuth2 => format!("/.well-known/oauth-authorization-server{path}"),
    };
    url.set_path(&new_path);
    url
}

/// Whether the metadata's `issuer` is the issuer identifier asked for. The comparison is
/// exact, except that `https://op.example` and `https://op.example/` are the same identifier
/// (a URL with an empty path is always shown with `/`).
pub(crate) fn same_issuer(expected: &Url, found: &str) -> bool {
    found == expected.as_str()
        || (expected.path() == "/"
            && expected.query().is_none()
            && format!("{found}/") == expected.as_str())
}

/// Discovers the metadata of `issuer` (OpenID Connect) and returns a configuration for the
/// client, with the default options: openid-client's `discovery()`. Options (timeout,
/// HTTP client, `allow_insecure_requests`, the RFC 8414 algorithm, ...) go through
/// [`Configuration::builder`] and [`ConfigurationBuilder::discover`].
///
/// ```no_run
/// # async fn demo() -> Result<(), oauth_client::Error> {
/// use oauth_client::{ClientAuth, ClientMetadata, discovery};
/// use url::Url;
///
/// let issuer = Url::parse("https://op.example").unwrap();
/// let config = discovery(
///     &issuer,
///     ClientMetadata::new("my-client"),
///     ClientAuth::client_secret_post("my-secret"),
/// )
/// .await?;
/// # let _ = config;
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// As [`ConfigurationBuilder::discover`].
pub async fn discovery(
    issuer: &Url,
    client: ClientMetadata,
    auth: ClientAuth,
) -> Result<Configuration, Error> {
    ConfigurationBuilder::new(client, auth)
        .discover(issuer)
        .await
}

impl ConfigurationBuilder {
    /// A configuration with only these options and HTTP client, to send requests before the
    /// server metadata is known.
    pub(crate) fn bootstrap(&self, http: Arc<dyn HttpClient>, issuer: &str) -> Configuration {
        Configuration {
            inner: Arc::new(Inner {
                server: ServerMetadata::new(issuer),
                client: self.client.clone(),
                auth: ClientAuth::none(),
                http,
                options: self.options.clone(),
                jwks: JwksCache::default(),
            }),
            dpop: None,
        }
    }

    /// Discovers the metadata of `issuer` with OpenID Connect Discovery and checks that it
    /// names `issuer`.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), oauth_client::Error> {
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
    /// use std::time::Duration;
    ///
    /// let issuer = url::Url::parse("https://op.example").unwrap();
    /// let config = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .timeout(Duration::from_secs(10))
    ///     .discover(&issuer)
    ///     .await?;
    /// println!("token endpoint: {:?}", config.server_metadata().token_endpoint);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InsecureUrl`] for an `http:` issuer without the opt-in, transport errors,
    /// [`Error::UnexpectedStatus`], [`Error::UnexpectedContentType`], [`Error::InvalidJson`]
    /// (malformed or oversized), [`Error::IssuerMismatch`], or the errors of
    /// [`ConfigurationBuilder::build`].
    pub async fn discover(self, issuer: &Url) -> Result<Configuration, Error> {
        self.discover_with(issuer, DiscoveryAlgorithm::Oidc).await
    }

    /// Discovers the metadata of `issuer` at the well-known URL of `algorithm` and checks
    /// that it names `issuer` (openid-client's `algorithm` option).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), oauth_client::Error> {
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration, DiscoveryAlgorithm};
    ///
    /// // An OAuth 2.0 server publishing RFC 8414 metadata:
    /// // https://as.example/.well-known/oauth-authorization-server/tenant
    /// let issuer = url::Url::parse("https://as.example/tenant").unwrap();
    /// let config = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .discover_with(&issuer, DiscoveryAlgorithm::OAuth2)
    ///     .await?;
    /// # let _ = config;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`ConfigurationBuilder::discover`].
    pub async fn discover_with(
        self,
        issuer: &Url,
        algorithm: DiscoveryAlgorithm,
    ) -> Result<Configuration, Error> {
        let http = self.http()?;
        let server = self
            .fetch_metadata(http.clone(), &well_known_url(issuer, algorithm))
            .await?;
        if !same_issuer(issuer, &server.issuer) {
            return Err(Error::IssuerMismatch {
                expected: issuer.to_string(),
                found: jose_core::json::truncate_for_error(&server.issuer),
            });
        }
        self.build_with(server, http)
    }

    /// Reads the metadata from a URL pointing at the document itself. NOT RECOMMENDED: the
    /// `issuer` in the document cannot be checked against anything, so a wrong URL silently
    /// yields another server's configuration. Prefer [`ConfigurationBuilder::discover`].
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), oauth_client::Error> {
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
    ///
    /// let document = url::Url::parse("https://op.example/custom/metadata.json").unwrap();
    /// let config = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .discover_from_metadata_url(&document)
    ///     .await?;
    /// # let _ = config;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`ConfigurationBuilder::discover`], without the issuer check.
    pub async fn discover_from_metadata_url(self, url: &Url) -> Result<Configuration, Error> {
        let http = self.http()?;
        let server = self.fetch_metadata(http.clone(), url).await?;
        self.build_with(server, http)
    }

    pub(crate) async fn fetch_metadata(
        &self,
        http: Arc<dyn HttpClient>,
        url: &Url,
    ) -> Result<ServerMetadata, Error> {
        const EP: &str = "discovery";
        let bootstrap = self.bootstrap(http, "");
        let mut request = Outgoing::new(EP, Method::GET, url.clone());
        let mut headers = Headers::new();
        headers.set("accept", "application/json");
        request.headers = headers;
        let response = bootstrap.send(request, false).await?;
        if response.status != 200 {
            return Err(error_response(EP, &response));
        }
        require_json(EP, &response)?;
        let object = parse_json_object(EP, &response.body)?;
        match object.get("issuer") {
            Some(serde_json::Value::String(s)) if !s.is_empty() => {}
            Some(_) => {
                return Err(Error::InvalidField {
                    endpoint: EP,
                    field: "issuer",
                    reason: "must be a non-empty string",
                });
            }
            None => {
                return Err(Error::MissingField {
                    endpoint: EP,
                    field: "issuer",
                });
            }
        }
        serde_json::from_value(serde_json::Value::Object(object)).map_err(|e| Error::InvalidJson {
            endpoint: EP,
            source: jose_core::json::schema_error(&e),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    #[test]
    fn issuer_comparison_is_exact_up_to_the_root_slash() {
        let root = Url::parse("https://op.example").unwrap();
        assert!(same_issuer(&root, "https://op.example"));
        assert!(same_issuer(&root, "https://op.example/"));
        assert!(!same_issuer(&root, "https://op.example.evil"));
        let path = Url::parse("https://op.example/t").unwrap();
        assert!(same_issuer(&path, "https://op.example/t"));
        assert!(!same_issuer(&path, "https://op.example/t/"));
        assert!(!same_issuer(&path, "https://OP.example/t"));
    }

    #[test]
    fn well_known_urls_for_root_issuers() {
        let root = Url::parse("https://op.example/").unwrap();
        assert_eq!(
            well_known_url(&root, DiscoveryAlgorithm::Oidc).as_str(),
            "https://op.example/.well-known/openid-configuration"
        );
        assert_eq!(
            well_known_url(&root, DiscoveryAlgorithm::OAuth2).as_str(),
            "https://op.example/.well-known/oauth-authorization-server"
        );
    }
}
