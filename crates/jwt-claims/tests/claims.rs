//! Building and validating JWTs: every check has its own error, and crafted tokens hit each.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::Jwk;
use jws::SigningKey;
use jwt_claims::*;
use serde_json::{Map, Value, json};
use std::time::Duration;

const T0: i64 = 1_800_000_000;

fn key() -> (SigningKey, Jwk) {
    let k = SigningKey::generate(JwsAlgorithm::ES256).unwrap();
    let public = k.public_jwk().unwrap();
    (k, public)
}

fn at(seconds: i64) -> NumericDate {
    NumericDate::from_seconds(seconds)
}

/// Signs an arbitrary claims object (bypassing the builder's own checks).
fn sign_raw(signer: &SigningKey, claims: &Value, typ: Option<&str>) -> String {
    let mut header = jose_core::header::JwsHeader::default();
    if let Some(t) = typ {
        header = header.with_typ(t);
    }
    jws::compact::CompactSign::new(claims.to_string().as_bytes())
        .header(header)
        .sign(signer)
        .unwrap()
}

fn check(token: &str, public: &Jwk, validation: &Validation) -> Result<VerifiedJwt, JwtError> {
    verify::<Map<String, Value>>(token, public, validation)
}

#[test]
fn rfc7519_section_3_1_example() {
    // The RFC 7519 §3.1 example JWT (the RFC 7515 A.1 token), verified at a time before its exp.
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/../../vectors/sources/rfc/rfc7515-jws-appendix-a.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    let case = &v["cases"][0];
    let key = Jwk::from_json(case["jwk"].to_string()).unwrap();
    let validation = Validation::new()
        .algorithms([JwsAlgorithm::HS256])
        .issuer("joe")
        .typ("JWT")
        .now(at(1_300_819_000));
    let verified = check(case["compact"].as_str().unwrap(), &key, &validation).unwrap();
    assert_eq!(verified.registered().exp, Some(at(1_300_819_380)));
    assert_eq!(verified.claims()["http://example.com/is_root"], json!(true));
    // And it expired in 2011.
    let later = validation.now(at(1_300_819_380 + 31));
    assert!(matches!(
        check(case["compact"].as_str().unwrap(), &key, &later),
        Err(JwtError::Expired { .. })
    ));
}

#[test]
fn builder_defaults() {
    let (signer, public) = key();
    let token = JwtBuilder::new()
        .subject("alice")
        .issued_at(at(T0))
        .sign(&signer)
        .unwrap();
    let (header, claims) = decode_unverified(&token).unwrap();
    assert_eq!(header.typ(), Some("JWT"));
    assert_eq!(header.alg(), Some(JwsAlgorithm::ES256));
    assert_eq!(claims["iat"], json!(T0));
    assert_eq!(claims["exp"], json!(T0 + 300));
    assert_eq!(claims["jti"].as_str().unwrap().len(), 22);
    assert!(claims.get("nbf").is_none());
    let other = JwtBuilder::new().issued_at(at(T0)).build_claims().unwrap();
    assert_ne!(other["jti"], claims["jti"], "jti is random");
    assert!(check(&token, &public, &Validation::new().now(at(T0 + 10))).is_ok());
}

#[test]
fn builder_options() {
    let claims = JwtBuilder::new()
        .issued_at(at(T0))
        .lifetime(Duration::from_secs(60))
        .not_before_now()
        .jti("fixed")
        .audiences(["a", "b"])
        .claim("n", 1)
        .unwrap()
        .build_claims()
        .unwrap();
    assert_eq!(claims["exp"], json!(T0 + 60));
    assert_eq!(claims["nbf"], json!(T0));
    assert_eq!(claims["jti"], json!("fixed"));
    assert_eq!(claims["aud"], json!(["a", "b"]));
    let bare = JwtBuilder::new()
        .no_expiry()
        .no_jti()
        .no_issued_at()
        .build_claims()
        .unwrap();
    assert!(bare.is_empty());
    assert!(
        matches!(JwtBuilder::new().claim("exp", 1), Err(JwtError::DuplicateClaim(c)) if c == "exp")
    );
    assert!(matches!(
        JwtBuilder::new().claim("x", 1).unwrap().claim("x", 2),
        Err(JwtError::DuplicateClaim(_))
    ));
    assert!(matches!(
        JwtBuilder::new().issuer("not a uri: x").build_claims(),
        Err(JwtError::InvalidClaim { claim: "iss", .. })
    ));
    #[derive(serde::Serialize)]
    struct Custom {
        role: &'static str,
    }
    let with_struct = JwtBuilder::new()
        .claims(&Custom { role: "admin" })
        .unwrap()
        .build_claims()
        .unwrap();
    assert_eq!(with_struct["role"], "admin");
    assert!(JwtBuilder::new().claims(&[1, 2]).is_err());
}

