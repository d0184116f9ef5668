//! The authorization response at the redirect URI: parsing (query or `form_post` body) and
//! validation (RFC 6749 §4.1.2, RFC 9207).

use crate::error::AuthorizationErrorResponse;
use crate::{Configuration, Error};
use jose_core::constant_time_eq;
use url::Url;

/// Largest callback (query or form body) accepted.
pub const MAX_CALLBACK_BYTES: usize = 64 << 10;

/// Where the authorization response parameters were found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseSource {
    /// The redirect URI's query (`response_mode=query`, the default of the code flow).
    Query,
    /// The redirect URI's fragment (`response_mode=fragment`, the default of the hybrid
    /// flow); a server-side application gets it from its page's script.
    Fragment,
    /// A `response_mode=form_post` body.
    FormPost,
}

/// The parameters delivered to the redirect URI, read from the query, the fragment, or a
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
    source: ResponseSource,
}

impl core::fmt::Debug for Callback {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Callback")
            .field("redirect_uri", &self.redirect_uri)
            .field(
                "params",
                &self.params.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("source", &self.source)
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
    /// The response in the URL the user agent was redirected to: its query, or, when the
    /// query is empty, its fragment (the hybrid flow and `response_mode=fragment.jwt`; the
    /// plain code flow refuses a fragment response when it is validated).
    ///
    /// # Errors
    /// [`Error::InvalidCallback`] for repeated parameters or an oversized query or fragment.
    pub fn from_url(url: &Url) -> Result<Self, Error> {
        let query = url.query().unwrap_or_default();
        let (source, text) = match url.fragment() {
            Some(fragment) if query.is_empty() && !fragment.is_empty() => {
                (ResponseSource::Fragment, fragment)
            }
            _ => (ResponseSource::Query, query),
        };
        Ok(Self {
            redirect_uri: base(url),
            params: parse_pairs(text.as_bytes())?,
            source,
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
            source: ResponseSource::FormPost,
        })
    }

    /// The response as a web framework hands it over: the client's registered
    /// `redirect_uri` (from configuration, not rebuilt from the request, so a proxy in front
    /// cannot change it) and the query string the user agent came back with (`code=..&state=..`,
    /// a leading `?` is ignored).
    ///
    /// ```
    /// use oauth_client::{Callback, Url};
    ///
    /// let redirect_uri = Url::parse("https://rp.example/cb").unwrap();
    /// let callback = Callback::from_query(&redirect_uri, "code=abc&state=xyz")?;
    /// assert_eq!(callback.get("code"), Some("abc"));
    /// assert_eq!(callback.redirect_uri(), "https://rp.example/cb");
    /// # Ok::<(), oauth_client::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a redirect URI with a fragment (RFC 6749 §3.1.2 forbids
    /// one); [`Error::InvalidCallback`] for repeated parameters or an oversized query.
    pub fn from_query(redirect_uri: &Url, query: &str) -> Result<Self, Error> {
        if redirect_uri.fragment().is_some() {
            return Err(Error::InvalidArgument(
                "the redirect URI must not have a fragment",
            ));
        }
        let query = query.strip_prefix('?').unwrap_or(query);
        Ok(Self {
            redirect_uri: redirect_uri.to_string(),
            params: parse_pairs(query.as_bytes())?,
            source: ResponseSource::Query,
        })
    }

    /// Where the parameters were found.
    #[must_use]
    pub fn source(&self) -> ResponseSource {
        self.source
    }

    /// The same callback with other parameters (the claims of a JARM response).
    pub(crate) fn with_params(&self, params: Vec<(String, String)>) -> Self {
        Self {
            redirect_uri: self.redirect_uri.clone(),
            params,
            source: self.source,
        }
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

/// How an authorization response may look, besides the checks every response gets.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ResponseShape {
    /// The hybrid flow: an `id_token` must come along, and not in the query.
    pub(crate) hybrid: bool,
    /// The parameters came out of a JARM response JWT.
    pub(crate) from_jarm: bool,
    /// The JARM response JWT was encrypted (so even tokens may travel in the query).
    pub(crate) encrypted: bool,
}

impl Configuration {
    /// Validates an authorization response for the code flow and returns its `code`: the
    /// RFC 9207 `iss` parameter, `state`, then an error response, then the code.
    ///
    /// This is the plain code flow's check. JARM (`response`) and hybrid (`id_token`)
    /// responses need signature checks and are handled by
    /// [`Configuration::authorization_code_grant`] when the configuration enables them.
    ///
    /// # Errors
    /// [`Error::ResponseIssuer`], [`Error::State`], [`Error::Authorization`] for an error
    /// response, [`Error::InvalidCallback`] for a response without `code`, in the fragment,
    /// or with front-channel tokens or JARM.
    ///
    /// ```
    /// use oauth_client::{Callback, ClientAuth, ClientMetadata, Configuration, ExpectedState, ServerMetadata};
    /// use url::Url;
    ///
    /// let config = Configuration::new(
    ///     ServerMetadata::new("https://op.example"),
    ///     ClientMetadata::new("rp"),
    ///     ClientAuth::none(),
    /// )?;
    /// let url = Url::parse("https://rp.example/cb?code=c-1&state=s-1&iss=https%3A%2F%2Fop.example")?;
    /// let callback = Callback::from_url(&url)?;
    /// let code = config.validate_authorization_response(&callback, &ExpectedState::Value("s-1".into()))?;
    /// assert_eq!(code, "c-1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate_authorization_response<'a>(
        &self,
        callback: &'a Callback,
        expected_state: &ExpectedState,
    ) -> Result<&'a str, Error> {
        self.check_response_params(
            callback,
            expected_state,
            ResponseShape {
                hybrid: false,
                from_jarm: false,
                encrypted: false,
            },
        )
    }

    pub(crate) fn check_response_params<'a>(
        &self,
        callback: &'a Callback,
        expected_state: &ExpectedState,
        shape: ResponseShape,
    ) -> Result<&'a str, Error> {
        if callback.get("response").is_some() && !shape.from_jarm {
            return Err(Error::InvalidCallback(
                "a JARM response (response parameter) was not expected",
            ));
        }
        if !shape.from_jarm && !shape.hybrid && callback.source() == ResponseSource::Fragment {
            return Err(Error::InvalidCallback(
                "the response is in the URL fragment; the code flow uses the query",
            ));
        }
        if shape.hybrid && !shape.encrypted && callback.source() == ResponseSource::Query {
            return Err(Error::InvalidCallback(
                "a hybrid response must not travel in the query (it carries an ID Token)",
            ));
        }
        let issuer = &self.inner.server.issuer;
        match callback.get("iss") {
            Some(iss) if iss != issuer => {
                return Err(Error::ResponseIssuer("iss names another issuer"));
            }
            // A hybrid response's ID Token names the issuer instead (servers leave `iss` out
            // then); its `iss` claim is checked with the token.
            None if self
                .inner
                .server
                .authorization_response_iss_parameter_supported
                == Some(true)
                && !(shape.hybrid && callback.get("id_token").is_some()) =>
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
        if callback.get("access_token").is_some() {
            return Err(Error::InvalidCallback(
                "front-channel access tokens were not expected",
            ));
        }
        if !shape.hybrid && callback.get("id_token").is_some() {
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
