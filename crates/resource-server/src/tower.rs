//! The tower integration (feature `tower`): a [`Layer`] that verifies every request, puts the
//! [`Principal`] in the request extensions, answers refusals with their challenge, and serves
//! the RFC 9728 metadata document.

use crate::{Challenge, Principal, RequestInfo, ResourceServer};
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue, WWW_AUTHENTICATE};
use http::{Method, Request, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower_layer::Layer;
use tower_service::Service;

/// The DER client certificate the TLS layer authenticated, as a request extension: insert it
/// before the [`ResourceServerLayer`] so that certificate-bound tokens (RFC 8705) can be
/// checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCertificate(pub Vec<u8>);

/// A tower [`Layer`] protecting a service with a [`ResourceServer`].
///
/// Requests with an acceptable token reach the inner service with the [`Principal<T>`] in
/// their extensions; the others are answered here with the challenge's status,
/// `WWW-Authenticate` and `DPoP-Nonce` headers and an empty body. `GET` of the RFC 9728
/// metadata path ([`ResourceServer::metadata_path`]) is answered with the document.
///
/// ```
/// use jose_core::jwk::JwkSet;
/// use resource_server::{AccessTokenValidation, ResourceServer, ResourceServerLayer, StaticKeys};
///
/// # fn demo(keys: JwkSet) {
/// let server = ResourceServer::builder(
///     AccessTokenValidation::new("https://issuer.example", "https://api.example"),
///     StaticKeys::new(keys),
/// )
/// .build();
/// let layer: ResourceServerLayer = ResourceServerLayer::new(server);
/// # let _ = layer;
/// # }
/// ```
#[derive(Debug)]
pub struct ResourceServerLayer<T = Map<String, Value>> {
    server: ResourceServer,
    claims: PhantomData<fn() -> T>,
}

impl<T> Clone for ResourceServerLayer<T> {
    fn clone(&self) -> Self {
        Self {
            server: self.server.clone(),
            claims: PhantomData,
        }
    }
}

impl<T> ResourceServerLayer<T> {
    /// The layer of `server`; the principal's claims are deserialized into `T`.
    #[must_use]
    pub fn new(server: ResourceServer) -> Self {
        Self {
            server,
            claims: PhantomData,
        }
    }
}

impl<S, T> Layer<S> for ResourceServerLayer<T> {
    type Service = ResourceServerService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        ResourceServerService {
            inner,
            server: self.server.clone(),
            claims: PhantomData,
        }
    }
}

/// The service of a [`ResourceServerLayer`].
#[derive(Debug)]
pub struct ResourceServerService<S, T = Map<String, Value>> {
    inner: S,
    server: ResourceServer,
    claims: PhantomData<fn() -> T>,
}

impl<S: Clone, T> Clone for ResourceServerService<S, T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            server: self.server.clone(),
            claims: PhantomData,
        }
    }
}

/// The future of a [`ResourceServerService`].
pub type ResponseFuture<R, E> = Pin<Box<dyn Future<Output = Result<R, E>> + Send>>;

impl<S, T, B, R> Service<Request<B>> for ResourceServerService<S, T>
where
    S: Service<Request<B>, Response = Response<R>> + Clone + Send + 'static,
    S::Future: Send,
    B: Send + 'static,
    R: Default + From<String>,
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Response = Response<R>;
    type Error = S::Error;
    type Future = ResponseFuture<Response<R>, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let server = self.server.clone();
        Box::pin(async move {
            if is_metadata_request(&server, &request) {
                return Ok(metadata_response(&server));
            }
            let (mut parts, body) = request.into_parts();
            let certificate = parts.extensions.get::<ClientCertificate>();
            let verified = authenticate_parts::<T>(
                &server,
                &parts.method,
                &parts.uri,
                &parts.headers,
                certificate,
            )
            .await;
            match verified {
                Ok(principal) => {
                    parts.extensions.insert(principal);
                    inner.call(Request::from_parts(parts, body)).await
                }
                Err(challenge) => Ok(challenge_response(&challenge)),
            }
        })
    }
}

/// Runs the core on the parts of an `http` request.
pub(crate) async fn authenticate_parts<T: DeserializeOwned + 'static>(
    server: &ResourceServer,
    method: &Method,
    uri: &http::Uri,
    headers: &http::HeaderMap,
    certificate: Option<&ClientCertificate>,
) -> Result<Principal<T>, Challenge> {
    let target = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut info = RequestInfo::new(method.as_str(), target);
    for (name, value) in headers {
        info.push_header(name.as_str(), value.as_bytes());
    }
    if let Some(ClientCertificate(der)) = certificate {
        info = info.client_certificate(der);
    }
    server.authenticate(&info).await
}

fn is_metadata_request<B>(server: &ResourceServer, request: &Request<B>) -> bool {
    (request.method() == Method::GET || request.method() == Method::HEAD)
        && request.uri().path() == server.metadata_path_str()
}

/// The RFC 9728 document as a `200 application/json` response.
pub fn metadata_response<R: From<String>>(server: &ResourceServer) -> Response<R> {
    let mut response = Response::new(R::from(server.metadata().to_json()));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A challenge as a response with an empty body.
pub fn challenge_response<R: Default>(challenge: &Challenge) -> Response<R> {
    let mut response = Response::new(R::default());
    *response.status_mut() =
        StatusCode::from_u16(challenge.status()).unwrap_or(StatusCode::UNAUTHORIZED);
    let headers = response.headers_mut();
    if let Some(value) = challenge.www_authenticate()
        && let Ok(value) = HeaderValue::from_str(value)
    {
        headers.insert(WWW_AUTHENTICATE, value);
    }
    if let Some(nonce) = challenge.dpop_nonce()
        && let Ok(value) = HeaderValue::from_str(nonce)
    {
        headers.insert(HeaderName::from_static("dpop-nonce"), value);
    }
    response
}