#[test]
fn time_checks_with_leeway() {
    let (signer, public) = key();
    let token = JwtBuilder::new()
        .issued_at(at(T0))
        .lifetime(Duration::from_secs(100))
        .not_before(at(T0 + 10))
        .sign(&signer)
        .unwrap();
    let v = |now: i64| Validation::new().now(at(now)).leeway(Duration::ZERO);
    assert!(check(&token, &public, &v(T0 + 10)).is_ok());
    assert!(check(&token, &public, &v(T0 + 99)).is_ok());
    // exp: invalid from the exp second on.
    assert!(matches!(
        check(&token, &public, &v(T0 + 100)),
        Err(JwtError::Expired { .. })
    ));
    assert!(matches!(
        check(&token, &public, &v(T0 + 9)),
        Err(JwtError::NotYetValid { .. })
    ));
    // 30 s of default leeway on each side.
    assert!(check(&token, &public, &Validation::new().now(at(T0 + 129))).is_ok());
    assert!(matches!(
        check(&token, &public, &Validation::new().now(at(T0 + 130))),
        Err(JwtError::Expired { .. })
    ));
    assert!(check(&token, &public, &Validation::new().now(at(T0 - 20))).is_ok());
    // Clock skew shifts the local clock.
    assert!(matches!(
        check(&token, &public, &v(T0 + 50).clock_skew(60)),
        Err(JwtError::Expired { .. })
    ));
    assert!(check(&token, &public, &v(T0).clock_skew(20)).is_ok());
}

#[test]
fn iat_in_the_future_and_max_age() {
    let (signer, public) = key();
    let token = JwtBuilder::new()
        .issued_at(at(T0))
        .lifetime(Duration::from_secs(86400))
        .sign(&signer)
        .unwrap();
    assert!(matches!(
        check(&token, &public, &Validation::new().now(at(T0 - 31))),
        Err(JwtError::IssuedInFuture { .. })
    ));
    let aged = Validation::new()
        .max_age(Duration::from_secs(60))
        .leeway(Duration::ZERO);
    assert!(check(&token, &public, &aged.clone().now(at(T0 + 60))).is_ok());
    assert!(matches!(
        check(&token, &public, &aged.now(at(T0 + 61))),
        Err(JwtError::TooOld {
            max_age_seconds: 60,
            ..
        })
    ));
    let no_iat = JwtBuilder::new()
        .issued_at(at(T0))
        .no_issued_at()
        .sign(&signer)
        .unwrap();
    let err = check(
        &no_iat,
        &public,
        &Validation::new()
            .max_age(Duration::from_secs(60))
            .now(at(T0)),
    )
    .unwrap_err();
    assert_eq!(err, JwtError::MissingClaim("iat".into()));
}

#[test]
fn issuer_subject_audience() {
    let (signer, public) = key();
    let token = JwtBuilder::new()
        .issuer("https://a")
        .subject("alice")
        .audiences(["x", "y"])
        .issued_at(at(T0))
        .sign(&signer)
        .unwrap();
    let base = Validation::new().now(at(T0));
    assert!(
        check(
            &token,
            &public,
            &base
                .clone()
                .issuer("https://b")
                .issuer("https://a")
                .audience("y")
        )
        .is_ok()
    );
    assert!(matches!(
        check(
            &token,
            &public,
            &base.clone().issuer("https://b").audience("x")
        ),
        Err(JwtError::IssuerMismatch { .. })
    ));
    assert_eq!(
        check(&token, &public, &base.clone().audience("z")).unwrap_err(),
        JwtError::AudienceMismatch
    );
    assert_eq!(
        check(&token, &public, &base.clone()).unwrap_err(),
        JwtError::AudienceNotExpected
    );
    assert!(check(&token, &public, &base.clone().ignore_audience()).is_ok());
    assert_eq!(
        check(&token, &public, &base.clone().audience("x").subject("bob")).unwrap_err(),
        JwtError::SubjectMismatch
    );
    // Expected but absent.
    let plain = JwtBuilder::new().issued_at(at(T0)).sign(&signer).unwrap();
    assert_eq!(
        check(&plain, &public, &base.clone().issuer("https://a")).unwrap_err(),
        JwtError::MissingClaim("iss".into())
    );
    assert_eq!(
        check(&plain, &public, &base.clone().audience("x")).unwrap_err(),
        JwtError::MissingClaim("aud".into())
    );
    assert_eq!(
        check(&plain, &public, &base.clone().require("scope")).unwrap_err(),
        JwtError::MissingClaim("scope".into())
    );
}

