//! The checks of the authorization code grant that the application can tune, end to end
//! against oidc-provider (one provider for this test binary, started by `test-provider` on
//! 127.0.0.1): `skipStateCheck`, `idTokenExpected`, `skipSubjectCheck`, `default_max_age` and
//! `require_auth_time` in the client metadata, and the authorization response checked on its
//! own before the exchange.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{Pending, authorize, browse, client, config, login, provider, redirect_uri};
use oauth_client::{
    AuthorizationCodeGrantChecks, Callback, Configuration, Error, ExpectedState, ExpectedSubject,
    IdTokenCheck, Params, pkce_code_challenge,
};

// --- Authorization code grant checks ------------------------------------------------------------

#[tokio::test]
async fn skip_state_check_accepts_any_state_and_the_default_expects_none() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let redirect = authorize(&config, pending.params("openid")).await;
    // Without an expectation, a response carrying `state` is refused.
    let no_state = AuthorizationCodeGrantChecks::new()
        .pkce_code_verifier(&pending.verifier)
        .expected_nonce(&pending.nonce);
    let err = config
        .authorization_code_grant(&redirect.url, &no_state, Params::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::State(_)), "{err}");
    // `skipStateCheck`: the state is not compared (the code is still unused).
    let skip = no_state.skip_state_check();
    let tokens = config
        .authorization_code_grant(&redirect.url, &skip, Params::new())
        .await
        .unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "alice");
}

#[tokio::test]
async fn id_token_expected_fails_a_plain_oauth_response_without_one() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let plain_oauth = || {
        Params::from([
            ("redirect_uri", redirect_uri()),
            ("scope", "email"),
            (
                "code_challenge",
                pkce_code_challenge(&pending.verifier).as_str(),
            ),
            ("code_challenge_method", "S256"),
            ("state", pending.state.as_str()),
        ])
    };
    let checks = AuthorizationCodeGrantChecks::new()
        .pkce_code_verifier(&pending.verifier)
        .expected_state(&pending.state);

    // Without `openid` the provider issues no ID Token: fine unless one is expected.
    let url = config.build_authorization_url(plain_oauth()).unwrap();
    let redirect = browse(&url).await;
    let tokens = config
        .authorization_code_grant(&redirect.url, &checks, Params::new())
        .await
        .unwrap();
    assert!(tokens.id_token().is_none() && tokens.claims().is_none());

    let url = config.build_authorization_url(plain_oauth()).unwrap();
    let redirect = browse(&url).await;
    let err = config
        .authorization_code_grant(&redirect.url, &checks.id_token_expected(), Params::new())
        .await
        .unwrap_err();
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

#[tokio::test]
async fn default_max_age_and_require_auth_time_in_the_client_metadata_demand_auth_time() {
    // The provider includes `auth_time` only when the request asks for it (`max_age`); the
    // client's own `default_max_age` or `require_auth_time` make it required all the same.
    for demand in ["default_max_age", "require_auth_time"] {
        let (mut metadata, auth) = client("client-basic");
        match demand {
            "default_max_age" => metadata.default_max_age = Some(300),
            _ => metadata.require_auth_time = Some(true),
        }
        let config = Configuration::builder(metadata, auth)
            .allow_insecure_requests()
            .discover(provider().issuer())
            .await
            .unwrap();
        let pending = Pending::new();
        let redirect = authorize(&config, pending.params("openid")).await;
        let err = config
            .authorization_code_grant(&redirect.url, &pending.checks(), Params::new())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::IdToken {
                    check: IdTokenCheck::AuthTime,
                    ..
                }
            ),
            "{demand}: {err}"
        );
        // Asking for `max_age` brings `auth_time`, which is then checked.
        let pending = Pending::new();
        let url = config
            .build_authorization_url(pending.params("openid").set("max_age", "300"))
            .unwrap();
        let redirect = browse(&url).await;
        let tokens = config
            .authorization_code_grant(&redirect.url, &pending.checks(), Params::new())
            .await
            .unwrap();
        assert!(tokens.claims().unwrap().auth_time.is_some(), "{demand}");
    }
}

#[tokio::test]
async fn the_authorization_response_can_be_checked_before_the_exchange() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let redirect = authorize(&config, pending.params("openid")).await;
    let callback = Callback::from_url(&redirect.url).unwrap();
    let err = config
        .validate_authorization_response(&callback, &ExpectedState::Value("other".into()))
        .unwrap_err();
    assert!(matches!(err, Error::State(_)), "{err}");
    let code = config
        .validate_authorization_response(&callback, &ExpectedState::Value(pending.state.clone()))
        .unwrap();
    assert_eq!(Some(code), redirect.param("code").as_deref());
    let tokens = config
        .authorization_code_grant_with_callback(&callback, &pending.checks(), Params::new())
        .await
        .unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "alice");
}

#[tokio::test]
async fn skip_subject_check_fetches_user_info_without_comparing_sub() {
    let config = config("client-basic").await;
    let (tokens, _) = login(&config, "openid email").await;
    let err = config
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Is("bob"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SubjectMismatch), "{err}");
    let user = config
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Skip)
        .await
        .unwrap();
    assert_eq!(user.sub, "alice");
}
