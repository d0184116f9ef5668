//! Elliptic curve keys on the NIST curves (`kty: "EC"`, RFC 7518 §6.2).

use super::KeyError;
use super::members::{Members, put_b64};
use crate::SecretBytes;
use crate::alg::Curve;
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, Sec1Point, ToSec1Point};
use elliptic_curve::{AffinePoint, CurveArithmetic, FieldBytesSize, PublicKey, SecretKey};
use serde_json::{Map, Value};

/// A key on one of the NIST curves: the public point, and the private scalar when present.
///
/// Points are validated on import (on the curve, not the identity), and a private scalar must
/// produce the stated public point.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EcKey {
    /// P-256.
    P256 {
        /// Public key.
        public: p256::PublicKey,
        /// Private key.
        secret: Option<p256::SecretKey>,
    },
    /// P-384.
    P384 {
        /// Public key.
        public: p384::PublicKey,
        /// Private key.
        secret: Option<p384::SecretKey>,
    },
    /// P-521.
    P521 {
        /// Public key.
        public: p521::PublicKey,
        /// Private key.
        secret: Option<p521::SecretKey>,
    },
}

impl core::fmt::Debug for EcKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcKey")
            .field("crv", &self.curve().as_str())
            .field("private", &self.is_private())
            .finish()
    }
}

/// Runs the same generic code on whichever curve `$key` holds.
macro_rules! on_curve {
    ($key:expr, |$public:ident, $secret:ident| $body:expr) => {
        match $key {
            EcKey::P256 {
                public: $public,
                secret: $secret,
            } => $body,
            EcKey::P384 {
                public: $public,
                secret: $secret,
            } => $body,
            EcKey::P521 {
                public: $public,
                secret: $secret,
            } => $body,
        }
    };
}

impl EcKey {
    /// The curve.
    #[must_use]
    pub fn curve(&self) -> Curve {
        match self {
            EcKey::P256 { .. } => Curve::P256,
            EcKey::P384 { .. } => Curve::P384,
            EcKey::P521 { .. } => Curve::P521,
        }
    }

    pub(crate) fn is_private(&self) -> bool {
        on_curve!(self, |_public, secret| secret.is_some())
    }

    pub(crate) fn to_public(&self) -> Self {
        match self {
            EcKey::P256 { public, .. } => EcKey::P256 {
                public: *public,
                secret: None,
            },
            EcKey::P384 { public, .. } => EcKey::P384 {
                public: *public,
                secret: None,
            },
            EcKey::P521 { public, .. } => EcKey::P521 {
                public: *public,
                secret: None,
            },
        }
    }

    /// Whether the public points are equal.
    #[must_use]
    pub fn same_public(&self, other: &Self) -> bool {
        match (self, other) {
            (EcKey::P256 { public: a, .. }, EcKey::P256 { public: b, .. }) => a == b,
            (EcKey::P384 { public: a, .. }, EcKey::P384 { public: b, .. }) => a == b,
            (EcKey::P521 { public: a, .. }, EcKey::P521 { public: b, .. }) => a == b,
            _ => false,
        }
    }

    /// A new random key on `curve`.
    ///
    /// # Errors
    /// [`KeyError::Random`], or [`KeyError::UnsupportedCurve`] for a non-NIST curve.
    pub fn generate(curve: Curve) -> Result<Self, KeyError> {
        Ok(match curve {
            Curve::P256 => {
                let secret = random_scalar::<p256::NistP256>()?;
                EcKey::P256 {
                    public: secret.public_key(),
                    secret: Some(secret),
                }
            }
            Curve::P384 => {
                let secret = random_scalar::<p384::NistP384>()?;
                EcKey::P384 {
                    public: secret.public_key(),
                    secret: Some(secret),
                }
            }
            Curve::P521 => {
                let secret = random_scalar::<p521::NistP521>()?;
                EcKey::P521 {
                    public: secret.public_key(),
                    secret: Some(secret),
                }
            }
            other => return Err(KeyError::UnsupportedCurve(other.as_str().into())),
        })
    }

