//! The test PKI and signing session (fixed keys, certificates built in code, one clock): they
//! live in `crates/vectors` (`vectors::signing_challenge::fixtures`), where the generated
//! vectors are made with them; shared here by the test files.

#![allow(dead_code, unused_imports, clippy::unwrap_used)] // not every test file uses all

pub use vectors::signing_challenge::fixtures::*;

use signing_challenge::Session;

/// `ResponseVerifier::verify` driven to completion (the in-memory store answers at once), so
/// that the check-by-check tests stay synchronous.
pub trait VerifyNow {
    fn verify_now(
        &self,
        token: &str,
        session: &Session,
    ) -> Result<signing_challenge::VerifiedResponse, signing_challenge::SigningChallengeError>;
}

impl VerifyNow for signing_challenge::ResponseVerifier {
    fn verify_now(
        &self,
        token: &str,
        session: &Session,
    ) -> Result<signing_challenge::VerifiedResponse, signing_challenge::SigningChallengeError> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(self.verify(token, session))
    }
}
