//! Authorization and end-session URLs, and the random values and PKCE challenge a request
//! needs.

use crate::config::Endpoint;
use crate::{Configuration, Error, Params};
use sha2::{Digest, Sha256};
use url::Url;

/// Bytes of entropy in [`random_state`], [`random_nonce`] and [`random_pkce_code_verifier`].
const RANDOM_BYTES: usize = 32;

/// A random `state` value (256 bits, base64url).
///
/// ```
/// let state = oauth_client::random_state()?; // keep it in the session, send it as `state`
/// assert_eq!(state.len(), 43);
/// # Ok::<(), oauth_client::Error>(())
/// ```
///
/// # Errors
/// [`Error::Random`] when the operating system's generator fails.
pub fn random_state() -> Result<String, Error> {
    jose_core::rand::token(RANDOM_BYTES).map_err(|_| Error::Random)
}

/// A random `nonce` value (256 bits, base64url).
///
/// ```
/// let nonce = oauth_client::random_nonce()?; // keep it in the session, send it as `nonce`
/// assert_eq!(nonce.len(), 43);
/// # Ok::<(), oauth_client::Error>(())
/// ```
///
/// # Errors
/// [`Error::Random`] when the operating system's generator fails.
pub fn random_nonce() -> Result<String, Error> {
    jose_core::rand::token(RANDOM_BYTES).map_err(|_| Error::Random)
}

/// A random PKCE `code_verifier` (RFC 7636 §4.1: 43 characters of base64url, 256 bits).
///
/// ```
/// use oauth_client::{pkce_code_challenge, random_pkce_code_verifier};
///
/// let verifier = random_pkce_code_verifier()?; // keep it in the session
/// let challenge = pkce_code_challenge(&verifier); // send it with code_challenge_method=S256
/// assert_ne!(verifier, challenge);
/// # Ok::<(), oauth_client::Error>(())
/// ```
///
/// # Errors
/// [`Error::Random`] when the operating system's generator fails.
pub fn random_pkce_code_verifier() -> Result<String, Error> {
    jose_core::rand::token(RANDOM_BYTES).map_err(|_| Error::Random)
}

/// The S256 `code_challenge` of a `code_verifier`: `base64url(SHA-256(verifier))`.
///
/// ```
/// // RFC 7636 Appendix B.
/// assert_eq!(
///     oauth_client::pkce_code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
///     "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
/// );
/// ```
#[must_use]
pub fn pkce_code_challenge(code_verifier: &str) -> String {
    jose_core::b64::encode(Sha256::digest(code_verifier.as_bytes()))
}

pub(crate) fn with_params(mut url: Url, params: &Params) -> Url {
    {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in params.iter() {
            pairs.append_pair(k, v);
        }
    }
    url
}

impl Configuration {
    /// The authorization request parameters with the defaults this configuration implies:
    /// `client_id` first, `response_type` (`code`, or `code id_token` for the hybrid flow),
    /// `response_mode=jwt` with JARM, and `dpop_jkt` with a DPoP handle that has a thumbprint
    /// (when `with_jkt`); parameters given explicitly win.
    pub(crate) fn authorization_params(&self, params: Params, with_jkt: bool) -> Params {
        let mut params = params;
        params.remove("client_id");
        let mut all = Params::from([("client_id", self.client_id())]);
        all.merge(&params);
        let options = &self.inner.options;
        all.insert_default(
            "response_type",
            if options.hybrid {
                "code id_token"
            } else {
                "code"
            },
        );
        if options.jarm {
            all.insert_default("response_mode", "jwt");
        }
        if with_jkt && let Some(jkt) = self.dpop.as_ref().and_then(|d| d.jkt()) {
            all.insert_default("dpop_jkt", jkt);
        }
        all
    }

    /// Whether the server or the client's metadata demands pushed authorization requests.
    pub(crate) fn requires_par(&self) -> bool {
        self.inner.server.require_pushed_authorization_requests == Some(true)
            || self.inner.client.require_pushed_authorization_requests == Some(true)
    }

