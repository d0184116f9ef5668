//! The framework-independent resource server: a request in, a verified principal or a
//! challenge out.

use crate::Introspection;
use crate::challenge::ChallengeParams;
use crate::dpop_scheme::DpopRuntime;
use crate::{
    AccessToken, AccessTokenValidation, Challenge, Credentials, DpopOptions, KeySource,
    ProtectedResourceMetadata, Rejection, RequestInfo, Scheme, ScopeSet, TokenError, metadata_url,
    verify_access_token,
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// A request's verified caller: the access token and how it was presented.
///
/// Cheap to clone: the token is shared, not copied (the axum extractor clones the principal
/// the tower layer put in the request extensions).
#[derive(Debug, PartialEq)]
pub struct Principal<T = Map<String, Value>> {
    scheme: Scheme,
    token: Arc<AccessToken<T>>,
}

impl<T> Clone for Principal<T> {
    fn clone(&self) -> Self {
        Self {
            scheme: self.scheme,
            token: Arc::clone(&self.token),
        }
    }
}

impl<T> Principal<T> {
    /// How the token was presented: `Bearer` or `DPoP` (the `token_type`).
    #[must_use]
    pub fn token_type(&self) -> Scheme {
        self.scheme
    }

    /// The verified access token.
    #[must_use]
    pub fn access_token(&self) -> &AccessToken<T> {
        &self.token
    }

    /// The verified access token, by value: moved out when this is the only handle on it,
    /// copied when clones of the principal share it.
    #[must_use]
    pub fn into_access_token(self) -> AccessToken<T>
    where
        T: Clone,
    {
        Arc::unwrap_or_clone(self.token)
    }
}

/// An OAuth 2.0 resource server for one issuer: verifies the access token of each request
/// (RFC 9068), its sender constraint (DPoP, mutual TLS), and the scopes every request needs,
/// and turns a refusal into the RFC 6750 / RFC 9449 challenge.
///
/// Cheap to clone (the configuration is shared).
///
/// ```
/// use jose_core::alg::JwsAlgorithm;
/// use jose_core::jwk::{Jwk, JwkSet};
/// use jws::SigningKey;
/// use jwt_claims::JwtBuilder;
/// use resource_server::{AccessTokenValidation, RequestInfo, ResourceServer, StaticKeys};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let key = SigningKey::new(Jwk::generate(JwsAlgorithm::ES256)?, JwsAlgorithm::ES256)?;
/// let keys = StaticKeys::new(JwkSet::new(vec![key.public_jwk()?])?);
/// let server = ResourceServer::builder(
///     AccessTokenValidation::new("https://issuer.example", "https://api.example"),
///     keys,
/// )
/// .required_scope("read")?
/// .build();
///
/// // No credentials: 401 with a bare challenge.
/// let challenge = server.authenticate::<serde_json::Value>(&RequestInfo::new("GET", "/items")).await.unwrap_err();
/// assert_eq!(challenge.status(), 401);
///
/// let token = JwtBuilder::new()
///     .typ("at+jwt").issuer("https://issuer.example").audience("https://api.example")
///     .subject("alice").claim("client_id", "app")?.claim("scope", "read")?
///     .sign(&key)?;
/// let header = format!("Bearer {token}");
/// let request = RequestInfo::new("GET", "/items").header("authorization", header.as_bytes());
/// let principal = server.authenticate::<serde_json::Value>(&request).await.map_err(|c| c.code())?;
/// assert_eq!(principal.access_token().subject(), "alice");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ResourceServer {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    validation: AccessTokenValidation,
    keys: Arc<dyn KeySource>,
    required_scope: ScopeSet,
    challenge: ChallengeParams,
    metadata: ProtectedResourceMetadata,
    /// Where `metadata` is served, worked out once from its `resource`.
    metadata_path: String,
    dpop: Option<DpopRuntime>,
    introspection: Option<Introspection>,
}

