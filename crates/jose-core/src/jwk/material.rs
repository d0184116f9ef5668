//! [`KeyMaterial`]: the key itself, by key type, without the JWK parameters.

#[cfg(feature = "ec")]
use super::EcKey;
#[cfg(feature = "eddsa")]
use super::Ed25519Key;
#[cfg(feature = "rsa")]
use super::RsaKey;
#[cfg(feature = "x25519")]
use super::X25519Key;
use super::{KeyType, OctKey};
use crate::alg::Curve;

/// The key material of a [`Jwk`](super::Jwk), by key type.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyMaterial {
    /// A symmetric key.
    Oct(OctKey),
    /// An RSA key.
    #[cfg(feature = "rsa")]
    Rsa(RsaKey),
    /// A P-256, P-384 or P-521 key.
    #[cfg(feature = "ec")]
    Ec(EcKey),
    /// An Ed25519 key.
    #[cfg(feature = "eddsa")]
    Ed25519(Ed25519Key),
    /// An X25519 key.
    #[cfg(feature = "x25519")]
    X25519(X25519Key),
}

impl KeyMaterial {
    /// The `kty`.
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        match self {
            KeyMaterial::Oct(_) => KeyType::Oct,
            #[cfg(feature = "rsa")]
            KeyMaterial::Rsa(_) => KeyType::Rsa,
            #[cfg(feature = "ec")]
            KeyMaterial::Ec(_) => KeyType::Ec,
            #[cfg(feature = "eddsa")]
            KeyMaterial::Ed25519(_) => KeyType::Okp,
            #[cfg(feature = "x25519")]
            KeyMaterial::X25519(_) => KeyType::Okp,
        }
    }

    /// The curve of an EC or OKP key.
    #[must_use]
    pub fn curve(&self) -> Option<Curve> {
        match self {
            #[cfg(feature = "ec")]
            KeyMaterial::Ec(k) => Some(k.curve()),
            #[cfg(feature = "eddsa")]
            KeyMaterial::Ed25519(_) => Some(Curve::Ed25519),
            #[cfg(feature = "x25519")]
            KeyMaterial::X25519(_) => Some(Curve::X25519),
            _ => None,
        }
    }

    /// Whether the material includes a private (or secret) part.
    #[must_use]
    pub fn is_private(&self) -> bool {
        match self {
            KeyMaterial::Oct(_) => true,
            #[cfg(feature = "rsa")]
            KeyMaterial::Rsa(k) => k.is_private(),
            #[cfg(feature = "ec")]
            KeyMaterial::Ec(k) => k.is_private(),
            #[cfg(feature = "eddsa")]
            KeyMaterial::Ed25519(k) => k.is_private(),
            #[cfg(feature = "x25519")]
            KeyMaterial::X25519(k) => k.is_private(),
        }
    }

    pub(super) fn describe(&self) -> String {
        match self.curve() {
            Some(c) => format!("{} {}", self.key_type(), c),
            None => self.key_type().to_string(),
        }
    }

    /// Whether two keys have the same public part (or, for symmetric keys, the same bytes).
    #[must_use]
    pub fn same_public(&self, other: &Self) -> bool {
        match (self, other) {
            (KeyMaterial::Oct(a), KeyMaterial::Oct(b)) => a == b,
            #[cfg(feature = "rsa")]
            (KeyMaterial::Rsa(a), KeyMaterial::Rsa(b)) => a.public_key() == b.public_key(),
            #[cfg(feature = "ec")]
            (KeyMaterial::Ec(a), KeyMaterial::Ec(b)) => a.same_public(b),
            #[cfg(feature = "eddsa")]
            (KeyMaterial::Ed25519(a), KeyMaterial::Ed25519(b)) => a.public_key() == b.public_key(),
            #[cfg(feature = "x25519")]
            (KeyMaterial::X25519(a), KeyMaterial::X25519(b)) => a.public_key() == b.public_key(),
            _ => false,
        }
    }
}
