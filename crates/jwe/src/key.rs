//! Keys: [`EncryptionKey`] (a recipient's key bound to an algorithm), [`Password`] (for
//! PBES2), and [`KeySource`], which picks the decryption key for a recipient.

use crate::JweError;
use crate::alg;
use crate::options::implied_algorithm;
use jose_core::SecretBytes;
use jose_core::alg::{KeyAlgorithm, KeyManagementAlgorithm};
use jose_core::backend::Backend;
use jose_core::header::JweHeader;
use jose_core::json::truncate_for_error;
use jose_core::jwk::{Jwk, JwkSet, SelectError};

/// The default PBES2 iteration count for encryption: OWASP's figure for PBKDF2-HMAC-SHA512,
/// and below the default decryption maximum of [`crate::Limits::max_p2c`].
pub const DEFAULT_P2C: u32 = 210_000;

/// A password for the PBES2 algorithms. Wiped on drop, never printed.
///
/// ```
/// use jwe::Password;
///
/// let password = Password::new("correct horse battery staple")?;
/// assert_eq!(format!("{password:?}"), "Password(SecretBytes([redacted; 28 bytes]))");
/// # Ok::<(), jwe::JweError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Password(SecretBytes);

impl Password {
    /// Wraps a password.
    ///
    /// # Errors
    /// [`JweError::InvalidParameter`] for an empty password.
    pub fn new(password: impl Into<Vec<u8>>) -> Result<Self, JweError> {
        let bytes = SecretBytes::new(password.into());
        if bytes.is_empty() {
            return Err(JweError::InvalidParameter {
                name: "password",
                reason: "must not be empty",
            });
        }
        Ok(Self(bytes))
    }

    /// The password bytes.
    #[must_use]
    pub fn secret(&self) -> &SecretBytes {
        &self.0
    }
}

/// What a recipient's key is.
#[derive(Clone, Debug)]
pub(crate) enum KeyKind {
    /// A JWK: public (RSA, EC, X25519) or symmetric (AES key wrap, `dir`, PBES2 password).
    Jwk(Box<Jwk>),
    /// A password for PBES2.
    Password(Password),
}

/// Values a test or vector generator fixed in place of fresh randomness.
#[derive(Clone, Debug, Default)]
struct Fixed {
    ephemeral: Option<Box<Jwk>>,
    p2s: Option<Vec<u8>>,
    wrap_iv: Option<Vec<u8>>,
}

/// A recipient's key bound to one key management algorithm, checked once when it is made.
///
/// ```
/// use jose_core::alg::KeyManagementAlgorithm;
/// use jose_core::jwk::{GenerateOptions, Jwk};
/// use jwe::EncryptionKey;
///
/// // The recipient publishes an X25519 public key; the sender encrypts to it with ECDH-ES.
/// let options = GenerateOptions { curve: Some(jose_core::alg::Curve::X25519), ..Default::default() };
/// let private = Jwk::generate_with(KeyManagementAlgorithm::EcdhEs, &options)?;
/// let key = EncryptionKey::new(private.to_public()?, KeyManagementAlgorithm::EcdhEs)?;
///
/// // An RSA algorithm with an X25519 key is refused up front.
/// assert!(EncryptionKey::new(private.to_public()?, KeyManagementAlgorithm::RsaOaep256).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct EncryptionKey {
    kind: KeyKind,
    alg: KeyManagementAlgorithm,
    backend: Backend,
    kid: Option<String>,
    p2c: u32,
    apu: Option<Vec<u8>>,
    apv: Option<Vec<u8>>,
    fixed: Fixed,
}

