//! The device authorization grant (RFC 8628) end to end against oidc-provider (one provider
//! for this test binary, started by `test-provider` on 127.0.0.1): approval through the
//! provider's control route, denial, the deadline, cancellation, DPoP with resources and
//! authorization details, and one token request at a time. Then, through a scripted transport
//! and tokio's paused clock, the intervals a real provider does not send: 0, absurd,
//! `slow_down`, none at all, and the device code's expiry.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
mod scripted_server;

use common::{config, dpop, provider};
use oauth_client::{
    AuthorizationDetail, DEVICE_CODE_GRANT_TYPE, DevicePollOptions, Error, Params, PollAnswer,
};
use std::time::Duration;
use test_provider::DeviceDecision;

// --- The device flow (RFC 8628) -----------------------------------------------------------------

fn fast_polling<'a>() -> DevicePollOptions<'a> {
    // oidc-provider sends no `interval`; the default 5 s would make the suite slow.
    DevicePollOptions::new().interval_if_absent(Duration::from_millis(100))
}

#[tokio::test]
async fn device_flow_approved_through_the_control_route_yields_tokens() {
    let config = config("client-device").await;
    let device = config
        .initiate_device_authorization(Params::from([("scope", "openid offline_access")]))
        .await
        .unwrap();
    assert!(
        device
            .verification_uri()
            .starts_with(provider().issuer().as_str())
    );
    assert!(
        device
            .verification_uri_complete()
            .unwrap()
            .contains("user_code=")
    );
    assert_eq!(device.interval(), None);
    let user_code = device.user_code().to_owned();
    let approve = async {
        tokio::time::sleep(Duration::from_millis(250)).await;
        provider()
            .decide_device_code(&user_code, DeviceDecision::Approve("bob"))
            .await
            .unwrap();
    };
    let (tokens, ()) = tokio::join!(
        config.poll_device_authorization_grant(&device, Params::new(), fast_polling()),
        approve
    );
    let tokens = tokens.unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "bob");
    assert!(tokens.refresh_token().is_some());
    // The refresh token works as usual.
    let refreshed = config
        .refresh_token_grant(tokens.refresh_token().unwrap(), Params::new())
        .await
        .unwrap();
    assert_eq!(refreshed.claims().unwrap().sub, "bob");
}

#[tokio::test]
async fn a_denied_device_request_is_access_denied_and_an_unfinished_one_hits_the_deadline() {
    let config = config("client-device").await;
    let device = config
        .initiate_device_authorization(Params::from([("scope", "openid")]))
        .await
        .unwrap();
    provider()
        .decide_device_code(device.user_code(), DeviceDecision::Deny)
        .await
        .unwrap();
    let err = config
        .poll_device_authorization_grant(&device, Params::new(), fast_polling())
        .await
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("access_denied"), "{err}");

    let device = config
        .initiate_device_authorization(Params::from([("scope", "openid")]))
        .await
        .unwrap();
    let err = config
        .poll_device_authorization_grant(
            &device,
            Params::new(),
            fast_polling().deadline(Duration::from_millis(450)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Deadline { .. }), "{err}");
    // One request by hand: still pending.
    assert!(matches!(
        config
            .device_authorization_grant_once(&device, Params::new())
            .await
            .unwrap(),
        oauth_client::DeviceGrantStatus::Pending
    ));
}

#[tokio::test]
async fn device_polling_stops_on_a_cancellation_signal_or_when_dropped() {
    let config = config("client-device").await;
    let device = config
        .initiate_device_authorization(Params::from([("scope", "openid")]))
        .await
        .unwrap();
    let (cancel, cancelled) = tokio::sync::oneshot::channel::<()>();
    let options = fast_polling().cancel_on(async move {
        let _ = cancelled.await;
    });
    let stop = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        cancel.send(()).unwrap();
    };
    let (result, ()) = tokio::join!(
        config.poll_device_authorization_grant(&device, Params::new(), options),
        stop
    );
    assert!(matches!(result, Err(Error::Cancelled { .. })), "{result:?}");

    // Dropping the future is cancellation too.
    let dropped = tokio::time::timeout(
        Duration::from_millis(300),
        config.poll_device_authorization_grant(&device, Params::new(), fast_polling()),
    )
    .await;
    assert!(dropped.is_err());
    // The code is still usable afterwards.
    provider()
        .decide_device_code(device.user_code(), DeviceDecision::Approve("alice"))
        .await
        .unwrap();
    let tokens = config
        .poll_device_authorization_grant(&device, Params::new(), fast_polling())
        .await
        .unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "alice");
}

#[tokio::test]
async fn device_flow_with_dpop_resources_and_authorization_details() {
    let config = config("client-device").await.with_dpop(dpop());
    let detail: AuthorizationDetail = serde_json::from_value(serde_json::json!({
        "type": "urn:test:payment", "actions": ["initiate"], "amount": "5.00"
    }))
    .unwrap();
    let device = config
        .initiate_device_authorization(
            Params::from([("scope", "openid api:read")])
                .resource("urn:test:jwt-api")
                .authorization_details(std::slice::from_ref(&detail))
                .unwrap(),
        )
        .await
        .unwrap();
    provider()
        .decide_device_code(device.user_code(), DeviceDecision::Approve("alice"))
        .await
        .unwrap();
    let tokens = config
        .poll_device_authorization_grant(&device, Params::new(), fast_polling())
        .await
        .unwrap();
    assert_eq!(tokens.token_type(), "dpop");
    assert_eq!(tokens.authorization_details().unwrap()[0], detail);
    // A JWT access token for the resource, bound to the DPoP key.
    let claims: serde_json::Value =
        serde_json::from_slice(&jws::unverified::decode_payload(tokens.access_token()).unwrap())
            .unwrap();
    assert_eq!(claims["aud"], "urn:test:jwt-api");
    assert!(claims["cnf"]["jkt"].is_string());
}

// --- One token request of a polling grant -------------------------------------------------------

#[tokio::test]
async fn one_poll_of_the_device_grant_is_pending_then_yields_tokens() {
    let config = config("client-device").await;
    let device = config
        .initiate_device_authorization(Params::from([("scope", "openid")]))
        .await
        .unwrap();
    let poll = || {
        config.poll_grant(
            DEVICE_CODE_GRANT_TYPE,
            Params::from([("device_code", device.device_code())]),
            Some(Duration::from_secs(10)),
        )
    };
    let err = poll().await.unwrap_err();
    assert_eq!(err.oauth_error(), Some("authorization_pending"), "{err}");
    provider()
        .decide_device_code(device.user_code(), DeviceDecision::Approve("alice"))
        .await
        .unwrap();
    let PollAnswer::Tokens(tokens) = poll().await.unwrap() else {
        panic!("expected tokens");
    };
    assert_eq!(tokens.claims().unwrap().sub, "alice");
}

// --- What a real provider does not send, through a scripted transport ---------------------------
// (`scripted_server`): each answer must be a specific error, never a panic.
mod scripted {
    use crate::scripted_server::*;
    use oauth_client::{DevicePollOptions, Error, Params};
    use serde_json::json;
    use std::sync::Arc;

    // --- Device flow ----------------------------------------------------------------------------

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
}
