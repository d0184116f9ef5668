//! JSON Web Keys (RFC 7517, RFC 7518 §6, RFC 8037) and JWK Sets.
//!
//! A [`Jwk`] is a *validated* key: parsing checks the key material (EC points on the curve, RSA
//! modulus size and exponent, private parts matching public parts, `x5c` matching the key) and
//! keeps the RustCrypto key objects, so a key is decoded once and used many times. Members this
//! workspace does not know are kept and written back unchanged.
//!
//! ```
//! use jose_core::jwk::{Jwk, KeyOperation};
//! use jose_core::alg::JwsAlgorithm;
//!
//! let key = Jwk::generate(JwsAlgorithm::ES256)?.with_kid("signing-1");
//! assert!(key.is_private());
//!
//! let public = key.to_public()?;
//! let text = public.to_json();
//! let back = Jwk::from_json(text.as_bytes())?;
//! assert_eq!(back.kid(), Some("signing-1"));
//! assert!(back.check_operation(&KeyOperation::Verify, &JwsAlgorithm::ES256.into()).is_ok());
//! assert!(back.check_operation(&KeyOperation::Sign, &JwsAlgorithm::ES256.into()).is_err());
//! # Ok::<(), jose_core::jwk::KeyError>(())
//! ```

// In a build with only symmetric keys (HMAC-only users), the per-key-type arms vanish and
// what is left is trivially unreachable or unused.
#![cfg_attr(
    not(any(feature = "rsa", feature = "ec", feature = "eddsa", feature = "x25519")),
    allow(unreachable_patterns, unreachable_code, unused_variables, dead_code)
)]

// `Jwk` itself (its members, accessors and builders) is defined here; what is done with a key
// lives one concern per file: `parse` (JSON in), `serialize` (JSON out, the public half),
// `checks` (what a key may do), `thumbprint`, `generate`. `material` and `policy` hold the
// types those share, `oct`, `rsa`, `ec` and `okp` the key types, `pem` and `set` PEM/DER
// import and JWK Sets.
mod checks;
mod error;
mod generate;
mod material;
mod members;
mod oct;
mod params;
mod parse;
mod pem;
mod policy;
mod serialize;
mod set;
mod thumbprint;

#[cfg(feature = "ec")]
mod ec;
mod okp;
#[cfg(feature = "rsa")]
mod rsa;

pub use error::KeyError;
pub use generate::GenerateOptions;
pub use material::KeyMaterial;
pub use oct::OctKey;
pub use params::{KeyOperation, KeyType, KeyUse};
pub use policy::KeyPolicy;
pub use set::{JwkSet, KeySelector, RejectedKey, SelectError};

#[cfg(feature = "rsa")]
pub use self::rsa::RsaKey;
#[cfg(feature = "ec")]
pub use ec::EcKey;
#[cfg(feature = "eddsa")]
pub use okp::Ed25519Key;
#[cfg(feature = "x25519")]
pub use okp::X25519Key;

use crate::alg::{Curve, KeyAlgorithm};
use crate::backend::Backend;
use serde_json::{Map, Value};

/// A validated JSON Web Key with its parameters.
///
/// Secret parts are zeroized on drop; `Debug` shows only the key type, curve, `kid`, `alg` and
/// whether the key is private.
///
/// A key also carries the [`Backend`] that computes with it (not part of the JWK: it is
/// neither serialized nor compared); see [`crate::backend`].
#[derive(Clone)]
pub struct Jwk {
    material: KeyMaterial,
    kid: Option<String>,
    key_use: Option<KeyUse>,
    key_ops: Option<Vec<KeyOperation>>,
    alg: Option<KeyAlgorithm>,
    x5u: Option<String>,
    x5c: Option<Vec<Vec<u8>>>,
    x5t: Option<[u8; 20]>,
    x5t_s256: Option<[u8; 32]>,
    extra: Map<String, Value>,
    backend: Backend,
    /// aws-lc-rs objects made from `material`, shared by clones; replaced whenever
    /// `material` is.
    #[cfg(feature = "aws-lc-rs")]
    prepared: std::sync::Arc<crate::backend::aws_lc::Cache>,
}

