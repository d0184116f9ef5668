//! Pushed authorization requests (RFC 9126).

use crate::authorization::with_params;
use crate::config::Endpoint;
use crate::http::{Headers, HttpResponse, Method};
use crate::request::{FORM, JSON, Outgoing, json_success};
use crate::{Configuration, Error, Params};
use core::fmt;
use serde_json::{Map, Value};
use url::Url;

/// The answer of the pushed authorization request endpoint (RFC 9126 §2.2).
///
/// `Debug` does not show the `request_uri` (it stands for the whole request until it is
/// used).
#[derive(Clone, PartialEq)]
pub struct PushedAuthorizationResponse {
    request_uri: String,
    expires_in: u64,
    body: Map<String, Value>,
}

impl fmt::Debug for PushedAuthorizationResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushedAuthorizationResponse")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

impl PushedAuthorizationResponse {
    /// `request_uri`: the reference to send to the authorization endpoint.
    #[must_use]
    pub fn request_uri(&self) -> &str {
        &self.request_uri
    }

    /// `expires_in`: seconds the `request_uri` stays valid.
    #[must_use]
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// The whole response body.
    #[must_use]
    pub fn body(&self) -> &Map<String, Value> {
        &self.body
    }

    fn parse(body: Map<String, Value>) -> Result<Self, Error> {
        const EP: &str = "pushed_authorization_request";
        let request_uri = match body.get("request_uri") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(_) => {
                return Err(Error::InvalidField {
                    endpoint: EP,
                    field: "request_uri",
                    reason: "must be a non-empty string",
                });
            }
            None => {
                return Err(Error::MissingField {
                    endpoint: EP,
                    field: "request_uri",
                });
            }
        };
        let expires_in = match body.get("expires_in") {
            Some(Value::Number(n)) => match n.as_u64() {
                Some(s) if s > 0 => s,
                _ => {
                    return Err(Error::InvalidField {
                        endpoint: EP,
                        field: "expires_in",
                        reason: "must be a positive integer",
                    });
                }
            },
            Some(_) => {
                return Err(Error::InvalidField {
                    endpoint: EP,
                    field: "expires_in",
                    reason: "must be a number",
                });
            }
            None => {
                return Err(Error::MissingField {
                    endpoint: EP,
                    field: "expires_in",
                });
            }
        };
        Ok(Self {
            request_uri,
            expires_in,
            body,
        })
    }
}

