//! Project Wycheproof: every case of `json_web_encryption_test.json` (139), the JWE cases of
//! `json_web_crypto_test.json` (tcId 50–83), and the X25519 cases of `x25519_jwk_test.json`
//! run through the ECDH-ES decryption path.
//!
//! Every `valid` case must decrypt to its plaintext and every `invalid` case must be refused.
//! RSA1_5 cases run with the `rsa1_5` feature; without it, the valid ones are skipped (and
//! counted as such) and the invalid ones must still be refused.
//!
//! Deviations from the upstream expectations: none. Notes on cases whose outcome depends on
//! a design choice:
//! - tcId 22 (and crypto tcId 66), `rejectsValidJsonSerialization`: the JWE is a valid JSON
//!   serialization; it is refused because these suites feed the compact API, which takes the
//!   compact serialization only (the JSON API would accept it).
//! - tcId 94–99, 110, 111, 122–127 (`Pkcs15WithOaepKey`): refused by the key's `alg`
//!   (`RSA-OAEP*`), before any RSA operation, whether or not `rsa1_5` is compiled in.
//! - tcId 113–120 (`ModifiedPkcs15Padding`): the RSA1_5 countermeasure turns every padding
//!   error into a random CEK, so they fail as a tag mismatch (`DecryptionFailed`), exactly like
//!   a wrong key.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::vectors;
use jose_core::alg::KeyManagementAlgorithm;
use jose_core::jwk::Jwk;
use jwe::{DecryptOptions, JweError, compact};
use serde_json::Value;

/// Outcome counts of a suite.
#[derive(Debug, Default)]
struct Tally {
    accepted: usize,
    refused: usize,
    skipped: usize,
}

fn jwe_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_rsa1_5_case(key: &Jwk, jwe: &str) -> bool {
    let uses = jwe::JweHeader::from_json(
        &jose_core::b64::decode(jwe.split('.').next().unwrap_or_default()).unwrap_or_default(),
    )
    .ok()
    .and_then(|h| h.alg())
        == Some(KeyManagementAlgorithm::Rsa1_5);
    let restricted = key.alg() == Some(&KeyManagementAlgorithm::Rsa1_5.into());
    uses && restricted
}

fn run_suite(file: &str, range: Option<(u64, u64)>) -> Tally {
    let suite = vectors(&format!("wycheproof/testvectors_v1/{file}"));
    let mut tally = Tally::default();
    let in_range = |case: &Value| {
        let id = case["tcId"].as_u64().unwrap();
        range.is_none_or(|(lo, hi)| (lo..=hi).contains(&id))
    };
    for group in suite["testGroups"].as_array().unwrap() {
        let tests = group["tests"].as_array().unwrap();
        if !tests.iter().any(in_range) {
            // Other groups of the file hold JWS cases (some with keys this workspace refuses
            // on import, such as a ROCA modulus).
            continue;
        }
        let key = Jwk::from_json(group["private"].to_string()).unwrap();
        for case in tests.iter().filter(|c| in_range(c)) {
            let id = case["tcId"].as_u64().unwrap();
            let jwe = jwe_text(&case["jwe"]);
            let valid = case["result"] == "valid";
            let result = compact::decrypt(&jwe, &key, &DecryptOptions::new());
            if is_rsa1_5_case(&key, &jwe) && !cfg!(feature = "rsa1_5") {
                // Without the feature, RSA1_5 is refused as unsupported; a valid case cannot
                // be checked and is skipped explicitly.
                assert!(
                    matches!(
                        result,
                        Err(JweError::Unsupported {
                            feature: "rsa1_5",
                            ..
                        })
                    ),
                    "{file} tcId {id}: {result:?}"
                );
                if valid {
                    tally.skipped += 1;
                } else {
                    tally.refused += 1;
                }
                continue;
            }
            match (valid, result) {
                (true, Ok(out)) => {
                    if let Some(pt) = case.get("pt") {
                        assert_eq!(
                            hex::encode(out.plaintext()),
                            pt.as_str().unwrap(),
                            "{file} tcId {id}"
                        );
                    }
                    tally.accepted += 1;
                }
                (false, Err(e)) => {
                    let padding = case["flags"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|f| f == "ModifiedPkcs15Padding");
                    if padding {
                        // No padding oracle: a bad padding fails like a wrong key.
                        assert_eq!(e, JweError::DecryptionFailed, "{file} tcId {id}");
                    }
                    if std::env::var_os("WYCHEPROOF_VERBOSE").is_some() {
                        eprintln!("{file} tcId {id} {}: {e}", case["comment"]);
                    }
                    tally.refused += 1;
                }
                (true, Err(e)) => panic!("{file} tcId {id} ({}) refused: {e}", case["comment"]),
                (false, Ok(_)) => panic!("{file} tcId {id} ({}) accepted", case["comment"]),
            }
        }
    }
    tally
}

