//! The default [`HttpClient`]: reqwest with rustls.

use super::{BoxFuture, Headers, HttpClient, HttpError, HttpRequest, HttpResponse};
use crate::Error;
use jose_core::SecretBytes;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

/// [`HttpClient`] on reqwest, with rustls (aws-lc-rs provider) and the platform's certificate
/// verifier. Its own client never follows redirects; a client wrapped with
/// [`ReqwestHttpClient::from_reqwest`] whose policy follows them has every redirected answer
/// refused.
///
/// ```no_run
/// use oauth_client::ReqwestHttpClient;
///
/// // mTLS (RFC 8705): the client certificate goes through the HTTP layer.
/// # let (chain_pem, key_pem) = (b"".as_slice(), b"".as_slice());
/// let http = ReqwestHttpClient::builder()
///     .client_certificate(chain_pem, key_pem)
///     .build()?;
/// # Ok::<(), oauth_client::Error>(())
/// ```
#[derive(Clone)]
pub struct ReqwestHttpClient {
    client: reqwest::Client,
}

/// Shows no TLS configuration (the client's private key is part of it).
impl std::fmt::Debug for ReqwestHttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReqwestHttpClient").finish_non_exhaustive()
    }
}

/// Options for [`ReqwestHttpClient`].
///
/// The client certificate's private key is held zeroized on drop and `Debug` shows only
/// whether there is one.
#[derive(Default)]
pub struct ReqwestHttpClientBuilder {
    identity: Option<(Vec<u8>, SecretBytes)>,
    extra_roots: Vec<Vec<u8>>,
    use_env_proxy: bool,
    user_agent: Option<String>,
}

impl std::fmt::Debug for ReqwestHttpClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReqwestHttpClientBuilder")
            .field("client_certificate", &self.identity.is_some())
            .field("extra_roots", &self.extra_roots.len())
            .field("use_env_proxy", &self.use_env_proxy)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

impl ReqwestHttpClientBuilder {
    /// Presents this client certificate (PEM chain, leaf first) with its PEM private key in TLS
    /// handshakes: `tls_client_auth`, `self_signed_tls_client_auth` and certificate-bound tokens.
    #[must_use]
    pub fn client_certificate(mut self, chain_pem: &[u8], key_pem: &[u8]) -> Self {
        self.identity = Some((chain_pem.to_vec(), SecretBytes::from(key_pem)));
        self
    }

    /// Trusts these PEM root certificates in addition to the platform's.
    #[must_use]
    pub fn add_root_certificates(mut self, pem: &[u8]) -> Self {
        self.extra_roots.push(pem.to_vec());
        self
    }

    /// Sends requests through the proxies named by `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY`
    /// (off by default: the client talks to the servers it was configured for, directly).
    #[must_use]
    pub fn use_env_proxy(mut self) -> Self {
        self.use_env_proxy = true;
        self
    }