impl PartialEq for Jwk {
    /// Compares what the JWK states (key material and members), not the backend.
    fn eq(&self, other: &Self) -> bool {
        self.material == other.material
            && self.kid == other.kid
            && self.key_use == other.key_use
            && self.key_ops == other.key_ops
            && self.alg == other.alg
            && self.x5u == other.x5u
            && self.x5c == other.x5c
            && self.x5t == other.x5t
            && self.x5t_s256 == other.x5t_s256
            && self.extra == other.extra
    }
}

impl Eq for Jwk {}

impl core::fmt::Debug for Jwk {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut d = f.debug_struct("Jwk");
        d.field("kty", &self.material.key_type().as_str());
        if let Some(c) = self.material.curve() {
            d.field("crv", &c.as_str());
        }
        d.field("kid", &self.kid)
            .field("alg", &self.alg.as_ref().map(KeyAlgorithm::as_str))
            .field("private", &self.is_private())
            .finish_non_exhaustive()
    }
}

impl Jwk {
    /// A JWK holding `material`, with no parameters.
    #[must_use]
    pub fn new(material: KeyMaterial) -> Self {
        Self {
            material,
            kid: None,
            key_use: None,
            key_ops: None,
            alg: None,
            x5u: None,
            x5c: None,
            x5t: None,
            x5t_s256: None,
            extra: Map::new(),
            backend: Backend::default(),
            #[cfg(feature = "aws-lc-rs")]
            prepared: Default::default(),
        }
    }

    /// A symmetric (`kty: "oct"`) key holding `secret`, for HMAC (HS256, HS384, HS512), AES
    /// key wrap or `dir`, with no parameters.
    ///
    /// The bytes are taken as they are (no decoding; a `Vec<u8>` is moved, not copied). Their
    /// length is checked against the algorithm wherever the key is used: an HMAC key shorter
    /// than the hash output (RFC 7518 §3.2: 32 bytes for HS256, 48 for HS384, 64 for HS512)
    /// is refused with [`KeyError::KeyTooShort`].
    ///
    /// ```
    /// use jose_core::alg::{JwsAlgorithm, KeyAlgorithm};
    /// use jose_core::jwk::{Jwk, KeyError};
    ///
    /// let key = Jwk::from_secret(b"a shared secret of at least 32 bytes".to_vec())?;
    /// assert!(key.check_algorithm(&KeyAlgorithm::Jws(JwsAlgorithm::HS256)).is_ok());
    ///
    /// let short = Jwk::from_secret(&b"hunter2"[..])?;
    /// assert!(matches!(
    ///     short.check_algorithm(&KeyAlgorithm::Jws(JwsAlgorithm::HS256)),
    ///     Err(KeyError::KeyTooShort { min: 32, actual: 7, .. })
    /// ));
    /// # Ok::<(), KeyError>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError::EmptySymmetricKey`] for an empty secret.
    pub fn from_secret(secret: impl Into<crate::SecretBytes>) -> Result<Self, KeyError> {
        Ok(Self::new(KeyMaterial::Oct(OctKey::new(secret.into())?)))
    }

    // --- Accessors ---------------------------------------------------------------------