/// Builds a [`ResourceServer`]; see [`ResourceServer::builder`].
#[derive(Debug)]
pub struct ResourceServerBuilder {
    validation: AccessTokenValidation,
    keys: Arc<dyn KeySource>,
    required_scope: ScopeSet,
    realm: Option<String>,
    resource_metadata: Option<Option<String>>,
    metadata: Option<ProtectedResourceMetadata>,
    dpop: Option<DpopOptions>,
    introspection: Option<Introspection>,
}

impl ResourceServer {
    /// A resource server accepting the tokens `validation` describes, verified with `keys`.
    ///
    /// Defaults: Bearer tokens in the `Authorization` header; no scope required; challenges
    /// carry `resource_metadata` when the audience is a URL; the metadata document names the
    /// audience as `resource` and the issuer in `authorization_servers`.
    #[must_use]
    pub fn builder(
        validation: AccessTokenValidation,
        keys: impl KeySource + 'static,
    ) -> ResourceServerBuilder {
        ResourceServerBuilder {
            validation,
            keys: Arc::new(keys),
            required_scope: ScopeSet::new(),
            realm: None,
            resource_metadata: None,
            metadata: None,
            dpop: None,
            introspection: None,
        }
    }

    /// Verifies a request: its credentials, the access token, the sender constraint and the
    /// required scopes. The [`Rejection`] says why not, in detail (for logs).
    ///
    /// # Errors
    /// The [`Rejection`] of the first failed check.
    pub async fn verify<T: DeserializeOwned + 'static>(
        &self,
        request: &RequestInfo<'_>,
    ) -> Result<Principal<T>, Rejection> {
        let credentials = Credentials::from_authorization(request.header_values("authorization"))?
            .ok_or(Rejection::MissingCredentials)?;
        let scheme = credentials.scheme();
        let dpop = self.inner.dpop.as_ref();
        let accepted = match scheme {
            Scheme::Bearer => !dpop.is_some_and(|d| d.required),
            Scheme::Dpop => dpop.is_some(),
        };
        if !accepted {
            // A scheme this server does not take: the client gets the bare challenges.
            return Err(Rejection::MissingCredentials);
        }
        let token = self.verify_token::<T>(credentials.token()).await?;
        self.check_binding(&token, scheme, request)?;
        if let (Scheme::Dpop, Some(dpop)) = (scheme, dpop) {
            check_proof(dpop, &token, credentials.token(), request).await?;
        }
        self.check_scope(&token)?;
        Ok(Principal {
            scheme,
            token: Arc::new(token),
        })
    }

    /// [`ResourceServer::verify`], with the refusal turned into the answer for the client and
    /// logged through `tracing` (unavailability at error level, the rest at debug level).
    ///
    /// # Errors
    /// The [`Challenge`] to send.
    pub async fn authenticate<T: DeserializeOwned + 'static>(
        &self,
        request: &RequestInfo<'_>,
    ) -> Result<Principal<T>, Challenge> {
        match self.verify(request).await {
            Ok(principal) => Ok(principal),
            Err(rejection) => {
                let scheme =
                    Credentials::from_authorization(request.header_values("authorization"))
                        .ok()
                        .flatten()
                        .map(|c| c.scheme());
                Err(self.challenge(&rejection, scheme))
            }
        }
    }

    /// The answer to `rejection` for a client that used `scheme`, logged through `tracing`.
    #[must_use]
    pub fn challenge(&self, rejection: &Rejection, scheme: Option<Scheme>) -> Challenge {
        match rejection {
            Rejection::Unavailable(_) => {
                tracing::error!(code = rejection.code(), error = %rejection, "access token not checked");
            }
            _ => tracing::debug!(code = rejection.code(), error = %rejection, "request refused"),
        }
        let challenge = Challenge::new(rejection, scheme, &self.inner.challenge);
        match (
            rejection,
            self.inner.dpop.as_ref().and_then(|d| d.nonces.as_ref()),
        ) {
            (Rejection::UseDpopNonce, Some(nonces)) => {
                challenge.with_dpop_nonce(nonces.challenge().dpop_nonce().to_owned())
            }
            _ => challenge,
        }
    }

    /// The RFC 9728 metadata document this server describes itself with.
    #[must_use]
    pub fn metadata(&self) -> &ProtectedResourceMetadata {
        &self.inner.metadata
    }

    /// The path the RFC 9728 document is served at: the well-known path inserted before the
    /// resource identifier's path (just the well-known path for an identifier that is not a
    /// URL).
    #[must_use]
    pub fn metadata_path(&self) -> String {
        self.inner.metadata_path.clone()
    }

    /// [`ResourceServer::metadata_path`], borrowed (looked at on every request by the layer).
    #[cfg(feature = "tower")]
    pub(crate) fn metadata_path_str(&self) -> &str {
        &self.inner.metadata_path
    }

    /// The token validation.
    #[must_use]
    pub fn validation(&self) -> &AccessTokenValidation {
        &self.inner.validation
    }

    async fn verify_token<T: DeserializeOwned + 'static>(
        &self,
        token: &str,
    ) -> Result<AccessToken<T>, Rejection> {
        let header = match jws::unverified::decode_header(token) {
            Ok(header) => header,
            Err(e) => match &self.inner.introspection {
                // Not a JWT: an opaque token, for the authorization server to tell.
                Some(introspection) => return self.introspect(introspection, token).await,
                None => return Err(TokenError::Jwt(jwt_claims::JwtError::Jws(e)).into()),
            },
        };
        let keys = self
            .inner
            .keys
            .keys(header.kid())
            .await
            .map_err(|e| Rejection::Unavailable(e.to_string()))?;
        Ok(verify_access_token(token, &*keys, &self.inner.validation)?)
    }

    async fn introspect<T: DeserializeOwned + 'static>(
        &self,
        introspection: &Introspection,
        token: &str,
    ) -> Result<AccessToken<T>, Rejection> {
        let answer = introspection
            .introspect(token)
            .await?
            .ok_or(TokenError::Inactive)?;
        let claims = crate::introspection::claims_of(&answer)?;
        Ok(crate::access_token::from_claims_object(
            claims,
            &self.inner.validation,
        )?)
    }

    /// The sender constraint: a DPoP-bound token needs the DPoP scheme; a certificate-bound
    /// one the certificate it names.
    fn check_binding<T>(
        &self,
        token: &AccessToken<T>,
        scheme: Scheme,
        request: &RequestInfo<'_>,
    ) -> Result<(), TokenError> {
        let cnf = token.confirmation();
        if cnf.jkt.is_some() && scheme == Scheme::Bearer {
            return Err(TokenError::DpopBoundTokenAsBearer);
        }
        if let Some(expected) = &cnf.x5t_s256 {
            let der = request
                .certificate()
                .ok_or(TokenError::MissingClientCertificate)?;
            let actual = jose_core::b64::encode(Sha256::digest(der));
            if !bool::from(actual.as_bytes().ct_eq(expected.as_bytes())) {
                return Err(TokenError::CertificateMismatch);
            }
        }
        Ok(())
    }

    fn check_scope<T>(&self, token: &AccessToken<T>) -> Result<(), Rejection> {
        if token.scope().contains_all(&self.inner.required_scope) {
            return Ok(());
        }
        Err(Rejection::InsufficientScope {
            required: self.inner.required_scope.clone(),
        })
    }
}

