//! The client side against a scripted OpenID Provider, in virtual time (tokio's paused clock):
//! the request and its checks, the acknowledgement, polling timing (interval from the previous
//! send, `slow_down`, `503 Retry-After`, long polls, the local deadline), cancellation, one
//! request in flight, the terminal errors, DPoP, signed requests and the FAPI profile.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use ciba::{
    BackchannelAck, BackchannelRequest, CibaClient, CibaError, ClientNotificationToken,
    DeliveryMode, InMemoryPendingStore, PollOptions, Profile, UserHint,
};
use common::{Answer, CLIENT, ISSUER, Script, config, token_response};
use core::num::NonZeroU32;
use jose_core::alg::JwsAlgorithm;
use jws::SigningKey;
use oauth_client::{ClientAuth, Configuration, TokenResponse};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::Instant;

fn alice() -> BackchannelRequest {
    BackchannelRequest::new("openid email", UserHint::LoginHint("alice".into()))
}

fn ack_answer(interval: Option<u64>, expires_in: u64) -> Answer {
    let mut body = json!({ "auth_req_id": "req-1_a.b", "expires_in": expires_in });
    if let Some(i) = interval {
        body["interval"] = i.into();
    }
    Answer::json(200, body)
}

fn poll_client(script: &Arc<Script>) -> CibaClient {
    CibaClient::new(config(script, "poll")).unwrap()
}

