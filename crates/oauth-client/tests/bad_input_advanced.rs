//! What a real provider does not send, for the advanced flows, through a scripted transport:
//! device-flow intervals (0, absurd, `slow_down`, the deadline; timed on tokio's paused
//! clock), JARM responses with a wrong issuer, audience, expiry or signer, hybrid responses
//! with a wrong `s_hash` or a swapped subject, PAR/JAR requirements from the server's
//! metadata, certificate-bound tokens without a binding, and the JWK Set cache import. Each is
//! a specific error, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use oauth_client::http::{BoxFuture, Headers, HttpClient, HttpError, HttpRequest, HttpResponse};
use oauth_client::{
    AuthorizationCodeGrantChecks, Callback, ClientAuth, ClientMetadata, Configuration,
    ConfigurationBuilder, DevicePollOptions, Error, ExportedJwksCache, IdTokenCheck, Params,
    ServerMetadata,
};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};
use url::Url;

const ISSUER: &str = "https://op.test";
const CLIENT: &str = "rp";

/// A response: status and JSON (or other) body with its content type.
#[derive(Clone, Debug)]
struct Answer {
    status: u16,
    content_type: &'static str,
    body: String,
}

fn json_answer(status: u16, body: Value) -> Answer {
    Answer {
        status,
        content_type: "application/json",
        body: body.to_string(),
    }
}

/// A scripted server: a queue of answers per path (the last one repeats), and the paused
/// clock's time of each request.
#[derive(Debug, Default)]
struct Scripted {
    routes: Mutex<HashMap<String, VecDeque<Answer>>>,
    log: Mutex<Vec<(String, tokio::time::Instant, String)>>,
}

