//! Randomness from the operating system.
//!
//! All randomness in the workspace comes from the OS CSPRNG through [`getrandom`]. Functions
//! here return an error instead of panicking when the OS cannot provide it.

use getrandom::SysRng;
use rand_core::UnwrapErr;

/// Fills `buf` with bytes from the operating system's CSPRNG.
///
/// # Errors
/// [`crate::Error::Random`] when the operating system cannot provide randomness.
pub fn fill(buf: &mut [u8]) -> Result<(), crate::Error> {
    getrandom::fill(buf).map_err(|_| crate::Error::Random)
}

/// `N` random bytes.
///
/// # Errors
/// [`crate::Error::Random`] when the operating system cannot provide randomness.
pub fn bytes<const N: usize>() -> Result<[u8; N], crate::Error> {
    let mut out = [0u8; N];
    fill(&mut out)?;
    Ok(out)
}

/// A random base64url string encoding `n` bytes of entropy: for `jti`, `state`, `nonce`, PKCE
/// verifiers and the like.
///
/// # Errors
/// [`crate::Error::Random`] when the operating system cannot provide randomness.
pub fn token(n: usize) -> Result<String, crate::Error> {
    let mut buf = vec![0u8; n];
    fill(&mut buf)?;
    Ok(crate::b64::encode(&buf))
}

/// A CSPRNG handle for RustCrypto APIs that take `&mut impl CryptoRng` (RSA key generation,
/// RSA-PSS salts, RSA-OAEP seeds).
///
/// Those APIs cannot report an RNG failure, so this handle panics if the OS RNG fails
/// mid-operation. Callers first draw a byte through [`fill`] (see [`system_rng`]), so a missing
/// or broken RNG surfaces as an error before any such operation starts.
pub type SystemRng = UnwrapErr<SysRng>;

/// A [`SystemRng`], after checking that the OS RNG answers.
///
/// # Errors
/// [`crate::Error::Random`] when the operating system cannot provide randomness.
pub fn system_rng() -> Result<SystemRng, crate::Error> {
    let mut probe = [0u8; 1];
    fill(&mut probe)?;
    Ok(UnwrapErr(SysRng))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_distinct_and_sized() {
        let a = super::token(32).unwrap();
        let b = super::token(32).unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
    }
}
