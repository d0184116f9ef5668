//! Hostile and malformed input: each case yields a typed error, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::JwsAlgorithm;
use jose_core::header::HeaderError;
use jose_core::jwk::{Jwk, KeyError};
use jws::{JwsError, Limits, SigningKey, VerifyOptions, compact};

fn hs256() -> (SigningKey, Jwk) {
    let key = Jwk::generate(JwsAlgorithm::HS256).unwrap();
    (
        SigningKey::new(key.clone(), JwsAlgorithm::HS256).unwrap(),
        key,
    )
}

fn opts() -> VerifyOptions {
    VerifyOptions::new().algorithms([JwsAlgorithm::HS256])
}

/// Builds `header.payload.signature` with a correct HMAC over an arbitrary header text.
fn forge(header_json: &str, key: &SigningKey) -> String {
    let h = jose_core::b64::encode(header_json);
    let p = jose_core::b64::encode(b"{}");
    let input = format!("{h}.{p}");
    let sig = jws::Signer::sign(key, input.as_bytes()).unwrap();
    format!("{input}.{}", jose_core::b64::encode(sig))
}

#[test]
fn structural_damage() {
    let (signer, key) = hs256();
    let token = compact::CompactSign::new(b"x").sign(&signer).unwrap();
    let (h, rest) = token.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    let cases = [
        ("", "empty"),
        (".", "two parts"),
        ("..", "empty header"),
        (&format!("{h}.{p}"), "two parts"),
        (&format!("{h}.{p}.{s}.{s}"), "four parts"),
        (&format!("{h}.{p}.{s}."), "trailing dot"),
        (&format!("{h}=.{p}.{s}"), "padding"),
        (&format!("{h}.{p} .{s}"), "whitespace"),
        (&format!("{h}.{p}.{s}!"), "bad character"),
        (
            &format!("{}.{p}.{s}", &h[..h.len() - 1]),
            "truncated header",
        ),
    ];
    for (token, what) in cases {
        let err = compact::verify(token, &key, &opts()).unwrap_err();
        assert!(
            matches!(
                err,
                JwsError::Malformed(_)
                    | JwsError::Base64 { .. }
                    | JwsError::Header(HeaderError::Json(_))
            ),
            "{what}: {err:?}"
        );
    }
}

