//! The pending-login store: what an authorization request leaves behind (`state`, `nonce`,
//! PKCE verifier, redirect target, expiry) kept under its `state` value, taken exactly once
//! by the callback, on any instance that shares the store.

mod memory;
#[cfg(feature = "redis")]
mod redis;

pub use memory::{DEFAULT_PENDING_LOGIN_CAPACITY, MemoryPendingLoginStore};
#[cfg(feature = "redis")]
pub use redis::RedisPendingLoginStore;

use crate::http::BoxFuture;
use crate::{AuthorizationCodeGrantChecks, Error, Params};
use core::fmt;
use replay_store::StoreError;
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

/// Longest `state` value a store looks up (longer ones are refused before hashing).
pub const MAX_STATE_LEN: usize = 512;

/// Default lifetime of a pending login: ten minutes, enough for a login with a second factor.
pub const DEFAULT_PENDING_LOGIN_TTL: Duration = Duration::from_secs(600);

/// The state of one authorization request between the redirect and the callback.
///
/// [`PendingLogin::new`] draws a random `state`, `nonce` and PKCE `code_verifier` (256 bits
/// each); [`PendingLogin::authorization_params`] gives what the authorization URL carries and
/// [`PendingLogin::checks`] what the code grant checks. The secrets are zeroized on drop and
/// never shown by `Debug`.
///
/// ```
/// use oauth_client::{PendingLogin, DEFAULT_PENDING_LOGIN_TTL};
///
/// let login = PendingLogin::new(DEFAULT_PENDING_LOGIN_TTL)?.with_redirect_to("/account");
/// let params = login.authorization_params();
/// assert_eq!(params.get("state"), Some(login.state()));
/// assert_eq!(params.get("code_challenge_method"), Some("S256"));
/// assert!(!format!("{login:?}").contains(login.state()));
/// # Ok::<(), oauth_client::Error>(())
/// ```
#[derive(Clone)]
pub struct PendingLogin {
    state: Zeroizing<String>,
    nonce: Option<Zeroizing<String>>,
    pkce_code_verifier: Zeroizing<String>,
    redirect_to: Option<String>,
    expires_at: SystemTime,
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingLogin")
            .field("state", &"[redacted]")
            .field("nonce", &self.nonce.as_ref().map(|_| "[redacted]"))
            .field("pkce_code_verifier", &"[redacted]")
            .field("redirect_to", &self.redirect_to)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl PendingLogin {
    /// A new pending login, with random `state`, `nonce` and PKCE verifier, expiring `ttl`
    /// from now.
    ///
    /// # Errors
    /// [`Error::Random`] when the operating system's generator fails.
    pub fn new(ttl: Duration) -> Result<Self, Error> {
        Self::starting_at(SystemTime::now(), ttl)
    }

    /// [`PendingLogin::new`] with the current time given (for a controlled clock).
    ///
    /// # Errors
    /// As [`PendingLogin::new`].
    pub fn starting_at(now: SystemTime, ttl: Duration) -> Result<Self, Error> {
        Ok(Self {
            state: Zeroizing::new(crate::random_state()?),
            nonce: Some(Zeroizing::new(crate::random_nonce()?)),
            pkce_code_verifier: Zeroizing::new(crate::random_pkce_code_verifier()?),
            redirect_to: None,
            expires_at: now.checked_add(ttl).unwrap_or(now),
        })
    }

    /// Sends no `nonce` (a plain OAuth 2.0 request, without `openid`).
    #[must_use]
    pub fn without_nonce(mut self) -> Self {
        self.nonce = None;
        self
    }

    /// Where to send the user after the login (kept as given: validate it against your own
    /// allow-list before storing it, or it becomes an open redirect).
    #[must_use]
    pub fn with_redirect_to(mut self, target: impl Into<String>) -> Self {
        self.redirect_to = Some(target.into());
        self
    }

    /// `state`.
    #[must_use]
    pub fn state(&self) -> &str {
        &self.state
    }

    /// `nonce`, unless [`PendingLogin::without_nonce`].
    #[must_use]
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_ref().map(|n| n.as_str())
    }

    /// The PKCE `code_verifier`.
    #[must_use]
    pub fn pkce_code_verifier(&self) -> &str {
        &self.pkce_code_verifier
    }

    /// The redirect target after the login.
    #[must_use]
    pub fn redirect_to(&self) -> Option<&str> {
        self.redirect_to.as_deref()
    }

    /// When the pending login expires.
    #[must_use]
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// Whether it has expired at `now`.
    #[must_use]
    pub fn is_expired(&self, now: SystemTime) -> bool {
        now >= self.expires_at
    }

    /// `state`, `nonce`, `code_challenge` and `code_challenge_method=S256` for the
    /// authorization request (add `redirect_uri`, `scope` and the rest).
    #[must_use]
    pub fn authorization_params(&self) -> Params {
        let mut params = Params::new();
        params.insert("state", self.state.as_str());
        if let Some(nonce) = &self.nonce {
            params.insert("nonce", nonce.as_str());
        }
        params.insert(
            "code_challenge",
            crate::pkce_code_challenge(&self.pkce_code_verifier),
        );
        params.insert("code_challenge_method", "S256");
        params
    }

