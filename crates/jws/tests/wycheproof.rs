//! Wycheproof's JOSE suites, JWS part: every `valid` case is accepted and every `invalid` case
//! refused, except the cases listed in [`DEVIATIONS`], each with its reason.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::{VerifyOptions, compact};
use serde_json::Value;

/// Cases where this workspace's verdict differs from the file, with their reasons: the one
/// list in `vectors/wycheproof-deviations.json`, shared with `cargo xtask vectors check`.
fn deviations() -> Vec<(String, u64, bool)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/wycheproof-deviations.json"
    );
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    file["deviations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert!(!d["reason"].as_str().unwrap().is_empty());
            (
                d["file"].as_str().unwrap().to_owned(),
                d["tcId"].as_u64().unwrap(),
                d["verdict"] == "accept",
            )
        })
        .collect()
}

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
    let deviations = deviations();
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
            let expected = deviations
                .iter()
                .find(|(f, n, _)| f == file && *n == id)
                .map_or(expected_valid, |(_, _, accept)| *accept);
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
    for (file, id, _) in deviations() {
        if !file.starts_with("json_web_") {
            continue;
        }
        let suite = suite(&file);
        let found = suite["testGroups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["tests"].as_array().unwrap())
            .any(|t| t["tcId"].as_u64() == Some(id));
        assert!(found, "{file} #{id}");
    }
}
