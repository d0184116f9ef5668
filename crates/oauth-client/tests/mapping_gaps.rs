//! End-to-end tests against oidc-provider (started once for this test binary by
//! `test-provider`, on 127.0.0.1) for the openid-client v6 counterparts that the other suites
//! do not run against the provider: the free `discovery` function and `Configuration::new`
//! (HTTPS-only by default), a custom HTTP client (`customFetch`) that sees the timeout and
//! default headers, the response size cap, the JWK Set cache ages, `clockSkew` and
//! `clockTolerance`, `skipStateCheck`, `idTokenExpected`, `skipSubjectCheck`,
//! `default_max_age` and `require_auth_time`, the authorization response check on its own,
//! `modifyAssertion` for client assertions and request objects, registration with RFC 8414
//! discovery, DPoP with each proof algorithm the provider offers and with a handle of the
//! application's own, and one-shot polling of the device grant.
//! `docs/openid-client-mapping.md` lists which test runs which function.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{
    Pending, authorize, browse, builder, client, config, login, provider, redirect_uri, signer,
};
use jose_core::alg::JwsAlgorithm;
use oauth_client::http::{BoxFuture, HttpClient, HttpError, HttpRequest, HttpResponse};
use oauth_client::{
    AuthorizationCodeGrantChecks, Callback, ClientAuth, ClientMetadata, Configuration,
    ConfigurationBuilder, DEVICE_CODE_GRANT_TYPE, DiscoveryAlgorithm, Error, ExpectedState,
    ExpectedSubject, IdTokenCheck, IdTokenValidation, Params, PollAnswer, RequestObjectOptions,
    ReqwestHttpClient, TokenResponse, pkce_code_challenge, random_state,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use test_provider::DeviceDecision;
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

// --- customFetch, timeout, default headers, response size cap, JWK Set cache ------------------

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

// --- clockSkew and clockTolerance -----------------------------------------------------------------

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

// --- Authorization code grant checks -------------------------------------------------------------

#[tokio::test]
async fn skip_state_check_accepts_any_state_and_the_default_expects_none() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let redirect = authorize(&config, pending.params("openid")).await;
    // Without an expectation, a response carrying `state` is refused.
    let no_state = AuthorizationCodeGrantChecks::new()
        .pkce_code_verifier(&pending.verifier)
        .expected_nonce(&pending.nonce);
    let err = config
        .authorization_code_grant(&redirect.url, &no_state, Params::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::State(_)), "{err}");
    // `skipStateCheck`: the state is not compared (the code is still unused).
    let skip = no_state.skip_state_check();
    let tokens = config
        .authorization_code_grant(&redirect.url, &skip, Params::new())
        .await
        .unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "alice");
}

#[tokio::test]
async fn id_token_expected_fails_a_plain_oauth_response_without_one() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let plain_oauth = || {
        Params::from([
            ("redirect_uri", redirect_uri()),
            ("scope", "email"),
            (
                "code_challenge",
                pkce_code_challenge(&pending.verifier).as_str(),
            ),
            ("code_challenge_method", "S256"),
            ("state", pending.state.as_str()),
        ])
    };
    let checks = AuthorizationCodeGrantChecks::new()
        .pkce_code_verifier(&pending.verifier)
        .expected_state(&pending.state);

    // Without `openid` the provider issues no ID Token: fine unless one is expected.
    let url = config.build_authorization_url(plain_oauth()).unwrap();
    let redirect = browse(&url).await;
    let tokens = config
        .authorization_code_grant(&redirect.url, &checks, Params::new())
        .await
        .unwrap();
    assert!(tokens.id_token().is_none() && tokens.claims().is_none());

    let url = config.build_authorization_url(plain_oauth()).unwrap();
    let redirect = browse(&url).await;
    let err = config
        .authorization_code_grant(&redirect.url, &checks.id_token_expected(), Params::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::IdToken {
                check: IdTokenCheck::Missing,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn default_max_age_and_require_auth_time_in_the_client_metadata_demand_auth_time() {
    // The provider includes `auth_time` only when the request asks for it (`max_age`); the
    // client's own `default_max_age` or `require_auth_time` make it required all the same.
    for demand in ["default_max_age", "require_auth_time"] {
        let (mut metadata, auth) = client("client-basic");
        match demand {
            "default_max_age" => metadata.default_max_age = Some(300),
            _ => metadata.require_auth_time = Some(true),
        }
        let config = Configuration::builder(metadata, auth)
            .allow_insecure_requests()
            .discover(provider().issuer())
            .await
            .unwrap();
        let pending = Pending::new();
        let redirect = authorize(&config, pending.params("openid")).await;
        let err = config
            .authorization_code_grant(&redirect.url, &pending.checks(), Params::new())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::IdToken {
                    check: IdTokenCheck::AuthTime,
                    ..
                }
            ),
            "{demand}: {err}"
        );
        // Asking for `max_age` brings `auth_time`, which is then checked.
        let pending = Pending::new();
        let url = config
            .build_authorization_url(pending.params("openid").set("max_age", "300"))
            .unwrap();
        let redirect = browse(&url).await;
        let tokens = config
            .authorization_code_grant(&redirect.url, &pending.checks(), Params::new())
            .await
            .unwrap();
        assert!(tokens.claims().unwrap().auth_time.is_some(), "{demand}");
    }
}

