//! The harness itself: the provider starts with its TLS listener and test PKI, serves the
//! mTLS aliases, and answers the device control route.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use test_provider::{DeviceDecision, TestProvider};

#[tokio::test]
async fn the_provider_publishes_mtls_aliases_on_its_tls_listener() {
    let provider = TestProvider::shared().unwrap();
    let base = provider.state().mtls_base();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    assert!(provider.pki().ca_pem.contains("BEGIN CERTIFICATE"));
    assert!(provider.pki().client_key_pem.contains("BEGIN PRIVATE KEY"));
    for id in [
        "client-mtls",
        "client-mtls-self-signed",
        "client-device",
        "client-jar",
    ] {
        provider.state().client(id).unwrap();
    }
}

#[tokio::test]
async fn an_unknown_user_code_is_refused_by_the_control_route() {
    let provider = TestProvider::shared().unwrap();
    let err = provider
        .decide_device_code("BCDF-GHJK", DeviceDecision::Approve("alice"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("404"), "{err}");
}

#[tokio::test]
async fn the_es256_signing_keys_rotate_at_the_provider() {
    let provider = TestProvider::start().unwrap();
    let keys = provider.signing_keys().await.unwrap();
    assert_eq!(keys.es256, ["op-p256"]);
    let jwks_uri = format!("{}/jwks", provider.issuer());
    let published = || async {
        let text = http()
            .get(&jwks_uri)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let set: serde_json::Value = serde_json::from_str(&text).unwrap();
        set["keys"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["crv"] == "P-256" && k["use"] == "sig")
            .map(|k| k["kid"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let rotated = provider
        .rotate_es256_keys(&["op-p256-2", "op-p256"])
        .await
        .unwrap();
    assert_eq!(rotated.es256, ["op-p256-2", "op-p256"]);
    assert_eq!(published().await, ["op-p256-2", "op-p256"]);
    provider.rotate_es256_keys(&["op-p256-2"]).await.unwrap();
    assert_eq!(published().await, ["op-p256-2"]);
    // Two fetches of the JWK Set, both counted.
    let after = provider.signing_keys().await.unwrap();
    assert_eq!(after.jwks_fetches, keys.jwks_fetches + 2);
    // The RSA key is still there: the key set is whole.
    assert!(provider.rotate_es256_keys(&["op-rsa"]).await.is_err());
    assert!(provider.rotate_es256_keys(&[]).await.is_err());
}

/// A plain-HTTP loopback client (reqwest wants a TLS configuration: an empty one).
fn http() -> reqwest::Client {
    let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .no_proxy()
        .build()
        .unwrap()
}
