//! The signed response end to end with a test CA: the positive flow, and each check of the
//! service's checklist failing on its own.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::*;
use jws::SigningKey;
use jwt_claims::{ClaimError, ClaimReason};
use replay_store::MemoryReplayStore;
use serde_json::{Value, json};
use signing_challenge::{
    ChainLimits, DocHash, ExpInterpretation, ResponseVerifier, Session, SigningChallengeError as E,
    TrustAnchors, UserSignature,
};
use std::sync::Arc;
use std::time::Duration;

fn verifier() -> ResponseVerifier {
    ResponseVerifier::without_replay_detection(anchors()).now(T + 1)
}

fn user() -> SigningKey {
    user_signer(&user_p256())
}

fn good_token() -> String {
    response_builder(good_chain(), &user_p256())
        .sign(&user())
        .unwrap()
}

fn session() -> Session {
    service_session(&pki().leaf_p256)
}

fn verify(token: &str) -> Result<signing_challenge::VerifiedResponse, E> {
    verifier().verify_now(token, &session())
}

fn b64(der: &[u8]) -> Value {
    Value::String(jose_core::b64::encode_standard(der))
}

fn header() -> Value {
    json!({"alg": "ES256", "x5c": [b64(&pki().leaf_p256), b64(&pki().ica)]})
}

fn claims() -> Value {
    let token = good_token();
    serde_json::from_slice(&jws::unverified::decode_payload(&token).unwrap()).unwrap()
}

/// A token with exactly this header and these claims, signed by `key`.
fn raw(header: &Value, claims: &Value, key: &SigningKey) -> String {
    jws::compact::CompactSign::new(claims.to_string().as_bytes())
        .protected_json(header.to_string())
        .sign(key)
        .unwrap()
}

/// A token with this header and claims and an arbitrary signature.
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

fn chain_header(chain: &[&[u8]]) -> Value {
    json!({"alg": "ES256", "x5c": chain.iter().map(|c| b64(c)).collect::<Vec<_>>()})
}

/// The good claims signed under a header carrying `chain`, checked against a session that
/// registered the chain's leaf.
fn verify_chain(chain: &[&[u8]]) -> Result<signing_challenge::VerifiedResponse, E> {
    let token = raw(&chain_header(chain), &claims(), &user());
    verifier().verify_now(&token, &service_session(chain[0]))
}

#[test]
fn a_response_from_the_registered_certificate_verifies() {
    let verified = verify(&good_token()).unwrap();
    assert_eq!(verified.claims().ff_id, FF_ID);
    assert_eq!(verified.claims().exp, T + 4);
    assert_eq!(verified.claims().timestamp, T * 1000 + 500);
    assert_eq!(verified.chain().len(), 2);
    assert!(
        verified
            .leaf_key()
            .same_key(&user_p256().to_public().unwrap())
    );
    // The header carries alg and x5c, never `algo` (a misspelling some descriptions use).
    let header = jws::unverified::decode_header(&good_token()).unwrap();
    assert!(header.param("algo").is_none());
    assert_eq!(header.x5c().unwrap().len(), 2);
}

#[test]
fn the_anchor_may_also_be_sent_in_the_chain_or_be_the_intermediate() {
    assert!(verify_chain(&[&pki().leaf_p256, &pki().ica, &pki().root]).is_ok());
    let ica_anchor = TrustAnchors::new().with_der(&pki().ica).unwrap();
    let token = raw(&chain_header(&[&pki().leaf_p256]), &claims(), &user());
    assert!(
        ResponseVerifier::without_replay_detection(ica_anchor)
            .now(T + 1)
            .verify_now(&token, &session())
            .is_ok()
    );
    // Without the intermediate and with only the root as anchor: the chain does not reach it.
    let token = raw(&chain_header(&[&pki().leaf_p256]), &claims(), &user());
    assert_eq!(verify(&token).unwrap_err(), E::UntrustedChain);
}