impl EncryptionKey {
    /// Binds `key` to `alg`. A private key may be given for an asymmetric algorithm; only its
    /// public part is used.
    ///
    /// # Errors
    /// [`JweError::Key`] when the key's type, curve or size does not fit `alg` or its `use`,
    /// `key_ops` or `alg` members forbid it; [`JweError::Encrypt`] for `RSA1_5`, which is
    /// supported for decryption only; [`JweError::Unsupported`] when `alg` is not compiled in.
    pub fn new(key: Jwk, alg: KeyManagementAlgorithm) -> Result<Self, JweError> {
        // Keep only the public half of an asymmetric key (its `key_ops` mapped to what the
        // public half does): the sender never needs the private one.
        let key = if !key.is_symmetric() && key.is_private() {
            key.to_public()?
        } else {
            key
        };
        alg::check_encryption_key(&key, alg)?;
        Ok(Self {
            kid: key.kid().map(str::to_owned),
            backend: key.backend(),
            kind: KeyKind::Jwk(Box::new(key)),
            alg,
            p2c: DEFAULT_P2C,
            apu: None,
            apv: None,
            fixed: Fixed::default(),
        })
    }

    /// Binds `key` to the algorithm its `alg` member names (a content encryption algorithm
    /// means `dir`).
    ///
    /// # Errors
    /// [`JweError::NoAlgorithmAllowed`] when the key has no such `alg`, or the errors of
    /// [`EncryptionKey::new`].
    pub fn from_jwk(key: Jwk) -> Result<Self, JweError> {
        let alg = implied_algorithm(key.alg()).ok_or(JweError::NoAlgorithmAllowed)?;
        Self::new(key, alg)
    }

    /// A password for one of the PBES2 algorithms.
    ///
    /// # Errors
    /// [`JweError::Encrypt`] when `alg` is not a PBES2 algorithm; [`JweError::Unsupported`]
    /// without the `pbes2` feature.
    pub fn password(password: Password, alg: KeyManagementAlgorithm) -> Result<Self, JweError> {
        use KeyManagementAlgorithm as K;
        if !matches!(
            alg,
            K::Pbes2Hs256A128Kw | K::Pbes2Hs384A192Kw | K::Pbes2Hs512A256Kw
        ) {
            return Err(JweError::Encrypt(
                "a password serves only the PBES2 algorithms",
            ));
        }
        alg::check_compiled(alg)?;
        Ok(Self {
            kind: KeyKind::Password(password),
            alg,
            backend: Backend::default(),
            kid: None,
            p2c: DEFAULT_P2C,
            apu: None,
            apv: None,
            fixed: Fixed::default(),
        })
    }

