//! How a `Configuration` is made and talks to the provider, end to end against oidc-provider
//! (one provider for this test binary, started by `test-provider` on 127.0.0.1): the free
//! `discovery` function and `Configuration::new` (HTTPS-only by default), a custom HTTP client
//! (openid-client's `customFetch`) that sees the timeout and default headers, the response
//! size cap, the JWK Set cache's ages and its export and import, `clockSkew` and
//! `clockTolerance`, `modifyAssertion` for client assertions, and registration with RFC 8414
//! discovery. Then, through a scripted transport, an imported JWK Set cache used without a
//! fetch until it is stale. `docs/openid-client-mapping.md` lists which test runs which
//! openid-client function.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
mod scripted_server;

use common::{
    Pending, authorize, browse, builder, client, config, finish, login, provider, redirect_uri,
    signer,
};
use jose_core::alg::JwsAlgorithm;
use oauth_client::http::{BoxFuture, HttpClient, HttpError, HttpRequest, HttpResponse};
use oauth_client::{
    ClientAuth, ClientMetadata, Configuration, ConfigurationBuilder, DiscoveryAlgorithm, Error,
    IdTokenCheck, IdTokenValidation, Params, ReqwestHttpClient, TokenResponse,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

// --- Configuration without the builder's options ------------------------------------------------

#[tokio::test]
async fn the_discovery_function_and_configuration_new_keep_the_https_only_default() {
    // openid-client's `discovery()` and `new Configuration()` refuse http: URLs unless
    // `allowInsecureRequests` is used; so do their counterparts, before any request is sent.
    let (metadata, auth) = client("client-post");
    let err = oauth_client::discovery(provider().issuer(), metadata.clone(), auth.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InsecureUrl { .. }), "{err}");
    assert_eq!(err.code(), "OAUTH_HTTP_REQUEST_FORBIDDEN");

    let server = config("client-post").await.server_metadata().clone();
    let plain = Configuration::new(server.clone(), metadata.clone(), auth.clone()).unwrap();
    let err = plain
        .client_credentials_grant(Params::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InsecureUrl { .. }), "{err}");

    // The same metadata through the builder, with the opt-in, is a working client.
    let built = Configuration::builder(metadata, auth)
        .allow_insecure_requests()
        .build(server)
        .unwrap();
    assert_eq!(built.client_metadata().client_id, "client-post");
    assert_eq!(built.server_metadata().issuer, provider().issuer().as_str());
    let tokens = built
        .client_credentials_grant(Params::from([("scope", "api:read")]))
        .await
        .unwrap();
    assert_eq!(tokens.token_type(), "bearer");
    assert_eq!(tokens.body()["scope"], "api:read");
}

// --- customFetch, timeout, default headers, response size cap, JWK Set cache --------------------

/// What a [`Recording`] client saw of one request.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    url: Url,
    headers: Vec<(String, String)>,
    timeout: Duration,
    max_response_bytes: usize,
}

/// An HTTP client that records each request, then sends it with reqwest: openid-client's
/// `customFetch` used for tracing.
#[derive(Debug)]
struct Recording {
    inner: ReqwestHttpClient,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Recording {
    fn new() -> (Self, Arc<Mutex<Vec<Seen>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let client = Self {
            inner: ReqwestHttpClient::new().unwrap(),
            seen: seen.clone(),
        };
        (client, seen)
    }
}

impl HttpClient for Recording {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        self.seen.lock().unwrap().push(Seen {
            method: request.method.as_str().to_owned(),
            url: request.url.clone(),
            headers: request
                .headers
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            timeout: request.timeout,
            max_response_bytes: request.max_response_bytes,
        });
        self.inner.send(request)
    }
}

fn jwks_fetches(seen: &Mutex<Vec<Seen>>, config: &Configuration) -> usize {
    let jwks_uri = config.server_metadata().jwks_uri.clone().unwrap();
    seen.lock()
        .unwrap()
        .iter()
        .filter(|r| r.url == jwks_uri)
        .count()
}