impl Scripted {
    fn script(&self, path: &str, answers: impl IntoIterator<Item = Answer>) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_owned(), answers.into_iter().collect());
    }

    /// When each request to `path` was made, and its body.
    fn requests(&self, path: &str) -> Vec<(tokio::time::Instant, String)> {
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

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn metadata() -> ServerMetadata {
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

fn builder(server: &Arc<Scripted>) -> ConfigurationBuilder {
    Configuration::builder(
        ClientMetadata::new(CLIENT),
        ClientAuth::client_secret_post("s"),
    )
    .shared_http_client(server.clone())
}

fn config(server: &Arc<Scripted>) -> Configuration {
    builder(server).build(metadata()).unwrap()
}

/// The server's signing key (`op`) and an attacker's key claiming the same `kid`.
struct Keys {
    op: SigningKey,
    forger: SigningKey,
}

fn keys() -> &'static Keys {
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

fn jwks() -> Value {
    serde_json::from_str(
        &JwkSet::new(vec![keys().op.public_jwk().unwrap()])
            .unwrap()
            .to_json(),
    )
    .unwrap()
}

fn sign(key: &SigningKey, claims: Value) -> String {
    jws::compact::CompactSign::new(claims.to_string().as_bytes())
        .sign(key)
        .unwrap()
}

fn with(mut base: Value, changes: impl FnOnce(&mut Map<String, Value>)) -> Value {
    changes(base.as_object_mut().unwrap());
    base
}

// --- Device flow ---------------------------------------------------------------------------

fn device_response(interval: Option<u64>, expires_in: u64) -> Answer {
    let mut body = json!({
        "device_code": "dc", "user_code": "BCDF-GHJK",
        "verification_uri": "https://op.test/device", "expires_in": expires_in,
    });
    if let Some(i) = interval {
        body["interval"] = json!(i);
    }
    json_answer(200, body)
}

fn oauth_error(error: &str) -> Answer {
    json_answer(400, json!({ "error": error }))
}

fn tokens() -> Answer {
    json_answer(200, json!({"access_token": "at", "token_type": "Bearer"}))
}

/// Seconds between the initiation and each token request.
fn poll_times(server: &Scripted) -> Vec<u64> {
    let start = server.requests("/device")[0].0;
    server
        .requests("/token")
        .iter()
        .map(|(t, _)| (*t - start).as_secs())
        .collect()
}

#[tokio::test]
async fn a_device_interval_of_zero_or_absurd_is_a_typed_error() {
    for interval in [0, 86_400, 600] {
        let server = Arc::new(Scripted::default());
        server.script("/device", [device_response(Some(interval), 600)]);
        let err = config(&server)
            .initiate_device_authorization(Params::new())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidField {
                    field: "interval",
                    ..
                }
            ),
            "{interval}: {err}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn slow_down_adds_five_seconds_and_pending_keeps_the_interval() {
    let server = Arc::new(Scripted::default());
    server.script("/device", [device_response(Some(2), 600)]);
    server.script(
        "/token",
        [
            oauth_error("authorization_pending"),
            oauth_error("slow_down"),
            oauth_error("authorization_pending"),
            tokens(),
        ],
    );
    let config = config(&server);
    let device = config
        .initiate_device_authorization(Params::from([("scope", "openid")]))
        .await
        .unwrap();
    let tokens = config
        .poll_device_authorization_grant(&device, Params::new(), DevicePollOptions::new())
        .await
        .unwrap();
    assert_eq!(tokens.access_token(), "at");
    assert_eq!(poll_times(&server), [2, 4, 11, 18]);
    let body = &server.requests("/token")[0].1;
    assert!(body.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"));
    assert!(body.contains("device_code=dc"));
}

#[tokio::test(start_paused = true)]
async fn without_an_interval_the_client_waits_five_seconds() {
    let server = Arc::new(Scripted::default());
    server.script("/device", [device_response(None, 600)]);
    server.script("/token", [oauth_error("authorization_pending"), tokens()]);
    let config = config(&server);
    let device = config
        .initiate_device_authorization(Params::new())
        .await
        .unwrap();
    config
        .poll_device_authorization_grant(&device, Params::new(), DevicePollOptions::new())
        .await
        .unwrap();
    assert_eq!(poll_times(&server), [5, 10]);
}

#[tokio::test(start_paused = true)]
async fn expired_token_and_access_denied_end_polling_with_the_servers_error() {
    for error in ["expired_token", "access_denied"] {
        let server = Arc::new(Scripted::default());
        server.script("/device", [device_response(Some(1), 600)]);
        server.script(
            "/token",
            [oauth_error("authorization_pending"), oauth_error(error)],
        );
        let config = config(&server);
        let device = config
            .initiate_device_authorization(Params::new())
            .await
            .unwrap();
        let err = config
            .poll_device_authorization_grant(&device, Params::new(), DevicePollOptions::new())
            .await
            .unwrap_err();
        assert_eq!(err.oauth_error(), Some(error), "{err}");
        assert_eq!(server.requests("/token").len(), 2);
    }
}

#[tokio::test(start_paused = true)]
async fn polling_stops_when_the_device_code_expires() {
    let server = Arc::new(Scripted::default());
    server.script("/device", [device_response(Some(3), 10)]);
    server.script("/token", [oauth_error("authorization_pending")]);
    let config = config(&server);
    let device = config
        .initiate_device_authorization(Params::new())
        .await
        .unwrap();
    let err = config
        .poll_device_authorization_grant(&device, Params::new(), DevicePollOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Deadline { .. }), "{err}");
    // Polls at 3, 6 and 9 s; a fourth at 12 s would be after the code expired.
    assert_eq!(poll_times(&server), [3, 6, 9]);
}

// --- JARM ----------------------------------------------------------------------------------

fn jarm_claims() -> Value {
    json!({
        "iss": ISSUER, "aud": CLIENT, "exp": now() + 60,
        "code": "c", "state": "s",
    })
}

async fn jarm(response: &str) -> Result<oauth_client::TokenResponse, Error> {
    let server = Arc::new(Scripted::default());
    server.script("/jwks", [json_answer(200, jwks())]);
    server.script("/token", [tokens()]);
    let config = builder(&server)
        .use_jwt_response_mode()
        .build(metadata())
        .unwrap();
    let mut url = Url::parse("https://rp.test/cb").unwrap();
    url.query_pairs_mut().append_pair("response", response);
    config
        .authorization_code_grant(
            &url,
            &AuthorizationCodeGrantChecks::new().expected_state("s"),
            Params::new(),
        )
        .await
}

fn claim_error(result: Result<oauth_client::TokenResponse, Error>) -> &'static str {
    match result {
        Err(Error::JwtClaim { claim, .. }) => claim,
        other => panic!("expected a JWT claim error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_valid_jarm_response_is_accepted() {
    jarm(&sign(&keys().op, jarm_claims())).await.unwrap();
}

#[tokio::test]
async fn jarm_responses_with_a_wrong_issuer_audience_or_expiry_are_refused() {
    type Change = Box<dyn FnOnce(&mut Map<String, Value>)>;
    let cases: [(&str, Change); 7] = [
        (
            "iss",
            Box::new(|c| {
                c.insert("iss".into(), json!("https://evil.test"));
            }),
        ),
        (
            "iss",
            Box::new(|c| {
                c.remove("iss");
            }),
        ),
        (
            "aud",
            Box::new(|c| {
                c.insert("aud".into(), json!("another-client"));
            }),
        ),
        (
            "aud",
            Box::new(|c| {
                c.remove("aud");
            }),
        ),
        (
            "exp",
            Box::new(|c| {
                c.insert("exp".into(), json!(now() - 3600));
            }),
        ),
        (
            "exp",
            Box::new(|c| {
                c.remove("exp");
            }),
        ),
        (
            "response parameters",
            Box::new(|c| {
                c.insert("code".into(), json!(7));
            }),
        ),
    ];
    for (claim, change) in cases {
        let response = sign(&keys().op, with(jarm_claims(), change));
        assert_eq!(claim_error(jarm(&response).await), claim);
    }
}

#[tokio::test]
async fn a_jarm_response_signed_by_another_key_is_refused() {
    let forged = sign(&keys().forger, jarm_claims());
    let err = jarm(&forged).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Jwt {
                what: "JARM response",
                ..
            }
        ),
        "{err}"
    );
    // Unsigned and stripped.
    let payload = jose_core::b64::encode(jarm_claims().to_string());
    let none = format!("{}.{payload}.", jose_core::b64::encode(r#"{"alg":"none"}"#));
    assert!(matches!(
        jarm(&none).await.unwrap_err(),
        Error::UnsignedJwt { .. }
    ));
    // A response with the code outside the JWT is not a JARM response.
    let err = jarm("not-a-jwt").await.unwrap_err();
    assert!(matches!(err, Error::Jwt { .. }), "{err}");
    let server = Arc::new(Scripted::default());
    let config = builder(&server)
        .use_jwt_response_mode()
        .build(metadata())
        .unwrap();
    let err = config
        .authorization_code_grant(
            &Url::parse("https://rp.test/cb?code=c&state=s").unwrap(),
            &AuthorizationCodeGrantChecks::new().expected_state("s"),
            Params::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCallback(_)), "{err}");
}

// --- Hybrid --------------------------------------------------------------------------------

fn front_id_token(
    code: &str,
    state: &str,
    changes: impl FnOnce(&mut Map<String, Value>),
) -> String {
    let hash = |v: &str| {
        let digest = jose_core::alg::HashAlgorithm::Sha256.digest(v.as_bytes());
        jose_core::b64::encode(&digest[..16])
    };
    let claims = with(
        json!({
            "iss": ISSUER, "sub": "alice", "aud": CLIENT, "exp": now() + 300, "iat": now(),
            "nonce": "n", "c_hash": hash(code), "s_hash": hash(state),
        }),
        changes,
    );
    sign(&keys().op, claims)
}

async fn hybrid(
    front: &str,
    token_endpoint_sub: &str,
    detached: bool,
) -> Result<oauth_client::TokenResponse, Error> {
    let server = Arc::new(Scripted::default());
    server.script("/jwks", [json_answer(200, jwks())]);
    let back = front_id_token("c", "s", |c| {
        c.insert("sub".into(), json!(token_endpoint_sub));
        c.remove("c_hash");
        c.remove("s_hash");
    });
    server.script(
        "/token",
        [json_answer(
            200,
            json!({"access_token": "at", "token_type": "Bearer", "id_token": back}),
        )],
    );
    let mut builder = builder(&server).use_code_id_token_response_type();
    if detached {
        builder = builder.enable_detached_signature_response_checks();
    }
    let config = builder.build(metadata()).unwrap();
    let url = Url::parse(&format!(
        "https://rp.test/cb#code=c&state=s&id_token={front}"
    ))
    .unwrap();
    let callback = Callback::from_url(&url).unwrap();
    config
        .authorization_code_grant_with_callback(
            &callback,
            &AuthorizationCodeGrantChecks::new()
                .expected_state("s")
                .expected_nonce("n"),
            Params::new(),
        )
        .await
}

fn id_token_check(result: Result<oauth_client::TokenResponse, Error>) -> IdTokenCheck {
    match result {
        Err(Error::IdToken { check, .. }) => check,
        other => panic!("expected an ID Token error, got {other:?}"),
    }
}

#[tokio::test]
async fn hybrid_responses_check_c_hash_s_hash_and_the_subject_of_both_id_tokens() {
    hybrid(&front_id_token("c", "s", |_| {}), "alice", true)
        .await
        .unwrap();
    let no_c_hash = front_id_token("c", "s", |c| {
        c.remove("c_hash");
    });
    assert_eq!(
        id_token_check(hybrid(&no_c_hash, "alice", false).await),
        IdTokenCheck::CodeHash
    );
    let other_state = front_id_token("c", "another-state", |_| {});
    assert_eq!(
        id_token_check(hybrid(&other_state, "alice", false).await),
        IdTokenCheck::StateHash
    );
    let no_s_hash = front_id_token("c", "s", |c| {
        c.remove("s_hash");
    });
    hybrid(&no_s_hash, "alice", false).await.unwrap();
    assert_eq!(
        id_token_check(hybrid(&no_s_hash, "alice", true).await),
        IdTokenCheck::StateHash
    );
    let other_audience = front_id_token("c", "s", |c| {
        c.insert("aud".into(), json!("another-client"));
    });
    assert_eq!(
        id_token_check(hybrid(&other_audience, "alice", false).await),
        IdTokenCheck::Audience
    );
    assert_eq!(
        id_token_check(hybrid(&front_id_token("c", "s", |_| {}), "mallory", false).await),
        IdTokenCheck::Subject
    );
    let forged = sign(
        &keys().forger,
        jws::unverified::decode_payload(&front_id_token("c", "s", |_| {}))
            .map(|p| serde_json::from_slice::<Value>(&p).unwrap())
            .unwrap(),
    );
    assert!(matches!(
        hybrid(&forged, "alice", false).await.unwrap_err(),
        Error::Jwt { .. }
    ));
}

#[tokio::test]
async fn a_hybrid_response_in_the_query_is_refused() {
    let server = Arc::new(Scripted::default());
    let config = builder(&server)
        .use_code_id_token_response_type()
        .build(metadata())
        .unwrap();
    let token = front_id_token("c", "s", |_| {});
    let url = Url::parse(&format!(
        "https://rp.test/cb?code=c&state=s&id_token={token}"
    ))
    .unwrap();
    let err = config
        .authorization_code_grant(
            &url,
            &AuthorizationCodeGrantChecks::new()
                .expected_state("s")
                .expected_nonce("n"),
            Params::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCallback(_)), "{err}");
    assert!(server.requests("/token").is_empty());
}

// --- PAR and JAR requirements from the server's metadata --------------------------------------

#[tokio::test]
async fn server_metadata_requiring_par_or_jar_refuses_plain_authorization_urls() {
    let server = Arc::new(Scripted::default());
    let mut par = metadata();
    par.require_pushed_authorization_requests = Some(true);
    let config = builder(&server).build(par).unwrap();
    assert!(matches!(
        config.build_authorization_url(Params::new()),
        Err(Error::PushedAuthorizationRequired)
    ));
    let key = SigningKey::generate(JwsAlgorithm::ES256).unwrap();
    assert!(matches!(
        config
            .build_authorization_url_with_jar(Params::new(), &key)
            .await,
        Err(Error::PushedAuthorizationRequired)
    ));
    let mut jar = metadata();
    jar.require_signed_request_object = Some(true);
    let config = builder(&server).build(jar).unwrap();
    assert!(matches!(
        config.build_authorization_url(Params::new()),
        Err(Error::RequestObjectRequired)
    ));
    config
        .build_authorization_url_with_jar(Params::new(), &key)
        .await
        .unwrap();
}

#[tokio::test]
async fn par_answers_other_than_201_with_a_request_uri_are_refused() {
    for (answer, expected) in [
        (
            json_answer(200, json!({"request_uri": "urn:x", "expires_in": 60})),
            "status",
        ),
        (json_answer(201, json!({"expires_in": 60})), "request_uri"),
        (
            json_answer(201, json!({"request_uri": "urn:x", "expires_in": 0})),
            "expires_in",
        ),
        (oauth_error("invalid_request"), "invalid_request"),
    ] {
        let server = Arc::new(Scripted::default());
        server.script("/par", [answer]);
        let err = config(&server)
            .build_authorization_url_with_par(Params::from([("scope", "openid")]))
            .await
            .unwrap_err();
        let ok = match &err {
            Error::UnexpectedStatus { status: 200, .. } => expected == "status",
            Error::MissingField { field, .. } | Error::InvalidField { field, .. } => {
                *field == expected
            }
            Error::OAuth(_) => err.oauth_error() == Some(expected),
            _ => false,
        };
        assert!(ok, "{expected}: {err}");
    }
}

#[tokio::test]
async fn pushed_requests_carry_the_defaults_and_the_client_id() {
    let server = Arc::new(Scripted::default());
    server.script(
        "/par",
        [json_answer(
            201,
            json!({"request_uri": "urn:r", "expires_in": 60}),
        )],
    );
    let config = builder(&server)
        .use_jwt_response_mode()
        .build(metadata())
        .unwrap();
    let url = config
        .build_authorization_url_with_par(Params::from([("scope", "openid")]).resource("urn:a"))
        .await
        .unwrap();
    assert_eq!(
        url.as_str(),
        "https://op.test/auth?client_id=rp&request_uri=urn%3Ar"
    );
    let body = &server.requests("/par")[0].1;
    for part in [
        "client_id=rp",
        "response_type=code",
        "response_mode=jwt",
        "scope=openid",
        "resource=urn%3Aa",
        "client_secret=s",
    ] {
        assert!(body.contains(part), "{part} in {body}");
    }
}

// --- Certificate-bound tokens ------------------------------------------------------------------

#[tokio::test]
async fn a_jwt_access_token_without_the_certificate_binding_is_refused() {
    let server = Arc::new(Scripted::default());
    let unbound = sign(&keys().op, json!({"sub": "svc", "aud": "urn:api"}));
    server.script(
        "/token",
        [json_answer(
            200,
            json!({"access_token": unbound, "token_type": "Bearer"}),
        )],
    );
    let config = builder(&server)
        .certificate_bound_access_tokens(b"client certificate DER")
        .build(metadata())
        .unwrap();
    let err = config
        .client_credentials_grant(Params::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CertificateBinding(_)), "{err}");
}

