//! Redis and Valkey (feature `redis`): the shared store for several instances.
//!
//! [`RedisConfig`] parses a `redis://` or `rediss://` URL (AUTH from its user and password,
//! TLS through rustls for `rediss://`). [`RedisConnection`] is the one client the workspace
//! uses: a redis-rs `ConnectionManager` (one multiplexed connection, reconnected after
//! failures), opened on first use, with a timeout on every call. [`RedisReplayStore`] is the
//! [`ReplayStore`] over it; ciba's shared pending store uses the same connection type.

use crate::{BoxFuture, MIN_TTL_MS, ReplayId, ReplayStore, Seen, StoreError, unix_millis};
use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::{ConnectionAddr, IntoConnectionInfo};
use sha2::Digest as _;
use std::fmt::Write as _;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::OnceCell;

/// The redis-rs crate this module is built on, for code that sends its own commands through
/// [`RedisConnection::manager`] or [`RedisConnection::pubsub`].
pub use ::redis as client;

/// Default timeout of every call (connecting included).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// Default prefix of every key this workspace writes.
pub const DEFAULT_KEY_PREFIX: &str = "jose:";

/// Where and how to reach a Redis (or Valkey) server.
///
/// ```
/// use replay_store::RedisConfig;
/// use std::time::Duration;
///
/// let config = RedisConfig::from_url("rediss://app:s3cret@cache.internal:6380/2")?
///     .timeout(Duration::from_millis(500));
/// // The password never shows.
/// assert_eq!(config.describe(), "rediss://cache.internal:6380/2");
/// assert!(!format!("{config:?}").contains("s3cret"));
/// # Ok::<(), replay_store::StoreError>(())
/// ```
#[derive(Clone)]
pub struct RedisConfig {
    client: ::redis::Client,
    describe: String,
    timeout: Duration,
    key_prefix: String,
}

impl core::fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RedisConfig")
            .field("server", &self.describe)
            .field("timeout", &self.timeout)
            .field("key_prefix", &self.key_prefix)
            .finish_non_exhaustive()
    }
}

impl RedisConfig {
    /// Parses `redis://[[user]:password@]host[:port][/db]` or the same with `rediss://` (TLS,
    /// server certificate checked against the platform's roots). `valkey://` and `valkeys://`
    /// are accepted as synonyms. Nothing is connected yet.
    ///
    /// # Errors
    /// [`StoreError::Config`] for another scheme, an unparsable URL, or a `#insecure` fragment
    /// (which would turn off certificate checks).
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        let scheme = url.split_once("://").map(|(s, _)| s).unwrap_or_default();
        if !matches!(scheme, "redis" | "rediss" | "valkey" | "valkeys") {
            return Err(StoreError::Config {
                reason: "the URL must start with redis:// or rediss://".into(),
            });
        }
        let info = url.into_connection_info().map_err(|e| StoreError::Config {
            reason: format!("invalid Redis URL: {:?}", e.kind()),
        })?;
        let (tls, host, port) = match info.addr() {
            ConnectionAddr::Tcp(host, port) => (false, host.clone(), *port),
            ConnectionAddr::TcpTls { insecure: true, .. } => {
                return Err(StoreError::Config {
                    reason: "#insecure (no certificate check) is not accepted".into(),
                });
            }
            ConnectionAddr::TcpTls { host, port, .. } => (true, host.clone(), *port),
            _ => {
                return Err(StoreError::Config {
                    reason: "only TCP connections are supported".into(),
                });
            }
        };
        let db = info.redis_settings().db();
        let describe = format!(
            "{}://{host}:{port}/{db}",
            if tls { "rediss" } else { "redis" }
        );
        let client = ::redis::Client::open(info).map_err(|e| StoreError::Config {
            reason: format!("invalid Redis configuration: {:?}", e.kind()),
        })?;
        Ok(Self {
            client,
            describe,
            timeout: DEFAULT_TIMEOUT,
            key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
        })
    }

    /// The timeout of every call, connecting included (default [`DEFAULT_TIMEOUT`]). A call
    /// that takes longer fails with [`StoreError::Timeout`].
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The prefix of every key (default `jose:`), to share a server with other applications
    /// or to separate deployments.
    #[must_use]
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// The server, without credentials: `rediss://host:port/db`.
    #[must_use]
    pub fn describe(&self) -> &str {
        &self.describe
    }

    /// The configured timeout.
    #[must_use]
    pub fn call_timeout(&self) -> Duration {
        self.timeout
    }

    /// The configured key prefix.
    #[must_use]
    pub fn prefix(&self) -> &str {
        &self.key_prefix
    }

    /// The key for a value that must not become a key as it is (a `state`, a session id, an
    /// `auth_req_id`): `<prefix><kind>:<SHA-256 of value, hex>`. Every key has the same small
    /// size whatever the value, and the value itself never reaches the server's key space.
    #[must_use]
    pub fn hashed_key(&self, kind: &str, value: &[u8]) -> String {
        let mut key = format!("{}{kind}:", self.key_prefix);
        for byte in sha2::Sha256::digest(value) {
            let _ = write!(key, "{byte:02x}");
        }
        key
    }
}

/// A shared, reconnecting client for one server; cheap to clone.
///
/// Nothing is connected until the first call; a server that is down then yields
/// [`StoreError::Unavailable`] or [`StoreError::Timeout`] and the next call tries again.
#[derive(Clone)]
pub struct RedisConnection {
    shared: Arc<Shared>,
}

struct Shared {
    config: RedisConfig,
    manager: OnceCell<ConnectionManager>,
}

impl core::fmt::Debug for RedisConnection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RedisConnection")
            .field("config", &self.shared.config)
            .field("connected", &self.shared.manager.initialized())
            .finish()
    }
}

