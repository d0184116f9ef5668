//! Properties: what the builders make, the verifiers accept with the same content; any change
//! to a token's text is refused, without a panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod support;
use e2e_pop::RequiredContexts;
use e2e_pop::{
    E2ePopTokenBuilder, IctBuilder, NumericDate, OpJwks, PairPolicy, PopTokenBuilder,
    PopTokenVerifier,
};
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use proptest::prelude::*;
use std::sync::OnceLock;
use support::*;

const T0: i64 = 1_800_000_000;

fn op() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        SigningKey::new(
            Jwk::generate(JwsAlgorithm::ES256).unwrap().with_kid("op"),
            JwsAlgorithm::ES256,
        )
        .unwrap()
    })
}

fn client() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate(JwsAlgorithm::EdDSA).unwrap())
}

fn keys() -> OpJwks {
    OpJwks::new(
        "https://op.example",
        JwkSet::new(vec![op().public_jwk().unwrap()]).unwrap(),
    )
}

/// Identifiers without ':' (StringOrURI: a string with ':' must be a URI).
fn ident() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._~ -]{1,24}"
}

fn pair_tokens(
    client_id: &str,
    sub: &str,
    aud: &[String],
    contexts: &[String],
    name: &str,
) -> (String, String) {
    let ict = IctBuilder::new()
        .issuer("https://op.example")
        .subject(sub)
        .audience(client_id)
        .confirmation(&client().public_jwk().unwrap())
        .unwrap()
        .contexts(contexts.iter().cloned())
        .claim("name", name)
        .unwrap()
        .issued_at(NumericDate::from_seconds(T0))
        .build(op())
        .unwrap();
    let e2e = E2ePopTokenBuilder::new()
        .issuer(client_id)
        .subject(sub)
        .audiences(aud.iter().cloned())
        .issued_at(NumericDate::from_seconds(T0))
        .not_before_now()
        .build(client())
        .unwrap();
    (ict, e2e)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_built_pair_verifies_with_its_content(
        client_id in ident(),
        sub in ident(),
        aud in proptest::collection::vec(ident(), 1..4),
        contexts in proptest::collection::vec("[a-z_]{1,12}", 1..4),
        name in any::<String>(),
        pick in any::<prop::sample::Index>(),
    ) {
        let (ict, e2e) = pair_tokens(&client_id, &sub, &aud, &contexts, &name);
        let mine = pick.get(&aud).clone();
        let required = pick.get(&contexts).clone();
        let policy = PairPolicy::without_replay_detection(keys(), RequiredContexts::all([required]), mine)
            .now(NumericDate::from_seconds(T0 + 1));
        let identity = verify_pair_now(&ict, &e2e, &policy).unwrap();
        prop_assert_eq!(identity.subject(), sub.as_str());
        prop_assert_eq!(identity.client_id(), client_id.as_str());
        prop_assert_eq!(identity.contexts().as_slice(), contexts.as_slice());
        prop_assert_eq!(identity.claims()["name"].as_str(), Some(name.as_str()));
        prop_assert!(identity.client_jwk().same_key(&client().public_jwk().unwrap()));
    }

    #[test]
    fn any_change_to_the_e2e_token_is_refused(
        position in any::<prop::sample::Index>(),
        replacement in "[A-Za-z0-9_.=+/ -]",
    ) {
        let (ict, e2e) = pair_tokens("client", "alice", &["s".into()], &["email".into()], "A");
        let policy = PairPolicy::without_replay_detection(keys(), RequiredContexts::all(["email"]), "s")
            .now(NumericDate::from_seconds(T0 + 1));
        prop_assert!(verify_pair_now(&ict, &e2e, &policy).is_ok());
        let i = position.index(e2e.len());
        let mut changed = e2e.clone();
        changed.replace_range(i..=i, &replacement);
        prop_assume!(changed != e2e);
        prop_assert!(verify_pair_now(&ict, &changed, &policy).is_err());
        // The same for the ICT.
        let i = position.index(ict.len());
        let mut changed = ict.clone();
        changed.replace_range(i..=i, &replacement);
        prop_assume!(changed != ict);
        prop_assert!(verify_pair_now(&changed, &e2e, &policy).is_err());
    }

    #[test]
    fn pop_tokens_round_trip_their_request_claims(
        required in proptest::collection::vec("[a-z_]{1,10}", 0..4),
        optional in proptest::collection::vec("[a-z_]{1,10}", 0..4),
        with_audience in proptest::option::of(any::<bool>()),
        lifetime in 1u64..=300,
    ) {
        let mut b = PopTokenBuilder::new()
            .issuer("client")
            .subject("alice")
            .audience("https://op.example")
            .required_claims(required.clone())
            .optional_claims(optional.clone())
            .issued_at(NumericDate::from_seconds(T0))
            .lifetime(std::time::Duration::from_secs(lifetime));
        if let Some(w) = with_audience {
            b = b.with_audience(w);
        }
        let token = b.build(client()).unwrap();
        let verified = PopTokenVerifier::without_replay_detection("https://op.example")
            .now(NumericDate::from_seconds(T0))
            .verify_now(&token)
            .unwrap();
        let c = verified.claims();
        prop_assert_eq!(c.required_claims.as_deref(), Some(required.as_slice()));
        prop_assert_eq!(c.optional_claims.as_deref(), Some(optional.as_slice()));
        prop_assert_eq!(c.with_audience, with_audience);
        prop_assert_eq!(c.exp.seconds() - c.iat.seconds(), lifetime as i64);
    }

    #[test]
    fn arbitrary_text_is_refused_without_panicking(text in any::<String>()) {
        let policy = PairPolicy::without_replay_detection(keys(), RequiredContexts::Any, "s");
        prop_assert!(verify_pair_now(&text, &text, &policy).is_err());
        prop_assert!(PopTokenVerifier::without_replay_detection("x").verify_now(&text).is_err());
    }
}

