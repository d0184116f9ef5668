#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod ack;
mod client;
mod error;
mod hashes;
mod metadata;
mod mode;
mod notification;
mod notification_token;
mod poll;
#[cfg(feature = "redis")]
mod redis_store;
mod request;
mod signed_token;
mod store;

pub use ack::{
    AuthReqId, BackchannelAck, DEFAULT_INTERVAL_SECONDS, MAX_AUTH_REQ_ID_LENGTH,
    MAX_EXPIRES_IN_SECONDS, MAX_INTERVAL_SECONDS,
};
pub use client::CibaClient;
pub use error::{CibaError, PushCheck, TokenCheck};
pub use hashes::{AUTH_REQ_ID_CLAIM, RT_HASH_CLAIM, token_hash, token_hash_matches};
pub use metadata::{CIBA_GRANT_TYPE, CibaClientMetadata, CibaServerMetadata};
pub use mode::{DeliveryMode, Profile};
pub use notification::{
    MAX_NOTIFICATION_BYTES, Notification, NotificationHandler, NotificationResponse, PushError,
    PushErrorCode, PushedTokens, bearer_token, check_push_claims,
};
pub use notification_token::{
    ClientNotificationToken, MAX_NOTIFICATION_TOKEN_LENGTH, MIN_NOTIFICATION_TOKEN_BITS,
    check_syntax as check_notification_token_syntax, estimated_entropy_bits, is_b64token,
};
pub use poll::{PollOptions, SLOW_DOWN_STEP_SECONDS, retry_after_seconds};
#[cfg(feature = "redis")]
pub use redis_store::RedisPendingStore;
pub use request::{
    BackchannelRequest, DEFAULT_REQUEST_LIFETIME, FAPI_MAX_REQUEST_LIFETIME,
    MAX_BINDING_MESSAGE_CHARS, UserHint,
};
pub use signed_token::{
    DEFAULT_MAX_SIGNED_TOKEN_LIFETIME, DEFAULT_SIGNED_TOKEN_LIFETIME, MintedToken,
    NotificationTokenIssuer, NotificationTokenVerifier, VerifiedNotificationToken,
};
pub use store::{
    InMemoryPendingStore, PendingRequest, PendingState, PendingStore, PushedBody, Recorded,
    StoredRequest,
};

pub use oauth_client;

#[cfg(test)]
mod tests {
    #[test]
    fn the_client_and_handler_are_shareable() {
        fn shareable<T: Send + Sync + Clone + 'static>() {}
        shareable::<crate::CibaClient>();
        shareable::<crate::NotificationHandler>();
        shareable::<crate::BackchannelAck>();
        shareable::<crate::CibaError>();
    }
}
