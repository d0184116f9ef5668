//! ECDH-ES and ECDH-ES+A128KW/A192KW/A256KW (RFC 7518 §4.6) on P-256, P-384, P-521 and
//! X25519 (RFC 8037 §3.2), with the Concat KDF of NIST SP 800-56A §5.8.1.
//!
//! The ephemeral public key `epk` comes from the sender, so it is validated before use: it
//! must be a public key of the same curve as the recipient's key. NIST points are checked on
//! import (on the curve, not the identity: this rules out invalid-curve attacks); for X25519 a
//! low-order point is detected by its all-zero shared secret (RFC 7748 §6.1) and refused.

use super::PartyInfo;
use crate::JweError;
use jose_core::SecretBytes;
use jose_core::alg::KeyManagementAlgorithm;
use jose_core::backend::Backend;
use jose_core::header::JweHeader;
use jose_core::jwk::{GenerateOptions, Jwk, KeyError, KeyMaterial};
use sha2::{Digest, Sha256};

/// The sender's side: makes (or takes, in tests) an ephemeral key on the recipient's curve,
/// agrees on `Z` with the recipient's public key, and derives `key_len` bytes.
///
/// Returns the derived key and the public ephemeral key to publish as `epk`.
pub(crate) fn sender(
    recipient: &Jwk,
    fixed_ephemeral: Option<&Jwk>,
    alg_id: &str,
    key_len: usize,
    party: PartyInfo<'_>,
) -> Result<(SecretBytes, Jwk), JweError> {
    let backend = recipient.backend();
    #[cfg(feature = "aws-lc-rs")]
    if backend == Backend::AwsLc
        && fixed_ephemeral.is_none()
        && let Some((z, epk)) = lc::ephemeral_agreement(recipient)
    {
        let derived = concat_kdf(
            z.expose(),
            alg_id,
            party.apu.unwrap_or_default(),
            party.apv.unwrap_or_default(),
            key_len,
        );
        return Ok((derived, epk));
    }
    let generated;
    let ephemeral = match fixed_ephemeral {
        Some(k) => k,
        None => {
            let curve =
                recipient
                    .curve()
                    .ok_or(JweError::Key(KeyError::IncompatibleAlgorithm {
                        key: recipient.key_type().to_string(),
                        alg: "ECDH-ES".into(),
                    }))?;
            let options = GenerateOptions {
                curve: Some(curve),
                ..GenerateOptions::default()
            };
            generated = Jwk::generate_with(KeyManagementAlgorithm::EcdhEs, &options)?;
            &generated
        }
    };
    let z = agree_on(backend, ephemeral, recipient)?;
    let derived = concat_kdf(
        z.expose(),
        alg_id,
        party.apu.unwrap_or_default(),
        party.apv.unwrap_or_default(),
        key_len,
    );
    // Only the key material: no `alg`, `kid` or other members of the generated key.
    let epk = Jwk::new(ephemeral.to_public()?.material().clone());
    Ok((derived, epk))
}

/// The recipient's side: agrees on `Z` with the header's `epk` and derives `key_len` bytes
/// with the header's `apu` and `apv`.
pub(crate) fn recipient(
    key: &Jwk,
    header: &JweHeader,
    alg_id: &str,
    key_len: usize,
) -> Result<SecretBytes, JweError> {
    let epk = header
        .epk
        .as_deref()
        .ok_or(JweError::MissingParameter("epk"))?;
    let z = agree_on(key.backend(), key, epk)?;
    Ok(concat_kdf(
        z.expose(),
        alg_id,
        header.apu.as_deref().unwrap_or_default(),
        header.apv.as_deref().unwrap_or_default(),
        key_len,
    ))
}

/// The shared secret `Z` of a private key and a public key on the same curve, computed by
/// the private key's backend. Errors name `epk`, the key that comes from the other party.
#[cfg_attr(not(feature = "fixed-randomness-for-tests"), allow(dead_code))]
pub(crate) fn agree(private: &Jwk, public: &Jwk) -> Result<SecretBytes, JweError> {
    agree_on(private.backend(), private, public)
}

