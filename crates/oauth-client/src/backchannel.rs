//! The back-channel logout endpoint (OpenID Connect Back-Channel Logout 1.0 §2.5, §2.7, §2.8),
//! independent of any HTTP framework: the application passes the method, content type and
//! body it received, and writes back the [`LogoutResponse`].

use crate::http::BoxFuture;
use crate::logout_token::{LogoutTokenClaims, LogoutTokenError, LogoutTokenVerifier};
use core::fmt;
use std::sync::Arc;

/// Largest request body accepted, in bytes (a logout token is usually under 2 KiB).
pub const MAX_LOGOUT_REQUEST_BYTES: usize = 64 * 1024;

/// Why the application's session store could not end the sessions (a database down, ...).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the session store failed: {0}")]
pub struct SessionStoreError(pub String);

/// The application's sessions, as the logout endpoint sees them.
///
/// [`LogoutSessionStore::end_sessions`] ends the sessions the token names (§2.7): with `sid`,
/// the sessions of this client established in that provider session; with only `sub`, every
/// session of that subject at this issuer (`claims.iss`). Sessions that do not exist (already
/// ended) are not an error. An error makes the endpoint answer 400, so that the provider
/// knows the logout did not happen.
pub trait LogoutSessionStore: Send + Sync + fmt::Debug {
    /// Ends the sessions named by a validated logout token.
    ///
    /// # Errors
    /// [`SessionStoreError`] when the sessions could not be ended.
    fn end_sessions<'a>(
        &'a self,
        claims: &'a LogoutTokenClaims,
    ) -> BoxFuture<'a, Result<(), SessionStoreError>>;
}

/// Why a back-channel logout request was refused.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackchannelLogoutError {
    /// The method is not POST.
    #[error("back-channel logout requests are POST requests")]
    Method,
    /// The content type is not `application/x-www-form-urlencoded`.
    #[error("the content type is not application/x-www-form-urlencoded")]
    ContentType,
    /// The body exceeds [`MAX_LOGOUT_REQUEST_BYTES`].
    #[error("the body exceeds {MAX_LOGOUT_REQUEST_BYTES} bytes")]
    BodyTooLarge,
    /// `logout_token` is missing, empty, or repeated.
    #[error("the logout_token parameter is missing, empty or repeated")]
    MissingLogoutToken,
    /// The logout token was refused.
    #[error(transparent)]
    LogoutToken(#[from] LogoutTokenError),
    /// The application's session store failed.
    #[error(transparent)]
    SessionStore(#[from] SessionStoreError),
}

impl BackchannelLogoutError {
    /// A stable, machine-readable code: `method_not_allowed`, `unsupported_content_type`,
    /// `body_too_large`, `missing_logout_token`, `session_store`, or the logout token's
    /// [`LogoutTokenError::code`] (`logout_token_iss`, ...).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Method => "method_not_allowed",
            Self::ContentType => "unsupported_content_type",
            Self::BodyTooLarge => "body_too_large",
            Self::MissingLogoutToken => "missing_logout_token",
            Self::LogoutToken(e) => e.code(),
            Self::SessionStore(_) => "session_store",
        }
    }

    /// The OAuth `error` of the JSON answer: `invalid_request` for what the request got wrong,
    /// `temporarily_unavailable` when a dependency failed (JWK Set, replay store, session
    /// store) and the same request may succeed later.
    #[must_use]
    pub fn oauth_error(&self) -> &'static str {
        match self {
            Self::SessionStore(_) => "temporarily_unavailable",
            Self::LogoutToken(e) if e.is_unavailable() => "temporarily_unavailable",
            _ => "invalid_request",
        }
    }
}

/// The HTTP answer of the logout endpoint: 200 with an empty body, or 400 with a JSON error
/// body. Every answer carries `Cache-Control: no-store` (§2.8).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogoutResponse {
    /// 200 or 400.
    pub status: u16,
    /// The headers to send: `cache-control`, and `content-type` with a body.
    pub headers: Vec<(&'static str, &'static str)>,
    /// The body: empty, or `{"error": ..., "error_description": ...}`.
    pub body: Vec<u8>,
}

