//! Registering benchmarks: one criterion group per operation, one benchmark per
//! implementation, and the allocations of one call recorded beside the timing.
//!
//! Names carry the structure that `cargo xtask bench` turns into tables:
//!
//! - the **operation** (the criterion group) is a `/`-separated path whose last segment is the
//!   table row and the rest the table: `jws/sign/compact/ES256` is the row `ES256` of the
//!   table `jws/sign/compact`;
//! - the **implementation** (the criterion function) is one of [`OURS`], [`RAW`] or a peer
//!   id. A second backend of ours is `ours@<backend>` with its primitive `raw@<backend>`:
//!   the report gives each its own column and pairs them for the overhead ratio.

use crate::alloc::{self, Allocs};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use jose_core::backend::Backend;
use std::hint::black_box;
use std::io::Write as _;
use std::sync::Mutex;

/// Our crates, through their public API.
pub const OURS: &str = "ours";
/// The cryptographic primitive alone, on the same input.
pub const RAW: &str = "raw";

/// Our crates on one crypto backend: the columns it gets and the backend its keys are
/// pinned to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// Our implementation's id: [`OURS`] or `ours@<backend>`.
    pub ours: &'static str,
    /// The primitive it is paired with: [`RAW`] or `raw@<backend>`.
    pub raw: &'static str,
    /// The backend of every key of this column.
    pub backend: Backend,
}

/// Our columns in this build: RustCrypto always ([`OURS`] and [`RAW`], whatever
/// [`Backend::default`] is), aws-lc-rs with the `aws-lc-rs` feature.
pub const COLUMNS: &[Column] = &[
    Column {
        ours: OURS,
        raw: RAW,
        backend: Backend::RustCrypto,
    },
    #[cfg(feature = "aws-lc-rs")]
    Column {
        ours: "ours@aws-lc",
        raw: "raw@aws-lc",
        backend: Backend::AwsLc,
    },
];

/// The allocations of one benchmark.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The operation (criterion group).
    pub op: String,
    /// The implementation (criterion function).
    pub implementation: String,
    /// Allocations of one call.
    pub allocs: Allocs,
}

static RECORDS: Mutex<Vec<Record>> = Mutex::new(Vec::new());

/// Calls per allocation measurement; slow operations need fewer.
const ALLOC_RUNS: u32 = 3;

fn record(op: &str, implementation: &str, allocs: Option<Allocs>) {
    let Some(allocs) = allocs else { return };
    if let Ok(mut records) = RECORDS.lock() {
        if records
            .iter()
            .any(|r| r.op == op && r.implementation == implementation)
        {
            return;
        }
        records.push(Record {
            op: op.to_owned(),
            implementation: implementation.to_owned(),
            allocs,
        });
    }
}

fn recorded(op: &str, implementation: &str) -> bool {
    RECORDS.lock().is_ok_and(|records| {
        records
            .iter()
            .any(|r| r.op == op && r.implementation == implementation)
    })
}

/// The allocation records so far.
#[must_use]
pub fn records() -> Vec<Record> {
    RECORDS.lock().map(|r| r.clone()).unwrap_or_default()
}

/// Writes the allocation records as JSON lines to the file named by `JOSE_BENCH_ALLOCS`, when
/// that variable is set (`cargo xtask bench` sets it).
///
/// # Errors
/// The I/O error of writing the file.
pub fn write_records() -> std::io::Result<()> {
    let Some(path) = std::env::var_os("JOSE_BENCH_ALLOCS") else {
        return Ok(());
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for r in records() {
        let line = serde_json::json!({
            "op": r.op,
            "impl": r.implementation,
            "allocs": r.allocs.count,
            "bytes": r.allocs.bytes,
        });
        writeln!(out, "{line}")?;
    }
    out.flush()
}

/// One call of a benchmarked routine, never inlined: under `valgrind --tool=callgrind` its
/// inclusive instruction count divided by its call count is the cost per call of the
/// benchmark selected by the filter (`--profile-time`), whatever criterion does around it.
#[inline(never)]
pub fn call<O>(f: &mut impl FnMut() -> O) -> O {
    f()
}

/// One operation: a criterion group whose benchmarks are its implementations.
pub struct Group<'a> {
    inner: BenchmarkGroup<'a, WallTime>,
    op: String,
}

impl core::fmt::Debug for Group<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Group").field("op", &self.op).finish()
    }
}

impl<'a> Group<'a> {
    /// Starts the group of operation `op`.
    pub fn new(c: &'a mut Criterion, op: impl Into<String>) -> Self {
        let op = op.into();
        Self {
            inner: c.benchmark_group(op.clone()),
            op,
        }
    }

    /// The criterion group, for settings such as the sample size.
    pub fn criterion(&mut self) -> &mut BenchmarkGroup<'a, WallTime> {
        &mut self.inner
    }

    /// Times `f` as `implementation`, and records its allocations once (only when criterion
    /// selects the benchmark, so a filter on the command line skips both).
    pub fn bench<O>(&mut self, implementation: &str, mut f: impl FnMut() -> O) -> &mut Self {
        let op = self.op.clone();
        self.inner.bench_function(implementation, |b| {
            if !recorded(&op, implementation) {
                record(&op, implementation, alloc::measure(ALLOC_RUNS, &mut f));
            }
            b.iter(|| black_box(call(&mut f)));
        });
        self
    }

    /// Times `routine` on a fresh input from `setup` for every call (setup not timed nor
    /// counted): for inputs that can be used once, such as DPoP proofs with replay detection.
    pub fn bench_batched<I, O>(
        &mut self,
        implementation: &str,
        mut setup: impl FnMut() -> I,
        mut routine: impl FnMut(I) -> O,
    ) -> &mut Self {
        let op = self.op.clone();
        self.inner.bench_function(implementation, |b| {
            if !recorded(&op, implementation) {
                record(
                    &op,
                    implementation,
                    alloc::measure_batched(ALLOC_RUNS, &mut setup, &mut routine),
                );
            }
            b.iter_batched(
                &mut setup,
                |input| black_box(routine(input)),
                criterion::BatchSize::SmallInput,
            );
        });
        self
    }

    /// Ends the group.
    pub fn finish(self) {
        self.inner.finish();
    }
}
