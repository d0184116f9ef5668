//! The client notification endpoint over loopback HTTP (a hyper server around
//! `NotificationHandler`, as in `examples/notification_endpoint.rs`), fed by a sender in the
//! test that plays an OpenID Provider in push mode (oidc-provider has no push mode): pushed
//! tokens, push errors, redelivery, and every failure of CIBA §10.3.1 and §10.2, each with its
//! status and nothing stored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use ciba::{
    AuthReqId, CibaError, ClientNotificationToken, DeliveryMode, InMemoryPendingStore,
    Notification, NotificationHandler, PendingRequest, PendingState, PushCheck, PushErrorCode,
    token_hash,
};
use common::{Script, config, id_token, notification_server, op_key, post_notification, rogue_key};
use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const ID: &str = "1c266114-a1be-4252-8ad1-04986c5b9ac1";
const AT: &str = "G5kXH2wHvUra0sHlDy1iTkDJgsgUO1bN";
const RT: &str = "4bwc0ESC_IAhflf-ACC_vjD_ltc11ne-8gFPfA2Kx16";

struct Setup {
    store: Arc<InMemoryPendingStore>,
    handler: NotificationHandler,
    token: ClientNotificationToken,
}

fn setup(mode: DeliveryMode) -> Setup {
    let script = Script::new();
    let store = Arc::new(InMemoryPendingStore::default());
    let handler = NotificationHandler::new(config(&script, mode.as_str()), store.clone());
    let token = ClientNotificationToken::generate().unwrap();
    store
        .insert(PendingRequest::new(
            AuthReqId::new(ID).unwrap(),
            mode,
            token.clone(),
            SystemTime::now() + Duration::from_secs(120),
        ))
        .unwrap();
    Setup {
        store,
        handler,
        token,
    }
}

/// The claims a valid pushed ID Token carries for `AT` and `RT`.
fn good_claims() -> Value {
    json!({
        "at_hash": token_hash(JwsAlgorithm::ES256, AT),
        "urn:openid:params:jwt:claim:rt_hash": token_hash(JwsAlgorithm::ES256, RT),
        "urn:openid:params:jwt:claim:auth_req_id": ID,
    })
}

fn push_body(id_token: &str, refresh: bool) -> Value {
    let mut body = json!({
        "auth_req_id": ID,
        "access_token": AT,
        "token_type": "Bearer",
        "expires_in": 120,
        "id_token": id_token,
    });
    if refresh {
        body["refresh_token"] = RT.into();
    }
    body
}

fn with(mut claims: Value, name: &str, value: Value) -> Value {
    claims[name] = value;
    claims
}

fn waiting(store: &InMemoryPendingStore) -> bool {
    store.get(ID).unwrap().state.is_waiting()
}

/// Posts a push `body` that must be refused (400, no body) to the endpoint at `url`, and
/// hands it to the handler; asserts that the request is still waiting. The handler's error.
async fn refused_push(s: &Setup, url: &str, body: &Value, what: &str) -> CibaError {
    let bearer = Some(s.token.expose());
    assert_eq!(
        post_notification(url, bearer, body).await,
        (400, None),
        "{what}"
    );
    let err = s
        .handler
        .handle(bearer, body.as_object().unwrap())
        .await
        .unwrap_err();
    assert!(waiting(&s.store), "{what}: nothing stored");
    err
}

#[tokio::test]
async fn pushed_tokens_are_validated_stored_and_redelivery_is_idempotent() {
    let s = setup(DeliveryMode::Push);
    let mut server = notification_server(s.handler.clone()).await;
    let body = push_body(&id_token(op_key(), good_claims()), true);
    let bearer = Some(s.token.expose());

    assert_eq!(
        post_notification(&server.url, bearer, &body).await,
        (204, None)
    );
    match server.received.recv().await.unwrap() {
        Notification::Tokens {
            auth_req_id,
            tokens,
        } => {
            assert!(auth_req_id.matches(ID));
            assert_eq!(tokens.tokens().access_token(), AT);
            assert_eq!(tokens.tokens().refresh_token(), Some(RT));
            assert_eq!(tokens.claims().sub, "alice");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        s.store.get(ID).unwrap().state,
        PendingState::Tokens(_)
    ));

    // The same push again (a retry): 204 and nothing new.
    assert_eq!(
        post_notification(&server.url, bearer, &body).await,
        (204, None)
    );
    assert!(matches!(
        server.received.recv().await.unwrap(),
        Notification::Redelivery { .. }
    ));
    // Another result for the same request: refused.
    let other = push_body(&id_token(op_key(), good_claims()), false);
    assert_eq!(post_notification(&server.url, bearer, &other).await.0, 400);
    assert!(
        matches!(s.store.get(ID).unwrap().state, PendingState::Tokens(_)),
        "the first result stays"
    );
}

