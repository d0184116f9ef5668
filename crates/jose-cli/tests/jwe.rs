//! `jose jwe encrypt|decrypt` and `jose jwt encrypt|decrypt` as scripts drive them:
//! round trips for each family and serialization, several recipients, passwords, nested
//! JWTs, and the exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{Dir, jose};

fn ok(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let out = jose(args, stdin);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn ok_text(args: &[&str], stdin: &[u8]) -> String {
    String::from_utf8(ok(args, stdin))
        .unwrap()
        .trim()
        .to_owned()
}

/// The exit code, after checking that a failure prints exactly one line.
fn code(args: &[&str], stdin: &[u8]) -> i32 {
    let out = jose(args, stdin);
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    }
    out.status.code().unwrap()
}

impl Dir {
    /// A private key and its public half (the same file for symmetric keys).
    fn key(&self, name: &str, generate: &[&str]) -> (String, String) {
        let mut args = vec!["key", "generate"];
        args.extend_from_slice(generate);
        let private = ok(&args, b"");
        // A symmetric key has no public form: the sender uses the key itself.
        let public = jose(&["key", "public"], &private);
        let public = if public.status.success() {
            public.stdout
        } else {
            private.clone()
        };
        (
            self.write(&format!("{name}.json"), &private),
            self.write(&format!("{name}.pub.json"), &public),
        )
    }
}

const PLAINTEXT: &[u8] = b"Live long and prosper.\n";

#[test]
fn jwe_round_trips_for_each_family_and_serialization() {
    let dir = Dir::new("families");
    let families: [(&str, &[&str]); 5] = [
        ("rsa", &["--alg", "RSA-OAEP-256", "--kid", "r"]),
        (
            "x25519",
            &["--alg", "ECDH-ES+A256KW", "--crv", "X25519", "--kid", "x"],
        ),
        ("p384", &["--alg", "ECDH-ES", "--crv", "P-384"]),
        ("aes", &["--alg", "A256KW"]),
        ("gcm", &["--alg", "A128GCMKW"]),
    ];
    for (name, generate) in families {
        let (private, public) = dir.key(name, generate);
        for format in ["compact", "flattened", "general"] {
            for enc in ["A256GCM", "A128CBC-HS256"] {
                let jwe = ok_text(
                    &[
                        "jwe", "encrypt", "--key", &public, "--enc", enc, "--format", format,
                    ],
                    PLAINTEXT,
                );
                assert_eq!(jwe.starts_with('{'), format != "compact", "{name} {format}");
                let plain = ok(&["jwe", "decrypt", "--key", &private], jwe.as_bytes());
                assert_eq!(plain, PLAINTEXT, "{name} {format} {enc}");
            }
        }
    }
    // `dir`: the key is for a content encryption algorithm.
    let (key, _) = dir.key("dir", &["--alg", "A256GCM"]);
    let jwe = ok_text(
        &[
            "jwe", "encrypt", "--key", &key, "--alg", "dir", "--enc", "A256GCM", "--zip",
        ],
        PLAINTEXT,
    );
    assert_eq!(
        ok(&["jwe", "decrypt", "--key", &key], jwe.as_bytes()),
        PLAINTEXT
    );
}

#[test]
fn jwe_to_several_recipients_and_with_a_password() {
    let dir = Dir::new("multi");
    let (a_private, a_public) = dir.key("a", &["--alg", "ECDH-ES+A128KW", "--kid", "a"]);
    let (b_key, _) = dir.key("b", &["--alg", "A192KW", "--kid", "b"]);
    let jwe = ok_text(
        &[
            "jwe",
            "encrypt",
            "--key",
            &a_public,
            "--key",
            &b_key,
            "--enc",
            "A192GCM",
            "--format",
            "general",
            "--header",
            r#"{"cty":"text/plain"}"#,
        ],
        PLAINTEXT,
    );
    let v: serde_json::Value = serde_json::from_str(&jwe).unwrap();
    assert_eq!(v["recipients"].as_array().unwrap().len(), 2);
    for key in [&a_private, &b_key] {
        assert_eq!(
            ok(&["jwe", "decrypt", "--key", key], jwe.as_bytes()),
            PLAINTEXT
        );
    }
    // Several recipients need the general serialization.
    assert_eq!(
        code(
            &[
                "jwe", "encrypt", "--key", &a_public, "--key", &b_key, "--enc", "A192GCM"
            ],
            PLAINTEXT
        ),
        2
    );

    let password = dir.write("password.txt", b"correct horse battery staple\n");
    let other = dir.write("other.txt", b"incorrect horse\n");
    for alg in ["PBES2-HS256+A128KW", "PBES2-HS512+A256KW"] {
        let jwe = ok_text(
            &[
                "jwe",
                "encrypt",
                "--password",
                &password,
                "--alg",
                alg,
                "--enc",
                "A128GCM",
                "--p2c",
                "2000",
            ],
            PLAINTEXT,
        );
        assert_eq!(
            ok(&["jwe", "decrypt", "--password", &password], jwe.as_bytes()),
            PLAINTEXT
        );
        assert_eq!(
            code(&["jwe", "decrypt", "--password", &other], jwe.as_bytes()),
            1
        );
    }
}

