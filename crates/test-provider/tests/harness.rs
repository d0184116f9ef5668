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
