//! The time checks of every JWT profile: `exp`, `nbf`, `iat` not in the future, the age of
//! `iat`, and the lifetime `exp − iat`, on [`NumericDate`], with one clock tolerance (`leeway`).
//!
//! Each check is its own method, so that a profile that must report failures in a given order
//! (a reference implementation's, a test-vector suite's) calls them in that order;
//! [`TimeRules::check`] runs the order of [`crate::Validation`].
//!
//! ```
//! use jwt_claims::{NumericDate, TimeError, TimeRules};
//! use std::time::Duration;
//!
//! let now = NumericDate::from_seconds(1_800_000_000);
//! let rules = TimeRules::at(now)
//!     .leeway(Duration::from_secs(5))
//!     .max_age(Duration::from_secs(300))
//!     .max_lifetime(Duration::from_secs(600));
//!
//! let iat = now.minus(Duration::from_secs(60));
//! let exp = iat.plus(Duration::from_secs(300));
//! rules.check_iat(iat)?;
//! rules.check_age(iat)?;
//! rules.check_exp(exp)?;
//! rules.check_lifetime(iat, exp)?;
//!
//! // Invalid from the `exp` second on, once the leeway has passed too.
//! let late = TimeRules::at(exp.plus(Duration::from_secs(5))).leeway(Duration::from_secs(5));
//! let err = late.check_exp(exp).unwrap_err();
//! assert!(matches!(err, TimeError::Expired { .. }));
//! assert_eq!(err.code(), "exp");
//! # Ok::<(), TimeError>(())
//! ```

use crate::{NumericDate, RegisteredClaims};
use std::time::Duration;

/// The time, the clock tolerance and the limits against which a token's times are checked.
///
/// The conventions every profile crate follows: the tolerance is called `leeway` and is a
/// [`Duration`]; "now" is a [`NumericDate`]. Without [`TimeRules::max_age`] or
/// [`TimeRules::max_lifetime`] those checks pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct TimeRules {
    now: NumericDate,
    leeway: Duration,
    max_age: Option<Duration>,
    max_lifetime: Option<Duration>,
}

impl TimeRules {
    /// Checks as of `now`, with no leeway and no age or lifetime limit.
    pub fn at(now: NumericDate) -> Self {
        Self {
            now,
            leeway: Duration::ZERO,
            max_age: None,
            max_lifetime: None,
        }
    }

    /// Checks as of `now` if given, else as of the system clock (whole seconds).
    pub fn at_or_now(now: Option<NumericDate>) -> Self {
        Self::at(now.unwrap_or_else(NumericDate::now))
    }

    /// The clock tolerance applied to every check but the lifetime (default 0).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Refuses an `iat` older than this (plus the leeway).
    pub fn max_age(mut self, age: Duration) -> Self {
        self.max_age = Some(age);
        self
    }

