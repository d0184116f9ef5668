//! DPoP-bound tokens (RFC 9449 §7) with locally generated keys: the proof against the
//! request's method and public URL, `ath`, `cnf.jkt`, replays, server nonces, and replay
//! detection shared by two instances through a real Redis.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use dpop::{DpopKey, NonceIssuer, NonceKey, ProofVerifier};
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use jwt_claims::JwtBuilder;
use replay_store::{
    MemoryReplayStore, RedisConfig, RedisConnection, RedisReplayStore, ReplayStore,
};
use resource_server::{
    AccessTokenValidation, DpopOptions, Rejection, RequestInfo, ResourceServer, Scheme, StaticKeys,
    TokenError,
};
use std::sync::Arc;
use std::time::Duration;

const ISS: &str = "https://issuer.example";
const AUD: &str = "https://api.example";
const BASE: &str = "https://api.example/v1";

struct Fixture {
    issuer_key: SigningKey,
    client_key: DpopKey,
}

impl Fixture {
    fn new() -> Self {
        Self {
            issuer_key: SigningKey::new(
                Jwk::generate(JwsAlgorithm::ES256).unwrap().with_kid("k1"),
                JwsAlgorithm::ES256,
            )
            .unwrap(),
            client_key: DpopKey::generate(JwsAlgorithm::ES256).unwrap(),
        }
    }

    fn token_bound_to(&self, jkt: Option<&str>) -> String {
        let mut builder = JwtBuilder::new()
            .typ("at+jwt")
            .issuer(ISS)
            .audience(AUD)
            .subject("alice")
            .claim("client_id", "app")
            .unwrap();
        if let Some(jkt) = jkt {
            builder = builder
                .claim("cnf", serde_json::json!({ "jkt": jkt }))
                .unwrap();
        }
        builder.sign(&self.issuer_key).unwrap()
    }

    fn token(&self) -> String {
        self.token_bound_to(Some(self.client_key.thumbprint()))
    }

    fn server_with(
        &self,
        store: Arc<dyn ReplayStore>,
        nonces: Option<Arc<NonceIssuer>>,
    ) -> ResourceServer {
        let keys =
            StaticKeys::new(JwkSet::new(vec![self.issuer_key.public_jwk().unwrap()]).unwrap());
        let mut dpop = DpopOptions::new(ProofVerifier::new(store), BASE.parse().unwrap());
        if let Some(nonces) = nonces {
            dpop = dpop.require_nonce(nonces);
        }
        ResourceServer::builder(AccessTokenValidation::new(ISS, AUD), keys)
            .dpop(dpop)
            .build()
    }

    fn server(&self) -> ResourceServer {
        self.server_with(Arc::new(MemoryReplayStore::new()), None)
    }

    fn proof(&self, method: &str, url: &str, token: &str, nonce: Option<&str>) -> String {
        self.client_key
            .proof(method, url)
            .access_token(token)
            .maybe_nonce(nonce)
            .sign()
            .unwrap()
    }
}

async fn send(
    server: &ResourceServer,
    method: &str,
    target: &str,
    authorization: &str,
    proof: Option<&str>,
) -> Result<resource_server::Principal, Rejection> {
    let mut request =
        RequestInfo::new(method, target).header("authorization", authorization.as_bytes());
    if let Some(proof) = proof {
        request = request.header("DPoP", proof.as_bytes());
    }
    server.verify(&request).await
}

#[tokio::test]
async fn accepts_a_dpop_bound_token_with_its_proof() {
    let f = Fixture::new();
    let token = f.token();
    let proof = f.proof("GET", "https://api.example/v1/items", &token, None);
    let principal = send(
        &f.server(),
        "GET",
        "/items?page=2",
        &format!("DPoP {token}"),
        Some(&proof),
    )
    .await
    .unwrap();
    assert_eq!(principal.token_type(), Scheme::Dpop);
    assert_eq!(
        principal.access_token().confirmation().jkt.as_deref(),
        Some(f.client_key.thumbprint())
    );
}

#[tokio::test]
async fn refuses_a_proof_for_another_method_or_url() {
    let f = Fixture::new();
    let server = f.server();
    let token = f.token();
    let auth = format!("DPoP {token}");
    let post = f.proof("POST", "https://api.example/v1/items", &token, None);
    assert!(matches!(
        send(&server, "GET", "/items", &auth, Some(&post)).await,
        Err(Rejection::InvalidDpopProof(dpop::DpopError::MethodMismatch))
    ));
    // The local listener's URL is not what the client used: the public base URL is.
    let local = f.proof("GET", "http://127.0.0.1:8080/items", &token, None);
    assert!(matches!(
        send(&server, "GET", "/items", &auth, Some(&local)).await,
        Err(Rejection::InvalidDpopProof(dpop::DpopError::UriMismatch))
    ));
}

