//! A scripted user agent: follows the provider's redirect chain with a cookie jar.

use crate::HarnessError;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use std::collections::BTreeMap;
use std::sync::Mutex;
use url::Url;

/// Most redirects followed before giving up.
const MAX_HOPS: usize = 20;

/// Where the provider sent the user agent back to the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The URL: the redirect URI with the response in its query (or fragment), or for
    /// `response_mode=form_post` the form's action.
    pub url: Url,
    /// For `response_mode=form_post`: the form's fields, `application/x-www-form-urlencoded`.
    pub form_body: Option<String>,
}

impl Redirect {
    /// A parameter of the query, fragment, or form body.
    #[must_use]
    pub fn param(&self, name: &str) -> Option<String> {
        let from = |pairs: url::form_urlencoded::Parse<'_>| {
            pairs
                .into_iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        if let Some(body) = &self.form_body {
            return from(url::form_urlencoded::parse(body.as_bytes()));
        }
        from(self.url.query_pairs()).or_else(|| {
            self.url
                .fragment()
                .and_then(|f| from(url::form_urlencoded::parse(f.as_bytes())))
        })
    }
}

/// A browser stand-in for the authorization and logout flows.
///
/// It never contacts the client's redirect URI: it stops as soon as the provider points there.
/// Cookies are kept by name (paths and expiry are ignored, which is enough for one provider
/// on loopback).
#[derive(Debug)]
pub struct UserAgent {
    http: reqwest::Client,
    cookies: Mutex<BTreeMap<String, String>>,
}

impl UserAgent {
    /// A user agent with an empty cookie jar.
    ///
    /// # Errors
    /// [`HarnessError::Http`] when the HTTP client cannot be built.
    pub fn new() -> Result<Self, HarnessError> {
        Ok(Self {
            http: loopback_client()?,
            cookies: Mutex::new(BTreeMap::new()),
        })
    }

    /// Opens an authorization URL and follows the provider's redirects (login, consent) until
    /// it redirects to a URL starting with `redirect_uri`, or answers with a `form_post` form
    /// aimed there.
    ///
    /// # Errors
    /// [`HarnessError::UnexpectedPage`] when the provider shows a page instead (for example an
    /// error page for an unregistered redirect URI), or [`HarnessError::Http`].
    pub async fn authorize(&self, url: &Url, redirect_uri: &str) -> Result<Redirect, HarnessError> {
        let mut current = url.clone();
        for _ in 0..MAX_HOPS {
            if current.as_str().starts_with(redirect_uri) {
                return Ok(Redirect {
                    url: current,
                    form_body: None,
                });
            }
            let response = self.send(self.http.get(current.clone())).await?;
            let status = response.status().as_u16();
            if let Some(next) = location(&response, &current)? {
                current = next;
                continue;
            }
            let body = response
                .text()
                .await
                .map_err(|e| HarnessError::Http(e.to_string()))?;
            if let Some(form) = html_form(&body)
                && form.action.starts_with(redirect_uri)
            {
                let url = Url::parse(&form.action)
                    .map_err(|e| HarnessError::Http(format!("form action: {e}")))?;
                return Ok(Redirect {
                    url,
                    form_body: Some(form.encoded()),
                });
            }
            return Err(HarnessError::unexpected(&current, status, &body));
        }
        Err(HarnessError::Http("too many redirects".into()))
    }

