//! Namespaces and identifiers: what becomes a key in a store.

use crate::StoreError;
use sha2::{Digest, Sha256};

/// Longest identifier accepted, in bytes, all parts together (a `jti` is usually 16 to 64
/// bytes; the bound keeps hashing cost and abuse small).
pub const MAX_ID_LEN: usize = 4096;

/// Longest namespace name.
pub const MAX_NAMESPACE_LEN: usize = 32;

/// Which kind of token an identifier belongs to, so that a DPoP proof's `jti` and an e2e-pop
/// token's `jti` with the same value never collide.
///
/// The name is part of every key (`jose:replay:dpop:<hash>` in Redis). The constants are the
/// names the workspace's crates use; a new profile picks its own with [`Namespace::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Namespace(&'static str);

impl Namespace {
    /// DPoP proofs (RFC 9449), keyed by the proof key's thumbprint and `jti`.
    pub const DPOP_PROOF: Namespace = Namespace("dpop");
    /// OIDC² / e2e-pop PoP tokens, ICTs and E2E PoP tokens.
    pub const E2E_POP: Namespace = Namespace("e2e-pop");
    /// Signing-challenge responses.
    pub const SIGNING_CHALLENGE: Namespace = Namespace("signing-challenge");
    /// CIBA client notification tokens seen at the notification endpoint.
    pub const CIBA_NOTIFICATION: Namespace = Namespace("ciba-notification");

    /// A namespace: 1 to [`MAX_NAMESPACE_LEN`] characters of `a-z`, `0-9`, `-`, `_`, `.`.
    ///
    /// # Errors
    /// [`StoreError::InvalidNamespace`] for anything else.
    pub fn new(name: &'static str) -> Result<Self, StoreError> {
        if name.is_empty() || name.len() > MAX_NAMESPACE_LEN {
            return Err(StoreError::InvalidNamespace {
                reason: "must be 1 to 32 characters",
            });
        }
        let allowed =
            |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.');
        if !name.bytes().all(allowed) {
            return Err(StoreError::InvalidNamespace {
                reason: "only a-z, 0-9, '-', '_' and '.' are allowed",
            });
        }
        Ok(Namespace(name))
    }

    /// The name.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        self.0
    }
}

/// A namespaced, hashed identifier: what a store records.
///
/// Built from one or more parts (for DPoP: the key thumbprint and the `jti`); each part is
/// length-prefixed before hashing with SHA-256, so `("ab", "c")` and `("a", "bc")` differ. The
/// raw identifier never reaches the store, its logs or its memory; every key has the same
/// small size whatever the token carried.
///
/// ```
/// use replay_store::{Namespace, ReplayId};
///
/// let a = ReplayId::from_parts(Namespace::DPOP_PROOF, &[b"thumbprint", b"jti-1"])?;
/// let b = ReplayId::from_parts(Namespace::E2E_POP, &[b"thumbprint", b"jti-1"])?;
/// assert_ne!(a, b); // same bytes, other namespace
/// assert!(ReplayId::new(Namespace::DPOP_PROOF, b"").is_err());
/// # Ok::<(), replay_store::StoreError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReplayId {
    namespace: Namespace,
    digest: [u8; 32],
}

impl core::fmt::Debug for ReplayId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ReplayId({}:{})", self.namespace.0, self.hex_digest())
    }
}

impl ReplayId {
    /// An identifier made of one part.
    ///
    /// # Errors
    /// [`StoreError::InvalidId`] when `id` is empty or longer than [`MAX_ID_LEN`].
    pub fn new(namespace: Namespace, id: &[u8]) -> Result<Self, StoreError> {
        Self::from_parts(namespace, &[id])
    }

    /// An identifier made of several parts (for example issuer, subject and `jti`).
    ///
    /// # Errors
    /// [`StoreError::InvalidId`] when there is no part, the last part is empty, or the parts
    /// together exceed [`MAX_ID_LEN`] bytes.
    pub fn from_parts(namespace: Namespace, parts: &[&[u8]]) -> Result<Self, StoreError> {
        let total: usize = parts.iter().map(|p| p.len()).sum();
        if parts.last().is_none_or(|p| p.is_empty()) {
            return Err(StoreError::InvalidId {
                reason: "the identifier is empty",
            });
        }
        if total > MAX_ID_LEN {
            return Err(StoreError::InvalidId {
                reason: "the identifier is longer than 4096 bytes",
            });
        }
        let mut h = Sha256::new();
        h.update(namespace.0.as_bytes());
        h.update([0u8]);
        for part in parts {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part);
        }
        Ok(ReplayId {
            namespace,
            digest: h.finalize().into(),
        })
    }

    /// The namespace.
    #[must_use]
    pub fn namespace(&self) -> Namespace {
        self.namespace
    }

    /// SHA-256 over the namespace and the length-prefixed parts.
    #[must_use]
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// The digest in lowercase hex (64 characters), as used in store keys.
    #[must_use]
    pub fn hex_digest(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(64);
        for b in self.digest {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_length_prefixed() {
        let a = ReplayId::from_parts(Namespace::DPOP_PROOF, &[b"ab", b"c"]).unwrap();
        let b = ReplayId::from_parts(Namespace::DPOP_PROOF, &[b"a", b"bc"]).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn rejects_oversized_and_empty_ids() {
        let long = vec![b'x'; MAX_ID_LEN + 1];
        assert_eq!(
            ReplayId::new(Namespace::DPOP_PROOF, &long)
                .unwrap_err()
                .code(),
            "replay_id_invalid"
        );
        assert!(ReplayId::new(Namespace::DPOP_PROOF, &long[..MAX_ID_LEN]).is_ok());
        assert!(ReplayId::from_parts(Namespace::DPOP_PROOF, &[]).is_err());
    }

    #[test]
    fn rejects_bad_namespaces() {
        assert!(Namespace::new("logout-token").is_ok());
        assert!(Namespace::new("").is_err());
        assert!(Namespace::new("Upper").is_err());
        assert!(Namespace::new("a:b").is_err());
        assert!(Namespace::new("x".repeat(33).leak()).is_err());
    }
}