    /// Whether the server or the client's metadata demands signed request objects.
    pub(crate) fn requires_request_object(&self) -> bool {
        self.inner.server.require_signed_request_object == Some(true)
            || self.inner.client.require_signed_request_object == Some(true)
    }

    /// The URL to send the user agent to: the authorization endpoint with `client_id`,
    /// `response_type` (`code` unless given; `code id_token` with
    /// [`ConfigurationBuilder::use_code_id_token_response_type`](crate::ConfigurationBuilder::use_code_id_token_response_type)),
    /// `response_mode=jwt` with JARM, `dpop_jkt` with a DPoP handle (binding the code to
    /// the DPoP key, RFC 9449 §10), and `params` in its query.
    ///
    /// ```no_run
    /// # fn demo(config: &oauth_client::Configuration) -> Result<(), oauth_client::Error> {
    /// use oauth_client::{Params, pkce_code_challenge, random_pkce_code_verifier};
    ///
    /// let verifier = random_pkce_code_verifier()?; // keep it in the session
    /// let url = config.build_authorization_url(Params::from([
    ///     ("redirect_uri", "https://rp.example/cb"),
    ///     ("scope", "openid email"),
    ///     ("code_challenge", pkce_code_challenge(&verifier).as_str()),
    ///     ("code_challenge_method", "S256"),
    /// ]))?;
    /// # let _ = url;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::MissingEndpoint`] when the server has no authorization endpoint;
    /// [`Error::PushedAuthorizationRequired`] when the server's
    /// `require_pushed_authorization_requests` (or the client's) is set: use
    /// [`Configuration::build_authorization_url_with_par`];
    /// [`Error::RequestObjectRequired`] when `require_signed_request_object` is set: use
    /// [`Configuration::build_authorization_url_with_jar`]; [`Error::InsecureUrl`] for an
    /// `http:` authorization endpoint without
    /// [`ConfigurationBuilder::allow_insecure_requests`](crate::ConfigurationBuilder::allow_insecure_requests).
    pub fn build_authorization_url(&self, params: impl Into<Params>) -> Result<Url, Error> {
        if self.requires_par() {
            return Err(Error::PushedAuthorizationRequired);
        }
        let params = params.into();
        if self.requires_request_object() && !params.contains("request") {
            return Err(Error::RequestObjectRequired);
        }
        let url = self.front_channel_endpoint(Endpoint::Authorization)?;
        Ok(with_params(url, &self.authorization_params(params, true)))
    }

    /// The URL for RP-initiated logout: the end-session endpoint with `client_id` and
    /// `params` (`id_token_hint`, `post_logout_redirect_uri`, `state`, ...).
    ///
    /// ```
    /// use oauth_client::{ClientAuth, ClientMetadata, Configuration, Params, ServerMetadata};
    ///
    /// let mut server = ServerMetadata::new("https://op.example");
    /// server.end_session_endpoint = Some(url::Url::parse("https://op.example/logout")?);
    /// let config = Configuration::new(server, ClientMetadata::new("rp"), ClientAuth::none())?;
    /// # let id_token = "eyJ...";
    /// let url = config.build_end_session_url(Params::from([
    ///     ("id_token_hint", id_token),
    ///     ("post_logout_redirect_uri", "https://rp.example/logged-out"),
    /// ]))?;
    /// assert!(url.as_str().starts_with("https://op.example/logout?client_id=rp&"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::MissingEndpoint`] when the server has no end-session endpoint;
    /// [`Error::InsecureUrl`] for an `http:` one without
    /// [`ConfigurationBuilder::allow_insecure_requests`](crate::ConfigurationBuilder::allow_insecure_requests).
    pub fn build_end_session_url(&self, params: impl Into<Params>) -> Result<Url, Error> {
        let url = self.front_channel_endpoint(Endpoint::EndSession)?;
        let mut params = params.into();
        params.remove("client_id");
        let mut all = Params::from([("client_id", self.client_id())]);
        all.merge(&params);
        Ok(with_params(url, &all))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    #[test]
    fn random_values_are_43_characters_and_distinct() {
        let a = random_pkce_code_verifier().unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_pkce_code_verifier().unwrap());
        assert_ne!(random_state().unwrap(), random_nonce().unwrap());
    }
}
