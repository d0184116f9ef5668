//! JWK import, validation, export and selection, against RFC 7517 / RFC 7520 keys and crafted
//! bad keys.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::{
    ContentEncryptionAlgorithm, Curve, JwsAlgorithm, KeyAlgorithm, KeyManagementAlgorithm,
};
use jose_core::jwk::{
    Jwk, JwkSet, KeyError, KeyOperation, KeySelector, KeyType, KeyUse, SelectError,
};
use serde_json::{Value, json};

fn vector(path: &str) -> Value {
    let full = format!(
        "{}/../../vectors/sources/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}")))
        .unwrap()
}

fn jwk(value: &Value) -> Result<Jwk, KeyError> {
    Jwk::from_json(value.to_string())
}

/// Replaces one member of a JWK.
fn with(value: &Value, member: &str, new: Value) -> Value {
    let mut v = value.clone();
    v[member] = new;
    v
}

#[test]
fn rfc7517_appendix_a_keys_import_and_round_trip() {
    let v = vector("rfc/rfc7517-jwk-appendix.json");
    for set in ["A.1_public_keys", "A.2_private_keys", "A.3_symmetric_keys"] {
        let text = v[set].to_string();
        let parsed = JwkSet::from_json(&text).unwrap();
        assert!(
            parsed.rejected().is_empty(),
            "{set}: {:?}",
            parsed.rejected()
        );
        assert_eq!(parsed.len(), v[set]["keys"].as_array().unwrap().len());
        // Export reproduces every member of the input (RFC values are minimal encodings).
        let back: Value = serde_json::from_str(&parsed.to_json()).unwrap();
        assert_eq!(back, v[set], "{set}");
    }
    let public = JwkSet::from_json(v["A.1_public_keys"].to_string()).unwrap();
    let private = JwkSet::from_json(v["A.2_private_keys"].to_string()).unwrap();
    for (p, s) in public.keys().iter().zip(private.keys()) {
        assert!(!p.is_private());
        assert!(s.is_private());
        assert!(p.same_key(s));
        assert!(s.to_public().unwrap().same_key(p));
    }
}

#[test]
fn rfc7517_appendix_b_certificate_must_hold_the_key() {
    let v = vector("rfc/rfc7517-jwk-appendix.json");
    let key = jwk(&v["B_x5c"]["jwk"]).unwrap();
    assert_eq!(key.x5c().unwrap().len(), 1);
    // Another modulus with the same certificate is refused.
    let other = vector("rfc/rfc7517-jwk-appendix.json")["A.1_public_keys"]["keys"][1].clone();
    let forged = with(&v["B_x5c"]["jwk"], "n", other["n"].clone());
    assert!(matches!(jwk(&forged), Err(KeyError::X509(_))));
    // A wrong x5t#S256 is refused.
    let bad_thumb = with(
        &v["B_x5c"]["jwk"],
        "x5t#S256",
        json!(jose_core::b64::encode([0u8; 32])),
    );
    assert!(matches!(jwk(&bad_thumb), Err(KeyError::X509(_))));
}

#[test]
fn rfc7520_keys_import() {
    for file in [
        "3_1.ec_public_key.json",
        "3_2.ec_private_key.json",
        "3_3.rsa_public_key.json",
        "3_4.rsa_private_key.json",
        "3_5.symmetric_key_mac_computation.json",
        "3_6.symmetric_key_encryption.json",
    ] {
        let v = vector(&format!("jose-cookbook/jwk/{file}"));
        let key = jwk(&v).unwrap_or_else(|e| panic!("{file}: {e}"));
        let back = key.to_json_value();
        assert_eq!(Value::Object(back), v, "{file}");
    }
    let p521 = jwk(&vector("jose-cookbook/jwk/3_2.ec_private_key.json")).unwrap();
    assert_eq!(p521.curve(), Some(Curve::P521));
}