#[test]
fn a_p384_user_needs_es384_to_be_enabled() {
    let p384 = user_signer(&user_p384());
    let token = response_builder(
        vec![pki().leaf_p384.clone(), pki().ica.clone()],
        &user_p384(),
    )
    .sign(&p384)
    .unwrap();
    let session = service_session(&pki().leaf_p384);
    let err = verifier().verify_now(&token, &session).unwrap_err();
    assert_eq!(
        err,
        E::AlgorithmNotAllowed {
            alg: "ES384".into()
        }
    );
    let verified = verifier()
        .allow_es384()
        .verify_now(&token, &session)
        .unwrap();
    // A P-384 key signing the 32-byte document hash.
    assert_eq!(verified.claims().doc_hash.as_bytes().len(), 32);
}

#[test]
fn a_96_byte_signature_labelled_es256_is_refused() {
    // The shape of the service's staging sample: alg ES256 over a P-384-sized signature.
    let token = unsigned(&header(), &claims(), &[0x42; 96]);
    assert!(matches!(verify(&token), Err(E::SignatureMalformed(_))));
    // A DER-encoded signature is refused the same way.
    let der = UserSignature::sign(&doc_hash(), &user_p256()).unwrap();
    let token = unsigned(&header(), &claims(), der.as_der());
    assert!(matches!(verify(&token), Err(E::SignatureMalformed(_))));
}

#[test]
fn es256_with_the_p384_certificate_is_a_key_mismatch() {
    let h = chain_header(&[&pki().leaf_p384, &pki().ica]);
    let token = unsigned(&h, &claims(), &[1; 64]);
    let err = verifier()
        .verify_now(&token, &service_session(&pki().leaf_p384))
        .unwrap_err();
    assert!(matches!(err, E::KeyMismatch { .. }), "{err:?}");
}

#[test]
fn a_jws_signed_by_another_key_than_the_leaf_is_refused() {
    let other = SigningKey::from_jwk(p256_jwk("someone else")).unwrap();
    let token = raw(&header(), &claims(), &other);
    assert_eq!(verify(&token).unwrap_err(), E::SignatureInvalid);
    // And the builder refuses to produce one.
    let err = response_builder(good_chain(), &user_p256())
        .sign(&other)
        .unwrap_err();
    assert!(matches!(err, E::Key(_)));
}

#[test]
fn header_rules() {
    let token = raw(&without(header(), "x5c"), &claims(), &user());
    assert_eq!(verify(&token).unwrap_err(), E::X5cInvalid("missing"));
    for name in ["jwk", "jku", "x5u"] {
        let value = match name {
            "jwk" => Value::Object(user_p256().to_public().unwrap().to_json_value()),
            _ => json!("https://keys.example"),
        };
        let token = unsigned(&with(header(), name, value), &claims(), &[1; 64]);
        assert_eq!(
            verify(&token).unwrap_err(),
            E::ForbiddenHeader(name),
            "{name}"
        );
    }
    // typ: absent or JWT.
    let token = raw(&with(header(), "typ", json!("JWT")), &claims(), &user());
    assert!(verify(&token).is_ok());
    let token = raw(
        &with(header(), "typ", json!("jwt+e2epop")),
        &claims(),
        &user(),
    );
    assert!(matches!(verify(&token), Err(E::WrongTyp(_))));
    // crit: nothing is understood.
    let h = with(with(header(), "crit", json!(["ext"])), "ext", json!(1));
    assert!(matches!(
        verify(&raw(&h, &claims(), &user())),
        Err(E::Crit(_))
    ));
}

#[test]
fn the_seeds_algo_is_never_read_as_alg() {
    // `algo` instead of `alg`: no algorithm.
    let h = json!({"algo": "ES256", "x5c": header()["x5c"].clone()});
    let token = unsigned(&h, &claims(), &[1; 64]);
    assert_eq!(
        verify(&token).unwrap_err(),
        E::AlgorithmNotAllowed { alg: String::new() }
    );
    // `algo` next to `alg`: ignored, or refused with strict headers.
    let h = with(header(), "algo", json!("ES256"));
    let token = raw(&h, &claims(), &user());
    assert!(verify(&token).is_ok());
    let err = verifier()
        .strict_headers()
        .verify_now(&token, &session())
        .unwrap_err();
    assert_eq!(err, E::UnexpectedHeader("algo".into()));
}

#[test]
fn alg_none_and_hs256_are_refused() {
    for alg in ["none", "HS256", "ES512", "RS256"] {
        let token = unsigned(&with(header(), "alg", json!(alg)), &claims(), &[1; 64]);
        assert!(
            matches!(verify(&token), Err(E::AlgorithmNotAllowed { .. })),
            "{alg}"
        );
    }
}

