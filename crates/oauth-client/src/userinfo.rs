//! The UserInfo endpoint (OpenID Connect Core 1.0 §5.3).

use crate::config::Endpoint;
use crate::http::{Headers, HttpResponse, Method};
use crate::jwks::response_algorithms;
use crate::request::{Outgoing, parse_json_object, resource_error};
use crate::{Configuration, Error};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `address` claim.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Address {
    /// `formatted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    /// `street_address`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    /// `locality`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// `region`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `postal_code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// `country`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Other members.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// UserInfo claims (OpenID Connect Core 1.0 §5.1); claims this crate does not know are in
/// `other`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
#[allow(missing_docs)] // the standard claim names speak for themselves
pub struct UserInfo {
    /// `sub`.
    pub sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthdate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoneinfo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
    /// Other claims, kept as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The `sub` a UserInfo response must have.
///
/// ```no_run
/// # async fn demo(config: &oauth_client::Configuration, access_token: &str) -> Result<(), oauth_client::Error> {
/// use oauth_client::ExpectedSubject;
///
/// // openid-client's `skipSubjectCheck`: an access token obtained without an ID Token, whose
/// // subject the application checks another way.
/// let user = config.fetch_user_info(access_token, ExpectedSubject::Skip).await?;
/// # let _ = user;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExpectedSubject<'a> {
    /// Exactly this subject (the ID Token's `sub`).
    Is(&'a str),
    /// Do not compare. UserInfo responses can then be substituted (OpenID Connect Core 1.0
    /// §5.3.2 requires the check); only when the subject is checked another way.
    Skip,
}

impl Configuration {
    /// The `Authorization` value for an access token: `DPoP <token>` with a DPoP handle,
    /// `Bearer <token>` otherwise.
    pub(crate) fn authorization_value(&self, access_token: &str) -> String {
        if self.dpop.is_some() {
            format!("DPoP {access_token}")
        } else {
            format!("Bearer {access_token}")
        }
    }

    /// Fetches the UserInfo claims with an access token and checks that `sub` equals the ID
    /// Token's subject. JSON and signed JWT responses (when the client registered
    /// `userinfo_signed_response_alg`) are both handled; a JWT's signature is verified against
    /// the server's JWK Set and its `iss` and `aud`, when present, are checked.
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration, tokens: &oauth_client::TokenResponse) -> Result<(), oauth_client::Error> {
    /// use oauth_client::ExpectedSubject;
    ///
    /// let sub = &tokens.claims().expect("an OpenID Connect login").sub;
    /// let user = config
    ///     .fetch_user_info(tokens.access_token(), ExpectedSubject::Is(sub))
    ///     .await?;
    /// println!("{:?} <{:?}>", user.name, user.email);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Challenge`] for a `WWW-Authenticate` answer (an expired token, for example),
    /// [`Error::SubjectMismatch`], [`Error::EncryptedResponse`], or a malformed response.
    pub async fn fetch_user_info(
        &self,
        access_token: &str,
        expected_subject: ExpectedSubject<'_>,
    ) -> Result<UserInfo, Error> {
        const EP: &str = "userinfo";
        let url = self.endpoint(Endpoint::UserInfo)?;
        let wants_jwt = self.inner.client.userinfo_signed_response_alg.is_some()
            || self.inner.client.userinfo_encrypted_response_alg.is_some();
        let mut headers = Headers::new();
        headers.set(
            "accept",
            if wants_jwt {
                "application/jwt"
            } else {
                "application/json"
            },
        );
        headers.set("authorization", self.authorization_value(access_token));
        let mut request = Outgoing::new(EP, Method::GET, url);
        request.headers = headers;
        request.access_token = Some(access_token.to_owned());
        let response = self.send(request, true).await?;
        if response.status != 200 {
            return Err(resource_error(EP, &response));
        }
        let claims = self.user_info_claims(&response).await?;
        let info: UserInfo =
            serde_json::from_value(Value::Object(claims)).map_err(|e| match claims_error(&e) {
                Some(err) => err,
                None => Error::InvalidJson {
                    endpoint: EP,
                    source: jose_core::json::schema_error(&e),
                },
            })?;
        if let ExpectedSubject::Is(expected) = expected_subject
            && info.sub != expected
        {
            return Err(Error::SubjectMismatch);
        }
        Ok(info)
    }

    async fn user_info_claims(&self, response: &HttpResponse) -> Result<Map<String, Value>, Error> {
        const EP: &str = "userinfo";
        match response.headers.content_type().as_deref() {
            Some("application/json") => parse_json_object(EP, &response.body),
            Some("application/jwt") => {
                let token =
                    core::str::from_utf8(&response.body).map_err(|_| Error::InvalidField {
                        endpoint: EP,
                        field: "body",
                        reason: "a JWT response must be ASCII",
                    })?;
                let client = &self.inner.client;
                let allowed = response_algorithms(
                    "UserInfo JWT",
                    client.userinfo_signed_response_alg.as_deref(),
                    self.inner
                        .server
                        .userinfo_signing_alg_values_supported
                        .as_ref(),
                    None,
                    self.has_client_secret(),
                )?;
                let (_, claims) = self
                    .verify_server_jwt("UserInfo JWT", token.trim(), &allowed)
                    .await?;
                let claim_error = |claim, reason| Error::JwtClaim {
                    what: "UserInfo JWT",
                    claim,
                    reason,
                };
                match claims.get("iss") {
                    None => {}
                    Some(Value::String(iss)) if *iss == self.inner.server.issuer => {}
                    Some(_) => return Err(claim_error("iss", "is not the issuer")),
                }
                match claims.get("aud") {
                    None => {}
                    Some(Value::String(aud)) if aud == self.client_id() => {}
                    Some(Value::Array(auds))
                        if auds.iter().any(|a| a.as_str() == Some(self.client_id())) => {}
                    Some(_) => return Err(claim_error("aud", "does not contain the client_id")),
                }
                Ok(claims)
            }
            other => Err(Error::UnexpectedContentType {
                endpoint: EP,
                expected: "application/json or application/jwt",
                found: other.map(jose_core::json::truncate_for_error),
            }),
        }
    }
}

fn claims_error(e: &serde_json::Error) -> Option<Error> {
    let message = e.to_string();
    if message.contains("missing field `sub`") {
        return Some(Error::MissingField {
            endpoint: "userinfo",
            field: "sub",
        });
    }
    None
}
