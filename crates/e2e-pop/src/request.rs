//! Requesting an ICT from the OP (feature `ict-request`): discovering the OP's `ict_endpoint`
//! and sending it the PoP token with the access token, over the HTTP layer of
//! `oauth-client` ([`HttpClient`]).
//!
//! ```no_run
//! # async fn example(access_token: &str, pop_token: &str) -> Result<(), Box<dyn std::error::Error>> {
//! use e2e_pop::request::IctClient;
//! use oauth_client::{ReqwestHttpClient, Url};
//!
//! let client = IctClient::new(ReqwestHttpClient::new()?);
//! let endpoint = client.discover_ict_endpoint(&Url::parse("https://op.example.com")?).await?;
//! let response = client.request_ict(&endpoint, access_token, pop_token).await?;
//! let ict = response.identity_certification_token();
//! # let _ = ict;
//! # Ok(())
//! # }
//! ```

use crate::E2ePopError;
use jose_core::json::{self, JsonLimits, truncate_for_error};
use oauth_client::http::{Headers, HttpClient, HttpRequest, HttpResponse, Method};
use oauth_client::{DiscoveryAlgorithm, Url, well_known_url};
use serde_json::{Map, Value};
use std::fmt;
use std::time::Duration;

/// Largest discovery document or ICT response read.
const MAX_RESPONSE: usize = 256 << 10;
/// How long one exchange may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The media type of the request body (docs/e2e-pop.md, resolution 16).
pub const POP_CONTENT_TYPE: &str = "application/jwt+pop";

/// The OP's answer to an ICT request (HTTP 201).
#[derive(Clone, PartialEq, Eq)]
pub struct IctResponse {
    ict: String,
    expires_in: Option<u64>,
    contexts: Option<Vec<String>>,
    claims: Option<Vec<String>>,
    extra: Map<String, Value>,
}

impl fmt::Debug for IctResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IctResponse")
            .field("identity_certification_token", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .field("e2e_auth_contexts", &self.contexts)
            .field("claims", &self.claims)
            .finish_non_exhaustive()
    }
}

impl IctResponse {
    /// The ICT (verify it with [`crate::IctVerifier`] before relying on its content).
    #[must_use]
    pub fn identity_certification_token(&self) -> &str {
        &self.ict
    }

    /// `expires_in`, seconds.
    #[must_use]
    pub fn expires_in(&self) -> Option<u64> {
        self.expires_in
    }

    /// `e2e_auth_contexts`: the contexts granted.
    #[must_use]
    pub fn contexts(&self) -> Option<&[String]> {
        self.contexts.as_deref()
    }

    /// `claims`: the names of the identity claims included (an OP extension).
    #[must_use]
    pub fn claims(&self) -> Option<&[String]> {
        self.claims.as_deref()
    }

    /// Other members of the response.
    #[must_use]
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }
}

/// Discovers ICT endpoints and requests ICTs over an [`HttpClient`].
#[derive(Debug)]
pub struct IctClient<H> {
    http: H,
    allow_insecure_http: bool,
}

impl<H: HttpClient> IctClient<H> {
    /// A client sending its requests through `http`.
    pub fn new(http: H) -> Self {
        Self {
            http,
            allow_insecure_http: false,
        }
    }

