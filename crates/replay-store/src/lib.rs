#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod error;
mod id;
mod memory;
#[cfg(feature = "redis")]
pub mod redis;

pub use error::StoreError;
pub use id::{MAX_ID_LEN, MAX_NAMESPACE_LEN, Namespace, ReplayId};
pub use memory::{DEFAULT_CAPACITY, MemoryReplayStore};
#[cfg(feature = "redis")]
pub use redis::{RedisConfig, RedisConnection, RedisReplayStore};

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

/// A boxed, sendable future, the return type of [`ReplayStore::check_and_record`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Shortest time an entry is kept, in milliseconds: an expiry at or before `now` (a clock
/// disagreement between caller and store) still records the identifier for a second.
pub(crate) const MIN_TTL_MS: i64 = 1_000;

/// The answer of a store for one identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Seen {
    /// Not seen before (or its entry expired): it is now recorded until its expiry.
    Fresh,
    /// Recorded and not expired: a replay, to be refused.
    Replayed,
}

/// "Seen once until T": records identifiers and says whether each was already recorded.
///
/// Checking and recording are one atomic step, so of N concurrent calls with the same
/// identifier exactly one gets [`Seen::Fresh`], in one process ([`MemoryReplayStore`]) or
/// across all the instances sharing a Redis server (`RedisReplayStore`, feature `redis`).
///
/// The call is async and fallible: a network store may be slow or down. **Every error means
/// "refuse"**: callers treat [`StoreError`] as a failed check, never as fresh.
///
/// The trait is dyn-compatible; verifiers hold an `Arc<dyn ReplayStore>`.
pub trait ReplayStore: Send + Sync + core::fmt::Debug {
    /// Records `id` until `expires_at` unless it is already recorded and unexpired.
    ///
    /// `now` is the caller's clock (the one its token checks used); stores that keep time
    /// themselves (Redis) record for `expires_at - now`, at least one second.
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot answer (unreachable, timed out, full): the caller
    /// must refuse the token.
    fn check_and_record<'a>(
        &'a self,
        id: &'a ReplayId,
        now: SystemTime,
        expires_at: SystemTime,
    ) -> BoxFuture<'a, Result<Seen, StoreError>>;

    /// A short description for messages and `Debug` (`memory (capacity 100000)`,
    /// `redis://127.0.0.1:6379/0`); never credentials.
    fn describe(&self) -> String;
}

impl<S: ReplayStore + ?Sized> ReplayStore for Arc<S> {
    fn check_and_record<'a>(
        &'a self,
        id: &'a ReplayId,
        now: SystemTime,
        expires_at: SystemTime,
    ) -> BoxFuture<'a, Result<Seen, StoreError>> {
        (**self).check_and_record(id, now, expires_at)
    }

    fn describe(&self) -> String {
        (**self).describe()
    }
}

/// Milliseconds since the Unix epoch, negative before it, saturating far away from it.
pub(crate) fn unix_millis(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |m| -m),
    }
}
