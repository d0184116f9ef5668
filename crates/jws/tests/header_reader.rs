//! The protected header of a JWS without an unprotected header is read in the strict
//! validator's pass, without a map, when it is plain (`alg`, `kid`, `typ`, `cty` as plain
//! strings). These tests pin that reader to the map path it replaces: the same header, the
//! same protected parameters and the same error for every header, valid or not. The map path
//! is what a flattened JSON JWS with an (empty) unprotected header takes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::JwsAlgorithm;
use jose_core::b64;
use jose_core::jwk::Jwk;
use jws::{JwsError, Limits, SigningKey, VerifiedJws, VerifyOptions, compact};

/// An HS256 key with the key id `k`.
fn key() -> (SigningKey, Jwk) {
    let key = Jwk::generate(JwsAlgorithm::HS256).unwrap().with_kid("k");
    (
        SigningKey::new(key.clone(), JwsAlgorithm::HS256).unwrap(),
        key,
    )
}

/// The same header and payload, correctly MACed, as a compact JWS (read without a map when
/// plain) and as a flattened JSON JWS with an empty unprotected header (the map path).
fn both(header_json: &str, key: &SigningKey) -> (String, String) {
    let h = b64::encode(header_json);
    let p = b64::encode(br#"{"sub":"a"}"#);
    let input = format!("{h}.{p}");
    let sig = b64::encode(jws::Signer::sign(key, input.as_bytes()).unwrap());
    let json = serde_json::json!({"protected": h, "header": {}, "payload": p, "signature": sig});
    (format!("{input}.{sig}"), json.to_string())
}

fn same(compact: &Result<VerifiedJws, JwsError>, json: &Result<VerifiedJws, JwsError>) {
    match (compact, json) {
        (Ok(c), Ok(j)) => {
            assert_eq!(c.header(), j.header());
            assert_eq!(c.protected_header(), j.protected_header());
            assert_eq!(c.payload(), j.payload());
            assert_eq!(c, j);
        }
        (Err(c), Err(j)) => assert_eq!(c, j),
        _ => panic!("compact {compact:?}, JSON {json:?}"),
    }
}

#[test]
fn plain_header_reader_agrees_with_the_map_path() {
    let (signer, public) = key();
    let options = VerifyOptions::new().algorithms([JwsAlgorithm::HS256]);
    let headers = [
        r#"{"alg":"HS256"}"#,
        r#"{"alg":"HS256","typ":"JWT","kid":"k"}"#,
        r#"{"typ":"at+jwt","cty":"x","alg":"HS256"}"#,
        " \t{ \"alg\" : \"HS256\" ,\n\"typ\":\"JWT\" } ",
        r#"{"alg":"HS256","typ":"J\u0057T"}"#,
        r#"{"alg":"HS256","typ":"é"}"#,
        r#"{"alg":"HS256","kid":"other"}"#,
        r#"{"alg":"HS256","typ":""}"#,
        r#"{"alg":"HS256","x":1}"#,
        r#"{"alg":"HS256","typ":null}"#,
        r#"{"alg":"HS256","typ":7}"#,
        r#"{"alg":"HS256","kid":["k"]}"#,
        r#"{"alg":"none"}"#,
        r#"{"alg":"NONE"}"#,
        r#"{"alg":"HS257"}"#,
        r#"{"alg":"H\u0053256"}"#,
        r#"{"alg":1}"#,
        r#"{"alg":"RS256"}"#,
        r#"{"typ":"JWT"}"#,
        r#"{}"#,
        r#"[]"#,
        r#""alg""#,
        r#"{"alg":"HS256","alg":"HS256"}"#,
        r#"{"alg":"HS256","typ":"a","t\u0079p":"a"}"#,
        r#"{"alg":"HS256","x":{"a":1,"a":2}}"#,
        r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
        r#"{"alg":"HS256","crit":["b64"],"b64":true}"#,
        r#"{"alg":"HS256","b64":true}"#,
        r#"{"alg":"HS256","crit":[]}"#,
        r#"{"alg":"HS256","n":1e400}"#,
        r#"{"alg":"HS256","d":[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}"#,
        r#"{"alg":"HS256",}"#,
        r#"{"alg":"HS256""#,
        r#"{"alg":"HS256","typ":"\ud800"}"#,
        "{\"alg\":\"HS256\",\"typ\":\"\u{1}\"}",
    ];
    for header in headers {
        let (token, json) = both(header, &signer);
        same(
            &compact::verify(&token, &public, &options),
            &jws::json::verify(&json, &public, &options),
        );
    }
}

#[test]
fn plain_header_reader_keeps_the_size_limit_and_invalid_utf8() {
    let (signer, public) = key();
    let options = VerifyOptions::new()
        .algorithms([JwsAlgorithm::HS256])
        .limits(Limits {
            max_header_bytes: 40,
            ..Limits::default()
        });
    for header in [
        r#"{"alg":"HS256","typ":"JWT"}"#.to_owned(),
        format!(r#"{{"alg":"HS256","typ":"{}"}}"#, "x".repeat(40)),
    ] {
        let (token, json) = both(&header, &signer);
        same(
            &compact::verify(&token, &public, &options),
            &jws::json::verify(&json, &public, &options),
        );
    }
    // Bytes that are not UTF-8 inside a string.
    let h = b64::encode(b"{\"alg\":\"HS256\",\"typ\":\"\xff\"}");
    let p = b64::encode(b"{}");
    let input = format!("{h}.{p}");
    let sig = b64::encode(jws::Signer::sign(&signer, input.as_bytes()).unwrap());
    let err = compact::verify(&format!("{input}.{sig}"), &public, &options).unwrap_err();
    assert!(err.to_string().contains("UTF-8"), "{err}");
}
