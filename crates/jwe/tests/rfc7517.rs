//! RFC 7517 Appendix C: a private RSA JWK encrypted with PBES2-HS256+A128KW and
//! A128CBC-HS256, decrypted with the published password and reproduced byte for byte from the
//! published salt, iteration count, CEK and IV.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{b64, s, secret, vectors};
use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
use jose_core::jwk::Jwk;
use jwe::{DecryptOptions, EncryptionKey, Password, compact};
use serde_json::Value;

fn example() -> Value {
    vectors("rfc/rfc7517-jwk-appendix.json")["C_encrypted_private_key"].clone()
}

fn compact_form(c: &Value) -> String {
    [
        s(c, "protected_b64"),
        s(c, "encrypted_key_b64"),
        s(c, "iv_b64"),
        s(c, "ciphertext_b64"),
        s(c, "tag_b64"),
    ]
    .join(".")
}

#[test]
fn c_encrypted_jwk_decrypts_with_the_password() {
    let c = example();
    let password = Password::new(s(&c, "password")).unwrap();
    let options = DecryptOptions::new().algorithms([KeyManagementAlgorithm::Pbes2Hs256A128Kw]);
    let out = compact::decrypt(&compact_form(&c), &password, &options).unwrap();
    assert_eq!(out.plaintext(), s(&c, "plaintext").as_bytes());
    assert_eq!(out.header().cty(), Some("jwk+json"));
    assert_eq!(out.header().p2c, Some(4096));
    // The plaintext is the private key of C.1.
    let key = Jwk::from_json(out.plaintext()).unwrap();
    let expected = Jwk::from_json(c["C.1_private_jwk"].to_string()).unwrap();
    assert!(key.is_private());
    assert!(key.same_key(&expected));
}

#[test]
fn c_encrypted_jwk_is_reproduced_byte_for_byte() {
    let c = example();
    let key = EncryptionKey::password(
        Password::new(s(&c, "password")).unwrap(),
        KeyManagementAlgorithm::Pbes2Hs256A128Kw,
    )
    .unwrap()
    .with_p2c(4096)
    .fixed_p2s(b64(&c["p2s_b64"]));
    let token = compact::CompactEncrypt::new(
        s(&c, "plaintext").as_bytes(),
        ContentEncryptionAlgorithm::A128CbcHs256,
    )
    .protected_json(s(&c, "protected_header"))
    .fixed_cek(secret(&c["cek_b64"]))
    .fixed_iv(b64(&c["iv_b64"]))
    .encrypt(&key)
    .unwrap();
    assert_eq!(token, compact_form(&c));
}

#[test]
fn c_wrong_password_fails_without_saying_why() {
    let c = example();
    let password = Password::new("Thus from my lips, by yours, my sin is purged!").unwrap();
    let options = DecryptOptions::new().algorithms([KeyManagementAlgorithm::Pbes2Hs256A128Kw]);
    let err = compact::decrypt(&compact_form(&c), &password, &options).unwrap_err();
    assert_eq!(err, jwe::JweError::DecryptionFailed);
}
