//! Typed reads of a claims set's members, each failing with one [`ClaimError`] that names the
//! claim and says what was wrong.
//!
//! A profile reads its own claims (`htm`, `sign_ref`, `ctx`, `nonce`, ...) through this reader
//! so that every crate words a missing or mistyped claim alike.
//!
//! ```
//! use jwt_claims::{ClaimError, ClaimReader, ClaimReason};
//! use serde_json::json;
//!
//! let claims = json!({"htm": "POST", "iat": 1800000000, "amr": ["pwd", "otp"]});
//! let claims = claims.as_object().unwrap();
//! let read = ClaimReader::new(claims);
//!
//! assert_eq!(read.string("htm")?, "POST");
//! assert_eq!(read.integer("iat")?, 1_800_000_000);
//! assert_eq!(read.string_list("amr")?, Some(vec!["pwd".to_owned(), "otp".to_owned()]));
//! assert_eq!(read.optional_string("nonce")?, None);
//!
//! let err = read.string("htu").unwrap_err();
//! assert_eq!(err, ClaimError { claim: "htu", reason: ClaimReason::Missing });
//! assert_eq!(err.code(), "claim_missing");
//! let err = read.string("iat").unwrap_err();
//! assert_eq!(err.reason, ClaimReason::Invalid("must be a string"));
//! assert_eq!(err.code(), "claim_invalid");
//! # Ok::<(), ClaimError>(())
//! ```

use crate::NumericDate;
use serde_json::{Map, Value};

/// A claim that is missing or not of the expected form: the claim group every profile's error
/// nests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("claim {claim:?} {reason}")]
pub struct ClaimError {
    /// The claim.
    pub claim: &'static str,
    /// What is wrong with it.
    pub reason: ClaimReason,
}

/// What is wrong with a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClaimReason {
    /// The claims set has no member of that name.
    Missing,
    /// The member is not of the expected form; the text says which form was expected.
    Invalid(&'static str),
}

impl core::fmt::Display for ClaimReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ClaimReason::Missing => f.write_str("is missing"),
            ClaimReason::Invalid(reason) => write!(f, "is invalid: {reason}"),
        }
    }
}

impl ClaimError {
    /// A missing claim.
    #[must_use]
    pub const fn missing(claim: &'static str) -> Self {
        Self {
            claim,
            reason: ClaimReason::Missing,
        }
    }

    /// A claim of the wrong form.
    #[must_use]
    pub const fn invalid(claim: &'static str, reason: &'static str) -> Self {
        Self {
            claim,
            reason: ClaimReason::Invalid(reason),
        }
    }

    /// The reason of [`ClaimReader::seconds`] for a number that is not finite.
    pub const UNUSABLE_NUMBER: &'static str = "is not a usable number";

    /// `claim_missing` or `claim_invalid`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self.reason {
            ClaimReason::Missing => "claim_missing",
            ClaimReason::Invalid(_) => "claim_invalid",
        }
    }
}

impl From<ClaimError> for crate::JwtError {
    fn from(e: ClaimError) -> Self {
        match e.reason {
            ClaimReason::Missing => crate::JwtError::MissingClaim(e.claim.to_owned()),
            ClaimReason::Invalid(reason) => crate::JwtError::InvalidClaim {
                claim: e.claim,
                reason,
            },
        }
    }
}

/// Typed reads of the members of a claims set (a strict JSON object).
///
/// The `optional_*` readers return `None` for an absent member; the others refuse it with
/// [`ClaimReason::Missing`]. A member that is present with another type (`null` included) is
/// refused with [`ClaimReason::Invalid`].
#[derive(Clone, Copy, Debug)]
pub struct ClaimReader<'a> {
    claims: &'a Map<String, Value>,
}

impl<'a> ClaimReader<'a> {
    /// Reads `claims`.
    #[must_use]
    pub fn new(claims: &'a Map<String, Value>) -> Self {
        Self { claims }
    }

