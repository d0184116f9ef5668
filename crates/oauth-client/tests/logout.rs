//! Back-channel logout end to end against oidc-provider (`features.backchannelLogout`): a
//! login, then an RP-initiated logout and a provider-side session end make the provider POST a
//! logout token to this test's loopback endpoint (a hyper server around
//! `BackchannelLogoutHandler`), which ends the application's session. The malformed-token
//! cases one by one are unit tests in `src/logout_token.rs` (a local JWK Set); here the real
//! provider's tokens are replayed, tampered with, re-signed with a key of the test, and
//! refused as ID Tokens; two instances sharing a real Redis (crates/test-redis) refuse a
//! replay across them, and a Redis outage refuses the token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{Pending, config, provider, redirect_uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::Jwk;
use oauth_client::http::BoxFuture;
use oauth_client::{
    BackchannelLogoutError, BackchannelLogoutHandler, ClientAuth, ClientMetadata, Configuration,
    LogoutResponse, LogoutSessionStore, LogoutTokenCheck, LogoutTokenClaims, LogoutTokenVerifier,
    MAX_LOGOUT_REQUEST_BYTES, Params, SessionStoreError,
};
use replay_store::{
    MemoryReplayStore, RedisConfig, RedisConnection, RedisReplayStore, ReplayStore,
};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use test_provider::{BACKCHANNEL_LOGOUT_CLIENT, UserAgent};
use test_redis::TestRedis;
use tokio::sync::mpsc;

/// The application's sessions: sid → sub. `down` makes every call fail (a database outage).
#[derive(Debug, Default)]
struct AppSessions {
    by_sid: Mutex<HashMap<String, String>>,
    down: bool,
}

impl AppSessions {
    fn open(&self, sid: &str, sub: &str) {
        self.by_sid
            .lock()
            .unwrap()
            .insert(sid.to_owned(), sub.to_owned());
    }

    fn is_open(&self, sid: &str) -> bool {
        self.by_sid.lock().unwrap().contains_key(sid)
    }
}

impl LogoutSessionStore for AppSessions {
    fn end_sessions<'a>(
        &'a self,
        claims: &'a LogoutTokenClaims,
    ) -> BoxFuture<'a, Result<(), SessionStoreError>> {
        Box::pin(async move {
            if self.down {
                return Err(SessionStoreError("the session database is down".into()));
            }
            let mut sessions = self.by_sid.lock().unwrap();
            match (&claims.sid, &claims.sub) {
                (Some(sid), _) => {
                    sessions.remove(sid);
                }
                (None, Some(sub)) => sessions.retain(|_, s| s != sub),
                (None, None) => {}
            }
            Ok(())
        })
    }
}

/// What the endpoint received and how it answered.
struct Delivery {
    body: Vec<u8>,
    result: Result<LogoutTokenClaims, BackchannelLogoutError>,
}

/// The RP's back-channel logout endpoint on 127.0.0.1.
struct Endpoint {
    url: String,
    received: mpsc::UnboundedReceiver<Delivery>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(handler: BackchannelLogoutHandler) -> Endpoint {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/backchannel-logout",
        listener.local_addr().unwrap()
    );
    let (tx, received) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
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
    Endpoint {
        url,
        received,
        task,
    }
}

/// The framework glue: method, content type and a bounded body in; the handler's answer out.
async fn answer(
    handler: &BackchannelLogoutHandler,
    request: Request<Incoming>,
    tx: &mpsc::UnboundedSender<Delivery>,
) -> Response<Full<Bytes>> {
    let method = request.method().as_str().to_owned();
    let content_type = request
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = match Limited::new(request.into_body(), MAX_LOGOUT_REQUEST_BYTES)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes().to_vec(),
        // Over the bound: handled as an oversized body.
        Err(_) => vec![0; MAX_LOGOUT_REQUEST_BYTES + 1],
    };
    let result = handler
        .handle(&method, content_type.as_deref(), &body)
        .await;
    let response = LogoutResponse::for_result(&result);
    let _ = tx.send(Delivery { body, result });
    let mut builder = Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Full::new(Bytes::from(response.body))).unwrap()
}

