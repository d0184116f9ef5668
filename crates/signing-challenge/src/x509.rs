//! X.509 path validation for the signed response's `x5c`: from the user's certificate to a
//! caller-supplied trust anchor, at the instant the user signed.
//!
//! The checks (a subset of RFC 5280 §6 sized for this use): at most `max_chain_len`
//! certificates of at most `max_cert_bytes` each; every certificate valid at the instant; each
//! issued by the next (name chaining and signature); every issuer a CA by basic constraints,
//! allowed to sign certificates by key usage when present, within its path length constraint;
//! no unknown critical extension; the leaf's key usage allowing digital signatures when
//! present; the last certificate a trust anchor or issued by one. Revocation (OCSP, CRL) is the
//! caller's, after this.

use crate::SigningChallengeError;
use der::{Decode, Encode};
use jose_core::jwk::{EcKey, Jwk, KeyMaterial};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_cert::Certificate;
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};

const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
#[cfg(feature = "rsa")]
const RSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
#[cfg(feature = "rsa")]
const RSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
#[cfg(feature = "rsa")]
const RSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");

/// Extensions this validation understands or may ignore when critical: basic constraints,
/// key usage, extended key usage, subject alternative name.
const KNOWN_CRITICAL: [ObjectIdentifier; 4] = [
    ObjectIdentifier::new_unwrap("2.5.29.19"),
    ObjectIdentifier::new_unwrap("2.5.29.15"),
    ObjectIdentifier::new_unwrap("2.5.29.37"),
    ObjectIdentifier::new_unwrap("2.5.29.17"),
];

/// Limits of a certificate chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainLimits {
    /// Most certificates in `x5c` (default 4).
    pub max_chain_len: usize,
    /// Largest certificate, in DER bytes (default 8 KiB).
    pub max_cert_bytes: usize,
}

impl Default for ChainLimits {
    fn default() -> Self {
        Self {
            max_chain_len: 4,
            max_cert_bytes: 8 << 10,
        }
    }
}

/// One trusted certificate authority: its subject name and key.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Anchor {
    der: Vec<u8>,
    subject: Vec<u8>,
    key: Jwk,
}

/// The certificate authorities whose certificates end a valid chain (for the NDI service: its
/// root CA, or the intermediate CA when that is what is pinned).
///
/// An anchor is trusted as given: its own validity period and constraints are not checked.
///
/// ```
/// use signing_challenge::TrustAnchors;
///
/// let anchors = TrustAnchors::new();
/// assert!(anchors.is_empty());
/// assert!(TrustAnchors::new().with_der(b"not a certificate").is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustAnchors(Vec<Anchor>);

impl TrustAnchors {
    /// No anchor yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a DER certificate.
    ///
    /// # Errors
    /// [`SigningChallengeError::InvalidValue`] for anything but a DER X.509 certificate with a
    /// supported public key.
    pub fn with_der(mut self, der: &[u8]) -> Result<Self, SigningChallengeError> {
        let bad = |reason| SigningChallengeError::InvalidValue {
            what: "trust anchor",
            reason,
        };
        let cert = Certificate::from_der(der).map_err(|_| bad("not a DER X.509 certificate"))?;
        let tbs = cert.tbs_certificate();
        let subject = tbs
            .subject()
            .to_der()
            .map_err(|_| bad("unreadable subject"))?;
        let spki = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(|_| bad("unreadable public key"))?;
        let key = Jwk::from_spki_der(&spki).map_err(|_| bad("unsupported public key"))?;
        self.0.push(Anchor {
            der: der.to_vec(),
            subject,
            key,
        });
        Ok(self)
    }

    /// Adds every certificate of a PEM text.
    ///
    /// # Errors
    /// As [`TrustAnchors::with_der`]; also when the text holds no certificate.
    pub fn with_pem(mut self, pem: &str) -> Result<Self, SigningChallengeError> {
        let ders = pem_certificates(pem)?;
        for der in ders {
            self = self.with_der(&der)?;
        }
        Ok(self)
    }

