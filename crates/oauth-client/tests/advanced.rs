//! End-to-end tests of the advanced flows against oidc-provider (one provider for this test
//! binary, started by `test-provider` on 127.0.0.1): PAR, JAR (signed, signed+encrypted, with
//! PAR), JARM (query, fragment, form_post; signed and encrypted), the hybrid flow with FAPI 1.0
//! detached signatures, the device flow, DPoP nonces at every endpoint that takes DPoP,
//! resource indicators and rich authorization requests through the grants, JWK Set cache
//! export and import, and mTLS (`tls_client_auth`, `self_signed_tls_client_auth`,
//! certificate-bound tokens) on the provider's TLS listener.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{
    Pending, browse, builder, callback, client, client_key, config, dpop, finish, provider,
    redirect_uri, refused_grant, signer,
};
use jose_core::alg::{ContentEncryptionAlgorithm, JwsAlgorithm};
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use oauth_client::http::{Headers, Method};
use oauth_client::{
    AuthorizationCodeGrantChecks, AuthorizationDetail, Callback, Configuration, Decryption,
    DevicePollOptions, Error, ExpectedSubject, IdTokenCheck, IdTokenValidation, Params,
    ReqwestHttpClient,
};
use std::time::Duration;
use test_provider::{DeviceDecision, UserAgent};
use url::Url;

// --- PAR (RFC 9126) ----------------------------------------------------------------------------

#[tokio::test]
async fn par_pushes_the_request_and_the_code_flow_completes() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let url = config
        .build_authorization_url_with_par(pending.params("openid email"))
        .await
        .unwrap();
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(query.len(), 2, "only client_id and request_uri: {query:?}");
    assert!(
        query
            .iter()
            .any(|(k, v)| k == "request_uri" && v.starts_with("urn:"))
    );
    let tokens = finish(&config, &browse(&url).await, &pending).await;
    assert_eq!(tokens.claims().unwrap().sub, "alice");
}

#[tokio::test]
async fn a_client_that_requires_par_gets_a_typed_error_without_it_and_logs_in_with_it() {
    let config = config("client-par-required").await;
    let pending = Pending::new();
    let err = config
        .build_authorization_url(pending.params("openid"))
        .unwrap_err();
    assert!(matches!(err, Error::PushedAuthorizationRequired), "{err}");
    // The provider enforces it too: a plain authorization request is refused.
    let mut plain = config
        .server_metadata()
        .authorization_endpoint
        .clone()
        .unwrap();
    plain
        .query_pairs_mut()
        .append_pair("client_id", "client-par-required")
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", redirect_uri())
        .append_pair("scope", "openid");
    let refused = UserAgent::new()
        .unwrap()
        .authorize(&plain, redirect_uri())
        .await;
    match refused {
        Ok(redirect) => assert_eq!(redirect.param("error").as_deref(), Some("invalid_request")),
        Err(e) => assert!(e.to_string().contains("invalid_request"), "{e}"),
    }
    let url = config
        .build_authorization_url_with_par(pending.params("openid"))
        .await
        .unwrap();
    let tokens = finish(&config, &browse(&url).await, &pending).await;
    assert!(tokens.claims().is_some());
}

#[tokio::test]
async fn par_with_dpop_binds_the_code_after_a_nonce_round_trip() {
    // client-dpop-nonce: the provider demands a nonce at PAR and at the token endpoint.
    let handle = dpop();
    let config = config("client-dpop-nonce").await.with_dpop(handle.clone());
    let pending = Pending::new();
    let url = config
        .build_authorization_url_with_par(pending.params("openid"))
        .await
        .unwrap();
    let redirect = browse(&url).await;
    // Exchanging the code with another DPoP key fails: PAR bound it to `handle`'s key.
    let other = config.with_dpop(dpop());
    let err = refused_grant(&other, &redirect, &pending).await;
    assert_eq!(err.oauth_error(), Some("invalid_grant"), "{err}");

    let pending = Pending::new();
    let url = config
        .build_authorization_url_with_par(pending.params("openid"))
        .await
        .unwrap();
    let tokens = finish(&config, &browse(&url).await, &pending).await;
    assert_eq!(tokens.token_type(), "dpop");
}

