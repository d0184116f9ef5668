//! The bounded in-memory pending-login store, for a single instance.

use super::{PendingLogin, PendingLoginError, PendingLoginStore, state_digest, unexpired};
use crate::http::BoxFuture;
use replay_store::StoreError;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

/// Default capacity of [`MemoryPendingLoginStore::new`]: 10 000 logins in flight.
pub const DEFAULT_PENDING_LOGIN_CAPACITY: usize = 10_000;

/// A [`PendingLoginStore`] in process memory: one instance only (behind a load balancer, use
/// `RedisPendingLoginStore`, feature `redis`).
///
/// Holds at most `capacity` unexpired logins; when full, expired ones are dropped and, if
/// none has expired, the new login is refused with [`StoreError::Full`] (an unauthenticated
/// flood of login starts cannot push out the logins of real users). Logins are filed under
/// the SHA-256 of their `state`.
///
/// ```
/// use oauth_client::{MemoryPendingLoginStore, PendingLogin, PendingLoginError, PendingLoginStore};
/// use std::time::{Duration, SystemTime};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let store = MemoryPendingLoginStore::new();
/// let now = SystemTime::now();
/// let login = PendingLogin::starting_at(now, Duration::from_secs(600))?;
/// store.put(&login, now).await?;
/// // The callback takes it once.
/// let taken = store.take(login.state(), now).await?;
/// assert_eq!(taken.pkce_code_verifier(), login.pkce_code_verifier());
/// let again = store.take(login.state(), now).await;
/// assert!(matches!(again, Err(PendingLoginError::Unknown)));
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct MemoryPendingLoginStore {
    capacity: usize,
    logins: Mutex<HashMap<[u8; 32], PendingLogin>>,
}

impl Default for MemoryPendingLoginStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryPendingLoginStore {
    /// A store for [`DEFAULT_PENDING_LOGIN_CAPACITY`] logins.
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_PENDING_LOGIN_CAPACITY)
    }

    /// A store for `capacity` logins in flight.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity,
            logins: Mutex::new(HashMap::new()),
        }
    }

    /// How many logins it holds (expired ones included until they are dropped).
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether it holds no login.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], PendingLogin>> {
        // A panic while holding the lock cannot leave the map half-updated.
        self.logins.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn put_now(&self, login: &PendingLogin, now: SystemTime) -> Result<(), PendingLoginError> {
        let key = state_digest(login.state())?;
        let mut logins = self.lock();
        if logins.get(&key).is_some_and(|l| !l.is_expired(now)) {
            return Err(PendingLoginError::DuplicateState);
        }
        if logins.len() >= self.capacity && !logins.contains_key(&key) {
            logins.retain(|_, l| !l.is_expired(now));
            if logins.len() >= self.capacity {
                return Err(PendingLoginError::Store(StoreError::Full {
                    capacity: self.capacity,
                }));
            }
        }
        logins.insert(key, login.clone());
        Ok(())
    }

    fn take_now(&self, state: &str, now: SystemTime) -> Result<PendingLogin, PendingLoginError> {
        let key = state_digest(state)?;
        let login = self.lock().remove(&key).ok_or(PendingLoginError::Unknown)?;
        unexpired(login, now)
    }
}

impl PendingLoginStore for MemoryPendingLoginStore {
    fn put<'a>(
        &'a self,
        login: &'a PendingLogin,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<(), PendingLoginError>> {
        Box::pin(async move { self.put_now(login, now) })
    }

    fn take<'a>(
        &'a self,
        state: &'a str,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<PendingLogin, PendingLoginError>> {
        Box::pin(async move { self.take_now(state, now) })
    }

    fn describe(&self) -> String {
        format!("memory (capacity {})", self.capacity)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use std::time::Duration;

    fn login(now: SystemTime, secs: u64) -> PendingLogin {
        PendingLogin::starting_at(now, Duration::from_secs(secs)).unwrap()
    }

    #[test]
    fn take_is_single_use() {
        let store = MemoryPendingLoginStore::new();
        let now = SystemTime::now();
        let l = login(now, 60);
        store.put_now(&l, now).unwrap();
        assert!(matches!(
            store.put_now(&l, now),
            Err(PendingLoginError::DuplicateState)
        ));
        assert_eq!(store.take_now(l.state(), now).unwrap().state(), l.state());
        assert!(matches!(
            store.take_now(l.state(), now),
            Err(PendingLoginError::Unknown)
        ));
        assert!(store.is_empty());
    }

    #[test]
    fn expired_logins_are_refused_and_removed() {
        let store = MemoryPendingLoginStore::new();
        let now = SystemTime::now();
        let l = login(now, 60);
        store.put_now(&l, now).unwrap();
        let later = now + Duration::from_secs(60);
        assert!(matches!(
            store.take_now(l.state(), later),
            Err(PendingLoginError::Expired)
        ));
        assert!(matches!(
            store.take_now(l.state(), now),
            Err(PendingLoginError::Unknown)
        ));
    }

    #[test]
    fn a_full_store_refuses_until_logins_expire() {
        let store = MemoryPendingLoginStore::with_capacity(2);
        let now = SystemTime::now();
        store.put_now(&login(now, 10), now).unwrap();
        store.put_now(&login(now, 60), now).unwrap();
        let third = login(now, 60);
        let err = store.put_now(&third, now).unwrap_err();
        assert!(matches!(
            err,
            PendingLoginError::Store(StoreError::Full { capacity: 2 })
        ));
        assert_eq!(err.code(), "PENDING_LOGIN_STORE_UNAVAILABLE");
        // Once the first has expired there is room again, and the live one is kept.
        let later = now + Duration::from_secs(11);
        store.put_now(&third, later).unwrap();
        assert_eq!(store.len(), 2);
    }
}
