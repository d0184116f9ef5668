//! `jose oauth resource-server` as issue #16 item 9 specifies it, against oidc-provider
//! (crates/test-provider) and a real Redis (crates/test-redis).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use oauth_client::http::{Headers, HttpClient, HttpRequest, HttpResponse, Method};
use oauth_client::{ClientAuth, ClientMetadata, Configuration, Params, ReqwestHttpClient};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use test_provider::TestProvider;

fn provider() -> &'static TestProvider {
    TestProvider::shared().expect("oidc-provider starts")
}

fn issuer() -> String {
    provider()
        .issuer()
        .as_str()
        .trim_end_matches('/')
        .to_owned()
}

fn secret(id: &str) -> String {
    provider()
        .state()
        .client(id)
        .unwrap()
        .secret()
        .unwrap()
        .to_owned()
}

/// A running `jose oauth resource-server`, killed on drop.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the command and waits for its `listening on http://HOST:PORT` line.
fn start(extra: &[&str]) -> Server {
    let listen = format!("127.0.0.1:{}", free_port());
    let mut child = Command::new(env!("CARGO_BIN_EXE_jose"))
        .args([
            "oauth",
            "resource-server",
            &issuer(),
            "--listen",
            &listen,
            "--insecure-http",
        ])
        .args(extra)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim_end(), format!("listening on http://{listen}"));
    Server {
        child,
        base: format!("http://{listen}"),
    }
}

async fn get(url: &str, headers: &[(&str, &str)]) -> HttpResponse {
    let mut request = HttpRequest::new(Method::GET, url.parse().unwrap());
    let mut h = Headers::new();
    for (name, value) in headers {
        h.set(*name, *value);
    }
    request.headers = h;
    ReqwestHttpClient::new()
        .unwrap()
        .send(request)
        .await
        .unwrap()
}

async fn client(id: &str) -> Configuration {
    Configuration::builder(
        ClientMetadata::new(id),
        ClientAuth::client_secret_basic(secret(id)),
    )
    .allow_insecure_requests()
    .discover(provider().issuer())
    .await
    .unwrap()
}