/// Signs exactly these header and claims texts (even ones the JWS builder would refuse).
fn signed_text(header: &Value, claims: &Value, key: &SigningKey) -> String {
    use jws::Signer;
    let input = format!(
        "{}.{}",
        jose_core::b64::encode(header.to_string()),
        jose_core::b64::encode(claims.to_string())
    );
    let sig = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", jose_core::b64::encode(sig))
}

#[test]
fn x5c_as_a_lone_string_is_accepted_only_when_lenient() {
    let h = json!({"alg": "ES256", "x5c": b64(&pki().leaf_p256)});
    let token = signed_text(&h, &claims(), &user());
    assert!(matches!(verify(&token), Err(E::X5cInvalid(_))));
    // The lenient reader normalises it to a one-element chain (here the intermediate is the
    // anchor).
    let ica_anchor = TrustAnchors::new().with_der(&pki().ica).unwrap();
    let verified = ResponseVerifier::without_replay_detection(ica_anchor)
        .now(T + 1)
        .lenient()
        .verify_now(&token, &session())
        .unwrap();
    assert_eq!(verified.chain().len(), 1);
}

#[test]
fn chain_length_and_certificate_size_are_bounded() {
    let long = [
        &pki().leaf_p256[..],
        &pki().ica,
        &pki().root,
        &pki().root,
        &pki().root,
    ];
    assert_eq!(
        verify_chain(&long).unwrap_err(),
        E::ChainTooLong { len: 5, max: 4 }
    );
    let small = ChainLimits {
        max_cert_bytes: pki().leaf_p256.len() - 1,
        ..ChainLimits::default()
    };
    let err = verifier()
        .chain_limits(small)
        .verify_now(&good_token(), &session())
        .unwrap_err();
    assert!(
        matches!(err, E::CertificateInvalid { index: 0, .. }),
        "{err:?}"
    );
    // A whole token is at most 16 KiB, which with x5c's double encoding bounds the chain to
    // about 9 KiB of DER.
    let big = vec![0x30u8; 9 << 10];
    let h = chain_header(&[&pki().leaf_p256, &big]);
    assert!(matches!(
        verify(&unsigned(&h, &claims(), &[1; 64])),
        Err(E::TooLarge { .. })
    ));
    let err = verify_chain(&[&pki().leaf_p256, b"\x30\x03\x02\x01\x01"]).unwrap_err();
    assert!(
        matches!(err, E::CertificateInvalid { index: 1, .. }),
        "{err:?}"
    );
}

#[test]
fn the_leaf_must_be_the_certificate_registered_for_the_session() {
    let session = service_session(&pki().leaf_p384);
    assert_eq!(
        verifier().verify_now(&good_token(), &session).unwrap_err(),
        E::CertNotBoundToSession
    );
}

#[test]
fn ff_id_must_be_the_registered_device() {
    let session = session().ff_id("ff-other-device");
    assert_eq!(
        verifier().verify_now(&good_token(), &session).unwrap_err(),
        E::FfIdMismatch
    );
}

#[test]
fn an_expired_certificate_is_refused_at_the_signing_instant() {
    let err = verify_chain(&[&pki().leaf_expired, &pki().ica]).unwrap_err();
    assert!(
        matches!(err, E::CertificateNotValidAt { index: 0, at, .. } if at == T),
        "{err:?}"
    );
}

#[test]
fn a_certificate_not_signed_by_its_issuer_is_refused() {
    let err = verify_chain(&[&pki().leaf_forged, &pki().ica]).unwrap_err();
    assert_eq!(err, E::CertificateSignatureInvalid { index: 0 });
}

#[test]
fn issuers_must_be_certificate_authorities() {
    let err = verify_chain(&[&pki().leaf_under_not_ca, &pki().ica_not_ca]).unwrap_err();
    assert_eq!(
        err,
        E::NotACa {
            index: 1,
            reason: "no basic constraints"
        }
    );
    // The ICA allows no intermediate below it.
    let err = verify_chain(&[&pki().leaf_under_ica2, &pki().ica2, &pki().ica]).unwrap_err();
    assert_eq!(
        err,
        E::NotACa {
            index: 2,
            reason: "path length constraint exceeded"
        }
    );
}

