//! The acknowledgement of a backchannel authentication request (CIBA §7.3) and the polling
//! state that hangs off it.

use crate::error::CibaError;
use crate::mode::DeliveryMode;
use crate::notification_token::ClientNotificationToken;
use crate::request::NotificationCredential;
use crate::store::PendingRequest;
use core::fmt;
use core::time::Duration;
use serde_json::{Map, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;
use tokio::sync::Notify;
use tokio::time::Instant;
use zeroize::Zeroizing;

/// The polling interval when the acknowledgement has none (CIBA §7.3).
pub const DEFAULT_INTERVAL_SECONDS: u64 = 5;

/// The longest `interval` accepted, in seconds.
pub const MAX_INTERVAL_SECONDS: u64 = 3600;

/// The longest `expires_in` accepted, in seconds (one day).
pub const MAX_EXPIRES_IN_SECONDS: u64 = 86_400;

/// The longest `auth_req_id` accepted, in characters.
pub const MAX_AUTH_REQ_ID_LENGTH: usize = 1024;

/// An `auth_req_id`: whoever holds it can redeem the request's tokens at the token endpoint
/// (with the client's credentials), so it is treated as a secret: zeroized on drop, compared
/// in constant time, never shown by `Debug`.
#[derive(Clone)]
pub struct AuthReqId(Zeroizing<String>);

impl AuthReqId {
    /// An identifier of 1 to 1024 characters of `A-Z a-z 0-9 . - _` (CIBA §7.3).
    ///
    /// # Errors
    /// [`CibaError::InvalidAcknowledgement`] for an empty, long or ill-formed value.
    pub fn new(value: impl Into<String>) -> Result<Self, CibaError> {
        let value = Zeroizing::new(value.into());
        if value.is_empty() || value.len() > MAX_AUTH_REQ_ID_LENGTH {
            return Err(CibaError::InvalidAcknowledgement {
                field: "auth_req_id",
                reason: "must have 1 to 1024 characters",
            });
        }
        if !value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        {
            return Err(CibaError::InvalidAcknowledgement {
                field: "auth_req_id",
                reason: "must use only A-Z a-z 0-9 . - _",
            });
        }
        Ok(Self(value))
    }

    /// The identifier.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `other` is this identifier, compared in constant time.
    #[must_use]
    pub fn matches(&self, other: &str) -> bool {
        jose_core::constant_time_eq(self.0.as_bytes(), other.as_bytes())
    }
}

impl PartialEq for AuthReqId {
    fn eq(&self, other: &Self) -> bool {
        self.matches(other.expose())
    }
}

impl Eq for AuthReqId {}

impl fmt::Debug for AuthReqId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthReqId([redacted])")
    }
}

/// The OpenID Provider's acknowledgement of a backchannel authentication request, with the
/// polling state of that request.
///
/// `expires_in` becomes a deadline when the response is read. Clones share the state: the
/// interval after `slow_down`, the time of the last token request, cancellation, and the rule
/// that only one token request per `auth_req_id` is in flight.
#[derive(Clone)]
pub struct BackchannelAck {
    inner: Arc<AckInner>,
}

struct AckInner {
    auth_req_id: AuthReqId,
    expires_in: u64,
    interval: u64,
    interval_sent: bool,
    expires_at: Instant,
    expires_at_system: SystemTime,
    mode: DeliveryMode,
    notification_token: Option<ClientNotificationToken>,
    notification_nonce: Option<Zeroizing<String>>,
    state: Mutex<PollState>,
    in_flight: AtomicBool,
    cancelled: AtomicBool,
    cancel: Notify,
}

#[derive(Debug)]
pub(crate) struct PollState {
    /// How many `slow_down` answers were received (each adds 5 s for the rest of the request).
    pub(crate) slow_downs: u32,
    /// When the last request for this `auth_req_id` was sent (the acknowledgement's receipt
    /// at first).
    pub(crate) last_sent: Instant,
    /// Not before this instant (a `503` with `Retry-After`).
    pub(crate) not_before: Option<Instant>,
    /// A final result was reached.
    pub(crate) finished: bool,
}

impl fmt::Debug for BackchannelAck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackchannelAck")
            .field("auth_req_id", &"[redacted]")
            .field("expires_in", &self.inner.expires_in)
            .field("interval", &self.inner.interval)
            .field("mode", &self.inner.mode)
            .finish_non_exhaustive()
    }
}

fn positive_integer(
    body: &Map<String, Value>,
    field: &'static str,
    max: u64,
) -> Result<Option<u64>, CibaError> {
    match body.get(field) {
        None => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(0) => Err(CibaError::InvalidAcknowledgement {
                field,
                reason: "must be a positive integer, not 0",
            }),
            Some(v) if v <= max => Ok(Some(v)),
            Some(_) => Err(CibaError::InvalidAcknowledgement {
                field,
                reason: "is unreasonably large",
            }),
            None => Err(CibaError::InvalidAcknowledgement {
                field,
                reason: "must be a positive integer",
            }),
        },
        Some(_) => Err(CibaError::InvalidAcknowledgement {
            field,
            reason: "must be a number",
        }),
    }
}

