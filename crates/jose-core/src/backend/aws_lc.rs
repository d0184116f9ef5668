//! The aws-lc-rs form of a key, prepared once and kept with the key.
//!
//! Turning key material into aws-lc-rs objects costs far more than one operation (an RSA key
//! is checked for consistency, an EC public key is decoded and validated), so each object is
//! built on first use and kept inside the [`Jwk`](crate::jwk::Jwk); clones of a key share
//! them. [`Jwk::aws_lc`](crate::jwk::Jwk::aws_lc) gives access.
//!
//! Every accessor returns `None` when the key has no such form: wrong key type or algorithm,
//! no private part, or a key aws-lc-rs refuses (RSA moduli outside 2048 to 8192 bits). The
//! callers then use RustCrypto, so `None` never changes what is accepted, only who computes.

// With some key types compiled out, parts of the matches are unused or irrefutable.
#![cfg_attr(
    not(all(feature = "rsa", feature = "ec", feature = "eddsa", feature = "x25519")),
    allow(unused_imports, unused_variables, irrefutable_let_patterns)
)]

use crate::alg::{HashAlgorithm, JwsAlgorithm};
use crate::jwk::KeyMaterial;
use aws_lc_rs::{hmac, signature};
use std::sync::OnceLock;

#[cfg(any(feature = "ec", feature = "x25519"))]
use aws_lc_rs::agreement;
#[cfg(feature = "rsa")]
use aws_lc_rs::rsa::{OaepPrivateDecryptingKey, OaepPublicEncryptingKey};

/// The prepared objects of one key; empty until used.
#[derive(Default)]
pub(crate) struct Cache {
    hmac: [OnceLock<hmac::Key>; 3],
    verify: [OnceLock<Option<signature::ParsedPublicKey>>; 6],
    #[cfg(feature = "rsa")]
    rsa_pair: OnceLock<Option<signature::RsaKeyPair>>,
    #[cfg(feature = "rsa")]
    oaep_private: OnceLock<Option<OaepPrivateDecryptingKey>>,
    #[cfg(feature = "rsa")]
    oaep_public: OnceLock<Option<OaepPublicEncryptingKey>>,
    #[cfg(feature = "ec")]
    ecdsa_pair: OnceLock<Option<signature::EcdsaKeyPair>>,
    #[cfg(feature = "eddsa")]
    ed25519_pair: OnceLock<Option<signature::Ed25519KeyPair>>,
    #[cfg(any(feature = "ec", feature = "x25519"))]
    agreement: OnceLock<Option<agreement::PrivateKey>>,
}

impl core::fmt::Debug for Cache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Cache(..)")
    }
}

/// The aws-lc-rs objects of a [`Jwk`](crate::jwk::Jwk)'s key, built on first use.
///
/// ```
/// use jose_core::alg::JwsAlgorithm;
/// use jose_core::aws_lc_rs::rand::SystemRandom;
/// use jose_core::jwk::Jwk;
///
/// let key = Jwk::generate(JwsAlgorithm::ES256)?;
/// let pair = key.aws_lc().ecdsa_key_pair().expect("a private P-256 key");
/// let signature = pair.sign(&SystemRandom::new(), b"message").expect("signs");
/// let public = key.aws_lc().verification_key(JwsAlgorithm::ES256).expect("a P-256 key");
/// assert!(public.verify_sig(b"message", signature.as_ref()).is_ok());
/// // The same objects come back, not new ones.
/// assert!(std::ptr::eq(public, key.aws_lc().verification_key(JwsAlgorithm::ES256).unwrap()));
/// # Ok::<(), jose_core::jwk::KeyError>(())
/// ```
#[derive(Clone, Copy)]
pub struct AwsLcKey<'a> {
    material: &'a KeyMaterial,
    cache: &'a Cache,
}

impl core::fmt::Debug for AwsLcKey<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AwsLcKey")
            .field("kty", &self.material.key_type().as_str())
            .finish_non_exhaustive()
    }
}

/// Position of an algorithm in [`Cache::verify`]: the six RSA algorithms, or 0 for the one
/// algorithm an EC or Ed25519 key verifies.
fn verify_slot(alg: JwsAlgorithm) -> usize {
    match alg {
        JwsAlgorithm::RS384 => 1,
        JwsAlgorithm::RS512 => 2,
        JwsAlgorithm::PS256 => 3,
        JwsAlgorithm::PS384 => 4,
        JwsAlgorithm::PS512 => 5,
        _ => 0,
    }
}