#[tokio::test]
async fn the_authorization_response_can_be_checked_before_the_exchange() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let redirect = authorize(&config, pending.params("openid")).await;
    let callback = Callback::from_url(&redirect.url).unwrap();
    let err = config
        .validate_authorization_response(&callback, &ExpectedState::Value("other".into()))
        .unwrap_err();
    assert!(matches!(err, Error::State(_)), "{err}");
    let code = config
        .validate_authorization_response(&callback, &ExpectedState::Value(pending.state.clone()))
        .unwrap();
    assert_eq!(Some(code), redirect.param("code").as_deref());
    let tokens = config
        .authorization_code_grant_with_callback(&callback, &pending.checks(), Params::new())
        .await
        .unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "alice");
}

#[tokio::test]
async fn skip_subject_check_fetches_user_info_without_comparing_sub() {
    let config = config("client-basic").await;
    let (tokens, _) = login(&config, "openid email").await;
    let err = config
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Is("bob"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SubjectMismatch), "{err}");
    let user = config
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Skip)
        .await
        .unwrap();
    assert_eq!(user.sub, "alice");
}

// --- modifyAssertion ------------------------------------------------------------------------------

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

#[tokio::test]
async fn request_object_options_reach_the_provider_through_jar_and_par() {
    let config = config("client-jar").await;
    let key = signer("client-jar");
    let short = RequestObjectOptions::new()
        .lifetime(Duration::from_secs(60))
        .modify(|_, claims| {
            claims.insert("purpose".into(), "mapping test".into());
        });

    // JAR in the URL, with options.
    let pending = Pending::new();
    let url = config
        .build_authorization_url_with_jar_with(pending.params("openid"), &key, &short)
        .await
        .unwrap();
    let request = url.query_pairs().find(|(k, _)| k == "request").unwrap().1;
    let claims: serde_json::Value =
        serde_json::from_slice(&jws::unverified::decode_payload(&request).unwrap()).unwrap();
    assert_eq!(claims["purpose"], "mapping test");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        60
    );
    let redirect = browse(&url).await;
    let tokens = config
        .authorization_code_grant(&redirect.url, &pending.checks(), Params::new())
        .await
        .unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "alice");

    // Pushed, with a modification the provider must refuse.
    let pending = Pending::new();
    let wrong_audience = RequestObjectOptions::new().modify(|_, claims| {
        claims.insert("aud".into(), "https://elsewhere.example".into());
    });
    let jar = config
        .request_object_with(pending.params("openid"), &key, &wrong_audience)
        .await
        .unwrap();
    let err = config.push_authorization_request(jar).await.unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_request_object"), "{err}");
}

// --- Registration with RFC 8414 discovery ----------------------------------------------------------

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

// --- DPoP -----------------------------------------------------------------------------------------

