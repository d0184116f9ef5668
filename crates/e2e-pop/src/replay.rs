//! Replay protection: each `jti` is accepted once within its token's lifetime.

use crate::{E2ePopError, TokenKind};
use jwt_claims::{Audience, NumericDate};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;

/// What identifies a token for replay detection: the draft makes `jti` unique per
/// (`iss`, `sub`) for PoP tokens and ICTs, and per (`iss`, `sub`, `aud`) for E2E PoP tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplayKey<'a> {
    /// The token type.
    pub token: TokenKind,
    /// `iss`.
    pub iss: &'a str,
    /// `sub`.
    pub sub: &'a str,
    /// `aud`, for E2E PoP tokens.
    pub aud: Option<&'a Audience>,
    /// `jti`.
    pub jti: &'a str,
}

impl ReplayKey<'_> {
    /// A fixed-size digest of the key: SHA-256 over the length-prefixed fields, so that no
    /// two different keys collide by concatenation and a cache entry has a bounded size.
    #[must_use]
    pub fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        };
        field(self.token.typ().as_bytes());
        field(self.iss.as_bytes());
        field(self.sub.as_bytes());
        match self.aud {
            None => field(b""),
            Some(aud) => {
                for a in aud.iter() {
                    field(a.as_bytes());
                }
            }
        }
        field(self.jti.as_bytes());
        h.finalize().into()
    }
}

/// A store of accepted tokens, checked and updated in one atomic step.
///
/// Draft conformance needs one: the OP must refuse a PoP token whose `jti` it has seen, and
/// the peer an E2E PoP token it has seen. [`InMemoryReplayCache`] serves a single process;
/// implement the trait over a shared store (Redis `SET NX PX`, a database unique key) for
/// several.
pub trait ReplayCache: Send + Sync {
    /// Records `key` until `keep_until` unless it is already recorded and not yet expired.
    /// Returns `true` when the key was new (the token is fresh), `false` for a replay.
    ///
    /// # Errors
    /// [`E2ePopError::ReplayCache`] when the key cannot be recorded (the store is full or
    /// unavailable); verification then fails closed.
    fn check_and_insert(
        &self,
        key: &ReplayKey<'_>,
        keep_until: NumericDate,
        now: NumericDate,
    ) -> Result<bool, E2ePopError>;
}

impl<C: ReplayCache + ?Sized> ReplayCache for std::sync::Arc<C> {
    fn check_and_insert(
        &self,
        key: &ReplayKey<'_>,
        keep_until: NumericDate,
        now: NumericDate,
    ) -> Result<bool, E2ePopError> {
        (**self).check_and_insert(key, keep_until, now)
    }
}

/// A bounded in-memory [`ReplayCache`].
///
/// Entries are digests ([`ReplayKey::digest`]) with their expiry. When the cache is full,
/// expired entries are dropped; if it is still full, new tokens are refused
/// ([`E2ePopError::ReplayCache`]) rather than forgetting live entries, which would reopen the
/// replay window.
///
/// ```
/// use e2e_pop::{Audience, InMemoryReplayCache, NumericDate, ReplayCache, ReplayKey, TokenKind};
///
/// let cache = InMemoryReplayCache::new(10_000);
/// let aud = Audience::from("session-1");
/// let key = ReplayKey { token: TokenKind::E2ePop, iss: "client", sub: "alice", aud: Some(&aud), jti: "j1" };
/// let now = NumericDate::from_seconds(1_700_000_000);
/// let until = NumericDate::from_seconds(1_700_000_300);
/// assert!(cache.check_and_insert(&key, until, now)?);
/// assert!(!cache.check_and_insert(&key, until, now)?);
/// # Ok::<(), e2e_pop::E2ePopError>(())
/// ```
#[derive(Debug)]
pub struct InMemoryReplayCache {
    entries: Mutex<HashMap<[u8; 32], NumericDate>>,
    capacity: usize,
}

impl InMemoryReplayCache {
    /// A cache holding at most `capacity` live tokens.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// The number of entries held (expired ones included until they are purged).
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    /// Whether the cache holds no entry.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ReplayCache for InMemoryReplayCache {
    fn check_and_insert(
        &self,
        key: &ReplayKey<'_>,
        keep_until: NumericDate,
        now: NumericDate,
    ) -> Result<bool, E2ePopError> {
        let digest = key.digest();
        let mut entries = self
            .entries
            .lock()
            .map_err(|_| E2ePopError::ReplayCache("the cache lock is poisoned".into()))?;
        if let Some(until) = entries.get(&digest)
            && *until >= now
        {
            return Ok(false);
        }
        if entries.len() >= self.capacity && !entries.contains_key(&digest) {
            entries.retain(|_, until| *until >= now);
            if entries.len() >= self.capacity {
                return Err(E2ePopError::ReplayCache(format!(
                    "full ({} live tokens)",
                    self.capacity
                )));
            }
        }
        entries.insert(digest, keep_until);
        Ok(true)
    }
}

/// A verifier's handle on a replay cache.
#[derive(Clone)]
pub(crate) struct Replay(pub(crate) std::sync::Arc<dyn ReplayCache>);

impl std::fmt::Debug for Replay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReplayCache(..)")
    }
}

impl Replay {
    /// Records the token until its `exp` plus the clock tolerance; a second sighting is
    /// [`E2ePopError::Replay`].
    pub(crate) fn check(
        &self,
        key: &ReplayKey<'_>,
        exp: NumericDate,
        policy: &crate::policy::Policy,
    ) -> Result<(), E2ePopError> {
        let now = policy.current_time();
        let keep_until = exp.plus(policy.tolerance);
        if self.0.check_and_insert(key, keep_until, now)? {
            Ok(())
        } else {
            Err(E2ePopError::Replay { token: key.token })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(jti: &str) -> ReplayKey<'_> {
        ReplayKey {
            token: TokenKind::Pop,
            iss: "c",
            sub: "s",
            aud: None,
            jti,
        }
    }

    #[test]
    fn a_full_cache_purges_expired_entries_then_fails_closed() {
        let cache = InMemoryReplayCache::new(2);
        let t = NumericDate::from_seconds;
        assert!(cache.check_and_insert(&key("a"), t(10), t(0)).unwrap());
        assert!(cache.check_and_insert(&key("b"), t(100), t(0)).unwrap());
        // Full and nothing expired: refused, not forgotten.
        assert!(matches!(
            cache.check_and_insert(&key("c"), t(100), t(5)),
            Err(E2ePopError::ReplayCache(_))
        ));
        // "a" has expired by t = 11: purged, "c" fits.
        assert!(cache.check_and_insert(&key("c"), t(100), t(11)).unwrap());
        assert!(!cache.check_and_insert(&key("b"), t(100), t(11)).unwrap());
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn an_expired_entry_may_be_used_again() {
        let cache = InMemoryReplayCache::new(8);
        let t = NumericDate::from_seconds;
        assert!(cache.check_and_insert(&key("a"), t(10), t(0)).unwrap());
        assert!(!cache.check_and_insert(&key("a"), t(10), t(10)).unwrap());
        assert!(cache.check_and_insert(&key("a"), t(20), t(11)).unwrap());
    }

    #[test]
    fn fields_are_length_prefixed() {
        let a = ReplayKey {
            token: TokenKind::Pop,
            iss: "ab",
            sub: "c",
            aud: None,
            jti: "j",
        };
        let b = ReplayKey {
            iss: "a",
            sub: "bc",
            ..a
        };
        assert_ne!(a.digest(), b.digest());
    }
}
