//! The bounded in-memory store: one process, no dependencies.

use crate::{BoxFuture, ReplayId, ReplayStore, Seen, StoreError, unix_millis};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

/// Default capacity of [`MemoryReplayStore::new`]: 100 000 live entries (about 17 MB, see
/// [`MemoryReplayStore`]).
pub const DEFAULT_CAPACITY: usize = 100_000;

/// A [`ReplayStore`] in process memory, for a single instance.
///
/// **The rule when full:** the store holds at most `capacity` live (unexpired) entries. A new
/// identifier that would exceed it is refused with [`StoreError::Full`]; no live entry is ever
/// dropped to make room. Dropping one (as the stores before this crate did) let an attacker
/// who floods the store with proofs signed by their own key make a stolen proof replayable;
/// refusing turns the same flood into a temporary denial of service for new tokens until
/// entries expire (at most the verifier's acceptance window, 65 s for DPoP by default), which
/// rate limiting in front of the verifier bounds. Several instances need a shared store:
/// `RedisReplayStore` (feature `redis`).
///
/// Expired entries are dropped when a later call sees them expired (by that call's `now`), so
/// memory follows the live entries. Each live entry costs a 32-byte SHA-256 key and an 8-byte
/// expiry in a hash map and in an expiry heap, plus the tables' spare room: measured at
/// **170 bytes per entry, 170 MB per million live entries** (`tests/memory.rs` checks a bound
/// of 256 bytes per entry; docs/deployment.md has the figures).
///
/// ```
/// use replay_store::{MemoryReplayStore, Namespace, ReplayId, Seen, StoreError};
/// use std::time::{Duration, SystemTime};
///
/// let store = MemoryReplayStore::with_capacity(2);
/// let now = SystemTime::now();
/// let until = now + Duration::from_secs(60);
/// let id = |s: &str| ReplayId::new(Namespace::DPOP_PROOF, s.as_bytes());
///
/// assert_eq!(store.check_and_record_now(&id("a")?, now, until)?, Seen::Fresh);
/// assert_eq!(store.check_and_record_now(&id("a")?, now, until)?, Seen::Replayed);
/// assert_eq!(store.check_and_record_now(&id("b")?, now, until)?, Seen::Fresh);
/// // Full: "c" is refused, "a" stays recorded.
/// let full = store.check_and_record_now(&id("c")?, now, until);
/// assert!(matches!(full, Err(StoreError::Full { capacity: 2 })));
/// assert_eq!(store.check_and_record_now(&id("a")?, now, until)?, Seen::Replayed);
/// // After expiry there is room again.
/// let later = until + Duration::from_secs(1);
/// let fresh = store.check_and_record_now(&id("c")?, later, later + Duration::from_secs(60))?;
/// assert_eq!(fresh, Seen::Fresh);
/// # Ok::<(), StoreError>(())
/// ```
#[derive(Debug)]
pub struct MemoryReplayStore {
    capacity: usize,
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    /// Digest → expiry (Unix milliseconds).
    by_id: HashMap<[u8; 32], i64>,
    /// Earliest expiry first; exactly one heap entry per map entry.
    by_expiry: BinaryHeap<Reverse<(i64, [u8; 32])>>,
}

impl Default for MemoryReplayStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryReplayStore {
    /// A store holding at most [`DEFAULT_CAPACITY`] live entries.
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }

    /// A store holding at most `capacity` live entries (at least one).
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(Entries::default()),
        }
    }

    /// The most live entries held.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Entries held (some may have expired since the last call).
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().by_id.len()
    }

    /// Whether nothing is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock cannot leave the maps inconsistent in a way that
        // accepts a replay (each step is a single insert or remove), so keep going.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The synchronous check behind [`ReplayStore::check_and_record`].
    ///
    /// # Errors
    /// [`StoreError::Full`] when `capacity` live entries are held.
    pub fn check_and_record_now(
        &self,
        id: &ReplayId,
        now: SystemTime,
        expires_at: SystemTime,
    ) -> Result<Seen, StoreError> {
        let now_ms = unix_millis(now);
        let until = unix_millis(expires_at).max(now_ms.saturating_add(crate::MIN_TTL_MS));
        let mut e = self.lock();
        e.purge(now_ms);
        if e.by_id.contains_key(id.digest()) {
            return Ok(Seen::Replayed);
        }
        if e.by_id.len() >= self.capacity {
            return Err(StoreError::Full {
                capacity: self.capacity,
            });
        }
        e.by_id.insert(*id.digest(), until);
        e.by_expiry.push(Reverse((until, *id.digest())));
        Ok(Seen::Fresh)
    }
}

