//! The published examples: RFC 7515 Appendix A, RFC 7520 §4 (every signature example),
//! RFC 8037 A.4–A.5 and RFC 7797 §4. Deterministic algorithms are reproduced byte for byte;
//! randomised ones are verified.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use jose_core::jwk::{Jwk, JwkSet};
use jws::json::JsonSign;
use jws::{JwsError, SigningKey, VerifyOptions, compact};
use serde_json::Value;

fn vector(path: &str) -> Value {
    let full = format!(
        "{}/../../vectors/sources/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}")))
        .unwrap()
}

fn key(v: &Value) -> Jwk {
    Jwk::from_json(v.to_string()).unwrap()
}

fn alg(v: &Value) -> JwsAlgorithm {
    v.as_str().unwrap().parse().unwrap()
}

#[test]
fn rfc7515_appendix_a() {
    let v = vector("rfc/rfc7515-jws-appendix-a.json");
    for case in v["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let token = case["compact"].as_str().unwrap();
        if case["alg"] == "none" {
            // A.5: unsecured JWS is never accepted, whatever key is offered.
            let hs = Jwk::generate(JwsAlgorithm::HS256).unwrap();
            let err = compact::verify(
                token,
                &hs,
                &VerifyOptions::new().algorithms(JwsAlgorithm::ALL.iter().copied()),
            )
            .unwrap_err();
            assert!(
                matches!(
                    err,
                    JwsError::Header(jose_core::header::HeaderError::Algorithm { .. })
                ),
                "{id}: {err}"
            );
            continue;
        }
        let jwk = key(&case["jwk"]);
        let a = alg(&case["alg"]);
        let options = VerifyOptions::new().algorithms([a]);
        let verified =
            compact::verify(token, &jwk, &options).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(
            verified.payload(),
            case["payload"].as_str().unwrap().as_bytes(),
            "{id}"
        );
        if case["deterministic_signature"] == "True" {
            let signer = SigningKey::new(jwk.clone(), a).unwrap();
            let again = compact::CompactSign::new(case["payload"].as_str().unwrap().as_bytes())
                .protected_json(case["protected_header"].as_str().unwrap())
                .sign(&signer)
                .unwrap();
            assert_eq!(again, token, "{id} reproduced");
        }
    }

    // A.6: general JSON with two signatures, kids in unprotected headers.
    let a6 = &v["general_json_A6"];
    let keys = a6["keys"].as_object().unwrap();
    let serialization = a6["serialization"].to_string();
    for (kid, k) in keys {
        let set = JwkSet::new(vec![key(k).with_kid(kid.clone())]).unwrap();
        let verified = jws::json::verify(
            &serialization,
            &set,
            &VerifyOptions::new().algorithms(JwsAlgorithm::ALL.iter().copied()),
        )
        .unwrap_or_else(|e| panic!("A.6 with {kid}: {e}"));
        assert_eq!(
            verified.payload(),
            a6["payload"].as_str().unwrap().as_bytes()
        );
        assert_eq!(verified.header().kid(), Some(kid.as_str()));
    }

    // A.7: flattened.
    let a7 = &v["flattened_json_A7"];
    let jwk = key(&a7["jwk"]);
    let serialization = a7["serialization"].to_string();
    let verified = jws::json::verify(&serialization, &jwk, &VerifyOptions::new()).unwrap();
    assert_eq!(
        verified.payload(),
        a7["payload"].as_str().unwrap().as_bytes()
    );
}

/// Keys of an RFC 7520 example: one key, or one per signature in §4.8.
fn cookbook_keys(input: &Value) -> Vec<Jwk> {
    match &input["key"] {
        Value::Array(keys) => keys.iter().map(key).collect(),
        k => vec![key(k)],
    }
}

