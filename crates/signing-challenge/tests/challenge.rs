//! The signed challenge: the phone's checklist, each check failing on its own.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::*;
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::JwkSet;
use jws::SigningKey;
use jwt_claims::{ClaimError, ClaimReason};
use serde_json::{Value, json};
use signing_challenge::{
    ChallengeVerifier, ExpInterpretation, Session, SignedChallengeBuilder,
    SigningChallengeError as E,
};

fn jwks() -> JwkSet {
    JwkSet::new(vec![asp().public_jwk().unwrap()]).unwrap()
}

fn verifier() -> ChallengeVerifier {
    ChallengeVerifier::new(jwks()).now(T + 1)
}

fn good() -> String {
    challenge_builder().sign(&asp()).unwrap()
}

fn verify(token: &str) -> Result<signing_challenge::VerifiedChallenge, E> {
    verifier().verify(token, &mobile_session())
}

fn header() -> Value {
    json!({"alg": "ES256", "kid": ASP_KID})
}

fn claims() -> Value {
    serde_json::from_slice(&jws::unverified::decode_payload(&good()).unwrap()).unwrap()
}

fn raw(header: &Value, claims: &Value, key: &SigningKey) -> String {
    jws::compact::CompactSign::new(claims.to_string().as_bytes())
        .protected_json(header.to_string())
        .sign(key)
        .unwrap()
}

fn unsigned(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        jose_core::b64::encode(header.to_string()),
        jose_core::b64::encode(claims.to_string()),
        jose_core::b64::encode(signature)
    )
}

fn with(mut v: Value, name: &str, value: Value) -> Value {
    v[name] = value;
    v
}

fn without(mut v: Value, name: &str) -> Value {
    v.as_object_mut().unwrap().remove(name);
    v
}

#[test]
fn a_challenge_verifies_with_the_key_named_by_kid() {
    let verified = verify(&good()).unwrap();
    let c = verified.claims();
    assert_eq!(verified.kid(), ASP_KID);
    assert_eq!(c.sign_ref.to_string(), SIGN_REF);
    assert_eq!(c.doc_hash, doc_hash());
    assert_eq!(c.challenge_code.as_str(), CODE);
    assert_eq!(c.hss_nonce, HSS_NONCE);
    assert_eq!((c.iat, c.exp), (T, T + 3));
    assert_eq!(c.client_name.as_deref(), Some("Test Signing Portal"));
    // The header is exactly {alg, kid}: no algo, no typ.
    let header: Value =
        serde_json::from_slice(&jose_core::b64::decode(good().split('.').next().unwrap()).unwrap())
            .unwrap();
    assert_eq!(header, json!({"alg": "ES256", "kid": ASP_KID}));
    // The whole session may be checked when the phone knows it.
    let full = mobile_session()
        .doc_hash(doc_hash())
        .challenge_code(code())
        .hss_nonce(HSS_NONCE);
    assert!(verifier().verify(&good(), &full).is_ok());
}

/// A token shaped like one seen on a staging service: `alg: ES256` with a 96-byte signature.
#[test]
fn a_96_byte_signature_labelled_es256_is_refused() {
    let token = unsigned(&with(header(), "typ", json!("JWT")), &claims(), &[0x5a; 96]);
    let err = verify(&token).unwrap_err();
    assert!(matches!(err, E::SignatureMalformed(_)), "{err:?}");
    assert_eq!(err.code(), "signature_malformed");
}

#[test]
fn kid_must_be_present_and_known() {
    let token = raw(&without(header(), "kid"), &claims(), &asp());
    assert_eq!(verify(&token).unwrap_err(), E::KidMissing);
    let token = raw(&with(header(), "kid", json!("asp-old")), &claims(), &asp());
    assert!(matches!(verify(&token), Err(E::UnknownKid { .. })));
    // The right kid, another key.
    let other =
        SigningKey::new(p256_jwk("other asp").with_kid(ASP_KID), JwsAlgorithm::ES256).unwrap();
    assert_eq!(
        verify(&raw(&header(), &claims(), &other)).unwrap_err(),
        E::SignatureInvalid
    );
}