#[tokio::test]
async fn a_custom_http_client_carries_every_request_with_the_timeout_and_default_headers() {
    let (recording, seen) = Recording::new();
    let config = builder("client-post")
        .http_client(recording)
        .timeout(Duration::from_secs(7))
        .max_response_bytes(256 << 10)
        .default_header("x-request-origin", "mapping-gaps")
        .discover(provider().issuer())
        .await
        .unwrap();
    let tokens = config
        .client_credentials_grant(Params::from([("scope", "api:read")]))
        .await
        .unwrap();
    config
        .introspect_token(tokens.access_token(), Params::new())
        .await
        .unwrap();

    let seen = seen.lock().unwrap().clone();
    let token_endpoint = config.server_metadata().token_endpoint.clone().unwrap();
    assert!(
        seen.iter()
            .any(|r| r.method == "GET"
                && r.url.path().ends_with("/.well-known/openid-configuration")),
        "discovery went through the custom client: {seen:?}"
    );
    assert!(
        seen.iter()
            .any(|r| r.method == "POST" && r.url == token_endpoint)
    );
    assert!(seen.len() >= 3);
    for request in &seen {
        assert_eq!(request.timeout, Duration::from_secs(7), "{}", request.url);
        assert_eq!(request.max_response_bytes, 256 << 10);
        assert!(
            request
                .headers
                .iter()
                .any(|(k, v)| k == "x-request-origin" && v == "mapping-gaps"),
            "{}",
            request.url
        );
    }
}

#[tokio::test]
async fn the_response_size_cap_applies_to_the_providers_answers() {
    let err = builder("client-post")
        .max_response_bytes(64)
        .discover(provider().issuer())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err}");
}

/// Runs the code flow and validates its ID Token once more, through a client configured by
/// `configure`; returns how often the JWK Set was fetched.
async fn jwks_fetches_over_a_login_and_a_validation(
    configure: impl FnOnce(ConfigurationBuilder) -> ConfigurationBuilder,
) -> usize {
    let (recording, seen) = Recording::new();
    let config = configure(builder("client-basic").http_client(recording))
        .discover(provider().issuer())
        .await
        .unwrap();
    let (tokens, pending) = login(&config, "openid email").await;
    let validation = IdTokenValidation::new()
        .expected_nonce(&pending.nonce)
        .access_token(tokens.access_token());
    config
        .validate_id_token(tokens.id_token().unwrap(), &validation)
        .await
        .unwrap();
    jwks_fetches(&seen, &config)
}

#[tokio::test]
async fn the_jwk_set_is_reused_while_fresh_and_refetched_once_stale() {
    // Default ages: one fetch serves the code flow and a later ID Token validation.
    assert_eq!(jwks_fetches_over_a_login_and_a_validation(|b| b).await, 1);
    // A zero maximum age (and no refetch cooldown): every validation fetches the set again.
    let stale = |b: ConfigurationBuilder| b.jwks_cache(Duration::ZERO, Duration::ZERO);
    assert_eq!(jwks_fetches_over_a_login_and_a_validation(stale).await, 2);
}

// --- clockSkew and clockTolerance ---------------------------------------------------------------

