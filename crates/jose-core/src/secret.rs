//! Secret byte strings: zeroized on drop, compared in constant time, never printed.

use core::fmt;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Bytes that must stay secret: symmetric keys, CEKs, passwords, private key components.
///
/// The buffer is wiped when the value is dropped, equality is decided in constant time, and
/// `Debug` prints only the length.
///
/// ```
/// use jose_core::SecretBytes;
///
/// let key = SecretBytes::new(vec![1, 2, 3]);
/// assert_eq!(format!("{key:?}"), "SecretBytes([redacted; 3 bytes])");
/// assert_eq!(key, SecretBytes::from(&[1u8, 2, 3][..]));
/// ```
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Wraps bytes; the caller's buffer is moved, not copied.
    #[must_use]
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// `len` bytes from the operating system's CSPRNG.
    ///
    /// # Errors
    /// [`crate::Error::Random`] when the operating system cannot provide randomness.
    pub fn random(len: usize) -> Result<Self, crate::Error> {
        let mut bytes = vec![0u8; len];
        crate::rand::fill(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// The secret bytes. Keep the borrow short and never log it.
    #[must_use]
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Number of bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no bytes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&[u8]> for SecretBytes {
    fn from(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }
}

impl From<Vec<u8>> for SecretBytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl PartialEq for SecretBytes {
    fn eq(&self, other: &Self) -> bool {
        // Lengths are not secret; contents are compared without early exit.
        self.0.len() == other.0.len() && bool::from(self.0.ct_eq(&other.0))
    }
}

impl Eq for SecretBytes {}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes([redacted; {} bytes])", self.0.len())
    }
}

/// Compares two byte strings in constant time with respect to their contents.
///
/// Use it for MACs, tags, hashes, `state`, `nonce` and any other value an attacker could learn
/// byte by byte from timing. The lengths may leak; they are public in every JOSE use.
#[must_use]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_bytes() {
        let s = SecretBytes::new(b"hunter2".to_vec());
        let printed = format!("{s:?}");
        assert!(!printed.contains("hunter2"));
        assert!(!printed.contains("104")); // 'h'
    }

    #[test]
    fn equality_checks_length_and_contents() {
        assert_eq!(
            SecretBytes::from(&b"abc"[..]),
            SecretBytes::from(&b"abc"[..])
        );
        assert_ne!(
            SecretBytes::from(&b"abc"[..]),
            SecretBytes::from(&b"abd"[..])
        );
        assert_ne!(
            SecretBytes::from(&b"abc"[..]),
            SecretBytes::from(&b"ab"[..])
        );
        assert!(constant_time_eq(b"", b""));
        assert!(!constant_time_eq(b"a", b""));
    }
}