#[tokio::test]
async fn dpop_proofs_with_each_algorithm_the_provider_offers_bind_the_token_to_the_key() {
    let config = config("client-post").await;
    let offered = config
        .server_metadata()
        .dpop_signing_alg_values_supported
        .clone()
        .unwrap();
    // oidc-provider offers ES256, Ed25519 and EdDSA; RSA ones, if offered, are skipped (key
    // generation is slow in debug builds and the proof code is the same).
    let mut tried = Vec::new();
    for name in &offered {
        let Ok(alg) = name.parse::<JwsAlgorithm>() else {
            continue;
        };
        if alg.is_symmetric() || name.starts_with("RS") || name.starts_with("PS") {
            continue;
        }
        // openid-client's `randomDPoPKeyPair(alg)` and `getDPoPHandle(config, keyPair)`.
        let handle = Arc::new(dpop::DpopClient::generate(alg).unwrap());
        let bound = config.with_dpop(handle.clone());
        let tokens = bound
            .client_credentials_grant(Params::from([("scope", "api:read")]))
            .await
            .unwrap();
        assert_eq!(tokens.token_type(), "dpop", "{name}");
        let info = config
            .introspect_token(tokens.access_token(), Params::new())
            .await
            .unwrap();
        // `calculateThumbprint()` is what the provider bound the token to.
        assert_eq!(info.dpop_jkt(), Some(handle.dpop_jkt()), "{name}");
        tried.push(name.clone());
    }
    assert!(tried.iter().any(|n| n == "ES256"), "{offered:?}");
    assert!(tried.len() >= 3, "{offered:?}");
}

/// A DPoP handle of the application's own (where openid-client takes `modifyAssertion` for
/// DPoP): proofs with a `jti` it chooses, nonces kept by a `DpopClient`.
#[derive(Debug)]
struct OwnProofs {
    client: dpop::DpopClient,
    proofs: Mutex<Vec<String>>,
}

impl oauth_client::DpopHandle for OwnProofs {
    fn proof(&self, method: &str, url: &str, access_token: Option<&str>) -> Result<String, Error> {
        let nonce = self.client.nonce_for(url);
        let jti = format!("mapping-{}", random_state().unwrap());
        let mut proof = self
            .client
            .key()
            .proof(method, url)
            .maybe_nonce(nonce.as_deref())
            .jti(jti.clone());
        if let Some(token) = access_token {
            proof = proof.access_token(token);
        }
        self.proofs.lock().unwrap().push(jti);
        proof.sign().map_err(|e| Error::Dpop(e.to_string()))
    }

    fn record_nonce(&self, url: &str, nonce: &str) -> Result<(), Error> {
        self.client
            .record_nonce(url, nonce)
            .map_err(|e| Error::Dpop(e.to_string()))
    }

    fn jkt(&self) -> Option<String> {
        Some(self.client.dpop_jkt().to_owned())
    }
}

#[tokio::test]
async fn a_dpop_handle_of_the_applications_own_gets_bound_tokens_after_a_nonce_round_trip() {
    // client-dpop-nonce: the provider demands a nonce, so the first proof is refused and the
    // request is sent again with the nonce the handle recorded.
    let handle = Arc::new(OwnProofs {
        client: dpop::DpopClient::generate(JwsAlgorithm::ES256).unwrap(),
        proofs: Mutex::new(Vec::new()),
    });
    let config = config("client-dpop-nonce").await.with_dpop(handle.clone());
    let tokens = config
        .client_credentials_grant(Params::from([("scope", "api:read")]))
        .await
        .unwrap();
    assert_eq!(tokens.token_type(), "dpop");
    assert_eq!(
        handle.proofs.lock().unwrap().len(),
        2,
        "one retry with the nonce"
    );
    let info = config
        .introspect_token(tokens.access_token(), Params::new())
        .await
        .unwrap();
    assert_eq!(info.dpop_jkt(), Some(handle.client.dpop_jkt()));
}

// --- One token request of a polling grant --------------------------------------------------------

#[tokio::test]
async fn one_poll_of_the_device_grant_is_pending_then_yields_tokens() {
    let config = config("client-device").await;
    let device = config
        .initiate_device_authorization(Params::from([("scope", "openid")]))
        .await
        .unwrap();
    let poll = || {
        config.poll_grant(
            DEVICE_CODE_GRANT_TYPE,
            Params::from([("device_code", device.device_code())]),
            Some(Duration::from_secs(10)),
        )
    };
    let err = poll().await.unwrap_err();
    assert_eq!(err.oauth_error(), Some("authorization_pending"), "{err}");
    provider()
        .decide_device_code(device.user_code(), DeviceDecision::Approve("alice"))
        .await
        .unwrap();
    let PollAnswer::Tokens(tokens) = poll().await.unwrap() else {
        panic!("expected tokens");
    };
    assert_eq!(tokens.claims().unwrap().sub, "alice");
}
