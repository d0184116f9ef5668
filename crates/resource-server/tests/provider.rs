//! End to end against oidc-provider (crates/test-provider): JWT access tokens from the
//! client credentials grant with a resource indicator, the issuer's keys fetched through
//! discovery.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use dpop::ProofVerifier;
use jwt_claims::NumericDate;
use oauth_client::{
    AuthorizationCodeGrantChecks, ClientAuth, ClientMetadata, Configuration, DiscoveryAlgorithm,
    Params,
};
use replay_store::MemoryReplayStore;
use resource_server::{
    AccessTokenValidation, DpopOptions, Rejection, RemoteKeys, RequestInfo, ResourceServer, Scheme,
    TokenError,
};
use std::sync::Arc;
use std::time::Duration;
use test_provider::{TestProvider, UserAgent};

const RESOURCE: &str = "urn:test:jwt-api";

fn provider() -> &'static TestProvider {
    TestProvider::shared().expect("oidc-provider starts (Node.js is needed)")
}

async fn client() -> Configuration {
    client_named("client-basic").await
}

async fn client_named(id: &str) -> Configuration {
    let registered = provider().state().client(id).unwrap();
    let auth = ClientAuth::client_secret_basic(registered.secret().unwrap().to_owned());
    Configuration::builder(ClientMetadata::new(id), auth)
        .allow_insecure_requests()
        .discover(provider().issuer())
        .await
        .unwrap()
}

async fn access_token(resource: &str) -> String {
    client()
        .await
        .client_credentials_grant(Params::from([
            ("resource", resource),
            ("scope", "api:read"),
        ]))
        .await
        .unwrap()
        .access_token()
        .to_owned()
}

async fn keys() -> RemoteKeys {
    let builder = RemoteKeys::configuration_builder().allow_insecure_requests();
    RemoteKeys::discover_with(builder, provider().issuer(), DiscoveryAlgorithm::Oidc)
        .await
        .unwrap()
}

fn issuer() -> String {
    provider()
        .issuer()
        .as_str()
        .trim_end_matches('/')
        .to_owned()
}

async fn server(validation: AccessTokenValidation) -> ResourceServer {
    ResourceServer::builder(validation, keys().await)
        .required_scope("api:read")
        .unwrap()
        .build()
}

async fn verify(
    server: &ResourceServer,
    token: &str,
) -> Result<resource_server::Principal, Rejection> {
    let header = format!("Bearer {token}");
    let request = RequestInfo::new("GET", "/items").header("authorization", header.as_bytes());
    server.verify(&request).await
}

#[tokio::test]
async fn accepts_a_jwt_access_token_for_this_resource() {
    let token = access_token(RESOURCE).await;
    let server = server(AccessTokenValidation::new(issuer(), RESOURCE)).await;
    let principal = verify(&server, &token).await.unwrap();
    assert_eq!(principal.token_type(), Scheme::Bearer);
    let at = principal.access_token();
    assert_eq!(at.client_id(), "client-basic");
    assert_eq!(at.issuer(), issuer());
    assert!(at.scope().contains("api:read"));
    assert_eq!(at.header().and_then(|h| h.typ()), Some("at+jwt"));
}

