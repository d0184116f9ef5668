//! Several issuers: the token's `iss` selects the issuer's configuration; an issuer not on
//! the list is refused; one issuer's key cannot sign for another.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use jwt_claims::{JwtBuilder, JwtError};
use resource_server::{
    AccessTokenValidation, MultiIssuer, Rejection, RequestInfo, ResourceServer, StaticKeys,
    TokenError,
};

const AUD: &str = "https://api.example";

fn key() -> SigningKey {
    SigningKey::new(
        Jwk::generate(JwsAlgorithm::ES256).unwrap().with_kid("k"),
        JwsAlgorithm::ES256,
    )
    .unwrap()
}

fn tenant(issuer: &str, key: &SigningKey) -> ResourceServer {
    let keys = StaticKeys::new(JwkSet::new(vec![key.public_jwk().unwrap()]).unwrap());
    ResourceServer::builder(AccessTokenValidation::new(issuer, AUD), keys).build()
}

fn token(issuer: &str, key: &SigningKey) -> String {
    JwtBuilder::new()
        .typ("at+jwt")
        .issuer(issuer)
        .audience(AUD)
        .subject("alice")
        .claim("client_id", "app")
        .unwrap()
        .sign(key)
        .unwrap()
}

async fn verify(servers: &MultiIssuer, token: &str) -> Result<String, Rejection> {
    let header = format!("Bearer {token}");
    let request = RequestInfo::new("GET", "/").header("authorization", header.as_bytes());
    servers
        .verify::<serde_json::Value>(&request)
        .await
        .map(|p| p.access_token().issuer().to_owned())
}

#[tokio::test]
async fn each_issuer_is_verified_with_its_own_configuration() {
    let (a, b) = (key(), key());
    let servers = MultiIssuer::new([
        tenant("https://a.example", &a),
        tenant("https://b.example", &b),
    ])
    .unwrap();
    assert_eq!(
        verify(&servers, &token("https://a.example", &a))
            .await
            .unwrap(),
        "https://a.example"
    );
    assert_eq!(
        verify(&servers, &token("https://b.example", &b))
            .await
            .unwrap(),
        "https://b.example"
    );
    // B's key cannot sign for A, even with the same kid.
    assert!(matches!(
        verify(&servers, &token("https://a.example", &b)).await,
        Err(Rejection::InvalidToken(_))
    ));
}

#[tokio::test]
async fn an_issuer_not_on_the_list_is_refused() {
    let a = key();
    let servers = MultiIssuer::new([tenant("https://a.example", &a)]).unwrap();
    let result = verify(&servers, &token("https://evil.example", &a)).await;
    assert!(
        matches!(
            result,
            Err(Rejection::InvalidToken(TokenError::Jwt(
                JwtError::IssuerMismatch { .. }
            )))
        ),
        "{result:?}"
    );
    let header = format!("Bearer {}", token("https://evil.example", &a));
    let request = RequestInfo::new("GET", "/").header("authorization", header.as_bytes());
    let challenge = servers
        .authenticate::<serde_json::Value>(&request)
        .await
        .unwrap_err();
    assert_eq!(challenge.status(), 401);
}

#[test]
fn the_list_must_be_non_empty_and_without_duplicates() {
    let a = key();
    assert!(MultiIssuer::new([]).is_err());
    assert!(
        MultiIssuer::new([
            tenant("https://a.example", &a),
            tenant("https://a.example", &a)
        ])
        .is_err()
    );
}
