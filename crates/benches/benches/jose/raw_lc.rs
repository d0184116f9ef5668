//! The raw primitives of the aws-lc backend: aws-lc-rs called directly, with key objects
//! built once from the keys' PKCS#8 and SubjectPublicKeyInfo DER, as a caller who needs no
//! JOSE would (feature `aws-lc-rs`). The `raw@aws-lc` columns, paired with `ours@aws-lc`.

use crate::jwe::{Case, RawJwe, kdf_other_info};
use crate::raw::{RawSign, RawVerify};
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::agreement::{self, EphemeralPrivateKey, PrivateKey, UnparsedPublicKey};
use aws_lc_rs::digest;
use aws_lc_rs::hmac;
use aws_lc_rs::key_wrap::{AES_256, AesKek, KeyWrap};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::{
    OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    PrivateDecryptingKey, PublicEncryptingKey,
};
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, ParsedPublicKey, RsaKeyPair};
use benches::fixtures::secret_bytes;
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, KeyMaterial};

fn hmac_algorithm(alg: JwsAlgorithm) -> hmac::Algorithm {
    match alg {
        JwsAlgorithm::HS384 => hmac::HMAC_SHA384,
        JwsAlgorithm::HS512 => hmac::HMAC_SHA512,
        _ => hmac::HMAC_SHA256,
    }
}

/// The aws-lc-rs signer for `alg` with `key`.
pub fn signer(alg: JwsAlgorithm, key: &Jwk) -> RawSign {
    use JwsAlgorithm::*;
    if alg.is_symmetric() {
        let key = hmac::Key::new(hmac_algorithm(alg), secret_bytes(key));
        return Box::new(move |i| hmac::sign(&key, i).as_ref().to_vec());
    }
    let der = key.to_pkcs8_der().unwrap();
    match alg {
        RS256 | RS384 | RS512 | PS256 | PS384 | PS512 => {
            let pair = RsaKeyPair::from_pkcs8(&der).unwrap();
            let padding: &'static dyn signature::RsaEncoding = match alg {
                RS256 => &signature::RSA_PKCS1_SHA256,
                RS384 => &signature::RSA_PKCS1_SHA384,
                RS512 => &signature::RSA_PKCS1_SHA512,
                PS256 => &signature::RSA_PSS_SHA256,
                PS384 => &signature::RSA_PSS_SHA384,
                _ => &signature::RSA_PSS_SHA512,
            };
            let rng = SystemRandom::new();
            Box::new(move |i| {
                let mut out = vec![0u8; pair.public_modulus_len()];
                pair.sign(padding, &rng, i, &mut out).unwrap();
                out
            })
        }
        ES256 | ES384 | ES512 => {
            let params = match alg {
                ES256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                ES384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                _ => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
            };
            let pair = EcdsaKeyPair::from_pkcs8(params, &der).unwrap();
            let rng = SystemRandom::new();
            Box::new(move |i| pair.sign(&rng, i).unwrap().as_ref().to_vec())
        }
        _ => {
            let pair = Ed25519KeyPair::from_pkcs8(&der).unwrap();
            Box::new(move |i| pair.sign(i).as_ref().to_vec())
        }
    }
}

/// The aws-lc-rs verifier for `alg` with the public half of `key`.
pub fn verifier(alg: JwsAlgorithm, key: &Jwk) -> RawVerify {
    use JwsAlgorithm::*;
    if alg.is_symmetric() {
        let key = hmac::Key::new(hmac_algorithm(alg), secret_bytes(key));
        return Box::new(move |i, t| hmac::verify(&key, i, t).is_ok());
    }
    let params: &'static dyn signature::VerificationAlgorithm = match alg {
        RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        PS256 => &signature::RSA_PSS_2048_8192_SHA256,
        PS384 => &signature::RSA_PSS_2048_8192_SHA384,
        PS512 => &signature::RSA_PSS_2048_8192_SHA512,
        ES256 => &signature::ECDSA_P256_SHA256_FIXED,
        ES384 => &signature::ECDSA_P384_SHA384_FIXED,
        ES512 => &signature::ECDSA_P521_SHA512_FIXED,
        _ => &signature::ED25519,
    };
    let public = ParsedPublicKey::new(params, key.to_spki_der().unwrap()).unwrap();
    Box::new(move |i, s| public.verify_sig(i, s).is_ok())
}

/// Concat KDF (RFC 7518 §4.6.2) for a 256-bit key, with aws-lc-rs's SHA-256.
fn concat_kdf(z: &[u8], alg_id: &str) -> [u8; 32] {
    let mut hash = digest::Context::new(&digest::SHA256);
    hash.update(&1u32.to_be_bytes());
    hash.update(z);
    hash.update(&kdf_other_info(alg_id));
    hash.finish().as_ref().try_into().unwrap()
}

fn wrap(kek: &[u8], cek: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; cek.len() + 8];
    AesKek::new(&AES_256, kek)
        .unwrap()
        .wrap(cek, &mut out)
        .unwrap();
    out
}

fn unwrap(kek: &[u8], wrapped: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; wrapped.len() - 8];
    AesKek::new(&AES_256, kek)
        .unwrap()
        .unwrap(wrapped, &mut out)
        .unwrap();
    out
}

fn random<const N: usize>(rng: &SystemRandom) -> [u8; N] {
    let mut out = [0u8; N];
    rng.fill(&mut out).unwrap();
    out
}

