//! `jose signing-challenge sign|verify`: flags, outputs and exit codes, driven by the
//! generated vectors (test keys, test CA and fixed clock of the signing-challenge crate).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{Dir, jose};
use serde_json::{Value, json};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../vectors/generated/signing-challenge.json"
);

fn ok(args: &[&str]) -> String {
    let out = jose(args, b"");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The token the CLI made is the vector's: byte for byte with RustCrypto's deterministic
/// ECDSA (RFC 6979); with the `aws-lc-rs` feature, whose ECDSA signatures are randomized, the
/// same header and payload under a signature that verifies with the public half of
/// `signing_key`.
fn assert_vector_token(token: &str, expected: &str, signing_key: &Value) {
    if cfg!(feature = "aws-lc-rs") {
        let (signed, _) = token.rsplit_once('.').unwrap();
        let (expected_signed, _) = expected.rsplit_once('.').unwrap();
        assert_eq!(signed, expected_signed);
        let key = jose_core::jwk::Jwk::from_json(signing_key.to_string().as_bytes())
            .unwrap()
            .to_public()
            .unwrap();
        let options = jws::VerifyOptions::new().algorithms([jose_core::alg::JwsAlgorithm::ES256]);
        jws::compact::verify(token, &key, &options).unwrap();
    } else {
        assert_eq!(token, expected);
    }
}

fn fails(args: &[&str]) -> (i32, String) {
    let out = jose(args, b"");
    let stderr = String::from_utf8_lossy(&out.stderr).trim_end().to_owned();
    assert!(!out.status.success(), "{args:?} succeeded");
    assert_eq!(
        stderr.lines().count(),
        1,
        "one-line error expected: {stderr}"
    );
    (out.status.code().unwrap(), stderr)
}

fn vectors() -> Vec<Value> {
    let file: Value = serde_json::from_str(&std::fs::read_to_string(VECTORS).unwrap()).unwrap();
    file["vectors"].as_array().unwrap().clone()
}

fn vector(id: &str) -> Value {
    vectors()
        .into_iter()
        .find(|v| v["id"] == format!("signing-challenge/{id}"))
        .unwrap()
}

fn pem(der_b64: &str) -> String {
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in der_b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// The `verify` arguments for a vector, with its files written to `dir`.
fn verify_args(dir: &Dir, v: &Value, n: usize) -> Vec<String> {
    let token = dir.write(
        &format!("token-{n}"),
        v["token"].as_str().unwrap().as_bytes(),
    );
    let mut args: Vec<String> = vec![
        "signing-challenge".into(),
        "verify".into(),
        "--kind".into(),
        v["token_type"].as_str().unwrap().into(),
        "--token".into(),
        token,
        "--session".into(),
        v["session"].to_string(),
        "--now".into(),
        v["policy"]["now"].to_string(),
        "--leeway".into(),
        v["policy"]["leeway_seconds"].to_string(),
    ];
    if let Some(jwks) = v.get("jwks") {
        args.push("--jwks".into());
        args.push(dir.write(&format!("jwks-{n}.json"), jwks.to_string().as_bytes()));
    }
    for (i, anchor) in v
        .get("trust_anchors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        args.push("--trust-anchor".into());
        // PEM and DER files are both accepted.
        let path = if i % 2 == 0 {
            dir.write(
                &format!("anchor-{n}-{i}.pem"),
                pem(anchor.as_str().unwrap()).as_bytes(),
            )
        } else {
            let der = jose_core::b64::decode_standard(anchor.as_str().unwrap()).unwrap();
            dir.write(&format!("anchor-{n}-{i}.der"), &der)
        };
        args.push(path);
    }
    args
}

/// Whether the CLI runs a vector with the crate's default policy (the CLI has no flags for
/// the compatibility switches or ES384).
fn default_policy(v: &Value) -> bool {
    let p = v["policy"].as_object().unwrap();
    p.keys()
        .all(|k| ["now", "leeway_seconds", "max_lifetime_seconds"].contains(&k.as_str()))
        && p["max_lifetime_seconds"] == 3
}

#[test]
fn every_vector_with_the_default_policy_gets_its_verdict() {
    let dir = Dir::new("all");
    let (mut valid, mut invalid) = (0, 0);
    for (n, v) in vectors().iter().enumerate() {
        if !default_policy(v) {
            continue;
        }
        let args = verify_args(&dir, v, n);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        if v["expect"] == "valid" {
            let claims: Value = serde_json::from_str(&ok(&args)).unwrap();
            assert_eq!(claims, v["claims"], "{}", v["id"]);
            valid += 1;
        } else {
            let (code, err) = fails(&args);
            assert_eq!(code, 1, "{}: {err}", v["id"]);
            assert!(err.ends_with(']'), "{}: {err}", v["id"]);
            invalid += 1;
        }
    }
    assert!(
        valid >= 5 && invalid >= 30,
        "{valid} valid, {invalid} invalid"
    );
}

#[test]
fn sign_a_challenge_and_verify_it() {
    let dir = Dir::new("challenge");
    let v = vector("challenge/basic");
    let key = dir.write("asp.json", v["signing_key"].to_string().as_bytes());
    let claims = v["claims"].to_string();
    let token = ok(&[
        "signing-challenge",
        "sign",
        "--kind",
        "challenge",
        "--key",
        &key,
        "--claims",
        &claims,
    ]);
    assert_vector_token(
        token.trim(),
        v["token"].as_str().unwrap(),
        &v["signing_key"],
    );
    let header: Value =
        serde_json::from_slice(&jose_core::b64::decode(token.split('.').next().unwrap()).unwrap())
            .unwrap();
    assert_eq!(header, json!({"alg": "ES256", "kid": "asp-2025-06"}));
}

#[test]
fn sign_a_response_with_the_user_signature_filled_in() {
    let dir = Dir::new("response");
    let v = vector("response/p256");
    let key = dir.write("user.json", v["signing_key"].to_string().as_bytes());
    let header: Value = serde_json::from_slice(
        &jose_core::b64::decode(v["token"].as_str().unwrap().split('.').next().unwrap()).unwrap(),
    )
    .unwrap();
    let chain: Vec<String> = header["x5c"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    // Leaf and intermediate in one PEM file.
    let pem_chain = dir.write(
        "chain.pem",
        format!("{}{}", pem(&chain[0]), pem(&chain[1])).as_bytes(),
    );
    let mut claims = v["claims"].clone();
    claims.as_object_mut().unwrap().remove("usr_signature");
    let token = ok(&[
        "signing-challenge",
        "sign",
        "--kind",
        "response",
        "--key",
        &key,
        "--x5c",
        &pem_chain,
        "--claims",
        &claims.to_string(),
    ]);
    assert_vector_token(
        token.trim(),
        v["token"].as_str().unwrap(),
        &v["signing_key"],
    );

    let token_file = dir.write("token", token.as_bytes());
    let root = pem(v["trust_anchors"][0].as_str().unwrap());
    let anchor = dir.write("root.pem", root.as_bytes());
    let out: Value = serde_json::from_str(&ok(&[
        "signing-challenge",
        "verify",
        "--kind",
        "response",
        "--token",
        &token_file,
        "--trust-anchor",
        &anchor,
        "--session",
        &v["session"].to_string(),
        "--now",
        "1750000001",
    ]))
    .unwrap();
    assert_eq!(out["usr_signature"], v["claims"]["usr_signature"]);
    // Without any session value, what can be checked is checked.
    ok(&[
        "signing-challenge",
        "verify",
        "--kind",
        "response",
        "--token",
        &token_file,
        "--trust-anchor",
        &anchor,
        "--session",
        "{}",
        "--now",
        "1750000001",
    ]);
    // A session naming another document: exit 1, naming the check.
    let (code, err) = fails(&[
        "signing-challenge",
        "verify",
        "--kind",
        "response",
        "--token",
        &token_file,
        "--trust-anchor",
        &anchor,
        "--session",
        &json!({"doc_hash": "ab".repeat(32)}).to_string(),
        "--now",
        "1750000001",
    ]);
    assert_eq!(code, 1);
    assert!(err.ends_with("[doc_hash]"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let dir = Dir::new("usage");
    let v = vector("challenge/basic");
    let token = dir.write("token", v["token"].as_str().unwrap().as_bytes());
    let key = dir.write("asp.json", v["signing_key"].to_string().as_bytes());
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "signing-challenge",
            "verify",
            "--kind",
            "challenge",
            "--token",
            &token,
            "--session",
            "{}",
        ],
        vec![
            "signing-challenge",
            "verify",
            "--kind",
            "response",
            "--token",
            &token,
            "--session",
            "{}",
        ],
        vec![
            "signing-challenge",
            "verify",
            "--kind",
            "challenge",
            "--token",
            &token,
            "--jwks",
            &key,
            "--session",
            "{bad",
        ],
        vec![
            "signing-challenge",
            "verify",
            "--kind",
            "challenge",
            "--token",
            &token,
            "--jwks",
            &key,
            "--session",
            r#"{"sign_ref":"x"}"#,
        ],
        vec![
            "signing-challenge",
            "verify",
            "--kind",
            "challenge",
            "--token",
            &token,
            "--jwks",
            &key,
            "--session",
            r#"{"signref":"x"}"#,
        ],
        vec![
            "signing-challenge",
            "verify",
            "--kind",
            "challenge",
            "--token",
            "/nonexistent",
            "--jwks",
            &key,
            "--session",
            "{}",
        ],
        vec![
            "signing-challenge",
            "sign",
            "--kind",
            "response",
            "--key",
            &key,
            "--claims",
            "{}",
        ],
        vec![
            "signing-challenge",
            "sign",
            "--kind",
            "challenge",
            "--key",
            &key,
            "--claims",
            r#"{"sign_ref":"x"}"#,
        ],
    ];
    for args in cases {
        let (code, err) = fails(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
    }
}

#[test]
fn the_session_can_be_read_from_a_file_with_at() {
    let dir = Dir::new("session-file");
    let v = vector("challenge/basic");
    let mut args = verify_args(&dir, &v, 0);
    let at = args.iter().position(|a| a == "--session").unwrap() + 1;
    let session_file = dir.write("session.json", args[at].as_bytes());
    let inline: Value =
        serde_json::from_str(&ok(&args.iter().map(String::as_str).collect::<Vec<_>>())).unwrap();
    args[at] = format!("@{session_file}");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let from_file: Value = serde_json::from_str(&ok(&args)).unwrap();
    assert_eq!(from_file, inline);
    // A missing file is a usage error.
    let mut missing = args.clone();
    let missing_path = format!("@{}", dir.0.join("absent.json").display());
    missing[at] = &missing_path;
    assert_eq!(fails(&missing).0, 2);
}
