//! Properties: what the builders make, the verifiers accept with the same content; any change
//! to a token is refused without a panic; parsers never panic on arbitrary input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::VerifyNow;

use common::*;
use jose_core::jwk::JwkSet;
use proptest::prelude::*;
use signing_challenge::{
    ChallengeCode, ChallengeVerifier, DocHash, ResponseVerifier, Session, SignRef,
    SignedChallengeBuilder, UserSignature,
};

fn digest() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 32),
        proptest::collection::vec(any::<u8>(), 48),
        proptest::collection::vec(any::<u8>(), 64),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn challenges_round_trip(
        uuid in any::<[u8; 16]>(),
        hash in digest(),
        code in 0u32..1_000_000,
        nonce in "[A-Za-z0-9_-]{1,64}",
        hss_nonce in "[A-Za-z0-9_-]{1,64}",
        upper in any::<bool>(),
    ) {
        let sign_ref_text = uuid::Uuid::from_bytes(uuid).hyphenated().to_string();
        let sign_ref: SignRef = if upper { sign_ref_text.to_ascii_uppercase() } else { sign_ref_text.clone() }
            .parse()
            .unwrap();
        prop_assert_eq!(sign_ref.to_string(), sign_ref_text);
        let doc_hash = DocHash::from_digest(&hash).unwrap();
        let code: ChallengeCode = format!("{code:06}").parse().unwrap();
        let token = SignedChallengeBuilder::new()
            .sign_ref(sign_ref)
            .doc_hash(doc_hash.clone())
            .challenge_code(code.clone())
            .nonce(nonce.clone())
            .hss_nonce(hss_nonce.clone())
            .issued_at(T)
            .sign(&asp())
            .unwrap();
        let session = Session::new().sign_ref(sign_ref).nonce(nonce).doc_hash(doc_hash.clone()).challenge_code(code.clone());
        let verified = ChallengeVerifier::new(JwkSet::new(vec![asp().public_jwk().unwrap()]).unwrap())
            .now(T)
            .verify(&token, &session)
            .unwrap();
        prop_assert_eq!(&verified.claims().doc_hash, &doc_hash);
        prop_assert_eq!(&verified.claims().challenge_code, &code);
        prop_assert_eq!(&verified.claims().hss_nonce, &hss_nonce);
    }

    #[test]
    fn user_signatures_round_trip_through_hex(hash in digest(), p384 in any::<bool>()) {
        let key = if p384 { user_p384() } else { user_p256() };
        let doc_hash = DocHash::from_digest(&hash).unwrap();
        let sig = UserSignature::sign(&doc_hash, &key).unwrap();
        let back: UserSignature = sig.to_hex().to_ascii_uppercase().parse().unwrap();
        prop_assert_eq!(&back, &sig);
        prop_assert!(back.verify(&doc_hash, &key.to_public().unwrap()).is_ok());
        let mut other = hash.clone();
        other[0] ^= 1;
        let other = DocHash::from_digest(&other).unwrap();
        prop_assert!(back.verify(&other, &key.to_public().unwrap()).is_err());
    }

    #[test]
    fn any_change_to_a_response_is_refused(
        position in any::<prop::sample::Index>(),
        replacement in "[A-Za-z0-9_.=+/ -]",
    ) {
        let token = response_builder(good_chain(), &user_p256())
            .sign(&user_signer(&user_p256()))
            .unwrap();
        let verifier = ResponseVerifier::without_replay_detection(anchors()).now(T + 1);
        let session = service_session(&pki().leaf_p256);
        prop_assert!(verifier.verify_now(&token, &session).is_ok());
        let i = position.index(token.len());
        let mut changed = token.clone();
        changed.replace_range(i..=i, &replacement);
        prop_assume!(changed != token);
        prop_assert!(verifier.verify_now(&changed, &session).is_err());
    }

    #[test]
    fn parsers_never_panic(text in any::<String>()) {
        let _ = text.parse::<SignRef>();
        let _ = text.parse::<DocHash>();
        let _ = text.parse::<ChallengeCode>();
        let _ = text.parse::<UserSignature>();
        let _ = signing_challenge::pem_certificates(&text);
        let verifier = ResponseVerifier::without_replay_detection(anchors()).partial_session();
        prop_assert!(verifier.verify_now(&text, &Session::new()).is_err());
    }
}