impl RedisConnection {
    /// A client for `config`; does not connect.
    #[must_use]
    pub fn new(config: RedisConfig) -> Self {
        Self {
            shared: Arc::new(Shared {
                config,
                manager: OnceCell::new(),
            }),
        }
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &RedisConfig {
        &self.shared.config
    }

    /// Runs `f` under the configured timeout, mapping both failures to [`StoreError`].
    ///
    /// # Errors
    /// [`StoreError::Timeout`] after the timeout, [`StoreError::Unavailable`] for a Redis
    /// error.
    pub async fn with_timeout<T>(
        &self,
        f: impl Future<Output = Result<T, ::redis::RedisError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.config().timeout, f).await {
            Ok(result) => result.map_err(|e| self.error(&e)),
            Err(_) => Err(self.timeout_error()),
        }
    }

    /// The connection manager (a clone of the shared one), connecting on first use.
    ///
    /// # Errors
    /// As [`RedisConnection::with_timeout`].
    pub async fn manager(&self) -> Result<ConnectionManager, StoreError> {
        let config = self.config();
        let connect = || async {
            let options = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(config.timeout))
                .set_response_timeout(Some(config.timeout))
                .set_number_of_retries(2)
                .set_max_delay(config.timeout);
            self.with_timeout(ConnectionManager::new_with_config(
                config.client.clone(),
                options,
            ))
            .await
        };
        self.shared.manager.get_or_try_init(connect).await.cloned()
    }

    /// A new pub/sub connection (one per subscriber), under the timeout.
    ///
    /// # Errors
    /// As [`RedisConnection::with_timeout`].
    pub async fn pubsub(&self) -> Result<::redis::aio::PubSub, StoreError> {
        self.with_timeout(self.config().client.get_async_pubsub())
            .await
    }

    /// Sends one command through the shared connection, under the timeout.
    ///
    /// # Errors
    /// As [`RedisConnection::with_timeout`].
    pub async fn query<T: ::redis::FromRedisValue>(
        &self,
        cmd: &::redis::Cmd,
    ) -> Result<T, StoreError> {
        let started = tokio::time::Instant::now();
        let mut manager = self.manager().await?;
        let left = self.config().timeout.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, cmd.query_async::<T>(&mut manager)).await {
            Ok(result) => result.map_err(|e| self.error(&e)),
            Err(_) => Err(self.timeout_error()),
        }
    }

    /// The [`StoreError`] for a Redis error (its kind and message; redis-rs never puts the
    /// password in either).
    #[must_use]
    pub fn error(&self, e: &::redis::RedisError) -> StoreError {
        if e.is_timeout() {
            return self.timeout_error();
        }
        StoreError::Unavailable {
            store: self.config().describe.clone(),
            reason: e.to_string(),
        }
    }

    fn timeout_error(&self) -> StoreError {
        StoreError::Timeout {
            store: self.config().describe.clone(),
            after: self.config().timeout,
        }
    }
}

/// A [`ReplayStore`] on a Redis or Valkey server shared by every instance.
///
/// Each check is one atomic command, `SET <prefix>replay:<namespace>:<sha256 hex> 1 NX PX
/// <ttl>`: `OK` means fresh, nil means replayed. The TTL is `expires_at - now` by the
/// caller's clock (at least one second), so a clock difference between the instances and the
/// server does not shorten the window the way an absolute `PXAT` would.
///
/// Configure the server with `maxmemory-policy noeviction` (or no `maxmemory`): an evicting
/// policy would drop live entries and make their tokens replayable, while `noeviction` turns
/// a full server into errors, which verifiers refuse.
///
/// ```no_run
/// use replay_store::{Namespace, RedisConfig, RedisConnection, RedisReplayStore, ReplayId, ReplayStore, Seen};
/// use std::time::{Duration, SystemTime};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), replay_store::StoreError> {
/// let store = RedisReplayStore::new(RedisConnection::new(RedisConfig::from_url("redis://127.0.0.1:6379")?));
/// let id = ReplayId::new(Namespace::DPOP_PROOF, b"jti-1")?;
/// let now = SystemTime::now();
/// assert_eq!(store.check_and_record(&id, now, now + Duration::from_secs(60)).await?, Seen::Fresh);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct RedisReplayStore {
    connection: RedisConnection,
}

impl RedisReplayStore {
    /// A store on this connection.
    #[must_use]
    pub fn new(connection: RedisConnection) -> Self {
        Self { connection }
    }

    /// The connection.
    #[must_use]
    pub fn connection(&self) -> &RedisConnection {
        &self.connection
    }

    /// The key an identifier is recorded under.
    #[must_use]
    pub fn key(&self, id: &ReplayId) -> String {
        format!(
            "{}replay:{}:{}",
            self.connection.config().key_prefix,
            id.namespace().as_str(),
            id.hex_digest()
        )
    }
}

impl ReplayStore for RedisReplayStore {
    fn check_and_record<'a>(
        &'a self,
        id: &'a ReplayId,
        now: SystemTime,
        expires_at: SystemTime,
    ) -> BoxFuture<'a, Result<Seen, StoreError>> {
        Box::pin(async move {
            let ttl_ms = unix_millis(expires_at)
                .saturating_sub(unix_millis(now))
                .max(MIN_TTL_MS);
            let mut cmd = ::redis::cmd("SET");
            cmd.arg(self.key(id))
                .arg(1u8)
                .arg("NX")
                .arg("PX")
                .arg(ttl_ms);
            let reply: Option<String> = self.connection.query(&cmd).await?;
            Ok(match reply {
                Some(_) => Seen::Fresh,
                None => Seen::Replayed,
            })
        })
    }

    fn describe(&self) -> String {
        self.connection.config().describe.clone()
    }
}
