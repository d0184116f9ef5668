//! Checking signatures: the [`Verifier`] trait, and [`KeyResolver`], which picks the verifier
//! for a JWS from its header.

use crate::{JwsError, alg};
use jose_core::alg::{Curve, JwsAlgorithm, KeyAlgorithm};
use jose_core::backend::Backend;
use jose_core::header::JwsHeader;
use jose_core::jwk::{Jwk, JwkSet, KeyOperation, KeySelector};

/// Something that checks JWS signatures made with one key.
///
/// Implemented for [`Jwk`]; implement it to verify with keys held elsewhere.
pub trait Verifier {
    /// Checks that this key may verify `alg` signatures: key type and size, and any
    /// restrictions the key carries (`use`, `key_ops`, `alg`).
    ///
    /// # Errors
    /// [`JwsError::Key`] naming the restriction.
    fn check_algorithm(&self, alg: JwsAlgorithm) -> Result<(), JwsError>;

    /// Whether `alg` is accepted when the caller lists no algorithms. The default accepts
    /// none, so that custom verifiers are always used with an explicit list.
    fn allows_by_default(&self, alg: JwsAlgorithm) -> bool {
        let _ = alg;
        false
    }

    /// Checks `signature` over `signing_input`.
    ///
    /// # Errors
    /// [`JwsError::InvalidSignature`] or [`JwsError::MalformedSignature`].
    fn verify(
        &self,
        alg: JwsAlgorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), JwsError>;
}

impl<V: Verifier + ?Sized> Verifier for &V {
    fn check_algorithm(&self, alg: JwsAlgorithm) -> Result<(), JwsError> {
        (**self).check_algorithm(alg)
    }
    fn allows_by_default(&self, alg: JwsAlgorithm) -> bool {
        (**self).allows_by_default(alg)
    }
    fn verify(
        &self,
        alg: JwsAlgorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), JwsError> {
        (**self).verify(alg, signing_input, signature)
    }
}

impl Verifier for Jwk {
    fn check_algorithm(&self, alg: JwsAlgorithm) -> Result<(), JwsError> {
        Ok(self.check_operation(&KeyOperation::Verify, &alg.into())?)
    }

    /// With no explicit list, a key accepts the algorithm of its `alg` member, or, without
    /// one, the algorithm its curve fixes (EC and Ed25519). RSA and symmetric keys without
    /// `alg` accept nothing implicitly: RS256 vs PS256, or HS256 vs HS512, is the caller's call.
    fn allows_by_default(&self, alg: JwsAlgorithm) -> bool {
        match self.alg() {
            Some(KeyAlgorithm::Jws(a)) => *a == alg,
            Some(_) => false,
            None => match self.curve() {
                Some(Curve::P256 | Curve::P384 | Curve::P521) => alg.curve() == self.curve(),
                Some(Curve::Ed25519) => matches!(alg, JwsAlgorithm::EdDSA | JwsAlgorithm::Ed25519),
                _ => false,
            },
        }
    }

    fn verify(
        &self,
        alg: JwsAlgorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), JwsError> {
        Verifier::check_algorithm(self, alg)?;
        alg::verify(self, alg, signing_input, signature)
    }
}

/// The verifier a [`KeyResolver`] found: borrowed from the resolver, or made from the header.
pub enum ResolvedKey<'a> {
    /// A verifier the resolver holds.
    Borrowed(&'a dyn Verifier),
    /// A verifier made for this JWS (for example from its embedded `jwk`).
    Owned(Box<dyn Verifier + 'a>),
}

impl core::fmt::Debug for ResolvedKey<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ResolvedKey::Borrowed(_) => "ResolvedKey::Borrowed(..)",
            ResolvedKey::Owned(_) => "ResolvedKey::Owned(..)",
        })
    }
}

