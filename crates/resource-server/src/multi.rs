//! Several issuers (multi-tenant): an allow-list of per-issuer servers, the token's `iss`
//! picking one.

use crate::{
    Challenge, Credentials, Principal, Rejection, RequestInfo, ResourceServer, TokenError,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Accepts the tokens of several issuers, each with its own [`ResourceServer`] (keys,
/// audience, scopes, DPoP, introspection).
///
/// A JWT's unverified `iss` only **selects** the configuration: the token is then verified by
/// that issuer's server alone, with that issuer's keys, and `iss` is checked again there. An
/// issuer that is not on the list is refused (`invalid_token`) without any network request:
/// configurations are never created from a token. Tokens that are not JWTs (opaque) go to the
/// first server, which introspects them if it is configured to.
///
/// ```
/// use jose_core::jwk::JwkSet;
/// use resource_server::{AccessTokenValidation, MultiIssuer, ResourceServer, StaticKeys};
///
/// # fn demo(keys_a: JwkSet, keys_b: JwkSet) -> Result<(), resource_server::Rejection> {
/// let tenant = |issuer: &str, keys| {
///     ResourceServer::builder(AccessTokenValidation::new(issuer, "https://api.example"), StaticKeys::new(keys)).build()
/// };
/// let servers = MultiIssuer::new([
///     tenant("https://a.issuer.example", keys_a),
///     tenant("https://b.issuer.example", keys_b),
/// ])?;
/// # let _ = servers;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct MultiIssuer {
    primary: ResourceServer,
    servers: Vec<ResourceServer>,
}

impl MultiIssuer {
    /// The allow-list: one server per issuer, the first also answering requests whose issuer
    /// is unknown (its challenges) and opaque tokens.
    ///
    /// # Errors
    /// [`Rejection::Unavailable`] (a configuration error) for an empty list or an issuer
    /// listed twice.
    pub fn new(servers: impl IntoIterator<Item = ResourceServer>) -> Result<Self, Rejection> {
        let servers: Vec<ResourceServer> = servers.into_iter().collect();
        let Some(primary) = servers.first().cloned() else {
            return Err(Rejection::Unavailable("no issuer is configured".into()));
        };
        for (i, server) in servers.iter().enumerate() {
            let issuer = server.validation().issuer();
            if servers
                .iter()
                .skip(i + 1)
                .any(|s| s.validation().issuer() == issuer)
            {
                return Err(Rejection::Unavailable(format!(
                    "issuer {issuer} is listed twice"
                )));
            }
        }
        Ok(Self { primary, servers })
    }

    /// The server of `issuer` (compared exactly), if it is on the list.
    #[must_use]
    pub fn server(&self, issuer: &str) -> Option<&ResourceServer> {
        self.servers
            .iter()
            .find(|s| s.validation().issuer() == issuer)
    }

    /// Verifies a request with the server its token's issuer selects.
    ///
    /// # Errors
    /// As [`ResourceServer::verify`]; an issuer not on the list is `invalid_token`.
    pub async fn verify<T: DeserializeOwned + 'static>(
        &self,
        request: &RequestInfo<'_>,
    ) -> Result<Principal<T>, Rejection> {
        self.select(request)?.verify(request).await
    }

    /// [`MultiIssuer::verify`] with the refusal turned into the selected (or first) server's
    /// challenge.
    ///
    /// # Errors
    /// The [`Challenge`] to send.
    pub async fn authenticate<T: DeserializeOwned + 'static>(
        &self,
        request: &RequestInfo<'_>,
    ) -> Result<Principal<T>, Challenge> {
        match self.select(request) {
            Ok(server) => server.authenticate(request).await,
            Err(rejection) => {
                let scheme =
                    Credentials::from_authorization(request.header_values("authorization"))
                        .ok()
                        .flatten()
                        .map(|c| c.scheme());
                Err(self.primary().challenge(&rejection, scheme))
            }
        }
    }

    fn primary(&self) -> &ResourceServer {
        &self.primary
    }

    /// The server for the request's token: by its unverified `iss`, the first for requests
    /// without a JWT.
    fn select(&self, request: &RequestInfo<'_>) -> Result<&ResourceServer, Rejection> {
        let Some(credentials) =
            Credentials::from_authorization(request.header_values("authorization"))?
        else {
            return Ok(self.primary());
        };
        let Ok((_, claims)) = jwt_claims::decode_unverified(credentials.token()) else {
            return Ok(self.primary());
        };
        let issuer = match claims.get("iss") {
            Some(Value::String(iss)) => iss.as_str(),
            _ => {
                return Err(
                    TokenError::Jwt(jwt_claims::JwtError::MissingClaim("iss".into())).into(),
                );
            }
        };
        self.server(issuer).ok_or_else(|| {
            TokenError::Jwt(jwt_claims::JwtError::IssuerMismatch {
                found: jose_core::json::truncate_for_error(issuer),
            })
            .into()
        })
    }
}