    /// The checks of the code grant: this PKCE verifier, this `state`, this `nonce`.
    #[must_use]
    pub fn checks(&self) -> AuthorizationCodeGrantChecks {
        let checks = AuthorizationCodeGrantChecks::new()
            .pkce_code_verifier(self.pkce_code_verifier.as_str())
            .expected_state(self.state.as_str());
        match &self.nonce {
            Some(nonce) => checks.expected_nonce(nonce.as_str()),
            None => checks,
        }
    }

    /// The record a shared store keeps: JSON, zeroized on drop (for a store of your own;
    /// it holds the secrets).
    ///
    /// # Errors
    /// [`PendingLoginError::Corrupt`] if serializing fails (it does not in practice).
    pub fn to_record(&self) -> Result<Zeroizing<Vec<u8>>, PendingLoginError> {
        let record = RecordRef {
            state: &self.state,
            nonce: self.nonce.as_ref().map(|n| n.as_str()),
            pkce_code_verifier: &self.pkce_code_verifier,
            redirect_to: self.redirect_to.as_deref(),
            expires_at_ms: unix_millis(self.expires_at),
        };
        serde_json::to_vec(&record)
            .map(Zeroizing::new)
            .map_err(|_| PendingLoginError::Corrupt("the pending login cannot be serialized"))
    }

    /// Reads a record written by [`PendingLogin::to_record`].
    ///
    /// # Errors
    /// [`PendingLoginError::Corrupt`] when `bytes` is not such a record.
    pub fn from_record(bytes: &[u8]) -> Result<Self, PendingLoginError> {
        let record: Record = serde_json::from_slice(bytes)
            .map_err(|_| PendingLoginError::Corrupt("the stored pending login is not readable"))?;
        Ok(Self {
            state: Zeroizing::new(record.state),
            nonce: record.nonce.map(Zeroizing::new),
            pkce_code_verifier: Zeroizing::new(record.pkce_code_verifier),
            redirect_to: record.redirect_to,
            expires_at: UNIX_EPOCH + Duration::from_millis(record.expires_at_ms),
        })
    }
}

#[derive(serde::Serialize)]
struct RecordRef<'a> {
    state: &'a str,
    nonce: Option<&'a str>,
    pkce_code_verifier: &'a str,
    redirect_to: Option<&'a str>,
    expires_at_ms: u64,
}

#[derive(serde::Deserialize)]
struct Record {
    state: String,
    nonce: Option<String>,
    pkce_code_verifier: String,
    redirect_to: Option<String>,
    expires_at_ms: u64,
}

/// Milliseconds since the Unix epoch (zero before it, saturating after year 584 million).
pub(crate) fn unix_millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The SHA-256 of a `state` value: the key a store files it under, so the value itself is
/// never a key (in Redis, in `KEYS` output or in logs).
pub(crate) fn state_digest(state: &str) -> Result<[u8; 32], PendingLoginError> {
    check_state(state)?;
    Ok(Sha256::digest(state.as_bytes()).into())
}

/// A `state` a store accepts: 1 to [`MAX_STATE_LEN`] bytes.
pub(crate) fn check_state(state: &str) -> Result<(), PendingLoginError> {
    if state.is_empty() {
        return Err(PendingLoginError::InvalidState { reason: "empty" });
    }
    if state.len() > MAX_STATE_LEN {
        return Err(PendingLoginError::InvalidState {
            reason: "longer than 512 bytes",
        });
    }
    Ok(())
}

/// Why a pending login could not be stored or taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PendingLoginError {
    /// No pending login is stored under this `state`: never stored, already taken (a
    /// replayed callback), or dropped by the store after its expiry.
    #[error("no pending login for this state (unknown, already used, or expired)")]
    Unknown,
    /// The pending login was found but had expired; it is removed all the same.
    #[error("the pending login has expired")]
    Expired,
    /// The `state` value is empty or too long to be one of ours.
    #[error("invalid state value: {reason}")]
    InvalidState {
        /// Which rule it broke.
        reason: &'static str,
    },
    /// A pending login is already stored under this `state` (never overwritten).
    #[error("a pending login with this state already exists")]
    DuplicateState,
    /// The store could not answer (down, timed out, full): the login is refused.
    #[error("pending-login store: {0}")]
    Store(StoreError),
    /// What the store returned is not a pending login written by this crate.
    #[error("pending-login store: {0}")]
    Corrupt(&'static str),
}

