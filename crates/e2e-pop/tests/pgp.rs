//! The demo's PGP extension (feature `pgp`): `pgp_fingerprint` and `ict_jti` in the E2E PoP
//! token.

#![cfg(feature = "pgp")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod support;
use e2e_pop::RequiredContexts;
use e2e_pop::pgp::PgpFingerprint;
use e2e_pop::{E2ePopError, E2ePopTokenBuilder, IctBuilder, NumericDate, OpJwks, PairPolicy};
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use serde_json::Value;
use support::*;

const T0: i64 = 1_800_000_000;
const FP: &str = "0123456789ABCDEF0123456789ABCDEF01234567";

struct Setup {
    op: SigningKey,
    client: SigningKey,
    ict: String,
}

fn setup() -> Setup {
    let op = SigningKey::new(
        Jwk::generate(JwsAlgorithm::ES384).unwrap().with_kid("op"),
        JwsAlgorithm::ES384,
    )
    .unwrap();
    let client = SigningKey::generate(JwsAlgorithm::ES384).unwrap();
    let ict = IctBuilder::new()
        .issuer("https://op.example")
        .subject("alice")
        .confirmation(&client.public_jwk().unwrap())
        .unwrap()
        .contexts(["email"])
        .jti("ict-1")
        .issued_at(NumericDate::from_seconds(T0))
        .build(&op)
        .unwrap();
    Setup { op, client, ict }
}

fn policy(s: &Setup) -> PairPolicy<OpJwks> {
    PairPolicy::without_replay_detection(
        OpJwks::new(
            "https://op.example",
            JwkSet::new(vec![s.op.public_jwk().unwrap()]).unwrap(),
        ),
        RequiredContexts::all(["email"]),
        "bob@mail.example",
    )
    .now(NumericDate::from_seconds(T0 + 5))
}

fn e2e(s: &Setup, fp: Option<&str>, ict_jti: Option<&str>) -> String {
    let mut b = E2ePopTokenBuilder::new()
        .issuer("oidc2-demo")
        .subject("alice")
        .audience("bob@mail.example")
        .issued_at(NumericDate::from_seconds(T0));
    if let Some(fp) = fp {
        b = b.pgp_fingerprint(&fp.parse().unwrap());
    }
    if let Some(j) = ict_jti {
        b = b.ict_jti(j);
    }
    b.build(&s.client).unwrap()
}

#[test]
fn the_fingerprint_is_written_in_upper_case_and_compared_case_insensitively() {
    let s = setup();
    let token = e2e(&s, Some(&FP.to_ascii_lowercase()), None);
    let claims: Value =
        serde_json::from_slice(&jws::unverified::decode_payload(&token).unwrap()).unwrap();
    assert_eq!(claims["pgp_fingerprint"], FP);
    let fp: PgpFingerprint = FP.to_ascii_lowercase().parse().unwrap();
    let policy = policy(&s).map_e2e(|v| v.require_pgp_fingerprint(&fp));
    assert!(verify_pair_now(&s.ict, &token, &policy).is_ok());
}

#[test]
fn a_missing_or_different_fingerprint_is_refused() {
    let s = setup();
    let fp: PgpFingerprint = FP.parse().unwrap();
    let policy = policy(&s).map_e2e(|v| v.require_pgp_fingerprint(&fp));
    let err = verify_pair_now(&s.ict, &e2e(&s, None, None), &policy).unwrap_err();
    assert_eq!(err.root(), &E2ePopError::PgpFingerprintMissing);
    let other = "F".repeat(40);
    let err = verify_pair_now(&s.ict, &e2e(&s, Some(&other), None), &policy).unwrap_err();
    assert_eq!(err.root(), &E2ePopError::PgpFingerprintMismatch);
    assert!("0123".parse::<PgpFingerprint>().is_err());
    assert!("G".repeat(40).parse::<PgpFingerprint>().is_err());
}

#[test]
fn ict_jti_must_name_the_paired_ict_when_required() {
    let s = setup();
    let policy = policy(&s).map_e2e(|v| v.require_ict_jti());
    assert!(verify_pair_now(&s.ict, &e2e(&s, None, Some("ict-1")), &policy).is_ok());
    for jti in [None, Some("ict-2")] {
        let err = verify_pair_now(&s.ict, &e2e(&s, None, jti), &policy).unwrap_err();
        assert_eq!(err.root(), &E2ePopError::IctJtiMismatch);
    }
    // Not required: absent is fine.
    assert!(verify_pair_now(&s.ict, &e2e(&s, None, None), &self::policy(&s)).is_ok());
}