#[test]
fn an_rsa_intermediate_is_validated_with_pkcs1_signatures() {
    let verified = verify_chain(&[&pki().leaf_under_rsa, &pki().ica_rsa]).unwrap();
    assert_eq!(verified.chain().len(), 2);
    // One bit of the leaf's RSA signature flipped.
    let mut forged = pki().leaf_under_rsa.clone();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    let err = verify_chain(&[&forged, &pki().ica_rsa]).unwrap_err();
    assert_eq!(err, E::CertificateSignatureInvalid { index: 0 });
}

#[test]
fn a_chain_must_lead_to_a_trust_anchor() {
    let err = verify_chain(&[&pki().leaf_other, &pki().other_root]).unwrap_err();
    assert_eq!(err, E::UntrustedChain);
    let err = verify_chain(&[&pki().leaf_p256, &pki().root]).unwrap_err();
    assert_eq!(err, E::ChainBroken { index: 0 });
    let err = ResponseVerifier::without_replay_detection(TrustAnchors::new())
        .now(T + 1)
        .verify_now(&good_token(), &session())
        .unwrap_err();
    assert_eq!(err, E::UntrustedChain);
}

#[test]
fn leaf_key_usage_and_critical_extensions_are_enforced() {
    let err = verify_chain(&[&pki().leaf_no_signature_usage, &pki().ica]).unwrap_err();
    assert_eq!(err, E::LeafKeyUsage);
    let err = verify_chain(&[&pki().leaf_critical_extension, &pki().ica]).unwrap_err();
    assert!(
        matches!(err, E::UnknownCriticalExtension { index: 0, .. }),
        "{err:?}"
    );
}

#[test]
fn session_values_are_compared() {
    let sign = |c: Value| raw(&header(), &c, &user());
    let cases = [
        (
            "sign_ref",
            json!("11111111-2222-4333-8444-555555555555"),
            E::SignRefMismatch,
        ),
        ("doc_hash", json!("aa".repeat(32)), E::DocHashMismatch),
        ("challenge_code", json!("000000"), E::ChallengeCodeMismatch),
        ("hss_nonce", json!("another-hss-nonce"), E::HssNonceMismatch),
    ];
    for (name, value, expected) in cases {
        let err = verify(&sign(with(claims(), name, value))).unwrap_err();
        assert_eq!(err, expected, "{name}");
    }
    // doc_hash is compared as bytes: upper-case hex is the same hash.
    let upper = claims()["doc_hash"].as_str().unwrap().to_ascii_uppercase();
    assert!(verify(&sign(with(claims(), "doc_hash", json!(upper)))).is_ok());
}

#[test]
fn usr_signature_must_verify_over_the_document_hash() {
    let other: DocHash = "bb".repeat(32).parse().unwrap();
    let wrong = UserSignature::sign(&other, &user_p256()).unwrap();
    let token = raw(
        &header(),
        &with(claims(), "usr_signature", json!(wrong.to_hex())),
        &user(),
    );
    assert_eq!(verify(&token).unwrap_err(), E::UserSignatureInvalid);
    // Signed by another key.
    let wrong = UserSignature::sign(&doc_hash(), &p256_jwk("someone else")).unwrap();
    let token = raw(
        &header(),
        &with(claims(), "usr_signature", json!(wrong.to_hex())),
        &user(),
    );
    assert_eq!(verify(&token).unwrap_err(), E::UserSignatureInvalid);
    // Malformed: odd length, not hex, trailing bytes, raw r||s instead of DER.
    let good = UserSignature::sign(&doc_hash(), &user_p256())
        .unwrap()
        .to_hex();
    for bad in [
        good[1..].to_owned(),
        format!("{}zz", &good[2..]),
        format!("{good}00"),
        "11".repeat(64),
    ] {
        let token = raw(
            &header(),
            &with(claims(), "usr_signature", json!(bad)),
            &user(),
        );
        assert!(
            matches!(verify(&token), Err(E::UserSignatureMalformed(_))),
            "{bad}"
        );
    }
}