// --- JAR (RFC 9101) ----------------------------------------------------------------------------

#[tokio::test]
async fn signed_request_objects_are_required_by_the_client_and_accepted_alone_or_with_par() {
    let config = config("client-jar").await;
    let key = signer("client-jar");
    let pending = Pending::new();
    assert!(matches!(
        config.build_authorization_url(pending.params("openid")),
        Err(Error::RequestObjectRequired)
    ));
    assert!(matches!(
        config
            .push_authorization_request(pending.params("openid"))
            .await,
        Err(Error::RequestObjectRequired)
    ));

    // JAR alone: the URL carries client_id and request.
    let url = config
        .build_authorization_url_with_jar(pending.params("openid"), &key)
        .await
        .unwrap();
    let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    assert_eq!(names, ["client_id", "request"]);
    let request = url.query_pairs().find(|(k, _)| k == "request").unwrap().1;
    let header = jws::unverified::decode_header(&request).unwrap();
    assert_eq!(header.typ(), Some("oauth-authz-req+jwt"));
    let tokens = finish(&config, &browse(&url).await, &pending).await;
    assert_eq!(
        tokens.claims().unwrap().nonce.as_deref(),
        Some(pending.nonce.as_str())
    );

    // JAR with PAR.
    let pending = Pending::new();
    let jar = config
        .request_object(pending.params("openid"), &key)
        .await
        .unwrap();
    let url = config.build_authorization_url_with_par(jar).await.unwrap();
    let tokens = finish(&config, &browse(&url).await, &pending).await;
    assert!(tokens.claims().is_some());

    // A request object signed by another key is refused by the provider.
    let pending = Pending::new();
    let stranger = SigningKey::generate(JwsAlgorithm::ES256).unwrap();
    let jar = config
        .request_object(pending.params("openid"), &stranger)
        .await
        .unwrap();
    let err = config.push_authorization_request(jar).await.unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_request_object"), "{err}");
}

#[tokio::test]
async fn request_objects_are_signed_then_encrypted_to_the_providers_key() {
    let config = config("client-jar-encrypted").await;
    let key = signer("client-jar-encrypted");
    let pending = Pending::new();
    let jar = config
        .request_object(pending.params("openid"), &key)
        .await
        .unwrap();
    let request = jar.get("request").unwrap();
    assert_eq!(request.split('.').count(), 5, "a JWE");
    let url = config
        .build_authorization_url_with_jar(pending.params("openid"), &key)
        .await
        .unwrap();
    let tokens = finish(&config, &browse(&url).await, &pending).await;
    assert_eq!(tokens.claims().unwrap().sub, "alice");
    // And pushed.
    let pending = Pending::new();
    let jar = config
        .request_object(pending.params("openid"), &key)
        .await
        .unwrap();
    let url = config.build_authorization_url_with_par(jar).await.unwrap();
    finish(&config, &browse(&url).await, &pending).await;
}

// --- JARM --------------------------------------------------------------------------------------

#[tokio::test]
async fn jarm_responses_in_the_query_fragment_and_form_post_are_verified_then_checked() {
    let config = builder("client-jarm")
        .use_jwt_response_mode()
        .discover(provider().issuer())
        .await
        .unwrap();
    for mode in [
        None,
        Some("query.jwt"),
        Some("fragment.jwt"),
        Some("form_post.jwt"),
    ] {
        let pending = Pending::new();
        let mut params = pending.params("openid");
        if let Some(mode) = mode {
            params.insert("response_mode", mode);
        }
        let url = config.build_authorization_url(params).unwrap();
        assert!(
            url.query_pairs()
                .any(|(k, v)| k == "response_mode" && v == mode.unwrap_or("jwt"))
        );
        let redirect = browse(&url).await;
        assert!(redirect.param("response").is_some(), "{mode:?}");
        assert!(redirect.param("code").is_none(), "{mode:?}");
        let tokens = finish(&config, &redirect, &pending).await;
        assert_eq!(tokens.claims().unwrap().sub, "alice", "{mode:?}");
    }
}

