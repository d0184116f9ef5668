//! Wycheproof's JOSE suites, JWS part: every `valid` case is accepted and every `invalid` case
//! refused, except the cases listed in [`DEVIATIONS`], each with its reason.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::{VerifyOptions, compact};
use serde_json::Value;

/// Cases where this workspace's verdict differs from the file, and why.
const DEVIATIONS: &[(&str, u64, &str)] = &[
    (
        "json_web_signature_test.json",
        349,
        "key_ops is [\"sign, verify\"]: one unregistered value, so the key does not permit \"verify\" \
         (RFC 7517 §4.3 values are exact strings); we refuse",
    ),
    (
        "json_web_signature_test.json",
        346,
        "the key's alg is PS256 and the token is PS384: a JWK's alg names the one algorithm the key is for \
         (RFC 7517 §4.4); we refuse",
    ),
    (
        "json_web_signature_test.json",
        347,
        "the key's alg is \"ES521\", not a registered algorithm (ES512 is): a key bound to an unknown \
         algorithm is used for none; we refuse",
    ),
    (
        "json_web_signature_test.json",
        350,
        "as 346, with key_ops: the key's alg PS256 does not permit PS384; we refuse",
    ),
    (
        "json_web_signature_test.json",
        351,
        "as 347, with key_ops: the key's alg \"ES521\" is not registered; we refuse",
    ),
    (
        "json_web_signature_test.json",
        367,
        "upstream erratum: byte-identical to the valid case 357 (the padding it meant to add was lost); we accept",
    ),
    (
        "json_web_signature_test.json",
        370,
        "upstream erratum: byte-identical to the valid case 357 (the padding it meant to add was lost); we accept",
    ),
    (
        "json_web_signature_test.json",
        372,
        "upstream erratum: the header contains '?', which is not base64url; we refuse",
    ),
    (
        "json_web_signature_test.json",
        373,
        "upstream erratum: the payload contains '?', which is not base64url; we refuse",
    ),
];

fn suite(name: &str) -> Value {
    let path = format!(
        "{}/../../vectors/sources/wycheproof/testvectors_v1/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Verifies `token` with the group's key (a JWK or a JWK Set), as a compact JWS.
fn accepts(private: &Value, token: &str) -> bool {
    let text = private.to_string();
    // A key the workspace refuses to import cannot verify anything: that is a rejection.
    if private.get("keys").is_some() {
        let Ok(set) = JwkSet::from_json(&text) else {
            return false;
        };
        let options = VerifyOptions::new().algorithms(JwsAlgorithm::ALL.iter().copied());
        compact::verify(token, &set, &options).is_ok()
    } else {
        let Ok(key) = Jwk::from_json(&text) else {
            return false;
        };
        // The key's own `alg` decides when it has one; otherwise any algorithm that fits it.
        let options = if key.alg().is_some() {
            VerifyOptions::new()
        } else {
            VerifyOptions::new().algorithms(JwsAlgorithm::ALL.iter().copied())
        };
        compact::verify(token, &key, &options).is_ok()
    }
}

fn run(file: &str) -> usize {
    let suite = suite(file);
    let mut checked = 0;
    let mut failures = Vec::new();
    for group in suite["testGroups"].as_array().unwrap() {
        for test in group["tests"].as_array().unwrap() {
            let Some(token) = test.get("jws") else {
                continue;
            };
            let token = match token {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            let id = test["tcId"].as_u64().unwrap();
            let expected_valid = match test["result"].as_str().unwrap() {
                "valid" => true,
                "invalid" => false,
                other => panic!("{file} #{id}: result {other} needs a documented decision"),
            };
            let deviation = DEVIATIONS.iter().find(|(f, n, _)| *f == file && *n == id);
            let expected = expected_valid != deviation.is_some();
            let actual = accepts(&group["private"], &token);
            checked += 1;
            if actual != expected {
                failures.push(format!(
                    "#{id} ({}): expected {}, got {}",
                    test["comment"], expected, actual
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{file}:\n{}", failures.join("\n"));
    checked
}

#[test]
fn json_web_signature_suite() {
    assert_eq!(run("json_web_signature_test.json"), 401);
}

#[test]
fn json_web_key_suite() {
    assert_eq!(run("json_web_key_test.json"), 26);
}

#[test]
fn json_web_crypto_suite_signature_cases() {
    // The JWE cases of this file run in the `jwe` crate.
    assert_eq!(run("json_web_crypto_test.json"), 49);
}

#[test]
fn every_deviation_names_a_case_that_exists() {
    for (file, id, _) in DEVIATIONS {
        let suite = suite(file);
        let found = suite["testGroups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["tests"].as_array().unwrap())
            .any(|t| t["tcId"].as_u64() == Some(*id));
        assert!(found, "{file} #{id}");
    }
}
