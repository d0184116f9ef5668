//! Errors about what the caller accepts name the method that configures it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::jwk::Jwk;
use jws::{JwsAlgorithm, JwsError, SigningKey, VerifyOptions, compact};

#[test]
fn algorithm_not_allowed_names_verify_options_algorithms() {
    let key = SigningKey::generate(JwsAlgorithm::ES256).unwrap();
    let token = compact::CompactSign::new(b"x").sign(&key).unwrap();
    let options = VerifyOptions::new().algorithms([JwsAlgorithm::ES384]);
    let err = compact::verify(&token, &key.public_jwk().unwrap(), &options).unwrap_err();
    assert_eq!(err, JwsError::AlgorithmNotAllowed(JwsAlgorithm::ES256));
    let text = err.to_string();
    assert!(text.contains("VerifyOptions::algorithms"), "{text}");
    assert!(text.contains("Validation::algorithms"), "{text}");
    assert!(!text.contains("options "), "{text}");
}

#[test]
fn a_key_without_alg_verifies_nothing_and_says_what_to_set() {
    // An HMAC key without "alg", as many providers' JWK Sets publish RSA keys: no default.
    let signer = SigningKey::hmac(JwsAlgorithm::HS256, vec![9u8; 32]).unwrap();
    let token = compact::CompactSign::new(b"x").sign(&signer).unwrap();
    let bare = Jwk::from_secret(vec![9u8; 32]).unwrap();
    let err = compact::verify(&token, &bare, &VerifyOptions::new()).unwrap_err();
    assert_eq!(err, JwsError::AlgorithmNotAllowed(JwsAlgorithm::HS256));
    assert!(err.to_string().contains("VerifyOptions::algorithms"));
    // With the method the message names, the same key verifies.
    let options = VerifyOptions::new().algorithms([JwsAlgorithm::HS256]);
    assert!(compact::verify(&token, &bare, &options).is_ok());
}

#[test]
fn no_algorithm_allowed_names_the_methods() {
    let bare = Jwk::from_secret(vec![9u8; 32]).unwrap();
    let err = SigningKey::from_jwk(bare).unwrap_err();
    assert_eq!(err, JwsError::NoAlgorithmAllowed);
    let text = err.to_string();
    assert!(text.contains("VerifyOptions::algorithms"), "{text}");
    assert!(text.contains("SigningKey::new"), "{text}");
    assert!(!text.contains("in the options"), "{text}");
}