#[tokio::test]
async fn jarm_errors_and_state_mismatches_come_out_of_the_jwt() {
    let config = builder("client-jarm")
        .use_jwt_response_mode()
        .discover(provider().issuer())
        .await
        .unwrap();
    let pending = Pending::new();
    let url = config
        .build_authorization_url(pending.params("openid").set("login_hint", "deny"))
        .unwrap();
    let redirect = browse(&url).await;
    let err = refused_grant(&config, &redirect, &pending).await;
    assert_eq!(err.oauth_error(), Some("access_denied"), "{err}");

    let pending = Pending::new();
    let url = config
        .build_authorization_url(pending.params("openid"))
        .unwrap();
    let redirect = browse(&url).await;
    let err = config
        .authorization_code_grant_with_callback(
            &callback(&redirect),
            &pending.checks().expected_state("another-state"),
            Params::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::State(_)), "{err}");
    // Without JARM configured, a JARM response is refused rather than half-read.
    let plain = self::config("client-jarm").await;
    let err = refused_grant(&plain, &redirect, &pending).await;
    assert!(matches!(err, Error::InvalidCallback(_)), "{err}");
}

#[tokio::test]
async fn a_jarm_response_signed_by_another_key_or_tampered_is_refused() {
    let config = builder("client-jarm")
        .use_jwt_response_mode()
        .discover(provider().issuer())
        .await
        .unwrap();
    let pending = Pending::new();
    let url = config
        .build_authorization_url(pending.params("openid"))
        .unwrap();
    let redirect = browse(&url).await;
    let genuine = redirect.param("response").unwrap();
    let with_response = |jwt: &str| {
        let mut url = Url::parse(redirect_uri()).unwrap();
        url.query_pairs_mut().append_pair("response", jwt);
        Callback::from_url(&url).unwrap()
    };

    // The same claims signed by an attacker's key that claims the provider's kid.
    let payload = jws::unverified::decode_payload(&genuine).unwrap();
    let header = jws::unverified::decode_header(&genuine).unwrap();
    let forger = SigningKey::new(
        Jwk::generate(JwsAlgorithm::ES256)
            .unwrap()
            .with_kid(header.kid().unwrap()),
        JwsAlgorithm::ES256,
    )
    .unwrap();
    let forged = jws::compact::CompactSign::new(&payload)
        .sign(&forger)
        .unwrap();
    let err = config
        .authorization_code_grant_with_callback(
            &with_response(&forged),
            &pending.checks(),
            Params::new(),
        )
        .await
        .unwrap_err();
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

    // A kid the provider does not have.
    let stranger = SigningKey::new(
        Jwk::generate(JwsAlgorithm::ES256)
            .unwrap()
            .with_kid("not-the-op"),
        JwsAlgorithm::ES256,
    )
    .unwrap();
    let forged = jws::compact::CompactSign::new(&payload)
        .sign(&stranger)
        .unwrap();
    let err = config
        .authorization_code_grant_with_callback(
            &with_response(&forged),
            &pending.checks(),
            Params::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::KeyNotFound { .. }), "{err}");

    // An algorithm outside the client's registered one (RS256 instead of ES256).
    let rsa = SigningKey::generate(JwsAlgorithm::RS256).unwrap();
    let forged = jws::compact::CompactSign::new(&payload).sign(&rsa).unwrap();
    let err = config
        .authorization_code_grant_with_callback(
            &with_response(&forged),
            &pending.checks(),
            Params::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AlgorithmNotAllowed { .. }), "{err}");

    // A flipped signature byte.
    let mut tampered = genuine.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let err = config
        .authorization_code_grant_with_callback(
            &with_response(&tampered),
            &pending.checks(),
            Params::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Jwt { .. }), "{err}");

    // The genuine one still works.
    config
        .authorization_code_grant_with_callback(
            &with_response(&genuine),
            &pending.checks(),
            Params::new(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn encrypted_jarm_responses_are_decrypted_with_the_key_chosen_by_kid() {
    // Decoys: another P-256 key with another kid, and an RSA key: the JWE's kid picks the one.
    let decoy_ec = Jwk::generate(jose_core::alg::KeyManagementAlgorithm::EcdhEs)
        .unwrap()
        .with_kid("decoy-ec");
    let decoy_rsa = Jwk::generate(jose_core::alg::KeyManagementAlgorithm::RsaOaep256)
        .unwrap()
        .with_kid("decoy-rsa");
    let keys = JwkSet::new(vec![
        decoy_ec,
        client_key("client-jarm-encrypted"),
        decoy_rsa,
    ])
    .unwrap();
    let config = builder("client-jarm-encrypted")
        .use_jwt_response_mode()
        .decrypt_responses(Decryption::new(keys, [ContentEncryptionAlgorithm::A256Gcm]))
        .discover(provider().issuer())
        .await
        .unwrap();
    let pending = Pending::new();
    let url = config
        .build_authorization_url(pending.params("openid"))
        .unwrap();
    let redirect = browse(&url).await;
    assert_eq!(redirect.param("response").unwrap().split('.').count(), 5);
    let tokens = finish(&config, &redirect, &pending).await;
    assert_eq!(tokens.claims().unwrap().sub, "alice");

    // Without the client's key (only decoys), decryption fails with a typed error.
    let decoys = JwkSet::new(vec![
        Jwk::generate(jose_core::alg::KeyManagementAlgorithm::EcdhEs)
            .unwrap()
            .with_kid("decoy-ec"),
    ])
    .unwrap();
    let blind = builder("client-jarm-encrypted")
        .use_jwt_response_mode()
        .decrypt_responses(Decryption::new(
            decoys,
            [ContentEncryptionAlgorithm::A256Gcm],
        ))
        .discover(provider().issuer())
        .await
        .unwrap();
    let pending = Pending::new();
    let url = blind
        .build_authorization_url(pending.params("openid"))
        .unwrap();
    let err = refused_grant(&blind, &browse(&url).await, &pending).await;
    assert!(matches!(err, Error::Decryption { .. }), "{err}");
}

// --- The hybrid flow -----------------------------------------------------------------------------

#[tokio::test]
async fn hybrid_code_id_token_validates_the_front_channel_id_token_first() {
    let config = builder("client-hybrid")
        .use_code_id_token_response_type()
        .discover(provider().issuer())
        .await
        .unwrap();
    let pending = Pending::new();
    let url = config
        .build_authorization_url(pending.params("openid"))
        .unwrap();
    assert!(
        url.query_pairs()
            .any(|(k, v)| k == "response_type" && v == "code id_token")
    );
    let redirect = browse(&url).await;
    assert!(redirect.url.query().is_none() && redirect.url.fragment().is_some());
    let tokens = finish(&config, &redirect, &pending).await;
    assert_eq!(tokens.claims().unwrap().sub, "alice");

    // form_post works too.
    let pending = Pending::new();
    let url = config
        .build_authorization_url(pending.params("openid").set("response_mode", "form_post"))
        .unwrap();
    finish(&config, &browse(&url).await, &pending).await;

    // The nonce is mandatory in the hybrid flow.
    let pending = Pending::new();
    let url = config
        .build_authorization_url(pending.params("openid"))
        .unwrap();
    let redirect = browse(&url).await;
    let checks = AuthorizationCodeGrantChecks::new()
        .pkce_code_verifier(&pending.verifier)
        .expected_state(&pending.state);
    let err = config
        .authorization_code_grant_with_callback(&callback(&redirect), &checks, Params::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    // Another nonce fails on the front-channel ID Token, before the code is spent...
    let err = config
        .authorization_code_grant_with_callback(
            &callback(&redirect),
            &checks.clone().expected_nonce("another-nonce"),
            Params::new(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::IdToken {
                check: IdTokenCheck::Nonce,
                ..
            }
        ),
        "{err}"
    );
    // ...so the right one still redeems it.
    finish(&config, &redirect, &pending).await;

    // A code swapped into the response no longer matches c_hash.
    let pending = Pending::new();
    let url = config
        .build_authorization_url(pending.params("openid"))
        .unwrap();
    let mut redirect = browse(&url).await;
    let fragment = redirect.url.fragment().unwrap().to_owned();
    let swapped: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            url::form_urlencoded::parse(fragment.as_bytes()).map(|(k, v)| {
                if k == "code" {
                    (k.into_owned(), format!("{v}x"))
                } else {
                    (k.into_owned(), v.into_owned())
                }
            }),
        )
        .finish();
    redirect.url.set_fragment(Some(&swapped));
    let err = refused_grant(&config, &redirect, &pending).await;
    assert!(
        matches!(
            err,
            Error::IdToken {
                check: IdTokenCheck::CodeHash,
                ..
            }
        ),
        "{err}"
    );

    // The plain code flow configuration refuses a fragment response.
    let plain = self::config("client-hybrid").await;
    let err = refused_grant(&plain, &redirect, &pending).await;
    assert!(matches!(err, Error::InvalidCallback(_)), "{err}");
}

#[tokio::test]
async fn fapi1_detached_signature_checks_verify_s_hash() {
    let config = builder("client-fapi1")
        .enable_detached_signature_response_checks()
        .discover(provider().issuer())
        .await
        .unwrap();
    let pending = Pending::new();
    let url = config
        .build_authorization_url(pending.params("openid"))
        .unwrap();
    let redirect = browse(&url).await;
    let id_token = redirect.param("id_token").unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&jws::unverified::decode_payload(&id_token).unwrap()).unwrap();
    assert!(claims["s_hash"].is_string(), "the FAPI profile adds s_hash");
    let tokens = finish(&config, &redirect, &pending).await;
    assert_eq!(tokens.claims().unwrap().alg, JwsAlgorithm::ES256);

    // Without s_hash (client-hybrid's tokens have none) the detached checks fail.
    let strict = builder("client-hybrid")
        .enable_detached_signature_response_checks()
        .discover(provider().issuer())
        .await
        .unwrap();
    let pending = Pending::new();
    let url = strict
        .build_authorization_url(pending.params("openid"))
        .unwrap();
    let err = refused_grant(&strict, &browse(&url).await, &pending).await;
    assert!(
        matches!(
            err,
            Error::IdToken {
                check: IdTokenCheck::StateHash,
                ..
            }
        ),
        "{err}"
    );
}

// --- The device flow (RFC 8628) ----------------------------------------------------------------

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

// --- DPoP nonces at every endpoint -----------------------------------------------------------

#[tokio::test]
async fn dpop_nonces_round_trip_at_token_userinfo_and_resource_requests() {
    // The provider demands a nonce from every DPoP request at UserInfo (a resource server
    // answering 401 with a DPoP challenge) and from client-dpop-nonce everywhere.
    let handle = dpop();
    let config = config("client-dpop-nonce").await.with_dpop(handle);
    let pending = Pending::new();
    let url = config
        .build_authorization_url(pending.params("openid email"))
        .unwrap();
    assert!(
        url.query_pairs().any(|(k, _)| k == "dpop_jkt"),
        "the code is bound to the key"
    );
    let tokens = finish(&config, &browse(&url).await, &pending).await;
    assert_eq!(tokens.token_type(), "dpop");
    let sub = tokens.claims().unwrap().sub.clone();
    let user = config
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Is(&sub))
        .await
        .unwrap();
    assert_eq!(user.sub, sub);
    let userinfo = config.server_metadata().userinfo_endpoint.clone().unwrap();
    let response = config
        .fetch_protected_resource(
            tokens.access_token(),
            Method::GET,
            &userinfo,
            Headers::from([("accept", "application/json")]),
            None,
        )
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    // Refresh keeps the binding.
    let refreshed = config
        .refresh_token_grant(tokens.refresh_token().unwrap(), Params::new())
        .await
        .unwrap();
    assert_eq!(refreshed.token_type(), "dpop");
    // The bound token is useless as a bearer token.
    let bearer = self::config("client-dpop-nonce").await;
    let err = bearer
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Is(&sub))
        .await
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_token"), "{err}");
}

