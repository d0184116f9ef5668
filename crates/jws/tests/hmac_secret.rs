//! HMAC keys made directly from a secret: `Jwk::from_secret` and `SigningKey::hmac`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::{JwsAlgorithm, KeyAlgorithm};
use jose_core::jwk::{Jwk, KeyError, KeyType};
use jws::{JwsError, SigningKey, VerifyOptions, compact};

#[test]
fn from_secret_makes_an_oct_key_without_parameters() {
    let key = Jwk::from_secret(vec![7u8; 32]).unwrap();
    assert_eq!(key.key_type(), KeyType::Oct);
    assert!(key.alg().is_none());
    assert!(key.kid().is_none());
    assert!(key.is_private());
}

#[test]
fn from_secret_refuses_an_empty_secret() {
    assert_eq!(
        Jwk::from_secret(Vec::new()).unwrap_err(),
        KeyError::EmptySymmetricKey
    );
}

#[test]
fn hmac_signs_and_verifies_with_each_hash() {
    for (alg, len) in [
        (JwsAlgorithm::HS256, 32),
        (JwsAlgorithm::HS384, 48),
        (JwsAlgorithm::HS512, 64),
    ] {
        let key = SigningKey::hmac(alg, vec![0x42u8; len]).unwrap();
        assert_eq!(key.jwk().alg(), Some(&KeyAlgorithm::Jws(alg)));
        let token = compact::CompactSign::new(b"payload").sign(&key).unwrap();
        // The verifier rebuilds the key from the same bytes.
        let verifier = Jwk::from_secret(vec![0x42u8; len]).unwrap();
        let options = VerifyOptions::new().algorithms([alg]);
        let verified = compact::verify(&token, &verifier, &options).unwrap();
        assert_eq!(verified.payload(), b"payload");
    }
}

#[test]
fn hmac_refuses_a_secret_shorter_than_the_hash() {
    for (alg, min) in [
        (JwsAlgorithm::HS256, 32),
        (JwsAlgorithm::HS384, 48),
        (JwsAlgorithm::HS512, 64),
    ] {
        let err = SigningKey::hmac(alg, vec![1u8; min - 1]).unwrap_err();
        assert_eq!(
            err,
            JwsError::Key(KeyError::KeyTooShort {
                alg: KeyAlgorithm::Jws(alg),
                min,
                actual: min - 1,
            })
        );
    }
}

#[test]
fn hmac_refuses_a_non_hmac_algorithm() {
    let err = SigningKey::hmac(JwsAlgorithm::ES256, vec![1u8; 64]).unwrap_err();
    assert!(
        matches!(err, JwsError::Key(KeyError::IncompatibleAlgorithm { .. })),
        "{err:?}"
    );
}

#[test]
fn a_short_secret_key_is_refused_at_verification_too() {
    let key = SigningKey::hmac(JwsAlgorithm::HS256, vec![3u8; 32]).unwrap();
    let token = compact::CompactSign::new(b"x").sign(&key).unwrap();
    let short = Jwk::from_secret(vec![3u8; 16]).unwrap();
    let options = VerifyOptions::new().algorithms([JwsAlgorithm::HS256]);
    let err = compact::verify(&token, &short, &options).unwrap_err();
    assert!(
        matches!(
            err,
            JwsError::Key(KeyError::KeyTooShort {
                min: 32,
                actual: 16,
                ..
            })
        ),
        "{err:?}"
    );
}
