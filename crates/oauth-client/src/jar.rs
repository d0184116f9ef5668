//! JWT-secured authorization requests (RFC 9101): signed, and optionally encrypted, request
//! objects.

use crate::authorization::with_params;
use crate::client_auth::ModifyAssertion;
use crate::config::Endpoint;
use crate::{Configuration, Error, Params};
use core::fmt;
use jws::Signer;
use serde_json::{Map, Value};
use std::time::Duration;
use url::Url;

/// The `typ` of request objects (RFC 9101 §10.8).
pub const REQUEST_OBJECT_TYP: &str = "oauth-authz-req+jwt";

/// Options of [`Configuration::request_object_with`].
///
/// ```
/// use oauth_client::RequestObjectOptions;
/// use std::time::Duration;
///
/// let options = RequestObjectOptions::new()
///     .lifetime(Duration::from_secs(60))
///     .modify(|_header, claims| {
///         claims.insert("purpose".into(), "account linking".into());
///     });
/// # let _ = options;
/// ```
#[derive(Clone)]
pub struct RequestObjectOptions {
    lifetime: Duration,
    modify: Option<ModifyAssertion>,
}

impl fmt::Debug for RequestObjectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestObjectOptions")
            .field("lifetime", &self.lifetime)
            .field("modify", &self.modify.is_some())
            .finish()
    }
}

impl Default for RequestObjectOptions {
    fn default() -> Self {
        Self {
            lifetime: Duration::from_secs(300),
            modify: None,
        }
    }
}

impl RequestObjectOptions {
    /// The defaults: valid for 5 minutes (`exp` = `iat` + 300), no modification.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How long the request object is valid (`exp` - `iat`); FAPI allows at most 60 minutes.
    #[must_use]
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// A hook that changes the header and claims right before signing (openid-client's
    /// `modifyAssertion`), for servers that want something different.
    #[must_use]
    pub fn modify(
        mut self,
        hook: impl Fn(&mut Map<String, Value>, &mut Map<String, Value>) + Send + Sync + 'static,
    ) -> Self {
        self.modify = Some(std::sync::Arc::new(hook));
        self
    }
}

/// The claims of a request object for these authorization request parameters: each parameter
/// once as a string, except the ones whose JSON form the specifications define (`claims` and
/// `authorization_details` as JSON, `max_age` as a number) and repeated `resource` values as
/// an array (RFC 8707 §2.1).
fn parameters_as_claims(params: &Params) -> Result<Map<String, Value>, Error> {
    let mut claims = Map::new();
    for (name, value) in params.iter() {
        let value = match name {
            "claims" | "authorization_details" => {
                serde_json::from_str::<Value>(value).map_err(|_| {
                    Error::InvalidArgument("claims and authorization_details must be JSON")
                })?
            }
            "max_age" => Value::from(
                value
                    .parse::<u64>()
                    .map_err(|_| Error::InvalidArgument("max_age must be a number of seconds"))?,
            ),
            _ => Value::String(value.to_owned()),
        };
        match claims.get_mut(name) {
            None => {
                claims.insert(name.to_owned(), value);
            }
            Some(Value::Array(items)) if name == "resource" => items.push(value),
            Some(first) if name == "resource" => {
                let first = first.take();
                claims.insert(name.to_owned(), Value::Array(vec![first, value]));
            }
            Some(_) => {
                return Err(Error::InvalidArgument(
                    "only resource may appear more than once in a request object",
                ));
            }
        }
    }
    Ok(claims)
}