impl<'a> core::ops::Deref for ResolvedKey<'a> {
    type Target = dyn Verifier + 'a;
    fn deref(&self) -> &Self::Target {
        match self {
            ResolvedKey::Borrowed(v) => *v,
            ResolvedKey::Owned(v) => v.as_ref(),
        }
    }
}

/// Picks the key that verifies a JWS, given its (joint) header.
///
/// Implemented for a single [`Jwk`] (and any [`Verifier`]), for [`JwkSet`] (selection by
/// `kid` and `alg`), and by [`EmbeddedJwk`] for self-signed objects such as DPoP proofs.
pub trait KeyResolver {
    /// The verifier for a JWS with this header.
    ///
    /// # Errors
    /// [`JwsError::KeySelection`] when no single key fits, or another [`JwsError`].
    fn resolve<'a>(&'a self, header: &JwsHeader) -> Result<ResolvedKey<'a>, JwsError>;
}

impl<V: Verifier> KeyResolver for V {
    /// A single key verifies every JWS given to it; its restrictions still apply.
    fn resolve<'a>(&'a self, _header: &JwsHeader) -> Result<ResolvedKey<'a>, JwsError> {
        Ok(ResolvedKey::Borrowed(self))
    }
}

impl KeyResolver for JwkSet {
    /// Selects by the header's `kid` and `alg`: exactly one key must match (several matching
    /// keys are an error, not a guess).
    fn resolve<'a>(&'a self, header: &JwsHeader) -> Result<ResolvedKey<'a>, JwsError> {
        let alg = header.alg().ok_or(JwsError::MissingAlgorithm)?;
        let key = self.select(&KeySelector::for_jws(alg, header.kid()))?;
        Ok(ResolvedKey::Borrowed(key))
    }
}

/// Verifies with the public key embedded in the header's `jwk` parameter.
///
/// Only for objects that are signed by the key they carry (DPoP proofs, OIDC² PoP tokens):
/// such a signature proves possession of the key, not who the signer is. Never use it where
/// the signer must be a known party.
#[derive(Clone, Copy, Debug, Default)]
pub struct EmbeddedJwk;

impl KeyResolver for EmbeddedJwk {
    fn resolve<'a>(&'a self, header: &JwsHeader) -> Result<ResolvedKey<'a>, JwsError> {
        let key = header.jwk().ok_or(JwsError::MissingEmbeddedKey)?;
        Ok(ResolvedKey::Owned(Box::new(key.clone())))
    }
}

/// [`EmbeddedJwk`] with the embedded key pinned to a crypto backend (the header's key
/// otherwise gets [`Backend::default()`]; see [`jose_core::backend`]).
///
/// ```
/// use jose_core::alg::JwsAlgorithm;
/// use jose_core::backend::Backend;
/// use jose_core::header::JwsHeader;
/// use jose_core::jwk::Jwk;
/// use jws::{EmbeddedJwkOn, SigningKey, VerifyOptions};
///
/// let key = SigningKey::new(Jwk::generate(JwsAlgorithm::ES256)?, JwsAlgorithm::ES256)?;
/// let header = JwsHeader::new(JwsAlgorithm::ES256).with_jwk(key.public_jwk()?)?;
/// let token = jws::compact::CompactSign::new(b"proof").header(header).sign(&key)?;
/// let options = VerifyOptions::new().algorithms([JwsAlgorithm::ES256]);
/// let verified = jws::compact::verify(&token, &EmbeddedJwkOn(Backend::RustCrypto), &options)?;
/// assert_eq!(verified.payload(), b"proof");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmbeddedJwkOn(pub Backend);

impl KeyResolver for EmbeddedJwkOn {
    fn resolve<'a>(&'a self, header: &JwsHeader) -> Result<ResolvedKey<'a>, JwsError> {
        let key = header.jwk().ok_or(JwsError::MissingEmbeddedKey)?;
        Ok(ResolvedKey::Owned(Box::new(
            key.clone().with_backend(self.0),
        )))
    }
}
