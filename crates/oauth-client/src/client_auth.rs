//! Client authentication methods (RFC 6749 §2.3, OpenID Connect Core §9, RFC 7523, RFC 8705).

use crate::http::Headers;
use crate::{ClientMetadata, Error, Params};
use core::fmt;
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, KeyMaterial, OctKey};
use jose_core::{SecretBytes, b64};
use jws::{Signer, SigningKey};
use serde_json::{Map, Value};
use std::sync::Arc;

/// The `client_assertion_type` of JWT client authentication (RFC 7523 §2.2).
pub const JWT_BEARER_ASSERTION_TYPE: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Lifetime of client assertions, in seconds.
const ASSERTION_LIFETIME: i64 = 60;

/// A hook that changes a client assertion's header and claims right before it is signed
/// (to work around servers that want another `aud`, for example). The `alg` cannot change.
pub type ModifyAssertion =
    Arc<dyn Fn(&mut Map<String, Value>, &mut Map<String, Value>) + Send + Sync>;

/// The names of the client authentication methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthMethod {
    /// `none`: public clients send only `client_id`.
    None,
    /// `client_secret_basic`.
    ClientSecretBasic,
    /// `client_secret_post`.
    ClientSecretPost,
    /// `client_secret_jwt`.
    ClientSecretJwt,
    /// `private_key_jwt`.
    PrivateKeyJwt,
    /// `tls_client_auth`.
    TlsClientAuth,
    /// `self_signed_tls_client_auth`.
    SelfSignedTlsClientAuth,
}

impl AuthMethod {
    /// The registered name (`client_secret_basic`, ...).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::None => "none",
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::ClientSecretJwt => "client_secret_jwt",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::TlsClientAuth => "tls_client_auth",
            AuthMethod::SelfSignedTlsClientAuth => "self_signed_tls_client_auth",
        }
    }
}

#[derive(Clone)]
enum Kind {
    None,
    Basic(SecretBytes),
    Post(SecretBytes),
    SecretJwt {
        secret: SecretBytes,
        alg: Option<JwsAlgorithm>,
    },
    PrivateKeyJwt(Arc<dyn Signer + Send + Sync>),
    Tls,
    SelfSignedTls,
}

/// How the client authenticates at the token, introspection, revocation and PAR endpoints.
///
/// ```
/// use oauth_client::ClientAuth;
/// use jws::SigningKey;
/// use jose_core::alg::JwsAlgorithm;
///
/// let basic = ClientAuth::client_secret_basic("s3cret");
/// let key = SigningKey::generate(JwsAlgorithm::ES256)?;
/// let private_key_jwt = ClientAuth::private_key_jwt(key);
/// assert_eq!(private_key_jwt.method().as_str(), "private_key_jwt");
/// # let _ = basic;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// `Debug` shows the method only.
#[derive(Clone)]
pub struct ClientAuth {
    kind: Kind,
    modify: Option<ModifyAssertion>,
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientAuth({})", self.method().as_str())
    }
}

fn secret(s: impl Into<String>) -> SecretBytes {
    SecretBytes::new(s.into().into_bytes())
}

impl ClientAuth {
    fn of(kind: Kind) -> Self {
        Self { kind, modify: None }
    }

    /// `none`: a public client; only `client_id` is sent.
    ///
    /// ```
    /// let auth = oauth_client::ClientAuth::none();
    /// assert_eq!(auth.method().as_str(), "none");
    /// ```
    #[must_use]
    pub fn none() -> Self {
        Self::of(Kind::None)
    }

    /// `client_secret_basic`: HTTP Basic with the form-encoded id and secret (RFC 6749 §2.3.1).
    ///
    /// ```
    /// let auth = oauth_client::ClientAuth::client_secret_basic("s3cret");
    /// assert_eq!(auth.method().as_str(), "client_secret_basic");
    /// ```
    #[must_use]
    pub fn client_secret_basic(client_secret: impl Into<String>) -> Self {
        Self::of(Kind::Basic(secret(client_secret)))
    }

