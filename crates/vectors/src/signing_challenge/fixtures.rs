//! A small test PKI and a signing session, all fixed: keys derived from labels, certificates
//! built in code with deterministic ECDSA, one fixed clock. The generated vectors are made
//! with them, and signing-challenge's test files share them (its `tests/common`).
//!
//! Fixed test data: a failure is a bug of the fixture, hence the panics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jose_core::alg::JwsAlgorithm;
use jose_core::backend::Backend;
use jose_core::jwk::{EcKey, Jwk, KeyMaterial};
use jws::SigningKey;
use sha2::{Digest, Sha256, Sha384};
use signing_challenge::{
    ChallengeCode, DocHash, Session, SignRef, SignedChallengeBuilder, SignedResponseBuilder,
    UserSignature,
};
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::der::asn1::{OctetString, UtcTime};
use x509_cert::der::{Encode, oid::ObjectIdentifier};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate};

/// The fixed clock: the signed challenge's `iat` (2025-06-15T15:06:40Z).
pub const T: i64 = 1_750_000_000;
/// The session's signing reference (`sign_ref`).
pub const SIGN_REF: &str = "0e8f5a4c-3b1d-4a2e-9f60-7c1b2d3e4f50";
/// The phone's nonce (`nonce` of the challenge).
pub const NONCE: &str = "mobile-nonce-Qx7v2LmS";
/// The signing service's nonce (`hss_nonce`).
pub const HSS_NONCE: &str = "hss-nonce-9KcD1pWq4t";
/// The challenge code shown to the user.
pub const CODE: &str = "482916";
/// The signing flow's identifier (`ff_id`).
pub const FF_ID: &str = "ff-3c7e1a9b";
/// The `kid` of the authentication service's key.
pub const ASP_KID: &str = "asp-2025-06";

/// SHA-256 of the (pretend) CMS signed attributes: the document hash of the session.
pub fn doc_hash() -> DocHash {
    DocHash::from_digest(&Sha256::digest(b"signed attributes of test document 1")).unwrap()
}

/// A P-256 secret key: SHA-256 of `label`.
pub fn p256_key(label: &str) -> p256::SecretKey {
    p256::SecretKey::from_slice(&Sha256::digest(label.as_bytes())).unwrap()
}

/// A P-384 secret key: SHA-384 of `label`.
pub fn p384_key(label: &str) -> p384::SecretKey {
    p384::SecretKey::from_slice(&Sha384::digest(label.as_bytes())).unwrap()
}

/// A P-256 key derived from `label`. The test keys compute with RustCrypto whatever backend
/// feature unification turns on: the generated vectors must come out byte for byte the same,
/// and aws-lc-rs draws fresh ECDSA nonces where RustCrypto follows RFC 6979.
pub fn p256_jwk(label: &str) -> Jwk {
    let secret = p256_key(label);
    Jwk::new(KeyMaterial::Ec(EcKey::P256 {
        public: secret.public_key(),
        secret: Some(secret),
    }))
    .with_backend(Backend::RustCrypto)
}

/// A P-384 key derived from `label`, computing with RustCrypto (see [`p256_jwk`]).
pub fn p384_jwk(label: &str) -> Jwk {
    let secret = p384_key(label);
    Jwk::new(KeyMaterial::Ec(EcKey::P384 {
        public: secret.public_key(),
        secret: Some(secret),
    }))
    .with_backend(Backend::RustCrypto)
}

/// The authentication service's signing key (signs challenges), with its kid.
pub fn asp() -> SigningKey {
    SigningKey::new(p256_jwk("asp").with_kid(ASP_KID), JwsAlgorithm::ES256).unwrap()
}

/// The user's P-256 key (the key of [`Pki::leaf_p256`]).
pub fn user_p256() -> Jwk {
    p256_jwk("user p256")
}

/// The user's P-384 key (the key of [`Pki::leaf_p384`]).
pub fn user_p384() -> Jwk {
    p384_jwk("user p384")
}

/// A certificate profile: exactly these names and extensions.
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

fn ext(oid: &str, critical: bool, value: Vec<u8>) -> Extension {
    Extension {
        extn_id: ObjectIdentifier::new_unwrap(oid),
        critical,
        extn_value: OctetString::new(value).unwrap(),
    }
}

