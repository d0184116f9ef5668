//! What a verifier knows of the signing session, to compare the tokens with.

use crate::{ChallengeCode, DocHash, SignRef, SigningChallengeError};
use serde_json::{Map, Value};

/// The session values a verifier compares the token's claims with.
///
/// Each value is compared when present. The verifiers also require some of them by default
/// (the signing reference and the mobile's nonce for a signed challenge; the signing
/// reference, `hss_nonce`, `doc_hash`, `challenge_code` and the user's certificate for a
/// signed response), since a check without its reference value protects nothing; call
/// `partial_session()` on the verifier to opt out.
///
/// ```
/// use signing_challenge::Session;
///
/// let session = Session::new()
///     .sign_ref("0e8f5a4c-3b1d-4a2e-9f60-7c1b2d3e4f50".parse()?)
///     .nonce("mobile-nonce-1");
/// assert!(session.hss_nonce.is_none());
/// # Ok::<(), signing_challenge::SigningChallengeError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Session {
    /// The signing reference of the session (the request path's `sign-ref`).
    pub sign_ref: Option<SignRef>,
    /// The nonce the mobile sent with its challenge request (echoed in the signed challenge).
    pub nonce: Option<String>,
    /// The document hash the signing application submitted.
    pub doc_hash: Option<DocHash>,
    /// The challenge code shown to the user.
    pub challenge_code: Option<ChallengeCode>,
    /// The `hss_nonce` of the signed challenge (echoed in the signed response).
    pub hss_nonce: Option<String>,
    /// The user's certificate (DER) released in the first leg.
    pub usr_cert: Option<Vec<u8>>,
    /// The form-factor id registered for the user's device.
    pub ff_id: Option<String>,
    /// The `iat` of the signed challenge (Unix seconds): the earliest the user can have signed.
    pub challenge_issued_at: Option<i64>,
}

impl Session {
    /// The document values both tokens carry (`doc_hash`, `challenge_code`, `hss_nonce`),
    /// each compared, in this order, when the session has it; hash and nonce in constant time.
    pub(crate) fn check_document_values(
        &self,
        doc_hash: &DocHash,
        challenge_code: &ChallengeCode,
        hss_nonce: &str,
    ) -> Result<(), SigningChallengeError> {
        if let Some(expected) = &self.doc_hash
            && !jose_core::constant_time_eq(doc_hash.as_bytes(), expected.as_bytes())
        {
            return Err(SigningChallengeError::DocHashMismatch);
        }
        if let Some(expected) = &self.challenge_code
            && challenge_code != expected
        {
            return Err(SigningChallengeError::ChallengeCodeMismatch);
        }
        if let Some(expected) = &self.hss_nonce
            && !crate::jose::same(hss_nonce, expected)
        {
            return Err(SigningChallengeError::HssNonceMismatch);
        }
        Ok(())
    }

    /// An empty session.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the signing reference.
    #[must_use]
    pub fn sign_ref(mut self, sign_ref: SignRef) -> Self {
        self.sign_ref = Some(sign_ref);
        self
    }

    /// Sets the mobile's nonce.
    #[must_use]
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// Sets the document hash.
    #[must_use]
    pub fn doc_hash(mut self, doc_hash: DocHash) -> Self {
        self.doc_hash = Some(doc_hash);
        self
    }

    /// Sets the challenge code.
    #[must_use]
    pub fn challenge_code(mut self, code: ChallengeCode) -> Self {
        self.challenge_code = Some(code);
        self
    }

    /// Sets the `hss_nonce`.
    #[must_use]
    pub fn hss_nonce(mut self, hss_nonce: impl Into<String>) -> Self {
        self.hss_nonce = Some(hss_nonce.into());
        self
    }

    /// Sets the user's certificate (DER).
    #[must_use]
    pub fn usr_cert(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.usr_cert = Some(der.into());
        self
    }

    /// Sets the registered form-factor id.
    #[must_use]
    pub fn ff_id(mut self, ff_id: impl Into<String>) -> Self {
        self.ff_id = Some(ff_id.into());
        self
    }

    /// Sets the signed challenge's `iat`.
    #[must_use]
    pub fn challenge_issued_at(mut self, iat: i64) -> Self {
        self.challenge_issued_at = Some(iat);
        self
    }

    /// Reads a session from a JSON object with the members `sign_ref`, `nonce`, `doc_hash`,
    /// `challenge_code`, `hss_nonce`, `usr_cert` (standard base64 of the DER certificate),
    /// `ff_id` and `challenge_iat`, each optional. Other members are refused (a misspelt
    /// member would silently disable its check).
    ///
    /// # Errors
    /// [`SigningChallengeError::InvalidValue`] naming the member.
    pub fn from_json(map: &Map<String, Value>) -> Result<Self, SigningChallengeError> {
        let bad = |what| SigningChallengeError::InvalidValue {
            what,
            reason: "has the wrong type or form",
        };
        let string = |name: &'static str| -> Result<Option<String>, SigningChallengeError> {
            match map.get(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(bad(name)),
            }
        };
        let mut s = Self::new();
        for name in map.keys() {
            if ![
                "sign_ref",
                "nonce",
                "doc_hash",
                "challenge_code",
                "hss_nonce",
                "usr_cert",
                "ff_id",
                "challenge_iat",
            ]
            .contains(&name.as_str())
            {
                return Err(SigningChallengeError::InvalidValue {
                    what: "session",
                    reason: "has an unknown member",
                });
            }
        }
        if let Some(v) = string("sign_ref")? {
            s.sign_ref = Some(v.parse().map_err(|_| bad("sign_ref"))?);
        }
        s.nonce = string("nonce")?;
        if let Some(v) = string("doc_hash")? {
            s.doc_hash = Some(v.parse().map_err(|_| bad("doc_hash"))?);
        }
        if let Some(v) = string("challenge_code")? {
            s.challenge_code = Some(v.parse().map_err(|_| bad("challenge_code"))?);
        }
        s.hss_nonce = string("hss_nonce")?;
        if let Some(v) = string("usr_cert")? {
            s.usr_cert = Some(jose_core::b64::decode_standard(&v).map_err(|_| bad("usr_cert"))?);
        }
        s.ff_id = string("ff_id")?;
        s.challenge_issued_at = match map.get("challenge_iat") {
            None => None,
            Some(v) => Some(v.as_i64().ok_or_else(|| bad("challenge_iat"))?),
        };
        Ok(s)
    }
}
