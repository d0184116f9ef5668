//! The code grant from what a web framework hands over at the redirect URI: the registered
//! redirect URI from configuration and the received query string or form body, so that the
//! current URL never has to be rebuilt (behind a proxy it would come out wrong).

use crate::{AuthorizationCodeGrantChecks, Callback, Configuration, Error, Params, TokenResponse};
use url::Url;

impl Configuration {
    /// [`Configuration::authorization_code_grant`] for a handler that has the query string
    /// (`code=...&state=...&iss=...`) and knows its registered `redirect_uri`: the same
    /// checks, with `redirect_uri` sent to the token endpoint exactly as given.
    ///
    /// ```no_run
    /// # async fn demo(
    /// #     config: &oauth_client::Configuration,
    /// #     query: &str, // the request's query string, as the framework gives it
    /// #     verifier: String, state: String, nonce: String, // from the session
    /// # ) -> Result<(), oauth_client::Error> {
    /// use oauth_client::{AuthorizationCodeGrantChecks, Params, Url};
    ///
    /// let redirect_uri = Url::parse("https://rp.example/cb").unwrap(); // as registered
    /// let checks = AuthorizationCodeGrantChecks::new()
    ///     .pkce_code_verifier(verifier)
    ///     .expected_state(state)
    ///     .expected_nonce(nonce);
    /// let tokens = config
    ///     .authorization_code_grant_from_query(&redirect_uri, query, &checks, Params::new())
    ///     .await?;
    /// # let _ = tokens;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Callback::from_query`] and [`Configuration::authorization_code_grant`].
    pub async fn authorization_code_grant_from_query(
        &self,
        redirect_uri: &Url,
        query: &str,
        checks: &AuthorizationCodeGrantChecks,
        params: impl Into<Params>,
    ) -> Result<TokenResponse, Error> {
        let callback = Callback::from_query(redirect_uri, query)?;
        self.authorization_code_grant_with_callback(&callback, checks, params)
            .await
    }

    /// [`Configuration::authorization_code_grant`] for `response_mode=form_post`: the
    /// registered `redirect_uri` and the body the user agent posted to it.
    ///
    /// # Errors
    /// As [`Callback::from_form_post`] and [`Configuration::authorization_code_grant`].
    pub async fn authorization_code_grant_from_form_post(
        &self,
        redirect_uri: &Url,
        body: &[u8],
        checks: &AuthorizationCodeGrantChecks,
        params: impl Into<Params>,
    ) -> Result<TokenResponse, Error> {
        let callback = Callback::from_form_post(redirect_uri, body)?;
        self.authorization_code_grant_with_callback(&callback, checks, params)
            .await
    }
}
