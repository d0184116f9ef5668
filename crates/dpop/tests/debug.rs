//! `Debug` output never shows access tokens or proofs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use dpop::{DpopKey, ProofRequest};
use jose_core::alg::JwsAlgorithm;

const TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";

#[test]
fn proof_builder_debug_hides_the_access_token() {
    let key = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    let builder = key
        .proof("GET", "https://rs.example/resource")
        .access_token(TOKEN);
    let shown = format!("{builder:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
    assert!(shown.contains("https://rs.example/resource"), "{shown}");
}

#[test]
fn proof_request_debug_hides_the_access_token_and_the_proof() {
    let key = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    let proof = key
        .proof("GET", "https://rs.example/resource")
        .access_token(TOKEN)
        .sign()
        .unwrap();
    let request =
        ProofRequest::new(&proof, "GET", "https://rs.example/resource").access_token(TOKEN);
    let shown = format!("{request:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(!shown.contains(&proof), "{shown}");
    for part in proof.split('.') {
        assert!(!shown.contains(part), "{shown}");
    }
    assert!(shown.contains("[redacted]"), "{shown}");
}
