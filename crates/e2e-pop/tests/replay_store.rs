//! PoP tokens recorded in a Redis replay store shared by two OP instances (crates/test-redis
//! starts a real redis-server on loopback), and the store failing closed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use e2e_pop::{E2ePopError, PopTokenBuilder, PopTokenVerifier, TokenKind};
use jose_core::alg::JwsAlgorithm;
use jws::SigningKey;
use replay_store::{RedisConfig, RedisConnection, RedisReplayStore};
use std::sync::Arc;
use std::time::Duration;
use test_redis::TestRedis;

const OP: &str = "https://op.example.com";

fn instance(redis: &TestRedis) -> PopTokenVerifier {
    let config = RedisConfig::from_url(&redis.url())
        .unwrap()
        .timeout(Duration::from_millis(1500));
    PopTokenVerifier::new(
        OP,
        Arc::new(RedisReplayStore::new(RedisConnection::new(config))),
    )
}

fn pop(key: &SigningKey) -> String {
    PopTokenBuilder::new()
        .issuer("exampleclient")
        .subject("alice")
        .audience(OP)
        .build(key)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pop_token_replayed_to_another_instance_is_refused() {
    let redis = TestRedis::start().unwrap();
    let (a, b) = (instance(&redis), instance(&redis));
    let key = SigningKey::generate(JwsAlgorithm::ES256).unwrap();
    let token = pop(&key);
    assert!(a.verify(&token).await.is_ok());
    assert_eq!(
        b.verify(&token).await.unwrap_err(),
        E2ePopError::Replay {
            token: TokenKind::Pop
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_store_refuses_with_its_code_and_recovers() {
    let redis = TestRedis::start().unwrap();
    let verifier = instance(&redis);
    let key = SigningKey::generate(JwsAlgorithm::ES256).unwrap();
    assert!(verifier.verify(&pop(&key)).await.is_ok());
    redis.stop();
    let token = pop(&key);
    let err = verifier.verify(&token).await.unwrap_err();
    assert!(matches!(err, E2ePopError::ReplayStore(_)), "{err}");
    assert!(
        matches!(
            err.code(),
            "replay_store_unavailable" | "replay_store_timeout"
        ),
        "{err}"
    );
    redis.restart().unwrap();
    let mut accepted = false;
    for _ in 0..50 {
        match verifier.verify(&token).await {
            Ok(_) => {
                accepted = true;
                break;
            }
            Err(E2ePopError::ReplayStore(e)) if e.is_transient() => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert!(accepted);
}
