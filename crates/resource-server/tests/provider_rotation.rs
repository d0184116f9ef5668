//! Key rotation at oidc-provider itself (crates/test-provider, `rotate_es256_keys`): the
//! provider publishes a new ES256 key beside the old one and signs its JWT access tokens with
//! it, then removes the old one. A resource server that discovered the provider accepts the
//! new `kid` after one refetch of the JWK Set, keeps accepting the old key while its cached set
//! is fresh, and refuses it once the cache's max age has passed. The provider counts the
//! requests of its `jwks_uri`. (tests/rotation.rs covers the same rules against a JWK Set
//! endpoint the test controls, with `Cache-Control`, single flight and stale-if-error.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use oauth_client::{ClientAuth, ClientMetadata, Configuration, DiscoveryAlgorithm, Params};
use resource_server::{AccessTokenValidation, Rejection, RemoteKeys, RequestInfo, ResourceServer};
use std::time::Duration;
use test_provider::TestProvider;

const RESOURCE: &str = "urn:test:jwt-api";
/// Least time between two fetches for unknown `kid`s.
const COOLDOWN: Duration = Duration::from_secs(1);
/// The short-lived cache's max age (the provider sends no `Cache-Control`).
const SHORT_MAX_AGE: Duration = Duration::from_secs(2);

struct Rotation {
    provider: TestProvider,
    client: Configuration,
}

impl Rotation {
    async fn start() -> Self {
        // A provider of its own: a rotation constructs it again, which the other tests of a
        // shared provider should not see.
        let provider = TestProvider::start().expect("oidc-provider starts (Node.js is needed)");
        let registered = provider.state().client("client-basic").unwrap();
        let auth = ClientAuth::client_secret_basic(registered.secret().unwrap().to_owned());
        let client = Configuration::builder(ClientMetadata::new("client-basic"), auth)
            .allow_insecure_requests()
            .discover(provider.issuer())
            .await
            .unwrap();
        Self { provider, client }
    }

    fn issuer(&self) -> String {
        self.provider
            .issuer()
            .as_str()
            .trim_end_matches('/')
            .to_owned()
    }

    /// A JWT access token from the client credentials grant, and the `kid` it was signed with.
    async fn token(&self) -> (String, String) {
        let tokens = self
            .client
            .client_credentials_grant(Params::from([
                ("resource", RESOURCE),
                ("scope", "api:read"),
            ]))
            .await
            .unwrap();
        let token = tokens.access_token().to_owned();
        let kid = jws::unverified::decode_header(&token)
            .unwrap()
            .kid()
            .unwrap()
            .to_owned();
        (token, kid)
    }

    /// A resource server that discovered the provider and keeps its keys for `max_age`.
    async fn server(&self, max_age: Duration) -> ResourceServer {
        let builder = RemoteKeys::configuration_builder()
            .allow_insecure_requests()
            .jwks_cache_bounds(max_age, max_age)
            .jwks_cache(max_age, COOLDOWN);
        let keys =
            RemoteKeys::discover_with(builder, self.provider.issuer(), DiscoveryAlgorithm::Oidc)
                .await
                .unwrap();
        ResourceServer::builder(AccessTokenValidation::new(self.issuer(), RESOURCE), keys).build()
    }

    async fn fetches(&self) -> u64 {
        self.provider.signing_keys().await.unwrap().jwks_fetches
    }

    async fn rotate(&self, kids: &[&str]) {
        let keys = self.provider.rotate_es256_keys(kids).await.unwrap();
        assert_eq!(keys.es256, kids);
    }
}

async fn verify(server: &ResourceServer, token: &str) -> Result<(), Rejection> {
    let header = format!("Bearer {token}");
    let request = RequestInfo::new("GET", "/items").header("authorization", header.as_bytes());
    server
        .verify::<serde_json::Value>(&request)
        .await
        .map(|_| ())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_providers_new_key_is_taken_after_one_refetch_and_its_removed_key_refused_after_the_max_age()
 {
    let at = Rotation::start().await;
    let long = at.server(Duration::from_secs(3600)).await;
    let short = at.server(SHORT_MAX_AGE).await;

    // Before: one ES256 key; the first token fetches the set once.
    let (old_token, old_kid) = at.token().await;
    assert_eq!(old_kid, "op-p256");
    let before = at.fetches().await;
    verify(&long, &old_token).await.unwrap();
    verify(&long, &old_token).await.unwrap();
    assert_eq!(at.fetches().await, before + 1);

    // The provider publishes a new key beside the old one and signs with it.
    at.rotate(&["op-p256-next", "op-p256"]).await;
    let (new_token, new_kid) = at.token().await;
    assert_eq!(new_kid, "op-p256-next");
    // Past the refetch cooldown, the unknown kid costs exactly one fetch.
    tokio::time::sleep(COOLDOWN + Duration::from_millis(200)).await;
    let before = at.fetches().await;
    verify(&long, &new_token).await.unwrap();
    assert_eq!(
        at.fetches().await,
        before + 1,
        "one refetch for the new kid"
    );
    verify(&long, &new_token).await.unwrap();
    verify(&long, &old_token).await.unwrap();
    assert_eq!(at.fetches().await, before + 1);

    // The short-lived cache holds both keys now.
    verify(&short, &old_token).await.unwrap();

    // The provider removes the old key.
    at.rotate(&["op-p256-next"]).await;
    // A cache that is still fresh keeps accepting it, without fetching.
    let before = at.fetches().await;
    verify(&long, &old_token).await.unwrap();
    assert_eq!(at.fetches().await, before);
    // Once the cache's max age has passed, the set is fetched again and the old key is gone.
    tokio::time::sleep(SHORT_MAX_AGE + Duration::from_millis(500)).await;
    match verify(&short, &old_token).await {
        Err(Rejection::InvalidToken(e)) => {
            assert_eq!(e.description(), "the access token is invalid", "{e}");
        }
        other => panic!("a token of the removed key: {other:?}"),
    }
    assert_eq!(
        at.fetches().await,
        before + 1,
        "one refetch after the max age"
    );
    verify(&short, &new_token).await.unwrap();
}
