//! Pending authentication requests, as the client notification endpoint needs them.

use crate::ack::AuthReqId;
use crate::error::CibaError;
use crate::mode::DeliveryMode;
use crate::notification::{PushError, PushedTokens};
use crate::notification_token::ClientNotificationToken;
use core::fmt;
use core::time::Duration;
use replay_store::BoxFuture;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::SystemTime;
use tokio::sync::Notify;
use zeroize::Zeroizing;

/// What the notification endpoint must know about one request: its `auth_req_id`, delivery
/// mode, notification token (and, for a signed token, its `nonce`), and when it expires.
#[derive(Clone)]
pub struct PendingRequest {
    auth_req_id: AuthReqId,
    mode: DeliveryMode,
    token: ClientNotificationToken,
    nonce: Option<Zeroizing<String>>,
    expires_at: SystemTime,
}

impl fmt::Debug for PendingRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingRequest")
            .field("mode", &self.mode)
            .field("signed_token", &self.nonce.is_some())
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl PendingRequest {
    /// A pending request (usually from [`crate::BackchannelAck::pending_request`]).
    #[must_use]
    pub fn new(
        auth_req_id: AuthReqId,
        mode: DeliveryMode,
        token: ClientNotificationToken,
        expires_at: SystemTime,
    ) -> Self {
        Self {
            auth_req_id,
            mode,
            token,
            nonce: None,
            expires_at,
        }
    }

    /// Records the `nonce` of a signed client notification token (see
    /// [`crate::NotificationTokenIssuer`]); the notification endpoint then also verifies the
    /// token as a JWS bound to this nonce.
    #[must_use]
    pub fn with_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(Zeroizing::new(nonce.into()));
        self
    }

    /// The `auth_req_id`.
    #[must_use]
    pub fn auth_req_id(&self) -> &AuthReqId {
        &self.auth_req_id
    }

    /// The delivery mode.
    #[must_use]
    pub fn mode(&self) -> DeliveryMode {
        self.mode
    }

    /// The client notification token.
    #[must_use]
    pub fn token(&self) -> &ClientNotificationToken {
        &self.token
    }

    /// The nonce of a signed token.
    #[must_use]
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref().map(String::as_str)
    }

    /// When the request expires.
    #[must_use]
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
}

/// Where a pending request stands.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum PendingState {
    /// Nothing arrived yet.
    Waiting,
    /// A ping arrived: the result is ready at the token endpoint.
    Pinged,
    /// Tokens were pushed and validated.
    Tokens(Box<PushedTokens>),
    /// A push error arrived.
    Failed(PushError),
    /// Tokens were pushed and validated by the instance that received them, and are kept by
    /// a shared store as the raw body: [`crate::NotificationHandler::wait`] validates them
    /// again with its own configuration and returns [`PendingState::Tokens`] instead. The
    /// body is zeroized on drop, never shown by `Debug`, and not readable from outside the
    /// crate (its tokens are only handed out after validation).
    Pushed(PushedBody),
}

/// The raw JSON body of a push delivery, as a shared store keeps it (see
/// [`PendingState::Pushed`]): a store implementation reads it from
/// [`crate::PushedTokens::pushed_body`] when recording, and hands it back with
/// [`PushedBody::new`]. Zeroized on drop; `Debug` shows nothing of it.
#[derive(Clone)]
pub struct PushedBody(Zeroizing<String>);

impl fmt::Debug for PushedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PushedBody(<redacted>)")
    }
}

impl PushedBody {
    /// A body read back from a store. Nothing is checked here: the waiter validates it.
    #[must_use]
    pub fn new(body: impl Into<String>) -> Self {
        Self(Zeroizing::new(body.into()))
    }

    /// The JSON text (it holds tokens: store it, never log it).
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl PendingState {
    /// Whether anything arrived.
    #[must_use]
    pub fn is_waiting(&self) -> bool {
        matches!(self, PendingState::Waiting)
    }
}

/// A stored request with its state and the digest of the notification that set the state.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct StoredRequest {
    /// The request.
    pub request: PendingRequest,
    /// Its state.
    pub state: PendingState,
    /// SHA-256 of the canonical JSON of the notification that changed the state.
    pub delivered: Option<[u8; 32]>,
}

/// What [`PendingStore::record`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// The state changed.
    New,
    /// The same notification had already been recorded: nothing changed.
    Duplicate,
}

