//! The in-memory store under a flood: bounded memory, no live entry evicted.
#![allow(clippy::unwrap_used, clippy::panic)]

use replay_store::{MemoryReplayStore, Namespace, ReplayId, Seen, StoreError};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use std::time::{Duration, SystemTime};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn id(n: u64) -> ReplayId {
    ReplayId::from_parts(Namespace::DPOP_PROOF, &[b"attacker-key", &n.to_be_bytes()]).unwrap()
}

/// Bytes held per live entry must stay below this (measured: see docs/deployment.md).
const MAX_BYTES_PER_ENTRY: usize = 256;

fn live_bytes(region: &Region<'_, System>) -> usize {
    let s = region.change();
    (s.bytes_allocated + s.bytes_reallocated.max(0) as usize).saturating_sub(s.bytes_deallocated)
}

// One test function: the allocator statistics are process-wide, so the two measurements must
// not run in parallel.
#[test]
fn memory_store_is_bounded_under_a_million_ids() {
    a_flood_of_a_million_ids_stays_bounded_and_evicts_no_live_entry();
    a_million_live_entries_fit_in_the_documented_memory();
}

fn a_flood_of_a_million_ids_stays_bounded_and_evicts_no_live_entry() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let until = now + Duration::from_secs(65);
    let capacity = 100_000;
    let region = Region::new(GLOBAL);
    let store = MemoryReplayStore::with_capacity(capacity);

    // A victim's proof is recorded first.
    let victim = ReplayId::from_parts(Namespace::DPOP_PROOF, &[b"victim-key", b"jti"]).unwrap();
    assert_eq!(
        store.check_and_record_now(&victim, now, until),
        Ok(Seen::Fresh)
    );

    let (mut fresh, mut full) = (0usize, 0usize);
    for n in 0..1_000_000u64 {
        match store.check_and_record_now(&id(n), now, until) {
            Ok(Seen::Fresh) => fresh += 1,
            Err(StoreError::Full { capacity: c }) => {
                assert_eq!(c, capacity);
                full += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(fresh, capacity - 1);
    assert_eq!(full, 1_000_000 - (capacity - 1));
    assert_eq!(store.len(), capacity);
    assert!(live_bytes(&region) < capacity * MAX_BYTES_PER_ENTRY);

    // The victim's proof (and every accepted flood entry) is still a replay.
    assert_eq!(
        store.check_and_record_now(&victim, now, until),
        Ok(Seen::Replayed)
    );
    for n in 0..(capacity as u64 - 1) {
        assert_eq!(
            store.check_and_record_now(&id(n), now, until),
            Ok(Seen::Replayed)
        );
    }
    // Once they expire there is room again.
    let later = until + Duration::from_secs(1);
    let again = store.check_and_record_now(&victim, later, later + Duration::from_secs(65));
    assert_eq!(again, Ok(Seen::Fresh));
    assert_eq!(store.len(), 1);
}

fn a_million_live_entries_fit_in_the_documented_memory() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let until = now + Duration::from_secs(65);
    let region = Region::new(GLOBAL);
    let store = MemoryReplayStore::with_capacity(1_000_000);
    for n in 0..1_000_000u64 {
        assert_eq!(
            store.check_and_record_now(&id(n), now, until),
            Ok(Seen::Fresh)
        );
    }
    let bytes = live_bytes(&region);
    println!(
        "memory store: {} bytes for 1 000 000 entries ({} bytes per entry)",
        bytes,
        bytes / 1_000_000
    );
    assert!(bytes < 1_000_000 * MAX_BYTES_PER_ENTRY);
}
