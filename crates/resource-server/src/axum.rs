//! The axum integration (feature `axum`): the [`Authenticated`] extractor.

use crate::tower::{ClientCertificate, authenticate_parts, challenge_response};
use crate::{Challenge, Principal, ResourceServer};
use axum::extract::{FromRef, FromRequestParts};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The verified caller of a handler.
///
/// It takes the [`Principal<T>`] the [`ResourceServerLayer`](crate::ResourceServerLayer)
/// put in the request extensions, or verifies the request itself with the
/// [`ResourceServer`] of the router's state (`ResourceServer: FromRef<S>`). A refused request
/// never reaches the handler: it is answered with the challenge.
///
/// ```
/// use axum::{Router, routing::get};
/// use resource_server::{Authenticated, ResourceServer};
///
/// async fn me(Authenticated(principal): Authenticated) -> String {
///     principal.access_token().subject().to_owned()
/// }
///
/// fn app(server: ResourceServer) -> Router {
///     Router::new().route("/me", get(me)).with_state(server)
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Authenticated<T = Map<String, Value>>(pub Principal<T>);

/// A refusal as an axum response: the challenge's status and headers, an empty body.
#[derive(Clone, Debug)]
pub struct ChallengeResponse(pub Challenge);

impl IntoResponse for ChallengeResponse {
    fn into_response(self) -> Response {
        challenge_response(&self.0)
    }
}

impl<S, T> FromRequestParts<S> for Authenticated<T>
where
    ResourceServer: FromRef<S>,
    S: Send + Sync,
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Rejection = ChallengeResponse;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(principal) = parts.extensions.get::<Principal<T>>() {
            return Ok(Self(principal.clone()));
        }
        let server = ResourceServer::from_ref(state);
        let certificate = parts.extensions.get::<ClientCertificate>();
        authenticate_parts(
            &server,
            &parts.method,
            &parts.uri,
            &parts.headers,
            certificate,
        )
        .await
        .map(Self)
        .map_err(ChallengeResponse)
    }
}
