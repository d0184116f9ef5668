//! The `client_notification_token`: the bearer token the OpenID Provider presents to the client
//! notification endpoint (CIBA §7.1).

use crate::error::CibaError;
use core::fmt;
use zeroize::Zeroizing;

/// The longest token CIBA allows.
pub const MAX_NOTIFICATION_TOKEN_LENGTH: usize = 1024;

/// The least estimated entropy, in bits, of a token given by the caller (CIBA §7.1: a minimum
/// of 128 bits).
pub const MIN_NOTIFICATION_TOKEN_BITS: u32 = 128;

/// A `client_notification_token`: at most 1024 characters of the RFC 6750 `b64token` syntax,
/// with at least 128 bits of entropy.
///
/// [`ClientNotificationToken::generate`] draws 256 bits from the operating system's CSPRNG. A
/// token given by the caller ([`ClientNotificationToken::new`]) is checked for length and
/// syntax, and its entropy is estimated (see [`estimated_entropy_bits`]); a value such as a
/// counter, a timestamp or a repeated character is refused.
///
/// The value is zeroized on drop, compared in constant time, and `Debug` never shows it.
///
/// ```
/// use ciba::ClientNotificationToken;
///
/// let token = ClientNotificationToken::generate()?;
/// assert_eq!(token.expose().len(), 43);
/// assert!(ClientNotificationToken::new("0000000000000000000000000000000000").is_err());
/// # Ok::<(), ciba::CibaError>(())
/// ```
#[derive(Clone)]
pub struct ClientNotificationToken(Zeroizing<String>);

impl ClientNotificationToken {
    /// A fresh token: 32 random bytes, base64url-encoded (43 characters).
    ///
    /// # Errors
    /// [`CibaError::Random`] when the operating system's generator fails.
    pub fn generate() -> Result<Self, CibaError> {
        let token = jose_core::rand::token(32).map_err(|_| CibaError::Random)?;
        Ok(Self(Zeroizing::new(token)))
    }

    /// A token chosen by the caller (a signed token, a value from another system).
    ///
    /// # Errors
    /// [`CibaError::NotificationTokenTooLong`], [`CibaError::NotificationTokenCharset`],
    /// [`CibaError::NotificationTokenEntropy`].
    pub fn new(token: impl Into<String>) -> Result<Self, CibaError> {
        let token = Zeroizing::new(token.into());
        check_syntax(&token)?;
        let bits = estimated_entropy_bits(&token);
        if bits < MIN_NOTIFICATION_TOKEN_BITS {
            return Err(CibaError::NotificationTokenEntropy {
                estimated_bits: bits,
            });
        }
        Ok(Self(token))
    }

    /// The token.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `presented` is this token, compared in constant time.
    #[must_use]
    pub fn matches(&self, presented: &str) -> bool {
        jose_core::constant_time_eq(self.0.as_bytes(), presented.as_bytes())
    }
}

impl PartialEq for ClientNotificationToken {
    fn eq(&self, other: &Self) -> bool {
        self.matches(other.expose())
    }
}

impl Eq for ClientNotificationToken {}

impl fmt::Debug for ClientNotificationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientNotificationToken([redacted])")
    }
}

/// Checks the RFC 6750 §2.1 `b64token` syntax (`1*( ALPHA / DIGIT / "-" / "." / "_" / "~" /
/// "+" / "/" ) *"="`) and the CIBA length limit of 1024 characters.
///
/// # Errors
/// [`CibaError::NotificationTokenTooLong`] or [`CibaError::NotificationTokenCharset`].
pub fn check_syntax(token: &str) -> Result<(), CibaError> {
    if token.len() > MAX_NOTIFICATION_TOKEN_LENGTH {
        return Err(CibaError::NotificationTokenTooLong {
            length: token.chars().count(),
        });
    }
    if is_b64token(token) {
        Ok(())
    } else {
        Err(CibaError::NotificationTokenCharset)
    }
}