#[test]
fn only_es256() {
    for alg in ["none", "HS256", "ES384", "RS256", "EdDSA"] {
        let token = unsigned(&with(header(), "alg", json!(alg)), &claims(), &[1; 64]);
        assert!(
            matches!(verify(&token), Err(E::AlgorithmNotAllowed { .. })),
            "{alg}"
        );
    }
    let p384 = SigningKey::new(p384_jwk("asp 384").with_kid(ASP_KID), JwsAlgorithm::ES384).unwrap();
    assert!(matches!(
        challenge_builder().sign(&p384),
        Err(E::AlgorithmNotAllowed { .. })
    ));
}

#[test]
fn sign_ref_and_nonce_must_be_the_sessions() {
    let other_ref = Session::new()
        .sign_ref("11111111-2222-4333-8444-555555555555".parse().unwrap())
        .nonce(NONCE);
    assert_eq!(
        verifier().verify(&good(), &other_ref).unwrap_err(),
        E::SignRefMismatch
    );
    let other_nonce = Session::new().sign_ref(sign_ref()).nonce("replayed");
    assert_eq!(
        verifier().verify(&good(), &other_nonce).unwrap_err(),
        E::NonceMismatch
    );
    // sign_ref is compared in canonical form.
    let upper = with(claims(), "sign_ref", json!(SIGN_REF.to_ascii_uppercase()));
    assert!(verify(&raw(&header(), &upper, &asp())).is_ok());
}

#[test]
fn optional_session_values_are_compared_when_known() {
    let s = mobile_session().doc_hash("cc".repeat(32).parse().unwrap());
    assert_eq!(
        verifier().verify(&good(), &s).unwrap_err(),
        E::DocHashMismatch
    );
    let s = mobile_session().challenge_code("111111".parse().unwrap());
    assert_eq!(
        verifier().verify(&good(), &s).unwrap_err(),
        E::ChallengeCodeMismatch
    );
    let s = mobile_session().hss_nonce("x");
    assert_eq!(
        verifier().verify(&good(), &s).unwrap_err(),
        E::HssNonceMismatch
    );
}

#[test]
fn the_session_must_name_sign_ref_and_nonce() {
    let err = verifier()
        .verify(&good(), &Session::new().nonce(NONCE))
        .unwrap_err();
    assert_eq!(err, E::SessionIncomplete("sign_ref"));
    let err = verifier()
        .verify(&good(), &Session::new().sign_ref(sign_ref()))
        .unwrap_err();
    assert_eq!(err, E::SessionIncomplete("nonce"));
    assert!(
        verifier()
            .partial_session()
            .verify(&good(), &Session::new())
            .is_ok()
    );
}

#[test]
fn claim_forms_are_checked() {
    let cases: [(&str, Value); 8] = [
        ("doc_hash", json!("not hex")),
        ("doc_hash", json!("ab".repeat(20))),
        ("challenge_code", json!("12345")),
        ("challenge_code", json!("12a456")),
        ("hss_nonce", json!("")),
        ("hss_nonce", json!("n".repeat(257))),
        ("client_name", json!("abc")),
        ("doc_name", json!("d".repeat(256))),
    ];
    for (name, value) in cases {
        let token = raw(&header(), &with(claims(), name, value.clone()), &asp());
        assert!(
            matches!(verify(&token), Err(E::Claim(ClaimError { claim, reason: ClaimReason::Invalid(_) })) if claim == name),
            "{name} = {value}"
        );
    }
    for name in [
        "sign_ref",
        "doc_hash",
        "challenge_code",
        "iat",
        "exp",
        "hss_nonce",
        "nonce",
    ] {
        let token = raw(&header(), &without(claims(), name), &asp());
        assert!(
            matches!(verify(&token), Err(E::Claim(ClaimError { claim: c, reason: ClaimReason::Missing })) if c == name),
            "{name}"
        );
    }
    // Unknown claims are kept, not refused.
    let token = raw(&header(), &with(claims(), "extra", json!(1)), &asp());
    assert_eq!(verify(&token).unwrap().claims().extra["extra"], json!(1));
}