    pub(crate) fn read(members: &mut Members) -> Result<Self, KeyError> {
        let crv = members.require_str("crv")?;
        let curve: Curve = crv.parse().map_err(KeyError::UnsupportedCurve)?;
        let x = members.require_b64("x")?;
        let y = members.require_b64("y")?;
        let d = members.take_secret("d")?;
        let len = curve.coordinate_len();
        for (member, value) in [("x", &x), ("y", &y)] {
            if value.len() != len {
                return Err(KeyError::InvalidLength {
                    member,
                    expected: len,
                    actual: value.len(),
                });
            }
        }
        if let Some(d) = &d
            && d.len() != len
        {
            return Err(KeyError::InvalidLength {
                member: "d",
                expected: len,
                actual: d.len(),
            });
        }
        Ok(match curve {
            Curve::P256 => {
                let (public, secret) = import::<p256::NistP256>(&x, &y, d.as_ref(), "P-256")?;
                EcKey::P256 { public, secret }
            }
            Curve::P384 => {
                let (public, secret) = import::<p384::NistP384>(&x, &y, d.as_ref(), "P-384")?;
                EcKey::P384 { public, secret }
            }
            Curve::P521 => {
                let (public, secret) = import::<p521::NistP521>(&x, &y, d.as_ref(), "P-521")?;
                EcKey::P521 { public, secret }
            }
            other => return Err(KeyError::UnsupportedCurve(other.as_str().into())),
        })
    }

    pub(crate) fn write(&self, out: &mut Map<String, Value>, include_private: bool) {
        out.insert("crv".into(), Value::String(self.curve().as_str().into()));
        let (x, y, d) = on_curve!(self, |public, secret| export(public, secret.as_ref()));
        put_b64(out, "x", &x);
        put_b64(out, "y", &y);
        if let (true, Some(d)) = (include_private, d) {
            put_b64(out, "d", d.expose());
        }
    }

    /// The (`crv`, `x`, `y`) members for RFC 7638 thumbprints.
    pub(crate) fn thumbprint_members(&self) -> [(&'static str, String); 3] {
        let (x, y, _) = on_curve!(self, |public, _secret| export(public, None));
        [
            ("crv", self.curve().as_str().to_owned()),
            ("x", crate::b64::encode(x)),
            ("y", crate::b64::encode(y)),
        ]
    }

    /// The public point as uncompressed SEC1 bytes (`04 || x || y`).
    #[must_use]
    pub fn public_sec1(&self) -> Vec<u8> {
        on_curve!(self, |public, _secret| public
            .to_sec1_point(false)
            .as_bytes()
            .to_vec())
    }
}

fn import<C>(
    x: &[u8],
    y: &[u8],
    d: Option<&SecretBytes>,
    name: &'static str,
) -> Result<(PublicKey<C>, Option<SecretKey<C>>), KeyError>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let mut sec1 = Vec::with_capacity(1 + x.len() + y.len());
    sec1.push(0x04);
    sec1.extend_from_slice(x);
    sec1.extend_from_slice(y);
    // Rejects points off the curve and the identity.
    let public =
        PublicKey::<C>::from_sec1_bytes(&sec1).map_err(|_| KeyError::InvalidPoint(name))?;
    let secret = match d {
        None => None,
        Some(d) => {
            let secret =
                SecretKey::<C>::from_slice(d.expose()).map_err(|_| KeyError::InvalidPrivateKey)?;
            if secret.public_key() != public {
                return Err(KeyError::PublicPrivateMismatch);
            }
            Some(secret)
        }
    };
    Ok((public, secret))
}

fn export<C>(
    public: &PublicKey<C>,
    secret: Option<&SecretKey<C>>,
) -> (Vec<u8>, Vec<u8>, Option<SecretBytes>)
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let point: Sec1Point<C> = public.to_sec1_point(false);
    let x = point.x().map(|v| v.to_vec()).unwrap_or_default();
    let y = point.y().map(|v| v.to_vec()).unwrap_or_default();
    let d = secret.map(|s| SecretBytes::new(s.to_bytes().to_vec()));
    (x, y, d)
}

/// Draws scalars from the OS RNG until one is in range (almost always the first).
fn random_scalar<C>() -> Result<SecretKey<C>, KeyError>
where
    C: CurveArithmetic,
{
    let len = <FieldBytesSize<C> as elliptic_curve::array::typenum::Unsigned>::USIZE;
    let mut bytes = zeroize::Zeroizing::new(vec![0u8; len]);
    // P-521 scalars take 66 bytes but the group order has 521 bits: clear the 7 bits above it
    // so that rejection sampling succeeds about half the time instead of almost never.
    let top_mask = if len == 66 { 0x01 } else { 0xff };
    for _ in 0..128 {
        crate::rand::fill(&mut bytes)?;
        bytes[0] &= top_mask;
        if let Ok(key) = SecretKey::<C>::from_slice(&bytes) {
            return Ok(key);
        }
    }
    Err(KeyError::Random)
}