impl LogoutResponse {
    /// The answer for the outcome of [`BackchannelLogoutHandler::handle`]. The description
    /// names the failed check, never the token.
    #[must_use]
    pub fn for_result(result: &Result<LogoutTokenClaims, BackchannelLogoutError>) -> Self {
        match result {
            Ok(_) => Self {
                status: 200,
                headers: vec![("cache-control", "no-store")],
                body: Vec::new(),
            },
            Err(e) => {
                let body = serde_json::json!({
                    "error": e.oauth_error(),
                    "error_description": format!("{} ({})", e, e.code()),
                });
                Self {
                    status: 400,
                    headers: vec![
                        ("cache-control", "no-store"),
                        ("content-type", "application/json"),
                    ],
                    body: body.to_string().into_bytes(),
                }
            }
        }
    }
}

/// Handles requests to the client's `backchannel_logout_uri`: reads the form, verifies the
/// logout token with a [`LogoutTokenVerifier`] (replay detection included), and has the
/// [`LogoutSessionStore`] end the sessions it names.
///
/// ```
/// use oauth_client::{
///     BackchannelLogoutHandler, LogoutResponse, LogoutSessionStore, LogoutTokenClaims,
///     LogoutTokenVerifier, SessionStoreError, http::BoxFuture,
/// };
/// # use oauth_client::{ClientAuth, ClientMetadata, Configuration};
/// use std::sync::Arc;
///
/// /// The application's sessions (here: a log of what was ended).
/// #[derive(Debug, Default)]
/// struct Sessions(std::sync::Mutex<Vec<String>>);
///
/// impl LogoutSessionStore for Sessions {
///     fn end_sessions<'a>(&'a self, claims: &'a LogoutTokenClaims) -> BoxFuture<'a, Result<(), SessionStoreError>> {
///         Box::pin(async move {
///             let key = claims.sid.clone().or(claims.sub.clone()).unwrap_or_default();
///             self.0.lock().map_err(|_| SessionStoreError("poisoned".into()))?.push(key);
///             Ok(())
///         })
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let server = serde_json::from_value(serde_json::json!({"issuer": "https://op.example", "jwks_uri": "https://op.example/jwks"}))?;
/// # let config = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none()).build(server)?;
/// let verifier = LogoutTokenVerifier::new(config, Arc::new(replay_store::MemoryReplayStore::default()));
/// let handler = BackchannelLogoutHandler::new(verifier, Arc::new(Sessions::default()));
///
/// // In the route of the framework, with what it received:
/// let result = handler.handle("POST", Some("application/json"), b"{}").await;
/// let response = LogoutResponse::for_result(&result);
/// assert_eq!(response.status, 400);
/// assert!(response.headers.contains(&("cache-control", "no-store")));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct BackchannelLogoutHandler {
    verifier: LogoutTokenVerifier,
    sessions: Arc<dyn LogoutSessionStore>,
}

impl BackchannelLogoutHandler {
    /// A handler verifying with `verifier` and ending sessions in `sessions`.
    #[must_use]
    pub fn new(verifier: LogoutTokenVerifier, sessions: Arc<dyn LogoutSessionStore>) -> Self {
        Self { verifier, sessions }
    }

    /// The verifier.
    #[must_use]
    pub fn verifier(&self) -> &LogoutTokenVerifier {
        &self.verifier
    }

