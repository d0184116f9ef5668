//! End to end against oidc-provider (`crates/test-provider`, started once for this binary):
//! poll and ping, approval and denial through the provider's CIBA hooks (the control route
//! and the login-hint rules of `node/ciba.mjs`), `slow_down`, `503`, expiry, user codes, the
//! backchannel endpoint's errors, DPoP-bound tokens, FAPI-style signed requests, and pings
//! authenticated by a signed client notification token.
//!
//! Polling runs with a 20 ms interval unit (`PollOptions::interval_unit`) so that the suite
//! stays fast; deadlines stay in real seconds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use ciba::{
    BackchannelRequest, CibaClient, CibaError, InMemoryPendingStore, Notification,
    NotificationTokenIssuer, NotificationTokenVerifier, PollOptions, Profile, UserHint,
};
use common::notification_server;
use core::num::NonZeroU32;
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use oauth_client::{ClientAuth, ClientMetadata, Configuration};
use std::sync::Arc;
use std::time::Duration;
use test_provider::{CibaDecision, TestProvider};

fn provider() -> &'static TestProvider {
    TestProvider::shared().expect("the test provider starts")
}

fn fast() -> PollOptions {
    PollOptions::new().interval_unit(Duration::from_millis(20))
}

/// A configuration for a static CIBA client of the provider, with its registered metadata.
async fn config(id: &str) -> Configuration {
    let state = provider().state();
    let registered = state.client(id).unwrap();
    let metadata: ClientMetadata =
        serde_json::from_value(serde_json::Value::Object(registered.metadata().clone())).unwrap();
    let auth = match registered.auth_method() {
        "client_secret_basic" => ClientAuth::client_secret_basic(registered.secret().unwrap()),
        "client_secret_post" => ClientAuth::client_secret_post(registered.secret().unwrap()),
        "private_key_jwt" => ClientAuth::private_key_jwt(fapi_key(id)),
        other => panic!("no test setup for {other}"),
    };
    Configuration::builder(metadata, auth)
        .allow_insecure_requests()
        .discover(provider().issuer())
        .await
        .unwrap()
}

fn fapi_key(id: &str) -> SigningKey {
    let jwk = Jwk::from_json(provider().state().client_private_jwk(id).unwrap()).unwrap();
    SigningKey::from_jwk(jwk).unwrap()
}

async fn poll_client() -> CibaClient {
    CibaClient::new(config("client-ciba-poll").await)
        .unwrap()
        .poll_options(fast())
}

fn request(hint: &str) -> BackchannelRequest {
    BackchannelRequest::new("openid email", UserHint::LoginHint(hint.into())).user_code("1234")
}

#[tokio::test]
async fn poll_mode_approved_after_a_pending_poll() {
    let client = poll_client().await;
    assert_eq!(client.server_metadata().delivery_modes.len(), 2);
    let ack = client
        .initiate(&request("alice;approve_after=1").binding_message("W4SCT"))
        .await
        .unwrap();
    assert!(ack.expires_in() > 0 && !ack.interval_was_sent());
    let tokens = client.poll(&ack).await.unwrap();
    let claims = tokens.claims().unwrap();
    assert_eq!(claims.sub, "alice");
    assert_eq!(tokens.token_type(), "bearer");
    assert!(tokens.refresh_token().is_some());
    // The auth_req_id is single use.
    assert!(matches!(client.poll(&ack).await, Err(CibaError::Finished)));
}

#[tokio::test]
async fn poll_mode_approved_and_denied_through_the_control_route() {
    let client = poll_client().await;
    for (decision, approved) in [(CibaDecision::Approve, true), (CibaDecision::Deny, false)] {
        let ack = client.initiate(&request("bob")).await.unwrap();
        let poll = {
            let (client, ack) = (client.clone(), ack.clone());
            tokio::spawn(async move { client.poll(&ack).await })
        };
        provider()
            .ciba_decide(ack.auth_req_id().expose(), decision, None)
            .await
            .unwrap();
        let result = poll.await.unwrap();
        if approved {
            assert_eq!(result.unwrap().claims().unwrap().sub, "bob");
        } else {
            assert!(
                matches!(result, Err(CibaError::AccessDenied { .. })),
                "{result:?}"
            );
        }
    }
}

#[tokio::test]
async fn denial_by_the_login_hint_rule() {
    let client = poll_client().await;
    let ack = client
        .initiate(&request("alice;deny_after=0"))
        .await
        .unwrap();
    let err = client.poll(&ack).await.unwrap_err();
    assert!(matches!(err, CibaError::AccessDenied { .. }), "{err:?}");
    assert_eq!(err.oauth_error(), Some("access_denied"));
}