// --- JWK Set cache import -----------------------------------------------------------------------

#[tokio::test]
async fn an_imported_jwks_cache_is_used_without_a_fetch_until_it_is_stale() {
    let token = sign(
        &keys().op,
        json!({"iss": ISSUER, "sub": "alice", "aud": CLIENT, "exp": now() + 300, "iat": now()}),
    );
    let validation = oauth_client::IdTokenValidation::new();
    let cache = |uat| ExportedJwksCache::new(jwks().as_object().unwrap().clone(), uat);

    let server = Arc::new(Scripted::default());
    server.script("/jwks", [json_answer(200, jwks())]);
    let fresh = config(&server);
    fresh.set_jwks_cache(&cache(now() - 60)).unwrap();
    fresh.validate_id_token(&token, &validation).await.unwrap();
    assert!(server.requests("/jwks").is_empty(), "used without a fetch");

    let stale = config(&server);
    stale.set_jwks_cache(&cache(now() - 3600)).unwrap();
    stale.validate_id_token(&token, &validation).await.unwrap();
    assert_eq!(
        server.requests("/jwks").len(),
        1,
        "an old cache is refetched"
    );
    assert!(stale.jwks_cache().unwrap().uat >= now() - 5);

    let config = config(&server);
    assert!(matches!(
        config.set_jwks_cache(&cache(now() + 3600)),
        Err(Error::Jwks(_))
    ));
    let garbage = ExportedJwksCache::new(
        json!({"keys": "not a list"}).as_object().unwrap().clone(),
        now(),
    );
    assert!(matches!(
        config.set_jwks_cache(&garbage),
        Err(Error::Jwks(_))
    ));
    // An imported set without the token's key does not verify it (the unknown kid makes the
    // client refetch, and this server has no JWK Set to offer).
    let other = JwkSet::new(vec![keys().forger.public_jwk().unwrap().with_kid("other")])
        .unwrap()
        .to_json();
    let other: Value = serde_json::from_str(&other).unwrap();
    let config = self::config(&Arc::new(Scripted::default()));
    config
        .set_jwks_cache(&ExportedJwksCache::new(
            other.as_object().unwrap().clone(),
            now(),
        ))
        .unwrap();
    assert!(config.validate_id_token(&token, &validation).await.is_err());
}
