//! End-to-end tests against oidc-provider (started once for this test binary by
//! `test-provider`, on 127.0.0.1): every grant, each client authentication method, UserInfo,
//! introspection, revocation, registration, end-session, and the failure paths the provider
//! produces.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{Pending, authorize, client_auth, client_key, dpop, login, provider, redirect_uri};
use jose_core::jwk::Jwk;
use jws::SigningKey;
use oauth_client::http::{Headers, Method};
use oauth_client::{
    AuthorizationCodeGrantChecks, Callback, ClientAuth, ClientMetadata, Configuration,
    DiscoveryAlgorithm, Error, ExpectedSubject, IdTokenCheck, Params, random_pkce_code_verifier,
};
use test_provider::UserAgent;
use url::Url;

/// The client metadata and authentication of a static client of the provider: the metadata
/// starts from `ClientMetadata::new` and takes only the algorithms the client registered.
fn client(id: &str) -> (ClientMetadata, ClientAuth) {
    let registered = provider().state().client(id).unwrap();
    let mut metadata = ClientMetadata::new(id);
    metadata.id_token_signed_response_alg = registered
        .str("id_token_signed_response_alg")
        .map(str::to_owned);
    metadata.userinfo_signed_response_alg = registered
        .str("userinfo_signed_response_alg")
        .map(str::to_owned);
    metadata.introspection_signed_response_alg = registered
        .str("introspection_signed_response_alg")
        .map(str::to_owned);
    (metadata, client_auth(id))
}

async fn config(id: &str) -> Configuration {
    let (metadata, auth) = client(id);
    Configuration::builder(metadata, auth)
        .allow_insecure_requests()
        .discover(provider().issuer())
        .await
        .unwrap()
}

// --- Discovery --------------------------------------------------------------------------------

#[tokio::test]
async fn discovery_by_oidc_and_rfc8414_path_insertion_finds_the_same_server() {
    let (metadata, auth) = client("client-basic");
    let oidc = config("client-basic").await;
    let oauth = Configuration::builder(metadata, auth)
        .allow_insecure_requests()
        .discover_with(provider().issuer(), DiscoveryAlgorithm::OAuth2)
        .await
        .unwrap();
    assert_eq!(oidc.server_metadata(), oauth.server_metadata());
    let server = oidc.server_metadata();
    assert_eq!(server.issuer, provider().issuer().as_str());
    assert_eq!(
        server.authorization_response_iss_parameter_supported,
        Some(true)
    );
    assert!(server.supports_pkce(None));
    // A member this crate does not know is kept.
    assert_eq!(server.other["x_jose_rs_test"], "kept");
}

#[tokio::test]
async fn an_http_issuer_is_refused_without_the_insecure_opt_in() {
    let (metadata, auth) = client("client-basic");
    let err = Configuration::builder(metadata, auth)
        .discover(provider().issuer())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InsecureUrl { .. }), "{err}");
}

#[tokio::test]
async fn discovery_of_another_issuer_identifier_fails_the_issuer_check() {
    // The provider's metadata names `.../op`, not `.../op/`.
    let (metadata, auth) = client("client-basic");
    let other = Url::parse(&format!("{}/", provider().issuer())).unwrap();
    let err = Configuration::builder(metadata, auth)
        .allow_insecure_requests()
        .discover_from_metadata_url(&oauth_client::well_known_url(
            provider().issuer(),
            DiscoveryAlgorithm::Oidc,
        ))
        .await;
    assert!(
        err.is_ok(),
        "the metadata URL itself is accepted without the check"
    );
    let (metadata, auth) = client("client-basic");
    let err = Configuration::builder(metadata, auth)
        .allow_insecure_requests()
        .discover(&other)
        .await
        .unwrap_err();
    // `/op/` is another identifier; its well-known URL finds the document of `/op`.
    assert!(matches!(err, Error::IssuerMismatch { .. }), "{err}");
    assert_eq!(err.code(), "OAUTH_INVALID_RESPONSE");
}

// --- The code flow ----------------------------------------------------------------------------