    /// The number of anchors.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no anchor.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The DER certificates of a PEM text (`-----BEGIN CERTIFICATE-----` blocks).
///
/// # Errors
/// [`SigningChallengeError::InvalidValue`] when a block does not decode, or there is none.
pub fn pem_certificates(pem: &str) -> Result<Vec<Vec<u8>>, SigningChallengeError> {
    let bad = |reason| SigningChallengeError::InvalidValue {
        what: "PEM certificate",
        reason,
    };
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some((_, after_begin)) = rest.split_once("-----BEGIN CERTIFICATE-----") {
        let (block, after_end) = after_begin
            .split_once("-----END CERTIFICATE-----")
            .ok_or_else(|| bad("unterminated block"))?;
        let body: String = block.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        out.push(jose_core::b64::decode_standard(&body).map_err(|_| bad("not base64"))?);
        rest = after_end;
    }
    if out.is_empty() {
        return Err(bad("no CERTIFICATE block"));
    }
    Ok(out)
}

/// A parsed certificate with the bytes its signature covers.
struct Parsed {
    cert: Certificate,
    tbs: Vec<u8>,
}

fn cert_error(index: usize, reason: impl Into<String>) -> SigningChallengeError {
    SigningChallengeError::CertificateInvalid {
        index,
        reason: reason.into(),
    }
}

fn parse(index: usize, der: &[u8], limits: &ChainLimits) -> Result<Parsed, SigningChallengeError> {
    if der.len() > limits.max_cert_bytes {
        return Err(cert_error(
            index,
            format!(
                "{} bytes, more than the limit of {}",
                der.len(),
                limits.max_cert_bytes
            ),
        ));
    }
    let cert =
        Certificate::from_der(der).map_err(|_| cert_error(index, "not a DER X.509 certificate"))?;
    let tbs = cert
        .tbs_certificate()
        .to_der()
        .map_err(|_| cert_error(index, "unreadable"))?;
    // DER decoding is strict, so re-encoding gives the signed bytes; make sure of it.
    if !der.windows(tbs.len()).take(8).any(|w| w == tbs.as_slice()) {
        return Err(cert_error(index, "not in canonical DER"));
    }
    Ok(Parsed { cert, tbs })
}

/// The certificate's public key.
pub(crate) fn certificate_key(
    cert: &Certificate,
    index: usize,
) -> Result<Jwk, SigningChallengeError> {
    let spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|_| cert_error(index, "unreadable public key"))?;
    Jwk::from_spki_der(&spki).map_err(|e| SigningChallengeError::UnsupportedCertificateAlgorithm {
        index,
        what: e.to_string(),
    })
}

/// Verifies `signature` (as found in a certificate) over `tbs` with the issuer's `key`.
fn verify_certificate_signature(
    subject: &Parsed,
    key: &Jwk,
    index: usize,
) -> Result<(), SigningChallengeError> {
    let oid = subject.cert.signature_algorithm().oid;
    let sig = subject
        .cert
        .signature()
        .as_bytes()
        .ok_or_else(|| cert_error(index, "signature has unused bits"))?;
    let unsupported = || SigningChallengeError::UnsupportedCertificateAlgorithm {
        index,
        what: format!("{oid} with {:?} key", key.key_type()),
    };
    let invalid = || SigningChallengeError::CertificateSignatureInvalid { index };
    let digest = match oid {
        ECDSA_SHA256 => Sha256::digest(&subject.tbs).to_vec(),
        ECDSA_SHA384 => Sha384::digest(&subject.tbs).to_vec(),
        ECDSA_SHA512 => Sha512::digest(&subject.tbs).to_vec(),
        #[cfg(feature = "rsa")]
        RSA_SHA256 | RSA_SHA384 | RSA_SHA512 => {
            return verify_rsa(oid, &subject.tbs, sig, key)
                .ok_or_else(unsupported)?
                .map_err(|()| invalid());
        }
        _ => return Err(unsupported()),
    };
    let ok = match key.material() {
        KeyMaterial::Ec(EcKey::P256 { public, .. }) => p256::ecdsa::Signature::from_der(sig)
            .is_ok_and(|s| {
                p256::ecdsa::VerifyingKey::from(public)
                    .verify_prehash(&digest, &s)
                    .is_ok()
            }),
        KeyMaterial::Ec(EcKey::P384 { public, .. }) => p384::ecdsa::Signature::from_der(sig)
            .is_ok_and(|s| {
                p384::ecdsa::VerifyingKey::from(public)
                    .verify_prehash(&digest, &s)
                    .is_ok()
            }),
        KeyMaterial::Ec(EcKey::P521 { public, .. }) => {
            let vk = p521::ecdsa::VerifyingKey::from_affine(*public.as_affine())
                .map_err(|_| unsupported())?;
            p521::ecdsa::Signature::from_der(sig)
                .is_ok_and(|s| vk.verify_prehash(&digest, &s).is_ok())
        }
        _ => return Err(unsupported()),
    };
    if ok { Ok(()) } else { Err(invalid()) }
}

/// RSASSA-PKCS1-v1_5; `None` when the key is not RSA, `Some(Err)` when it does not verify.
#[cfg(feature = "rsa")]
fn verify_rsa(oid: ObjectIdentifier, tbs: &[u8], sig: &[u8], key: &Jwk) -> Option<Result<(), ()>> {
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier;
    let KeyMaterial::Rsa(rsa_key) = key.material() else {
        return None;
    };
    let public = rsa_key.public_key().clone();
    let Ok(signature) = Signature::try_from(sig) else {
        return Some(Err(()));
    };
    let ok = match oid {
        RSA_SHA256 => VerifyingKey::<Sha256>::new(public)
            .verify(tbs, &signature)
            .is_ok(),
        RSA_SHA384 => VerifyingKey::<Sha384>::new(public)
            .verify(tbs, &signature)
            .is_ok(),
        _ => VerifyingKey::<Sha512>::new(public)
            .verify(tbs, &signature)
            .is_ok(),
    };
    Some(if ok { Ok(()) } else { Err(()) })
}

