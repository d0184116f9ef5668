//! Token endpoint grants and responses.

use crate::callback::{Callback, ExpectedState};
use crate::config::Endpoint;
use crate::id_token::IdTokenClaims;
use crate::request::{JSON, json_success};
use crate::{Configuration, Error, Params};
use core::fmt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::time::{Duration, Instant};
use url::Url;

/// One entry of `authorization_details` (RFC 9396).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuthorizationDetail {
    /// `type`.
    #[serde(rename = "type")]
    pub detail_type: String,
    /// `locations`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<String>>,
    /// `actions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<String>>,
    /// `datatypes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datatypes: Option<Vec<String>>,
    /// `identifier`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// `privileges`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privileges: Option<Vec<String>>,
    /// The type-specific members.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// A successful token endpoint response (RFC 6749 §5.1), with the validated ID Token claims
/// when it carried an ID Token: openid-client's `TokenEndpointResponse` with its helpers
/// `claims()` ([`TokenResponse::claims`]) and `expiresIn()`
/// ([`TokenResponse::expires_in_remaining`]).
///
/// ```
/// use oauth_client::TokenResponse;
///
/// let body = serde_json::json!({
///     "access_token": "2YotnFZFEjr1zCsicMWpAA",
///     "token_type": "Bearer",
///     "expires_in": 3600,
///     "scope": "api:read",
///     "ext": "kept",
/// });
/// let serde_json::Value::Object(body) = body else { unreachable!() };
/// let tokens = TokenResponse::from_json(body)?;
/// assert_eq!(tokens.token_type(), "bearer"); // lowercased
/// assert!(tokens.expires_in_remaining().unwrap().as_secs() > 3500);
/// assert!(tokens.claims().is_none()); // no ID Token
/// assert_eq!(tokens.get("ext"), Some(&serde_json::json!("kept")));
/// # Ok::<(), oauth_client::Error>(())
/// ```
///
/// `Debug` never shows the tokens.
#[derive(Clone)]
pub struct TokenResponse {
    access_token: String,
    token_type: String,
    expires_in: Option<u64>,
    refresh_token: Option<String>,
    scope: Option<String>,
    id_token: Option<String>,
    authorization_details: Option<Vec<AuthorizationDetail>>,
    pub(crate) claims: Option<IdTokenClaims>,
    body: Map<String, Value>,
    received: Instant,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("id_token", &self.id_token.as_ref().map(|_| "[redacted]"))
            .finish_non_exhaustive()
    }
}

impl TokenResponse {
    /// `access_token`.
    #[must_use]
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// `token_type`, lowercased (it is case-insensitive): `bearer`, `dpop`, `n_a`, ...
    #[must_use]
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// `expires_in` as the server sent it.
    #[must_use]
    pub fn expires_in(&self) -> Option<u64> {
        self.expires_in
    }

    /// How long the access token remains valid from now (zero once expired); `None` when the
    /// server sent no `expires_in`.
    #[must_use]
    pub fn expires_in_remaining(&self) -> Option<Duration> {
        self.expires_in
            .map(|s| Duration::from_secs(s).saturating_sub(self.received.elapsed()))
    }

