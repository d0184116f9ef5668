//! `--secret-file` on `jose jws` and `jose jwt` sign and verify: raw HMAC secrets.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{Dir, jose, ok};

/// The exit code and the one-line error.
fn fails(args: &[&str], stdin: &[u8]) -> (i32, String) {
    let out = jose(args, stdin);
    assert!(!out.status.success(), "{args:?} succeeded");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    (out.status.code().unwrap(), stderr)
}

const SECRET: &[u8] = b"at least thirty-two bytes of secret";

#[test]
fn jwt_sign_and_verify_with_a_secret_file() {
    let dir = Dir::new("jwt-secret");
    let secret = dir.write("secret.bin", SECRET);
    let token = ok(
        &[
            "jwt",
            "sign",
            "--secret-file",
            &secret,
            "--alg",
            "HS256",
            "--claims",
            r#"{"sub":"alice"}"#,
        ],
        b"",
    );
    let claims = ok(
        &["jwt", "verify", "--secret-file", &secret, "--alg", "HS256"],
        token.as_bytes(),
    );
    assert!(claims.contains(r#""sub": "alice""#), "{claims}");
}

#[test]
fn jws_secret_file_is_the_same_key_as_the_jwk_of_its_bytes() {
    let dir = Dir::new("jws-secret");
    let secret = dir.write("secret.bin", SECRET);
    let jwk = format!(
        r#"{{"kty":"oct","k":"{}"}}"#,
        jose_core::b64::encode(SECRET)
    );
    let key = dir.write("secret.json", &jwk);
    let token = ok(
        &["jws", "sign", "--secret-file", &secret, "--alg", "HS256"],
        b"payload",
    );
    let payload = ok(
        &["jws", "verify", "--key", &key, "--alg", "HS256"],
        token.as_bytes(),
    );
    assert_eq!(payload, "payload");
}

#[test]
fn a_trailing_newline_is_part_of_the_secret_and_warned_about() {
    let dir = Dir::new("newline");
    let with_newline = dir.write("nl.txt", &[SECRET, b"\n"].concat());
    let without = dir.write("plain.txt", SECRET);
    let out = jose(
        &[
            "jws",
            "sign",
            "--secret-file",
            &with_newline,
            "--alg",
            "HS256",
        ],
        b"x",
    );
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("ends with a newline"), "{stderr}");
    // The newline changed the key: the secret without it does not verify the token.
    let (code, message) = fails(
        &["jws", "verify", "--secret-file", &without, "--alg", "HS256"],
        &out.stdout,
    );
    assert_eq!(code, 1);
    assert!(message.contains("invalid signature"), "{message}");
}

#[test]
fn a_short_secret_is_refused() {
    let dir = Dir::new("short");
    let secret = dir.write("short.txt", b"hunter2");
    let (code, message) = fails(
        &[
            "jwt",
            "sign",
            "--secret-file",
            &secret,
            "--alg",
            "HS256",
            "--claims",
            "{}",
        ],
        b"",
    );
    assert_eq!(code, 2);
    assert!(message.contains("at least 32 bytes"), "{message}");
}

#[test]
fn secret_file_signing_needs_alg() {
    let dir = Dir::new("no-alg");
    let secret = dir.write("secret.bin", SECRET);
    let (code, message) = fails(&["jws", "sign", "--secret-file", &secret], b"x");
    assert_eq!(code, 2);
    assert!(message.contains("--alg"), "{message}");
}

#[test]
fn key_and_secret_file_are_exclusive_and_one_is_required() {
    let dir = Dir::new("exclusive");
    let secret = dir.write("secret.bin", SECRET);
    let (code, _) = fails(
        &[
            "jws",
            "sign",
            "--secret-file",
            &secret,
            "--key",
            &secret,
            "--alg",
            "HS256",
        ],
        b"x",
    );
    assert_eq!(code, 2);
    let (code, message) = fails(&["jwt", "verify"], b"x");
    assert_eq!(code, 2);
    assert!(message.contains("--secret-file"), "{message}");
}

#[test]
fn key_given_a_raw_secret_points_to_secret_file() {
    let dir = Dir::new("hint");
    let secret = dir.write("secret.txt", SECRET);
    for args in [
        ["jws", "sign", "--key", &secret, "--alg", "HS256"],
        ["jws", "verify", "--key", &secret, "--alg", "HS256"],
        ["jwt", "verify", "--key", &secret, "--alg", "HS256"],
    ] {
        let (code, message) = fails(&args, b"x");
        assert_eq!(code, 2);
        assert!(
            message.contains(&format!("--secret-file {secret}")),
            "{args:?}: {message}"
        );
    }
}
