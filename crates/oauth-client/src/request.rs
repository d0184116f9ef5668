//! The request pipeline every operation goes through: URL policy, default headers, client
//! authentication, DPoP, timeouts and size caps, and the reading of responses; and
//! [`Configuration::authenticated_post`], the pipeline opened to protocols built on this crate
//! (an endpoint it does not wrap yet, such as CIBA's backchannel authentication).

use crate::config::Endpoint;
use crate::error::{ChallengeResponse, OAuthErrorResponse};
use crate::http::{Headers, HttpError, HttpRequest, HttpResponse, Method};
use crate::www_authenticate::{self, Challenge};
use crate::{Configuration, Error, Params};
use jose_core::json::{self, JsonLimits};
use serde_json::{Map, Value};
use url::Url;

pub(crate) const FORM: &str = "application/x-www-form-urlencoded";
pub(crate) const JSON: &str = "application/json";

/// A request before the pipeline adds what every request gets.
pub(crate) struct Outgoing {
    pub(crate) endpoint: &'static str,
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: Headers,
    pub(crate) body: Option<Vec<u8>>,
    /// For resource requests with DPoP: the access token whose hash goes into `ath`.
    pub(crate) access_token: Option<String>,
    /// Replaces the configured timeout for this request (long polling).
    pub(crate) timeout: Option<core::time::Duration>,
}

impl Outgoing {
    pub(crate) fn new(endpoint: &'static str, method: Method, url: Url) -> Self {
        Self {
            endpoint,
            method,
            url,
            headers: Headers::new(),
            body: None,
            access_token: None,
            timeout: None,
        }
    }
}

impl Configuration {
    /// Sends a request: checks the URL, adds the default headers and a DPoP proof, maps
    /// transport errors, records `DPoP-Nonce`, and retries once on `use_dpop_nonce`.
    pub(crate) async fn send(
        &self,
        request: Outgoing,
        use_dpop: bool,
    ) -> Result<HttpResponse, Error> {
        self.check_url(request.endpoint, &request.url)?;
        let options = &self.inner.options;
        let dpop = if use_dpop { self.dpop.as_ref() } else { None };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut headers = options.headers.clone();
            for (name, value) in request.headers.iter() {
                headers.set(name, value);
            }
            if let Some(dpop) = dpop {
                let proof = dpop.proof(
                    request.method.as_str(),
                    request.url.as_str(),
                    request.access_token.as_deref(),
                )?;
                headers.set("dpop", proof);
            }
            let mut http_request = HttpRequest::new(request.method.clone(), request.url.clone());
            http_request.headers = headers;
            http_request.body = request.body.clone();
            http_request.timeout = request.timeout.unwrap_or(options.timeout);
            http_request.max_response_bytes = options.max_response_bytes;
            let response = self
                .inner
                .http
                .send(http_request)
                .await
                .map_err(|e| map_http_error(request.endpoint, e))?;
            if response.body.len() > options.max_response_bytes {
                return Err(Error::ResponseTooLarge {
                    endpoint: request.endpoint,
                    limit: options.max_response_bytes,
                });
            }
            if let Some(dpop) = dpop {
                if let Some(nonce) = response.headers.get("dpop-nonce") {
                    // An invalid nonce is ignored; the retry below then fails visibly.
                    let _ = dpop.record_nonce(request.url.as_str(), nonce);
                }
                if attempt == 1 && is_dpop_nonce_error(&response) {
                    continue;
                }
            }
            return Ok(response);
        }
    }

    /// POSTs a form with client authentication to an authorization server endpoint.
    pub(crate) async fn post_authenticated(
        &self,
        endpoint: &'static str,
        url: Url,
        mut body: Params,
        accept: &str,
        use_dpop: bool,
    ) -> Result<HttpResponse, Error> {
        let mut headers = Headers::new();
        headers.set("accept", accept);
        headers.set("content-type", FORM);
        let inner = &self.inner;
        inner.auth.apply(
            &inner.client,
            &inner.server.issuer,
            self.now(),
            &mut body,
            &mut headers,
        )?;
        let mut request = Outgoing::new(endpoint, Method::POST, url);
        request.headers = headers;
        request.body = Some(body.to_form().into_bytes());
        self.send(request, use_dpop).await
    }

    /// POSTs `params` with client authentication (and a DPoP proof when the configuration
    /// has a handle) to one of the authorization server's endpoints, and returns the JSON
    /// object of a 200 or 201 answer: for protocols this crate does not wrap yet (the CIBA
    /// backchannel authentication endpoint, for example). mTLS aliases are honoured.
    ///
    /// # Errors
    /// [`Error::MissingEndpoint`], [`Error::OAuth`] for an error answer, or a malformed
    /// response.
    pub async fn authenticated_post(
        &self,
        endpoint: Endpoint,
        params: impl Into<Params>,
    ) -> Result<Map<String, Value>, Error> {
        let name = endpoint.short_name();
        let url = self.endpoint(endpoint)?;
        let response = self
            .post_authenticated(name, url, params.into(), JSON, true)
            .await?;
        json_success(name, &response, &[200, 201])
    }
}

