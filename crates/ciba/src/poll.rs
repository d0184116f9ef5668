//! Redeeming an `auth_req_id` at the token endpoint (CIBA §10.1, §11): polling, and the single
//! exchange after a ping.

use crate::ack::BackchannelAck;
use crate::client::CibaClient;
use crate::error::CibaError;
use crate::metadata::CIBA_GRANT_TYPE;
use crate::mode::DeliveryMode;
use core::time::Duration;
use oauth_client::{Params, PollAnswer, TokenResponse};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::time::Instant;

/// How much the interval grows on each `slow_down`, in seconds (CIBA §11, RFC 8628 §3.5).
pub const SLOW_DOWN_STEP_SECONDS: u64 = 5;

/// Options of [`CibaClient::poll`] and [`CibaClient::exchange`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PollOptions {
    read_timeout: Duration,
    interval_unit: Duration,
}

impl Default for PollOptions {
    fn default() -> Self {
        Self {
            read_timeout: Duration::from_secs(40),
            interval_unit: Duration::from_secs(1),
        }
    }
}

impl PollOptions {
    /// The defaults: a 40 s read timeout, one-second interval units.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How long one token request may take (default 40 s). CIBA lets the server hold a poll
    /// open until the result is ready ("long polling", typically up to 30 s), so keep it above
    /// 30 s; it is cut short at the request's deadline.
    #[must_use]
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The length of one second of `interval`, of the `slow_down` step and of `Retry-After`:
    /// one second, as the specification says. **For tests against a local server only**: a
    /// shorter unit makes the client poll faster than the server asked (the request's deadline
    /// stays in real seconds).
    #[must_use]
    pub fn interval_unit(mut self, unit: Duration) -> Self {
        self.interval_unit = unit.max(Duration::from_millis(1));
        self
    }

    fn seconds(&self, n: u64) -> Duration {
        self.interval_unit
            .saturating_mul(u32::try_from(n).unwrap_or(u32::MAX))
    }
}

/// What one token request said.
enum Step {
    Tokens(Box<TokenResponse>),
    Again,
}

