//! The issuer's keys over real HTTP on loopback (a JWK Set endpoint the test controls):
//! rotation (a new `kid` accepted after one refetch, a removed key refused once the cache's
//! `max-age` has passed), single flight, stale-if-error, with `Cache-Control` set by the test.
//! Key rotation at oidc-provider itself: tests/provider_rotation.rs.
#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::http::{HeaderName, StatusCode, header};
use axum::{Router, extract::State, routing::get};
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use jwt_claims::JwtBuilder;
use resource_server::{AccessTokenValidation, Rejection, RemoteKeys, RequestInfo, ResourceServer};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ISS: &str = "https://issuer.example";
const AUD: &str = "https://api.example";
/// Least time between two fetches for unknown `kid`s.
const COOLDOWN: Duration = Duration::from_secs(2);

#[derive(Debug, Default)]
struct Published {
    jwks: Mutex<String>,
    cache_control: Mutex<&'static str>,
    failing: Mutex<bool>,
    fetches: AtomicUsize,
}

type Answer = (StatusCode, [(HeaderName, String); 2], String);

async fn jwks(State(published): State<Arc<Published>>) -> Answer {
    published.fetches.fetch_add(1, Ordering::SeqCst);
    // Slow enough for concurrent requests to overlap.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let status = if *published.failing.lock().unwrap() {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    let headers = [
        (header::CONTENT_TYPE, "application/json".to_owned()),
        (
            header::CACHE_CONTROL,
            (*published.cache_control.lock().unwrap()).to_owned(),
        ),
    ];
    (status, headers, published.jwks.lock().unwrap().clone())
}

fn key(kid: &str) -> SigningKey {
    SigningKey::new(
        Jwk::generate(JwsAlgorithm::ES256).unwrap().with_kid(kid),
        JwsAlgorithm::ES256,
    )
    .unwrap()
}

fn token(key: &SigningKey) -> String {
    JwtBuilder::new()
        .typ("at+jwt")
        .issuer(ISS)
        .audience(AUD)
        .subject("alice")
        .claim("client_id", "app")
        .unwrap()
        .sign(key)
        .unwrap()
}

fn publish(published: &Published, keys: &[&SigningKey], cache_control: &'static str) {
    let set = JwkSet::new(keys.iter().map(|k| k.public_jwk().unwrap()).collect()).unwrap();
    *published.jwks.lock().unwrap() = set.to_json();
    *published.cache_control.lock().unwrap() = cache_control;
}

struct Issuer {
    published: Arc<Published>,
    server: ResourceServer,
}

impl Issuer {
    async fn start(keys: &[&SigningKey], cache_control: &'static str) -> Self {
        let published = Arc::new(Published::default());
        publish(&published, keys, cache_control);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks", listener.local_addr().unwrap());
        let app = Router::new()
            .route("/jwks", get(jwks))
            .with_state(published.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let builder = RemoteKeys::configuration_builder()
            .allow_insecure_requests()
            .jwks_cache_bounds(Duration::ZERO, Duration::from_secs(3600))
            .jwks_cache(Duration::from_secs(3600), COOLDOWN)
            .jwks_stale_if_error(Duration::from_secs(3600));
        let keys = RemoteKeys::from_jwks_uri_with(builder, ISS, url.parse().unwrap()).unwrap();
        Self {
            published,
            server: ResourceServer::builder(AccessTokenValidation::new(ISS, AUD), keys).build(),
        }
    }

    fn publish(&self, keys: &[&SigningKey], cache_control: &'static str) {
        publish(&self.published, keys, cache_control);
    }

    fn fetches(&self) -> usize {
        self.published.fetches.load(Ordering::SeqCst)
    }

    async fn verify(&self, token: &str) -> Result<(), Rejection> {
        let header = format!("Bearer {token}");
        let request = RequestInfo::new("GET", "/").header("authorization", header.as_bytes());
        self.server
            .verify::<serde_json::Value>(&request)
            .await
            .map(|_| ())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_kid_is_accepted_after_one_refetch_and_unknown_kids_are_rate_limited() {
    let (k1, k2, k3) = (key("k1"), key("k2"), key("k3"));
    let issuer = Issuer::start(&[&k1], "max-age=3600").await;
    issuer.verify(&token(&k1)).await.unwrap();
    issuer.verify(&token(&k1)).await.unwrap();
    assert_eq!(issuer.fetches(), 1);
    // The issuer rotates: k2 appears; its first token, once the cooldown since the first
    // fetch has passed, triggers one refetch.
    issuer.publish(&[&k1, &k2], "max-age=3600");
    tokio::time::sleep(COOLDOWN + Duration::from_millis(100)).await;
    issuer.verify(&token(&k2)).await.unwrap();
    assert_eq!(issuer.fetches(), 2);
    // A kid nobody published does not cause another fetch within the cooldown.
    assert!(matches!(
        issuer.verify(&token(&k3)).await,
        Err(Rejection::InvalidToken(_))
    ));
    assert_eq!(issuer.fetches(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_removed_key_is_refused_once_the_max_age_has_passed() {
    let (k1, k2) = (key("k1"), key("k2"));
    // The endpoint says max-age=0: every use after this one refetches.
    let issuer = Issuer::start(&[&k1, &k2], "max-age=0").await;
    issuer.verify(&token(&k1)).await.unwrap();
    issuer.publish(&[&k2], "max-age=0");
    assert!(matches!(
        issuer.verify(&token(&k1)).await,
        Err(Rejection::InvalidToken(_))
    ));
    issuer.verify(&token(&k2)).await.unwrap();
    // With a long max-age the removal is seen only when the cache expires: still accepted.
    let cached = Issuer::start(&[&k1, &k2], "max-age=3600").await;
    cached.verify(&token(&k1)).await.unwrap();
    cached.publish(&[&k2], "max-age=3600");
    cached.verify(&token(&k1)).await.unwrap();
    assert_eq!(cached.fetches(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_requests_causes_one_fetch() {
    let k1 = key("k1");
    let issuer = Arc::new(Issuer::start(&[&k1], "max-age=3600").await);
    let token = token(&k1);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (issuer, token) = (issuer.clone(), token.clone());
            tokio::spawn(async move { issuer.verify(&token).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(issuer.fetches(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_endpoint_is_bridged_by_the_stale_set() {
    let k1 = key("k1");
    let issuer = Issuer::start(&[&k1], "max-age=0").await;
    issuer.verify(&token(&k1)).await.unwrap();
    *issuer.published.failing.lock().unwrap() = true;
    issuer.verify(&token(&k1)).await.unwrap();
    assert_eq!(issuer.fetches(), 2);
}
