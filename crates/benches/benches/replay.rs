//! DPoP proof verification with each replay store: proofs verified per second with the
//! in-memory store and with Redis on loopback, and the latency the store adds (p50/p99 of the
//! store call alone). Also checks that the Redis path costs one command (one round trip) per
//! proof. Figures: docs/benchmarks.md, "Replay stores".
//!
//! `cargo bench -p benches --bench replay [-- --quick]`. Starts its own redis-server on
//! 127.0.0.1 (crates/test-redis).

// Benchmarks set up fixed inputs; a failure there is a bug in the benchmark, reported loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{BatchSize, Criterion, Throughput};
use dpop::{DpopKey, ProofRequest, ProofVerifier};
use jose_core::alg::JwsAlgorithm;
use replay_store::redis::client;
use replay_store::{
    MemoryReplayStore, Namespace, RedisConfig, RedisConnection, RedisReplayStore, ReplayId,
    ReplayStore,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};
use test_redis::TestRedis;

const URI: &str = "https://rs.example/orders";

/// Criterion's rule: without `--bench` (under `cargo test --benches`) every benchmark runs once.
fn smoke_test_mode() -> bool {
    let args: Vec<String> = std::env::args().collect();
    !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test")
}

fn fresh_id(counter: &AtomicU64) -> ReplayId {
    let n = counter.fetch_add(1, Ordering::Relaxed);
    ReplayId::from_parts(Namespace::DPOP_PROOF, &[b"bench-key", &n.to_be_bytes()]).unwrap()
}

/// p50 and p99 of `samples` sequential store calls with fresh identifiers.
fn store_latency(
    rt: &tokio::runtime::Runtime,
    store: &dyn ReplayStore,
    counter: &AtomicU64,
    samples: usize,
) -> (Duration, Duration) {
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let id = fresh_id(counter);
        let now = SystemTime::now();
        let started = Instant::now();
        let seen = rt
            .block_on(store.check_and_record(&id, now, now + Duration::from_secs(65)))
            .unwrap();
        times.push(started.elapsed());
        assert_eq!(seen, replay_store::Seen::Fresh);
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    (at(0.50), at(0.99))
}

/// How many SET commands the server has executed.
fn redis_set_calls(rt: &tokio::runtime::Runtime, connection: &RedisConnection) -> u64 {
    let mut cmd = client::cmd("INFO");
    cmd.arg("commandstats");
    let info: String = rt.block_on(connection.query(&cmd)).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("cmdstat_set:calls="))
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let smoke = smoke_test_mode();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let redis = TestRedis::start().expect("redis-server (apt-get install -y redis-server)");
    let connection = RedisConnection::new(RedisConfig::from_url(&redis.url()).unwrap());
    let stores: Vec<(&str, Arc<dyn ReplayStore>)> = vec![
        (
            "memory",
            Arc::new(MemoryReplayStore::with_capacity(50_000_000)),
        ),
        ("redis", Arc::new(RedisReplayStore::new(connection.clone()))),
    ];
    let key = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    let mut c = Criterion::default().configure_from_args();

    let mut g = c.benchmark_group("replay/dpop-verify");
    g.throughput(Throughput::Elements(1));
    for (name, store) in &stores {
        let verifier = ProofVerifier::new(Arc::clone(store)).algorithms([JwsAlgorithm::ES256]);
        g.bench_function(*name, |b| {
            b.iter_batched(
                || key.proof("POST", URI).sign().unwrap(),
                |proof| {
                    rt.block_on(verifier.verify(&ProofRequest::new(&proof, "POST", URI)))
                        .unwrap()
                },
                BatchSize::SmallInput,
            );
        });
    }
    let verifier = ProofVerifier::without_replay_detection().algorithms([JwsAlgorithm::ES256]);
    g.bench_function("none", |b| {
        b.iter_batched(
            || key.proof("POST", URI).sign().unwrap(),
            |proof| {
                rt.block_on(verifier.verify(&ProofRequest::new(&proof, "POST", URI)))
                    .unwrap()
            },
            BatchSize::SmallInput,
        );
    });
    g.finish();

    let counter = AtomicU64::new(0);
    let mut g = c.benchmark_group("replay/store-check");
    g.throughput(Throughput::Elements(1));
    for (name, store) in &stores {
        g.bench_function(*name, |b| {
            b.iter(|| {
                let id = fresh_id(&counter);
                let now = SystemTime::now();
                rt.block_on(store.check_and_record(&id, now, now + Duration::from_secs(65)))
                    .unwrap()
            });
        });
    }
    g.finish();

    // One round trip per proof: N verifications through Redis are N SET commands.
    let proofs = if smoke { 10 } else { 1000 };
    let redis_verifier = ProofVerifier::new(Arc::clone(&stores[1].1));
    let before = redis_set_calls(&rt, &connection);
    for _ in 0..proofs {
        let proof = key.proof("POST", URI).sign().unwrap();
        rt.block_on(redis_verifier.verify(&ProofRequest::new(&proof, "POST", URI)))
            .unwrap();
    }
    let sets = redis_set_calls(&rt, &connection) - before;
    assert_eq!(sets, proofs, "one SET per verified proof");
    println!("replay/redis: {proofs} proofs verified with {sets} SET commands");

    let samples = if smoke { 100 } else { 20_000 };
    for (name, store) in &stores {
        let (p50, p99) = store_latency(&rt, store.as_ref(), &counter, samples);
        println!("replay/store-latency/{name}: p50 {p50:?}, p99 {p99:?} ({samples} calls)");
    }
    c.final_summary();
}