#[tokio::test]
async fn authorization_code_flow_with_pkce_userinfo_refresh_introspection_and_revocation() {
    let config = config("client-basic").await;
    let (tokens, pending) = login(&config, "openid email profile").await;
    assert_eq!(tokens.token_type(), "bearer");
    let claims = tokens.claims().unwrap();
    assert_eq!(claims.sub, "alice");
    assert_eq!(claims.iss, provider().issuer().as_str());
    assert_eq!(claims.aud, vec!["client-basic".to_owned()]);
    assert_eq!(claims.nonce.as_deref(), Some(pending.nonce.as_str()));
    assert!(tokens.expires_in_remaining().unwrap().as_secs() > 0);

    let user = config
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Is(&claims.sub))
        .await
        .unwrap();
    assert_eq!(user.email.as_deref(), Some("alice@example.test"));
    assert_eq!(user.name.as_deref(), Some("Alice Liddell"));

    let err = config
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Is("bob"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SubjectMismatch));

    let refresh_token = tokens.refresh_token().expect("a refresh token");
    let refreshed = config
        .refresh_token_grant(refresh_token, Params::new())
        .await
        .unwrap();
    assert_eq!(refreshed.claims().unwrap().sub, "alice");

    let active = config
        .introspect_token(refreshed.access_token(), Params::new())
        .await
        .unwrap();
    assert!(active.active);
    assert_eq!(active.sub.as_deref(), Some("alice"));
    assert_eq!(active.client_id.as_deref(), Some("client-basic"));

    config
        .revoke_token(
            refreshed.access_token(),
            Params::from([("token_type_hint", "access_token")]),
        )
        .await
        .unwrap();
    let revoked = config
        .introspect_token(refreshed.access_token(), Params::new())
        .await
        .unwrap();
    assert!(!revoked.active);

    // The revoked token is refused by the UserInfo endpoint with a challenge.
    let err = config
        .fetch_user_info(refreshed.access_token(), ExpectedSubject::Is("alice"))
        .await
        .unwrap_err();
    match err {
        Error::Challenge(c) => {
            assert_eq!(c.status, 401);
            assert_eq!(c.error(), Some("invalid_token"));
            assert!(c.challenges[0].is("bearer"));
        }
        other => panic!("expected a challenge, got {other}"),
    }
}

#[tokio::test]
async fn every_token_endpoint_authentication_method_completes_the_code_flow() {
    for id in [
        "client-basic",
        "client-post",
        "client-secret-jwt",
        "client-private-key-jwt",
        "client-public",
    ] {
        let config = config(id).await;
        let (tokens, _) = login(&config, "openid").await;
        assert_eq!(tokens.claims().unwrap().aud, vec![id.to_owned()], "{id}");
        // Introspection and revocation authenticate the same way.
        let info = config
            .introspect_token(tokens.access_token(), Params::new())
            .await
            .unwrap();
        assert!(info.active, "{id}");
        config
            .revoke_token(tokens.access_token(), Params::new())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn form_post_responses_are_read_from_the_body() {
    let config = config("client-post").await;
    let pending = Pending::new();
    let redirect = authorize(
        &config,
        pending.params("openid").set("response_mode", "form_post"),
    )
    .await;
    let body = redirect.form_body.expect("a form_post form");
    assert!(redirect.url.query().is_none());
    let callback = Callback::from_form_post(&redirect.url, body.as_bytes()).unwrap();
    let tokens = config
        .authorization_code_grant_with_callback(&callback, &pending.checks(), Params::new())
        .await
        .unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "alice");
}

#[tokio::test]
async fn signed_responses_eddsa_id_token_jwt_userinfo_and_jwt_introspection() {
    let config = config("client-signed-responses").await;
    let (tokens, _) = login(&config, "openid email").await;
    let claims = tokens.claims().unwrap();
    assert_eq!(claims.alg.as_str(), "EdDSA");
    let user = config
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Is(&claims.sub))
        .await
        .unwrap();
    assert_eq!(user.email.as_deref(), Some("alice@example.test"));
    let info = config
        .introspect_token(tokens.access_token(), Params::new())
        .await
        .unwrap();
    assert!(info.active);
    assert_eq!(info.sub.as_deref(), Some("alice"));
}

#[tokio::test]
async fn hmac_id_token_userinfo_and_introspection_keyed_with_the_client_secret() {
    // OIDC Core §10.1: HS256 ID Token, HS384 JWT UserInfo, HS512 JWT introspection.
    let config = config("client-hmac-responses").await;
    let (tokens, _) = login(&config, "openid email").await;
    let claims = tokens.claims().unwrap();
    assert_eq!(claims.alg.as_str(), "HS256");
    let user = config
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Is(&claims.sub))
        .await
        .unwrap();
    assert_eq!(user.email.as_deref(), Some("alice@example.test"));
    let info = config
        .introspect_token(tokens.access_token(), Params::new())
        .await
        .unwrap();
    assert!(info.active);
    assert_eq!(info.sub.as_deref(), Some("alice"));
}