    /// Opens an end-session (RP-initiated logout) URL, confirms the logout form, and returns
    /// where the provider sent the user agent afterwards (the post-logout redirect URI when
    /// one was accepted, otherwise the provider's success page).
    ///
    /// # Errors
    /// [`HarnessError::UnexpectedPage`] when no logout form is shown, or [`HarnessError::Http`].
    pub async fn end_session(&self, url: &Url) -> Result<Url, HarnessError> {
        let response = self.send(self.http.get(url.clone())).await?;
        let status = response.status().as_u16();
        let body = response
            .text()
            .await
            .map_err(|e| HarnessError::Http(e.to_string()))?;
        let Some(mut form) = html_form(&body) else {
            return Err(HarnessError::unexpected(url, status, &body));
        };
        form.fields.push(("logout".into(), "yes".into()));
        let action = url
            .join(&form.action)
            .map_err(|e| HarnessError::Http(format!("form action: {e}")))?;
        let request = self
            .http
            .post(action.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form.encoded());
        let response = self.send(request).await?;
        match location(&response, &action)? {
            Some(next) => Ok(next),
            None => Err(HarnessError::unexpected(
                &action,
                response.status().as_u16(),
                &response.text().await.unwrap_or_default(),
            )),
        }
    }

    /// Forgets all cookies (a new browser).
    pub fn clear_cookies(&self) {
        if let Ok(mut jar) = self.cookies.lock() {
            jar.clear();
        }
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, HarnessError> {
        let cookie_header = self.cookie_header();
        let request = if cookie_header.is_empty() {
            request
        } else {
            request.header(COOKIE, cookie_header)
        };
        let response = request
            .send()
            .await
            .map_err(|e| HarnessError::Http(e.to_string()))?;
        self.store_cookies(&response);
        Ok(response)
    }

    fn cookie_header(&self) -> String {
        match self.cookies.lock() {
            Ok(jar) => jar
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
            Err(_) => String::new(),
        }
    }

    fn store_cookies(&self, response: &reqwest::Response) {
        let Ok(mut jar) = self.cookies.lock() else {
            return;
        };
        for value in response.headers().get_all(SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let mut parts = text.split(';');
            let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            let expired = parts.any(|attr| {
                let attr = attr.trim().to_ascii_lowercase();
                attr == "max-age=0" || attr.starts_with("expires=thu, 01 jan 1970")
            });
            if expired || value.is_empty() {
                jar.remove(name.trim());
            } else {
                jar.insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }
}

/// A reqwest client for plain HTTP on loopback: no redirects, no proxies.
pub(crate) fn loopback_client() -> Result<reqwest::Client, HarnessError> {
    // Loopback over plain HTTP only, but reqwest wants a TLS configuration: an empty one (no
    // roots), passed in so no process-wide provider is needed.
    let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| HarnessError::Http(e.to_string()))?
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .map_err(|e| HarnessError::Http(e.to_string()))
}

fn location(response: &reqwest::Response, base: &Url) -> Result<Option<Url>, HarnessError> {
    if !response.status().is_redirection() {
        return Ok(None);
    }
    let Some(value) = response.headers().get(LOCATION) else {
        return Err(HarnessError::Http("redirect without Location".into()));
    };
    let text = value
        .to_str()
        .map_err(|_| HarnessError::Http("non-ASCII Location".into()))?;
    base.join(text)
        .map(Some)
        .map_err(|e| HarnessError::Http(format!("bad Location {text:?}: {e}")))
}

/// The first `<form>` of a page: its action and hidden fields.
struct HtmlForm {
    action: String,
    fields: Vec<(String, String)>,
}

impl HtmlForm {
    fn encoded(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.fields.iter())
            .finish()
    }
}

fn html_form(html: &str) -> Option<HtmlForm> {
    let start = html.find("<form")?;
    let form = &html[start..];
    let end = form.find("</form>").unwrap_or(form.len());
    let form = &form[..end];
    let tag_end = form.find('>')?;
    let action = attribute(&form[..tag_end], "action")?;
    let mut fields = Vec::new();
    let mut rest = &form[tag_end..];
    while let Some(i) = rest.find("<input") {
        rest = &rest[i..];
        let close = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..close];
        if let (Some(name), Some(value)) = (attribute(tag, "name"), attribute(tag, "value")) {
            fields.push((name, value));
        }
        rest = &rest[close..];
    }
    Some(HtmlForm { action, fields })
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape_html(&tag[start..end]))
}

fn unescape_html(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