/// A logged-in user: the browser (with the provider's session cookie), the ID Token and its
/// `sid`.
struct LoggedIn {
    agent: UserAgent,
    id_token: String,
    sid: String,
    sub: String,
}

async fn log_in(config: &Configuration) -> LoggedIn {
    let pending = Pending::new();
    let agent = UserAgent::new().unwrap();
    let url = config
        .build_authorization_url(pending.params("openid"))
        .unwrap();
    let redirect = agent.authorize(&url, redirect_uri()).await.unwrap();
    let tokens = config
        .authorization_code_grant(&redirect.url, &pending.checks(), Params::new())
        .await
        .unwrap();
    let claims = tokens.claims().unwrap();
    LoggedIn {
        agent,
        id_token: tokens.id_token().unwrap().to_owned(),
        sid: claims.sid.clone().expect("the provider includes sid"),
        sub: claims.sub.clone(),
    }
}

struct Rp {
    config: Configuration,
    sessions: Arc<AppSessions>,
    handler: BackchannelLogoutHandler,
    endpoint: Endpoint,
}

async fn rp(sessions: AppSessions) -> Rp {
    rp_with(sessions, Arc::new(MemoryReplayStore::new())).await
}

/// An RP instance whose logout endpoint records `jti`s in `replay`.
async fn rp_with(sessions: AppSessions, replay: Arc<dyn ReplayStore>) -> Rp {
    let config = config(BACKCHANNEL_LOGOUT_CLIENT).await;
    let sessions = Arc::new(sessions);
    let verifier = LogoutTokenVerifier::new(config.clone(), replay);
    let handler = BackchannelLogoutHandler::new(verifier, sessions.clone());
    let endpoint = serve(handler.clone()).await;
    Rp {
        config,
        sessions,
        handler,
        endpoint,
    }
}

/// A user logged in at `rp`, with an application session, whose logout tokens reach `rp`.
async fn user_of(rp: &Rp) -> LoggedIn {
    let user = log_in(&rp.config).await;
    rp.sessions.open(&user.sid, &user.sub);
    provider()
        .logout_deliver(&user.sid, &rp.endpoint.url)
        .await
        .unwrap();
    user
}

fn logout_token_of(body: &[u8]) -> String {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == "logout_token")
        .unwrap()
        .1
        .into_owned()
}

#[tokio::test]
async fn rp_initiated_logout_delivers_a_logout_token_that_ends_the_app_session() {
    let mut rp = rp(AppSessions::default()).await;
    let user = user_of(&rp).await;
    let logout = rp
        .config
        .build_end_session_url(Params::from([
            ("id_token_hint", user.id_token.as_str()),
            (
                "post_logout_redirect_uri",
                provider().state().post_logout_redirect_uri(),
            ),
        ]))
        .unwrap();
    user.agent.end_session(&logout).await.unwrap();
    let delivery = rp.endpoint.received.recv().await.unwrap();
    let claims = delivery.result.unwrap();
    assert_eq!(claims.sid.as_deref(), Some(user.sid.as_str()));
    assert_eq!(claims.sub.as_deref(), Some(user.sub.as_str()));
    assert_eq!(claims.iss, rp.config.server_metadata().issuer);
    assert!(!rp.sessions.is_open(&user.sid));
    // The provider signed it with the client's ID Token algorithm and typed it.
    let token = logout_token_of(&delivery.body);
    let header = jws::unverified::decode_header(&token).unwrap();
    assert_eq!(header.typ(), Some("logout+jwt"));
    assert_eq!(claims.alg, JwsAlgorithm::ES256);
}

