//! The device authorization grant (RFC 8628).

use crate::config::Endpoint;
use crate::request::{JSON, json_success};
use crate::{Configuration, Error, Params, TokenResponse};
use core::fmt;
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// The `grant_type` of the device code grant (RFC 8628 §3.4).
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The polling interval when the server sends none (RFC 8628 §3.2).
pub const DEFAULT_DEVICE_INTERVAL: Duration = Duration::from_secs(5);

/// The largest `interval` accepted from a server: an hour between polls is not a device flow.
pub const MAX_DEVICE_INTERVAL: u64 = 3600;

/// What `slow_down` adds to the polling interval (RFC 8628 §3.5): 5 seconds.
pub const DEVICE_SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

const EP: &str = "device_authorization";

/// The device authorization response (RFC 8628 §3.2).
///
/// `Debug` does not show the `device_code` (whoever has it can poll for the tokens).
#[derive(Clone)]
pub struct DeviceAuthorizationResponse {
    device_code: String,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: Option<String>,
    expires_in: u64,
    interval: Option<u64>,
    body: Map<String, Value>,
    received: Instant,
}

impl fmt::Debug for DeviceAuthorizationResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceAuthorizationResponse")
            .field("verification_uri", &self.verification_uri)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

fn required_string(body: &Map<String, Value>, field: &'static str) -> Result<String, Error> {
    match body.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(_) => Err(Error::InvalidField {
            endpoint: EP,
            field,
            reason: "must be a non-empty string",
        }),
        None => Err(Error::MissingField {
            endpoint: EP,
            field,
        }),
    }
}

fn seconds(body: &Map<String, Value>, field: &'static str) -> Result<Option<u64>, Error> {
    match body.get(field) {
        None => Ok(None),
        Some(Value::Number(n)) => n.as_u64().map(Some).ok_or(Error::InvalidField {
            endpoint: EP,
            field,
            reason: "must be a non-negative integer",
        }),
        Some(_) => Err(Error::InvalidField {
            endpoint: EP,
            field,
            reason: "must be a number",
        }),
    }
}

impl DeviceAuthorizationResponse {
    /// Reads and checks a device authorization response: `device_code`, `user_code`,
    /// `verification_uri` and a positive `expires_in` are required; an `interval`, when
    /// present, must be between 1 second and [`MAX_DEVICE_INTERVAL`] and shorter than
    /// `expires_in`.
    ///
    /// # Errors
    /// [`Error::MissingField`] or [`Error::InvalidField`] naming the member.
    pub fn from_json(body: Map<String, Value>) -> Result<Self, Error> {
        let device_code = required_string(&body, "device_code")?;
        let user_code = required_string(&body, "user_code")?;
        let verification_uri = required_string(&body, "verification_uri")?;
        let verification_uri_complete = match body.get("verification_uri_complete") {
            None => None,
            Some(_) => Some(required_string(&body, "verification_uri_complete")?),
        };
        let expires_in = match seconds(&body, "expires_in")? {
            Some(s) if s > 0 => s,
            Some(_) => {
                return Err(Error::InvalidField {
                    endpoint: EP,
                    field: "expires_in",
                    reason: "must be positive",
                });
            }
            None => {
                return Err(Error::MissingField {
                    endpoint: EP,
                    field: "expires_in",
                });
            }
        };
        let interval = seconds(&body, "interval")?;
        match interval {
            Some(0) => {
                return Err(Error::InvalidField {
                    endpoint: EP,
                    field: "interval",
                    reason: "must be at least one second (0 would poll without pause)",
                });
            }
            Some(i) if i > MAX_DEVICE_INTERVAL || i >= expires_in => {
                return Err(Error::InvalidField {
                    endpoint: EP,
                    field: "interval",
                    reason: "is absurd: longer than an hour or than the code lives",
                });
            }
            _ => {}
        }
        Ok(Self {
            device_code,
            user_code,
            verification_uri,
            verification_uri_complete,
            expires_in,
            interval,
            body,
            received: Instant::now(),
        })
    }

    /// `device_code`, the credential the client polls with.
    #[must_use]
    pub fn device_code(&self) -> &str {
        &self.device_code
    }

    /// `user_code`, to show to the user.
    #[must_use]
    pub fn user_code(&self) -> &str {
        &self.user_code
    }

