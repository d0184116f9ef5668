//! Encrypted JWTs: RFC 7520 §6 (nesting signatures and encryption), sign-then-encrypt and
//! decrypt-then-verify round trips, claims encrypted directly, and what each refuses.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::{
    ContentEncryptionAlgorithm as Enc, JwsAlgorithm, KeyManagementAlgorithm as K,
};
use jose_core::jwk::Jwk;
use jwe::{DecryptOptions, EncryptionKey, JweError};
use jws::SigningKey;
use jwt_claims::{JwtBuilder, JwtError, NumericDate, Validation};
use serde_json::{Map, Value};

fn vectors(path: &str) -> Value {
    let full = format!(
        "{}/../../vectors/sources/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap()
}

fn jwk(v: &Value) -> Jwk {
    Jwk::from_json(v.to_string()).unwrap()
}

type Claims = Map<String, Value>;

#[test]
fn rfc7520_section6_nested_jwt_decrypts_then_verifies() {
    let v = vectors("jose-cookbook/6.nesting_signatures_and_encryption.json");
    let signer_public = jwk(&v["sign"]["input"]["key"]).to_public().unwrap();
    let decryption_key = jwk(&v["encrypt"]["input"]["key"]);
    let options = DecryptOptions::new().algorithms([K::RsaOaep]);
    let validation = Validation::new()
        .algorithms([JwsAlgorithm::PS256])
        .issuer("hobbiton.example")
        // The example expired in 2011: check it as of just before.
        .now(NumericDate::from_seconds(1_300_819_000));
    let token = v["encrypt"]["output"]["compact"].as_str().unwrap();
    let verified = jwt_claims::decrypt_then_verify::<Claims>(
        token,
        &decryption_key,
        &options,
        &signer_public,
        &validation,
    )
    .unwrap();
    assert_eq!(verified.claims()["http://example.com/is_root"], true);
    assert_eq!(verified.header().typ(), Some("JWT"));
    // The inner JWS is the published one.
    let inner = jwe::compact::decrypt(token, &decryption_key, &options).unwrap();
    assert_eq!(
        inner.plaintext(),
        v["sign"]["output"]["compact"].as_str().unwrap().as_bytes()
    );
    // Past its expiry, the claims check refuses it.
    let now = Validation::new()
        .algorithms([JwsAlgorithm::PS256])
        .issuer("hobbiton.example");
    assert!(matches!(
        jwt_claims::decrypt_then_verify::<Claims>(
            token,
            &decryption_key,
            &options,
            &signer_public,
            &now
        ),
        Err(JwtError::Expired { .. })
    ));
}

fn issuer() -> SigningKey {
    SigningKey::generate(JwsAlgorithm::ES256).unwrap()
}

#[test]
fn sign_then_encrypt_round_trips_with_every_kind_of_key_management() {
    let signer = issuer();
    let builder = JwtBuilder::new()
        .issuer("https://issuer.example")
        .subject("alice");
    let validation = Validation::new().issuer("https://issuer.example");
    for alg in [K::EcdhEs, K::EcdhEsA128Kw, K::A256Kw, K::A128GcmKw, K::Dir] {
        let recipient = if alg == K::Dir {
            Jwk::generate(Enc::A256Gcm).unwrap()
        } else {
            Jwk::generate(alg).unwrap()
        };
        let public = recipient.to_public().unwrap_or_else(|_| recipient.clone());
        let token = builder
            .sign_then_encrypt(
                &signer,
                &EncryptionKey::from_jwk(public).unwrap(),
                Enc::A256Gcm,
            )
            .unwrap();
        assert_eq!(token.split('.').count(), 5);
        let verified = jwt_claims::decrypt_then_verify::<Claims>(
            &token,
            &recipient,
            &DecryptOptions::new(),
            &signer.public_jwk().unwrap(),
            &validation,
        )
        .unwrap();
        assert_eq!(verified.registered().sub.as_deref(), Some("alice"), "{alg}");
        // The outer header says what is inside.
        let outer = jwe::compact::decrypt(&token, &recipient, &DecryptOptions::new()).unwrap();
        assert_eq!(outer.header().cty(), Some("JWT"));
    }
}

#[test]
fn decrypt_then_verify_refuses_content_that_is_not_signed() {
    let recipient = Jwk::generate(K::A256Kw).unwrap();
    let to = EncryptionKey::from_jwk(recipient.clone()).unwrap();
    let signer = issuer();
    let keys = signer.public_jwk().unwrap();
    let run = |token: &str| {
        jwt_claims::decrypt_then_verify::<Claims>(
            token,
            &recipient,
            &DecryptOptions::new(),
            &keys,
            &Validation::new(),
        )
    };
    let nested = |content: &[u8]| {
        jwe::compact::CompactEncrypt::new(content, Enc::A128Gcm)
            .header(jwe::JweHeader::default().with_cty("JWT"))
            .encrypt(&to)
            .unwrap()
    };
    // Claims encrypted directly: no `cty: JWT`.
    let direct = JwtBuilder::new().encrypt(&to, Enc::A128Gcm).unwrap();
    assert!(matches!(run(&direct), Err(JwtError::Nesting(_))));
    // `cty: JWT` over plain claims.
    assert!(matches!(
        run(&nested(br#"{"sub":"x"}"#)),
        Err(JwtError::Nesting(_))
    ));
    // `cty: JWT` over another JWE.
    let inner_jwe = JwtBuilder::new().encrypt(&to, Enc::A128Gcm).unwrap();
    assert!(matches!(
        run(&nested(inner_jwe.as_bytes())),
        Err(JwtError::Nesting(_))
    ));
    // `cty: JWT` over an unsecured JWT.
    let none = format!(
        "{}.{}.",
        jose_core::b64::encode(r#"{"alg":"none"}"#),
        jose_core::b64::encode(r#"{"sub":"x"}"#)
    );
    assert!(matches!(
        run(&nested(none.as_bytes())),
        Err(JwtError::Jws(_))
    ));
    // A JWS signed by another key.
    let other = JwtBuilder::new().sign(&issuer()).unwrap();
    assert!(matches!(
        run(&nested(other.as_bytes())),
        Err(JwtError::Jws(jws::JwsError::InvalidSignature))
    ));
    // Not text at all.
    assert!(matches!(
        run(&nested(&[0xff, 0xfe])),
        Err(JwtError::Nesting(_))
    ));
    // The right content decrypts and verifies.
    let good = JwtBuilder::new().sign(&signer).unwrap();
    assert!(run(&nested(good.as_bytes())).is_ok());
}

#[test]
fn claims_encrypted_directly_round_trip_and_are_checked() {
    let key = Jwk::generate(K::A128Kw).unwrap();
    let to = EncryptionKey::from_jwk(key.clone()).unwrap();
    let token = JwtBuilder::new()
        .issuer("https://as.example")
        .audience("client-1")
        .typ("secevent+jwt")
        .claim("scope", "openid")
        .unwrap()
        .encrypt(&to, Enc::A128CbcHs256)
        .unwrap();
    let validation = Validation::new()
        .issuer("https://as.example")
        .audience("client-1")
        .typ("secevent+jwt");
    let jwt =
        jwt_claims::decrypt::<Claims>(&token, &key, &DecryptOptions::new(), &validation).unwrap();
    assert_eq!(jwt.claims()["scope"], "openid");
    assert_eq!(jwt.header().typ(), Some("secevent+jwt"));
    assert_eq!(jwt.registered().iss.as_deref(), Some("https://as.example"));
    // Claim checks and explicit typing apply.
    assert!(matches!(
        jwt_claims::decrypt::<Claims>(
            &token,
            &key,
            &DecryptOptions::new(),
            &validation.clone().typ("at+jwt")
        ),
        Err(JwtError::TypMismatch { .. })
    ));
    let only_typ = Validation::new().typ("secevent+jwt");
    assert!(matches!(
        jwt_claims::decrypt::<Claims>(&token, &key, &DecryptOptions::new(), &only_typ),
        Err(JwtError::AudienceNotExpected)
    ));
    // A verifier that configured no `typ` refuses a token typed for another profile.
    assert!(matches!(
        jwt_claims::decrypt::<Claims>(&token, &key, &DecryptOptions::new(), &Validation::new()),
        Err(JwtError::TypNotAccepted { .. })
    ));
    // Decryption errors keep their JWE error and code.
    let wrong = Jwk::generate(K::A128Kw).unwrap();
    let err = jwt_claims::decrypt::<Claims>(&token, &wrong, &DecryptOptions::new(), &validation)
        .unwrap_err();
    assert_eq!(err, JwtError::Jwe(JweError::DecryptionFailed));
    assert_eq!(err.code(), "ERR_JWE_DECRYPTION_FAILED");
}

#[test]
fn decrypt_refuses_a_nested_jwt_whose_signature_would_be_skipped() {
    let key = Jwk::generate(K::A128Kw).unwrap();
    let to = EncryptionKey::from_jwk(key.clone()).unwrap();
    let token = JwtBuilder::new()
        .sign_then_encrypt(&issuer(), &to, Enc::A128Gcm)
        .unwrap();
    assert!(matches!(
        jwt_claims::decrypt::<Claims>(&token, &key, &DecryptOptions::new(), &Validation::new()),
        Err(JwtError::Nesting(_))
    ));
    // And the builder does not label plain claims as nested.
    assert!(matches!(
        JwtBuilder::new().cty("JWT").encrypt(&to, Enc::A128Gcm),
        Err(JwtError::Nesting(_))
    ));
}

#[test]
fn decryption_policy_applies_to_nested_jwts() {
    let recipient = Jwk::generate(K::RsaOaep256).unwrap();
    let signer = issuer();
    let to = EncryptionKey::from_jwk(recipient.to_public().unwrap()).unwrap();
    let token = JwtBuilder::new()
        .sign_then_encrypt(&signer, &to, Enc::A128Gcm)
        .unwrap();
    let err = jwt_claims::decrypt_then_verify::<Claims>(
        &token,
        &recipient,
        &DecryptOptions::new().encryptions([Enc::A256Gcm]),
        &signer.public_jwk().unwrap(),
        &Validation::new(),
    )
    .unwrap_err();
    assert!(matches!(
        err,
        JwtError::Jwe(JweError::EncryptionNotAllowed(Enc::A128Gcm))
    ));
    assert_eq!(err.code(), "ERR_JOSE_ALG_NOT_ALLOWED");
}
