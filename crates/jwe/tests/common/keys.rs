//! One key per key management algorithm (and curve), generated once per test binary.

use jose_core::alg::{ContentEncryptionAlgorithm, Curve, KeyManagementAlgorithm};
use jose_core::jwk::{GenerateOptions, Jwk};
use jwe::{EncryptionKey, Password};
use std::sync::OnceLock;

use KeyManagementAlgorithm as K;

/// A recipient: how to encrypt to it and what decrypts it.
pub struct Recipient {
    pub alg: KeyManagementAlgorithm,
    pub curve: Option<Curve>,
    /// The private (or secret) key; for PBES2 the password as an `oct` key.
    pub private: Jwk,
    pub password: Option<Password>,
}

impl Recipient {
    /// An encryption key for this recipient (for `dir`, one that fits `enc`).
    pub fn encryption_key(&self, enc: ContentEncryptionAlgorithm) -> EncryptionKey {
        match (&self.password, self.alg) {
            (Some(p), _) => EncryptionKey::password(p.clone(), self.alg)
                .unwrap()
                .with_p2c(1000),
            (None, K::Dir) => EncryptionKey::new(dir_key(enc).clone(), K::Dir).unwrap(),
            (None, _) => {
                let public = self
                    .private
                    .to_public()
                    .unwrap_or_else(|_| self.private.clone());
                EncryptionKey::new(public, self.alg).unwrap()
            }
        }
    }

    /// The decryption key (for `dir`, the one that fits `enc`).
    pub fn decryption_key(&self, enc: ContentEncryptionAlgorithm) -> &Jwk {
        if self.alg == K::Dir {
            dir_key(enc)
        } else {
            &self.private
        }
    }

    pub fn name(&self) -> String {
        match self.curve {
            Some(c) => format!("{} on {c}", self.alg),
            None => self.alg.to_string(),
        }
    }
}

static RSA: OnceLock<Jwk> = OnceLock::new();

/// One 2048-bit RSA key for every RSA test in the binary.
pub fn rsa_key() -> &'static Jwk {
    RSA.get_or_init(|| {
        Jwk::generate(K::RsaOaep256)
            .unwrap()
            .without_alg()
            .with_kid("rsa")
    })
}

static OTHER_RSA: OnceLock<Jwk> = OnceLock::new();

/// A second RSA key, for "wrong key" tests.
pub fn other_rsa_key() -> &'static Jwk {
    OTHER_RSA.get_or_init(|| Jwk::generate(K::RsaOaep256).unwrap().without_alg())
}

static DIR: OnceLock<Vec<(ContentEncryptionAlgorithm, Jwk)>> = OnceLock::new();

/// A `dir` key of the size `enc` needs.
pub fn dir_key(enc: ContentEncryptionAlgorithm) -> &'static Jwk {
    let keys = DIR.get_or_init(|| {
        ContentEncryptionAlgorithm::ALL
            .iter()
            .map(|e| (*e, Jwk::generate(*e).unwrap().without_alg()))
            .collect()
    });
    &keys.iter().find(|(e, _)| *e == enc).unwrap().1
}

static ALL: OnceLock<Vec<Recipient>> = OnceLock::new();

/// Every algorithm this build encrypts with, each ECDH-ES variant on every curve.
pub fn recipients() -> &'static [Recipient] {
    ALL.get_or_init(|| {
        let mut out = Vec::new();
        for alg in KeyManagementAlgorithm::ALL.iter().copied() {
            match alg {
                K::Rsa1_5 => {}
                K::RsaOaep | K::RsaOaep256 | K::RsaOaep384 | K::RsaOaep512 => out.push(Recipient {
                    alg,
                    curve: None,
                    private: rsa_key().clone(),
                    password: None,
                }),
                K::EcdhEs | K::EcdhEsA128Kw | K::EcdhEsA192Kw | K::EcdhEsA256Kw => {
                    for curve in [Curve::P256, Curve::P384, Curve::P521, Curve::X25519] {
                        let options = GenerateOptions {
                            curve: Some(curve),
                            ..GenerateOptions::default()
                        };
                        out.push(Recipient {
                            alg,
                            curve: Some(curve),
                            private: Jwk::generate_with(alg, &options).unwrap().without_alg(),
                            password: None,
                        });
                    }
                }
                K::Pbes2Hs256A128Kw | K::Pbes2Hs384A192Kw | K::Pbes2Hs512A256Kw => {
                    out.push(Recipient {
                        alg,
                        curve: None,
                        private: Jwk::generate(alg).unwrap().without_alg(),
                        password: Some(Password::new("correct horse battery staple").unwrap()),
                    });
                }
                K::Dir => out.push(Recipient {
                    alg,
                    curve: None,
                    private: dir_key(ContentEncryptionAlgorithm::A128Gcm).clone(),
                    password: None,
                }),
                _ => out.push(Recipient {
                    alg,
                    curve: None,
                    private: Jwk::generate(alg).unwrap().without_alg(),
                    password: None,
                }),
            }
        }
        out
    })
}