impl CibaClient {
    /// Polls the token endpoint until the request has a result (CIBA §7.3, §10.1, §11).
    ///
    /// Each request is sent no earlier than `interval` after the previous one was *sent* (the
    /// acknowledgement counts as the first); `slow_down` adds 5 s for the rest of the request;
    /// a `503` waits for its `Retry-After`; a response that comes later than the interval
    /// (long polling) is followed by the next request at once. Polling stops with
    /// [`CibaError::Deadline`] when `expires_in` has passed, and with [`CibaError::Cancelled`]
    /// after [`BackchannelAck::cancel`]; dropping the future stops it too. Only one token
    /// request per `auth_req_id` is in flight ([`CibaError::AlreadyPolling`]).
    ///
    /// The ID Token in the response is required and validated (signature, `iss`, `aud`,
    /// `azp`, `exp`, `iat`, `at_hash`; no `nonce`).
    ///
    /// # Errors
    /// Terminal answers: [`CibaError::AccessDenied`], [`CibaError::ExpiredToken`],
    /// [`CibaError::InvalidGrant`], [`CibaError::OAuth`] for the others (`invalid_client`,
    /// `unauthorized_client`, ID Token failures, ...); [`CibaError::MissingIdToken`];
    /// [`CibaError::Deadline`], [`CibaError::Cancelled`]; [`CibaError::Finished`] for a
    /// request that already has its result; [`CibaError::PushModeHasNoTokenRequest`]. A
    /// transport failure is returned as [`CibaError::OAuth`] without ending the request: poll
    /// again to continue.
    ///
    /// ```no_run
    /// use ciba::{BackchannelRequest, CibaClient, CibaError, UserHint};
    /// use std::time::Duration;
    ///
    /// # async fn demo(client: CibaClient) -> Result<(), CibaError> {
    /// // `client` is a poll-mode client (`CibaClient::new(configuration)`).
    /// let request = BackchannelRequest::new("openid", UserHint::LoginHint("alice".into()))
    ///     .binding_message("W4SCT");
    /// let ack = client.initiate(&request).await?;
    /// // Any clone of the acknowledgement can stop the poll (a "cancel" button, a shutdown).
    /// let cancel = ack.clone();
    /// tokio::spawn(async move {
    ///     tokio::time::sleep(Duration::from_secs(60)).await;
    ///     cancel.cancel();
    /// });
    /// match client.poll(&ack).await {
    ///     Ok(tokens) => println!("signed in: {:?}", tokens.claims().map(|c| &c.sub)),
    ///     Err(CibaError::AccessDenied { .. }) => println!("the user refused"),
    ///     Err(CibaError::Deadline | CibaError::ExpiredToken { .. }) => println!("no answer in time"),
    ///     Err(CibaError::Cancelled) => println!("gave up after a minute"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn poll(&self, ack: &BackchannelAck) -> Result<TokenResponse, CibaError> {
        self.poll_with(ack, &Params::new()).await
    }

    /// [`CibaClient::poll`] with extra token endpoint parameters sent on every token request
    /// (openid-client's `parameters`), such as `resource`.
    ///
    /// ```no_run
    /// use ciba::{BackchannelRequest, CibaClient, CibaError, UserHint};
    /// use oauth_client::Params;
    ///
    /// # async fn demo(client: CibaClient) -> Result<(), CibaError> {
    /// let ack = client
    ///     .initiate(&BackchannelRequest::new("openid", UserHint::LoginHint("alice".into())))
    ///     .await?;
    /// let tokens = client
    ///     .poll_with(&ack, &Params::new().resource("https://rs.example/api"))
    ///     .await?;
    /// # let _ = tokens;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`CibaClient::poll`], and [`CibaError::InvalidRequest`] when `extra` names
    /// `grant_type` or `auth_req_id`.
    pub async fn poll_with(
        &self,
        ack: &BackchannelAck,
        extra: &Params,
    ) -> Result<TokenResponse, CibaError> {
        check_extra(extra)?;
        if ack.mode() == DeliveryMode::Push {
            return Err(CibaError::PushModeHasNoTokenRequest);
        }
        let _in_flight = ack.begin()?;
        loop {
            self.wait_for_turn(ack).await?;
            if let Step::Tokens(tokens) = self.request_once(ack, extra).await? {
                return Ok(*tokens);
            }
        }
    }

    /// Redeems the `auth_req_id` with one token request, after a ping said the result is
    /// ready. In poll mode it first waits for the interval, as [`CibaClient::poll`] would.
    ///
    /// # Errors
    /// As [`CibaClient::poll`], and [`CibaError::Pending`] when the server answers
    /// `authorization_pending` or `slow_down`.
    ///
    /// ```no_run
    /// use ciba::{
    ///     BackchannelRequest, CibaClient, CibaError, InMemoryPendingStore, PendingState, PendingStore,
    ///     UserHint,
    /// };
    /// use std::sync::Arc;
    ///
    /// # async fn demo(client: CibaClient, store: Arc<InMemoryPendingStore>) -> Result<(), CibaError> {
    /// // `client` is a ping-mode client built with `.pending_store(store.clone())`, and the
    /// // notification endpoint serves `client.notification_handler()`.
    /// let ack = client
    ///     .initiate(&BackchannelRequest::new("openid", UserHint::LoginHint("alice".into())))
    ///     .await?;
    /// let id = ack.auth_req_id().expose();
    /// // The provider pings on approval and on denial; the token endpoint tells which.
    /// if let PendingState::Pinged = store.wait(id).await? {
    ///     match client.exchange(&ack).await {
    ///         Ok(tokens) => println!("signed in: {:?}", tokens.claims().map(|c| &c.sub)),
    ///         Err(CibaError::AccessDenied { .. }) => println!("the user refused"),
    ///         Err(e) => return Err(e),
    ///     }
    /// }
    /// store.remove(id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn exchange(&self, ack: &BackchannelAck) -> Result<TokenResponse, CibaError> {
        self.exchange_with(ack, &Params::new()).await
    }

    /// [`CibaClient::exchange`] with extra token endpoint parameters (openid-client's
    /// `parameters`).
    ///
    /// # Errors
    /// As [`CibaClient::exchange`], and [`CibaError::InvalidRequest`] when `extra` names
    /// `grant_type` or `auth_req_id`.
    pub async fn exchange_with(
        &self,
        ack: &BackchannelAck,
        extra: &Params,
    ) -> Result<TokenResponse, CibaError> {
        check_extra(extra)?;
        if ack.mode() == DeliveryMode::Push {
            return Err(CibaError::PushModeHasNoTokenRequest);
        }
        let _in_flight = ack.begin()?;
        if ack.mode() == DeliveryMode::Poll {
            self.wait_for_turn(ack).await?;
        } else if Instant::now() >= ack.expires_at() {
            ack.state().finished = true;
            return Err(CibaError::Deadline);
        }
        match self.request_once(ack, extra).await? {
            Step::Tokens(tokens) => Ok(*tokens),
            Step::Again => Err(CibaError::Pending),
        }
    }

    /// When the next request may be sent: `interval` (grown by `slow_down`) after the last
    /// one, and not before a `Retry-After`.
    fn next_request_at(&self, ack: &BackchannelAck) -> Instant {
        let state = ack.state();
        let seconds = ack
            .interval()
            .saturating_add(SLOW_DOWN_STEP_SECONDS.saturating_mul(u64::from(state.slow_downs)));
        let mut next = state.last_sent + self.poll_options.seconds(seconds);
        if let Some(not_before) = state.not_before {
            next = next.max(not_before);
        }
        next
    }

    /// Sleeps until the next request may be sent; fails at the deadline or on cancellation.
    async fn wait_for_turn(&self, ack: &BackchannelAck) -> Result<(), CibaError> {
        let next = self.next_request_at(ack);
        if next >= ack.expires_at() || Instant::now() >= ack.expires_at() {
            // No request can be sent before the auth_req_id expires.
            ack.state().finished = true;
            return Err(CibaError::Deadline);
        }
        tokio::select! {
            () = tokio::time::sleep_until(next) => Ok(()),
            () = ack.cancelled() => Err(CibaError::Cancelled),
        }
    }

    /// Sends one token request and interprets the answer.
    async fn request_once(&self, ack: &BackchannelAck, extra: &Params) -> Result<Step, CibaError> {
        let sent = Instant::now();
        {
            let mut state = ack.state();
            state.last_sent = sent;
            state.not_before = None;
        }
        let timeout = self
            .poll_options
            .read_timeout
            .min(ack.expires_at().saturating_duration_since(sent))
            .max(Duration::from_millis(1));
        let config = self.token_config();
        let mut params = Params::from([("auth_req_id", ack.auth_req_id().expose())]);
        params.merge(extra);
        let answer = tokio::select! {
            answer = config.poll_grant(CIBA_GRANT_TYPE, params, Some(timeout)) => answer,
            () = ack.cancelled() => return Err(CibaError::Cancelled),
        };
        let finish = |error: CibaError| {
            ack.state().finished = true;
            Err(error)
        };
        let description = |e: &oauth_client::OAuthErrorResponse| {
            e.error_description
                .as_deref()
                .map(jose_core::json::truncate_for_error)
        };
        match answer {
            Ok(PollAnswer::Tokens(tokens)) => {
                if tokens.id_token().is_none() {
                    return finish(CibaError::MissingIdToken);
                }
                ack.state().finished = true;
                Ok(Step::Tokens(tokens))
            }
            Ok(PollAnswer::Unavailable { retry_after, .. }) => {
                let delay = retry_after
                    .as_deref()
                    .and_then(|v| retry_after_seconds(v, SystemTime::now()))
                    .map(|s| self.poll_options.seconds(s));
                if let Some(delay) = delay {
                    ack.state().not_before = Some(Instant::now() + delay);
                }
                Ok(Step::Again)
            }
            Ok(_) => Ok(Step::Again),
            Err(oauth_client::Error::OAuth(e)) => match e.error.as_str() {
                "authorization_pending" => Ok(Step::Again),
                "slow_down" => {
                    let mut state = ack.state();
                    state.slow_downs = state.slow_downs.saturating_add(1);
                    Ok(Step::Again)
                }
                "access_denied" => finish(CibaError::AccessDenied {
                    description: description(&e),
                }),
                "expired_token" => finish(CibaError::ExpiredToken {
                    description: description(&e),
                }),
                "invalid_grant" => finish(CibaError::InvalidGrant {
                    description: description(&e),
                }),
                _ => finish(CibaError::OAuth(Box::new(oauth_client::Error::OAuth(e)))),
            },
            Err(oauth_client::Error::Timeout { .. }) if Instant::now() < ack.expires_at() => {
                // A long poll that outlived the read timeout: ask again.
                Ok(Step::Again)
            }
            Err(oauth_client::Error::Timeout { .. }) => finish(CibaError::Deadline),
            Err(e @ oauth_client::Error::Transport { .. }) => Err(e.into()),
            Err(e) => finish(e.into()),
        }
    }
}

