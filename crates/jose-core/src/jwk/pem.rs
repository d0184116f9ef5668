//! PEM and DER import and export: PKCS#8, SPKI, SEC1, PKCS#1 and X.509 certificates.

// With some key types compiled out, their OIDs and decoding traits go unused.
#![cfg_attr(
    not(all(feature = "rsa", feature = "ec", feature = "eddsa", feature = "x25519")),
    allow(unused_imports, unused_variables, dead_code, unreachable_code)
)]

use super::{Jwk, KeyError, KeyMaterial, KeyPolicy, OctKey};
use der::Decode;
use der::asn1::ObjectIdentifier;
use pkcs8::PrivateKeyInfoRef;
use spki::SubjectPublicKeyInfoRef;
use zeroize::Zeroizing;

#[cfg(feature = "ec")]
use super::EcKey;
#[cfg(feature = "eddsa")]
use super::Ed25519Key;
#[cfg(feature = "rsa")]
use super::RsaKey;
#[cfg(feature = "x25519")]
use super::X25519Key;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const ID_X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

fn encoding(what: impl core::fmt::Display) -> KeyError {
    KeyError::Encoding(what.to_string())
}

fn unsupported_oid(oid: ObjectIdentifier) -> KeyError {
    KeyError::Encoding(format!("unsupported key algorithm {oid}"))
}

#[allow(dead_code)]
fn disabled(what: &'static str, feature: &'static str) -> KeyError {
    KeyError::FeatureDisabled { what, feature }
}

impl Jwk {
    /// Reads a key from PEM: `PRIVATE KEY` (PKCS#8), `PUBLIC KEY` (SPKI), `EC PRIVATE KEY`
    /// (SEC1), `RSA PRIVATE KEY` / `RSA PUBLIC KEY` (PKCS#1) or `CERTIFICATE` (X.509: the
    /// subject public key, with the certificate as `x5c`).
    ///
    /// Encrypted PKCS#8 is not supported.
    ///
    /// # Errors
    /// [`KeyError::Encoding`] for unreadable PEM or DER, or the usual key validation errors.
    pub fn from_pem(pem: &str) -> Result<Jwk, KeyError> {
        Self::from_pem_with_policy(pem, &KeyPolicy::default())
    }

    /// [`Jwk::from_pem`] with an explicit policy.
    ///
    /// # Errors
    /// As [`Jwk::from_pem`].
    pub fn from_pem_with_policy(pem: &str, policy: &KeyPolicy) -> Result<Jwk, KeyError> {
        let (label, der) = der::pem::decode_vec(pem.as_bytes()).map_err(encoding)?;
        let der = Zeroizing::new(der);
        match label {
            "PRIVATE KEY" => Self::from_pkcs8_der_with_policy(&der, policy),
            "PUBLIC KEY" => Self::from_spki_der_with_policy(&der, policy),
            "CERTIFICATE" => Self::from_certificate_der(&der, policy),
            #[cfg(feature = "ec")]
            "EC PRIVATE KEY" => sec1_private(&der),
            #[cfg(feature = "rsa")]
            "RSA PRIVATE KEY" => {
                use pkcs1::DecodeRsaPrivateKey;
                let key = ::rsa::RsaPrivateKey::from_pkcs1_der(&der).map_err(encoding)?;
                Ok(Jwk::new(KeyMaterial::Rsa(RsaKey::from_private(
                    key, policy,
                )?)))
            }
            #[cfg(feature = "rsa")]
            "RSA PUBLIC KEY" => {
                use pkcs1::DecodeRsaPublicKey;
                let key = ::rsa::RsaPublicKey::from_pkcs1_der(&der).map_err(encoding)?;
                Ok(Jwk::new(KeyMaterial::Rsa(RsaKey::from_public(
                    key, policy,
                )?)))
            }
            "ENCRYPTED PRIVATE KEY" => Err(encoding("encrypted PKCS#8 keys are not supported")),
            other => Err(encoding(format_args!(
                "unsupported PEM label {:?}",
                crate::json::truncate_for_error(other)
            ))),
        }
    }