/// A basicConstraints extension (critical).
pub fn basic_constraints(ca: bool, path_len: Option<u8>) -> Extension {
    let bc = BasicConstraints {
        ca,
        path_len_constraint: path_len,
    };
    ext("2.5.29.19", true, bc.to_der().unwrap())
}

/// A keyUsage extension (critical).
pub fn key_usage(usage: KeyUsage) -> Extension {
    ext("2.5.29.15", true, usage.to_der().unwrap())
}

/// The extensions of a CA certificate: basicConstraints with `path_len`, keyCertSign and
/// cRLSign.
pub fn ca_extensions(path_len: Option<u8>) -> Vec<Extension> {
    vec![
        basic_constraints(true, path_len),
        key_usage(KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign)),
    ]
}

/// The extensions of a user certificate: digitalSignature and nonRepudiation.
pub fn leaf_extensions() -> Vec<Extension> {
    vec![key_usage(KeyUsage(
        KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
    ))]
}

fn time(unix: i64) -> Time {
    Time::UtcTime(UtcTime::from_unix_duration(Duration::from_secs(unix as u64)).unwrap())
}

/// What to put in a certificate.
/// What a certificate of the test PKI says.
#[derive(Debug)]
pub struct CertSpec<'a> {
    /// The subject's distinguished name.
    pub subject: &'a str,
    /// The issuer's distinguished name.
    pub issuer: &'a str,
    /// The serial number.
    pub serial: u32,
    /// Start of validity (seconds since the epoch).
    pub not_before: i64,
    /// End of validity (seconds since the epoch).
    pub not_after: i64,
    /// The extensions, in order.
    pub extensions: Vec<Extension>,
}

/// A certificate for the public key `spki`, signed by the P-256 key `issuer_key`.
pub fn certificate(
    spec: CertSpec<'_>,
    spki: SubjectPublicKeyInfoOwned,
    issuer_key: &p256::SecretKey,
) -> Vec<u8> {
    let profile = Profile {
        subject: Name::from_str(spec.subject).unwrap(),
        issuer: Name::from_str(spec.issuer).unwrap(),
        extensions: spec.extensions,
    };
    let builder = CertificateBuilder::new(
        profile,
        SerialNumber::from(spec.serial),
        Validity::new(time(spec.not_before), time(spec.not_after)),
        spki,
    )
    .unwrap();
    let signer = p256::ecdsa::SigningKey::from(issuer_key);
    let cert: Certificate = builder
        .build::<_, p256::ecdsa::DerSignature>(&signer)
        .unwrap();
    cert.to_der().unwrap()
}

/// The same for an RSA issuer key (sha256WithRSAEncryption).
pub fn certificate_rsa(
    spec: CertSpec<'_>,
    spki: SubjectPublicKeyInfoOwned,
    issuer_key: &rsa::RsaPrivateKey,
) -> Vec<u8> {
    let profile = Profile {
        subject: Name::from_str(spec.subject).unwrap(),
        issuer: Name::from_str(spec.issuer).unwrap(),
        extensions: spec.extensions,
    };
    let builder = CertificateBuilder::new(
        profile,
        SerialNumber::from(spec.serial),
        Validity::new(time(spec.not_before), time(spec.not_after)),
        spki,
    )
    .unwrap();
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(issuer_key.clone());
    let cert: Certificate = builder
        .build::<_, rsa::pkcs1v15::Signature>(&signer)
        .unwrap();
    cert.to_der().unwrap()
}

/// The fixed RSA key of the RSA intermediate CA.
pub fn rsa_ica_key() -> rsa::RsaPrivateKey {
    let jwk = Jwk::from_json(
        include_str!("../../../signing-challenge/tests/fixtures/ica-rsa-2048.json").trim(),
    )
    .unwrap();
    match jwk.material() {
        KeyMaterial::Rsa(k) => k.private_key().unwrap().clone(),
        _ => panic!("not RSA"),
    }
}

/// The SubjectPublicKeyInfo of a P-256 key.
pub fn spki_p256(key: &p256::SecretKey) -> SubjectPublicKeyInfoOwned {
    SubjectPublicKeyInfoOwned::from_key(&key.public_key()).unwrap()
}

/// The SubjectPublicKeyInfo of a P-384 key.
pub fn spki_p384(key: &p384::SecretKey) -> SubjectPublicKeyInfoOwned {
    SubjectPublicKeyInfoOwned::from_key(&key.public_key()).unwrap()
}

