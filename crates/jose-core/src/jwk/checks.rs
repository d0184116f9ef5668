//! What a key may do: its type and size against an algorithm, its `use`, `key_ops` and `alg`
//! members against an operation, and its certificate members against the key.

use super::{Jwk, KeyError, KeyMaterial, KeyOperation, KeyType};
use crate::alg::{Curve, JwsAlgorithm, JwsFamily, KeyAlgorithm, KeyManagementAlgorithm};
use crate::json;

impl Jwk {
    pub(super) fn check_use_against_key_ops(&self) -> Result<(), KeyError> {
        if let (Some(key_use), Some(ops)) = (&self.key_use, &self.key_ops) {
            for op in ops {
                if let Some(expected) = op.matching_use()
                    && &expected != key_use
                {
                    return Err(KeyError::InconsistentUseAndKeyOps);
                }
            }
        }
        Ok(())
    }

    pub(super) fn check_certificate_members(&self) -> Result<(), KeyError> {
        let Some(leaf) = self.x5c.as_ref().and_then(|c| c.first()) else {
            return Ok(());
        };
        if let Some(t) = &self.x5t {
            let digest = crate::alg::HashAlgorithm::Sha1.digest(leaf);
            if digest.as_slice() != t {
                return Err(KeyError::X509(
                    "x5t is not the SHA-1 thumbprint of the first certificate",
                ));
            }
        }
        if let Some(t) = &self.x5t_s256 {
            let digest = crate::alg::HashAlgorithm::Sha256.digest(leaf);
            if digest.as_slice() != t {
                return Err(KeyError::X509(
                    "x5t#S256 is not the SHA-256 thumbprint of the first certificate",
                ));
            }
        }
        #[cfg(feature = "x509")]
        {
            let cert_key = super::pem::public_key_of_certificate(leaf)?;
            if !cert_key.material.same_public(&self.material) {
                return Err(KeyError::X509(
                    "the first certificate does not hold this key",
                ));
            }
        }
        Ok(())
    }

    /// Checks that the key may perform `operation` with `alg`: the key type and size fit the
    /// algorithm, a private key is present when the operation needs one, and the `use`,
    /// `key_ops` and `alg` members permit it.
    ///
    /// # Errors
    /// [`KeyError`] naming the restriction that forbids it.
    pub fn check_operation(
        &self,
        operation: &KeyOperation,
        alg: &KeyAlgorithm,
    ) -> Result<(), KeyError> {
        self.check_algorithm(alg)?;
        let needs_private = matches!(
            operation,
            KeyOperation::Sign
                | KeyOperation::Decrypt
                | KeyOperation::UnwrapKey
                | KeyOperation::DeriveKey
        );
        if needs_private && !self.is_private() {
            return Err(KeyError::NotPrivate);
        }
        if let Some(key_use) = &self.key_use
            && operation.matching_use().as_ref() != Some(key_use)
        {
            return Err(KeyError::UseNotPermitted {
                key_use: json::truncate_for_error(key_use.as_str()),
                operation: operation.label(),
            });
        }
        if let Some(ops) = &self.key_ops
            && !ops.contains(operation)
        {
            return Err(KeyError::OperationNotPermitted(operation.label()));
        }
        if let Some(key_alg) = &self.alg {
            let dir_with_enc = matches!(
                (alg, key_alg),
                (
                    KeyAlgorithm::KeyManagement(KeyManagementAlgorithm::Dir),
                    KeyAlgorithm::ContentEncryption(_)
                )
            );
            if key_alg != alg && !dir_with_enc {
                return Err(KeyError::AlgorithmNotPermitted {
                    key_alg: json::truncate_for_error(key_alg.as_str()),
                    requested: alg.as_str().to_owned(),
                });
            }
        }
        Ok(())
    }

    /// Checks that the key's type, curve and size fit `alg`, ignoring the `use`, `key_ops`
    /// and `alg` members.
    ///
    /// # Errors
    /// [`KeyError::IncompatibleAlgorithm`], [`KeyError::KeyTooShort`] or
    /// [`KeyError::WrongKeyLength`].
    pub fn check_algorithm(&self, alg: &KeyAlgorithm) -> Result<(), KeyError> {
        let incompatible = || KeyError::IncompatibleAlgorithm {
            key: self.material.describe(),
            alg: json::truncate_for_error(alg.as_str()),
        };
        let oct_len = match &self.material {
            KeyMaterial::Oct(k) => Some(k.secret().len()),
            _ => None,
        };
        let exact = |expected: usize| match oct_len {
            None => Err(incompatible()),
            Some(actual) if actual == expected => Ok(()),
            Some(actual) => Err(KeyError::WrongKeyLength {
                alg: alg.clone(),
                expected,
                actual,
            }),
        };
        match alg {
            KeyAlgorithm::Jws(a) => match a.family() {
                JwsFamily::Hmac => match oct_len {
                    None => Err(incompatible()),
                    Some(actual) if actual < a.hash().output_len() => Err(KeyError::KeyTooShort {
                        alg: alg.clone(),
                        min: a.hash().output_len(),
                        actual,
                    }),
                    Some(_) => Ok(()),
                },
                JwsFamily::RsaPkcs1 | JwsFamily::RsaPss => {
                    if self.key_type() == KeyType::Rsa {
                        Ok(())
                    } else {
                        Err(incompatible())
                    }
                }
                JwsFamily::Ecdsa | JwsFamily::EdDsa => {
                    let fits = self.curve().is_some() && self.curve() == a.curve() && {
                        // An X25519 key has no signing use even though the name is close.
                        self.key_type() == KeyType::Ec || self.curve() == Some(Curve::Ed25519)
                    };
                    if fits { Ok(()) } else { Err(incompatible()) }
                }
            },
            KeyAlgorithm::KeyManagement(a) => {
                use KeyManagementAlgorithm::*;
                match a {
                    Rsa1_5 | RsaOaep | RsaOaep256 | RsaOaep384 | RsaOaep512 => {
                        if self.key_type() == KeyType::Rsa {
                            Ok(())
                        } else {
                            Err(incompatible())
                        }
                    }
                    A128Kw | A128GcmKw => exact(16),
                    A192Kw | A192GcmKw => exact(24),
                    A256Kw | A256GcmKw => exact(32),
                    Dir | Pbes2Hs256A128Kw | Pbes2Hs384A192Kw | Pbes2Hs512A256Kw => {
                        if oct_len.is_some() {
                            Ok(())
                        } else {
                            Err(incompatible())
                        }
                    }
                    EcdhEs | EcdhEsA128Kw | EcdhEsA192Kw | EcdhEsA256Kw => match self.curve() {
                        Some(Curve::P256 | Curve::P384 | Curve::P521 | Curve::X25519) => Ok(()),
                        _ => Err(incompatible()),
                    },
                }
            }
            KeyAlgorithm::ContentEncryption(enc) => exact(enc.key_len()),
            KeyAlgorithm::Other(_) => Err(incompatible()),
        }
    }

    /// The JWS algorithms this key can be used with, by type and size alone.
    #[must_use]
    pub fn compatible_jws_algorithms(&self) -> Vec<JwsAlgorithm> {
        JwsAlgorithm::ALL
            .iter()
            .copied()
            .filter(|a| self.check_algorithm(&KeyAlgorithm::Jws(*a)).is_ok())
            .collect()
    }
}
