//! RFC 7518 Appendix B (AES_CBC_HMAC_SHA2 known answers) and Appendix C (the ECDH-ES key
//! agreement computation).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{b64, jwk, s, vectors};
use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
use jose_core::header::JweHeader;
use jwe::{DecryptOptions, EncryptionKey, JweError, compact, hazmat};

fn hex(v: &serde_json::Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

#[test]
fn appendix_b_known_answers_for_every_cbc_hmac_algorithm() {
    let all = vectors("rfc/rfc7518-jwa-appendix-b-aes-cbc-hmac.json");
    let cases = all["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    for c in cases {
        let enc: ContentEncryptionAlgorithm = s(c, "enc").parse().unwrap();
        let (k, iv, aad, p) = (hex(&c["K"]), hex(&c["IV"]), hex(&c["A"]), hex(&c["P"]));
        let mut buf = p.clone();
        let tag = hazmat::encrypt_content(enc, &k, &iv, &aad, &mut buf).unwrap();
        assert_eq!(buf, hex(&c["E"]), "{enc} ciphertext");
        assert_eq!(tag, hex(&c["T"]), "{enc} tag");
        hazmat::decrypt_content(enc, &k, &iv, &aad, &mut buf, &tag).unwrap();
        assert_eq!(buf, p, "{enc} round trip");
    }
}

#[test]
fn appendix_b_tag_is_checked_in_full_and_before_decryption() {
    let all = vectors("rfc/rfc7518-jwa-appendix-b-aes-cbc-hmac.json");
    for c in all["cases"].as_array().unwrap() {
        let enc: ContentEncryptionAlgorithm = s(c, "enc").parse().unwrap();
        let (k, iv, aad) = (hex(&c["K"]), hex(&c["IV"]), hex(&c["A"]));
        let tag = hex(&c["T"]);
        for i in 0..tag.len() {
            let mut bad = tag.clone();
            bad[i] ^= 0x80;
            let mut buf = hex(&c["E"]);
            assert_eq!(
                hazmat::decrypt_content(enc, &k, &iv, &aad, &mut buf, &bad),
                Err(JweError::DecryptionFailed)
            );
            // Nothing was decrypted.
            assert_eq!(buf, hex(&c["E"]));
        }
        let mut buf = hex(&c["E"]);
        assert!(matches!(
            hazmat::decrypt_content(enc, &k, &iv, &aad, &mut buf, &tag[..tag.len() - 1]),
            Err(JweError::TagLength { .. })
        ));
        // The full HMAC is not the tag either.
        assert!(hazmat::decrypt_content(enc, &k, &iv, &aad, &mut buf, &hex(&c["M"])).is_err());
    }
}

fn appendix_c() -> serde_json::Value {
    vectors("rfc/rfc7518-jwa-appendix-c-ecdh-es.json")
}

#[test]
fn appendix_c_shared_secret_and_derived_key() {
    let c = appendix_c();
    let alice = jwk(&c["alice_ephemeral_private_jwk"]);
    let bob = jwk(&c["bob_private_jwk"]);
    let z = hazmat::key_agreement(&alice, &bob.to_public().unwrap()).unwrap();
    assert_eq!(z, b64(&c["Z_b64"]));
    // Bob computes the same Z from his private key and Alice's public one.
    assert_eq!(
        hazmat::key_agreement(&bob, &alice.to_public().unwrap()).unwrap(),
        z
    );
    let derived = hazmat::concat_kdf(&z, "A128GCM", b"Alice", b"Bob", 16);
    assert_eq!(derived, b64(&c["derived_key_b64"]));
}

#[test]
fn appendix_c_jwe_with_the_published_ephemeral_key() {
    // The RFC stops at the derived key; a full JWE with its header shows that the library
    // derives the same CEK: content encrypted with it decrypts with Bob's key.
    let c = appendix_c();
    let bob = jwk(&c["bob_private_jwk"]);
    let to = EncryptionKey::new(bob.to_public().unwrap(), KeyManagementAlgorithm::EcdhEs)
        .unwrap()
        .with_apu(b"Alice".to_vec())
        .with_apv(b"Bob".to_vec())
        .fixed_ephemeral_key(jwk(&c["alice_ephemeral_private_jwk"]));
    let token = compact::CompactEncrypt::new(b"Appendix C", ContentEncryptionAlgorithm::A128Gcm)
        .fixed_iv(vec![7; 12])
        .fixed_cek(jose_core::SecretBytes::new(b64(&c["derived_key_b64"])))
        .encrypt(&to)
        .unwrap();
    let header = JweHeader::from_json(&b64(&serde_json::Value::String(
        token.split('.').next().unwrap().to_owned(),
    )))
    .unwrap();
    let expected = &c["header"];
    assert_eq!(
        header.epk.as_deref().unwrap().to_json_value(),
        *expected["epk"].as_object().unwrap()
    );
    assert_eq!(header.apu.as_deref(), Some(&b"Alice"[..]));
    assert_eq!(header.apv.as_deref(), Some(&b"Bob"[..]));
    let options = DecryptOptions::new().algorithms([KeyManagementAlgorithm::EcdhEs]);
    let out = compact::decrypt(&token, &bob, &options).unwrap();
    assert_eq!(out.plaintext(), b"Appendix C");
}
