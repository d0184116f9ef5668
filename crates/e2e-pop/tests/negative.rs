//! The negative cases of OIDC² (the checks table of docs/e2e-pop.md): each fails with its own
//! error, and the neighbouring positive case passes (so that each test can fail).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod support;
use e2e_pop::RequiredContexts;
use e2e_pop::{
    AlgorithmSet, ClientKey, E2ePopError, E2ePopTokenBuilder, E2ePopVerifier, IctBuilder,
    IctVerifier, NumericDate, OpJwks, PairPolicy, PopTokenBuilder, PopTokenVerifier, TokenKind,
};
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::{Signer, SigningKey};
use jwt_claims::{ClaimError, ClaimReason, TimeError};
use replay_store::MemoryReplayStore;
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use support::*;

const T0: i64 = 1_800_000_000;
const OP: &str = "https://op.example.com";
const CLIENT: &str = "exampleclient";
const SUB: &str = "1234567890";
const SESSION: &str = "session-7VvkHN1c";

fn at(t: i64) -> NumericDate {
    NumericDate::from_seconds(t)
}

/// The client key of the draft (Fig. 3).
fn client() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        SigningKey::from_jwk(
            Jwk::from_json(
                r#"{"kty":"EC","crv":"P-384","d":"LkQGZ-AZU1ARLfM-swdW-hzuvMOkoWtm3V5Eup4r44FLheChlx1PIyScwMIvkHPd","x":"-8Ln5J2jiG9R6YpopZzk-CcGoDXjtdvd16qBTwA4FKrtWBrlhgw7fyh0mGvxhclV","y":"QkE_Ij2H6nCoO9WGqAtATEN3on_BilyNcl5uH3Zk_OFa4qzudCmiWS10TIGVuS5P"}"#,
            )
            .unwrap(),
        )
        .unwrap()
    })
}

/// The OP key of the draft (Fig. 9), with a kid.
fn op() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        SigningKey::from_jwk(
            Jwk::from_json(
                r#"{"kty":"EC","crv":"P-384","kid":"op-1","d":"MfbEM7MkDcnXJiqoy87CQmKv39vfUVJeHqkWFs-JPJXlVxnL3WvzalNl73wvuy2D","x":"rTM4gnV_1uUMcmLEWVffSzXRN25etn42j54a5_Gyw_wJXckrdsUQMnMgpenOUySX","y":"gkC9pdQqEhW6xGrwcDVNZaaYPaPFo9J0FGt8RCEyydbHjdSw_CKZRNBiVgjVKzmm"}"#,
            )
            .unwrap(),
        )
        .unwrap()
    })
}

fn op_keys() -> OpJwks {
    OpJwks::new(OP, JwkSet::new(vec![op().public_jwk().unwrap()]).unwrap())
}

fn client_public() -> Jwk {
    ClientKey::public_jwk(client()).unwrap()
}

fn jkt() -> String {
    jwk_thumbprint::thumbprint_b64(&client_public(), jwk_thumbprint::ThumbprintHash::Sha256)
}

/// A compact JWS with exactly this header and payload JSON, signed by `key`.
fn raw(header: &Value, payload: &str, key: &(impl Signer + ?Sized)) -> String {
    jws::compact::CompactSign::new(payload.as_bytes())
        .protected_json(header.to_string())
        .sign(key)
        .unwrap()
}

/// A compact token with any header and an arbitrary signature (for refusals that happen
/// before the signature is checked).
fn unsigned(header: &Value, payload: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        jose_core::b64::encode(header.to_string()),
        jose_core::b64::encode(payload.to_string()),
        jose_core::b64::encode(signature)
    )
}

fn ict_claims() -> Value {
    json!({
        "iss": OP, "sub": SUB, "aud": CLIENT, "iat": T0, "nbf": T0, "exp": T0 + 300,
        "jti": "ict-1", "cnf": {"jwk": client_public().to_json_value()}, "ctx": ["email"],
        "name": "John Smith"
    })
}

fn e2e_claims() -> Value {
    json!({"iss": CLIENT, "sub": SUB, "aud": SESSION, "iat": T0, "nbf": T0, "exp": T0 + 300, "jti": "e2e-1"})
}

fn pop_claims() -> Value {
    json!({"iss": CLIENT, "sub": SUB, "aud": OP, "iat": T0, "exp": T0 + 60, "jti": "pop-1"})
}

fn ict_header() -> Value {
    json!({"typ": "jwt+ict", "alg": "ES384", "kid": "op-1"})
}

fn e2e_header() -> Value {
    json!({"typ": "jwt+e2epop", "alg": "ES384", "jkt": jkt()})
}

fn pop_header() -> Value {
    json!({"typ": "jwt+pop", "alg": "ES384", "jwk": client_public().to_json_value()})
}

fn ict_with(claims: &Value) -> String {
    raw(&ict_header(), &claims.to_string(), op())
}

fn e2e_with(header: &Value, claims: &Value) -> String {
    raw(header, &claims.to_string(), client())
}

fn good_ict() -> String {
    ict_with(&ict_claims())
}

fn good_e2e() -> String {
    e2e_with(&e2e_header(), &e2e_claims())
}

fn ict_verifier() -> IctVerifier<OpJwks> {
    IctVerifier::new(op_keys(), RequiredContexts::all(["email"])).now(at(T0 + 10))
}

fn pop_verifier() -> PopTokenVerifier {
    PopTokenVerifier::without_replay_detection(OP).now(at(T0 + 10))
}

fn policy() -> PairPolicy<OpJwks> {
    PairPolicy::without_replay_detection(op_keys(), RequiredContexts::all(["email"]), SESSION)
        .now(at(T0 + 10))
}