/// The root CA's name (the trust anchor).
pub const ROOT: &str = "CN=Test National Root CA,O=Test Trust Services,C=SG";
/// The intermediate CA's name.
pub const ICA: &str = "CN=Test Signing Intermediate CA,O=Test Trust Services,C=SG";
/// The user's name.
pub const USER: &str = "CN=S0000001A Test User,O=Test Trust Services,C=SG";
/// The name of a root that is not a trust anchor.
pub const OTHER_ROOT: &str = "CN=Other Root CA,O=Elsewhere,C=SG";

/// The certificates of the test PKI.
#[derive(Debug)]
pub struct Pki {
    /// The root CA (self-signed, P-256): the trust anchor.
    pub root: Vec<u8>,
    /// The intermediate CA (P-256), issued by the root, path length 0.
    pub ica: Vec<u8>,
    /// The user's P-256 certificate: valid for 100 s around the clock, like the service's
    /// short-lived per-session certificates.
    pub leaf_p256: Vec<u8>,
    /// The user's P-384 certificate.
    pub leaf_p384: Vec<u8>,
    /// Valid until 100 s before the clock.
    pub leaf_expired: Vec<u8>,
    /// Names the ICA as issuer but is signed by another key.
    pub leaf_forged: Vec<u8>,
    /// Key usage keyEncipherment only.
    pub leaf_no_signature_usage: Vec<u8>,
    /// With an unknown critical extension.
    pub leaf_critical_extension: Vec<u8>,
    /// An intermediate without basic constraints, and a leaf it issued.
    pub ica_not_ca: Vec<u8>,
    /// A leaf issued by [`Pki::ica_not_ca`].
    pub leaf_under_not_ca: Vec<u8>,
    /// A second intermediate below the ICA (whose path length constraint is 0), and its leaf.
    pub ica2: Vec<u8>,
    /// A leaf issued by [`Pki::ica2`].
    pub leaf_under_ica2: Vec<u8>,
    /// An RSA intermediate (issued by the root) and a leaf it signed with RSA.
    pub ica_rsa: Vec<u8>,
    /// A leaf issued by [`Pki::ica_rsa`], signed with RSA.
    pub leaf_under_rsa: Vec<u8>,
    /// A chain to a root that is not a trust anchor.
    pub other_root: Vec<u8>,
    /// A leaf issued under [`Pki::other_root`].
    pub leaf_other: Vec<u8>,
}

const YEAR_2020: i64 = 1_577_836_800;
const YEAR_2024: i64 = 1_704_067_200;
const YEAR_2030: i64 = 1_893_456_000;
const YEAR_2040: i64 = 2_208_988_800;

/// The test PKI, built once.
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(build_pki)
}

fn leaf(
    serial: u32,
    spki: SubjectPublicKeyInfoOwned,
    window: (i64, i64),
    extensions: Vec<Extension>,
    issuer: &str,
    issuer_key: &p256::SecretKey,
) -> Vec<u8> {
    certificate(
        CertSpec {
            subject: USER,
            issuer,
            serial,
            not_before: window.0,
            not_after: window.1,
            extensions,
        },
        spki,
        issuer_key,
    )
}

fn build_pki() -> Pki {
    let root_key = p256_key("root ca");
    let ica_key = p256_key("intermediate ca");
    let root = certificate(
        CertSpec {
            subject: ROOT,
            issuer: ROOT,
            serial: 1,
            not_before: YEAR_2020,
            not_after: YEAR_2040,
            extensions: ca_extensions(None),
        },
        spki_p256(&root_key),
        &root_key,
    );
    let ica = certificate(
        CertSpec {
            subject: ICA,
            issuer: ROOT,
            serial: 2,
            not_before: YEAR_2024,
            not_after: YEAR_2030,
            extensions: ca_extensions(Some(0)),
        },
        spki_p256(&ica_key),
        &root_key,
    );
    let user = Leaves::new(&ica_key);
    let (ica_not_ca, leaf_under_not_ca) = not_a_ca(&root_key);
    let (ica2, leaf_under_ica2) = second_intermediate(&ica_key);
    let (ica_rsa, leaf_under_rsa) = rsa_intermediate(&root_key);
    let (other_root, leaf_other) = other_root();
    Pki {
        root,
        ica,
        leaf_p256: user.p256,
        leaf_p384: user.p384,
        leaf_expired: user.expired,
        leaf_forged: user.forged,
        leaf_no_signature_usage: user.no_signature_usage,
        leaf_critical_extension: user.critical_extension,
        ica_not_ca,
        leaf_under_not_ca,
        ica2,
        leaf_under_ica2,
        ica_rsa,
        leaf_under_rsa,
        other_root,
        leaf_other,
    }
}

