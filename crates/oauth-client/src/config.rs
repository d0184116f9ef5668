//! [`Configuration`]: server metadata + client metadata + client authentication + options.

use crate::http::{Headers, HttpClient};
use crate::jwks::JwksCache;
use crate::{ClientAuth, ClientMetadata, Error, ServerMetadata};
use core::fmt;
use jose_core::backend::Backend;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use url::Url;

/// Adds DPoP proofs (RFC 9449) to the requests of a [`Configuration`].
///
/// The crate calls [`DpopHandle::proof`] before each token, PAR, UserInfo and resource request,
/// hands every `DPoP-Nonce` response header to [`DpopHandle::record_nonce`], and retries a
/// request once when the server answers `use_dpop_nonce` (a 400 token-endpoint error, or a 401
/// `WWW-Authenticate: DPoP error="use_dpop_nonce"`). With the `dpop` feature it is implemented
/// for `dpop::DpopClient`.
///
/// Implement it yourself to make proofs another way (a key in an HSM, a `jti` of your own,
/// a proof built with `jws` directly: where openid-client uses `modifyAssertion` for DPoP):
///
/// ```
/// use dpop::DpopKey;
/// use oauth_client::{DpopHandle, Error};
///
/// /// Proofs whose `jti` the application chooses; nonces kept by a `DpopClient`.
/// #[derive(Debug)]
/// struct OwnJti(dpop::DpopClient);
///
/// impl DpopHandle for OwnJti {
///     fn proof(&self, method: &str, url: &str, access_token: Option<&str>) -> Result<String, Error> {
///         let nonce = self.0.nonce_for(url);
///         let mut proof = self.0.key().proof(method, url).maybe_nonce(nonce.as_deref());
///         if let Some(token) = access_token {
///             proof = proof.access_token(token);
///         }
///         proof
///             .jti(format!("rp-{}", jose_core::rand::token(16).map_err(|_| Error::Random)?))
///             .sign()
///             .map_err(|e| Error::Dpop(e.to_string()))
///     }
///     fn record_nonce(&self, url: &str, nonce: &str) -> Result<(), Error> {
///         self.0.record_nonce(url, nonce).map_err(|e| Error::Dpop(e.to_string()))
///     }
///     fn jkt(&self) -> Option<String> {
///         Some(self.0.dpop_jkt().to_owned())
///     }
/// }
///
/// let key = DpopKey::generate(jose_core::alg::JwsAlgorithm::ES256)?;
/// let handle = OwnJti(dpop::DpopClient::new(key));
/// assert_eq!(handle.proof("POST", "https://op.example/token", None)?.split('.').count(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait DpopHandle: Send + Sync + fmt::Debug {
    /// The `DPoP` header value for a request; `access_token` is set for resource requests
    /// (its hash becomes `ath`).
    ///
    /// # Errors
    /// [`Error::Dpop`] when the proof cannot be made.
    fn proof(&self, method: &str, url: &str, access_token: Option<&str>) -> Result<String, Error>;

    /// Stores the nonce a server sent in `DPoP-Nonce` for the origin of `url`.
    ///
    /// # Errors
    /// [`Error::Dpop`] when the value is not a valid nonce (it is then ignored).
    fn record_nonce(&self, url: &str, nonce: &str) -> Result<(), Error>;

    /// The JWK SHA-256 thumbprint of the proof key, sent as `dpop_jkt` in authorization
    /// requests to bind the authorization code to the key (RFC 9449 §10). `None` (the
    /// default) sends no `dpop_jkt`.
    fn jkt(&self) -> Option<String> {
        None
    }
}

#[cfg(feature = "dpop")]
impl DpopHandle for dpop::DpopClient {
    fn proof(&self, method: &str, url: &str, access_token: Option<&str>) -> Result<String, Error> {
        dpop::DpopClient::proof(self, method, url, access_token)
            .map_err(|e| Error::Dpop(e.to_string()))
    }

    fn record_nonce(&self, url: &str, nonce: &str) -> Result<(), Error> {
        dpop::DpopClient::record_nonce(self, url, nonce).map_err(|e| Error::Dpop(e.to_string()))
    }

    fn jkt(&self) -> Option<String> {
        Some(self.dpop_jkt().to_owned())
    }
}