#[tokio::test]
async fn slow_down_and_503_from_the_provider_lengthen_the_interval() {
    let client = poll_client().await;
    let ack = client
        .initiate(&request(
            "alice;interval=1;unavailable=1;slow_down=2;approve_after=4",
        ))
        .await
        .unwrap();
    assert_eq!(ack.interval(), 1);
    assert!(ack.interval_was_sent());
    client.poll(&ack).await.unwrap();
    assert_eq!(ack.current_interval_seconds(), 11);
}

#[tokio::test]
async fn an_unanswered_request_ends_at_its_requested_expiry() {
    let client = poll_client().await;
    let ack = client
        .initiate(&request("alice").requested_expiry(NonZeroU32::new(1).unwrap()))
        .await
        .unwrap();
    assert_eq!(ack.expires_in(), 1);
    // The provider counts whole seconds from its own clock, so it may say `expired_token`
    // before the client's deadline (receipt + expires_in) passes; either ends the request.
    let result = client.poll(&ack).await;
    assert!(
        matches!(
            result,
            Err(CibaError::Deadline | CibaError::ExpiredToken { .. })
        ),
        "{result:?}"
    );
    assert!(ack.is_finished());
}

#[tokio::test]
async fn the_backchannel_endpoint_s_refusals_are_typed() {
    let client = poll_client().await;
    let cases = [
        (request("unknown"), "unknown_user_id"),
        (
            BackchannelRequest::new("openid", UserHint::LoginHint("alice".into())),
            "missing_user_code",
        ),
        (
            BackchannelRequest::new("openid", UserHint::LoginHint("alice".into()))
                .user_code("9999"),
            "invalid_user_code",
        ),
        (
            request("alice").binding_message("not allowed by the provider"),
            "invalid_binding_message",
        ),
        (
            BackchannelRequest::new("openid", UserHint::LoginHintToken("expired".into()))
                .user_code("1234"),
            "expired_login_hint_token",
        ),
    ];
    for (request, error) in cases {
        let err = client.initiate(&request).await.unwrap_err();
        assert_eq!(err.oauth_error(), Some(error), "{err:?}");
    }
}

#[tokio::test]
async fn dpop_bound_tokens_when_a_dpop_handle_is_given() {
    let dpop = Arc::new(dpop::DpopClient::generate(JwsAlgorithm::ES256).unwrap());
    let client = poll_client().await.dpop(dpop);
    let ack = client
        .initiate(&request("alice;approve_after=0"))
        .await
        .unwrap();
    let tokens = client.poll(&ack).await.unwrap();
    assert_eq!(tokens.token_type(), "dpop");
}

#[tokio::test]
async fn fapi_style_client_with_signed_requests_and_private_key_jwt() {
    let client = CibaClient::with_profile(config("client-ciba-fapi").await, Profile::Fapi)
        .unwrap()
        .request_signer(fapi_key("client-ciba-fapi"))
        .unwrap()
        .request_lifetime(Duration::from_secs(600))
        .unwrap()
        .poll_options(fast());
    let ack = client
        .initiate(
            &BackchannelRequest::new("openid", UserHint::LoginHint("bob;approve_after=0".into()))
                .binding_message("FAPI-1"),
        )
        .await
        .unwrap();
    let tokens = client.poll(&ack).await.unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "bob");
    // Without a binding message (and no unique context), FAPI refuses before sending.
    assert!(matches!(
        client
            .initiate(&BackchannelRequest::new(
                "openid",
                UserHint::LoginHint("bob".into())
            ))
            .await,
        Err(CibaError::Profile { .. })
    ));
}

#[tokio::test]
async fn ping_mode_notification_then_one_exchange() {
    let store = Arc::new(InMemoryPendingStore::default());
    let client = CibaClient::new(config("client-ciba-ping").await)
        .unwrap()
        .pending_store(store.clone());
    let mut server = notification_server(client.notification_handler().unwrap()).await;

    for (decision, approved) in [(CibaDecision::Approve, true), (CibaDecision::Deny, false)] {
        let ack = client
            .initiate(&BackchannelRequest::new(
                "openid email",
                UserHint::LoginHint("alice".into()),
            ))
            .await
            .unwrap();
        let id = ack.auth_req_id().expose().to_owned();
        // The provider pings on success and on denial.
        provider()
            .ciba_decide(&id, decision, Some(&server.url))
            .await
            .unwrap();
        match server.received.recv().await.unwrap() {
            Notification::Ping { auth_req_id } => assert!(auth_req_id.matches(&id)),
            other => panic!("{other:?}"),
        }
        assert!(!store.wait(&id).await.unwrap().is_waiting());
        let result = client.exchange(&ack).await;
        if approved {
            assert_eq!(result.unwrap().claims().unwrap().sub, "alice");
        } else {
            assert!(matches!(result, Err(CibaError::AccessDenied { .. })));
        }
        store.remove(&id);
    }
}

