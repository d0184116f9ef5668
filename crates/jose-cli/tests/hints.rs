//! Errors about what a command accepts name the flag that configures it (`--alg`, `--aud`,
//! ...), never a library method or "the options".

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::Dir;
use std::io::Write;
use std::process::{Command, Stdio};

fn jose(args: &[&str], stdin: &[u8]) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jose"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin);
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn ok(args: &[&str], stdin: &[u8]) -> String {
    let (success, stdout, stderr) = jose(args, stdin);
    assert!(success, "{args:?}: {stderr}");
    stdout
}

/// The one-line error of a failing command, checked to name `flag` and no library method.
fn refused_naming(args: &[&str], stdin: &[u8], flag: &str) {
    let (success, _, stderr) = jose(args, stdin);
    assert!(!success, "{args:?} succeeded");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(flag), "{args:?}: {stderr}");
    for library in [
        "Validation::",
        "VerifyOptions::",
        "DecryptOptions::",
        "options",
    ] {
        assert!(!stderr.contains(library), "{args:?}: {stderr}");
    }
}

fn es256_pair(dir: &Dir) -> (String, String) {
    let private = ok(&["key", "generate", "--alg", "ES256"], b"");
    let public = ok(&["key", "public"], private.as_bytes());
    (
        dir.write("es256.json", &private),
        dir.write("es256.pub.json", &public),
    )
}

#[test]
fn jws_verify_names_alg_for_a_key_without_alg() {
    let dir = Dir::new("jws-alg");
    let secret = dir.write("secret.bin", &[5u8; 32]);
    let token = ok(
        &["jws", "sign", "--secret-file", &secret, "--alg", "HS256"],
        b"x",
    );
    refused_naming(
        &["jws", "verify", "--secret-file", &secret],
        token.as_bytes(),
        "--alg HS256",
    );
    refused_naming(
        &["jws", "verify", "--secret-file", &secret, "--alg", "HS512"],
        token.as_bytes(),
        "--alg HS256",
    );
}

#[test]
fn jwt_verify_names_aud_iss_typ_and_alg() {
    let dir = Dir::new("jwt-flags");
    let (private, public) = es256_pair(&dir);
    let token = ok(
        &[
            "jwt",
            "sign",
            "--key",
            &private,
            "--typ",
            "at+jwt",
            "--claims",
            r#"{"iss":"https://a.example","aud":"api"}"#,
        ],
        b"",
    );
    let t = token.as_bytes();
    refused_naming(&["jwt", "verify", "--key", &public], t, "--aud");
    refused_naming(
        &["jwt", "verify", "--key", &public, "--aud", "other"],
        t,
        "--aud",
    );
    refused_naming(
        &[
            "jwt",
            "verify",
            "--key",
            &public,
            "--aud",
            "api",
            "--iss",
            "https://b.example",
        ],
        t,
        "--iss",
    );
    refused_naming(
        &[
            "jwt", "verify", "--key", &public, "--aud", "api", "--typ", "JWT",
        ],
        t,
        "--typ",
    );
    refused_naming(
        &[
            "jwt", "verify", "--key", &public, "--aud", "api", "--alg", "ES384",
        ],
        t,
        "--alg ES256",
    );
}

#[test]
fn jwe_decrypt_names_alg_and_enc() {
    let dir = Dir::new("jwe-flags");
    let key = dir.write(
        "a128kw.json",
        &ok(&["key", "generate", "--alg", "A128KW"], b""),
    );
    let token = ok(
        &["jwe", "encrypt", "--key", &key, "--enc", "A128GCM"],
        b"secret",
    );
    let t = token.as_bytes();
    refused_naming(
        &["jwe", "decrypt", "--key", &key, "--enc", "A256GCM"],
        t,
        "--enc A128GCM",
    );
    refused_naming(
        &["jwe", "decrypt", "--key", &key, "--alg", "A256KW"],
        t,
        "--alg A128KW",
    );
}

#[test]
fn jwt_decrypt_names_sign_alg_for_the_nested_signature() {
    let dir = Dir::new("jwt-nested");
    let (private, public) = es256_pair(&dir);
    let enc_key = dir.write(
        "a128kw.json",
        &ok(&["key", "generate", "--alg", "A128KW"], b""),
    );
    let token = ok(
        &[
            "jwt",
            "encrypt",
            "--key",
            &enc_key,
            "--enc",
            "A128GCM",
            "--sign-key",
            &private,
            "--claims",
            "{}",
        ],
        b"",
    );
    refused_naming(
        &[
            "jwt",
            "decrypt",
            "--key",
            &enc_key,
            "--verify-key",
            &public,
            "--sign-alg",
            "ES512",
        ],
        token.as_bytes(),
        "--sign-alg ES256",
    );
}