#[tokio::test]
async fn max_age_requires_and_checks_auth_time() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let redirect = authorize(&config, pending.params("openid").set("max_age", "300")).await;
    let tokens = config
        .authorization_code_grant(&redirect.url, &pending.checks().max_age(300), Params::new())
        .await
        .unwrap();
    assert!(tokens.claims().unwrap().auth_time.is_some());
}

#[tokio::test]
async fn an_id_token_issued_longer_ago_than_the_configured_age_is_refused_naming_iat() {
    // The client's clock two minutes ahead makes the provider's fresh ID Token two minutes old.
    let (metadata, auth) = client("client-basic");
    let config = Configuration::builder(metadata, auth)
        .allow_insecure_requests()
        .clock_skew(120)
        .clock_tolerance(std::time::Duration::from_secs(0))
        .max_id_token_age(std::time::Duration::from_secs(60))
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
                check: IdTokenCheck::IssuedAt,
                ..
            }
        ),
        "{err}"
    );
}

// --- Other grants -----------------------------------------------------------------------------

#[tokio::test]
async fn client_credentials_with_resource_and_scope() {
    let config = config("client-post").await;
    let tokens = config
        .client_credentials_grant(Params::from([
            ("scope", "api:read"),
            ("resource", "urn:test:api"),
        ]))
        .await
        .unwrap();
    assert_eq!(tokens.token_type(), "bearer");
    assert_eq!(tokens.scope(), Some("api:read"));
    assert!(tokens.claims().is_none());
    let info = config
        .introspect_token(tokens.access_token(), Params::new())
        .await
        .unwrap();
    assert!(info.active);
    assert_eq!(info.aud, Some(serde_json::json!("urn:test:api")));

    // The default resource applies without parameters.
    let tokens = config
        .client_credentials_grant(Params::new())
        .await
        .unwrap();
    assert!(!tokens.access_token().is_empty());
}

#[tokio::test]
async fn jwt_access_tokens_for_a_resource_and_a_generic_grant() {
    let config = config("client-basic").await;
    let tokens = config
        .generic_grant(
            "client_credentials",
            Params::from([("resource", "urn:test:jwt-api"), ("scope", "api:read")]),
        )
        .await
        .unwrap();
    // A JWT access token: three base64url parts.
    assert_eq!(tokens.access_token().split('.').count(), 3);

    let err = config
        .generic_grant(
            "urn:ietf:params:oauth:grant-type:jwt-bearer",
            Params::from([("assertion", "x.y.z")]),
        )
        .await
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("unsupported_grant_type"), "{err}");
}

// --- Protected resources ------------------------------------------------------------------------

#[tokio::test]
async fn protected_resource_requests_send_the_token_and_surface_challenges() {
    let config = config("client-basic").await;
    let (tokens, _) = login(&config, "openid").await;
    let userinfo = config.server_metadata().userinfo_endpoint.clone().unwrap();
    let response = config
        .fetch_protected_resource(
            tokens.access_token(),
            Method::GET,
            &userinfo,
            Headers::from([("accept", "application/json")]),
            None,
        )
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    let err = config
        .fetch_protected_resource("not-a-token", Method::GET, &userinfo, Headers::new(), None)
        .await
        .unwrap_err();
    let Error::Challenge(challenge) = err else {
        panic!("expected a challenge, got {err}");
    };
    assert_eq!(challenge.error(), Some("invalid_token"));
    assert_eq!(
        challenge.challenges[0].realm(),
        Some(provider().issuer().as_str())
    );
}

// --- Registration and logout ------------------------------------------------------------------

#[tokio::test]
async fn dynamic_registration_returns_a_working_configuration() {
    let mut metadata = ClientMetadata::for_registration([redirect_uri()]);
    metadata.grant_types = Some(vec!["authorization_code".into(), "refresh_token".into()]);
    metadata.token_endpoint_auth_method = Some("client_secret_post".into());
    metadata.client_name = Some("registered by a test".into());
    let config = Configuration::builder(metadata.clone(), ClientAuth::none())
        .allow_insecure_requests()
        .register(
            provider().issuer(),
            Some(provider().state().initial_access_token()),
        )
        .await
        .unwrap();
    assert!(!config.client_id().is_empty());
    assert_eq!(config.client_auth().method().as_str(), "client_secret_post");
    let (tokens, _) = login(&config, "openid").await;
    assert_eq!(
        tokens.claims().unwrap().aud,
        vec![config.client_id().to_owned()]
    );

    // RFC 7592 read.
    let read = config.read_registration().await.unwrap();
    assert_eq!(read.client_id, config.client_id());
    assert_eq!(read.client_name.as_deref(), Some("registered by a test"));

    // Without the initial access token the provider refuses.
    let err = Configuration::builder(metadata, ClientAuth::none())
        .allow_insecure_requests()
        .register(provider().issuer(), None)
        .await
        .unwrap_err();
    assert!(err.oauth_error().is_some(), "{err}");
}

