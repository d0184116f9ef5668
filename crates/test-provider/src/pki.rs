//! A throwaway PKI for the provider's TLS listener: a test CA, a server certificate for
//! `127.0.0.1`, a client certificate the CA issued (`tls_client_auth`) and a self-signed one
//! (`self_signed_tls_client_auth`). Fresh P-256 keys every run; nothing is trusted outside
//! the test process.

use crate::HarnessError;
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::der::asn1::{Ia5String, OctetString, UtcTime};
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::{Encode, EncodePem};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate};

/// The subject of the CA-issued client certificate, as registered for `client-mtls`
/// (`tls_client_auth_subject_dn`).
pub const CLIENT_SUBJECT: &str = "CN=client-mtls,O=jose-rs test provider";
const CA_SUBJECT: &str = "CN=jose-rs test CA,O=jose-rs test provider";
const SERVER_SUBJECT: &str = "CN=127.0.0.1,O=jose-rs test provider";
const SELF_SIGNED_SUBJECT: &str = "CN=client-mtls-self-signed,O=jose-rs test provider";

const SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";

/// Certificates and keys (PEM) for the provider's TLS listener and its mTLS clients.
#[derive(Clone, Debug)]
pub struct TestPki {
    dir: PathBuf,
    /// The test CA's certificate: trust it to reach the TLS listener.
    pub ca_pem: String,
    /// The TLS listener's certificate (IP address `127.0.0.1`), issued by the CA.
    pub server_cert_pem: String,
    /// The TLS listener's private key (PKCS #8).
    pub server_key_pem: String,
    /// `client-mtls`'s certificate ([`CLIENT_SUBJECT`]), issued by the CA.
    pub client_cert_pem: String,
    /// `client-mtls`'s private key (PKCS #8).
    pub client_key_pem: String,
    /// `client-mtls-self-signed`'s self-signed certificate (registered in its `jwks` as
    /// `x5c`).
    pub self_signed_cert_pem: String,
    /// `client-mtls-self-signed`'s private key (PKCS #8).
    pub self_signed_key_pem: String,
}

/// A certificate profile with exactly these names and extensions.
struct Profile {
    subject: Name,
    issuer: Name,
    extensions: Vec<Extension>,
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }
    fn get_subject(&self) -> Name {
        self.subject.clone()
    }
    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(self.extensions.clone())
    }
}

fn err(what: &str, e: impl std::fmt::Display) -> HarnessError {
    HarnessError::Start(format!("test PKI: {what}: {e}"))
}

fn extension(oid: &str, critical: bool, value: &impl Encode) -> Result<Extension, HarnessError> {
    Ok(Extension {
        extn_id: ObjectIdentifier::new(oid).map_err(|e| err("oid", e))?,
        critical,
        extn_value: OctetString::new(value.to_der().map_err(|e| err("extension", e))?)
            .map_err(|e| err("extension", e))?,
    })
}

fn key() -> Result<p256::SecretKey, HarnessError> {
    loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| err("randomness", e))?;
        // A value outside the scalar field is astronomically rare; draw again.
        if let Ok(key) = p256::SecretKey::from_slice(&bytes) {
            return Ok(key);
        }
    }
}

fn time(unix: u64) -> Result<Time, HarnessError> {
    Ok(Time::UtcTime(
        UtcTime::from_unix_duration(Duration::from_secs(unix)).map_err(|e| err("time", e))?,
    ))
}

/// What a certificate says and who signs it.
struct Spec<'a> {
    subject: &'a str,
    issuer: &'a str,
    serial: u32,
    extensions: Vec<Extension>,
}

fn certificate(
    spec: Spec<'_>,
    subject_key: &p256::SecretKey,
    issuer_key: &p256::SecretKey,
) -> Result<String, HarnessError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| err("clock", e))?
        .as_secs();
    let profile = Profile {
        subject: Name::from_str(spec.subject).map_err(|e| err("name", e))?,
        issuer: Name::from_str(spec.issuer).map_err(|e| err("name", e))?,
        extensions: spec.extensions,
    };
    let spki = SubjectPublicKeyInfoOwned::from_key(&subject_key.public_key())
        .map_err(|e| err("public key", e))?;
    let builder = CertificateBuilder::new(
        profile,
        SerialNumber::from(spec.serial),
        Validity::new(time(now - 3600)?, time(now + 86_400)?),
        spki,
    )
    .map_err(|e| err("certificate", e))?;
    let signer = p256::ecdsa::SigningKey::from(issuer_key);
    let cert: Certificate = builder
        .build::<_, p256::ecdsa::DerSignature>(&signer)
        .map_err(|e| err("signing", e))?;
    cert.to_pem(LineEnding::LF).map_err(|e| err("PEM", e))
}