// --- Resource indicators and rich authorization requests ---------------------------------------

#[tokio::test]
async fn resource_indicators_and_authorization_details_pass_through_par_jar_and_the_grants() {
    let detail: AuthorizationDetail = serde_json::from_value(serde_json::json!({
        "type": "urn:test:payment", "actions": ["initiate"], "creditor": "Merchant A"
    }))
    .unwrap();
    let config = config("client-jar").await;
    let key = signer("client-jar");
    let pending = Pending::new();
    let params = pending
        .params("openid offline_access api:read")
        .resource("urn:test:jwt-api")
        .resource("urn:test:api")
        .authorization_details(std::slice::from_ref(&detail))
        .unwrap();
    let jar = config.request_object(params, &key).await.unwrap();
    let url = config.build_authorization_url_with_par(jar).await.unwrap();
    let redirect = browse(&url).await;
    let tokens = config
        .authorization_code_grant_with_callback(
            &callback(&redirect),
            &pending.checks(),
            Params::new().resource("urn:test:jwt-api"),
        )
        .await
        .unwrap();
    assert_eq!(tokens.authorization_details().unwrap()[0], detail);
    let claims: serde_json::Value =
        serde_json::from_slice(&jws::unverified::decode_payload(tokens.access_token()).unwrap())
            .unwrap();
    assert_eq!(claims["aud"], "urn:test:jwt-api");
    // The refresh token grant picks the other resource (opaque tokens, introspectable).
    let refreshed = config
        .refresh_token_grant(
            tokens.refresh_token().unwrap(),
            Params::new().resource("urn:test:api"),
        )
        .await
        .unwrap();
    assert_eq!(refreshed.access_token().split('.').count(), 1);
    assert_eq!(refreshed.authorization_details().unwrap()[0], detail);
    let info = config
        .introspect_token(refreshed.access_token(), Params::new())
        .await
        .unwrap();
    assert_eq!(info.aud, Some(serde_json::json!("urn:test:api")));
    assert_eq!(info.authorization_details.unwrap()[0], detail);
}

