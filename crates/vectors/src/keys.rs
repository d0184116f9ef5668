//! Deterministic keys and randomness for generated vectors.
//!
//! Every key and every random value of a generated vector comes from a ChaCha20 stream seeded
//! with `SHA-256("jose-rs vectors v1/" || label)`, so `vectors generate` writes the same bytes
//! on every run and every machine (for a given lock file: RSA key generation follows the
//! pinned `rsa` and `crypto-primes` releases). The label is recorded in each vector's
//! `source.seed`.

use chacha20::ChaCha20Rng;
use chacha20::rand_core::{Rng, SeedableRng};
use jose_core::SecretBytes;
use jose_core::alg::Curve;
use jose_core::jwk::{EcKey, Ed25519Key, Jwk, KeyMaterial, KeyPolicy, OctKey, RsaKey, X25519Key};
use sha2::{Digest, Sha256};

/// The prefix of every seed.
const DOMAIN: &str = "jose-rs vectors v1/";

/// A ChaCha20 stream for `label`.
pub fn rng(label: &str) -> ChaCha20Rng {
    let seed: [u8; 32] = Sha256::digest(format!("{DOMAIN}{label}").as_bytes()).into();
    ChaCha20Rng::from_seed(seed)
}

/// `n` bytes for `label`.
pub fn bytes(label: &str, n: usize) -> Vec<u8> {
    let mut out = vec![0; n];
    rng(label).fill_bytes(&mut out);
    out
}

/// The seed label of a key.
pub fn key_label(name: &str) -> String {
    format!("key/{name}")
}

/// A symmetric key of `len` bytes.
pub fn oct(name: &str, len: usize) -> Result<Jwk, String> {
    let key =
        OctKey::new(SecretBytes::new(bytes(&key_label(name), len))).map_err(|e| e.to_string())?;
    Ok(Jwk::new(KeyMaterial::Oct(key)).with_kid(name))
}

/// An RSA key of `bits` bits (exponent 65537).
pub fn rsa(name: &str, bits: usize) -> Result<Jwk, String> {
    let mut rng = rng(&key_label(name));
    let private =
        rsa::RsaPrivateKey::new(&mut rng, bits).map_err(|e| format!("RSA key {name}: {e}"))?;
    let key = RsaKey::from_private(private, &KeyPolicy::default()).map_err(|e| e.to_string())?;
    Ok(Jwk::new(KeyMaterial::Rsa(key)).with_kid(name))
}

/// A key on a NIST curve.
pub fn ec(name: &str, curve: Curve) -> Result<Jwk, String> {
    let mut rng = rng(&key_label(name));
    let key = match curve {
        Curve::P256 => {
            let secret = scalar::<p256::NistP256>(&mut rng, name)?;
            EcKey::P256 {
                public: secret.public_key(),
                secret: Some(secret),
            }
        }
        Curve::P384 => {
            let secret = scalar::<p384::NistP384>(&mut rng, name)?;
            EcKey::P384 {
                public: secret.public_key(),
                secret: Some(secret),
            }
        }
        Curve::P521 => {
            let secret = scalar::<jose_core::p521::NistP521>(&mut rng, name)?;
            EcKey::P521 {
                public: secret.public_key(),
                secret: Some(secret),
            }
        }
        other => return Err(format!("{other} is not a NIST curve")),
    };
    Ok(Jwk::new(KeyMaterial::Ec(key)).with_kid(name))
}

/// A private scalar by rejection sampling from `rng`: the smallest-first candidate that is in
/// range (for P-521 the 7 bits above the order's size are cleared first).
fn scalar<C>(
    rng: &mut ChaCha20Rng,
    name: &str,
) -> Result<jose_core::elliptic_curve::SecretKey<C>, String>
where
    C: jose_core::elliptic_curve::CurveArithmetic,
{
    let len = <jose_core::elliptic_curve::FieldBytesSize<C> as jose_core::elliptic_curve::array::typenum::Unsigned>::USIZE;
    let mut bytes = vec![0u8; len];
    for _ in 0..128 {
        rng.fill_bytes(&mut bytes);
        if len == 66 {
            bytes[0] &= 0x01;
        }
        if let Ok(key) = jose_core::elliptic_curve::SecretKey::<C>::from_slice(&bytes) {
            return Ok(key);
        }
    }
    Err(format!("no scalar for {name} after 128 draws"))
}

/// An Ed25519 key.
pub fn ed25519(name: &str) -> Result<Jwk, String> {
    let seed: [u8; 32] = bytes(&key_label(name), 32)
        .try_into()
        .map_err(|_| "seed length".to_owned())?;
    let key = Ed25519Key::from_signing_key(jose_core::ed25519_dalek::SigningKey::from_bytes(&seed));
    Ok(Jwk::new(KeyMaterial::Ed25519(key)).with_kid(name))
}

/// An X25519 key.
pub fn x25519(name: &str) -> Result<Jwk, String> {
    let seed: [u8; 32] = bytes(&key_label(name), 32)
        .try_into()
        .map_err(|_| "seed length".to_owned())?;
    let key = X25519Key::from_secret(jose_core::x25519_dalek::StaticSecret::from(seed));
    Ok(Jwk::new(KeyMaterial::X25519(key)).with_kid(name))
}

/// The JSON value of a key.
pub fn value(key: &Jwk) -> serde_json::Value {
    serde_json::Value::Object(key.to_json_value())
}

/// The JSON value of a key's public part.
pub fn public_value(key: &Jwk) -> Result<serde_json::Value, String> {
    Ok(value(&key.to_public().map_err(|e| e.to_string())?))
}
