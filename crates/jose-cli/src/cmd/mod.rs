//! One module per top-level command.

pub mod demo;
pub mod jws;
pub mod jwt;
pub mod key;
pub mod thumbprint;
