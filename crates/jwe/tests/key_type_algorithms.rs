//! `DecryptOptions::accept_key_type_algorithms`: a key without `alg` decrypts with what its
//! type can perform (never RSA1_5; PBES2 only with a password), and in a JWE with several
//! recipients the ones the key cannot serve are skipped.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

#[path = "common/keys.rs"]
#[allow(dead_code)]
mod keys;

use jose_core::alg::{ContentEncryptionAlgorithm as Enc, KeyManagementAlgorithm as K};
use jose_core::jwk::Jwk;
use jwe::{DecryptOptions, EncryptionKey, JweError, Password, compact, json};
use keys::{dir_key, rsa_key};

fn public(key: &Jwk) -> Jwk {
    key.to_public().unwrap()
}

fn to(key: &Jwk, alg: K) -> String {
    compact::CompactEncrypt::new(b"hello", Enc::A256Gcm)
        .encrypt(&EncryptionKey::new(public(key), alg).unwrap())
        .unwrap()
}

fn by_key_type() -> DecryptOptions {
    DecryptOptions::new().accept_key_type_algorithms()
}

#[test]
fn a_key_without_alg_is_refused_by_default() {
    let token = to(rsa_key(), K::RsaOaep256);
    assert!(matches!(
        compact::decrypt(&token, rsa_key(), &DecryptOptions::new()),
        Err(JweError::NoAlgorithmAllowed)
    ));
}

#[test]
fn a_key_without_alg_decrypts_what_its_type_can_perform() {
    for alg in [K::RsaOaep, K::RsaOaep256] {
        let token = to(rsa_key(), alg);
        let out = compact::decrypt(&token, rsa_key(), &by_key_type()).unwrap();
        assert_eq!(out.plaintext(), b"hello", "{alg}");
    }
    let ec = Jwk::generate(K::EcdhEsA256Kw).unwrap().without_alg();
    for alg in [K::EcdhEs, K::EcdhEsA128Kw, K::EcdhEsA256Kw] {
        let token = to(&ec, alg);
        let out = compact::decrypt(&token, &ec, &by_key_type()).unwrap();
        assert_eq!(out.plaintext(), b"hello", "{alg}");
    }
    let aes = Jwk::generate(K::A256Kw).unwrap().without_alg();
    for alg in [K::A256Kw, K::A256GcmKw] {
        let token = compact::CompactEncrypt::new(b"hello", Enc::A256Gcm)
            .encrypt(&EncryptionKey::new(aes.clone(), alg).unwrap())
            .unwrap();
        let out = compact::decrypt(&token, &aes, &by_key_type()).unwrap();
        assert_eq!(out.plaintext(), b"hello", "{alg}");
    }
    let dir = dir_key(Enc::A256Gcm);
    let token = compact::CompactEncrypt::new(b"hello", Enc::A256Gcm)
        .encrypt(&EncryptionKey::new(dir.clone(), K::Dir).unwrap())
        .unwrap();
    assert!(compact::decrypt(&token, dir, &by_key_type()).is_ok());
    // A password serves PBES2.
    let password = Password::new(b"correct horse battery staple".to_vec()).unwrap();
    let token = compact::CompactEncrypt::new(b"hello", Enc::A256Gcm)
        .encrypt(
            &EncryptionKey::password(password.clone(), K::Pbes2Hs256A128Kw)
                .unwrap()
                .with_p2c(1000),
        )
        .unwrap();
    assert!(compact::decrypt(&token, &password, &by_key_type()).is_ok());
}

#[test]
fn rsa1_5_and_pbes2_with_a_jwk_are_never_inferred() {
    // An RSA1_5 recipient (crafted: this crate does not encrypt with it) is refused by policy
    // before any RSA operation.
    let token = to(rsa_key(), K::RsaOaep);
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[0] = jose_core::b64::encode(r#"{"alg":"RSA1_5","enc":"A256GCM"}"#);
    let rsa1_5 = parts.join(".");
    let err = compact::decrypt(&rsa1_5, rsa_key(), &by_key_type()).unwrap_err();
    // (A build without the `rsa1_5` feature refuses it before the policy.)
    assert!(
        matches!(
            err,
            JweError::AlgorithmNotAllowed(K::Rsa1_5) | JweError::Unsupported { .. }
        ),
        "{err}"
    );
    // PBES2 with a symmetric JWK is not inferred (a JWK is no password).
    let aes = Jwk::generate(K::A256Kw).unwrap().without_alg();
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[0] = jose_core::b64::encode(
        r#"{"alg":"PBES2-HS256+A128KW","enc":"A256GCM","p2s":"AAAAAAAAAAAAAAAAAAAAAA","p2c":1000}"#,
    );
    let pbes2 = parts.join(".");
    assert!(compact::decrypt(&pbes2, &aes, &by_key_type()).is_err());
    // A key with `alg` keeps it: only that algorithm.
    let restricted = rsa_key().clone().with_alg(K::RsaOaep256);
    let token = to(rsa_key(), K::RsaOaep);
    assert!(compact::decrypt(&token, &restricted, &by_key_type()).is_err());
}

#[test]
fn recipients_the_key_cannot_serve_are_skipped() {
    let ec = Jwk::generate(K::EcdhEsA256Kw)
        .unwrap()
        .without_alg()
        .with_kid("ec");
    let aes = Jwk::generate(K::A256Kw)
        .unwrap()
        .without_alg()
        .with_kid("aes");
    let other_ec = Jwk::generate(K::EcdhEsA256Kw)
        .unwrap()
        .without_alg()
        .with_kid("ec-2");
    let rsa_recipient = EncryptionKey::new(public(rsa_key()), K::RsaOaep256).unwrap();
    let aes_recipient = EncryptionKey::new(aes.clone(), K::A256Kw).unwrap();
    let other_recipient = EncryptionKey::new(public(&other_ec), K::EcdhEsA128Kw).unwrap();
    let ec_recipient = EncryptionKey::new(public(&ec), K::EcdhEsA256Kw).unwrap();
    let general = json::JsonEncrypt::new(b"hello", Enc::A256Gcm)
        .recipient(&rsa_recipient)
        .recipient(&aes_recipient)
        .recipient(&other_recipient)
        .recipient(&ec_recipient)
        .encrypt_general()
        .unwrap()
        .to_string();
    // The EC key serves the fourth recipient, chosen by kid; the RSA and AES recipients are
    // skipped, and so is the other EC recipient (same type, another kid).
    let out = json::decrypt(&general, &ec, &by_key_type()).unwrap();
    assert_eq!(out.plaintext(), b"hello");
    assert_eq!(out.recipient_index(), 3);
    // The AES key, the second.
    let out = json::decrypt(&general, &aes, &by_key_type()).unwrap();
    assert_eq!(out.recipient_index(), 1);
}
