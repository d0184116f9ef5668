//! Producing signatures: the [`Signer`] trait and [`SigningKey`], its implementation for JWKs.

use crate::{JwsError, alg};
use jose_core::alg::{JwsAlgorithm, KeyAlgorithm};
use jose_core::jwk::{Jwk, KeyOperation};

/// Something that signs JWS signing inputs with one algorithm.
///
/// [`SigningKey`] implements it for JWKs; implement it yourself to sign with an HSM, a KMS or
/// any key that never leaves its box. The signature must be in JWS form (for ECDSA the
/// fixed-size `r || s`, not DER).
///
/// ```
/// use jose_core::alg::JwsAlgorithm;
/// use jws::{JwsError, Signer};
///
/// /// A signer backed by some remote service.
/// struct Remote;
///
/// impl Signer for Remote {
///     fn algorithm(&self) -> JwsAlgorithm { JwsAlgorithm::ES256 }
///     fn key_id(&self) -> Option<&str> { Some("kms-key-7") }
///     fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JwsError> {
///         # let _ = signing_input;
///         // ... call the service here ...
///         Err(JwsError::Signer("service unavailable".into()))
///     }
/// }
/// ```
pub trait Signer {
    /// The algorithm; it becomes the header's `alg`.
    fn algorithm(&self) -> JwsAlgorithm;

    /// The key id; it becomes the header's `kid` unless the header sets one.
    fn key_id(&self) -> Option<&str> {
        None
    }

    /// Signs the JWS signing input.
    ///
    /// # Errors
    /// [`JwsError`] when signing fails.
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JwsError>;
}

impl<S: Signer + ?Sized> Signer for &S {
    fn algorithm(&self) -> JwsAlgorithm {
        (**self).algorithm()
    }
    fn key_id(&self) -> Option<&str> {
        (**self).key_id()
    }
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JwsError> {
        (**self).sign(signing_input)
    }
}

impl<S: Signer + ?Sized> Signer for Box<S> {
    fn algorithm(&self) -> JwsAlgorithm {
        (**self).algorithm()
    }
    fn key_id(&self) -> Option<&str> {
        (**self).key_id()
    }
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JwsError> {
        (**self).sign(signing_input)
    }
}

impl<S: Signer + ?Sized> Signer for std::sync::Arc<S> {
    fn algorithm(&self) -> JwsAlgorithm {
        (**self).algorithm()
    }
    fn key_id(&self) -> Option<&str> {
        (**self).key_id()
    }
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JwsError> {
        (**self).sign(signing_input)
    }
}

/// A private JWK bound to one JWS algorithm, checked once when it is made.
///
/// ```
/// use jose_core::alg::JwsAlgorithm;
/// use jose_core::jwk::Jwk;
/// use jws::SigningKey;
///
/// let key = SigningKey::new(Jwk::generate(JwsAlgorithm::ES256)?, JwsAlgorithm::ES256)?;
/// // An RSA algorithm with an EC key is refused up front.
/// assert!(SigningKey::new(Jwk::generate(JwsAlgorithm::ES256)?, JwsAlgorithm::RS256).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct SigningKey {
    key: Jwk,
    alg: JwsAlgorithm,
}

impl SigningKey {
    /// Binds `key` to `alg`.
    ///
    /// # Errors
    /// [`JwsError::Key`] when the key is public, of the wrong type or size, or its `use`,
    /// `key_ops` or `alg` members forbid signing with `alg`.
    pub fn new(key: Jwk, alg: JwsAlgorithm) -> Result<Self, JwsError> {
        key.check_operation(&KeyOperation::Sign, &alg.into())?;
        Ok(Self { key, alg })
    }

    /// Binds `key` to the algorithm it implies: its `alg` member, or for EC and Ed25519 keys
    /// the algorithm of the curve.
    ///
    /// # Errors
    /// [`JwsError::NoAlgorithmAllowed`] when the key implies no single algorithm (RSA and
    /// symmetric keys without `alg`), or the errors of [`SigningKey::new`].
    pub fn from_jwk(key: Jwk) -> Result<Self, JwsError> {
        let alg = implied_algorithm(&key).ok_or(JwsError::NoAlgorithmAllowed)?;
        Self::new(key, alg)
    }

