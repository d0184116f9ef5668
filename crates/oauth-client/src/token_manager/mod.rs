//! The token manager: a session's tokens over time (refresh ahead of expiry, one refresh
//! for all concurrent callers, rotated refresh tokens persisted, revocation on logout).

#[cfg(feature = "redis")]
mod redis;
mod store;
mod tokens;

#[cfg(feature = "redis")]
pub use redis::{DEFAULT_TOKEN_RETENTION, RedisTokenStore};
pub use store::{DEFAULT_TOKEN_STORE_CAPACITY, MemoryTokenStore, TokenStore};
pub use tokens::{AccessToken, TokenSet};

use crate::{Configuration, Error, Params, TokenResponse};
use replay_store::StoreError;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::Mutex;

/// Default refresh margin: an access token is refreshed when it expires within 60 s.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// The time source of a [`TokenManager`] (the system clock unless a test sets another).
pub trait Clock: Send + Sync + core::fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionEnd {
    /// The provider refused the refresh token (`invalid_grant`: expired, revoked, or a
    /// rotated token used twice).
    RefreshRejected,
    /// The access token expired and there is no refresh token.
    NoRefreshToken,
    /// Another instance removed the session's tokens (a logout or an ended session).
    RemovedElsewhere,
}

/// Why a [`TokenManager`] could not hand out a token or log out.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TokenManagerError {
    /// No tokens are stored for this session (never logged in, or logged out).
    #[error("no tokens for this session")]
    NoSession,
    /// The session is over; its stored tokens have been removed. Send the user to log in.
    #[error("the session has ended ({reason:?})")]
    SessionEnded {
        /// Why.
        reason: SessionEnd,
    },
    /// The refresh failed for another reason (transport, `invalid_client`, a bad response);
    /// the tokens are kept and the next call tries again.
    #[error("refreshing the access token failed: {0}")]
    Refresh(Box<Error>),
    /// Revoking a token at logout failed; the stored tokens are removed all the same.
    #[error("revoking the tokens failed: {0}")]
    Revocation(Box<Error>),
    /// The token store could not answer. After a refresh, the new tokens are kept in memory
    /// and saved again by the next call.
    #[error("token store: {0}")]
    Store(StoreError),
}

impl TokenManagerError {
    /// A stable, machine-readable code.
    ///
    /// | variant | code |
    /// |---|---|
    /// | `NoSession` | `TOKEN_MANAGER_NO_SESSION` |
    /// | `SessionEnded` | `TOKEN_MANAGER_SESSION_ENDED` |
    /// | `Refresh` | `TOKEN_MANAGER_REFRESH_FAILED` |
    /// | `Revocation` | `TOKEN_MANAGER_REVOCATION_FAILED` |
    /// | `Store` | `TOKEN_MANAGER_STORE_UNAVAILABLE` |
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            TokenManagerError::NoSession => "TOKEN_MANAGER_NO_SESSION",
            TokenManagerError::SessionEnded { .. } => "TOKEN_MANAGER_SESSION_ENDED",
            TokenManagerError::Refresh(_) => "TOKEN_MANAGER_REFRESH_FAILED",
            TokenManagerError::Revocation(_) => "TOKEN_MANAGER_REVOCATION_FAILED",
            TokenManagerError::Store(_) => "TOKEN_MANAGER_STORE_UNAVAILABLE",
        }
    }
}

/// Keeps one session's tokens valid: [`TokenManager::access_token`] returns the current
/// access token, refreshing it first when it expires within the refresh margin.
///
/// - **One refresh at a time.** Calls go through one async lock: while a refresh runs, the
///   other callers wait for it and then get its token, so N concurrent calls around expiry
///   make one refresh request, not N (no refresh storm, no rotated refresh token lost to a
///   race).
/// - **Rotation.** The new token set, with the rotated refresh token (or the old one when
///   the server did not rotate), is saved to the [`TokenStore`] before it is used.
/// - **Several instances.** Before refreshing, the manager reads the store again and adopts
///   tokens another instance already refreshed. Two instances refreshing the same session at
///   the same moment are not serialized (that needs a distributed lock); with rotation one
///   of them then gets `invalid_grant`.
/// - **End of session.** `invalid_grant` ends the session: the stored tokens are removed and
///   the call fails with [`TokenManagerError::SessionEnded`].
/// - **DPoP.** With a configuration from [`Configuration::with_dpop`], refreshes carry
///   proofs of its key and the access token comes back with type `dpop`.
/// - **Logout.** [`TokenManager::logout`] revokes the refresh and access tokens and clears
///   the store.
///
/// ```no_run
/// use oauth_client::{MemoryTokenStore, TokenManager};
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// # async fn demo(config: oauth_client::Configuration, tokens: oauth_client::TokenResponse) -> Result<(), Box<dyn std::error::Error>> {
/// let store = Arc::new(MemoryTokenStore::new());
/// let manager = TokenManager::builder(config, store, "session-42")
///     .refresh_margin(Duration::from_secs(30))
///     .build();
/// manager.store_tokens(&tokens).await?; // after the code grant
/// // Anywhere, any number of times, concurrently:
/// let token = manager.access_token().await?;
/// println!("Authorization: Bearer {}", token.secret());
/// // At logout:
/// manager.logout().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct TokenManager {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Configuration,
    store: Arc<dyn TokenStore>,
    session: String,
    margin: Duration,
    clock: Arc<dyn Clock>,
    refresh_params: Params,
    cache: Mutex<Cache>,
}