/// Whether `s` is an RFC 6750 `b64token`.
#[must_use]
pub fn is_b64token(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// A conservative estimate of a token's entropy in bits: its length (without `=` padding)
/// times the smaller of two figures per character, the size of the smallest alphabet its
/// characters come from (digits, hex, letters, punctuation) and its empirical Shannon entropy
/// per character.
///
/// The estimate cannot see structure (a hash of a counter looks random), so it refuses only
/// what is plainly weak: short values, repeated or alternating characters, small alphabets. A
/// random 32-byte base64url token scores around 200 bits; a UUIDv4 around 130.
#[must_use]
pub fn estimated_entropy_bits(token: &str) -> u32 {
    let body = token.trim_end_matches('=').as_bytes();
    if body.is_empty() {
        return 0;
    }
    let mut counts = [0u32; 256];
    for &b in body {
        counts[usize::from(b)] += 1;
    }
    let len = body.len() as f64;
    let shannon: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum();
    let has = |f: fn(&u8) -> bool| body.iter().any(f);
    let mut alphabet = 0u32;
    if has(u8::is_ascii_digit) {
        alphabet += 10;
    }
    if has(u8::is_ascii_lowercase) {
        alphabet += if body
            .iter()
            .filter(|b| b.is_ascii_lowercase())
            .all(|b| *b <= b'f')
        {
            6
        } else {
            26
        };
    }
    if has(u8::is_ascii_uppercase) {
        alphabet += if body
            .iter()
            .filter(|b| b.is_ascii_uppercase())
            .all(|b| *b <= b'F')
        {
            6
        } else {
            26
        };
    }
    alphabet += counts
        .iter()
        .enumerate()
        .filter(|&(b, &c)| c > 0 && !(b as u8).is_ascii_alphanumeric())
        .count() as u32;
    let per_char = f64::from(alphabet.max(1)).log2().min(shannon);
    let bits = (per_char * len).floor();
    if bits >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        bits as u32
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generated_tokens_are_long_random_b64tokens() {
        let a = ClientNotificationToken::generate().unwrap();
        let b = ClientNotificationToken::generate().unwrap();
        assert_ne!(a, b);
        assert!(is_b64token(a.expose()));
        assert!(estimated_entropy_bits(a.expose()) >= 160);
        assert!(ClientNotificationToken::new(a.expose()).is_ok());
    }

    #[test]
    fn the_spec_example_uuid_is_accepted() {
        // CIBA §10.2's example token is a UUID.
        assert!(ClientNotificationToken::new("8d67dc78-7faa-4d41-aabd-67707b374255").is_ok());
    }

    #[test]
    fn over_1024_characters_is_refused() {
        let long = "aZ9-".repeat(257);
        assert!(matches!(
            ClientNotificationToken::new(long),
            Err(CibaError::NotificationTokenTooLong { length: 1028 })
        ));
    }

    #[test]
    fn characters_outside_b64token_are_refused() {
        for bad in [
            "", "===", "abc def", "abc\"def", "abc,def", "abc=def", "tökén", "a\u{0}b",
        ] {
            assert!(
                matches!(
                    ClientNotificationToken::new(bad),
                    Err(CibaError::NotificationTokenCharset)
                ),
                "{bad:?}"
            );
        }
        assert!(is_b64token("a.b~c+d/e_f-g=="));
    }

    #[test]
    fn low_entropy_tokens_are_refused() {
        for weak in [
            "0000000000000000000000000000000000000000",
            "abababababababababababababababababababab",
            "1700000000",
            "client-notification-token",
            "12345678901234567890",
        ] {
            assert!(
                matches!(
                    ClientNotificationToken::new(weak),
                    Err(CibaError::NotificationTokenEntropy { .. })
                ),
                "{weak:?}"
            );
        }
    }

    #[test]
    fn generated_tokens_always_pass_the_checks_of_caller_tokens() {
        for _ in 0..500 {
            let t = ClientNotificationToken::generate().unwrap();
            assert!(ClientNotificationToken::new(t.expose()).is_ok());
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let t = ClientNotificationToken::generate().unwrap();
        assert!(!format!("{t:?}").contains(t.expose()));
    }

    proptest! {
        #[test]
        fn any_string_outside_the_syntax_is_refused(s in "[^A-Za-z0-9._~+/=-]{1,8}") {
            let token = format!("{}{s}", "Q".repeat(30));
            prop_assert!(ClientNotificationToken::new(token).is_err());
        }
    }
}
