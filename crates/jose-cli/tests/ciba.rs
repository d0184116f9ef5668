//! `jose ciba notification-token sign|verify`: the signed client notification token (ES256,
//! `kid`, `nonce`, `iat`, `exp`) as scripts drive it, with the exit codes of the other
//! verify commands.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{Dir, jose};
use serde_json::Value;

fn ok(args: &[&str]) -> String {
    let out = jose(args, b"");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The exit code and the one-line error.
fn fails(args: &[&str]) -> (i32, String) {
    let out = jose(args, b"");
    assert!(!out.status.success(), "{args:?} succeeded");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    (out.status.code().unwrap(), stderr.trim_end().to_owned())
}

const NOW: &str = "1800000000";

struct Fixture {
    dir: Dir,
    key: String,
    jwks: String,
    token: String,
    nonce: String,
}

fn fixture(name: &str) -> Fixture {
    let dir = Dir::new(name);
    let private = ok(&["key", "generate", "--alg", "ES256", "--kid", "rp-2026"]);
    let public: Value = serde_json::from_str(&ok_stdin(&["key", "public"], &private)).unwrap();
    let key = dir.write("rp.json", &private);
    let jwks = dir.write(
        "rp.jwks.json",
        &serde_json::json!({ "keys": [public] }).to_string(),
    );
    let minted: Value = serde_json::from_str(&ok(&[
        "ciba",
        "notification-token",
        "sign",
        "--key",
        &key,
        "--now",
        NOW,
    ]))
    .unwrap();
    let token = dir.write("token", minted["token"].as_str().unwrap());
    let nonce = minted["nonce"].as_str().unwrap().to_owned();
    assert_eq!(minted["iat"], 1_800_000_000);
    assert_eq!(minted["exp"], 1_800_000_300);
    assert_eq!(minted["kid"], "rp-2026");
    Fixture {
        dir,
        key,
        jwks,
        token,
        nonce,
    }
}

fn ok_stdin(args: &[&str], stdin: &str) -> String {
    let out = jose(args, stdin.as_bytes());
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn verify_args<'a>(f: &'a Fixture, now: &'a str) -> Vec<&'a str> {
    vec![
        "ciba",
        "notification-token",
        "verify",
        "--jwks",
        &f.jwks,
        "--token",
        &f.token,
        "--nonce",
        &f.nonce,
        "--now",
        now,
    ]
}

#[test]
fn a_minted_token_verifies_and_its_header_and_claims_are_the_profile_s() {
    let f = fixture("roundtrip");
    let out: Value = serde_json::from_str(&ok(&verify_args(&f, "1800000010"))).unwrap();
    assert_eq!(out["kid"], "rp-2026");
    assert_eq!(out["iat"], 1_800_000_000);
    assert_eq!(out["exp"], 1_800_000_300);
    // The JWS itself: ES256 with the kid; nonce, iat, exp.
    let token = std::fs::read_to_string(&f.token).unwrap();
    let inspected: Value = serde_json::from_str(&ok_stdin(&["jwt", "inspect"], &token)).unwrap();
    assert_eq!(inspected["header"]["alg"], "ES256");
    assert_eq!(inspected["header"]["kid"], "rp-2026");
    assert_eq!(inspected["claims"]["nonce"], f.nonce.as_str());
    // --lifetime sets exp.
    let minted: Value = serde_json::from_str(&ok(&[
        "ciba",
        "notification-token",
        "sign",
        "--key",
        &f.key,
        "--now",
        NOW,
        "--lifetime",
        "60",
    ]))
    .unwrap();
    assert_eq!(minted["exp"], 1_800_000_060);
}

#[test]
fn each_failed_check_exits_1_naming_it() {
    let f = fixture("checks");
    // Expired: refused from exp + leeway (5 s) on.
    let (code, err) = fails(&verify_args(&f, "1800000305"));
    assert_eq!(code, 1);
    assert!(err.ends_with("[exp]"), "{err}");
    // Issued in the future.
    let (code, err) = fails(&verify_args(&f, "1799999990"));
    assert_eq!(code, 1);
    assert!(err.ends_with("[iat]"), "{err}");
    // Another nonce.
    let mut args = verify_args(&f, "1800000010");
    args[8] = "another-nonce";
    let (code, err) = fails(&args);
    assert_eq!(code, 1);
    assert!(err.ends_with("[nonce]"), "{err}");
    // Another key set: the kid is unknown.
    let other = ok(&["key", "generate", "--alg", "ES256", "--kid", "other"]);
    let other_public: Value = serde_json::from_str(&ok_stdin(&["key", "public"], &other)).unwrap();
    let other_jwks = f.dir.write(
        "other.jwks.json",
        &serde_json::json!({ "keys": [other_public] }).to_string(),
    );
    let mut args = verify_args(&f, "1800000010");
    args[4] = &other_jwks;
    let (code, err) = fails(&args);
    assert_eq!(code, 1);
    assert!(err.ends_with("[kid]"), "{err}");
    // A tampered signature.
    let token = std::fs::read_to_string(&f.token).unwrap();
    // A character inside the signature: the last one also carries base64url's unused bits,
    // and changing those is a format error, not a signature failure.
    let mut tampered: Vec<char> = token.trim().chars().collect();
    let inside = tampered.len() - 10;
    tampered[inside] = if tampered[inside] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    let tampered = f.dir.write("tampered", &tampered);
    let mut args = verify_args(&f, "1800000010");
    args[6] = &tampered;
    let (code, err) = fails(&args);
    assert_eq!(code, 1);
    assert!(err.ends_with("[signature]"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let f = fixture("usage");
    // Not ES256, or no kid.
    let rsa = f.dir.write(
        "rs.json",
        &ok(&["key", "generate", "--alg", "ES384", "--kid", "k"]),
    );
    let (code, _) = fails(&["ciba", "notification-token", "sign", "--key", &rsa]);
    assert_eq!(code, 2);
    let no_kid = f
        .dir
        .write("nokid.json", &ok(&["key", "generate", "--alg", "ES256"]));
    let (code, _) = fails(&["ciba", "notification-token", "sign", "--key", &no_kid]);
    assert_eq!(code, 2);
    // Missing --nonce.
    let (code, _) = fails(&[
        "ciba",
        "notification-token",
        "verify",
        "--jwks",
        &f.jwks,
        "--token",
        &f.token,
    ]);
    assert_eq!(code, 2);
}