#[tokio::test]
async fn a_registered_client_secret_jwt_client_authenticates_with_its_issued_secret() {
    // A dynamic registration (RFC 7591) of a client_secret_jwt client: HS256, keyed with the
    // secret the server issues.
    let mut metadata = ClientMetadata::for_registration([redirect_uri()]);
    metadata.grant_types = Some(vec!["authorization_code".into()]);
    metadata.token_endpoint_auth_method = Some("client_secret_jwt".into());
    metadata.token_endpoint_auth_signing_alg = Some("HS256".into());
    let config = Configuration::builder(metadata, ClientAuth::none())
        .allow_insecure_requests()
        .register(
            provider().issuer(),
            Some(provider().state().initial_access_token()),
        )
        .await
        .unwrap();
    let client = config.client_metadata();
    assert!(client.client_secret.is_some());
    assert_eq!(
        client.token_endpoint_auth_method.as_deref(),
        Some("client_secret_jwt")
    );
    assert_eq!(
        client.token_endpoint_auth_signing_alg.as_deref(),
        Some("HS256")
    );
    assert_eq!(config.client_auth().method().as_str(), "client_secret_jwt");
    // The token endpoint accepts its HS256 client assertion.
    let (tokens, _) = login(&config, "openid").await;
    assert_eq!(
        tokens.claims().unwrap().aud,
        vec![config.client_id().to_owned()]
    );
}

#[tokio::test]
async fn end_session_url_logs_out_and_returns_to_the_client() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let agent = UserAgent::new().unwrap();
    let url = config
        .build_authorization_url(pending.params("openid"))
        .unwrap();
    let redirect = agent.authorize(&url, redirect_uri()).await.unwrap();
    let tokens = config
        .authorization_code_grant(&redirect.url, &pending.checks(), Params::new())
        .await
        .unwrap();
    let logout = config
        .build_end_session_url(Params::from([
            ("id_token_hint", tokens.id_token().unwrap()),
            (
                "post_logout_redirect_uri",
                provider().state().post_logout_redirect_uri(),
            ),
            ("state", "bye"),
        ]))
        .unwrap();
    assert_eq!(
        logout
            .query_pairs()
            .find(|(k, _)| k == "client_id")
            .unwrap()
            .1,
        "client-basic"
    );
    let back = agent.end_session(&logout).await.unwrap();
    assert!(
        back.as_str()
            .starts_with(provider().state().post_logout_redirect_uri()),
        "{back}"
    );
    assert_eq!(
        back.query_pairs().find(|(k, _)| k == "state").unwrap().1,
        "bye"
    );
}

// --- Failure paths ------------------------------------------------------------------------------

#[tokio::test]
async fn a_code_used_twice_is_invalid_grant() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let redirect = authorize(&config, pending.params("openid")).await;
    config
        .authorization_code_grant(&redirect.url, &pending.checks(), Params::new())
        .await
        .unwrap();
    let err = config
        .authorization_code_grant(&redirect.url, &pending.checks(), Params::new())
        .await
        .unwrap_err();
    match &err {
        Error::OAuth(e) => {
            assert_eq!(e.error, "invalid_grant");
            assert_eq!(e.status, 400);
            assert_eq!(e.endpoint, "token");
        }
        other => panic!("expected invalid_grant, got {other}"),
    }
    assert_eq!(err.code(), "OAUTH_RESPONSE_BODY_ERROR");
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_client_for_basic_and_post() {
    for auth in [
        ClientAuth::client_secret_basic("wrong"),
        ClientAuth::client_secret_post("wrong"),
    ] {
        let config = Configuration::builder(ClientMetadata::new("client-basic"), auth)
            .allow_insecure_requests()
            .discover(provider().issuer())
            .await
            .unwrap();
        let err = config
            .client_credentials_grant(Params::new())
            .await
            .unwrap_err();
        assert_eq!(err.oauth_error(), Some("invalid_client"), "{err}");
    }
}

