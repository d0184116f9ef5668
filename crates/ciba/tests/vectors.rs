//! `vectors/sources/ciba/push-hashes.json`: the CIBA §10.3.1 push example (`at_hash`,
//! `rt_hash`, `auth_req_id`), the OpenID Connect Core and Token Hash Algorithm guide hashes,
//! and the negative cases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use ciba::{AUTH_REQ_ID_CLAIM, RT_HASH_CLAIM, token_hash, token_hash_matches};
use jose_core::alg::JwsAlgorithm;
use serde_json::Value;

fn vectors() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/sources/ciba/push-hashes.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The algorithm names of a case that this workspace implements (not SHAKE256, ES256K, ...).
fn algorithms(case: &Value) -> Vec<JwsAlgorithm> {
    case["algs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| {
            let name = a.as_str().unwrap();
            let name = if name == "EdDSA with an Ed25519 key" {
                "EdDSA"
            } else {
                name
            };
            name.parse().ok()
        })
        .collect()
}

#[test]
fn the_ciba_push_example_at_hash_and_rt_hash() {
    let v = vectors();
    let cases = v["cases"].as_array().unwrap();
    let case = |id: &str| cases.iter().find(|c| c["id"] == id).unwrap();
    let at = case("ciba-push-at_hash");
    assert_eq!(
        token_hash(JwsAlgorithm::RS256, at["input"].as_str().unwrap()),
        at["expected"].as_str().unwrap()
    );
    assert_eq!(at["expected"], "Wt0kVFXMacqvnHeyU0001w");
    let rt = case("ciba-push-rt_hash");
    assert_eq!(
        token_hash(JwsAlgorithm::RS256, rt["input"].as_str().unwrap()),
        rt["expected"].as_str().unwrap()
    );
    assert_eq!(rt["expected"], "sHahCuSpXCRg5mkDDvvr4w");
}

#[test]
fn the_ciba_push_example_body_and_id_token_agree() {
    let v = vectors();
    let example = &v["ciba_push_example"];
    let body = &example["body"];
    // The example is decode-only (its key is not published): check the binding claims.
    let (header, claims) =
        jwt_claims::decode_unverified(body["id_token"].as_str().unwrap()).unwrap();
    let alg = header.alg().unwrap();
    assert_eq!(alg, JwsAlgorithm::RS256);
    assert!(token_hash_matches(
        alg,
        body["access_token"].as_str().unwrap(),
        claims["at_hash"].as_str().unwrap()
    ));
    assert!(token_hash_matches(
        alg,
        body["refresh_token"].as_str().unwrap(),
        claims[RT_HASH_CLAIM].as_str().unwrap()
    ));
    assert_eq!(claims[AUTH_REQ_ID_CLAIM], body["auth_req_id"]);
    // Swapping the tokens breaks both bindings.
    assert!(!token_hash_matches(
        alg,
        body["refresh_token"].as_str().unwrap(),
        claims["at_hash"].as_str().unwrap()
    ));
}

#[test]
fn every_hash_case_for_the_algorithms_implemented_here() {
    let v = vectors();
    let mut checked = 0;
    for case in v["cases"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        let expected = case["expected"].as_str().unwrap();
        for alg in algorithms(case) {
            assert_eq!(token_hash(alg, input), expected, "{} {alg}", case["id"]);
            assert!(token_hash_matches(alg, input, expected));
            checked += 1;
        }
    }
    // Four RS256 cases, then the guide's SHA-256 (PS256, RS256, ES256, HS256), SHA-384 (four)
    // and SHA-512 (PS512, RS512, ES512, HS512, Ed25519, EdDSA) rows.
    assert_eq!(checked, 18);
}

#[test]
fn the_negative_cases_do_not_match() {
    let v = vectors();
    for case in v["negative_cases"].as_array().unwrap() {
        let input = case["input"].as_str().unwrap();
        let candidate = case["candidate"].as_str().unwrap();
        for alg in algorithms(case) {
            assert!(!token_hash_matches(alg, input, candidate), "{}", case["id"]);
        }
    }
}
