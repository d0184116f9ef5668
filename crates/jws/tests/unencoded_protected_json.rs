//! A JSON serialization whose exact protected header text says `b64: false` carries the
//! payload unencoded, as its signature requires (found by the reference vectors: the payload
//! member used to follow only the builder's `unencoded()` flag).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::Jwk;
use jws::json::JsonSign;
use jws::{SigningKey, VerifyOptions};

#[test]
fn b64_false_in_protected_json_puts_the_payload_in_as_is() {
    let key = Jwk::generate(JwsAlgorithm::HS256).unwrap();
    let signer = SigningKey::new(key.clone(), JwsAlgorithm::HS256).unwrap();
    let protected = r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#;
    let options = VerifyOptions::new().algorithms([JwsAlgorithm::HS256]);
    for general in [false, true] {
        let builder =
            JsonSign::new(b"$.02").signature_with_protected_json(&signer, protected, None);
        let jws = if general {
            builder.sign_general()
        } else {
            builder.sign_flattened()
        }
        .unwrap();
        assert_eq!(jws["payload"], "$.02");
        let verified = jws::json::verify(&jws.to_string(), &key, &options).unwrap();
        assert_eq!(verified.payload(), b"$.02");
    }
}
