//! Allocations per operation, counted by the global allocator of the bench binary.
//!
//! The bench binary installs [`stats_alloc::INSTRUMENTED_SYSTEM`] (the system allocator with
//! atomic counters) as its global allocator; [`measure`] reads the counters around a few
//! calls of an operation. No unsafe code is needed on this side: the counting allocator is
//! the `stats_alloc` crate's.

use stats_alloc::{INSTRUMENTED_SYSTEM, Region};

/// Allocations made by one call of an operation (an average over a few calls).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Allocs {
    /// Calls to `alloc` and `realloc`.
    pub count: f64,
    /// Bytes requested: every allocation's size plus the growth of every reallocation.
    pub bytes: f64,
}

/// Whether the counting allocator is the global allocator of this program.
#[must_use]
pub fn counting() -> bool {
    let region = Region::new(&INSTRUMENTED_SYSTEM);
    let probe = std::hint::black_box(vec![0u8; 64]);
    let seen = region.change().allocations > 0;
    drop(probe);
    seen
}

/// Calls `op` once to warm up (lazy statics, caches), then `runs` more times while counting,
/// and returns the allocations of one call. `None` when the counting allocator is not
/// installed.
pub fn measure<O>(runs: u32, mut op: impl FnMut() -> O) -> Option<Allocs> {
    if !counting() {
        return None;
    }
    drop(std::hint::black_box(op()));
    let runs = runs.max(1);
    let region = Region::new(&INSTRUMENTED_SYSTEM);
    for _ in 0..runs {
        drop(std::hint::black_box(op()));
    }
    let stats = region.change();
    let count = (stats.allocations + stats.reallocations) as f64;
    let bytes = stats.bytes_allocated as f64 + stats.bytes_reallocated.max(0) as f64;
    Some(Allocs {
        count: count / f64::from(runs),
        bytes: bytes / f64::from(runs),
    })
}

/// As [`measure`], with a fresh input from `setup` for each call; only `op` is counted.
pub fn measure_batched<I, O>(
    runs: u32,
    mut setup: impl FnMut() -> I,
    mut op: impl FnMut(I) -> O,
) -> Option<Allocs> {
    if !counting() {
        return None;
    }
    drop(std::hint::black_box(op(setup())));
    let runs = runs.max(1);
    let mut total = Allocs::default();
    for _ in 0..runs {
        let input = setup();
        let region = Region::new(&INSTRUMENTED_SYSTEM);
        let out = op(input);
        let stats = region.change();
        drop(std::hint::black_box(out));
        total.count += (stats.allocations + stats.reallocations) as f64;
        total.bytes += stats.bytes_allocated as f64 + stats.bytes_reallocated.max(0) as f64;
    }
    Some(Allocs {
        count: total.count / f64::from(runs),
        bytes: total.bytes / f64::from(runs),
    })
}