#[test]
fn alg_none_is_refused_even_with_every_algorithm_allowed() {
    let (_, key) = hs256();
    let none = format!(
        "{}.{}.",
        jose_core::b64::encode(r#"{"alg":"none"}"#),
        jose_core::b64::encode("{}")
    );
    let all = VerifyOptions::new().algorithms(JwsAlgorithm::ALL.iter().copied());
    assert!(matches!(
        compact::verify(&none, &key, &all),
        Err(JwsError::Header(HeaderError::Algorithm {
            source: jose_core::alg::AlgorithmError::None,
            ..
        }))
    ));
}

#[test]
fn algorithm_confusion_is_refused() {
    // An HS256 token whose MAC key is the bytes of an RSA public key: the RSA key cannot
    // verify HS256, whatever the options say.
    let rsa = Jwk::generate(JwsAlgorithm::RS256)
        .unwrap()
        .to_public()
        .unwrap();
    let der = rsa.to_spki_der().unwrap();
    let fake = SigningKey::new(
        Jwk::from_json(format!(
            r#"{{"kty":"oct","k":"{}"}}"#,
            jose_core::b64::encode(&der)
        ))
        .unwrap(),
        JwsAlgorithm::HS256,
    )
    .unwrap();
    let token = compact::CompactSign::new(b"{}").sign(&fake).unwrap();
    let all = VerifyOptions::new().algorithms(JwsAlgorithm::ALL.iter().copied());
    assert!(matches!(
        compact::verify(&token, &rsa, &all),
        Err(JwsError::Key(KeyError::IncompatibleAlgorithm { .. }))
    ));
    // An algorithm outside the allowed list is refused before any key is consulted.
    let (signer, key) = hs256();
    let token = compact::CompactSign::new(b"{}").sign(&signer).unwrap();
    assert_eq!(
        compact::verify(
            &token,
            &key,
            &VerifyOptions::new().algorithms([JwsAlgorithm::RS256])
        )
        .unwrap_err(),
        JwsError::AlgorithmNotAllowed(JwsAlgorithm::HS256)
    );
    // With no list, a symmetric key without `alg` implies nothing.
    let bare = key.clone().without_alg();
    assert_eq!(
        compact::verify(&token, &bare, &VerifyOptions::new()).unwrap_err(),
        JwsError::AlgorithmNotAllowed(JwsAlgorithm::HS256)
    );
}

#[test]
fn header_problems() {
    let (signer, key) = hs256();
    let dup = forge(r#"{"alg":"HS256","alg":"HS256"}"#, &signer);
    assert!(matches!(
        compact::verify(&dup, &key, &opts()),
        Err(JwsError::Header(HeaderError::Json(
            jose_core::json::JsonError::DuplicateMember { .. }
        )))
    ));
    let crit = forge(r#"{"alg":"HS256","crit":["exp"],"exp":1}"#, &signer);
    assert!(matches!(
        compact::verify(&crit, &key, &opts()),
        Err(JwsError::Header(HeaderError::Crit(_)))
    ));
    assert!(compact::verify(&crit, &key, &opts().understand_crit("exp")).is_ok());
    let b64_without_crit = forge(r#"{"alg":"HS256","b64":true}"#, &signer);
    assert!(matches!(
        compact::verify(&b64_without_crit, &key, &opts()),
        Err(JwsError::Header(HeaderError::Crit(_)))
    ));
    let no_alg = forge(r#"{"typ":"JWT"}"#, &signer);
    assert_eq!(
        compact::verify(&no_alg, &key, &opts()).unwrap_err(),
        JwsError::MissingAlgorithm
    );
    let not_object = forge(r#"["alg","HS256"]"#, &signer);
    assert!(matches!(
        compact::verify(&not_object, &key, &opts()),
        Err(JwsError::Header(HeaderError::Json(_)))
    ));
    let deep = forge(
        &format!(
            r#"{{"alg":"HS256","x":{}1{}}}"#,
            "[".repeat(5000),
            "]".repeat(5000)
        ),
        &signer,
    );
    assert!(matches!(
        compact::verify(&deep, &key, &opts()),
        Err(JwsError::Header(HeaderError::Json(_)))
    ));
    let private_jwk = forge(
        &format!(r#"{{"alg":"HS256","jwk":{}}}"#, key.to_json()),
        &signer,
    );
    assert!(matches!(
        compact::verify(&private_jwk, &key, &opts()),
        Err(JwsError::Header(HeaderError::PrivateKey("jwk")))
    ));
}

#[test]
fn size_limits_apply_before_decoding() {
    let (signer, key) = hs256();
    let huge_header = forge(
        &format!(r#"{{"alg":"HS256","x":"{}"}}"#, "a".repeat(100_000)),
        &signer,
    );
    assert!(matches!(
        compact::verify(&huge_header, &key, &opts()),
        Err(JwsError::Header(HeaderError::Json(
            jose_core::json::JsonError::TooLarge { .. }
        )))
    ));
    let big = "a".repeat(2 << 20);
    assert!(matches!(
        compact::verify(&big, &key, &opts()),
        Err(JwsError::TooLarge { .. })
    ));
    let tight = opts().limits(Limits {
        max_input_bytes: 10,
        ..Limits::default()
    });
    let token = compact::CompactSign::new(b"x").sign(&signer).unwrap();
    assert!(matches!(
        compact::verify(&token, &key, &tight),
        Err(JwsError::TooLarge { .. })
    ));
}

#[test]
fn json_serialization_damage() {
    let (_, key) = hs256();
    for (text, what) in [
        ("{}", "no signature"),
        (r#"{"payload":"e30","signatures":[]}"#, "empty signatures"),
        (
            r#"{"payload":"e30","signatures":{}}"#,
            "signatures not an array",
        ),
        (
            r#"{"payload":"e30","signatures":[{"signature":"AA"}]}"#,
            "no header",
        ),
        (
            r#"{"payload":"e30","signatures":[{"protected":"e30","signature":"AA"}],"signature":"AA"}"#,
            "mixed general and flattened",
        ),
        (
            r#"{"payload":1,"protected":"e30","signature":"AA"}"#,
            "payload not a string",
        ),
        ("[1]", "not an object"),
        ("{", "not JSON"),
    ] {
        let err = jws::json::verify(text, &key, &opts()).unwrap_err();
        assert!(
            matches!(
                err,
                JwsError::Malformed(_) | JwsError::Json(_) | JwsError::MissingAlgorithm
            ),
            "{what}: {err:?}"
        );
    }
    let many = format!(
        r#"{{"payload":"e30","signatures":[{}]}}"#,
        vec![r#"{"protected":"eyJhbGciOiJIUzI1NiJ9","signature":"AA"}"#; 100].join(",")
    );
    assert!(matches!(
        jws::json::verify(&many, &key, &opts()),
        Err(JwsError::TooManySignatures {
            max: 16,
            actual: 100
        })
    ));
}

#[test]
fn ecdsa_signatures_must_be_fixed_size_and_in_range() {
    let key = Jwk::generate(JwsAlgorithm::ES256).unwrap();
    let signer = SigningKey::new(key.clone(), JwsAlgorithm::ES256).unwrap();
    let token = compact::CompactSign::new(b"x").sign(&signer).unwrap();
    let (input, sig) = token.rsplit_once('.').unwrap();
    let sig = jose_core::b64::decode(sig).unwrap();
    let opts = VerifyOptions::new().algorithms([JwsAlgorithm::ES256]);
    let with = |bytes: &[u8]| format!("{input}.{}", jose_core::b64::encode(bytes));
    // DER instead of r || s, one byte short, one byte long.
    assert!(matches!(
        compact::verify(&with(&sig[1..]), &key, &opts),
        Err(JwsError::MalformedSignature { .. })
    ));
    assert!(matches!(
        compact::verify(&with(&[&sig[..], &[0]].concat()), &key, &opts),
        Err(JwsError::MalformedSignature { .. })
    ));
    // r = s = 0 (CVE-2022-21449).
    assert!(matches!(
        compact::verify(&with(&[0u8; 64]), &key, &opts),
        Err(JwsError::MalformedSignature { .. })
    ));
    // r = 0 with a real s.
    let mut zero_r = sig.clone();
    zero_r[..32].fill(0);
    assert!(matches!(
        compact::verify(&with(&zero_r), &key, &opts),
        Err(JwsError::MalformedSignature { .. })
    ));
}

#[test]
fn public_keys_cannot_sign_and_short_hmac_keys_are_refused() {
    let public = Jwk::generate(JwsAlgorithm::ES256)
        .unwrap()
        .to_public()
        .unwrap();
    assert!(matches!(
        SigningKey::new(public, JwsAlgorithm::ES256),
        Err(JwsError::Key(KeyError::NotPrivate))
    ));
    let short = Jwk::from_json(r#"{"kty":"oct","k":"c2hvcnQ"}"#).unwrap();
    assert!(matches!(
        SigningKey::new(short.clone(), JwsAlgorithm::HS256),
        Err(JwsError::Key(KeyError::KeyTooShort { .. }))
    ));
    let token = format!("{}.e30.AAAA", jose_core::b64::encode(r#"{"alg":"HS256"}"#));
    assert!(matches!(
        compact::verify(&token, &short, &opts()),
        Err(JwsError::Key(KeyError::KeyTooShort { .. }))
    ));
}

#[test]
fn embedded_keys_are_used_only_when_asked() {
    let private = Jwk::generate(JwsAlgorithm::ES256).unwrap();
    let signer = SigningKey::new(private.clone(), JwsAlgorithm::ES256).unwrap();
    let header = jose_core::header::JwsHeader::default()
        .with_jwk(private.to_public().unwrap())
        .unwrap();
    let token = compact::CompactSign::new(b"x")
        .header(header)
        .sign(&signer)
        .unwrap();
    let opts = VerifyOptions::new().algorithms([JwsAlgorithm::ES256]);
    assert!(compact::verify(&token, &jws::EmbeddedJwk, &opts).is_ok());
    // A verifier with its own key ignores the embedded one (Wycheproof #32).
    let other = Jwk::generate(JwsAlgorithm::ES256)
        .unwrap()
        .to_public()
        .unwrap();
    assert_eq!(
        compact::verify(&token, &other, &opts).unwrap_err(),
        JwsError::InvalidSignature
    );
    // No embedded key.
    let plain = compact::CompactSign::new(b"x").sign(&signer).unwrap();
    assert_eq!(
        compact::verify(&plain, &jws::EmbeddedJwk, &opts).unwrap_err(),
        JwsError::MissingEmbeddedKey
    );
}

#[test]
fn detached_payload_mistakes() {
    let (signer, key) = hs256();
    let attached = compact::CompactSign::new(b"x").sign(&signer).unwrap();
    assert!(matches!(
        compact::verify_detached(&attached, b"x", &key, &opts()),
        Err(JwsError::DetachedPayload(_))
    ));
    let detached = compact::CompactSign::new(b"x")
        .detached()
        .sign(&signer)
        .unwrap();
    assert_eq!(
        compact::verify_detached(&detached, b"y", &key, &opts()).unwrap_err(),
        JwsError::InvalidSignature
    );
}