#[test]
fn rfc7520_section4_every_signature_example() {
    let dir = format!(
        "{}/../../vectors/sources/jose-cookbook/jws",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 8);
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let payload = v["input"]["payload"].as_str().unwrap().as_bytes();
        let keys = cookbook_keys(&v["input"]);
        let detached = name.starts_with("4_5");
        let all = VerifyOptions::new().algorithms(JwsAlgorithm::ALL.iter().copied());
        // Every serialization verifies with every key that signed it.
        for jwk in &keys {
            let public = if jwk.is_symmetric() {
                jwk.clone()
            } else {
                jwk.to_public().unwrap()
            };
            if let Some(token) = v["output"]["compact"].as_str() {
                let verified = if detached {
                    compact::verify_detached(token, payload, &public, &all)
                } else {
                    compact::verify(token, &public, &all)
                }
                .unwrap_or_else(|e| panic!("{name} compact: {e}"));
                assert_eq!(verified.payload(), payload);
            }
            for form in ["json", "json_flat"] {
                let Some(json) = v["output"].get(form) else {
                    continue;
                };
                let text = json.to_string();
                let verified = if detached {
                    jws::json::verify_detached(&text, payload, &public, &all)
                } else {
                    jws::json::verify(&text, &public, &all)
                }
                .unwrap_or_else(|e| panic!("{name} {form} with {:?}: {e}", jwk.key_type()));
                assert_eq!(verified.payload(), payload, "{name} {form}");
            }
        }
        // Deterministic examples are reproduced exactly. §4.7 has no protected header at all,
        // which this crate never produces (it always protects `alg`), so it is only verified.
        if v["reproducible"] == true && v["signing"].get("protected_b64u").is_some() {
            let signing = &v["signing"];
            let protected_json = String::from_utf8(
                jose_core::b64::decode(signing["protected_b64u"].as_str().unwrap()).unwrap(),
            )
            .unwrap();
            let signer = SigningKey::new(keys[0].clone(), alg(&v["input"]["alg"])).unwrap();
            if let Some(expected) = v["output"]["compact"].as_str() {
                let mut builder =
                    compact::CompactSign::new(payload).protected_json(&protected_json);
                if detached {
                    builder = builder.detached();
                }
                assert_eq!(builder.sign(&signer).unwrap(), expected, "{name}");
            }
            let unprotected = signing
                .get("unprotected")
                .map(|u| JwsHeader::from_json(u.to_string().as_bytes()).unwrap());
            let mut builder = JsonSign::new(payload).signature_with_protected_json(
                &signer,
                protected_json.clone(),
                unprotected.clone(),
            );
            if detached {
                builder = builder.detached();
            }
            assert_eq!(
                builder.sign_general().unwrap(),
                v["output"]["json"],
                "{name} general"
            );
            let mut builder = JsonSign::new(payload).signature_with_protected_json(
                &signer,
                protected_json,
                unprotected,
            );
            if detached {
                builder = builder.detached();
            }
            assert_eq!(
                builder.sign_flattened().unwrap(),
                v["output"]["json_flat"],
                "{name} flattened"
            );
        }
    }
}

#[test]
fn rfc7520_4_7_content_only_has_no_protected_header() {
    // §4.7 protects only the payload: the whole header is unprotected.
    let v = vector("jose-cookbook/jws/4_7.protecting_content_only.json");
    let jwk = key(&v["input"]["key"]);
    let signer = SigningKey::new(jwk.clone(), JwsAlgorithm::HS256).unwrap();
    let verified = jws::json::verify(
        &v["output"]["json"].to_string(),
        &jwk,
        &VerifyOptions::new().algorithms([JwsAlgorithm::HS256]),
    )
    .unwrap();
    assert!(verified.protected_header().is_empty());
    assert_eq!(verified.header().kid(), jwk.kid());
    let _ = signer;
}

#[test]
fn rfc7520_4_8_multiple_signatures_select_by_key_set() {
    let v = vector("jose-cookbook/jws/4_8.multiple_signatures.json");
    let keys = cookbook_keys(&v["input"]);
    let text = v["output"]["json"].to_string();
    for (index, k) in keys.iter().enumerate() {
        let public = if k.is_symmetric() {
            k.clone()
        } else {
            k.to_public().unwrap()
        };
        // A set holding just this key; the other signatures find no key and are skipped.
        let set = JwkSet::new(vec![public]).unwrap();
        let verified = jws::json::verify(
            &text,
            &set,
            &VerifyOptions::new().algorithms(JwsAlgorithm::ALL.iter().copied()),
        )
        .unwrap();
        assert_eq!(verified.signature_index(), index);
    }
}

#[test]
fn rfc8037_ed25519_signing_is_reproduced() {
    let v = vector("rfc/rfc8037-okp-appendix-a.json");
    let private = key(&v["A.1_ed25519_private_jwk"]);
    let public = key(&v["A.2_ed25519_public_jwk"]);
    let a4 = &v["A.4_ed25519_signing"];
    let signer = SigningKey::new(private, JwsAlgorithm::EdDSA).unwrap();
    let token = compact::CompactSign::new(a4["payload"].as_str().unwrap().as_bytes())
        .protected_json(a4["protected_header"].as_str().unwrap())
        .sign(&signer)
        .unwrap();
    assert_eq!(token, a4["compact"].as_str().unwrap());
    let verified = compact::verify(&token, &public, &VerifyOptions::new()).unwrap();
    assert_eq!(verified.payload(), b"Example of Ed25519 signing");
    // A.5: a modified token fails.
    let mut bad = token.clone();
    bad.replace_range(30..31, if &token[30..31] == "A" { "B" } else { "A" });
    assert!(compact::verify(&bad, &public, &VerifyOptions::new()).is_err());
}

