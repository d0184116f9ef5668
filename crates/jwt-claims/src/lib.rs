#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod builder;
mod claims;
#[cfg(feature = "jwe")]
mod encrypted;
mod error;
mod numeric_date;
pub mod typ;
mod validation;
mod verify;

pub use builder::JwtBuilder;
pub use claims::{Audience, REGISTERED, RegisteredClaims, is_string_or_uri};
#[cfg(feature = "jwe")]
pub use encrypted::{DecryptedJwt, decrypt, decrypt_then_verify};
pub use error::JwtError;
pub use numeric_date::NumericDate;
pub use validation::Validation;
pub use verify::{VerifiedJwt, decode_unverified, finish, parse_claims, refuse_nested, verify};