fn pair(ict: &str, e2e: &str) -> Result<e2e_pop::VerifiedIdentity, E2ePopError> {
    verify_pair_now(ict, e2e, &policy())
}

/// The E2E PoP token alone, verified with the ICT key directly.
fn e2e_alone(token: &str) -> Result<e2e_pop::VerifiedE2ePop, E2ePopError> {
    E2ePopVerifier::without_replay_detection(SESSION)
        .now(at(T0 + 10))
        .verify_with_key_now(token, &client_public())
}

fn set(mut v: Value, name: &str, value: Value) -> Value {
    v[name] = value;
    v
}

fn remove(mut v: Value, name: &str) -> Value {
    v.as_object_mut().unwrap().remove(name);
    v
}

#[test]
fn the_baseline_pair_verifies() {
    let identity = pair(&good_ict(), &good_e2e()).unwrap();
    assert_eq!(identity.subject(), SUB);
    assert!(
        pop_verifier()
            .verify_now(&raw(&pop_header(), &pop_claims().to_string(), client()))
            .is_ok()
    );
}

// --- Header and algorithm ---------------------------------------------------------------

#[test]
fn wrong_or_missing_typ_is_refused() {
    for typ in ["jwt", "jwt+ict", "e2epop", "jwt+e2epop+x"] {
        let header = set(e2e_header(), "typ", json!(typ));
        let err = e2e_alone(&e2e_with(&header, &e2e_claims()));
        assert!(
            matches!(err, Err(E2ePopError::WrongTyp { .. })),
            "{typ}: {err:?}"
        );
    }
    // A non-string typ is a malformed header (refused before the signature is checked).
    let header = set(e2e_header(), "typ", json!(7));
    let err = e2e_alone(&unsigned(&header, &e2e_claims(), &[1; 96]));
    assert!(matches!(err, Err(E2ePopError::Malformed(_))), "{err:?}");
    let err = e2e_alone(&e2e_with(&remove(e2e_header(), "typ"), &e2e_claims())).unwrap_err();
    assert_eq!(
        err,
        E2ePopError::WrongTyp {
            expected: "jwt+e2epop",
            found: None
        }
    );
    assert_eq!(err.code(), "typ");
}

#[test]
fn typ_matches_case_insensitively_with_the_application_prefix_optional() {
    for typ in [
        "JWT+E2EPOP",
        "application/jwt+e2epop",
        "Application/JWT+e2ePoP",
    ] {
        let header = set(e2e_header(), "typ", json!(typ));
        assert!(
            e2e_alone(&e2e_with(&header, &e2e_claims())).is_ok(),
            "{typ}"
        );
    }
    // What the builders emit is lower case.
    let token = E2ePopTokenBuilder::new()
        .issuer(CLIENT)
        .subject(SUB)
        .audience(SESSION)
        .build(client())
        .unwrap();
    assert_eq!(
        jws::unverified::decode_header(&token).unwrap().typ(),
        Some("jwt+e2epop")
    );
}

#[test]
fn alg_none_is_refused() {
    for name in ["none", "None", "NONE"] {
        let header = set(e2e_header(), "alg", json!(name));
        let token = unsigned(&header, &e2e_claims(), b"");
        assert_eq!(
            e2e_alone(&token).unwrap_err(),
            E2ePopError::AlgorithmNotAllowed { alg: "none".into() }
        );
    }
}

#[test]
fn hmac_algorithms_are_refused_by_verifiers_and_builders() {
    let secret = SigningKey::generate(JwsAlgorithm::HS256).unwrap();
    let header = set(e2e_header(), "alg", json!("HS256"));
    let token = raw(&header, &e2e_claims().to_string(), &secret);
    assert_eq!(
        e2e_alone(&token).unwrap_err(),
        E2ePopError::AlgorithmNotAllowed {
            alg: "HS256".into()
        }
    );
    let err = IctBuilder::new()
        .issuer(OP)
        .subject(SUB)
        .confirmation(&client_public())
        .unwrap()
        .contexts(["email"])
        .key_id("k")
        .build(&secret)
        .unwrap_err();
    assert_eq!(
        err,
        E2ePopError::AlgorithmNotAllowed {
            alg: "HS256".into()
        }
    );
    assert!(AlgorithmSet::only([JwsAlgorithm::HS256]).is_err());
}

#[test]
fn eddsa_is_refused_in_library_compatible_mode_only() {
    let ed = SigningKey::generate(JwsAlgorithm::EdDSA).unwrap();
    let token = E2ePopTokenBuilder::new()
        .issuer(CLIENT)
        .subject(SUB)
        .audience(SESSION)
        .issued_at(at(T0))
        .build(&ed)
        .unwrap();
    let key = ed.public_jwk().unwrap();
    let verifier = E2ePopVerifier::without_replay_detection(SESSION).now(at(T0 + 10));
    assert!(verifier.clone().verify_with_key_now(&token, &key).is_ok());
    let err = verifier
        .algorithms(AlgorithmSet::library_compat())
        .verify_with_key_now(&token, &key)
        .unwrap_err();
    assert_eq!(
        err,
        E2ePopError::AlgorithmNotAllowed {
            alg: "EdDSA".into()
        }
    );
}