/// Storage of pending requests for the notification endpoint: in memory
/// ([`InMemoryPendingStore`], one process) or shared between instances (`RedisPendingStore`,
/// feature `redis`).
///
/// Every call is async and fallible: a shared store may be slow or down, and then the call
/// fails with [`CibaError::PendingStore`] (never a completed request). Implementations must
/// make [`PendingStore::record`] atomic (a compare-and-set from [`PendingState::Waiting`]),
/// forget requests after they expire, refuse a notification token or nonce already bound to
/// another live request, and wake [`PendingStore::wait`] wherever it runs.
pub trait PendingStore: Send + Sync + fmt::Debug {
    /// Stores a new pending request.
    ///
    /// # Errors
    /// [`CibaError::DuplicateAuthReqId`], [`CibaError::NotificationTokenReused`],
    /// [`CibaError::StoreFull`], [`CibaError::PendingStore`].
    fn insert(&self, request: PendingRequest) -> BoxFuture<'_, Result<(), CibaError>>;

    /// The live (not expired) request with this `auth_req_id`.
    ///
    /// # Errors
    /// [`CibaError::PendingStore`].
    fn get<'a>(
        &'a self,
        auth_req_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredRequest>, CibaError>>;

    /// Moves a waiting request to `state`, remembering `digest`; a request that already has a
    /// state keeps it (the same digest is a [`Recorded::Duplicate`]).
    ///
    /// # Errors
    /// [`CibaError::UnknownAuthReqId`], [`CibaError::ConflictingNotification`] for another
    /// digest, [`CibaError::PendingStore`].
    fn record<'a>(
        &'a self,
        auth_req_id: &'a str,
        state: PendingState,
        digest: [u8; 32],
    ) -> BoxFuture<'a, Result<Recorded, CibaError>>;

    /// Forgets a request (when the application has its result).
    ///
    /// # Errors
    /// [`CibaError::PendingStore`].
    fn remove<'a>(
        &'a self,
        auth_req_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredRequest>, CibaError>>;

    /// Waits until a notification (received by any instance sharing the store) changed the
    /// request's state, and returns the state. A shared store may answer
    /// [`PendingState::Pushed`]; [`crate::NotificationHandler::wait`] turns it into validated
    /// tokens.
    ///
    /// # Errors
    /// [`CibaError::Deadline`] when the request expires first, [`CibaError::UnknownAuthReqId`]
    /// when it is not (or no longer) stored, [`CibaError::PendingStore`].
    fn wait<'a>(&'a self, auth_req_id: &'a str) -> BoxFuture<'a, Result<PendingState, CibaError>>;
}

fn key(value: &str) -> [u8; 32] {
    Sha256::digest(value.as_bytes()).into()
}

#[derive(Default)]
struct Entries {
    by_id: HashMap<[u8; 32], StoredRequest>,
    /// Digest of each live notification token or nonce → the request's key.
    bound: HashMap<[u8; 32], [u8; 32]>,
}

impl Entries {
    fn purge(&mut self, now: SystemTime) {
        let expired: Vec<[u8; 32]> = self
            .by_id
            .iter()
            .filter(|(_, e)| e.request.expires_at <= now)
            .map(|(k, _)| *k)
            .collect();
        for k in expired {
            self.forget(&k);
        }
    }

    fn forget(&mut self, k: &[u8; 32]) -> Option<StoredRequest> {
        let entry = self.by_id.remove(k)?;
        self.bound.remove(&key(entry.request.token.expose()));
        if let Some(nonce) = entry.request.nonce() {
            self.bound.remove(&key(nonce));
        }
        Some(entry)
    }
}

/// A bounded in-memory [`PendingStore`] for one process, with [`InMemoryPendingStore::wait`]
/// for the task that started the request.
///
/// Requests are keyed by the SHA-256 of their `auth_req_id`, leave when they expire, and a
/// full store refuses new requests rather than dropping pending ones.
pub struct InMemoryPendingStore {
    capacity: usize,
    entries: Mutex<Entries>,
    changed: Notify,
}

impl fmt::Debug for InMemoryPendingStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryPendingStore")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl Default for InMemoryPendingStore {
    fn default() -> Self {
        Self::new(10_000)
    }
}

