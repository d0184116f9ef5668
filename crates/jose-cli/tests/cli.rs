//! The `jose` binary as other tools drive it: commands, flags, outputs and exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{Dir, jose, ok};
use std::path::Path;

fn code(args: &[&str], stdin: &[u8]) -> i32 {
    let out = jose(args, stdin);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        assert_eq!(
            stderr.trim_end().lines().count(),
            1,
            "one-line error expected: {stderr}"
        );
    }
    out.status.code().unwrap()
}

fn keypair(dir: &Dir, alg: &str) -> (String, String) {
    let private = ok(&["key", "generate", "--alg", alg, "--kid", "k1"], b"");
    // A symmetric key verifies with itself.
    let public = if alg.starts_with("HS") {
        private.clone()
    } else {
        ok(&["key", "public"], private.as_bytes())
    };
    (
        dir.write(&format!("{alg}.json"), &private),
        dir.write(&format!("{alg}.pub.json"), &public),
    )
}

#[test]
fn jws_sign_and_verify_every_format() {
    let dir = Dir::new("jws");
    for alg in ["ES256", "EdDSA", "PS256", "HS256"] {
        let (private, public) = keypair(&dir, alg);
        let verify_key = public.clone();
        for format in ["compact", "general", "flattened"] {
            let token = ok(
                &[
                    "jws", "sign", "--key", &private, "--alg", alg, "--format", format,
                ],
                b"payload bytes",
            );
            let payload = ok(
                &["jws", "verify", "--key", &verify_key, "--alg", alg],
                token.as_bytes(),
            );
            assert_eq!(payload, "payload bytes", "{alg} {format}");
        }
        let detached = ok(
            &[
                "jws",
                "sign",
                "--key",
                &private,
                "--alg",
                alg,
                "--detached",
                "--unencoded",
            ],
            b"$.02",
        );
        let payload_file = dir.write("payload", "$.02");
        assert_eq!(
            ok(
                &[
                    "jws",
                    "verify",
                    "--key",
                    &verify_key,
                    "--alg",
                    alg,
                    "--payload",
                    &payload_file
                ],
                detached.as_bytes()
            ),
            "$.02"
        );
    }
}

#[test]
fn jws_verify_exit_codes() {
    let dir = Dir::new("jwscodes");
    let (private, public) = keypair(&dir, "ES256");
    let (_, other) = keypair(&dir, "ES384");
    let token = ok(&["jws", "sign", "--key", &private], b"x");
    assert_eq!(
        code(&["jws", "verify", "--key", &public], token.as_bytes()),
        0
    );
    // Invalid token: wrong key, tampering, alg none, truncated, extra dot.
    assert_eq!(
        code(&["jws", "verify", "--key", &other], token.as_bytes()),
        1
    );
    let mut tampered = token.trim().to_owned();
    tampered.replace_range(5..6, if &tampered[5..6] == "A" { "B" } else { "A" });
    assert_eq!(
        code(&["jws", "verify", "--key", &public], tampered.as_bytes()),
        1
    );
    assert_eq!(
        code(
            &["jws", "verify", "--key", &public],
            b"eyJhbGciOiJub25lIn0.eA."
        ),
        1
    );
    assert_eq!(
        code(
            &["jws", "verify", "--key", &public],
            &token.as_bytes()[..20]
        ),
        1
    );
    assert_eq!(
        code(
            &["jws", "verify", "--key", &public],
            format!("{}.", token.trim()).as_bytes()
        ),
        1
    );
    // Usage: missing key file, bad alg name, no flag.
    assert_eq!(
        code(
            &["jws", "verify", "--key", "/nonexistent"],
            token.as_bytes()
        ),
        2
    );
    assert_eq!(
        code(
            &["jws", "verify", "--key", &public, "--alg", "XX1"],
            token.as_bytes()
        ),
        2
    );
    assert_eq!(code(&["jws", "verify"], token.as_bytes()), 2);
    // A public key cannot sign; an RSA algorithm does not fit an EC key.
    assert_eq!(code(&["jws", "sign", "--key", &public], b"x"), 2);
    assert_eq!(
        code(&["jws", "sign", "--key", &private, "--alg", "RS256"], b"x"),
        2
    );
}