/// Options of a [`Configuration`]; set them through [`ConfigurationBuilder`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Timeout of each HTTP request. Default 30 s.
    pub timeout: Duration,
    /// Whether `http:` URLs may be used. Default false: every request needs HTTPS.
    pub allow_insecure_requests: bool,
    /// Seconds added to the local clock before time checks (positive when it is behind).
    /// Default 0.
    pub clock_skew: i64,
    /// Tolerance for `exp`, `iat`, `nbf` and `auth_time` checks. Default 30 s.
    pub clock_tolerance: Duration,
    /// Oldest `iat` of an ID Token the client receives, before the tolerance
    /// ([`ConfigurationBuilder::max_id_token_age`]). Default 1 hour.
    pub max_id_token_age: Duration,
    /// Largest response body read. Default 1 MiB.
    pub max_response_bytes: usize,
    /// Header fields sent with every request.
    pub headers: Headers,
    /// How long a fetched JWK Set is used before it is fetched again. Default 10 min.
    pub jwks_max_age: Duration,
    /// Least time between two fetches of the JWK Set when a `kid` is unknown. Default 30 s.
    pub jwks_refetch_cooldown: Duration,
    /// The least time a fetched JWK Set is used when its response's `Cache-Control` names a
    /// shorter `max-age` (or `no-cache`): a response's `max-age` is honoured within
    /// `[jwks_min_age, jwks_max_age]`. Default 10 min (with the default maximum, `max-age` is
    /// then never shorter or longer than 10 min).
    pub jwks_min_age: Duration,
    /// How long past its freshness an already fetched JWK Set is still used when fetching it
    /// again fails (stale-if-error). Default zero: a failed fetch is an error.
    pub jwks_stale_if_error: Duration,
    /// The crypto backend that verifies with the server's JWK Set keys
    /// ([`ConfigurationBuilder::jwks_backend`]). Default [`Backend::default()`].
    pub jwks_backend: Backend,
    /// Keys and algorithms for encrypted responses; `None`: encrypted responses are refused.
    #[cfg(feature = "jwe")]
    pub decryption: Option<Decryption>,
    /// The hybrid flow: authorization requests default to `response_type=code id_token` and
    /// the front-channel ID Token is validated before the code is exchanged
    /// ([`ConfigurationBuilder::use_code_id_token_response_type`]). Default false.
    pub hybrid: bool,
    /// JARM: authorization requests default to `response_mode=jwt` and authorization
    /// responses must be a signed `response` JWT
    /// ([`ConfigurationBuilder::use_jwt_response_mode`]). Default false.
    pub jarm: bool,
    /// FAPI 1.0 detached signature checks: the front-channel ID Token must carry `s_hash`
    /// for the `state` ([`ConfigurationBuilder::enable_detached_signature_response_checks`]).
    /// Default false.
    pub detached_signature_checks: bool,
    /// The `x5t#S256` thumbprint of the client's TLS certificate: JWT access tokens must be
    /// bound to it ([`ConfigurationBuilder::certificate_bound_access_tokens`]).
    pub certificate_thumbprint: Option<String>,
}

/// The private keys and allowed algorithms for decrypting encrypted (JWE) ID Tokens, UserInfo
/// and introspection responses: openid-client's `enableDecryptingResponses`.
#[cfg(feature = "jwe")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decryption {
    pub(crate) keys: jose_core::jwk::JwkSet,
    pub(crate) options: jwe::DecryptOptions,
}

#[cfg(feature = "jwe")]
impl Decryption {
    /// The key management algorithms accepted: ECDH-ES (direct and with AES key wrap) and
    /// RSA-OAEP (SHA-1, -256, -384, -512), as openid-client.
    pub const ALGORITHMS: [jose_core::alg::KeyManagementAlgorithm; 8] = {
        use jose_core::alg::KeyManagementAlgorithm::*;
        [
            EcdhEs,
            EcdhEsA128Kw,
            EcdhEsA192Kw,
            EcdhEsA256Kw,
            RsaOaep,
            RsaOaep256,
            RsaOaep384,
            RsaOaep512,
        ]
    };