impl PendingLoginError {
    /// A stable, machine-readable code.
    ///
    /// | variant | code |
    /// |---|---|
    /// | `Unknown` | `PENDING_LOGIN_UNKNOWN` |
    /// | `Expired` | `PENDING_LOGIN_EXPIRED` |
    /// | `InvalidState` | `PENDING_LOGIN_INVALID_STATE` |
    /// | `DuplicateState` | `PENDING_LOGIN_DUPLICATE_STATE` |
    /// | `Store` | `PENDING_LOGIN_STORE_UNAVAILABLE` |
    /// | `Corrupt` | `PENDING_LOGIN_CORRUPT` |
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            PendingLoginError::Unknown => "PENDING_LOGIN_UNKNOWN",
            PendingLoginError::Expired => "PENDING_LOGIN_EXPIRED",
            PendingLoginError::InvalidState { .. } => "PENDING_LOGIN_INVALID_STATE",
            PendingLoginError::DuplicateState => "PENDING_LOGIN_DUPLICATE_STATE",
            PendingLoginError::Store(_) => "PENDING_LOGIN_STORE_UNAVAILABLE",
            PendingLoginError::Corrupt(_) => "PENDING_LOGIN_CORRUPT",
        }
    }
}

/// Where pending logins wait for their callback: single use (taking one removes it in the
/// same atomic step) and a TTL.
///
/// Errors fail closed: a store that cannot answer yields [`PendingLoginError::Store`] and the
/// callback must be refused. The trait is dyn-compatible.
pub trait PendingLoginStore: Send + Sync + fmt::Debug {
    /// Stores `login` under its `state` until its expiry. `now` is the caller's clock.
    ///
    /// # Errors
    /// [`PendingLoginError::DuplicateState`], [`PendingLoginError::Store`].
    fn put<'a>(
        &'a self,
        login: &'a PendingLogin,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<(), PendingLoginError>>;

    /// Removes and returns the pending login stored under `state`, at most once across every
    /// instance sharing the store.
    ///
    /// # Errors
    /// [`PendingLoginError::Unknown`] (a second take included), [`PendingLoginError::Expired`],
    /// [`PendingLoginError::InvalidState`], [`PendingLoginError::Store`],
    /// [`PendingLoginError::Corrupt`].
    fn take<'a>(
        &'a self,
        state: &'a str,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<PendingLogin, PendingLoginError>>;

    /// A short description (`memory (capacity 10000)`, `redis://host:6379/0`); never
    /// credentials.
    fn describe(&self) -> String;
}

impl<S: PendingLoginStore + ?Sized> PendingLoginStore for std::sync::Arc<S> {
    fn put<'a>(
        &'a self,
        login: &'a PendingLogin,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<(), PendingLoginError>> {
        (**self).put(login, now)
    }

    fn take<'a>(
        &'a self,
        state: &'a str,
        now: SystemTime,
    ) -> BoxFuture<'a, Result<PendingLogin, PendingLoginError>> {
        (**self).take(state, now)
    }

    fn describe(&self) -> String {
        (**self).describe()
    }
}

/// The expiry check every store applies after taking a login.
fn unexpired(login: PendingLogin, now: SystemTime) -> Result<PendingLogin, PendingLoginError> {
    if login.is_expired(now) {
        Err(PendingLoginError::Expired)
    } else {
        Ok(login)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn record_round_trips_and_debug_redacts() {
        let login = PendingLogin::new(DEFAULT_PENDING_LOGIN_TTL)
            .unwrap()
            .with_redirect_to("/after");
        let record = login.to_record().unwrap();
        let back = PendingLogin::from_record(&record).unwrap();
        assert_eq!(back.state(), login.state());
        assert_eq!(back.nonce(), login.nonce());
        assert_eq!(back.pkce_code_verifier(), login.pkce_code_verifier());
        assert_eq!(back.redirect_to(), Some("/after"));
        assert_eq!(
            unix_millis(back.expires_at()),
            unix_millis(login.expires_at())
        );
        let shown = format!("{login:?}");
        for secret in [
            login.state(),
            login.nonce().unwrap(),
            login.pkce_code_verifier(),
        ] {
            assert!(!shown.contains(secret));
        }
    }

    #[test]
    fn checks_and_params_carry_the_same_values() {
        let login = PendingLogin::new(DEFAULT_PENDING_LOGIN_TTL).unwrap();
        let params = login.authorization_params();
        assert_eq!(params.get("nonce"), login.nonce());
        assert_eq!(
            params.get("code_challenge").unwrap(),
            crate::pkce_code_challenge(login.pkce_code_verifier())
        );
        let plain = login.without_nonce();
        assert!(!plain.authorization_params().contains("nonce"));
    }

    #[test]
    fn state_values_are_bounded() {
        assert!(matches!(
            state_digest(""),
            Err(PendingLoginError::InvalidState { .. })
        ));
        assert!(state_digest(&"a".repeat(MAX_STATE_LEN)).is_ok());
        assert!(matches!(
            state_digest(&"a".repeat(MAX_STATE_LEN + 1)),
            Err(PendingLoginError::InvalidState { .. })
        ));
        assert!(matches!(
            PendingLogin::from_record(b"{\"state\":1}"),
            Err(PendingLoginError::Corrupt(_))
        ));
    }
}