    /// `refresh_token`.
    #[must_use]
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_deref()
    }

    /// `scope`.
    #[must_use]
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// `id_token`, the compact JWT.
    #[must_use]
    pub fn id_token(&self) -> Option<&str> {
        self.id_token.as_deref()
    }

    /// The validated claims of the ID Token.
    #[must_use]
    pub fn claims(&self) -> Option<&IdTokenClaims> {
        self.claims.as_ref()
    }

    /// `authorization_details` (RFC 9396).
    #[must_use]
    pub fn authorization_details(&self) -> Option<&[AuthorizationDetail]> {
        self.authorization_details.as_deref()
    }

    /// Any member of the response.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.body.get(name)
    }

    /// The whole response body.
    #[must_use]
    pub fn body(&self) -> &Map<String, Value> {
        &self.body
    }

    /// Reads a token response from its JSON body (for token responses delivered another way,
    /// such as a CIBA push). The ID Token in it is not validated: use
    /// [`Configuration::validate_id_token`].
    ///
    /// # Errors
    /// [`Error::MissingField`] or [`Error::InvalidField`].
    pub fn from_json(body: Map<String, Value>) -> Result<Self, Error> {
        Self::parse(body)
    }

    fn parse(body: Map<String, Value>) -> Result<Self, Error> {
        const EP: &str = "token";
        let string = |name: &'static str| -> Result<Option<String>, Error> {
            match body.get(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(Error::InvalidField {
                    endpoint: EP,
                    field: name,
                    reason: "must be a string",
                }),
            }
        };
        let access_token = string("access_token")?.ok_or(Error::MissingField {
            endpoint: EP,
            field: "access_token",
        })?;
        if access_token.is_empty() {
            return Err(Error::InvalidField {
                endpoint: EP,
                field: "access_token",
                reason: "must not be empty",
            });
        }
        let token_type = string("token_type")?
            .ok_or(Error::MissingField {
                endpoint: EP,
                field: "token_type",
            })?
            .to_ascii_lowercase();
        let expires_in = match body.get("expires_in") {
            None => None,
            Some(Value::Number(n)) => Some(n.as_u64().ok_or(Error::InvalidField {
                endpoint: EP,
                field: "expires_in",
                reason: "must be a non-negative integer",
            })?),
            Some(_) => {
                return Err(Error::InvalidField {
                    endpoint: EP,
                    field: "expires_in",
                    reason: "must be a number",
                });
            }
        };
        let authorization_details = match body.get("authorization_details") {
            None => None,
            Some(v) => {
                Some(
                    serde_json::from_value(v.clone()).map_err(|_| Error::InvalidField {
                        endpoint: EP,
                        field: "authorization_details",
                        reason: "must be an array of objects with a type",
                    })?,
                )
            }
        };
        let id_token = string("id_token")?;
        Ok(Self {
            access_token,
            token_type,
            expires_in,
            refresh_token: string("refresh_token")?,
            scope: string("scope")?,
            id_token,
            authorization_details,
            claims: None,
            body,
            received: Instant::now(),
        })
    }
}

/// The checks of [`Configuration::authorization_code_grant`].
///
/// ```
/// use oauth_client::AuthorizationCodeGrantChecks;
///
/// let checks = AuthorizationCodeGrantChecks::new()
///     .pkce_code_verifier("verifier-from-the-session")
///     .expected_state("state-from-the-session")
///     .expected_nonce("nonce-from-the-session")
///     .max_age(3600);
/// # let _ = checks;
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AuthorizationCodeGrantChecks {
    pkce_code_verifier: Option<String>,
    expected_state: ExpectedState,
    expected_nonce: Option<String>,
    max_age: Option<u64>,
    id_token_expected: bool,
    unprotected: bool,
}

impl fmt::Debug for AuthorizationCodeGrantChecks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationCodeGrantChecks")
            .field("pkce", &self.pkce_code_verifier.is_some())
            .field(
                "state",
                &!matches!(self.expected_state, ExpectedState::None),
            )
            .field("nonce", &self.expected_nonce.is_some())
            .field("max_age", &self.max_age)
            .field("id_token_expected", &self.id_token_expected)
            .field("unprotected", &self.unprotected)
            .finish()
    }
}

impl AuthorizationCodeGrantChecks {
    /// No `state` and no `nonce` expected, no PKCE: at least
    /// [`AuthorizationCodeGrantChecks::pkce_code_verifier`] or
    /// [`AuthorizationCodeGrantChecks::expected_state`] (or
    /// [`AuthorizationCodeGrantChecks::skip_state_check`], for a `state` the application
    /// checks itself) must be added, or the grant fails with [`Error::UnprotectedCodeGrant`]
    /// before anything is sent.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// **Leaves the code unprotected**: allows the grant with neither PKCE nor a `state`
    /// check, so nothing ties the authorization code to this user's browser session
    /// (authorization code injection, login CSRF; RFC 9700 §2.1.1, §4.7). Only for servers
    /// that support neither and whose flows are protected by other means.
    ///
    /// ```
    /// // A legacy server without PKCE, and a request sent without `state`.
    /// let checks = oauth_client::AuthorizationCodeGrantChecks::new()
    ///     .expected_nonce("nonce-from-the-session")
    ///     .insecure_without_pkce_or_state();
    /// # let _ = checks;
    /// ```
    #[must_use]
    pub fn insecure_without_pkce_or_state(mut self) -> Self {
        self.unprotected = true;
        self
    }

    /// Whether PKCE or a `state` check protects the code, or the application opted out.
    fn check_protected(&self) -> Result<(), Error> {
        let protected = self.pkce_code_verifier.is_some()
            || !matches!(self.expected_state, ExpectedState::None);
        if protected || self.unprotected {
            Ok(())
        } else {
            Err(Error::UnprotectedCodeGrant)
        }
    }

    /// The PKCE `code_verifier` to send.
    #[must_use]
    pub fn pkce_code_verifier(mut self, verifier: impl Into<String>) -> Self {
        self.pkce_code_verifier = Some(verifier.into());
        self
    }

