#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod alg;
pub mod compact;
mod error;
pub mod json;
mod options;
pub mod protected;
mod sign;
mod signer;
pub mod unverified;
mod verified;
mod verifier;
mod verify;

pub use error::JwsError;
pub use options::{Limits, VerifyOptions};
pub use signer::{Signer, SigningKey, implied_algorithm};
pub use verified::VerifiedJws;
pub use verifier::{EmbeddedJwk, EmbeddedJwkOn, KeyResolver, ResolvedKey, Verifier};

pub use jose_core::alg::JwsAlgorithm;
pub use jose_core::header::JwsHeader;
