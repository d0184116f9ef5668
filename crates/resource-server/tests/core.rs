//! The framework-independent core with locally generated keys: RFC 9068 checks, sender
//! constraints, scopes, and the challenges each refusal turns into.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use jwt_claims::{JwtBuilder, NumericDate};
use resource_server::{
    AccessTokenValidation, BoxFuture, KeySource, KeySourceError, Rejection, RequestInfo,
    ResourceServer, Scheme, StaticKeys, TokenError,
};
use serde::Deserialize;
use sha2::Digest;
use std::sync::Arc;
use std::time::Duration;

const ISS: &str = "https://issuer.example";
const AUD: &str = "https://api.example";

fn key(kid: &str) -> SigningKey {
    SigningKey::new(
        Jwk::generate(JwsAlgorithm::ES256).unwrap().with_kid(kid),
        JwsAlgorithm::ES256,
    )
    .unwrap()
}

fn keys(key: &SigningKey) -> StaticKeys {
    StaticKeys::new(JwkSet::new(vec![key.public_jwk().unwrap()]).unwrap())
}

fn token_builder() -> JwtBuilder {
    token_with_scope("read write")
}

fn token_with_scope(scope: &str) -> JwtBuilder {
    JwtBuilder::new()
        .typ("at+jwt")
        .issuer(ISS)
        .audience(AUD)
        .subject("alice")
        .claim("client_id", "app")
        .unwrap()
        .claim("scope", scope)
        .unwrap()
}

fn server(key: &SigningKey) -> ResourceServer {
    ResourceServer::builder(AccessTokenValidation::new(ISS, AUD), keys(key))
        .required_scope("read")
        .unwrap()
        .build()
}

async fn check(
    server: &ResourceServer,
    authorization: &str,
) -> Result<resource_server::Principal, Rejection> {
    let request =
        RequestInfo::new("GET", "/items").header("Authorization", authorization.as_bytes());
    server.verify(&request).await
}

fn invalid_token(result: Result<resource_server::Principal, Rejection>) -> TokenError {
    match result {
        Err(Rejection::InvalidToken(e)) => e,
        other => panic!("expected invalid_token, got {other:?}"),
    }
}

#[tokio::test]
async fn accepts_a_valid_access_token() {
    let key = key("k1");
    let token = token_builder().sign(&key).unwrap();
    let principal = check(&server(&key), &format!("Bearer {token}"))
        .await
        .unwrap();
    assert_eq!(principal.token_type(), Scheme::Bearer);
    let at = principal.access_token();
    assert_eq!(
        (at.issuer(), at.subject(), at.client_id()),
        (ISS, "alice", "app")
    );
    assert!(at.scope().contains("write"));
    assert!(!at.jti().is_empty());
}

#[tokio::test]
async fn accepts_application_at_jwt_typ() {
    let key = key("k1");
    let token = token_builder()
        .typ("application/at+jwt")
        .sign(&key)
        .unwrap();
    check(&server(&key), &format!("Bearer {token}"))
        .await
        .unwrap();
}

#[tokio::test]
async fn refuses_a_plain_jwt_typ() {
    let key = key("k1");
    let token = token_builder().typ("JWT").sign(&key).unwrap();
    let e = invalid_token(check(&server(&key), &format!("Bearer {token}")).await);
    assert_eq!(
        e.description(),
        "the token is not a JWT access token (typ at+jwt)"
    );
}

#[tokio::test]
async fn refuses_another_issuer_and_another_audience() {
    let key = key("k1");
    let server = server(&key);
    let other_iss = token_builder()
        .issuer("https://evil.example")
        .sign(&key)
        .unwrap();
    let e = invalid_token(check(&server, &format!("Bearer {other_iss}")).await);
    assert_eq!(e.description(), "the access token is from another issuer");
    let other_aud = token_builder()
        .audience("https://other-api.example")
        .sign(&key)
        .unwrap();
    let e = invalid_token(check(&server, &format!("Bearer {other_aud}")).await);
    assert_eq!(e.description(), "the access token is not for this resource");
}

#[tokio::test]
async fn refuses_an_expired_token_beyond_the_leeway() {
    let key = key("k1");
    let past = NumericDate::now().minus(Duration::from_secs(3600));
    let token = token_builder()
        .issued_at(past)
        .expires_at(past.plus(Duration::from_secs(60)))
        .sign(&key)
        .unwrap();
    let e = invalid_token(check(&server(&key), &format!("Bearer {token}")).await);
    assert_eq!(e.code(), "ERR_JWT_EXPIRED");
}

#[tokio::test]
async fn refuses_tokens_without_a_required_claim() {
    let key = key("k1");
    let server = server(&key);
    let no_client = JwtBuilder::new()
        .typ("at+jwt")
        .issuer(ISS)
        .audience(AUD)
        .subject("alice")
        .sign(&key)
        .unwrap();
    invalid_token(check(&server, &format!("Bearer {no_client}")).await);
    let no_jti = token_builder().no_jti().sign(&key).unwrap();
    invalid_token(check(&server, &format!("Bearer {no_jti}")).await);
    let no_sub = JwtBuilder::new()
        .typ("at+jwt")
        .issuer(ISS)
        .audience(AUD)
        .claim("client_id", "app")
        .unwrap()
        .sign(&key)
        .unwrap();
    invalid_token(check(&server, &format!("Bearer {no_sub}")).await);
}