impl InMemoryPendingStore {
    /// A store holding at most `capacity` live requests.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            entries: Mutex::new(Entries::default()),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many live requests are stored.
    #[must_use]
    pub fn len(&self) -> usize {
        let mut entries = self.lock();
        entries.purge(SystemTime::now());
        entries.by_id.len()
    }

    /// Whether no live request is stored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits until a notification changed the request's state, and returns the state.
    ///
    /// # Errors
    /// [`CibaError::Deadline`] when the request expires first, [`CibaError::UnknownAuthReqId`]
    /// when it is not (or no longer) stored.
    pub async fn wait(&self, auth_req_id: &str) -> Result<PendingState, CibaError> {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let stored = self.get(auth_req_id).ok_or(CibaError::UnknownAuthReqId)?;
            if !stored.state.is_waiting() {
                return Ok(stored.state);
            }
            let left = stored
                .request
                .expires_at
                .duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO);
            if tokio::time::timeout(left, notified).await.is_err() {
                return Err(CibaError::Deadline);
            }
        }
    }
}

impl PendingStore for InMemoryPendingStore {
    fn insert(&self, request: PendingRequest) -> BoxFuture<'_, Result<(), CibaError>> {
        let result = InMemoryPendingStore::insert(self, request);
        Box::pin(async move { result })
    }

    fn get<'a>(
        &'a self,
        auth_req_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredRequest>, CibaError>> {
        let result = InMemoryPendingStore::get(self, auth_req_id);
        Box::pin(async move { Ok(result) })
    }

    fn record<'a>(
        &'a self,
        auth_req_id: &'a str,
        state: PendingState,
        digest: [u8; 32],
    ) -> BoxFuture<'a, Result<Recorded, CibaError>> {
        let result = InMemoryPendingStore::record(self, auth_req_id, state, digest);
        Box::pin(async move { result })
    }

    fn remove<'a>(
        &'a self,
        auth_req_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredRequest>, CibaError>> {
        let result = InMemoryPendingStore::remove(self, auth_req_id);
        Box::pin(async move { Ok(result) })
    }

    fn wait<'a>(&'a self, auth_req_id: &'a str) -> BoxFuture<'a, Result<PendingState, CibaError>> {
        Box::pin(InMemoryPendingStore::wait(self, auth_req_id))
    }
}

/// The synchronous operations of the in-memory store (the [`PendingStore`] methods call
/// them; code holding the concrete type may call them directly).
impl InMemoryPendingStore {
    /// Stores a new pending request.
    ///
    /// # Errors
    /// [`CibaError::DuplicateAuthReqId`], [`CibaError::NotificationTokenReused`],
    /// [`CibaError::StoreFull`].
    pub fn insert(&self, request: PendingRequest) -> Result<(), CibaError> {
        let mut entries = self.lock();
        entries.purge(SystemTime::now());
        let id = key(request.auth_req_id.expose());
        if entries.by_id.contains_key(&id) {
            return Err(CibaError::DuplicateAuthReqId);
        }
        let token = key(request.token.expose());
        let nonce = request.nonce().map(key);
        if entries.bound.contains_key(&token)
            || nonce.is_some_and(|n| entries.bound.contains_key(&n))
        {
            return Err(CibaError::NotificationTokenReused);
        }
        if entries.by_id.len() >= self.capacity {
            return Err(CibaError::StoreFull {
                capacity: self.capacity,
            });
        }
        entries.bound.insert(token, id);
        if let Some(n) = nonce {
            entries.bound.insert(n, id);
        }
        entries.by_id.insert(
            id,
            StoredRequest {
                request,
                state: PendingState::Waiting,
                delivered: None,
            },
        );
        Ok(())
    }

    /// The live (not expired) request with this `auth_req_id`.
    #[must_use]
    pub fn get(&self, auth_req_id: &str) -> Option<StoredRequest> {
        let entries = self.lock();
        entries
            .by_id
            .get(&key(auth_req_id))
            .filter(|e| e.request.expires_at > SystemTime::now())
            .cloned()
    }