impl Configuration {
    /// Pushes an authorization request to the server's pushed authorization request endpoint
    /// (RFC 9126 §2) with client authentication, and a DPoP proof when the configuration has
    /// a DPoP handle (which binds the authorization code to the DPoP key, RFC 9449 §10.1).
    ///
    /// `params` are the authorization request parameters; the defaults of
    /// [`Configuration::build_authorization_url`] (`response_type`, `response_mode=jwt` with
    /// JARM) are added. When `params` carry a signed request object (`request`, see
    /// [`Configuration::request_object`]), they are pushed as they are.
    ///
    /// # Errors
    /// [`Error::MissingEndpoint`] without a PAR endpoint, [`Error::RequestObjectRequired`]
    /// when the server demands signed request objects and `params` have none,
    /// [`Error::OAuth`] (`invalid_request`, `invalid_client`, ...), or a malformed response
    /// (the status must be 201, `request_uri` and `expires_in` present).
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration) -> Result<(), oauth_client::Error> {
    /// use oauth_client::Params;
    ///
    /// let pushed = config
    ///     .push_authorization_request(Params::from([
    ///         ("redirect_uri", "https://rp.example/cb"),
    ///         ("scope", "openid"),
    ///     ]))
    ///     .await?;
    /// println!("usable for {} s", pushed.expires_in());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn push_authorization_request(
        &self,
        params: impl Into<Params>,
    ) -> Result<PushedAuthorizationResponse, Error> {
        const EP: &str = "pushed_authorization_request";
        let url = self.endpoint(Endpoint::Par)?;
        let params = params.into();
        let mut body = if params.contains("request") {
            params
        } else {
            if self.requires_request_object() {
                return Err(Error::RequestObjectRequired);
            }
            // The DPoP header binds the code; `dpop_jkt` would only repeat it.
            self.authorization_params(params, false)
        };
        // `client_id` is one of the authorization request's parameters, so it stays in the
        // body whatever the authentication method (RFC 9126 §2.1).
        body.remove("client_id");
        let response = self
            .post_authenticated_keep_client_id(EP, url, body)
            .await?;
        let object = json_success(EP, &response, &[201])?;
        PushedAuthorizationResponse::parse(object)
    }

    /// POSTs with client authentication, keeping `client_id` in the body even for
    /// `client_secret_basic`.
    async fn post_authenticated_keep_client_id(
        &self,
        endpoint: &'static str,
        url: Url,
        mut body: Params,
    ) -> Result<HttpResponse, Error> {
        let mut headers = Headers::new();
        headers.set("accept", JSON);
        headers.set("content-type", FORM);
        let inner = &self.inner;
        inner.auth.apply(
            &inner.client,
            &inner.server.issuer,
            self.now(),
            &mut body,
            &mut headers,
        )?;
        if !body.contains("client_id") {
            body.insert("client_id", self.client_id());
        }
        let mut request = Outgoing::new(endpoint, Method::POST, url);
        request.headers = headers;
        request.body = Some(body.to_form().into_bytes());
        self.send(request, true).await
    }

    /// The authorization URL after a pushed authorization request (openid-client's
    /// `buildAuthorizationUrlWithPAR`): pushes `params` (see
    /// [`Configuration::push_authorization_request`]) and returns the authorization endpoint
    /// with only `client_id` and `request_uri`.
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration) -> Result<(), oauth_client::Error> {
    /// use oauth_client::{Params, pkce_code_challenge, random_pkce_code_verifier};
    ///
    /// let verifier = random_pkce_code_verifier()?; // keep it in the session
    /// let url = config
    ///     .build_authorization_url_with_par(Params::from([
    ///         ("redirect_uri", "https://rp.example/cb"),
    ///         ("scope", "openid"),
    ///         ("code_challenge", pkce_code_challenge(&verifier).as_str()),
    ///         ("code_challenge_method", "S256"),
    ///     ]))
    ///     .await?;
    /// // url: https://op.example/auth?client_id=...&request_uri=urn:ietf:params:oauth:request_uri:...
    /// # let _ = url;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Configuration::push_authorization_request`], [`Error::MissingEndpoint`] without
    /// an authorization endpoint, and [`Error::InsecureUrl`] for an `http:` one without
    /// [`ConfigurationBuilder::allow_insecure_requests`](crate::ConfigurationBuilder::allow_insecure_requests).
    pub async fn build_authorization_url_with_par(
        &self,
        params: impl Into<Params>,
    ) -> Result<Url, Error> {
        // Checked before anything is pushed.
        let authorization = self.front_channel_endpoint(Endpoint::Authorization)?;
        let pushed = self.push_authorization_request(params).await?;
        Ok(with_params(
            authorization,
            &Params::from([
                ("client_id", self.client_id()),
                ("request_uri", pushed.request_uri()),
            ]),
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    fn parse(json: &str) -> Result<PushedAuthorizationResponse, Error> {
        PushedAuthorizationResponse::parse(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn request_uri_and_a_positive_expires_in_are_required() {
        let ok = parse(r#"{"request_uri":"urn:x","expires_in":60}"#).unwrap();
        assert_eq!((ok.request_uri(), ok.expires_in()), ("urn:x", 60));
        assert!(!format!("{ok:?}").contains("urn:x"));
        for (json, field) in [
            (r#"{"expires_in":60}"#, "request_uri"),
            (r#"{"request_uri":"","expires_in":60}"#, "request_uri"),
            (r#"{"request_uri":7,"expires_in":60}"#, "request_uri"),
            (r#"{"request_uri":"urn:x"}"#, "expires_in"),
            (r#"{"request_uri":"urn:x","expires_in":0}"#, "expires_in"),
            (r#"{"request_uri":"urn:x","expires_in":"60"}"#, "expires_in"),
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