#[tokio::test]
async fn refuses_hmac_even_with_a_shared_key_in_the_set() {
    let secret = Jwk::generate(JwsAlgorithm::HS256).unwrap().with_kid("h");
    let signer = SigningKey::new(secret.clone(), JwsAlgorithm::HS256).unwrap();
    let token = token_builder().sign(&signer).unwrap();
    let server = ResourceServer::builder(
        AccessTokenValidation::new(ISS, AUD).algorithms([JwsAlgorithm::HS256, JwsAlgorithm::ES256]),
        StaticKeys::new(JwkSet::new(vec![secret]).unwrap()),
    )
    .build();
    let e = invalid_token(check(&server, &format!("Bearer {token}")).await);
    assert_eq!(e.code(), "ERR_JOSE_ALG_NOT_ALLOWED");
}

#[tokio::test]
async fn refuses_a_token_signed_by_an_unknown_key() {
    let token = token_builder().sign(&key("k2")).unwrap();
    invalid_token(check(&server(&key("k1")), &format!("Bearer {token}")).await);
}

#[tokio::test]
async fn insufficient_scope_is_403_naming_the_scope() {
    let key = key("k1");
    let token = token_with_scope("write").sign(&key).unwrap();
    let server = server(&key);
    let header = format!("Bearer {token}");
    let request = RequestInfo::new("GET", "/items").header("authorization", header.as_bytes());
    let challenge = server
        .authenticate::<serde_json::Value>(&request)
        .await
        .unwrap_err();
    assert_eq!(challenge.status(), 403);
    assert_eq!(
        challenge.www_authenticate(),
        Some(
            "Bearer error=\"insufficient_scope\", error_description=\"the access token does not grant the scope this request needs\", scope=\"read\", resource_metadata=\"https://api.example/.well-known/oauth-protected-resource\""
        )
    );
}

#[tokio::test]
async fn challenges_follow_rfc_6750() {
    let key = key("k1");
    let server = server(&key);
    let answer = |request: RequestInfo<'static>| {
        let server = server.clone();
        async move {
            server
                .authenticate::<serde_json::Value>(&request)
                .await
                .unwrap_err()
        }
    };
    let none = answer(RequestInfo::new("GET", "/")).await;
    assert_eq!(none.status(), 401);
    assert!(!none.www_authenticate().unwrap().contains("error"));
    let basic = answer(RequestInfo::new("GET", "/").header("authorization", b"Basic YTpi")).await;
    assert_eq!(
        (basic.status(), basic.www_authenticate()),
        (none.status(), none.www_authenticate())
    );
    let two = answer(
        RequestInfo::new("GET", "/")
            .header("authorization", b"Bearer a")
            .header("Authorization", b"Bearer b"),
    )
    .await;
    assert_eq!(two.status(), 400);
    assert!(
        two.www_authenticate()
            .unwrap()
            .starts_with("Bearer error=\"invalid_request\"")
    );
    let garbage = answer(RequestInfo::new("GET", "/").header("authorization", b"Bearer abc")).await;
    assert_eq!(garbage.status(), 401);
    assert!(
        garbage
            .www_authenticate()
            .unwrap()
            .starts_with("Bearer error=\"invalid_token\"")
    );
}

