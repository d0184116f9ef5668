#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod access_token;
#[cfg(feature = "axum")]
mod axum;
mod challenge;
mod credentials;
mod dpop_scheme;
mod error;
mod introspection;
mod keys;
mod metadata;
mod multi;
mod remote;
mod request;
mod scope;
mod server;
#[cfg(feature = "tower")]
mod tower;

#[cfg(feature = "axum")]
pub use self::axum::{Authenticated, ChallengeResponse};
#[cfg(feature = "tower")]
pub use self::tower::{
    ClientCertificate, ResourceServerLayer, ResourceServerService, ResponseFuture,
    challenge_response, metadata_response,
};
pub use access_token::{
    ACCESS_TOKEN_TYP, AccessToken, AccessTokenValidation, Confirmation, REQUIRED_CLAIMS,
    TokenError, verify_access_token,
};
pub use challenge::Challenge;
pub use credentials::{Credentials, MAX_TOKEN_LEN, Scheme};
pub use dpop_scheme::DpopOptions;
pub use error::Rejection;
pub use introspection::Introspection;
pub use keys::{BoxFuture, KeySource, KeySourceError, StaticKeys};
pub use metadata::{ProtectedResourceMetadata, WELL_KNOWN_PATH, metadata_url};
pub use multi::MultiIssuer;
pub use remote::RemoteKeys;
pub use request::RequestInfo;
pub use scope::{MAX_SCOPE_LEN, ScopeError, ScopeSet};
pub use server::{Principal, ResourceServer, ResourceServerBuilder};
