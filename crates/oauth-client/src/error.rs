//! Errors of the `oauth-client` crate.

use crate::www_authenticate::Challenge;
use jose_core::json::JsonError;
use serde_json::{Map, Value};

/// Which ID Token check failed (see [`Error::IdToken`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdTokenCheck {
    /// The response has no `id_token` although one was expected.
    Missing,
    /// The ID Token is not a compact JWS with a JSON object payload.
    Format,
    /// `iss` is missing or differs from the issuer.
    Issuer,
    /// `sub` is missing or not a string.
    Subject,
    /// `aud` is missing or does not contain the `client_id`.
    Audience,
    /// `aud` has other audiences and `azp` is missing, or `azp` is not the `client_id`.
    AuthorizedParty,
    /// `exp` is missing or has passed.
    Expiration,
    /// `iat` is missing or in the future.
    IssuedAt,
    /// `nbf` is in the future.
    NotBefore,
    /// `nonce` differs from the expected one, is missing, or is present when none was sent.
    Nonce,
    /// `auth_time` is missing although required, or older than `max_age` allows.
    AuthTime,
    /// `at_hash` does not match the access token.
    AccessTokenHash,
    /// `c_hash` does not match the authorization code, or is missing from a hybrid flow's
    /// front-channel ID Token.
    CodeHash,
    /// `s_hash` does not match the `state`, or is missing although detached signature checks
    /// require it.
    StateHash,
    /// A registered claim has the wrong type.
    ClaimType,
    /// The header's `typ` is neither absent nor `JWT`: the token was typed for another
    /// profile (`at+jwt`, `logout+jwt`, ...; RFC 8725 §3.11) and is not an ID Token.
    Type,
}

impl IdTokenCheck {
    /// The claim the check is about, when there is one.
    #[must_use]
    pub fn claim(self) -> Option<&'static str> {
        Some(match self {
            IdTokenCheck::Issuer => "iss",
            IdTokenCheck::Subject => "sub",
            IdTokenCheck::Audience => "aud",
            IdTokenCheck::AuthorizedParty => "azp",
            IdTokenCheck::Expiration => "exp",
            IdTokenCheck::IssuedAt => "iat",
            IdTokenCheck::NotBefore => "nbf",
            IdTokenCheck::Nonce => "nonce",
            IdTokenCheck::AuthTime => "auth_time",
            IdTokenCheck::AccessTokenHash => "at_hash",
            IdTokenCheck::CodeHash => "c_hash",
            IdTokenCheck::StateHash => "s_hash",
            _ => return None,
        })
    }
}

/// An OAuth error response from an endpoint (`{"error": "...", ...}`; RFC 6749 §5.2).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct OAuthErrorResponse {
    /// Which endpoint answered (`token`, `introspection`, ...).
    pub endpoint: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// `error`.
    pub error: String,
    /// `error_description`.
    pub error_description: Option<String>,
    /// `error_uri`.
    pub error_uri: Option<String>,
    /// The whole JSON body.
    pub body: Map<String, Value>,
    /// Challenges of a `WWW-Authenticate` header sent along, if any.
    pub challenges: Vec<Challenge>,
}

/// An authorization error response delivered to the redirect URI (RFC 6749 §4.1.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthorizationErrorResponse {
    /// `error` (for example `access_denied`).
    pub error: String,
    /// `error_description`.
    pub error_description: Option<String>,
    /// `error_uri`.
    pub error_uri: Option<String>,
    /// All response parameters.
    pub params: Vec<(String, String)>,
}

/// A `WWW-Authenticate` challenge answered instead of the resource (RFC 9110 §11.6.1).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ChallengeResponse {
    /// Which endpoint answered (`userinfo`, `resource`, ...).
    pub endpoint: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The parsed challenges, in order.
    pub challenges: Vec<Challenge>,
    /// The response body (often empty).
    pub body: Vec<u8>,
}

impl ChallengeResponse {
    /// The `error` parameter of the first challenge that has one (for example `invalid_token`).
    #[must_use]
    pub fn error(&self) -> Option<&str> {
        self.challenges.iter().find_map(Challenge::error)
    }
}

