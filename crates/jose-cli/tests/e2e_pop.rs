//! `jose e2e-pop sign|verify|verify-pair`: flags, outputs and exit codes, with the draft's
//! example keys and tokens.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{Dir, jose, ok};
use serde_json::{Value, json};

const DRAFT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../vectors/sources/oidc2/draft-examples.json"
);

/// The exit code and the (one-line) error.
fn fails(args: &[&str], stdin: &[u8]) -> (i32, String) {
    let out = jose(args, stdin);
    let stderr = String::from_utf8_lossy(&out.stderr).trim_end().to_owned();
    assert!(!out.status.success(), "{args:?} succeeded");
    assert_eq!(
        stderr.lines().count(),
        1,
        "one-line error expected: {stderr}"
    );
    (out.status.code().unwrap(), stderr)
}

fn draft() -> Value {
    serde_json::from_str(&std::fs::read_to_string(DRAFT).unwrap()).unwrap()
}

/// Key files: the client's private and public key, the OP's private key (kid op-1) and JWK
/// Set.
struct Keys {
    client: String,
    client_pub: String,
    op: String,
    op_jwks: String,
}

fn keys(dir: &Dir) -> Keys {
    let v = draft();
    let op_private = {
        let mut k = v["keys"]["op"]["private_jwk"].clone();
        k["kid"] = json!("op-1");
        k
    };
    let op_public = {
        let mut k = v["keys"]["op"]["public_jwk"].clone();
        k["kid"] = json!("op-1");
        k
    };
    Keys {
        client: dir.write(
            "client.json",
            &v["keys"]["client"]["private_jwk"].to_string(),
        ),
        client_pub: dir.write(
            "client.pub.json",
            &v["keys"]["client"]["public_jwk"].to_string(),
        ),
        op: dir.write("op.json", &op_private.to_string()),
        op_jwks: dir.write("op.jwks.json", &json!({"keys": [op_public]}).to_string()),
    }
}

const NOW: &str = "1800000010";

#[test]
fn sign_and_verify_each_token_type() {
    let dir = Dir::new("each");
    let k = keys(&dir);
    let pop = ok(
        &[
            "e2e-pop",
            "sign",
            "--kind",
            "pop",
            "--key",
            &k.client,
            "--claims",
            r#"{"iss":"exampleclient","sub":"1234567890","aud":"https://op.example.com","iat":1800000000,"required_claims":["name"],"with_audience":true}"#,
        ],
        b"",
    );
    let claims: Value = serde_json::from_str(&ok(
        &[
            "e2e-pop",
            "verify",
            "--kind",
            "pop",
            "--audience",
            "https://op.example.com",
            "--issuer",
            "exampleclient",
            "--now",
            NOW,
        ],
        pop.as_bytes(),
    ))
    .unwrap();
    assert_eq!(claims["exp"], 1800000060);
    assert_eq!(claims["required_claims"], json!(["name"]));

    let ict = ok(
        &[
            "e2e-pop",
            "sign",
            "--kind",
            "ict",
            "--key",
            &k.op,
            "--cnf-jwk",
            &k.client_pub,
            "--lifetime",
            "600",
            "--claims",
            r#"{"iss":"https://op.example.com","sub":"1234567890","aud":"exampleclient","iat":1800000000,"ctx":["email"],"name":"John Smith"}"#,
        ],
        b"",
    );
    let header = jws_header(&ict);
    assert_eq!(
        (header["typ"].clone(), header["kid"].clone()),
        (json!("jwt+ict"), json!("op-1"))
    );
    let claims: Value = serde_json::from_str(&ok(
        &[
            "e2e-pop",
            "verify",
            "--kind",
            "ict",
            "--key",
            &k.op_jwks,
            "--issuer",
            "https://op.example.com",
            "--audience",
            "exampleclient",
            "--context",
            "email",
            "--now",
            NOW,
        ],
        ict.as_bytes(),
    ))
    .unwrap();
    assert_eq!(claims["name"], "John Smith");
    assert_eq!(claims["exp"], 1800000600);

    let e2e = ok(
        &[
            "e2e-pop",
            "sign",
            "--kind",
            "e2e",
            "--key",
            &k.client,
            "--claims",
            r#"{"iss":"exampleclient","sub":"1234567890","aud":["session-1","bob"],"iat":1800000000}"#,
        ],
        b"",
    );
    let claims: Value = serde_json::from_str(&ok(
        &[
            "e2e-pop",
            "verify",
            "--kind",
            "e2e",
            "--key",
            &k.client_pub,
            "--audience",
            "bob",
            "--now",
            NOW,
        ],
        e2e.as_bytes(),
    ))
    .unwrap();
    assert_eq!(claims["aud"], json!(["session-1", "bob"]));

    // The pair: the identity the two tokens prove.
    let ict_file = dir.write("ict.jwt", &ict);
    let e2e_file = dir.write("e2e.jwt", &e2e);
    let identity: Value = serde_json::from_str(&ok(
        &[
            "e2e-pop",
            "verify-pair",
            "--ict",
            &ict_file,
            "--token",
            &e2e_file,
            "--op-jwks",
            &k.op_jwks,
            "--audience",
            "session-1",
            "--context",
            "email",
            "--now",
            NOW,
        ],
        b"",
    ))
    .unwrap();
    assert_eq!(identity["issuer"], "https://op.example.com");
    assert_eq!(identity["subject"], "1234567890");
    assert_eq!(identity["contexts"], json!(["email"]));
    assert_eq!(identity["claims"], json!({"name": "John Smith"}));
    assert_eq!(identity["client_jwk"]["crv"], "P-384");
}

fn jws_header(token: &str) -> Value {
    let b64 = token.trim().split('.').next().unwrap();
    serde_json::from_slice(&jose_core::b64::decode(b64).unwrap()).unwrap()
}