    /// `verification_uri`, where the user enters the code.
    #[must_use]
    pub fn verification_uri(&self) -> &str {
        &self.verification_uri
    }

    /// `verification_uri_complete`, the URI with the code in it (for QR codes).
    #[must_use]
    pub fn verification_uri_complete(&self) -> Option<&str> {
        self.verification_uri_complete.as_deref()
    }

    /// `expires_in` as the server sent it.
    #[must_use]
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// How long the codes remain valid from now.
    #[must_use]
    pub fn expires_in_remaining(&self) -> Duration {
        Duration::from_secs(self.expires_in).saturating_sub(self.received.elapsed())
    }

    /// `interval` as the server sent it.
    #[must_use]
    pub fn interval(&self) -> Option<u64> {
        self.interval
    }

    /// The whole response body.
    #[must_use]
    pub fn body(&self) -> &Map<String, Value> {
        &self.body
    }
}

/// The outcome of one token request of the device flow
/// ([`Configuration::device_authorization_grant_once`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum DeviceGrantStatus {
    /// `authorization_pending`: the user has not finished; ask again after the interval.
    Pending,
    /// `slow_down`: ask again after the interval increased by [`DEVICE_SLOW_DOWN_STEP`].
    SlowDown,
    /// The user approved: the tokens.
    Complete(Box<TokenResponse>),
}

/// Options of [`Configuration::poll_device_authorization_grant`].
///
/// ```
/// use oauth_client::DevicePollOptions;
/// use std::time::Duration;
///
/// // Stop after two minutes, or when the receiver's sender says so (or is dropped).
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// let options = DevicePollOptions::new()
///     .deadline(Duration::from_secs(120))
///     .cancel_on(async move {
///         let _ = stopped.await;
///     });
/// # drop((stop, options));
/// ```
pub struct DevicePollOptions<'a> {
    deadline: Option<Duration>,
    interval_if_absent: Duration,
    cancel: Option<crate::http::BoxFuture<'a, ()>>,
}

impl fmt::Debug for DevicePollOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevicePollOptions")
            .field("deadline", &self.deadline)
            .field("interval_if_absent", &self.interval_if_absent)
            .field("cancel", &self.cancel.is_some())
            .finish()
    }
}

impl Default for DevicePollOptions<'_> {
    fn default() -> Self {
        Self {
            deadline: None,
            interval_if_absent: DEFAULT_DEVICE_INTERVAL,
            cancel: None,
        }
    }
}

