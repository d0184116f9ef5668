#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod authorization;
mod backchannel;
mod callback;
mod client_auth;
mod config;
mod confirmation;
mod custom_claims;
mod device;
mod discovery;
mod error;
pub mod http;
mod id_token;
mod id_token_validation;
mod introspection;
mod jar;
mod jarm;
mod jwks;
mod logout_token;
mod metadata;
mod mtls;
mod par;
mod params;
mod pending_login;
mod polling;
mod redirect;
mod registration;
mod request;
mod resource;
mod token;
#[cfg(feature = "tokio")]
mod token_manager;
mod userinfo;
pub mod www_authenticate;

pub use authorization::{
    pkce_code_challenge, random_nonce, random_pkce_code_verifier, random_state,
};
pub use backchannel::{
    BackchannelLogoutError, BackchannelLogoutHandler, LogoutResponse, LogoutSessionStore,
    MAX_LOGOUT_REQUEST_BYTES, SessionStoreError,
};
pub use callback::{Callback, ExpectedState, MAX_CALLBACK_BYTES, ResponseSource};
pub use client_auth::{AuthMethod, ClientAuth, JWT_BEARER_ASSERTION_TYPE, ModifyAssertion};
#[cfg(feature = "jwe")]
pub use config::Decryption;
pub use config::{Configuration, ConfigurationBuilder, DpopHandle, Endpoint, Options};
pub use confirmation::Confirmation;
pub use device::{
    DEFAULT_DEVICE_INTERVAL, DEVICE_CODE_GRANT_TYPE, DEVICE_SLOW_DOWN_STEP,
    DeviceAuthorizationResponse, DeviceGrantStatus, DevicePollOptions, MAX_DEVICE_INTERVAL,
};
pub use discovery::{DiscoveryAlgorithm, discovery, well_known_url};
pub use error::{
    AuthorizationErrorResponse, ChallengeResponse, Error, IdTokenCheck, OAuthErrorResponse,
};
#[cfg(feature = "reqwest")]
pub use http::reqwest_client::{ReqwestHttpClient, ReqwestHttpClientBuilder};
pub use id_token::IdTokenClaims;
pub use id_token_validation::IdTokenValidation;
pub use introspection::{INTROSPECTION_JWT, IntrospectionResponse};
pub use jar::{REQUEST_OBJECT_TYP, RequestObjectOptions};
pub use jwks::ExportedJwksCache;
pub use logout_token::{
    BACKCHANNEL_LOGOUT_EVENT, LOGOUT_TOKEN_TYP, LogoutTokenCheck, LogoutTokenClaims,
    LogoutTokenError, LogoutTokenVerifier,
};
pub use metadata::{ClientMetadata, MtlsEndpointAliases, ServerMetadata};
pub use mtls::{certificate_der_from_pem, certificate_thumbprint};
pub use par::PushedAuthorizationResponse;
pub use params::Params;
#[cfg(feature = "redis")]
pub use pending_login::RedisPendingLoginStore;
pub use pending_login::{
    DEFAULT_PENDING_LOGIN_CAPACITY, DEFAULT_PENDING_LOGIN_TTL, MAX_STATE_LEN,
    MemoryPendingLoginStore, PendingLogin, PendingLoginError, PendingLoginStore,
};
pub use polling::PollAnswer;
pub use token::{AuthorizationCodeGrantChecks, AuthorizationDetail, TokenResponse};
#[cfg(feature = "tokio")]
pub use token_manager::{
    AccessToken, Clock, DEFAULT_REFRESH_MARGIN, DEFAULT_TOKEN_STORE_CAPACITY, MemoryTokenStore,
    SessionEnd, SystemClock, TokenManager, TokenManagerBuilder, TokenManagerError, TokenSet,
    TokenStore,
};
#[cfg(feature = "redis")]
pub use token_manager::{DEFAULT_TOKEN_RETENTION, RedisTokenStore};
pub use userinfo::{Address, ExpectedSubject, UserInfo};
pub use www_authenticate::Challenge;

pub use url::Url;

#[cfg(test)]
mod tests {
    #[test]
    fn configuration_is_send_sync_and_cheap_to_clone() {
        fn shareable<T: Send + Sync + Clone + 'static>() {}
        shareable::<crate::Configuration>();
        shareable::<crate::Error>();
    }
}
