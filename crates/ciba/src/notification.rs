//! The client notification endpoint (CIBA §10.2, §10.3, §12), independent of any HTTP
//! framework: the caller passes the bearer token and the parsed JSON body, and gets back what
//! arrived and which status to answer.

use crate::ack::{AuthReqId, MAX_AUTH_REQ_ID_LENGTH};
use crate::error::{CibaError, PushCheck};
use crate::hashes::{AUTH_REQ_ID_CLAIM, RT_HASH_CLAIM, token_hash_matches};
use crate::mode::DeliveryMode;
use crate::notification_token::check_syntax;
use crate::signed_token::NotificationTokenVerifier;
use crate::store::{PendingState, PendingStore, PushedBody, Recorded};
use core::fmt;
use jose_core::json::{self, JsonLimits};
use oauth_client::{Configuration, IdTokenCheck, IdTokenClaims, IdTokenValidation, TokenResponse};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The largest notification body [`NotificationHandler::handle_http`] reads (a push carries
/// tokens; a ping only an identifier).
pub const MAX_NOTIFICATION_BYTES: usize = 64 * 1024;

/// The longest `error_description` kept from a push error.
const MAX_DESCRIPTION_CHARS: usize = 256;

/// Tokens delivered in push mode, after every check of CIBA §10.3.1.
#[derive(Clone)]
pub struct PushedTokens {
    tokens: TokenResponse,
    claims: IdTokenClaims,
    /// The body the tokens were read from, for a shared store.
    raw: PushedBody,
}

impl fmt::Debug for PushedTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushedTokens")
            .field("tokens", &self.tokens)
            .field("sub", &self.claims.sub)
            .finish_non_exhaustive()
    }
}

impl PushedTokens {
    /// The token response (access token, token type, refresh token, ID Token, ...).
    #[must_use]
    pub fn tokens(&self) -> &TokenResponse {
        &self.tokens
    }

    /// The validated ID Token claims.
    #[must_use]
    pub fn claims(&self) -> &IdTokenClaims {
        &self.claims
    }

    /// The body the tokens were read from, for a shared [`PendingStore`] to keep (and to hand
    /// back as [`PendingState::Pushed`], which [`NotificationHandler::wait`] validates again).
    #[must_use]
    pub fn pushed_body(&self) -> &PushedBody {
        &self.raw
    }
}

/// The error codes of a push error delivery (CIBA §12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PushErrorCode {
    /// `access_denied`: the end-user refused.
    AccessDenied,
    /// `expired_token`: the request expired.
    ExpiredToken,
    /// `transaction_failed`: the OpenID Provider failed unexpectedly.
    TransactionFailed,
}

impl PushErrorCode {
    /// The `error` value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PushErrorCode::AccessDenied => "access_denied",
            PushErrorCode::ExpiredToken => "expired_token",
            PushErrorCode::TransactionFailed => "transaction_failed",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        match value {
            "access_denied" => Some(PushErrorCode::AccessDenied),
            "expired_token" => Some(PushErrorCode::ExpiredToken),
            "transaction_failed" => Some(PushErrorCode::TransactionFailed),
            _ => None,
        }
    }
}

/// A push error delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PushError {
    /// The code.
    pub code: PushErrorCode,
    /// `error_description`, shortened.
    pub description: Option<String>,
}

impl PushError {
    /// The matching [`CibaError`] (for code that treats all outcomes alike).
    #[must_use]
    pub fn to_error(&self) -> CibaError {
        let description = self.description.clone();
        match self.code {
            PushErrorCode::AccessDenied => CibaError::AccessDenied { description },
            PushErrorCode::ExpiredToken => CibaError::ExpiredToken { description },
            PushErrorCode::TransactionFailed => CibaError::TransactionFailed { description },
        }
    }
}

/// What a valid notification delivered.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Notification {
    /// Ping: the result is ready; redeem it once at the token endpoint
    /// ([`crate::CibaClient::exchange`]).
    Ping {
        /// The request.
        auth_req_id: AuthReqId,
    },
    /// Push: validated tokens.
    Tokens {
        /// The request.
        auth_req_id: AuthReqId,
        /// The tokens.
        tokens: Box<PushedTokens>,
    },
    /// Push: an error.
    Error {
        /// The request.
        auth_req_id: AuthReqId,
        /// The error.
        error: PushError,
    },
    /// The same notification again (a retry by the OpenID Provider): answered with 204 and
    /// otherwise ignored.
    Redelivery {
        /// The request.
        auth_req_id: AuthReqId,
    },
}

