//! JWE: encrypt and decrypt 1 KiB and 1 MiB with A256GCM under five key managements, compact
//! serialization.

use crate::{Fixture, peers};
use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use aes_kw::KwAes256;
use benches::fixtures::{Keys, payload, shareable};
use benches::harness::{Column, Group};
use criterion::Criterion;
use getrandom::SysRng;
use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
use jose_core::backend::Backend;
use jose_core::jwk::{EcKey, Jwk, KeyMaterial};
use jwe::{DecryptOptions, EncryptionKey};
use rsa::Oaep;
use rsa::traits::PaddingScheme;
use sha2::{Digest, Sha256};

/// One key management case of the tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    Dir,
    A256Kw,
    RsaOaep256,
    EcdhP256,
    EcdhX25519,
}

impl Case {
    pub const ALL: [Case; 5] = [
        Case::Dir,
        Case::A256Kw,
        Case::RsaOaep256,
        Case::EcdhP256,
        Case::EcdhX25519,
    ];

    /// The table row.
    pub fn label(self) -> &'static str {
        match self {
            Case::Dir => "dir",
            Case::A256Kw => "A256KW",
            Case::RsaOaep256 => "RSA-OAEP-256",
            Case::EcdhP256 => "ECDH-ES+A256KW P-256",
            Case::EcdhX25519 => "ECDH-ES+A256KW X25519",
        }
    }

    pub fn alg(self) -> KeyManagementAlgorithm {
        match self {
            Case::Dir => KeyManagementAlgorithm::Dir,
            Case::A256Kw => KeyManagementAlgorithm::A256Kw,
            Case::RsaOaep256 => KeyManagementAlgorithm::RsaOaep256,
            Case::EcdhP256 | Case::EcdhX25519 => KeyManagementAlgorithm::EcdhEsA256Kw,
        }
    }

    /// The recipient's private (or secret) key in a set of keys.
    pub fn key_in(self, keys: &Keys) -> &Jwk {
        match self {
            Case::Dir => &keys.dir,
            Case::A256Kw => &keys.a256kw,
            Case::RsaOaep256 => &keys.rsa,
            Case::EcdhP256 => &keys.p256,
            Case::EcdhX25519 => &keys.x25519,
        }
    }
}

/// The sizes of the tables.
pub const SIZES: [(&str, usize); 2] = [("1KiB", 1 << 10), ("1MiB", 1 << 20)];

/// The payload size of a table under `cargo test` (see [`Fixture`]'s `smoke`).
const SMOKE_MAX: usize = 64 << 10;

/// What the raw primitives produce: the pieces of a JWE without any serialization.
pub struct RawJwe {
    pub encrypted_key: Vec<u8>,
    pub epk: Vec<u8>,
    pub iv: [u8; 12],
    pub ciphertext: Vec<u8>,
    pub tag: Vec<u8>,
}

fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).unwrap();
    out
}

/// What Concat KDF (RFC 7518 §4.6.2) hashes after the counter and `Z`, for a 256-bit key
/// and no `apu`/`apv`: `AlgorithmID`, empty `PartyUInfo` and `PartyVInfo`, `SuppPubInfo`.
pub fn kdf_other_info(alg_id: &str) -> Vec<u8> {
    let mut info = Vec::with_capacity(16 + alg_id.len());
    info.extend_from_slice(&(alg_id.len() as u32).to_be_bytes());
    info.extend_from_slice(alg_id.as_bytes());
    info.extend_from_slice(&0u32.to_be_bytes());
    info.extend_from_slice(&0u32.to_be_bytes());
    info.extend_from_slice(&256u32.to_be_bytes());
    info
}

/// Concat KDF for a 256-bit key: one SHA-256 block of counter 1, `Z` and the other info.
fn concat_kdf(z: &[u8], alg_id: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(1u32.to_be_bytes());
    hash.update(z);
    hash.update(kdf_other_info(alg_id));
    hash.finalize().into()
}

fn wrap(kek: &[u8], cek: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; cek.len() + 8];
    KwAes256::new_from_slice(kek)
        .unwrap()
        .wrap_key(cek, &mut out)
        .unwrap();
    out
}

fn unwrap(kek: &[u8], wrapped: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; wrapped.len() - 8];
    KwAes256::new_from_slice(kek)
        .unwrap()
        .unwrap_key(wrapped, &mut out)
        .unwrap();
    out
}