#[tokio::test]
async fn a_wrong_signing_key_is_invalid_client_for_private_key_jwt() {
    let (metadata, _) = client("client-private-key-jwt");
    let stranger = SigningKey::new(
        Jwk::generate(jose_core::alg::JwsAlgorithm::ES256)
            .unwrap()
            .with_kid("rp-p256"),
        jose_core::alg::JwsAlgorithm::ES256,
    )
    .unwrap();
    let config = Configuration::builder(metadata, ClientAuth::private_key_jwt(stranger))
        .allow_insecure_requests()
        .discover(provider().issuer())
        .await
        .unwrap();
    let err = config
        .client_credentials_grant(Params::new())
        .await
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_client"), "{err}");
}

#[tokio::test]
async fn an_unregistered_redirect_uri_is_refused_by_the_provider() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let url = config
        .build_authorization_url(
            pending
                .params("openid")
                .set("redirect_uri", "https://attacker.test/cb"),
        )
        .unwrap();
    let err = UserAgent::new()
        .unwrap()
        .authorize(&url, "https://attacker.test/cb")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            test_provider::HarnessError::UnexpectedPage { status: 400, .. }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_different_redirect_uri_at_the_token_endpoint_is_invalid_grant() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let redirect = authorize(&config, pending.params("openid")).await;
    let err = config
        .authorization_code_grant(
            &redirect.url,
            &pending.checks(),
            Params::from([("redirect_uri", "https://rp.test/other")]),
        )
        .await
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_grant"), "{err}");
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_invalid_grant() {
    let config = config("client-public").await;
    let pending = Pending::new();
    let redirect = authorize(&config, pending.params("openid")).await;
    let checks = AuthorizationCodeGrantChecks::new()
        .pkce_code_verifier(random_pkce_code_verifier().unwrap())
        .expected_state(&pending.state)
        .expected_nonce(&pending.nonce);
    let err = config
        .authorization_code_grant(&redirect.url, &checks, Params::new())
        .await
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_grant"), "{err}");
}

#[tokio::test]
async fn an_expired_code_is_invalid_grant() {
    let config = config("client-short-code").await;
    let pending = Pending::new();
    let redirect = authorize(&config, pending.params("openid")).await;
    // The provider issues this client's codes with a one-second lifetime.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let err = config
        .authorization_code_grant(&redirect.url, &pending.checks(), Params::new())
        .await
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_grant"), "{err}");
}

#[tokio::test]
async fn a_denied_login_is_an_authorization_error_response() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let redirect = authorize(&config, pending.params("openid").set("login_hint", "deny")).await;
    let err = config
        .authorization_code_grant(&redirect.url, &pending.checks(), Params::new())
        .await
        .unwrap_err();
    match err {
        Error::Authorization(e) => {
            assert_eq!(e.error, "access_denied");
            assert_eq!(
                e.error_description.as_deref(),
                Some("the test user refused")
            );
        }
        other => panic!("expected access_denied, got {other}"),
    }
}

