//! Server nonces without shared state (RFC 9449 §8, §9): sealed nonces accepted by every
//! instance holding the key, refused under another key, after their window, or when tampered
//! with; key rotation; the `use_dpop_nonce` answers; malformed input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use dpop::*;
use jose_core::alg::JwsAlgorithm;
use jwt_claims::NumericDate;
use proptest::prelude::*;
use replay_store::MemoryReplayStore;
use std::sync::Arc;
use std::time::Duration;

const URI: &str = "https://as.example/token";
const T0: i64 = 1_800_000_000;

fn at(s: i64) -> NumericDate {
    NumericDate::from_seconds(s)
}

/// The key every instance of one deployment is configured with.
fn key(byte: u8) -> NonceKey {
    NonceKey::from_bytes(vec![byte; 32]).unwrap()
}

/// One server instance: its own issuer and verifier, built from configuration only.
fn instance(issuer: NonceIssuer) -> (Arc<NonceIssuer>, ProofVerifier) {
    let issuer = Arc::new(issuer);
    let verifier =
        ProofVerifier::new(Arc::new(MemoryReplayStore::new())).require_nonce(issuer.clone());
    (issuer, verifier)
}

fn proof(key: &DpopKey, nonce: Option<&str>, iat: i64) -> String {
    key.proof("POST", URI)
        .maybe_nonce(nonce)
        .issued_at(at(iat))
        .sign()
        .unwrap()
}

/// The async `verify` driven to completion (the memory store answers at once).
fn run(verifier: &ProofVerifier, request: &ProofRequest<'_>) -> Result<VerifiedProof, DpopError> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(verifier.verify(request))
}

fn verify(verifier: &ProofVerifier, proof: &str, now: i64) -> Result<VerifiedProof, DpopError> {
    run(
        verifier,
        &ProofRequest::new(proof, "POST", URI).now(at(now)),
    )
}

#[test]
fn a_nonce_is_accepted_by_a_second_instance_with_the_same_key() {
    let (a, _) = instance(NonceIssuer::new(key(7)));
    let (_, b) = instance(NonceIssuer::new(key(7)));
    let client = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    let nonce = a.issue_at(at(T0));
    let verified = verify(&b, &proof(&client, Some(&nonce), T0 + 1), T0 + 1).unwrap();
    assert_eq!(verified.nonce(), Some(nonce.as_str()));
}

#[test]
fn a_nonce_sealed_with_another_key_is_refused() {
    let (a, _) = instance(NonceIssuer::new(key(7)));
    let (other, b) = instance(NonceIssuer::new(key(8)));
    let client = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    let nonce = a.issue_at(at(T0));
    assert_eq!(
        other.check_at(&nonce, at(T0)),
        Err(NonceRejection::UnknownKey)
    );
    assert_eq!(
        verify(&b, &proof(&client, Some(&nonce), T0), T0).unwrap_err(),
        DpopError::UseNonce
    );
}

#[test]
fn a_proof_without_a_nonce_is_answered_with_use_dpop_nonce_and_a_fresh_nonce() {
    let (issuer, verifier) = instance(NonceIssuer::new(key(7)));
    let client = DpopClient::generate(JwsAlgorithm::ES256).unwrap();
    let bare = client.proof("POST", URI, None).unwrap();
    let err = run(&verifier, &ProofRequest::new(&bare, "POST", URI)).unwrap_err();
    assert_eq!(err, DpopError::UseNonce);
    assert_eq!(err.error_code(), "use_dpop_nonce");
    let challenge = issuer.answer(&err).expect("a challenge");

    // The authorization server's 400 and the resource server's 401, as the client reads them.
    let body: serde_json::Value = serde_json::from_str(&challenge.error_body()).unwrap();
    assert_eq!(challenge.authorization_server_status(), 400);
    assert!(DpopClient::is_nonce_error(
        400,
        None,
        body["error"].as_str()
    ));
    let header = challenge.www_authenticate(&verifier.algs_parameter());
    assert_eq!(challenge.resource_server_status(), 401);
    assert!(
        header.starts_with("DPoP error=\"use_dpop_nonce\""),
        "{header}"
    );
    assert!(header.contains("algs=\"ES256 "), "{header}");
    assert!(DpopClient::is_nonce_error(401, Some(&header), None));

    // The client records the DPoP-Nonce header and retries: accepted.
    client.record_nonce(URI, challenge.dpop_nonce()).unwrap();
    let retry = client.proof("POST", URI, None).unwrap();
    run(&verifier, &ProofRequest::new(&retry, "POST", URI)).unwrap();
}

#[test]
fn an_expired_bucket_is_refused_and_answered_with_a_fresh_nonce() {
    let window = Duration::from_secs(300);
    let (issuer, verifier) = instance(NonceIssuer::new(key(7)).validity(window));
    let client = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    // Issued at the start of a bucket: accepted until two windows later.
    let start = T0 - T0.rem_euclid(300);
    let nonce = issuer.issue_at(at(start));
    assert!(
        verify(
            &verifier,
            &proof(&client, Some(&nonce), start + 599),
            start + 599
        )
        .is_ok()
    );
    let late = start + 600;
    assert_eq!(
        issuer.check_at(&nonce, at(late)),
        Err(NonceRejection::Expired)
    );
    let err = verify(&verifier, &proof(&client, Some(&nonce), late), late).unwrap_err();
    assert_eq!(err, DpopError::UseNonce);
    let fresh = issuer.challenge_at(at(late));
    assert_ne!(fresh.dpop_nonce(), nonce);
    assert!(
        verify(
            &verifier,
            &proof(&client, Some(fresh.dpop_nonce()), late),
            late
        )
        .is_ok()
    );
}

