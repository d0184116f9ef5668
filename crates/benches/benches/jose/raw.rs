//! The raw primitives: the RustCrypto crates called directly, with their keys prepared once,
//! as a caller who needs no JOSE would (aws-lc-rs's are in `raw_lc`).

use getrandom::SysRng;
use hmac::{Hmac, KeyInit, Mac};
use jose_core::alg::JwsAlgorithm;
use jose_core::backend::Backend;
use jose_core::jwk::{EcKey, Jwk, KeyMaterial};
use rsa::traits::SignatureScheme;
use rsa::{Pkcs1v15Sign, pss::Pss};
use sha2::{Digest, Sha256, Sha384, Sha512};
use signature::{Signer as _, Verifier as _};

/// Signs a JWS signing input with the primitive of `alg`.
pub type RawSign = Box<dyn Fn(&[u8]) -> Vec<u8>>;
/// Verifies a signature over a JWS signing input with the primitive of `alg`.
pub type RawVerify = Box<dyn Fn(&[u8], &[u8]) -> bool>;

fn hmac<M: Mac + KeyInit>(key: &[u8], input: &[u8]) -> Vec<u8> {
    let mut mac = <M as KeyInit>::new_from_slice(key).unwrap();
    mac.update(input);
    mac.finalize().into_bytes().to_vec()
}

fn hmac_check<M: Mac + KeyInit>(key: &[u8], input: &[u8], tag: &[u8]) -> bool {
    let mut mac = <M as KeyInit>::new_from_slice(key).unwrap();
    mac.update(input);
    mac.verify_slice(tag).is_ok()
}

fn hashed(alg: JwsAlgorithm, input: &[u8]) -> Vec<u8> {
    match alg.hash().output_len() {
        48 => Sha384::digest(input).to_vec(),
        64 => Sha512::digest(input).to_vec(),
        _ => Sha256::digest(input).to_vec(),
    }
}

/// The primitive signer for `alg` with `key`.
pub fn signer(alg: JwsAlgorithm, key: &Jwk) -> RawSign {
    use JwsAlgorithm::*;
    match (alg, key.material()) {
        (HS256 | HS384 | HS512, KeyMaterial::Oct(k)) => {
            let secret = k.secret().expose().to_vec();
            match alg {
                HS384 => Box::new(move |i| hmac::<Hmac<Sha384>>(&secret, i)),
                HS512 => Box::new(move |i| hmac::<Hmac<Sha512>>(&secret, i)),
                _ => Box::new(move |i| hmac::<Hmac<Sha256>>(&secret, i)),
            }
        }
        (_, KeyMaterial::Rsa(k)) => {
            let private = k.private_key().unwrap().clone();
            Box::new(move |i| {
                let h = hashed(alg, i);
                let mut rng = SysRng;
                let rng = Some(&mut rng);
                match alg {
                    RS256 => Pkcs1v15Sign::new::<Sha256>().sign(rng, &private, &h),
                    RS384 => Pkcs1v15Sign::new::<Sha384>().sign(rng, &private, &h),
                    RS512 => Pkcs1v15Sign::new::<Sha512>().sign(rng, &private, &h),
                    PS256 => Pss::<Sha256>::new().sign(rng, &private, &h),
                    PS384 => Pss::<Sha384>::new().sign(rng, &private, &h),
                    _ => Pss::<Sha512>::new().sign(rng, &private, &h),
                }
                .unwrap()
            })
        }
        (
            _,
            KeyMaterial::Ec(EcKey::P256 {
                secret: Some(s), ..
            }),
        ) => {
            let sk = p256::ecdsa::SigningKey::from(s);
            Box::new(move |i| {
                let sig: p256::ecdsa::Signature = sk.sign(i);
                sig.to_bytes().to_vec()
            })
        }
        (
            _,
            KeyMaterial::Ec(EcKey::P384 {
                secret: Some(s), ..
            }),
        ) => {
            let sk = p384::ecdsa::SigningKey::from(s);
            Box::new(move |i| {
                let sig: p384::ecdsa::Signature = sk.sign(i);
                sig.to_bytes().to_vec()
            })
        }
        (
            _,
            KeyMaterial::Ec(EcKey::P521 {
                secret: Some(s), ..
            }),
        ) => {
            let sk = p521::ecdsa::SigningKey::from(s);
            Box::new(move |i| {
                let sig: p521::ecdsa::Signature = sk.sign(i);
                sig.to_bytes().to_vec()
            })
        }
        (_, KeyMaterial::Ed25519(k)) => {
            let sk = k.signing_key().unwrap().clone();
            Box::new(move |i| sk.sign(i).to_bytes().to_vec())
        }
        _ => panic!("no raw signer for {alg}"),
    }
}