    /// Refuses an `exp − iat` that is negative or longer than this.
    pub fn max_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_lifetime = Some(lifetime);
        self
    }

    /// The time of the checks.
    #[must_use]
    pub fn now(&self) -> NumericDate {
        self.now
    }

    /// The earliest instant the leeway stretches "now" to.
    fn earliest(&self) -> NumericDate {
        self.now.minus(self.leeway)
    }

    /// The latest instant the leeway stretches "now" to.
    fn latest(&self) -> NumericDate {
        self.now.plus(self.leeway)
    }

    /// `exp`: invalid from the `exp` second on (RFC 7519 §4.1.4, "on or after"), after the
    /// leeway.
    ///
    /// # Errors
    /// [`TimeError::Expired`].
    pub fn check_exp(&self, exp: NumericDate) -> Result<(), TimeError> {
        if exp <= self.earliest() {
            return Err(TimeError::Expired { exp, now: self.now });
        }
        Ok(())
    }

    /// `nbf`: not before it, less the leeway.
    ///
    /// # Errors
    /// [`TimeError::NotYetValid`].
    pub fn check_nbf(&self, nbf: NumericDate) -> Result<(), TimeError> {
        if nbf > self.latest() {
            return Err(TimeError::NotYetValid { nbf, now: self.now });
        }
        Ok(())
    }

    /// `iat`: not in the future, beyond the leeway.
    ///
    /// # Errors
    /// [`TimeError::IssuedInFuture`].
    pub fn check_iat(&self, iat: NumericDate) -> Result<(), TimeError> {
        if iat > self.latest() {
            return Err(TimeError::IssuedInFuture { iat, now: self.now });
        }
        Ok(())
    }

    /// The age of `iat`: at most the maximum age, plus the leeway.
    ///
    /// # Errors
    /// [`TimeError::TooOld`].
    pub fn check_age(&self, iat: NumericDate) -> Result<(), TimeError> {
        match self.max_age {
            Some(max_age) if iat.plus(max_age) < self.earliest() => Err(TimeError::TooOld {
                iat,
                max_age_seconds: max_age.as_secs(),
                now: self.now,
            }),
            _ => Ok(()),
        }
    }

    /// The lifetime: `iat ≤ exp ≤ iat + max_lifetime` (no leeway: both times are the
    /// issuer's).
    ///
    /// # Errors
    /// [`TimeError::LifetimeOutOfRange`].
    pub fn check_lifetime(&self, iat: NumericDate, exp: NumericDate) -> Result<(), TimeError> {
        match self.max_lifetime {
            Some(max) if exp < iat || exp > iat.plus(max) => Err(TimeError::LifetimeOutOfRange {
                lifetime: exp.seconds().saturating_sub(iat.seconds()),
                max_seconds: max.as_secs(),
            }),
            _ => Ok(()),
        }
    }

    /// The checks of [`crate::Validation`], in its order, on the times present: `exp`,
    /// `nbf`, `iat` in the future, the age of `iat`, then the lifetime (when both `iat` and
    /// `exp` are present).
    ///
    /// # Errors
    /// The [`TimeError`] of the first failed check.
    pub fn check(&self, claims: &RegisteredClaims) -> Result<(), TimeError> {
        if let Some(exp) = claims.exp {
            self.check_exp(exp)?;
        }
        if let Some(nbf) = claims.nbf {
            self.check_nbf(nbf)?;
        }
        if let Some(iat) = claims.iat {
            self.check_iat(iat)?;
            self.check_age(iat)?;
            if let Some(exp) = claims.exp {
                self.check_lifetime(iat, exp)?;
            }
        }
        Ok(())
    }
}

/// Why a token's times were refused: the time group every profile's error nests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    /// `exp` has passed (with the leeway).
    #[error("the token expired at {exp} (now {now})")]
    Expired {
        /// The `exp` claim.
        exp: NumericDate,
        /// The time of the check.
        now: NumericDate,
    },
    /// `nbf` is still in the future (with the leeway).
    #[error("the token is not valid before {nbf} (now {now})")]
    NotYetValid {
        /// The `nbf` claim.
        nbf: NumericDate,
        /// The time of the check.
        now: NumericDate,
    },
    /// `iat` is in the future (with the leeway).
    #[error("the token was issued in the future, at {iat} (now {now})")]
    IssuedInFuture {
        /// The `iat` claim.
        iat: NumericDate,
        /// The time of the check.
        now: NumericDate,
    },
    /// `iat` is older than the maximum age (with the leeway).
    #[error("the token was issued at {iat}, more than {max_age_seconds} s before {now}")]
    TooOld {
        /// The `iat` claim.
        iat: NumericDate,
        /// The maximum age in seconds.
        max_age_seconds: u64,
        /// The time of the check.
        now: NumericDate,
    },
    /// `exp − iat` is negative or longer than the maximum lifetime.
    #[error("the token's lifetime exp - iat = {lifetime} s is outside 0..={max_seconds} s")]
    LifetimeOutOfRange {
        /// `exp − iat`, in seconds.
        lifetime: i64,
        /// The maximum lifetime in seconds.
        max_seconds: u64,
    },
}