    /// The `state` the response must carry.
    #[must_use]
    pub fn expected_state(mut self, state: impl Into<String>) -> Self {
        self.expected_state = ExpectedState::Value(state.into());
        self
    }

    /// Does not check `state` at all (openid-client's `skipStateCheck`). Only when `state` is
    /// integrity-protected and bound to the browser session by other means.
    ///
    /// ```
    /// # let verifier = "v";
    /// // `state` is a signed, expiring token checked by the application itself.
    /// let checks = oauth_client::AuthorizationCodeGrantChecks::new()
    ///     .pkce_code_verifier(verifier)
    ///     .skip_state_check();
    /// # let _ = checks;
    /// ```
    #[must_use]
    pub fn skip_state_check(mut self) -> Self {
        self.expected_state = ExpectedState::Skip;
        self
    }

    /// The `nonce` the ID Token must carry; an ID Token is then required.
    #[must_use]
    pub fn expected_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.expected_nonce = Some(nonce.into());
        self
    }

    /// The `max_age` sent in the request: `auth_time` is then required and checked (default:
    /// the client's `default_max_age`). An ID Token is then required.
    #[must_use]
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Requires an ID Token in the response (implied by
    /// [`AuthorizationCodeGrantChecks::expected_nonce`] and
    /// [`AuthorizationCodeGrantChecks::max_age`]).
    ///
    /// ```
    /// # let (verifier, state) = ("v", "s");
    /// // An OpenID Connect request without a nonce: the ID Token must still come back.
    /// let checks = oauth_client::AuthorizationCodeGrantChecks::new()
    ///     .pkce_code_verifier(verifier)
    ///     .expected_state(state)
    ///     .id_token_expected();
    /// # let _ = checks;
    /// ```
    #[must_use]
    pub fn id_token_expected(mut self) -> Self {
        self.id_token_expected = true;
        self
    }
}

impl Configuration {
    /// The authorization code grant (RFC 6749 §4.1.3): validates the authorization response
    /// in `current_url` (see [`Configuration::validate_authorization_response`]), exchanges
    /// the code with the PKCE verifier and the URL's redirect URI, and validates the ID Token
    /// fully (signature against the server's JWK Set, `iss`, `aud`, `azp`, `exp`, `iat`,
    /// `nonce`, `auth_time` with `max_age`, `at_hash`).
    ///
    /// `params` go to the token endpoint too (for example `resource`).
    ///
    /// ```no_run
    /// # async fn demo(
    /// #     config: &oauth_client::Configuration,
    /// #     callback_url: url::Url, // the URL the browser came back with
    /// #     verifier: String, state: String, nonce: String, // from the session
    /// # ) -> Result<(), oauth_client::Error> {
    /// use oauth_client::{AuthorizationCodeGrantChecks, Params};
    ///
    /// let checks = AuthorizationCodeGrantChecks::new()
    ///     .pkce_code_verifier(verifier)
    ///     .expected_state(state)
    ///     .expected_nonce(nonce);
    /// let tokens = config
    ///     .authorization_code_grant(&callback_url, &checks, Params::new())
    ///     .await?;
    /// let claims = tokens.claims().expect("the nonce check requires an ID Token");
    /// println!("signed in: {}", claims.sub);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::UnprotectedCodeGrant`] when `checks` have neither PKCE nor a `state` check
    /// (before anything is sent), the callback errors, [`Error::OAuth`] (`invalid_grant`,
    /// `invalid_client`, ...), a malformed response, or an ID Token error.
    pub async fn authorization_code_grant(
        &self,
        current_url: &Url,
        checks: &AuthorizationCodeGrantChecks,
        params: impl Into<Params>,
    ) -> Result<TokenResponse, Error> {
        let callback = Callback::from_url(current_url)?;
        self.authorization_code_grant_with_callback(&callback, checks, params)
            .await
    }