    /// `client_secret_post`: `client_id` and `client_secret` in the request body.
    ///
    /// ```
    /// let auth = oauth_client::ClientAuth::client_secret_post("s3cret");
    /// assert_eq!(auth.method().as_str(), "client_secret_post");
    /// ```
    #[must_use]
    pub fn client_secret_post(client_secret: impl Into<String>) -> Self {
        Self::of(Kind::Post(secret(client_secret)))
    }

    /// `client_secret_jwt`: an HMAC-signed assertion keyed with the secret. The algorithm is
    /// the client's `token_endpoint_auth_signing_alg`, else HS256. The secret must be at least
    /// as long as the algorithm's hash (32 bytes for HS256), or building the configuration
    /// fails.
    ///
    /// ```
    /// let auth = oauth_client::ClientAuth::client_secret_jwt("a secret of at least 32 bytes....");
    /// assert_eq!(auth.method().as_str(), "client_secret_jwt");
    /// ```
    #[must_use]
    pub fn client_secret_jwt(client_secret: impl Into<String>) -> Self {
        Self::of(Kind::SecretJwt {
            secret: secret(client_secret),
            alg: None,
        })
    }

    /// `client_secret_jwt` with an explicit HMAC algorithm.
    ///
    /// ```
    /// use jose_core::alg::JwsAlgorithm;
    ///
    /// let secret = "x".repeat(64); // HS512 wants 64 bytes
    /// let auth = oauth_client::ClientAuth::client_secret_jwt_with(secret, JwsAlgorithm::HS512);
    /// # let _ = auth;
    /// ```
    #[must_use]
    pub fn client_secret_jwt_with(client_secret: impl Into<String>, alg: JwsAlgorithm) -> Self {
        Self::of(Kind::SecretJwt {
            secret: secret(client_secret),
            alg: Some(alg),
        })
    }

