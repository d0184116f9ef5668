//! The authorization response at the redirect URI: parsing (query or `form_post` body) and
//! validation (RFC 6749 §4.1.2, RFC 9207).

use crate::error::AuthorizationErrorResponse;
use crate::{Configuration, Error};
use jose_core::constant_time_eq;
use url::Url;

/// Largest callback (query or form body) accepted.
pub const MAX_CALLBACK_BYTES: usize = 64 << 10;

/// The parameters delivered to the redirect URI, read from the query or from a
/// `response_mode=form_post` body.
///
/// ```
/// use oauth_client::Callback;
/// use url::Url;
///
/// let url = Url::parse("https://rp.example/cb?code=abc&state=xyz").unwrap();
/// let callback = Callback::from_url(&url)?;
/// assert_eq!(callback.get("code"), Some("abc"));
/// assert_eq!(callback.redirect_uri(), "https://rp.example/cb");
///
/// // form_post: the URL the form was posted to, and the body.
/// let callback = Callback::from_form_post(
///     &Url::parse("https://rp.example/cb").unwrap(),
///     b"code=abc&state=xyz",
/// )?;
/// assert_eq!(callback.get("state"), Some("xyz"));
/// # Ok::<(), oauth_client::Error>(())
/// ```
///
/// `Debug` shows the parameter names only.
#[derive(Clone, PartialEq, Eq)]
pub struct Callback {
    redirect_uri: String,
    params: Vec<(String, String)>,
}

impl core::fmt::Debug for Callback {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Callback")
            .field("redirect_uri", &self.redirect_uri)
            .field(
                "params",
                &self.params.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}

fn parse_pairs(input: &[u8]) -> Result<Vec<(String, String)>, Error> {
    if input.len() > MAX_CALLBACK_BYTES {
        return Err(Error::InvalidCallback("the response is too large"));
    }
    let mut params: Vec<(String, String)> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(input) {
        if params.iter().any(|(name, _)| *name == k) {
            // RFC 6749 §3.1: parameters must not be included more than once.
            return Err(Error::InvalidCallback("a parameter appears more than once"));
        }
        params.push((k.into_owned(), v.into_owned()));
    }
    Ok(params)
}

fn base(url: &Url) -> String {
    let mut base = url.clone();
    base.set_query(None);
    base.set_fragment(None);
    base.to_string()
}

impl Callback {
    /// The response in the query of the URL the user agent was redirected to.
    ///
    /// # Errors
    /// [`Error::InvalidCallback`] for repeated parameters, an oversized query, or a response
    /// in the fragment (that is the implicit or hybrid flow, not this one).
    pub fn from_url(url: &Url) -> Result<Self, Error> {
        let query = url.query().unwrap_or_default();
        if query.is_empty()
            && url.fragment().is_some_and(|f| {
                f.contains("code=") || f.contains("error=") || f.contains("id_token=")
            })
        {
            return Err(Error::InvalidCallback(
                "the response is in the URL fragment; the code flow uses the query",
            ));
        }
        Ok(Self {
            redirect_uri: base(url),
            params: parse_pairs(query.as_bytes())?,
        })
    }

    /// The response of `response_mode=form_post`: `url` is the redirect URI the form was
    /// posted to, `body` the `application/x-www-form-urlencoded` request body.
    ///
    /// # Errors
    /// [`Error::InvalidCallback`] for repeated parameters or an oversized body.
    pub fn from_form_post(url: &Url, body: &[u8]) -> Result<Self, Error> {
        Ok(Self {
            redirect_uri: base(url),
            params: parse_pairs(body)?,
        })
    }

    /// The redirect URI: the URL without query or fragment. It is sent to the token endpoint
    /// as `redirect_uri`.
    #[must_use]
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// A parameter.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// All parameters.
    #[must_use]
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }
}

/// What the authorization response's `state` must be.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExpectedState {
    /// The request carried no `state`: the response must not either.
    #[default]
    None,
    /// The response's `state` must equal this.
    Value(String),
    /// Do not check `state`. Only when `state` is integrity-protected and bound to the browser
    /// session by other means; otherwise this opens the door to CSRF.
    Skip,
}

impl Configuration {
    /// Validates an authorization response for the code flow and returns its `code`: the
    /// RFC 9207 `iss` parameter, `state`, then an error response, then the code.
    ///
    /// # Errors
    /// [`Error::ResponseIssuer`], [`Error::State`], [`Error::Authorization`] for an error
    /// response, [`Error::InvalidCallback`] for a response without `code` or with
    /// front-channel tokens or JARM.
    pub fn validate_authorization_response<'a>(
        &self,
        callback: &'a Callback,
        expected_state: &ExpectedState,
    ) -> Result<&'a str, Error> {
        if callback.get("response").is_some() {
            return Err(Error::InvalidCallback(
                "a JARM response (response parameter) was not expected",
            ));
        }
        let issuer = &self.inner.server.issuer;
        match callback.get("iss") {
            Some(iss) if iss != issuer => {
                return Err(Error::ResponseIssuer("iss names another issuer"));
            }
            None if self
                .inner
                .server
                .authorization_response_iss_parameter_supported
                == Some(true) =>
            {
                return Err(Error::ResponseIssuer(
                    "iss is missing although the server advertises it",
                ));
            }
            _ => {}
        }
        match (expected_state, callback.get("state")) {
            (ExpectedState::Skip, _) | (ExpectedState::None, None) => {}
            (ExpectedState::None, Some(_)) => {
                return Err(Error::State("state is present but none was sent"));
            }
            (ExpectedState::Value(_), None) => return Err(Error::State("state is missing")),
            (ExpectedState::Value(expected), Some(found)) => {
                if !constant_time_eq(expected.as_bytes(), found.as_bytes()) {
                    return Err(Error::State("state does not match"));
                }
            }
        }
        if let Some(error) = callback.get("error") {
            return Err(Error::Authorization(Box::new(AuthorizationErrorResponse {
                error: error.to_owned(),
                error_description: callback.get("error_description").map(str::to_owned),
                error_uri: callback.get("error_uri").map(str::to_owned),
                params: callback.params.clone(),
            })));
        }
        if callback.get("id_token").is_some() || callback.get("access_token").is_some() {
            return Err(Error::InvalidCallback(
                "front-channel tokens were not expected in the code flow",
            ));
        }
        match callback.get("code") {
            Some(code) if !code.is_empty() => Ok(code),
            _ => Err(Error::InvalidCallback("the response has no code")),
        }
    }
}