#[test]
fn json_web_encryption_suite() {
    let t = run_suite("json_web_encryption_test.json", None);
    assert_eq!(t.accepted + t.refused + t.skipped, 139, "{t:?}");
    // 8 valid RSA1_5 cases: tcId 100–105, 112, 128.
    if cfg!(feature = "rsa1_5") {
        assert_eq!(t.skipped, 0);
    } else {
        assert_eq!(t.skipped, 8, "{t:?}");
    }
}

#[test]
fn json_web_crypto_suite_jwe_cases() {
    let t = run_suite("json_web_crypto_test.json", Some((50, 83)));
    assert_eq!(t.accepted + t.refused + t.skipped, 34, "{t:?}");
    assert_eq!(t.accepted, 2, "{t:?}"); // tcId 50 and 67
}

/// `x25519_jwk_test.json`: each case becomes an ECDH-ES JWE whose `epk` is the case's public
/// key, encrypted under the CEK the case's expected shared secret derives; the case's private
/// key must decrypt it. Agreement on a different `Z` would fail the tag.
///
/// Valid cases must decrypt. Invalid cases (public keys of other curves) must be refused.
/// `acceptable` cases: low-order public keys (flag `ZeroSharedSecret`) are refused, because
/// their all-zero shared secret would make the CEK predictable (RFC 7748 §6.1); all other
/// acceptable cases (twist points, non-canonical encodings, edge cases of the arithmetic)
/// decrypt, which shows the agreement computes the RFC 7748 result for them.
#[test]
fn x25519_agreement_cases() {
    use aes_gcm::aead::{AeadInOut, KeyInit};
    let suite = vectors("wycheproof/testvectors_v1/x25519_jwk_test.json");
    let options = DecryptOptions::new().algorithms([KeyManagementAlgorithm::EcdhEs]);
    let (mut accepted, mut refused, mut total) = (0, 0, 0);
    for group in suite["testGroups"].as_array().unwrap() {
        for case in group["tests"].as_array().unwrap() {
            total += 1;
            let id = case["tcId"].as_u64().unwrap();
            let private = Jwk::from_json(case["private"].to_string()).unwrap();
            let mut header = serde_json::json!({"alg": "ECDH-ES", "enc": "A128GCM"});
            header["epk"] = case["public"].clone();
            header["epk"].as_object_mut().unwrap().remove("kid");
            let protected = jose_core::b64::encode(header.to_string());
            let shared = hex::decode(case["shared"].as_str().unwrap()).unwrap();
            let cek = jwe::hazmat::concat_kdf(&shared, "A128GCM", b"", b"", 16);
            let iv = [9u8; 12];
            let mut buf = b"x25519".to_vec();
            let tag = aes_gcm::Aes128Gcm::new_from_slice(&cek)
                .unwrap()
                .encrypt_inout_detached(&iv.into(), protected.as_bytes(), buf.as_mut_slice().into())
                .unwrap();
            let token = format!(
                "{protected}..{}.{}.{}",
                jose_core::b64::encode(iv),
                jose_core::b64::encode(&buf),
                jose_core::b64::encode(tag)
            );
            let result = compact::decrypt(&token, &private, &options);
            let flags: Vec<&str> = case["flags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            let expect_ok = match case["result"].as_str().unwrap() {
                "valid" => true,
                "invalid" => false,
                _ => !flags.contains(&"ZeroSharedSecret"),
            };
            match (expect_ok, result) {
                (true, Ok(out)) => {
                    assert_eq!(out.plaintext(), b"x25519", "tcId {id}");
                    accepted += 1;
                }
                (false, Err(_)) => refused += 1,
                (true, Err(e)) => panic!("tcId {id} {flags:?} refused: {e}"),
                (false, Ok(_)) => panic!("tcId {id} {flags:?} accepted"),
            }
        }
    }
    assert_eq!(total, 531);
    // 13 invalid (other curves) and 31 low-order public keys.
    assert_eq!(refused, 44, "accepted {accepted}, refused {refused}");
}
