//! The token set a manager keeps, and the access token it hands out.

use crate::TokenResponse;
use crate::pending_login::unix_millis;
use core::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

/// The tokens of one session: access token, its type and expiry, refresh token, scope.
///
/// Tokens are zeroized on drop and never shown by `Debug`.
///
/// ```
/// use oauth_client::{TokenResponse, TokenSet};
/// use std::time::{Duration, SystemTime};
///
/// let body = serde_json::json!({
///     "access_token": "at-1", "token_type": "DPoP", "expires_in": 600, "refresh_token": "rt-1",
/// });
/// let serde_json::Value::Object(body) = body else { unreachable!() };
/// let now = SystemTime::now();
/// let tokens = TokenSet::from_response(&TokenResponse::from_json(body)?, now);
/// assert_eq!(tokens.token_type(), "dpop");
/// assert_eq!(tokens.expires_at(), Some(now + Duration::from_secs(600)));
/// assert_eq!(tokens.refresh_token(), Some("rt-1"));
/// assert!(!format!("{tokens:?}").contains("rt-1"));
/// # Ok::<(), oauth_client::Error>(())
/// ```
#[derive(Clone)]
pub struct TokenSet {
    access_token: Zeroizing<String>,
    token_type: String,
    expires_at: Option<SystemTime>,
    refresh_token: Option<Zeroizing<String>>,
    scope: Option<String>,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"[redacted]")
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("scope", &self.scope)
            .finish()
    }
}

impl TokenSet {
    /// The tokens of a token endpoint response received at `now` (the access token expires
    /// `expires_in` later; without `expires_in` it is never refreshed ahead of time).
    #[must_use]
    pub fn from_response(response: &TokenResponse, now: SystemTime) -> Self {
        Self {
            access_token: Zeroizing::new(response.access_token().to_owned()),
            token_type: response.token_type().to_owned(),
            expires_at: response
                .expires_in()
                .and_then(|s| now.checked_add(Duration::from_secs(s))),
            refresh_token: response
                .refresh_token()
                .map(|t| Zeroizing::new(t.to_owned())),
            scope: response.scope().map(str::to_owned),
        }
    }

    /// The set after a refresh: the new response, keeping the previous refresh token and
    /// scope when the server did not send new ones (RFC 6749 §6).
    pub(crate) fn refreshed(&self, response: &TokenResponse, now: SystemTime) -> Self {
        let mut next = Self::from_response(response, now);
        if next.refresh_token.is_none() {
            next.refresh_token.clone_from(&self.refresh_token);
        }
        if next.scope.is_none() {
            next.scope.clone_from(&self.scope);
        }
        next
    }

    /// The access token.
    #[must_use]
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// `token_type`, lowercased (`bearer`, `dpop`).
    #[must_use]
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// When the access token expires, if the server said.
    #[must_use]
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// The refresh token.
    #[must_use]
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_ref().map(|t| t.as_str())
    }

    /// The granted scope.
    #[must_use]
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// Whether the access token expires within `margin` of `now` (or already has).
    #[must_use]
    pub fn needs_refresh(&self, now: SystemTime, margin: Duration) -> bool {
        self.expires_at
            .is_some_and(|at| now.checked_add(margin).is_none_or(|t| t >= at))
    }

    /// Whether the access token has expired at `now`.
    #[must_use]
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }

    /// The record a shared store keeps: JSON, zeroized on drop (for a [`crate::TokenStore`]
    /// of your own; it holds the tokens).
    ///
    /// # Errors
    /// Never in practice (serializing strings and numbers); a `&'static str` reason otherwise.
    pub fn to_record(&self) -> Result<Zeroizing<Vec<u8>>, &'static str> {
        let record = RecordRef {
            access_token: &self.access_token,
            token_type: &self.token_type,
            expires_at_ms: self.expires_at.map(unix_millis),
            refresh_token: self.refresh_token.as_ref().map(|t| t.as_str()),
            scope: self.scope.as_deref(),
        };
        serde_json::to_vec(&record)
            .map(Zeroizing::new)
            .map_err(|_| "the token set cannot be serialized")
    }

    /// Reads a record written by [`TokenSet::to_record`].
    ///
    /// # Errors
    /// A `&'static str` reason when `bytes` is not such a record.
    pub fn from_record(bytes: &[u8]) -> Result<Self, &'static str> {
        let record: Record =
            serde_json::from_slice(bytes).map_err(|_| "the stored token set is not readable")?;
        Ok(Self {
            access_token: Zeroizing::new(record.access_token),
            token_type: record.token_type,
            expires_at: record
                .expires_at_ms
                .map(|ms| UNIX_EPOCH + Duration::from_millis(ms)),
            refresh_token: record.refresh_token.map(Zeroizing::new),
            scope: record.scope,
        })
    }
}