    /// [`Configuration::authorization_code_grant`] for a callback read another way (a
    /// `form_post` body, see [`Callback::from_form_post`]).
    ///
    /// ```no_run
    /// # async fn demo(
    /// #     config: &oauth_client::Configuration,
    /// #     checks: &oauth_client::AuthorizationCodeGrantChecks,
    /// #     form_body: &[u8], // the body of the POST to the redirect URI
    /// # ) -> Result<(), oauth_client::Error> {
    /// use oauth_client::{Callback, Params};
    ///
    /// let redirect_uri = url::Url::parse("https://rp.example/cb").unwrap();
    /// let callback = Callback::from_form_post(&redirect_uri, form_body)?;
    /// let tokens = config
    ///     .authorization_code_grant_with_callback(&callback, checks, Params::new())
    ///     .await?;
    /// # let _ = tokens;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Configuration::authorization_code_grant`].
    pub async fn authorization_code_grant_with_callback(
        &self,
        callback: &Callback,
        checks: &AuthorizationCodeGrantChecks,
        params: impl Into<Params>,
    ) -> Result<TokenResponse, Error> {
        checks.check_protected()?;
        let options = &self.inner.options;
        let decoded;
        let (callback, encrypted) = if options.jarm {
            decoded = self.decode_jarm(callback).await?;
            (&decoded.0, decoded.1)
        } else {
            (callback, false)
        };
        let shape = crate::callback::ResponseShape {
            hybrid: options.hybrid,
            from_jarm: options.jarm,
            encrypted,
        };
        let code = self.check_response_params(callback, &checks.expected_state, shape)?;
        let max_age = checks.max_age.or(self.inner.client.default_max_age);
        let front_channel = if options.hybrid {
            Some(
                self.front_channel_id_token(
                    callback,
                    code,
                    checks.expected_nonce.as_deref(),
                    max_age,
                )
                .await?,
            )
        } else {
            None
        };
        let mut body = Params::from([("grant_type", "authorization_code"), ("code", code)]);
        body.insert("redirect_uri", callback.redirect_uri());
        if let Some(verifier) = &checks.pkce_code_verifier {
            body.insert("code_verifier", verifier.as_str());
        }
        body.merge(&params.into());
        let mut response = self.token_request(body).await?;
        let require_id_token = front_channel.is_none()
            && (checks.id_token_expected || checks.expected_nonce.is_some() || max_age.is_some());
        let Some(id_token) = response.id_token.clone() else {
            response.claims = front_channel;
            if require_id_token {
                return Err(Error::id_token(
                    crate::IdTokenCheck::Missing,
                    "the token response has no id_token",
                ));
            }
            return Ok(response);
        };
        let mut expectations = self.expectations(self.now());
        expectations.nonce = checks.expected_nonce.as_deref();
        expectations.max_age = max_age;
        expectations.access_token = Some(&response.access_token);
        expectations.code = Some(code);
        let claims = self.check_id_token(&id_token, &expectations).await?;
        if let Some(front) = &front_channel
            && (front.sub != claims.sub || front.iss != claims.iss)
        {
            // OpenID Connect Core 1.0 §3.3.3.6: both ID Tokens are about the same user.
            return Err(Error::id_token(
                crate::IdTokenCheck::Subject,
                "the token endpoint's ID Token names another subject than the authorization response's",
            ));
        }
        response.claims = Some(claims);
        Ok(response)
    }

