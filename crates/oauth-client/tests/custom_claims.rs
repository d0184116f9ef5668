//! `deserialize::<T>()` on ID Token claims, UserInfo and introspection responses, against
//! oidc-provider: the application's own types, claims this crate does not type included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{config, login};
use oauth_client::{Error, ExpectedSubject, Params};
use serde::Deserialize;

/// An application's view of the ID Token, with `at_hash`, which the crate's `IdTokenClaims`
/// does not type.
#[derive(Debug, Deserialize)]
struct Session {
    sub: String,
    iss: String,
    exp: i64,
    at_hash: Option<String>,
    nonce: String,
}

#[derive(Debug, Deserialize)]
struct Profile {
    sub: String,
    email: String,
    email_verified: bool,
    given_name: String,
}

#[derive(Debug, Deserialize)]
struct Introspected {
    active: bool,
    client_id: String,
    scope: String,
}

/// A type the claims do not fit: `sub` is a string.
#[derive(Debug, Deserialize)]
struct NumericSub {
    #[allow(dead_code)]
    sub: u64,
}

#[tokio::test]
async fn id_token_userinfo_and_introspection_claims_into_application_types() {
    let config = config("client-basic").await;
    let (tokens, pending) = login(&config, "openid email profile").await;
    let claims = tokens.claims().unwrap();

    let session: Session = claims.deserialize().unwrap();
    assert_eq!(session.sub, "alice");
    assert_eq!(session.iss, claims.iss);
    assert_eq!(session.exp, claims.exp);
    assert_eq!(session.nonce, pending.nonce);
    assert_eq!(
        session.at_hash.as_ref(),
        claims
            .get("at_hash")
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .as_ref()
    );

    let user = config
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Is(&claims.sub))
        .await
        .unwrap();
    let profile: Profile = user.deserialize().unwrap();
    assert_eq!(profile.sub, "alice");
    assert_eq!(profile.email, "alice@example.test");
    assert!(profile.email_verified);
    assert_eq!(profile.given_name, "Alice");

    let info = config
        .introspect_token(tokens.access_token(), Params::new())
        .await
        .unwrap();
    let introspected: Introspected = info.deserialize().unwrap();
    assert!(introspected.active);
    assert_eq!(introspected.client_id, "client-basic");
    assert!(
        introspected.scope.contains("email"),
        "{}",
        introspected.scope
    );
}

#[tokio::test]
async fn claims_that_do_not_fit_the_type_are_a_typed_error() {
    let config = config("client-basic").await;
    let (tokens, _) = login(&config, "openid email").await;
    let claims = tokens.claims().unwrap();
    let err = claims.deserialize::<NumericSub>().unwrap_err();
    assert!(
        matches!(
            err,
            Error::ClaimsShape {
                what: "ID Token",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.code(), "OAUTH_PARSE_ERROR");

    let user = config
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Is(&claims.sub))
        .await
        .unwrap();
    let err = user.deserialize::<NumericSub>().unwrap_err();
    assert!(
        matches!(
            err,
            Error::ClaimsShape {
                what: "UserInfo",
                ..
            }
        ),
        "{err}"
    );
}
