#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod alg;
pub mod b64;
pub mod backend;
mod error;
pub mod header;
pub mod json;
pub mod jwk;
pub mod rand;
mod secret;

pub use error::Error;
pub use secret::{SecretBytes, constant_time_eq};

#[cfg(feature = "aws-lc-rs")]
pub use aws_lc_rs;
#[cfg(feature = "eddsa")]
pub use ed25519_dalek;
#[cfg(feature = "rsa")]
pub use rsa;
#[cfg(feature = "x25519")]
pub use x25519_dalek;
#[cfg(feature = "ec")]
pub use {elliptic_curve, p256, p384, p521};