    /// Accepts `http:` URLs for the issuer and the endpoint. The draft requires HTTPS; this is
    /// for tests against a loopback server only.
    #[must_use]
    pub fn allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    fn check_scheme(&self, url: &Url, what: &'static str) -> Result<(), E2ePopError> {
        match url.scheme() {
            "https" => Ok(()),
            "http" if self.allow_insecure_http => Ok(()),
            _ => Err(E2ePopError::Discovery(format!(
                "the {what} is not an https URL"
            ))),
        }
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, E2ePopError> {
        let response = self
            .http
            .send(request)
            .await
            .map_err(|e| E2ePopError::Transport(e.to_string()))?;
        if response.body.len() > MAX_RESPONSE {
            return Err(E2ePopError::Transport(format!(
                "the response exceeds {MAX_RESPONSE} bytes"
            )));
        }
        Ok(response)
    }

    /// The OP's `ict_endpoint`, from its OpenID Connect discovery document.
    ///
    /// The document must come with status 200, be a JSON object whose `issuer` is `issuer`,
    /// and name an `https` `ict_endpoint`.
    ///
    /// # Errors
    /// [`E2ePopError::IctNotSupported`] without `ict_endpoint`; [`E2ePopError::Discovery`] for
    /// any other problem with the document; [`E2ePopError::Transport`].
    pub async fn discover_ict_endpoint(&self, issuer: &Url) -> Result<Url, E2ePopError> {
        self.check_scheme(issuer, "issuer")?;
        let url = well_known_url(issuer, DiscoveryAlgorithm::Oidc);
        let mut request = HttpRequest::new(Method::GET, url);
        request.headers.set("accept", "application/json");
        request.timeout = TIMEOUT;
        request.max_response_bytes = MAX_RESPONSE;
        let response = self.send(request).await?;
        if response.status != 200 {
            return Err(E2ePopError::Discovery(format!(
                "the discovery document answered {}",
                response.status
            )));
        }
        let doc = json::parse_object(&response.body, &JsonLimits::DEFAULT)
            .map_err(|e| E2ePopError::Discovery(format!("the discovery document: {e}")))?;
        let found = doc
            .get("issuer")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let same = found == issuer.as_str()
            || (issuer.path() == "/" && format!("{found}/") == issuer.as_str());
        if !same {
            return Err(E2ePopError::Discovery(format!(
                "the discovery document is for issuer {:?}",
                truncate_for_error(found)
            )));
        }
        let endpoint = match doc.get("ict_endpoint") {
            None | Some(Value::Null) => return Err(E2ePopError::IctNotSupported),
            Some(Value::String(s)) => Url::parse(s)
                .map_err(|_| E2ePopError::Discovery("ict_endpoint is not a URL".into()))?,
            Some(_) => {
                return Err(E2ePopError::Discovery(
                    "ict_endpoint is not a string".into(),
                ));
            }
        };
        self.check_scheme(&endpoint, "ict_endpoint")?;
        Ok(endpoint)
    }

    /// Sends the PoP token to the ICT endpoint with the access token as bearer token.
    ///
    /// The request is `POST`, `Content-Type: application/jwt+pop`, the compact PoP token as
    /// the body.
    ///
    /// # Errors
    /// By status: 401 [`E2ePopError::IctUnauthorized`] (the access token is invalid or grants
    /// no end-to-end context), 403 [`E2ePopError::IctForbidden`] (the OP refused the PoP token),
    /// 404 [`E2ePopError::IctClaimsUnavailable`] (a required claim is not available), any other
    /// but 201 [`E2ePopError::IctRequestFailed`]; [`E2ePopError::IctResponse`] for a 201 whose
    /// body is not a valid ICT response; [`E2ePopError::Transport`].
    pub async fn request_ict(
        &self,
        ict_endpoint: &Url,
        access_token: &str,
        pop_token: &str,
    ) -> Result<IctResponse, E2ePopError> {
        self.check_scheme(ict_endpoint, "ict_endpoint")?;
        if access_token.is_empty() || access_token.contains(['\r', '\n']) {
            return Err(E2ePopError::Config(
                "the access token is empty or malformed",
            ));
        }
        let mut headers = Headers::new();
        headers.set("authorization", format!("Bearer {access_token}"));
        headers.set("content-type", POP_CONTENT_TYPE);
        headers.set("accept", "application/json");
        let mut request = HttpRequest::new(Method::POST, ict_endpoint.clone());
        request.headers = headers;
        request.body = Some(pop_token.as_bytes().to_vec());
        request.timeout = TIMEOUT;
        request.max_response_bytes = MAX_RESPONSE;
        let response = self.send(request).await?;
        match response.status {
            201 => parse_response(&response.body),
            401 => Err(E2ePopError::IctUnauthorized),
            403 => Err(E2ePopError::IctForbidden),
            404 => Err(E2ePopError::IctClaimsUnavailable),
            status => Err(E2ePopError::IctRequestFailed { status }),
        }
    }
}

fn parse_response(body: &[u8]) -> Result<IctResponse, E2ePopError> {
    let bad = |what: &str| E2ePopError::IctResponse(what.to_owned());
    let mut map = json::parse_object(body, &JsonLimits::DEFAULT)
        .map_err(|e| E2ePopError::IctResponse(e.to_string()))?;
    let ict = match map.remove("identity_certification_token") {
        Some(Value::String(s)) if !s.is_empty() => s,
        _ => {
            return Err(bad(
                "identity_certification_token is missing or not a string",
            ));
        }
    };
    let expires_in = match map.remove("expires_in") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .ok_or_else(|| bad("expires_in is not a number of seconds"))?,
        ),
    };
    let list = |v: Option<Value>, name: &str| -> Result<Option<Vec<String>>, E2ePopError> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s),
                    _ => Err(bad(&format!("{name} holds a non-string"))),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(bad(&format!("{name} is not an array"))),
        }
    };
    let contexts = list(map.remove("e2e_auth_contexts"), "e2e_auth_contexts")?;
    let claims = list(map.remove("claims"), "claims")?;
    Ok(IctResponse {
        ict,
        expires_in,
        contexts,
        claims,
        extra: map,
    })
}
