//! `NumericDate` (RFC 7519 §2): seconds since the epoch, possibly fractional.

use core::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time as JWT claims express it: seconds since 1970-01-01T00:00:00Z UTC.
///
/// Fractional values are kept (as nanoseconds) and compared exactly; the system clock is read
/// in whole seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NumericDate {
    seconds: i64,
    nanos: u32,
}

/// Latest accepted NumericDate: year 9999, so that arithmetic never overflows.
const MAX_SECONDS: i64 = 253_402_300_799;

impl NumericDate {
    /// Whole seconds since the epoch.
    #[must_use]
    pub const fn from_seconds(seconds: i64) -> Self {
        Self { seconds, nanos: 0 }
    }

    /// The current time from the system clock, in whole seconds.
    #[must_use]
    pub fn now() -> Self {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(MAX_SECONDS));
        Self::from_seconds(seconds)
    }

    /// Whole seconds (rounded towards negative infinity).
    #[must_use]
    pub const fn seconds(self) -> i64 {
        self.seconds
    }

    /// The fractional part, in nanoseconds.
    #[must_use]
    pub const fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// This time plus `d`, saturating at year 9999.
    #[must_use]
    pub fn plus(self, d: Duration) -> Self {
        let secs = i64::try_from(d.as_secs()).unwrap_or(MAX_SECONDS);
        let mut nanos = self.nanos + d.subsec_nanos();
        let mut seconds = self.seconds.saturating_add(secs);
        if nanos >= 1_000_000_000 {
            nanos -= 1_000_000_000;
            seconds = seconds.saturating_add(1);
        }
        if seconds > MAX_SECONDS {
            return Self {
                seconds: MAX_SECONDS,
                nanos: 0,
            };
        }
        Self { seconds, nanos }
    }

    /// The same instant as a [`SystemTime`] (for replay stores and other std APIs).
    ///
    /// ```
    /// use jwt_claims::NumericDate;
    /// use std::time::{Duration, UNIX_EPOCH};
    ///
    /// let t = NumericDate::from_seconds(1_700_000_000).to_system_time();
    /// assert_eq!(t, UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    /// ```
    #[must_use]
    pub fn to_system_time(self) -> SystemTime {
        let whole = Duration::from_secs(self.seconds.unsigned_abs());
        let instant = if self.seconds >= 0 {
            UNIX_EPOCH.checked_add(whole)
        } else {
            UNIX_EPOCH.checked_sub(whole)
        };
        instant
            .and_then(|t| t.checked_add(Duration::from_nanos(u64::from(self.nanos))))
            .unwrap_or(UNIX_EPOCH)
    }

    /// This time minus `d`, saturating at year -9999.
    #[must_use]
    pub fn minus(self, d: Duration) -> Self {
        let secs = i64::try_from(d.as_secs()).unwrap_or(MAX_SECONDS);
        let mut seconds = self.seconds.saturating_sub(secs);
        let nanos = if self.nanos >= d.subsec_nanos() {
            self.nanos - d.subsec_nanos()
        } else {
            seconds = seconds.saturating_sub(1);
            self.nanos + 1_000_000_000 - d.subsec_nanos()
        };
        Self {
            seconds: seconds.max(-MAX_SECONDS),
            nanos,
        }
    }

    /// This time shifted by `seconds` (positive or negative).
    #[must_use]
    pub fn shifted(self, seconds: i64) -> Self {
        if seconds >= 0 {
            self.plus(Duration::from_secs(seconds.unsigned_abs()))
        } else {
            self.minus(Duration::from_secs(seconds.unsigned_abs()))
        }
    }

    /// Reads a JSON number.
    ///
    /// Returns `None` for anything that is not a finite number within ±year 9999.
    #[must_use]
    pub fn from_json(value: &serde_json::Value) -> Option<Self> {
        let n = value.as_number()?;
        if let Some(i) = n.as_i64() {
            return (i.abs() <= MAX_SECONDS).then_some(Self::from_seconds(i));
        }
        let f = n.as_f64()?;
        if !f.is_finite() || f.abs() > MAX_SECONDS as f64 {
            return None;
        }
        let seconds = f.floor();
        let nanos = ((f - seconds) * 1e9).round().clamp(0.0, 999_999_999.0);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some(Self {
            seconds: seconds as i64,
            nanos: nanos as u32,
        })
    }

    /// As a JSON number: an integer when there is no fractional part.
    #[must_use]
    pub fn to_json(self) -> serde_json::Value {
        if self.nanos == 0 {
            serde_json::Value::from(self.seconds)
        } else {
            #[allow(clippy::cast_precision_loss)]
            serde_json::Value::from(self.seconds as f64 + f64::from(self.nanos) / 1e9)
        }
    }
}

impl fmt::Display for NumericDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos == 0 {
            write!(f, "{}", self.seconds)
        } else {
            write!(f, "{}.{:09}", self.seconds, self.nanos)
        }
    }
}

impl From<SystemTime> for NumericDate {
    fn from(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => NumericDate::from_seconds(0).plus(d),
            Err(e) => NumericDate::from_seconds(0).minus(e.duration()),
        }
    }
}

impl serde::Serialize for NumericDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for NumericDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        NumericDate::from_json(&v)
            .ok_or_else(|| serde::de::Error::custom("NumericDate must be a number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_integers_and_fractions_and_refuses_the_rest() {
        assert_eq!(
            NumericDate::from_json(&json!(1300819380)),
            Some(NumericDate::from_seconds(1300819380))
        );
        let f = NumericDate::from_json(&json!(1300819380.5)).unwrap();
        assert_eq!((f.seconds(), f.subsec_nanos()), (1300819380, 500_000_000));
        assert_eq!(f.to_json(), json!(1300819380.5));
        assert!(NumericDate::from_json(&json!("1300819380")).is_none());
        assert!(NumericDate::from_json(&json!(null)).is_none());
        assert!(NumericDate::from_json(&json!(1e300)).is_none());
        assert!(NumericDate::from_json(&json!(-1.5)).is_some_and(|d| d.seconds() == -2));
    }

    #[test]
    fn arithmetic_saturates() {
        let max = NumericDate::from_seconds(MAX_SECONDS);
        assert_eq!(max.plus(Duration::from_secs(u64::MAX)), max);
        assert_eq!(NumericDate::from_seconds(10).shifted(-20).seconds(), -10);
        let half = NumericDate::from_json(&json!(10.5)).unwrap();
        assert_eq!(half.minus(Duration::from_millis(600)).to_json(), json!(9.9));
    }
}
