//! Octet key pairs (`kty: "OKP"`, RFC 8037 §2): Ed25519 and X25519.

use super::KeyError;
#[cfg(any(feature = "eddsa", feature = "x25519"))]
use super::members::{Members, put_b64};
#[cfg(any(feature = "eddsa", feature = "x25519"))]
use serde_json::{Map, Value};

/// A 32-byte private key, wiped on drop.
#[cfg(any(feature = "eddsa", feature = "x25519"))]
type PrivateBytes = zeroize::Zeroizing<[u8; 32]>;

/// Reads a 32-byte public key and optional 32-byte private key.
#[cfg(any(feature = "eddsa", feature = "x25519"))]
fn read_pair(members: &mut Members) -> Result<([u8; 32], Option<PrivateBytes>), KeyError> {
    let x = members.require_b64("x")?;
    let x: [u8; 32] = x
        .as_slice()
        .try_into()
        .map_err(|_| KeyError::InvalidLength {
            member: "x",
            expected: 32,
            actual: x.len(),
        })?;
    let d = members
        .take_secret("d")?
        .map(|d| {
            <[u8; 32]>::try_from(d.expose())
                .map(zeroize::Zeroizing::new)
                .map_err(|_| KeyError::InvalidLength {
                    member: "d",
                    expected: 32,
                    actual: d.len(),
                })
        })
        .transpose()?;
    Ok((x, d))
}

/// An Ed25519 key (RFC 8037 §2), for EdDSA signatures.
#[cfg(feature = "eddsa")]
#[derive(Clone, PartialEq, Eq)]
pub struct Ed25519Key {
    public: ed25519_dalek::VerifyingKey,
    secret: Option<ed25519_dalek::SigningKey>,
}

#[cfg(feature = "eddsa")]
impl core::fmt::Debug for Ed25519Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Ed25519Key")
            .field("private", &self.secret.is_some())
            .finish()
    }
}

#[cfg(feature = "eddsa")]
impl Ed25519Key {
    /// The public key.
    #[must_use]
    pub fn public_key(&self) -> &ed25519_dalek::VerifyingKey {
        &self.public
    }

    /// The private key, when present.
    #[must_use]
    pub fn signing_key(&self) -> Option<&ed25519_dalek::SigningKey> {
        self.secret.as_ref()
    }

    /// Wraps a signing key.
    #[must_use]
    pub fn from_signing_key(secret: ed25519_dalek::SigningKey) -> Self {
        Self {
            public: secret.verifying_key(),
            secret: Some(secret),
        }
    }

    /// Wraps a public key, refusing points of small order.
    ///
    /// # Errors
    /// [`KeyError::InvalidPoint`] for a weak (small-order) point.
    pub fn from_public_key(public: ed25519_dalek::VerifyingKey) -> Result<Self, KeyError> {
        if public.is_weak() {
            return Err(KeyError::InvalidPoint("Ed25519"));
        }
        Ok(Self {
            public,
            secret: None,
        })
    }

    /// A new random key.
    ///
    /// # Errors
    /// [`KeyError::Random`].
    pub fn generate() -> Result<Self, KeyError> {
        let seed = zeroize::Zeroizing::new(crate::rand::bytes::<32>()?);
        Ok(Self::from_signing_key(
            ed25519_dalek::SigningKey::from_bytes(&seed),
        ))
    }

    pub(crate) fn is_private(&self) -> bool {
        self.secret.is_some()
    }

    pub(crate) fn to_public(&self) -> Self {
        Self {
            public: self.public,
            secret: None,
        }
    }

    pub(crate) fn read(members: &mut Members) -> Result<Self, KeyError> {
        let (x, d) = read_pair(members)?;
        let public = ed25519_dalek::VerifyingKey::from_bytes(&x)
            .map_err(|_| KeyError::InvalidPoint("Ed25519"))?;
        let key = Self::from_public_key(public)?;
        match d {
            None => Ok(key),
            Some(d) => {
                let secret = ed25519_dalek::SigningKey::from_bytes(&d);
                if secret.verifying_key() != public {
                    return Err(KeyError::PublicPrivateMismatch);
                }
                Ok(Self {
                    public,
                    secret: Some(secret),
                })
            }
        }
    }

