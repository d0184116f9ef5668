//! The time and algorithm rules every verifier applies, with per-token defaults: a plain value,
//! [`VerifierPolicy`], that each verifier holds and [`crate::PairPolicy`] sets on both of its.

use crate::{AlgorithmSet, E2ePopError, TokenKind};
use jwt_claims::ClaimError;
use jwt_claims::{NumericDate, RegisteredClaims, TimeRules};
use std::time::Duration;

/// Algorithms, clock tolerance (`leeway`), maximum age and lifetime, and the clock, of one
/// verifier.
///
/// ```
/// use e2e_pop::{AlgorithmSet, NumericDate, TokenKind, VerifierPolicy};
/// use jose_core::alg::JwsAlgorithm;
/// use std::time::Duration;
///
/// let policy = VerifierPolicy::for_token(TokenKind::Ict)
///     .algorithms(AlgorithmSet::only([JwsAlgorithm::ES256])?)
///     .leeway(Duration::from_secs(5))
///     .now(NumericDate::from_seconds(1_800_000_000));
/// assert_eq!(policy.max_lifetime_value(), TokenKind::Ict.draft_max_lifetime());
/// # Ok::<(), e2e_pop::E2ePopError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct VerifierPolicy {
    algorithms: AlgorithmSet,
    leeway: Duration,
    max_token_age: Duration,
    max_lifetime: Duration,
    now: Option<NumericDate>,
}

impl VerifierPolicy {
    /// The defaults of a token type: every algorithm of [`AlgorithmSet::all`], no leeway (as
    /// in the reference), [`TokenKind::default_max_token_age`],
    /// [`TokenKind::draft_max_lifetime`], the system clock.
    pub fn for_token(kind: TokenKind) -> Self {
        Self {
            algorithms: AlgorithmSet::all(),
            leeway: Duration::ZERO,
            max_token_age: kind.default_max_token_age(),
            max_lifetime: kind.draft_max_lifetime(),
            now: None,
        }
    }

    /// Accepts only these algorithms (default: [`AlgorithmSet::all`], the reference
    /// library's nine plus EdDSA).
    pub fn algorithms(mut self, algorithms: AlgorithmSet) -> Self {
        self.algorithms = algorithms;
        self
    }

    /// Clock tolerance for every time check but the lifetime (default 0, as in the
    /// reference).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Refuses tokens whose `iat` is older than this (default: the reference's 300 s for
    /// PoP tokens, 3600 s for ICTs and E2E PoP tokens).
    pub fn max_token_age(mut self, age: Duration) -> Self {
        self.max_token_age = age;
        self
    }

    /// Refuses tokens whose `exp − iat` exceeds this (default: the draft's limit, 5 min
    /// for PoP and E2E PoP tokens, 1 h for ICTs). Raising it is a deliberate departure
    /// from the draft.
    pub fn max_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_lifetime = lifetime;
        self
    }

    /// Checks the times as of `now` instead of the system clock.
    pub fn now(mut self, now: NumericDate) -> Self {
        self.now = Some(now);
        self
    }

    /// The accepted algorithms.
    #[must_use]
    pub fn algorithm_set(&self) -> &AlgorithmSet {
        &self.algorithms
    }

    /// The clock tolerance.
    #[must_use]
    pub fn leeway_value(&self) -> Duration {
        self.leeway
    }

    /// The maximum lifetime.
    #[must_use]
    pub fn max_lifetime_value(&self) -> Duration {
        self.max_lifetime
    }

    /// The time of the checks: the injected time, or the system clock in whole seconds.
    #[must_use]
    pub fn current_time(&self) -> NumericDate {
        self.now.unwrap_or_else(NumericDate::now)
    }

    /// The [`TimeRules`] of this policy.
    pub fn time_rules(&self) -> TimeRules {
        TimeRules::at(self.current_time())
            .leeway(self.leeway)
            .max_age(self.max_token_age)
            .max_lifetime(self.max_lifetime)
    }

    /// The time checks in the reference implementation's order (`nbf`, `exp`, then the age of
    /// `iat` and `iat` in the future), then the lifetime limit of the draft. `iat` and `exp`
    /// are required claims, checked present before this runs.
    pub(crate) fn check_times(&self, claims: &RegisteredClaims) -> Result<(), E2ePopError> {
        let rules = self.time_rules();
        let iat = claims
            .iat
            .ok_or(E2ePopError::Claim(ClaimError::missing("iat")))?;
        let exp = claims
            .exp
            .ok_or(E2ePopError::Claim(ClaimError::missing("exp")))?;
        if let Some(nbf) = claims.nbf {
            rules.check_nbf(nbf)?;
        }
        rules.check_exp(exp)?;
        rules.check_age(iat)?;
        rules.check_iat(iat)?;
        rules.check_lifetime(iat, exp)?;
        Ok(())
    }
}