/// The key management and AES-256-GCM primitives, called directly: the physical limit of a
/// JWE encryption (no header, no base64url).
pub fn raw_encrypt(case: Case, key: &Jwk, aad: &[u8], plaintext: &[u8]) -> RawJwe {
    let (cek, encrypted_key, epk): ([u8; 32], Vec<u8>, Vec<u8>) = match (case, key.material()) {
        (Case::Dir, KeyMaterial::Oct(k)) => {
            let cek: [u8; 32] = k.secret().expose().try_into().unwrap();
            (cek, Vec::new(), Vec::new())
        }
        (Case::A256Kw, KeyMaterial::Oct(k)) => {
            let cek = random::<32>();
            (cek, wrap(k.secret().expose(), &cek), Vec::new())
        }
        (Case::RsaOaep256, KeyMaterial::Rsa(k)) => {
            let cek = random::<32>();
            let ek = Oaep::<Sha256>::new()
                .encrypt(&mut SysRng, k.public_key(), &cek)
                .unwrap();
            (cek, ek, Vec::new())
        }
        (Case::EcdhP256, KeyMaterial::Ec(EcKey::P256 { public, .. })) => {
            let ephemeral = loop {
                if let Ok(k) = p256::SecretKey::from_slice(&random::<32>()) {
                    break k;
                }
            };
            let epk = ephemeral.public_key();
            let z = p256::ecdh::diffie_hellman(ephemeral.to_nonzero_scalar(), public.as_affine());
            let kek = concat_kdf(&z.raw_secret_bytes()[..], "ECDH-ES+A256KW");
            let cek = random::<32>();
            use p256::elliptic_curve::sec1::ToSec1Point;
            let epk = epk.to_sec1_point(false).as_bytes().to_vec();
            (cek, wrap(&kek, &cek), epk)
        }
        (Case::EcdhX25519, KeyMaterial::X25519(k)) => {
            let ephemeral = x25519_dalek::StaticSecret::from(random::<32>());
            let epk = x25519_dalek::PublicKey::from(&ephemeral);
            let z = ephemeral.diffie_hellman(k.public_key());
            let kek = concat_kdf(z.as_bytes(), "ECDH-ES+A256KW");
            let cek = random::<32>();
            (cek, wrap(&kek, &cek), epk.as_bytes().to_vec())
        }
        _ => panic!("no raw encryption for {case:?}"),
    };
    let iv = random::<12>();
    let mut buf = plaintext.to_vec();
    let tag = Aes256Gcm::new_from_slice(&cek)
        .unwrap()
        .encrypt_inout_detached(&Nonce::from(iv), aad, buf.as_mut_slice().into())
        .unwrap();
    RawJwe {
        encrypted_key,
        epk,
        iv,
        ciphertext: buf,
        tag: tag.to_vec(),
    }
}

/// The inverse of [`raw_encrypt`], from a copy of the ciphertext (as a decoder would make).
pub fn raw_decrypt(case: Case, key: &Jwk, aad: &[u8], jwe: &RawJwe) -> Vec<u8> {
    let cek: Vec<u8> = match (case, key.material()) {
        (Case::Dir, KeyMaterial::Oct(k)) => k.secret().expose().to_vec(),
        (Case::A256Kw, KeyMaterial::Oct(k)) => unwrap(k.secret().expose(), &jwe.encrypted_key),
        (Case::RsaOaep256, KeyMaterial::Rsa(k)) => Oaep::<Sha256>::new()
            .decrypt(
                Some(&mut SysRng),
                k.private_key().unwrap(),
                &jwe.encrypted_key,
            )
            .unwrap(),
        (
            Case::EcdhP256,
            KeyMaterial::Ec(EcKey::P256 {
                secret: Some(s), ..
            }),
        ) => {
            let epk = p256::PublicKey::from_sec1_bytes(&jwe.epk).unwrap();
            let z = p256::ecdh::diffie_hellman(s.to_nonzero_scalar(), epk.as_affine());
            let kek = concat_kdf(&z.raw_secret_bytes()[..], "ECDH-ES+A256KW");
            unwrap(&kek, &jwe.encrypted_key)
        }
        (Case::EcdhX25519, KeyMaterial::X25519(k)) => {
            let epk: [u8; 32] = jwe.epk.as_slice().try_into().unwrap();
            let z = k
                .secret_key()
                .unwrap()
                .diffie_hellman(&x25519_dalek::PublicKey::from(epk));
            let kek = concat_kdf(z.as_bytes(), "ECDH-ES+A256KW");
            unwrap(&kek, &jwe.encrypted_key)
        }
        _ => panic!("no raw decryption for {case:?}"),
    };
    let mut buf = jwe.ciphertext.clone();
    let tag = Tag::try_from(jwe.tag.as_slice()).unwrap();
    Aes256Gcm::new_from_slice(&cek)
        .unwrap()
        .decrypt_inout_detached(&Nonce::from(jwe.iv), aad, buf.as_mut_slice().into(), &tag)
        .unwrap();
    buf
}