/// The validity of the user certificates: 100 s around the clock.
const WINDOW: (i64, i64) = (T - 60, T + 40);

/// The SubjectPublicKeyInfo of the user's P-256 key.
fn user256() -> SubjectPublicKeyInfoOwned {
    spki_p256(&p256_key("user p256"))
}

/// The user certificates the intermediate CA issues (or seems to).
struct Leaves {
    p256: Vec<u8>,
    p384: Vec<u8>,
    expired: Vec<u8>,
    forged: Vec<u8>,
    no_signature_usage: Vec<u8>,
    critical_extension: Vec<u8>,
}

impl Leaves {
    fn new(ica_key: &p256::SecretKey) -> Self {
        let (window, user256) = (WINDOW, user256());
        let leaf_p256 = leaf(10, user256.clone(), window, leaf_extensions(), ICA, ica_key);
        let leaf_p384 = leaf(
            11,
            spki_p384(&p384_key("user p384")),
            window,
            leaf_extensions(),
            ICA,
            ica_key,
        );
        let leaf_expired = leaf(
            12,
            user256.clone(),
            (T - 200, T - 100),
            leaf_extensions(),
            ICA,
            ica_key,
        );
        let leaf_forged = leaf(
            13,
            user256.clone(),
            window,
            leaf_extensions(),
            ICA,
            &p256_key("rogue"),
        );
        let leaf_no_signature_usage = leaf(
            14,
            user256.clone(),
            window,
            vec![key_usage(KeyUsage(KeyUsages::KeyEncipherment.into()))],
            ICA,
            ica_key,
        );
        let mut critical = leaf_extensions();
        critical.push(ext("1.3.6.1.4.1.99999.1", true, vec![0x05, 0x00]));
        let leaf_critical_extension = leaf(15, user256.clone(), window, critical, ICA, ica_key);
        Self {
            p256: leaf_p256,
            p384: leaf_p384,
            expired: leaf_expired,
            forged: leaf_forged,
            no_signature_usage: leaf_no_signature_usage,
            critical_extension: leaf_critical_extension,
        }
    }
}

/// An intermediate without basic constraints, and a leaf it issued.
fn not_a_ca(root_key: &p256::SecretKey) -> (Vec<u8>, Vec<u8>) {
    let (window, user256) = (WINDOW, user256());
    let not_ca_key = p256_key("not a ca");
    const NOT_CA: &str = "CN=Test Not A CA,O=Test Trust Services,C=SG";
    let ica_not_ca = certificate(
        CertSpec {
            subject: NOT_CA,
            issuer: ROOT,
            serial: 3,
            not_before: YEAR_2024,
            not_after: YEAR_2030,
            extensions: vec![key_usage(KeyUsage(KeyUsages::DigitalSignature.into()))],
        },
        spki_p256(&not_ca_key),
        root_key,
    );
    let leaf_under_not_ca = leaf(
        17,
        user256.clone(),
        window,
        leaf_extensions(),
        NOT_CA,
        &not_ca_key,
    );
    (ica_not_ca, leaf_under_not_ca)
}

/// A second intermediate below the ICA, and its leaf.
fn second_intermediate(ica_key: &p256::SecretKey) -> (Vec<u8>, Vec<u8>) {
    let (window, user256) = (WINDOW, user256());
    let ica2_key = p256_key("intermediate ca 2");
    const ICA2: &str = "CN=Test Sub Intermediate CA,O=Test Trust Services,C=SG";
    let ica2 = certificate(
        CertSpec {
            subject: ICA2,
            issuer: ICA,
            serial: 4,
            not_before: YEAR_2024,
            not_after: YEAR_2030,
            extensions: ca_extensions(None),
        },
        spki_p256(&ica2_key),
        ica_key,
    );
    let leaf_under_ica2 = leaf(
        18,
        user256.clone(),
        window,
        leaf_extensions(),
        ICA2,
        &ica2_key,
    );
    (ica2, leaf_under_ica2)
}