#[test]
fn explicit_typing() {
    let (signer, public) = key();
    let base = Validation::new().now(at(T0)).ignore_audience();
    for (typ, expected, ok) in [
        (Some("at+jwt"), "at+jwt", true),
        (Some("AT+JWT"), "application/at+jwt", true),
        (Some("application/at+jwt"), "at+jwt", true),
        (Some("JWT"), "at+jwt", false),
        (None, "at+jwt", false),
    ] {
        let token = sign_raw(&signer, &json!({"exp": T0 + 60}), typ);
        let result = check(&token, &public, &base.clone().typ(expected));
        assert_eq!(result.is_ok(), ok, "{typ:?} vs {expected}");
        if !ok {
            assert!(matches!(result, Err(JwtError::TypMismatch { .. })));
        }
    }
}

/// A JWS whose header says `cty: JWT` (in any case, with or without `application/`).
fn sign_with_cty(signer: &SigningKey, payload: &[u8], cty: &str) -> String {
    jws::compact::CompactSign::new(payload)
        .header(jose_core::header::JwsHeader::default().with_cty(cty))
        .sign(signer)
        .unwrap()
}

#[test]
fn a_jws_saying_cty_jwt_over_claims_is_refused_as_nested() {
    // RFC 7519 §7.2: cty JWT means the payload is itself a JWT, never claims to use directly.
    let (signer, public) = key();
    let validation = Validation::new().now(at(T0)).ignore_audience();
    for cty in ["JWT", "jwt", "application/JWT"] {
        let token = sign_with_cty(&signer, json!({"exp": T0 + 60}).to_string().as_bytes(), cty);
        let err = check(&token, &public, &validation).unwrap_err();
        assert!(matches!(err, JwtError::Nesting(_)), "{cty}: {err}");
        assert!(err.to_string().contains("cty"), "{err}");
    }
    // Another cty is no nesting: the claims are read as usual.
    let token = sign_with_cty(
        &signer,
        json!({"exp": T0 + 60}).to_string().as_bytes(),
        "json",
    );
    assert!(check(&token, &public, &validation).is_ok());
}

#[test]
fn a_jws_nested_in_a_jws_is_refused_as_nested() {
    let (signer, public) = key();
    let validation = Validation::new().now(at(T0)).ignore_audience();
    let inner = sign_raw(&signer, &json!({"exp": T0 + 60}), None);
    let outer = sign_with_cty(&signer, inner.as_bytes(), "JWT");
    let err = check(&outer, &public, &validation).unwrap_err();
    assert!(matches!(err, JwtError::Nesting(_)), "{err}");
    assert_eq!(err.code(), "ERR_JWT_INVALID");
}

#[test]
fn tokens_typed_for_another_profile_are_refused_unless_their_typ_is_configured() {
    // RFC 8725 §3.11: with no `typ` configured, only plain JWTs are accepted.
    let (signer, public) = key();
    let base = Validation::new().now(at(T0)).ignore_audience();
    let claims = json!({"exp": T0 + 60});
    for typ in [
        None,
        Some("JWT"),
        Some("jwt"),
        Some("application/jwt"),
        Some("Application/JWT"),
    ] {
        let token = sign_raw(&signer, &claims, typ);
        assert!(check(&token, &public, &base).is_ok(), "{typ:?}");
    }
    for typ in [
        "dpop+jwt",
        "logout+jwt",
        "secevent+jwt",
        "at+jwt",
        "application/at+jwt",
        "token-introspection+jwt",
        "JOSE",
        "jwt+pop",
        "",
    ] {
        let token = sign_raw(&signer, &claims, Some(typ));
        let err = check(&token, &public, &base).unwrap_err();
        assert!(
            matches!(&err, JwtError::TypNotAccepted { found } if found == typ),
            "{typ}: {err}"
        );
        assert_eq!(err.claim(), Some("typ"));
        // The message says how to accept it.
        assert!(err.to_string().contains("Validation::typ"), "{err}");
        // Configuring that `typ` accepts it, as does the explicit opt-out.
        if !typ.is_empty() {
            assert!(
                check(&token, &public, &base.clone().typ(typ)).is_ok(),
                "{typ}"
            );
        }
        assert!(
            check(&token, &public, &base.clone().allow_any_typ()).is_ok(),
            "{typ}"
        );
    }
}