/// Big-endian bytes without leading zeros (aws-lc-rs wants `n` and `e` that way).
#[cfg(feature = "rsa")]
fn minimal(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

impl<'a> AwsLcKey<'a> {
    pub(crate) fn new(material: &'a KeyMaterial, cache: &'a Cache) -> Self {
        Self { material, cache }
    }

    /// The HMAC key of a symmetric key for SHA-256, SHA-384 or SHA-512.
    #[must_use]
    pub fn hmac_key(&self, hash: HashAlgorithm) -> Option<&'a hmac::Key> {
        let KeyMaterial::Oct(k) = self.material else {
            return None;
        };
        let (slot, alg) = match hash {
            HashAlgorithm::Sha256 => (0, hmac::HMAC_SHA256),
            HashAlgorithm::Sha384 => (1, hmac::HMAC_SHA384),
            HashAlgorithm::Sha512 => (2, hmac::HMAC_SHA512),
            _ => return None,
        };
        Some(self.cache.hmac[slot].get_or_init(|| hmac::Key::new(alg, k.secret().expose())))
    }

    /// The public key that verifies `alg` signatures: an RSA key for RS*/PS* (2048 to 8192
    /// bits), an EC key for the ES algorithm of its curve, an Ed25519 key for EdDSA/Ed25519.
    #[must_use]
    pub fn verification_key(&self, alg: JwsAlgorithm) -> Option<&'a signature::ParsedPublicKey> {
        use crate::alg::JwsFamily;
        let fits = match (self.material, alg.family()) {
            #[cfg(feature = "rsa")]
            (KeyMaterial::Rsa(_), JwsFamily::RsaPkcs1 | JwsFamily::RsaPss) => true,
            #[cfg(feature = "ec")]
            (KeyMaterial::Ec(k), JwsFamily::Ecdsa) => alg.curve() == Some(k.curve()),
            #[cfg(feature = "eddsa")]
            (KeyMaterial::Ed25519(_), JwsFamily::EdDsa) => true,
            _ => false,
        };
        if !fits {
            return None;
        }
        self.cache.verify[verify_slot(alg)]
            .get_or_init(|| self.parse_public(alg))
            .as_ref()
    }

    /// Builds the verification key for `alg`, which fits the key.
    fn parse_public(&self, alg: JwsAlgorithm) -> Option<signature::ParsedPublicKey> {
        use JwsAlgorithm::*;
        match self.material {
            #[cfg(feature = "rsa")]
            KeyMaterial::Rsa(k) => {
                use rsa::traits::PublicKeyParts;
                let params = match alg {
                    RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
                    RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
                    RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
                    PS256 => &signature::RSA_PSS_2048_8192_SHA256,
                    PS384 => &signature::RSA_PSS_2048_8192_SHA384,
                    _ => &signature::RSA_PSS_2048_8192_SHA512,
                };
                if !(2048..=8192).contains(&k.bits()) {
                    return None;
                }
                let (n, e) = (k.public_key().n_bytes(), k.public_key().e_bytes());
                let parts = signature::RsaPublicKeyComponents {
                    n: minimal(&n),
                    e: minimal(&e),
                };
                parts.to_parsed_public_key(params).ok()
            }
            #[cfg(feature = "ec")]
            KeyMaterial::Ec(k) => {
                let params = match alg {
                    ES256 => &signature::ECDSA_P256_SHA256_FIXED,
                    ES384 => &signature::ECDSA_P384_SHA384_FIXED,
                    _ => &signature::ECDSA_P521_SHA512_FIXED,
                };
                signature::ParsedPublicKey::new(params, k.public_sec1()).ok()
            }
            #[cfg(feature = "eddsa")]
            KeyMaterial::Ed25519(k) => {
                signature::ParsedPublicKey::new(&signature::ED25519, k.public_key().as_bytes()).ok()
            }
            _ => None,
        }
    }

    /// The RSA key pair that signs RS*/PS* (a private key of 2048 to 8192 bits).
    #[cfg(feature = "rsa")]
    #[must_use]
    pub fn rsa_key_pair(&self) -> Option<&'a signature::RsaKeyPair> {
        let KeyMaterial::Rsa(k) = self.material else {
            return None;
        };
        self.cache.rsa_pair.get_or_init(|| rsa_pair(k)).as_ref()
    }

    /// The RSA-OAEP decryption key (a private key of 2048 to 8192 bits).
    #[cfg(feature = "rsa")]
    #[must_use]
    pub fn oaep_decrypting_key(&self) -> Option<&'a OaepPrivateDecryptingKey> {
        self.cache
            .oaep_private
            .get_or_init(|| {
                use aws_lc_rs::encoding::AsDer;
                let pair = self.rsa_key_pair()?;
                let der = pair.as_der().ok()?;
                let key = aws_lc_rs::rsa::PrivateDecryptingKey::from_pkcs8(der.as_ref()).ok()?;
                OaepPrivateDecryptingKey::new(key).ok()
            })
            .as_ref()
    }

    /// The RSA-OAEP encryption key (an RSA key of 2048 to 8192 bits).
    #[cfg(feature = "rsa")]
    #[must_use]
    pub fn oaep_encrypting_key(&self) -> Option<&'a OaepPublicEncryptingKey> {
        let KeyMaterial::Rsa(k) = self.material else {
            return None;
        };
        self.cache
            .oaep_public
            .get_or_init(|| {
                use rsa::traits::PublicKeyParts;
                if !(2048..=8192).contains(&k.bits()) {
                    return None;
                }
                let (n, e) = (k.public_key().n_bytes(), k.public_key().e_bytes());
                let parts = aws_lc_rs::rsa::PublicKeyComponents {
                    n: minimal(&n),
                    e: minimal(&e),
                };
                let public: aws_lc_rs::rsa::PublicEncryptingKey = parts.try_into().ok()?;
                OaepPublicEncryptingKey::new(public).ok()
            })
            .as_ref()
    }

    /// The ECDSA key pair of a private EC key, for the ES algorithm of its curve (fixed-size
    /// `r || s` signatures).
    #[cfg(feature = "ec")]
    #[must_use]
    pub fn ecdsa_key_pair(&self) -> Option<&'a signature::EcdsaKeyPair> {
        let KeyMaterial::Ec(k) = self.material else {
            return None;
        };
        self.cache
            .ecdsa_pair
            .get_or_init(|| {
                use crate::alg::Curve;
                let alg = match k.curve() {
                    Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                    _ => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
                };
                let d = ec_scalar(k)?;
                signature::EcdsaKeyPair::from_private_key_and_public_key(alg, &d, &k.public_sec1())
                    .ok()
            })
            .as_ref()
    }

    /// The Ed25519 key pair of a private Ed25519 key.
    #[cfg(feature = "eddsa")]
    #[must_use]
    pub fn ed25519_key_pair(&self) -> Option<&'a signature::Ed25519KeyPair> {
        let KeyMaterial::Ed25519(k) = self.material else {
            return None;
        };
        self.cache
            .ed25519_pair
            .get_or_init(|| {
                let seed = zeroize::Zeroizing::new(k.signing_key()?.to_bytes());
                signature::Ed25519KeyPair::from_seed_and_public_key(
                    seed.as_ref(),
                    k.public_key().as_bytes(),
                )
                .ok()
            })
            .as_ref()
    }

    /// The ECDH private key of a private EC (P-256/384/521) or X25519 key.
    #[cfg(any(feature = "ec", feature = "x25519"))]
    #[must_use]
    pub fn agreement_key(&self) -> Option<&'a agreement::PrivateKey> {
        self.cache
            .agreement
            .get_or_init(|| match self.material {
                #[cfg(feature = "ec")]
                KeyMaterial::Ec(k) => {
                    use crate::alg::Curve;
                    let alg = match k.curve() {
                        Curve::P256 => &agreement::ECDH_P256,
                        Curve::P384 => &agreement::ECDH_P384,
                        _ => &agreement::ECDH_P521,
                    };
                    agreement::PrivateKey::from_private_key(alg, &ec_scalar(k)?).ok()
                }
                #[cfg(feature = "x25519")]
                KeyMaterial::X25519(k) => {
                    let secret = zeroize::Zeroizing::new(k.secret_key()?.to_bytes());
                    agreement::PrivateKey::from_private_key(&agreement::X25519, secret.as_ref())
                        .ok()
                }
                _ => None,
            })
            .as_ref()
    }
}

