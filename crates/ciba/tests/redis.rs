//! `RedisPendingStore` against a real redis-server on loopback (crates/test-redis), with two
//! "instances" (each its own connection, store, handler and notification endpoint): a push
//! or ping received by one completes the `wait` of the other, redelivery stays idempotent
//! across instances, requests expire by TTL, the waiter re-validates pushed tokens, and a
//! server that is down is a typed error. The ping runs against the real oidc-provider
//! (crates/test-provider); the push against the scripted provider of `push.rs` (oidc-provider
//! has no push mode).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use ciba::{
    AuthReqId, BackchannelRequest, CibaClient, CibaError, ClientNotificationToken, DeliveryMode,
    Notification, NotificationHandler, NotificationResponse, PendingRequest, PendingState,
    PendingStore, RedisPendingStore, UserHint, token_hash,
};
use common::{Script, id_token, notification_server, op_key, post_notification};
use jose_core::alg::JwsAlgorithm;
use oauth_client::{ClientAuth, ClientMetadata, Configuration};
use replay_store::{RedisConfig, RedisConnection};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use test_provider::{CibaDecision, TestProvider};
use test_redis::TestRedis;

const ID: &str = "8d67dc78-7faa-4d41-aabd-67707b374255";
const AT: &str = "G5kXH2wHvUra0sHlDy1iTkDJgsgUO1bN";

/// One instance's store: its own connection to the shared server.
fn store(redis: &TestRedis) -> Arc<RedisPendingStore> {
    let config = RedisConfig::from_url(&redis.url())
        .unwrap()
        .timeout(Duration::from_secs(1));
    Arc::new(RedisPendingStore::new(RedisConnection::new(config)))
}

fn request(
    id: &str,
    mode: DeliveryMode,
    token: &ClientNotificationToken,
    ttl: Duration,
) -> PendingRequest {
    PendingRequest::new(
        AuthReqId::new(id).unwrap(),
        mode,
        token.clone(),
        SystemTime::now() + ttl,
    )
}

fn push_body(access_token: &str) -> Value {
    let claims = json!({
        "at_hash": token_hash(JwsAlgorithm::ES256, access_token),
        "urn:openid:params:jwt:claim:auth_req_id": ID,
    });
    json!({
        "auth_req_id": ID,
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 120,
        "id_token": id_token(op_key(), claims),
    })
}

/// Two instances in push mode sharing `redis`: (handler, store) each.
fn push_instances(redis: &TestRedis) -> [(NotificationHandler, Arc<RedisPendingStore>); 2] {
    [(); 2].map(|()| {
        let store = store(redis);
        let handler =
            NotificationHandler::new(common::config(&Script::new(), "push"), store.clone());
        (handler, store)
    })
}