    /// The claims set.
    #[must_use]
    pub fn claims(&self) -> &'a Map<String, Value> {
        self.claims
    }

    /// The member, of any type.
    ///
    /// # Errors
    /// [`ClaimReason::Missing`].
    pub fn value(&self, name: &'static str) -> Result<&'a Value, ClaimError> {
        self.claims.get(name).ok_or(ClaimError::missing(name))
    }

    /// A string.
    ///
    /// # Errors
    /// Missing, or not a string.
    pub fn string(&self, name: &'static str) -> Result<String, ClaimError> {
        self.str(name).map(str::to_owned)
    }

    /// A string, borrowed.
    ///
    /// # Errors
    /// Missing, or not a string.
    pub fn str(&self, name: &'static str) -> Result<&'a str, ClaimError> {
        self.value(name)?
            .as_str()
            .ok_or(ClaimError::invalid(name, "must be a string"))
    }

    /// A string, if present.
    ///
    /// # Errors
    /// Present and not a string.
    pub fn optional_string(&self, name: &'static str) -> Result<Option<String>, ClaimError> {
        self.optional(name, Self::string)
    }

    /// A non-empty string of at most `max` characters.
    ///
    /// # Errors
    /// Missing, not a string, empty or too long.
    pub fn bounded(&self, name: &'static str, max: usize) -> Result<String, ClaimError> {
        let s = self.string(name)?;
        if s.is_empty() || s.chars().count() > max {
            return Err(ClaimError::invalid(
                name,
                "must be a non-empty string of bounded length",
            ));
        }
        Ok(s)
    }

    /// A string parsed with [`core::str::FromStr`]; `reason` says what form it must have.
    ///
    /// # Errors
    /// Missing, not a string, or refused by the parser.
    pub fn parsed<T: core::str::FromStr>(
        &self,
        name: &'static str,
        reason: &'static str,
    ) -> Result<T, ClaimError> {
        self.str(name)?
            .parse()
            .map_err(|_| ClaimError::invalid(name, reason))
    }

    /// A JSON integer (no fraction, no exponent) that fits an `i64`.
    ///
    /// # Errors
    /// Missing, or not such an integer.
    pub fn integer(&self, name: &'static str) -> Result<i64, ClaimError> {
        self.value(name)?
            .as_i64()
            .ok_or(ClaimError::invalid(name, "must be an integer"))
    }

    /// A NumericDate (RFC 7519 §2: a number of seconds, possibly with a fraction).
    ///
    /// # Errors
    /// Missing, or not a finite number within ±year 9999.
    pub fn numeric_date(&self, name: &'static str) -> Result<NumericDate, ClaimError> {
        NumericDate::from_json(self.value(name)?)
            .ok_or(ClaimError::invalid(name, "must be a NumericDate"))
    }

    /// A number of seconds as OpenID providers write them: an integer, or a finite number
    /// whose fraction is dropped (floored). Unlike [`ClaimReader::numeric_date`], any `i64`
    /// is accepted.
    ///
    /// # Errors
    /// Missing; not a number ([`ClaimReason::Invalid`] `"must be a number"`); a number that is
    /// not a finite value ([`ClaimError::UNUSABLE_NUMBER`]).
    pub fn seconds(&self, name: &'static str) -> Result<i64, ClaimError> {
        let n = self
            .value(name)?
            .as_number()
            .ok_or(ClaimError::invalid(name, "must be a number"))?;
        #[allow(clippy::cast_possible_truncation)] // saturating, as intended for far times
        n.as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite())
                    .map(|f| f.floor() as i64)
            })
            .ok_or(ClaimError::invalid(name, ClaimError::UNUSABLE_NUMBER))
    }

    /// A string, or an array of strings (read as a list), if present.
    ///
    /// # Errors
    /// Present and neither.
    pub fn string_or_list(&self, name: &'static str) -> Result<Option<Vec<String>>, ClaimError> {
        self.optional(name, |r, name| {
            let invalid = ClaimError::invalid(name, "must be a string or an array of strings");
            match r.value(name)? {
                Value::String(s) => Ok(vec![s.clone()]),
                Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned).ok_or(invalid))
                    .collect(),
                _ => Err(invalid),
            }
        })
    }

    /// A boolean, if present.
    ///
    /// # Errors
    /// Present and not a boolean.
    pub fn optional_bool(&self, name: &'static str) -> Result<Option<bool>, ClaimError> {
        self.optional(name, |r, name| {
            r.value(name)?
                .as_bool()
                .ok_or(ClaimError::invalid(name, "must be a boolean"))
        })
    }

    /// An array of strings, if present.
    ///
    /// # Errors
    /// Present and not an array holding only strings.
    pub fn string_list(&self, name: &'static str) -> Result<Option<Vec<String>>, ClaimError> {
        self.optional(name, |r, name| {
            let invalid = ClaimError::invalid(name, "must be an array of strings");
            r.value(name)?
                .as_array()
                .ok_or(invalid)?
                .iter()
                .map(|v| v.as_str().map(str::to_owned).ok_or(invalid))
                .collect()
        })
    }

    /// `read` applied to the member if present.
    ///
    /// # Errors
    /// The error of `read`.
    pub fn optional<T>(
        &self,
        name: &'static str,
        read: impl FnOnce(&Self, &'static str) -> Result<T, ClaimError>,
    ) -> Result<Option<T>, ClaimError> {
        if self.claims.contains_key(name) {
            read(self, name).map(Some)
        } else {
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn null_is_present_and_invalid() {
        let claims = map(json!({"nonce": null}));
        let read = ClaimReader::new(&claims);
        assert_eq!(
            read.optional_string("nonce"),
            Err(ClaimError::invalid("nonce", "must be a string"))
        );
    }

    #[test]
    fn integers_refuse_fractions_and_numeric_dates_accept_them() {
        let claims = map(json!({"iat": 1.5}));
        let read = ClaimReader::new(&claims);
        assert_eq!(read.integer("iat").unwrap_err().code(), "claim_invalid");
        assert_eq!(read.numeric_date("iat").unwrap().seconds(), 1);
    }

    #[test]
    fn bounded_refuses_empty_and_long_strings() {
        let claims = map(json!({"a": "", "b": "abcd", "c": "abc"}));
        let read = ClaimReader::new(&claims);
        assert!(read.bounded("a", 3).is_err());
        assert!(read.bounded("b", 3).is_err());
        assert_eq!(read.bounded("c", 3).unwrap(), "abc");
    }

    #[test]
    fn string_lists_refuse_other_members() {
        let claims = map(json!({"amr": ["pwd", 1], "ok": []}));
        let read = ClaimReader::new(&claims);
        assert_eq!(read.string_list("amr").unwrap_err().code(), "claim_invalid");
        assert_eq!(read.string_list("ok").unwrap(), Some(vec![]));
        assert_eq!(read.string_list("none").unwrap(), None);
        assert_eq!(
            read.optional_bool("ok").unwrap_err().code(),
            "claim_invalid"
        );
    }

    #[test]
    fn seconds_floor_fractions_and_refuse_other_types() {
        let claims = map(json!({"a": 1.9, "b": -1.5, "c": "1", "d": 7}));
        let read = ClaimReader::new(&claims);
        assert_eq!(read.seconds("a"), Ok(1));
        assert_eq!(read.seconds("b"), Ok(-2));
        assert_eq!(read.seconds("d"), Ok(7));
        assert_eq!(
            read.seconds("c"),
            Err(ClaimError::invalid("c", "must be a number"))
        );
        assert_eq!(read.seconds("e"), Err(ClaimError::missing("e")));
    }

    #[test]
    fn string_or_list_reads_both_forms() {
        let claims = map(json!({"one": "a", "two": ["a", "b"], "bad": ["a", 1]}));
        let read = ClaimReader::new(&claims);
        assert_eq!(read.string_or_list("one").unwrap(), Some(vec!["a".into()]));
        assert_eq!(read.string_or_list("two").unwrap().unwrap().len(), 2);
        assert!(read.string_or_list("bad").is_err());
        assert_eq!(read.string_or_list("none").unwrap(), None);
    }

    #[test]
    fn parsed_reports_the_callers_reason() {
        let claims = map(json!({"n": "x"}));
        let read = ClaimReader::new(&claims);
        assert_eq!(
            read.parsed::<u8>("n", "must be a small number"),
            Err(ClaimError::invalid("n", "must be a small number"))
        );
    }
}