/// The DPoP proof of a request presenting `token` with the DPoP scheme.
async fn check_proof<T>(
    dpop: &DpopRuntime,
    token: &AccessToken<T>,
    raw_token: &str,
    request: &RequestInfo<'_>,
) -> Result<(), Rejection> {
    let jkt = token
        .confirmation()
        .jkt
        .as_deref()
        .ok_or(TokenError::NotDpopBound)?;
    let proofs = request
        .header_values("dpop")
        .map(core::str::from_utf8)
        .collect::<Result<Vec<&str>, _>>()
        .map_err(|_| Rejection::InvalidRequest("the DPoP header is not ASCII"))?;
    let url = dpop
        .request_url(request.target())
        .ok_or(Rejection::InvalidRequest(
            "the request target is not a path or a URL",
        ))?;
    match dpop
        .verify(&proofs, request.method(), &url, raw_token, jkt)
        .await
    {
        Ok(_) => Ok(()),
        Err(dpop::DpopError::UseNonce) => Err(Rejection::UseDpopNonce),
        Err(dpop::DpopError::KeyBindingMismatch) => Err(TokenError::DpopKeyMismatch.into()),
        Err(dpop::DpopError::ReplayStore(e)) => {
            Err(Rejection::Unavailable(format!("replay store: {e}")))
        }
        Err(e) => Err(Rejection::InvalidDpopProof(e)),
    }
}

