//! Keys: the client's signing key, and the OP's verification keys found by `kid`.

use crate::E2ePopError;
use jose_core::alg::JwsAlgorithm;
use jose_core::json::truncate_for_error;
use jose_core::jwk::{Jwk, JwkSet, KeyOperation};
use jws::{Signer, SigningKey};
use std::sync::Arc;

/// A client key: signs PoP and E2E PoP tokens and knows its public half, which goes into the
/// PoP token's `jwk` header and whose thumbprint is the E2E PoP token's `jkt`.
///
/// Implemented for [`SigningKey`]; implement it for keys held in a keystore or HSM. The
/// builders check after signing that the public key verifies the signature, so a public key
/// that does not belong to the signer is caught before the token leaves.
pub trait ClientKey: Signer {
    /// The public key.
    ///
    /// # Errors
    /// [`E2ePopError::Key`] when it is not available.
    fn public_jwk(&self) -> Result<Jwk, E2ePopError>;
}

impl ClientKey for SigningKey {
    fn public_jwk(&self) -> Result<Jwk, E2ePopError> {
        SigningKey::public_jwk(self).map_err(|e| E2ePopError::Key(e.to_string()))
    }
}

impl<K: ClientKey + ?Sized> ClientKey for &K {
    fn public_jwk(&self) -> Result<Jwk, E2ePopError> {
        (**self).public_jwk()
    }
}

/// The public key with only the members RFC 7638 hashes (kty, crv, x, y / n, e): no `kid`,
/// `alg`, `use` or private parts, as the OP writes `cnf.jwk`.
pub(crate) fn minimal_public(jwk: &Jwk) -> Result<Jwk, E2ePopError> {
    if jwk.is_symmetric() {
        return Err(E2ePopError::Key(
            "a symmetric key cannot be a client key".into(),
        ));
    }
    let public = jwk
        .to_public()
        .map_err(|e| E2ePopError::Key(e.to_string()))?;
    Ok(Jwk::new(public.material().clone()))
}

/// Finds the OP key that verifies an ICT.
///
/// The ICT's header names the key by `kid` (an opaque identifier, not a thumbprint); the
/// resolver also receives the ICT's `iss`, read before the signature is checked, to pick the
/// right OP's keys. A resolver is the trust decision for OPs: it must only return keys of OPs
/// the application trusts for that issuer. [`OpJwks`] holds one OP's JWK Set, [`TrustedOps`]
/// several; implement the trait to fetch keys through discovery and `jwks_uri`.
pub trait OpKeyResolver {
    /// The key with `kid` of the OP `issuer`, checked to fit `alg`.
    ///
    /// # Errors
    /// [`E2ePopError::UntrustedIssuer`], [`E2ePopError::UnknownKid`],
    /// [`E2ePopError::KeyUnusable`] or [`E2ePopError::KeyMismatch`].
    fn resolve(&self, issuer: &str, kid: &str, alg: JwsAlgorithm) -> Result<Jwk, E2ePopError>;
}

impl<R: OpKeyResolver + ?Sized> OpKeyResolver for &R {
    fn resolve(&self, issuer: &str, kid: &str, alg: JwsAlgorithm) -> Result<Jwk, E2ePopError> {
        (**self).resolve(issuer, kid, alg)
    }
}

impl<R: OpKeyResolver + ?Sized> OpKeyResolver for Arc<R> {
    fn resolve(&self, issuer: &str, kid: &str, alg: JwsAlgorithm) -> Result<Jwk, E2ePopError> {
        (**self).resolve(issuer, kid, alg)
    }
}

/// One OP's JWK Set, bound to its issuer identifier.
///
/// ```
/// use e2e_pop::{OpJwks, OpKeyResolver};
/// use jose_core::alg::JwsAlgorithm;
/// use jose_core::jwk::{Jwk, JwkSet};
///
/// let key = Jwk::generate(JwsAlgorithm::ES256)?.with_kid("op-1").to_public()?;
/// let op = OpJwks::new("https://op.example", JwkSet::new(vec![key])?);
/// assert!(op.resolve("https://op.example", "op-1", JwsAlgorithm::ES256).is_ok());
/// assert!(op.resolve("https://evil.example", "op-1", JwsAlgorithm::ES256).is_err());
/// assert!(op.resolve("https://op.example", "op-2", JwsAlgorithm::ES256).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpJwks {
    issuer: Option<String>,
    keys: JwkSet,
}

impl OpJwks {
    /// The keys of the OP whose issuer identifier is `issuer`.
    #[must_use]
    pub fn new(issuer: impl Into<String>, keys: JwkSet) -> Self {
        Self {
            issuer: Some(issuer.into()),
            keys,
        }
    }

    /// Keys trusted for an ICT whatever its `iss` says. Only when the keys cannot belong to
    /// any other issuer (a test, or a deployment with one OP that checks `iss` itself).
    #[must_use]
    pub fn any_issuer(keys: JwkSet) -> Self {
        Self { issuer: None, keys }
    }

    /// The issuer these keys belong to, if bound.
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The keys.
    #[must_use]
    pub fn keys(&self) -> &JwkSet {
        &self.keys
    }
}

/// Picks the key with `kid` from `keys` and checks it fits `alg`.
pub(crate) fn key_by_kid(keys: &JwkSet, kid: &str, alg: JwsAlgorithm) -> Result<Jwk, E2ePopError> {
    let shown = || truncate_for_error(kid);
    let mut found = keys.keys().iter().filter(|k| k.kid() == Some(kid));
    let Some(key) = found.next() else {
        if let Some(rejected) = keys
            .rejected()
            .iter()
            .find(|r| r.kid.as_deref() == Some(kid))
        {
            return Err(E2ePopError::KeyUnusable {
                kid: shown(),
                reason: rejected.error.to_string(),
            });
        }
        return Err(E2ePopError::UnknownKid { kid: shown() });
    };
    if found.next().is_some() {
        return Err(E2ePopError::KeyUnusable {
            kid: shown(),
            reason: "several keys have this kid".into(),
        });
    }
    key.check_operation(&KeyOperation::Verify, &alg.into())
        .map_err(|source| E2ePopError::KeyMismatch {
            alg: alg.as_str().to_owned(),
            source,
        })?;
    Ok(key.clone())
}

impl OpKeyResolver for OpJwks {
    fn resolve(&self, issuer: &str, kid: &str, alg: JwsAlgorithm) -> Result<Jwk, E2ePopError> {
        if let Some(expected) = &self.issuer
            && expected != issuer
        {
            return Err(E2ePopError::UntrustedIssuer {
                iss: truncate_for_error(issuer),
            });
        }
        key_by_kid(&self.keys, kid, alg)
    }
}

/// The OPs an application trusts, each with its JWK Set: an allow-list of issuers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedOps(Vec<OpJwks>);

impl TrustedOps {
    /// No trusted OP yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts the OP `issuer` with these keys.
    #[must_use]
    pub fn with(mut self, issuer: impl Into<String>, keys: JwkSet) -> Self {
        self.0.push(OpJwks::new(issuer, keys));
        self
    }
}

impl OpKeyResolver for TrustedOps {
    fn resolve(&self, issuer: &str, kid: &str, alg: JwsAlgorithm) -> Result<Jwk, E2ePopError> {
        let op = self
            .0
            .iter()
            .find(|op| op.issuer() == Some(issuer))
            .ok_or_else(|| E2ePopError::UntrustedIssuer {
                iss: truncate_for_error(issuer),
            })?;
        key_by_kid(&op.keys, kid, alg)
    }
}