/// Returns once a waiter is subscribed to the request's channel (bounded retries), then
/// gives it a moment to finish its first read, so that the notification that follows can
/// only reach it through the channel.
async fn until_subscribed(store: &RedisPendingStore, id: &str) {
    let channel = format!("jose:ciba:done:{}", Sha256Hex::of(id));
    for _ in 0..200 {
        let mut numsub = replay_store::redis::client::cmd("PUBSUB");
        numsub.arg("NUMSUB").arg(&channel);
        let (_, count): (String, i64) = store.connection().query(&numsub).await.unwrap();
        if count > 0 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the waiter never subscribed");
}

#[tokio::test]
async fn a_push_received_by_one_instance_wakes_the_waiter_of_another() {
    let redis = TestRedis::start().unwrap();
    let [(a, a_store), (b, _)] = push_instances(&redis);
    let token = ClientNotificationToken::generate().unwrap();
    a_store
        .insert(request(
            ID,
            DeliveryMode::Push,
            &token,
            Duration::from_secs(20),
        ))
        .await
        .unwrap();
    let waiter = tokio::spawn(async move { a.wait(ID).await });
    until_subscribed(&a_store, ID).await;

    let mut b_server = notification_server(b).await;
    let body = push_body(AT);
    assert_eq!(
        post_notification(&b_server.url, Some(token.expose()), &body).await,
        (204, None)
    );
    assert!(matches!(
        b_server.received.recv().await.unwrap(),
        Notification::Tokens { .. }
    ));
    match waiter.await.unwrap().unwrap() {
        PendingState::Tokens(pushed) => {
            assert_eq!(pushed.tokens().access_token(), AT);
            assert_eq!(pushed.claims().sub, "alice");
            // The tokens never show in Debug.
            assert!(!format!("{pushed:?}").contains(AT));
        }
        other => panic!("{other:?}"),
    }
    // The store itself only hands out the raw body, redacted.
    let state = a_store.get(ID).await.unwrap().unwrap().state;
    assert!(matches!(state, PendingState::Pushed(_)));
    assert!(!format!("{state:?}").contains(AT));
}

#[tokio::test]
async fn redelivery_to_another_instance_is_idempotent_and_a_different_push_is_refused() {
    let redis = TestRedis::start().unwrap();
    let [(a, a_store), (b, _)] = push_instances(&redis);
    let token = ClientNotificationToken::generate().unwrap();
    a_store
        .insert(request(
            ID,
            DeliveryMode::Push,
            &token,
            Duration::from_secs(120),
        ))
        .await
        .unwrap();
    let mut a_server = notification_server(a.clone()).await;
    let mut b_server = notification_server(b).await;
    let body = push_body(AT);
    let bearer = Some(token.expose());

    assert_eq!(
        post_notification(&b_server.url, bearer, &body).await,
        (204, None)
    );
    assert!(matches!(
        b_server.received.recv().await.unwrap(),
        Notification::Tokens { .. }
    ));
    // The provider retries the same push, and the load balancer sends it to the other instance.
    assert_eq!(
        post_notification(&a_server.url, bearer, &body).await,
        (204, None)
    );
    assert!(matches!(
        a_server.received.recv().await.unwrap(),
        Notification::Redelivery { .. }
    ));
    // Another result for the same request, on either instance: refused, the first one stays.
    let other = push_body("another-access-token");
    assert_eq!(
        post_notification(&a_server.url, bearer, &other).await.0,
        400
    );
    assert_eq!(
        post_notification(&b_server.url, bearer, &other).await.0,
        400
    );
    match a.wait(ID).await.unwrap() {
        PendingState::Tokens(pushed) => assert_eq!(pushed.tokens().access_token(), AT),
        other => panic!("{other:?}"),
    }
    // The wrong bearer is still a 401 on the instance that did not create the request.
    assert_eq!(
        post_notification(&b_server.url, Some("not-the-token"), &body)
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn record_is_an_atomic_compare_and_set_across_instances() {
    let redis = TestRedis::start().unwrap();
    let (a, b) = (store(&redis), store(&redis));
    let token = ClientNotificationToken::generate().unwrap();
    a.insert(request(
        "r-1",
        DeliveryMode::Ping,
        &token,
        Duration::from_secs(60),
    ))
    .await
    .unwrap();
    // Same id or same token from the other instance: refused.
    let other = ClientNotificationToken::generate().unwrap();
    assert!(matches!(
        b.insert(request(
            "r-1",
            DeliveryMode::Ping,
            &other,
            Duration::from_secs(60)
        ))
        .await,
        Err(CibaError::DuplicateAuthReqId)
    ));
    assert!(matches!(
        b.insert(request(
            "r-2",
            DeliveryMode::Ping,
            &token,
            Duration::from_secs(60)
        ))
        .await,
        Err(CibaError::NotificationTokenReused)
    ));
    let signed =
        request("r-3", DeliveryMode::Ping, &other, Duration::from_secs(60)).with_nonce("n-1");
    a.insert(signed).await.unwrap();
    let third = ClientNotificationToken::generate().unwrap();
    let same_nonce =
        request("r-4", DeliveryMode::Ping, &third, Duration::from_secs(60)).with_nonce("n-1");
    assert!(matches!(
        b.insert(same_nonce).await,
        Err(CibaError::NotificationTokenReused)
    ));
    assert_eq!(
        b.get("r-3").await.unwrap().unwrap().request.nonce(),
        Some("n-1")
    );

    // Of concurrent records from both instances, exactly one is new.
    let (x, y) = tokio::join!(
        a.record("r-1", PendingState::Pinged, [1; 32]),
        b.record("r-1", PendingState::Pinged, [1; 32]),
    );
    let mut outcomes = [x.unwrap(), y.unwrap()];
    outcomes.sort_by_key(|r| *r == ciba::Recorded::New);
    assert_eq!(outcomes, [ciba::Recorded::Duplicate, ciba::Recorded::New]);
    assert!(matches!(
        b.record("r-1", PendingState::Pinged, [2; 32]).await,
        Err(CibaError::ConflictingNotification)
    ));
    assert!(matches!(
        b.record("unknown", PendingState::Pinged, [1; 32]).await,
        Err(CibaError::UnknownAuthReqId)
    ));
    // Removal frees the request and its token, on every instance.
    assert!(b.remove("r-1").await.unwrap().is_some());
    assert!(a.get("r-1").await.unwrap().is_none());
    a.insert(request(
        "r-5",
        DeliveryMode::Ping,
        &token,
        Duration::from_secs(60),
    ))
    .await
    .unwrap();
}

#[tokio::test]
async fn a_push_error_received_by_one_instance_fails_the_wait_of_another() {
    let redis = TestRedis::start().unwrap();
    let [(a, a_store), (b, _)] = push_instances(&redis);
    let token = ClientNotificationToken::generate().unwrap();
    a_store
        .insert(request(
            ID,
            DeliveryMode::Push,
            &token,
            Duration::from_secs(120),
        ))
        .await
        .unwrap();
    let body = json!({"auth_req_id": ID, "error": "access_denied", "error_description": "no"});
    let result = b
        .handle(Some(token.expose()), body.as_object().unwrap())
        .await;
    assert!(
        matches!(result, Ok(Notification::Error { .. })),
        "{result:?}"
    );
    match a.wait(ID).await.unwrap() {
        PendingState::Failed(error) => {
            assert_eq!(error.code, ciba::PushErrorCode::AccessDenied);
            assert_eq!(error.description.as_deref(), Some("no"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_waiter_validates_pushed_tokens_again_and_trusts_nothing_else_in_redis() {
    let redis = TestRedis::start().unwrap();
    let [(a, a_store), (b, _)] = push_instances(&redis);
    let token = ClientNotificationToken::generate().unwrap();
    a_store
        .insert(request(
            ID,
            DeliveryMode::Push,
            &token,
            Duration::from_secs(120),
        ))
        .await
        .unwrap();
    let body = push_body(AT);
    b.handle(Some(token.expose()), body.as_object().unwrap())
        .await
        .unwrap();
    // Someone with write access to Redis swaps the access token in the stored body.
    let mut forged = body.clone();
    forged["access_token"] = "forged-access-token".into();
    let key = format!("jose:ciba:pending:{}", Sha256Hex::of(ID));
    let mut cmd = replay_store::redis::client::cmd("HSET");
    cmd.arg(&key).arg("body").arg(forged.to_string());
    let _: i64 = a_store.connection().query(&cmd).await.unwrap();
    // The waiter's own checks refuse it: the ID Token's at_hash binds the real access token.
    assert!(matches!(
        a.wait(ID).await,
        Err(CibaError::PushIdToken { .. })
    ));
}

/// SHA-256 in lowercase hex, as the store names its keys.
struct Sha256Hex;

impl Sha256Hex {
    fn of(value: &str) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(value.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[tokio::test]
async fn requests_expire_by_ttl_and_free_their_token() {
    let redis = TestRedis::start().unwrap();
    let (a, b) = (store(&redis), store(&redis));
    let token = ClientNotificationToken::generate().unwrap();
    a.insert(request(
        "short",
        DeliveryMode::Ping,
        &token,
        Duration::from_millis(1500),
    ))
    .await
    .unwrap();
    // The key carries the request's lifetime as its TTL.
    let mut pttl = replay_store::redis::client::cmd("PTTL");
    pttl.arg(format!("jose:ciba:pending:{}", Sha256Hex::of("short")));
    let ttl: i64 = a.connection().query(&pttl).await.unwrap();
    assert!(ttl > 0 && ttl <= 1500, "{ttl}");
    // Nothing arrives: the waiter on the other instance gets the deadline.
    assert!(matches!(b.wait("short").await, Err(CibaError::Deadline)));
    assert!(b.get("short").await.unwrap().is_none());
    // Once Redis expired the keys, the token is free again (bounded retries, no timing).
    let mut freed = false;
    for _ in 0..100 {
        let again = request("later", DeliveryMode::Ping, &token, Duration::from_secs(60));
        match b.insert(again).await {
            Ok(()) => {
                freed = true;
                break;
            }
            Err(CibaError::NotificationTokenReused) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert!(freed);
    // An already expired request is not stored at all.
    let other = ClientNotificationToken::generate().unwrap();
    assert!(matches!(
        a.insert(request("past", DeliveryMode::Ping, &other, Duration::ZERO))
            .await,
        Err(CibaError::Deadline)
    ));
}

#[tokio::test]
async fn redis_down_is_a_typed_error_and_never_completes_a_request() {
    let redis = TestRedis::start().unwrap();
    let [(a, a_store), (b, _)] = push_instances(&redis);
    let token = ClientNotificationToken::generate().unwrap();
    a_store
        .insert(request(
            ID,
            DeliveryMode::Push,
            &token,
            Duration::from_secs(120),
        ))
        .await
        .unwrap();
    // A waiter subscribed before the server stops fails when its subscription drops.
    let waiter = tokio::spawn(async move { a.wait(ID).await });
    tokio::task::yield_now().await;
    redis.stop();
    let body = push_body(AT);
    let result = b
        .handle(Some(token.expose()), body.as_object().unwrap())
        .await;
    let err = result.unwrap_err();
    assert!(matches!(err, CibaError::PendingStore(_)), "{err:?}");
    assert_eq!(err.code(), "ERR_CIBA_PENDING_STORE");
    // The provider is answered 500, so it retries later.
    assert_eq!(NotificationResponse::for_result(&Err(err)).status, 500);
    let other = ClientNotificationToken::generate().unwrap();
    assert!(matches!(
        a_store
            .insert(request(
                "x",
                DeliveryMode::Ping,
                &other,
                Duration::from_secs(60)
            ))
            .await,
        Err(CibaError::PendingStore(_))
    ));
    assert!(matches!(
        a_store.get(ID).await,
        Err(CibaError::PendingStore(_))
    ));
    assert!(matches!(
        a_store.record(ID, PendingState::Pinged, [1; 32]).await,
        Err(CibaError::PendingStore(_))
    ));
    let waited = waiter.await.unwrap();
    assert!(
        matches!(waited, Err(CibaError::PendingStore(_))),
        "{waited:?}"
    );
    // A new waiter cannot even subscribe.
    assert!(matches!(
        a_store.wait(ID).await,
        Err(CibaError::PendingStore(_))
    ));
}

fn provider() -> &'static TestProvider {
    TestProvider::shared().expect("the test provider starts")
}

/// A configuration for oidc-provider's static ping-mode client.
async fn ping_config() -> Configuration {
    let state = provider().state();
    let registered = state.client("client-ciba-ping").unwrap();
    let metadata: ClientMetadata =
        serde_json::from_value(Value::Object(registered.metadata().clone())).unwrap();
    let auth = ClientAuth::client_secret_basic(registered.secret().unwrap());
    Configuration::builder(metadata, auth)
        .allow_insecure_requests()
        .discover(provider().issuer())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_ping_from_oidc_provider_to_one_instance_wakes_the_waiter_of_another() {
    let redis = TestRedis::start().unwrap();
    // Instance A starts the request and waits; instance B serves the notification endpoint.
    let a = CibaClient::new(ping_config().await)
        .unwrap()
        .pending_store(store(&redis));
    let a_handler = a.notification_handler().unwrap();
    let b_handler = NotificationHandler::new(ping_config().await, store(&redis));
    let mut b_server = notification_server(b_handler).await;

    let ack = a
        .initiate(&BackchannelRequest::new(
            "openid email",
            UserHint::LoginHint("alice".into()),
        ))
        .await
        .unwrap();
    let id = ack.auth_req_id().expose().to_owned();
    let waiter = {
        let id = id.clone();
        tokio::spawn(async move { a_handler.wait(&id).await })
    };
    let b_store = store(&redis);
    until_subscribed(&b_store, &id).await;
    provider()
        .ciba_decide(&id, CibaDecision::Approve, Some(&b_server.url))
        .await
        .unwrap();
    assert!(matches!(
        b_server.received.recv().await.unwrap(),
        Notification::Ping { .. }
    ));
    assert!(matches!(
        waiter.await.unwrap().unwrap(),
        PendingState::Pinged
    ));
    let tokens = a.exchange(&ack).await.unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "alice");
}
