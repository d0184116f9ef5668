//! The time and algorithm rules every verifier applies, with per-token defaults.

use crate::{AlgorithmSet, E2ePopError, TokenKind};
use jwt_claims::{NumericDate, RegisteredClaims};
use std::time::Duration;

/// Algorithms, clock tolerance, maximum age and lifetime, and the clock, of one verifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Policy {
    pub(crate) algorithms: AlgorithmSet,
    pub(crate) tolerance: Duration,
    pub(crate) max_token_age: Duration,
    pub(crate) max_lifetime: Duration,
    pub(crate) now: Option<NumericDate>,
}

impl Policy {
    pub(crate) fn for_token(kind: TokenKind) -> Self {
        Self {
            algorithms: AlgorithmSet::all(),
            tolerance: Duration::ZERO,
            max_token_age: kind.default_max_token_age(),
            max_lifetime: kind.draft_max_lifetime(),
            now: None,
        }
    }

    /// The time of the checks: the injected time, or the system clock in whole seconds.
    pub(crate) fn current_time(&self) -> NumericDate {
        self.now.unwrap_or_else(NumericDate::now)
    }

    /// The time checks in the reference implementation's order (`nbf`, `exp`, then the age of
    /// `iat`),
    /// then the lifetime limit of the draft. `iat` and `exp` are required claims, checked
    /// present before this runs.
    pub(crate) fn check_times(&self, claims: &RegisteredClaims) -> Result<(), E2ePopError> {
        let now = self.current_time();
        let earliest = now.minus(self.tolerance);
        let latest = now.plus(self.tolerance);
        let iat = claims.iat.ok_or(E2ePopError::MissingClaim("iat"))?;
        let exp = claims.exp.ok_or(E2ePopError::MissingClaim("exp"))?;
        if let Some(nbf) = claims.nbf
            && nbf > latest
        {
            return Err(E2ePopError::NotYetValid { nbf, now });
        }
        // Invalid from the `exp` second on (RFC 7519 §4.1.4).
        if exp <= earliest {
            return Err(E2ePopError::Expired { exp, now });
        }
        if iat.plus(self.max_token_age) < earliest {
            return Err(E2ePopError::TooOld {
                iat,
                max_age: self.max_token_age.as_secs(),
                now,
            });
        }
        if iat > latest {
            return Err(E2ePopError::IssuedInFuture { iat, now });
        }
        if exp < iat || exp > iat.plus(self.max_lifetime) {
            return Err(E2ePopError::LifetimeOutOfRange {
                lifetime: exp.seconds().saturating_sub(iat.seconds()),
                max: self.max_lifetime.as_secs(),
            });
        }
        Ok(())
    }
}

/// The setters of [`Policy`], shared by the verifiers.
macro_rules! policy_setters {
    () => {
        /// Accepts only these algorithms (default: [`crate::AlgorithmSet::all`], the reference
        /// library's nine plus EdDSA).
        pub fn algorithms(mut self, algorithms: crate::AlgorithmSet) -> Self {
            self.policy.algorithms = algorithms;
            self
        }

        /// Clock tolerance for every time check (default 0, as in the reference).
        pub fn clock_tolerance(mut self, tolerance: std::time::Duration) -> Self {
            self.policy.tolerance = tolerance;
            self
        }

        /// Refuses tokens whose `iat` is older than this (default: the reference's 300 s for
        /// PoP tokens, 3600 s for ICTs and E2E PoP tokens).
        pub fn max_token_age(mut self, age: std::time::Duration) -> Self {
            self.policy.max_token_age = age;
            self
        }

        /// Refuses tokens whose `exp − iat` exceeds this (default: the draft's limit, 5 min
        /// for PoP and E2E PoP tokens, 1 h for ICTs). Raising it is a deliberate departure
        /// from the draft.
        pub fn max_lifetime(mut self, lifetime: std::time::Duration) -> Self {
            self.policy.max_lifetime = lifetime;
            self
        }

        /// Checks the times as of `now` instead of the system clock.
        pub fn now(mut self, now: jwt_claims::NumericDate) -> Self {
            self.policy.now = Some(now);
            self
        }
    };
}

pub(crate) use policy_setters;