impl BackchannelAck {
    /// Reads a successful backchannel authentication response, `received` being when it
    /// arrived. Unknown members are ignored.
    ///
    /// # Errors
    /// [`CibaError::InvalidAcknowledgement`]: `auth_req_id` missing, not a string or
    /// ill-formed; `expires_in` missing, not a positive integer or over a day; `interval` 0,
    /// not an integer or over an hour.
    pub fn from_json(
        body: &Map<String, Value>,
        mode: DeliveryMode,
        notification_token: Option<ClientNotificationToken>,
        received: Instant,
    ) -> Result<Self, CibaError> {
        let credential =
            notification_token.map(|token| NotificationCredential { token, nonce: None });
        Self::read(body, mode, credential, received)
    }

    pub(crate) fn read(
        body: &Map<String, Value>,
        mode: DeliveryMode,
        notification: Option<NotificationCredential>,
        received: Instant,
    ) -> Result<Self, CibaError> {
        let (notification_token, notification_nonce) = match notification {
            Some(c) => (Some(c.token), c.nonce),
            None => (None, None),
        };
        let auth_req_id = match body.get("auth_req_id") {
            Some(Value::String(s)) => AuthReqId::new(s.as_str())?,
            Some(_) => {
                return Err(CibaError::InvalidAcknowledgement {
                    field: "auth_req_id",
                    reason: "must be a string",
                });
            }
            None => {
                return Err(CibaError::InvalidAcknowledgement {
                    field: "auth_req_id",
                    reason: "is missing",
                });
            }
        };
        let expires_in = positive_integer(body, "expires_in", MAX_EXPIRES_IN_SECONDS)?.ok_or(
            CibaError::InvalidAcknowledgement {
                field: "expires_in",
                reason: "is missing",
            },
        )?;
        let interval = positive_integer(body, "interval", MAX_INTERVAL_SECONDS)?;
        let lifetime = Duration::from_secs(expires_in);
        Ok(Self {
            inner: Arc::new(AckInner {
                auth_req_id,
                expires_in,
                interval: interval.unwrap_or(DEFAULT_INTERVAL_SECONDS),
                interval_sent: interval.is_some(),
                expires_at: received + lifetime,
                expires_at_system: SystemTime::now() + lifetime,
                mode,
                notification_token,
                notification_nonce,
                state: Mutex::new(PollState {
                    slow_downs: 0,
                    last_sent: received,
                    not_before: None,
                    finished: false,
                }),
                in_flight: AtomicBool::new(false),
                cancelled: AtomicBool::new(false),
                cancel: Notify::new(),
            }),
        })
    }

    /// The `auth_req_id`.
    #[must_use]
    pub fn auth_req_id(&self) -> &AuthReqId {
        &self.inner.auth_req_id
    }

    /// `expires_in` as the server sent it, in seconds.
    #[must_use]
    pub fn expires_in(&self) -> u64 {
        self.inner.expires_in
    }

    /// When the request expires: the acknowledgement's receipt plus `expires_in`.
    #[must_use]
    pub fn expires_at(&self) -> Instant {
        self.inner.expires_at
    }

    /// How long until the request expires (zero once it has).
    #[must_use]
    pub fn remaining(&self) -> Duration {
        self.inner
            .expires_at
            .saturating_duration_since(Instant::now())
    }

    /// The polling interval in seconds: the server's, or 5 when it sent none; `slow_down`
    /// answers are not included (see [`BackchannelAck::current_interval_seconds`]).
    #[must_use]
    pub fn interval(&self) -> u64 {
        self.inner.interval
    }

    /// Whether the server sent `interval`.
    #[must_use]
    pub fn interval_was_sent(&self) -> bool {
        self.inner.interval_sent
    }

    /// The interval in force now: `interval` plus 5 s for each `slow_down` received.
    #[must_use]
    pub fn current_interval_seconds(&self) -> u64 {
        self.inner
            .interval
            .saturating_add(5 * u64::from(self.state().slow_downs))
    }

    /// The delivery mode of the client that made the request.
    #[must_use]
    pub fn mode(&self) -> DeliveryMode {
        self.inner.mode
    }

    /// The `client_notification_token` sent with the request (ping and push).
    #[must_use]
    pub fn notification_token(&self) -> Option<&ClientNotificationToken> {
        self.inner.notification_token.as_ref()
    }

    /// What a [`crate::PendingStore`] keeps for the notification endpoint (ping and push).
    ///
    /// # Errors
    /// [`CibaError::NotificationTokenRequired`] for a poll-mode request.
    pub fn pending_request(&self) -> Result<PendingRequest, CibaError> {
        let token =
            self.inner
                .notification_token
                .clone()
                .ok_or(CibaError::NotificationTokenRequired {
                    mode: self.inner.mode,
                })?;
        let request = PendingRequest::new(
            self.inner.auth_req_id.clone(),
            self.inner.mode,
            token,
            self.inner.expires_at_system,
        );
        Ok(match &self.inner.notification_nonce {
            Some(nonce) => request.with_nonce(nonce.as_str()),
            None => request,
        })
    }