#[test]
fn a_nonce_from_a_bucket_beyond_the_clock_tolerance_is_refused() {
    let issuer = NonceIssuer::new(key(7))
        .validity(Duration::from_secs(60))
        .clock_tolerance(Duration::from_secs(5));
    let start = T0 - T0.rem_euclid(60);
    let ahead = issuer.issue_at(at(start + 60));
    assert_eq!(issuer.check_at(&ahead, at(start + 55)), Ok(()));
    assert_eq!(
        issuer.check_at(&ahead, at(start + 54)),
        Err(NonceRejection::NotYetValid)
    );
}

#[test]
fn the_previous_key_is_accepted_after_rotation() {
    let old = NonceIssuer::new(key(1));
    let old_nonce = old.issue_at(at(T0));
    // Step 1: every instance accepts the new key while still issuing with the old one.
    let staged = NonceIssuer::new(key(1)).previous_key(key(2));
    // Step 2: every instance issues with the new key and accepts the old one.
    let rotated = NonceIssuer::new(key(2)).previous_key(key(1));
    let new_nonce = rotated.issue_at(at(T0));
    assert_eq!(rotated.check_at(&old_nonce, at(T0)), Ok(()));
    assert_eq!(staged.check_at(&new_nonce, at(T0)), Ok(()));
    assert_eq!(staged.check_at(&old_nonce, at(T0)), Ok(()));
    // The previous key never issues.
    assert_ne!(rotated.issue_at(at(T0)), old_nonce);
    // Step 3: the old key is dropped; its nonces are refused.
    let done = NonceIssuer::new(key(2));
    assert_eq!(
        done.check_at(&old_nonce, at(T0)),
        Err(NonceRejection::UnknownKey)
    );

    // Through the verifier: a proof with the old key's nonce passes an instance rotated to the
    // new key.
    let (_, verifier) = instance(NonceIssuer::new(key(2)).previous_key(key(1)));
    let client = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    assert!(verify(&verifier, &proof(&client, Some(&old_nonce), T0), T0).is_ok());
}

#[test]
fn a_nonce_with_any_character_changed_is_refused() {
    let issuer = NonceIssuer::new(key(7));
    let nonce = issuer.issue_at(at(T0));
    for i in 0..nonce.len() {
        for replacement in ['A', 'f', '0', '-', '_'] {
            let mut chars: Vec<char> = nonce.chars().collect();
            if chars[i] == replacement {
                continue;
            }
            chars[i] = replacement;
            let tampered: String = chars.into_iter().collect();
            assert!(
                issuer.check_at(&tampered, at(T0)).is_err(),
                "position {i} -> {replacement}"
            );
        }
    }
    // A bucket moved forward with the MAC kept: the MAC covers the bucket.
    let later = issuer.issue_at(at(T0 + 300));
    let spliced = format!("{}{}", &later[..12], &nonce[12..]);
    assert_ne!(spliced, later);
    assert_eq!(
        issuer.check_at(&spliced, at(T0 + 300)),
        Err(NonceRejection::UnknownKey)
    );
}

#[test]
fn a_listed_nonce_is_still_accepted_alongside_the_sealed_ones() {
    let (_, verifier) = instance(NonceIssuer::new(key(7)));
    let client = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    let p = proof(&client, Some("n-1"), T0);
    assert_eq!(verify(&verifier, &p, T0).unwrap_err(), DpopError::UseNonce);
    run(
        &verifier,
        &ProofRequest::new(&p, "POST", URI).now(at(T0)).nonce("n-1"),
    )
    .unwrap();
}

proptest! {
    #[test]
    fn any_string_is_checked_without_panicking(s in ".{0,80}", now in any::<i64>()) {
        let issuer = NonceIssuer::new(key(7)).previous_key(key(8));
        prop_assert!(issuer.check_at(&s, at(now)).is_err());
    }

    #[test]
    fn any_well_formed_but_unsealed_nonce_is_refused(
        bytes in proptest::collection::vec(any::<u8>(), 41),
        now in any::<i64>(),
    ) {
        let issuer = NonceIssuer::new(key(7));
        let candidate = jose_core::b64::encode(&bytes);
        prop_assert!(issuer.check_at(&candidate, at(now)).is_err());
    }

    #[test]
    fn any_single_byte_flip_is_refused(index in 0usize..41, bit in 0u8..8, now in any::<i64>()) {
        let issuer = NonceIssuer::new(key(7));
        let nonce = issuer.issue_at(at(now));
        let mut bytes = jose_core::b64::decode(&nonce).unwrap();
        bytes[index] ^= 1 << bit;
        let tampered = jose_core::b64::encode(&bytes);
        prop_assert!(issuer.check_at(&tampered, at(now)).is_err());
    }

    #[test]
    fn issued_nonces_are_accepted_by_every_instance_with_the_key(
        now in -1_000_000_000_000i64..1_000_000_000_000,
        window in 1u64..86_400,
    ) {
        let a = NonceIssuer::new(key(7)).validity(Duration::from_secs(window));
        let b = NonceIssuer::new(key(7)).validity(Duration::from_secs(window));
        let nonce = a.issue_at(at(now));
        prop_assert!(is_valid_nonce(&nonce));
        prop_assert_eq!(b.check_at(&nonce, at(now)), Ok(()));
    }
}
