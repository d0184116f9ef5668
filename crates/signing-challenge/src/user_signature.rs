//! The user's signature over the document hash (`usr_signature`).

use crate::values::{decode_hex, encode_hex};
use crate::{DocHash, SigningChallengeError};
use jose_core::jwk::{EcKey, Jwk, KeyMaterial};
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};

/// Longest accepted `usr_signature`, in hex digits (the HSS 2.1.1 schema's limit).
const MAX_HEX: usize = 1024;

/// `usr_signature`: an ECDSA signature by the user's key over `doc_hash` taken as the digest
/// itself (no second hashing), as the hex of a DER `ECDSA-Sig-Value`.
///
/// Parsing is strict: even-length hex, DER with minimal integers and no trailing bytes. Either
/// form of `s` is accepted (phone keystores do not normalise to low `s`). P-256 and P-384 user
/// keys occur in practice; P-521 is accepted too.
///
/// ```
/// use jose_core::alg::JwsAlgorithm;
/// use jose_core::jwk::Jwk;
/// use signing_challenge::{DocHash, UserSignature};
///
/// let user_key = Jwk::generate(JwsAlgorithm::ES256)?;
/// let doc_hash: DocHash = "6ac7637da92c76385f95a92c7617e591a8f6df8f74f37ef8db7e25e648e1db7e".parse()?;
/// let sig = UserSignature::sign(&doc_hash, &user_key)?;
/// let parsed: UserSignature = sig.to_hex().parse()?;
/// parsed.verify(&doc_hash, &user_key.to_public()?)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserSignature(Vec<u8>);

fn malformed(reason: &'static str) -> SigningChallengeError {
    SigningChallengeError::UserSignatureMalformed(reason)
}

impl core::str::FromStr for UserSignature {
    type Err = SigningChallengeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() > MAX_HEX {
            return Err(malformed("longer than 1024 hex digits"));
        }
        let der = decode_hex(s).ok_or_else(|| malformed("not even-length hex"))?;
        Self::from_der(&der)
    }
}

impl core::fmt::Display for UserSignature {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl UserSignature {
    /// A signature from its DER encoding, checked to be a strict DER `ECDSA-Sig-Value` of one
    /// of the supported curves' sizes.
    ///
    /// # Errors
    /// [`SigningChallengeError::UserSignatureMalformed`].
    pub fn from_der(der: &[u8]) -> Result<Self, SigningChallengeError> {
        let ok = p256::ecdsa::DerSignature::from_bytes(der).is_ok()
            || p384::ecdsa::DerSignature::from_bytes(der).is_ok()
            || p521::ecdsa::DerSignature::from_bytes(der).is_ok();
        if ok {
            Ok(Self(der.to_vec()))
        } else {
            Err(malformed("not a strict DER ECDSA signature"))
        }
    }

    /// The DER encoding.
    #[must_use]
    pub fn as_der(&self) -> &[u8] {
        &self.0
    }

    /// The lower-case hex of the DER encoding, as written into tokens.
    #[must_use]
    pub fn to_hex(&self) -> String {
        encode_hex(&self.0)
    }

    /// Signs `doc_hash` as a digest with the user's private EC key (deterministic, RFC 6979).
    ///
    /// # Errors
    /// [`SigningChallengeError::Key`] for a public or non-EC key.
    pub fn sign(doc_hash: &DocHash, key: &Jwk) -> Result<Self, SigningChallengeError> {
        let not_private =
            || SigningChallengeError::Key("the user key must be a private EC key".into());
        let failed = |_| SigningChallengeError::Key("ECDSA signing failed".into());
        let prehash = doc_hash.as_bytes();
        let der = match key.material() {
            KeyMaterial::Ec(EcKey::P256 {
                secret: Some(s), ..
            }) => {
                let sig: p256::ecdsa::DerSignature = p256::ecdsa::SigningKey::from(s)
                    .sign_prehash(prehash)
                    .map_err(failed)?;
                sig.as_bytes().to_vec()
            }
            KeyMaterial::Ec(EcKey::P384 {
                secret: Some(s), ..
            }) => {
                let sig: p384::ecdsa::DerSignature = p384::ecdsa::SigningKey::from(s)
                    .sign_prehash(prehash)
                    .map_err(failed)?;
                sig.as_bytes().to_vec()
            }
            KeyMaterial::Ec(EcKey::P521 {
                secret: Some(s), ..
            }) => {
                let sig: p521::ecdsa::DerSignature = p521::ecdsa::SigningKey::from(s)
                    .sign_prehash(prehash)
                    .map_err(failed)?;
                sig.as_bytes().to_vec()
            }
            _ => return Err(not_private()),
        };
        Ok(Self(der))
    }

    /// Verifies the signature over `doc_hash` (as a digest) with the user's public key.
    ///
    /// # Errors
    /// [`SigningChallengeError::UserSignatureInvalid`] when it does not verify,
    /// [`SigningChallengeError::UserSignatureMalformed`] when it is not a signature of the
    /// key's curve, [`SigningChallengeError::Key`] for a non-EC key.
    pub fn verify(&self, doc_hash: &DocHash, key: &Jwk) -> Result<(), SigningChallengeError> {
        let wrong_curve = || malformed("not a signature of the key's curve");
        let invalid = |_| SigningChallengeError::UserSignatureInvalid;
        let prehash = doc_hash.as_bytes();
        match key.material() {
            KeyMaterial::Ec(EcKey::P256 { public, .. }) => {
                let sig = p256::ecdsa::Signature::from_der(&self.0).map_err(|_| wrong_curve())?;
                p256::ecdsa::VerifyingKey::from(public)
                    .verify_prehash(prehash, &sig)
                    .map_err(invalid)
            }
            KeyMaterial::Ec(EcKey::P384 { public, .. }) => {
                let sig = p384::ecdsa::Signature::from_der(&self.0).map_err(|_| wrong_curve())?;
                p384::ecdsa::VerifyingKey::from(public)
                    .verify_prehash(prehash, &sig)
                    .map_err(invalid)
            }
            KeyMaterial::Ec(EcKey::P521 { public, .. }) => {
                let sig = p521::ecdsa::Signature::from_der(&self.0).map_err(|_| wrong_curve())?;
                p521::ecdsa::VerifyingKey::from_affine(*public.as_affine())
                    .map_err(|_| SigningChallengeError::Key("invalid P-521 key".into()))?
                    .verify_prehash(prehash, &sig)
                    .map_err(invalid)
            }
            _ => Err(SigningChallengeError::Key(
                "the user's certificate does not hold an EC key".into(),
            )),
        }
    }
}