/// Gaps between the backchannel request and each token request, in whole seconds of
/// virtual time.
fn gaps(script: &Script) -> Vec<Duration> {
    let mut times: Vec<Instant> = script.seen("/bc").iter().map(|s| s.at).collect();
    times.extend(script.seen("/token").iter().map(|s| s.at));
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

#[tokio::test(start_paused = true)]
async fn each_poll_waits_the_interval_from_the_previous_send() {
    let script = Script::new();
    script.push("/bc", ack_answer(Some(2), 60));
    script.push("/token", Answer::error("authorization_pending"));
    script.push("/token", Answer::error("authorization_pending"));
    script.push("/token", Answer::json(200, token_response("at-1")));
    let client = poll_client(&script);
    let ack = client.initiate(&alice()).await.unwrap();
    assert_eq!(ack.interval(), 2);
    let tokens = client.poll(&ack).await.unwrap();
    assert_eq!(tokens.access_token(), "at-1");
    assert_eq!(tokens.claims().unwrap().sub, "alice");
    assert_eq!(gaps(&script), [Duration::from_secs(2); 3]);
    let seen = script.seen("/token");
    assert_eq!(seen[0].param("grant_type"), Some(ciba::CIBA_GRANT_TYPE));
    assert_eq!(seen[0].param("auth_req_id"), Some("req-1_a.b"));
    assert!(ack.is_finished());
    assert!(matches!(client.poll(&ack).await, Err(CibaError::Finished)));
}

#[tokio::test(start_paused = true)]
async fn without_an_interval_the_client_waits_5_seconds() {
    let script = Script::new();
    script.push("/bc", ack_answer(None, 60));
    script.push("/token", Answer::error("authorization_pending"));
    script.push("/token", Answer::json(200, token_response("at")));
    let client = poll_client(&script);
    let ack = client.initiate(&alice()).await.unwrap();
    client.poll(&ack).await.unwrap();
    assert_eq!(gaps(&script), [Duration::from_secs(5); 2]);
}

#[tokio::test(start_paused = true)]
async fn slow_down_adds_5_seconds_for_the_rest_of_the_request() {
    let script = Script::new();
    script.push("/bc", ack_answer(Some(1), 120));
    script.push("/token", Answer::error("slow_down"));
    script.push("/token", Answer::error("authorization_pending"));
    script.push("/token", Answer::error("slow_down"));
    script.push("/token", Answer::error("authorization_pending"));
    script.push("/token", Answer::json(200, token_response("at")));
    let client = poll_client(&script);
    let ack = client.initiate(&alice()).await.unwrap();
    client.poll(&ack).await.unwrap();
    let s = Duration::from_secs;
    assert_eq!(gaps(&script), [s(1), s(6), s(6), s(11), s(11)]);
    assert_eq!(ack.current_interval_seconds(), 11);
}

#[tokio::test(start_paused = true)]
async fn a_503_waits_for_retry_after_in_seconds_or_as_a_date() {
    let script = Script::new();
    script.push("/bc", ack_answer(Some(1), 120));
    script.push(
        "/token",
        Answer::json(503, json!({})).header("retry-after", "7"),
    );
    // No Retry-After: the interval applies.
    script.push("/token", Answer::json(503, json!({})));
    script.push("/token", Answer::json(200, token_response("at")));
    let client = poll_client(&script);
    let ack = client.initiate(&alice()).await.unwrap();
    client.poll(&ack).await.unwrap();
    let s = Duration::from_secs;
    assert_eq!(gaps(&script), [s(1), s(7), s(1)]);
}

#[tokio::test(start_paused = true)]
async fn a_long_poll_answered_late_is_followed_at_once() {
    let script = Script::new();
    script.push("/bc", ack_answer(Some(2), 120));
    script.push("/token", Answer::error("authorization_pending"));
    script.push("/token", Answer::json(200, token_response("at")));
    *script.delay.lock().unwrap() = Some(Duration::from_secs(25));
    let client = poll_client(&script);
    let ack = client.initiate(&alice()).await.unwrap();
    client.poll(&ack).await.unwrap();
    let s = Duration::from_secs;
    // The first waits the interval; the second is sent as soon as the first answer arrives.
    assert_eq!(gaps(&script), [s(2), s(25)]);
}

#[tokio::test(start_paused = true)]
async fn a_long_poll_beyond_the_read_timeout_is_asked_again_until_the_deadline() {
    let script = Script::new();
    script.push("/bc", ack_answer(Some(1), 100));
    script.push("/token", Answer::error("authorization_pending"));
    *script.delay.lock().unwrap() = Some(Duration::from_secs(3600));
    let client =
        poll_client(&script).poll_options(PollOptions::new().read_timeout(Duration::from_secs(40)));
    let ack = client.initiate(&alice()).await.unwrap();
    let started = Instant::now();
    assert!(matches!(client.poll(&ack).await, Err(CibaError::Deadline)));
    // Requests at 1 s (times out at 41 s), 41 s (times out at 81 s), 81 s (cut at 100 s).
    assert_eq!(script.seen("/token").len(), 3);
    assert_eq!(started.elapsed(), Duration::from_secs(100));
}

#[tokio::test(start_paused = true)]
async fn polling_stops_at_the_local_deadline() {
    let script = Script::new();
    script.push("/bc", ack_answer(Some(3), 10));
    script.push("/token", Answer::error("authorization_pending"));
    let client = poll_client(&script);
    let ack = client.initiate(&alice()).await.unwrap();
    assert!(matches!(client.poll(&ack).await, Err(CibaError::Deadline)));
    // At 3, 6 and 9 s; the next (12 s) would be after expires_in.
    assert_eq!(script.seen("/token").len(), 3);
    assert!(ack.is_finished());
}

/// A poll running on a task for a request the provider keeps answering
/// `authorization_pending` (every 2 s, for 10 minutes): the script, the client, the
/// acknowledgement and the task.
async fn running_poll() -> (
    Arc<Script>,
    CibaClient,
    BackchannelAck,
    JoinHandle<Result<TokenResponse, CibaError>>,
) {
    let script = Script::new();
    script.push("/bc", ack_answer(Some(2), 600));
    script.push("/token", Answer::error("authorization_pending"));
    let client = poll_client(&script);
    let ack = client.initiate(&alice()).await.unwrap();
    let task = {
        let (client, ack) = (client.clone(), ack.clone());
        tokio::spawn(async move { client.poll(&ack).await })
    };
    (script, client, ack, task)
}

#[tokio::test(start_paused = true)]
async fn cancel_stops_a_running_poll_and_later_ones() {
    let (script, client, ack, task) = running_poll().await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    ack.cancel();
    assert!(matches!(task.await.unwrap(), Err(CibaError::Cancelled)));
    assert!(matches!(client.poll(&ack).await, Err(CibaError::Cancelled)));
    assert_eq!(script.seen("/token").len(), 2);
}

#[tokio::test(start_paused = true)]
async fn only_one_poll_runs_per_auth_req_id_and_a_dropped_poll_frees_it() {
    let (script, client, ack, task) = running_poll().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(matches!(
        client.poll(&ack.clone()).await,
        Err(CibaError::AlreadyPolling)
    ));
    assert!(matches!(
        client.exchange(&ack).await,
        Err(CibaError::AlreadyPolling)
    ));
    task.abort();
    let _ = task.await;
    script.push("/token", Answer::json(200, token_response("at")));
    // The aborted poll released the flag; the script now answers pending once more, then
    // tokens.
    client.poll(&ack).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn terminal_answers_are_typed_and_end_the_request() {
    for (error, check) in [
        (
            "access_denied",
            (|e: &CibaError| matches!(e, CibaError::AccessDenied { .. })) as fn(&CibaError) -> bool,
        ),
        ("expired_token", |e| {
            matches!(e, CibaError::ExpiredToken { .. })
        }),
        ("invalid_grant", |e| {
            matches!(e, CibaError::InvalidGrant { .. })
        }),
        ("unauthorized_client", |e| {
            e.oauth_error() == Some("unauthorized_client")
        }),
        ("invalid_request", |e| {
            e.oauth_error() == Some("invalid_request")
        }),
    ] {
        let script = Script::new();
        script.push("/bc", ack_answer(Some(1), 60));
        script.push(
            "/token",
            Answer::json(400, json!({"error": error, "error_description": "no"})),
        );
        let client = poll_client(&script);
        let ack = client.initiate(&alice()).await.unwrap();
        let err = client.poll(&ack).await.unwrap_err();
        assert!(check(&err), "{error}: {err:?}");
        assert_eq!(err.oauth_error(), Some(error));
        assert!(ack.is_finished());
        assert!(matches!(client.poll(&ack).await, Err(CibaError::Finished)));
    }
}

#[tokio::test(start_paused = true)]
async fn token_responses_need_a_valid_id_token() {
    let script = Script::new();
    script.push("/bc", ack_answer(Some(1), 60));
    script.push(
        "/token",
        Answer::json(200, json!({"access_token": "at", "token_type": "Bearer"})),
    );
    let client = poll_client(&script);
    let ack = client.initiate(&alice()).await.unwrap();
    assert!(matches!(
        client.poll(&ack).await,
        Err(CibaError::MissingIdToken)
    ));

    let script = Script::new();
    script.push("/bc", ack_answer(Some(1), 60));
    let mut bad = token_response("at");
    bad["access_token"] = "another-token".into();
    script.push("/token", Answer::json(200, bad));
    let client = poll_client(&script);
    let ack = client.initiate(&alice()).await.unwrap();
    let err = client.poll(&ack).await.unwrap_err();
    assert!(
        matches!(&err, CibaError::OAuth(e) if matches!(**e, oauth_client::Error::IdToken { check: oauth_client::IdTokenCheck::AccessTokenHash, .. })),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn dpop_proofs_go_with_every_token_request_but_not_the_backchannel_request() {
    let script = Script::new();
    script.push("/bc", ack_answer(Some(1), 60));
    script.push("/token", Answer::error("authorization_pending"));
    script.push("/token", Answer::json(200, token_response("at")));
    let dpop = Arc::new(dpop::DpopClient::generate(JwsAlgorithm::ES256).unwrap());
    let client = poll_client(&script).dpop(dpop);
    let ack = client.initiate(&alice()).await.unwrap();
    client.poll(&ack).await.unwrap();
    assert!(script.seen("/bc")[0].headers.get("dpop").is_none());
    for seen in script.seen("/token") {
        assert!(seen.headers.get("dpop").is_some());
    }
}

#[tokio::test(start_paused = true)]
async fn ping_mode_exchanges_once_without_waiting() {
    let script = Script::new();
    script.push("/bc", ack_answer(Some(5), 60));
    script.push("/token", Answer::error("authorization_pending"));
    script.push("/token", Answer::json(200, token_response("at")));
    let store = Arc::new(InMemoryPendingStore::default());
    let client = CibaClient::new(config(&script, "ping"))
        .unwrap()
        .pending_store(store.clone());
    let ack = client.initiate(&alice()).await.unwrap();
    // The request carried a generated token, and is in the store for the endpoint.
    let sent = script.seen("/bc")[0]
        .param("client_notification_token")
        .unwrap()
        .to_owned();
    assert!(ack.notification_token().unwrap().matches(&sent));
    assert!(store.get(ack.auth_req_id().expose()).is_some());
    let started = Instant::now();
    assert!(matches!(
        client.exchange(&ack).await,
        Err(CibaError::Pending)
    ));
    client.exchange(&ack).await.unwrap();
    assert_eq!(started.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn push_mode_has_no_token_request() {
    let script = Script::new();
    script.push("/bc", ack_answer(None, 60));
    let client = CibaClient::new(config(&script, "push")).unwrap();
    let ack = client.initiate(&alice()).await.unwrap();
    assert_eq!(ack.mode(), DeliveryMode::Push);
    assert!(matches!(
        client.poll(&ack).await,
        Err(CibaError::PushModeHasNoTokenRequest)
    ));
}

#[tokio::test]
async fn the_backchannel_request_carries_the_parameters() {
    let script = Script::new();
    script.push("/bc", ack_answer(None, 60));
    let client = poll_client(&script);
    let request = alice()
        .binding_message("W4SCT")
        .acr_values("urn:acr:1 urn:acr:2")
        .requested_expiry(NonZeroU32::new(90).unwrap())
        .resource("urn:test:api")
        .param("x_ext", "1");
    client.initiate(&request).await.unwrap();
    let seen = &script.seen("/bc")[0];
    for (name, value) in [
        ("scope", "openid email"),
        ("login_hint", "alice"),
        ("binding_message", "W4SCT"),
        ("acr_values", "urn:acr:1 urn:acr:2"),
        ("requested_expiry", "90"),
        ("resource", "urn:test:api"),
        ("x_ext", "1"),
        ("client_id", CLIENT),
        ("client_secret", "s"),
    ] {
        assert_eq!(seen.param(name), Some(value), "{name}");
    }
    assert_eq!(seen.param("client_notification_token"), None);
    // user_code: the server supports it, this client did not register it.
    assert!(matches!(
        client.initiate(&alice().user_code("1234")).await,
        Err(CibaError::InvalidRequest(_))
    ));
}

#[tokio::test]
async fn acknowledgement_errors_are_typed() {
    for (body, field) in [
        (json!({"auth_req_id": "a"}), "expires_in"),
        (
            json!({"auth_req_id": "a", "expires_in": 60, "interval": 0}),
            "interval",
        ),
        (json!({"expires_in": 60}), "auth_req_id"),
        (json!({"auth_req_id": "a", "expires_in": -1}), "expires_in"),
    ] {
        let script = Script::new();
        script.push("/bc", Answer::json(200, body));
        let store = Arc::new(InMemoryPendingStore::default());
        let client = CibaClient::new(config(&script, "ping"))
            .unwrap()
            .pending_store(store.clone());
        match client.initiate(&alice()).await {
            Err(CibaError::InvalidAcknowledgement { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{other:?}"),
        }
        assert!(store.is_empty(), "nothing stored for a bad acknowledgement");
    }
    let script = Script::new();
    script.push(
        "/bc",
        Answer::json(400, json!({"error": "unknown_user_id"})),
    );
    let err = poll_client(&script).initiate(&alice()).await.unwrap_err();
    assert_eq!(err.oauth_error(), Some("unknown_user_id"));
}

#[tokio::test]
async fn an_oversized_or_ill_formed_notification_token_is_refused_before_sending() {
    assert!(matches!(
        ClientNotificationToken::new("a".repeat(1025)),
        Err(CibaError::NotificationTokenTooLong { length: 1025 })
    ));
    assert!(matches!(
        ClientNotificationToken::new("token with spaces and 128 bits? no"),
        Err(CibaError::NotificationTokenCharset)
    ));
}

fn es256() -> SigningKey {
    SigningKey::generate(JwsAlgorithm::ES256).unwrap()
}

#[tokio::test]
async fn signed_requests_carry_only_the_request_object_and_client_authentication() {
    let script = Script::new();
    script.push("/bc", ack_answer(None, 60));
    let key = es256();
    let public = key.public_jwk().unwrap();
    let client = poll_client(&script).request_signer(key).unwrap();
    client
        .initiate(
            &alice()
                .binding_message("W4SCT")
                .requested_expiry(NonZeroU32::new(90).unwrap()),
        )
        .await
        .unwrap();
    let seen = &script.seen("/bc")[0];
    let mut names: Vec<&str> = seen.form.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["client_id", "client_secret", "request"]);
    let validation = jwt_claims::Validation::new()
        .algorithms([JwsAlgorithm::ES256])
        .issuer(CLIENT)
        .audience(ISSUER)
        .require("nbf")
        .require("iat")
        .require("jti");
    let verified = jwt_claims::verify::<serde_json::Value>(
        seen.param("request").unwrap(),
        &public,
        &validation,
    )
    .unwrap();
    let claims = verified.claims();
    assert_eq!(claims["login_hint"], "alice");
    assert_eq!(claims["binding_message"], "W4SCT");
    assert_eq!(claims["requested_expiry"], 90);
    assert_eq!(claims["scope"], "openid email");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["nbf"].as_i64().unwrap(),
        300
    );
}

#[tokio::test]
async fn request_signers_must_fit_the_metadata() {
    let script = Script::new();
    // HS256 is symmetric; ES384 is not in the server's list.
    assert!(matches!(
        poll_client(&script).request_signer(SigningKey::generate(JwsAlgorithm::HS256).unwrap()),
        Err(CibaError::SigningAlgorithm { .. })
    ));
    assert!(matches!(
        poll_client(&script).request_signer(SigningKey::generate(JwsAlgorithm::ES384).unwrap()),
        Err(CibaError::SigningAlgorithm { .. })
    ));
    // A client that registered a signing algorithm must sign.
    let mut metadata = common::client_metadata("poll");
    metadata.backchannel_authentication_request_signing_alg = Some("ES256".into());
    let config = Configuration::builder(metadata, ClientAuth::client_secret_post("s"))
        .shared_http_client(script.clone())
        .build(common::server_metadata(&["poll"]))
        .unwrap();
    let client = CibaClient::new(config).unwrap();
    assert!(matches!(
        client.initiate(&alice()).await,
        Err(CibaError::InvalidRequest(_))
    ));
    assert!(
        client
            .clone()
            .request_signer(SigningKey::generate(JwsAlgorithm::PS256).unwrap())
            .is_err()
    );
}

fn fapi_config(script: &Arc<Script>, mode: &str) -> Configuration {
    Configuration::builder(
        common::client_metadata(mode),
        ClientAuth::private_key_jwt(es256()),
    )
    .shared_http_client(script.clone())
    .build(common::server_metadata(&["poll", "ping", "push"]))
    .unwrap()
}

#[tokio::test]
async fn the_fapi_profile_refuses_push_secrets_unsigned_requests_and_long_lifetimes() {
    let script = Script::new();
    script.push("/bc", ack_answer(None, 60));
    assert!(matches!(
        CibaClient::with_profile(fapi_config(&script, "push"), Profile::Fapi),
        Err(CibaError::Profile { .. })
    ));
    assert!(matches!(
        CibaClient::with_profile(config(&script, "poll"), Profile::Fapi),
        Err(CibaError::Profile { .. })
    ));
    let client = CibaClient::with_profile(fapi_config(&script, "poll"), Profile::Fapi).unwrap();
    assert!(matches!(
        client.initiate(&alice().binding_message("W4SCT")).await,
        Err(CibaError::Profile { .. })
    ));
    assert!(matches!(
        client
            .clone()
            .request_signer(SigningKey::generate(JwsAlgorithm::RS256).unwrap()),
        Err(CibaError::Profile { .. })
    ));
    let client = client.request_signer(es256()).unwrap();
    assert!(matches!(
        client.clone().request_lifetime(Duration::from_secs(3601)),
        Err(CibaError::Profile { .. })
    ));
    let client = client.request_lifetime(Duration::from_secs(3600)).unwrap();
    assert!(matches!(
        client.initiate(&alice()).await,
        Err(CibaError::Profile { .. })
    ));
    client
        .initiate(&alice().unique_authorization_context())
        .await
        .unwrap();
    client
        .initiate(&alice().binding_message("W4SCT"))
        .await
        .unwrap();
    assert_eq!(script.seen("/bc").len(), 2);
}

#[tokio::test]
async fn ciba_needs_a_confidential_client_and_a_supported_mode() {
    let script = Script::new();
    let public = Configuration::builder(common::client_metadata("poll"), ClientAuth::none())
        .shared_http_client(script.clone())
        .build(common::server_metadata(&["poll"]))
        .unwrap();
    assert!(matches!(
        CibaClient::new(public),
        Err(CibaError::InvalidClientMetadata { .. })
    ));
    let ping_only = Configuration::builder(
        common::client_metadata("poll"),
        ClientAuth::client_secret_post("s"),
    )
    .shared_http_client(script.clone())
    .build(common::server_metadata(&["ping"]))
    .unwrap();
    assert!(matches!(
        CibaClient::new(ping_only),
        Err(CibaError::DeliveryModeNotSupported {
            mode: DeliveryMode::Poll
        })
    ));
}

#[tokio::test(start_paused = true)]
async fn extra_token_endpoint_parameters_are_sent_on_every_poll() {
    // openid-client's `parameters` of pollBackchannelAuthenticationGrant.
    let script = Script::new();
    script.push("/bc", ack_answer(Some(1), 60));
    script.push("/token", Answer::error("authorization_pending"));
    script.push("/token", Answer::json(200, token_response("at-1")));
    let client = poll_client(&script);
    let ack = client.initiate(&alice()).await.unwrap();
    let extra = oauth_client::Params::new()
        .resource("https://rs.example/api")
        .set("custom", "value");
    let tokens = client.poll_with(&ack, &extra).await.unwrap();
    assert_eq!(tokens.access_token(), "at-1");
    let seen = script.seen("/token");
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert_eq!(request.param("resource"), Some("https://rs.example/api"));
        assert_eq!(request.param("custom"), Some("value"));
        assert_eq!(request.param("grant_type"), Some(ciba::CIBA_GRANT_TYPE));
        assert_eq!(request.param("auth_req_id"), Some("req-1_a.b"));
    }
}

#[tokio::test(start_paused = true)]
async fn extra_parameters_cannot_replace_the_grant_or_the_auth_req_id() {
    let script = Script::new();
    script.push("/bc", ack_answer(Some(1), 60));
    let client = poll_client(&script);
    let ack = client.initiate(&alice()).await.unwrap();
    for name in ["grant_type", "auth_req_id"] {
        let extra = oauth_client::Params::new().set(name, "x");
        assert!(matches!(
            client.poll_with(&ack, &extra).await,
            Err(CibaError::InvalidRequest(_))
        ));
        assert!(matches!(
            client.exchange_with(&ack, &extra).await,
            Err(CibaError::InvalidRequest(_))
        ));
    }
    assert!(script.seen("/token").is_empty());
}