/// The private scalar of an EC key, fixed-size big-endian, wiped on drop.
#[cfg(feature = "ec")]
fn ec_scalar(k: &crate::jwk::EcKey) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    use crate::jwk::EcKey;
    Some(zeroize::Zeroizing::new(match k {
        EcKey::P256 { secret, .. } => secret.as_ref()?.to_bytes().to_vec(),
        EcKey::P384 { secret, .. } => secret.as_ref()?.to_bytes().to_vec(),
        EcKey::P521 { secret, .. } => secret.as_ref()?.to_bytes().to_vec(),
    }))
}

/// The aws-lc-rs key pair of a private RSA key, from its components.
#[cfg(feature = "rsa")]
fn rsa_pair(k: &crate::jwk::RsaKey) -> Option<signature::RsaKeyPair> {
    use rsa::traits::{PrivateKeyParts, PublicKeyParts};
    use zeroize::Zeroizing;
    if !(2048..=8192).contains(&k.bits()) {
        return None;
    }
    let private = k.private_key()?;
    let bytes = |v: &rsa::BoxedUint| Zeroizing::new(v.to_be_bytes_trimmed_vartime().to_vec());
    let [p, q] = private.primes() else {
        return None;
    };
    let (n, e) = (k.public_key().n_bytes(), k.public_key().e_bytes());
    let qi = private.crt_coefficient()?;
    let parts = aws_lc_rs::rsa::KeyPairComponents {
        public_key: aws_lc_rs::rsa::PublicKeyComponents {
            n: minimal(&n).to_vec(),
            e: minimal(&e).to_vec(),
        },
        d: bytes(private.d()),
        p: bytes(p.as_ref()),
        q: bytes(q.as_ref()),
        dP: bytes(private.dp()?),
        dQ: bytes(private.dq()?),
        qInv: Zeroizing::new(qi.to_be_bytes_trimmed_vartime().to_vec()),
    };
    signature::RsaKeyPair::from_components(&parts).ok()
}