impl TimeError {
    /// A stable identifier of the failed check: `exp`, `nbf`, `iat_future`, `iat_too_old`,
    /// `lifetime` (the codes the profile crates' errors report).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            TimeError::Expired { .. } => "exp",
            TimeError::NotYetValid { .. } => "nbf",
            TimeError::IssuedInFuture { .. } => "iat_future",
            TimeError::TooOld { .. } => "iat_too_old",
            TimeError::LifetimeOutOfRange { .. } => "lifetime",
        }
    }

    /// The claim the failed check is about: `exp`, `nbf` or `iat` (`exp` for the lifetime).
    #[must_use]
    pub fn claim(&self) -> &'static str {
        match self {
            TimeError::Expired { .. } | TimeError::LifetimeOutOfRange { .. } => "exp",
            TimeError::NotYetValid { .. } => "nbf",
            TimeError::IssuedInFuture { .. } | TimeError::TooOld { .. } => "iat",
        }
    }
}

impl From<TimeError> for crate::JwtError {
    fn from(e: TimeError) -> Self {
        use crate::JwtError;
        match e {
            TimeError::Expired { exp, now } => JwtError::Expired { exp, now },
            TimeError::NotYetValid { nbf, now } => JwtError::NotYetValid { nbf, now },
            TimeError::IssuedInFuture { iat, now } => JwtError::IssuedInFuture { iat, now },
            TimeError::TooOld {
                iat,
                max_age_seconds,
                now,
            } => JwtError::TooOld {
                iat,
                max_age_seconds,
                now,
            },
            // `Validation` sets no lifetime limit; a caller's own `TimeRules` may.
            TimeError::LifetimeOutOfRange { .. } => JwtError::InvalidClaim {
                claim: "exp",
                reason: "the lifetime exp - iat is out of range",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const NOW: NumericDate = NumericDate::from_seconds(1_000_000);

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn exp_is_invalid_from_its_own_second_after_the_leeway() {
        let rules = TimeRules::at(NOW).leeway(secs(5));
        assert!(rules.check_exp(NOW.minus(secs(4))).is_ok());
        assert_eq!(
            rules.check_exp(NOW.minus(secs(5))),
            Err(TimeError::Expired {
                exp: NOW.minus(secs(5)),
                now: NOW
            })
        );
    }

    #[test]
    fn nbf_and_iat_may_be_ahead_by_the_leeway_only() {
        let rules = TimeRules::at(NOW).leeway(secs(5));
        assert!(rules.check_nbf(NOW.plus(secs(5))).is_ok());
        assert!(rules.check_iat(NOW.plus(secs(5))).is_ok());
        assert_eq!(
            rules.check_nbf(NOW.plus(secs(6))).unwrap_err().code(),
            "nbf"
        );
        assert_eq!(
            rules.check_iat(NOW.plus(secs(6))).unwrap_err().code(),
            "iat_future"
        );
    }

    #[test]
    fn age_counts_the_leeway_and_passes_without_a_limit() {
        let iat = NOW.minus(secs(66));
        assert!(TimeRules::at(NOW).check_age(iat).is_ok());
        let rules = TimeRules::at(NOW).leeway(secs(5)).max_age(secs(60));
        assert!(rules.check_age(NOW.minus(secs(65))).is_ok());
        assert_eq!(rules.check_age(iat).unwrap_err().code(), "iat_too_old");
    }

    #[test]
    fn lifetime_is_between_zero_and_the_limit_without_leeway() {
        let rules = TimeRules::at(NOW).leeway(secs(30)).max_lifetime(secs(300));
        assert!(rules.check_lifetime(NOW, NOW).is_ok());
        assert!(rules.check_lifetime(NOW, NOW.plus(secs(300))).is_ok());
        assert_eq!(
            rules.check_lifetime(NOW, NOW.plus(secs(301))),
            Err(TimeError::LifetimeOutOfRange {
                lifetime: 301,
                max_seconds: 300
            })
        );
        assert!(rules.check_lifetime(NOW, NOW.minus(secs(1))).is_err());
    }

    #[test]
    fn check_runs_the_validation_order() {
        let claims = RegisteredClaims {
            exp: Some(NOW.minus(secs(10))),
            nbf: Some(NOW.plus(secs(10))),
            ..RegisteredClaims::default()
        };
        assert_eq!(TimeRules::at(NOW).check(&claims).unwrap_err().code(), "exp");
    }
}