/// [`agree`] on `backend`. aws-lc-rs serves only a well-formed pair on one curve; anything
/// it refuses (a low-order X25519 point, keys on different curves, a public `private`) is
/// left to the RustCrypto path, which names the error.
fn agree_on(backend: Backend, private: &Jwk, public: &Jwk) -> Result<SecretBytes, JweError> {
    #[cfg(feature = "aws-lc-rs")]
    if backend == Backend::AwsLc
        && let Some(z) = lc::agree(private, public)
    {
        return Ok(z);
    }
    let _ = backend;
    let wrong_curve = || JweError::InvalidParameter {
        name: "epk",
        reason: "is not on the curve of the recipient's key",
    };
    match (private.material(), public.material()) {
        #[cfg(feature = "ec")]
        (KeyMaterial::Ec(mine), KeyMaterial::Ec(theirs)) => {
            use jose_core::jwk::EcKey;
            let z = match (mine, theirs) {
                (
                    EcKey::P256 {
                        secret: Some(s), ..
                    },
                    EcKey::P256 { public: p, .. },
                ) => p256::ecdh::diffie_hellman(s.to_nonzero_scalar(), p.as_affine())
                    .raw_secret_bytes()
                    .to_vec(),
                (
                    EcKey::P384 {
                        secret: Some(s), ..
                    },
                    EcKey::P384 { public: p, .. },
                ) => p384::ecdh::diffie_hellman(s.to_nonzero_scalar(), p.as_affine())
                    .raw_secret_bytes()
                    .to_vec(),
                (
                    EcKey::P521 {
                        secret: Some(s), ..
                    },
                    EcKey::P521 { public: p, .. },
                ) => p521::ecdh::diffie_hellman(s.to_nonzero_scalar(), p.as_affine())
                    .raw_secret_bytes()
                    .to_vec(),
                _ if !private.is_private() => return Err(JweError::Key(KeyError::NotPrivate)),
                _ => return Err(wrong_curve()),
            };
            Ok(SecretBytes::new(z))
        }
        #[cfg(feature = "x25519")]
        (KeyMaterial::X25519(mine), KeyMaterial::X25519(theirs)) => {
            let secret = mine
                .secret_key()
                .ok_or(JweError::Key(KeyError::NotPrivate))?;
            let shared = secret.diffie_hellman(theirs.public_key());
            // A low-order point gives the all-zero secret whatever the private key: it would
            // make the CEK predictable. RFC 7748 §6.1 says to check for it.
            if !shared.was_contributory() {
                return Err(JweError::InvalidParameter {
                    name: "epk",
                    reason: "is a low-order X25519 point (the shared secret is all zero)",
                });
            }
            Ok(SecretBytes::new(shared.as_bytes().to_vec()))
        }
        _ => {
            if !private.is_private() {
                return Err(JweError::Key(KeyError::NotPrivate));
            }
            Err(wrong_curve())
        }
    }
}

/// The Concat KDF of NIST SP 800-56A §5.8.1 with SHA-256, as RFC 7518 §4.6.2 uses it:
/// `OtherInfo = AlgorithmID || PartyUInfo || PartyVInfo || SuppPubInfo`, each of the first
/// three prefixed with its 32-bit big-endian length, `SuppPubInfo` the key length in bits.
pub(crate) fn concat_kdf(
    z: &[u8],
    alg_id: &str,
    apu: &[u8],
    apv: &[u8],
    key_len: usize,
) -> SecretBytes {
    let mut other_info = Vec::with_capacity(16 + alg_id.len() + apu.len() + apv.len());
    for field in [alg_id.as_bytes(), apu, apv] {
        other_info.extend_from_slice(&(field.len() as u32).to_be_bytes());
        other_info.extend_from_slice(field);
    }
    other_info.extend_from_slice(&((key_len * 8) as u32).to_be_bytes());
    let mut out = Vec::with_capacity(key_len.div_ceil(32) * 32);
    let mut counter: u32 = 1;
    while out.len() < key_len {
        let mut hash = Sha256::new();
        hash.update(counter.to_be_bytes());
        hash.update(z);
        hash.update(&other_info);
        out.extend_from_slice(&hash.finalize());
        counter += 1;
    }
    out.truncate(key_len);
    SecretBytes::new(out)
}

