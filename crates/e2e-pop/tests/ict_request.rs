//! The ICT request (feature `ict-request`) against a small OP on loopback that implements the
//! draft's ICT endpoint with this crate: discovery, the 201 answer and each error status,
//! through oauth-client's reqwest adapter.

#![cfg(feature = "ict-request")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod support;
use e2e_pop::RequiredContexts;
use e2e_pop::request::{IctClient, POP_CONTENT_TYPE};
use e2e_pop::{E2ePopError, IctBuilder, IctVerifier, OpJwks, PopTokenBuilder, PopTokenVerifier};
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use oauth_client::{ReqwestHttpClient, Url};
use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use support::*;

/// An OP serving discovery and an ICT endpoint on 127.0.0.1, stopped on drop.
struct TestOp {
    base: String,
    key: SigningKey,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for TestOp {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.base.trim_start_matches("http://"));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

fn respond(mut stream: &TcpStream, status: u16, body: &str) {
    let text = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(text.as_bytes());
}

/// The OP's ICT endpoint, as the draft describes it.
fn ict_endpoint(req: &Request, base: &str, key: &SigningKey) -> (u16, String) {
    if req.header("authorization") != Some("Bearer good-access-token") {
        return (401, json!({"error": "invalid_token"}).to_string());
    }
    if req.header("content-type") != Some(POP_CONTENT_TYPE) {
        return (400, json!({"error": "invalid_request"}).to_string());
    }
    let pop = String::from_utf8_lossy(&req.body).into_owned();
    let Ok(verified) = PopTokenVerifier::without_replay_detection(base)
        .expected_issuer("chat-app")
        .expected_subject("alice")
        .verify_now(&pop)
    else {
        return (403, json!({"error": "invalid_pop"}).to_string());
    };
    if verified
        .claims()
        .required_claims
        .as_ref()
        .is_some_and(|r| r.iter().any(|c| c == "phone_number"))
    {
        return (404, json!({"error": "claims_unavailable"}).to_string());
    }
    let ict = IctBuilder::for_pop_token(&verified)
        .issuer(base)
        .contexts(["instant_messaging"])
        .claim("name", "Alice")
        .unwrap()
        .build(key)
        .unwrap();
    let body = json!({
        "identity_certification_token": ict,
        "expires_in": 300,
        "e2e_auth_contexts": ["instant_messaging"],
        "claims": ["name"],
    });
    (201, body.to_string())
}

fn start_op() -> TestOp {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let key = SigningKey::new(
        Jwk::generate(JwsAlgorithm::ES256).unwrap().with_kid("op-1"),
        JwsAlgorithm::ES256,
    )
    .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let (b, k, s) = (base.clone(), key.clone(), stop.clone());
    let thread = std::thread::spawn(move || {
        for stream in listener.incoming() {
            if s.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let Some(req) = read_request(&stream) else {
                continue;
            };
            let (status, body) = match (req.method.as_str(), req.path.as_str()) {
                ("GET", "/.well-known/openid-configuration") => (
                    200,
                    json!({"issuer": b, "ict_endpoint": format!("{b}/ict")}).to_string(),
                ),
                ("GET", "/plain/.well-known/openid-configuration") => {
                    (200, json!({"issuer": format!("{b}/plain")}).to_string())
                }
                ("GET", "/spoof/.well-known/openid-configuration") => (
                    200,
                    json!({"issuer": "https://other.example", "ict_endpoint": format!("{b}/ict")})
                        .to_string(),
                ),
                ("GET", "/gone/.well-known/openid-configuration") => (404, "{}".into()),
                ("POST", "/ict") => ict_endpoint(&req, &b, &k),
                ("POST", "/ict-broken") => (500, "{}".into()),
                ("POST", "/ict-garbage") => (201, json!({"expires_in": 300}).to_string()),
                _ => (404, "{}".into()),
            };
            respond(&stream, status, &body);
        }
    });
    TestOp {
        base,
        key,
        stop,
        thread: Some(thread),
    }
}

fn client() -> IctClient<ReqwestHttpClient> {
    IctClient::new(ReqwestHttpClient::new().unwrap()).allow_insecure_http()
}

fn client_key() -> SigningKey {
    SigningKey::generate(JwsAlgorithm::EdDSA).unwrap()
}

fn pop(op: &TestOp, key: &SigningKey, required: &[&str]) -> String {
    PopTokenBuilder::new()
        .issuer("chat-app")
        .subject("alice")
        .audience(op.base.clone())
        .required_claims(required.iter().copied())
        .build(key)
        .unwrap()
}

#[tokio::test]
async fn discovery_then_request_yields_a_verifiable_ict() {
    let op = start_op();
    let client = client();
    let endpoint = client
        .discover_ict_endpoint(&Url::parse(&op.base).unwrap())
        .await
        .unwrap();
    assert_eq!(endpoint.as_str(), format!("{}/ict", op.base));
    let key = client_key();
    let response = client
        .request_ict(&endpoint, "good-access-token", &pop(&op, &key, &["name"]))
        .await
        .unwrap();
    assert_eq!(response.expires_in(), Some(300));
    assert_eq!(response.contexts().unwrap(), ["instant_messaging"]);
    assert!(!format!("{response:?}").contains(response.identity_certification_token()));
    let jwks = JwkSet::new(vec![op.key.public_jwk().unwrap()]).unwrap();
    let ict = IctVerifier::new(
        OpJwks::new(op.base.clone(), jwks),
        RequiredContexts::all(["instant_messaging"]),
    )
    .expected_audience("chat-app")
    .verify(response.identity_certification_token())
    .await
    .unwrap();
    assert!(ict.claims().cnf_jwk.same_key(&key.public_jwk().unwrap()));
    assert_eq!(ict.claims().extra["name"], "Alice");
}

#[tokio::test]
async fn error_statuses_map_to_their_errors() {
    let op = start_op();
    let client = client();
    let endpoint = Url::parse(&format!("{}/ict", op.base)).unwrap();
    let key = client_key();
    let good = pop(&op, &key, &[]);
    assert_eq!(
        client
            .request_ict(&endpoint, "expired-token", &good)
            .await
            .unwrap_err(),
        E2ePopError::IctUnauthorized
    );
    // A PoP token for another OP.
    let wrong = PopTokenBuilder::new()
        .issuer("chat-app")
        .subject("alice")
        .audience("https://other-op.example")
        .build(&key)
        .unwrap();
    assert_eq!(
        client
            .request_ict(&endpoint, "good-access-token", &wrong)
            .await
            .unwrap_err(),
        E2ePopError::IctForbidden
    );
    assert_eq!(
        client
            .request_ict(
                &endpoint,
                "good-access-token",
                &pop(&op, &key, &["phone_number"])
            )
            .await
            .unwrap_err(),
        E2ePopError::IctClaimsUnavailable
    );
    let broken = Url::parse(&format!("{}/ict-broken", op.base)).unwrap();
    assert_eq!(
        client
            .request_ict(&broken, "good-access-token", &good)
            .await
            .unwrap_err(),
        E2ePopError::IctRequestFailed { status: 500 }
    );
    let garbage = Url::parse(&format!("{}/ict-garbage", op.base)).unwrap();
    assert!(matches!(
        client
            .request_ict(&garbage, "good-access-token", &good)
            .await,
        Err(E2ePopError::IctResponse(_))
    ));
    assert!(matches!(
        client.request_ict(&endpoint, "bad\r\ntoken", &good).await,
        Err(E2ePopError::Config(_))
    ));
}

#[tokio::test]
async fn discovery_refuses_documents_it_cannot_trust() {
    let op = start_op();
    let client = client();
    let url = |p: &str| Url::parse(&format!("{}{p}", op.base)).unwrap();
    assert_eq!(
        client
            .discover_ict_endpoint(&url("/plain"))
            .await
            .unwrap_err(),
        E2ePopError::IctNotSupported
    );
    assert!(matches!(
        client.discover_ict_endpoint(&url("/spoof")).await,
        Err(E2ePopError::Discovery(_))
    ));
    assert!(matches!(
        client.discover_ict_endpoint(&url("/gone")).await,
        Err(E2ePopError::Discovery(_))
    ));
    // Without the explicit opt-in, http is refused before any request.
    let strict = IctClient::new(ReqwestHttpClient::new().unwrap());
    assert!(matches!(
        strict.discover_ict_endpoint(&url("")).await,
        Err(E2ePopError::Discovery(_))
    ));
}
