//! Generating a private key for an algorithm.

#[cfg(feature = "ec")]
use super::EcKey;
#[cfg(feature = "eddsa")]
use super::Ed25519Key;
#[cfg(feature = "x25519")]
use super::X25519Key;
use super::{Jwk, KeyError, KeyMaterial, OctKey};
#[cfg(feature = "rsa")]
use super::{KeyPolicy, RsaKey};
use crate::alg::{Curve, JwsFamily, KeyAlgorithm, KeyManagementAlgorithm};
use crate::json;

impl Jwk {
    /// Generates a private key suitable for `alg`, with `alg` set on it.
    ///
    /// EC curves follow the algorithm (ES384 → P-384); ECDH-ES uses P-256; RSA keys have 2048
    /// bits; symmetric keys have the size the algorithm needs (HS256 → 32 bytes,
    /// A128KW → 16, A256GCM for `dir` → 32, PBES2 → a 32-byte random password).
    ///
    /// # Errors
    /// [`KeyError::CannotGenerate`] or [`KeyError::Random`].
    pub fn generate(alg: impl Into<KeyAlgorithm>) -> Result<Jwk, KeyError> {
        Self::generate_with(alg, &GenerateOptions::default())
    }

    /// Generates a private key suitable for `alg` with explicit sizes or curve.
    ///
    /// # Errors
    /// [`KeyError::CannotGenerate`], [`KeyError::RsaKeyTooSmall`] or [`KeyError::Random`].
    pub fn generate_with(
        alg: impl Into<KeyAlgorithm>,
        options: &GenerateOptions,
    ) -> Result<Jwk, KeyError> {
        let alg = alg.into();
        let material = match &alg {
            KeyAlgorithm::Jws(a) => match a.family() {
                JwsFamily::Hmac => KeyMaterial::Oct(OctKey::generate(a.hash().output_len())?),
                JwsFamily::RsaPkcs1 | JwsFamily::RsaPss => rsa_material(options)?,
                JwsFamily::Ecdsa | JwsFamily::EdDsa => match a.curve() {
                    Some(c) => curve_material(c)?,
                    None => return Err(KeyError::CannotGenerate(alg.as_str().into())),
                },
            },
            KeyAlgorithm::KeyManagement(a) => {
                use KeyManagementAlgorithm::*;
                match a {
                    Rsa1_5 | RsaOaep | RsaOaep256 | RsaOaep384 | RsaOaep512 => {
                        rsa_material(options)?
                    }
                    A128Kw | A128GcmKw => KeyMaterial::Oct(OctKey::generate(16)?),
                    A192Kw | A192GcmKw => KeyMaterial::Oct(OctKey::generate(24)?),
                    A256Kw | A256GcmKw => KeyMaterial::Oct(OctKey::generate(32)?),
                    Pbes2Hs256A128Kw | Pbes2Hs384A192Kw | Pbes2Hs512A256Kw => {
                        let password = crate::rand::token(32)?;
                        KeyMaterial::Oct(OctKey::new(password.into_bytes().into())?)
                    }
                    Dir => return Err(KeyError::CannotGenerate(
                        "dir (generate for the content encryption algorithm instead, e.g. A256GCM)"
                            .into(),
                    )),
                    EcdhEs | EcdhEsA128Kw | EcdhEsA192Kw | EcdhEsA256Kw => {
                        curve_material(options.curve.unwrap_or(Curve::P256))?
                    }
                }
            }
            KeyAlgorithm::ContentEncryption(enc) => {
                KeyMaterial::Oct(OctKey::generate(enc.key_len())?)
            }
            KeyAlgorithm::Other(name) => {
                return Err(KeyError::CannotGenerate(json::truncate_for_error(name)));
            }
        };
        Ok(Jwk::new(material).with_alg(alg))
    }
}

/// Sizes and curves for [`Jwk::generate_with`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateOptions {
    /// RSA modulus size in bits (default 2048).
    pub rsa_bits: usize,
    /// Curve for ECDH-ES keys (default P-256); ignored for JWS algorithms, which fix the curve.
    pub curve: Option<Curve>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            rsa_bits: 2048,
            curve: None,
        }
    }
}

#[allow(unused_variables)]
fn rsa_material(options: &GenerateOptions) -> Result<KeyMaterial, KeyError> {
    #[cfg(feature = "rsa")]
    {
        Ok(KeyMaterial::Rsa(RsaKey::generate(
            options.rsa_bits,
            &KeyPolicy::default(),
        )?))
    }
    #[cfg(not(feature = "rsa"))]
    Err(KeyError::FeatureDisabled {
        what: "RSA",
        feature: "rsa",
    })
}

fn curve_material(curve: Curve) -> Result<KeyMaterial, KeyError> {
    match curve {
        #[cfg(feature = "ec")]
        Curve::P256 | Curve::P384 | Curve::P521 => Ok(KeyMaterial::Ec(EcKey::generate(curve)?)),
        #[cfg(feature = "eddsa")]
        Curve::Ed25519 => Ok(KeyMaterial::Ed25519(Ed25519Key::generate()?)),
        #[cfg(feature = "x25519")]
        Curve::X25519 => Ok(KeyMaterial::X25519(X25519Key::generate()?)),
        #[allow(unreachable_patterns)]
        other => Err(KeyError::CannotGenerate(format!(
            "{other} (support not compiled in)"
        ))),
    }
}
