//! The HTTP layer: a small trait the crate calls, and its own request and response types.
//!
//! Nothing from `reqwest` or `http` appears here, so a new major version of either does not
//! change this crate's API. Implement [`HttpClient`] to bring your own client (proxies, client
//! certificates for mTLS, tracing, a test transport); the default is
//! [`ReqwestHttpClient`](crate::ReqwestHttpClient) behind the `reqwest` feature.

#[cfg(feature = "reqwest")]
pub(crate) mod reqwest_client;

use core::fmt;
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use url::Url;

/// A boxed, sendable future, the return type of [`HttpClient::send`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An HTTP request method.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Method(Cow<'static, str>);

impl Method {
    /// `GET`.
    pub const GET: Method = Method(Cow::Borrowed("GET"));
    /// `POST`.
    pub const POST: Method = Method(Cow::Borrowed("POST"));
    /// `PUT`.
    pub const PUT: Method = Method(Cow::Borrowed("PUT"));
    /// `PATCH`.
    pub const PATCH: Method = Method(Cow::Borrowed("PATCH"));
    /// `DELETE`.
    pub const DELETE: Method = Method(Cow::Borrowed("DELETE"));
    /// `HEAD`.
    pub const HEAD: Method = Method(Cow::Borrowed("HEAD"));
    /// `OPTIONS`.
    pub const OPTIONS: Method = Method(Cow::Borrowed("OPTIONS"));

    /// Any method: an RFC 9110 token (letters, digits and ``!#$%&'*+-.^_`|~``).
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] for an empty name or one with other characters.
    pub fn new(name: &str) -> Result<Self, crate::Error> {
        if is_token(name) {
            Ok(Method(Cow::Owned(name.to_owned())))
        } else {
            Err(crate::Error::InvalidArgument(
                "an HTTP method must be a token",
            ))
        }
    }

    /// The method name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `s` is an RFC 9110 token.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

/// HTTP header fields, in order; names compare case-insensitively.
///
/// `Debug` prints the names only: values such as `Authorization` or `DPoP` are credentials.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    /// No fields.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The first value of `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Replaces every value of `name` with `value`.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.0.retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
        self.0.push((name, value.into()));
    }

    /// Adds a value of `name`, keeping the others.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// Removes every value of `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    }

    /// Whether `name` is present.
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// All fields, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of fields.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no fields.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The media type of `Content-Type`, lowercased and without parameters.
    #[must_use]
    pub fn content_type(&self) -> Option<String> {
        self.get("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, _)| k))
            .finish()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl<K: Into<String>, V: Into<String>, const N: usize> From<[(K, V); N]> for Headers {
    fn from(items: [(K, V); N]) -> Self {
        items.into_iter().collect()
    }
}

/// A request the crate asks the [`HttpClient`] to send.
///
/// Redirects must not be followed: the response to this very request is wanted (OAuth
/// endpoints answer redirects only by mistake or attack).
///
/// `Debug` shows the header names and the body's length only: bodies carry client secrets,
/// codes, PKCE verifiers and refresh tokens.
#[derive(Clone)]
#[non_exhaustive]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The URL.
    pub url: Url,
    /// Header fields.
    pub headers: Headers,
    /// The body, if any.
    pub body: Option<Vec<u8>>,
    /// How long the whole exchange (connect, send, receive the body) may take.
    pub timeout: Duration,
    /// The largest response body to read; a larger one must fail with
    /// [`HttpError::ResponseTooLarge`] without reading further.
    pub max_response_bytes: usize,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &self.headers)
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl HttpRequest {
    /// A request with no headers or body, a 30 s timeout and a 1 MiB response cap.
    #[must_use]
    pub fn new(method: Method, url: Url) -> Self {
        Self {
            method,
            url,
            headers: Headers::new(),
            body: None,
            timeout: Duration::from_secs(30),
            max_response_bytes: 1 << 20,
        }
    }
}

/// A response, with its body read in full (within the request's cap).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header fields.
    pub headers: Headers,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response.
    #[must_use]
    pub fn new(status: u16, headers: Headers, body: Vec<u8>) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }

    /// Whether the status is 2xx.
    #[must_use]
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Why an [`HttpClient`] could not produce a response.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The request did not complete within its timeout.
    #[error("the request timed out")]
    Timeout,
    /// The response body is larger than the request's cap.
    #[error("the response body exceeds {limit} bytes")]
    ResponseTooLarge {
        /// The cap.
        limit: usize,
    },
    /// Connecting, TLS, or the exchange failed.
    #[error("{0}")]
    Transport(String),
}

/// Sends HTTP requests for the crate.
///
/// Implementations must honour [`HttpRequest::timeout`] and [`HttpRequest::max_response_bytes`]
/// (the crate checks the body size again, but cannot interrupt a slow server) and must not
/// follow redirects.
///
/// ```
/// use oauth_client::http::{BoxFuture, HttpClient, HttpError, HttpRequest, HttpResponse};
///
/// /// Answers every request with 503: a transport for tests.
/// #[derive(Debug)]
/// struct Unavailable;
///
/// impl HttpClient for Unavailable {
///     fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
///         Box::pin(async { Ok(HttpResponse::new(503, Default::default(), Vec::new())) })
///     }
/// }
/// ```
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends `request` and reads the whole response.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>>;
}

impl<T: HttpClient + ?Sized> HttpClient for std::sync::Arc<T> {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        (**self).send(request)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn request_debug_shows_no_body_or_header_values() {
        let mut request = HttpRequest::new(
            Method::POST,
            Url::parse("https://as.example/token").unwrap(),
        );
        request
            .headers
            .set("authorization", "Basic c2VjcmV0LWNyZWRlbnRpYWw=");
        request.body = Some(
            b"grant_type=refresh_token&refresh_token=rt-secret-value&client_secret=cs-secret"
                .to_vec(),
        );
        let shown = format!("{request:?}");
        assert!(shown.contains("body_len: Some(78)"), "{shown}");
        for secret in ["c2VjcmV0", "rt-secret", "cs-secret", "103, 114, 97"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
