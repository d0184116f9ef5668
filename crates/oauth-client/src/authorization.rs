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
/// # Errors
/// [`Error::Random`] when the operating system's generator fails.
pub fn random_state() -> Result<String, Error> {
    jose_core::rand::token(RANDOM_BYTES).map_err(|_| Error::Random)
}

/// A random `nonce` value (256 bits, base64url).
///
/// # Errors
/// [`Error::Random`] when the operating system's generator fails.
pub fn random_nonce() -> Result<String, Error> {
    jose_core::rand::token(RANDOM_BYTES).map_err(|_| Error::Random)
}

/// A random PKCE `code_verifier` (RFC 7636 §4.1: 43 characters of base64url, 256 bits).
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

fn with_params(mut url: Url, params: &Params) -> Url {
    {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in params.iter() {
            pairs.append_pair(k, v);
        }
    }
    url
}

impl Configuration {
    /// The URL to send the user agent to: the authorization endpoint with `client_id`,
    /// `response_type` (`code` unless given) and `params` in its query.
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
    /// [`Error::MissingEndpoint`] when the server has no authorization endpoint.
    pub fn build_authorization_url(&self, params: impl Into<Params>) -> Result<Url, Error> {
        let url = self.endpoint(Endpoint::Authorization)?;
        let mut params = params.into();
        params.remove("client_id");
        let mut all = Params::from([("client_id", self.client_id())]);
        all.merge(&params);
        all.insert_default("response_type", "code");
        Ok(with_params(url, &all))
    }

    /// The URL for RP-initiated logout: the end-session endpoint with `client_id` and
    /// `params` (`id_token_hint`, `post_logout_redirect_uri`, `state`, ...).
    ///
    /// # Errors
    /// [`Error::MissingEndpoint`] when the server has no end-session endpoint.
    pub fn build_end_session_url(&self, params: impl Into<Params>) -> Result<Url, Error> {
        let url = self.endpoint(Endpoint::EndSession)?;
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
