//! The typed values the tokens carry: signing reference, document hash, challenge code.

use crate::SigningChallengeError;
use core::fmt;
use jwt_claims::ClaimError;
use serde_json::Value;

fn invalid(what: &'static str, reason: &'static str) -> SigningChallengeError {
    SigningChallengeError::InvalidValue { what, reason }
}

/// A signing reference (`sign_ref`): the UUID the hash-signing service gives a session.
///
/// Parsed from the hyphenated form in either case, kept and compared in the canonical
/// lower-case hyphenated form.
///
/// ```
/// use signing_challenge::SignRef;
///
/// let a: SignRef = "0E8F5A4C-3B1D-4A2E-9F60-7C1B2D3E4F50".parse()?;
/// assert_eq!(a.to_string(), "0e8f5a4c-3b1d-4a2e-9f60-7c1b2d3e4f50");
/// assert!("0e8f5a4c3b1d4a2e9f607c1b2d3e4f50".parse::<SignRef>().is_err());
/// # Ok::<(), signing_challenge::SigningChallengeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SignRef(uuid::Uuid);

impl SignRef {
    /// A new random (version 4) signing reference.
    ///
    /// # Errors
    /// [`SigningChallengeError::Random`].
    pub fn generate() -> Result<Self, SigningChallengeError> {
        let bytes = jose_core::rand::bytes::<16>().map_err(|_| SigningChallengeError::Random)?;
        Ok(Self(uuid::Builder::from_random_bytes(bytes).into_uuid()))
    }
}

impl core::str::FromStr for SignRef {
    type Err = SigningChallengeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 36 {
            return Err(invalid("sign_ref", "not a hyphenated UUID"));
        }
        uuid::Uuid::try_parse(s)
            .map(Self)
            .map_err(|_| invalid("sign_ref", "not a hyphenated UUID"))
    }
}

impl fmt::Display for SignRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.hyphenated())
    }
}

/// The document hash (`doc_hash`): a SHA-256, SHA-384 or SHA-512 digest in hex.
///
/// Parsed from 64, 96 or 128 hex digits in either case, written in lower case, compared as
/// bytes.
///
/// ```
/// use signing_challenge::DocHash;
///
/// let h: DocHash = "6AC7637DA92C76385F95A92C7617E591A8F6DF8F74F37EF8DB7E25E648E1DB7E".parse()?;
/// assert_eq!(h.as_bytes().len(), 32);
/// assert_eq!(h.to_string(), "6ac7637da92c76385f95a92c7617e591a8f6df8f74f37ef8db7e25e648e1db7e");
/// # Ok::<(), signing_challenge::SigningChallengeError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DocHash(Vec<u8>);

impl DocHash {
    /// A document hash from digest bytes (32, 48 or 64 of them).
    ///
    /// # Errors
    /// [`SigningChallengeError::InvalidValue`] for another length.
    pub fn from_digest(bytes: &[u8]) -> Result<Self, SigningChallengeError> {
        if !matches!(bytes.len(), 32 | 48 | 64) {
            return Err(invalid(
                "doc_hash",
                "must be a SHA-256, SHA-384 or SHA-512 digest",
            ));
        }
        Ok(Self(bytes.to_vec()))
    }

    /// The digest bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl core::str::FromStr for DocHash {
    type Err = SigningChallengeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if !matches!(s.len(), 64 | 96 | 128) {
            return Err(invalid("doc_hash", "must be 64, 96 or 128 hex digits"));
        }
        Self::from_digest(&decode_hex(s).ok_or_else(|| invalid("doc_hash", "not hex"))?)
    }
}

impl fmt::Display for DocHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_hex(&self.0))
    }
}