// --- JWK Set cache export and import -------------------------------------------------------------

#[tokio::test]
async fn an_exported_jwks_cache_validates_tokens_in_another_configuration() {
    let config = config("client-basic").await;
    assert!(config.jwks_cache().is_none(), "nothing fetched yet");
    let pending = Pending::new();
    let url = config
        .build_authorization_url(pending.params("openid"))
        .unwrap();
    let tokens = finish(&config, &browse(&url).await, &pending).await;
    let exported = config.jwks_cache().unwrap();
    assert!(exported.jwks["keys"].is_array());
    // It survives serialization, as it would in a store between invocations.
    let stored = serde_json::to_string(&exported).unwrap();
    let restored: oauth_client::ExportedJwksCache = serde_json::from_str(&stored).unwrap();

    let other = self::config("client-basic").await;
    other.set_jwks_cache(&restored).unwrap();
    let claims = other
        .validate_id_token(
            tokens.id_token().unwrap(),
            &IdTokenValidation::new().expected_nonce(&pending.nonce),
        )
        .await
        .unwrap();
    assert_eq!(claims.sub, "alice");
    assert_eq!(other.jwks_cache().unwrap().uat, exported.uat);
}

// --- mTLS (RFC 8705) -------------------------------------------------------------------------

/// An HTTP client that trusts the test CA and presents `cert`/`key`.
fn mtls_http(cert: &str, key: &str) -> ReqwestHttpClient {
    ReqwestHttpClient::builder()
        .add_root_certificates(provider().pki().ca_pem.as_bytes())
        .client_certificate(cert.as_bytes(), key.as_bytes())
        .build()
        .unwrap()
}