#[tokio::test]
async fn clock_skew_moves_the_local_clock_and_clock_tolerance_absorbs_the_difference() {
    let with = |skew: i64, tolerance: Option<Duration>| {
        let mut configured = builder("client-basic").clock_skew(skew);
        if let Some(tolerance) = tolerance {
            configured = configured.clock_tolerance(tolerance);
        }
        configured.discover(provider().issuer())
    };
    let grant = |config: Configuration| async move {
        let pending = Pending::new();
        let redirect = authorize(&config, pending.params("openid")).await;
        config
            .authorization_code_grant(&redirect.url, &pending.checks(), Params::new())
            .await
    };
    let check = |result: Result<TokenResponse, Error>| match result {
        Err(Error::IdToken { check, .. }) => check,
        other => panic!("expected an ID Token error, got {other:?}"),
    };

    // The provider's ID Tokens live 10 minutes: 20 minutes ahead, they have expired.
    let ahead = with(20 * 60, None).await.unwrap();
    assert_eq!(check(grant(ahead).await), IdTokenCheck::Expiration);

    // Two minutes behind, the token is issued in the future: beyond the default 30 s ...
    let behind = with(-120, None).await.unwrap();
    assert_eq!(check(grant(behind).await), IdTokenCheck::IssuedAt);
    // ... and within a tolerance of five minutes.
    let tolerant = with(-120, Some(Duration::from_secs(300))).await.unwrap();
    let tokens = grant(tolerant).await.unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "alice");
}

// --- JWK Set cache export and import ------------------------------------------------------------

#[tokio::test]
async fn an_exported_jwks_cache_validates_tokens_in_another_configuration() {
    let config = config("client-basic").await;
    assert!(config.jwks_cache().is_none(), "nothing fetched yet");
    let pending = Pending::new();
    let url = config
        .build_authorization_url(pending.params("openid"))
        .unwrap();
    let tokens = finish(&config, &browse(&url).await, &pending).await;
    let exported = config.jwks_cache().unwrap();
    assert!(exported.jwks["keys"].is_array());
    // It survives serialization, as it would in a store between invocations.
    let stored = serde_json::to_string(&exported).unwrap();
    let restored: oauth_client::ExportedJwksCache = serde_json::from_str(&stored).unwrap();

    let other = self::config("client-basic").await;
    other.set_jwks_cache(&restored).unwrap();
    let claims = other
        .validate_id_token(
            tokens.id_token().unwrap(),
            &IdTokenValidation::new().expected_nonce(&pending.nonce),
        )
        .await
        .unwrap();
    assert_eq!(claims.sub, "alice");
    assert_eq!(other.jwks_cache().unwrap().uat, exported.uat);
}

// --- modifyAssertion ----------------------------------------------------------------------------

#[tokio::test]
async fn modify_assertion_changes_the_client_assertion_the_provider_checks() {
    let (metadata, _) = client("client-private-key-jwt");
    let with = |auth: ClientAuth| {
        Configuration::builder(metadata.clone(), auth)
            .allow_insecure_requests()
            .discover(provider().issuer())
    };
    // An extra claim is harmless; the provider still accepts the assertion.
    let extra = ClientAuth::private_key_jwt(signer("client-private-key-jwt"))
        .with_modify_assertion(|_, claims| {
            claims.insert("purpose".into(), "mapping test".into());
        });
    let tokens = with(extra)
        .await
        .unwrap()
        .client_credentials_grant(Params::from([("scope", "api:read")]))
        .await
        .unwrap();
    assert!(!tokens.access_token().is_empty());
    // An audience the provider does not answer to: the hook ran, and the provider refuses.
    let elsewhere = ClientAuth::private_key_jwt(signer("client-private-key-jwt"))
        .with_modify_assertion(|_, claims| {
            claims.insert("aud".into(), "https://elsewhere.example".into());
        });
    let err = with(elsewhere)
        .await
        .unwrap()
        .client_credentials_grant(Params::new())
        .await
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_client"), "{err}");

    // client_secret_jwt with an explicit algorithm, the one the client registered.
    let (metadata, _) = client("client-secret-jwt");
    let secret = provider()
        .state()
        .client("client-secret-jwt")
        .unwrap()
        .secret()
        .unwrap()
        .to_owned();
    let config = Configuration::builder(
        metadata,
        ClientAuth::client_secret_jwt_with(secret, JwsAlgorithm::HS256),
    )
    .allow_insecure_requests()
    .discover(provider().issuer())
    .await
    .unwrap();
    config
        .client_credentials_grant(Params::from([("scope", "api:read")]))
        .await
        .unwrap();
}