    /// `private_key_jwt`: an assertion signed with the client's private key (a
    /// [`SigningKey`], or any [`Signer`] such as an HSM or KMS). The signer's key id becomes
    /// the header's `kid`.
    ///
    /// ```
    /// use jose_core::jwk::Jwk;
    /// use jws::SigningKey;
    ///
    /// // The client's private JWK, whose public half is registered in its `jwks`.
    /// # let jwk_json = Jwk::generate(jose_core::alg::JwsAlgorithm::ES256)?.with_kid("rp-1").to_json();
    /// let key = SigningKey::from_jwk(Jwk::from_json(&jwk_json)?)?;
    /// let auth = oauth_client::ClientAuth::private_key_jwt(key);
    /// assert_eq!(auth.method().as_str(), "private_key_jwt");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn private_key_jwt(signer: impl Signer + Send + Sync + 'static) -> Self {
        Self::of(Kind::PrivateKeyJwt(Arc::new(signer)))
    }

    /// `tls_client_auth` (RFC 8705 §2.1): only `client_id` is sent; the certificate goes
    /// through the HTTP layer (see [`crate::ReqwestHttpClientBuilder::client_certificate`]),
    /// usually together with `use_mtls_endpoint_aliases` in the client metadata.
    ///
    /// ```no_run
    /// # fn demo(cert_pem: &[u8], key_pem: &[u8]) -> Result<(), oauth_client::Error> {
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration, ReqwestHttpClient};
    ///
    /// let mut metadata = ClientMetadata::new("mtls-client");
    /// metadata.use_mtls_endpoint_aliases = Some(true);
    /// let builder = Configuration::builder(metadata, ClientAuth::tls_client_auth()).http_client(
    ///     ReqwestHttpClient::builder().client_certificate(cert_pem, key_pem).build()?,
    /// );
    /// # let _ = builder;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn tls_client_auth() -> Self {
        Self::of(Kind::Tls)
    }

    /// `self_signed_tls_client_auth` (RFC 8705 §2.2), as [`ClientAuth::tls_client_auth`]; the
    /// server matches the certificate against the client's registered `jwks`.
    ///
    /// ```
    /// let auth = oauth_client::ClientAuth::self_signed_tls_client_auth();
    /// assert_eq!(auth.method().as_str(), "self_signed_tls_client_auth");
    /// ```
    #[must_use]
    pub fn self_signed_tls_client_auth() -> Self {
        Self::of(Kind::SelfSignedTls)
    }

    /// The authentication a client's metadata implies: its `token_endpoint_auth_method` with
    /// its `client_secret` (`client_secret_basic` when unset and a secret exists, `none`
    /// without a secret). `private_key_jwt` needs the key, so it is refused here.
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata};
    ///
    /// let mut client = ClientMetadata::new("rp").with_secret("s3cret");
    /// client.token_endpoint_auth_method = Some("client_secret_post".into());
    /// assert_eq!(ClientAuth::from_metadata(&client)?.method().as_str(), "client_secret_post");
    /// # Ok::<(), oauth_client::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidConfiguration`] for `private_key_jwt`, a secret-based method without a
    /// secret, or an unknown method.
    pub fn from_metadata(client: &ClientMetadata) -> Result<Self, Error> {
        let secret = client.client_secret.clone();
        let need_secret = || {
            secret.clone().ok_or_else(|| {
                Error::InvalidConfiguration("the client metadata has no client_secret".into())
            })
        };
        Ok(match client.token_endpoint_auth_method.as_deref() {
            None => match secret {
                Some(s) => Self::client_secret_basic(s),
                None => Self::none(),
            },
            Some("client_secret_basic") => Self::client_secret_basic(need_secret()?),
            Some("client_secret_post") => Self::client_secret_post(need_secret()?),
            Some("client_secret_jwt") => Self::client_secret_jwt(need_secret()?),
            Some("none") => Self::none(),
            Some("tls_client_auth") => Self::tls_client_auth(),
            Some("self_signed_tls_client_auth") => Self::self_signed_tls_client_auth(),
            Some("private_key_jwt") => {
                return Err(Error::InvalidConfiguration(
                    "private_key_jwt needs the private key: pass ClientAuth::private_key_jwt"
                        .into(),
                ));
            }
            Some(_) => {
                return Err(Error::InvalidConfiguration(
                    "unknown token_endpoint_auth_method".into(),
                ));
            }
        })
    }

    /// Sets a hook that changes JWT assertions before they are signed (`client_secret_jwt`
    /// and `private_key_jwt` only): openid-client's `modifyAssertion`. The hook gets the
    /// header and the claims.
    ///
    /// ```
    /// use jose_core::alg::JwsAlgorithm;
    /// use jws::SigningKey;
    ///
    /// let key = SigningKey::generate(JwsAlgorithm::ES256)?;
    /// let auth = oauth_client::ClientAuth::private_key_jwt(key).with_modify_assertion(
    ///     |_header, claims| {
    ///         // A server that wants its token endpoint, not its issuer, as the audience.
    ///         claims.insert("aud".into(), "https://op.example/token".into());
    ///     },
    /// );
    /// # let _ = auth;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_modify_assertion(
        mut self,
        hook: impl Fn(&mut Map<String, Value>, &mut Map<String, Value>) + Send + Sync + 'static,
    ) -> Self {
        self.modify = Some(Arc::new(hook));
        self
    }

    /// The method.
    #[must_use]
    pub fn method(&self) -> AuthMethod {
        match self.kind {
            Kind::None => AuthMethod::None,
            Kind::Basic(_) => AuthMethod::ClientSecretBasic,
            Kind::Post(_) => AuthMethod::ClientSecretPost,
            Kind::SecretJwt { .. } => AuthMethod::ClientSecretJwt,
            Kind::PrivateKeyJwt(_) => AuthMethod::PrivateKeyJwt,
            Kind::Tls => AuthMethod::TlsClientAuth,
            Kind::SelfSignedTls => AuthMethod::SelfSignedTlsClientAuth,
        }
    }

    fn secret_jwt_alg(&self, client: &ClientMetadata) -> Result<JwsAlgorithm, Error> {
        let Kind::SecretJwt { alg, .. } = &self.kind else {
            return Err(Error::InvalidArgument("not client_secret_jwt"));
        };
        let alg = match (alg, client.token_endpoint_auth_signing_alg.as_deref()) {
            (Some(a), _) => *a,
            (None, Some(name)) => name.parse().map_err(|_| {
                Error::InvalidConfiguration(
                    "token_endpoint_auth_signing_alg is not a JWS algorithm".into(),
                )
            })?,
            (None, None) => JwsAlgorithm::HS256,
        };
        if !alg.is_symmetric() {
            return Err(Error::InvalidConfiguration(
                "client_secret_jwt needs an HMAC algorithm".into(),
            ));
        }
        Ok(alg)
    }

    fn hmac_key(&self, client: &ClientMetadata) -> Result<SigningKey, Error> {
        let Kind::SecretJwt { secret, .. } = &self.kind else {
            return Err(Error::InvalidArgument("not client_secret_jwt"));
        };
        let alg = self.secret_jwt_alg(client)?;
        let oct = OctKey::new(secret.clone())
            .map_err(|e| Error::InvalidConfiguration(format!("client_secret_jwt secret: {e}")))?;
        SigningKey::new(Jwk::new(KeyMaterial::Oct(oct)), alg)
            .map_err(|e| Error::InvalidConfiguration(format!("client_secret_jwt secret: {e}")))
    }

    /// The client secret this method authenticates with, if it uses one.
    pub(crate) fn client_secret(&self) -> Option<&SecretBytes> {
        match &self.kind {
            Kind::Basic(s) | Kind::Post(s) | Kind::SecretJwt { secret: s, .. } => Some(s),
            _ => None,
        }
    }

    /// Checks the method against the client metadata (a `client_secret_jwt` secret long
    /// enough for its algorithm).
    pub(crate) fn check(&self, client: &ClientMetadata) -> Result<(), Error> {
        if matches!(self.kind, Kind::SecretJwt { .. }) {
            self.hmac_key(client)?;
        }
        Ok(())
    }

    /// Adds the authentication to a request's body and headers.
    pub(crate) fn apply(
        &self,
        client: &ClientMetadata,
        issuer: &str,
        now: i64,
        body: &mut Params,
        headers: &mut Headers,
    ) -> Result<(), Error> {
        let client_id = client.client_id.as_str();
        match &self.kind {
            Kind::None | Kind::Tls | Kind::SelfSignedTls => {
                body.insert("client_id", client_id);
            }
            Kind::Basic(secret) => {
                let secret = core::str::from_utf8(secret.expose()).unwrap_or_default();
                let credentials = format!("{}:{}", form_encode(client_id), form_encode(secret));
                headers.set(
                    "authorization",
                    format!("Basic {}", b64::encode_standard(credentials.as_bytes())),
                );
                body.remove("client_id");
            }
            Kind::Post(secret) => {
                let secret = core::str::from_utf8(secret.expose()).unwrap_or_default();
                body.insert("client_id", client_id);
                body.insert("client_secret", secret);
            }
            Kind::SecretJwt { .. } => {
                let key = self.hmac_key(client)?;
                let assertion = self.assertion(client_id, issuer, now, &key)?;
                set_assertion(body, client_id, assertion);
            }
            Kind::PrivateKeyJwt(signer) => {
                let assertion = self.assertion(client_id, issuer, now, signer.as_ref())?;
                set_assertion(body, client_id, assertion);
            }
        }
        Ok(())
    }

    /// A client assertion (RFC 7523 §3): `iss` = `sub` = `client_id`, `aud` = the issuer,
    /// `jti`, `iat`, `exp` one minute later.
    fn assertion(
        &self,
        client_id: &str,
        issuer: &str,
        now: i64,
        signer: &(impl Signer + ?Sized),
    ) -> Result<String, Error> {
        let signing_error = |source| Error::Signing {
            what: "client assertion",
            source,
        };
        let jti = jose_core::rand::token(32).map_err(|_| Error::Random)?;
        let mut claims = Map::new();
        claims.insert("iss".into(), Value::String(client_id.into()));
        claims.insert("sub".into(), Value::String(client_id.into()));
        claims.insert("aud".into(), Value::String(issuer.into()));
        claims.insert("jti".into(), Value::String(jti));
        claims.insert("iat".into(), Value::from(now));
        claims.insert("exp".into(), Value::from(now + ASSERTION_LIFETIME));
        let mut header = Map::new();
        header.insert(
            "alg".into(),
            Value::String(signer.algorithm().as_str().into()),
        );
        if let Some(kid) = signer.key_id() {
            header.insert("kid".into(), Value::String(kid.into()));
        }
        if let Some(modify) = &self.modify {
            modify(&mut header, &mut claims);
        }
        let payload = Value::Object(claims).to_string();
        jws::compact::CompactSign::new(payload.as_bytes())
            .protected_json(Value::Object(header).to_string())
            .sign(signer)
            .map_err(|e| signing_error(e.into()))
    }
}