impl Entries {
    /// Drops every entry that expired at or before `now_ms`.
    fn purge(&mut self, now_ms: i64) {
        while let Some(Reverse((at, _))) = self.by_expiry.peek() {
            if *at > now_ms {
                break;
            }
            if let Some(Reverse((_, key))) = self.by_expiry.pop() {
                self.by_id.remove(&key);
            }
        }
    }
}

impl ReplayStore for MemoryReplayStore {
    fn check_and_record<'a>(
        &'a self,
        id: &'a ReplayId,
        now: SystemTime,
        expires_at: SystemTime,
    ) -> BoxFuture<'a, Result<Seen, StoreError>> {
        let result = self.check_and_record_now(id, now, expires_at);
        Box::pin(std::future::ready(result))
    }

    fn describe(&self) -> String {
        format!("memory (capacity {})", self.capacity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Namespace;
    use std::time::Duration;

    fn t(s: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(s)
    }

    fn id(s: &str) -> ReplayId {
        ReplayId::new(Namespace::DPOP_PROOF, s.as_bytes()).unwrap()
    }

    #[test]
    fn replays_are_detected_until_expiry() {
        let store = MemoryReplayStore::with_capacity(10);
        let check = |s, now, until| store.check_and_record_now(&id(s), t(now), t(until));
        assert_eq!(check("a", 1000, 1100), Ok(Seen::Fresh));
        assert_eq!(check("a", 1050, 1100), Ok(Seen::Replayed));
        assert_eq!(
            check("a", 1100, 1200),
            Ok(Seen::Fresh),
            "expired entries go"
        );
    }

    #[test]
    fn full_store_refuses_and_keeps_live_entries() {
        let store = MemoryReplayStore::with_capacity(3);
        for s in ["a", "b", "c"] {
            assert_eq!(
                store.check_and_record_now(&id(s), t(1000), t(1100)),
                Ok(Seen::Fresh)
            );
        }
        let full = store.check_and_record_now(&id("d"), t(1000), t(1100));
        assert_eq!(full, Err(StoreError::Full { capacity: 3 }));
        for s in ["a", "b", "c"] {
            assert_eq!(
                store.check_and_record_now(&id(s), t(1000), t(1100)),
                Ok(Seen::Replayed)
            );
        }
        assert_eq!(store.len(), 3);
    }

    #[test]
    fn namespaces_do_not_collide() {
        let store = MemoryReplayStore::new();
        let a = ReplayId::new(Namespace::DPOP_PROOF, b"x").unwrap();
        let b = ReplayId::new(Namespace::E2E_POP, b"x").unwrap();
        assert_eq!(store.check_and_record_now(&a, t(0), t(10)), Ok(Seen::Fresh));
        assert_eq!(store.check_and_record_now(&b, t(0), t(10)), Ok(Seen::Fresh));
    }

    #[test]
    fn an_expiry_in_the_past_is_kept_for_the_minimum_ttl() {
        let store = MemoryReplayStore::new();
        assert_eq!(
            store.check_and_record_now(&id("a"), t(100), t(50)),
            Ok(Seen::Fresh)
        );
        assert_eq!(
            store.check_and_record_now(&id("a"), t(100), t(50)),
            Ok(Seen::Replayed)
        );
    }
}