impl<'a> DevicePollOptions<'a> {
    /// The defaults: poll until the device code expires, 5 s apart unless the server says
    /// otherwise, no cancellation signal (dropping the future still stops polling).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Stop polling after this long even if the device code is still valid.
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Stop polling, with [`Error::Cancelled`], as soon as `signal` completes (a oneshot
    /// receiver, a `CancellationToken::cancelled()`, a shutdown signal).
    #[must_use]
    pub fn cancel_on(mut self, signal: impl Future<Output = ()> + Send + 'a) -> Self {
        self.cancel = Some(Box::pin(signal));
        self
    }

    /// The interval used when the server's response has no `interval` (default 5 s, as RFC
    /// 8628 §3.2 says). **For tests** against a local server that sends none; against a real
    /// server keep the default. An `interval` the server does send is always honoured, and
    /// `slow_down` always adds 5 s.
    #[must_use]
    pub fn interval_if_absent(mut self, interval: Duration) -> Self {
        self.interval_if_absent = interval;
        self
    }
}

impl Configuration {
    /// Starts the device authorization grant (openid-client's
    /// `initiateDeviceAuthorization`): POSTs `params` (`scope`, `resource`,
    /// `authorization_details`, ...) with client authentication to the device authorization
    /// endpoint (its mTLS alias when asked) and checks the response.
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration) -> Result<(), oauth_client::Error> {
    /// use oauth_client::{DevicePollOptions, Params};
    ///
    /// let device = config
    ///     .initiate_device_authorization(Params::from([("scope", "openid offline_access")]))
    ///     .await?;
    /// println!("open {} and enter {}", device.verification_uri(), device.user_code());
    /// let tokens = config
    ///     .poll_device_authorization_grant(&device, Params::new(), DevicePollOptions::new())
    ///     .await?;
    /// # let _ = tokens;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::MissingEndpoint`], [`Error::OAuth`], or a malformed response (see
    /// [`DeviceAuthorizationResponse::from_json`]; an `interval` of 0 or an absurd one is
    /// [`Error::InvalidField`]).
    pub async fn initiate_device_authorization(
        &self,
        params: impl Into<Params>,
    ) -> Result<DeviceAuthorizationResponse, Error> {
        let url = self.endpoint(Endpoint::DeviceAuthorization)?;
        let response = self
            .post_authenticated(EP, url, params.into(), JSON, false)
            .await?;
        let body = json_success(EP, &response, &[200])?;
        DeviceAuthorizationResponse::from_json(body)
    }

    /// One token request of the device flow, for callers that run their own timer: the
    /// tokens, or whether to wait the interval ([`DeviceGrantStatus::Pending`]) or the
    /// interval plus 5 s ([`DeviceGrantStatus::SlowDown`]). An ID Token in the response is
    /// validated (without `nonce`).
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration, device: &oauth_client::DeviceAuthorizationResponse) -> Result<(), oauth_client::Error> {
    /// use oauth_client::{DEVICE_SLOW_DOWN_STEP, DeviceGrantStatus, Params};
    /// use std::time::Duration;
    ///
    /// let mut interval = Duration::from_secs(device.interval().unwrap_or(5));
    /// let tokens = loop {
    ///     std::thread::sleep(interval); // or your runtime's timer
    ///     match config.device_authorization_grant_once(device, Params::new()).await? {
    ///         DeviceGrantStatus::Pending => {}
    ///         DeviceGrantStatus::SlowDown => interval += DEVICE_SLOW_DOWN_STEP,
    ///         DeviceGrantStatus::Complete(tokens) => break tokens,
    ///         _ => {}
    ///     }
    /// };
    /// # let _ = tokens;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::OAuth`] with `expired_token` or `access_denied` (or any other error), a
    /// malformed response, or an ID Token error.
    pub async fn device_authorization_grant_once(
        &self,
        device: &DeviceAuthorizationResponse,
        params: impl Into<Params>,
    ) -> Result<DeviceGrantStatus, Error> {
        let mut body = Params::from([
            ("grant_type", DEVICE_CODE_GRANT_TYPE),
            ("device_code", device.device_code()),
        ]);
        body.merge(&params.into());
        match self.token_request(body).await {
            Ok(response) => Ok(DeviceGrantStatus::Complete(Box::new(
                self.validate_optional_id_token(response, true).await?,
            ))),
            Err(e) => match e.oauth_error() {
                Some("authorization_pending") => Ok(DeviceGrantStatus::Pending),
                Some("slow_down") => Ok(DeviceGrantStatus::SlowDown),
                _ => Err(e),
            },
        }
    }

    /// Polls the token endpoint until the user finishes (openid-client's
    /// `pollDeviceAuthorizationGrant`): waits the `interval` (5 s when the server gives none)
    /// before each request, adds 5 s on `slow_down`, keeps going on `authorization_pending`,
    /// and stops with the tokens, with the server's error (`expired_token`,
    /// `access_denied`, ...), at the deadline, or on cancellation. Dropping the future stops
    /// it too. Needs the `tokio` feature (the timer); without it, use
    /// [`Configuration::device_authorization_grant_once`] with your runtime's timer.
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration, device: &oauth_client::DeviceAuthorizationResponse) -> Result<(), oauth_client::Error> {
    /// use oauth_client::{DevicePollOptions, Params};
    /// use std::time::Duration;
    ///
    /// // openid-client's `signal`: stop when the user closes the dialog.
    /// let (close, closed) = tokio::sync::oneshot::channel::<()>();
    /// # drop(close);
    /// let options = DevicePollOptions::new()
    ///     .deadline(Duration::from_secs(300))
    ///     .cancel_on(async move {
    ///         let _ = closed.await;
    ///     });
    /// let tokens = config
    ///     .poll_device_authorization_grant(device, Params::new(), options)
    ///     .await?;
    /// # let _ = tokens;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::OAuth`] for the server's final answer, [`Error::Deadline`] when the device
    /// code expires (or the options' deadline passes) first, [`Error::Cancelled`], or the
    /// errors of [`Configuration::device_authorization_grant_once`].
    #[cfg(feature = "tokio")]
    pub async fn poll_device_authorization_grant(
        &self,
        device: &DeviceAuthorizationResponse,
        params: impl Into<Params>,
        options: DevicePollOptions<'_>,
    ) -> Result<TokenResponse, Error> {
        const WHAT: &str = "device authorization grant";
        let params = params.into();
        let lifetime = device.expires_in_remaining();
        let lifetime = options.deadline.map_or(lifetime, |d| d.min(lifetime));
        let deadline = tokio::time::Instant::now() + lifetime;
        let mut interval = device
            .interval()
            .map_or(options.interval_if_absent, Duration::from_secs);
        let polling = async {
            loop {
                if tokio::time::Instant::now() + interval > deadline {
                    return Err(Error::Deadline { what: WHAT });
                }
                tokio::time::sleep(interval).await;
                match self
                    .device_authorization_grant_once(device, params.clone())
                    .await?
                {
                    DeviceGrantStatus::Pending => {}
                    DeviceGrantStatus::SlowDown => interval += DEVICE_SLOW_DOWN_STEP,
                    DeviceGrantStatus::Complete(tokens) => return Ok(*tokens),
                }
            }
        };
        with_cancellation(WHAT, polling, options.cancel).await
    }
}

/// Runs `work` until it completes or `cancel` does.
#[cfg(feature = "tokio")]
async fn with_cancellation<T>(
    what: &'static str,
    work: impl Future<Output = Result<T, Error>>,
    cancel: Option<crate::http::BoxFuture<'_, ()>>,
) -> Result<T, Error> {
    use std::task::Poll;
    let mut work = std::pin::pin!(work);
    let mut cancel = cancel;
    std::future::poll_fn(|cx| {
        if let Some(signal) = cancel.as_mut()
            && signal.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(Err(Error::Cancelled { what }));
        }
        work.as_mut().poll(cx)
    })
    .await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    fn parse(json: &str) -> Result<DeviceAuthorizationResponse, Error> {
        DeviceAuthorizationResponse::from_json(serde_json::from_str(json).unwrap())
    }

