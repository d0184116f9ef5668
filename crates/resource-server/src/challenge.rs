//! The answer to a refused request: RFC 6750 §3 `Bearer` and RFC 9449 §7.1 `DPoP`
//! challenges, with RFC 9728's `resource_metadata`.

use crate::{Rejection, Scheme};

/// What the server says in its challenges whatever the rejection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ChallengeParams {
    /// `realm`, when configured.
    pub(crate) realm: Option<String>,
    /// The RFC 9728 metadata URL (`resource_metadata`).
    pub(crate) resource_metadata: Option<String>,
    /// Whether `Bearer` tokens are accepted (a `Bearer` challenge is sent).
    pub(crate) bearer: bool,
    /// The DPoP `algs` when DPoP is accepted (a `DPoP` challenge is sent).
    pub(crate) dpop_algs: Option<String>,
}

/// A refused request's answer: the status, the `WWW-Authenticate` value and, for a DPoP
/// nonce challenge, the `DPoP-Nonce` header. No body is needed.
///
/// The `error_description` is a fixed sentence per kind of rejection; what went wrong in
/// detail goes to `tracing`, never to the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    status: u16,
    www_authenticate: Option<String>,
    dpop_nonce: Option<String>,
    code: &'static str,
}

impl Challenge {
    pub(crate) fn new(
        rejection: &Rejection,
        used: Option<Scheme>,
        params: &ChallengeParams,
    ) -> Self {
        let status = rejection.status();
        let www_authenticate = (status != 503).then(|| {
            let mut out = Vec::new();
            let used = used.unwrap_or(if params.bearer {
                Scheme::Bearer
            } else {
                Scheme::Dpop
            });
            for scheme in [Scheme::Bearer, Scheme::Dpop] {
                let offered = match scheme {
                    Scheme::Bearer => params.bearer,
                    Scheme::Dpop => params.dpop_algs.is_some(),
                };
                let carries_error = scheme == used && rejection.error_code().is_some();
                if offered || carries_error {
                    out.push(one_challenge(
                        scheme,
                        carries_error.then_some(rejection),
                        params,
                    ));
                }
            }
            out.join(", ")
        });
        Self {
            status,
            www_authenticate,
            dpop_nonce: None,
            code: rejection.code(),
        }
    }

    /// Adds a `DPoP-Nonce` header to the answer.
    #[must_use]
    pub(crate) fn with_dpop_nonce(mut self, nonce: String) -> Self {
        self.dpop_nonce = Some(nonce);
        self
    }

    /// The HTTP status: 400, 401, 403, or 503 when the server could not check the request.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `WWW-Authenticate` value (absent for 503).
    #[must_use]
    pub fn www_authenticate(&self) -> Option<&str> {
        self.www_authenticate.as_deref()
    }

    /// The `DPoP-Nonce` header value, for a `use_dpop_nonce` challenge.
    #[must_use]
    pub fn dpop_nonce(&self) -> Option<&str> {
        self.dpop_nonce.as_deref()
    }

    /// The rejection's stable code ([`Rejection::code`]), for metrics.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.code
    }
}

fn one_challenge(
    scheme: Scheme,
    rejection: Option<&Rejection>,
    params: &ChallengeParams,
) -> String {
    let mut attrs: Vec<(&str, String)> = Vec::new();
    if let Some(realm) = &params.realm {
        attrs.push(("realm", realm.clone()));
    }
    if let Some(rejection) = rejection {
        if let Some(error) = rejection.error_code() {
            attrs.push(("error", error.to_owned()));
        }
        if let Some(description) = rejection.description() {
            attrs.push(("error_description", description.to_owned()));
        }
        if let Rejection::InsufficientScope { required } = rejection {
            attrs.push(("scope", required.to_string()));
        }
    }
    if scheme == Scheme::Dpop
        && let Some(algs) = &params.dpop_algs
    {
        attrs.push(("algs", algs.clone()));
    }
    if let Some(url) = &params.resource_metadata {
        attrs.push(("resource_metadata", url.clone()));
    }
    let mut out = String::from(scheme.as_str());
    for (i, (name, value)) in attrs.iter().enumerate() {
        out.push_str(if i == 0 { " " } else { ", " });
        out.push_str(name);
        out.push_str("=\"");
        push_quoted(&mut out, value);
        out.push('"');
    }
    out
}

/// The inside of a quoted-string (RFC 9110 §5.6.4): `"` and `\` escaped, control characters
/// dropped.
fn push_quoted(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ScopeSet, TokenError};

    fn params(dpop: bool) -> ChallengeParams {
        ChallengeParams {
            realm: None,
            resource_metadata: Some(
                "https://api.example/.well-known/oauth-protected-resource".into(),
            ),
            bearer: true,
            dpop_algs: dpop.then(|| "ES256 PS256".into()),
        }
    }

    #[test]
    fn missing_credentials_is_a_bare_401_challenge() {
        let c = Challenge::new(&Rejection::MissingCredentials, None, &params(false));
        assert_eq!(c.status(), 401);
        assert_eq!(
            c.www_authenticate(),
            Some(
                "Bearer resource_metadata=\"https://api.example/.well-known/oauth-protected-resource\""
            )
        );
    }

    #[test]
    fn missing_credentials_offers_dpop_with_algs() {
        let c = Challenge::new(&Rejection::MissingCredentials, None, &params(true));
        let value = c.www_authenticate().unwrap_or_default();
        assert!(value.starts_with("Bearer resource_metadata="), "{value}");
        assert!(
            value.contains(", DPoP algs=\"ES256 PS256\", resource_metadata="),
            "{value}"
        );
        assert!(!value.contains("error"), "{value}");
    }

    #[test]
    fn statuses_follow_rfc_6750() {
        let p = params(false);
        let invalid = Rejection::InvalidRequest("the request has several Authorization headers");
        assert_eq!(Challenge::new(&invalid, None, &p).status(), 400);
        let token = Rejection::InvalidToken(TokenError::AcrNotAccepted);
        let c = Challenge::new(&token, Some(Scheme::Bearer), &p);
        assert_eq!(c.status(), 401);
        assert!(
            c.www_authenticate()
                .unwrap_or_default()
                .starts_with("Bearer error=\"invalid_token\"")
        );
        let mut required = ScopeSet::new();
        required.insert("write").unwrap_or_default();
        let scope = Rejection::InsufficientScope { required };
        let c = Challenge::new(&scope, Some(Scheme::Bearer), &p);
        assert_eq!(c.status(), 403);
        assert!(
            c.www_authenticate()
                .unwrap_or_default()
                .contains("scope=\"write\"")
        );
    }

    #[test]
    fn unavailable_is_503_without_details() {
        let c = Challenge::new(
            &Rejection::Unavailable("redis at 10.0.0.3 refused".into()),
            None,
            &params(true),
        );
        assert_eq!(c.status(), 503);
        assert_eq!(c.www_authenticate(), None);
    }

    #[test]
    fn errors_go_on_the_scheme_the_client_used() {
        let token = Rejection::InvalidToken(TokenError::CertificateMismatch);
        let c = Challenge::new(&token, Some(Scheme::Dpop), &params(true));
        let value = c.www_authenticate().unwrap_or_default();
        assert!(value.starts_with("Bearer resource_metadata="), "{value}");
        assert!(value.contains("DPoP error=\"invalid_token\""), "{value}");
    }

    #[test]
    fn quoted_values_are_escaped() {
        let mut out = String::new();
        push_quoted(&mut out, "a\"b\\c\nd");
        assert_eq!(out, "a\\\"b\\\\cd");
    }
}