impl Configuration {
    /// A signed request object (RFC 9101) for these authorization request parameters, as the
    /// parameters that carry it: `client_id` and `request`. Pass them to
    /// [`Configuration::build_authorization_url_with_par`] for JAR with PAR, or use
    /// [`Configuration::build_authorization_url_with_jar`].
    ///
    /// The JWT has `typ: oauth-authz-req+jwt`, the signer's `alg` and `kid`, the parameters
    /// with the defaults of [`Configuration::build_authorization_url`] as claims, and `iss` =
    /// `client_id`, `aud` = the issuer, `iat`, `nbf` = `iat`, `exp` = `iat` + 5 minutes and a
    /// random `jti`. When the client's metadata has `request_object_encryption_alg`, the
    /// signed JWT is then encrypted (nested, `cty: JWT`) to the server's key for that
    /// algorithm from its JWK Set, with `request_object_encryption_enc` (default
    /// `A128CBC-HS256`; feature `jwe`).
    ///
    /// # Errors
    /// [`Error::InvalidConfiguration`] when the signer's algorithm is not the client's
    /// `request_object_signing_alg`, or encryption is asked for without the `jwe` feature or
    /// with unknown algorithms; [`Error::InvalidArgument`] for malformed `claims`,
    /// `authorization_details` or `max_age`; [`Error::Signing`]; for encryption the JWK Set
    /// errors and [`Error::KeyNotFound`] when the server has no key for the algorithm.
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration, key: &jws::SigningKey) -> Result<(), oauth_client::Error> {
    /// use oauth_client::Params;
    ///
    /// // JAR and PAR together: push the signed request object.
    /// let jar = config
    ///     .request_object(Params::from([("redirect_uri", "https://rp.example/cb"), ("scope", "openid")]), key)
    ///     .await?;
    /// let url = config.build_authorization_url_with_par(jar).await?;
    /// # let _ = url;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn request_object(
        &self,
        params: impl Into<Params>,
        signer: &(impl Signer + ?Sized),
    ) -> Result<Params, Error> {
        self.request_object_with(params, signer, &RequestObjectOptions::default())
            .await
    }

    /// [`Configuration::request_object`] with options (lifetime, a modification hook).
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration, key: &jws::SigningKey) -> Result<(), oauth_client::Error> {
    /// use oauth_client::{Params, RequestObjectOptions};
    ///
    /// let options = RequestObjectOptions::new().modify(|_header, claims| {
    ///     claims.insert("purpose".into(), "account linking".into());
    /// });
    /// let jar = config
    ///     .request_object_with(Params::from([("scope", "openid")]), key, &options)
    ///     .await?;
    /// let url = config.build_authorization_url_with_par(jar).await?;
    /// # let _ = url;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Configuration::request_object`].
    pub async fn request_object_with(
        &self,
        params: impl Into<Params>,
        signer: &(impl Signer + ?Sized),
        options: &RequestObjectOptions,
    ) -> Result<Params, Error> {
        let alg = signer.algorithm();
        if let Some(registered) = self.inner.client.request_object_signing_alg.as_deref()
            && registered != alg.as_str()
        {
            return Err(Error::InvalidConfiguration(format!(
                "the client registered request_object_signing_alg {}, the signer uses {}",
                jose_core::json::truncate_for_error(registered),
                alg.as_str()
            )));
        }
        let params = self.authorization_params(params.into(), true);
        let mut claims = parameters_as_claims(&params)?;
        let now = self.now();
        let lifetime = i64::try_from(options.lifetime.as_secs()).unwrap_or(i64::MAX / 4);
        claims.insert("iss".into(), Value::String(self.client_id().into()));
        claims.insert(
            "aud".into(),
            Value::String(self.inner.server.issuer.clone()),
        );
        claims.insert("iat".into(), Value::from(now));
        claims.insert("nbf".into(), Value::from(now));
        claims.insert("exp".into(), Value::from(now.saturating_add(lifetime)));
        claims.insert(
            "jti".into(),
            Value::String(jose_core::rand::token(32).map_err(|_| Error::Random)?),
        );
        let mut header = Map::new();
        header.insert("alg".into(), Value::String(alg.as_str().into()));
        header.insert("typ".into(), Value::String(REQUEST_OBJECT_TYP.into()));
        if let Some(kid) = signer.key_id() {
            header.insert("kid".into(), Value::String(kid.into()));
        }
        if let Some(modify) = &options.modify {
            modify(&mut header, &mut claims);
        }
        let signed = jws::compact::CompactSign::new(Value::Object(claims).to_string().as_bytes())
            .protected_json(Value::Object(header).to_string())
            .sign(signer)
            .map_err(|e| Error::Signing {
                what: "request object",
                source: e.into(),
            })?;
        let request = match self.inner.client.request_object_encryption_alg.as_deref() {
            None => signed,
            Some(alg) => self.encrypt_request_object(&signed, alg).await?,
        };
        Ok(Params::from([
            ("client_id", self.client_id()),
            ("request", request.as_str()),
        ]))
    }

    /// The authorization URL with a signed request object (openid-client's
    /// `buildAuthorizationUrlWithJAR`): the authorization endpoint with `client_id` and
    /// `request` (see [`Configuration::request_object`]).
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration) -> Result<(), Box<dyn std::error::Error>> {
    /// use jose_core::alg::JwsAlgorithm;
    /// use jws::SigningKey;
    /// use oauth_client::Params;
    ///
    /// # let jwk_json = "";
    /// let key = SigningKey::from_jwk(jose_core::jwk::Jwk::from_json(jwk_json)?)?;
    /// let params = Params::from([("redirect_uri", "https://rp.example/cb"), ("scope", "openid")]);
    /// // JAR alone:
    /// let url = config.build_authorization_url_with_jar(params.clone(), &key).await?;
    /// // JAR with PAR: push the request object.
    /// let jar = config.request_object(params, &key).await?;
    /// let url = config.build_authorization_url_with_par(jar).await?;
    /// # let _ = url;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Configuration::request_object`]; [`Error::PushedAuthorizationRequired`] when
    /// the server demands PAR; [`Error::InsecureUrl`] for an `http:` authorization endpoint
    /// without [`ConfigurationBuilder::allow_insecure_requests`](crate::ConfigurationBuilder::allow_insecure_requests).
    pub async fn build_authorization_url_with_jar(
        &self,
        params: impl Into<Params>,
        signer: &(impl Signer + ?Sized),
    ) -> Result<Url, Error> {
        self.build_authorization_url_with_jar_with(params, signer, &RequestObjectOptions::new())
            .await
    }

    /// [`Configuration::build_authorization_url_with_jar`] with options for the request
    /// object (openid-client's `buildAuthorizationUrlWithJAR(config, params, key, options)`
    /// with `modifyAssertion`): its lifetime, and a hook that changes the header and claims
    /// before signing.
    ///
    /// ```no_run
    /// # async fn demo(config: &oauth_client::Configuration, key: &jws::SigningKey) -> Result<(), oauth_client::Error> {
    /// use oauth_client::{Params, RequestObjectOptions};
    /// use std::time::Duration;
    ///
    /// let options = RequestObjectOptions::new()
    ///     .lifetime(Duration::from_secs(60))
    ///     .modify(|header, _claims| {
    ///         // A server that still expects the generic media type.
    ///         header.insert("typ".into(), "JWT".into());
    ///     });
    /// let params = Params::from([("redirect_uri", "https://rp.example/cb"), ("scope", "openid")]);
    /// let url = config
    ///     .build_authorization_url_with_jar_with(params, key, &options)
    ///     .await?;
    /// # let _ = url;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Configuration::build_authorization_url_with_jar`].
    pub async fn build_authorization_url_with_jar_with(
        &self,
        params: impl Into<Params>,
        signer: &(impl Signer + ?Sized),
        options: &RequestObjectOptions,
    ) -> Result<Url, Error> {
        if self.requires_par() {
            return Err(Error::PushedAuthorizationRequired);
        }
        let url = self.front_channel_endpoint(Endpoint::Authorization)?;
        let jar = self.request_object_with(params, signer, options).await?;
        Ok(with_params(url, &jar))
    }

    #[cfg(feature = "jwe")]
    async fn encrypt_request_object(&self, signed: &str, alg: &str) -> Result<String, Error> {
        use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
        use jose_core::header::JweHeader;
        const WHAT: &str = "request object encryption key";
        let unknown = |what: &str| {
            Error::InvalidConfiguration(format!("request object encryption: unknown {what}"))
        };
        let alg: KeyManagementAlgorithm = alg.parse().map_err(|_| unknown("alg"))?;
        let enc: ContentEncryptionAlgorithm = self
            .inner
            .client
            .request_object_encryption_enc
            .as_deref()
            .unwrap_or("A128CBC-HS256")
            .parse()
            .map_err(|_| unknown("enc"))?;
        let set = self.jwks(None).await?;
        let key = set
            .keys()
            .iter()
            .find_map(|k| jwe::EncryptionKey::new(k.clone(), alg).ok())
            .ok_or(Error::KeyNotFound {
                what: WHAT,
                kid: None,
            })?;
        let mut header = JweHeader::default().with_cty("JWT");
        if let Some(kid) = key.kid() {
            header = header.with_kid(kid);
        }
        jwe::compact::CompactEncrypt::new(signed.as_bytes(), enc)
            .header(header)
            .encrypt(&key)
            .map_err(|e| Error::InvalidConfiguration(format!("request object encryption: {e}")))
    }

    #[cfg(not(feature = "jwe"))]
    async fn encrypt_request_object(&self, _signed: &str, _alg: &str) -> Result<String, Error> {
        Err(Error::InvalidConfiguration(
            "request_object_encryption_alg needs the jwe feature".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;
    use serde_json::json;

    #[test]
    fn parameters_keep_their_json_forms_and_resources_become_an_array() {
        let params = Params::from([
            ("scope", "openid"),
            ("max_age", "300"),
            ("claims", r#"{"id_token":{"acr":null}}"#),
            ("authorization_details", r#"[{"type":"payment"}]"#),
        ])
        .append("resource", "urn:a")
        .append("resource", "urn:b")
        .append("resource", "urn:c");
        let claims = parameters_as_claims(&params).unwrap();
        assert_eq!(
            Value::Object(claims),
            json!({
                "scope": "openid",
                "max_age": 300,
                "claims": {"id_token": {"acr": null}},
                "authorization_details": [{"type": "payment"}],
                "resource": ["urn:a", "urn:b", "urn:c"],
            })
        );
    }

    #[test]
    fn malformed_json_parameters_and_repeats_are_refused() {
        for params in [
            Params::from([("claims", "{not json")]),
            Params::from([("max_age", "soon")]),
            Params::new().append("scope", "a").append("scope", "b"),
        ] {
            assert!(matches!(
                parameters_as_claims(&params),
                Err(Error::InvalidArgument(_))
            ));
        }
    }
}
