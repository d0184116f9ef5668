//! RFC 7638 §3.1, RFC 8037 A.3 and RFC 9278 examples, and the properties that make thumbprints
//! useful as key identifiers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::{JwsAlgorithm, KeyManagementAlgorithm};
use jose_core::jwk::Jwk;
use jwk_thumbprint::*;
use serde_json::Value;

fn vector(path: &str) -> Value {
    let full = format!(
        "{}/../../vectors/sources/rfc/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(full).unwrap()).unwrap()
}

#[test]
fn rfc7638_section_3_1_example() {
    let v = vector("rfc7638-jwk-thumbprint.json");
    let key = Jwk::from_json(v["jwk"].to_string()).unwrap();
    assert_eq!(canonical_json(&key), v["canonical_json"].as_str().unwrap());
    assert_eq!(
        thumbprint_b64(&key, ThumbprintHash::Sha256),
        v["sha256_thumbprint_b64"].as_str().unwrap()
    );
    let bytes: Vec<u8> = v["sha256_thumbprint_bytes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_u64().unwrap() as u8)
        .collect();
    assert_eq!(thumbprint(&key, ThumbprintHash::Sha256), bytes);
}

#[test]
fn rfc8037_a3_ed25519_thumbprint() {
    let v = vector("rfc8037-okp-appendix-a.json");
    for member in ["A.1_ed25519_private_jwk", "A.2_ed25519_public_jwk"] {
        let key = Jwk::from_json(v[member].to_string()).unwrap();
        assert_eq!(
            canonical_json(&key),
            v["A.3_thumbprint"]["canonical_json"].as_str().unwrap()
        );
        assert_eq!(
            thumbprint_b64(&key, ThumbprintHash::Sha256),
            v["A.3_thumbprint"]["sha256_b64"].as_str().unwrap()
        );
    }
}

#[test]
fn rfc9278_uri_example() {
    let v = vector("rfc9278-jwk-thumbprint-uri.json");
    let key = Jwk::from_json(v["jwk"].to_string()).unwrap();
    let uri = v["uri"].as_str().unwrap();
    assert_eq!(thumbprint_uri(&key, ThumbprintHash::Sha256), uri);
    assert!(matches_uri(&key, uri));
    let (hash, bytes) = parse_thumbprint_uri(uri).unwrap();
    assert_eq!(hash, ThumbprintHash::Sha256);
    assert_eq!(bytes.len(), 32);
}

#[test]
fn uri_parsing_refuses_malformed_values() {
    assert_eq!(
        parse_thumbprint_uri("urn:x"),
        Err(ThumbprintError::NotAThumbprintUri)
    );
    assert!(matches!(
        parse_thumbprint_uri("urn:ietf:params:oauth:jwk-thumbprint:md5:AAAA"),
        Err(ThumbprintError::UnsupportedHash(_))
    ));
    assert_eq!(
        parse_thumbprint_uri("urn:ietf:params:oauth:jwk-thumbprint:sha-256:AAAA"),
        Err(ThumbprintError::InvalidValue)
    );
    assert_eq!(
        parse_thumbprint_uri("urn:ietf:params:oauth:jwk-thumbprint:sha-256:!!"),
        Err(ThumbprintError::InvalidValue)
    );
}

#[test]
fn every_key_type_and_hash_and_private_public_agree() {
    let algs: Vec<jose_core::alg::KeyAlgorithm> = vec![
        JwsAlgorithm::HS256.into(),
        JwsAlgorithm::RS256.into(),
        JwsAlgorithm::ES256.into(),
        JwsAlgorithm::ES384.into(),
        JwsAlgorithm::ES512.into(),
        JwsAlgorithm::EdDSA.into(),
        KeyManagementAlgorithm::EcdhEs.into(),
    ];
    for alg in algs {
        let key = Jwk::generate(alg.clone()).unwrap().with_kid("a");
        for hash in [
            ThumbprintHash::Sha256,
            ThumbprintHash::Sha384,
            ThumbprintHash::Sha512,
        ] {
            let t = thumbprint(&key, hash);
            assert_eq!(t.len(), hash.output_len());
            // Parameters do not change the thumbprint.
            assert_eq!(
                t,
                thumbprint(&key.clone().with_kid("b").without_alg(), hash),
                "{alg}"
            );
            if !key.is_symmetric() {
                assert_eq!(t, thumbprint(&key.to_public().unwrap(), hash), "{alg}");
            }
            assert!(matches(&key, &jose_core::b64::encode(&t), hash));
        }
        let other = Jwk::generate(alg.clone()).unwrap();
        assert_ne!(
            thumbprint(&key, ThumbprintHash::Sha256),
            thumbprint(&other, ThumbprintHash::Sha256)
        );
        assert!(!matches(
            &other,
            &thumbprint_b64(&key, ThumbprintHash::Sha256),
            ThumbprintHash::Sha256
        ));
    }
}
