//! One token request of a polling grant (CIBA, device authorization): unlike
//! [`Configuration::generic_grant`], the caller sees a `503 Service Unavailable` answer with its
//! `Retry-After`, and can give this one request a longer timeout for servers that hold a poll
//! open until the result is ready (long polling).

use crate::config::Endpoint;
use crate::http::Method;
use crate::request::{FORM, JSON, Outgoing, json_success};
use crate::{Configuration, Error, Params, TokenResponse};
use core::time::Duration;

/// How the token endpoint answered one poll of [`Configuration::poll_grant`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum PollAnswer {
    /// A token response; an ID Token in it was validated (signature and claims, `at_hash`
    /// against the access token; `nonce` must be absent).
    Tokens(Box<TokenResponse>),
    /// `503 Service Unavailable`: the server asks to come back later.
    Unavailable {
        /// The `Retry-After` header as sent (delay-seconds or an HTTP date), shortened.
        retry_after: Option<String>,
    },
}

impl Configuration {
    /// Sends one token request of a polling grant (`grant_type` plus `params`, with client
    /// authentication and a DPoP proof when the configuration has a handle), with `timeout`
    /// instead of the configured one when given.
    ///
    /// Error answers (`authorization_pending`, `slow_down`, `expired_token`, ...) are
    /// [`Error::OAuth`], as for every grant; a 503 is [`PollAnswer::Unavailable`].
    ///
    /// # Errors
    /// [`Error::OAuth`], [`Error::Timeout`], a malformed response, or an ID Token error.
    pub async fn poll_grant(
        &self,
        grant_type: &str,
        params: impl Into<Params>,
        timeout: Option<Duration>,
    ) -> Result<PollAnswer, Error> {
        let mut body = Params::from([("grant_type", grant_type)]);
        body.merge(&params.into());
        let url = self.endpoint(Endpoint::Token)?;
        let mut headers = crate::http::Headers::new();
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
        let mut request = Outgoing::new("token", Method::POST, url);
        request.headers = headers;
        request.body = Some(body.to_form().into_bytes());
        request.timeout = timeout;
        let response = self.send(request, true).await?;
        if response.status == 503 {
            return Ok(PollAnswer::Unavailable {
                retry_after: response
                    .headers
                    .get("retry-after")
                    .map(jose_core::json::truncate_for_error),
            });
        }
        let body = json_success("token", &response, &[200])?;
        let mut tokens = TokenResponse::from_json(body)?;
        if let Some(id_token) = tokens.id_token().map(str::to_owned) {
            let mut expectations = self.expectations(self.now());
            expectations.max_age = None;
            expectations.access_token = Some(tokens.access_token());
            let claims = self.check_id_token(&id_token, &expectations).await?;
            tokens.claims = Some(claims);
        }
        Ok(PollAnswer::Tokens(Box::new(tokens)))
    }
}