#[test]
fn times_with_the_3_second_profile() {
    assert!(
        verifier()
            .now(T + 7)
            .verify(&good(), &mobile_session())
            .is_ok()
    );
    assert_eq!(
        verifier()
            .now(T + 8)
            .verify(&good(), &mobile_session())
            .unwrap_err(),
        E::Expired {
            exp: T + 3,
            now: T + 8
        }
    );
    assert_eq!(
        verifier()
            .now(T - 6)
            .verify(&good(), &mobile_session())
            .unwrap_err(),
        E::IssuedInFuture { iat: T, now: T - 6 }
    );
    let long = challenge_builder()
        .lifetime(std::time::Duration::from_secs(60))
        .sign(&asp())
        .unwrap();
    assert!(matches!(
        verify(&long),
        Err(E::LifetimeOutOfRange {
            lifetime: 60,
            max: 3
        })
    ));
}

#[test]
fn relative_exp_only_with_the_compatibility_switch() {
    let token = challenge_builder().relative_exp(true).sign(&asp()).unwrap();
    assert!(matches!(verify(&token), Err(E::LifetimeOutOfRange { .. })));
    let v = verifier().exp_interpretation(ExpInterpretation::RelativeToIat);
    assert_eq!(
        v.verify(&token, &mobile_session()).unwrap().claims().exp,
        T + 3
    );
    // The relative reading applied to an absolute exp yields a far too long lifetime.
    assert!(matches!(
        v.verify(&good(), &mobile_session()),
        Err(E::LifetimeOutOfRange { .. })
    ));
    let auto = verifier().exp_interpretation(ExpInterpretation::Auto);
    assert!(auto.verify(&token, &mobile_session()).is_ok());
    assert!(auto.verify(&good(), &mobile_session()).is_ok());
}

#[test]
fn the_builder_fills_hss_nonce_and_refuses_incomplete_challenges() {
    let token = SignedChallengeBuilder::new()
        .sign_ref(sign_ref())
        .doc_hash(doc_hash())
        .challenge_code(code())
        .nonce(NONCE)
        .issued_at(T)
        .sign(&asp())
        .unwrap();
    let c = verify(&token).unwrap();
    assert_eq!(
        jose_core::b64::decode(&c.claims().hss_nonce).unwrap().len(),
        32
    );
    let err = SignedChallengeBuilder::new().sign(&asp()).unwrap_err();
    assert_eq!(err, E::Incomplete("sign_ref"));
    let unnamed = SigningKey::new(p256_jwk("asp"), JwsAlgorithm::ES256).unwrap();
    assert_eq!(
        challenge_builder().sign(&unnamed).unwrap_err(),
        E::KidMissing
    );
    assert!(
        challenge_builder()
            .key_id("explicit")
            .sign(&unnamed)
            .is_ok()
    );
}

#[test]
fn lenient_mode_accepts_a_numeric_challenge_code() {
    let token = raw(
        &header(),
        &with(claims(), "challenge_code", json!(82916)),
        &asp(),
    );
    assert!(matches!(
        verify(&token),
        Err(E::Claim(ClaimError {
            claim: "challenge_code",
            reason: ClaimReason::Invalid(_)
        }))
    ));
    let c = verifier()
        .lenient()
        .verify(&token, &mobile_session())
        .unwrap();
    assert_eq!(c.claims().challenge_code.as_str(), "082916");
}

#[test]
fn strict_headers_refuse_anything_else() {
    let token = raw(&with(header(), "algo", json!("ES256")), &claims(), &asp());
    assert!(verify(&token).is_ok());
    let err = verifier()
        .strict_headers()
        .verify(&token, &mobile_session())
        .unwrap_err();
    assert_eq!(err, E::UnexpectedHeader("algo".into()));
    let token = raw(&with(header(), "typ", json!("JWT")), &claims(), &asp());
    assert!(
        verifier()
            .strict_headers()
            .verify(&token, &mobile_session())
            .is_ok()
    );
}
