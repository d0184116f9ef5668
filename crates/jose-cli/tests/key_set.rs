//! `jose key set FILE...`: a JWK Set from key files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{Dir, jose, ok};
use serde_json::Value;

fn usage_error(args: &[&str]) -> String {
    let out = jose(args, b"");
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    String::from_utf8(out.stderr).unwrap()
}

fn generate(dir: &Dir, alg: &str, kid: &str) -> String {
    let key = ok(&["key", "generate", "--alg", alg, "--kid", kid], b"");
    dir.write(&format!("{kid}.json"), &key)
}

fn keys(set: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(set).unwrap();
    v["keys"].as_array().unwrap().clone()
}

#[test]
fn public_halves_by_default_and_the_set_verifies_tokens_of_each_key() {
    let dir = Dir::new("public");
    let es = generate(&dir, "ES256", "es");
    let rs = generate(&dir, "RS256", "rs");
    let ed = generate(&dir, "EdDSA", "ed");
    let set = ok(&["key", "set", &es, &rs, &ed], b"");
    let members = keys(&set);
    assert_eq!(members.len(), 3);
    for key in &members {
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(key.get(private).is_none(), "{key}");
        }
    }
    let jwks = dir.write("jwks.json", &set);
    for (private, alg) in [(&es, "ES256"), (&rs, "RS256"), (&ed, "EdDSA")] {
        let token = ok(&["jwt", "sign", "--key", private, "--claims", "{}"], b"");
        ok(
            &["jwt", "verify", "--key", &jwks, "--alg", alg],
            token.as_bytes(),
        );
    }
}

#[test]
fn pem_files_and_existing_sets_are_merged() {
    let dir = Dir::new("merge");
    let es = generate(&dir, "ES256", "es");
    let rs = generate(&dir, "RS256", "rs");
    let pem = ok(
        &["key", "export", "--pem"],
        std::fs::read(&rs).unwrap().as_slice(),
    );
    let pem = dir.write("rs.pem", &pem);
    let first = dir.write("first.json", &ok(&["key", "set", &es], b""));
    let set = ok(&["key", "set", &first, &pem], b"");
    let kinds: Vec<String> = keys(&set)
        .iter()
        .map(|k| k["kty"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["EC", "RSA"]);
}

#[test]
fn private_parts_only_with_the_loud_flag_and_a_warning() {
    let dir = Dir::new("private");
    let es = generate(&dir, "ES256", "es");
    let out = jose(&["key", "set", "--unsafe-include-private-keys", &es], b"");
    assert!(out.status.success());
    let set = String::from_utf8(out.stdout).unwrap();
    assert!(keys(&set)[0].get("d").is_some(), "{set}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("do not publish"), "{stderr}");
}

#[test]
fn symmetric_keys_need_the_flag() {
    let dir = Dir::new("symmetric");
    let hs = generate(&dir, "HS256", "hs");
    let message = usage_error(&["key", "set", &hs]);
    assert!(
        message.contains("--unsafe-include-private-keys"),
        "{message}"
    );
    let set = ok(&["key", "set", "--unsafe-include-private-keys", &hs], b"");
    assert!(keys(&set)[0].get("k").is_some());
}

#[test]
fn refuses_a_kid_twice_unreadable_files_and_no_files() {
    let dir = Dir::new("refusals");
    let es = generate(&dir, "ES256", "same");
    let public = dir.write(
        "same.pub.json",
        &ok(&["key", "public"], std::fs::read(&es).unwrap().as_slice()),
    );
    assert!(usage_error(&["key", "set", &es, &public]).contains("\"same\""));
    let junk = dir.write("junk.txt", "not a key");
    assert!(usage_error(&["key", "set", &junk]).contains("junk.txt"));
    usage_error(&["key", "set"]);
}
