//! Errors about what the caller accepts name the `DecryptOptions` method that configures it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
use jose_core::jwk::Jwk;
use jwe::{DecryptOptions, EncryptionKey, JweError, compact};

fn token_and_key() -> (String, Jwk) {
    let key = Jwk::generate(KeyManagementAlgorithm::A128Kw).unwrap();
    let to = EncryptionKey::new(key.clone(), KeyManagementAlgorithm::A128Kw).unwrap();
    let token = compact::CompactEncrypt::new(b"x", ContentEncryptionAlgorithm::A128Gcm)
        .encrypt(&to)
        .unwrap();
    (token, key)
}

#[test]
fn algorithm_not_allowed_names_decrypt_options_algorithms() {
    let (token, key) = token_and_key();
    let options = DecryptOptions::new().algorithms([KeyManagementAlgorithm::A256Kw]);
    let err = compact::decrypt(&token, &key, &options).unwrap_err();
    assert_eq!(
        err,
        JweError::AlgorithmNotAllowed(KeyManagementAlgorithm::A128Kw)
    );
    assert!(
        err.to_string().contains("DecryptOptions::algorithms"),
        "{err}"
    );
}

#[test]
fn encryption_not_allowed_names_decrypt_options_encryptions() {
    let (token, key) = token_and_key();
    let options = DecryptOptions::new().encryptions([ContentEncryptionAlgorithm::A256Gcm]);
    let err = compact::decrypt(&token, &key, &options).unwrap_err();
    assert_eq!(
        err,
        JweError::EncryptionNotAllowed(ContentEncryptionAlgorithm::A128Gcm)
    );
    assert!(
        err.to_string().contains("DecryptOptions::encryptions"),
        "{err}"
    );
}

#[test]
fn no_algorithm_allowed_names_the_methods() {
    let bare = Jwk::generate(KeyManagementAlgorithm::A128Kw)
        .unwrap()
        .without_alg();
    let err = EncryptionKey::from_jwk(bare).unwrap_err();
    assert_eq!(err, JweError::NoAlgorithmAllowed);
    let text = err.to_string();
    assert!(text.contains("DecryptOptions::algorithms"), "{text}");
    assert!(text.contains("EncryptionKey::new"), "{text}");
    assert!(!text.contains("in the options"), "{text}");
}