    /// Decrypts with these private keys (the one to use is chosen by `kid` and `alg`),
    /// accepting only the content encryption algorithms in `encryptions`.
    ///
    /// ```
    /// use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
    /// use jose_core::jwk::{Jwk, JwkSet};
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration, Decryption};
    ///
    /// // The private half of the key registered in the client's `jwks` for encryption.
    /// let key = Jwk::generate(KeyManagementAlgorithm::EcdhEs)?.with_kid("rp-enc");
    /// let decryption = Decryption::new(
    ///     JwkSet::new(vec![key])?,
    ///     [ContentEncryptionAlgorithm::A256Gcm, ContentEncryptionAlgorithm::A128CbcHs256],
    /// );
    /// let builder = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .decrypt_responses(decryption);
    /// assert!(builder.options().decryption.is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn new(
        keys: jose_core::jwk::JwkSet,
        encryptions: impl IntoIterator<Item = jose_core::alg::ContentEncryptionAlgorithm>,
    ) -> Self {
        Self {
            keys,
            options: jwe::DecryptOptions::new()
                .algorithms(Self::ALGORITHMS)
                .encryptions(encryptions),
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            allow_insecure_requests: false,
            clock_skew: 0,
            clock_tolerance: Duration::from_secs(30),
            max_id_token_age: Duration::from_secs(3600),
            max_response_bytes: 1 << 20,
            headers: Headers::new(),
            jwks_max_age: Duration::from_secs(600),
            jwks_refetch_cooldown: Duration::from_secs(30),
            jwks_min_age: Duration::from_secs(600),
            jwks_stale_if_error: Duration::ZERO,
            jwks_backend: Backend::default(),
            #[cfg(feature = "jwe")]
            decryption: None,
            hybrid: false,
            jarm: false,
            detached_signature_checks: false,
            certificate_thumbprint: None,
        }
    }
}

pub(crate) struct Inner {
    pub(crate) server: ServerMetadata,
    pub(crate) client: ClientMetadata,
    pub(crate) auth: ClientAuth,
    pub(crate) http: Arc<dyn HttpClient>,
    pub(crate) options: Options,
    pub(crate) jwks: JwksCache,
}

/// Everything a client needs to talk to one authorization server: its metadata, the client's
/// metadata and authentication, and the options. Immutable once built, cheap to clone, and
/// `Send + Sync`: share one per client across tasks.
///
/// ```no_run
/// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
/// use url::Url;
///
/// # async fn demo() -> Result<(), oauth_client::Error> {
/// let issuer = Url::parse("https://op.example").unwrap();
/// let config = Configuration::builder(
///     ClientMetadata::new("my-client"),
///     ClientAuth::client_secret_basic("my-secret"),
/// )
/// .discover(&issuer)
/// .await?;
/// # let _ = config;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Configuration {
    pub(crate) inner: Arc<Inner>,
    pub(crate) dpop: Option<Arc<dyn DpopHandle>>,
}

impl fmt::Debug for Configuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Configuration")
            .field("issuer", &self.inner.server.issuer)
            .field("client_id", &self.inner.client.client_id)
            .field("auth", &self.inner.auth.method())
            .field("dpop", &self.dpop.is_some())
            .finish_non_exhaustive()
    }
}

impl Configuration {
    /// A builder for a client with this metadata and authentication method.
    #[must_use]
    pub fn builder(client: ClientMetadata, auth: ClientAuth) -> ConfigurationBuilder {
        ConfigurationBuilder::new(client, auth)
    }

