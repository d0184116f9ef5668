//! Generators for `jti` values.

use crate::E2ePopError;
use std::fmt;
use std::num::NonZeroUsize;
use std::sync::Arc;

type Generator = Arc<dyn Fn() -> Result<String, String> + Send + Sync>;

/// How a builder makes the token's `jti`.
///
/// - [`Nonce::uuid_v4`] (the default): a random UUID, lower-case and hyphenated, as the
///   reference library makes it.
/// - [`Nonce::random_b64url`]: `n` random bytes, base64url without padding (the library's
///   base64 generator uses padded standard base64; this crate does not copy that).
/// - [`Nonce::custom`]: a function of the caller's; its failure becomes an error of `build`.
///
/// ```
/// use e2e_pop::Nonce;
///
/// let jti = Nonce::uuid_v4().generate()?;
/// assert_eq!(jti.len(), 36);
/// let jti = Nonce::random_b64url(16)?.generate()?;
/// assert_eq!(jti.len(), 22);
/// assert!(Nonce::random_b64url(0).is_err());
/// let fixed = Nonce::custom(|| Ok("session-7".to_owned()));
/// assert_eq!(fixed.generate()?, "session-7");
/// # Ok::<(), e2e_pop::E2ePopError>(())
/// ```
#[derive(Clone, Default)]
pub enum Nonce {
    /// A random (version 4) UUID.
    #[default]
    UuidV4,
    /// This many random bytes, base64url-encoded.
    RandomB64Url(NonZeroUsize),
    /// The caller's generator.
    Custom(Generator),
}

impl fmt::Debug for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Nonce::UuidV4 => f.write_str("Nonce::UuidV4"),
            Nonce::RandomB64Url(n) => write!(f, "Nonce::RandomB64Url({n})"),
            Nonce::Custom(_) => f.write_str("Nonce::Custom(..)"),
        }
    }
}

impl Nonce {
    /// Random UUIDs (version 4).
    #[must_use]
    pub fn uuid_v4() -> Self {
        Nonce::UuidV4
    }

    /// `n` random bytes, base64url without padding. 16 or more is recommended.
    ///
    /// # Errors
    /// [`E2ePopError::Nonce`] for `n = 0`.
    pub fn random_b64url(n: usize) -> Result<Self, E2ePopError> {
        NonZeroUsize::new(n)
            .map(Nonce::RandomB64Url)
            .ok_or_else(|| E2ePopError::Nonce("the length must be at least one byte".into()))
    }

    /// The caller's generator. An `Err` or an empty string fails the build.
    pub fn custom(f: impl Fn() -> Result<String, String> + Send + Sync + 'static) -> Self {
        Nonce::Custom(Arc::new(f))
    }

    /// A new value.
    ///
    /// # Errors
    /// [`E2ePopError::Nonce`] when the OS RNG or the custom generator fails, or the custom
    /// generator returns an empty string.
    pub fn generate(&self) -> Result<String, E2ePopError> {
        let rng = |_| E2ePopError::Nonce("the random number generator failed".into());
        match self {
            Nonce::UuidV4 => {
                let bytes = jose_core::rand::bytes::<16>().map_err(rng)?;
                Ok(uuid::Builder::from_random_bytes(bytes)
                    .into_uuid()
                    .hyphenated()
                    .to_string())
            }
            Nonce::RandomB64Url(n) => jose_core::rand::token(n.get()).map_err(rng),
            Nonce::Custom(f) => {
                let value =
                    f().map_err(|e| E2ePopError::Nonce(jose_core::json::truncate_for_error(&e)))?;
                if value.is_empty() {
                    return Err(E2ePopError::Nonce(
                        "the custom generator returned \"\"".into(),
                    ));
                }
                Ok(value)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v4_has_the_version_and_variant_bits() {
        for _ in 0..32 {
            let id = Nonce::uuid_v4().generate().unwrap();
            let b = id.as_bytes();
            assert_eq!(id.len(), 36);
            assert_eq!((b[8], b[13], b[18], b[23]), (b'-', b'-', b'-', b'-'));
            assert_eq!(b[14], b'4');
            assert!(matches!(b[19], b'8' | b'9' | b'a' | b'b'));
            assert_eq!(id, id.to_ascii_lowercase());
        }
    }

    #[test]
    fn random_b64url_encodes_n_bytes_without_padding() {
        for n in [1usize, 2, 3, 16, 32] {
            let v = Nonce::random_b64url(n).unwrap().generate().unwrap();
            assert_eq!(jose_core::b64::decode(&v).unwrap().len(), n);
            assert!(!v.contains('='));
        }
        assert!(Nonce::random_b64url(0).is_err());
    }

    #[test]
    fn custom_generator_errors_propagate() {
        let failing = Nonce::custom(|| Err("hsm offline".into()));
        assert!(matches!(failing.generate(), Err(E2ePopError::Nonce(m)) if m == "hsm offline"));
        assert!(Nonce::custom(|| Ok(String::new())).generate().is_err());
    }
}
