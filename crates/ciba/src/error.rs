//! The crate's error type.

use crate::mode::DeliveryMode;
use replay_store::StoreError;

/// Which check of a pushed ID Token failed (see [`CibaError::PushIdToken`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PushCheck {
    /// The push carries no `id_token`.
    Missing,
    /// The ID Token failed OpenID Connect validation (signature, `iss`, `aud`, `exp`, ...).
    Validation,
    /// `urn:openid:params:jwt:claim:auth_req_id` is missing or not a string.
    AuthReqIdMissing,
    /// `urn:openid:params:jwt:claim:auth_req_id` differs from the body's `auth_req_id`.
    AuthReqIdMismatch,
    /// `at_hash` is missing.
    AtHashMissing,
    /// `at_hash` does not match the pushed access token.
    AtHashMismatch,
    /// A refresh token was pushed and `urn:openid:params:jwt:claim:rt_hash` is missing.
    RtHashMissing,
    /// `urn:openid:params:jwt:claim:rt_hash` does not match the pushed refresh token.
    RtHashMismatch,
}

impl PushCheck {
    /// The claim the check is about, when there is one.
    #[must_use]
    pub fn claim(self) -> Option<&'static str> {
        match self {
            PushCheck::AuthReqIdMissing | PushCheck::AuthReqIdMismatch => {
                Some(crate::hashes::AUTH_REQ_ID_CLAIM)
            }
            PushCheck::AtHashMissing | PushCheck::AtHashMismatch => Some("at_hash"),
            PushCheck::RtHashMissing | PushCheck::RtHashMismatch => {
                Some(crate::hashes::RT_HASH_CLAIM)
            }
            PushCheck::Missing | PushCheck::Validation => None,
        }
    }
}

/// Which check of a signed client notification token failed (see
/// [`CibaError::SignedNotificationToken`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenCheck {
    /// Not a compact JWS with a JSON object payload, or over the size limit.
    Format,
    /// The header's `alg` is not ES256.
    Algorithm,
    /// The header has no `kid`, or no key of the JWK Set has it.
    KeyId,
    /// The signature does not verify.
    Signature,
    /// `nonce` is missing or differs from the one stored with the request.
    Nonce,
    /// `iat` is missing, not an integer, or in the future.
    IssuedAt,
    /// `exp` is missing, not an integer, or has passed.
    Expiration,
    /// `exp` is not after `iat`, or the lifetime exceeds the allowed maximum.
    Lifetime,
}

impl TokenCheck {
    /// A stable short name: the header parameter or claim checked (`alg`, `kid`, `nonce`,
    /// `iat`, `exp`), or `format`, `signature`, `lifetime`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            TokenCheck::Format => "format",
            TokenCheck::Algorithm => "alg",
            TokenCheck::KeyId => "kid",
            TokenCheck::Signature => "signature",
            TokenCheck::Nonce => "nonce",
            TokenCheck::IssuedAt => "iat",
            TokenCheck::Expiration => "exp",
            TokenCheck::Lifetime => "lifetime",
        }
    }
}

