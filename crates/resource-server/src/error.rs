//! Why a request was not accepted.

use crate::{ScopeSet, TokenError};

/// Why a request was not accepted: what [`ResourceServer::verify`](crate::ResourceServer::verify)
/// returns, and what [`Challenge`](crate::Challenge) turns into a status and a
/// `WWW-Authenticate` header.
///
/// Variants are grouped by the answer they lead to (RFC 6750 §3.1). The `Display` text is for
/// logs: it may name claims and limits but never holds the token. What the client sees is
/// [`Rejection::description`], a fixed sentence per kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// No usable credentials: no `Authorization` header, or a scheme this server does not
    /// accept. Answered with 401 and bare challenges.
    #[error("the request has no access token")]
    MissingCredentials,
    /// The request is malformed (`invalid_request`, 400).
    #[error("invalid request: {0}")]
    InvalidRequest(&'static str),
    /// The access token is not acceptable (`invalid_token`, 401).
    #[error("invalid access token: {0}")]
    InvalidToken(#[from] TokenError),
    /// The DPoP proof is not acceptable (`invalid_dpop_proof`, 401): format, signature,
    /// method, URL, `ath`, age, replay.
    #[error("invalid DPoP proof: {0}")]
    InvalidDpopProof(dpop::DpopError),
    /// The DPoP proof lacks a current server nonce (`use_dpop_nonce`, 401 with a
    /// `DPoP-Nonce` header).
    #[error("the DPoP proof needs a server nonce")]
    UseDpopNonce,
    /// The token lacks a scope the request needs (`insufficient_scope`, 403).
    #[error("the access token lacks the scope {required}")]
    InsufficientScope {
        /// Every scope the request needs.
        required: ScopeSet,
    },
    /// Something the server depends on failed (the issuer's keys could not be fetched, the
    /// replay store is down): answered with 503 and nothing else, logged at error level.
    #[error("the request could not be checked: {0}")]
    Unavailable(String),
}

impl Rejection {
    /// A stable identifier of the kind of rejection, for logs and metrics.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::MissingCredentials => "missing_credentials",
            Rejection::InvalidRequest(_) => "invalid_request",
            Rejection::InvalidToken(e) => e.code(),
            Rejection::InvalidDpopProof(_) => "invalid_dpop_proof",
            Rejection::UseDpopNonce => "use_dpop_nonce",
            Rejection::InsufficientScope { .. } => "insufficient_scope",
            Rejection::Unavailable(_) => "unavailable",
        }
    }

    /// The OAuth `error` value of the challenge (RFC 6750 §3.1), `None` when the answer
    /// carries none.
    #[must_use]
    pub fn error_code(&self) -> Option<&'static str> {
        match self {
            Rejection::MissingCredentials | Rejection::Unavailable(_) => None,
            Rejection::InvalidRequest(_) => Some("invalid_request"),
            Rejection::InvalidToken(_) => Some("invalid_token"),
            Rejection::InvalidDpopProof(_) => Some("invalid_dpop_proof"),
            Rejection::UseDpopNonce => Some("use_dpop_nonce"),
            Rejection::InsufficientScope { .. } => Some("insufficient_scope"),
        }
    }

    /// The HTTP status of the answer.
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Rejection::MissingCredentials
            | Rejection::InvalidToken(_)
            | Rejection::InvalidDpopProof(_)
            | Rejection::UseDpopNonce => 401,
            Rejection::InvalidRequest(_) => 400,
            Rejection::InsufficientScope { .. } => 403,
            Rejection::Unavailable(_) => 503,
        }
    }

    /// The `error_description` sent to the client: a fixed sentence per kind, never a value
    /// from the token or an internal error.
    #[must_use]
    pub fn description(&self) -> Option<&'static str> {
        match self {
            Rejection::MissingCredentials | Rejection::Unavailable(_) => None,
            Rejection::InvalidRequest(reason) => Some(reason),
            Rejection::InvalidToken(e) => Some(e.description()),
            Rejection::InvalidDpopProof(_) => Some("the DPoP proof is invalid"),
            Rejection::UseDpopNonce => Some("Resource server requires nonce in DPoP proof"),
            Rejection::InsufficientScope { .. } => {
                Some("the access token does not grant the scope this request needs")
            }
        }
    }
}