#[derive(Debug, Default)]
struct Cache {
    tokens: Option<TokenSet>,
    /// The tokens changed (a refresh) but the store has not taken them yet.
    unsaved: bool,
}

/// Builds a [`TokenManager`]; see [`TokenManager::builder`].
#[derive(Debug)]
#[must_use]
pub struct TokenManagerBuilder {
    config: Configuration,
    store: Arc<dyn TokenStore>,
    session: String,
    margin: Duration,
    clock: Arc<dyn Clock>,
    refresh_params: Params,
}

impl TokenManagerBuilder {
    /// Refresh when the access token expires within `margin` (default
    /// [`DEFAULT_REFRESH_MARGIN`]).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The clock (default [`SystemClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Parameters sent with every refresh (`scope`, `resource`, ...).
    pub fn refresh_params(mut self, params: impl Into<Params>) -> Self {
        self.refresh_params = params.into();
        self
    }

    /// The manager.
    #[must_use]
    pub fn build(self) -> TokenManager {
        TokenManager {
            inner: Arc::new(Inner {
                config: self.config,
                store: self.store,
                session: self.session,
                margin: self.margin,
                clock: self.clock,
                refresh_params: self.refresh_params,
                cache: Mutex::new(Cache::default()),
            }),
        }
    }
}

impl TokenManager {
    /// A builder for the manager of `session` (the application's session key; stores file
    /// tokens under it), refreshing through `config` and persisting to `store`.
    pub fn builder(
        config: Configuration,
        store: Arc<dyn TokenStore>,
        session: impl Into<String>,
    ) -> TokenManagerBuilder {
        TokenManagerBuilder {
            config,
            store,
            session: session.into(),
            margin: DEFAULT_REFRESH_MARGIN,
            clock: Arc::new(SystemClock),
            refresh_params: Params::new(),
        }
    }

    /// The session key.
    #[must_use]
    pub fn session(&self) -> &str {
        &self.inner.session
    }

    /// Starts (or replaces) the session with the tokens of a grant, saving them.
    ///
    /// # Errors
    /// [`TokenManagerError::Store`].
    pub async fn store_tokens(&self, response: &TokenResponse) -> Result<(), TokenManagerError> {
        let tokens = TokenSet::from_response(response, self.inner.clock.now());
        let mut cache = self.inner.cache.lock().await;
        cache.tokens = None;
        cache.unsaved = false;
        self.save(&tokens).await?;
        cache.tokens = Some(tokens);
        Ok(())
    }

    /// The current token set (loaded from the store if needed), without refreshing.
    ///
    /// # Errors
    /// [`TokenManagerError::NoSession`], [`TokenManagerError::Store`].
    pub async fn tokens(&self) -> Result<TokenSet, TokenManagerError> {
        let mut cache = self.inner.cache.lock().await;
        self.current(&mut cache).await
    }

    /// A valid access token: the current one, or a refreshed one when it expires within the
    /// refresh margin. Concurrent calls share one refresh.
    ///
    /// An access token that is within the margin but not yet expired is still returned when
    /// there is no refresh token.
    ///
    /// # Errors
    /// [`TokenManagerError::NoSession`], [`TokenManagerError::SessionEnded`] (stored tokens
    /// removed), [`TokenManagerError::Refresh`] (tokens kept), [`TokenManagerError::Store`].
    pub async fn access_token(&self) -> Result<AccessToken, TokenManagerError> {
        let mut cache = self.inner.cache.lock().await;
        let now = self.inner.clock.now();
        let tokens = self.current(&mut cache).await?;
        if !tokens.needs_refresh(now, self.inner.margin) {
            return Ok(AccessToken::from(&tokens));
        }
        // Another instance may have refreshed (and rotated) already: the store has the last
        // word on the refresh token.
        let Some(stored) = self.load().await? else {
            cache.tokens = None;
            return Err(TokenManagerError::SessionEnded {
                reason: SessionEnd::RemovedElsewhere,
            });
        };
        cache.tokens = Some(stored.clone());
        if !stored.needs_refresh(now, self.inner.margin) {
            return Ok(AccessToken::from(&stored));
        }
        self.refresh(&mut cache, &stored, now).await
    }