/// The recipient's side of one case, prepared once: what [`encrypt`] and [`decrypt`] need.
pub struct Recipient {
    case: Case,
    secret: Vec<u8>,
    oaep_public: Option<OaepPublicEncryptingKey>,
    oaep_private: Option<OaepPrivateDecryptingKey>,
    ecdh: Option<(&'static agreement::Algorithm, Vec<u8>, PrivateKey)>,
    rng: SystemRandom,
}

impl Recipient {
    pub fn new(case: Case, key: &Jwk) -> Self {
        let mut r = Self {
            case,
            secret: secret_bytes(key).to_vec(),
            oaep_public: None,
            oaep_private: None,
            ecdh: None,
            rng: SystemRandom::new(),
        };
        match case {
            Case::Dir | Case::A256Kw => {}
            Case::RsaOaep256 => {
                let spki = key.to_public().unwrap().to_spki_der().unwrap();
                let public = PublicEncryptingKey::from_der(&spki).unwrap();
                r.oaep_public = Some(OaepPublicEncryptingKey::new(public).unwrap());
                let der = key.to_pkcs8_der().unwrap();
                let private = PrivateDecryptingKey::from_pkcs8(&der).unwrap();
                r.oaep_private = Some(OaepPrivateDecryptingKey::new(private).unwrap());
            }
            // The curve, the public key as aws-lc-rs reads it (the uncompressed SEC1 point or
            // the 32 X25519 bytes) and the private key.
            Case::EcdhP256 | Case::EcdhX25519 => {
                r.ecdh = Some(match key.material() {
                    KeyMaterial::X25519(k) => {
                        let alg = &agreement::X25519;
                        let secret = k.secret_key().unwrap().to_bytes();
                        let private = PrivateKey::from_private_key(alg, &secret).unwrap();
                        (alg, k.public_key().as_bytes().to_vec(), private)
                    }
                    KeyMaterial::Ec(k) => {
                        let alg = &agreement::ECDH_P256;
                        let der = key.to_pkcs8_der().unwrap();
                        let private = PrivateKey::from_private_key_der(alg, &der).unwrap();
                        (alg, k.public_sec1(), private)
                    }
                    _ => panic!("no ECDH key for {case:?}"),
                });
            }
        }
        r
    }

    /// The key management and AES-256-GCM with aws-lc-rs: the physical limit of a JWE
    /// encryption on this backend (no header, no base64url).
    pub fn encrypt(&self, aad: &[u8], plaintext: &[u8]) -> RawJwe {
        let rng = &self.rng;
        let (cek, encrypted_key, epk): ([u8; 32], Vec<u8>, Vec<u8>) = match self.case {
            Case::Dir => (self.secret.as_slice().try_into().unwrap(), vec![], vec![]),
            Case::A256Kw => {
                let cek = random::<32>(rng);
                (cek, wrap(&self.secret, &cek), vec![])
            }
            Case::RsaOaep256 => {
                let cek = random::<32>(rng);
                let public = self.oaep_public.as_ref().unwrap();
                let mut out = vec![0u8; public.ciphertext_size()];
                let len = public
                    .encrypt(&OAEP_SHA256_MGF1SHA256, &cek, &mut out, None)
                    .unwrap()
                    .len();
                out.truncate(len);
                (cek, out, vec![])
            }
            Case::EcdhP256 | Case::EcdhX25519 => {
                let (alg, public, _) = self.ecdh.as_ref().unwrap();
                let ephemeral = EphemeralPrivateKey::generate(alg, rng).unwrap();
                let epk = ephemeral.compute_public_key().unwrap().as_ref().to_vec();
                let kek = agreement::agree_ephemeral(
                    ephemeral,
                    UnparsedPublicKey::new(alg, public),
                    (),
                    |z| Ok(concat_kdf(z, "ECDH-ES+A256KW")),
                )
                .unwrap();
                let cek = random::<32>(rng);
                (cek, wrap(&kek, &cek), epk)
            }
        };
        let iv = random::<12>(rng);
        let mut buf = plaintext.to_vec();
        let tag = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &cek).unwrap())
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), Aad::from(aad), &mut buf)
            .unwrap();
        RawJwe {
            encrypted_key,
            epk,
            iv,
            ciphertext: buf,
            tag: tag.as_ref().to_vec(),
        }
    }

    /// The inverse of [`Recipient::encrypt`], from a copy of the ciphertext.
    pub fn decrypt(&self, aad: &[u8], jwe: &RawJwe) -> Vec<u8> {
        let cek: Vec<u8> = match self.case {
            Case::Dir => self.secret.clone(),
            Case::A256Kw => unwrap(&self.secret, &jwe.encrypted_key),
            Case::RsaOaep256 => {
                let private = self.oaep_private.as_ref().unwrap();
                let mut out = vec![0u8; private.min_output_size()];
                let len = private
                    .decrypt(&OAEP_SHA256_MGF1SHA256, &jwe.encrypted_key, &mut out, None)
                    .unwrap()
                    .len();
                out.truncate(len);
                out
            }
            Case::EcdhP256 | Case::EcdhX25519 => {
                let (alg, _, private) = self.ecdh.as_ref().unwrap();
                let kek =
                    agreement::agree(private, UnparsedPublicKey::new(alg, &jwe.epk), (), |z| {
                        Ok(concat_kdf(z, "ECDH-ES+A256KW"))
                    })
                    .unwrap();
                unwrap(&kek, &jwe.encrypted_key)
            }
        };
        let mut buf = jwe.ciphertext.clone();
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &cek).unwrap())
            .open_in_place_separate_tag(
                Nonce::assume_unique_for_key(jwe.iv),
                Aad::from(aad),
                &jwe.tag,
                &mut buf,
            )
            .unwrap();
        buf
    }
}
