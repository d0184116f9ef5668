#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod alg;
mod builder;
mod claims;
mod e2e;
mod error;
mod ict;
mod keys;
mod nonce;
mod pair;
#[cfg(feature = "pgp")]
pub mod pgp;
mod pipeline;
mod policy;
mod pop;
mod replay;
#[cfg(feature = "ict-request")]
pub mod request;

pub use alg::AlgorithmSet;
pub use claims::{CommonClaims, Contexts};
pub use e2e::{E2ePopClaims, E2ePopTokenBuilder, E2ePopVerifier, VerifiedE2ePop};
pub use error::E2ePopError;
pub use ict::{IctBuilder, IctClaims, IctVerifier, RequiredContexts, VerifiedIct};
pub use keys::{ClientKey, OpJwks, OpKeyResolver, TrustedOps};
pub use nonce::Nonce;
pub use pair::{PairPolicy, VerifiedIdentity, verify_pair};
pub use policy::VerifierPolicy;
pub use pop::{PopClaims, PopTokenBuilder, PopTokenVerifier, VerifiedPopToken};
pub use replay::ReplayKey;

pub use jwt_claims::{Audience, NumericDate};

use std::time::Duration;

/// The three token types of OIDC².
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// The PoP token (`jwt+pop`): client → OP, signed by the client key it carries in `jwk`.
    Pop,
    /// The Identity Certification Token (`jwt+ict`): OP → client → peer, signed by the OP.
    Ict,
    /// The end-to-end PoP token (`jwt+e2epop`): client → peer, signed by the key the ICT
    /// certifies.
    E2ePop,
}

impl TokenKind {
    /// The header `typ` (emitted in lower case, matched case-insensitively with the
    /// `application/` prefix optional).
    #[must_use]
    pub const fn typ(self) -> &'static str {
        match self {
            TokenKind::Pop => "jwt+pop",
            TokenKind::Ict => "jwt+ict",
            TokenKind::E2ePop => "jwt+e2epop",
        }
    }

    /// The builders' default lifetime (`exp − iat`): 60 s for PoP tokens, 300 s otherwise.
    #[must_use]
    pub const fn default_lifetime(self) -> Duration {
        match self {
            TokenKind::Pop => Duration::from_secs(60),
            TokenKind::Ict | TokenKind::E2ePop => Duration::from_secs(300),
        }
    }

    /// The verifiers' default maximum age of `iat`: 300 s for PoP tokens, 3600 s otherwise
    /// (the reference library's `maxTokenAge` defaults).
    #[must_use]
    pub const fn default_max_token_age(self) -> Duration {
        match self {
            TokenKind::Pop => Duration::from_secs(300),
            TokenKind::Ict | TokenKind::E2ePop => Duration::from_secs(3600),
        }
    }

    /// The draft's limit on `exp − iat`: 5 min for PoP and E2E PoP tokens, 1 h for ICTs.
    #[must_use]
    pub const fn draft_max_lifetime(self) -> Duration {
        match self {
            TokenKind::Pop | TokenKind::E2ePop => Duration::from_secs(300),
            TokenKind::Ict => Duration::from_secs(3600),
        }
    }
}

impl core::fmt::Display for TokenKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            TokenKind::Pop => "PoP token",
            TokenKind::Ict => "ICT",
            TokenKind::E2ePop => "E2E PoP token",
        })
    }
}