    pub(crate) fn write(&self, out: &mut Map<String, Value>, include_private: bool) {
        out.insert("crv".into(), Value::String("Ed25519".into()));
        put_b64(out, "x", self.public.as_bytes());
        if let (true, Some(secret)) = (include_private, &self.secret) {
            let d = zeroize::Zeroizing::new(secret.to_bytes());
            put_b64(out, "d", d.as_ref());
        }
    }

    pub(crate) fn thumbprint_members(&self) -> [(&'static str, String); 2] {
        [
            ("crv", "Ed25519".into()),
            ("x", crate::b64::encode(self.public.as_bytes())),
        ]
    }
}

/// An X25519 key (RFC 8037 §2), for ECDH-ES.
#[cfg(feature = "x25519")]
#[derive(Clone)]
pub struct X25519Key {
    public: x25519_dalek::PublicKey,
    secret: Option<x25519_dalek::StaticSecret>,
}

#[cfg(feature = "x25519")]
impl PartialEq for X25519Key {
    fn eq(&self, other: &Self) -> bool {
        self.public == other.public && self.secret.is_some() == other.secret.is_some()
    }
}

#[cfg(feature = "x25519")]
impl Eq for X25519Key {}

#[cfg(feature = "x25519")]
impl core::fmt::Debug for X25519Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("X25519Key")
            .field("private", &self.secret.is_some())
            .finish()
    }
}

#[cfg(feature = "x25519")]
impl X25519Key {
    /// The public key.
    #[must_use]
    pub fn public_key(&self) -> &x25519_dalek::PublicKey {
        &self.public
    }

    /// The private key, when present.
    #[must_use]
    pub fn secret_key(&self) -> Option<&x25519_dalek::StaticSecret> {
        self.secret.as_ref()
    }

    /// Wraps a public key.
    #[must_use]
    pub fn from_public_key(public: x25519_dalek::PublicKey) -> Self {
        Self {
            public,
            secret: None,
        }
    }

    /// Wraps a private key.
    #[must_use]
    pub fn from_secret(secret: x25519_dalek::StaticSecret) -> Self {
        Self {
            public: x25519_dalek::PublicKey::from(&secret),
            secret: Some(secret),
        }
    }

    /// A new random key.
    ///
    /// # Errors
    /// [`KeyError::Random`].
    pub fn generate() -> Result<Self, KeyError> {
        let bytes = crate::rand::bytes::<32>()?;
        Ok(Self::from_secret(x25519_dalek::StaticSecret::from(bytes)))
    }

    pub(crate) fn is_private(&self) -> bool {
        self.secret.is_some()
    }

    pub(crate) fn to_public(&self) -> Self {
        Self {
            public: self.public,
            secret: None,
        }
    }

    pub(crate) fn read(members: &mut Members) -> Result<Self, KeyError> {
        let (x, d) = read_pair(members)?;
        let public = x25519_dalek::PublicKey::from(x);
        match d {
            None => Ok(Self::from_public_key(public)),
            Some(d) => {
                let secret = x25519_dalek::StaticSecret::from(*d);
                if x25519_dalek::PublicKey::from(&secret) != public {
                    return Err(KeyError::PublicPrivateMismatch);
                }
                Ok(Self {
                    public,
                    secret: Some(secret),
                })
            }
        }
    }

    pub(crate) fn write(&self, out: &mut Map<String, Value>, include_private: bool) {
        out.insert("crv".into(), Value::String("X25519".into()));
        put_b64(out, "x", self.public.as_bytes());
        if let (true, Some(secret)) = (include_private, &self.secret) {
            put_b64(out, "d", secret.as_bytes());
        }
    }

    pub(crate) fn thumbprint_members(&self) -> [(&'static str, String); 2] {
        [
            ("crv", "X25519".into()),
            ("x", crate::b64::encode(self.public.as_bytes())),
        ]
    }
}

/// Reports an OKP curve this build does not support.
#[allow(dead_code)]
pub(crate) fn unsupported(crv: &str) -> KeyError {
    match crv {
        "Ed25519" => KeyError::FeatureDisabled {
            what: "Ed25519",
            feature: "eddsa",
        },
        "X25519" => KeyError::FeatureDisabled {
            what: "X25519",
            feature: "x25519",
        },
        other => KeyError::UnsupportedCurve(crate::json::truncate_for_error(other)),
    }
}