#[test]
fn token_times() {
    let token = good_token();
    // Valid until exp + leeway (exclusive): T + 4 + 5.
    assert!(verifier().now(T + 8).verify_now(&token, &session()).is_ok());
    assert_eq!(
        verifier()
            .now(T + 9)
            .verify_now(&token, &session())
            .unwrap_err(),
        E::Expired {
            exp: T + 4,
            now: T + 9
        }
    );
    assert_eq!(
        verifier()
            .now(T - 5)
            .verify_now(&token, &session())
            .unwrap_err(),
        E::IssuedInFuture {
            iat: T + 1,
            now: T - 5
        }
    );
    let long = raw(&header(), &with(claims(), "exp", json!(T + 5)), &user());
    assert_eq!(
        verify(&long).unwrap_err(),
        E::LifetimeOutOfRange {
            lifetime: 4,
            max: 3
        }
    );
    assert!(
        verifier()
            .max_lifetime(Duration::from_secs(4))
            .verify_now(&long, &session())
            .is_ok()
    );
    let fractional = raw(
        &header(),
        &with(claims(), "iat", json!(T as f64 + 1.5)),
        &user(),
    );
    assert!(matches!(
        verify(&fractional),
        Err(E::Claim(ClaimError {
            claim: "iat",
            reason: ClaimReason::Invalid(_)
        }))
    ));
}

#[test]
fn relative_exp_is_read_only_with_the_compatibility_switch() {
    let token = response_builder(good_chain(), &user_p256())
        .relative_exp(true)
        .sign(&user())
        .unwrap();
    let payload: Value =
        serde_json::from_slice(&jws::unverified::decode_payload(&token).unwrap()).unwrap();
    assert_eq!(payload["exp"], json!(3));
    assert!(matches!(verify(&token), Err(E::LifetimeOutOfRange { .. })));
    for exp in [ExpInterpretation::RelativeToIat, ExpInterpretation::Auto] {
        let verified = verifier()
            .exp_interpretation(exp)
            .verify_now(&token, &session())
            .unwrap();
        assert_eq!(verified.claims().exp, T + 4);
    }
    // Auto still reads a NumericDate as one.
    assert!(
        verifier()
            .exp_interpretation(ExpInterpretation::Auto)
            .verify_now(&good_token(), &session())
            .is_ok()
    );
}

#[test]
fn timestamp_must_fall_in_the_signing_window() {
    let sign = |ts: Value| raw(&header(), &with(claims(), "timestamp", ts), &user());
    // Earliest: the challenge's iat minus the leeway; latest: iat + 1 + leeway.
    assert!(verify(&sign(json!((T - 5) * 1000))).is_ok());
    assert!(matches!(
        verify(&sign(json!((T - 5) * 1000 - 1))),
        Err(E::TimestampOutOfRange { .. })
    ));
    assert!(verify(&sign(json!((T + 7) * 1000))).is_ok());
    assert!(matches!(
        verify(&sign(json!((T + 7) * 1000 + 1))),
        Err(E::TimestampOutOfRange { .. })
    ));
    // Seconds instead of milliseconds.
    assert!(matches!(
        verify(&sign(json!(T))),
        Err(E::Claim(ClaimError {
            claim: "timestamp",
            reason: ClaimReason::Invalid(_)
        }))
    ));
}

#[test]
fn one_response_per_session() {
    let store = Arc::new(MemoryReplayStore::new());
    let v = ResponseVerifier::new(anchors(), store.clone()).now(T + 1);
    assert!(v.verify_now(&good_token(), &session()).is_ok());
    assert_eq!(
        v.verify_now(&good_token(), &session()).unwrap_err(),
        E::AlreadyUsed
    );
    // Another token for the same session (a later iat) is refused too.
    let again = response_builder(good_chain(), &user_p256())
        .issued_at(T + 2)
        .sign(&user())
        .unwrap();
    assert_eq!(
        v.clone()
            .now(T + 2)
            .verify_now(&again, &session())
            .unwrap_err(),
        E::AlreadyUsed
    );
    assert_eq!(store.len(), 2, "sign_ref and hss_nonce");
}