    /// Handles one request: `method`, the `Content-Type` header and the body as received (a
    /// body over [`MAX_LOGOUT_REQUEST_BYTES`] is refused; stop reading at that bound). Map the
    /// outcome to the answer with [`LogoutResponse::for_result`].
    ///
    /// # Errors
    /// [`BackchannelLogoutError`]: the request's shape, the logout token's checks, or the
    /// session store.
    pub async fn handle(
        &self,
        method: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<LogoutTokenClaims, BackchannelLogoutError> {
        if !method.eq_ignore_ascii_case("POST") {
            return Err(BackchannelLogoutError::Method);
        }
        if !is_form(content_type) {
            return Err(BackchannelLogoutError::ContentType);
        }
        if body.len() > MAX_LOGOUT_REQUEST_BYTES {
            return Err(BackchannelLogoutError::BodyTooLarge);
        }
        let token = logout_token_parameter(body)?;
        let claims = self.verifier.verify(&token).await?;
        self.sessions.end_sessions(&claims).await?;
        Ok(claims)
    }
}

/// `application/x-www-form-urlencoded`, with or without parameters, any case.
fn is_form(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|v| {
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    })
}

/// The one non-empty `logout_token` of the form.
fn logout_token_parameter(body: &[u8]) -> Result<String, BackchannelLogoutError> {
    let mut found = None;
    for (name, value) in url::form_urlencoded::parse(body) {
        if name == "logout_token" {
            if found.is_some() {
                return Err(BackchannelLogoutError::MissingLogoutToken);
            }
            found = Some(value.into_owned());
        }
    }
    found
        .filter(|t| !t.is_empty())
        .ok_or(BackchannelLogoutError::MissingLogoutToken)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;
    use crate::{ClientAuth, ClientMetadata, Configuration, ServerMetadata};

    #[derive(Debug)]
    struct NoSessions;

    impl LogoutSessionStore for NoSessions {
        fn end_sessions<'a>(
            &'a self,
            _claims: &'a LogoutTokenClaims,
        ) -> BoxFuture<'a, Result<(), SessionStoreError>> {
            Box::pin(async { Ok(()) })
        }
    }

    fn handler() -> BackchannelLogoutHandler {
        let config = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
            .build(ServerMetadata::new("https://op.example"))
            .unwrap();
        BackchannelLogoutHandler::new(
            LogoutTokenVerifier::without_replay_detection(config),
            Arc::new(NoSessions),
        )
    }

    const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

    async fn code_of(method: &str, content_type: Option<&str>, body: &[u8]) -> &'static str {
        let result = handler().handle(method, content_type, body).await;
        let response = LogoutResponse::for_result(&result);
        assert_eq!(response.status, 400);
        assert!(response.headers.contains(&("cache-control", "no-store")));
        let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
        assert!(json["error"].is_string());
        result.unwrap_err().code()
    }

    #[tokio::test]
    async fn rejects_other_methods_content_types_and_oversized_bodies() {
        assert_eq!(code_of("GET", FORM, b"").await, "method_not_allowed");
        assert_eq!(
            code_of("POST", Some("application/json"), b"{}").await,
            "unsupported_content_type"
        );
        assert_eq!(code_of("POST", None, b"").await, "unsupported_content_type");
        let big = vec![b'a'; MAX_LOGOUT_REQUEST_BYTES + 1];
        assert_eq!(code_of("POST", FORM, &big).await, "body_too_large");
    }

    #[tokio::test]
    async fn rejects_a_missing_empty_or_repeated_logout_token() {
        for body in [
            &b""[..],
            b"logout_token=",
            b"other=1",
            b"logout_token=a&logout_token=b",
        ] {
            assert_eq!(code_of("POST", FORM, body).await, "missing_logout_token");
        }
        let ct = Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8");
        assert_eq!(
            code_of("post", ct, b"logout_token=e30.e30.e30").await,
            "logout_token_format"
        );
    }

    #[test]
    fn errors_answer_400_and_store_failures_say_temporarily_unavailable() {
        let ok: Result<LogoutTokenClaims, BackchannelLogoutError> =
            Err(BackchannelLogoutError::Method);
        assert_eq!(LogoutResponse::for_result(&ok).status, 400);
        let store = Err(BackchannelLogoutError::SessionStore(SessionStoreError(
            "down".into(),
        )));
        let response = LogoutResponse::for_result(&store);
        let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(json["error"], "temporarily_unavailable");
    }
}