#[test]
fn a_key_of_another_curve_than_alg_is_a_key_mismatch() {
    // ES256 named in the header, the P-384 client key verifying: refused before the signature.
    let header = set(e2e_header(), "alg", json!("ES256"));
    let token = unsigned(&header, &e2e_claims(), &[1; 64]);
    let err = e2e_alone(&token).unwrap_err();
    assert!(
        matches!(err, E2ePopError::KeyMismatch { ref alg, .. } if alg == "ES256"),
        "{err:?}"
    );
    // The same for a PoP token whose embedded key is P-256 while alg says ES384.
    let p256 = Jwk::generate(JwsAlgorithm::ES256)
        .unwrap()
        .to_public()
        .unwrap();
    let header = json!({"typ": "jwt+pop", "alg": "ES384", "jwk": p256.to_json_value()});
    let err = pop_verifier()
        .verify_now(&unsigned(&header, &pop_claims(), &[1; 96]))
        .unwrap_err();
    assert!(matches!(err, E2ePopError::KeyMismatch { .. }), "{err:?}");
    // And for the OP key found by kid.
    let header = set(ict_header(), "alg", json!("ES256"));
    let err = ict_verifier()
        .verify_now(&unsigned(&header, &ict_claims(), &[1; 64]))
        .unwrap_err();
    assert!(matches!(err, E2ePopError::KeyMismatch { .. }), "{err:?}");
}

/// An RSA public key of 1024 bits (a random odd modulus with the top bit set: key import
/// refuses it for its size before anything else).
fn rsa_1024() -> Value {
    let mut n = [0x5au8; 128];
    n[0] = 0xc3;
    n[127] = 0x01;
    json!({"kty": "RSA", "n": jose_core::b64::encode(n), "e": "AQAB"})
}

#[test]
fn rsa_keys_under_2048_bits_are_refused() {
    let header = json!({"typ": "jwt+pop", "alg": "RS256", "jwk": rsa_1024()});
    let err = pop_verifier()
        .verify_now(&unsigned(&header, &pop_claims(), &[1; 128]))
        .unwrap_err();
    assert!(
        matches!(
            err,
            E2ePopError::EmbeddedKeyInvalid(jose_core::jwk::KeyError::RsaKeyTooSmall {
                bits: 1024,
                ..
            })
        ),
        "{err:?}"
    );
    // In the OP's JWK Set the key is set aside when the set is read; its kid is then unusable.
    let mut small = rsa_1024();
    small["kid"] = json!("rsa-old");
    let jwks = JwkSet::from_json(json!({"keys": [small]}).to_string()).unwrap();
    let header = json!({"typ": "jwt+ict", "alg": "RS256", "kid": "rsa-old"});
    let err = IctVerifier::new(OpJwks::new(OP, jwks), RequiredContexts::all(["email"]))
        .now(at(T0 + 10))
        .verify_now(&unsigned(&header, &ict_claims(), &[1; 128]))
        .unwrap_err();
    assert!(matches!(err, E2ePopError::KeyUnusable { .. }), "{err:?}");
}

// --- Signature and key binding ------------------------------------------------------------

#[test]
fn a_tampered_signature_or_payload_is_refused() {
    let token = good_e2e();
    let (head, sig) = token.rsplit_once('.').unwrap();
    let mut bytes = jose_core::b64::decode(sig).unwrap();
    bytes[10] ^= 1;
    let forged = format!("{head}.{}", jose_core::b64::encode(&bytes));
    assert_eq!(
        e2e_alone(&forged).unwrap_err(),
        E2ePopError::SignatureInvalid
    );

    let parts: Vec<&str> = token.split('.').collect();
    let other = jose_core::b64::encode(set(e2e_claims(), "sub", json!("mallory")).to_string());
    let forged = format!("{}.{other}.{}", parts[0], parts[2]);
    assert_eq!(
        e2e_alone(&forged).unwrap_err(),
        E2ePopError::SignatureInvalid
    );
    // A signature of the wrong size is malformed rather than wrong.
    let short = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        jose_core::b64::encode([1u8; 64])
    );
    assert!(matches!(
        e2e_alone(&short),
        Err(E2ePopError::SignatureMalformed(_))
    ));
}

#[test]
fn jkt_missing_or_wrong_is_refused() {
    let err = pair(
        &good_ict(),
        &e2e_with(&remove(e2e_header(), "jkt"), &e2e_claims()),
    )
    .unwrap_err();
    assert_eq!(err.root(), &E2ePopError::JktMissing);
    assert_eq!(err.token(), Some(TokenKind::E2ePop));

    let other = Jwk::generate(JwsAlgorithm::ES384)
        .unwrap()
        .to_public()
        .unwrap();
    let wrong = jwk_thumbprint::thumbprint_b64(&other, jwk_thumbprint::ThumbprintHash::Sha256);
    let err = pair(
        &good_ict(),
        &e2e_with(&set(e2e_header(), "jkt", json!(wrong)), &e2e_claims()),
    )
    .unwrap_err();
    assert_eq!(err.root(), &E2ePopError::JktMismatch);
    let err = e2e_alone(&e2e_with(
        &set(e2e_header(), "jkt", json!(42)),
        &e2e_claims(),
    ))
    .unwrap_err();
    assert_eq!(err, E2ePopError::JktMismatch);
}

#[test]
fn ict_kid_missing_or_unknown_is_refused() {
    let token = raw(
        &remove(ict_header(), "kid"),
        &ict_claims().to_string(),
        op(),
    );
    assert_eq!(
        ict_verifier().verify_now(&token).unwrap_err(),
        E2ePopError::KidMissing
    );
    let token = raw(
        &set(ict_header(), "kid", json!("op-2")),
        &ict_claims().to_string(),
        op(),
    );
    assert_eq!(
        ict_verifier().verify_now(&token).unwrap_err(),
        E2ePopError::UnknownKid { kid: "op-2".into() }
    );
}