#[tokio::test]
async fn provider_side_session_end_delivers_a_logout_token_that_ends_the_app_session() {
    let mut rp = rp(AppSessions::default()).await;
    let user = user_of(&rp).await;
    let other = user_of(&rp).await;
    let notified = provider().end_provider_session(&user.sid).await.unwrap();
    assert_eq!(notified, [BACKCHANNEL_LOGOUT_CLIENT]);
    let claims = rp.endpoint.received.recv().await.unwrap().result.unwrap();
    assert_eq!(claims.sid.as_deref(), Some(user.sid.as_str()));
    assert!(!rp.sessions.is_open(&user.sid));
    // Only that session ended.
    assert!(rp.sessions.is_open(&other.sid));
}

#[tokio::test]
async fn a_delivered_logout_token_is_refused_when_replayed() {
    let mut rp = rp(AppSessions::default()).await;
    let user = user_of(&rp).await;
    provider().end_provider_session(&user.sid).await.unwrap();
    let delivery = rp.endpoint.received.recv().await.unwrap();
    assert!(delivery.result.is_ok());
    // The same request again, as an attacker who captured it would send it.
    rp.sessions.open(&user.sid, &user.sub);
    let result = rp
        .handler
        .handle(
            "POST",
            Some("application/x-www-form-urlencoded"),
            &delivery.body,
        )
        .await;
    let response = LogoutResponse::for_result(&result);
    assert_eq!(response.status, 400);
    assert!(response.headers.contains(&("cache-control", "no-store")));
    match result {
        Err(BackchannelLogoutError::LogoutToken(e)) => {
            assert_eq!(e.check(), LogoutTokenCheck::Replay);
        }
        other => panic!("{other:?}"),
    }
    assert!(rp.sessions.is_open(&user.sid), "a replay ends nothing");
}

#[tokio::test]
async fn a_session_store_failure_answers_400_and_the_provider_sees_the_logout_failed() {
    let mut rp = rp(AppSessions {
        down: true,
        ..AppSessions::default()
    })
    .await;
    let user = user_of(&rp).await;
    // The provider's POST got a 400: the control route reports the failed delivery.
    let err = provider()
        .end_provider_session(&user.sid)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("400"), "{err}");
    let delivery = rp.endpoint.received.recv().await.unwrap();
    assert!(matches!(
        delivery.result,
        Err(BackchannelLogoutError::SessionStore(_))
    ));
}

#[tokio::test]
async fn tampered_resigned_and_id_tokens_are_refused() {
    let mut rp = rp(AppSessions::default()).await;
    let user = user_of(&rp).await;
    provider().end_provider_session(&user.sid).await.unwrap();
    let token = logout_token_of(&rp.endpoint.received.recv().await.unwrap().body);
    let verifier = LogoutTokenVerifier::without_replay_detection(rp.config.clone());
    let check = |r: Result<LogoutTokenClaims, oauth_client::LogoutTokenError>| {
        r.map(|c| panic!("accepted {c:?}")).unwrap_err().check()
    };

    // The provider's own token, with another payload.
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&jose_core::b64::decode(parts[1]).unwrap()).unwrap();
    claims["sid"] = "someone-else".into();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        jose_core::b64::encode(claims.to_string()),
        parts[2]
    );
    assert_eq!(
        check(verifier.verify(&tampered).await),
        LogoutTokenCheck::Signature
    );

    // The same claims signed by a key of this test under the provider's kid.
    let header = jws::unverified::decode_header(&token).unwrap();
    let ours = jws::SigningKey::new(
        Jwk::generate(JwsAlgorithm::ES256)
            .unwrap()
            .with_kid(header.kid().unwrap()),
        JwsAlgorithm::ES256,
    )
    .unwrap();
    let resigned = jws::compact::CompactSign::new(claims.to_string().as_bytes())
        .header(jose_core::header::JwsHeader::default().with_typ("logout+jwt"))
        .sign(&ours)
        .unwrap();
    assert_eq!(
        check(verifier.verify(&resigned).await),
        LogoutTokenCheck::Signature
    );

    // An ID Token of the provider is not a logout token.
    assert_eq!(
        check(verifier.verify(&user.id_token).await),
        LogoutTokenCheck::Events
    );

    // A logout token for this client is not valid for another one.
    let other = config("client-basic").await;
    let for_other = LogoutTokenVerifier::without_replay_detection(other);
    assert!(for_other.verify(&token).await.is_err());
}