#[test]
fn a_full_replay_store_refuses_with_its_own_code() {
    let v =
        ResponseVerifier::new(anchors(), Arc::new(MemoryReplayStore::with_capacity(1))).now(T + 1);
    let err = v.verify_now(&good_token(), &session()).unwrap_err();
    assert!(matches!(err, E::ReplayStore(_)), "{err}");
    assert_eq!(err.code(), "replay_store_full");
}

#[test]
fn the_session_values_the_checks_need_are_required() {
    let partial = Session::new().sign_ref(sign_ref());
    assert_eq!(
        verifier().verify_now(&good_token(), &partial).unwrap_err(),
        E::SessionIncomplete("hss_nonce")
    );
    assert!(
        verifier()
            .partial_session()
            .verify_now(&good_token(), &partial)
            .is_ok()
    );
}

#[test]
fn missing_and_mistyped_claims() {
    for name in [
        "sign_ref",
        "ff_id",
        "doc_hash",
        "challenge_code",
        "usr_signature",
        "iat",
        "exp",
        "hss_nonce",
        "timestamp",
    ] {
        let token = raw(&header(), &without(claims(), name), &user());
        assert_eq!(
            verify(&token).unwrap_err(),
            E::Claim(ClaimError::missing(Box::leak(
                name.to_owned().into_boxed_str()
            ))),
            "{name}"
        );
    }
    let token = raw(
        &header(),
        &with(claims(), "challenge_code", json!(482916)),
        &user(),
    );
    assert!(matches!(
        verify(&token),
        Err(E::Claim(ClaimError {
            claim: "challenge_code",
            reason: ClaimReason::Invalid(_)
        }))
    ));
    assert!(verifier().lenient().verify_now(&token, &session()).is_ok());
    let token = raw(
        &header(),
        &with(claims(), "sign_ref", json!("not-a-uuid")),
        &user(),
    );
    assert!(matches!(
        verify(&token),
        Err(E::Claim(ClaimError {
            claim: "sign_ref",
            reason: ClaimReason::Invalid(_)
        }))
    ));
    let token = raw(
        &header(),
        &with(claims(), "doc_hash", json!("abc")),
        &user(),
    );
    assert!(matches!(
        verify(&token),
        Err(E::Claim(ClaimError {
            claim: "doc_hash",
            reason: ClaimReason::Invalid(_)
        }))
    ));
    for payload in ["[]", "{\"a\":1,\"a\":1}"] {
        let token = jws::compact::CompactSign::new(payload.as_bytes())
            .protected_json(header().to_string())
            .sign(&user())
            .unwrap();
        assert!(matches!(verify(&token), Err(E::Payload(_))));
    }
}

#[test]
fn structure_limits() {
    assert!(matches!(verify("a.b"), Err(E::Malformed(_))));
    assert!(matches!(
        verify(&format!("{}.x", good_token())),
        Err(E::Malformed(_))
    ));
    assert!(matches!(
        verify(&"a".repeat(17_000)),
        Err(E::TooLarge { .. })
    ));
}

#[test]
fn the_signed_response_carries_kid_only_when_set_and_never_uses_it_for_the_key() {
    let header_of = |token: &str| jws::unverified::decode_header(token).unwrap();
    // The signer's own key id does not leak into the header: {alg, x5c}.
    let with_signer_kid = user_signer(&user_p256().with_kid("users-key"));
    let token = response_builder(good_chain(), &user_p256())
        .sign(&with_signer_kid)
        .unwrap();
    assert_eq!(header_of(&token).kid(), None);
    assert!(verify(&token).is_ok());
    // key_id sets an informational kid, emitted as given.
    let token = response_builder(good_chain(), &user_p256())
        .key_id("phone-2026")
        .sign(&user())
        .unwrap();
    assert_eq!(header_of(&token).kid(), Some("phone-2026"));
    // The key is the x5c leaf's whatever the kid says: the token verifies...
    let verified = verify(&token).unwrap();
    assert_eq!(verified.chain()[0], pki().leaf_p256);
    // ...and a kid does not make a token signed by another key acceptable.
    let other =
        user_signer(&jose_core::jwk::Jwk::generate(jose_core::alg::JwsAlgorithm::ES256).unwrap());
    let forged = raw(
        &with(header(), "kid", json!("phone-2026")),
        &claims(),
        &other,
    );
    assert!(verify(&forged).is_err());
}