    /// Reads a PKCS#8 `PrivateKeyInfo` (RSA, EC P-256/384/521, Ed25519, X25519).
    ///
    /// # Errors
    /// [`KeyError::Encoding`] or key validation errors.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Jwk, KeyError> {
        Self::from_pkcs8_der_with_policy(der, &KeyPolicy::default())
    }

    /// [`Jwk::from_pkcs8_der`] with an explicit policy.
    ///
    /// # Errors
    /// As [`Jwk::from_pkcs8_der`].
    #[allow(unused_variables)]
    pub fn from_pkcs8_der_with_policy(der: &[u8], policy: &KeyPolicy) -> Result<Jwk, KeyError> {
        use pkcs8::DecodePrivateKey;
        let info = PrivateKeyInfoRef::from_der(der).map_err(encoding)?;
        let oid = info.algorithm.oid;
        let material = match oid {
            #[cfg(feature = "rsa")]
            RSA_ENCRYPTION => KeyMaterial::Rsa(RsaKey::from_private(
                ::rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(encoding)?,
                policy,
            )?),
            #[cfg(feature = "ec")]
            EC_PUBLIC_KEY => {
                let curve = info.algorithm.parameters_oid().map_err(encoding)?;
                let secret = |e: pkcs8::Error| encoding(e);
                KeyMaterial::Ec(match curve {
                    SECP256R1 => {
                        let s = p256::SecretKey::from_pkcs8_der(der).map_err(secret)?;
                        EcKey::P256 {
                            public: s.public_key(),
                            secret: Some(s),
                        }
                    }
                    SECP384R1 => {
                        let s = p384::SecretKey::from_pkcs8_der(der).map_err(secret)?;
                        EcKey::P384 {
                            public: s.public_key(),
                            secret: Some(s),
                        }
                    }
                    SECP521R1 => {
                        let s = p521::SecretKey::from_pkcs8_der(der).map_err(secret)?;
                        EcKey::P521 {
                            public: s.public_key(),
                            secret: Some(s),
                        }
                    }
                    other => return Err(KeyError::UnsupportedCurve(other.to_string())),
                })
            }
            #[cfg(feature = "eddsa")]
            ID_ED25519 => KeyMaterial::Ed25519(Ed25519Key::from_signing_key(
                ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(encoding)?,
            )),
            #[cfg(feature = "x25519")]
            ID_X25519 => {
                // RFC 8410 §7: the private key is an OCTET STRING inside the OCTET STRING.
                let inner = <&der::asn1::OctetStringRef>::from_der(info.private_key.as_bytes())
                    .map_err(encoding)?;
                let bytes: [u8; 32] = inner
                    .as_bytes()
                    .try_into()
                    .map_err(|_| encoding("X25519 private key must be 32 bytes"))?;
                KeyMaterial::X25519(X25519Key::from_secret(x25519_dalek::StaticSecret::from(
                    bytes,
                )))
            }
            #[cfg(not(feature = "rsa"))]
            RSA_ENCRYPTION => return Err(disabled("RSA", "rsa")),
            #[cfg(not(feature = "ec"))]
            EC_PUBLIC_KEY => return Err(disabled("EC", "ec")),
            #[cfg(not(feature = "eddsa"))]
            ID_ED25519 => return Err(disabled("Ed25519", "eddsa")),
            #[cfg(not(feature = "x25519"))]
            ID_X25519 => return Err(disabled("X25519", "x25519")),
            other => return Err(unsupported_oid(other)),
        };
        Ok(Jwk::new(material))
    }

    /// Reads an X.509 `SubjectPublicKeyInfo`.
    ///
    /// # Errors
    /// [`KeyError::Encoding`] or key validation errors.
    pub fn from_spki_der(der: &[u8]) -> Result<Jwk, KeyError> {
        Self::from_spki_der_with_policy(der, &KeyPolicy::default())
    }

    /// [`Jwk::from_spki_der`] with an explicit policy.
    ///
    /// # Errors
    /// As [`Jwk::from_spki_der`].
    #[allow(unused_variables)]
    pub fn from_spki_der_with_policy(der: &[u8], policy: &KeyPolicy) -> Result<Jwk, KeyError> {
        use spki::DecodePublicKey;
        let info = SubjectPublicKeyInfoRef::from_der(der).map_err(encoding)?;
        let oid = info.algorithm.oid;
        let material = match oid {
            #[cfg(feature = "rsa")]
            RSA_ENCRYPTION => KeyMaterial::Rsa(RsaKey::from_public(
                ::rsa::RsaPublicKey::from_public_key_der(der).map_err(encoding)?,
                policy,
            )?),
            #[cfg(feature = "ec")]
            EC_PUBLIC_KEY => {
                let curve = info.algorithm.parameters_oid().map_err(encoding)?;
                let point = info
                    .subject_public_key
                    .as_bytes()
                    .ok_or_else(|| encoding("public key bit string has unused bits"))?;
                KeyMaterial::Ec(match curve {
                    SECP256R1 => EcKey::P256 {
                        public: p256::PublicKey::from_sec1_bytes(point)
                            .map_err(|_| KeyError::InvalidPoint("P-256"))?,
                        secret: None,
                    },
                    SECP384R1 => EcKey::P384 {
                        public: p384::PublicKey::from_sec1_bytes(point)
                            .map_err(|_| KeyError::InvalidPoint("P-384"))?,
                        secret: None,
                    },
                    SECP521R1 => EcKey::P521 {
                        public: p521::PublicKey::from_sec1_bytes(point)
                            .map_err(|_| KeyError::InvalidPoint("P-521"))?,
                        secret: None,
                    },
                    other => return Err(KeyError::UnsupportedCurve(other.to_string())),
                })
            }
            #[cfg(feature = "eddsa")]
            ID_ED25519 => KeyMaterial::Ed25519(Ed25519Key::from_public_key(
                ed25519_dalek::VerifyingKey::from_public_key_der(der).map_err(encoding)?,
            )?),
            #[cfg(feature = "x25519")]
            ID_X25519 => {
                let bytes: [u8; 32] = info
                    .subject_public_key
                    .as_bytes()
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| encoding("X25519 public key must be 32 bytes"))?;
                KeyMaterial::X25519(X25519Key::from_public_key(x25519_dalek::PublicKey::from(
                    bytes,
                )))
            }
            #[cfg(not(feature = "rsa"))]
            RSA_ENCRYPTION => return Err(disabled("RSA", "rsa")),
            #[cfg(not(feature = "ec"))]
            EC_PUBLIC_KEY => return Err(disabled("EC", "ec")),
            #[cfg(not(feature = "eddsa"))]
            ID_ED25519 => return Err(disabled("Ed25519", "eddsa")),
            #[cfg(not(feature = "x25519"))]
            ID_X25519 => return Err(disabled("X25519", "x25519")),
            other => return Err(unsupported_oid(other)),
        };
        Ok(Jwk::new(material))
    }

    fn from_certificate_der(der: &[u8], policy: &KeyPolicy) -> Result<Jwk, KeyError> {
        let spki = certificate_spki(der)?;
        let key = Self::from_spki_der_with_policy(&spki, policy)?;
        key.with_x5c(vec![der.to_vec()])
    }

    /// The private key as PKCS#8 DER.
    ///
    /// # Errors
    /// [`KeyError::NotPrivate`] for a public key, [`KeyError::Encoding`] for a symmetric key.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        use pkcs8::EncodePrivateKey;
        if !self.is_private() {
            return Err(KeyError::NotPrivate);
        }
        let secret = |doc: Result<pkcs8::SecretDocument, pkcs8::Error>| {
            doc.map(|d| Zeroizing::new(d.as_bytes().to_vec()))
                .map_err(encoding)
        };
        match &self.material {
            KeyMaterial::Oct(OctKey { .. }) => Err(encoding("symmetric keys have no PKCS#8 form")),
            #[cfg(feature = "rsa")]
            KeyMaterial::Rsa(k) => {
                secret(k.private_key().ok_or(KeyError::NotPrivate)?.to_pkcs8_der())
            }
            #[cfg(feature = "ec")]
            KeyMaterial::Ec(k) => secret(match k {
                EcKey::P256 { secret, .. } => {
                    secret.as_ref().ok_or(KeyError::NotPrivate)?.to_pkcs8_der()
                }
                EcKey::P384 { secret, .. } => {
                    secret.as_ref().ok_or(KeyError::NotPrivate)?.to_pkcs8_der()
                }
                EcKey::P521 { secret, .. } => {
                    secret.as_ref().ok_or(KeyError::NotPrivate)?.to_pkcs8_der()
                }
            }),
            #[cfg(feature = "eddsa")]
            KeyMaterial::Ed25519(k) => {
                secret(k.signing_key().ok_or(KeyError::NotPrivate)?.to_pkcs8_der())
            }
            #[cfg(feature = "x25519")]
            KeyMaterial::X25519(k) => {
                use der::Encode;
                let secret = k.secret_key().ok_or(KeyError::NotPrivate)?;
                let inner = Zeroizing::new(
                    der::asn1::OctetStringRef::new(secret.as_bytes())
                        .map_err(encoding)?
                        .to_der()
                        .map_err(encoding)?,
                );
                let info = PrivateKeyInfoRef::new(
                    spki::AlgorithmIdentifierRef {
                        oid: ID_X25519,
                        parameters: None,
                    },
                    der::asn1::OctetStringRef::new(&inner).map_err(encoding)?,
                );
                info.to_der().map(Zeroizing::new).map_err(encoding)
            }
        }
    }

    /// The public key as X.509 `SubjectPublicKeyInfo` DER.
    ///
    /// # Errors
    /// [`KeyError::NoPublicForm`] for a symmetric key.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, KeyError> {
        use spki::EncodePublicKey;
        let public = |doc: Result<spki::Document, spki::Error>| {
            doc.map(|d| d.as_bytes().to_vec()).map_err(encoding)
        };
        match &self.material {
            KeyMaterial::Oct(_) => Err(KeyError::NoPublicForm),
            #[cfg(feature = "rsa")]
            KeyMaterial::Rsa(k) => public(k.public_key().to_public_key_der()),
            #[cfg(feature = "ec")]
            KeyMaterial::Ec(k) => public(match k {
                EcKey::P256 { public, .. } => public.to_public_key_der(),
                EcKey::P384 { public, .. } => public.to_public_key_der(),
                EcKey::P521 { public, .. } => public.to_public_key_der(),
            }),
            #[cfg(feature = "eddsa")]
            KeyMaterial::Ed25519(k) => public(k.public_key().to_public_key_der()),
            #[cfg(feature = "x25519")]
            KeyMaterial::X25519(k) => {
                use der::Encode;
                let info = SubjectPublicKeyInfoRef {
                    algorithm: spki::AlgorithmIdentifierRef {
                        oid: ID_X25519,
                        parameters: None,
                    },
                    subject_public_key: der::asn1::BitStringRef::from_bytes(
                        k.public_key().as_bytes(),
                    )
                    .map_err(encoding)?,
                };
                info.to_der().map_err(encoding)
            }
        }
    }

    /// The key as PEM: `PRIVATE KEY` (PKCS#8) for a private key, `PUBLIC KEY` (SPKI) for a
    /// public one.
    ///
    /// # Errors
    /// [`KeyError::Encoding`] for a symmetric key.
    pub fn to_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        let line_ending = der::pem::LineEnding::LF;
        if self.is_symmetric() {
            return Err(encoding("symmetric keys have no PEM form"));
        }
        if self.is_private() {
            let der = self.to_pkcs8_der()?;
            der::pem::encode_string("PRIVATE KEY", line_ending, &der)
                .map(Zeroizing::new)
                .map_err(encoding)
        } else {
            let der = self.to_spki_der()?;
            der::pem::encode_string("PUBLIC KEY", line_ending, &der)
                .map(Zeroizing::new)
                .map_err(encoding)
        }
    }

    /// The public key as PEM `PUBLIC KEY` (SPKI), whether or not the key is private.
    ///
    /// # Errors
    /// [`KeyError::NoPublicForm`] for a symmetric key.
    pub fn to_public_pem(&self) -> Result<String, KeyError> {
        let der = self.to_spki_der()?;
        der::pem::encode_string("PUBLIC KEY", der::pem::LineEnding::LF, &der).map_err(encoding)
    }
}

