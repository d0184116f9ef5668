//! Tokens bound to the client's key, end to end against oidc-provider (one provider for this
//! test binary, started by `test-provider` on 127.0.0.1): DPoP (RFC 9449) nonces at every
//! endpoint that takes DPoP, proofs with each algorithm the provider offers, a `DpopHandle` of
//! the application's own; mTLS (RFC 8705: `tls_client_auth`, `self_signed_tls_client_auth`,
//! certificate-bound tokens) on the provider's TLS listener. Then, through a scripted
//! transport, a JWT access token without the certificate binding.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
mod scripted_server;

use common::{Pending, browse, client, config, dpop, finish, provider};
use jose_core::alg::JwsAlgorithm;
use oauth_client::http::{Headers, Method};
use oauth_client::{
    Configuration, Error, ExpectedSubject, Params, ReqwestHttpClient, random_state,
};
use std::sync::{Arc, Mutex};

// --- DPoP nonces at every endpoint --------------------------------------------------------------

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

// --- DPoP proof algorithms, and a DPoP handle of the application's own --------------------------

#[tokio::test]
async fn dpop_proofs_with_each_algorithm_the_provider_offers_bind_the_token_to_the_key() {
    let config = config("client-post").await;
    let offered = config
        .server_metadata()
        .dpop_signing_alg_values_supported
        .clone()
        .unwrap();
    // oidc-provider offers ES256, Ed25519 and EdDSA; RSA ones, if offered, are skipped (key
    // generation is slow in debug builds and the proof code is the same).
    let mut tried = Vec::new();
    for name in &offered {
        let Ok(alg) = name.parse::<JwsAlgorithm>() else {
            continue;
        };
        if alg.is_symmetric() || name.starts_with("RS") || name.starts_with("PS") {
            continue;
        }
        // openid-client's `randomDPoPKeyPair(alg)` and `getDPoPHandle(config, keyPair)`.
        let handle = Arc::new(dpop::DpopClient::generate(alg).unwrap());
        let bound = config.with_dpop(handle.clone());
        let tokens = bound
            .client_credentials_grant(Params::from([("scope", "api:read")]))
            .await
            .unwrap();
        assert_eq!(tokens.token_type(), "dpop", "{name}");
        let info = config
            .introspect_token(tokens.access_token(), Params::new())
            .await
            .unwrap();
        // `calculateThumbprint()` is what the provider bound the token to.
        assert_eq!(info.dpop_jkt(), Some(handle.dpop_jkt()), "{name}");
        tried.push(name.clone());
    }
    assert!(tried.iter().any(|n| n == "ES256"), "{offered:?}");
    assert!(tried.len() >= 3, "{offered:?}");
}

/// A DPoP handle of the application's own (where openid-client takes `modifyAssertion` for
/// DPoP): proofs with a `jti` it chooses, nonces kept by a `DpopClient`.
#[derive(Debug)]
struct OwnProofs {
    client: dpop::DpopClient,
    proofs: Mutex<Vec<String>>,
}

impl oauth_client::DpopHandle for OwnProofs {
    fn proof(&self, method: &str, url: &str, access_token: Option<&str>) -> Result<String, Error> {
        let nonce = self.client.nonce_for(url);
        let jti = format!("mapping-{}", random_state().unwrap());
        let mut proof = self
            .client
            .key()
            .proof(method, url)
            .maybe_nonce(nonce.as_deref())
            .jti(jti.clone());
        if let Some(token) = access_token {
            proof = proof.access_token(token);
        }
        self.proofs.lock().unwrap().push(jti);
        proof.sign().map_err(|e| Error::Dpop(e.to_string()))
    }

    fn record_nonce(&self, url: &str, nonce: &str) -> Result<(), Error> {
        self.client
            .record_nonce(url, nonce)
            .map_err(|e| Error::Dpop(e.to_string()))
    }

    fn jkt(&self) -> Option<String> {
        Some(self.client.dpop_jkt().to_owned())
    }
}

#[tokio::test]
async fn a_dpop_handle_of_the_applications_own_gets_bound_tokens_after_a_nonce_round_trip() {
    // client-dpop-nonce: the provider demands a nonce, so the first proof is refused and the
    // request is sent again with the nonce the handle recorded.
    let handle = Arc::new(OwnProofs {
        client: dpop::DpopClient::generate(JwsAlgorithm::ES256).unwrap(),
        proofs: Mutex::new(Vec::new()),
    });
    let config = config("client-dpop-nonce").await.with_dpop(handle.clone());
    let tokens = config
        .client_credentials_grant(Params::from([("scope", "api:read")]))
        .await
        .unwrap();
    assert_eq!(tokens.token_type(), "dpop");
    assert_eq!(
        handle.proofs.lock().unwrap().len(),
        2,
        "one retry with the nonce"
    );
    let info = config
        .introspect_token(tokens.access_token(), Params::new())
        .await
        .unwrap();
    assert_eq!(info.dpop_jkt(), Some(handle.client.dpop_jkt()));
}

// --- mTLS (RFC 8705) ----------------------------------------------------------------------------

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

// --- What a real provider does not send, through a scripted transport ---------------------------
// (`scripted_server`): each answer must be a specific error, never a panic.
mod scripted {
    use crate::scripted_server::*;
    use oauth_client::{Error, Params};
    use serde_json::json;
    use std::sync::Arc;

    // --- Certificate-bound tokens ---------------------------------------------------------------

    #[tokio::test]
    async fn a_jwt_access_token_without_the_certificate_binding_is_refused() {
        let server = Arc::new(Scripted::default());
        let unbound = sign(&keys().op, json!({"sub": "svc", "aud": "urn:api"}));
        server.script(
            "/token",
            [json_answer(
                200,
                json!({"access_token": unbound, "token_type": "Bearer"}),
            )],
        );
        let config = builder(&server)
            .certificate_bound_access_tokens(b"client certificate DER")
            .build(metadata())
            .unwrap();
        let err = config
            .client_credentials_grant(Params::new())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::CertificateBinding(_)), "{err}");
    }
}
