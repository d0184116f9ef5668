//! The demo application's extension (feature `pgp`): an E2E PoP token that binds an OpenPGP
//! key to the OIDC identity, through the claims `pgp_fingerprint` (upper-case hex) and,
//! optionally, `ict_jti` (the paired ICT's `jti`).
//!
//! ```
//! use e2e_pop::pgp::PgpFingerprint;
//!
//! let fp: PgpFingerprint = "0123 4567 89ab cdef 0123 4567 89AB CDEF 0123 4567".parse()?;
//! assert_eq!(fp.as_str(), "0123456789ABCDEF0123456789ABCDEF01234567");
//! # Ok::<(), e2e_pop::E2ePopError>(())
//! ```

use crate::{E2ePopError, E2ePopTokenBuilder, E2ePopVerifier};
use jwt_claims::ClaimError;
use serde_json::{Map, Value};

/// An OpenPGP fingerprint: 40 (v4) or 64 (v5/v6) hex digits, kept in upper case.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PgpFingerprint(String);

impl core::str::FromStr for PgpFingerprint {
    type Err = E2ePopError;
    /// Accepts hex in either case, with spaces between groups.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits: String = s.chars().filter(|c| *c != ' ').collect();
        if !matches!(digits.len(), 40 | 64) || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(E2ePopError::Claim(ClaimError::invalid(
                "pgp_fingerprint",
                "must be 40 or 64 hexadecimal digits",
            )));
        }
        Ok(Self(digits.to_ascii_uppercase()))
    }
}

impl PgpFingerprint {
    /// The upper-case hex form written into tokens.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The extension claims a builder writes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct BuilderClaims {
    fingerprint: Option<PgpFingerprint>,
    ict_jti: Option<String>,
}

impl BuilderClaims {
    pub(crate) fn from_claims(map: &Map<String, Value>) -> Result<Self, E2ePopError> {
        let fingerprint = match crate::claims::string(map, "pgp_fingerprint")? {
            Some(s) => Some(s.parse()?),
            None => None,
        };
        Ok(Self {
            fingerprint,
            ict_jti: crate::claims::string(map, "ict_jti")?,
        })
    }

    pub(crate) fn write(&self, out: &mut Map<String, Value>) {
        if let Some(fp) = &self.fingerprint {
            out.insert("pgp_fingerprint".into(), Value::String(fp.0.clone()));
        }
        if let Some(jti) = &self.ict_jti {
            out.insert("ict_jti".into(), Value::String(jti.clone()));
        }
    }
}

/// The extension checks a verifier applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct VerifierRules {
    fingerprint: Option<PgpFingerprint>,
    ict_jti: bool,
}

impl VerifierRules {
    pub(crate) fn check(
        &self,
        claims: &Map<String, Value>,
        ict_jti: Option<&str>,
    ) -> Result<(), E2ePopError> {
        if let Some(expected) = &self.fingerprint {
            let found = crate::claims::string(claims, "pgp_fingerprint")?
                .ok_or(E2ePopError::PgpFingerprintMissing)?;
            // Case-insensitive, as the demo compares.
            if !found.eq_ignore_ascii_case(&expected.0) {
                return Err(E2ePopError::PgpFingerprintMismatch);
            }
        }
        if self.ict_jti {
            let found = crate::claims::string(claims, "ict_jti")?;
            if found.is_none() || found.as_deref() != ict_jti {
                return Err(E2ePopError::IctJtiMismatch);
            }
        }
        Ok(())
    }
}

impl E2ePopTokenBuilder {
    /// Sets `pgp_fingerprint`: the fingerprint of the OpenPGP key this token binds.
    pub fn pgp_fingerprint(mut self, fingerprint: &PgpFingerprint) -> Self {
        self.pgp_claims_mut().fingerprint = Some(fingerprint.clone());
        self
    }

    /// Sets `ict_jti`: the `jti` of the ICT sent with this token.
    pub fn ict_jti(mut self, jti: impl Into<String>) -> Self {
        self.pgp_claims_mut().ict_jti = Some(jti.into());
        self
    }
}

impl E2ePopVerifier {
    /// Requires `pgp_fingerprint` to be this fingerprint (compared case-insensitively).
    pub fn require_pgp_fingerprint(mut self, fingerprint: &PgpFingerprint) -> Self {
        self.pgp_rules_mut().fingerprint = Some(fingerprint.clone());
        self
    }

    /// Requires `ict_jti` to be the paired ICT's `jti` (only with [`E2ePopVerifier::verify`]).
    pub fn require_ict_jti(mut self) -> Self {
        self.pgp_rules_mut().ict_jti = true;
        self
    }
}
