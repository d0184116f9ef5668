//! One module per top-level command.

pub mod ciba;
pub mod demo;
pub mod dpop;
pub mod e2e_pop;
pub mod jwe;
pub mod jws;
pub mod jwt;
pub mod key;
pub mod key_set;
pub mod key_source;
pub mod oauth;
pub mod signing_challenge;
pub mod thumbprint;