    /// A configuration from server metadata known up front, with the default options
    /// (openid-client's `new Configuration(server, clientId, metadata, clientAuthentication)`).
    /// To change an option, use [`Configuration::builder`] and [`ConfigurationBuilder::build`].
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration, ServerMetadata};
    /// use url::Url;
    ///
    /// let mut server = ServerMetadata::new("https://op.example");
    /// server.authorization_endpoint = Some(Url::parse("https://op.example/authorize")?);
    /// server.token_endpoint = Some(Url::parse("https://op.example/token")?);
    /// let config = Configuration::new(
    ///     server,
    ///     ClientMetadata::new("my-client"),
    ///     ClientAuth::client_secret_post("my-secret"),
    /// )?;
    /// assert_eq!(config.server_metadata().issuer, "https://op.example");
    /// assert_eq!(config.client_metadata().client_id, "my-client");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`ConfigurationBuilder::build`].
    pub fn new(
        server: ServerMetadata,
        client: ClientMetadata,
        auth: ClientAuth,
    ) -> Result<Self, Error> {
        ConfigurationBuilder::new(client, auth).build(server)
    }

    /// The authorization server's metadata.
    #[must_use]
    pub fn server_metadata(&self) -> &ServerMetadata {
        &self.inner.server
    }

    /// The client's metadata.
    #[must_use]
    pub fn client_metadata(&self) -> &ClientMetadata {
        &self.inner.client
    }

    /// The `client_id`.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.inner.client.client_id
    }

    /// The client authentication method.
    #[must_use]
    pub fn client_auth(&self) -> &ClientAuth {
        &self.inner.auth
    }

    /// The options.
    #[must_use]
    pub fn options(&self) -> &Options {
        &self.inner.options
    }

    /// A configuration that adds DPoP proofs to its token, UserInfo and resource requests and
    /// sends access tokens with the `DPoP` scheme. It shares everything else (metadata, HTTP
    /// client, JWK Set cache) with `self` (openid-client's `getDPoPHandle`, passed as the
    /// `DPoP` option of each call).
    ///
    /// ```
    /// # fn demo(config: oauth_client::Configuration) -> Result<(), Box<dyn std::error::Error>> {
    /// use jose_core::alg::JwsAlgorithm;
    /// use std::sync::Arc;
    ///
    /// // With the `dpop` feature; keep the key for as long as its tokens live.
    /// let handle = Arc::new(dpop::DpopClient::generate(JwsAlgorithm::ES256)?);
    /// let jkt = handle.dpop_jkt().to_owned(); // `calculateThumbprint()`
    /// let config = config.with_dpop(handle);
    /// assert_eq!(config.dpop().and_then(|d| d.jkt()), Some(jkt));
    /// // Every grant, PAR, UserInfo and resource call of `config` now carries a proof.
    /// # Ok(())
    /// # }
    /// # let server = oauth_client::ServerMetadata::new("https://op.example");
    /// # let config = oauth_client::Configuration::new(
    /// #     server, oauth_client::ClientMetadata::new("rp"), oauth_client::ClientAuth::none()).unwrap();
    /// # demo(config).unwrap();
    /// ```
    #[must_use]
    pub fn with_dpop(&self, handle: Arc<dyn DpopHandle>) -> Self {
        Self {
            inner: self.inner.clone(),
            dpop: Some(handle),
        }
    }

    /// The DPoP handle, if any.
    #[must_use]
    pub fn dpop(&self) -> Option<&Arc<dyn DpopHandle>> {
        self.dpop.as_ref()
    }

    /// A builder holding this configuration's client, authentication and options, to derive
    /// a configuration for other server metadata.
    #[must_use]
    pub fn to_builder(&self) -> ConfigurationBuilder {
        ConfigurationBuilder {
            client: self.inner.client.clone(),
            auth: self.inner.auth.clone(),
            http: Some(self.inner.http.clone()),
            options: self.inner.options.clone(),
        }
    }

    /// The current time in whole seconds since the epoch, with the configured clock skew.
    #[must_use]
    pub fn now(&self) -> i64 {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2));
        secs.saturating_add(self.inner.options.clock_skew)
    }

    pub(crate) fn tolerance(&self) -> i64 {
        i64::try_from(self.inner.options.clock_tolerance.as_secs()).unwrap_or(i64::MAX / 4)
    }

    /// Checks that `url` may be requested: HTTPS, or any scheme with the insecure opt-in.
    pub(crate) fn check_url(&self, what: &'static str, url: &Url) -> Result<(), Error> {
        check_url(&self.inner.options, what, url)
    }

    /// An endpoint the user agent is sent to (authorization, end session): the same HTTPS
    /// rule as for the requests this crate sends, and the same opt-out
    /// ([`ConfigurationBuilder::allow_insecure_requests`]), so that no `http:` browser URL is
    /// produced from `http:` metadata by default.
    pub(crate) fn front_channel_endpoint(&self, which: Endpoint) -> Result<Url, Error> {
        let url = self.endpoint(which)?;
        self.check_url(which.short_name(), &url)?;
        Ok(url)
    }

    /// The endpoint to call, honouring `use_mtls_endpoint_aliases`.
    pub(crate) fn endpoint(&self, which: Endpoint) -> Result<Url, Error> {
        let server = &self.inner.server;
        if self.inner.client.use_mtls_endpoint_aliases == Some(true)
            && let Some(aliases) = &server.mtls_endpoint_aliases
        {
            let alias = match which {
                Endpoint::Token => &aliases.token_endpoint,
                Endpoint::Introspection => &aliases.introspection_endpoint,
                Endpoint::Revocation => &aliases.revocation_endpoint,
                Endpoint::UserInfo => &aliases.userinfo_endpoint,
                Endpoint::Par => &aliases.pushed_authorization_request_endpoint,
                Endpoint::DeviceAuthorization => &aliases.device_authorization_endpoint,
                Endpoint::BackchannelAuthentication => &aliases.backchannel_authentication_endpoint,
                _ => &None,
            };
            if let Some(url) = alias {
                return Ok(url.clone());
            }
        }
        let url = match which {
            Endpoint::Authorization => &server.authorization_endpoint,
            Endpoint::Token => &server.token_endpoint,
            Endpoint::UserInfo => &server.userinfo_endpoint,
            Endpoint::Jwks => &server.jwks_uri,
            Endpoint::Registration => &server.registration_endpoint,
            Endpoint::Introspection => &server.introspection_endpoint,
            Endpoint::Revocation => &server.revocation_endpoint,
            Endpoint::EndSession => &server.end_session_endpoint,
            Endpoint::Par => &server.pushed_authorization_request_endpoint,
            Endpoint::DeviceAuthorization => &server.device_authorization_endpoint,
            Endpoint::BackchannelAuthentication => &server.backchannel_authentication_endpoint,
        };
        url.clone()
            .ok_or(Error::MissingEndpoint(which.metadata_name()))
    }
}

