//! Every "not allowed" / "no accepted ..." error names the `Validation` method to set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::JwsAlgorithm;
use jws::SigningKey;
use jwt_claims::{JwtBuilder, JwtError, Validation};

fn check(token: &str, key: &SigningKey, validation: &Validation) -> JwtError {
    jwt_claims::verify::<serde_json::Value>(token, &key.public_jwk().unwrap(), validation)
        .unwrap_err()
}

fn es256() -> SigningKey {
    SigningKey::generate(JwsAlgorithm::ES256).unwrap()
}

#[test]
fn algorithm_not_allowed_names_validation_algorithms() {
    let key = es256();
    let token = JwtBuilder::new().sign(&key).unwrap();
    let err = check(
        &token,
        &key,
        &Validation::new().algorithms([JwsAlgorithm::ES512]),
    );
    assert_eq!(err.code(), "ERR_JOSE_ALG_NOT_ALLOWED");
    assert!(err.to_string().contains("Validation::algorithms"), "{err}");
}

#[test]
fn audience_errors_name_validation_audience() {
    let key = es256();
    let token = JwtBuilder::new().audience("api").sign(&key).unwrap();
    let none = check(&token, &key, &Validation::new());
    assert_eq!(none, JwtError::AudienceNotExpected);
    let other = check(&token, &key, &Validation::new().audience("other"));
    assert_eq!(other, JwtError::AudienceMismatch);
    for err in [none, other] {
        assert!(err.to_string().contains("Validation::audience"), "{err}");
    }
}

#[test]
fn issuer_subject_and_typ_errors_name_their_methods() {
    let key = es256();
    let token = JwtBuilder::new()
        .issuer("https://a.example")
        .subject("alice")
        .typ("at+jwt")
        .sign(&key)
        .unwrap();
    let cases = [
        (
            Validation::new().issuer("https://b.example"),
            "Validation::issuer",
        ),
        (Validation::new().subject("bob"), "Validation::subject"),
        (Validation::new().typ("JWT"), "Validation::typ"),
    ];
    for (validation, method) in cases {
        let err = check(&token, &key, &validation);
        assert!(err.to_string().contains(method), "{err}");
    }
}
