#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod challenge;
mod error;
mod jose;
mod response;
mod session;
mod user_signature;
mod values;
mod x509;

pub use challenge::{
    ChallengeVerifier, SignedChallengeBuilder, SignedChallengeClaims, VerifiedChallenge,
};
pub use error::SigningChallengeError;
pub use jose::ExpInterpretation;
pub use response::{
    ResponseVerifier, SignedResponseBuilder, SignedResponseClaims, VerifiedResponse,
};
pub use session::Session;
pub use user_signature::UserSignature;
pub use values::{ChallengeCode, DocHash, SignRef};
pub use x509::{ChainLimits, TrustAnchors, pem_certificates};