/// The endpoints of [`ServerMetadata`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Endpoint {
    /// `authorization_endpoint`.
    Authorization,
    /// `token_endpoint`.
    Token,
    /// `userinfo_endpoint`.
    UserInfo,
    /// `jwks_uri`.
    Jwks,
    /// `registration_endpoint`.
    Registration,
    /// `introspection_endpoint`.
    Introspection,
    /// `revocation_endpoint`.
    Revocation,
    /// `end_session_endpoint`.
    EndSession,
    /// `pushed_authorization_request_endpoint`.
    Par,
    /// `device_authorization_endpoint`.
    DeviceAuthorization,
    /// `backchannel_authentication_endpoint`.
    BackchannelAuthentication,
}

impl Endpoint {
    /// The metadata member naming this endpoint.
    #[must_use]
    pub fn metadata_name(self) -> &'static str {
        match self {
            Endpoint::Authorization => "authorization_endpoint",
            Endpoint::Token => "token_endpoint",
            Endpoint::UserInfo => "userinfo_endpoint",
            Endpoint::Jwks => "jwks_uri",
            Endpoint::Registration => "registration_endpoint",
            Endpoint::Introspection => "introspection_endpoint",
            Endpoint::Revocation => "revocation_endpoint",
            Endpoint::EndSession => "end_session_endpoint",
            Endpoint::Par => "pushed_authorization_request_endpoint",
            Endpoint::DeviceAuthorization => "device_authorization_endpoint",
            Endpoint::BackchannelAuthentication => "backchannel_authentication_endpoint",
        }
    }

    /// A short name for errors.
    #[must_use]
    pub fn short_name(self) -> &'static str {
        match self {
            Endpoint::Authorization => "authorization",
            Endpoint::Token => "token",
            Endpoint::UserInfo => "userinfo",
            Endpoint::Jwks => "jwks",
            Endpoint::Registration => "registration",
            Endpoint::Introspection => "introspection",
            Endpoint::Revocation => "revocation",
            Endpoint::EndSession => "end_session",
            Endpoint::Par => "pushed_authorization_request",
            Endpoint::DeviceAuthorization => "device_authorization",
            Endpoint::BackchannelAuthentication => "backchannel_authentication",
        }
    }
}

pub(crate) fn check_url(options: &Options, what: &'static str, url: &Url) -> Result<(), Error> {
    if url.scheme() == "https" || options.allow_insecure_requests {
        if matches!(url.scheme(), "https" | "http") {
            return Ok(());
        }
        return Err(Error::InvalidArgument(
            "only http and https URLs can be requested",
        ));
    }
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    Err(Error::InsecureUrl {
        what,
        url: shown.to_string(),
    })
}

/// Builds a [`Configuration`]: from metadata known up front ([`ConfigurationBuilder::build`]),
/// by discovery ([`ConfigurationBuilder::discover`]), or by dynamic client registration
/// ([`ConfigurationBuilder::register`]).
#[derive(Clone, Debug)]
pub struct ConfigurationBuilder {
    pub(crate) client: ClientMetadata,
    pub(crate) auth: ClientAuth,
    pub(crate) http: Option<Arc<dyn HttpClient>>,
    pub(crate) options: Options,
}

impl ConfigurationBuilder {
    /// A builder for a client with this metadata and authentication method.
    #[must_use]
    pub fn new(client: ClientMetadata, auth: ClientAuth) -> Self {
        Self {
            client,
            auth,
            http: None,
            options: Options::default(),
        }
    }