/// A raw encryption: `(aad, plaintext)` to the pieces of a JWE.
type RawEncrypt = Box<dyn Fn(&[u8], &[u8]) -> RawJwe>;
/// A raw decryption: `(aad, pieces)` to the plaintext.
type RawDecrypt = Box<dyn Fn(&[u8], &RawJwe) -> Vec<u8>>;

/// The raw primitives of a column's backend for one case, their keys prepared once.
fn raw_on(backend: Backend, case: Case, key: &Jwk) -> (RawEncrypt, RawDecrypt) {
    match backend {
        #[cfg(feature = "aws-lc-rs")]
        Backend::AwsLc => {
            let recipient = std::rc::Rc::new(crate::raw_lc::Recipient::new(case, key));
            let other = recipient.clone();
            (
                Box::new(move |aad, plaintext| recipient.encrypt(aad, plaintext)),
                Box::new(move |aad, jwe| other.decrypt(aad, jwe)),
            )
        }
        _ => {
            let (k1, k2) = (key.clone(), key.clone());
            (
                Box::new(move |aad, plaintext| raw_encrypt(case, &k1, aad, plaintext)),
                Box::new(move |aad, jwe| raw_decrypt(case, &k2, aad, jwe)),
            )
        }
    }
}

/// One of our columns, ready for one case: the recipient pinned to the column's backend and
/// the primitives of that backend.
struct Prepared {
    column: Column,
    private: Jwk,
    key: EncryptionKey,
    raw_encrypt: RawEncrypt,
    raw_decrypt: RawDecrypt,
}

impl Prepared {
    fn new(column: Column, keys: &Keys, case: Case) -> Self {
        let private = case.key_in(keys).clone();
        assert_eq!(private.backend(), column.backend);
        let key = EncryptionKey::new(shareable(&private), case.alg()).unwrap();
        assert_eq!(key.backend(), column.backend);
        let (raw_encrypt, raw_decrypt) = raw_on(column.backend, case, &private);
        Self {
            column,
            private,
            key,
            raw_encrypt,
            raw_decrypt,
        }
    }
}

pub fn register(c: &mut Criterion, fx: &Fixture) {
    let enc = ContentEncryptionAlgorithm::A256Gcm;
    for (size_label, size) in SIZES {
        let plaintext = payload(if fx.smoke { size.min(SMOKE_MAX) } else { size });
        for case in Case::ALL {
            let columns: Vec<Prepared> = fx
                .columns
                .iter()
                .map(|(column, keys)| Prepared::new(*column, keys, case))
                .collect();
            let options = DecryptOptions::new()
                .algorithms([case.alg()])
                .encryptions([enc]);
            let encrypt = |key: &EncryptionKey| {
                jwe::compact::CompactEncrypt::new(&plaintext, enc)
                    .encrypt(key)
                    .unwrap()
            };
            // Every column and peer decrypts the token of the first column (RustCrypto).
            let token = encrypt(&columns[0].key);
            // The raw primitives authenticate the same amount of header as ours.
            let aad = token.as_bytes()[..token.find('.').unwrap()].to_vec();
            let raw_jwes: Vec<RawJwe> = columns
                .iter()
                .map(|p| {
                    let raw_jwe = (p.raw_encrypt)(&aad, &plaintext);
                    assert_eq!((p.raw_decrypt)(&aad, &raw_jwe), plaintext);
                    // Each backend decrypts what the other made.
                    let own = encrypt(&p.key);
                    let back = jwe::compact::decrypt(&own, &columns[0].private, &options);
                    assert_eq!(back.unwrap().plaintext(), plaintext.as_slice());
                    raw_jwe
                })
                .collect();

            let mut g = Group::new(c, format!("jwe/encrypt/{size_label}/{}", case.label()));
            for p in &columns {
                g.bench(p.column.ours, || encrypt(&p.key));
                g.bench(p.column.raw, || (p.raw_encrypt)(&aad, &plaintext));
            }
            peers::jwe_encrypt(&mut g, case, fx, &plaintext);
            g.finish();

            let mut g = Group::new(c, format!("jwe/decrypt/{size_label}/{}", case.label()));
            for (p, raw_jwe) in columns.iter().zip(&raw_jwes) {
                g.bench(p.column.ours, || {
                    jwe::compact::decrypt(&token, &p.private, &options)
                        .unwrap()
                        .into_plaintext()
                });
                g.bench(p.column.raw, || (p.raw_decrypt)(&aad, raw_jwe));
            }
            peers::jwe_decrypt(&mut g, case, fx, &token);
            g.finish();
        }
    }
}