impl ResourceServerBuilder {
    /// Accepts DPoP-bound tokens with the `DPoP` scheme (RFC 9449 §7), and with
    /// [`DpopOptions::required`] only those.
    #[must_use]
    pub fn dpop(mut self, options: DpopOptions) -> Self {
        self.dpop = Some(options);
        self
    }

    /// Requires a scope on every request (may be called several times).
    ///
    /// # Errors
    /// [`ScopeError`](crate::ScopeError) for a value that is not one scope token.
    pub fn required_scope(mut self, scope: &str) -> Result<Self, crate::ScopeError> {
        self.required_scope.insert(scope)?;
        Ok(self)
    }

    /// The `realm` of the challenges.
    #[must_use]
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = Some(realm.into());
        self
    }

    /// The `resource_metadata` URL of the challenges (default: the RFC 9728 well-known URL
    /// of the audience, when it is an `https` or `http` URL); `None` leaves it out.
    #[must_use]
    pub fn resource_metadata_url(mut self, url: Option<String>) -> Self {
        self.resource_metadata = Some(url);
        self
    }

    /// The RFC 9728 metadata document (default: `resource` = the audience,
    /// `authorization_servers` = the issuer).
    #[must_use]
    pub fn metadata(mut self, metadata: ProtectedResourceMetadata) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Introspects tokens that are not JWTs (RFC 7662) instead of refusing them.
    #[must_use]
    pub fn introspection(mut self, introspection: Introspection) -> Self {
        self.introspection = Some(introspection);
        self
    }

    /// The resource server.
    #[must_use]
    pub fn build(self) -> ResourceServer {
        let audience = self.validation.audience().to_owned();
        let resource_metadata = self.resource_metadata.unwrap_or_else(|| {
            url::Url::parse(&audience)
                .ok()
                .filter(|u| matches!(u.scheme(), "https" | "http"))
                .map(|u| metadata_url(&u).to_string())
        });
        let dpop = self.dpop.map(DpopRuntime::new);
        let dpop_algs = dpop.as_ref().map(|d| d.verifier.algs_parameter());
        let required = dpop.as_ref().is_some_and(|d| d.required);
        let metadata = self.metadata.unwrap_or_else(|| {
            let mut metadata = ProtectedResourceMetadata::new(&audience)
                .authorization_server(self.validation.issuer());
            if let Some(algs) = &dpop_algs {
                metadata = metadata
                    .dpop_signing_alg_values_supported(algs.split(' '))
                    .dpop_bound_access_tokens_required(required);
            }
            metadata
        });
        let metadata_path = url::Url::parse(metadata.resource())
            .ok()
            .filter(|u| u.has_host())
            .map_or_else(
                || crate::WELL_KNOWN_PATH.to_owned(),
                |u| metadata_url(&u).path().to_owned(),
            );
        let challenge = ChallengeParams {
            realm: self.realm,
            resource_metadata,
            bearer: !required,
            dpop_algs,
        };
        ResourceServer {
            inner: Arc::new(Inner {
                validation: self.validation,
                keys: self.keys,
                required_scope: self.required_scope,
                challenge,
                metadata,
                metadata_path,
                dpop,
                introspection: self.introspection,
            }),
        }
    }
}
