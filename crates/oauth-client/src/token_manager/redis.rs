//! The Redis/Valkey token store (feature `redis`).

use super::{TokenSet, TokenStore};
use crate::http::BoxFuture;
use replay_store::redis::client as redis;
use replay_store::{RedisConnection, StoreError};
use std::time::Duration;
use zeroize::Zeroizing;

/// Largest record read back (a token set is a few KiB at most).
const MAX_RECORD_BYTES: usize = 64 * 1024;

/// Default time a session's tokens are kept after their last save: 30 days.
pub const DEFAULT_TOKEN_RETENTION: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// A [`TokenStore`] on a Redis or Valkey server, shared by every instance.
///
/// The tokens of a session are one JSON record under `<prefix>tokens:<SHA-256 hex of the
/// session key>`, written with `SET ... PX <retention>` (so abandoned sessions disappear)
/// and removed with `DEL`. The record holds the refresh token: protect the server as a
/// session store (AUTH, TLS with `rediss://`).
///
/// ```no_run
/// use oauth_client::RedisTokenStore;
/// use replay_store::{RedisConfig, RedisConnection};
/// use std::time::Duration;
///
/// let connection = RedisConnection::new(RedisConfig::from_url("redis://127.0.0.1:6379")?);
/// let store = RedisTokenStore::new(connection).retention(Duration::from_secs(14 * 24 * 3600));
/// # let _ = store;
/// # Ok::<(), replay_store::StoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct RedisTokenStore {
    connection: RedisConnection,
    retention: Duration,
}

impl RedisTokenStore {
    /// A store on this connection, keeping tokens [`DEFAULT_TOKEN_RETENTION`] after their
    /// last save.
    #[must_use]
    pub fn new(connection: RedisConnection) -> Self {
        Self {
            connection,
            retention: DEFAULT_TOKEN_RETENTION,
        }
    }

    /// How long a session's tokens are kept after their last save (set it to at least the
    /// provider's refresh token lifetime).
    #[must_use]
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// The key the tokens of `session` are stored under.
    #[must_use]
    pub fn key(&self, session: &str) -> String {
        self.connection
            .config()
            .hashed_key("tokens", session.as_bytes())
    }

    fn unreadable(&self, reason: &str) -> StoreError {
        StoreError::Unavailable {
            store: self.describe(),
            reason: reason.to_owned(),
        }
    }
}

impl TokenStore for RedisTokenStore {
    fn load<'a>(&'a self, session: &'a str) -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>> {
        Box::pin(async move {
            let mut cmd = redis::cmd("GET");
            cmd.arg(self.key(session));
            let reply: Option<Vec<u8>> = self.connection.query(&cmd).await?;
            let Some(record) = reply.map(Zeroizing::new) else {
                return Ok(None);
            };
            if record.len() > MAX_RECORD_BYTES {
                return Err(self.unreadable("the stored token set is too large"));
            }
            TokenSet::from_record(&record)
                .map(Some)
                .map_err(|reason| self.unreadable(reason))
        })
    }

    fn save<'a>(
        &'a self,
        session: &'a str,
        tokens: &'a TokenSet,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let record = tokens.to_record().map_err(|r| self.unreadable(r))?;
            let retention_ms = u64::try_from(self.retention.as_millis())
                .unwrap_or(u64::MAX)
                .max(1);
            let mut cmd = redis::cmd("SET");
            cmd.arg(self.key(session))
                .arg(record.as_slice())
                .arg("PX")
                .arg(retention_ms);
            let _: String = self.connection.query(&cmd).await?;
            Ok(())
        })
    }

    fn remove<'a>(&'a self, session: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let mut cmd = redis::cmd("DEL");
            cmd.arg(self.key(session));
            let _: i64 = self.connection.query(&cmd).await?;
            Ok(())
        })
    }

    fn describe(&self) -> String {
        self.connection.config().describe().to_owned()
    }
}