    const BASE: &str =
        r#""device_code":"dc","user_code":"WDJB-MJHT","verification_uri":"https://op/device""#;

    #[test]
    fn a_complete_response_is_read_and_debug_hides_the_device_code() {
        let r = parse(&format!(
            r#"{{{BASE},"expires_in":1800,"interval":5,"verification_uri_complete":"https://op/device?user_code=WDJB-MJHT"}}"#
        ))
        .unwrap();
        assert_eq!(r.user_code(), "WDJB-MJHT");
        assert_eq!(r.interval(), Some(5));
        assert!(r.expires_in_remaining() <= Duration::from_secs(1800));
        assert!(!format!("{r:?}").contains("\"dc\""));
    }

    #[test]
    fn an_interval_of_zero_or_absurd_is_a_typed_error() {
        for interval in ["0", "3601", "1800", "99999999999"] {
            let json = format!(r#"{{{BASE},"expires_in":1800,"interval":{interval}}}"#);
            assert!(
                matches!(
                    parse(&json),
                    Err(Error::InvalidField {
                        field: "interval",
                        ..
                    })
                ),
                "{interval}"
            );
        }
        for interval in ["-1", "1.5", "\"5\""] {
            let json = format!(r#"{{{BASE},"expires_in":1800,"interval":{interval}}}"#);
            assert!(parse(&json).is_err(), "{interval}");
        }
    }

    #[test]
    fn required_members_are_required() {
        for (json, field) in [
            (
                r#"{"user_code":"u","verification_uri":"v","expires_in":5}"#,
                "device_code",
            ),
            (
                r#"{"device_code":"d","verification_uri":"v","expires_in":5}"#,
                "user_code",
            ),
            (
                r#"{"device_code":"d","user_code":"u","expires_in":5}"#,
                "verification_uri",
            ),
            (
                r#"{"device_code":"d","user_code":"u","verification_uri":"v"}"#,
                "expires_in",
            ),
            (
                r#"{"device_code":"d","user_code":"u","verification_uri":"v","expires_in":0}"#,
                "expires_in",
            ),
        ] {
            match parse(json) {
                Err(
                    Error::MissingField { field: f, .. } | Error::InvalidField { field: f, .. },
                ) => {
                    assert_eq!(f, field, "{json}");
                }
                other => panic!("{json}: {other:?}"),
            }
        }
    }
}