    /// Sets the crypto backend for this recipient's key management and, when this key is the
    /// first recipient, for the content encryption (default: the JWK's backend, or
    /// [`Backend::default()`] for a password). See [`jose_core::backend`].
    #[must_use]
    pub fn with_backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        if let KeyKind::Jwk(k) = &mut self.kind {
            **k = (**k).clone().with_backend(backend);
        }
        self
    }

    /// The crypto backend (see [`EncryptionKey::with_backend`]).
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Sets the key id put in the header as `kid` (default: the JWK's `kid`).
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Sets the PBES2 iteration count (default [`DEFAULT_P2C`]; at least 1000). Recipients
    /// refuse counts above their limit, 310 000 by default.
    #[must_use]
    pub fn with_p2c(mut self, p2c: u32) -> Self {
        self.p2c = p2c;
        self
    }

    /// Sets the ECDH-ES agreement PartyUInfo (`apu`), information about the producer.
    #[must_use]
    pub fn with_apu(mut self, apu: impl Into<Vec<u8>>) -> Self {
        self.apu = Some(apu.into());
        self
    }

    /// Sets the ECDH-ES agreement PartyVInfo (`apv`), information about the recipient.
    #[must_use]
    pub fn with_apv(mut self, apv: impl Into<Vec<u8>>) -> Self {
        self.apv = Some(apv.into());
        self
    }

    /// Uses this ephemeral private key for ECDH-ES instead of a fresh one.
    ///
    /// **For tests and vector generators only**: reusing an ephemeral key across messages
    /// breaks the security argument of ECDH-ES.
    #[cfg(feature = "fixed-randomness-for-tests")]
    #[must_use]
    pub fn fixed_ephemeral_key(mut self, ephemeral: Jwk) -> Self {
        self.fixed.ephemeral = Some(Box::new(ephemeral));
        self
    }

    /// Uses this PBES2 salt input (`p2s`) instead of a fresh random one.
    ///
    /// **For tests and vector generators only.**
    #[cfg(feature = "fixed-randomness-for-tests")]
    #[must_use]
    pub fn fixed_p2s(mut self, p2s: impl Into<Vec<u8>>) -> Self {
        self.fixed.p2s = Some(p2s.into());
        self
    }

    /// Uses this AES-GCM key wrap IV instead of a fresh random one.
    ///
    /// **For tests and vector generators only**: an IV reused under one key breaks AES-GCM.
    #[cfg(feature = "fixed-randomness-for-tests")]
    #[must_use]
    pub fn fixed_key_wrap_iv(mut self, iv: impl Into<Vec<u8>>) -> Self {
        self.fixed.wrap_iv = Some(iv.into());
        self
    }

    /// The key management algorithm.
    #[must_use]
    pub fn alg(&self) -> KeyManagementAlgorithm {
        self.alg
    }

    /// The key id that goes into `kid`.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The JWK, or `None` for a password.
    #[must_use]
    pub fn jwk_ref(&self) -> Option<&Jwk> {
        match &self.kind {
            KeyKind::Jwk(k) => Some(k),
            KeyKind::Password(_) => None,
        }
    }

    pub(crate) fn kind(&self) -> &KeyKind {
        &self.kind
    }

    #[cfg_attr(
        not(any(feature = "rsa", feature = "aes", feature = "ec", feature = "x25519")),
        allow(dead_code)
    )]
    pub(crate) fn jwk(&self) -> Result<&Jwk, JweError> {
        self.jwk_ref().ok_or(JweError::Encrypt(
            "a password serves only the PBES2 algorithms",
        ))
    }

    /// The PBES2 password: a [`Password`], or the bytes of an `oct` JWK.
    #[cfg_attr(not(feature = "pbes2"), allow(dead_code))]
    pub(crate) fn password_bytes(&self) -> Result<&SecretBytes, JweError> {
        match &self.kind {
            KeyKind::Password(p) => Ok(p.secret()),
            KeyKind::Jwk(k) => alg::oct_secret(k),
        }
    }

    #[cfg_attr(not(feature = "pbes2"), allow(dead_code))]
    pub(crate) fn p2c(&self) -> u32 {
        self.p2c
    }

    pub(crate) fn apu(&self) -> Option<&[u8]> {
        self.apu.as_deref()
    }

    pub(crate) fn apv(&self) -> Option<&[u8]> {
        self.apv.as_deref()
    }

    #[cfg_attr(not(any(feature = "ec", feature = "x25519")), allow(dead_code))]
    pub(crate) fn test_ephemeral(&self) -> Option<&Jwk> {
        self.fixed.ephemeral.as_deref()
    }

    #[cfg_attr(not(feature = "pbes2"), allow(dead_code))]
    pub(crate) fn test_p2s(&self) -> Option<&[u8]> {
        self.fixed.p2s.as_deref()
    }

    #[cfg_attr(not(feature = "aes"), allow(dead_code))]
    pub(crate) fn test_wrap_iv(&self) -> Option<&[u8]> {
        self.fixed.wrap_iv.as_deref()
    }
}

/// The key a [`KeySource`] picked for one recipient.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum SelectedKey<'a> {
    /// A private or symmetric JWK.
    Jwk(&'a Jwk),
    /// A PBES2 password.
    Password(&'a Password),
}

impl SelectedKey<'_> {
    /// The crypto backend that decrypts for this key: the JWK's, or [`Backend::default()`]
    /// for a password.
    #[must_use]
    pub fn backend(&self) -> Backend {
        match self {
            SelectedKey::Jwk(k) => k.backend(),
            SelectedKey::Password(_) => Backend::default(),
        }
    }

    /// The `alg` member of the key, which decides the algorithm when the options list none.
    #[must_use]
    pub fn key_alg(&self) -> Option<&KeyAlgorithm> {
        match self {
            SelectedKey::Jwk(k) => k.alg(),
            SelectedKey::Password(_) => None,
        }
    }

    /// The key's `kid`.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        match self {
            SelectedKey::Jwk(k) => k.kid(),
            SelectedKey::Password(_) => None,
        }
    }

    /// Checks that the key may decrypt with `alg`.
    pub(crate) fn check(&self, alg: KeyManagementAlgorithm) -> Result<(), JweError> {
        match self {
            SelectedKey::Jwk(k) => alg::check_decryption_key(k, alg),
            SelectedKey::Password(_) => {
                use KeyManagementAlgorithm as K;
                alg::check_compiled(alg)?;
                if matches!(
                    alg,
                    K::Pbes2Hs256A128Kw | K::Pbes2Hs384A192Kw | K::Pbes2Hs512A256Kw
                ) {
                    Ok(())
                } else {
                    Err(JweError::NoKey(
                        "a password serves only the PBES2 algorithms".into(),
                    ))
                }
            }
        }
    }
}

