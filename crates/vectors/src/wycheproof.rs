//! Project Wycheproof's JOSE suites through the workspace: every `valid` case accepted, every
//! `invalid` case refused, `acceptable` cases decided by the documented rules, with the
//! exceptions listed in `vectors/wycheproof-deviations.json` (the one list, shared with the
//! crates' own Wycheproof tests).

use super::util::root;
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::{VerifyOptions, compact};
use serde::Deserialize;
use serde_json::Value;

/// The deviations file.
#[derive(Debug, Deserialize)]
pub struct Deviations {
    /// Cases where our verdict differs from the file's `result`.
    pub deviations: Vec<Deviation>,
    /// How `acceptable` cases are decided, by flag; the first rule whose flag the case has.
    pub acceptable: Vec<AcceptableRule>,
}

/// One case decided against the file's `result`.
#[derive(Debug, Deserialize)]
pub struct Deviation {
    /// The file under `vectors/sources/wycheproof/testvectors_v1/`.
    pub file: String,
    /// The case.
    #[serde(rename = "tcId")]
    pub tc_id: u64,
    /// `accept` or `reject`.
    pub verdict: String,
    /// Why.
    pub reason: String,
}

/// A rule for `acceptable` cases.
#[derive(Debug, Deserialize)]
pub struct AcceptableRule {
    /// The file.
    pub file: String,
    /// The Wycheproof flag the rule applies to.
    pub flag: String,
    /// `accept` or `reject`.
    pub verdict: String,
    /// Why.
    pub reason: String,
}

