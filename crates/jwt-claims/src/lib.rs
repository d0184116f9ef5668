#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod builder;
mod claim_reader;
mod claims;
#[cfg(feature = "jwe")]
mod encrypted;
mod error;
mod numeric_date;
mod time_rules;
pub mod typ;
mod validation;
mod verify;

pub use builder::JwtBuilder;
pub use claim_reader::{ClaimError, ClaimReader, ClaimReason};
pub use claims::{Audience, REGISTERED, RegisteredClaims, is_string_or_uri};
#[cfg(feature = "jwe")]
pub use encrypted::{DecryptedJwt, decrypt, decrypt_then_verify};
pub use error::JwtError;
pub use numeric_date::NumericDate;
pub use time_rules::{TimeError, TimeRules};
pub use validation::Validation;
pub use verify::{VerifiedJwt, decode_unverified, finish, parse_claims, refuse_nested, verify};

// What a JWT user needs from the crates below, so that one crate appears in `use` lines.
/// The JOSE building blocks (keys, algorithms, headers), for what the re-exports above leave out.
pub use jose_core;
pub use jose_core::alg::JwsAlgorithm;
pub use jose_core::jwk::{Jwk, JwkSet, KeyError};
/// JWE, for encrypted JWTs' keys and options.
#[cfg(feature = "jwe")]
pub use jwe;
/// JWS, for what the re-exports above leave out.
pub use jws;
pub use jws::{JwsError, Signer, SigningKey, VerifyOptions};

/// The workspace README's quickstart, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct WorkspaceReadme;

/// `docs/migrating-from-jsonwebtoken.md`, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/migrating-from-jsonwebtoken.md")]
pub struct MigratingFromJsonwebtoken;