    /// Uses this HTTP client (default: [`crate::ReqwestHttpClient`] with the `reqwest`
    /// feature; without it, an HTTP client must be given): openid-client's `customFetch`.
    /// Wrap the default client to trace requests, or bring one with proxies, client
    /// certificates or a test transport.
    ///
    /// ```
    /// use oauth_client::http::{BoxFuture, HttpClient, HttpError, HttpRequest, HttpResponse};
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration, ReqwestHttpClient};
    ///
    /// /// Logs each request, then sends it with reqwest.
    /// #[derive(Debug)]
    /// struct Traced(ReqwestHttpClient);
    ///
    /// impl HttpClient for Traced {
    ///     fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
    ///         eprintln!("{} {}", request.method, request.url);
    ///         self.0.send(request)
    ///     }
    /// }
    ///
    /// let builder = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .http_client(Traced(ReqwestHttpClient::new()?));
    /// # let _ = builder;
    /// # Ok::<(), oauth_client::Error>(())
    /// ```
    #[must_use]
    pub fn http_client(mut self, http: impl HttpClient + 'static) -> Self {
        self.http = Some(Arc::new(http));
        self
    }

    /// Uses this shared HTTP client.
    #[must_use]
    pub fn shared_http_client(mut self, http: Arc<dyn HttpClient>) -> Self {
        self.http = Some(http);
        self
    }

    /// Timeout of each HTTP request (default 30 s), discovery included.
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
    /// use std::time::Duration;
    ///
    /// let builder = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .timeout(Duration::from_secs(10));
    /// assert_eq!(builder.options().timeout, Duration::from_secs(10));
    /// ```
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = timeout;
        self
    }

    /// Allows `http:` URLs: for tests and local development only. Without it every URL the
    /// client requests (discovery, endpoints, JWK Set, resources) must be HTTPS.
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
    ///
    /// let builder = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .allow_insecure_requests(); // http://127.0.0.1 in tests
    /// assert!(builder.options().allow_insecure_requests);
    /// ```
    #[must_use]
    pub fn allow_insecure_requests(mut self) -> Self {
        self.options.allow_insecure_requests = true;
        self
    }

    /// Seconds to add to the local clock (positive when it is behind the server's):
    /// openid-client's `clockSkew`.
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
    ///
    /// let builder = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .clock_skew(60 * 60); // the local clock is an hour behind
    /// assert_eq!(builder.options().clock_skew, 3600);
    /// ```
    #[must_use]
    pub fn clock_skew(mut self, seconds: i64) -> Self {
        self.options.clock_skew = seconds;
        self
    }

    /// Tolerance of the time checks (`exp`, `iat`, `nbf`, `auth_time`; default 30 s):
    /// openid-client's `clockTolerance`.
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
    /// use std::time::Duration;
    ///
    /// let builder = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .clock_tolerance(Duration::from_secs(5));
    /// assert_eq!(builder.options().clock_tolerance, Duration::from_secs(5));
    /// ```
    #[must_use]
    pub fn clock_tolerance(mut self, tolerance: Duration) -> Self {
        self.options.clock_tolerance = tolerance;
        self
    }

    /// How long ago an ID Token may have been issued when the client receives it (default
    /// 1 hour): an ID Token whose `iat` is older than this plus the clock tolerance is refused
    /// ([`crate::IdTokenCheck::IssuedAt`]), as openid-client does. ID Tokens are issued for
    /// the response that carries them, so an old one is a replay or a broken server clock.
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
    /// use std::time::Duration;
    ///
    /// let builder = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .max_id_token_age(Duration::from_secs(600));
    /// assert_eq!(builder.options().max_id_token_age, Duration::from_secs(600));
    /// ```
    #[must_use]
    pub fn max_id_token_age(mut self, age: Duration) -> Self {
        self.options.max_id_token_age = age;
        self
    }

    /// Largest response body read (default 1 MiB).
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
    ///
    /// let builder = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .max_response_bytes(256 << 10);
    /// assert_eq!(builder.options().max_response_bytes, 256 << 10);
    /// ```
    #[must_use]
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.options.max_response_bytes = bytes;
        self
    }

    /// A header field sent with every request.
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
    ///
    /// let builder = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .default_header("x-request-origin", "billing");
    /// assert_eq!(builder.options().headers.get("x-request-origin"), Some("billing"));
    /// ```
    #[must_use]
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.headers.set(name, value);
        self
    }

    /// How long a fetched JWK Set is used (default 10 min), and the least time between two
    /// fetches triggered by an unknown `kid` (default 30 s).
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
    /// use std::time::Duration;
    ///
    /// let builder = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .jwks_cache(Duration::from_secs(3600), Duration::from_secs(60));
    /// assert_eq!(builder.options().jwks_max_age, Duration::from_secs(3600));
    /// ```
    #[must_use]
    pub fn jwks_cache(mut self, max_age: Duration, refetch_cooldown: Duration) -> Self {
        self.options.jwks_max_age = max_age;
        self.options.jwks_refetch_cooldown = refetch_cooldown;
        self
    }

    /// Honours the JWK Set response's `Cache-Control: max-age` within `[min_age, max_age]`
    /// (`no-cache` and `no-store` count as zero, so `min_age`); without the header the set is
    /// used for `max_age`. Default: both 10 min.
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
    /// use std::time::Duration;
    ///
    /// let builder = Configuration::builder(ClientMetadata::new("rs"), ClientAuth::none())
    ///     .jwks_cache_bounds(Duration::from_secs(60), Duration::from_secs(3600));
    /// assert_eq!(builder.options().jwks_min_age, Duration::from_secs(60));
    /// ```
    #[must_use]
    pub fn jwks_cache_bounds(mut self, min_age: Duration, max_age: Duration) -> Self {
        self.options.jwks_min_age = min_age;
        self.options.jwks_max_age = max_age;
        self
    }

    /// Keeps using a fetched JWK Set for up to `window` past its freshness when fetching it
    /// again fails (stale-if-error), instead of failing. Default zero.
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
    /// use std::time::Duration;
    ///
    /// let builder = Configuration::builder(ClientMetadata::new("rs"), ClientAuth::none())
    ///     .jwks_stale_if_error(Duration::from_secs(3600));
    /// assert_eq!(builder.options().jwks_stale_if_error, Duration::from_secs(3600));
    /// ```
    #[must_use]
    pub fn jwks_stale_if_error(mut self, window: Duration) -> Self {
        self.options.jwks_stale_if_error = window;
        self
    }

    /// Verifies the server's signatures (ID Tokens, JWT UserInfo and introspection
    /// responses, JARM) on this crypto backend: every key of the fetched or
    /// imported JWK Set is pinned to it. Default [`Backend::default()`]: aws-lc-rs when the
    /// build compiles it in (this crate's `aws-lc-rs` feature does, as does that of any crate
    /// forwarding to `jose-core`'s) and RustCrypto otherwise; see `docs/backends.md`.
    ///
    /// ```
    /// use jose_core::backend::Backend;
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
    ///
    /// // Pure Rust verification even in a build that compiles aws-lc-rs in.
    /// let builder = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .jwks_backend(Backend::RustCrypto);
    /// assert_eq!(builder.options().jwks_backend, Backend::RustCrypto);
    /// ```
    #[must_use]
    pub fn jwks_backend(mut self, backend: Backend) -> Self {
        self.options.jwks_backend = backend;
        self
    }

    /// Decrypts encrypted (JWE) ID Tokens, UserInfo and introspection responses with these
    /// keys and content encryption algorithms (feature `jwe`): openid-client's
    /// `enableDecryptingResponses`. See [`Decryption::new`] for an example.
    #[cfg(feature = "jwe")]
    #[must_use]
    pub fn decrypt_responses(mut self, decryption: Decryption) -> Self {
        self.options.decryption = Some(decryption);
        self
    }

    /// The OpenID Connect hybrid flow `code id_token` (openid-client's
    /// `useCodeIdTokenResponseType`): authorization URLs default to
    /// `response_type=code id_token`, the response is read from the fragment or a
    /// `form_post` body (never the query), and its ID Token is validated (signature, claims,
    /// `nonce`, `c_hash`, and `s_hash` when present) before the code is exchanged. The
    /// `nonce` is then required.
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration, Params, ServerMetadata};
    ///
    /// let mut server = ServerMetadata::new("https://op.example");
    /// server.authorization_endpoint = Some(url::Url::parse("https://op.example/authorize")?);
    /// let config = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .use_code_id_token_response_type()
    ///     .build(server)?;
    /// let url = config.build_authorization_url(Params::from([("scope", "openid")]))?;
    /// assert!(url.query_pairs().any(|(k, v)| k == "response_type" && v == "code id_token"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn use_code_id_token_response_type(mut self) -> Self {
        self.options.hybrid = true;
        self
    }

    /// JARM, the JWT Secured Authorization Response Mode (openid-client's
    /// `useJwtResponseMode`): authorization URLs default to `response_mode=jwt` and the
    /// authorization response must be a `response` JWT signed by the server (decrypted first
    /// when it is encrypted and keys are configured) whose `iss`, `aud` and `exp` are checked
    /// before the usual `state` and `iss` checks.
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration, Params, ServerMetadata};
    ///
    /// let mut server = ServerMetadata::new("https://op.example");
    /// server.authorization_endpoint = Some(url::Url::parse("https://op.example/authorize")?);
    /// let config = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .use_jwt_response_mode()
    ///     .build(server)?;
    /// let url = config.build_authorization_url(Params::from([("scope", "openid")]))?;
    /// assert!(url.query_pairs().any(|(k, v)| k == "response_mode" && v == "jwt"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn use_jwt_response_mode(mut self) -> Self {
        self.options.jarm = true;
        self
    }

    /// FAPI 1.0 Advanced "ID Token as detached signature" checks (openid-client's
    /// `enableDetachedSignatureResponseChecks`): turns on the hybrid flow, and the
    /// front-channel ID Token must then carry `s_hash` for the `state` (and `c_hash`, as every
    /// hybrid response must).
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
    ///
    /// let builder = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
    ///     .enable_detached_signature_response_checks();
    /// assert!(builder.options().hybrid && builder.options().detached_signature_checks);
    /// ```
    #[must_use]
    pub fn enable_detached_signature_response_checks(mut self) -> Self {
        self.options.hybrid = true;
        self.options.detached_signature_checks = true;
        self
    }

    /// The client's TLS certificate (DER) for certificate-bound access tokens (RFC 8705 §3):
    /// every token response whose access token is a JWT must carry `cnf.x5t#S256` equal to
    /// this certificate's thumbprint, or the grant fails with [`Error::CertificateBinding`].
    /// Opaque access tokens cannot be checked by the client; introspect them and compare
    /// [`crate::IntrospectionResponse::certificate_thumbprint`]. The certificate itself is
    /// presented by the HTTP layer
    /// ([`crate::ReqwestHttpClientBuilder::client_certificate`]).
    ///
    /// ```no_run
    /// # async fn demo(issuer: url::Url, cert_pem: &[u8], key_pem: &[u8]) -> Result<(), oauth_client::Error> {
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration, ReqwestHttpClient};
    ///
    /// let mut metadata = ClientMetadata::new("mtls-client");
    /// metadata.use_mtls_endpoint_aliases = Some(true);
    /// let http = ReqwestHttpClient::builder().client_certificate(cert_pem, key_pem).build()?;
    /// let config = Configuration::builder(metadata, ClientAuth::tls_client_auth())
    ///     .http_client(http)
    ///     .certificate_bound_access_tokens(&oauth_client::certificate_der_from_pem(cert_pem)?)
    ///     .discover(&issuer)
    ///     .await?;
    /// # let _ = config;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn certificate_bound_access_tokens(mut self, certificate_der: &[u8]) -> Self {
        self.options.certificate_thumbprint =
            Some(crate::mtls::certificate_thumbprint(certificate_der));
        self
    }

    /// The options so far.
    #[must_use]
    pub fn options(&self) -> &Options {
        &self.options
    }

    pub(crate) fn http(&self) -> Result<Arc<dyn HttpClient>, Error> {
        if let Some(http) = &self.http {
            return Ok(http.clone());
        }
        #[cfg(feature = "reqwest")]
        {
            Ok(Arc::new(crate::ReqwestHttpClient::new()?))
        }
        #[cfg(not(feature = "reqwest"))]
        {
            Err(Error::InvalidConfiguration(
                "no HTTP client: enable the reqwest feature or call http_client()".into(),
            ))
        }
    }

    /// A configuration for server metadata known up front (openid-client's
    /// `new Configuration(...)`, here with the builder's options).
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration, ServerMetadata};
    /// use std::time::Duration;
    ///
    /// let mut server = ServerMetadata::new("http://127.0.0.1:3000");
    /// server.token_endpoint = Some(url::Url::parse("http://127.0.0.1:3000/token")?);
    /// let config = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::client_secret_basic("s"))
    ///     .allow_insecure_requests()
    ///     .timeout(Duration::from_secs(5))
    ///     .build(server)?;
    /// assert_eq!(config.options().timeout, Duration::from_secs(5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidConfiguration`] when the client has no `client_id`, when
    /// `client_secret_jwt` has no secret long enough for its algorithm, or when no HTTP client
    /// is available.
    pub fn build(self, server: ServerMetadata) -> Result<Configuration, Error> {
        let http = self.http()?;
        self.build_with(server, http)
    }

    pub(crate) fn build_with(
        self,
        server: ServerMetadata,
        http: Arc<dyn HttpClient>,
    ) -> Result<Configuration, Error> {
        if self.client.client_id.is_empty() {
            return Err(Error::InvalidConfiguration(
                "the client has no client_id".into(),
            ));
        }
        self.auth.check(&self.client)?;
        Ok(Configuration {
            inner: Arc::new(Inner {
                server,
                client: self.client,
                auth: self.auth,
                http,
                options: self.options,
                jwks: JwksCache::default(),
            }),
            dpop: None,
        })
    }
}