/// The 6-digit challenge code (`challenge_code`) the user compares between the signing
/// application's page and the phone.
///
/// Generated uniformly in 100000–999999 (no leading zero to lose when a system stores it as a
/// number); parsed from exactly six ASCII digits; written as a string.
///
/// ```
/// use signing_challenge::ChallengeCode;
///
/// let code = ChallengeCode::generate()?;
/// assert_eq!(code.as_str().len(), 6);
/// assert!("012345".parse::<ChallengeCode>().is_ok());
/// assert!("12345".parse::<ChallengeCode>().is_err());
/// # Ok::<(), signing_challenge::SigningChallengeError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ChallengeCode(String);

impl ChallengeCode {
    /// A new code, uniform in 100000–999999, from the OS CSPRNG (rejection sampling, no
    /// modulo bias).
    ///
    /// # Errors
    /// [`SigningChallengeError::Random`].
    pub fn generate() -> Result<Self, SigningChallengeError> {
        // 4_294_000_000 is the largest multiple of 900_000 below 2^32.
        const LIMIT: u32 = 4_294_000_000;
        loop {
            let bytes = jose_core::rand::bytes::<4>().map_err(|_| SigningChallengeError::Random)?;
            let n = u32::from_be_bytes(bytes);
            if n < LIMIT {
                return Ok(Self((100_000 + n % 900_000).to_string()));
            }
        }
    }

    /// The code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads the claim: a string of six digits, or, when `lenient`, also a JSON integer
    /// 0–999999 (left-padded with zeros).
    pub(crate) fn from_json(value: &Value, lenient: bool) -> Result<Self, SigningChallengeError> {
        let bad = SigningChallengeError::Claim(ClaimError::invalid(
            "challenge_code",
            "must be a string of six digits",
        ));
        match value {
            Value::String(s) => s.parse().map_err(|_| bad),
            Value::Number(n) if lenient => match n.as_u64() {
                Some(v) if v <= 999_999 => Ok(Self(format!("{v:06}"))),
                _ => Err(bad),
            },
            _ => Err(bad),
        }
    }
}

impl core::str::FromStr for ChallengeCode {
    type Err = SigningChallengeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(invalid("challenge_code", "must be exactly six digits"))
        }
    }
}

impl fmt::Display for ChallengeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Lower-case hex.
pub(crate) fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Hex in either case; `None` for odd lengths or other characters.
pub(crate) fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_codes_cover_the_range_without_leading_zeros() {
        let mut seen_low = false;
        let mut seen_high = false;
        for _ in 0..2000 {
            let c = ChallengeCode::generate().unwrap();
            let n: u32 = c.as_str().parse().unwrap();
            assert!((100_000..=999_999).contains(&n));
            seen_low |= n < 200_000;
            seen_high |= n >= 900_000;
        }
        assert!(seen_low && seen_high);
    }

    #[test]
    fn lenient_challenge_codes_are_padded_numbers() {
        let c = ChallengeCode::from_json(&serde_json::json!(42), true).unwrap();
        assert_eq!(c.as_str(), "000042");
        assert!(ChallengeCode::from_json(&serde_json::json!(42), false).is_err());
        assert!(ChallengeCode::from_json(&serde_json::json!(1_000_000), true).is_err());
        assert!(ChallengeCode::from_json(&serde_json::json!("12a456"), true).is_err());
        assert!(ChallengeCode::from_json(&serde_json::json!("１２３４５６"), false).is_err());
    }

    #[test]
    fn hex_round_trips_and_refuses_junk() {
        assert_eq!(decode_hex("00ffA0"), Some(vec![0, 255, 160]));
        assert_eq!(encode_hex(&[0, 255, 160]), "00ffa0");
        assert_eq!(decode_hex("abc"), None);
        assert_eq!(decode_hex("zz"), None);
        assert_eq!(decode_hex("+1"), None);
    }

    #[test]
    fn doc_hash_lengths() {
        for n in [32usize, 48, 64] {
            assert!(encode_hex(&vec![7; n]).parse::<DocHash>().is_ok());
        }
        assert!(encode_hex(&[7; 20]).parse::<DocHash>().is_err());
        assert!("g".repeat(64).parse::<DocHash>().is_err());
    }
}
