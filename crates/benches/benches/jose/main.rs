//! The workspace's benchmarks: every operation of `docs/benchmarks.md`, each with the raw
//! primitive on the same input and, with the `peers` feature, the peer crates.
//!
//! `cargo bench -p benches [-- FILTER]`; `cargo xtask bench` runs them with the peers and
//! rewrites `docs/benchmarks.md`.

// Benchmarks set up fixed inputs; a failure there is a bug in the benchmark, reported loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod jwe;
mod jws;
mod other;
mod peers;
mod raw;
#[cfg(feature = "aws-lc-rs")]
mod raw_lc;

use benches::fixtures::{Claims, Keys, now};
use benches::harness::{COLUMNS, Column};
use criterion::Criterion;
use std::time::Duration;

#[global_allocator]
static GLOBAL: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

/// What every benchmark shares: the keys and the claims.
#[derive(Debug)]
pub struct Fixture {
    /// The keys of each of our columns, pinned to its backend; the first column is
    /// RustCrypto's ([`COLUMNS`]).
    columns: Vec<(Column, Keys)>,
    claims: Claims,
    /// Under `cargo test` criterion runs every benchmark once, as a smoke test, in a debug
    /// build of the workspace crates (generic AES-GCM code is instantiated there too, at a
    /// few MB/s): the 1 MiB JWE payloads shrink to 64 KiB so that the run stays short. The
    /// benchmark names and code paths are the same.
    smoke: bool,
}

/// Criterion's own rule: without `--bench` (as under `cargo test --benches`), or with
/// `--test`, every benchmark runs once as a test.
fn smoke_test_mode() -> bool {
    let args: Vec<String> = std::env::args().collect();
    !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test")
}

impl Fixture {
    /// The keys pinned to RustCrypto: the `ours` columns' and every peer's.
    fn keys(&self) -> &Keys {
        &self.columns[0].1
    }
}

fn main() {
    let keys = Keys::generate().expect("keys");
    let fixture = Fixture {
        // Each column pins every key: with the `aws-lc-rs` feature the default would be
        // aws-lc-rs for the `ours` column too.
        columns: COLUMNS
            .iter()
            .map(|c| (*c, keys.with_backend(c.backend)))
            .collect(),
        claims: Claims::typical(now()),
        smoke: smoke_test_mode(),
    };
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    jws::register(&mut c, &fixture);
    jwe::register(&mut c, &fixture);
    other::register(&mut c, &fixture);
    c.final_summary();
    if let Err(e) = benches::harness::write_records() {
        eprintln!("benches: cannot write the allocation records: {e}");
        std::process::exit(1);
    }
}
