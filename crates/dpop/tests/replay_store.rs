//! Replay detection through `replay-store`: in memory, and shared through a real Redis server
//! (crates/test-redis starts one on loopback).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use dpop::{DpopError, DpopKey, ProofRequest, ProofVerifier};
use jose_core::alg::JwsAlgorithm;
use replay_store::{
    MemoryReplayStore, RedisConfig, RedisConnection, RedisReplayStore, ReplayStore, StoreError,
};
use std::sync::Arc;
use std::time::Duration;
use test_redis::TestRedis;

const URI: &str = "https://rs.example/orders";

fn proof(key: &DpopKey) -> String {
    key.proof("POST", URI).sign().unwrap()
}

fn redis_verifier(redis: &TestRedis) -> ProofVerifier {
    let config = RedisConfig::from_url(&redis.url())
        .unwrap()
        .timeout(Duration::from_millis(1500));
    ProofVerifier::new(Arc::new(RedisReplayStore::new(RedisConnection::new(
        config,
    ))))
}

#[tokio::test]
async fn without_replay_detection_is_an_explicit_choice_that_accepts_twice() {
    let key = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    let p = proof(&key);
    let verifier = ProofVerifier::without_replay_detection();
    let request = ProofRequest::new(&p, "POST", URI);
    assert!(verifier.verify(&request).await.is_ok());
    assert!(verifier.verify(&request).await.is_ok());
    assert!(format!("{verifier:?}").contains("replay detection disabled"));
}

#[tokio::test]
async fn a_full_memory_store_refuses_new_proofs_and_keeps_the_old_ones() {
    let key = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    let verifier = ProofVerifier::new(Arc::new(MemoryReplayStore::with_capacity(1)));
    let first = proof(&key);
    let second = proof(&key);
    let req = |p| ProofRequest::new(p, "POST", URI);
    assert!(verifier.verify(&req(&first)).await.is_ok());
    let err = verifier.verify(&req(&second)).await.unwrap_err();
    assert_eq!(
        err,
        DpopError::ReplayStore(StoreError::Full { capacity: 1 })
    );
    assert_eq!(err.error_code(), "invalid_dpop_proof");
    // The recorded proof is still a replay: nothing was evicted.
    assert_eq!(verifier.verify(&req(&first)).await, Err(DpopError::Replay));
}

#[tokio::test]
async fn the_same_jti_from_two_keys_is_two_proofs() {
    // Replay identity is (jkt, jti): another key cannot block a client by reusing its jti.
    let store: Arc<dyn ReplayStore> = Arc::new(MemoryReplayStore::new());
    let verifier = ProofVerifier::new(store);
    for _ in 0..2 {
        let key = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
        let p = key.proof("POST", URI).jti("shared-jti").sign().unwrap();
        assert!(
            verifier
                .verify(&ProofRequest::new(&p, "POST", URI))
                .await
                .is_ok()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proof_replayed_to_a_second_instance_is_refused() {
    let redis = TestRedis::start().unwrap();
    let (a, b) = (redis_verifier(&redis), redis_verifier(&redis));
    let key = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    let p = proof(&key);
    let request = ProofRequest::new(&p, "POST", URI);
    assert!(a.verify(&request).await.is_ok());
    assert_eq!(b.verify(&request).await, Err(DpopError::Replay));
    assert_eq!(a.verify(&request).await, Err(DpopError::Replay));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_concurrent_verifications_of_one_proof_exactly_one_wins() {
    let redis = TestRedis::start().unwrap();
    let instances: Vec<Arc<ProofVerifier>> =
        (0..4).map(|_| Arc::new(redis_verifier(&redis))).collect();
    let key = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    let p = Arc::new(proof(&key));
    let mut tasks = Vec::new();
    for n in 0..32 {
        let verifier = Arc::clone(&instances[n % instances.len()]);
        let p = Arc::clone(&p);
        tasks.push(tokio::spawn(async move {
            verifier.verify(&ProofRequest::new(&p, "POST", URI)).await
        }));
    }
    let (mut accepted, mut replays) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(DpopError::Replay) => replays += 1,
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!((accepted, replays), (1, 31));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_refuses_with_the_store_error_and_recovers() {
    let redis = TestRedis::start().unwrap();
    let verifier = redis_verifier(&redis);
    let key = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    let before = proof(&key);
    assert!(
        verifier
            .verify(&ProofRequest::new(&before, "POST", URI))
            .await
            .is_ok()
    );

    redis.stop();
    let during = proof(&key);
    let err = verifier
        .verify(&ProofRequest::new(&during, "POST", URI))
        .await
        .unwrap_err();
    let DpopError::ReplayStore(store) = &err else {
        panic!("expected a store error, got {err}");
    };
    assert!(matches!(
        store.code(),
        "replay_store_unavailable" | "replay_store_timeout"
    ));
    assert!(err.to_string().contains("redis://127.0.0.1"), "{err}");

    redis.restart().unwrap();
    let mut result = None;
    for _ in 0..50 {
        match verifier
            .verify(&ProofRequest::new(&during, "POST", URI))
            .await
        {
            Err(DpopError::ReplayStore(e)) if e.is_transient() => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => {
                result = Some(other);
                break;
            }
        }
    }
    // The proof refused during the outage was never recorded, so it is accepted now, once.
    assert!(matches!(result, Some(Ok(_))), "{result:?}");
    let again = verifier
        .verify(&ProofRequest::new(&during, "POST", URI))
        .await;
    assert_eq!(again, Err(DpopError::Replay));
}