/// A client key on `backend` (EdDSA, ES256 or PS256).
fn client_on(alg: JwsAlgorithm, backend: jose_core::backend::Backend) -> SigningKey {
    SigningKey::new(Jwk::generate(alg).unwrap().with_backend(backend), alg).unwrap()
}

/// The token with one character of its signature changed.
fn forged(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let i = bytes.len() - 3;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[test]
fn tokens_verify_on_every_backend_whatever_signed_them() {
    use e2e_pop::{E2ePopVerifier, IctVerifier};
    use jose_core::backend::Backend;
    for signer in Backend::ALL {
        for alg in [
            JwsAlgorithm::ES256,
            JwsAlgorithm::PS256,
            JwsAlgorithm::EdDSA,
        ] {
            let client = client_on(alg, *signer);
            let pop = PopTokenBuilder::new()
                .issuer("client")
                .subject("alice")
                .audience("https://op.example")
                .issued_at(NumericDate::from_seconds(T0))
                .build(&client)
                .unwrap();
            let ict = IctBuilder::new()
                .issuer("https://op.example")
                .subject("alice")
                .audience("client")
                .confirmation(&client.public_jwk().unwrap())
                .unwrap()
                .contexts(["email".to_owned()])
                .issued_at(NumericDate::from_seconds(T0))
                .build(op())
                .unwrap();
            let e2e = E2ePopTokenBuilder::new()
                .issuer("client")
                .subject("alice")
                .audiences(["https://rs.example".to_owned()])
                .issued_at(NumericDate::from_seconds(T0))
                .build(&client)
                .unwrap();
            let verified_ict = IctVerifier::new(keys(), RequiredContexts::Any)
                .now(NumericDate::from_seconds(T0 + 1))
                .verify_now(&ict)
                .unwrap();
            for verifying in Backend::ALL {
                let pop_verifier = PopTokenVerifier::without_replay_detection("https://op.example")
                    .backend(*verifying)
                    .now(NumericDate::from_seconds(T0 + 1));
                assert!(
                    pop_verifier.verify_now(&pop).is_ok(),
                    "{alg} on {verifying:?}"
                );
                assert!(pop_verifier.verify_now(&forged(&pop)).is_err());
                let e2e_verifier = E2ePopVerifier::without_replay_detection("https://rs.example")
                    .backend(*verifying)
                    .now(NumericDate::from_seconds(T0 + 1));
                let verified = e2e_verifier.verify_now(&e2e, &verified_ict).unwrap();
                assert_eq!(verified.claims().sub, "alice", "{alg} on {verifying:?}");
                assert!(
                    e2e_verifier
                        .verify_now(&forged(&e2e), &verified_ict)
                        .is_err()
                );
                assert!(
                    e2e_verifier
                        .verify_with_key_now(&e2e, &client.public_jwk().unwrap())
                        .is_ok()
                );
            }
        }
    }
}