#[test]
fn wrongly_typed_registered_claims_are_errors_not_absent() {
    let (signer, public) = key();
    let base = Validation::new()
        .now(at(T0))
        .require_exp(false)
        .ignore_audience();
    for (claims, claim) in [
        (json!({"exp": "1800000060"}), "exp"),
        (json!({"nbf": null}), "nbf"),
        (json!({"iat": true}), "iat"),
        (json!({"exp": 1e300}), "exp"),
        (json!({"nbf": i64::MIN}), "nbf"),
        (json!({"exp": i64::MIN}), "exp"),
        (json!({"iat": i64::MIN}), "iat"),
        (json!({"nbf": i64::MAX}), "nbf"),
        (json!({"exp": u64::MAX}), "exp"),
        (json!({"nbf": -1e300}), "nbf"),
        (json!({"exp": f64::NAN}), "exp"),
        (json!({"iss": 7}), "iss"),
        (json!({"sub": ["alice"]}), "sub"),
        (json!({"aud": 7}), "aud"),
        (json!({"aud": ["ok", 7]}), "aud"),
        (json!({"jti": 1}), "jti"),
        (json!({"sub": "bad uri: x"}), "sub"),
    ] {
        let token = sign_raw(&signer, &claims, None);
        let err = check(&token, &public, &base).unwrap_err();
        assert_eq!(err.claim(), Some(claim), "{claims}: {err}");
        assert!(
            matches!(err, JwtError::InvalidClaim { .. }),
            "{claims}: {err}"
        );
    }
}

#[test]
fn fractional_dates_are_honoured() {
    let (signer, public) = key();
    let token = sign_raw(&signer, &json!({"exp": T0 as f64 + 0.5}), None);
    let v = Validation::new().leeway(Duration::ZERO).ignore_audience();
    assert!(check(&token, &public, &v.clone().now(at(T0))).is_ok());
    assert!(check(&token, &public, &v.now(at(T0 + 1))).is_err());
}

#[test]
fn negative_zero_is_the_epoch() {
    let (signer, public) = key();
    let token = sign_raw(&signer, &json!({"nbf": -0.0, "iat": -0.0}), None);
    let v = Validation::new()
        .require_exp(false)
        .ignore_audience()
        .now(at(T0));
    let verified = check(&token, &public, &v).unwrap();
    assert_eq!(verified.registered().nbf, Some(at(0)));
}

#[test]
fn payload_must_be_a_strict_json_object() {
    let (signer, public) = key();
    for payload in [&b"[1]"[..], b"not json", br#"{"exp":1,"exp":2}"#] {
        let token = jws::compact::CompactSign::new(payload)
            .sign(&signer)
            .unwrap();
        assert!(
            matches!(
                check(&token, &public, &Validation::new()),
                Err(JwtError::Payload(_))
            ),
            "{payload:?}"
        );
    }
}

#[test]
fn custom_claims_types() {
    #[derive(serde::Deserialize, Debug)]
    struct Typed {
        scope: String,
    }
    let (signer, public) = key();
    let token = JwtBuilder::new()
        .issued_at(at(T0))
        .claim("scope", "read")
        .unwrap()
        .sign(&signer)
        .unwrap();
    let v = Validation::new().now(at(T0));
    assert_eq!(
        verify::<Typed>(&token, &public, &v).unwrap().claims().scope,
        "read"
    );
    let token = JwtBuilder::new()
        .issued_at(at(T0))
        .claim("scope", 5)
        .unwrap()
        .sign(&signer)
        .unwrap();
    assert!(matches!(
        verify::<Typed>(&token, &public, &v),
        Err(JwtError::Claims(_))
    ));
}