#[tokio::test]
async fn refuses_a_token_for_another_resource() {
    let token = access_token("urn:test:jwt-api-2").await;
    let server = server(AccessTokenValidation::new(issuer(), RESOURCE)).await;
    match verify(&server, &token).await {
        Err(Rejection::InvalidToken(e)) => {
            assert_eq!(e.description(), "the access token is not for this resource")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn refuses_a_token_of_another_issuer() {
    let token = access_token(RESOURCE).await;
    let server = server(AccessTokenValidation::new(
        "https://other-issuer.example",
        RESOURCE,
    ))
    .await;
    match verify(&server, &token).await {
        Err(Rejection::InvalidToken(e)) => {
            assert_eq!(e.description(), "the access token is from another issuer")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn refuses_an_expired_token() {
    let token = access_token(RESOURCE).await;
    // The provider's tokens live 600 s: an hour later (by the injected clock) it has expired.
    let later = NumericDate::now().plus(Duration::from_secs(3600));
    let server = server(AccessTokenValidation::new(issuer(), RESOURCE).now(later)).await;
    match verify(&server, &token).await {
        Err(Rejection::InvalidToken(TokenError::Jwt(e))) => assert_eq!(e.code(), "ERR_JWT_EXPIRED"),
        other => panic!("{other:?}"),
    }
}

/// An ID Token of the provider (RS256, `aud` the client): what a confused client might send
/// to an API instead of its access token.
async fn id_token() -> String {
    let config = client().await;
    let verifier = oauth_client::random_pkce_code_verifier().unwrap();
    let state = oauth_client::random_state().unwrap();
    let nonce = oauth_client::random_nonce().unwrap();
    let challenge = oauth_client::pkce_code_challenge(&verifier);
    let url = config
        .build_authorization_url(Params::from([
            ("redirect_uri", provider().state().redirect_uri()),
            ("scope", "openid"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("state", state.as_str()),
            ("nonce", nonce.as_str()),
        ]))
        .unwrap();
    let redirect = UserAgent::new()
        .unwrap()
        .authorize(&url, provider().state().redirect_uri())
        .await
        .unwrap();
    let checks = AuthorizationCodeGrantChecks::new()
        .pkce_code_verifier(&verifier)
        .expected_state(&state)
        .expected_nonce(&nonce);
    let tokens = config
        .authorization_code_grant(&redirect.url, &checks, Params::new())
        .await
        .unwrap();
    tokens.id_token().expect("an ID Token").to_owned()
}

#[tokio::test]
async fn refuses_an_id_token_of_the_provider_as_an_access_token() {
    let id_token = id_token().await;
    // The ID Token's audience is the client: a resource server whose audience is that client
    // id would take it but for its `typ`, which is not `at+jwt`.
    let server = server(AccessTokenValidation::new(issuer(), "client-basic")).await;
    let rejection = verify(&server, &id_token).await.unwrap_err();
    assert_eq!(rejection.error_code(), Some("invalid_token"));
    assert_eq!(
        rejection.description(),
        Some("the token is not a JWT access token (typ at+jwt)"),
        "{rejection}"
    );
    assert_eq!(rejection.status(), 401);
}

#[tokio::test]
async fn refuses_an_opaque_token_as_a_jwt() {
    let token = access_token("urn:test:api").await;
    let server = server(AccessTokenValidation::new(issuer(), RESOURCE)).await;
    assert!(matches!(
        verify(&server, &token).await,
        Err(Rejection::InvalidToken(_))
    ));
}

#[tokio::test]
async fn the_keys_are_fetched_once_and_exported() {
    let keys = keys().await;
    assert!(keys.export().is_none());
    let server =
        ResourceServer::builder(AccessTokenValidation::new(issuer(), RESOURCE), keys.clone())
            .build();
    verify(&server, &access_token(RESOURCE).await)
        .await
        .unwrap();
    let exported = keys.export().expect("fetched on first use");
    // A cold instance starts from the export and verifies without fetching.
    let cold = RemoteKeys::from_jwks_uri_with(
        RemoteKeys::configuration_builder().allow_insecure_requests(),
        &issuer(),
        "http://127.0.0.1:9/unreachable".parse().unwrap(),
    )
    .unwrap();
    cold.import(&exported).unwrap();
    let server =
        ResourceServer::builder(AccessTokenValidation::new(issuer(), RESOURCE), cold).build();
    verify(&server, &access_token(RESOURCE).await)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_http_issuer_needs_the_insecure_opt_in() {
    let err = RemoteKeys::discover(provider().issuer()).await.unwrap_err();
    assert!(
        matches!(err, oauth_client::Error::InsecureUrl { .. }),
        "{err}"
    );
}

#[tokio::test]
async fn unreachable_keys_answer_503() {
    let keys = RemoteKeys::from_jwks_uri_with(
        RemoteKeys::configuration_builder().allow_insecure_requests(),
        &issuer(),
        "http://127.0.0.1:9/jwks".parse().unwrap(),
    )
    .unwrap();
    let server =
        ResourceServer::builder(AccessTokenValidation::new(issuer(), RESOURCE), keys).build();
    let token = access_token(RESOURCE).await;
    let header = format!("Bearer {token}");
    let request = RequestInfo::new("GET", "/").header("authorization", header.as_bytes());
    let challenge = server
        .authenticate::<serde_json::Value>(&request)
        .await
        .unwrap_err();
    assert_eq!(challenge.status(), 503);
}

/// A DPoP-bound token of `client_id` (the provider demands a nonce from `client-dpop-nonce`),
/// and the client's DPoP key.
async fn dpop_token(client_id: &str) -> (String, Arc<dpop::DpopClient>) {
    let dpop = Arc::new(dpop::DpopClient::generate(jose_core::alg::JwsAlgorithm::ES256).unwrap());
    let handle: Arc<dyn oauth_client::DpopHandle> = dpop.clone();
    let tokens = client_named(client_id)
        .await
        .with_dpop(handle)
        .client_credentials_grant(Params::from([
            ("resource", RESOURCE),
            ("scope", "api:read"),
        ]))
        .await
        .unwrap();
    assert!(tokens.token_type().eq_ignore_ascii_case("dpop"));
    (tokens.access_token().to_owned(), dpop)
}

async fn dpop_server() -> ResourceServer {
    let options = DpopOptions::new(
        ProofVerifier::new(Arc::new(MemoryReplayStore::new())),
        "https://api.example".parse().unwrap(),
    );
    ResourceServer::builder(AccessTokenValidation::new(issuer(), RESOURCE), keys().await)
        .dpop(options)
        .build()
}

#[tokio::test]
async fn accepts_dpop_bound_tokens_with_and_without_a_provider_nonce() {
    let server = dpop_server().await;
    for client_id in ["client-basic", "client-dpop-nonce"] {
        let (token, dpop) = dpop_token(client_id).await;
        let proof = dpop
            .key()
            .proof("GET", "https://api.example/items")
            .access_token(&token)
            .sign()
            .unwrap();
        let auth = format!("DPoP {token}");
        let request = RequestInfo::new("GET", "/items")
            .header("authorization", auth.as_bytes())
            .header("dpop", proof.as_bytes());
        let principal = server.verify::<serde_json::Value>(&request).await.unwrap();
        assert_eq!(principal.token_type(), Scheme::Dpop, "{client_id}");
        assert_eq!(
            principal.access_token().confirmation().jkt.as_deref(),
            Some(dpop.dpop_jkt())
        );
        // The same token as a Bearer token is refused (no downgrade).
        let bearer = format!("Bearer {token}");
        let request = RequestInfo::new("GET", "/items").header("authorization", bearer.as_bytes());
        assert_eq!(
            server
                .verify::<serde_json::Value>(&request)
                .await
                .unwrap_err(),
            Rejection::InvalidToken(TokenError::DpopBoundTokenAsBearer)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proof_replayed_to_a_second_instance_sharing_redis_is_refused() {
    use replay_store::{RedisConfig, RedisConnection, RedisReplayStore};
    let redis = test_redis::TestRedis::start().expect("redis-server starts");
    let instance = || async {
        let config = RedisConfig::from_url(&redis.url())
            .unwrap()
            .timeout(Duration::from_millis(1500));
        let store = Arc::new(RedisReplayStore::new(RedisConnection::new(config)));
        let options = DpopOptions::new(
            ProofVerifier::new(store),
            "https://api.example".parse().unwrap(),
        );
        ResourceServer::builder(AccessTokenValidation::new(issuer(), RESOURCE), keys().await)
            .dpop(options)
            .build()
    };
    let (first, second) = (instance().await, instance().await);
    let (token, dpop) = dpop_token("client-basic").await;
    let proof = dpop
        .key()
        .proof("POST", "https://api.example/orders")
        .access_token(&token)
        .sign()
        .unwrap();
    let auth = format!("DPoP {token}");
    let request = RequestInfo::new("POST", "/orders")
        .header("authorization", auth.as_bytes())
        .header("dpop", proof.as_bytes());
    first.verify::<serde_json::Value>(&request).await.unwrap();
    assert!(matches!(
        second.verify::<serde_json::Value>(&request).await,
        Err(Rejection::InvalidDpopProof(dpop::DpopError::Replay))
    ));
}

async fn introspecting_server(
    audience: &str,
    introspection: resource_server::Introspection,
) -> ResourceServer {
    ResourceServer::builder(AccessTokenValidation::new(issuer(), audience), keys().await)
        .introspection(introspection)
        .required_scope("api:read")
        .unwrap()
        .build()
}

#[tokio::test]
async fn opaque_tokens_are_introspected_with_the_resource_servers_credentials() {
    let token = access_token("urn:test:api").await;
    assert_ne!(token.split('.').count(), 3, "an opaque token");
    let introspection = resource_server::Introspection::new(client().await);
    let server = introspecting_server("urn:test:api", introspection).await;
    let principal = verify(&server, &token).await.unwrap();
    let at = principal.access_token();
    assert_eq!(at.client_id(), "client-basic");
    assert!(at.scope().contains("api:read"));
    assert!(at.header().is_none());
    // JWT access tokens are still validated locally on the same server.
    let jwt_server = introspecting_server(
        RESOURCE,
        resource_server::Introspection::new(client().await),
    )
    .await;
    verify(&jwt_server, &access_token(RESOURCE).await)
        .await
        .unwrap();
}

#[tokio::test]
async fn introspected_tokens_for_another_audience_or_revoked_are_refused() {
    let token = access_token("urn:test:api").await;
    let other = introspecting_server(
        "urn:test:other",
        resource_server::Introspection::new(client().await),
    )
    .await;
    match verify(&other, &token).await {
        Err(Rejection::InvalidToken(e)) => {
            assert_eq!(e.description(), "the access token is not for this resource")
        }
        other => panic!("{other:?}"),
    }
    // Not cached (max TTL zero): the revocation is seen at once.
    let introspection = resource_server::Introspection::new(client().await).max_ttl(Duration::ZERO);
    let server = introspecting_server("urn:test:api", introspection).await;
    verify(&server, &token).await.unwrap();
    // A server with the default cache keeps the active answer (up to 5 min, within exp).
    let caching = introspecting_server(
        "urn:test:api",
        resource_server::Introspection::new(client().await),
    )
    .await;
    verify(&caching, &token).await.unwrap();
    client()
        .await
        .revoke_token(&token, Params::new())
        .await
        .unwrap();
    verify(&caching, &token).await.unwrap();
    assert_eq!(
        verify(&server, &token).await.unwrap_err(),
        Rejection::InvalidToken(TokenError::Inactive)
    );
}
