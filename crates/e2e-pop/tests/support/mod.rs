//! The async verifiers driven to completion in synchronous tests: the in-memory replay store
//! answers at once, so a current-thread runtime per call is enough.

#![allow(dead_code, clippy::unwrap_used)]

use e2e_pop::{
    E2ePopError, E2ePopVerifier, IctVerifier, OpKeyResolver, PairPolicy, PopTokenVerifier,
    VerifiedE2ePop, VerifiedIct, VerifiedIdentity, VerifiedPopToken,
};
use jose_core::jwk::Jwk;
use std::future::Future;

pub fn block<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

pub trait PopNow {
    fn verify_now(&self, token: &str) -> Result<VerifiedPopToken, E2ePopError>;
}

impl PopNow for PopTokenVerifier {
    fn verify_now(&self, token: &str) -> Result<VerifiedPopToken, E2ePopError> {
        block(self.verify(token))
    }
}

pub trait IctNow {
    fn verify_now(&self, token: &str) -> Result<VerifiedIct, E2ePopError>;
}

impl<K: OpKeyResolver + Sync> IctNow for IctVerifier<K> {
    fn verify_now(&self, token: &str) -> Result<VerifiedIct, E2ePopError> {
        block(self.verify(token))
    }
}

pub trait E2eNow {
    fn verify_now(&self, token: &str, ict: &VerifiedIct) -> Result<VerifiedE2ePop, E2ePopError>;
    fn verify_with_key_now(&self, token: &str, key: &Jwk) -> Result<VerifiedE2ePop, E2ePopError>;
}

impl E2eNow for E2ePopVerifier {
    fn verify_now(&self, token: &str, ict: &VerifiedIct) -> Result<VerifiedE2ePop, E2ePopError> {
        block(self.verify(token, ict))
    }

    fn verify_with_key_now(&self, token: &str, key: &Jwk) -> Result<VerifiedE2ePop, E2ePopError> {
        block(self.verify_with_key(token, key))
    }
}

pub fn verify_pair_now<K: OpKeyResolver + Sync>(
    ict: &str,
    e2e_pop: &str,
    policy: &PairPolicy<K>,
) -> Result<VerifiedIdentity, E2ePopError> {
    block(e2e_pop::verify_pair(ict, e2e_pop, policy))
}