impl Notification {
    /// The request the notification is about.
    #[must_use]
    pub fn auth_req_id(&self) -> &AuthReqId {
        match self {
            Notification::Ping { auth_req_id }
            | Notification::Tokens { auth_req_id, .. }
            | Notification::Error { auth_req_id, .. }
            | Notification::Redelivery { auth_req_id } => auth_req_id,
        }
    }
}

/// The HTTP answer to a notification: 204 for a valid one, 401 (with `WWW-Authenticate`) when
/// the call is not authenticated, 400 for a bad body. Never a redirect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NotificationResponse {
    /// The status code.
    pub status: u16,
    /// The `WWW-Authenticate` value of a 401.
    pub www_authenticate: Option<&'static str>,
}

impl NotificationResponse {
    /// The answer for the outcome of [`NotificationHandler::handle`].
    #[must_use]
    pub fn for_result(result: &Result<Notification, CibaError>) -> Self {
        match result {
            Ok(_) => Self {
                status: 204,
                www_authenticate: None,
            },
            Err(e) => {
                let status = e.notification_status();
                let www_authenticate = match (status, e) {
                    (401, CibaError::MissingBearerToken) => Some("Bearer"),
                    (401, _) => Some("Bearer error=\"invalid_token\""),
                    _ => None,
                };
                Self {
                    status,
                    www_authenticate,
                }
            }
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1: the scheme is
/// case-insensitive, one or more spaces, then a `b64token` of at most 1024 characters).
///
/// # Errors
/// [`CibaError::MalformedBearerToken`].
pub fn bearer_token(authorization: &str) -> Result<&str, CibaError> {
    let (scheme, rest) = authorization
        .split_once(' ')
        .ok_or(CibaError::MalformedBearerToken)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(CibaError::MalformedBearerToken);
    }
    let token = rest.trim_start_matches(' ');
    check_syntax(token).map_err(|_| CibaError::MalformedBearerToken)?;
    Ok(token)
}

/// Handles calls to the client notification endpoint.
///
/// The check order is fixed: bearer token syntax, `auth_req_id` present, the stored request
/// for that `auth_req_id`, the bearer token compared in constant time with the stored one (and
/// verified as a signed token when the request has a nonce, whose value a `nonce` member of
/// the body must then repeat), the body's shape against the request's mode, redelivery, then
/// the push ID Token. Nothing is stored unless every check passed.
///
/// A push-mode delivery, end to end in one process (the provider's key is generated here and
/// its JWK Set imported instead of fetched; in production `Configuration::discover` and
/// [`crate::CibaClient::notification_handler`] set all of this up):
///
/// ```
/// use ciba::{
///     AUTH_REQ_ID_CLAIM, AuthReqId, ClientNotificationToken, DeliveryMode, InMemoryPendingStore,
///     Notification, NotificationHandler, NotificationResponse, PendingRequest, PendingState,
///     PendingStore, token_hash,
/// };
/// use jose_core::{alg::JwsAlgorithm, jwk::{Jwk, JwkSet}};
/// use oauth_client::{ClientAuth, ClientMetadata, Configuration, ExportedJwksCache};
/// use serde_json::json;
/// use std::{sync::Arc, time::{Duration, SystemTime}};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // The relying party's configuration (push mode) and the provider's signing key.
/// let mut client = ClientMetadata::new("rp");
/// client.backchannel_token_delivery_mode = Some("push".into());
/// client.backchannel_client_notification_endpoint = Some("https://rp.example/ciba".into());
/// let server = serde_json::from_value(json!({
///     "issuer": "https://op.example",
///     "token_endpoint": "https://op.example/token",
///     "jwks_uri": "https://op.example/jwks",
///     "backchannel_authentication_endpoint": "https://op.example/bc",
///     "backchannel_token_delivery_modes_supported": ["push"],
///     "id_token_signing_alg_values_supported": ["ES256"],
/// }))?;
/// let config = Configuration::builder(client, ClientAuth::client_secret_basic("secret")).build(server)?;
/// let op_key = jws::SigningKey::new(Jwk::generate(JwsAlgorithm::ES256)?.with_kid("op-1"), JwsAlgorithm::ES256)?;
/// let op_jwks = serde_json::from_str(&JwkSet::new(vec![op_key.public_jwk()?])?.to_json())?;
/// config.set_jwks_cache(&ExportedJwksCache::new(op_jwks, config.now()))?;
///
/// // What `CibaClient::initiate` stores for a push request.
/// let store = Arc::new(InMemoryPendingStore::default());
/// let token = ClientNotificationToken::generate()?;
/// let id = "1c266114-a1be-4252-8ad1-04986c5b9ac1";
/// store.insert(PendingRequest::new(
///     AuthReqId::new(id)?,
///     DeliveryMode::Push,
///     token.clone(),
///     SystemTime::now() + Duration::from_secs(120),
/// ))?;
/// let handler = NotificationHandler::new(config, store.clone());
///
/// // The provider pushes the tokens; the ID Token binds the access token and the request.
/// let id_token = jwt_claims::JwtBuilder::new()
///     .issuer("https://op.example")
///     .subject("alice")
///     .audience("rp")
///     .claim("at_hash", token_hash(JwsAlgorithm::ES256, "at-1"))?
///     .claim(AUTH_REQ_ID_CLAIM, id)?
///     .sign(&op_key)?;
/// let body = json!({
///     "auth_req_id": id, "access_token": "at-1", "token_type": "Bearer",
///     "expires_in": 600, "id_token": id_token,
/// })
/// .to_string();
///
/// // Without the client notification token: 401, nothing recorded.
/// let refused = handler.handle_http(Some("Bearer not-the-token"), body.as_bytes()).await;
/// assert_eq!(NotificationResponse::for_result(&refused).status, 401);
///
/// let bearer = format!("Bearer {}", token.expose());
/// let result = handler.handle_http(Some(&bearer), body.as_bytes()).await;
/// assert_eq!(NotificationResponse::for_result(&result).status, 204);
/// assert!(matches!(result?, Notification::Tokens { .. }));
/// match store.wait(id).await? {
///     PendingState::Tokens(pushed) => assert_eq!(pushed.claims().sub, "alice"),
///     other => panic!("{other:?}"),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct NotificationHandler {
    config: Configuration,
    store: Arc<dyn PendingStore>,
    signed_tokens: Option<NotificationTokenVerifier>,
}

impl fmt::Debug for NotificationHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotificationHandler")
            .field("client_id", &self.config.client_id())
            .field("store", &self.store)
            .field("signed_tokens", &self.signed_tokens.is_some())
            .finish()
    }
}

