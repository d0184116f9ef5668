//! A scripted authorization server for the suites that test answers a real provider does not
//! give: a queue of answers per path (the last one repeats), the paused clock's time of each
//! request, the server's signing key and a forger's key with the same `kid`.
#![allow(dead_code)] // each test binary uses a part

use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use oauth_client::http::{BoxFuture, Headers, HttpClient, HttpError, HttpRequest, HttpResponse};
use oauth_client::{
    ClientAuth, ClientMetadata, Configuration, ConfigurationBuilder, ServerMetadata,
};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};
use url::Url;

pub const ISSUER: &str = "https://op.test";
pub const CLIENT: &str = "rp";

/// A response: status and JSON (or other) body with its content type.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

pub fn json_answer(status: u16, body: Value) -> Answer {
    Answer {
        status,
        content_type: "application/json",
        body: body.to_string(),
    }
}

/// A scripted server: a queue of answers per path (the last one repeats), and the paused
/// clock's time of each request.
#[derive(Debug, Default)]
pub struct Scripted {
    routes: Mutex<HashMap<String, VecDeque<Answer>>>,
    log: Mutex<Vec<(String, tokio::time::Instant, String)>>,
}

impl Scripted {
    pub fn script(&self, path: &str, answers: impl IntoIterator<Item = Answer>) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_owned(), answers.into_iter().collect());
    }

    /// When each request to `path` was made, and its body.
    pub fn requests(&self, path: &str) -> Vec<(tokio::time::Instant, String)> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _, _)| p == path)
            .map(|(_, t, b)| (*t, b.clone()))
            .collect()
    }
}

impl HttpClient for Scripted {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        let path = request.url.path().to_owned();
        let body = String::from_utf8(request.body.clone().unwrap_or_default()).unwrap();
        self.log
            .lock()
            .unwrap()
            .push((path.clone(), tokio::time::Instant::now(), body));
        let answer = {
            let mut routes = self.routes.lock().unwrap();
            routes.get_mut(&path).and_then(|queue| {
                if queue.len() > 1 {
                    queue.pop_front()
                } else {
                    queue.front().cloned()
                }
            })
        };
        Box::pin(async move {
            let Some(answer) = answer else {
                return Ok(HttpResponse::new(404, Headers::new(), Vec::new()));
            };
            Ok(HttpResponse::new(
                answer.status,
                Headers::from([("content-type", answer.content_type)]),
                answer.body.into_bytes(),
            ))
        })
    }
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn metadata() -> ServerMetadata {
    let url = |path: &str| Some(Url::parse(&format!("{ISSUER}{path}")).unwrap());
    let mut server = ServerMetadata::new(ISSUER);
    server.authorization_endpoint = url("/auth");
    server.token_endpoint = url("/token");
    server.jwks_uri = url("/jwks");
    server.pushed_authorization_request_endpoint = url("/par");
    server.device_authorization_endpoint = url("/device");
    server.id_token_signing_alg_values_supported = Some(vec!["ES256".into()]);
    server.authorization_signing_alg_values_supported = Some(vec!["ES256".into()]);
    server
}

pub fn builder(server: &Arc<Scripted>) -> ConfigurationBuilder {
    Configuration::builder(
        ClientMetadata::new(CLIENT),
        ClientAuth::client_secret_post("s"),
    )
    .shared_http_client(server.clone())
}

pub fn config(server: &Arc<Scripted>) -> Configuration {
    builder(server).build(metadata()).unwrap()
}

/// The server's signing key (`op`) and an attacker's key claiming the same `kid`.
pub struct Keys {
    pub op: SigningKey,
    pub forger: SigningKey,
}

pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let key = || {
            SigningKey::new(
                Jwk::generate(JwsAlgorithm::ES256).unwrap().with_kid("op"),
                JwsAlgorithm::ES256,
            )
            .unwrap()
        };
        Keys {
            op: key(),
            forger: key(),
        }
    })
}

pub fn jwks() -> Value {
    serde_json::from_str(
        &JwkSet::new(vec![keys().op.public_jwk().unwrap()])
            .unwrap()
            .to_json(),
    )
    .unwrap()
}

pub fn sign(key: &SigningKey, claims: Value) -> String {
    jws::compact::CompactSign::new(claims.to_string().as_bytes())
        .sign(key)
        .unwrap()
}

pub fn with(mut base: Value, changes: impl FnOnce(&mut Map<String, Value>)) -> Value {
    changes(base.as_object_mut().unwrap());
    base
}

/// An OAuth error answer.
pub fn oauth_error(error: &str) -> Answer {
    json_answer(400, json!({ "error": error }))
}

/// A token response with an access token alone.
pub fn tokens() -> Answer {
    json_answer(200, json!({"access_token": "at", "token_type": "Bearer"}))
}
