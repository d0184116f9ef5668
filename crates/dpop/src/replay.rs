//! Replay detection for proof `jti` values.

use jwt_claims::NumericDate;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// Remembers proof identifiers until they can no longer be accepted, so that each proof is
/// used once (RFC 9449 §11.1).
///
/// Implement it over a shared store (Redis, a database) when several server instances accept
/// proofs; [`InMemoryReplayCache`] serves a single process.
pub trait ReplayCache: Send + Sync {
    /// Records `id` as used until `expires_at`; returns `false` when it was already recorded
    /// and has not expired (a replay).
    fn insert_if_new(&self, id: &str, expires_at: NumericDate, now: NumericDate) -> bool;
}

/// A bounded in-memory [`ReplayCache`].
///
/// Entries leave when they expire. When `capacity` live entries are held, the one closest to
/// expiry is dropped to make room: under a flood of distinct proofs the oldest proofs become
/// replayable a little early rather than the server refusing all new proofs.
#[derive(Debug)]
pub struct InMemoryReplayCache {
    capacity: usize,
    inner: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    by_id: HashMap<String, NumericDate>,
    by_expiry: BTreeMap<(NumericDate, u64), String>,
    sequence: u64,
}

impl Default for InMemoryReplayCache {
    fn default() -> Self {
        Self::with_capacity(100_000)
    }
}

impl InMemoryReplayCache {
    /// A cache holding at most `capacity` live identifiers.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(Entries::default()),
        }
    }

    /// Number of identifiers held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .by_id
            .len()
    }

    /// Whether the cache holds nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ReplayCache for InMemoryReplayCache {
    fn insert_if_new(&self, id: &str, expires_at: NumericDate, now: NumericDate) -> bool {
        let mut e = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Drop what has expired.
        while let Some((&(at, seq), _)) = e.by_expiry.iter().next() {
            if at > now {
                break;
            }
            if let Some(old) = e.by_expiry.remove(&(at, seq)) {
                e.by_id.remove(&old);
            }
        }
        if e.by_id.contains_key(id) {
            return false;
        }
        while e.by_id.len() >= self.capacity {
            let Some((&key, _)) = e.by_expiry.iter().next() else {
                break;
            };
            if let Some(old) = e.by_expiry.remove(&key) {
                e.by_id.remove(&old);
            }
        }
        e.sequence += 1;
        let seq = e.sequence;
        e.by_id.insert(id.to_owned(), expires_at);
        e.by_expiry.insert((expires_at, seq), id.to_owned());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> NumericDate {
        NumericDate::from_seconds(s)
    }

    #[test]
    fn replays_are_detected_until_expiry() {
        let cache = InMemoryReplayCache::with_capacity(10);
        assert!(cache.insert_if_new("a", t(100), t(0)));
        assert!(!cache.insert_if_new("a", t(100), t(50)));
        assert!(
            cache.insert_if_new("a", t(200), t(100)),
            "expired entries are forgotten"
        );
    }

    #[test]
    fn capacity_is_bounded() {
        let cache = InMemoryReplayCache::with_capacity(3);
        for (i, id) in ["a", "b", "c", "d"].iter().enumerate() {
            assert!(cache.insert_if_new(id, t(100 + i as i64), t(0)));
        }
        assert_eq!(cache.len(), 3);
        assert!(
            cache.insert_if_new("a", t(200), t(0)),
            "the entry closest to expiry was dropped"
        );
        assert!(!cache.insert_if_new("d", t(200), t(0)));
    }
}