fn set_assertion(body: &mut Params, client_id: &str, assertion: String) {
    body.insert("client_id", client_id);
    body.insert("client_assertion_type", JWT_BEARER_ASSERTION_TYPE);
    body.insert("client_assertion", assertion);
}

/// `application/x-www-form-urlencoded` encoding of one value, as RFC 6749 §2.3.1 requires
/// for the Basic credentials.
fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    #[test]
    fn basic_credentials_are_form_encoded_before_base64() {
        let auth = ClientAuth::client_secret_basic("p@ss word+/:");
        let client = ClientMetadata::new("id:with space");
        let mut body = Params::new();
        let mut headers = Headers::new();
        auth.apply(&client, "https://op", 0, &mut body, &mut headers)
            .unwrap();
        let value = headers.get("authorization").unwrap();
        let decoded = b64::decode_standard(value.strip_prefix("Basic ").unwrap()).unwrap();
        assert_eq!(
            String::from_utf8(decoded).unwrap(),
            "id%3Awith+space:p%40ss+word%2B%2F%3A"
        );
        assert!(body.is_empty());
    }

    #[test]
    fn client_secret_jwt_refuses_short_secrets_for_its_algorithm() {
        let client = ClientMetadata::new("c");
        assert!(
            ClientAuth::client_secret_jwt("short")
                .check(&client)
                .is_err()
        );
        assert!(
            ClientAuth::client_secret_jwt("x".repeat(32))
                .check(&client)
                .is_ok()
        );
        assert!(
            ClientAuth::client_secret_jwt_with("x".repeat(32), JwsAlgorithm::HS512)
                .check(&client)
                .is_err()
        );
    }

    #[test]
    fn assertions_carry_the_rfc7523_claims_and_can_be_modified() {
        let key = SigningKey::generate(JwsAlgorithm::ES256).unwrap();
        let public = key.public_jwk().unwrap();
        let auth = ClientAuth::private_key_jwt(key).with_modify_assertion(|h, c| {
            h.insert("typ".into(), Value::String("JWT".into()));
            c.insert("aud".into(), Value::String("https://op/token".into()));
        });
        let mut body = Params::new();
        auth.apply(
            &ClientMetadata::new("rp"),
            "https://op",
            1_700_000_000,
            &mut body,
            &mut Headers::new(),
        )
        .unwrap();
        assert_eq!(
            body.get("client_assertion_type"),
            Some(JWT_BEARER_ASSERTION_TYPE)
        );
        let token = body.get("client_assertion").unwrap();
        let verified = jws::compact::verify(token, &public, &jws::VerifyOptions::new()).unwrap();
        assert_eq!(verified.header().typ(), Some("JWT"));
        let claims: Map<String, Value> = serde_json::from_slice(verified.payload()).unwrap();
        assert_eq!(claims["iss"], "rp");
        assert_eq!(claims["sub"], "rp");
        assert_eq!(claims["aud"], "https://op/token");
        assert_eq!(claims["iat"], 1_700_000_000);
        assert_eq!(claims["exp"], 1_700_000_060);
        assert!(claims["jti"].as_str().unwrap().len() >= 43);
    }
}