#[test]
fn jwt_sign_verify_inspect() {
    let dir = Dir::new("jwt");
    let (private, public) = keypair(&dir, "ES256");
    let claims =
        r#"{"iss":"https://as.example","sub":"alice","aud":"api","iat":1800000000,"scope":"read"}"#;
    let token = ok(
        &[
            "jwt",
            "sign",
            "--key",
            &private,
            "--claims",
            claims,
            "--lifetime",
            "600",
            "--typ",
            "at+jwt",
        ],
        b"",
    );
    let args = [
        "jwt",
        "verify",
        "--key",
        &public,
        "--iss",
        "https://as.example",
        "--aud",
        "api",
        "--typ",
        "at+jwt",
        "--now",
        "1800000100",
    ];
    let out: serde_json::Value = serde_json::from_str(&ok(&args, token.as_bytes())).unwrap();
    assert_eq!(out["sub"], "alice");
    assert_eq!(out["exp"], 1_800_000_600);
    assert_eq!(out["scope"], "read");
    // Each failed check exits 1.
    let mut later = args.to_vec();
    later[11] = "1800009999";
    assert_eq!(code(&later, token.as_bytes()), 1);
    let mut wrong_aud = args.to_vec();
    wrong_aud[7] = "other";
    assert_eq!(code(&wrong_aud, token.as_bytes()), 1);
    let mut wrong_typ = args.to_vec();
    wrong_typ[9] = "JWT";
    assert_eq!(code(&wrong_typ, token.as_bytes()), 1);
    // Without --typ, a token typed for another profile is refused, and the error says how to
    // accept it (RFC 8725 §3.11).
    let untyped: Vec<&str> = args[..8].iter().chain(&args[10..]).copied().collect();
    let out = jose(&untyped, token.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--typ 'at+jwt'"), "{stderr}");
    // With leeway the expired token passes again.
    let mut lenient = later.clone();
    lenient.extend(["--leeway", "99999"]);
    assert_eq!(code(&lenient, token.as_bytes()), 0);
    // Inspect says it did not verify.
    let out = jose(&["jwt", "inspect"], token.as_bytes());
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOT VERIFIED"));
    let inspected: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(inspected["verified"], false);
    assert_eq!(inspected["header"]["typ"], "at+jwt");
    // Malformed claims JSON is a usage error.
    assert_eq!(
        code(&["jwt", "sign", "--key", &private, "--claims", "{"], b""),
        2
    );
    assert_eq!(
        code(
            &[
                "jwt",
                "sign",
                "--key",
                &private,
                "--claims",
                r#"{"exp":"soon"}"#
            ],
            b""
        ),
        2
    );
}

#[test]
fn keys_thumbprints_and_pem() {
    let dir = Dir::new("keys");
    // RFC 7638 §3.1.
    let rfc_key = r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#;
    assert_eq!(
        ok(&["thumbprint"], rfc_key.as_bytes()).trim(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    assert_eq!(
        ok(&["thumbprint", "--uri"], rfc_key.as_bytes()).trim(),
        "urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    assert_eq!(
        ok(&["thumbprint", "--hash", "sha512"], rfc_key.as_bytes())
            .trim()
            .len(),
        86
    );
    assert_eq!(
        code(&["thumbprint", "--hash", "md5"], rfc_key.as_bytes()),
        2
    );
    // PEM round trip, private and public; a PEM key signs directly.
    let (private, public) = keypair(&dir, "ES384");
    let pem = ok(
        &["key", "export", "--pem"],
        std::fs::read(&private).unwrap().as_slice(),
    );
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    let pem_file = dir.write("k.pem", &pem);
    let imported: serde_json::Value =
        serde_json::from_str(&ok(&["key", "import", "--pem", &pem_file], b"")).unwrap();
    assert_eq!(imported["crv"], "P-384");
    let token = ok(&["jws", "sign", "--key", &pem_file], b"x");
    assert_eq!(
        ok(&["jws", "verify", "--key", &public], token.as_bytes()),
        "x"
    );
    let public_pem = ok(
        &["key", "export", "--pem"],
        std::fs::read(&public).unwrap().as_slice(),
    );
    assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    // Every generator algorithm works; unknown ones are usage errors.
    for alg in [
        "RS256",
        "PS512",
        "ES512",
        "EdDSA",
        "HS512",
        "RSA-OAEP-256",
        "A128KW",
        "A256GCM",
        "PBES2-HS256+A128KW",
    ] {
        let key: serde_json::Value =
            serde_json::from_str(&ok(&["key", "generate", "--alg", alg], b"")).unwrap();
        assert_eq!(key["alg"], alg);
    }
    let x: serde_json::Value = serde_json::from_str(&ok(
        &["key", "generate", "--alg", "ECDH-ES", "--crv", "X25519"],
        b"",
    ))
    .unwrap();
    assert_eq!(x["crv"], "X25519");
    assert_eq!(code(&["key", "generate", "--alg", "none"], b""), 2);
    assert_eq!(
        code(
            &["key", "generate", "--alg", "RS256", "--bits", "1024"],
            b""
        ),
        2
    );
    assert_eq!(code(&["key", "public"], br#"{"kty":"oct","k":"AAAA"}"#), 2);
    assert_eq!(code(&["key", "public"], b"not json"), 2);
    // A bad EC point and a small RSA key are refused on import.
    let off_curve = r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1"}"#;
    assert_eq!(code(&["thumbprint"], off_curve.as_bytes()), 2);
}

#[test]
fn key_sets_select_by_kid() {
    let dir = Dir::new("sets");
    let a = ok(&["key", "generate", "--alg", "ES256", "--kid", "a"], b"");
    let b = ok(&["key", "generate", "--alg", "ES256", "--kid", "b"], b"");
    let pa = ok(&["key", "public"], a.as_bytes());
    let pb = ok(&["key", "public"], b.as_bytes());
    let set = format!(r#"{{"keys":[{pa},{pb}]}}"#);
    let set_file = dir.write("set.json", &set);
    let b_file = dir.write("b.json", &b);
    let token = ok(&["jws", "sign", "--key", &b_file], b"from b");
    assert_eq!(
        ok(&["jws", "verify", "--key", &set_file], token.as_bytes()),
        "from b"
    );
    // A set is not a signing key.
    assert_eq!(code(&["jws", "sign", "--key", &set_file], b"x"), 2);
}

#[test]
fn demo_runs_and_help_is_complete() {
    let out = ok(&["demo"], b"");
    assert!(out.contains("refused (alg none)"));
    assert!(!out.contains("UNEXPECTEDLY"));
    let help = ok(&["--help"], b"");
    for command in ["key", "thumbprint", "jws", "jwt", "ciba", "demo"] {
        assert!(help.contains(command), "{command}");
    }
    assert!(help.contains("Exit codes"));
    assert_eq!(code(&["no-such-command"], b""), 2);
    let _ = Path::new("");
}

#[test]
fn jwe_encrypt_help_describes_jwe_serializations() {
    let help = ok(&["jwe", "encrypt", "--help"], b"");
    assert!(!help.contains("signatures"), "{help}");
    assert!(!help.contains("header.payload.signature"), "{help}");
    assert!(help.contains("recipients"), "{help}");
    assert!(
        help.contains("header.encrypted_key.iv.ciphertext.tag"),
        "{help}"
    );
}

#[test]
fn typ_errors_print_plain_text() {
    let dir = Dir::new("typ-text");
    let (private, public) = keypair(&dir, "ES256");
    let claims = r#"{"iss":"https://as.example","aud":"api","iat":1800000000}"#;
    let verify = |token: &str, typ: &str| {
        let out = jose(
            &[
                "jwt",
                "verify",
                "--key",
                &public,
                "--typ",
                typ,
                "--now",
                "1800000010",
            ],
            token.as_bytes(),
        );
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stderr).unwrap()
    };
    let typed = ok(
        &[
            "jwt", "sign", "--key", &private, "--claims", claims, "--typ", "jwt",
        ],
        b"",
    );
    let err = verify(&typed, "at+jwt");
    assert!(!err.contains("Some("), "{err}");
    assert!(err.contains("\"jwt\""), "{err}");
    assert!(err.contains("\"at+jwt\""), "{err}");
    // Without typ: says so in words.
    let untyped = ok(
        &["jws", "sign", "--key", &private],
        br#"{"iss":"https://as.example","aud":"api","iat":1800000000,"exp":1800000600}"#,
    );
    let err = verify(&untyped, "at+jwt");
    assert!(!err.contains("None"), "{err}");
    assert!(err.contains("no typ"), "{err}");
}