    /// The refresh token grant (RFC 6749 §6). An ID Token in the response is validated (its
    /// `nonce` is not checked).
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration, refresh_token: &str) -> Result<(), oauth_client::Error> {
    /// use oauth_client::Params;
    ///
    /// let tokens = config
    ///     .refresh_token_grant(refresh_token, Params::from([("scope", "openid")]).resource("urn:api"))
    ///     .await?;
    /// // Servers may rotate the refresh token: store the new one when there is one.
    /// let next_refresh_token = tokens.refresh_token().unwrap_or(refresh_token);
    /// # let _ = next_refresh_token;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::OAuth`] (`invalid_grant` for a revoked or expired refresh token, ...), a
    /// malformed response, or an ID Token error.
    pub async fn refresh_token_grant(
        &self,
        refresh_token: &str,
        params: impl Into<Params>,
    ) -> Result<TokenResponse, Error> {
        let mut body = Params::from([
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ]);
        body.merge(&params.into());
        let response = self.token_request(body).await?;
        self.validate_optional_id_token(response, true).await
    }

    /// The client credentials grant (RFC 6749 §4.4); `params` typically carry `scope` and
    /// `resource`.
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration) -> Result<(), oauth_client::Error> {
    /// use oauth_client::Params;
    ///
    /// let tokens = config
    ///     .client_credentials_grant(Params::from([("scope", "api:read"), ("resource", "urn:api")]))
    ///     .await?;
    /// println!("valid for {:?}", tokens.expires_in_remaining());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::OAuth`] (`invalid_client`, `invalid_scope`, ...) or a malformed response.
    pub async fn client_credentials_grant(
        &self,
        params: impl Into<Params>,
    ) -> Result<TokenResponse, Error> {
        let mut body = Params::from([("grant_type", "client_credentials")]);
        body.merge(&params.into());
        self.token_request(body).await
    }

    /// Any grant at the token endpoint (token exchange, JWT bearer, SAML bearer, ...). An ID
    /// Token in the response is validated.
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration, subject_token: &str) -> Result<(), oauth_client::Error> {
    /// use oauth_client::Params;
    ///
    /// // Token exchange (RFC 8693).
    /// let tokens = config
    ///     .generic_grant(
    ///         "urn:ietf:params:oauth:grant-type:token-exchange",
    ///         Params::from([
    ///             ("subject_token", subject_token),
    ///             ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
    ///             ("audience", "urn:downstream"),
    ///         ]),
    ///     )
    ///     .await?;
    /// # let _ = tokens;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::OAuth`], a malformed response, or an ID Token error.
    pub async fn generic_grant(
        &self,
        grant_type: &str,
        params: impl Into<Params>,
    ) -> Result<TokenResponse, Error> {
        let mut body = Params::from([("grant_type", grant_type)]);
        body.merge(&params.into());
        let response = self.token_request(body).await?;
        self.validate_optional_id_token(response, false).await
    }

    pub(crate) async fn validate_optional_id_token(
        &self,
        mut response: TokenResponse,
        ignore_nonce: bool,
    ) -> Result<TokenResponse, Error> {
        if let Some(id_token) = response.id_token.clone() {
            let mut expectations = self.expectations(self.now());
            expectations.ignore_nonce = ignore_nonce;
            expectations.max_age = None;
            expectations.access_token = Some(&response.access_token);
            response.claims = Some(self.check_id_token(&id_token, &expectations).await?);
        }
        Ok(response)
    }

    /// POSTs a grant to the token endpoint and reads the response.
    pub(crate) async fn token_request(&self, body: Params) -> Result<TokenResponse, Error> {
        let url = self.endpoint(Endpoint::Token)?;
        let response = self
            .post_authenticated("token", url, body, JSON, true)
            .await?;
        let body = json_success("token", &response, &[200])?;
        let tokens = TokenResponse::parse(body)?;
        if let Some(thumbprint) = &self.inner.options.certificate_thumbprint {
            crate::mtls::check_certificate_binding(thumbprint, &tokens.access_token)?;
        }
        Ok(tokens)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    fn parse(json: &str) -> Result<TokenResponse, Error> {
        TokenResponse::parse(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn token_type_is_required_and_lowercased() {
        assert!(matches!(
            parse(r#"{"access_token":"a"}"#),
            Err(Error::MissingField {
                field: "token_type",
                ..
            })
        ));
        assert_eq!(
            parse(r#"{"access_token":"a","token_type":"Bearer"}"#)
                .unwrap()
                .token_type(),
            "bearer"
        );
    }

    #[test]
    fn expires_in_and_scope_are_optional_but_typed() {
        let r = parse(r#"{"access_token":"a","token_type":"bearer"}"#).unwrap();
        assert_eq!(r.expires_in(), None);
        assert_eq!(r.scope(), None);
        assert!(matches!(
            parse(r#"{"access_token":"a","token_type":"bearer","expires_in":"60"}"#),
            Err(Error::InvalidField {
                field: "expires_in",
                ..
            })
        ));
        assert!(matches!(
            parse(r#"{"access_token":"a","token_type":"bearer","expires_in":-1}"#),
            Err(Error::InvalidField {
                field: "expires_in",
                ..
            })
        ));
        let r = parse(r#"{"access_token":"a","token_type":"bearer","expires_in":60}"#).unwrap();
        assert!(r.expires_in_remaining().unwrap() <= Duration::from_secs(60));
    }

    #[test]
    fn debug_hides_tokens() {
        let r = parse(
            r#"{"access_token":"secret-at","token_type":"bearer","refresh_token":"secret-rt"}"#,
        )
        .unwrap();
        let shown = format!("{r:?}");
        assert!(!shown.contains("secret-at") && !shown.contains("secret-rt"));
    }

    #[test]
    fn authorization_details_are_typed() {
        let r = parse(
            r#"{"access_token":"a","token_type":"bearer","authorization_details":[{"type":"payment","actions":["initiate"],"amount":"5"}]}"#,
        )
        .unwrap();
        let d = &r.authorization_details().unwrap()[0];
        assert_eq!(d.detail_type, "payment");
        assert_eq!(d.other["amount"], "5");
        assert!(
            parse(r#"{"access_token":"a","token_type":"bearer","authorization_details":[{}]}"#)
                .is_err()
        );
    }
}