/// Extra token request parameters may not replace the grant or the `auth_req_id`.
fn check_extra(extra: &Params) -> Result<(), CibaError> {
    if extra.contains("grant_type") || extra.contains("auth_req_id") {
        return Err(CibaError::InvalidRequest(
            "extra token request parameters cannot set grant_type or auth_req_id",
        ));
    }
    Ok(())
}

/// Reads a `Retry-After` value (RFC 9110 §10.2.3): delay-seconds, or an IMF-fixdate such as
/// `Sun, 06 Nov 1994 08:49:37 GMT`, which is turned into seconds from `now`. Other forms
/// (the obsolete date formats) are ignored, and the interval applies.
#[must_use]
pub fn retry_after_seconds(value: &str, now: SystemTime) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.len() <= 10 && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse().ok();
    }
    let at = imf_fixdate(value)?;
    let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(at.saturating_sub(now))
}

/// Seconds since the epoch of an IMF-fixdate.
fn imf_fixdate(value: &str) -> Option<u64> {
    let b = value.as_bytes();
    // "Sun, 06 Nov 1994 08:49:37 GMT": 29 bytes, fixed positions.
    if b.len() != 29 || &b[3..5] != b", " || b[7] != b' ' || b[11] != b' ' || &b[25..] != b" GMT" {
        return None;
    }
    if !["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].contains(&value.get(0..3)?) {
        return None;
    }
    let number = |range: core::ops::Range<usize>| -> Option<u64> {
        let s = value.get(range)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let day = number(5..7)?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| Some(*m) == value.get(8..11))? as u64
        + 1;
    let year = number(12..16)?;
    if b[16] != b' ' || b[19] != b':' || b[22] != b':' {
        return None;
    }
    let (hour, minute, second) = (number(17..19)?, number(20..22)?, number(23..25)?);
    if !(1..=31).contains(&day) || year < 1970 || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    // Days from the civil date (H. Hinnant's algorithm), years from 1970 on.
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = (era * 146_097 + doe).checked_sub(719_468)?;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_imf_fixdates() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(retry_after_seconds("120", now), Some(120));
        assert_eq!(retry_after_seconds(" 3 ", now), Some(3));
        assert_eq!(
            retry_after_seconds("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(0)
        );
        assert_eq!(
            retry_after_seconds("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(30)
        );
        assert_eq!(
            retry_after_seconds("Thu, 01 Jan 1970 00:00:00 GMT", UNIX_EPOCH),
            Some(0)
        );
        assert_eq!(
            imf_fixdate("Tue, 29 Feb 2028 12:00:00 GMT"),
            Some(1_835_438_400)
        );
        for bad in [
            "",
            "-1",
            "1.5",
            "99999999999",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:49:37 GMT",
        ] {
            assert_eq!(retry_after_seconds(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn interval_units_scale_seconds() {
        let o = PollOptions::new().interval_unit(Duration::from_millis(10));
        assert_eq!(o.seconds(5), Duration::from_millis(50));
        assert_eq!(PollOptions::new().seconds(5), Duration::from_secs(5));
    }
}