    /// Stops a running [`crate::CibaClient::poll`] (it returns [`CibaError::Cancelled`]) and
    /// every later one. Dropping the poll future also stops it.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        self.inner.cancel.notify_waiters();
    }

    /// Whether [`BackchannelAck::cancel`] was called.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// Whether the request reached a final result (tokens or a terminal error).
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.state().finished
    }

    /// Resolves when [`BackchannelAck::cancel`] is called.
    pub(crate) async fn cancelled(&self) {
        loop {
            let notified = self.inner.cancel.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, PollState> {
        // A poisoned lock only means a panic elsewhere; the state itself stays consistent.
        self.inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Claims the right to send a token request; the guard gives it back when dropped.
    pub(crate) fn begin(&self) -> Result<InFlight<'_>, CibaError> {
        if self.is_cancelled() {
            return Err(CibaError::Cancelled);
        }
        if self
            .inner
            .in_flight
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            return Err(CibaError::AlreadyPolling);
        }
        let guard = InFlight(&self.inner.in_flight);
        if self.state().finished {
            return Err(CibaError::Finished);
        }
        Ok(guard)
    }
}

/// The in-flight flag of one `auth_req_id`, released on drop (also when a poll future is
/// dropped mid-request).
#[derive(Debug)]
pub(crate) struct InFlight<'a>(&'a AtomicBool);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    fn parse(json: &str) -> Result<BackchannelAck, CibaError> {
        let body: Map<String, Value> = serde_json::from_str(json).unwrap();
        BackchannelAck::from_json(&body, DeliveryMode::Poll, None, Instant::now())
    }

    fn field_of(r: Result<BackchannelAck, CibaError>) -> &'static str {
        match r {
            Err(CibaError::InvalidAcknowledgement { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_complete_ack_is_read_and_the_interval_defaults_to_5() {
        let ack = parse(r#"{"auth_req_id":"1c266114-a1be-4252-8ad1-04986c5b9ac1","expires_in":120,"extra":true}"#).unwrap();
        assert_eq!(ack.interval(), 5);
        assert!(!ack.interval_was_sent());
        assert_eq!(ack.expires_in(), 120);
        assert!(ack.remaining() <= Duration::from_secs(120));
        assert!(
            ack.auth_req_id()
                .matches("1c266114-a1be-4252-8ad1-04986c5b9ac1")
        );
        let ack = parse(r#"{"auth_req_id":"a","expires_in":60,"interval":2}"#).unwrap();
        assert_eq!(ack.interval(), 2);
    }

    #[test]
    fn a_missing_expires_in_is_a_typed_error() {
        assert_eq!(field_of(parse(r#"{"auth_req_id":"a"}"#)), "expires_in");
        assert_eq!(
            field_of(parse(r#"{"auth_req_id":"a","expires_in":"60"}"#)),
            "expires_in"
        );
        assert_eq!(
            field_of(parse(r#"{"auth_req_id":"a","expires_in":0}"#)),
            "expires_in"
        );
        assert_eq!(
            field_of(parse(r#"{"auth_req_id":"a","expires_in":1.5}"#)),
            "expires_in"
        );
    }

    #[test]
    fn an_interval_of_zero_or_absurd_is_a_typed_error() {
        assert_eq!(
            field_of(parse(r#"{"auth_req_id":"a","expires_in":60,"interval":0}"#)),
            "interval"
        );
        assert_eq!(
            field_of(parse(
                r#"{"auth_req_id":"a","expires_in":60,"interval":-5}"#
            )),
            "interval"
        );
        assert_eq!(
            field_of(parse(
                r#"{"auth_req_id":"a","expires_in":60,"interval":86400}"#
            )),
            "interval"
        );
    }

    #[test]
    fn auth_req_id_is_required_well_formed_and_secret() {
        assert_eq!(field_of(parse(r#"{"expires_in":60}"#)), "auth_req_id");
        assert_eq!(
            field_of(parse(r#"{"auth_req_id":7,"expires_in":60}"#)),
            "auth_req_id"
        );
        assert_eq!(
            field_of(parse(r#"{"auth_req_id":"a b","expires_in":60}"#)),
            "auth_req_id"
        );
        let ack = parse(r#"{"auth_req_id":"s3cr3t-id","expires_in":60}"#).unwrap();
        assert!(!format!("{ack:?}").contains("s3cr3t"));
        assert!(!format!("{:?}", ack.auth_req_id()).contains("s3cr3t"));
    }

    #[test]
    fn only_one_request_is_in_flight_per_auth_req_id() {
        let ack = parse(r#"{"auth_req_id":"a","expires_in":60}"#).unwrap();
        let copy = ack.clone();
        let first = ack.begin().unwrap();
        assert!(matches!(copy.begin(), Err(CibaError::AlreadyPolling)));
        drop(first);
        let _again = copy.begin().unwrap();
    }
}