fn map_http_error(endpoint: &'static str, e: HttpError) -> Error {
    match e {
        HttpError::Timeout => Error::Timeout { endpoint },
        HttpError::ResponseTooLarge { limit } => Error::ResponseTooLarge { endpoint, limit },
        HttpError::Transport(message) => Error::Transport { endpoint, message },
    }
}

fn is_dpop_nonce_error(response: &HttpResponse) -> bool {
    match response.status {
        400 => parse_json_object("token", &response.body)
            .ok()
            .and_then(|m| m.get("error").and_then(Value::as_str).map(str::to_owned))
            .is_some_and(|e| e == "use_dpop_nonce"),
        401 => challenges(response)
            .iter()
            .any(|c| c.is("dpop") && c.error() == Some("use_dpop_nonce")),
        _ => false,
    }
}

/// The challenges of the response's `WWW-Authenticate` fields; a malformed header counts as
/// none (the status and body then decide the error).
pub(crate) fn challenges(response: &HttpResponse) -> Vec<Challenge> {
    www_authenticate::parse(response.headers.get_all("www-authenticate")).unwrap_or_default()
}

/// Parses a body as a strict JSON object.
pub(crate) fn parse_json_object(
    endpoint: &'static str,
    body: &[u8],
) -> Result<Map<String, Value>, Error> {
    json::parse_object(body, &JsonLimits::DEFAULT)
        .map_err(|source| Error::InvalidJson { endpoint, source })
}

/// Checks that the media type is `application/json` (or `+json`).
pub(crate) fn require_json(endpoint: &'static str, response: &HttpResponse) -> Result<(), Error> {
    match response.headers.content_type() {
        Some(ct) if ct == JSON || (ct.starts_with("application/") && ct.ends_with("+json")) => {
            Ok(())
        }
        other => Err(Error::UnexpectedContentType {
            endpoint,
            expected: JSON,
            found: other.map(|c| json::truncate_for_error(&c)),
        }),
    }
}

/// The error for a response that is not the expected success: an OAuth error body (with any
/// challenges attached), else a challenge, else the status.
pub(crate) fn error_response(endpoint: &'static str, response: &HttpResponse) -> Error {
    let challenges = challenges(response);
    if let Ok(body) = json::parse_object(&response.body, &JsonLimits::DEFAULT)
        && let Some(Value::String(error)) = body.get("error")
    {
        let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
        return Error::OAuth(Box::new(OAuthErrorResponse {
            endpoint,
            status: response.status,
            error: error.clone(),
            error_description: text("error_description"),
            error_uri: text("error_uri"),
            challenges,
            body: body.clone(),
        }));
    }
    challenge_or_status(endpoint, response, challenges)
}

/// For resource endpoints: a challenge first, then an OAuth error body, then the status.
pub(crate) fn resource_error(endpoint: &'static str, response: &HttpResponse) -> Error {
    let challenges = challenges(response);
    if !challenges.is_empty() {
        return challenge_or_status(endpoint, response, challenges);
    }
    error_response(endpoint, response)
}

fn challenge_or_status(
    endpoint: &'static str,
    response: &HttpResponse,
    challenges: Vec<Challenge>,
) -> Error {
    if challenges.is_empty() {
        Error::UnexpectedStatus {
            endpoint,
            status: response.status,
        }
    } else {
        Error::Challenge(Box::new(ChallengeResponse {
            endpoint,
            status: response.status,
            challenges,
            body: response.body.clone(),
        }))
    }
}

/// Reads a JSON success response of an authorization server endpoint.
pub(crate) fn json_success(
    endpoint: &'static str,
    response: &HttpResponse,
    expected_status: &[u16],
) -> Result<Map<String, Value>, Error> {
    if !expected_status.contains(&response.status) {
        return Err(error_response(endpoint, response));
    }
    require_json(endpoint, response)?;
    parse_json_object(endpoint, &response.body)
}
