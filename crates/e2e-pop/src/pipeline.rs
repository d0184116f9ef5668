//! The verification steps every token goes through, in the reference's order (jose v4
//! `jwtVerify`, see `docs/e2e-pop.md`):
//!
//! three parts, base64url and a strict JSON header; `crit`; `alg` in the allow-list; the key
//! (per token); the signature; `typ`; the payload as a JSON object; required claims present;
//! claim types; `iss`, `sub`, `aud`; `nbf`, `exp`, the age of `iat`, the lifetime; then the
//! token's own checks, and replay last.

use crate::error::from_jws;
use crate::{E2ePopError, TokenKind, VerifierPolicy};
use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use jose_core::json::{self, JsonLimits, truncate_for_error};
use jws::protected::{AlgorithmRefusal, ProtectedHeader};
use jws::{JwsError, KeyResolver, Limits, VerifiedJws, VerifyOptions};
use jwt_claims::ClaimError;
use jwt_claims::{JwtError, RegisteredClaims};
use serde_json::{Map, Value};

/// Largest accepted token: PoP headers carry a key, ICTs carry identity claims.
pub(crate) const MAX_TOKEN_BYTES: usize = 64 << 10;

/// Steps 1–3: the header, read strictly by [`ProtectedHeader`], with `crit` and `alg`
/// checked before anything in it is interpreted (an embedded key is parsed only after `alg`
/// passed). Returns the header and its algorithm.
pub(crate) fn parse_header(
    token: &str,
    policy: &VerifierPolicy,
) -> Result<(JwsHeader, JwsAlgorithm), E2ePopError> {
    let header = ProtectedHeader::read(token, MAX_TOKEN_BYTES).map_err(|e| match e {
        JwsError::TooLarge { max, actual } => E2ePopError::TooLarge { max, actual },
        other => E2ePopError::Malformed(other),
    })?;
    header.check_crit(&["b64"]).map_err(from_jws)?;
    let alg = header
        .algorithm(|alg| policy.algorithm_set().contains(alg))
        .map_err(|refusal| match (refusal.malformed(), refusal) {
            (Some(e), _) => E2ePopError::Malformed(e),
            (None, AlgorithmRefusal::None(_)) => E2ePopError::AlgorithmNotAllowed {
                alg: "none".to_owned(),
            },
            (None, refusal) => E2ePopError::AlgorithmNotAllowed {
                alg: refusal.written(),
            },
        })?;
    let header = header
        .into_header()
        .map_err(|e| from_jws(JwsError::Header(e)))?;
    Ok((header, alg))
}

/// Steps 4–5 with the key the token's type calls for.
pub(crate) fn verify_signature(
    token: &str,
    keys: &(impl KeyResolver + ?Sized),
    alg: JwsAlgorithm,
) -> Result<VerifiedJws, E2ePopError> {
    let options = VerifyOptions::new().algorithms([alg]).limits(Limits {
        max_input_bytes: MAX_TOKEN_BYTES,
        ..Limits::default()
    });
    jws::compact::verify(token, keys, &options).map_err(|e| match e {
        JwsError::Key(source) => E2ePopError::KeyMismatch {
            alg: alg.as_str().to_owned(),
            source,
        },
        other => from_jws(other),
    })
}

/// How a mismatch of an expected claim value is reported.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Binding {
    /// A value the caller configured: `IssuerMismatch` / `SubjectMismatch`.
    Expected,
    /// A value taken from the paired ICT: `ClientNotBound` / `SubjectNotBound`.
    Ict,
}

/// What the claims must satisfy.
pub(crate) struct ClaimRules<'a> {
    pub(crate) token: TokenKind,
    pub(crate) required: &'a [&'static str],
    /// Accepted issuers (any of); empty: not checked.
    pub(crate) issuers: &'a [String],
    pub(crate) issuer_binding: Binding,
    /// The expected subject; `None`: not checked.
    pub(crate) subject: Option<&'a str>,
    pub(crate) subject_binding: Binding,
    /// Accepted audiences (any of); empty: not checked.
    pub(crate) audiences: &'a [String],
}

/// A token whose signature, `typ`, claims and times passed.
pub(crate) struct Checked {
    pub(crate) header: JwsHeader,
    pub(crate) claims: Map<String, Value>,
    pub(crate) registered: RegisteredClaims,
}

/// Steps 6–11.
pub(crate) fn check_claims(
    verified: VerifiedJws,
    rules: &ClaimRules<'_>,
    policy: &VerifierPolicy,
) -> Result<Checked, E2ePopError> {
    let header = verified.header().clone();
    let expected = rules.token.typ();
    if !header
        .typ()
        .is_some_and(|t| jwt_claims::typ::media_types_match(t, expected))
    {
        return Err(E2ePopError::WrongTyp {
            expected,
            found: header.typ().map(truncate_for_error),
        });
    }
    if header.b64() == Some(false) {
        return Err(E2ePopError::Malformed(JwsError::Malformed(
            "a JWT cannot use the unencoded payload option",
        )));
    }
    let claims = json::parse_object(verified.payload(), &JsonLimits::DEFAULT)
        .map_err(E2ePopError::Payload)?;
    // Presence as in the reference: a member whose value is `null` is present (and then
    // refused by the type checks below).
    if let Some(missing) = rules.required.iter().find(|c| !claims.contains_key(**c)) {
        return Err(E2ePopError::Claim(ClaimError::missing(missing)));
    }
    let registered = RegisteredClaims::from_map(&claims).map_err(|e| match e {
        JwtError::InvalidClaim { claim, reason } => {
            E2ePopError::Claim(ClaimError::invalid(claim, reason))
        }
        _ => E2ePopError::Claim(ClaimError::invalid(
            "claims",
            "the registered claims are malformed",
        )),
    })?;
    if !rules.issuers.is_empty() {
        let iss = registered.iss.as_deref().unwrap_or_default();
        if !rules.issuers.iter().any(|i| i == iss) {
            return Err(match rules.issuer_binding {
                Binding::Expected => E2ePopError::IssuerMismatch {
                    found: truncate_for_error(iss),
                },
                Binding::Ict => E2ePopError::ClientNotBound,
            });
        }
    }
    if let Some(sub) = rules.subject
        && registered.sub.as_deref() != Some(sub)
    {
        return Err(match rules.subject_binding {
            Binding::Expected => E2ePopError::SubjectMismatch,
            Binding::Ict => E2ePopError::SubjectNotBound,
        });
    }
    if !rules.audiences.is_empty() {
        let matches = registered
            .aud
            .as_ref()
            .is_some_and(|aud| rules.audiences.iter().any(|a| aud.contains(a)));
        if !matches {
            return Err(E2ePopError::AudienceMismatch);
        }
    }
    policy.check_times(&registered)?;
    Ok(Checked {
        header,
        claims,
        registered,
    })
}

/// Refuses empty expected audiences, then an empty expected subject.
pub(crate) fn check_expected(
    audiences: &[String],
    subject: Option<&str>,
) -> Result<(), E2ePopError> {
    for a in audiences {
        non_empty(a, "the expected audience is empty")?;
    }
    if let Some(s) = subject {
        non_empty(s, "the expected subject is empty")?;
    }
    Ok(())
}

/// Refuses an empty expected value: "check nothing" must be said explicitly.
pub(crate) fn non_empty(value: &str, what: &'static str) -> Result<(), E2ePopError> {
    if value.is_empty() {
        Err(E2ePopError::Config(what))
    } else {
        Ok(())
    }
}
