//! Shared test support: a scripted transport (oauth-client's `HttpClient` seam) that plays the
//! OpenID Provider, its signing key, and a loopback HTTP server around the notification
//! handler (the same wiring as `examples/notification_endpoint.rs`).
#![allow(dead_code)]

use ciba::{CIBA_GRANT_TYPE, Notification, NotificationHandler, NotificationResponse, token_hash};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use jwt_claims::{JwtBuilder, NumericDate};
use oauth_client::http::{BoxFuture, Headers, HttpClient, HttpError, HttpRequest, HttpResponse};
use oauth_client::{ClientAuth, ClientMetadata, Configuration, ServerMetadata};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::mpsc;
use url::Url;

pub const ISSUER: &str = "https://op.test";
pub const CLIENT: &str = "rp";

/// One scripted answer: status, extra headers, JSON body.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Value,
}

impl Answer {
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body,
        }
    }

    pub fn error(error: &str) -> Self {
        Self::json(400, json!({ "error": error }))
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// A request the script received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub at: tokio::time::Instant,
    pub form: Vec<(String, String)>,
    pub headers: Headers,
}

impl Seen {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A scripted OpenID Provider: answers per path in order (the last one repeats), and a log of
/// what it received.
#[derive(Debug, Default)]
pub struct Script {
    answers: Mutex<HashMap<String, VecDeque<Answer>>>,
    seen: Mutex<Vec<Seen>>,
    /// A delay before answering token requests (a long poll), in virtual time.
    pub delay: Mutex<Option<Duration>>,
}

impl Script {
    pub fn new() -> Arc<Self> {
        let script = Arc::new(Self::default());
        script.push("/jwks", Answer::json(200, op_jwks()));
        script
    }

    pub fn push(&self, path: &str, answer: Answer) {
        self.answers
            .lock()
            .unwrap()
            .entry(path.to_owned())
            .or_default()
            .push_back(answer);
    }

    pub fn seen(&self, path: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }
}

impl HttpClient for Script {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        let path = request.url.path().to_owned();
        let form = request
            .body
            .as_deref()
            .map(|b| {
                url::form_urlencoded::parse(b)
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        self.seen.lock().unwrap().push(Seen {
            path: path.clone(),
            at: tokio::time::Instant::now(),
            form,
            headers: request.headers.clone(),
        });
        let answer = {
            let mut answers = self.answers.lock().unwrap();
            let queue = answers.entry(path).or_default();
            if queue.len() > 1 {
                queue.pop_front()
            } else {
                queue.front().cloned()
            }
        };
        let delay = if request.url.path() == "/token" {
            *self.delay.lock().unwrap()
        } else {
            None
        };
        Box::pin(async move {
            if let Some(delay) = delay {
                if delay > request.timeout {
                    tokio::time::sleep(request.timeout).await;
                    return Err(HttpError::Timeout);
                }
                tokio::time::sleep(delay).await;
            }
            let Some(answer) = answer else {
                return Ok(HttpResponse::new(404, Headers::new(), Vec::new()));
            };
            let mut headers = Headers::from([("content-type", "application/json")]);
            for (name, value) in answer.headers {
                headers.set(name, value);
            }
            Ok(HttpResponse::new(
                answer.status,
                headers,
                answer.body.to_string().into_bytes(),
            ))
        })
    }
}

/// A fresh key for `alg` with this key id.
pub fn generated_key(alg: JwsAlgorithm, kid: &str) -> SigningKey {
    SigningKey::new(Jwk::generate(alg).unwrap().with_kid(kid), alg).unwrap()
}

/// The scripted provider's signing key (ES256, `kid` `op-1`).
pub fn op_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| generated_key(JwsAlgorithm::ES256, "op-1"))
}

/// Another key, unknown to the provider's JWK Set.
pub fn rogue_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| generated_key(JwsAlgorithm::ES256, "op-1"))
}

pub fn op_jwks() -> Value {
    serde_json::from_str(
        &JwkSet::new(vec![op_key().public_jwk().unwrap()])
            .unwrap()
            .to_json(),
    )
    .unwrap()
}

pub fn server_metadata(modes: &[&str]) -> ServerMetadata {
    serde_json::from_value(json!({
        "issuer": ISSUER,
        "token_endpoint": format!("{ISSUER}/token"),
        "jwks_uri": format!("{ISSUER}/jwks"),
        "backchannel_authentication_endpoint": format!("{ISSUER}/bc"),
        "backchannel_token_delivery_modes_supported": modes,
        "backchannel_authentication_request_signing_alg_values_supported": ["ES256", "PS256", "RS256"],
        "backchannel_user_code_parameter_supported": true,
        "grant_types_supported": [CIBA_GRANT_TYPE],
        "id_token_signing_alg_values_supported": ["ES256"],
    }))
    .unwrap()
}