    /// The crypto backend that computes with this key: [`Backend::default()`] unless set with
    /// [`Jwk::with_backend`].
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The aws-lc-rs objects of this key (key pairs, parsed public keys, HMAC keys), each
    /// built on first use and then kept with the key and its clones.
    #[cfg(feature = "aws-lc-rs")]
    #[must_use]
    pub fn aws_lc(&self) -> crate::backend::aws_lc::AwsLcKey<'_> {
        crate::backend::aws_lc::AwsLcKey::new(&self.material, &self.prepared)
    }

    /// The key material.
    #[must_use]
    pub fn material(&self) -> &KeyMaterial {
        &self.material
    }

    /// The `kty`.
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        self.material.key_type()
    }

    /// The curve of an EC or OKP key.
    #[must_use]
    pub fn curve(&self) -> Option<Curve> {
        self.material.curve()
    }

    /// Whether the key holds a private or secret part (always true for `oct`).
    #[must_use]
    pub fn is_private(&self) -> bool {
        self.material.is_private()
    }

    /// Whether this is a symmetric (`oct`) key.
    #[must_use]
    pub fn is_symmetric(&self) -> bool {
        matches!(self.material, KeyMaterial::Oct(_))
    }

    /// The `kid` member.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The `use` member.
    #[must_use]
    pub fn key_use(&self) -> Option<&KeyUse> {
        self.key_use.as_ref()
    }

    /// The `key_ops` member.
    #[must_use]
    pub fn key_ops(&self) -> Option<&[KeyOperation]> {
        self.key_ops.as_deref()
    }

    /// The `alg` member.
    #[must_use]
    pub fn alg(&self) -> Option<&KeyAlgorithm> {
        self.alg.as_ref()
    }

    /// The `x5u` member (never fetched by this workspace).
    #[must_use]
    pub fn x5u(&self) -> Option<&str> {
        self.x5u.as_deref()
    }

    /// The `x5c` certificates, DER-encoded, leaf first.
    #[must_use]
    pub fn x5c(&self) -> Option<&[Vec<u8>]> {
        self.x5c.as_deref()
    }

    /// The `x5t` member (SHA-1 thumbprint of the certificate).
    #[must_use]
    pub fn x5t(&self) -> Option<&[u8; 20]> {
        self.x5t.as_ref()
    }

    /// The `x5t#S256` member (SHA-256 thumbprint of the certificate).
    #[must_use]
    pub fn x5t_s256(&self) -> Option<&[u8; 32]> {
        self.x5t_s256.as_ref()
    }

    /// Members this workspace does not interpret, kept for round trips.
    #[must_use]
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    // --- Builders ------------------------------------------------------------------------

    /// Sets the crypto backend that computes with this key (see [`crate::backend`]). The JWK
    /// itself is unchanged: tokens made with one backend verify with the other.
    #[must_use]
    pub fn with_backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// Sets `kid`.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Removes `kid`.
    #[must_use]
    pub fn without_kid(mut self) -> Self {
        self.kid = None;
        self
    }

    /// Sets `alg`.
    #[must_use]
    pub fn with_alg(mut self, alg: impl Into<KeyAlgorithm>) -> Self {
        self.alg = Some(alg.into());
        self
    }

    /// Removes `alg`, so the key is no longer restricted to one algorithm.
    #[must_use]
    pub fn without_alg(mut self) -> Self {
        self.alg = None;
        self
    }

    /// Sets `use`.
    #[must_use]
    pub fn with_use(mut self, key_use: KeyUse) -> Self {
        self.key_use = Some(key_use);
        self
    }

    /// Sets `key_ops`.
    ///
    /// # Errors
    /// [`KeyError::DuplicateKeyOperation`] or [`KeyError::InconsistentUseAndKeyOps`].
    pub fn with_key_ops(mut self, ops: Vec<KeyOperation>) -> Result<Self, KeyError> {
        for (i, op) in ops.iter().enumerate() {
            if ops[..i].contains(op) {
                return Err(KeyError::DuplicateKeyOperation(op.as_str().into()));
            }
        }
        self.key_ops = Some(ops);
        self.check_use_against_key_ops()?;
        Ok(self)
    }

    /// Attaches an X.509 certificate chain (DER, leaf first) after checking that the leaf
    /// certificate holds this key.
    ///
    /// # Errors
    /// [`KeyError::X509`] when the chain does not fit the key.
    pub fn with_x5c(mut self, chain: Vec<Vec<u8>>) -> Result<Self, KeyError> {
        if chain.is_empty() {
            return Err(KeyError::InvalidMember {
                member: "x5c",
                reason: "must not be empty",
            });
        }
        self.x5c = Some(chain);
        self.check_certificate_members()?;
        Ok(self)
    }

    /// Sets an unregistered member.
    #[must_use]
    pub fn with_member(mut self, name: impl Into<String>, value: Value) -> Self {
        self.extra.insert(name.into(), value);
        self
    }
}