#[tokio::test]
async fn a_ping_with_a_wrong_token_is_refused_and_the_provider_sees_the_401() {
    let store = Arc::new(InMemoryPendingStore::default());
    let client = CibaClient::new(config("client-ciba-ping").await)
        .unwrap()
        .pending_store(store.clone());
    // The endpoint knows the request under another token than the one the provider holds.
    let other_store = Arc::new(InMemoryPendingStore::default());
    let handler =
        ciba::NotificationHandler::new(client.configuration().clone(), other_store.clone());
    let server = notification_server(handler).await;
    let ack = client
        .initiate(&BackchannelRequest::new(
            "openid",
            UserHint::LoginHint("alice".into()),
        ))
        .await
        .unwrap();
    let id = ack.auth_req_id().expose();
    other_store
        .insert(ciba::PendingRequest::new(
            ack.auth_req_id().clone(),
            ciba::DeliveryMode::Ping,
            ciba::ClientNotificationToken::generate().unwrap(),
            std::time::SystemTime::now() + Duration::from_secs(60),
        ))
        .unwrap();
    let err = provider()
        .ciba_decide(id, CibaDecision::Approve, Some(&server.url))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
    assert!(other_store.get(id).unwrap().state.is_waiting());
}

#[tokio::test]
async fn ping_authenticated_by_a_signed_client_notification_token() {
    let rp_key = common::generated_key(JwsAlgorithm::ES256, "rp-notify-1");
    let own_keys = JwkSet::new(vec![rp_key.public_jwk().unwrap()]).unwrap();
    let issuer = NotificationTokenIssuer::new(rp_key).unwrap();
    let store = Arc::new(InMemoryPendingStore::default());
    let client = CibaClient::new(config("client-ciba-ping").await)
        .unwrap()
        .pending_store(store.clone());
    let handler = client
        .notification_handler()
        .unwrap()
        .verify_signed_tokens(NotificationTokenVerifier::new(own_keys));
    let mut server = notification_server(handler).await;
    let minted = issuer.mint().unwrap();
    let ack = client
        .initiate(
            &BackchannelRequest::new("openid", UserHint::LoginHint("bob".into()))
                .signed_notification_token(&minted),
        )
        .await
        .unwrap();
    let stored = store.get(ack.auth_req_id().expose()).unwrap();
    assert_eq!(stored.request.nonce(), Some(minted.nonce()));
    provider()
        .ciba_decide(
            ack.auth_req_id().expose(),
            CibaDecision::Approve,
            Some(&server.url),
        )
        .await
        .unwrap();
    assert!(matches!(
        server.received.recv().await.unwrap(),
        Notification::Ping { .. }
    ));
    assert_eq!(
        client.exchange(&ack).await.unwrap().claims().unwrap().sub,
        "bob"
    );
    // The same signed token cannot start a second request.
    let err = client
        .initiate(
            &BackchannelRequest::new("openid", UserHint::LoginHint("bob".into()))
                .signed_notification_token(&minted),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, CibaError::NotificationTokenReused), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notification_token_bound_by_one_instance_is_refused_by_another() {
    // Two RP instances share a Redis replay store (a real redis-server on loopback).
    let redis = test_redis::TestRedis::start().unwrap();
    let replay = || {
        let config = replay_store::RedisConfig::from_url(&redis.url())
            .unwrap()
            .timeout(Duration::from_millis(1500));
        Arc::new(replay_store::RedisReplayStore::new(
            replay_store::RedisConnection::new(config),
        ))
    };
    let instance = |store: Arc<replay_store::RedisReplayStore>| async move {
        CibaClient::new(config("client-ciba-ping").await)
            .unwrap()
            .pending_store(Arc::new(InMemoryPendingStore::default()))
            .replay_store(store)
    };
    let (a, b) = (instance(replay()).await, instance(replay()).await);
    let token = ciba::ClientNotificationToken::generate().unwrap();
    let request = BackchannelRequest::new("openid", UserHint::LoginHint("alice".into()))
        .client_notification_token(token.clone());
    assert!(a.initiate(&request).await.is_ok());
    let err = b.initiate(&request).await.unwrap_err();
    assert!(matches!(err, CibaError::NotificationTokenReused), "{err}");

    // With the store down, a ping request is not registered: fail closed, with the store's code.
    redis.stop();
    let fresh = BackchannelRequest::new("openid", UserHint::LoginHint("alice".into()));
    let err = a.initiate(&fresh).await.unwrap_err();
    assert!(matches!(err, CibaError::ReplayStore(_)), "{err}");
    assert!(
        matches!(
            err.code(),
            "replay_store_unavailable" | "replay_store_timeout"
        ),
        "{err}"
    );
}