fn key_pem(key: &p256::SecretKey) -> Result<String, HarnessError> {
    Ok(key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| err("key PEM", e))?
        .to_string())
}

fn leaf_extensions(usage: &str, ip: bool) -> Result<Vec<Extension>, HarnessError> {
    let mut extensions = vec![
        extension(
            "2.5.29.19",
            true,
            &BasicConstraints {
                ca: false,
                path_len_constraint: None,
            },
        )?,
        extension(
            "2.5.29.15",
            true,
            &KeyUsage(KeyUsages::DigitalSignature.into()),
        )?,
        extension(
            "2.5.29.37",
            false,
            &ExtendedKeyUsage(vec![
                ObjectIdentifier::new(usage).map_err(|e| err("oid", e))?,
            ]),
        )?,
    ];
    if ip {
        extensions.push(extension(
            "2.5.29.17",
            false,
            &SubjectAltName(vec![
                GeneralName::from(IpAddr::V4(Ipv4Addr::LOCALHOST)),
                GeneralName::DnsName(Ia5String::new("localhost").map_err(|e| err("SAN", e))?),
            ]),
        )?);
    }
    Ok(extensions)
}

impl TestPki {
    /// Generates the PKI and writes `ca.pem`, `server.pem`, `server.key` and
    /// `self-signed.pem` to `dir` (created if needed) for the provider script.
    ///
    /// # Errors
    /// [`HarnessError::Start`] when a certificate cannot be built or written.
    pub fn generate(dir: &Path) -> Result<Self, HarnessError> {
        let ca_key = key()?;
        let ca_pem = certificate(
            Spec {
                subject: CA_SUBJECT,
                issuer: CA_SUBJECT,
                serial: 1,
                extensions: vec![
                    extension(
                        "2.5.29.19",
                        true,
                        &BasicConstraints {
                            ca: true,
                            path_len_constraint: Some(0),
                        },
                    )?,
                    extension(
                        "2.5.29.15",
                        true,
                        &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
                    )?,
                ],
            },
            &ca_key,
            &ca_key,
        )?;
        let server_key = key()?;
        let server_cert_pem = certificate(
            Spec {
                subject: SERVER_SUBJECT,
                issuer: CA_SUBJECT,
                serial: 2,
                extensions: leaf_extensions(SERVER_AUTH, true)?,
            },
            &server_key,
            &ca_key,
        )?;
        let client_key = key()?;
        let client_cert_pem = certificate(
            Spec {
                subject: CLIENT_SUBJECT,
                issuer: CA_SUBJECT,
                serial: 3,
                extensions: leaf_extensions(CLIENT_AUTH, false)?,
            },
            &client_key,
            &ca_key,
        )?;
        let self_signed_key = key()?;
        let self_signed_cert_pem = certificate(
            Spec {
                subject: SELF_SIGNED_SUBJECT,
                issuer: SELF_SIGNED_SUBJECT,
                serial: 4,
                extensions: leaf_extensions(CLIENT_AUTH, false)?,
            },
            &self_signed_key,
            &self_signed_key,
        )?;
        let pki = Self {
            dir: dir.to_path_buf(),
            ca_pem,
            server_cert_pem,
            server_key_pem: key_pem(&server_key)?,
            client_cert_pem,
            client_key_pem: key_pem(&client_key)?,
            self_signed_cert_pem,
            self_signed_key_pem: key_pem(&self_signed_key)?,
        };
        std::fs::create_dir_all(dir).map_err(|e| err("directory", e))?;
        for (name, text) in [
            ("ca.pem", &pki.ca_pem),
            ("server.pem", &pki.server_cert_pem),
            ("server.key", &pki.server_key_pem),
            ("self-signed.pem", &pki.self_signed_cert_pem),
        ] {
            std::fs::write(dir.join(name), text).map_err(|e| err(name, e))?;
        }
        Ok(pki)
    }

    /// The directory the files were written to.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Removes the files.
    pub fn remove(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
