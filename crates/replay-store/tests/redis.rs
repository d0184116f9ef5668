//! `RedisReplayStore` against a real redis-server on loopback (crates/test-redis).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use replay_store::redis::client;
use replay_store::{
    Namespace, RedisConfig, RedisConnection, RedisReplayStore, ReplayId, ReplayStore, Seen,
    StoreError,
};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use test_redis::TestRedis;

fn store(url: &str) -> RedisReplayStore {
    let config = RedisConfig::from_url(url)
        .unwrap()
        .timeout(Duration::from_millis(1500));
    RedisReplayStore::new(RedisConnection::new(config))
}

fn id(s: &str) -> ReplayId {
    ReplayId::from_parts(Namespace::DPOP_PROOF, &[b"jkt", s.as_bytes()]).unwrap()
}

fn window(secs: u64) -> (SystemTime, SystemTime) {
    let now = SystemTime::now();
    (now, now + Duration::from_secs(secs))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_to_a_second_instance_is_refused() {
    let redis = TestRedis::start().unwrap();
    let (a, b) = (store(&redis.url()), store(&redis.url()));
    let (now, until) = window(60);
    assert_eq!(
        a.check_and_record(&id("1"), now, until).await,
        Ok(Seen::Fresh)
    );
    assert_eq!(
        b.check_and_record(&id("1"), now, until).await,
        Ok(Seen::Replayed)
    );
    // Same bytes in another namespace are another identifier.
    let other = ReplayId::from_parts(Namespace::E2E_POP, &[b"jkt", b"1"]).unwrap();
    assert_eq!(
        b.check_and_record(&other, now, until).await,
        Ok(Seen::Fresh)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_many_concurrent_checks_exactly_one_is_fresh() {
    let redis = TestRedis::start().unwrap();
    let stores: Vec<Arc<dyn ReplayStore>> = (0..4)
        .map(|_| Arc::new(store(&redis.url())) as Arc<dyn ReplayStore>)
        .collect();
    let (now, until) = window(60);
    let mut tasks = Vec::new();
    for n in 0..64 {
        let s = Arc::clone(&stores[n % stores.len()]);
        tasks.push(tokio::spawn(async move {
            s.check_and_record(&id("contended"), now, until).await
        }));
    }
    let mut fresh = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(Seen::Fresh) => fresh += 1,
            Ok(Seen::Replayed) => {}
            Err(e) => panic!("store error {e}"),
        }
    }
    assert_eq!(fresh, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_expire_with_their_ttl() {
    let redis = TestRedis::start().unwrap();
    let s = store(&redis.url());
    let now = SystemTime::now();
    let until = now + Duration::from_secs(1);
    assert_eq!(
        s.check_and_record(&id("ttl"), now, until).await,
        Ok(Seen::Fresh)
    );
    // The key carries the TTL computed from the caller's clock.
    let mut cmd = client::cmd("PTTL");
    cmd.arg(s.key(&id("ttl")));
    let pttl: i64 = s.connection().query(&cmd).await.unwrap();
    assert!(pttl > 0 && pttl <= 1000, "PTTL {pttl}");
    // After it expires the identifier is fresh again (poll: no assertion on wall time).
    let mut seen_fresh = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (now, until) = window(60);
        let mut exists = client::cmd("EXISTS");
        exists.arg(s.key(&id("ttl")));
        if s.connection().query::<i64>(&exists).await.unwrap() == 0 {
            assert_eq!(
                s.check_and_record(&id("ttl"), now, until).await,
                Ok(Seen::Fresh)
            );
            seen_fresh = true;
            break;
        }
        assert_eq!(
            s.check_and_record(&id("ttl"), now, until).await,
            Ok(Seen::Replayed)
        );
    }
    assert!(seen_fresh, "the key never expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_fails_closed_and_recovers_when_it_returns() {
    let redis = TestRedis::start().unwrap();
    let s = store(&redis.url());
    let (now, until) = window(60);
    assert_eq!(
        s.check_and_record(&id("a"), now, until).await,
        Ok(Seen::Fresh)
    );

    redis.stop();
    for _ in 0..3 {
        let err = s.check_and_record(&id("b"), now, until).await.unwrap_err();
        assert!(
            matches!(
                err.code(),
                "replay_store_unavailable" | "replay_store_timeout"
            ),
            "{err}"
        );
        assert!(err.to_string().contains("127.0.0.1"), "{err}");
    }

    redis.restart().unwrap();
    // The connection manager reconnects; a call or two may still see the old connection.
    let mut answer = None;
    for _ in 0..50 {
        match s.check_and_record(&id("b"), now, until).await {
            Ok(seen) => {
                answer = Some(seen);
                break;
            }
            Err(e) => assert!(e.is_transient(), "{e}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(answer, Some(Seen::Fresh));
    assert_eq!(
        s.check_and_record(&id("b"), now, until).await,
        Ok(Seen::Replayed)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_down_at_the_first_call_is_an_error_not_a_panic() {
    let redis = TestRedis::start().unwrap();
    let url = redis.url();
    redis.stop();
    let s = store(&url);
    let (now, until) = window(60);
    let err = s.check_and_record(&id("a"), now, until).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    redis.restart().unwrap();
    assert_eq!(
        s.check_and_record(&id("a"), now, until).await,
        Ok(Seen::Fresh)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_is_used_and_a_wrong_password_never_leaks() {
    let redis = TestRedis::start_with_password("right-password").unwrap();
    let (now, until) = window(60);
    let good = store(&redis.url());
    assert_eq!(
        good.check_and_record(&id("a"), now, until).await,
        Ok(Seen::Fresh)
    );

    let url = format!("redis://:wrong-password@127.0.0.1:{}/0", redis.port());
    let bad = store(&url);
    let err = bad
        .check_and_record(&id("a"), now, until)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "replay_store_unavailable", "{err}");
    assert!(!err.to_string().contains("wrong-password"), "{err}");
    assert!(!format!("{bad:?}").contains("wrong-password"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_times_out() {
    // Accepts TCP connections and never writes a byte.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let _hold = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let config = RedisConfig::from_url(&format!("redis://127.0.0.1:{port}"))
        .unwrap()
        .timeout(Duration::from_millis(300));
    let s = RedisReplayStore::new(RedisConnection::new(config));
    let (now, until) = window(60);
    let err = s.check_and_record(&id("a"), now, until).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Timeout { .. } | StoreError::Unavailable { .. }
        ),
        "{err}"
    );
    assert!(err.is_transient());
}

#[test]
fn urls_are_checked() {
    assert!(RedisConfig::from_url("redis://127.0.0.1:6379").is_ok());
    assert!(RedisConfig::from_url("rediss://cache.example:6380/1").is_ok());
    for bad in [
        "http://127.0.0.1",
        "127.0.0.1:6379",
        "unix:///tmp/redis.sock",
        "rediss://cache.example/#insecure",
    ] {
        let err = RedisConfig::from_url(bad).unwrap_err();
        assert_eq!(err.code(), "replay_store_config", "{bad}");
    }
    let c = RedisConfig::from_url("redis://user:pw@127.0.0.1:7000/3").unwrap();
    assert_eq!(c.describe(), "redis://127.0.0.1:7000/3");
}
