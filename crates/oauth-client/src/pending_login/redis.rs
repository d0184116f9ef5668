//! The Redis/Valkey pending-login store (feature `redis`), shared by every instance.

use super::{
    PendingLogin, PendingLoginError, PendingLoginStore, check_state, unexpired, unix_millis,
};
use crate::http::BoxFuture;
use replay_store::RedisConnection;
use replay_store::redis::client as redis;
use std::time::SystemTime;
use zeroize::Zeroizing;

/// Largest record read back (a pending login is well under 1 KiB).
const MAX_RECORD_BYTES: usize = 16 * 1024;

/// A [`PendingLoginStore`] on a Redis server (6.2 or later, for `GETDEL`; tested with 7.0)
/// or Valkey, so the callback of a login can land on any instance.
///
/// A login is kept under `<prefix>login:<SHA-256 hex of state>` (the `state` itself never
/// becomes a key), written with `SET ... NX PX <ttl>` and taken with `GETDEL`: one atomic
/// command each, so of two callbacks with the same `state`, on any instances, exactly one
/// gets the login. The server removes it at its expiry; a taken login is checked against the
/// caller's clock too. Every error fails closed ([`PendingLoginError::Store`]).
///
/// The record (JSON) holds the PKCE verifier and the nonce: protect the server as a session
/// store (AUTH, TLS with `rediss://`, no persistence to shared disks).
///
/// ```no_run
/// use oauth_client::{PendingLogin, PendingLoginStore, RedisPendingLoginStore, DEFAULT_PENDING_LOGIN_TTL};
/// use replay_store::{RedisConfig, RedisConnection};
/// use std::time::SystemTime;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let connection = RedisConnection::new(RedisConfig::from_url("redis://127.0.0.1:6379")?);
/// let store = RedisPendingLoginStore::new(connection);
/// let login = PendingLogin::new(DEFAULT_PENDING_LOGIN_TTL)?;
/// store.put(&login, SystemTime::now()).await?;
/// // ... on any instance, in the callback:
/// let taken = store.take(login.state(), SystemTime::now()).await?;
/// # let _ = taken;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct RedisPendingLoginStore {
    connection: RedisConnection,
}

impl RedisPendingLoginStore {
    /// A store on this connection (which may be shared with the replay store).
    #[must_use]
    pub fn new(connection: RedisConnection) -> Self {
        Self { connection }
    }

    /// The connection.
    #[must_use]
    pub fn connection(&self) -> &RedisConnection {
        &self.connection
    }

    /// The key a login with this `state` is stored under.
    ///
    /// # Errors
    /// [`PendingLoginError::InvalidState`] for an empty or over-long `state`.
    pub fn key(&self, state: &str) -> Result<String, PendingLoginError> {
        check_state(state)?;
        Ok(self
            .connection
            .config()
            .hashed_key("login", state.as_bytes()))
    }
}

impl PendingLoginStore for RedisPendingLoginStore {
    fn put<'a>(
        &'a self,
        login: &'a PendingLogin,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<(), PendingLoginError>> {
        Box::pin(async move {
            let key = self.key(login.state())?;
            let record = login.to_record()?;
            let ttl_ms = unix_millis(login.expires_at())
                .saturating_sub(unix_millis(now))
                .max(1);
            let mut cmd = redis::cmd("SET");
            cmd.arg(key)
                .arg(record.as_slice())
                .arg("NX")
                .arg("PX")
                .arg(ttl_ms);
            let reply: Option<String> = self
                .connection
                .query(&cmd)
                .await
                .map_err(PendingLoginError::Store)?;
            reply.map(|_| ()).ok_or(PendingLoginError::DuplicateState)
        })
    }

    fn take<'a>(
        &'a self,
        state: &'a str,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<PendingLogin, PendingLoginError>> {
        Box::pin(async move {
            let mut cmd = redis::cmd("GETDEL");
            cmd.arg(self.key(state)?);
            let reply: Option<Vec<u8>> = self
                .connection
                .query(&cmd)
                .await
                .map_err(PendingLoginError::Store)?;
            let record = Zeroizing::new(reply.ok_or(PendingLoginError::Unknown)?);
            if record.len() > MAX_RECORD_BYTES {
                return Err(PendingLoginError::Corrupt(
                    "the stored pending login is too large",
                ));
            }
            let login = PendingLogin::from_record(&record)?;
            if !jose_core::constant_time_eq(login.state().as_bytes(), state.as_bytes()) {
                // A SHA-256 collision or a record written by someone else.
                return Err(PendingLoginError::Corrupt(
                    "the stored pending login belongs to another state",
                ));
            }
            unexpired(login, now)
        })
    }

    fn describe(&self) -> String {
        self.connection.config().describe().to_owned()
    }
}
