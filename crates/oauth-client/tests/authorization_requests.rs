//! Authorization requests and responses beyond the plain code flow, end to end against
//! oidc-provider (one provider for this test binary, started by `test-provider` on
//! 127.0.0.1): PAR (RFC 9126), JAR (RFC 9101: signed, signed then encrypted, with PAR,
//! `RequestObjectOptions`), JARM (query, fragment, form_post; signed and encrypted), the hybrid
//! flow with FAPI 1.0 detached signatures, and resource indicators and rich authorization
//! requests through PAR, JAR and the grants. Then, through a scripted transport, the answers
//! a real provider does not give: JARM responses with a wrong issuer, audience, expiry or
//! signer, hybrid responses with a wrong `s_hash` or a swapped subject, PAR and JAR required by
//! the server's metadata, PAR answers other than 201.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
mod scripted_server;

use common::{
    Pending, browse, builder, callback, client_key, config, dpop, finish, provider, redirect_uri,
    refused_grant, signer,
};
use jose_core::alg::{ContentEncryptionAlgorithm, JwsAlgorithm};
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use oauth_client::{
    AuthorizationCodeGrantChecks, AuthorizationDetail, Callback, Decryption, Error, IdTokenCheck,
    Params, RequestObjectOptions,
};
use std::time::Duration;
use test_provider::UserAgent;
use url::Url;

// --- PAR (RFC 9126) -----------------------------------------------------------------------------

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

// --- JAR (RFC 9101) -----------------------------------------------------------------------------

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

// --- JARM ---------------------------------------------------------------------------------------

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

// --- The hybrid flow ----------------------------------------------------------------------------

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

// --- Resource indicators and rich authorization requests ----------------------------------------

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

// --- Request object options (modifyAssertion, lifetime) -----------------------------------------

#[tokio::test]
async fn request_object_options_reach_the_provider_through_jar_and_par() {
    let config = config("client-jar").await;
    let key = signer("client-jar");
    let short = RequestObjectOptions::new()
        .lifetime(Duration::from_secs(60))
        .modify(|_, claims| {
            claims.insert("purpose".into(), "mapping test".into());
        });

    // JAR in the URL, with options.
    let pending = Pending::new();
    let url = config
        .build_authorization_url_with_jar_with(pending.params("openid"), &key, &short)
        .await
        .unwrap();
    let request = url.query_pairs().find(|(k, _)| k == "request").unwrap().1;
    let claims: serde_json::Value =
        serde_json::from_slice(&jws::unverified::decode_payload(&request).unwrap()).unwrap();
    assert_eq!(claims["purpose"], "mapping test");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        60
    );
    let redirect = browse(&url).await;
    let tokens = config
        .authorization_code_grant(&redirect.url, &pending.checks(), Params::new())
        .await
        .unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "alice");

    // Pushed, with a modification the provider must refuse.
    let pending = Pending::new();
    let wrong_audience = RequestObjectOptions::new().modify(|_, claims| {
        claims.insert("aud".into(), "https://elsewhere.example".into());
    });
    let jar = config
        .request_object_with(pending.params("openid"), &key, &wrong_audience)
        .await
        .unwrap();
    let err = config.push_authorization_request(jar).await.unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_request_object"), "{err}");
}

// --- What a real provider does not send, through a scripted transport ---------------------------
// (`scripted_server`): each answer must be a specific error, never a panic.
mod scripted {
    use crate::scripted_server::*;
    use jose_core::alg::JwsAlgorithm;
    use jws::SigningKey;
    use oauth_client::{AuthorizationCodeGrantChecks, Callback, Error, IdTokenCheck, Params};
    use serde_json::{Map, Value, json};
    use std::sync::Arc;
    use url::Url;

    // --- JARM -----------------------------------------------------------------------------------

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

    // --- Hybrid ---------------------------------------------------------------------------------

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

    // --- PAR and JAR requirements from the server's metadata ------------------------------------

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
}
