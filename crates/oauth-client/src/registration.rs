//! Dynamic client registration (RFC 7591, OpenID Connect Dynamic Client Registration 1.0)
//! and reading the registration back (RFC 7592).

use crate::config::ConfigurationBuilder;
use crate::http::{Headers, Method};
use crate::request::{JSON, Outgoing, json_success};
use crate::{ClientAuth, ClientMetadata, Configuration, DiscoveryAlgorithm, Error};
use serde_json::Value;
use url::Url;

impl ConfigurationBuilder {
    /// Discovers `issuer` (OpenID Connect), registers this builder's client metadata at its
    /// registration endpoint, and returns a configuration for the new client.
    ///
    /// `initial_access_token` authorizes the registration when the server requires one. The
    /// client authentication is the builder's unless it is [`ClientAuth::none`] and the
    /// server issued a secret: then it follows the registered `token_endpoint_auth_method`
    /// (see [`ClientAuth::from_metadata`]). The registration access token and client URI
    /// (RFC 7592) are in the returned client metadata.
    ///
    /// ```no_run
    /// # async fn demo(issuer: url::Url, initial_access_token: &str) -> Result<(), oauth_client::Error> {
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
    ///
    /// let mut metadata = ClientMetadata::for_registration(["https://rp.example/cb"]);
    /// metadata.token_endpoint_auth_method = Some("client_secret_basic".into());
    /// let config = Configuration::builder(metadata, ClientAuth::none())
    ///     .register(&issuer, Some(initial_access_token))
    ///     .await?;
    /// // Keep these: the new client's identity, and the RFC 7592 credentials.
    /// let client = config.client_metadata();
    /// println!("{} {:?}", client.client_id, client.registration_client_uri);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The discovery errors, [`Error::MissingEndpoint`], [`Error::OAuth`]
    /// (`invalid_client_metadata`, `invalid_redirect_uri`, ...), or a response without
    /// `client_id`.
    pub async fn register(
        self,
        issuer: &Url,
        initial_access_token: Option<&str>,
    ) -> Result<Configuration, Error> {
        self.register_with(issuer, DiscoveryAlgorithm::Oidc, initial_access_token)
            .await
    }

    /// [`ConfigurationBuilder::register`] with the metadata discovered at the well-known URL of
    /// `algorithm` (openid-client's `algorithm: 'oauth2'` option: RFC 8414 path insertion).
    ///
    /// ```no_run
    /// # async fn demo(issuer: url::Url) -> Result<(), oauth_client::Error> {
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration, DiscoveryAlgorithm};
    ///
    /// let metadata = ClientMetadata::for_registration(["https://rp.example/cb"]);
    /// let config = Configuration::builder(metadata, ClientAuth::none())
    ///     .register_with(&issuer, DiscoveryAlgorithm::OAuth2, None)
    ///     .await?;
    /// # let _ = config;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`ConfigurationBuilder::register`].
    pub async fn register_with(
        self,
        issuer: &Url,
        algorithm: DiscoveryAlgorithm,
        initial_access_token: Option<&str>,
    ) -> Result<Configuration, Error> {
        let http = self.http()?;
        let server = self
            .fetch_metadata(http.clone(), &crate::well_known_url(issuer, algorithm))
            .await?;
        if !crate::discovery::same_issuer(issuer, &server.issuer) {
            return Err(Error::IssuerMismatch {
                expected: issuer.to_string(),
                found: jose_core::json::truncate_for_error(&server.issuer),
            });
        }
        let url = server
            .registration_endpoint
            .clone()
            .ok_or(Error::MissingEndpoint("registration_endpoint"))?;
        let mut request_metadata = self.client.clone();
        request_metadata.client_id.clear();
        request_metadata.client_secret = None;
        let body = serde_json::to_vec(&request_metadata)
            .map_err(|e| Error::InvalidConfiguration(format!("client metadata: {e}")))?;
        let bootstrap = self.bootstrap(http.clone(), &server.issuer);
        let mut request = Outgoing::new("registration", Method::POST, url);
        let mut headers = Headers::new();
        headers.set("accept", JSON);
        headers.set("content-type", JSON);
        if let Some(token) = initial_access_token {
            headers.set("authorization", format!("Bearer {token}"));
        }
        request.headers = headers;
        request.body = Some(body);
        let response = bootstrap.send(request, false).await?;
        let object = json_success("registration", &response, &[201, 200])?;
        match object.get("client_id") {
            Some(Value::String(id)) if !id.is_empty() => {}
            _ => {
                return Err(Error::MissingField {
                    endpoint: "registration",
                    field: "client_id",
                });
            }
        }
        let registered: ClientMetadata =
            serde_json::from_value(Value::Object(object)).map_err(|e| Error::InvalidJson {
                endpoint: "registration",
                source: jose_core::json::schema_error(&e),
            })?;
        let auth = if self.auth.method() == crate::AuthMethod::None
            && registered.client_secret.is_some()
        {
            ClientAuth::from_metadata(&registered)?
        } else {
            self.auth.clone()
        };
        ConfigurationBuilder {
            client: registered,
            auth,
            http: Some(http.clone()),
            options: self.options,
        }
        .build_with(server, http)
    }
}

impl Configuration {
    /// Reads the client's current registration from its client configuration endpoint
    /// (RFC 7592 §2.1), with the registration access token from registration.
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration) -> Result<(), oauth_client::Error> {
    /// let current = config.read_registration().await?;
    /// println!("redirect URIs: {:?}", current.redirect_uris);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidConfiguration`] when the client metadata has no
    /// `registration_client_uri` or `registration_access_token`, [`Error::OAuth`], or a
    /// malformed response.
    pub async fn read_registration(&self) -> Result<ClientMetadata, Error> {
        let client = &self.inner.client;
        let (Some(uri), Some(token)) = (
            client.registration_client_uri.as_deref(),
            client.registration_access_token.as_deref(),
        ) else {
            return Err(Error::InvalidConfiguration(
                "no registration_client_uri and registration_access_token".into(),
            ));
        };
        let url = Url::parse(uri).map_err(|_| {
            Error::InvalidConfiguration("registration_client_uri is not a URL".into())
        })?;
        let mut request = Outgoing::new("registration", Method::GET, url);
        request.headers.set("accept", JSON);
        request
            .headers
            .set("authorization", format!("Bearer {token}"));
        let response = self.send(request, false).await?;
        let object = json_success("registration", &response, &[200])?;
        serde_json::from_value(Value::Object(object)).map_err(|e| Error::InvalidJson {
            endpoint: "registration",
            source: jose_core::json::schema_error(&e),
        })
    }
}