/// ECDH with aws-lc-rs.
#[cfg(feature = "aws-lc-rs")]
mod lc {
    use jose_core::SecretBytes;
    use jose_core::alg::Curve;
    use jose_core::aws_lc_rs::agreement::{self, Algorithm, PrivateKey, UnparsedPublicKey};
    use jose_core::jwk::{Jwk, KeyMaterial};

    /// The aws-lc-rs algorithm and the public key bytes of a public key (uncompressed SEC1
    /// for the NIST curves, the 32 bytes for X25519).
    fn public_of(key: &Jwk) -> Option<(&'static Algorithm, Vec<u8>)> {
        match key.material() {
            #[cfg(feature = "ec")]
            KeyMaterial::Ec(k) => {
                let alg = match k.curve() {
                    Curve::P256 => &agreement::ECDH_P256,
                    Curve::P384 => &agreement::ECDH_P384,
                    Curve::P521 => &agreement::ECDH_P521,
                    _ => return None,
                };
                Some((alg, k.public_sec1()))
            }
            #[cfg(feature = "x25519")]
            KeyMaterial::X25519(k) => {
                Some((&agreement::X25519, k.public_key().as_bytes().to_vec()))
            }
            _ => None,
        }
    }

    fn shared_secret(
        private: &PrivateKey,
        alg: &'static Algorithm,
        public: &[u8],
    ) -> Option<SecretBytes> {
        agreement::agree(private, UnparsedPublicKey::new(alg, public), (), |z| {
            Ok(SecretBytes::new(z.to_vec()))
        })
        .ok()
    }

    /// `Z` of a private key and a public key, or `None` when aws-lc-rs refuses the pair.
    pub(super) fn agree(private: &Jwk, public: &Jwk) -> Option<SecretBytes> {
        if private.curve() != public.curve() {
            return None;
        }
        let mine = private.aws_lc().agreement_key()?;
        let (alg, theirs) = public_of(public)?;
        shared_secret(mine, alg, &theirs)
    }

    /// A fresh ephemeral key on the recipient's curve: `Z` with the recipient's public key,
    /// and the ephemeral public key as a JWK for `epk`.
    pub(super) fn ephemeral_agreement(recipient: &Jwk) -> Option<(SecretBytes, Jwk)> {
        let (alg, theirs) = public_of(recipient)?;
        let ephemeral = PrivateKey::generate(alg).ok()?;
        let z = shared_secret(&ephemeral, alg, &theirs)?;
        let public = ephemeral.compute_public_key().ok()?;
        let epk = epk_from_bytes(recipient.curve()?, public.as_ref())?;
        Some((z, epk))
    }

    /// The public JWK of an ephemeral public key aws-lc-rs made (validated again on import
    /// like any other public key).
    fn epk_from_bytes(curve: Curve, bytes: &[u8]) -> Option<Jwk> {
        let material = match curve {
            #[cfg(feature = "ec")]
            Curve::P256 => KeyMaterial::Ec(jose_core::jwk::EcKey::P256 {
                public: p256::PublicKey::from_sec1_bytes(bytes).ok()?,
                secret: None,
            }),
            #[cfg(feature = "ec")]
            Curve::P384 => KeyMaterial::Ec(jose_core::jwk::EcKey::P384 {
                public: p384::PublicKey::from_sec1_bytes(bytes).ok()?,
                secret: None,
            }),
            #[cfg(feature = "ec")]
            Curve::P521 => KeyMaterial::Ec(jose_core::jwk::EcKey::P521 {
                public: p521::PublicKey::from_sec1_bytes(bytes).ok()?,
                secret: None,
            }),
            #[cfg(feature = "x25519")]
            Curve::X25519 => {
                let bytes: [u8; 32] = bytes.try_into().ok()?;
                KeyMaterial::X25519(jose_core::jwk::X25519Key::from_public_key(
                    x25519_dalek::PublicKey::from(bytes),
                ))
            }
            _ => return None,
        };
        Some(Jwk::new(material))
    }
}