#[test]
fn jwe_exit_codes() {
    let dir = Dir::new("codes");
    let (key, _) = dir.key("aes", &["--alg", "A128KW"]);
    let (other, _) = dir.key("other", &["--alg", "A128KW"]);
    let jwe = ok_text(
        &["jwe", "encrypt", "--key", &key, "--enc", "A128GCM"],
        PLAINTEXT,
    );
    // Invalid token: wrong key, algorithm not allowed, tampered, garbage.
    assert_eq!(
        code(&["jwe", "decrypt", "--key", &other], jwe.as_bytes()),
        1
    );
    assert_eq!(
        code(
            &["jwe", "decrypt", "--key", &key, "--alg", "A256KW"],
            jwe.as_bytes()
        ),
        1
    );
    assert_eq!(
        code(
            &["jwe", "decrypt", "--key", &key, "--enc", "A256GCM"],
            jwe.as_bytes()
        ),
        1
    );
    let mut tampered = jwe.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    assert_eq!(code(&["jwe", "decrypt", "--key", &key], &tampered), 1);
    assert_eq!(
        code(&["jwe", "decrypt", "--key", &key], b"not.a.jwe.at.all"),
        1
    );
    // Usage: unknown algorithm names, missing files, no key at all, RSA1_5 encryption.
    assert_eq!(
        code(
            &["jwe", "encrypt", "--key", &key, "--enc", "A128GCMX"],
            PLAINTEXT
        ),
        2
    );
    assert_eq!(
        code(
            &[
                "jwe", "encrypt", "--key", &key, "--alg", "none", "--enc", "A128GCM"
            ],
            PLAINTEXT
        ),
        2
    );
    assert_eq!(
        code(
            &["jwe", "decrypt", "--key", "/nonexistent/key.json"],
            jwe.as_bytes()
        ),
        2
    );
    assert_eq!(code(&["jwe", "decrypt"], jwe.as_bytes()), 2);
    let (_, rsa_public) = dir.key("rsa", &["--alg", "RSA-OAEP-256"]);
    assert_eq!(
        code(
            &[
                "jwe",
                "encrypt",
                "--key",
                &rsa_public,
                "--alg",
                "RSA1_5",
                "--enc",
                "A128GCM"
            ],
            PLAINTEXT
        ),
        2
    );
    // A key without `alg` needs --alg to encrypt; it decrypts with what its type can do.
    let bare = dir.write(
        "bare.json",
        br#"{"kty":"oct","k":"GawgguFyGrWKav7AX4VKUg"}"#,
    );
    assert_eq!(
        code(
            &["jwe", "encrypt", "--key", &bare, "--enc", "A128GCM"],
            PLAINTEXT
        ),
        2
    );
    let jwe = ok_text(
        &[
            "jwe", "encrypt", "--key", &bare, "--alg", "A128KW", "--enc", "A128GCM",
        ],
        PLAINTEXT,
    );
    assert_eq!(
        ok(&["jwe", "decrypt", "--key", &bare], jwe.as_bytes()),
        PLAINTEXT
    );
    assert_eq!(
        ok(
            &["jwe", "decrypt", "--key", &bare, "--alg", "A128KW"],
            jwe.as_bytes()
        ),
        PLAINTEXT
    );
    assert_eq!(
        code(
            &["jwe", "decrypt", "--key", &bare, "--alg", "A256KW"],
            jwe.as_bytes()
        ),
        1
    );
}