#[test]
fn rsa_keys_are_checked_for_size_exponent_roca_and_consistency() {
    let rsa = vector("jose-cookbook/jwk/3_4.rsa_private_key.json");
    // Tampered CRT values.
    let bad_dp = with(&rsa, "dp", rsa["dq"].clone());
    assert!(matches!(jwk(&bad_dp), Err(KeyError::RsaInconsistent(_))));
    let bad_qi = with(&rsa, "qi", rsa["dp"].clone());
    assert!(matches!(jwk(&bad_qi), Err(KeyError::RsaInconsistent(_))));
    // Private members without d, or an incomplete CRT set.
    let mut no_d = rsa.clone();
    no_d.as_object_mut().unwrap().remove("d");
    assert!(matches!(jwk(&no_d), Err(KeyError::RsaInconsistent(_))));
    let mut partial = rsa.clone();
    partial.as_object_mut().unwrap().remove("qi");
    assert!(matches!(jwk(&partial), Err(KeyError::RsaInconsistent(_))));
    // d alone: the primes are recovered.
    let mut d_only = rsa.clone();
    for m in ["p", "q", "dp", "dq", "qi"] {
        d_only.as_object_mut().unwrap().remove(m);
    }
    let recovered = jwk(&d_only).unwrap();
    assert!(recovered.is_private());
    assert_eq!(recovered.to_json_value()["p"], rsa["p"]);
    // Multi-prime.
    assert_eq!(
        jwk(&with(&rsa, "oth", json!([]))),
        Err(KeyError::RsaMultiPrime)
    );
    // Exponent 1 and an even exponent.
    let public = vector("jose-cookbook/jwk/3_3.rsa_public_key.json");
    assert_eq!(
        jwk(&with(&public, "e", json!("AQ"))),
        Err(KeyError::RsaInvalidExponent)
    );
    assert_eq!(
        jwk(&with(&public, "e", json!("AQAA"))),
        Err(KeyError::RsaInvalidExponent)
    );
}