pub fn client_metadata(mode: &str) -> ClientMetadata {
    let mut client = ClientMetadata::new(CLIENT);
    client.backchannel_token_delivery_mode = Some(mode.into());
    if mode != "poll" {
        client.backchannel_client_notification_endpoint = Some("https://rp.test/ciba".into());
    }
    client
}

pub fn config(script: &Arc<Script>, mode: &str) -> Configuration {
    Configuration::builder(client_metadata(mode), ClientAuth::client_secret_post("s"))
        .shared_http_client(script.clone())
        .build(server_metadata(&["poll", "ping", "push"]))
        .unwrap()
}

pub fn now() -> i64 {
    NumericDate::now().seconds()
}

/// An ID Token from the scripted provider for `access_token` (and `refresh_token`), with
/// `extra` claims merged in (a `null` removes a claim).
pub fn id_token(key: &SigningKey, extra: Value) -> String {
    let mut claims = Map::new();
    claims.insert("sub".into(), "alice".into());
    if let Value::Object(map) = extra {
        for (k, v) in map {
            claims.insert(k, v);
        }
    }
    let issuer = claims
        .remove("iss")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| ISSUER.to_owned());
    let audience = claims
        .remove("aud")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| CLIENT.to_owned());
    let now = NumericDate::now();
    let expires = claims.remove("exp").and_then(|v| v.as_i64()).map_or(
        now.plus(Duration::from_secs(300)),
        NumericDate::from_seconds,
    );
    let subject = claims
        .remove("sub")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut builder = JwtBuilder::new()
        .subject(subject)
        .issuer(issuer)
        .audience(audience)
        .issued_at(now)
        .expires_at(expires)
        .no_jti();
    for (k, v) in claims {
        if !v.is_null() {
            builder = builder.claim(k, v).unwrap();
        }
    }
    builder.sign(key).unwrap()
}

/// A successful token response with a valid ID Token.
pub fn token_response(access_token: &str) -> Value {
    json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 600,
        "id_token": id_token(op_key(), json!({ "at_hash": token_hash(JwsAlgorithm::ES256, access_token) })),
    })
}

/// The notification endpoint on 127.0.0.1, with every valid notification forwarded.
pub struct NotificationServer {
    pub url: String,
    pub received: mpsc::UnboundedReceiver<Notification>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for NotificationServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn notification_server(handler: NotificationHandler) -> NotificationServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/ciba/notify", listener.local_addr().unwrap());
    let (tx, received) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let handler = handler.clone();
                    let tx = tx.clone();
                    async move { Ok::<_, Infallible>(answer(&handler, request, &tx).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    NotificationServer {
        url,
        received,
        task,
    }
}

async fn answer(
    handler: &NotificationHandler,
    request: Request<Incoming>,
    tx: &mpsc::UnboundedSender<Notification>,
) -> Response<Full<Bytes>> {
    let reply = |status: u16| {
        Response::builder()
            .status(status)
            .body(Full::new(Bytes::new()))
            .unwrap()
    };
    if request.method() != hyper::Method::POST {
        return reply(405);
    }
    let json = request
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/json")
        });
    if !json {
        return reply(415);
    }
    let authorization = request
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Ok(body) = Limited::new(request.into_body(), ciba::MAX_NOTIFICATION_BYTES)
        .collect()
        .await
    else {
        return reply(413);
    };
    let result = handler
        .handle_http(authorization.as_deref(), &body.to_bytes())
        .await;
    let outcome = NotificationResponse::for_result(&result);
    let mut response = reply(outcome.status);
    if let Some(challenge) = outcome.www_authenticate {
        response.headers_mut().insert(
            hyper::header::WWW_AUTHENTICATE,
            hyper::header::HeaderValue::from_static(challenge),
        );
    }
    if let Ok(notification) = result {
        let _ = tx.send(notification);
    }
    response
}

/// Posts a notification over loopback as an OpenID Provider would.
pub async fn post_notification(
    url: &str,
    bearer: Option<&str>,
    body: &Value,
) -> (u16, Option<String>) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut request = http
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(bearer) = bearer {
        request = request.header("authorization", format!("Bearer {bearer}"));
    }
    let response = request.send().await.unwrap();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    (response.status().as_u16(), challenge)
}

pub fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}