async fn mtls_config(id: &str, cert: &str, key: &str, bound_to: &str) -> Configuration {
    let (mut metadata, auth) = client(id);
    metadata.use_mtls_endpoint_aliases = Some(true);
    let der = oauth_client::certificate_der_from_pem(bound_to.as_bytes()).unwrap();
    Configuration::builder(metadata, auth)
        .allow_insecure_requests()
        .http_client(mtls_http(cert, key))
        .certificate_bound_access_tokens(&der)
        .discover(provider().issuer())
        .await
        .unwrap()
}

#[tokio::test]
async fn tls_client_auth_and_certificate_bound_tokens_over_the_mtls_aliases() {
    let pki = provider().pki();
    let config = mtls_config(
        "client-mtls",
        &pki.client_cert_pem,
        &pki.client_key_pem,
        &pki.client_cert_pem,
    )
    .await;
    let aliases = config
        .server_metadata()
        .mtls_endpoint_aliases
        .clone()
        .unwrap();
    assert!(
        aliases
            .token_endpoint
            .unwrap()
            .as_str()
            .starts_with("https://127.0.0.1:")
    );

    // Client credentials with a JWT access token: its cnf.x5t#S256 is checked.
    let tokens = config
        .client_credentials_grant(
            Params::from([("scope", "api:read")]).resource("urn:test:jwt-api"),
        )
        .await
        .unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&jws::unverified::decode_payload(tokens.access_token()).unwrap())
            .unwrap();
    let der = oauth_client::certificate_der_from_pem(pki.client_cert_pem.as_bytes()).unwrap();
    assert_eq!(
        claims["cnf"]["x5t#S256"],
        oauth_client::certificate_thumbprint(&der)
    );

    // The code flow, then UserInfo with the bound (opaque) token over the alias.
    let pending = Pending::new();
    let url = config
        .build_authorization_url(pending.params("openid email"))
        .unwrap();
    let tokens = finish(&config, &browse(&url).await, &pending).await;
    let sub = tokens.claims().unwrap().sub.clone();
    config
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Is(&sub))
        .await
        .unwrap();
    let info = config
        .introspect_token(tokens.access_token(), Params::new())
        .await
        .unwrap();
    assert_eq!(
        info.certificate_thumbprint(),
        Some(oauth_client::certificate_thumbprint(&der).as_str())
    );

    // Expecting another certificate's binding is a typed error.
    let wrong = mtls_config(
        "client-mtls",
        &pki.client_cert_pem,
        &pki.client_key_pem,
        &pki.self_signed_cert_pem,
    )
    .await;
    let err = wrong
        .client_credentials_grant(
            Params::from([("scope", "api:read")]).resource("urn:test:jwt-api"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CertificateBinding(_)), "{err}");

    // Another client's certificate does not authenticate this client.
    let impostor = mtls_config(
        "client-mtls",
        &pki.self_signed_cert_pem,
        &pki.self_signed_key_pem,
        &pki.self_signed_cert_pem,
    )
    .await;
    let err = impostor
        .client_credentials_grant(Params::from([("scope", "api:read")]))
        .await
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_client"), "{err}");
}

#[tokio::test]
async fn self_signed_tls_client_auth_with_the_registered_certificate() {
    let pki = provider().pki();
    let config = mtls_config(
        "client-mtls-self-signed",
        &pki.self_signed_cert_pem,
        &pki.self_signed_key_pem,
        &pki.self_signed_cert_pem,
    )
    .await;
    let tokens = config
        .client_credentials_grant(
            Params::from([("scope", "api:read")]).resource("urn:test:jwt-api"),
        )
        .await
        .unwrap();
    assert_eq!(tokens.access_token().split('.').count(), 3);
    // The CA-issued certificate is not the registered one.
    let other = mtls_config(
        "client-mtls-self-signed",
        &pki.client_cert_pem,
        &pki.client_key_pem,
        &pki.client_cert_pem,
    )
    .await;
    let err = other
        .client_credentials_grant(Params::from([("scope", "api:read")]))
        .await
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_client"), "{err}");
}
