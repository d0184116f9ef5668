//! Protected resource requests (RFC 6750 §2.1, RFC 9449 §7).

use crate::error::ChallengeResponse;
use crate::http::{Headers, HttpResponse, Method};
use crate::request::{Outgoing, challenges};
use crate::{Configuration, Error};
use url::Url;

impl Configuration {
    /// Calls a protected resource with an access token in the `Authorization` header
    /// (`Bearer`, or `DPoP` with a proof when the configuration has a DPoP handle).
    ///
    /// Any response is returned, except one whose status is 4xx/5xx with a `WWW-Authenticate`
    /// challenge: that becomes [`Error::Challenge`] with the parsed challenges (RFC 9110
    /// §11.6.1), so an expired or insufficient token is a typed error.
    ///
    /// ```no_run
    /// # async fn demo(config: oauth_client::Configuration, token: &str) -> Result<(), oauth_client::Error> {
    /// use oauth_client::http::{Headers, Method};
    ///
    /// let url = url::Url::parse("https://api.example/accounts").unwrap();
    /// match config.fetch_protected_resource(token, Method::GET, &url, Headers::new(), None).await {
    ///     Ok(response) => println!("{} bytes", response.body.len()),
    ///     Err(oauth_client::Error::Challenge(c)) if c.error() == Some("invalid_token") => {
    ///         // refresh the token and try again
    ///     }
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Challenge`], [`Error::InsecureUrl`], or transport errors.
    pub async fn fetch_protected_resource(
        &self,
        access_token: &str,
        method: Method,
        url: &Url,
        headers: Headers,
        body: Option<Vec<u8>>,
    ) -> Result<HttpResponse, Error> {
        const EP: &str = "resource";
        let mut request = Outgoing::new(EP, method, url.clone());
        request.headers = headers;
        request
            .headers
            .set("authorization", self.authorization_value(access_token));
        request.body = body;
        request.access_token = Some(access_token.to_owned());
        let response = self.send(request, true).await?;
        if response.status >= 400 {
            let challenges = challenges(&response);
            if !challenges.is_empty() {
                return Err(Error::Challenge(Box::new(ChallengeResponse {
                    endpoint: EP,
                    status: response.status,
                    challenges,
                    body: response.body,
                })));
            }
        }
        Ok(response)
    }
}