async fn token(resource: &str) -> String {
    client("client-basic")
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

fn json(response: &HttpResponse) -> serde_json::Value {
    serde_json::from_slice(&response.body).unwrap()
}

#[tokio::test]
async fn serves_the_metadata_the_identity_and_the_challenges() {
    let server = start(&["--audience", "urn:test:jwt-api", "--scope", "api:read"]);
    let metadata = get(
        &format!("{}/.well-known/oauth-protected-resource", server.base),
        &[],
    )
    .await;
    assert_eq!(metadata.status, 200);
    let document = json(&metadata);
    assert_eq!(document["resource"], "urn:test:jwt-api");
    assert_eq!(
        document["authorization_servers"],
        serde_json::json!([issuer()])
    );

    let none = get(&format!("{}/anything", server.base), &[]).await;
    assert_eq!(none.status, 401);
    let www = none.headers.get("www-authenticate").unwrap();
    assert!(
        www.starts_with("Bearer") && !www.contains("error="),
        "{www}"
    );

    let access_token = token("urn:test:jwt-api").await;
    let auth = format!("Bearer {access_token}");
    let ok = get(
        &format!("{}/some/path", server.base),
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(ok.status, 200);
    let identity = json(&ok);
    assert_eq!(identity["iss"], issuer());
    assert_eq!(identity["client_id"], "client-basic");
    assert_eq!(identity["aud"], "urn:test:jwt-api");
    assert_eq!(identity["scope"], "api:read");
    assert_eq!(identity["token_type"], "Bearer");
    assert!(identity["sub"].is_string());

    let other = token("urn:test:jwt-api-2").await;
    let refused = get(
        &format!("{}/x", server.base),
        &[("authorization", &format!("Bearer {other}"))],
    )
    .await;
    assert_eq!(refused.status, 401);
    assert!(
        refused
            .headers
            .get("www-authenticate")
            .unwrap()
            .contains("error=\"invalid_token\"")
    );
}

#[tokio::test]
async fn a_missing_scope_is_403() {
    let server = start(&["--audience", "urn:test:jwt-api", "--scope", "api:write"]);
    let access_token = token("urn:test:jwt-api").await;
    let answer = get(
        &format!("{}/x", server.base),
        &[("authorization", &format!("Bearer {access_token}"))],
    )
    .await;
    assert_eq!(answer.status, 403);
    assert!(
        answer
            .headers
            .get("www-authenticate")
            .unwrap()
            .contains("scope=\"api:write\"")
    );
}

#[tokio::test]
async fn opaque_tokens_are_introspected_with_the_client_credentials() {
    let server = start(&[
        "--audience",
        "urn:test:api",
        "--client-id",
        "client-basic",
        "--client-secret",
        &secret("client-basic"),
    ]);
    let access_token = token("urn:test:api").await;
    let ok = get(
        &format!("{}/x", server.base),
        &[("authorization", &format!("Bearer {access_token}"))],
    )
    .await;
    assert_eq!(ok.status, 200, "{:?}", String::from_utf8_lossy(&ok.body));
    assert_eq!(json(&ok)["client_id"], "client-basic");
    // Without client credentials the same opaque token is refused.
    let plain = start(&["--audience", "urn:test:api"]);
    let refused = get(
        &format!("{}/x", plain.base),
        &[("authorization", &format!("Bearer {access_token}"))],
    )
    .await;
    assert_eq!(refused.status, 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_on_one_replay_store_share_dpop_replay_state_and_nonces() {
    let redis = test_redis::TestRedis::start().expect("redis-server starts");
    let dir = std::env::temp_dir().join(format!("jose-rs-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let secret_file = dir.join("nonce-secret");
    std::fs::write(&secret_file, [7u8; 32]).unwrap();
    let public = "https://api.example";
    let common = [
        "--audience",
        "urn:test:jwt-api",
        "--replay-store",
        &redis.url(),
        "--public-url",
        public,
        "--dpop-nonce-secret",
        secret_file.to_str().unwrap(),
    ];
    let (first, second) = (start(&common), start(&common));

    let dpop = Arc::new(dpop::DpopClient::generate(jose_core::alg::JwsAlgorithm::ES256).unwrap());
    let handle: Arc<dyn oauth_client::DpopHandle> = dpop.clone();
    let access_token = client("client-basic")
        .await
        .with_dpop(handle)
        .client_credentials_grant(Params::from([
            ("resource", "urn:test:jwt-api"),
            ("scope", "api:read"),
        ]))
        .await
        .unwrap()
        .access_token()
        .to_owned();
    let auth = format!("DPoP {access_token}");
    let htu = format!("{public}/orders");

    // No nonce yet: use_dpop_nonce with a DPoP-Nonce from the first instance.
    let proof = dpop
        .key()
        .proof("GET", &htu)
        .access_token(&access_token)
        .sign()
        .unwrap();
    let first_answer = get(
        &format!("{}/orders", first.base),
        &[("authorization", &auth), ("dpop", &proof)],
    )
    .await;
    assert_eq!(first_answer.status, 401);
    assert!(
        first_answer
            .headers
            .get("www-authenticate")
            .unwrap()
            .contains("use_dpop_nonce")
    );
    let nonce = first_answer.headers.get("dpop-nonce").unwrap().to_owned();

    // The nonce of the first instance is good at the second (same secret).
    let proof = dpop
        .key()
        .proof("GET", &htu)
        .access_token(&access_token)
        .nonce(&nonce)
        .sign()
        .unwrap();
    let ok = get(
        &format!("{}/orders", second.base),
        &[("authorization", &auth), ("dpop", &proof)],
    )
    .await;
    assert_eq!(ok.status, 200, "{:?}", ok.headers.get("www-authenticate"));
    assert_eq!(json(&ok)["token_type"], "DPoP");
    // The same proof at the first instance: a replay.
    let replayed = get(
        &format!("{}/orders", first.base),
        &[("authorization", &auth), ("dpop", &proof)],
    )
    .await;
    assert_eq!(replayed.status, 401);
    assert!(
        replayed
            .headers
            .get("www-authenticate")
            .unwrap()
            .contains("invalid_dpop_proof")
    );
}