/// Picks the key that decrypts a recipient, given the recipient's joint header (protected,
/// shared unprotected and per-recipient parameters).
///
/// Implemented for a single [`Jwk`], for [`JwkSet`] (selection by `kid` and `alg`), and for
/// [`Password`]. With several recipients, decryption asks for each in turn and uses the ones
/// the source has a key for; an error means "no key for this recipient".
pub trait KeySource {
    /// The key for a recipient with this header.
    ///
    /// # Errors
    /// [`JweError::KeySelection`], [`JweError::Key`] or [`JweError::NoKey`] when the source
    /// has no (single) key that fits.
    fn select(&self, header: &JweHeader) -> Result<SelectedKey<'_>, JweError>;
}

impl<S: KeySource + ?Sized> KeySource for &S {
    fn select(&self, header: &JweHeader) -> Result<SelectedKey<'_>, JweError> {
        (**self).select(header)
    }
}

impl KeySource for Jwk {
    /// A single key serves every recipient whose algorithm it fits (type, curve, size, and
    /// its `use`, `key_ops` and `alg` members); its `kid` is not compared.
    fn select(&self, header: &JweHeader) -> Result<SelectedKey<'_>, JweError> {
        let alg = header.alg().ok_or(JweError::MissingAlgorithm)?;
        alg::check_decryption_key(self, alg)?;
        Ok(SelectedKey::Jwk(self))
    }
}

impl KeySource for Password {
    fn select(&self, header: &JweHeader) -> Result<SelectedKey<'_>, JweError> {
        let alg = header.alg().ok_or(JweError::MissingAlgorithm)?;
        let key = SelectedKey::Password(self);
        key.check(alg)?;
        Ok(key)
    }
}

impl KeySource for JwkSet {
    /// Selects the one key that has the header's `kid` (when it names one) and fits its
    /// `alg`. Several matching keys are an error, not a guess; so is a `kid` shared with a key
    /// that could not be imported.
    fn select(&self, header: &JweHeader) -> Result<SelectedKey<'_>, JweError> {
        let alg = header.alg().ok_or(JweError::MissingAlgorithm)?;
        let kid = header.kid();
        let mut found = self
            .keys()
            .iter()
            .filter(|k| kid.is_none_or(|kid| k.kid() == Some(kid)))
            .filter(|k| alg::check_decryption_key(k, alg).is_ok());
        let rejected_same_kid = kid.map_or(0, |kid| {
            self.rejected()
                .iter()
                .filter(|r| r.kid.as_deref() == Some(kid))
                .count()
        });
        match (found.next(), found.next()) {
            (Some(_), None) if rejected_same_kid > 0 => Err(SelectError::Ambiguous {
                count: 1 + rejected_same_kid,
                kid: kid.map(truncate_for_error),
            }
            .into()),
            (Some(k), None) => Ok(SelectedKey::Jwk(k)),
            (Some(_), Some(_)) => Err(SelectError::Ambiguous {
                count: 2 + found.count(),
                kid: kid.map(truncate_for_error),
            }
            .into()),
            (None, _) => {
                if let Some(kid) = kid
                    && let Some(r) = self
                        .rejected()
                        .iter()
                        .find(|r| r.kid.as_deref() == Some(kid))
                {
                    return Err(SelectError::Rejected {
                        kid: truncate_for_error(kid),
                        error: r.error.clone(),
                    }
                    .into());
                }
                Err(SelectError::NoMatch {
                    kid: kid.map(truncate_for_error),
                    alg: Some(alg.as_str().to_owned()),
                }
                .into())
            }
        }
    }
}