#[tokio::test]
async fn a_dpop_bound_token_presented_as_bearer_is_refused() {
    let key = key("k1");
    let token = token_builder()
        .claim(
            "cnf",
            serde_json::json!({"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}),
        )
        .unwrap()
        .sign(&key)
        .unwrap();
    let e = invalid_token(check(&server(&key), &format!("Bearer {token}")).await);
    assert_eq!(e, TokenError::DpopBoundTokenAsBearer);
}

#[tokio::test]
async fn certificate_bound_tokens_need_their_certificate() {
    let key = key("k1");
    let server = server(&key);
    let cert = b"a DER certificate handed in by the TLS layer".as_slice();
    let thumbprint = jose_core::b64::encode(sha2::Sha256::digest(cert));
    let token = token_builder()
        .claim("cnf", serde_json::json!({"x5t#S256": thumbprint}))
        .unwrap()
        .sign(&key)
        .unwrap();
    let header = format!("Bearer {token}");
    let with = |cert: Option<&'static [u8]>| {
        let mut request = RequestInfo::new("GET", "/").header("authorization", header.as_bytes());
        if let Some(cert) = cert {
            request = request.client_certificate(cert);
        }
        let server = server.clone();
        async move { server.verify::<serde_json::Value>(&request).await }
    };
    with(Some(cert)).await.unwrap();
    assert!(matches!(
        with(Some(b"another certificate")).await,
        Err(Rejection::InvalidToken(TokenError::CertificateMismatch))
    ));
    assert!(matches!(
        with(None).await,
        Err(Rejection::InvalidToken(
            TokenError::MissingClientCertificate
        ))
    ));
}

#[derive(Debug, Deserialize)]
struct MyClaims {
    sub: String,
    tenant: String,
}

#[tokio::test]
async fn claims_come_out_in_the_callers_type() {
    let key = key("k1");
    let token = token_builder()
        .claim("tenant", "acme")
        .unwrap()
        .sign(&key)
        .unwrap();
    let header = format!("Bearer {token}");
    let request = RequestInfo::new("GET", "/").header("authorization", header.as_bytes());
    let server = server(&key);
    let principal = server.verify::<MyClaims>(&request).await.unwrap();
    let claims = principal.access_token().claims();
    assert_eq!(
        (claims.sub.as_str(), claims.tenant.as_str()),
        ("alice", "acme")
    );
    // The whole object, moved as it is into a Map or a Value.
    let map = server
        .verify::<serde_json::Map<String, serde_json::Value>>(&request)
        .await
        .unwrap()
        .into_access_token()
        .into_claims();
    assert_eq!(map["tenant"], "acme");
    assert_eq!(map["sub"], "alice");
    assert_eq!(map["client_id"], "app");
    let value = server
        .verify::<serde_json::Value>(&request)
        .await
        .unwrap()
        .into_access_token()
        .into_claims();
    assert_eq!(value, serde_json::Value::Object(map));
}

#[tokio::test]
async fn claims_that_do_not_fit_the_callers_type_are_refused() {
    let key = key("k1");
    let token = token_builder().sign(&key).unwrap();
    let header = format!("Bearer {token}");
    let request = RequestInfo::new("GET", "/").header("authorization", header.as_bytes());
    assert!(matches!(
        server(&key).verify::<MyClaims>(&request).await,
        Err(Rejection::InvalidToken(TokenError::Jwt(
            jwt_claims::JwtError::Claims(_)
        )))
    ));
}

#[tokio::test]
async fn a_cloned_principal_shares_the_token_and_still_gives_it_by_value() {
    let key = key("k1");
    let token = token_builder().sign(&key).unwrap();
    let principal = check(&server(&key), &format!("Bearer {token}"))
        .await
        .unwrap();
    let clone = principal.clone();
    assert_eq!(clone, principal);
    let shared = clone.into_access_token();
    assert_eq!(&shared, principal.access_token());
    let sole = principal.into_access_token();
    assert_eq!(sole.subject(), "alice");
}

#[tokio::test]
async fn auth_time_and_acr_when_asked() {
    let key = key("k1");
    let validation = AccessTokenValidation::new(ISS, AUD)
        .require_auth_time(Some(Duration::from_secs(600)))
        .acr_values(["gold"]);
    let server = ResourceServer::builder(validation, keys(&key)).build();
    let recent = NumericDate::now().minus(Duration::from_secs(60));
    let good = token_builder()
        .claim("auth_time", recent.seconds())
        .unwrap()
        .claim("acr", "gold")
        .unwrap()
        .sign(&key)
        .unwrap();
    let principal = check(&server, &format!("Bearer {good}")).await.unwrap();
    assert_eq!(principal.access_token().acr(), Some("gold"));
    let old = token_builder()
        .claim("auth_time", recent.seconds() - 3600)
        .unwrap()
        .claim("acr", "gold")
        .unwrap()
        .sign(&key)
        .unwrap();
    assert!(matches!(
        invalid_token(check(&server, &format!("Bearer {old}")).await),
        TokenError::AuthenticationTooOld { .. }
    ));
    let silver = token_builder()
        .claim("auth_time", recent.seconds())
        .unwrap()
        .claim("acr", "silver")
        .unwrap()
        .sign(&key)
        .unwrap();
    assert_eq!(
        invalid_token(check(&server, &format!("Bearer {silver}")).await),
        TokenError::AcrNotAccepted
    );
    let none = token_builder().sign(&key).unwrap();
    assert_eq!(
        invalid_token(check(&server, &format!("Bearer {none}")).await),
        TokenError::MissingAuthTime
    );
}

/// A key source whose issuer cannot be reached.
#[derive(Debug)]
struct Unreachable;

impl KeySource for Unreachable {
    fn keys<'a>(
        &'a self,
        _kid: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Arc<JwkSet>, KeySourceError>> {
        Box::pin(async { Err(KeySourceError("connection refused by 10.1.2.3:443".into())) })
    }
}

#[tokio::test]
async fn unavailable_keys_answer_503_without_details() {
    let key = key("k1");
    let token = token_builder().sign(&key).unwrap();
    let server = ResourceServer::builder(AccessTokenValidation::new(ISS, AUD), Unreachable).build();
    let header = format!("Bearer {token}");
    let request = RequestInfo::new("GET", "/").header("authorization", header.as_bytes());
    let challenge = server
        .authenticate::<serde_json::Value>(&request)
        .await
        .unwrap_err();
    assert_eq!(challenge.status(), 503);
    assert_eq!(challenge.www_authenticate(), None);
    assert_eq!(challenge.code(), "unavailable");
}
