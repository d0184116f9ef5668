//! Where a token manager persists its session's tokens.

use super::TokenSet;
use crate::http::BoxFuture;
use replay_store::StoreError;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Default capacity of [`MemoryTokenStore::new`]: 100 000 sessions.
pub const DEFAULT_TOKEN_STORE_CAPACITY: usize = 100_000;

/// Persists the token set of each session under the application's session key, so a rotated
/// refresh token survives a restart and is seen by every instance.
///
/// Async and fallible; every error is reported to the caller of the token manager, never
/// taken for "no tokens". The trait is dyn-compatible.
pub trait TokenStore: Send + Sync + core::fmt::Debug {
    /// The tokens stored under `session`, if any.
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot answer or holds an unreadable record.
    fn load<'a>(&'a self, session: &'a str) -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>>;

    /// Stores `tokens` under `session`, replacing what was there.
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot answer or is full.
    fn save<'a>(
        &'a self,
        session: &'a str,
        tokens: &'a TokenSet,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Removes the tokens of `session` (nothing stored is not an error).
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot answer.
    fn remove<'a>(&'a self, session: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;

    /// A short description (`memory (capacity 100000)`, `redis://host:6379/0`); never
    /// credentials.
    fn describe(&self) -> String;
}

impl<S: TokenStore + ?Sized> TokenStore for std::sync::Arc<S> {
    fn load<'a>(&'a self, session: &'a str) -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>> {
        (**self).load(session)
    }

    fn save<'a>(
        &'a self,
        session: &'a str,
        tokens: &'a TokenSet,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        (**self).save(session, tokens)
    }

    fn remove<'a>(&'a self, session: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        (**self).remove(session)
    }

    fn describe(&self) -> String {
        (**self).describe()
    }
}

/// A [`TokenStore`] in process memory (one instance; tokens are lost on restart), holding at
/// most `capacity` sessions: a new session beyond that is refused with [`StoreError::Full`].
///
/// ```
/// use oauth_client::{MemoryTokenStore, TokenStore};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), replay_store::StoreError> {
/// let store = MemoryTokenStore::new();
/// assert!(store.load("session-1").await?.is_none());
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct MemoryTokenStore {
    capacity: usize,
    sessions: Mutex<HashMap<String, TokenSet>>,
}

impl Default for MemoryTokenStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryTokenStore {
    /// A store for [`DEFAULT_TOKEN_STORE_CAPACITY`] sessions.
    #[must_use]
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_TOKEN_STORE_CAPACITY)
    }

    /// A store for `capacity` sessions.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity,
            sessions: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, TokenSet>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl TokenStore for MemoryTokenStore {
    fn load<'a>(&'a self, session: &'a str) -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>> {
        Box::pin(async move { Ok(self.lock().get(session).cloned()) })
    }

    fn save<'a>(
        &'a self,
        session: &'a str,
        tokens: &'a TokenSet,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let mut sessions = self.lock();
            if sessions.len() >= self.capacity && !sessions.contains_key(session) {
                return Err(StoreError::Full {
                    capacity: self.capacity,
                });
            }
            sessions.insert(session.to_owned(), tokens.clone());
            Ok(())
        })
    }

    fn remove<'a>(&'a self, session: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            self.lock().remove(session);
            Ok(())
        })
    }

    fn describe(&self) -> String {
        format!("memory (capacity {})", self.capacity)
    }
}