#[test]
fn jwt_encrypt_and_decrypt_nested_and_direct() {
    let dir = Dir::new("jwt");
    let (enc_private, enc_public) = dir.key("rp", &["--alg", "RSA-OAEP-256"]);
    let sign_private = dir.write(
        "issuer.json",
        &ok(&["key", "generate", "--alg", "ES256"], b""),
    );
    let sign_public = dir.write(
        "issuer.pub.json",
        &ok(&["key", "public"], &std::fs::read(&sign_private).unwrap()),
    );
    let claims = r#"{"iss":"https://issuer.example","sub":"alice","aud":"rp"}"#;

    // Nested: signed, then encrypted.
    let token = ok_text(
        &[
            "jwt",
            "encrypt",
            "--key",
            &enc_public,
            "--enc",
            "A256GCM",
            "--sign-key",
            &sign_private,
            "--claims",
            claims,
        ],
        b"",
    );
    assert_eq!(token.split('.').count(), 5);
    let out = ok_text(
        &[
            "jwt",
            "decrypt",
            "--key",
            &enc_private,
            "--verify-key",
            &sign_public,
            "--iss",
            "https://issuer.example",
            "--aud",
            "rp",
        ],
        token.as_bytes(),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["sub"], "alice");
    // Without --verify-key the nested JWT is refused (its signature would be skipped).
    assert_eq!(
        code(
            &["jwt", "decrypt", "--key", &enc_private, "--aud", "rp"],
            token.as_bytes()
        ),
        1
    );
    // Verified against another issuer key, or past its expiry: invalid.
    let stranger = dir.write(
        "stranger.json",
        &ok(
            &["key", "public"],
            &ok(&["key", "generate", "--alg", "ES256"], b""),
        ),
    );
    assert_eq!(
        code(
            &[
                "jwt",
                "decrypt",
                "--key",
                &enc_private,
                "--verify-key",
                &stranger,
                "--aud",
                "rp"
            ],
            token.as_bytes()
        ),
        1
    );
    assert_eq!(
        code(
            &[
                "jwt",
                "decrypt",
                "--key",
                &enc_private,
                "--verify-key",
                &sign_public,
                "--aud",
                "rp",
                "--now",
                "4000000000"
            ],
            token.as_bytes()
        ),
        1
    );

    // Claims encrypted directly, with a password.
    let password = dir.write("pw.txt", b"a shared secret");
    let token = ok_text(
        &[
            "jwt",
            "encrypt",
            "--password",
            &password,
            "--enc",
            "A128CBC-HS256",
            "--claims",
            claims,
            "--typ",
            "secevent+jwt",
            "--p2c",
            "1000",
        ],
        b"",
    );
    let out = ok_text(
        &[
            "jwt",
            "decrypt",
            "--password",
            &password,
            "--aud",
            "rp",
            "--typ",
            "secevent+jwt",
        ],
        token.as_bytes(),
    );
    assert!(out.contains("\"alice\""));
    // A signed-then-encrypted check on a direct JWT: refused, it is not signed.
    assert_eq!(
        code(
            &[
                "jwt",
                "decrypt",
                "--password",
                &password,
                "--verify-key",
                &sign_public,
                "--aud",
                "rp"
            ],
            token.as_bytes()
        ),
        1
    );
}

#[test]
fn help_lists_the_encryption_commands() {
    let help = ok_text(&["jwe", "--help"], b"");
    assert!(help.contains("encrypt") && help.contains("decrypt"));
    let help = ok_text(&["jwt", "--help"], b"");
    assert!(help.contains("encrypt") && help.contains("decrypt"));
}

/// `name`'s key files again, without their `alg` members.
fn without_alg(dir: &Dir, name: &str, private: &str, public: &str) -> (String, String) {
    let strip = |path: &str| {
        let mut jwk: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        jwk.as_object_mut().unwrap().remove("alg");
        jwk.to_string()
    };
    (
        dir.write(&format!("{name}-noalg.json"), &strip(private)),
        dir.write(&format!("{name}-noalg.pub.json"), &strip(public)),
    )
}

#[test]
fn jwe_decrypt_with_a_key_without_alg_uses_what_the_key_type_can_do() {
    let dir = Dir::new("noalg");
    let (private, public) = dir.key("ec", &["--alg", "ECDH-ES+A128KW", "--kid", "ec"]);
    let (private, public) = without_alg(&dir, "ec", &private, &public);
    let (aes, _) = dir.key("aes", &["--alg", "A256KW", "--kid", "aes"]);
    let (aes_noalg, _) = without_alg(&dir, "aes", &aes, &aes);
    for alg in ["ECDH-ES", "ECDH-ES+A256KW"] {
        let jwe = ok_text(
            &[
                "jwe", "encrypt", "--key", &public, "--alg", alg, "--enc", "A256GCM",
            ],
            PLAINTEXT,
        );
        let plain = ok(&["jwe", "decrypt", "--key", &private], jwe.as_bytes());
        assert_eq!(plain, PLAINTEXT, "{alg}");
    }
    // Several recipients: the one this key cannot serve (AES) is skipped.
    let jwe = ok_text(
        &[
            "jwe",
            "encrypt",
            "--key",
            &aes_noalg,
            "--alg",
            "A256KW",
            "--key",
            &public,
            "--alg",
            "ECDH-ES+A128KW",
            "--enc",
            "A256GCM",
            "--format",
            "general",
        ],
        PLAINTEXT,
    );
    assert_eq!(
        ok(&["jwe", "decrypt", "--key", &private], jwe.as_bytes()),
        PLAINTEXT
    );
    assert_eq!(
        ok(&["jwe", "decrypt", "--key", &aes_noalg], jwe.as_bytes()),
        PLAINTEXT
    );
    // An explicit --alg still decides.
    assert_eq!(
        code(
            &["jwe", "decrypt", "--key", &private, "--alg", "RSA-OAEP-256"],
            jwe.as_bytes()
        ),
        1
    );
}