#[test]
fn signature_errors_come_first() {
    let (signer, _) = key();
    let (_, other) = key();
    let token = JwtBuilder::new().sign(&signer).unwrap();
    let err = check(&token, &other, &Validation::new()).unwrap_err();
    assert_eq!(err.code(), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    let unencoded = jws::compact::CompactSign::new(b"{}")
        .unencoded()
        .sign(&signer)
        .unwrap();
    assert!(
        check(
            &unencoded,
            &signer.public_jwk().unwrap(),
            &Validation::new().require_exp(false)
        )
        .is_err()
    );
}

/// `verify` reads the claims straight from the payload, also when a required claim is not a
/// registered one; it must agree with the claims-object path (`parse_claims` then `finish`).
#[test]
fn verify_agrees_with_parse_claims_then_finish() {
    let (signer, public) = key();
    let strict = Validation::new()
        .now(at(T0))
        .issuer("https://issuer.example")
        .audience("api")
        .require("sub");
    let custom_required = strict.clone().require("scope");
    let payloads = [
        json!({"iss": "https://issuer.example", "aud": "api", "sub": "a", "exp": T0 + 60}),
        json!({"iss": "https://issuer.example", "aud": ["x", "api"], "sub": "a", "exp": T0 + 60, "scope": "r"}),
        json!({"iss": "https://issuer.example", "aud": "api", "exp": T0 + 60}),
        json!({"iss": "https://other.example", "aud": "api", "sub": "a", "exp": T0 + 60}),
        json!({"iss": "https://issuer.example", "aud": "web", "sub": "a", "exp": T0 + 60}),
        json!({"iss": "https://issuer.example", "aud": "api", "sub": "a", "exp": T0 - 60}),
        json!({"iss": "https://issuer.example", "aud": "api", "sub": "a", "exp": T0 + 60, "nbf": null}),
        json!({"iss": "https://issuer.example", "aud": "api", "sub": null, "exp": T0 + 60}),
        json!({"iss": "https://issuer.example", "aud": "api", "sub": "a", "exp": T0 + 60, "scope": null}),
        json!({"iss": "https://issuer.example", "aud": "api", "sub": "a", "exp": T0 + 60, "scopes": "r"}),
        json!({"iss": "https://issuer.example", "aud": "api", "sub": "a", "exp": T0 + 60, "x": {"scope": "r"}}),
        json!({"iss": 7, "aud": "api", "sub": "a"}),
        json!({"aud": "api", "sub": "a", "exp": T0 as f64 + 60.5, "iat": T0, "jti": "j"}),
        json!([1, 2]),
        json!("claims"),
    ];
    for payload in payloads {
        let token = sign_raw(&signer, &payload, None);
        for validation in [&strict, &custom_required] {
            let fast = check(&token, &public, validation);
            let slow = parse_claims(payload.to_string().as_bytes()).and_then(|c| {
                let header = jws::unverified::decode_header(&token).unwrap();
                finish::<Map<String, Value>>(header, c, validation)
            });
            match (&fast, &slow) {
                (Ok(f), Ok(s)) => assert_eq!(f, s, "{payload}"),
                (Err(f), Err(s)) => {
                    assert_eq!(
                        std::mem::discriminant(f),
                        std::mem::discriminant(s),
                        "{payload}: {f} / {s}"
                    );
                    assert_eq!((f.code(), f.claim()), (s.code(), s.claim()), "{payload}");
                }
                _ => panic!("{payload}: {fast:?} / {slow:?}"),
            }
        }
    }
}

/// A required claim that is not a registered one is found under its name as decoded (an
/// escaped name counts), only at the top level, and a duplicate is refused as before.
#[test]
fn required_custom_claims_are_found_as_in_the_claims_object() {
    let (signer, public) = key();
    let validation = Validation::new()
        .now(at(T0))
        .require("client_id")
        .require("scope");
    let exp = T0 + 60;
    let sign = |payload: &str| {
        jws::compact::CompactSign::new(payload.as_bytes())
            .sign(&signer)
            .unwrap()
    };
    let escaped = format!(r#"{{"exp":{exp},"client\u005fid":"c","scope":"r"}}"#);
    let verified = check(&sign(&escaped), &public, &validation).unwrap();
    assert_eq!(verified.claims().get("client_id"), Some(&json!("c")));
    let nested = format!(r#"{{"exp":{exp},"x":{{"client_id":"c"}},"scope":"r"}}"#);
    assert_eq!(
        check(&sign(&nested), &public, &validation).unwrap_err(),
        JwtError::MissingClaim("client_id".into())
    );
    let only_scope = format!(r#"{{"exp":{exp},"client_id":"c"}}"#);
    assert_eq!(
        check(&sign(&only_scope), &public, &validation).unwrap_err(),
        JwtError::MissingClaim("scope".into())
    );
    let duplicate = format!(r#"{{"exp":{exp},"client_id":"c","scope":"r","scope":"w"}}"#);
    assert!(matches!(
        check(&sign(&duplicate), &public, &validation).unwrap_err(),
        JwtError::Payload(_)
    ));
    // A caller's struct gets the same claims as the object path.
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Claims {
        client_id: String,
        scope: Option<String>,
    }
    let plain = format!(r#"{{"exp":{exp},"client_id":"c","scope":null}}"#);
    let typed = verify::<Claims>(&sign(&plain), &public, &validation).unwrap();
    assert_eq!(
        typed.into_claims(),
        Claims {
            client_id: "c".into(),
            scope: None
        }
    );
}

/// `JwtBuilder::sign` writes the claims without the map of `build_claims`; the payload must be
/// the map's bytes exactly (member order, escaping, numbers), and the errors the same.
#[test]
fn signed_payload_is_build_claims_serialized() {
    let (signer, _) = key();
    let base = JwtBuilder::new().issued_at(at(T0)).jti("fixed");
    let builders = [
        base.clone(),
        base.clone()
            .issuer("https://issuer.example")
            .subject("al\"ice\u{7}\u{e9}")
            .audience("api"),
        base.clone()
            .audiences(["a", "https://b.example", "é\\"])
            .not_before_now()
            .lifetime(Duration::from_millis(1500)),
        base.clone()
            .no_jti()
            .no_issued_at()
            .no_expiry()
            .not_before(NumericDate::from(
                std::time::UNIX_EPOCH + Duration::from_nanos(1_800_000_000_250_000_000),
            )),
        base.clone()
            .expires_at(at(T0 + 10))
            .claim("a", 1)
            .unwrap()
            .claim("zz", json!({"y": [1.5, null, true], "b": "x"}))
            .unwrap()
            .claim("isa", "between iat and iss")
            .unwrap()
            .claim("\u{0}", "control")
            .unwrap()
            .claim("été", u64::MAX)
            .unwrap()
            .claim("Z", -3)
            .unwrap(),
    ];
    for builder in builders {
        let token = builder.sign(&signer).unwrap();
        let payload = jws::unverified::decode_payload(&token).unwrap();
        let expected = serde_json::to_vec(&builder.build_claims().unwrap()).unwrap();
        assert_eq!(
            String::from_utf8(payload).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }
    // The read-back errors, in the map path's order: aud, then iss, then sub.
    let bad = base.clone().issuer("a b:c").subject("x y:z");
    for (builder, claim) in [
        (bad.clone().audiences(["ok", "b c:d"]), "aud"),
        (bad.clone(), "iss"),
        (base.clone().subject("x y:z"), "sub"),
    ] {
        let signed = builder.sign(&signer).unwrap_err();
        let built = builder.build_claims().unwrap_err();
        assert_eq!(signed.to_string(), built.to_string());
        assert_eq!(signed.claim(), Some(claim));
    }
    // A random jti is drawn per token and written as the map would.
    let random = JwtBuilder::new().issued_at(at(T0)).sign(&signer).unwrap();
    let claims: Value =
        serde_json::from_slice(&jws::unverified::decode_payload(&random).unwrap()).unwrap();
    assert_eq!(claims["jti"].as_str().map(str::len), Some(22));
}

/// The protected header written without a map is the map's bytes, `kid` from the signer
/// unless the header has one.
#[test]
fn signed_header_is_the_map_serialization() {
    let signer = SigningKey::new(
        Jwk::generate(JwsAlgorithm::ES256).unwrap().with_kid("k\"1"),
        JwsAlgorithm::ES256,
    )
    .unwrap();
    for (builder, expected) in [
        (
            JwtBuilder::new(),
            r#"{"alg":"ES256","kid":"k\"1","typ":"JWT"}"#,
        ),
        (
            JwtBuilder::new().cty("x").typ("at+jwt"),
            r#"{"alg":"ES256","cty":"x","kid":"k\"1","typ":"at+jwt"}"#,
        ),
        (
            JwtBuilder::new().header(jose_core::header::JwsHeader::default().with_kid("own")),
            r#"{"alg":"ES256","kid":"own"}"#,
        ),
    ] {
        let token = builder.sign(&signer).unwrap();
        let header = token.split('.').next().unwrap();
        let text = String::from_utf8(jose_core::b64::decode(header).unwrap()).unwrap();
        assert_eq!(text, expected);
        let parsed = jose_core::header::JwsHeader::from_json(text.as_bytes()).unwrap();
        assert_eq!(
            serde_json::to_string(&parsed.to_map()).unwrap(),
            text,
            "the map path writes the same bytes"
        );
    }
}

/// `JwtBuilder::claims` writes a struct's members as serde_json text instead of going through
/// a `serde_json::Value`; the token and `build_claims` must be what the `Value` gives.
#[test]
fn custom_claims_from_a_struct_are_the_value_path_bytes() {
    #[derive(serde::Serialize)]
    struct Inner {
        z: u8,
        a: &'static str,
    }
    #[derive(serde::Serialize)]
    struct Extra {
        tenant: &'static str,
        level: i64,
    }
    #[derive(serde::Serialize)]
    struct Custom {
        scope: &'static str,
        roles: Vec<&'static str>,
        ratio: f64,
        big: f64,
        huge: u64,
        verified: bool,
        nothing: Option<u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        inner: Inner,
        text: &'static str,
        tuple: (u8, &'static str),
        #[serde(flatten)]
        extra: Extra,
    }
    let custom = Custom {
        scope: "read write",
        roles: vec!["admin", "é\u{1}\u{7f}"],
        ratio: 0.1,
        big: 1e21,
        huge: u64::MAX,
        verified: true,
        nothing: None,
        skipped: None,
        inner: Inner { z: 1, a: "x" },
        text: "quote \" backslash \\ slash / tab \t nl \n ff \u{c} bs \u{8} \u{1f}",
        tuple: (7, "t"),
        extra: Extra {
            tenant: "acme",
            level: -3,
        },
    };
    let (signer, _) = key();
    let base = JwtBuilder::new()
        .issued_at(at(T0))
        .jti("j")
        .issuer("https://i.example");
    let mut map = std::collections::HashMap::new();
    map.insert("m1".to_owned(), json!([1, {"b": 2, "a": 1}]));
    map.insert("m2".to_owned(), json!("two"));
    for (fast, through_value) in [
        (
            base.clone().claims(&custom).unwrap(),
            base.clone()
                .claims(&serde_json::to_value(&custom).unwrap())
                .unwrap(),
        ),
        (
            base.clone().claims(&map).unwrap(),
            base.clone()
                .claims(&serde_json::to_value(&map).unwrap())
                .unwrap(),
        ),
    ] {
        assert_eq!(
            fast.build_claims().unwrap(),
            through_value.build_claims().unwrap()
        );
        let token = fast.sign(&signer).unwrap();
        let payload = jws::unverified::decode_payload(&token).unwrap();
        let expected = serde_json::to_vec(&through_value.build_claims().unwrap()).unwrap();
        assert_eq!(
            String::from_utf8(payload).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }
    // Registered names and names given twice: the errors of the map path, in name order.
    #[derive(serde::Serialize)]
    struct Clash {
        sub: u8,
        aud: u8,
    }
    let err = base.clone().claims(&Clash { sub: 1, aud: 2 }).unwrap_err();
    assert!(
        matches!(&err, JwtError::DuplicateClaim(n) if n == "aud"),
        "{err}"
    );
    let err = base
        .clone()
        .claim("scope", 1)
        .unwrap()
        .claims(&custom)
        .unwrap_err();
    assert!(
        matches!(&err, JwtError::DuplicateClaim(n) if n == "scope"),
        "{err}"
    );
    // Not an object: the same error as before.
    for bad in [json!(1), json!([1]), json!(null)] {
        let err = base.clone().claims(&bad).unwrap_err();
        assert!(matches!(err, JwtError::Claims(_)), "{err}");
    }
    let err = base.clone().claims(&vec![1, 2]).unwrap_err();
    assert!(matches!(err, JwtError::Claims(_)), "{err}");
}