#[cfg(feature = "ec")]
fn sec1_private(der: &[u8]) -> Result<Jwk, KeyError> {
    let parsed = sec1::EcPrivateKey::from_der(der).map_err(encoding)?;
    let curve = parsed
        .parameters
        .and_then(|p| p.named_curve())
        .ok_or_else(|| encoding("SEC1 key without a named curve"))?;
    let material = match curve {
        SECP256R1 => {
            let s = p256::SecretKey::from_sec1_der(der).map_err(encoding)?;
            EcKey::P256 {
                public: s.public_key(),
                secret: Some(s),
            }
        }
        SECP384R1 => {
            let s = p384::SecretKey::from_sec1_der(der).map_err(encoding)?;
            EcKey::P384 {
                public: s.public_key(),
                secret: Some(s),
            }
        }
        SECP521R1 => {
            let s = p521::SecretKey::from_sec1_der(der).map_err(encoding)?;
            EcKey::P521 {
                public: s.public_key(),
                secret: Some(s),
            }
        }
        other => return Err(KeyError::UnsupportedCurve(other.to_string())),
    };
    Ok(Jwk::new(KeyMaterial::Ec(material)))
}

/// The `SubjectPublicKeyInfo` DER of an X.509 certificate.
fn certificate_spki(der: &[u8]) -> Result<Vec<u8>, KeyError> {
    #[cfg(feature = "x509")]
    {
        use der::Encode;
        let cert = x509_cert::Certificate::from_der(der)
            .map_err(|_| KeyError::X509("not a DER certificate"))?;
        cert.tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|_| KeyError::X509("unreadable subject public key"))
    }
    #[cfg(not(feature = "x509"))]
    {
        let _ = der;
        Err(KeyError::FeatureDisabled {
            what: "X.509 certificate",
            feature: "x509",
        })
    }
}

/// The public key held by a DER certificate.
#[cfg(feature = "x509")]
pub(crate) fn public_key_of_certificate(der: &[u8]) -> Result<Jwk, KeyError> {
    let spki = certificate_spki(der)?;
    // Any key size is read here: the comparison with the JWK decides, and the JWK itself was
    // already checked against the caller's policy.
    let permissive = KeyPolicy {
        min_rsa_bits: 512,
        max_rsa_bits: 16384,
        reject_roca: false,
        ..KeyPolicy::default()
    };
    Jwk::from_spki_der_with_policy(&spki, &permissive)
}
