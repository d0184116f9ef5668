//! The client's handling of server responses (status, `WWW-Authenticate`, body `error`,
//! `DPoP-Nonce`): arbitrary values never panic, and only well-formed nonce requests count.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use dpop::{DpopClient, is_valid_nonce};
use jose_core::alg::JwsAlgorithm;
use proptest::prelude::*;
use std::sync::OnceLock;

fn client() -> &'static DpopClient {
    static CLIENT: OnceLock<DpopClient> = OnceLock::new();
    CLIENT.get_or_init(|| DpopClient::generate(JwsAlgorithm::ES256).unwrap())
}

#[test]
fn non_ascii_www_authenticate_values_do_not_panic() {
    // "Dé" puts a UTF-8 boundary inside the first four bytes.
    for h in [
        "Dé use_dpop_nonce",
        "DPo\u{e9}",
        "ééé",
        "\u{1F600}",
        "   Dé",
        "DPoPé",
    ] {
        assert!(!DpopClient::is_nonce_error(401, Some(h), None), "{h}");
    }
}

#[test]
fn the_scheme_must_be_dpop_exactly() {
    let yes = r#"DPoP error="use_dpop_nonce", error_description="fresh nonce""#;
    assert!(DpopClient::is_nonce_error(401, Some(yes), None));
    assert!(DpopClient::is_nonce_error(
        401,
        Some(&yes.to_lowercase()),
        None
    ));
    assert!(!DpopClient::is_nonce_error(
        401,
        Some(r#"DPoPx error="use_dpop_nonce""#),
        None
    ));
    assert!(!DpopClient::is_nonce_error(
        401,
        Some(r#"Bearer error="use_dpop_nonce""#),
        None
    ));
    assert!(!DpopClient::is_nonce_error(
        401,
        Some(r#"DPoP error="invalid_token""#),
        None
    ));
    assert!(!DpopClient::is_nonce_error(403, Some(yes), None));
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "(?i)dpop[ ,]{0,2}.{0,40}",
        "(?i)dpop error=\"use_dpop_nonce\".{0,10}",
        "[\u{80}-\u{10FFFF}]{0,8}",
        " {0,2}[a-zA-Z]{0,3}[\u{80}-\u{10FFFF}].{0,8}",
    ]
}

fn uri() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "https://[a-z]{1,10}\\.example(:[0-9]{1,5})?/[a-z/]{0,10}",
        "https://[\u{80}-\u{10FFFF}a-z]{1,10}/.{0,10}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn response_handling_never_panics(
        status in prop_oneof![Just(400u16), Just(401u16), any::<u16>()],
        www_authenticate in proptest::option::of(header_value()),
        body_error in proptest::option::of(any::<String>()),
        nonce in any::<String>(),
        uri in uri(),
    ) {
        let asks = DpopClient::is_nonce_error(status, www_authenticate.as_deref(), body_error.as_deref());
        if asks {
            prop_assert!(status == 400 || status == 401);
        }
        let client = client();
        match client.record_nonce(&uri, &nonce) {
            Ok(()) => {
                prop_assert!(is_valid_nonce(&nonce));
                prop_assert_eq!(client.nonce_for(&uri), Some(nonce.clone()));
                // A proof can always be made with a nonce that was accepted.
                prop_assert!(client.proof("POST", &uri, Some("token")).is_ok());
            }
            Err(_) => prop_assert!(!is_valid_nonce(&nonce) || client.nonce_for(&uri).is_none()),
        }
        let _ = client.proof("GET", &uri, None);
    }
}