    /// Sets the `User-Agent` header.
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidConfiguration`] for unreadable certificates or keys, or when the TLS
    /// configuration cannot be built.
    pub fn build(self) -> Result<ReqwestHttpClient, Error> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut roots = Vec::new();
        for pem in &self.extra_roots {
            for cert in CertificateDer::pem_slice_iter(pem) {
                roots.push(cert.map_err(|e| tls_error("root certificate", &e))?);
            }
        }
        let verifier = if roots.is_empty() {
            rustls_platform_verifier::Verifier::new(provider.clone())
        } else {
            rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider.clone())
        }
        .map_err(|e| tls_error("certificate verifier", &e))?;
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error("protocol versions", &e))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier));
        let mut tls = match &self.identity {
            None => builder.with_no_client_auth(),
            Some((chain_pem, key_pem)) => {
                let chain = CertificateDer::pem_slice_iter(chain_pem)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| tls_error("client certificate", &e))?;
                if chain.is_empty() {
                    return Err(Error::InvalidConfiguration(
                        "the client certificate PEM holds no certificate".into(),
                    ));
                }
                let key = PrivateKeyDer::from_pem_slice(key_pem.expose())
                    .map_err(|e| tls_error("client key", &e))?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(|e| tls_error("client certificate", &e))?
            }
        };
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let mut client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .redirect(reqwest::redirect::Policy::none());
        if !self.use_env_proxy {
            client = client.no_proxy();
        }
        if let Some(ua) = self.user_agent {
            client = client.user_agent(ua);
        }
        let client = client
            .build()
            .map_err(|e| Error::InvalidConfiguration(format!("HTTP client: {e}")))?;
        Ok(ReqwestHttpClient { client })
    }
}

fn tls_error(what: &str, e: &dyn std::fmt::Display) -> Error {
    Error::InvalidConfiguration(format!("TLS {what}: {e}"))
}

impl ReqwestHttpClient {
    /// A client with the defaults: platform roots, no client certificate, no proxy.
    ///
    /// # Errors
    /// As [`ReqwestHttpClientBuilder::build`].
    pub fn new() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// Options for a client.
    #[must_use]
    pub fn builder() -> ReqwestHttpClientBuilder {
        ReqwestHttpClientBuilder::default()
    }

    /// Wraps a reqwest client you configured yourself (proxies, connection pool, TLS).
    ///
    /// This ties your code to the reqwest version of this crate; the [`HttpClient`] trait does
    /// not. Build it with `redirect(reqwest::redirect::Policy::none())`: responses of OAuth
    /// endpoints must not be replaced by what a redirect points to. With a policy that follows
    /// redirects, a response whose final URL is not the requested one is refused
    /// ([`HttpError::Transport`]), but the request has by then been sent again to the
    /// redirect's target: reqwest drops the `Authorization` header across hosts, not the body.
    #[must_use]
    pub fn from_reqwest(client: reqwest::Client) -> Self {
        Self { client }
    }
}

impl HttpClient for ReqwestHttpClient {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        Box::pin(async move {
            let method = reqwest::Method::from_bytes(request.method.as_str().as_bytes())
                .map_err(|e| HttpError::Transport(e.to_string()))?;
            let mut builder = self
                .client
                .request(method, request.url.as_str())
                .timeout(request.timeout);
            for (name, value) in request.headers.iter() {
                builder = builder.header(name, value);
            }
            if let Some(body) = request.body {
                builder = builder.body(body);
            }
            let mut response = builder.send().await.map_err(map_error)?;
            if response.url().as_str() != request.url.as_str() {
                // A wrapped client (`from_reqwest`) may follow redirects; its answer is not
                // the endpoint's.
                return Err(HttpError::Transport(
                    "the response comes from a redirect, and redirects are never followed".into(),
                ));
            }
            let limit = request.max_response_bytes;
            if response
                .content_length()
                .is_some_and(|len| len > limit as u64)
            {
                return Err(HttpError::ResponseTooLarge { limit });
            }
            let status = response.status().as_u16();
            let headers: Headers = response
                .headers()
                .iter()
                .filter_map(|(k, v)| {
                    v.to_str()
                        .ok()
                        .map(|v| (k.as_str().to_owned(), v.to_owned()))
                })
                .collect();
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(map_error)? {
                if body.len() + chunk.len() > limit {
                    return Err(HttpError::ResponseTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(HttpResponse::new(status, headers, body))
        })
    }
}

fn map_error(e: reqwest::Error) -> HttpError {
    if e.is_timeout() {
        HttpError::Timeout
    } else {
        // The chain of sources says what failed (DNS, connect, TLS); no request data is in it.
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        HttpError::Transport(message)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn debug_shows_no_client_key() {
        let key_pem = b"-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n";
        let builder = ReqwestHttpClient::builder()
            .client_certificate(b"-----BEGIN CERTIFICATE-----\n", key_pem)
            .user_agent("test");
        let shown = format!("{builder:?}");
        assert!(shown.contains("client_certificate: true"), "{shown}");
        for secret in ["c2VjcmV0LWtleS1tYXRlcmlhbA", "PRIVATE KEY", "99, 50, 86"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        let client = ReqwestHttpClient::new().unwrap();
        assert_eq!(format!("{client:?}"), "ReqwestHttpClient { .. }");
    }
}