#[tokio::test]
async fn refuses_a_proof_for_another_token() {
    let f = Fixture::new();
    let token = f.token();
    let other = f.token();
    let proof = f.proof("GET", "https://api.example/v1/items", &other, None);
    let result = send(
        &f.server(),
        "GET",
        "/items",
        &format!("DPoP {token}"),
        Some(&proof),
    )
    .await;
    assert!(
        matches!(result, Err(Rejection::InvalidDpopProof(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn refuses_a_token_bound_to_another_key() {
    let f = Fixture::new();
    let other = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    let token = f.token_bound_to(Some(other.thumbprint()));
    let proof = f.proof("GET", "https://api.example/v1/items", &token, None);
    let result = send(
        &f.server(),
        "GET",
        "/items",
        &format!("DPoP {token}"),
        Some(&proof),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        Rejection::InvalidToken(TokenError::DpopKeyMismatch)
    );
}

#[tokio::test]
async fn refuses_an_unbound_token_with_the_dpop_scheme_and_a_bound_one_as_bearer() {
    let f = Fixture::new();
    let server = f.server();
    let unbound = f.token_bound_to(None);
    let proof = f.proof("GET", "https://api.example/v1/items", &unbound, None);
    let result = send(
        &server,
        "GET",
        "/items",
        &format!("DPoP {unbound}"),
        Some(&proof),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        Rejection::InvalidToken(TokenError::NotDpopBound)
    );
    let bound = f.token();
    let proof = f.proof("GET", "https://api.example/v1/items", &bound, None);
    let result = send(
        &server,
        "GET",
        "/items",
        &format!("Bearer {bound}"),
        Some(&proof),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        Rejection::InvalidToken(TokenError::DpopBoundTokenAsBearer)
    );
}

#[tokio::test]
async fn refuses_a_missing_proof_and_a_replayed_one() {
    let f = Fixture::new();
    let server = f.server();
    let token = f.token();
    let auth = format!("DPoP {token}");
    assert!(matches!(
        send(&server, "GET", "/items", &auth, None).await,
        Err(Rejection::InvalidDpopProof(dpop::DpopError::MissingProof))
    ));
    let proof = f.proof("GET", "https://api.example/v1/items", &token, None);
    send(&server, "GET", "/items", &auth, Some(&proof))
        .await
        .unwrap();
    assert!(matches!(
        send(&server, "GET", "/items", &auth, Some(&proof)).await,
        Err(Rejection::InvalidDpopProof(dpop::DpopError::Replay))
    ));
}

#[tokio::test]
async fn demands_a_server_nonce_with_a_use_dpop_nonce_challenge() {
    let f = Fixture::new();
    let nonces = Arc::new(NonceIssuer::new(NonceKey::generate().unwrap()));
    let server = f.server_with(Arc::new(MemoryReplayStore::new()), Some(nonces));
    let token = f.token();
    let auth = format!("DPoP {token}");
    let proof = f.proof("GET", "https://api.example/v1/items", &token, None);
    let request = RequestInfo::new("GET", "/items")
        .header("authorization", auth.as_bytes())
        .header("dpop", proof.as_bytes());
    let challenge = server
        .authenticate::<serde_json::Value>(&request)
        .await
        .unwrap_err();
    assert_eq!(challenge.status(), 401);
    let www = challenge.www_authenticate().unwrap();
    assert!(www.contains("DPoP error=\"use_dpop_nonce\""), "{www}");
    assert!(www.contains("algs=\"ES256"), "{www}");
    let nonce = challenge
        .dpop_nonce()
        .expect("a DPoP-Nonce header")
        .to_owned();
    let proof = f.proof("GET", "https://api.example/v1/items", &token, Some(&nonce));
    send(&server, "GET", "/items", &auth, Some(&proof))
        .await
        .unwrap();
}

#[tokio::test]
async fn dpop_can_be_required() {
    let f = Fixture::new();
    let keys = StaticKeys::new(JwkSet::new(vec![f.issuer_key.public_jwk().unwrap()]).unwrap());
    let dpop = DpopOptions::new(
        ProofVerifier::new(Arc::new(MemoryReplayStore::new())),
        BASE.parse().unwrap(),
    )
    .required();
    let server = ResourceServer::builder(AccessTokenValidation::new(ISS, AUD), keys)
        .dpop(dpop)
        .build();
    let unbound = f.token_bound_to(None);
    let header = format!("Bearer {unbound}");
    let request = RequestInfo::new("GET", "/").header("authorization", header.as_bytes());
    let challenge = server
        .authenticate::<serde_json::Value>(&request)
        .await
        .unwrap_err();
    assert_eq!(challenge.status(), 401);
    let www = challenge.www_authenticate().unwrap();
    assert!(www.starts_with("DPoP algs="), "{www}");
    assert!(!www.contains("Bearer"), "{www}");
    let metadata: serde_json::Value = serde_json::from_str(&server.metadata().to_json()).unwrap();
    assert_eq!(metadata["dpop_bound_access_tokens_required"], true);
}

fn redis_store(url: &str) -> Arc<dyn ReplayStore> {
    let config = RedisConfig::from_url(url)
        .unwrap()
        .timeout(Duration::from_millis(1500));
    Arc::new(RedisReplayStore::new(RedisConnection::new(config)))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proof_accepted_by_one_instance_is_refused_by_another_sharing_redis() {
    let redis = test_redis::TestRedis::start().expect("redis-server starts");
    let f = Fixture::new();
    let first = f.server_with(redis_store(&redis.url()), None);
    let second = f.server_with(redis_store(&redis.url()), None);
    let token = f.token();
    let auth = format!("DPoP {token}");
    let proof = f.proof("GET", "https://api.example/v1/items", &token, None);
    send(&first, "GET", "/items", &auth, Some(&proof))
        .await
        .unwrap();
    assert!(matches!(
        send(&second, "GET", "/items", &auth, Some(&proof)).await,
        Err(Rejection::InvalidDpopProof(dpop::DpopError::Replay))
    ));
    // With the store down, proofs are refused (fail closed): 503, nothing leaked.
    redis.stop();
    let fresh = f.proof("GET", "https://api.example/v1/items", &token, None);
    let request = RequestInfo::new("GET", "/items")
        .header("authorization", auth.as_bytes())
        .header("dpop", fresh.as_bytes());
    let challenge = second
        .authenticate::<serde_json::Value>(&request)
        .await
        .unwrap_err();
    assert_eq!(challenge.status(), 503);
    assert_eq!(challenge.www_authenticate(), None);
}
