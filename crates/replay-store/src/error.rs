//! The one error type of every replay store.

use std::time::Duration;

/// Why a replay store could not answer.
///
/// Every variant means "refuse the token": a verifier that gets a `StoreError` fails closed and
/// reports it with its own typed error (for example `DpopError::ReplayStore`). Messages name
/// the store (`rediss://cache.internal:6380/0`) and the cause, never a password, a token or a
/// raw identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store could not be reached or answered with an error.
    #[error("replay store unavailable ({store}): {reason}")]
    Unavailable {
        /// Which store (scheme, host, port and database; never credentials).
        store: String,
        /// What went wrong (the client's error kind and message).
        reason: String,
    },
    /// The store did not answer within its timeout.
    #[error("replay store timed out after {after:?} ({store})")]
    Timeout {
        /// Which store.
        store: String,
        /// The configured timeout.
        after: Duration,
    },
    /// The bounded in-memory store holds `capacity` live entries: new entries are refused
    /// rather than dropping a live one (which would make that token replayable).
    #[error("replay store full: {capacity} live entries")]
    Full {
        /// The store's capacity.
        capacity: usize,
    },
    /// The identifier is empty or longer than [`crate::MAX_ID_LEN`] bytes.
    #[error("replay identifier rejected: {reason}")]
    InvalidId {
        /// Which rule it broke.
        reason: &'static str,
    },
    /// The namespace is not 1 to 32 characters of `a-z`, `0-9`, `-`, `_` and `.`.
    #[error("invalid replay namespace: {reason}")]
    InvalidNamespace {
        /// Which rule it broke.
        reason: &'static str,
    },
    /// The store's configuration (for example its URL) is invalid.
    #[error("invalid replay store configuration: {reason}")]
    Config {
        /// What is wrong (never the password).
        reason: String,
    },
}

impl StoreError {
    /// A stable, machine-readable code for the error, for logs, metrics and API responses.
    ///
    /// | variant | code |
    /// |---|---|
    /// | `Unavailable` | `replay_store_unavailable` |
    /// | `Timeout` | `replay_store_timeout` |
    /// | `Full` | `replay_store_full` |
    /// | `InvalidId` | `replay_id_invalid` |
    /// | `InvalidNamespace` | `replay_namespace_invalid` |
    /// | `Config` | `replay_store_config` |
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable { .. } => "replay_store_unavailable",
            StoreError::Timeout { .. } => "replay_store_timeout",
            StoreError::Full { .. } => "replay_store_full",
            StoreError::InvalidId { .. } => "replay_id_invalid",
            StoreError::InvalidNamespace { .. } => "replay_namespace_invalid",
            StoreError::Config { .. } => "replay_store_config",
        }
    }

    /// Whether the store itself failed (unreachable, timed out or full), as opposed to a bad
    /// identifier or configuration: the answer may differ when the call is made again later.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            StoreError::Unavailable { .. } | StoreError::Timeout { .. } | StoreError::Full { .. }
        )
    }
}