/// Reads `vectors/wycheproof-deviations.json`.
pub fn deviations() -> Result<Deviations, String> {
    let path = root().join("vectors/wycheproof-deviations.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn suite(name: &str) -> Result<Value, String> {
    let path = root()
        .join("vectors/sources/wycheproof/testvectors_v1")
        .join(name);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Verifies `token` with the group's key (a JWK or a JWK Set), as a compact JWS.
fn jws_accepts(private: &Value, token: &str) -> bool {
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

/// X25519 with JWK keys, through ECDH-ES decryption: the case becomes a JWE whose `epk` is
/// the case's public key, encrypted under the CEK that the case's expected shared secret
/// derives; the case's private key must decrypt it (a different agreement fails the tag).
fn x25519_accepts(test: &Value) -> bool {
    let Ok(private) = Jwk::from_json(test["private"].to_string()) else {
        return false;
    };
    let mut header = serde_json::json!({ "alg": "ECDH-ES", "enc": "A128GCM" });
    header["epk"] = test["public"].clone();
    if let Some(epk) = header["epk"].as_object_mut() {
        epk.remove("kid");
    }
    let protected = jose_core::b64::encode(header.to_string());
    let shared = unhex(test["shared"].as_str().unwrap_or_default());
    let cek = jwe::hazmat::concat_kdf(&shared, "A128GCM", b"", b"", 16);
    let iv = [9u8; 12];
    let mut buf = b"x25519".to_vec();
    let Ok(tag) = jwe::hazmat::encrypt_content(
        jose_core::alg::ContentEncryptionAlgorithm::A128Gcm,
        &cek,
        &iv,
        protected.as_bytes(),
        &mut buf,
    ) else {
        return false;
    };
    let token = format!(
        "{protected}..{}.{}.{}",
        jose_core::b64::encode(iv),
        jose_core::b64::encode(&buf),
        jose_core::b64::encode(tag)
    );
    let options =
        jwe::DecryptOptions::new().algorithms([jose_core::alg::KeyManagementAlgorithm::EcdhEs]);
    jwe::compact::decrypt(&token, &private, &options).is_ok_and(|d| d.plaintext() == b"x25519")
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// Decrypts a compact JWE with the group's key (the algorithms the key implies), checking the
/// plaintext when the case gives one.
fn jwe_accepts(private: &Value, test: &Value, token: &str) -> bool {
    let Ok(key) = Jwk::from_json(private.to_string()) else {
        return false;
    };
    match jwe::compact::decrypt(token, &key, &jwe::DecryptOptions::new()) {
        Ok(d) => test
            .get("pt")
            .and_then(Value::as_str)
            .is_none_or(|pt| hex(d.plaintext()) == pt),
        Err(_) => false,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The suites this runner covers, with the member holding the input and the function that
/// decides acceptance.
type Accepts = fn(&Value, &Value) -> Option<bool>;

fn jws_case(group: &Value, test: &Value) -> Option<bool> {
    let token = match test.get("jws")? {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    Some(jws_accepts(&group["private"], &token))
}

fn jwe_case(group: &Value, test: &Value) -> Option<bool> {
    let token = match test.get("jwe")? {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Some(jwe_accepts(&group["private"], test, &token))
}

/// A case of json_web_crypto_test.json: a JWS or a JWE.
fn crypto_case(group: &Value, test: &Value) -> Option<bool> {
    jws_case(group, test).or_else(|| jwe_case(group, test))
}

fn x25519_case(_group: &Value, test: &Value) -> Option<bool> {
    Some(x25519_accepts(test))
}

const SUITES: &[(&str, Accepts)] = &[
    ("json_web_signature_test.json", jws_case),
    ("json_web_key_test.json", jws_case),
    ("json_web_crypto_test.json", crypto_case),
    ("json_web_encryption_test.json", jwe_case),
    ("x25519_jwk_test.json", x25519_case),
];

/// Runs every suite; returns the number of cases checked.
pub fn run(failures: &mut Vec<String>) -> Result<usize, String> {
    let deviations = deviations()?;
    let mut checked = 0;
    for (file, accepts) in SUITES {
        let suite = suite(file)?;
        let mut count = 0;
        let mut acceptable = 0;
        for group in suite["testGroups"].as_array().ok_or("testGroups")? {
            for test in group["tests"].as_array().ok_or("tests")? {
                let Some(actual) = accepts(group, test) else {
                    continue;
                };
                let id = test["tcId"].as_u64().unwrap_or_default();
                let result = test["result"].as_str().unwrap_or_default();
                let flags: Vec<&str> = test["flags"]
                    .as_array()
                    .map(|f| f.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let deviation = deviations
                    .deviations
                    .iter()
                    .find(|d| d.file == *file && d.tc_id == id);
                let mut rule_reason = "";
                let expected = if let Some(d) = deviation {
                    rule_reason = &d.reason;
                    d.verdict == "accept"
                } else {
                    match result {
                        "valid" => true,
                        "invalid" => false,
                        _ => {
                            acceptable += 1;
                            let Some(rule) = deviations
                                .acceptable
                                .iter()
                                .find(|r| r.file == *file && flags.contains(&r.flag.as_str()))
                            else {
                                failures.push(format!(
                                    "wycheproof {file} #{id}: acceptable case with flags {flags:?} has no rule in vectors/wycheproof-deviations.json"
                                ));
                                continue;
                            };
                            rule_reason = &rule.reason;
                            rule.verdict == "accept"
                        }
                    }
                };
                count += 1;
                if actual != expected {
                    failures.push(format!(
                        "wycheproof {file} #{id} ({}): expected {}, got {}{}",
                        test["comment"].as_str().unwrap_or_default(),
                        if expected { "accept" } else { "reject" },
                        if actual { "accept" } else { "reject" },
                        if rule_reason.is_empty() {
                            String::new()
                        } else {
                            format!(" (decided by: {rule_reason})")
                        },
                    ));
                }
            }
        }
        eprintln!(
            "xtask: vectors: wycheproof {file}: {count} cases ({acceptable} acceptable, decided by rule)"
        );
        checked += count;
    }
    for d in &deviations.deviations {
        let suite = suite(&d.file)?;
        let exists = suite["testGroups"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|g| g["tests"].as_array().into_iter().flatten())
            .any(|t| t["tcId"].as_u64() == Some(d.tc_id));
        if !exists || d.reason.is_empty() {
            failures.push(format!(
                "wycheproof deviation {} #{} names no case, or gives no reason",
                d.file, d.tc_id
            ));
        }
    }
    Ok(checked)
}