/// Why an OAuth / OpenID Connect operation failed.
///
/// Variants are grouped by phase: configuration and arguments, transport, what the server
/// answered (an OAuth error, an authorization error, a challenge), responses that break the
/// protocol, and the ID Token and JWT checks. [`Error::code`] gives stable identifiers in the
/// style of openid-client's error codes. Tokens, codes and secrets never appear in messages.
///
/// openid-client's error classes are variants here: `ResponseBodyError` is [`Error::OAuth`],
/// `AuthorizationResponseError` is [`Error::Authorization`], `WWWAuthenticateChallengeError`
/// is [`Error::Challenge`], and `ClientError` is every other variant.
///
/// ```no_run
/// # async fn demo(config: &oauth_client::Configuration, url: &url::Url, checks: &oauth_client::AuthorizationCodeGrantChecks) {
/// use oauth_client::{Error, Params};
///
/// match config.authorization_code_grant(url, checks, Params::new()).await {
///     Ok(tokens) => println!("{:?}", tokens.claims().map(|c| &c.sub)),
///     // The user said no at the authorization server.
///     Err(Error::Authorization(e)) if e.error == "access_denied" => println!("cancelled"),
///     // The token endpoint answered with an OAuth error body.
///     Err(Error::OAuth(e)) => println!("{} {}: {:?}", e.status, e.error, e.error_description),
///     // Anything else: transport, protocol violations, ID Token checks.
///     Err(e) => println!("{}: {e}", e.code()),
/// }
/// # }
/// ```
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // --- Configuration and arguments ----------------------------------------------------------
    /// The server metadata lacks an endpoint the operation needs.
    #[error("the authorization server metadata has no {0}")]
    MissingEndpoint(&'static str),
    /// A URL is `http:` (or another scheme) and `allow_insecure_requests` is not set.
    #[error("refusing a non-HTTPS {what} URL without allow_insecure_requests: {url}")]
    InsecureUrl {
        /// What the URL is for.
        what: &'static str,
        /// The URL (without query or fragment).
        url: String,
    },
    /// The configuration cannot work (for example a secret too short for HS256).
    #[error("invalid configuration: {0}")]
    InvalidConfiguration(String),
    /// An argument is unusable.
    #[error("invalid argument: {0}")]
    InvalidArgument(&'static str),
    /// An authorization code grant without PKCE and without a `state` check: nothing binds
    /// the code to this browser session (code injection, CSRF). Set
    /// [`AuthorizationCodeGrantChecks::pkce_code_verifier`](crate::AuthorizationCodeGrantChecks::pkce_code_verifier)
    /// or [`AuthorizationCodeGrantChecks::expected_state`](crate::AuthorizationCodeGrantChecks::expected_state).
    #[error(
        "the authorization code grant has neither PKCE nor a state check: set AuthorizationCodeGrantChecks::pkce_code_verifier or expected_state (insecure_without_pkce_or_state opts out)"
    )]
    UnprotectedCodeGrant,
    /// The server (`require_pushed_authorization_requests`) or the client's metadata demands
    /// pushed authorization requests (RFC 9126): use
    /// [`Configuration::build_authorization_url_with_par`](crate::Configuration::build_authorization_url_with_par).
    #[error("the authorization server requires pushed authorization requests (PAR)")]
    PushedAuthorizationRequired,
    /// The server or the client's metadata demands signed request objects (RFC 9101 §10.5):
    /// use [`Configuration::build_authorization_url_with_jar`](crate::Configuration::build_authorization_url_with_jar).
    #[error("the authorization server requires signed request objects (JAR)")]
    RequestObjectRequired,

    // --- Transport ----------------------------------------------------------------------------
    /// The request did not complete within the configured timeout.
    #[error("the {endpoint} request timed out")]
    Timeout {
        /// The endpoint.
        endpoint: &'static str,
    },
    /// Connecting, TLS, or the exchange failed.
    #[error("the {endpoint} request failed: {message}")]
    Transport {
        /// The endpoint.
        endpoint: &'static str,
        /// What the HTTP layer reported.
        message: String,
    },
    /// The response body is larger than the configured cap.
    #[error("the {endpoint} response exceeds {limit} bytes")]
    ResponseTooLarge {
        /// The endpoint.
        endpoint: &'static str,
        /// The cap.
        limit: usize,
    },

    // --- What the server answered ---------------------------------------------------------------
    /// The endpoint answered with an OAuth error body (`invalid_grant`, `invalid_client`, ...).
    #[error("the {} endpoint answered {} {}{}", .0.endpoint, .0.status, .0.error, .0.description_suffix())]
    OAuth(Box<OAuthErrorResponse>),
    /// The authorization response at the redirect URI is an error (`access_denied`, ...).
    #[error("authorization error response: {}", .0.error)]
    Authorization(Box<AuthorizationErrorResponse>),
    /// The endpoint answered with a `WWW-Authenticate` challenge.
    #[error("the {} endpoint answered {} with a WWW-Authenticate challenge{}", .0.endpoint, .0.status, .0.error().map(|e| format!(" ({e})")).unwrap_or_default())]
    Challenge(Box<ChallengeResponse>),

    // --- Responses that break the protocol -------------------------------------------------------
    /// The discovered metadata names another issuer than the one asked for.
    #[error("the discovered issuer {found:?} is not the expected {expected:?}")]
    IssuerMismatch {
        /// The issuer asked for.
        expected: String,
        /// The metadata's `issuer` (shortened).
        found: String,
    },
    /// The status is not what the endpoint should answer.
    #[error("the {endpoint} endpoint answered with unexpected status {status}")]
    UnexpectedStatus {
        /// The endpoint.
        endpoint: &'static str,
        /// The status.
        status: u16,
    },
    /// The response's content type is not the one the protocol requires.
    #[error(
        "the {endpoint} response has {}, expected {expected}",
        shown_content_type(found.as_deref())
    )]
    UnexpectedContentType {
        /// The endpoint.
        endpoint: &'static str,
        /// The required media type(s).
        expected: &'static str,
        /// What came (shortened).
        found: Option<String>,
    },
    /// The body is not acceptable JSON (malformed, duplicate members, too deep, not an object).
    #[error("the {endpoint} response is not a valid JSON object: {source}")]
    InvalidJson {
        /// The endpoint.
        endpoint: &'static str,
        /// What is wrong.
        source: JsonError,
    },
    /// A required response member is missing.
    #[error("the {endpoint} response has no {field:?}")]
    MissingField {
        /// The endpoint.
        endpoint: &'static str,
        /// The member.
        field: &'static str,
    },
    /// A response member has the wrong type or value.
    #[error("the {endpoint} response member {field:?} is invalid: {reason}")]
    InvalidField {
        /// The endpoint.
        endpoint: &'static str,
        /// The member.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },

    // --- The authorization response (callback) -----------------------------------------------
    /// The callback cannot be read (duplicate parameters, oversized, fragment instead of query).
    #[error("invalid authorization response: {0}")]
    InvalidCallback(&'static str),
    /// `state` is missing, unexpected, or differs from the expected value.
    #[error("authorization response state check failed: {0}")]
    State(&'static str),
    /// The RFC 9207 `iss` parameter is missing (the server advertises it) or names another
    /// issuer.
    #[error("authorization response issuer check failed: {0}")]
    ResponseIssuer(&'static str),

    // --- ID Tokens and JWT responses ------------------------------------------------------------
    /// An ID Token check failed.
    #[error("ID Token {check:?} check failed: {detail}")]
    IdToken {
        /// Which check.
        check: IdTokenCheck,
        /// What was wrong (never the token).
        detail: String,
    },
    /// A JWT (ID Token, JWT UserInfo, JWT introspection) is unsigned (`alg: none` or no
    /// signature); unsigned tokens are never accepted.
    #[error("the {what} is not signed")]
    UnsignedJwt {
        /// What was unsigned.
        what: &'static str,
    },
    /// The JWT's `alg` is not one the client accepts for it.
    #[error("the {what} is signed with {alg:?}, which is not allowed here")]
    AlgorithmNotAllowed {
        /// What was signed.
        what: &'static str,
        /// The algorithm (shortened).
        alg: String,
    },
    /// No key of the authorization server's JWK Set (even after a refetch) fits the JWT.
    #[error("no key of the authorization server's JWK Set verifies the {what}{}", kid.as_ref().map(|k| format!(" (kid {k:?})")).unwrap_or_default())]
    KeyNotFound {
        /// What was signed.
        what: &'static str,
        /// The header's `kid`.
        kid: Option<String>,
    },
    /// Signature verification or JWT decoding failed.
    #[error("the {what} failed verification: {source}")]
    Jwt {
        /// What was verified.
        what: &'static str,
        /// The JWS / JWT error.
        source: jwt_claims::JwtError,
    },
    /// A claim of a JWT response other than an ID Token failed a check.
    #[error("the {what} claim {claim:?} is invalid: {reason}")]
    JwtClaim {
        /// What was verified.
        what: &'static str,
        /// The claim.
        claim: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// Claims read with `deserialize::<T>()` (ID Token, UserInfo, introspection) do not fit
    /// the application's type `T`.
    #[error("the {what} claims do not fit the requested type: {reason}")]
    ClaimsShape {
        /// Whose claims.
        what: &'static str,
        /// What serde reported.
        reason: String,
    },
    /// A `WWW-Authenticate` header value breaks the RFC 9110 syntax or a limit.
    #[error("invalid WWW-Authenticate header: {0}")]
    InvalidChallenge(&'static str),
    /// The JWK Set of the authorization server is unusable.
    #[error("the authorization server's JWK Set is unusable: {0}")]
    Jwks(String),
    /// The UserInfo `sub` differs from the expected subject.
    #[error("the UserInfo subject does not match the ID Token subject")]
    SubjectMismatch,
    /// A JWT access token is not bound to the client's TLS certificate: its `cnf.x5t#S256`
    /// is missing or names another certificate (RFC 8705 §3).
    #[error("certificate-bound access token check failed: {0}")]
    CertificateBinding(&'static str),

    // --- Polling (device authorization grant) ------------------------------------------------
    /// Polling stopped at its deadline (the device code's `expires_in`, or a shorter one the
    /// caller set) before the user finished.
    #[error("the {what} did not complete before its deadline")]
    Deadline {
        /// What was being waited for.
        what: &'static str,
    },
    /// The caller cancelled the operation.
    #[error("the {what} was cancelled")]
    Cancelled {
        /// What was cancelled.
        what: &'static str,
    },

    // --- Local failures ------------------------------------------------------------------------
    /// Building a client assertion failed.
    #[error("signing the {what} failed: {source}")]
    Signing {
        /// What was signed.
        what: &'static str,
        /// The JWS / JWT error.
        source: jwt_claims::JwtError,
    },
    /// A DPoP proof could not be made.
    #[error("DPoP: {0}")]
    Dpop(String),
    /// The response is encrypted (JWE) and no decryption keys are configured (or the `jwe`
    /// feature is off).
    #[error("the {0} is encrypted (JWE) and no decryption keys are configured")]
    EncryptedResponse(&'static str),
    /// Decrypting an encrypted response failed (no fitting key, an algorithm not allowed,
    /// tampering).
    #[error("decrypting the {what} failed: {message}")]
    Decryption {
        /// What was decrypted.
        what: &'static str,
        /// The JWE error.
        message: String,
    },
    /// The operating system's random number generator failed.
    #[error("the random number generator failed")]
    Random,
}

impl OAuthErrorResponse {
    fn description_suffix(&self) -> String {
        self.error_description
            .as_ref()
            .map(|d| format!(": {}", jose_core::json::truncate_for_error(d)))
            .unwrap_or_default()
    }
}

impl Error {
    /// A stable identifier of the kind of error, after openid-client's codes where one exists.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Error::OAuth(_) => "OAUTH_RESPONSE_BODY_ERROR",
            Error::Authorization(_) => "OAUTH_AUTHORIZATION_RESPONSE_ERROR",
            Error::Challenge(_) => "OAUTH_WWW_AUTHENTICATE_CHALLENGE",
            Error::MissingEndpoint(_)
            | Error::InvalidConfiguration(_)
            | Error::InvalidArgument(_)
            | Error::UnprotectedCodeGrant
            | Error::PushedAuthorizationRequired
            | Error::RequestObjectRequired => "OAUTH_INVALID_CONFIGURATION",
            Error::InsecureUrl { .. } => "OAUTH_HTTP_REQUEST_FORBIDDEN",
            Error::Timeout { .. } => "OAUTH_TIMEOUT",
            Error::Transport { .. } => "OAUTH_REQUEST_FAILED",
            Error::ResponseTooLarge { .. } => "OAUTH_RESPONSE_TOO_LARGE",
            Error::UnexpectedStatus { .. } => "OAUTH_RESPONSE_IS_NOT_CONFORM",
            Error::UnexpectedContentType { .. } => "OAUTH_RESPONSE_IS_NOT_JSON",
            Error::InvalidJson { .. } | Error::ClaimsShape { .. } => "OAUTH_PARSE_ERROR",
            Error::IssuerMismatch { .. }
            | Error::MissingField { .. }
            | Error::InvalidField { .. }
            | Error::InvalidCallback(_)
            | Error::State(_)
            | Error::ResponseIssuer(_)
            | Error::InvalidChallenge(_)
            | Error::SubjectMismatch
            | Error::CertificateBinding(_) => "OAUTH_INVALID_RESPONSE",
            Error::Deadline { .. } => "OAUTH_TIMEOUT",
            Error::Cancelled { .. } => "OAUTH_ABORTED",
            Error::IdToken { .. } | Error::JwtClaim { .. } => "OAUTH_JWT_CLAIM_COMPARISON_FAILED",
            Error::UnsignedJwt { .. } | Error::AlgorithmNotAllowed { .. } => {
                "OAUTH_UNSUPPORTED_OPERATION"
            }
            Error::KeyNotFound { .. } | Error::Jwks(_) => "OAUTH_KEY_SELECTION_FAILED",
            Error::Jwt { .. } => "OAUTH_JWS_SIGNATURE_VERIFICATION_FAILED",
            Error::Signing { .. } | Error::Dpop(_) | Error::Random => "OAUTH_LOCAL_ERROR",
            Error::EncryptedResponse(_) => "OAUTH_UNSUPPORTED_OPERATION",
            Error::Decryption { .. } => "OAUTH_DECRYPTION_FAILED",
        }
    }

    /// The OAuth `error` code when the server answered with one (token endpoint, authorization
    /// response, or a challenge's `error` parameter).
    #[must_use]
    pub fn oauth_error(&self) -> Option<&str> {
        match self {
            Error::OAuth(e) => Some(&e.error),
            Error::Authorization(e) => Some(&e.error),
            Error::Challenge(c) => c.error(),
            _ => None,
        }
    }

    pub(crate) fn id_token(check: IdTokenCheck, detail: impl Into<String>) -> Self {
        Error::IdToken {
            check,
            detail: detail.into(),
        }
    }
}

/// `content type "text/html"`, or `no content type` when the header was absent.
fn shown_content_type(found: Option<&str>) -> String {
    match found {
        Some(value) => format!("content type {value:?}"),
        None => "no content type".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_type_is_shown_quoted_and_an_absent_one_named() {
        let html = Error::UnexpectedContentType {
            endpoint: "token",
            expected: "application/json",
            found: Some("text/html".to_owned()),
        };
        assert_eq!(
            html.to_string(),
            "the token response has content type \"text/html\", expected application/json"
        );
        let none = Error::UnexpectedContentType {
            endpoint: "token",
            expected: "application/json",
            found: None,
        };
        assert_eq!(
            none.to_string(),
            "the token response has no content type, expected application/json"
        );
    }
}
