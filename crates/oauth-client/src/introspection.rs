//! Token introspection (RFC 7662, RFC 9701) and revocation (RFC 7009).

use crate::config::Endpoint;
use crate::jwks::response_algorithms;
use crate::request::{error_response, json_success};
use crate::token::AuthorizationDetail;
use crate::{Configuration, Error, Params};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The media type of JWT introspection responses (RFC 9701 §4).
pub const INTROSPECTION_JWT: &str = "application/token-introspection+jwt";

/// An introspection response (RFC 7662 §2.2); members this crate does not know are in `other`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IntrospectionResponse {
    /// Whether the token is active.
    pub active: bool,
    /// `scope`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `client_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// `username`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `token_type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// `exp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// `iat`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// `nbf`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// `sub`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// `aud` (one value or several).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Value>,
    /// `iss`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// `jti`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// `sid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `cnf` (`jkt`, `x5t#S256`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Map<String, Value>>,
    /// `authorization_details` (RFC 9396).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details: Option<Vec<AuthorizationDetail>>,
    /// Other members.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl IntrospectionResponse {
    /// `cnf.x5t#S256`: the thumbprint of the certificate the token is bound to (RFC 8705
    /// §3.2); compare it with [`crate::certificate_thumbprint`] of the client's certificate.
    #[must_use]
    pub fn certificate_thumbprint(&self) -> Option<&str> {
        self.cnf.as_ref()?.get("x5t#S256")?.as_str()
    }

    /// `cnf.jkt`: the thumbprint of the DPoP key the token is bound to (RFC 9449 §6.2).
    #[must_use]
    pub fn dpop_jkt(&self) -> Option<&str> {
        self.cnf.as_ref()?.get("jkt")?.as_str()
    }
}

impl Configuration {
    /// Asks the introspection endpoint about a token (`params` may carry `token_type_hint`).
    /// When the client registered `introspection_signed_response_alg`, the JWT response of
    /// RFC 9701 is requested and verified (signature against the server's JWK Set, `typ`,
    /// `iss`, `aud` = `client_id`, `iat`).
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration, token: &str) -> Result<(), oauth_client::Error> {
    /// use oauth_client::Params;
    ///
    /// let info = config
    ///     .introspect_token(token, Params::from([("token_type_hint", "access_token")]))
    ///     .await?;
    /// if info.active {
    ///     println!("{:?} for {:?}, scope {:?}", info.sub, info.client_id, info.scope);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::OAuth`] (`invalid_client`, ...), a malformed response, or a JWT error.
    pub async fn introspect_token(
        &self,
        token: &str,
        params: impl Into<Params>,
    ) -> Result<IntrospectionResponse, Error> {
        const EP: &str = "introspection";
        let url = self.endpoint(Endpoint::Introspection)?;
        let mut body = Params::from([("token", token)]);
        body.merge(&params.into());
        let wants_jwt = self
            .inner
            .client
            .introspection_signed_response_alg
            .is_some();
        let accept = if wants_jwt {
            INTROSPECTION_JWT
        } else {
            "application/json"
        };
        let response = self
            .post_authenticated(EP, url, body, accept, false)
            .await?;
        let object = if wants_jwt {
            if response.status != 200 {
                return Err(error_response(EP, &response));
            }
            match response.headers.content_type().as_deref() {
                Some(INTROSPECTION_JWT) => self.introspection_jwt(&response.body).await?,
                other => {
                    return Err(Error::UnexpectedContentType {
                        endpoint: EP,
                        expected: INTROSPECTION_JWT,
                        found: other.map(jose_core::json::truncate_for_error),
                    });
                }
            }
        } else {
            json_success(EP, &response, &[200])?
        };
        match object.get("active") {
            Some(Value::Bool(_)) => {}
            Some(_) => {
                return Err(Error::InvalidField {
                    endpoint: EP,
                    field: "active",
                    reason: "must be a boolean",
                });
            }
            None => {
                return Err(Error::MissingField {
                    endpoint: EP,
                    field: "active",
                });
            }
        }
        serde_json::from_value(Value::Object(object)).map_err(|e| Error::InvalidJson {
            endpoint: EP,
            source: jose_core::json::schema_error(&e),
        })
    }

    async fn introspection_jwt(&self, body: &[u8]) -> Result<Map<String, Value>, Error> {
        const WHAT: &str = "introspection JWT";
        let token = core::str::from_utf8(body).map_err(|_| Error::InvalidField {
            endpoint: "introspection",
            field: "body",
            reason: "a JWT response must be ASCII",
        })?;
        let allowed = response_algorithms(
            WHAT,
            self.inner
                .client
                .introspection_signed_response_alg
                .as_deref(),
            self.inner
                .server
                .introspection_signing_alg_values_supported
                .as_ref(),
            Some(jose_core::alg::JwsAlgorithm::RS256),
            self.has_client_secret(),
        )?;
        let (header, claims) = self.verify_server_jwt(WHAT, token.trim(), &allowed).await?;
        let claim_error = |claim, reason| Error::JwtClaim {
            what: WHAT,
            claim,
            reason,
        };
        if !header
            .typ()
            .is_some_and(|t| jwt_claims::typ::media_types_match(t, "token-introspection+jwt"))
        {
            return Err(claim_error("typ", "must be token-introspection+jwt"));
        }
        if claims.get("iss").and_then(Value::as_str) != Some(self.inner.server.issuer.as_str()) {
            return Err(claim_error("iss", "is not the issuer"));
        }
        let aud_ok = match claims.get("aud") {
            Some(Value::String(a)) => a == self.client_id(),
            Some(Value::Array(items)) => items.iter().any(|a| a.as_str() == Some(self.client_id())),
            _ => false,
        };
        if !aud_ok {
            return Err(claim_error("aud", "does not contain the client_id"));
        }
        match claims.get("iat") {
            Some(Value::Number(n)) => {
                let iat = n.as_i64().unwrap_or(i64::MAX);
                if iat > self.now() + self.tolerance() {
                    return Err(claim_error("iat", "is in the future"));
                }
            }
            _ => return Err(claim_error("iat", "is missing or not a number")),
        }
        match claims.get("token_introspection") {
            Some(Value::Object(o)) => Ok(o.clone()),
            _ => Err(claim_error(
                "token_introspection",
                "is missing or not an object",
            )),
        }
    }

    /// Revokes a token at the revocation endpoint (`params` may carry `token_type_hint`).
    /// Whether and how the token is revoked is the server's decision; an unknown token is
    /// not an error (RFC 7009 §2.2).
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration, refresh_token: &str) -> Result<(), oauth_client::Error> {
    /// use oauth_client::Params;
    ///
    /// config
    ///     .revoke_token(refresh_token, Params::from([("token_type_hint", "refresh_token")]))
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::OAuth`] (`invalid_client`, `unsupported_token_type`, ...) or
    /// [`Error::UnexpectedStatus`].
    pub async fn revoke_token(&self, token: &str, params: impl Into<Params>) -> Result<(), Error> {
        const EP: &str = "revocation";
        let url = self.endpoint(Endpoint::Revocation)?;
        let mut body = Params::from([("token", token)]);
        body.merge(&params.into());
        let response = self
            .post_authenticated(EP, url, body, "application/json", false)
            .await?;
        if response.status == 200 {
            Ok(())
        } else {
            Err(error_response(EP, &response))
        }
    }
}