#[test]
fn the_draft_pair_verifies_at_its_pinned_time() {
    let dir = Dir::new("draft");
    let k = keys(&dir);
    let v = draft();
    let kid = v["keys"]["op"]["ict_header_kid"].as_str().unwrap();
    let mut op = v["keys"]["op"]["public_jwk"].clone();
    op["kid"] = json!(kid);
    let jwks = dir.write("draft.jwks.json", &json!({"keys": [op]}).to_string());
    let ict = dir.write("ict.jwt", v["tokens"]["ict"]["compact"].as_str().unwrap());
    let e2e = dir.write(
        "e2e.jwt",
        v["tokens"]["e2e_pop"]["compact"].as_str().unwrap(),
    );
    let aud = v["tokens"]["e2e_pop"]["claims"]["aud"].as_str().unwrap();
    let args = |now: &'static str, aud: &'static str| -> Vec<String> {
        [
            "e2e-pop",
            "verify-pair",
            "--ict",
            &ict,
            "--token",
            &e2e,
            "--op-jwks",
            &jwks,
            "--audience",
            aud,
            "--context",
            "email",
            "--now",
            now,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let aud: &'static str = Box::leak(aud.to_owned().into_boxed_str());
    let identity: Value = serde_json::from_str(&ok(
        &args("1691712100", aud)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        b"",
    ))
    .unwrap();
    assert_eq!(identity["client_id"], "exampleclient");
    assert_eq!(identity["claims"]["email"], "john.smith@mail.example.com");

    // Expired ICT: exit 1 naming the token and the check.
    let (code, err) = fails(
        &args("1691712330", aud)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        b"",
    );
    assert_eq!(code, 1);
    assert!(err.contains("ICT") && err.ends_with("[exp]"), "{err}");
    // Another audience.
    let (code, err) = fails(
        &args("1691712100", "someone-else")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        b"",
    );
    assert_eq!(code, 1);
    assert!(err.ends_with("[aud]"), "{err}");
    // The PoP token of Fig. 5 at the OP.
    let pop = v["tokens"]["pop"]["compact"].as_str().unwrap();
    ok(
        &[
            "e2e-pop",
            "verify",
            "--kind",
            "pop",
            "--audience",
            "https://op.example.com",
            "--now",
            "1691712030",
        ],
        pop.as_bytes(),
    );
    let _ = k;
}

#[test]
fn invalid_tokens_exit_1_with_the_failed_check() {
    let dir = Dir::new("invalid");
    let k = keys(&dir);
    let e2e = ok(
        &[
            "e2e-pop",
            "sign",
            "--kind",
            "e2e",
            "--key",
            &k.client,
            "--claims",
            r#"{"iss":"c","sub":"s","aud":"a","iat":1800000000}"#,
        ],
        b"",
    );
    let cases: [(&[&str], &str); 4] = [
        (&["--audience", "a", "--now", "1800000300"], "[exp]"),
        (&["--audience", "b", "--now", NOW], "[aud]"),
        (
            &["--audience", "a", "--issuer", "other", "--now", NOW],
            "[iss]",
        ),
        (&["--audience", "a", "--now", "1799999000"], "[nbf]"),
    ];
    for (extra, check) in cases {
        let mut args = vec!["e2e-pop", "verify", "--kind", "e2e", "--key", &k.client_pub];
        args.extend_from_slice(extra);
        let (code, err) = fails(&args, e2e.as_bytes());
        assert_eq!(code, 1, "{err}");
        // An E2E token issued at T0 without nbf: before iat it is "issued in the future".
        let expected = if check == "[nbf]" {
            "[iat_future]"
        } else {
            check
        };
        assert!(err.ends_with(expected), "{err}");
    }
    // The E2E token presented as an ICT: wrong typ, exit 1.
    let (code, err) = fails(
        &[
            "e2e-pop", "verify", "--kind", "ict", "--key", &k.op_jwks, "--now", NOW,
        ],
        e2e.as_bytes(),
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("[kid_missing]") || err.contains("[typ]"),
        "{err}"
    );
    // Garbage is an invalid token, not a usage error.
    let (code, _) = fails(
        &["e2e-pop", "verify", "--kind", "pop", "--audience", "x"],
        b"not.a.token",
    );
    assert_eq!(code, 1);
}

#[test]
fn usage_errors_exit_2() {
    let dir = Dir::new("usage");
    let k = keys(&dir);
    let cases: Vec<Vec<&str>> = vec![
        vec!["e2e-pop", "verify", "--kind", "pop"],
        vec!["e2e-pop", "verify", "--kind", "ict", "--audience", "x"],
        vec![
            "e2e-pop",
            "sign",
            "--kind",
            "pop",
            "--key",
            &k.client,
            "--claims",
            "{not json",
        ],
        vec![
            "e2e-pop",
            "sign",
            "--kind",
            "pop",
            "--key",
            "/nonexistent/key.json",
            "--claims",
            "{}",
        ],
        vec![
            "e2e-pop",
            "sign",
            "--kind",
            "pop",
            "--key",
            &k.client,
            "--claims",
            r#"{"iss":"c","sub":"s"}"#,
        ],
        vec![
            "e2e-pop",
            "sign",
            "--kind",
            "ict",
            "--key",
            &k.op,
            "--claims",
            r#"{"iss":"o","sub":"s","ctx":["e"]}"#,
        ],
        vec![
            "e2e-pop", "sign", "--kind", "bogus", "--key", &k.client, "--claims", "{}",
        ],
    ];
    for args in cases {
        let (code, err) = fails(&args, b"x.y.z");
        assert_eq!(code, 2, "{args:?}: {err}");
    }
}