// --- Registration with RFC 8414 discovery -------------------------------------------------------

#[tokio::test]
async fn registration_discovers_with_the_oauth2_algorithm() {
    let mut metadata = ClientMetadata::for_registration([redirect_uri()]);
    metadata.grant_types = Some(vec!["authorization_code".into()]);
    metadata.token_endpoint_auth_method = Some("client_secret_basic".into());
    metadata.client_name = Some("registered through RFC 8414 discovery".into());
    let config = Configuration::builder(metadata, ClientAuth::none())
        .allow_insecure_requests()
        .register_with(
            provider().issuer(),
            DiscoveryAlgorithm::OAuth2,
            Some(provider().state().initial_access_token()),
        )
        .await
        .unwrap();
    assert_eq!(
        config.client_auth().method().as_str(),
        "client_secret_basic"
    );
    let read = config.read_registration().await.unwrap();
    assert_eq!(
        read.client_name.as_deref(),
        Some("registered through RFC 8414 discovery")
    );
    let (tokens, _) = login(&config, "openid email").await;
    assert_eq!(
        tokens.claims().unwrap().aud,
        vec![config.client_id().to_owned()]
    );
}

// --- What a real provider does not send, through a scripted transport ---------------------------
// (`scripted_server`): each answer must be a specific error, never a panic.
mod scripted {
    use crate::scripted_server::*;
    use jose_core::jwk::JwkSet;
    use oauth_client::{Error, ExportedJwksCache};
    use serde_json::{Value, json};
    use std::sync::Arc;

    // --- JWK Set cache import -------------------------------------------------------------------

    #[tokio::test]
    async fn an_imported_jwks_cache_is_used_without_a_fetch_until_it_is_stale() {
        let token = sign(
            &keys().op,
            json!({"iss": ISSUER, "sub": "alice", "aud": CLIENT, "exp": now() + 300, "iat": now()}),
        );
        let validation = oauth_client::IdTokenValidation::new();
        let cache = |uat| ExportedJwksCache::new(jwks().as_object().unwrap().clone(), uat);

        let server = Arc::new(Scripted::default());
        server.script("/jwks", [json_answer(200, jwks())]);
        let fresh = config(&server);
        fresh.set_jwks_cache(&cache(now() - 60)).unwrap();
        fresh.validate_id_token(&token, &validation).await.unwrap();
        assert!(server.requests("/jwks").is_empty(), "used without a fetch");

        let stale = config(&server);
        stale.set_jwks_cache(&cache(now() - 3600)).unwrap();
        stale.validate_id_token(&token, &validation).await.unwrap();
        assert_eq!(
            server.requests("/jwks").len(),
            1,
            "an old cache is refetched"
        );
        assert!(stale.jwks_cache().unwrap().uat >= now() - 5);

        let config = config(&server);
        assert!(matches!(
            config.set_jwks_cache(&cache(now() + 3600)),
            Err(Error::Jwks(_))
        ));
        let garbage = ExportedJwksCache::new(
            json!({"keys": "not a list"}).as_object().unwrap().clone(),
            now(),
        );
        assert!(matches!(
            config.set_jwks_cache(&garbage),
            Err(Error::Jwks(_))
        ));
        // An imported set without the token's key does not verify it (the unknown kid makes the
        // client refetch, and this server has no JWK Set to offer).
        let other = JwkSet::new(vec![keys().forger.public_jwk().unwrap().with_kid("other")])
            .unwrap()
            .to_json();
        let other: Value = serde_json::from_str(&other).unwrap();
        let config = self::config(&Arc::new(Scripted::default()));
        config
            .set_jwks_cache(&ExportedJwksCache::new(
                other.as_object().unwrap().clone(),
                now(),
            ))
            .unwrap();
        assert!(config.validate_id_token(&token, &validation).await.is_err());
    }
}