/// The primitive verifier for `alg` with the public half of `key`.
pub fn verifier(alg: JwsAlgorithm, key: &Jwk) -> RawVerify {
    use JwsAlgorithm::*;
    match (alg, key.material()) {
        (HS256 | HS384 | HS512, KeyMaterial::Oct(k)) => {
            let secret = k.secret().expose().to_vec();
            match alg {
                HS384 => Box::new(move |i, t| hmac_check::<Hmac<Sha384>>(&secret, i, t)),
                HS512 => Box::new(move |i, t| hmac_check::<Hmac<Sha512>>(&secret, i, t)),
                _ => Box::new(move |i, t| hmac_check::<Hmac<Sha256>>(&secret, i, t)),
            }
        }
        (_, KeyMaterial::Rsa(k)) => {
            let public = k.public_key().clone();
            Box::new(move |i, s| {
                let h = hashed(alg, i);
                match alg {
                    RS256 => Pkcs1v15Sign::new::<Sha256>().verify(&public, &h, s),
                    RS384 => Pkcs1v15Sign::new::<Sha384>().verify(&public, &h, s),
                    RS512 => Pkcs1v15Sign::new::<Sha512>().verify(&public, &h, s),
                    PS256 => Pss::<Sha256>::new().verify(&public, &h, s),
                    PS384 => Pss::<Sha384>::new().verify(&public, &h, s),
                    _ => Pss::<Sha512>::new().verify(&public, &h, s),
                }
                .is_ok()
            })
        }
        (_, KeyMaterial::Ec(EcKey::P256 { public, .. })) => {
            let vk = p256::ecdsa::VerifyingKey::from(public);
            Box::new(move |i, s| {
                let sig = p256::ecdsa::Signature::from_slice(s).unwrap();
                vk.verify(i, &sig).is_ok()
            })
        }
        (_, KeyMaterial::Ec(EcKey::P384 { public, .. })) => {
            let vk = p384::ecdsa::VerifyingKey::from(public);
            Box::new(move |i, s| {
                let sig = p384::ecdsa::Signature::from_slice(s).unwrap();
                vk.verify(i, &sig).is_ok()
            })
        }
        (_, KeyMaterial::Ec(EcKey::P521 { public, .. })) => {
            let vk = p521::ecdsa::VerifyingKey::from(public);
            Box::new(move |i, s| {
                let sig = p521::ecdsa::Signature::from_slice(s).unwrap();
                vk.verify(i, &sig).is_ok()
            })
        }
        (_, KeyMaterial::Ed25519(k)) => {
            let vk = *k.public_key();
            Box::new(move |i, s| {
                let sig = ed25519_dalek::Signature::from_slice(s).unwrap();
                vk.verify_strict(i, &sig).is_ok()
            })
        }
        _ => panic!("no raw verifier for {alg}"),
    }
}

/// The primitive signer of a column's backend: RustCrypto's or aws-lc-rs's.
pub fn signer_on(backend: Backend, alg: JwsAlgorithm, key: &Jwk) -> RawSign {
    match backend {
        #[cfg(feature = "aws-lc-rs")]
        Backend::AwsLc => crate::raw_lc::signer(alg, key),
        _ => signer(alg, key),
    }
}

/// The primitive verifier of a column's backend: RustCrypto's or aws-lc-rs's.
pub fn verifier_on(backend: Backend, alg: JwsAlgorithm, key: &Jwk) -> RawVerify {
    match backend {
        #[cfg(feature = "aws-lc-rs")]
        Backend::AwsLc => crate::raw_lc::verifier(alg, key),
        _ => verifier(alg, key),
    }
}

/// Splits a compact JWS into its signing input and decoded signature.
pub fn split_compact(token: &str) -> (Vec<u8>, Vec<u8>) {
    let dot = token.rfind('.').unwrap();
    let signature = jose_core::b64::decode(&token[dot + 1..]).unwrap();
    (token.as_bytes()[..dot].to_vec(), signature)
}