#[test]
fn wycheproof_key_level_rejections() {
    let suite = vector("wycheproof/testvectors_v1/json_web_key_test.json");
    let group = |comment: &str| -> Value {
        suite["testGroups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["comment"] == comment)
            .unwrap_or_else(|| panic!("{comment}"))["private"]["keys"][0]
            .clone()
    };
    assert!(matches!(
        jwk(&group("keysize_too_small")),
        Err(KeyError::RsaKeyTooSmall {
            bits: 1024,
            min: 2048
        })
    ));
    assert_eq!(
        jwk(&group("exponentOne")),
        Err(KeyError::RsaInvalidExponent)
    );
    assert_eq!(
        jwk(&group("jws_rsa_roca_key")),
        Err(KeyError::RsaRocaVulnerable)
    );
    assert!(matches!(
        jwk(&group("wrong_curve")),
        Err(KeyError::InvalidLength { member: "x", .. })
    ));
    assert_eq!(
        jwk(&group("invalid_point")),
        Err(KeyError::InvalidPoint("P-256"))
    );
    assert_eq!(jwk(&group("wrong_kty")), Err(KeyError::MissingMember("n")));
}

#[test]
fn ec_keys_are_validated() {
    let p256 = vector("rfc/rfc7517-jwk-appendix.json")["A.2_private_keys"]["keys"][0].clone();
    assert!(jwk(&p256).is_ok());
    // d of another key.
    let other = Jwk::generate(JwsAlgorithm::ES256).unwrap().to_json_value();
    assert_eq!(
        jwk(&with(&p256, "d", other["d"].clone())),
        Err(KeyError::PublicPrivateMismatch)
    );
    // A coordinate one byte short (non-padded encoding) is refused.
    let short =
        jose_core::b64::encode(&jose_core::b64::decode(p256["x"].as_str().unwrap()).unwrap()[1..]);
    assert!(matches!(
        jwk(&with(&p256, "x", json!(short))),
        Err(KeyError::InvalidLength { .. })
    ));
    // d = 0 is out of range.
    assert_eq!(
        jwk(&with(&p256, "d", json!(jose_core::b64::encode([0u8; 32])))),
        Err(KeyError::InvalidPrivateKey)
    );
    assert!(matches!(
        jwk(&with(&p256, "crv", json!("P-192"))),
        Err(KeyError::UnsupportedCurve(_))
    ));
}

#[test]
fn okp_keys_are_validated() {
    let v = vector("rfc/rfc8037-okp-appendix-a.json");
    let text = serde_json::to_string(&v).unwrap();
    assert!(text.contains("Ed25519"));
    let ed = Jwk::generate(JwsAlgorithm::EdDSA).unwrap().to_json_value();
    let other = Jwk::generate(JwsAlgorithm::EdDSA).unwrap().to_json_value();
    let mut mixed = ed.clone();
    mixed["d"] = other["d"].clone();
    assert_eq!(
        Jwk::from_json(Value::Object(mixed).to_string()),
        Err(KeyError::PublicPrivateMismatch)
    );
    // The identity point has small order.
    let weak = json!({"kty":"OKP","crv":"Ed25519","x": jose_core::b64::encode({ let mut b = [0u8; 32]; b[0] = 1; b })});
    assert_eq!(jwk(&weak), Err(KeyError::InvalidPoint("Ed25519")));
    assert!(matches!(
        jwk(&json!({"kty":"OKP","crv":"Ed448","x":"AA"})),
        Err(KeyError::UnsupportedCurve(_))
    ));
}

#[test]
fn structural_problems_have_named_errors() {
    assert_eq!(jwk(&json!({"k":"AA"})), Err(KeyError::MissingMember("kty")));
    assert!(matches!(
        jwk(&json!({"kty":"XYZ"})),
        Err(KeyError::UnsupportedKeyType(_))
    ));
    assert_eq!(
        jwk(&json!({"kty":"oct","k":""})),
        Err(KeyError::EmptySymmetricKey)
    );
    assert!(matches!(
        jwk(&json!({"kty":"oct","k":"AA=="})),
        Err(KeyError::Base64 { member: "k", .. })
    ));
    assert!(matches!(
        jwk(&json!({"kty":"oct","k":7})),
        Err(KeyError::InvalidMember { member: "k", .. })
    ));
    assert!(matches!(
        jwk(&json!({"kty":"oct","k":"AAAA","key_ops":["sign","sign"]})),
        Err(KeyError::DuplicateKeyOperation(_))
    ));
    assert_eq!(
        jwk(&json!({"kty":"oct","k":"AAAA","use":"sig","key_ops":["encrypt"]})),
        Err(KeyError::InconsistentUseAndKeyOps)
    );
    assert!(matches!(
        Jwk::from_json(r#"{"kty":"oct","k":"AAAA","k":"BBBB"}"#),
        Err(KeyError::Json(
            jose_core::json::JsonError::DuplicateMember { .. }
        ))
    ));
}

#[test]
fn unknown_members_survive_a_round_trip() {
    let key = jwk(&json!({"kty":"oct","k":"AAAAAAAA","ext":true,"custom":{"a":[1,2]}})).unwrap();
    let back = key.to_json_value();
    assert_eq!(back["ext"], json!(true));
    assert_eq!(back["custom"], json!({"a":[1,2]}));
}

#[test]
fn debug_output_never_contains_key_material() {
    for alg in [
        KeyAlgorithm::Jws(JwsAlgorithm::HS256),
        KeyAlgorithm::Jws(JwsAlgorithm::RS256),
        KeyAlgorithm::Jws(JwsAlgorithm::ES256),
        KeyAlgorithm::Jws(JwsAlgorithm::EdDSA),
        KeyAlgorithm::KeyManagement(KeyManagementAlgorithm::EcdhEs),
    ] {
        let key = Jwk::generate(alg).unwrap();
        let printed = format!("{key:?}");
        let json = key.to_json_value();
        for member in ["k", "d", "p", "q", "x", "n"] {
            if let Some(Value::String(s)) = json.get(member) {
                assert!(
                    !printed.contains(s.as_str()),
                    "{member} leaked in {printed}"
                );
            }
        }
    }
}

#[test]
fn generated_keys_fit_their_algorithm_and_round_trip_through_json_and_pem() {
    let mut algs: Vec<KeyAlgorithm> = JwsAlgorithm::ALL.iter().map(|a| (*a).into()).collect();
    algs.extend(
        KeyManagementAlgorithm::ALL
            .iter()
            .filter(|a| **a != KeyManagementAlgorithm::Dir)
            .map(|a| (*a).into()),
    );
    algs.extend(ContentEncryptionAlgorithm::ALL.iter().map(|a| (*a).into()));
    for alg in algs {
        let key = Jwk::generate(alg.clone()).unwrap_or_else(|e| panic!("{alg}: {e}"));
        key.check_algorithm(&alg)
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(key.alg(), Some(&alg));
        let back = Jwk::from_json(key.to_json()).unwrap();
        assert_eq!(back, key, "{alg}");
        if !key.is_symmetric() {
            let pem = key.to_pem().unwrap();
            let from_pem = Jwk::from_pem(&pem).unwrap();
            assert!(from_pem.same_key(&key), "{alg}");
            assert!(from_pem.is_private());
            let public_pem = key.to_public_pem().unwrap();
            let public = Jwk::from_pem(&public_pem).unwrap();
            assert!(public.same_key(&key) && !public.is_private(), "{alg}");
        } else {
            assert_eq!(key.to_public(), Err(KeyError::NoPublicForm));
        }
    }
    let x25519 = Jwk::generate_with(
        KeyManagementAlgorithm::EcdhEs,
        &jose_core::jwk::GenerateOptions {
            curve: Some(Curve::X25519),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(x25519.curve(), Some(Curve::X25519));
    assert!(
        Jwk::from_pem(&x25519.to_pem().unwrap())
            .unwrap()
            .same_key(&x25519)
    );
}

#[test]
fn pem_formats_sec1_and_pkcs1_are_read() {
    use pkcs1::EncodeRsaPrivateKey;
    let ec = Jwk::generate(JwsAlgorithm::ES384).unwrap();
    let jose_core::jwk::KeyMaterial::Ec(jose_core::jwk::EcKey::P384 {
        secret: Some(secret),
        ..
    }) = ec.material()
    else {
        panic!("not P-384");
    };
    let sec1 = secret.to_sec1_pem(der::pem::LineEnding::LF).unwrap();
    assert!(Jwk::from_pem(&sec1).unwrap().same_key(&ec));

    let rsa = Jwk::generate(JwsAlgorithm::RS256).unwrap();
    let jose_core::jwk::KeyMaterial::Rsa(k) = rsa.material() else {
        panic!("not RSA")
    };
    let pkcs1 = k
        .private_key()
        .unwrap()
        .to_pkcs1_pem(der::pem::LineEnding::LF)
        .unwrap();
    assert!(Jwk::from_pem(&pkcs1).unwrap().same_key(&rsa));

    assert!(matches!(
        Jwk::from_pem("-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n"),
        Err(KeyError::Encoding(_))
    ));
    assert!(matches!(
        Jwk::from_pem("not pem"),
        Err(KeyError::Encoding(_))
    ));
}

#[test]
fn operations_are_restricted_by_use_key_ops_alg_and_key_kind() {
    let es256 = KeyAlgorithm::Jws(JwsAlgorithm::ES256);
    let key = Jwk::generate(JwsAlgorithm::ES256)
        .unwrap()
        .with_use(KeyUse::Encryption);
    assert!(matches!(
        key.check_operation(&KeyOperation::Sign, &es256),
        Err(KeyError::UseNotPermitted { .. })
    ));

    let key = Jwk::generate(JwsAlgorithm::ES256)
        .unwrap()
        .with_key_ops(vec![KeyOperation::Verify])
        .unwrap();
    assert_eq!(
        key.check_operation(&KeyOperation::Sign, &es256),
        Err(KeyError::OperationNotPermitted("sign"))
    );
    assert!(key.check_operation(&KeyOperation::Verify, &es256).is_ok());

    let key = Jwk::generate(JwsAlgorithm::ES256).unwrap();
    assert!(matches!(
        key.check_operation(
            &KeyOperation::Verify,
            &KeyAlgorithm::Jws(JwsAlgorithm::ES384)
        ),
        Err(KeyError::IncompatibleAlgorithm { .. })
    ));
    let public = key.to_public().unwrap();
    assert_eq!(
        public.check_operation(&KeyOperation::Sign, &es256),
        Err(KeyError::NotPrivate)
    );

    // HS256 with an RSA key, RS256 with an oct key: key confusion is a type error.
    let rsa = Jwk::generate(JwsAlgorithm::RS256).unwrap();
    assert!(matches!(
        rsa.check_algorithm(&JwsAlgorithm::HS256.into()),
        Err(KeyError::IncompatibleAlgorithm { .. })
    ));
    let hmac = Jwk::generate(JwsAlgorithm::HS256).unwrap();
    assert!(matches!(
        hmac.check_algorithm(&JwsAlgorithm::RS256.into()),
        Err(KeyError::IncompatibleAlgorithm { .. })
    ));
    // HS512 needs 64 bytes.
    assert!(matches!(
        hmac.check_algorithm(&JwsAlgorithm::HS512.into()),
        Err(KeyError::KeyTooShort { min: 64, .. })
    ));
    // The key's own alg restricts it.
    assert!(matches!(
        hmac.check_operation(&KeyOperation::Sign, &JwsAlgorithm::HS384.into()),
        Err(KeyError::KeyTooShort { .. }) | Err(KeyError::AlgorithmNotPermitted { .. })
    ));
    // AES key wrap needs the exact size.
    let a128 = Jwk::generate(KeyManagementAlgorithm::A128Kw).unwrap();
    assert!(matches!(
        a128.check_algorithm(&KeyManagementAlgorithm::A256Kw.into()),
        Err(KeyError::WrongKeyLength {
            expected: 32,
            actual: 16,
            ..
        })
    ));
    // An X25519 key is not an EdDSA key.
    let x = Jwk::generate_with(
        KeyManagementAlgorithm::EcdhEs,
        &jose_core::jwk::GenerateOptions {
            curve: Some(Curve::X25519),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(x.check_algorithm(&JwsAlgorithm::EdDSA.into()).is_err());
}

#[test]
fn to_public_maps_key_operations() {
    let key = Jwk::generate(JwsAlgorithm::ES256)
        .unwrap()
        .with_key_ops(vec![KeyOperation::Sign, KeyOperation::Verify])
        .unwrap();
    assert_eq!(
        key.to_public().unwrap().key_ops(),
        Some(&[KeyOperation::Verify][..])
    );
}

#[test]
fn jwk_sets_refuse_mixed_kinds_and_ambiguous_selection() {
    let hs = Jwk::generate(JwsAlgorithm::HS256).unwrap().with_kid("h");
    let es = Jwk::generate(JwsAlgorithm::ES256).unwrap().with_kid("e");
    assert!(matches!(
        JwkSet::new(vec![hs.clone(), es.to_public().unwrap()]),
        Err(KeyError::MixedKeySet(_))
    ));
    assert!(matches!(
        JwkSet::new(vec![
            es.clone(),
            Jwk::generate(JwsAlgorithm::ES256)
                .unwrap()
                .to_public()
                .unwrap()
        ]),
        Err(KeyError::MixedKeySet(_))
    ));

    let a = Jwk::generate(JwsAlgorithm::ES256)
        .unwrap()
        .with_kid("same")
        .to_public()
        .unwrap();
    let b = Jwk::generate(JwsAlgorithm::ES256)
        .unwrap()
        .with_kid("same")
        .to_public()
        .unwrap();
    let set = JwkSet::new(vec![a, b]).unwrap();
    assert!(matches!(
        set.select(&KeySelector::for_jws(JwsAlgorithm::ES256, Some("same"))),
        Err(SelectError::Ambiguous { count: 2, .. })
    ));
    assert!(matches!(
        set.select(&KeySelector::for_jws(JwsAlgorithm::ES256, Some("other"))),
        Err(SelectError::NoMatch { .. })
    ));
    assert!(
        set.select(&KeySelector {
            kty: Some(KeyType::Rsa),
            ..Default::default()
        })
        .is_err()
    );
}

#[test]
fn jwk_set_keeps_unusable_keys_aside_and_names_them() {
    let good = Jwk::generate(JwsAlgorithm::ES256)
        .unwrap()
        .with_kid("good")
        .to_public()
        .unwrap();
    let text = json!({"keys":[
        Value::Object(good.to_json_value()),
        {"kty":"OKP","crv":"Ed448","x":"AA","kid":"ed448"},
        {"kty":"RSA","n":"AQAB","e":"AQAB","kid":"tiny"},
    ]})
    .to_string();
    let set = JwkSet::from_json(&text).unwrap();
    assert_eq!(set.len(), 1);
    assert_eq!(set.rejected().len(), 2);
    let err = set
        .select(&KeySelector::for_jws(JwsAlgorithm::RS256, Some("tiny")))
        .unwrap_err();
    assert!(
        matches!(err, SelectError::Rejected { ref kid, .. } if kid == "tiny"),
        "{err}"
    );
    assert!(
        set.select(&KeySelector::for_jws(JwsAlgorithm::ES256, Some("good")))
            .is_ok()
    );
    assert!(matches!(
        JwkSet::from_json(r#"{"keys":{}}"#),
        Err(KeyError::InvalidMember { member: "keys", .. })
    ));
}

#[test]
fn thumbprint_members_are_the_required_ones_in_order() {
    let v = vector("rfc/rfc7638-jwk-thumbprint.json");
    let key = jwk(&v["jwk"]).unwrap();
    let names: Vec<&str> = key.thumbprint_members().iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["e", "kty", "n"]);
}