    /// Refreshes `stored` (due at `now`) and saves the result; the cache lock is held.
    async fn refresh(
        &self,
        cache: &mut Cache,
        stored: &TokenSet,
        now: SystemTime,
    ) -> Result<AccessToken, TokenManagerError> {
        let Some(refresh_token) = stored.refresh_token() else {
            if !stored.is_expired(now) {
                return Ok(AccessToken::from(stored));
            }
            return Err(self.end(cache, SessionEnd::NoRefreshToken).await);
        };
        let result = self
            .inner
            .config
            .refresh_token_grant(refresh_token, self.inner.refresh_params.clone())
            .await;
        match result {
            Ok(response) => {
                let next = stored.refreshed(&response, self.inner.clock.now());
                cache.tokens = Some(next.clone());
                cache.unsaved = true;
                self.save(&next).await?;
                cache.unsaved = false;
                Ok(AccessToken::from(&next))
            }
            Err(e) if e.oauth_error() == Some("invalid_grant") => {
                Err(self.end(cache, SessionEnd::RefreshRejected).await)
            }
            Err(e) => Err(TokenManagerError::Refresh(Box::new(e))),
        }
    }

    /// Logs out: revokes the refresh token, then the access token, at the provider's
    /// revocation endpoint, and removes the tokens from the store (also when a revocation
    /// fails). Without stored tokens there is nothing to do.
    ///
    /// # Errors
    /// [`TokenManagerError::Revocation`] (the tokens are removed all the same; the provider
    /// may still honour them until they expire), [`TokenManagerError::Store`].
    pub async fn logout(&self) -> Result<(), TokenManagerError> {
        let mut cache = self.inner.cache.lock().await;
        let tokens = match self.current(&mut cache).await {
            Ok(tokens) => tokens,
            Err(TokenManagerError::NoSession) => return Ok(()),
            Err(e) => return Err(e),
        };
        let config = &self.inner.config;
        let mut failure = None;
        if let Some(refresh_token) = tokens.refresh_token() {
            let hint = Params::from([("token_type_hint", "refresh_token")]);
            failure = config.revoke_token(refresh_token, hint).await.err();
        }
        let hint = Params::from([("token_type_hint", "access_token")]);
        if let Err(e) = config.revoke_token(tokens.access_token(), hint).await {
            failure.get_or_insert(e);
        }
        cache.tokens = None;
        cache.unsaved = false;
        self.inner
            .store
            .remove(&self.inner.session)
            .await
            .map_err(TokenManagerError::Store)?;
        failure.map_or(Ok(()), |e| Err(TokenManagerError::Revocation(Box::new(e))))
    }

    /// The cached tokens (saving them first if a save failed before), or the stored ones.
    async fn current(&self, cache: &mut Cache) -> Result<TokenSet, TokenManagerError> {
        if let Some(tokens) = &cache.tokens {
            if cache.unsaved {
                self.save(tokens).await?;
                cache.unsaved = false;
            }
            return Ok(tokens.clone());
        }
        let tokens = self.load().await?.ok_or(TokenManagerError::NoSession)?;
        cache.tokens = Some(tokens.clone());
        Ok(tokens)
    }

    /// Ends the session: forgets the tokens and removes them from the store (best effort:
    /// tokens left behind are refused by the provider and removed again next time).
    async fn end(&self, cache: &mut Cache, reason: SessionEnd) -> TokenManagerError {
        cache.tokens = None;
        cache.unsaved = false;
        let _ = self.inner.store.remove(&self.inner.session).await;
        TokenManagerError::SessionEnded { reason }
    }

    async fn load(&self) -> Result<Option<TokenSet>, TokenManagerError> {
        self.inner
            .store
            .load(&self.inner.session)
            .await
            .map_err(TokenManagerError::Store)
    }

    async fn save(&self, tokens: &TokenSet) -> Result<(), TokenManagerError> {
        self.inner
            .store
            .save(&self.inner.session, tokens)
            .await
            .map_err(TokenManagerError::Store)
    }
}