#[tokio::test]
async fn state_iss_and_nonce_mismatches_are_caught_before_or_after_the_exchange() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let redirect = authorize(&config, pending.params("openid")).await;

    let wrong_state = AuthorizationCodeGrantChecks::new()
        .pkce_code_verifier(&pending.verifier)
        .expected_state("another-state");
    let err = config
        .authorization_code_grant(&redirect.url, &wrong_state, Params::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::State(_)), "{err}");

    let mut tampered = redirect.url.clone();
    let pairs: Vec<(String, String)> = redirect
        .url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "iss" {
                "https://evil.test".into()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    tampered.query_pairs_mut().clear().extend_pairs(pairs);
    let err = config
        .authorization_code_grant(&tampered, &pending.checks(), Params::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ResponseIssuer(_)), "{err}");

    // The code is still unused: a wrong expected nonce fails after the exchange.
    let wrong_nonce = AuthorizationCodeGrantChecks::new()
        .pkce_code_verifier(&pending.verifier)
        .expected_state(&pending.state)
        .expected_nonce("another-nonce");
    let err = config
        .authorization_code_grant(&redirect.url, &wrong_nonce, Params::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::IdToken {
                check: IdTokenCheck::Nonce,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn an_invalid_refresh_token_is_invalid_grant() {
    let config = config("client-basic").await;
    let err = config
        .refresh_token_grant("not-a-refresh-token", Params::new())
        .await
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_grant"), "{err}");
}

// --- DPoP (the seam issue 5 builds on) ------------------------------------------------------

#[tokio::test]
async fn dpop_bound_tokens_from_the_code_flow_work_at_userinfo() {
    let config = config("client-basic").await.with_dpop(dpop());
    let (tokens, _) = login(&config, "openid email").await;
    assert_eq!(tokens.token_type(), "dpop");
    let claims = tokens.claims().unwrap();
    // UserInfo gets `Authorization: DPoP` and a proof with `ath`.
    let user = config
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Is(&claims.sub))
        .await
        .unwrap();
    assert_eq!(user.sub, "alice");
    let info = config
        .introspect_token(tokens.access_token(), Params::new())
        .await
        .unwrap();
    assert!(info.cnf.unwrap().contains_key("jkt"));
}

#[tokio::test]
async fn a_server_demanded_dpop_nonce_is_retried_once() {
    let config = config("client-dpop-nonce").await.with_dpop(dpop());
    let tokens = config
        .client_credentials_grant(Params::new())
        .await
        .unwrap();
    assert_eq!(tokens.token_type(), "dpop");
    // The nonce is now known: the next request succeeds at once as well.
    config
        .client_credentials_grant(Params::new())
        .await
        .unwrap();
    // Without DPoP the same client still gets a bearer token.
    let plain = self::config("client-dpop-nonce").await;
    assert_eq!(
        plain
            .client_credentials_grant(Params::new())
            .await
            .unwrap()
            .token_type(),
        "bearer"
    );
}

// --- Encrypted responses (feature `jwe`) --------------------------------------------------------

#[tokio::test]
async fn encrypted_id_tokens_and_userinfo_are_decrypted_then_verified() {
    use jose_core::alg::ContentEncryptionAlgorithm;
    let key = client_key("client-encrypted");
    let keys = jose_core::jwk::JwkSet::new(vec![key]).unwrap();
    let (mut metadata, auth) = client("client-encrypted");
    metadata.userinfo_encrypted_response_alg = Some("ECDH-ES".into());
    let config = Configuration::builder(metadata.clone(), auth.clone())
        .allow_insecure_requests()
        .decrypt_responses(oauth_client::Decryption::new(
            keys,
            [ContentEncryptionAlgorithm::A256Gcm],
        ))
        .discover(provider().issuer())
        .await
        .unwrap();
    let (tokens, _) = login(&config, "openid email").await;
    assert_eq!(tokens.id_token().unwrap().split('.').count(), 5, "a JWE");
    let claims = tokens.claims().unwrap();
    assert_eq!(claims.sub, "alice");
    let user = config
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Is(&claims.sub))
        .await
        .unwrap();
    assert_eq!(user.email.as_deref(), Some("alice@example.test"));

    // Without decryption keys the same response is a specific error.
    let plain = Configuration::builder(metadata, auth)
        .allow_insecure_requests()
        .discover(provider().issuer())
        .await
        .unwrap();
    let pending = Pending::new();
    let redirect = authorize(&plain, pending.params("openid")).await;
    let err = plain
        .authorization_code_grant(&redirect.url, &pending.checks(), Params::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EncryptedResponse(_)), "{err}");
}

// --- Building blocks for later protocols --------------------------------------------------------

#[tokio::test]
async fn id_tokens_and_authenticated_posts_can_be_used_on_their_own() {
    use oauth_client::{Endpoint, IdTokenValidation};
    let config = config("client-secret-jwt").await;
    let (tokens, pending) = login(&config, "openid").await;
    let id_token = tokens.id_token().unwrap();
    let claims = config
        .validate_id_token(
            id_token,
            &IdTokenValidation::new()
                .expected_nonce(&pending.nonce)
                .access_token(tokens.access_token()),
        )
        .await
        .unwrap();
    assert_eq!(claims.sub, "alice");
    let err = config
        .validate_id_token(id_token, &IdTokenValidation::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::IdToken {
                check: IdTokenCheck::Nonce,
                ..
            }
        ),
        "{err}"
    );

    let body = config
        .authenticated_post(
            Endpoint::Introspection,
            Params::from([("token", tokens.access_token())]),
        )
        .await
        .unwrap();
    assert_eq!(body["active"], true);
    let err = config
        .authenticated_post(Endpoint::Token, Params::from([("grant_type", "password")]))
        .await
        .unwrap_err();
    assert!(err.oauth_error().is_some(), "{err}");
}
