//! What RFC 7638 thumbprints (computed by `jwk-thumbprint`) and key comparisons read of a key.

use super::{Jwk, KeyMaterial};

impl Jwk {
    /// The members RFC 7638 §3.2 puts in a thumbprint, with their values, sorted by name.
    #[must_use]
    pub fn thumbprint_members(&self) -> Vec<(&'static str, String)> {
        let mut members: Vec<(&'static str, String)> = match &self.material {
            KeyMaterial::Oct(k) => vec![("k", crate::b64::encode(k.secret().expose()))],
            #[cfg(feature = "rsa")]
            KeyMaterial::Rsa(k) => k.thumbprint_members().into(),
            #[cfg(feature = "ec")]
            KeyMaterial::Ec(k) => k.thumbprint_members().into(),
            #[cfg(feature = "eddsa")]
            KeyMaterial::Ed25519(k) => k.thumbprint_members().into(),
            #[cfg(feature = "x25519")]
            KeyMaterial::X25519(k) => k.thumbprint_members().into(),
        };
        members.push(("kty", self.key_type().as_str().to_owned()));
        members.sort_by_key(|(name, _)| *name);
        members
    }

    /// Whether `other` holds the same public key (or the same secret, for `oct`).
    #[must_use]
    pub fn same_key(&self, other: &Jwk) -> bool {
        self.material.same_public(&other.material)
    }
}