impl NotificationHandler {
    /// A handler for the client of `config` (whose server's keys validate pushed ID Tokens),
    /// looking requests up in `store`.
    #[must_use]
    pub fn new(config: Configuration, store: Arc<dyn PendingStore>) -> Self {
        Self {
            config,
            store,
            signed_tokens: None,
        }
    }

    /// Also verifies signed client notification tokens (requests stored with a nonce) with
    /// `verifier`.
    #[must_use]
    pub fn verify_signed_tokens(mut self, verifier: NotificationTokenVerifier) -> Self {
        self.signed_tokens = Some(verifier);
        self
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &Arc<dyn PendingStore> {
        &self.store
    }

    /// Handles an HTTP request as received: the `Authorization` header and the raw body (at
    /// most 64 KiB of strict JSON). Check the method (POST) and content type
    /// (`application/json`) before calling.
    ///
    /// # Errors
    /// As [`NotificationHandler::handle`]; a malformed header is
    /// [`CibaError::MalformedBearerToken`], a body that is not a JSON object
    /// [`CibaError::InvalidNotification`].
    pub async fn handle_http(
        &self,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Result<Notification, CibaError> {
        let bearer = match authorization {
            None => None,
            Some(header) => Some(bearer_token(header)?),
        };
        if body.len() > MAX_NOTIFICATION_BYTES {
            return Err(CibaError::InvalidNotification("the body is too large"));
        }
        let body = json::parse_object(body, &JsonLimits::DEFAULT)
            .map_err(|_| CibaError::InvalidNotification("the body is not a strict JSON object"))?;
        self.handle(bearer, &body).await
    }

    /// Handles a notification given its bearer token and parsed JSON body.
    ///
    /// # Errors
    /// [`CibaError::MissingBearerToken`], [`CibaError::MalformedBearerToken`],
    /// [`CibaError::UnknownAuthReqId`], [`CibaError::NotificationTokenMismatch`],
    /// [`CibaError::SignedNotificationToken`], [`CibaError::NotificationNonceMismatch`]
    /// (answer 401); [`CibaError::InvalidNotification`],
    /// [`CibaError::WrongDeliveryMode`], [`CibaError::ConflictingNotification`],
    /// [`CibaError::PushIdToken`] (answer 400). [`NotificationResponse::for_result`] maps the
    /// outcome to the answer.
    pub async fn handle(
        &self,
        bearer: Option<&str>,
        body: &Map<String, Value>,
    ) -> Result<Notification, CibaError> {
        let bearer = bearer.ok_or(CibaError::MissingBearerToken)?;
        check_syntax(bearer).map_err(|_| CibaError::MalformedBearerToken)?;
        let id = match body.get("auth_req_id") {
            Some(Value::String(s)) if !s.is_empty() && s.len() <= MAX_AUTH_REQ_ID_LENGTH => {
                s.as_str()
            }
            _ => {
                return Err(CibaError::InvalidNotification(
                    "auth_req_id is missing or not a string of at most 1024 characters",
                ));
            }
        };
        let stored = self
            .store
            .get(id)
            .await?
            .ok_or(CibaError::UnknownAuthReqId)?;
        let request = &stored.request;
        if !request.token().matches(bearer) {
            return Err(CibaError::NotificationTokenMismatch);
        }
        if let (Some(verifier), Some(nonce)) = (&self.signed_tokens, request.nonce()) {
            verifier.verify(bearer, request.token(), nonce)?;
        }
        if let (Some(stored_nonce), Some(echoed)) = (request.nonce(), body.get("nonce")) {
            // A hash-signing service echoes the request's nonce in its notifications; CIBA
            // bodies carry none, so the member is only checked when present.
            let matches = echoed.as_str().is_some_and(|n| {
                jose_core::constant_time_eq(n.as_bytes(), stored_nonce.as_bytes())
            });
            if !matches {
                return Err(CibaError::NotificationNonceMismatch);
            }
        }
        let auth_req_id = request.auth_req_id().clone();

        let shape = Shape::of(body)?;
        let got = match shape {
            Shape::Ping => DeliveryMode::Ping,
            Shape::Tokens | Shape::Error => DeliveryMode::Push,
        };
        if got != request.mode() {
            return Err(CibaError::WrongDeliveryMode {
                expected: request.mode(),
                got,
            });
        }
        let digest = canonical_digest(body);
        if let Some(delivered) = stored.delivered {
            return if jose_core::constant_time_eq(&delivered, &digest) {
                Ok(Notification::Redelivery { auth_req_id })
            } else {
                Err(CibaError::ConflictingNotification)
            };
        }

        let (state, notification) = match shape {
            Shape::Ping => (
                PendingState::Pinged,
                Notification::Ping {
                    auth_req_id: auth_req_id.clone(),
                },
            ),
            Shape::Error => {
                let error = push_error(body)?;
                (
                    PendingState::Failed(error.clone()),
                    Notification::Error {
                        auth_req_id: auth_req_id.clone(),
                        error,
                    },
                )
            }
            Shape::Tokens => {
                let tokens = Box::new(self.pushed_tokens(id, body).await?);
                (
                    PendingState::Tokens(tokens.clone()),
                    Notification::Tokens {
                        auth_req_id: auth_req_id.clone(),
                        tokens,
                    },
                )
            }
        };
        match self.store.record(id, state, digest).await? {
            Recorded::New => Ok(notification),
            Recorded::Duplicate => Ok(Notification::Redelivery { auth_req_id }),
        }
    }

    /// Reads and validates pushed tokens (CIBA §10.3.1).
    async fn pushed_tokens(
        &self,
        auth_req_id: &str,
        body: &Map<String, Value>,
    ) -> Result<PushedTokens, CibaError> {
        let tokens = TokenResponse::from_json(body.clone()).map_err(|_| {
            CibaError::InvalidNotification("the pushed token response is malformed")
        })?;
        let id_token = tokens.id_token().ok_or(CibaError::PushIdToken {
            check: PushCheck::Missing,
            detail: None,
        })?;
        let validation = IdTokenValidation::new().access_token(tokens.access_token());
        let claims = self
            .config
            .validate_id_token(id_token, &validation)
            .await
            .map_err(|e| {
                // OpenID Connect validation already compares a present `at_hash` with the
                // access token; report that failure as the CIBA binding check it also is.
                let check = match &e {
                    oauth_client::Error::IdToken {
                        check: IdTokenCheck::AccessTokenHash,
                        ..
                    } => PushCheck::AtHashMismatch,
                    _ => PushCheck::Validation,
                };
                CibaError::PushIdToken {
                    check,
                    detail: Some(e.to_string()),
                }
            })?;
        check_push_claims(&claims, auth_req_id, &tokens)?;
        let raw = PushedBody::new(Value::Object(body.clone()).to_string());
        Ok(PushedTokens {
            tokens,
            claims,
            raw,
        })
    }

    /// Waits until a notification, received by this instance or by any other sharing the
    /// store, completed the request, and returns its state: [`PendingState::Pinged`],
    /// [`PendingState::Failed`], or [`PendingState::Tokens`]. Tokens a shared store kept
    /// as the raw pushed body ([`PendingState::Pushed`]) are validated again here, with this
    /// handler's configuration, exactly as the receiving instance did: the store is trusted
    /// with nothing the notification endpoint did not check.
    ///
    /// # Errors
    /// As [`PendingStore::wait`]; for pushed tokens, the errors of the push checks
    /// ([`CibaError::PushIdToken`], [`CibaError::InvalidNotification`]).
    pub async fn wait(&self, auth_req_id: &str) -> Result<PendingState, CibaError> {
        match self.store.wait(auth_req_id).await? {
            PendingState::Pushed(body) => {
                let body = json::parse_object(body.expose().as_bytes(), &JsonLimits::DEFAULT)
                    .map_err(|_| {
                        CibaError::InvalidNotification("the stored push is not a JSON object")
                    })?;
                let tokens = self.pushed_tokens(auth_req_id, &body).await?;
                Ok(PendingState::Tokens(Box::new(tokens)))
            }
            state => Ok(state),
        }
    }
}

/// The CIBA §10.3.1 checks beyond OpenID Connect validation: the `auth_req_id` claim equals
/// the body's, `at_hash` is present and matches the access token, and `rt_hash` is present
/// and matches when a refresh token was pushed.
///
/// # Errors
/// [`CibaError::PushIdToken`] naming the check.
pub fn check_push_claims(
    claims: &IdTokenClaims,
    auth_req_id: &str,
    tokens: &TokenResponse,
) -> Result<(), CibaError> {
    let fail = |check| CibaError::PushIdToken {
        check,
        detail: None,
    };
    let claimed_id = claims
        .get(AUTH_REQ_ID_CLAIM)
        .and_then(Value::as_str)
        .ok_or(fail(PushCheck::AuthReqIdMissing))?;
    if !jose_core::constant_time_eq(claimed_id.as_bytes(), auth_req_id.as_bytes()) {
        return Err(fail(PushCheck::AuthReqIdMismatch));
    }
    let at_hash = claims
        .get("at_hash")
        .and_then(Value::as_str)
        .ok_or(fail(PushCheck::AtHashMissing))?;
    if !token_hash_matches(claims.alg, tokens.access_token(), at_hash) {
        return Err(fail(PushCheck::AtHashMismatch));
    }
    if let Some(refresh) = tokens.refresh_token() {
        let rt_hash = claims
            .get(RT_HASH_CLAIM)
            .and_then(Value::as_str)
            .ok_or(fail(PushCheck::RtHashMissing))?;
        if !token_hash_matches(claims.alg, refresh, rt_hash) {
            return Err(fail(PushCheck::RtHashMismatch));
        }
    }
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Ping,
    Tokens,
    Error,
}

impl Shape {
    fn of(body: &Map<String, Value>) -> Result<Self, CibaError> {
        let has_error = body.contains_key("error");
        let has_tokens = ["access_token", "id_token", "refresh_token", "token_type"]
            .iter()
            .any(|k| body.contains_key(*k));
        match (has_error, has_tokens) {
            (true, true) => Err(CibaError::InvalidNotification(
                "a push carries both an error and tokens",
            )),
            (true, false) => Ok(Shape::Error),
            (false, true) => Ok(Shape::Tokens),
            (false, false) => Ok(Shape::Ping),
        }
    }
}

fn push_error(body: &Map<String, Value>) -> Result<PushError, CibaError> {
    let code = body
        .get("error")
        .and_then(Value::as_str)
        .and_then(PushErrorCode::parse)
        .ok_or(CibaError::InvalidNotification(
            "a push error must be access_denied, expired_token or transaction_failed",
        ))?;
    let description = match body.get("error_description") {
        None => None,
        Some(Value::String(s)) => Some(s.chars().take(MAX_DESCRIPTION_CHARS).collect()),
        Some(_) => {
            return Err(CibaError::InvalidNotification(
                "error_description must be a string",
            ));
        }
    };
    Ok(PushError { code, description })
}

/// SHA-256 of the body as canonical JSON (members sorted at every level), so that a redelivery
/// is recognised whatever the member order.
fn canonical_digest(body: &Map<String, Value>) -> [u8; 32] {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    if let Some(v) = map.get(k) {
                        write(v, out);
                    }
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(v, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut text = String::new();
    write(&Value::Object(body.clone()), &mut text);
    Sha256::digest(text.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive_and_the_token_must_be_a_b64token() {
        assert_eq!(
            bearer_token("Bearer abc.DEF-_~+/=").unwrap(),
            "abc.DEF-_~+/="
        );
        assert_eq!(bearer_token("bEaReR   tok").unwrap(), "tok");
        for bad in [
            "Bearer",
            "Bearer ",
            "Basic abc",
            "Bearer a b",
            "Bearer a,b",
            "Bearerabc",
        ] {
            assert!(
                matches!(bearer_token(bad), Err(CibaError::MalformedBearerToken)),
                "{bad:?}"
            );
        }
        let long = format!("Bearer {}", "a".repeat(1025));
        assert!(bearer_token(&long).is_err());
    }

    #[test]
    fn the_digest_ignores_member_order() {
        let a: Map<String, Value> =
            serde_json::from_str(r#"{"a":1,"b":{"y":[1,{"q":2,"p":1}],"x":"s"}}"#).unwrap();
        let b: Map<String, Value> =
            serde_json::from_str(r#"{"b":{"x":"s","y":[1,{"p":1,"q":2}]},"a":1}"#).unwrap();
        let c: Map<String, Value> =
            serde_json::from_str(r#"{"b":{"x":"s","y":[{"p":1,"q":2},1]},"a":1}"#).unwrap();
        assert_eq!(canonical_digest(&a), canonical_digest(&b));
        assert_ne!(canonical_digest(&a), canonical_digest(&c));
    }

    #[test]
    fn responses_are_204_401_with_a_challenge_or_400() {
        let ok = NotificationResponse::for_result(&Ok(Notification::Ping {
            auth_req_id: AuthReqId::new("a").unwrap(),
        }));
        assert_eq!((ok.status, ok.www_authenticate), (204, None));
        let missing = NotificationResponse::for_result(&Err(CibaError::MissingBearerToken));
        assert_eq!(
            (missing.status, missing.www_authenticate),
            (401, Some("Bearer"))
        );
        let wrong = NotificationResponse::for_result(&Err(CibaError::NotificationTokenMismatch));
        assert_eq!(
            (wrong.status, wrong.www_authenticate),
            (401, Some("Bearer error=\"invalid_token\""))
        );
        let bad = NotificationResponse::for_result(&Err(CibaError::InvalidNotification("x")));
        assert_eq!((bad.status, bad.www_authenticate), (400, None));
    }

    #[test]
    fn shapes_are_told_apart() {
        let body = |s: &str| serde_json::from_str::<Map<String, Value>>(s).unwrap();
        assert_eq!(
            Shape::of(&body(r#"{"auth_req_id":"a"}"#)).unwrap(),
            Shape::Ping
        );
        assert_eq!(
            Shape::of(&body(r#"{"auth_req_id":"a","error":"access_denied"}"#)).unwrap(),
            Shape::Error
        );
        assert_eq!(
            Shape::of(&body(r#"{"auth_req_id":"a","access_token":"t"}"#)).unwrap(),
            Shape::Tokens
        );
        assert!(
            Shape::of(&body(
                r#"{"auth_req_id":"a","access_token":"t","error":"x"}"#
            ))
            .is_err()
        );
        assert!(push_error(&body(r#"{"error":"server_error"}"#)).is_err());
        let e = push_error(&body(
            r#"{"error":"transaction_failed","error_description":"boom"}"#,
        ))
        .unwrap();
        assert_eq!(e.code, PushErrorCode::TransactionFailed);
        assert!(matches!(e.to_error(), CibaError::TransactionFailed { .. }));
    }
}