#[tokio::test]
async fn a_push_without_refresh_token_needs_no_rt_hash() {
    let s = setup(DeliveryMode::Push);
    let claims = with(
        good_claims(),
        "urn:openid:params:jwt:claim:rt_hash",
        Value::Null,
    );
    let body = push_body(&id_token(op_key(), claims), false);
    let result = s
        .handler
        .handle(Some(s.token.expose()), body.as_object().unwrap())
        .await;
    assert!(
        matches!(result, Ok(Notification::Tokens { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn every_failure_of_the_pushed_id_token_is_a_400_and_stores_nothing() {
    let s = setup(DeliveryMode::Push);
    let server = notification_server(s.handler.clone()).await;
    let auth_claim = "urn:openid:params:jwt:claim:auth_req_id";
    let rt_claim = "urn:openid:params:jwt:claim:rt_hash";
    // The good push body with one claim of the ID Token changed (`null` removes it).
    let changed = |name: &str, value: Value| {
        push_body(&id_token(op_key(), with(good_claims(), name, value)), true)
    };
    // Another access token next to a good ID Token.
    let mut swapped = push_body(&id_token(op_key(), good_claims()), true);
    swapped["access_token"] = "another-access-token".into();
    let cases: Vec<(&str, Value, PushCheck)> = vec![
        (
            "no id_token",
            {
                let mut b = push_body("x", true);
                b.as_object_mut().unwrap().remove("id_token");
                b
            },
            PushCheck::Missing,
        ),
        (
            "signed by a key outside the provider's set",
            push_body(&id_token(rogue_key(), good_claims()), true),
            PushCheck::Validation,
        ),
        (
            "another audience",
            changed("aud", "someone-else".into()),
            PushCheck::Validation,
        ),
        (
            "another issuer",
            changed("iss", "https://evil.test".into()),
            PushCheck::Validation,
        ),
        (
            "expired",
            changed("exp", (common::now() - 3600).into()),
            PushCheck::Validation,
        ),
        (
            "a nonce (CIBA has none)",
            changed("nonce", "n".into()),
            PushCheck::Validation,
        ),
        (
            "no auth_req_id claim",
            changed(auth_claim, Value::Null),
            PushCheck::AuthReqIdMissing,
        ),
        (
            "another auth_req_id claim",
            changed(auth_claim, "other".into()),
            PushCheck::AuthReqIdMismatch,
        ),
        (
            "no at_hash",
            changed("at_hash", Value::Null),
            PushCheck::AtHashMissing,
        ),
        (
            "a refresh token and no rt_hash",
            changed(rt_claim, Value::Null),
            PushCheck::RtHashMissing,
        ),
        (
            "rt_hash of the access token",
            changed(rt_claim, token_hash(JwsAlgorithm::ES256, AT).into()),
            PushCheck::RtHashMismatch,
        ),
        (
            "rt_hash with the wrong hash",
            changed(rt_claim, token_hash(JwsAlgorithm::ES384, RT).into()),
            PushCheck::RtHashMismatch,
        ),
        // A wrong at_hash: another access token next to the ID Token, or another hash value
        // for the right token (OpenID Connect validation compares it first; reported as the
        // binding).
        ("another access token", swapped, PushCheck::AtHashMismatch),
        (
            "at_hash of another token",
            changed("at_hash", token_hash(JwsAlgorithm::ES256, "x").into()),
            PushCheck::AtHashMismatch,
        ),
    ];
    for (what, body, check) in cases {
        let err = refused_push(&s, &server.url, &body, what).await;
        assert!(
            matches!(err, CibaError::PushIdToken { check: c, .. } if c == check),
            "{what}: {err:?}"
        );
    }
}

/// An ID Token with exactly these claims, signed by the provider's key (or unsigned).
fn raw_id_token(claims: &Value, signed: bool) -> String {
    if !signed {
        let header = jose_core::b64::encode(br#"{"alg":"none"}"#);
        let payload = jose_core::b64::encode(claims.to_string().as_bytes());
        return format!("{header}.{payload}.");
    }
    jws::compact::CompactSign::new(claims.to_string().as_bytes())
        .header(JwsHeader::new(JwsAlgorithm::ES256).with_kid("op-1"))
        .sign(op_key())
        .unwrap()
}

#[tokio::test]
async fn the_full_openid_connect_validation_applies_to_pushed_id_tokens() {
    let now = common::now();
    let base = || {
        let mut claims = good_claims();
        for (name, value) in [
            ("iss", json!(common::ISSUER)),
            ("sub", json!("alice")),
            ("aud", json!(common::CLIENT)),
            ("iat", json!(now)),
            ("exp", json!(now + 300)),
        ] {
            claims[name] = value;
        }
        claims
    };
    // The crafted claims are accepted as they are...
    let accepted = setup(DeliveryMode::Push);
    let good = push_body(&raw_id_token(&base(), true), true);
    accepted
        .handler
        .handle(Some(accepted.token.expose()), good.as_object().unwrap())
        .await
        .unwrap();
    // ...and each of these variations is refused by the OpenID Connect checks.
    let cases = [
        (
            "unsigned (alg none)",
            raw_id_token(&base(), false),
            "not signed",
        ),
        (
            "several audiences and no azp",
            raw_id_token(&with(base(), "aud", json!([common::CLIENT, "other"])), true),
            "azp is missing",
        ),
        (
            "azp naming another client",
            raw_id_token(
                &with(
                    with(base(), "aud", json!([common::CLIENT, "other"])),
                    "azp",
                    json!("other"),
                ),
                true,
            ),
            "azp is not the client_id",
        ),
        (
            "issued an hour in the future",
            raw_id_token(&with(base(), "iat", json!(now + 3600)), true),
            "IssuedAt",
        ),
        (
            "no sub",
            raw_id_token(
                &{
                    let mut c = base();
                    c.as_object_mut().unwrap().remove("sub");
                    c
                },
                true,
            ),
            "sub is missing",
        ),
        (
            "a payload that is not JSON",
            jws::compact::CompactSign::new(b"not json")
                .header(JwsHeader::new(JwsAlgorithm::ES256).with_kid("op-1"))
                .sign(op_key())
                .unwrap(),
            "not a JSON object",
        ),
    ];
    let s = setup(DeliveryMode::Push);
    let server = notification_server(s.handler.clone()).await;
    for (what, token, reason) in cases {
        let err = refused_push(&s, &server.url, &push_body(&token, true), what).await;
        assert!(
            matches!(
                &err,
                CibaError::PushIdToken {
                    check: PushCheck::Validation,
                    detail: Some(detail),
                } if detail.contains(reason)
            ),
            "{what}: {err:?}"
        );
    }
}

#[tokio::test]
async fn push_errors_are_recorded_as_typed_failures() {
    for (code, expected) in [
        ("access_denied", PushErrorCode::AccessDenied),
        ("expired_token", PushErrorCode::ExpiredToken),
        ("transaction_failed", PushErrorCode::TransactionFailed),
    ] {
        let s = setup(DeliveryMode::Push);
        let mut server = notification_server(s.handler.clone()).await;
        let body = json!({"auth_req_id": ID, "error": code, "error_description": "details"});
        assert_eq!(
            post_notification(&server.url, Some(s.token.expose()), &body).await,
            (204, None)
        );
        match server.received.recv().await.unwrap() {
            Notification::Error { error, .. } => {
                assert_eq!(error.code, expected);
                assert_eq!(error.description.as_deref(), Some("details"));
                assert_eq!(error.to_error().oauth_error(), Some(code));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            s.store.get(ID).unwrap().state,
            PendingState::Failed(_)
        ));
    }
}

#[tokio::test]
async fn malformed_push_payloads_are_400() {
    let s = setup(DeliveryMode::Push);
    let server = notification_server(s.handler.clone()).await;
    let bearer = Some(s.token.expose());
    for body in [
        json!({"auth_req_id": ID, "error": "server_error"}),
        json!({"auth_req_id": ID, "error": "access_denied", "access_token": AT}),
        json!({"auth_req_id": ID, "error": "access_denied", "error_description": 5}),
        json!({"auth_req_id": ID, "access_token": AT}),
        json!({"auth_req_id": 7, "error": "access_denied"}),
        json!({"error": "access_denied"}),
        // A ping body for a push-mode request.
        json!({"auth_req_id": ID}),
    ] {
        assert_eq!(
            post_notification(&server.url, bearer, &body).await,
            (400, None),
            "{body}"
        );
        assert!(waiting(&s.store), "{body}");
    }
}

#[tokio::test]
async fn calls_without_the_right_bearer_token_are_401_and_store_nothing() {
    let s = setup(DeliveryMode::Push);
    let server = notification_server(s.handler.clone()).await;
    let body = push_body(&id_token(op_key(), good_claims()), true);
    let invalid = Some("Bearer error=\"invalid_token\"".to_owned());
    // Missing.
    assert_eq!(
        post_notification(&server.url, None, &body).await,
        (401, Some("Bearer".to_owned()))
    );
    // Wrong.
    let other = ClientNotificationToken::generate().unwrap();
    assert_eq!(
        post_notification(&server.url, Some(other.expose()), &body).await,
        (401, invalid.clone())
    );
    // Outside the b64token syntax, or over 1024 characters.
    assert_eq!(
        post_notification(&server.url, Some("a,b"), &body).await,
        (401, invalid.clone())
    );
    let long = "a".repeat(1025);
    assert_eq!(
        post_notification(&server.url, Some(&long), &body).await,
        (401, invalid.clone())
    );
    // The right token for an unknown auth_req_id.
    let mut unknown = body.clone();
    unknown["auth_req_id"] = "unknown-id".into();
    assert_eq!(
        post_notification(&server.url, Some(s.token.expose()), &unknown).await,
        (401, invalid.clone())
    );
    assert!(waiting(&s.store));
}

#[tokio::test]
async fn a_token_of_another_request_is_refused() {
    let s = setup(DeliveryMode::Ping);
    let second = ClientNotificationToken::generate().unwrap();
    s.store
        .insert(PendingRequest::new(
            AuthReqId::new("second-request").unwrap(),
            DeliveryMode::Ping,
            second.clone(),
            SystemTime::now() + Duration::from_secs(60),
        ))
        .unwrap();
    let body = json!({"auth_req_id": ID});
    let err = s
        .handler
        .handle(Some(second.expose()), body.as_object().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, CibaError::NotificationTokenMismatch));
    assert_eq!(err.notification_status(), 401);
    assert!(waiting(&s.store));
    // Reusing a token for a new request is refused when it is stored.
    let reuse = PendingRequest::new(
        AuthReqId::new("third-request").unwrap(),
        DeliveryMode::Ping,
        s.token.clone(),
        SystemTime::now() + Duration::from_secs(60),
    );
    assert!(matches!(
        s.store.insert(reuse),
        Err(CibaError::NotificationTokenReused)
    ));
}

#[tokio::test]
async fn pings_are_recorded_once_and_redelivered_pings_ignored() {
    let s = setup(DeliveryMode::Ping);
    let mut server = notification_server(s.handler.clone()).await;
    let bearer = Some(s.token.expose());
    // Unknown members are ignored.
    let ping = json!({"auth_req_id": ID, "x_vendor": true});
    assert_eq!(
        post_notification(&server.url, bearer, &ping).await,
        (204, None)
    );
    assert!(matches!(
        server.received.recv().await.unwrap(),
        Notification::Ping { .. }
    ));
    assert!(matches!(
        s.store.get(ID).unwrap().state,
        PendingState::Pinged
    ));
    assert_eq!(
        post_notification(&server.url, bearer, &ping).await,
        (204, None)
    );
    assert!(matches!(
        server.received.recv().await.unwrap(),
        Notification::Redelivery { .. }
    ));
    // A push body for a ping-mode request.
    let push = json!({"auth_req_id": ID, "error": "access_denied"});
    assert_eq!(post_notification(&server.url, bearer, &push).await.0, 400);
    assert!(matches!(
        s.handler.handle(bearer, push.as_object().unwrap()).await,
        Err(CibaError::WrongDeliveryMode {
            expected: DeliveryMode::Ping,
            got: DeliveryMode::Push
        })
    ));
}

#[tokio::test]
async fn the_http_layer_refuses_non_json_and_oversized_bodies() {
    let s = setup(DeliveryMode::Ping);
    let err = s
        .handler
        .handle_http(
            Some(&format!("Bearer {}", s.token.expose())),
            b"auth_req_id=x",
        )
        .await
        .unwrap_err();
    assert!(matches!(err, CibaError::InvalidNotification(_)));
    let dup = format!(r#"{{"auth_req_id":"{ID}","auth_req_id":"{ID}"}}"#);
    assert!(
        s.handler
            .handle_http(
                Some(&format!("Bearer {}", s.token.expose())),
                dup.as_bytes()
            )
            .await
            .is_err()
    );
    let big = vec![b' '; ciba::MAX_NOTIFICATION_BYTES + 1];
    assert!(
        s.handler
            .handle_http(Some(&format!("Bearer {}", s.token.expose())), &big)
            .await
            .is_err()
    );
    assert!(matches!(
        s.handler
            .handle_http(Some("Basic abc"), br#"{"auth_req_id":"x"}"#)
            .await,
        Err(CibaError::MalformedBearerToken)
    ));
    assert!(waiting(&s.store));
}