/// RFC 7797 §4, with the values the RFC publishes (the cookbook copies have broken headers).
#[test]
fn rfc7797_unencoded_payload() {
    let jwk = key(&serde_json::json!({
        "kty": "oct",
        "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
    }));
    let signer = SigningKey::new(jwk.clone(), JwsAlgorithm::HS256).unwrap();
    let options = VerifyOptions::new().algorithms([JwsAlgorithm::HS256]);
    // §4.1: b64 true.
    let encoded = compact::CompactSign::new(b"$.02")
        .protected_json(r#"{"alg":"HS256"}"#)
        .sign(&signer)
        .unwrap();
    assert_eq!(
        encoded,
        "eyJhbGciOiJIUzI1NiJ9.JC4wMg.5mvfOroL-g7HyqJoozehmsaqmvTYGEq5jTI1gVvoEoQ"
    );
    // §4.2: b64 false, detached (the payload contains '.').
    let unencoded = compact::CompactSign::new(b"$.02")
        .protected_json(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#)
        .detached()
        .sign(&signer)
        .unwrap();
    assert_eq!(
        unencoded,
        "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19..A5dxf2s96_n5FLueVuW1Z_vh161FwXZC4YLPff6dmDY"
    );
    let verified = compact::verify_detached(&unencoded, b"$.02", &jwk, &options).unwrap();
    assert_eq!(verified.payload(), b"$.02");
    assert_eq!(verified.header().b64(), Some(false));
    // The builder's own unencoded mode yields the same signature.
    let built = compact::CompactSign::new(b"$.02")
        .unencoded()
        .detached()
        .sign(&signer)
        .unwrap();
    assert!(compact::verify_detached(&built, b"$.02", &jwk, &options).is_ok());
    // Attached unencoded payloads containing '.' cannot be compact.
    assert!(
        compact::CompactSign::new(b"$.02")
            .unencoded()
            .sign(&signer)
            .is_err()
    );
    // JSON serialization carries the raw payload.
    let json = JsonSign::new(b"$.02")
        .signature(&signer, JwsHeader::default())
        .unencoded()
        .sign_flattened()
        .unwrap();
    assert_eq!(json["payload"], "$.02");
    assert_eq!(
        jws::json::verify(&json.to_string(), &jwk, &options)
            .unwrap()
            .payload(),
        b"$.02"
    );
}

#[test]
fn cookbook_rfc7797_files_with_broken_headers_are_refused() {
    // 4.2.hmac-sha2_b64_false.json: its protected header has b64 but no crit.
    let v = vector("jose-cookbook/rfc7797/4.2.hmac-sha2_b64_false.json");
    let jwk = key(&v["input"]["key"]);
    let options = VerifyOptions::new().algorithms([JwsAlgorithm::HS256]);
    let err = jws::json::verify(&v["output"]["json_flat"].to_string(), &jwk, &options).unwrap_err();
    assert!(
        matches!(
            err,
            JwsError::Header(jose_core::header::HeaderError::Crit(_))
        ),
        "{err}"
    );
    // hmac-sha2_b64_false.json: its intermediate `protected_b64u` is not JSON (`"b64":,`), but
    // its outputs are sound and verify.
    let v = vector("jose-cookbook/rfc7797/hmac-sha2_b64_false.json");
    let broken = jose_core::b64::decode(v["signing"]["protected_b64u"].as_str().unwrap()).unwrap();
    assert!(jose_core::json::validate(&broken, &jose_core::json::JsonLimits::HEADER).is_err());
    let payload = v["input"]["payload"].as_str().unwrap().as_bytes();
    let verified =
        compact::verify(v["output"]["compact"].as_str().unwrap(), &jwk, &options).unwrap();
    assert_eq!(verified.payload(), payload);
    for form in ["json", "json_flat"] {
        assert_eq!(
            jws::json::verify(&v["output"][form].to_string(), &jwk, &options)
                .unwrap()
                .payload(),
            payload
        );
    }
}