/// An RSA intermediate issued by the root, and a leaf it signed with RSA.
fn rsa_intermediate(root_key: &p256::SecretKey) -> (Vec<u8>, Vec<u8>) {
    let (window, user256) = (WINDOW, user256());
    let rsa_key = rsa_ica_key();
    const ICA_RSA: &str = "CN=Test RSA Intermediate CA,O=Test Trust Services,C=SG";
    let ica_rsa = certificate(
        CertSpec {
            subject: ICA_RSA,
            issuer: ROOT,
            serial: 6,
            not_before: YEAR_2024,
            not_after: YEAR_2030,
            extensions: ca_extensions(Some(0)),
        },
        SubjectPublicKeyInfoOwned::from_key(&rsa_key.to_public_key()).unwrap(),
        root_key,
    );
    let leaf_under_rsa = certificate_rsa(
        CertSpec {
            subject: USER,
            issuer: ICA_RSA,
            serial: 20,
            not_before: window.0,
            not_after: window.1,
            extensions: leaf_extensions(),
        },
        user256.clone(),
        &rsa_key,
    );
    (ica_rsa, leaf_under_rsa)
}

/// A root that is not a trust anchor, and a leaf it issued.
fn other_root() -> (Vec<u8>, Vec<u8>) {
    let (window, user256) = (WINDOW, user256());
    let other_key = p256_key("other root");
    let other_root = certificate(
        CertSpec {
            subject: OTHER_ROOT,
            issuer: OTHER_ROOT,
            serial: 5,
            not_before: YEAR_2020,
            not_after: YEAR_2040,
            extensions: ca_extensions(None),
        },
        spki_p256(&other_key),
        &other_key,
    );
    let leaf_other = leaf(
        19,
        user256,
        window,
        leaf_extensions(),
        OTHER_ROOT,
        &other_key,
    );
    (other_root, leaf_other)
}

/// The trust anchors: the root CA.
pub fn anchors() -> signing_challenge::TrustAnchors {
    signing_challenge::TrustAnchors::new()
        .with_der(&pki().root)
        .unwrap()
}

/// [`SIGN_REF`], parsed.
pub fn sign_ref() -> SignRef {
    SIGN_REF.parse().unwrap()
}

/// [`CODE`], parsed.
pub fn code() -> ChallengeCode {
    CODE.parse().unwrap()
}

/// The session as the phone knows it when the challenge arrives.
pub fn mobile_session() -> Session {
    Session::new().sign_ref(sign_ref()).nonce(NONCE)
}

/// The session as the service knows it when the response arrives.
pub fn service_session(cert: &[u8]) -> Session {
    Session::new()
        .sign_ref(sign_ref())
        .doc_hash(doc_hash())
        .challenge_code(code())
        .hss_nonce(HSS_NONCE)
        .usr_cert(cert.to_vec())
        .ff_id(FF_ID)
        .challenge_issued_at(T)
}

/// A challenge builder with the session's values, issued at [`T`].
pub fn challenge_builder() -> SignedChallengeBuilder {
    SignedChallengeBuilder::new()
        .sign_ref(sign_ref())
        .doc_hash(doc_hash())
        .challenge_code(code())
        .hss_nonce(HSS_NONCE)
        .nonce(NONCE)
        .client_name("Test Signing Portal")
        .doc_name("Tenancy agreement.pdf")
        .issued_at(T)
}

/// A response builder for the P-256 user, signed at T + 0.5 s, sent at T + 1.
pub fn response_builder(chain: Vec<Vec<u8>>, user: &Jwk) -> SignedResponseBuilder {
    SignedResponseBuilder::new()
        .sign_ref(sign_ref())
        .ff_id(FF_ID)
        .doc_hash(doc_hash())
        .challenge_code(code())
        .user_signature(UserSignature::sign(&doc_hash(), user).unwrap())
        .hss_nonce(HSS_NONCE)
        .timestamp(T * 1000 + 500)
        .issued_at(T + 1)
        .x5c(chain)
}

/// A signing key for the user's key (its algorithm from the key).
pub fn user_signer(user: &Jwk) -> SigningKey {
    SigningKey::from_jwk(user.clone()).unwrap()
}

/// The user's P-256 certificate and the intermediate: a chain that verifies.
pub fn good_chain() -> Vec<Vec<u8>> {
    vec![pki().leaf_p256.clone(), pki().ica.clone()]
}