fn seconds(t: x509_cert::time::Time) -> i64 {
    i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

/// The result of a successful path validation.
#[derive(Clone, Debug)]
pub(crate) struct ValidatedChain {
    /// The leaf certificate's public key.
    pub(crate) leaf_key: Jwk,
}

/// Validates `chain` (DER, leaf first) at `at` (Unix seconds).
pub(crate) fn validate(
    chain: &[Vec<u8>],
    anchors: &TrustAnchors,
    at: i64,
    limits: &ChainLimits,
) -> Result<ValidatedChain, SigningChallengeError> {
    if chain.is_empty() {
        return Err(SigningChallengeError::X5cInvalid("empty"));
    }
    if chain.len() > limits.max_chain_len {
        return Err(SigningChallengeError::ChainTooLong {
            len: chain.len(),
            max: limits.max_chain_len,
        });
    }
    let parsed = chain
        .iter()
        .enumerate()
        .map(|(i, der)| parse(i, der, limits))
        .collect::<Result<Vec<_>, _>>()?;

    for (index, p) in parsed.iter().enumerate() {
        let tbs = p.cert.tbs_certificate();
        let validity = tbs.validity();
        let (not_before, not_after) = (seconds(validity.not_before), seconds(validity.not_after));
        if at < not_before || at > not_after {
            return Err(SigningChallengeError::CertificateNotValidAt {
                index,
                at,
                not_before,
                not_after,
            });
        }
        for ext in tbs.extensions().map(|e| e.as_slice()).unwrap_or_default() {
            if ext.critical && !KNOWN_CRITICAL.contains(&ext.extn_id) {
                return Err(SigningChallengeError::UnknownCriticalExtension {
                    index,
                    oid: ext.extn_id.to_string(),
                });
            }
        }
    }

    // The leaf signs the JWS (and the document): digital signature, when key usage is stated.
    let leaf = parsed[0].cert.tbs_certificate();
    let leaf_usage = leaf
        .get_extension::<KeyUsage>()
        .map_err(|_| cert_error(0, "unreadable key usage"))?;
    if let Some((_, usage)) = leaf_usage
        && !usage.0.contains(KeyUsages::DigitalSignature)
    {
        return Err(SigningChallengeError::LeafKeyUsage);
    }

    // Each certificate is issued by the next one, which must be a CA.
    for index in 0..parsed.len().saturating_sub(1) {
        let subject = &parsed[index];
        let issuer = &parsed[index + 1];
        if subject.cert.tbs_certificate().issuer() != issuer.cert.tbs_certificate().subject() {
            return Err(SigningChallengeError::ChainBroken { index });
        }
        check_ca(&issuer.cert, index + 1, index)?;
        let key = certificate_key(&issuer.cert, index + 1)?;
        verify_certificate_signature(subject, &key, index)?;
    }

    // The last certificate is an anchor, or is issued by one.
    let last_index = parsed.len() - 1;
    let last = &parsed[last_index];
    let is_anchor = anchors.0.iter().any(|a| a.der == chain[last_index]);
    if !is_anchor {
        let issuer_name = last
            .cert
            .tbs_certificate()
            .issuer()
            .to_der()
            .map_err(|_| cert_error(last_index, "unreadable issuer"))?;
        let mut candidates = anchors
            .0
            .iter()
            .filter(|a| a.subject == issuer_name)
            .peekable();
        if candidates.peek().is_none() {
            return Err(SigningChallengeError::UntrustedChain);
        }
        let mut last_error = SigningChallengeError::UntrustedChain;
        let mut verified = false;
        for anchor in candidates {
            match verify_certificate_signature(last, &anchor.key, last_index) {
                Ok(()) => {
                    verified = true;
                    break;
                }
                Err(e) => last_error = e,
            }
        }
        if !verified {
            return Err(last_error);
        }
    }

    Ok(ValidatedChain {
        leaf_key: certificate_key(&parsed[0].cert, 0)?,
    })
}

/// Checks that `cert` (at `index`) may issue certificates, with `below` CA certificates
/// between it and the leaf.
fn check_ca(cert: &Certificate, index: usize, below: usize) -> Result<(), SigningChallengeError> {
    let tbs = cert.tbs_certificate();
    let constraints = tbs
        .get_extension::<BasicConstraints>()
        .map_err(|_| cert_error(index, "unreadable basic constraints"))?;
    let Some((_, bc)) = constraints else {
        return Err(SigningChallengeError::NotACa {
            index,
            reason: "no basic constraints",
        });
    };
    if !bc.ca {
        return Err(SigningChallengeError::NotACa {
            index,
            reason: "basic constraints say cA = false",
        });
    }
    if let Some(max) = bc.path_len_constraint
        && below > usize::from(max)
    {
        return Err(SigningChallengeError::NotACa {
            index,
            reason: "path length constraint exceeded",
        });
    }
    let usage = tbs
        .get_extension::<KeyUsage>()
        .map_err(|_| cert_error(index, "unreadable key usage"))?;
    if let Some((_, ku)) = usage
        && !ku.0.contains(KeyUsages::KeyCertSign)
    {
        return Err(SigningChallengeError::NotACa {
            index,
            reason: "key usage lacks keyCertSign",
        });
    }
    Ok(())
}
