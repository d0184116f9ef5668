//! The tower layer and the axum extractor over real HTTP on loopback: the principal reaches
//! the handler, refusals are answered with their challenge, the RFC 9728 document is served.
#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::{Router, routing::get};
use dpop::{DpopKey, NonceIssuer, NonceKey, ProofVerifier};
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use jwt_claims::JwtBuilder;
use oauth_client::ReqwestHttpClient;
use oauth_client::http::{Headers, HttpClient, HttpRequest, HttpResponse, Method};
use replay_store::MemoryReplayStore;
use resource_server::{
    AccessTokenValidation, Authenticated, DpopOptions, ResourceServer, ResourceServerLayer,
    StaticKeys,
};
use std::sync::Arc;

const ISS: &str = "https://issuer.example";
const AUD: &str = "https://api.example/v1";

async fn whoami(Authenticated(principal): Authenticated) -> String {
    format!(
        "{} {}",
        principal.token_type().as_str(),
        principal.access_token().subject()
    )
}

struct App {
    base: String,
    key: SigningKey,
    http: ReqwestHttpClient,
}

/// Serves `router(server)` on 127.0.0.1 with DPoP nonces demanded.
async fn start(router: fn(ResourceServer) -> Router) -> App {
    let key = SigningKey::new(
        Jwk::generate(JwsAlgorithm::ES256).unwrap().with_kid("k1"),
        JwsAlgorithm::ES256,
    )
    .unwrap();
    let keys = StaticKeys::new(JwkSet::new(vec![key.public_jwk().unwrap()]).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let dpop = DpopOptions::new(
        ProofVerifier::new(Arc::new(MemoryReplayStore::new())),
        base.parse().unwrap(),
    )
    .require_nonce(Arc::new(NonceIssuer::new(NonceKey::generate().unwrap())));
    let server = ResourceServer::builder(AccessTokenValidation::new(ISS, AUD), keys)
        .required_scope("read")
        .unwrap()
        .dpop(dpop)
        .build();
    let app = router(server);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    App {
        base,
        key,
        http: ReqwestHttpClient::new().unwrap(),
    }
}

fn with_layer(server: ResourceServer) -> Router {
    Router::new()
        .route("/whoami", get(whoami))
        .layer(ResourceServerLayer::<
            serde_json::Map<String, serde_json::Value>,
        >::new(server.clone()))
        .with_state(server)
}

fn extractor_only(server: ResourceServer) -> Router {
    Router::new()
        .route("/whoami", get(whoami))
        .with_state(server)
}

impl App {
    fn token(&self, scope: &str, jkt: Option<&str>) -> String {
        let mut builder = JwtBuilder::new()
            .typ("at+jwt")
            .issuer(ISS)
            .audience(AUD)
            .subject("alice")
            .claim("client_id", "app")
            .unwrap()
            .claim("scope", scope)
            .unwrap();
        if let Some(jkt) = jkt {
            builder = builder
                .claim("cnf", serde_json::json!({ "jkt": jkt }))
                .unwrap();
        }
        builder.sign(&self.key).unwrap()
    }

    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> HttpResponse {
        let mut request =
            HttpRequest::new(Method::GET, format!("{}{path}", self.base).parse().unwrap());
        let mut h = Headers::new();
        for (name, value) in headers {
            h.set(*name, *value);
        }
        request.headers = h;
        self.http.send(request).await.unwrap()
    }
}

async fn bearer_and_challenges(app: &App) {
    let ok = app
        .get(
            "/whoami",
            &[(
                "authorization",
                &format!("Bearer {}", app.token("read", None)),
            )],
        )
        .await;
    assert_eq!(
        (ok.status, String::from_utf8(ok.body).unwrap().as_str()),
        (200, "Bearer alice")
    );

    let none = app.get("/whoami", &[]).await;
    assert_eq!(none.status, 401);
    let www = none.headers.get("www-authenticate").unwrap();
    assert!(www.starts_with("Bearer resource_metadata=\"https://api.example/.well-known/oauth-protected-resource/v1\""), "{www}");
    assert!(www.contains("DPoP algs="), "{www}");

    let scope = app
        .get(
            "/whoami",
            &[(
                "authorization",
                &format!("Bearer {}", app.token("write", None)),
            )],
        )
        .await;
    assert_eq!(scope.status, 403);
    assert!(
        scope
            .headers
            .get("www-authenticate")
            .unwrap()
            .contains("scope=\"read\"")
    );

    let bad = app
        .get("/whoami", &[("authorization", "Bearer not-a-jwt")])
        .await;
    assert_eq!(bad.status, 401);
    assert!(
        bad.headers
            .get("www-authenticate")
            .unwrap()
            .starts_with("Bearer error=\"invalid_token\"")
    );
}

async fn dpop_with_nonce(app: &App) {
    let key = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    let token = app.token("read", Some(key.thumbprint()));
    let url = format!("{}/whoami", app.base);
    let auth = format!("DPoP {token}");
    let proof = key.proof("GET", &url).access_token(&token).sign().unwrap();
    let first = app
        .get("/whoami", &[("authorization", &auth), ("dpop", &proof)])
        .await;
    assert_eq!(first.status, 401);
    assert!(
        first
            .headers
            .get("www-authenticate")
            .unwrap()
            .contains("use_dpop_nonce")
    );
    let nonce = first.headers.get("dpop-nonce").unwrap().to_owned();
    let proof = key
        .proof("GET", &url)
        .access_token(&token)
        .nonce(&nonce)
        .sign()
        .unwrap();
    let second = app
        .get("/whoami", &[("authorization", &auth), ("dpop", &proof)])
        .await;
    assert_eq!(
        (
            second.status,
            String::from_utf8(second.body).unwrap().as_str()
        ),
        (200, "DPoP alice")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_layer_protects_the_routes_and_serves_the_metadata() {
    let app = start(with_layer).await;
    bearer_and_challenges(&app).await;
    dpop_with_nonce(&app).await;
    let metadata = app
        .get("/.well-known/oauth-protected-resource/v1", &[])
        .await;
    assert_eq!(metadata.status, 200);
    assert_eq!(
        metadata.headers.get("content-type"),
        Some("application/json")
    );
    let json: serde_json::Value = serde_json::from_slice(&metadata.body).unwrap();
    assert_eq!(json["resource"], AUD);
    assert_eq!(json["authorization_servers"][0], ISS);
    assert_eq!(json["dpop_signing_alg_values_supported"][0], "ES256");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_extractor_alone_verifies_with_the_state() {
    let app = start(extractor_only).await;
    bearer_and_challenges(&app).await;
    dpop_with_nonce(&app).await;
}