impl core::fmt::Display for TokenCheck {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a CIBA operation failed.
///
/// Variants are grouped by phase: configuration and metadata, building the request, the
/// acknowledgement, polling and the token endpoint, the notification endpoint (with the
/// pushed ID Token and the signed notification token checks). [`CibaError::code`] gives a
/// stable identifier, [`CibaError::notification_status`] the HTTP status a notification
/// endpoint answers. Tokens, `auth_req_id` values and secrets never appear in messages.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CibaError {
    // --- Configuration and metadata ----------------------------------------------------------
    /// The server metadata has no `backchannel_authentication_endpoint`.
    #[error("the authorization server metadata has no backchannel_authentication_endpoint")]
    NoBackchannelEndpoint,
    /// The client metadata has no (or an unknown) `backchannel_token_delivery_mode`.
    #[error("invalid client metadata {field}: {reason}")]
    InvalidClientMetadata {
        /// The metadata field.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The server metadata has a CIBA field of the wrong shape or value.
    #[error("invalid server metadata {field}: {reason}")]
    InvalidServerMetadata {
        /// The metadata field.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The server does not list the client's delivery mode.
    #[error("the server does not support the {mode} token delivery mode")]
    DeliveryModeNotSupported {
        /// The client's mode.
        mode: DeliveryMode,
    },
    /// Poll and ping need `urn:openid:params:grant-type:ciba` in the server's and client's
    /// grant types.
    #[error("the CIBA grant type is missing from the {side} grant types")]
    GrantTypeNotSupported {
        /// `server` or `client`.
        side: &'static str,
    },
    /// The request signing algorithm cannot be used.
    #[error("request signing algorithm {alg}: {reason}")]
    SigningAlgorithm {
        /// The algorithm.
        alg: String,
        /// Why it cannot be used.
        reason: &'static str,
    },
    /// The profile forbids what was asked (push under FAPI, an unsigned request, ...).
    #[error("the {profile} profile does not allow this: {reason}")]
    Profile {
        /// The profile.
        profile: &'static str,
        /// What it forbids.
        reason: &'static str,
    },

    // --- Building the request ---------------------------------------------------------------
    /// The authentication request is not valid CIBA.
    #[error("invalid backchannel authentication request: {0}")]
    InvalidRequest(&'static str),
    /// Ping and push need a client notification token.
    #[error("the {mode} delivery mode needs a client_notification_token")]
    NotificationTokenRequired {
        /// The mode.
        mode: DeliveryMode,
    },
    /// A client notification token is longer than 1024 characters.
    #[error("the client notification token has {length} characters; at most 1024 are allowed")]
    NotificationTokenTooLong {
        /// Its length.
        length: usize,
    },
    /// A client notification token is empty or has characters outside the RFC 6750 `b64token`
    /// syntax.
    #[error("the client notification token is not an RFC 6750 b64token")]
    NotificationTokenCharset,
    /// A client notification token looks too predictable (less than 128 bits estimated).
    #[error(
        "the client notification token has about {estimated_bits} bits of entropy; at least 128 are required"
    )]
    NotificationTokenEntropy {
        /// The estimate.
        estimated_bits: u32,
    },
    /// Signing the request object failed.
    #[error("signing failed: {0}")]
    Signing(String),
    /// The operating system's random number generator failed.
    #[error("the random number generator failed")]
    Random,

    // --- The acknowledgement -----------------------------------------------------------------
    /// The backchannel authentication response is missing a member or has a bad one.
    #[error("invalid backchannel authentication response: {field} {reason}")]
    InvalidAcknowledgement {
        /// The member.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },

    // --- Polling and the token endpoint -------------------------------------------------------
    /// The end-user denied the request (`access_denied`), at the token endpoint or in a push.
    #[error("the end-user denied the authentication request{}", describe(.description))]
    AccessDenied {
        /// `error_description`, shortened.
        description: Option<String>,
    },
    /// The server says the `auth_req_id` expired (`expired_token`).
    #[error("the authentication request expired at the server{}", describe(.description))]
    ExpiredToken {
        /// `error_description`, shortened.
        description: Option<String>,
    },
    /// The `expires_in` of the acknowledgement has passed (checked locally).
    #[error("the authentication request expired (expires_in has passed)")]
    Deadline,
    /// The `auth_req_id` is invalid or belongs to another client (`invalid_grant`).
    #[error("the token endpoint refused the auth_req_id (invalid_grant){}", describe(.description))]
    InvalidGrant {
        /// `error_description`, shortened.
        description: Option<String>,
    },
    /// The OpenID Provider failed (`transaction_failed`, push mode).
    #[error("the OpenID Provider could not complete the request (transaction_failed){}", describe(.description))]
    TransactionFailed {
        /// `error_description`, shortened.
        description: Option<String>,
    },
    /// A ping-mode token exchange found the request still pending.
    #[error("the authentication request is still pending")]
    Pending,
    /// The token response has no ID Token.
    #[error("the token response has no id_token")]
    MissingIdToken,
    /// Polling was cancelled.
    #[error("polling was cancelled")]
    Cancelled,
    /// A token request for this `auth_req_id` is already in flight.
    #[error("a token request for this auth_req_id is already in flight")]
    AlreadyPolling,
    /// This `auth_req_id` already reached a final result.
    #[error("this authentication request is already finished")]
    Finished,
    /// The push delivery mode has no token endpoint exchange.
    #[error("push-mode requests are not redeemed at the token endpoint")]
    PushModeHasNoTokenRequest,
    /// An error of the OAuth client: transport, another OAuth error, a malformed response, an
    /// ID Token check.
    #[error(transparent)]
    OAuth(Box<oauth_client::Error>),

    // --- The notification endpoint -----------------------------------------------------------
    /// The notification has no `Authorization: Bearer` token.
    #[error("the notification carries no bearer token")]
    MissingBearerToken,
    /// The `Authorization` header is malformed or the token is not a valid `b64token`.
    #[error("the notification's bearer token is malformed")]
    MalformedBearerToken,
    /// No pending request has this `auth_req_id`.
    #[error("no pending authentication request has this auth_req_id")]
    UnknownAuthReqId,
    /// The bearer token is not the one stored for this `auth_req_id`.
    #[error("the bearer token does not match the one stored for this auth_req_id")]
    NotificationTokenMismatch,
    /// The notification body is not a valid ping, push or push error.
    #[error("invalid notification: {0}")]
    InvalidNotification(&'static str),
    /// The notification does not fit the request's delivery mode.
    #[error("a {got} notification for a {expected}-mode request")]
    WrongDeliveryMode {
        /// The request's mode.
        expected: DeliveryMode,
        /// What the notification looked like.
        got: DeliveryMode,
    },
    /// A different notification arrived for a request that already has its result.
    #[error("a different notification for an authentication request that already has its result")]
    ConflictingNotification,
    /// A pushed ID Token failed a check.
    #[error("the pushed ID Token failed the {check:?} check{}", describe(.detail))]
    PushIdToken {
        /// Which check.
        check: PushCheck,
        /// More detail (the OpenID Connect check that failed), without token bytes.
        detail: Option<String>,
    },
    /// The body's `nonce` differs from the nonce stored with the request (a request with a
    /// signed client notification token).
    #[error("the notification's nonce differs from the one stored for this auth_req_id")]
    NotificationNonceMismatch,
    /// A signed client notification token failed a check.
    #[error("the signed client notification token failed the {check} check")]
    SignedNotificationToken {
        /// Which check.
        check: TokenCheck,
    },

    // --- Pending request store ---------------------------------------------------------------
    /// A pending request with this `auth_req_id` is already stored.
    #[error("a pending request with this auth_req_id is already stored")]
    DuplicateAuthReqId,
    /// The client notification token (or its nonce) is already bound to another request.
    #[error("the client notification token is already bound to another authentication request")]
    NotificationTokenReused,
    /// The store is full.
    #[error("the pending request store is full ({capacity} requests)")]
    StoreFull {
        /// Its capacity.
        capacity: usize,
    },
    /// The replay store binding notification tokens could not answer (see
    /// [`crate::CibaClient::replay_store`]): the request is not registered (fail closed). The
    /// code is the store's ([`StoreError::code`]: `replay_store_unavailable`, ...).
    #[error("replay store: {0}")]
    ReplayStore(#[from] StoreError),
    /// The shared pending request store could not answer (unreachable, timed out, or it held
    /// an entry this crate did not write): nothing was stored or completed (fail closed). The
    /// notification endpoint answers 500, so the OpenID Provider retries.
    #[error("pending request store: {0}")]
    PendingStore(StoreError),
}

fn describe(detail: &Option<String>) -> String {
    match detail {
        Some(d) => format!(": {d}"),
        None => String::new(),
    }
}

impl From<oauth_client::Error> for CibaError {
    fn from(e: oauth_client::Error) -> Self {
        CibaError::OAuth(Box::new(e))
    }
}

impl CibaError {
    /// A stable identifier for the error kind.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            CibaError::NoBackchannelEndpoint => "ERR_CIBA_NO_ENDPOINT",
            CibaError::InvalidClientMetadata { .. } => "ERR_CIBA_CLIENT_METADATA",
            CibaError::InvalidServerMetadata { .. } => "ERR_CIBA_SERVER_METADATA",
            CibaError::DeliveryModeNotSupported { .. } => "ERR_CIBA_MODE_NOT_SUPPORTED",
            CibaError::GrantTypeNotSupported { .. } => "ERR_CIBA_GRANT_TYPE",
            CibaError::SigningAlgorithm { .. } => "ERR_CIBA_SIGNING_ALG",
            CibaError::Profile { .. } => "ERR_CIBA_PROFILE",
            CibaError::InvalidRequest(_) => "ERR_CIBA_INVALID_REQUEST",
            CibaError::NotificationTokenRequired { .. } => "ERR_CIBA_NOTIFICATION_TOKEN_REQUIRED",
            CibaError::NotificationTokenTooLong { .. } => "ERR_CIBA_NOTIFICATION_TOKEN_LENGTH",
            CibaError::NotificationTokenCharset => "ERR_CIBA_NOTIFICATION_TOKEN_CHARSET",
            CibaError::NotificationTokenEntropy { .. } => "ERR_CIBA_NOTIFICATION_TOKEN_ENTROPY",
            CibaError::Signing(_) => "ERR_CIBA_SIGNING",
            CibaError::Random => "ERR_CIBA_RANDOM",
            CibaError::InvalidAcknowledgement { .. } => "ERR_CIBA_INVALID_ACK",
            CibaError::AccessDenied { .. } => "ERR_CIBA_ACCESS_DENIED",
            CibaError::ExpiredToken { .. } => "ERR_CIBA_EXPIRED_TOKEN",
            CibaError::Deadline => "ERR_CIBA_DEADLINE",
            CibaError::InvalidGrant { .. } => "ERR_CIBA_INVALID_GRANT",
            CibaError::TransactionFailed { .. } => "ERR_CIBA_TRANSACTION_FAILED",
            CibaError::Pending => "ERR_CIBA_PENDING",
            CibaError::MissingIdToken => "ERR_CIBA_MISSING_ID_TOKEN",
            CibaError::Cancelled => "ERR_CIBA_CANCELLED",
            CibaError::AlreadyPolling => "ERR_CIBA_ALREADY_POLLING",
            CibaError::Finished => "ERR_CIBA_FINISHED",
            CibaError::PushModeHasNoTokenRequest => "ERR_CIBA_PUSH_MODE",
            CibaError::OAuth(_) => "ERR_CIBA_OAUTH",
            CibaError::MissingBearerToken => "ERR_CIBA_MISSING_BEARER",
            CibaError::MalformedBearerToken => "ERR_CIBA_MALFORMED_BEARER",
            CibaError::UnknownAuthReqId => "ERR_CIBA_UNKNOWN_AUTH_REQ_ID",
            CibaError::NotificationTokenMismatch => "ERR_CIBA_TOKEN_MISMATCH",
            CibaError::NotificationNonceMismatch => "ERR_CIBA_NONCE_MISMATCH",
            CibaError::InvalidNotification(_) => "ERR_CIBA_INVALID_NOTIFICATION",
            CibaError::WrongDeliveryMode { .. } => "ERR_CIBA_WRONG_MODE",
            CibaError::ConflictingNotification => "ERR_CIBA_CONFLICTING_NOTIFICATION",
            CibaError::PushIdToken { .. } => "ERR_CIBA_PUSH_ID_TOKEN",
            CibaError::SignedNotificationToken { .. } => "ERR_CIBA_SIGNED_NOTIFICATION_TOKEN",
            CibaError::DuplicateAuthReqId => "ERR_CIBA_DUPLICATE_AUTH_REQ_ID",
            CibaError::NotificationTokenReused => "ERR_CIBA_NOTIFICATION_TOKEN_REUSED",
            CibaError::StoreFull { .. } => "ERR_CIBA_STORE_FULL",
            CibaError::ReplayStore(e) => e.code(),
            CibaError::PendingStore(_) => "ERR_CIBA_PENDING_STORE",
        }
    }

    /// The HTTP status a client notification endpoint answers when handling a notification
    /// failed with this error: 401 when the call is not authenticated (no, a malformed, an
    /// unknown or a wrong bearer token, a signed token that fails its checks or a nonce that is
    /// not the request's), 400 for a malformed or unacceptable body, 500 for anything else (the
    /// store failed).
    #[must_use]
    pub fn notification_status(&self) -> u16 {
        match self {
            CibaError::MissingBearerToken
            | CibaError::MalformedBearerToken
            | CibaError::UnknownAuthReqId
            | CibaError::NotificationTokenMismatch
            | CibaError::NotificationNonceMismatch
            | CibaError::SignedNotificationToken { .. } => 401,
            CibaError::InvalidNotification(_)
            | CibaError::WrongDeliveryMode { .. }
            | CibaError::ConflictingNotification
            | CibaError::PushIdToken { .. } => 400,
            _ => 500,
        }
    }

    /// The OAuth `error` the server sent, when the failure is one.
    #[must_use]
    pub fn oauth_error(&self) -> Option<&str> {
        match self {
            CibaError::AccessDenied { .. } => Some("access_denied"),
            CibaError::ExpiredToken { .. } => Some("expired_token"),
            CibaError::InvalidGrant { .. } => Some("invalid_grant"),
            CibaError::TransactionFailed { .. } => Some("transaction_failed"),
            CibaError::OAuth(e) => e.oauth_error(),
            _ => None,
        }
    }
}