#[test]
fn an_ict_from_an_untrusted_issuer_is_refused_before_any_key_is_used() {
    let token = ict_with(&set(ict_claims(), "iss", json!("https://evil.example")));
    assert_eq!(
        ict_verifier().verify_now(&token).unwrap_err(),
        E2ePopError::UntrustedIssuer {
            iss: "https://evil.example".into()
        }
    );
}

#[test]
fn cnf_missing_null_or_without_jwk_is_refused() {
    let err = ict_verifier()
        .verify_now(&ict_with(&remove(ict_claims(), "cnf")))
        .unwrap_err();
    assert_eq!(err, E2ePopError::Claim(ClaimError::missing("cnf")));
    for cnf in [
        json!(null),
        json!({}),
        json!("x"),
        json!({"jwk": null}),
        json!({"jkt": jkt()}),
    ] {
        let err = ict_verifier()
            .verify_now(&ict_with(&set(ict_claims(), "cnf", cnf.clone())))
            .unwrap_err();
        assert_eq!(err, E2ePopError::CnfMissing, "{cnf}");
    }
}

#[test]
fn cnf_jwk_must_be_a_public_signature_key() {
    let private = client().jwk().to_json_value();
    let err = ict_verifier()
        .verify_now(&ict_with(&set(
            ict_claims(),
            "cnf",
            json!({"jwk": private}),
        )))
        .unwrap_err();
    assert_eq!(err, E2ePopError::CnfPrivateKey);
    // A P-256 key published for key agreement only.
    let agreement = Jwk::generate(jose_core::alg::KeyManagementAlgorithm::EcdhEs)
        .unwrap()
        .to_public()
        .unwrap();
    for jwk in [
        json!({"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}),
        json!({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}),
        json!({"kty": "OKP", "crv": "X25519", "x": jose_core::b64::encode([9u8; 32])}),
        Value::Object(agreement.to_json_value()),
    ] {
        let err = ict_verifier()
            .verify_now(&ict_with(&set(ict_claims(), "cnf", json!({"jwk": jwk}))))
            .unwrap_err();
        assert!(matches!(err, E2ePopError::CnfInvalid(_)), "{jwk}: {err:?}");
    }
}

#[test]
fn pop_token_jwk_must_be_present_and_public() {
    let private = client().jwk().to_json_value();
    let header = set(pop_header(), "jwk", Value::Object(private));
    let err = pop_verifier()
        .verify_now(&unsigned(&header, &pop_claims(), &[1; 96]))
        .unwrap_err();
    assert_eq!(err, E2ePopError::EmbeddedKeyPrivate);
    let err = pop_verifier()
        .verify_now(&raw(
            &remove(pop_header(), "jwk"),
            &pop_claims().to_string(),
            client(),
        ))
        .unwrap_err();
    assert_eq!(err, E2ePopError::EmbeddedKeyMissing);
}

// --- Claims -----------------------------------------------------------------------------

#[test]
fn ctx_may_be_a_string_or_an_array_of_strings() {
    for ctx in [json!("email"), json!(["email"]), json!(["chat", "email"])] {
        let verified = ict_verifier()
            .verify_now(&ict_with(&set(ict_claims(), "ctx", ctx.clone())))
            .unwrap();
        assert!(verified.claims().ctx.contains("email"), "{ctx}");
    }
    for ctx in [
        json!(null),
        json!(7),
        json!(["email", 7]),
        json!({"email": true}),
    ] {
        let err = ict_verifier()
            .verify_now(&ict_with(&set(ict_claims(), "ctx", ctx.clone())))
            .unwrap_err();
        assert_eq!(
            err,
            E2ePopError::Claim(ClaimError::invalid(
                "ctx",
                "must be a string or an array of strings"
            )),
            "{ctx}"
        );
    }
}

#[test]
fn a_missing_required_context_is_refused() {
    for ctx in [json!(["instant_messaging"]), json!([])] {
        let err = ict_verifier()
            .verify_now(&ict_with(&set(ict_claims(), "ctx", ctx)))
            .unwrap_err();
        assert!(
            matches!(err, E2ePopError::ContextMissing { ref missing, .. } if missing == "email")
        );
    }
    // Every required context must be present.
    let err = ict_verifier()
        .require_context("video_conferencing")
        .verify_now(&good_ict())
        .unwrap_err();
    assert_eq!(err.code(), "ctx");
    // "No context required" must be said explicitly: an empty list is not that.
    let err = IctVerifier::new(op_keys(), RequiredContexts::all(Vec::<String>::new()))
        .now(at(T0))
        .verify_now(&good_ict())
        .unwrap_err();
    assert!(matches!(err, E2ePopError::Config(_)));
    assert!(
        IctVerifier::new(op_keys(), RequiredContexts::Any)
            .now(at(T0))
            .verify_now(&good_ict())
            .is_ok()
    );
}

#[test]
fn e2e_sub_must_be_the_ict_sub() {
    let err = pair(
        &good_ict(),
        &e2e_with(&e2e_header(), &set(e2e_claims(), "sub", json!("987"))),
    )
    .unwrap_err();
    assert_eq!(err.root(), &E2ePopError::SubjectNotBound);
}

#[test]
fn e2e_iss_must_be_the_ict_aud() {
    let err = pair(
        &good_ict(),
        &e2e_with(&e2e_header(), &set(e2e_claims(), "iss", json!("other"))),
    )
    .unwrap_err();
    assert_eq!(err.root(), &E2ePopError::ClientNotBound);
    // Without aud in the ICT, any client is accepted unless one is required.
    let ict = ict_with(&remove(ict_claims(), "aud"));
    let e2e = e2e_with(&e2e_header(), &set(e2e_claims(), "iss", json!("other")));
    assert!(pair(&ict, &e2e).is_ok());
    let err = verify_pair_now(&ict, &e2e, &policy().expected_client(CLIENT)).unwrap_err();
    assert!(matches!(err.root(), E2ePopError::IssuerMismatch { .. }));
}

#[test]
fn aud_must_contain_one_of_the_expected_values() {
    let e2e = e2e_with(&e2e_header(), &set(e2e_claims(), "aud", json!(["a", "b"])));
    assert_eq!(
        pair(&good_ict(), &e2e).unwrap_err().root(),
        &E2ePopError::AudienceMismatch
    );
    // Any of the expected values in any of the token's values.
    let e2e = e2e_with(
        &e2e_header(),
        &set(e2e_claims(), "aud", json!(["a", SESSION])),
    );
    assert!(pair(&good_ict(), &e2e).is_ok());
    assert!(verify_pair_now(&good_ict(), &good_e2e(), &policy().audience("other")).is_ok());
    // The PoP token's audience is the OP.
    let pop = raw(
        &pop_header(),
        &set(pop_claims(), "aud", json!("https://other.example")).to_string(),
        client(),
    );
    assert_eq!(
        pop_verifier().verify_now(&pop).unwrap_err(),
        E2ePopError::AudienceMismatch
    );
}

#[test]
fn a_claim_present_but_null_is_invalid_and_an_absent_one_missing() {
    for name in ["sub", "iss", "jti", "exp", "iat"] {
        let err = e2e_alone(&e2e_with(
            &e2e_header(),
            &set(e2e_claims(), name, Value::Null),
        ))
        .unwrap_err();
        assert!(
            matches!(err, E2ePopError::Claim(ClaimError { claim, reason: ClaimReason::Invalid(_) }) if claim == name),
            "{name}: {err:?}"
        );
        let err = e2e_alone(&e2e_with(&e2e_header(), &remove(e2e_claims(), name))).unwrap_err();
        assert_eq!(
            err,
            E2ePopError::Claim(ClaimError::missing(Box::leak(
                name.to_owned().into_boxed_str()
            )))
        );
    }
}

#[test]
fn pop_issuer_and_subject_are_checked_when_expected() {
    let pop = raw(&pop_header(), &pop_claims().to_string(), client());
    let err = pop_verifier()
        .expected_issuer("another")
        .verify_now(&pop)
        .unwrap_err();
    assert!(matches!(err, E2ePopError::IssuerMismatch { .. }));
    let err = pop_verifier()
        .expected_subject("42")
        .verify_now(&pop)
        .unwrap_err();
    assert_eq!(err, E2ePopError::SubjectMismatch);
    // An empty expected subject is an error, not a skipped check.
    let err = pop_verifier()
        .expected_subject("")
        .verify_now(&pop)
        .unwrap_err();
    assert!(matches!(err, E2ePopError::Config(_)));
}

// --- Time -------------------------------------------------------------------------------

#[test]
fn exp_equal_to_now_is_expired() {
    let verifier = |now| E2ePopVerifier::without_replay_detection(SESSION).now(at(now));
    let token = good_e2e();
    assert!(
        verifier(T0 + 299)
            .verify_with_key_now(&token, &client_public())
            .is_ok()
    );
    let err = verifier(T0 + 300)
        .verify_with_key_now(&token, &client_public())
        .unwrap_err();
    assert_eq!(
        err,
        E2ePopError::Time(TimeError::Expired {
            exp: at(T0 + 300),
            now: at(T0 + 300)
        })
    );
    // Tolerance extends the window by its length.
    assert!(
        verifier(T0 + 300)
            .leeway(Duration::from_secs(1))
            .verify_with_key_now(&token, &client_public())
            .is_ok()
    );
}

#[test]
fn nbf_in_the_future_is_refused() {
    let token = e2e_with(&e2e_header(), &set(e2e_claims(), "nbf", json!(T0 + 20)));
    assert_eq!(
        e2e_alone(&token).unwrap_err(),
        E2ePopError::Time(TimeError::NotYetValid {
            nbf: at(T0 + 20),
            now: at(T0 + 10)
        })
    );
}

#[test]
fn iat_in_the_future_beyond_the_tolerance_is_refused() {
    let claims = remove(set(e2e_claims(), "iat", json!(T0 + 15)), "nbf");
    let token = e2e_with(&e2e_header(), &claims);
    assert_eq!(
        e2e_alone(&token).unwrap_err(),
        E2ePopError::Time(TimeError::IssuedInFuture {
            iat: at(T0 + 15),
            now: at(T0 + 10)
        })
    );
    let tolerant = E2ePopVerifier::without_replay_detection(SESSION)
        .now(at(T0 + 10))
        .leeway(Duration::from_secs(5));
    assert!(
        tolerant
            .verify_with_key_now(&token, &client_public())
            .is_ok()
    );
}

#[test]
fn iat_older_than_the_maximum_token_age_is_refused() {
    // An ICT issued 3601 s ago whose exp is still ahead.
    let claims = set(
        set(
            set(ict_claims(), "iat", json!(T0 - 3601)),
            "nbf",
            json!(T0 - 3601),
        ),
        "exp",
        json!(T0 + 100),
    );
    let err = ict_verifier().verify_now(&ict_with(&claims)).unwrap_err();
    assert_eq!(
        err,
        E2ePopError::Time(TimeError::TooOld {
            iat: at(T0 - 3601),
            max_age_seconds: 3600,
            now: at(T0 + 10)
        })
    );
    // PoP tokens: 300 s by default.
    let claims = set(
        set(pop_claims(), "iat", json!(T0 - 291)),
        "exp",
        json!(T0 + 11),
    );
    let pop = raw(&pop_header(), &claims.to_string(), client());
    assert!(matches!(
        pop_verifier().verify_now(&pop),
        Err(E2ePopError::Time(TimeError::TooOld { .. }))
    ));
    assert!(
        pop_verifier()
            .max_token_age(Duration::from_secs(600))
            .max_lifetime(Duration::from_secs(600))
            .verify_now(&pop)
            .is_ok()
    );
}

#[test]
fn a_lifetime_beyond_the_draft_limit_is_refused_unless_relaxed() {
    let token = e2e_with(&e2e_header(), &set(e2e_claims(), "exp", json!(T0 + 301)));
    assert_eq!(
        e2e_alone(&token).unwrap_err(),
        E2ePopError::Time(TimeError::LifetimeOutOfRange {
            lifetime: 301,
            max_seconds: 300
        })
    );
    let relaxed = E2ePopVerifier::without_replay_detection(SESSION)
        .now(at(T0 + 10))
        .max_lifetime(Duration::from_secs(600));
    assert!(
        relaxed
            .verify_with_key_now(&token, &client_public())
            .is_ok()
    );
    // exp before iat (with nbf absent and the tolerance covering iat).
    let ict = ict_with(&remove(
        set(
            set(ict_claims(), "iat", json!(T0 + 5)),
            "exp",
            json!(T0 + 4),
        ),
        "nbf",
    ));
    let err = IctVerifier::new(op_keys(), RequiredContexts::Any)
        .now(at(T0 + 3))
        .leeway(Duration::from_secs(5))
        .verify_now(&ict)
        .unwrap_err();
    assert_eq!(
        err,
        E2ePopError::Time(TimeError::LifetimeOutOfRange {
            lifetime: -1,
            max_seconds: 3600
        })
    );
}

// --- Replay and structure ---------------------------------------------------------------

#[test]
fn a_replayed_jti_is_refused_the_second_time() {
    let store = Arc::new(MemoryReplayStore::with_capacity(100));
    let policy = PairPolicy::new(
        op_keys(),
        RequiredContexts::all(["email"]),
        SESSION,
        store.clone(),
    )
    .now(at(T0 + 10));
    assert!(verify_pair_now(&good_ict(), &good_e2e(), &policy).is_ok());
    let err = verify_pair_now(&good_ict(), &good_e2e(), &policy).unwrap_err();
    assert_eq!(
        err.root(),
        &E2ePopError::Replay {
            token: TokenKind::E2ePop
        }
    );
    // Another jti is fresh; the ICT may be reused with it.
    let other = e2e_with(&e2e_header(), &set(e2e_claims(), "jti", json!("e2e-2")));
    assert!(verify_pair_now(&good_ict(), &other, &policy).is_ok());
    // The same jti for another audience is another token.
    let other_aud = e2e_with(
        &e2e_header(),
        &set(e2e_claims(), "aud", json!([SESSION, "x"])),
    );
    assert!(verify_pair_now(&good_ict(), &other_aud, &policy).is_ok());
    assert_eq!(store.len(), 3);

    // PoP tokens at the OP.
    let pop = raw(&pop_header(), &pop_claims().to_string(), client());
    let verifier =
        PopTokenVerifier::new(OP, Arc::new(MemoryReplayStore::with_capacity(10))).now(at(T0 + 10));
    assert!(verifier.verify_now(&pop).is_ok());
    assert_eq!(
        verifier.verify_now(&pop).unwrap_err(),
        E2ePopError::Replay {
            token: TokenKind::Pop
        }
    );
}

#[test]
fn a_full_replay_store_refuses_with_its_own_code_and_keeps_live_entries() {
    let store = Arc::new(MemoryReplayStore::with_capacity(1));
    let policy = PairPolicy::new(op_keys(), RequiredContexts::all(["email"]), SESSION, store)
        .now(at(T0 + 10));
    assert!(verify_pair_now(&good_ict(), &good_e2e(), &policy).is_ok());
    let other = e2e_with(&e2e_header(), &set(e2e_claims(), "jti", json!("e2e-2")));
    let err = verify_pair_now(&good_ict(), &other, &policy).unwrap_err();
    assert!(matches!(err.root(), E2ePopError::ReplayStore(_)), "{err}");
    assert_eq!(err.root().code(), "replay_store_full");
    let again = verify_pair_now(&good_ict(), &good_e2e(), &policy).unwrap_err();
    assert!(matches!(again.root(), E2ePopError::Replay { .. }));
}

#[test]
fn a_payload_that_is_not_an_object_is_refused() {
    for payload in ["[1,2]", "\"text\"", "42", "{\"a\":1,\"a\":2}"] {
        let token = raw(&e2e_header(), payload, client());
        assert!(
            matches!(e2e_alone(&token), Err(E2ePopError::Payload(_))),
            "{payload}"
        );
    }
}

#[test]
fn two_or_four_segments_are_malformed() {
    let token = good_e2e();
    let parts: Vec<&str> = token.split('.').collect();
    for bad in [
        format!("{}.{}", parts[0], parts[1]),
        format!("{token}.{}", parts[2]),
        String::new(),
        "...".to_owned(),
    ] {
        assert!(
            matches!(e2e_alone(&bad), Err(E2ePopError::Malformed(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn an_unknown_crit_extension_is_refused() {
    let header = set(
        set(e2e_header(), "crit", json!(["exp_ext"])),
        "exp_ext",
        json!(1),
    );
    let err = e2e_alone(&e2e_with(&header, &e2e_claims())).unwrap_err();
    assert!(matches!(err, E2ePopError::Crit(_)), "{err:?}");
}

#[test]
fn an_oversized_token_is_refused_before_decoding() {
    let token = format!("{}.{}.x", "a".repeat(70_000), "b");
    assert!(matches!(
        e2e_alone(&token),
        Err(E2ePopError::TooLarge { .. })
    ));
}

// --- Builders ---------------------------------------------------------------------------

#[test]
fn a_stated_jkt_that_disagrees_with_the_key_is_refused() {
    let builder = E2ePopTokenBuilder::new()
        .issuer(CLIENT)
        .subject(SUB)
        .audience(SESSION);
    assert_eq!(
        builder
            .clone()
            .thumbprint("AAAA")
            .build(client())
            .unwrap_err(),
        E2ePopError::JktMismatch
    );
    let token = builder.thumbprint(jkt()).build(client()).unwrap();
    assert_eq!(
        jws::unverified::decode_header(&token).unwrap().param("jkt"),
        Some(&json!(jkt()))
    );
}

#[test]
fn exp_follows_a_later_issued_at() {
    let claims = E2ePopTokenBuilder::new()
        .issuer(CLIENT)
        .subject(SUB)
        .audience(SESSION)
        .issued_at(at(1_000))
        .build_claims()
        .unwrap();
    assert_eq!(
        (claims["iat"].clone(), claims["exp"].clone()),
        (json!(1_000), json!(1_300))
    );
    let claims = PopTokenBuilder::new()
        .issuer(CLIENT)
        .subject(SUB)
        .audience(OP)
        .issued_at(at(1_000))
        .not_before_now()
        .build_claims()
        .unwrap();
    assert_eq!(
        (claims["nbf"].clone(), claims["exp"].clone()),
        (json!(1_000), json!(1_060))
    );
    let claims = IctBuilder::new()
        .issuer(OP)
        .subject(SUB)
        .confirmation(&client_public())
        .unwrap()
        .contexts(["email"])
        .issued_at(at(1_000))
        .expires_at(at(1_100))
        .build_claims()
        .unwrap();
    assert_eq!(claims["exp"], json!(1_100));
    assert!(claims.get("aud").is_none());
}

#[test]
fn initial_claims_are_kept_and_presets_fill_only_what_is_absent() {
    let claims = json!({"iss": CLIENT, "sub": SUB, "aud": ["a", "b"], "jti": "fixed", "iat": 5000, "x": {"y": 1}});
    let built = E2ePopTokenBuilder::from_claims(claims.as_object().unwrap().clone())
        .unwrap()
        .build_claims()
        .unwrap();
    assert_eq!(built["jti"], "fixed");
    assert_eq!(built["aud"], json!(["a", "b"]));
    assert_eq!(built["exp"], json!(5300));
    assert_eq!(built["x"], json!({"y": 1}));
    let err = E2ePopTokenBuilder::from_claims(json!({"iat": "now"}).as_object().unwrap().clone())
        .unwrap_err();
    assert!(matches!(
        err,
        E2ePopError::Claim(ClaimError {
            claim: "iat",
            reason: ClaimReason::Invalid(_)
        })
    ));
}

#[test]
fn request_claims_are_written_in_snake_case_and_camel_case_is_read_only_on_request() {
    let pop = PopTokenBuilder::new()
        .issuer(CLIENT)
        .subject(SUB)
        .audience(OP)
        .required_claims(["name"])
        .optional_claims(["email"])
        .with_audience(false)
        .issued_at(at(T0))
        .build(client())
        .unwrap();
    let payload: Value =
        serde_json::from_slice(&jws::unverified::decode_payload(&pop).unwrap()).unwrap();
    assert_eq!(payload["required_claims"], json!(["name"]));
    assert_eq!(payload["with_audience"], json!(false));
    assert!(payload.get("withAudience").is_none());

    let camel = set(pop_claims(), "withAudience", json!(false));
    let token = raw(&pop_header(), &camel.to_string(), client());
    let plain = pop_verifier().verify_now(&token).unwrap();
    assert_eq!(plain.claims().with_audience, None);
    assert!(plain.claims().ict_audience_requested());
    let compat = pop_verifier()
        .accept_camel_case()
        .verify_now(&token)
        .unwrap();
    assert_eq!(compat.claims().with_audience, Some(false));
    assert!(!compat.claims().ict_audience_requested());
}

#[test]
fn the_ict_for_a_pop_token_copies_sub_key_and_client() {
    let pop = raw(&pop_header(), &pop_claims().to_string(), client());
    let verified = pop_verifier().verify_now(&pop).unwrap();
    let claims = IctBuilder::for_pop_token(&verified)
        .issuer(OP)
        .contexts(["email"])
        .build_claims()
        .unwrap();
    assert_eq!(claims["sub"], SUB);
    assert_eq!(claims["aud"], CLIENT);
    assert_eq!(
        Value::Object(verified.jwk().to_json_value()),
        claims["cnf"]["jwk"]
    );
    let without = set(pop_claims(), "with_audience", json!(false));
    let verified = pop_verifier()
        .verify_now(&raw(&pop_header(), &without.to_string(), client()))
        .unwrap();
    let claims = IctBuilder::for_pop_token(&verified)
        .issuer(OP)
        .contexts(["email"])
        .build_claims()
        .unwrap();
    assert!(claims.get("aud").is_none());
}

#[test]
fn builders_refuse_incomplete_tokens_and_misused_keys() {
    let err = E2ePopTokenBuilder::new()
        .issuer(CLIENT)
        .audience(SESSION)
        .build(client())
        .unwrap_err();
    assert_eq!(
        err,
        E2ePopError::Incomplete {
            token: TokenKind::E2ePop,
            claim: "sub"
        }
    );
    let err = PopTokenBuilder::new()
        .issuer(CLIENT)
        .subject(SUB)
        .build(client())
        .unwrap_err();
    assert_eq!(
        err,
        E2ePopError::Incomplete {
            token: TokenKind::Pop,
            claim: "aud"
        }
    );
    let unnamed = SigningKey::generate(JwsAlgorithm::ES256).unwrap();
    let err = IctBuilder::new()
        .issuer(OP)
        .subject(SUB)
        .confirmation(&client_public())
        .unwrap()
        .contexts(["email"])
        .build(&unnamed)
        .unwrap_err();
    assert_eq!(err, E2ePopError::KidMissing);
    assert!(matches!(
        IctBuilder::new().confirmation(client().jwk()),
        Err(E2ePopError::Key(_))
    ));
    assert!(matches!(
        E2ePopTokenBuilder::new().claim("exp", 5),
        Err(E2ePopError::DuplicateClaim(_))
    ));
    assert!(matches!(
        PopTokenBuilder::new().claim("with_audience", true),
        Err(E2ePopError::DuplicateClaim(_))
    ));
}

/// A client key whose stated public half belongs to another key.
struct Liar;

impl Signer for Liar {
    fn algorithm(&self) -> JwsAlgorithm {
        JwsAlgorithm::ES384
    }
    fn sign(&self, input: &[u8]) -> Result<Vec<u8>, jws::JwsError> {
        client().sign(input)
    }
}

impl ClientKey for Liar {
    fn public_jwk(&self) -> Result<Jwk, E2ePopError> {
        Ok(Jwk::generate(JwsAlgorithm::ES384)
            .unwrap()
            .to_public()
            .unwrap())
    }
}

#[test]
fn a_public_key_that_does_not_verify_the_signer_is_caught_before_the_token_leaves() {
    let err = E2ePopTokenBuilder::new()
        .issuer(CLIENT)
        .subject(SUB)
        .audience(SESSION)
        .build(&Liar)
        .unwrap_err();
    assert!(matches!(err, E2ePopError::Key(_)), "{err:?}");
}

#[test]
fn error_codes_name_distinct_checks() {
    let codes = [
        E2ePopError::WrongTyp {
            expected: "x",
            found: None,
        }
        .code(),
        E2ePopError::AlgorithmNotAllowed { alg: String::new() }.code(),
        E2ePopError::SignatureInvalid.code(),
        E2ePopError::JktMissing.code(),
        E2ePopError::JktMismatch.code(),
        E2ePopError::KidMissing.code(),
        E2ePopError::CnfMissing.code(),
        E2ePopError::EmbeddedKeyPrivate.code(),
        E2ePopError::SubjectNotBound.code(),
        E2ePopError::ClientNotBound.code(),
        E2ePopError::AudienceMismatch.code(),
        E2ePopError::Claim(ClaimError::missing("x")).code(),
        E2ePopError::Claim(ClaimError::invalid("x", "y")).code(),
        E2ePopError::Time(TimeError::Expired {
            exp: at(0),
            now: at(0),
        })
        .code(),
        E2ePopError::Time(TimeError::NotYetValid {
            nbf: at(0),
            now: at(0),
        })
        .code(),
        E2ePopError::Time(TimeError::IssuedInFuture {
            iat: at(0),
            now: at(0),
        })
        .code(),
        E2ePopError::Time(TimeError::TooOld {
            iat: at(0),
            max_age_seconds: 0,
            now: at(0),
        })
        .code(),
        E2ePopError::Replay {
            token: TokenKind::Pop,
        }
        .code(),
        E2ePopError::Crit(String::new()).code(),
    ];
    let mut unique = codes.to_vec();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), codes.len());
}

/// A UUID in its canonical text form, version 4, RFC 9562 variant.
fn is_uuid_v4(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    lengths == [8, 4, 4, 4, 12]
        && s.chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
        && groups[2].starts_with('4')
        && groups[3].starts_with(['8', '9', 'a', 'b'])
}

#[test]
fn default_jti_is_a_fresh_uuid_v4_and_default_iat_is_the_build_time() {
    let build = || {
        let before = NumericDate::now().seconds();
        let token = E2ePopTokenBuilder::new()
            .issuer(CLIENT)
            .subject(SUB)
            .audience(SESSION)
            .build(client())
            .unwrap();
        let after = NumericDate::now().seconds();
        let payload = jws::unverified::decode_payload(&token).unwrap();
        let claims: Value = serde_json::from_slice(&payload).unwrap();
        (claims, before, after)
    };
    let (first, before, after) = build();
    let jti = first["jti"].as_str().unwrap();
    assert!(is_uuid_v4(jti), "{jti}");
    let iat = first["iat"].as_i64().unwrap();
    // Read from the clock at build time: between the readings taken around the build.
    assert!(
        (before..=after).contains(&iat),
        "{before} <= {iat} <= {after}"
    );
    assert_eq!(
        first["exp"].as_i64().unwrap() - iat,
        i64::try_from(TokenKind::E2ePop.default_lifetime().as_secs()).unwrap()
    );
    // Each build draws a new jti.
    let (second, _, _) = build();
    assert_ne!(second["jti"], first["jti"]);
    assert!(is_uuid_v4(second["jti"].as_str().unwrap()));
    // The ICT and the PoP token draw theirs the same way.
    let ict = IctBuilder::new()
        .issuer(OP)
        .subject(SUB)
        .confirmation(&client_public())
        .unwrap()
        .contexts(["email"])
        .build(op())
        .unwrap();
    let claims: Value =
        serde_json::from_slice(&jws::unverified::decode_payload(&ict).unwrap()).unwrap();
    assert!(is_uuid_v4(claims["jti"].as_str().unwrap()));
}