    /// An HMAC key (HS256, HS384 or HS512) made from a secret you already have, with `alg`
    /// set on its JWK.
    ///
    /// The secret is used as raw bytes. RFC 7518 §3.2 requires a key at least as long as the
    /// hash output (32 bytes for HS256, 48 for HS384, 64 for HS512); a shorter one is refused.
    ///
    /// ```
    /// use jose_core::jwk::KeyError;
    /// use jws::{JwsAlgorithm, JwsError, SigningKey, VerifyOptions, compact};
    ///
    /// let secret = b"a shared secret of at least 32 bytes";
    /// let key = SigningKey::hmac(JwsAlgorithm::HS256, &secret[..])?;
    /// let token = compact::CompactSign::new(b"hello").sign(&key)?;
    /// let options = VerifyOptions::new().algorithms([JwsAlgorithm::HS256]);
    /// assert_eq!(compact::verify(&token, key.jwk(), &options)?.payload(), b"hello");
    ///
    /// // Too short for the hash: a typed error, not a weak key.
    /// let err = SigningKey::hmac(JwsAlgorithm::HS256, &b"hunter2"[..]).unwrap_err();
    /// assert!(matches!(err, JwsError::Key(KeyError::KeyTooShort { min: 32, actual: 7, .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`JwsError::Key`] with [`jose_core::jwk::KeyError::KeyTooShort`] for a short secret,
    /// [`jose_core::jwk::KeyError::EmptySymmetricKey`] for an empty one, and
    /// [`jose_core::jwk::KeyError::IncompatibleAlgorithm`] when `alg` is not an HMAC algorithm.
    pub fn hmac(
        alg: JwsAlgorithm,
        secret: impl Into<jose_core::SecretBytes>,
    ) -> Result<Self, JwsError> {
        Self::new(Jwk::from_secret(secret)?.with_alg(alg), alg)
    }

    /// Generates a key for `alg`.
    ///
    /// # Errors
    /// [`JwsError::Key`] when generation fails.
    pub fn generate(alg: JwsAlgorithm) -> Result<Self, JwsError> {
        Self::new(Jwk::generate(alg)?, alg)
    }

    /// Sets the key id (`kid`): it goes into the header of what this key signs and into its
    /// public JWK.
    ///
    /// ```
    /// use jws::{JwsAlgorithm, SigningKey};
    ///
    /// let key = SigningKey::generate(JwsAlgorithm::ES256)?.with_kid("2026-11");
    /// assert_eq!(key.public_jwk()?.kid(), Some("2026-11"));
    /// # Ok::<(), jws::JwsError>(())
    /// ```
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.key = self.key.with_kid(kid);
        self
    }

    /// The private key.
    #[must_use]
    pub fn jwk(&self) -> &Jwk {
        &self.key
    }

    /// The public key, for a JWK Set or a `jwk` header.
    ///
    /// # Errors
    /// [`JwsError::Key`] for a symmetric key.
    pub fn public_jwk(&self) -> Result<Jwk, JwsError> {
        Ok(self.key.to_public()?)
    }
}

impl Signer for SigningKey {
    fn algorithm(&self) -> JwsAlgorithm {
        self.alg
    }

    fn key_id(&self) -> Option<&str> {
        self.key.kid()
    }

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JwsError> {
        alg::sign(&self.key, self.alg, signing_input)
    }
}

/// The one JWS algorithm a key implies without being told: its `alg` member, or the curve's
/// algorithm for EC and Ed25519 keys.
#[must_use]
pub fn implied_algorithm(key: &Jwk) -> Option<JwsAlgorithm> {
    use jose_core::alg::Curve;
    match key.alg() {
        Some(KeyAlgorithm::Jws(a)) => Some(*a),
        Some(_) => None,
        None => match key.curve()? {
            Curve::P256 => Some(JwsAlgorithm::ES256),
            Curve::P384 => Some(JwsAlgorithm::ES384),
            Curve::P521 => Some(JwsAlgorithm::ES512),
            Curve::Ed25519 => Some(JwsAlgorithm::EdDSA),
            _ => None,
        },
    }
}
