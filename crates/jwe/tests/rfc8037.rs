//! RFC 8037 Appendix A.6 (ECDH-ES with X25519) and the cookbook's Curve25519 ECDH-ES example.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{jwk, s, vectors};
use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
use jose_core::header::JweHeader;
use jwe::{DecryptOptions, EncryptionKey, compact, hazmat, json};

#[test]
fn a6_x25519_shared_secret() {
    let c = vectors("rfc/rfc8037-okp-appendix-a.json")["A.6_x25519_ecdh_es"].clone();
    let ephemeral = jwk(&c["ephemeral_private_jwk"]);
    let bob = jwk(&c["bob_private_jwk"]);
    let z = hazmat::key_agreement(&ephemeral, &jwk(&c["bob_public_jwk"])).unwrap();
    assert_eq!(hex::encode(&z), s(&c, "Z_hex"));
    let z_bob = hazmat::key_agreement(&bob, &ephemeral.to_public().unwrap()).unwrap();
    assert_eq!(z_bob, z);
    assert_eq!(
        hex::encode(jose_core::b64::decode(s(&c["ephemeral_private_jwk"], "d")).unwrap()),
        s(&c, "ephemeral_private_hex")
    );
}

#[test]
fn a6_x25519_jwe_with_the_published_ephemeral_key() {
    // The RFC gives the header and Z; encrypt with the published ephemeral key and check the
    // header and that Bob decrypts.
    let c = vectors("rfc/rfc8037-okp-appendix-a.json")["A.6_x25519_ecdh_es"].clone();
    let bob = jwk(&c["bob_private_jwk"]);
    let to = EncryptionKey::new(
        jwk(&c["bob_public_jwk"]),
        KeyManagementAlgorithm::EcdhEsA128Kw,
    )
    .unwrap()
    .fixed_ephemeral_key(jwk(&c["ephemeral_private_jwk"]));
    let token = compact::CompactEncrypt::new(b"X25519", ContentEncryptionAlgorithm::A128Gcm)
        .encrypt(&to)
        .unwrap();
    let protected = jose_core::b64::decode(token.split('.').next().unwrap()).unwrap();
    let header = JweHeader::from_json(&protected).unwrap();
    let expected = JweHeader::from_map(c["protected_header"].as_object().unwrap().clone()).unwrap();
    assert_eq!(header, expected);
    let options = DecryptOptions::new().algorithms([KeyManagementAlgorithm::EcdhEsA128Kw]);
    assert_eq!(
        compact::decrypt(&token, &bob, &options)
            .unwrap()
            .plaintext(),
        b"X25519"
    );
}

#[test]
fn cookbook_curve25519_ecdh_es_decrypts_in_every_serialization() {
    let e = vectors("jose-cookbook/curve25519/ecdh-es.json");
    let key = jwk(&e["input"]["key"]);
    let plaintext = s(&e["input"], "plaintext").as_bytes();
    let options = DecryptOptions::new().algorithms([KeyManagementAlgorithm::EcdhEs]);
    let out = compact::decrypt(s(&e["output"], "compact"), &key, &options).unwrap();
    assert_eq!(out.plaintext(), plaintext);
    assert_eq!(out.header().kid(), Some("Bob"));
    for form in ["json", "json_flat"] {
        let out = json::decrypt(&e["output"][form].to_string(), &key, &options).unwrap();
        assert_eq!(out.plaintext(), plaintext, "{form}");
    }
}
