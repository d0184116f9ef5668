//! Responses a real provider does not produce, served by a scripted transport (the crate's
//! own `HttpClient` seam): each must be a specific error, never a panic. Also the JWK Set
//! cache: refetch for an unknown `kid`, rate-limited.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use oauth_client::http::{BoxFuture, Headers, HttpClient, HttpError, HttpRequest, HttpResponse};
use oauth_client::{
    AuthorizationCodeGrantChecks, ClientAuth, ClientMetadata, Configuration, Error, IdTokenCheck,
    Params, ServerMetadata,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use url::Url;

const ISSUER: &str = "https://op.test";
const CLIENT: &str = "rp";

/// Status, content type and body of a scripted response.
type Route = (u16, &'static str, Vec<u8>);

/// A scripted server: one response per path, and a count of requests per path.
#[derive(Debug, Default)]
struct Scripted {
    routes: Mutex<HashMap<String, Route>>,
    hits: Mutex<HashMap<String, usize>>,
}

impl Scripted {
    fn route(&self, path: &str, status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_owned(), (status, content_type, body.into()));
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

impl HttpClient for Scripted {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        let path = request.url.path().to_owned();
        *self.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
        let route = self.routes.lock().unwrap().get(&path).cloned();
        Box::pin(async move {
            let Some((status, content_type, body)) = route else {
                return Ok(HttpResponse::new(404, Headers::new(), Vec::new()));
            };
            if body.len() > request.max_response_bytes {
                return Err(HttpError::ResponseTooLarge {
                    limit: request.max_response_bytes,
                });
            }
            Ok(HttpResponse::new(
                status,
                Headers::from([("content-type", content_type)]),
                body,
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
    let mut server = ServerMetadata::new(ISSUER);
    server.token_endpoint = Some(Url::parse("https://op.test/token").unwrap());
    server.jwks_uri = Some(Url::parse("https://op.test/jwks").unwrap());
    server.authorization_endpoint = Some(Url::parse("https://op.test/auth").unwrap());
    server.id_token_signing_alg_values_supported = Some(vec!["ES256".into(), "RS256".into()]);
    server
}

fn config(server: &Arc<Scripted>, metadata: ServerMetadata) -> Configuration {
    Configuration::builder(
        ClientMetadata::new(CLIENT),
        ClientAuth::client_secret_post("s"),
    )
    .shared_http_client(server.clone())
    .build(metadata)
    .unwrap()
}

struct Keys {
    a: SigningKey,
    b: SigningKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let key = |kid: &str| {
            SigningKey::new(
                Jwk::generate(JwsAlgorithm::ES256).unwrap().with_kid(kid),
                JwsAlgorithm::ES256,
            )
            .unwrap()
        };
        Keys {
            a: key("a"),
            b: key("b"),
        }
    })
}

fn jwks(keys: &[&SigningKey]) -> String {
    JwkSet::new(keys.iter().map(|k| k.public_jwk().unwrap()).collect())
        .unwrap()
        .to_json()
}

fn id_token(key: &SigningKey, mutate: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let Value::Object(mut claims) = json!({
        "iss": ISSUER, "sub": "alice", "aud": CLIENT,
        "exp": now() + 300, "iat": now(), "nonce": "n",
    }) else {
        unreachable!()
    };
    mutate(&mut claims);
    jws::compact::CompactSign::new(Value::Object(claims).to_string().as_bytes())
        .sign(key)
        .unwrap()
}

fn token_response(id_token: &str) -> String {
    json!({"access_token": "at", "token_type": "Bearer", "id_token": id_token}).to_string()
}

async fn code_grant(config: &Configuration) -> Result<oauth_client::TokenResponse, Error> {
    let callback = Url::parse(&format!("https://rp.test/cb?code=c&state=s&iss={ISSUER}")).unwrap();
    let checks = AuthorizationCodeGrantChecks::new()
        .expected_state("s")
        .expected_nonce("n");
    config
        .authorization_code_grant(&callback, &checks, Params::new())
        .await
}

/// A code grant whose token endpoint returns `id_token`, with the JWK Set of key `a`.
async fn grant_with(id_token: &str) -> Result<oauth_client::TokenResponse, Error> {
    let server = Arc::new(Scripted::default());
    server.route("/jwks", 200, "application/json", jwks(&[&keys().a]));
    server.route("/token", 200, "application/json", token_response(id_token));
    code_grant(&config(&server, metadata())).await
}

fn id_token_check(result: Result<oauth_client::TokenResponse, Error>) -> IdTokenCheck {
    match result {
        Err(Error::IdToken { check, .. }) => check,
        other => panic!("expected an ID Token error, got {other:?}"),
    }
}

// --- Discovery --------------------------------------------------------------------------------

async fn discover(server: &Arc<Scripted>) -> Result<Configuration, Error> {
    Configuration::builder(ClientMetadata::new(CLIENT), ClientAuth::none())
        .shared_http_client(server.clone())
        .max_response_bytes(4096)
        .discover(&Url::parse(ISSUER).unwrap())
        .await
}

const WELL_KNOWN: &str = "/.well-known/openid-configuration";

#[tokio::test]
async fn a_discovery_document_naming_another_issuer_is_refused() {
    let server = Arc::new(Scripted::default());
    server.route(
        WELL_KNOWN,
        200,
        "application/json",
        r#"{"issuer":"https://evil.test"}"#,
    );
    let err = discover(&server).await.unwrap_err();
    assert!(matches!(err, Error::IssuerMismatch { .. }), "{err}");
}

#[tokio::test]
async fn non_json_wrong_type_duplicate_members_and_oversized_documents_are_refused() {
    let server = Arc::new(Scripted::default());
    server.route(WELL_KNOWN, 200, "text/html", "<html>");
    assert!(matches!(
        discover(&server).await.unwrap_err(),
        Error::UnexpectedContentType { .. }
    ));
    server.route(WELL_KNOWN, 200, "application/json", "<html>");
    assert!(matches!(
        discover(&server).await.unwrap_err(),
        Error::InvalidJson { .. }
    ));
    server.route(
        WELL_KNOWN,
        200,
        "application/json",
        r#"{"issuer":"https://op.test","issuer":"https://evil.test"}"#,
    );
    assert!(matches!(
        discover(&server).await.unwrap_err(),
        Error::InvalidJson { .. }
    ));
    server.route(
        WELL_KNOWN,
        200,
        "application/json",
        r#"{"issuer":"https://op.test","token_endpoint":7}"#,
    );
    assert!(matches!(
        discover(&server).await.unwrap_err(),
        Error::InvalidJson { .. }
    ));
    server.route(
        WELL_KNOWN,
        200,
        "application/json",
        r#"{"token_endpoint":"https://op.test/t"}"#,
    );
    assert!(matches!(
        discover(&server).await.unwrap_err(),
        Error::MissingField {
            field: "issuer",
            ..
        }
    ));
    let big = format!(
        r#"{{"issuer":"https://op.test","x":"{}"}}"#,
        "a".repeat(8192)
    );
    server.route(WELL_KNOWN, 200, "application/json", big);
    assert!(matches!(
        discover(&server).await.unwrap_err(),
        Error::ResponseTooLarge { limit: 4096, .. }
    ));
    server.route(WELL_KNOWN, 500, "application/json", "{}");
    assert!(matches!(
        discover(&server).await.unwrap_err(),
        Error::UnexpectedStatus { status: 500, .. }
    ));
}

#[tokio::test]
async fn an_http_endpoint_is_refused_without_the_opt_in() {
    let server = Arc::new(Scripted::default());
    let mut server_metadata = metadata();
    server_metadata.token_endpoint = Some(Url::parse("http://op.test/token").unwrap());
    let err = config(&server, server_metadata)
        .client_credentials_grant(Params::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InsecureUrl { .. }), "{err}");
    assert_eq!(server.hits("/token"), 0, "nothing was sent");
}

#[tokio::test]
async fn front_channel_urls_to_http_endpoints_are_refused_without_the_opt_in() {
    let server = Arc::new(Scripted::default());
    server.route(
        "/par",
        201,
        "application/json",
        r#"{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}"#,
    );
    let mut insecure = metadata();
    insecure.authorization_endpoint = Some(Url::parse("http://op.test/auth").unwrap());
    insecure.end_session_endpoint = Some(Url::parse("http://op.test/logout").unwrap());
    insecure.pushed_authorization_request_endpoint =
        Some(Url::parse("https://op.test/par").unwrap());
    let params = || Params::from([("redirect_uri", "https://rp.test/cb")]);
    let refused = |result: Result<Url, Error>, what: &str| match result {
        Err(Error::InsecureUrl { what: w, .. }) => assert_eq!(w, what),
        other => panic!("expected InsecureUrl for {what}, got {other:?}"),
    };

    let config = config(&server, insecure.clone());
    refused(config.build_authorization_url(params()), "authorization");
    refused(config.build_end_session_url(params()), "end_session");
    refused(
        config.build_authorization_url_with_par(params()).await,
        "authorization",
    );
    refused(
        config
            .build_authorization_url_with_jar(params(), &keys().a)
            .await,
        "authorization",
    );
    assert_eq!(
        server.hits("/par"),
        0,
        "nothing was pushed for an insecure URL"
    );

    // The same explicit opt-out as for back-channel requests allows them.
    let allowed = Configuration::builder(
        ClientMetadata::new(CLIENT),
        ClientAuth::client_secret_post("s"),
    )
    .shared_http_client(server.clone())
    .allow_insecure_requests()
    .build(insecure)
    .unwrap();
    assert_eq!(
        allowed.build_authorization_url(params()).unwrap().scheme(),
        "http"
    );
    assert_eq!(
        allowed.build_end_session_url(params()).unwrap().scheme(),
        "http"
    );
    let pushed = allowed
        .build_authorization_url_with_par(params())
        .await
        .unwrap();
    assert!(
        pushed.as_str().starts_with("http://op.test/auth?"),
        "{pushed}"
    );
}

// --- Token responses ----------------------------------------------------------------------------

#[tokio::test]
async fn a_token_response_without_token_type_is_refused() {
    let server = Arc::new(Scripted::default());
    server.route(
        "/token",
        200,
        "application/json",
        r#"{"access_token":"at"}"#,
    );
    let err = config(&server, metadata())
        .client_credentials_grant(Params::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::MissingField {
                field: "token_type",
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn an_oauth_error_body_keeps_status_description_and_body() {
    let server = Arc::new(Scripted::default());
    server.route(
        "/token",
        400,
        "application/json",
        r#"{"error":"invalid_scope","error_description":"no such scope","extra":1}"#,
    );
    let err = config(&server, metadata())
        .client_credentials_grant(Params::from([("scope", "nope")]))
        .await
        .unwrap_err();
    let Error::OAuth(e) = err else {
        panic!("{err}")
    };
    assert_eq!(e.error, "invalid_scope");
    assert_eq!(e.error_description.as_deref(), Some("no such scope"));
    assert_eq!(e.status, 400);
    assert_eq!(e.body["extra"], 1);
}

// --- ID Tokens through the whole grant --------------------------------------------------------

#[tokio::test]
async fn a_valid_id_token_passes_the_whole_grant() {
    let tokens = grant_with(&id_token(&keys().a, |_| {})).await.unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "alice");
    assert_eq!(tokens.token_type(), "bearer");
}

#[tokio::test]
async fn an_id_token_with_a_wrong_audience_is_refused() {
    let token = id_token(&keys().a, |c| {
        c.insert("aud".into(), json!("another-client"));
    });
    assert_eq!(
        id_token_check(grant_with(&token).await),
        IdTokenCheck::Audience
    );
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    let token = id_token(&keys().a, |c| {
        c.insert("exp".into(), json!(now() - 120));
    });
    assert_eq!(
        id_token_check(grant_with(&token).await),
        IdTokenCheck::Expiration
    );
}

#[tokio::test]
async fn an_id_token_issued_in_the_future_is_refused() {
    let token = id_token(&keys().a, |c| {
        c.insert("iat".into(), json!(now() + 3600));
    });
    assert_eq!(
        id_token_check(grant_with(&token).await),
        IdTokenCheck::IssuedAt
    );
}

#[tokio::test]
async fn an_id_token_with_another_nonce_is_refused() {
    let token = id_token(&keys().a, |c| {
        c.insert("nonce".into(), json!("replayed"));
    });
    assert_eq!(
        id_token_check(grant_with(&token).await),
        IdTokenCheck::Nonce
    );
}

#[tokio::test]
async fn an_id_token_signed_with_an_algorithm_outside_the_allowed_set_is_refused() {
    let hs = SigningKey::generate(JwsAlgorithm::HS256).unwrap();
    let err = grant_with(&id_token(&hs, |_| {})).await.unwrap_err();
    assert!(matches!(err, Error::AlgorithmNotAllowed { .. }), "{err}");
    let es384 = SigningKey::generate(JwsAlgorithm::ES384).unwrap();
    let err = grant_with(&id_token(&es384, |_| {})).await.unwrap_err();
    assert!(matches!(err, Error::AlgorithmNotAllowed { .. }), "{err}");
}

#[tokio::test]
async fn an_unsigned_id_token_is_refused() {
    let Value::Object(claims) = json!({"iss": ISSUER, "sub": "alice", "aud": CLIENT,
        "exp": now() + 300, "iat": now(), "nonce": "n"})
    else {
        unreachable!()
    };
    let token = format!(
        "{}.{}.",
        jose_core::b64::encode(r#"{"alg":"none"}"#),
        jose_core::b64::encode(Value::Object(claims).to_string())
    );
    let err = grant_with(&token).await.unwrap_err();
    assert!(matches!(err, Error::UnsignedJwt { .. }), "{err}");
}

#[tokio::test]
async fn an_id_token_typed_for_another_profile_is_refused() {
    let Value::Object(claims) = json!({"iss": ISSUER, "sub": "alice", "aud": CLIENT,
        "exp": now() + 300, "iat": now(), "nonce": "n"})
    else {
        unreachable!()
    };
    let payload = Value::Object(claims).to_string();
    let typed = |typ: Option<&str>| {
        let mut header = jose_core::header::JwsHeader::default();
        if let Some(t) = typ {
            header = header.with_typ(t);
        }
        jws::compact::CompactSign::new(payload.as_bytes())
            .header(header)
            .sign(&keys().a)
            .unwrap()
    };
    // An access token, a logout token, a DPoP proof, ... is never an ID Token.
    for typ in [
        "at+jwt",
        "application/at+jwt",
        "logout+jwt",
        "dpop+jwt",
        "secevent+jwt",
        "JOSE",
    ] {
        let err = grant_with(&typed(Some(typ))).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::IdToken {
                    check: IdTokenCheck::Type,
                    ..
                }
            ),
            "{typ}: {err}"
        );
    }
    for typ in [None, Some("JWT"), Some("jwt"), Some("application/jwt")] {
        grant_with(&typed(typ)).await.unwrap();
    }
}

#[tokio::test]
async fn a_code_grant_without_pkce_or_state_is_refused_unless_explicitly_unprotected() {
    let server = Arc::new(Scripted::default());
    server.route("/jwks", 200, "application/json", jwks(&[&keys().a]));
    server.route(
        "/token",
        200,
        "application/json",
        token_response(&id_token(&keys().a, |_| {})),
    );
    let config = config(&server, metadata());
    let callback = Url::parse(&format!("https://rp.test/cb?code=c&iss={ISSUER}")).unwrap();
    // The defaults (and a nonce alone) leave the code open to injection and CSRF.
    for checks in [
        AuthorizationCodeGrantChecks::new(),
        AuthorizationCodeGrantChecks::new().expected_nonce("n"),
    ] {
        let err = config
            .authorization_code_grant(&callback, &checks, Params::new())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::UnprotectedCodeGrant), "{err}");
        assert_eq!(err.code(), "OAUTH_INVALID_CONFIGURATION");
        assert!(err.to_string().contains("pkce_code_verifier"), "{err}");
    }
    assert_eq!(server.hits("/token"), 0, "nothing was sent");
    // PKCE alone, state alone, or the loudly named opt-out are enough.
    let pkce = AuthorizationCodeGrantChecks::new()
        .pkce_code_verifier("v".repeat(43))
        .expected_nonce("n");
    config
        .authorization_code_grant(&callback, &pkce, Params::new())
        .await
        .unwrap();
    let unprotected = AuthorizationCodeGrantChecks::new()
        .expected_nonce("n")
        .insecure_without_pkce_or_state();
    config
        .authorization_code_grant(&callback, &unprotected, Params::new())
        .await
        .unwrap();
    assert_eq!(server.hits("/token"), 2);
}

#[tokio::test]
async fn a_response_without_id_token_fails_when_a_nonce_was_sent() {
    let server = Arc::new(Scripted::default());
    server.route(
        "/token",
        200,
        "application/json",
        r#"{"access_token":"at","token_type":"bearer"}"#,
    );
    let err = code_grant(&config(&server, metadata())).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::IdToken {
                check: IdTokenCheck::Missing,
                ..
            }
        ),
        "{err}"
    );
}

// --- The JWK Set cache --------------------------------------------------------------------------

#[tokio::test]
async fn an_unknown_kid_refetches_the_jwk_set_once_then_is_rate_limited() {
    let server = Arc::new(Scripted::default());
    server.route("/jwks", 200, "application/json", jwks(&[&keys().a]));
    let config = Configuration::builder(
        ClientMetadata::new(CLIENT),
        ClientAuth::client_secret_post("s"),
    )
    .shared_http_client(server.clone())
    .jwks_cache(Duration::from_secs(600), Duration::from_millis(150))
    .build(metadata())
    .unwrap();

    server.route(
        "/token",
        200,
        "application/json",
        token_response(&id_token(&keys().a, |_| {})),
    );
    code_grant(&config).await.unwrap();
    code_grant(&config).await.unwrap();
    assert_eq!(server.hits("/jwks"), 1, "the set is cached");

    // The server rotates to key b: once the cooldown since the last fetch has passed, the
    // unknown kid triggers one refetch.
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.route(
        "/jwks",
        200,
        "application/json",
        jwks(&[&keys().a, &keys().b]),
    );
    server.route(
        "/token",
        200,
        "application/json",
        token_response(&id_token(&keys().b, |_| {})),
    );
    code_grant(&config).await.unwrap();
    assert_eq!(server.hits("/jwks"), 2);

    // A kid the server never published: no refetch within the cooldown.
    let stranger = SigningKey::new(
        Jwk::generate(JwsAlgorithm::ES256).unwrap().with_kid("c"),
        JwsAlgorithm::ES256,
    )
    .unwrap();
    server.route(
        "/token",
        200,
        "application/json",
        token_response(&id_token(&stranger, |_| {})),
    );
    let err = code_grant(&config).await.unwrap_err();
    assert!(
        matches!(err, Error::KeyNotFound { kid: Some(ref k), .. } if k == "c"),
        "{err}"
    );
    code_grant(&config).await.unwrap_err();
    assert_eq!(server.hits("/jwks"), 2, "rate-limited");
}

#[tokio::test]
async fn with_no_cooldown_every_unknown_kid_refetches() {
    let server = Arc::new(Scripted::default());
    server.route("/jwks", 200, "application/json", jwks(&[&keys().a]));
    let config = Configuration::builder(
        ClientMetadata::new(CLIENT),
        ClientAuth::client_secret_post("s"),
    )
    .shared_http_client(server.clone())
    .jwks_cache(Duration::from_secs(600), Duration::ZERO)
    .build(metadata())
    .unwrap();
    server.route(
        "/token",
        200,
        "application/json",
        token_response(&id_token(&keys().b, |_| {})),
    );
    assert!(matches!(
        code_grant(&config).await.unwrap_err(),
        Error::KeyNotFound { .. }
    ));
    assert!(matches!(
        code_grant(&config).await.unwrap_err(),
        Error::KeyNotFound { .. }
    ));
    assert_eq!(server.hits("/jwks"), 2);
}

#[tokio::test]
async fn a_broken_jwk_set_is_a_jwks_error() {
    let server = Arc::new(Scripted::default());
    server.route("/jwks", 200, "application/json", r#"{"keys":"nope"}"#);
    server.route(
        "/token",
        200,
        "application/json",
        token_response(&id_token(&keys().a, |_| {})),
    );
    let err = code_grant(&config(&server, metadata())).await.unwrap_err();
    assert!(matches!(err, Error::Jwks(_)), "{err}");
}