/// A replay store on the test Redis server, as one application instance would hold it.
fn redis_store(redis: &TestRedis) -> Arc<dyn ReplayStore> {
    let config = RedisConfig::from_url(&redis.url())
        .unwrap()
        .timeout(Duration::from_millis(1500));
    Arc::new(RedisReplayStore::new(RedisConnection::new(config)))
}

#[tokio::test]
async fn a_logout_token_replayed_to_another_instance_sharing_redis_is_refused() {
    let redis = TestRedis::start().unwrap();
    let mut first = rp_with(AppSessions::default(), redis_store(&redis)).await;
    let second = rp_with(AppSessions::default(), redis_store(&redis)).await;
    let user = user_of(&first).await;
    second.sessions.open(&user.sid, &user.sub);
    provider().end_provider_session(&user.sid).await.unwrap();
    let delivery = first.endpoint.received.recv().await.unwrap();
    assert!(delivery.result.is_ok());
    assert!(!first.sessions.is_open(&user.sid));
    // The captured request sent to the other instance.
    let result = second
        .handler
        .handle(
            "POST",
            Some("application/x-www-form-urlencoded"),
            &delivery.body,
        )
        .await;
    match result {
        Err(BackchannelLogoutError::LogoutToken(e)) => {
            assert_eq!(e.check(), LogoutTokenCheck::Replay);
        }
        other => panic!("{other:?}"),
    }
    assert!(second.sessions.is_open(&user.sid), "a replay ends nothing");
}

#[tokio::test]
async fn a_redis_outage_refuses_the_logout_token_and_the_provider_sees_it() {
    let redis = TestRedis::start().unwrap();
    let mut rp = rp_with(AppSessions::default(), redis_store(&redis)).await;
    let user = user_of(&rp).await;
    redis.stop();
    let err = provider()
        .end_provider_session(&user.sid)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("400"), "{err}");
    let delivery = rp.endpoint.received.recv().await.unwrap();
    let response = LogoutResponse::for_result(&delivery.result);
    let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(json["error"], "temporarily_unavailable");
    match delivery.result {
        Err(BackchannelLogoutError::LogoutToken(e)) => {
            assert_eq!(e.check(), LogoutTokenCheck::ReplayStore, "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        rp.sessions.is_open(&user.sid),
        "nothing ended without the replay check"
    );
}

#[tokio::test]
async fn registration_carries_the_back_channel_logout_metadata() {
    let discovered = config(BACKCHANNEL_LOGOUT_CLIENT).await;
    let server = discovered.server_metadata();
    assert_eq!(server.backchannel_logout_supported, Some(true));
    assert_eq!(server.backchannel_logout_session_supported, Some(true));
    let mut metadata = ClientMetadata::for_registration([redirect_uri()]);
    metadata.backchannel_logout_uri = Some("https://rp.test/backchannel-logout".into());
    metadata.backchannel_logout_session_required = Some(true);
    let config = Configuration::builder(metadata, ClientAuth::none())
        .allow_insecure_requests()
        .register(
            provider().issuer(),
            Some(provider().state().initial_access_token()),
        )
        .await
        .unwrap();
    let registered = config.client_metadata();
    assert_eq!(
        registered.backchannel_logout_uri.as_deref(),
        Some("https://rp.test/backchannel-logout")
    );
    assert_eq!(registered.backchannel_logout_session_required, Some(true));
    // Typed members, not left in `other`.
    assert!(!registered.other.contains_key("backchannel_logout_uri"));
    let read = config.read_registration().await.unwrap();
    assert_eq!(read.backchannel_logout_session_required, Some(true));
}