#[derive(serde::Serialize)]
struct RecordRef<'a> {
    access_token: &'a str,
    token_type: &'a str,
    expires_at_ms: Option<u64>,
    refresh_token: Option<&'a str>,
    scope: Option<&'a str>,
}

#[derive(serde::Deserialize)]
struct Record {
    access_token: String,
    token_type: String,
    expires_at_ms: Option<u64>,
    refresh_token: Option<String>,
    scope: Option<String>,
}

/// A valid access token from [`crate::TokenManager::access_token`]; zeroized on drop, never
/// shown by `Debug`.
#[derive(Clone)]
pub struct AccessToken {
    token: Zeroizing<String>,
    token_type: String,
    expires_at: Option<SystemTime>,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"[redacted]")
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl AccessToken {
    /// The token, for the `Authorization` header (with a DPoP proof when the type is `dpop`).
    #[must_use]
    pub fn secret(&self) -> &str {
        &self.token
    }

    /// `bearer` or `dpop` (lowercased).
    #[must_use]
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// When it expires, if the server said.
    #[must_use]
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }
}

impl From<&TokenSet> for AccessToken {
    fn from(tokens: &TokenSet) -> Self {
        Self {
            token: tokens.access_token.clone(),
            token_type: tokens.token_type.clone(),
            expires_at: tokens.expires_at,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn response(json: serde_json::Value) -> TokenResponse {
        let serde_json::Value::Object(body) = json else {
            panic!("an object")
        };
        TokenResponse::from_json(body).unwrap()
    }

    #[test]
    fn refresh_is_due_within_the_margin() {
        let now = SystemTime::now();
        let t = TokenSet::from_response(
            &response(
                serde_json::json!({"access_token":"a","token_type":"bearer","expires_in":100}),
            ),
            now,
        );
        let margin = Duration::from_secs(30);
        assert!(!t.needs_refresh(now + Duration::from_secs(69), margin));
        assert!(t.needs_refresh(now + Duration::from_secs(70), margin));
        assert!(!t.is_expired(now + Duration::from_secs(99)));
        assert!(t.is_expired(now + Duration::from_secs(100)));
        let forever = TokenSet::from_response(
            &response(serde_json::json!({"access_token":"a","token_type":"bearer"})),
            now,
        );
        assert!(!forever.needs_refresh(now + Duration::from_secs(1 << 30), margin));
    }

    #[test]
    fn a_refresh_without_a_new_refresh_token_keeps_the_old_one() {
        let now = SystemTime::now();
        let first = TokenSet::from_response(
            &response(
                serde_json::json!({"access_token":"a1","token_type":"bearer","refresh_token":"r1","scope":"openid"}),
            ),
            now,
        );
        let next = first.refreshed(
            &response(serde_json::json!({"access_token":"a2","token_type":"bearer"})),
            now,
        );
        assert_eq!(next.refresh_token(), Some("r1"));
        assert_eq!(next.scope(), Some("openid"));
        let rotated = first.refreshed(
            &response(
                serde_json::json!({"access_token":"a3","token_type":"bearer","refresh_token":"r2"}),
            ),
            now,
        );
        assert_eq!(rotated.refresh_token(), Some("r2"));
    }

    #[test]
    fn records_round_trip_and_debug_redacts() {
        let now = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        let t = TokenSet::from_response(
            &response(
                serde_json::json!({"access_token":"secret-at","token_type":"dpop","expires_in":60,"refresh_token":"secret-rt"}),
            ),
            now,
        );
        let back = TokenSet::from_record(&t.to_record().unwrap()).unwrap();
        assert_eq!(back.access_token(), "secret-at");
        assert_eq!(back.refresh_token(), Some("secret-rt"));
        assert_eq!(back.expires_at(), t.expires_at());
        let shown = format!("{t:?}{:?}", AccessToken::from(&t));
        assert!(!shown.contains("secret-at") && !shown.contains("secret-rt"));
        assert!(TokenSet::from_record(b"[]").is_err());
    }
}