    /// Moves a waiting request to `state` (see [`PendingStore::record`]).
    ///
    /// # Errors
    /// [`CibaError::UnknownAuthReqId`], [`CibaError::ConflictingNotification`].
    pub fn record(
        &self,
        auth_req_id: &str,
        state: PendingState,
        digest: [u8; 32],
    ) -> Result<Recorded, CibaError> {
        let mut entries = self.lock();
        let entry = entries
            .by_id
            .get_mut(&key(auth_req_id))
            .filter(|e| e.request.expires_at > SystemTime::now())
            .ok_or(CibaError::UnknownAuthReqId)?;
        let outcome = match entry.delivered {
            None => {
                entry.state = state;
                entry.delivered = Some(digest);
                Recorded::New
            }
            Some(d) if jose_core::constant_time_eq(&d, &digest) => Recorded::Duplicate,
            Some(_) => return Err(CibaError::ConflictingNotification),
        };
        drop(entries);
        self.changed.notify_waiters();
        Ok(outcome)
    }

    /// Forgets a request (when the application has its result).
    pub fn remove(&self, auth_req_id: &str) -> Option<StoredRequest> {
        let removed = self.lock().forget(&key(auth_req_id));
        self.changed.notify_waiters();
        removed
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    fn request(id: &str, token: &ClientNotificationToken, ttl: Duration) -> PendingRequest {
        PendingRequest::new(
            AuthReqId::new(id).unwrap(),
            DeliveryMode::Ping,
            token.clone(),
            SystemTime::now() + ttl,
        )
    }

    /// A request with a token of its own, pending for a minute.
    fn fresh(id: &str) -> PendingRequest {
        request(
            id,
            &ClientNotificationToken::generate().unwrap(),
            Duration::from_secs(60),
        )
    }

    #[test]
    fn duplicate_ids_and_reused_tokens_are_refused() {
        let store = InMemoryPendingStore::default();
        let t = ClientNotificationToken::generate().unwrap();
        store
            .insert(request("a", &t, Duration::from_secs(60)))
            .unwrap();
        assert!(matches!(
            store.insert(fresh("a")),
            Err(CibaError::DuplicateAuthReqId)
        ));
        assert!(matches!(
            store.insert(request("b", &t, Duration::from_secs(60))),
            Err(CibaError::NotificationTokenReused)
        ));
        let signed = fresh("c").with_nonce("n-1");
        store.insert(signed).unwrap();
        let same_nonce = fresh("d").with_nonce("n-1");
        assert!(matches!(
            store.insert(same_nonce),
            Err(CibaError::NotificationTokenReused)
        ));
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn record_is_a_compare_and_set_with_idempotent_duplicates() {
        let store = InMemoryPendingStore::default();
        let t = ClientNotificationToken::generate().unwrap();
        store
            .insert(request("a", &t, Duration::from_secs(60)))
            .unwrap();
        assert_eq!(
            store.record("a", PendingState::Pinged, [1; 32]).unwrap(),
            Recorded::New
        );
        assert_eq!(
            store.record("a", PendingState::Pinged, [1; 32]).unwrap(),
            Recorded::Duplicate
        );
        assert!(matches!(
            store.record("a", PendingState::Pinged, [2; 32]),
            Err(CibaError::ConflictingNotification)
        ));
        assert!(matches!(
            store.record("zz", PendingState::Pinged, [1; 32]),
            Err(CibaError::UnknownAuthReqId)
        ));
    }

    #[test]
    fn expired_requests_are_forgotten_and_free_their_token() {
        let store = InMemoryPendingStore::default();
        let t = ClientNotificationToken::generate().unwrap();
        store.insert(request("a", &t, Duration::ZERO)).unwrap();
        assert!(store.get("a").is_none());
        store
            .insert(request("b", &t, Duration::from_secs(60)))
            .unwrap();
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn a_full_store_refuses_new_requests() {
        let store = InMemoryPendingStore::new(1);
        store.insert(fresh("a")).unwrap();
        assert!(matches!(
            store.insert(fresh("b")),
            Err(CibaError::StoreFull { capacity: 1 })
        ));
    }

    #[tokio::test]
    async fn wait_returns_the_state_a_notification_set() {
        let store = std::sync::Arc::new(InMemoryPendingStore::default());
        store.insert(fresh("a")).unwrap();
        let waiter = {
            let store = store.clone();
            tokio::spawn(async move { store.wait("a").await })
        };
        tokio::task::yield_now().await;
        store.record("a", PendingState::Pinged, [1; 32]).unwrap();
        assert!(matches!(
            waiter.await.unwrap().unwrap(),
            PendingState::Pinged
        ));
        assert!(matches!(
            store.wait("unknown").await,
            Err(CibaError::UnknownAuthReqId)
        ));
    }
}
