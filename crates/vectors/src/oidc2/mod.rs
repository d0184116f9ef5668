//! OIDC² vectors (PoP token, ICT, E2E PoP token): the generator ([`generate`]) and the
//! checker, which runs every vector through e2e-pop as `docs/e2e-pop.md` describes the
//! members. The file is written by the e2e-pop crate's test `generated_vectors`, which calls
//! [`generate::file`].

pub mod generate;

use crate::format::{Expect, Oidc2Vector};
use crate::util::{self, jws_alg};
use e2e_pop::RequiredContexts;
use e2e_pop::{
    AlgorithmSet, E2ePopError, E2ePopVerifier, IctVerifier, NumericDate, OpJwks, PairPolicy,
    PopTokenVerifier, verify_pair,
};
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{JwkSet, KeyError};
use jwt_claims::{ClaimError, ClaimReason, TimeError};
use serde_json::Value;
use std::time::Duration;

fn claims_of(token: &str) -> Result<Value, String> {
    let payload = jws::unverified::decode_payload(token).map_err(|e| e.to_string())?;
    serde_json::from_slice(&payload).map_err(|e| e.to_string())
}

fn key_set(v: Option<&Value>) -> Result<JwkSet, String> {
    let key = util::jwk(v.ok_or("the vector has no key")?)?;
    JwkSet::new(vec![key]).map_err(|e| e.to_string())
}

/// Runs one vector: the verified claims (or identity), the error, or a problem with the vector.
fn run(v: &Oidc2Vector) -> Result<Result<Value, E2ePopError>, String> {
    let p = &v.policy;
    let algs: Vec<JwsAlgorithm> = p
        .algorithms
        .iter()
        .map(|a| jws_alg(a))
        .collect::<Result<_, _>>()?;
    let algorithms = match AlgorithmSet::only(algs) {
        Ok(a) => a,
        Err(e) => return Ok(Err(e)),
    };
    let now = NumericDate::from_seconds(p.now);
    let leeway = Duration::from_secs(p.leeway_seconds);
    let token = v.token.as_str();
    Ok(match v.token_type.as_str() {
        "pop" => {
            let mut verifier = PopTokenVerifier::without_replay_detection(p.audience.clone())
                .algorithms(algorithms)
                .now(now)
                .leeway(leeway);
            if let Some(i) = &p.issuer {
                verifier = verifier.expected_issuer(i.clone());
            }
            if let Some(s) = &p.subject {
                verifier = verifier.expected_subject(s.clone());
            }
            match util::poll_once(verifier.verify(token))? {
                Ok(_) => Ok(claims_of(token)?),
                Err(e) => Err(e),
            }
        }
        "ict" => {
            let set = key_set(v.key.as_ref())?;
            let keys = match &p.issuer {
                Some(i) => OpJwks::new(i.clone(), set),
                None => OpJwks::any_issuer(set),
            };
            let mut verifier = IctVerifier::new(keys, required_contexts(p.contexts.as_deref()))
                .algorithms(algorithms)
                .now(now)
                .leeway(leeway)
                .expected_audience(p.audience.clone());
            if let Some(s) = &p.subject {
                verifier = verifier.expected_subject(s.clone());
            }
            match util::poll_once(verifier.verify(token))? {
                Ok(_) => Ok(claims_of(token)?),
                Err(e) => Err(e),
            }
        }
        "e2e-pop" => {
            if let Some(ict) = &v.ict {
                let keys = OpJwks::any_issuer(key_set(v.ict_key.as_ref())?);
                let contexts = required_contexts(p.contexts.as_deref());
                let mut policy =
                    PairPolicy::without_replay_detection(keys, contexts, p.audience.clone())
                        .algorithms(algorithms)
                        .now(now)
                        .leeway(leeway);
                if let Some(i) = &p.issuer {
                    policy = policy.expected_client(i.clone());
                }
                if let Some(s) = &p.subject {
                    policy = policy.expected_subject(s.clone());
                }
                util::poll_once(verify_pair(ict, token, &policy))?
                    .map(|identity| identity.to_json())
            } else {
                let mut verifier = E2ePopVerifier::without_replay_detection(p.audience.clone())
                    .algorithms(algorithms)
                    .now(now)
                    .leeway(leeway);
                if let Some(i) = &p.issuer {
                    verifier = verifier.expected_issuer(i.clone());
                }
                if let Some(s) = &p.subject {
                    verifier = verifier.expected_subject(s.clone());
                }
                let key = util::jwk(v.key.as_ref().ok_or("no key")?)?;
                match util::poll_once(verifier.verify_with_key(token, &key))? {
                    Ok(_) => Ok(claims_of(token)?),
                    Err(e) => Err(e),
                }
            }
        }
        other => return Err(format!("token_type {other:?}")),
    })
}

/// The claims (or, for a pair, the identity) a valid vector verifies to.
fn verified_claims(value: &Value) -> Result<Value, String> {
    let v: Oidc2Vector = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    run(&v)?.map_err(|e| e.to_string())
}

/// Whether an error is the stated reason (the mapping of docs/e2e-pop.md).
fn matches(code: &str, e: &E2ePopError) -> bool {
    use E2ePopError as E;
    let actual = match e.root() {
        E::TooLarge { .. } | E::Malformed(_) => "malformed",
        E::Crit(_) => "crit-unknown",
        E::AlgorithmNotAllowed { alg } if alg == "none" => "alg-none",
        E::AlgorithmNotAllowed { alg } if alg.is_empty() => "bad-header",
        E::AlgorithmNotAllowed { alg } if alg.parse::<JwsAlgorithm>().is_ok() => "alg-not-allowed",
        E::AlgorithmNotAllowed { .. } => "alg-unknown",
        E::WrongTyp { .. } => "typ-mismatch",
        E::EmbeddedKeyMissing | E::KidMissing | E::UnknownKid { .. } => "no-matching-key",
        E::EmbeddedKeyPrivate | E::CnfPrivateKey => "private-key-embedded",
        E::EmbeddedKeyInvalid(KeyError::RsaKeyTooSmall { .. }) => "key-too-short",
        E::EmbeddedKeyInvalid(_) | E::KeyUnusable { .. } | E::CnfInvalid(_) => "key-rejected",
        E::UntrustedIssuer { .. } | E::IssuerMismatch { .. } | E::ClientNotBound => {
            "issuer-mismatch"
        }
        E::KeyMismatch { .. } => "key-confusion",
        E::SignatureInvalid => "bad-signature",
        E::SignatureMalformed(_) => "malformed-signature",
        E::Payload(_) => "payload-not-object",
        E::Claim(ClaimError {
            reason: ClaimReason::Missing,
            ..
        }) => "missing-claim",
        E::Claim(_) | E::CnfMissing => "invalid-claim",
        E::SubjectMismatch | E::SubjectNotBound => "subject-mismatch",
        E::AudienceMismatch => "audience-mismatch",
        E::Time(TimeError::Expired { .. }) => "expired",
        E::Time(TimeError::NotYetValid { .. }) => "not-yet-valid",
        E::Time(TimeError::IssuedInFuture { .. }) => "issued-in-future",
        E::Time(TimeError::TooOld { .. }) => "too-old",
        E::Time(TimeError::LifetimeOutOfRange { .. }) => "lifetime-out-of-range",
        E::ContextMissing { .. } => "context-missing",
        E::JktMissing | E::JktMismatch => "jkt-mismatch",
        E::Replay { .. } => "replay",
        _ => "other",
    };
    actual == code
}

/// Checks one OIDC² vector.
pub fn check(value: &Value) -> Result<String, String> {
    let v: Oidc2Vector = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    let result = run(&v)?;
    match v.common.expect {
        Expect::Valid => {
            let claims = result.map_err(|e| format!("expected valid, refused: {e}"))?;
            if v.claims.as_ref() != Some(&claims) {
                return Err(format!("verified, but the claims are {claims}"));
            }
            Ok("verified".into())
        }
        Expect::Invalid => {
            let reason = v.common.reason.as_ref().ok_or("no reason")?;
            match result {
                Ok(_) => Err(format!("expected refusal ({}), accepted", reason.code)),
                Err(e) if reason.claim.is_some() && e.claim() != reason.claim.as_deref() => {
                    Err(format!(
                        "refused, but about another claim than {:?}: {e}",
                        reason.claim
                    ))
                }
                Err(e) if matches(&reason.code, &e) => Ok(format!("refused: {e}")),
                Err(e) => Err(format!(
                    "refused, but for another reason than {}: {e}",
                    reason.code
                )),
            }
        }
    }
}

/// The vector's `contexts`: all required, or, without the member, any.
fn required_contexts(contexts: Option<&[String]>) -> RequiredContexts {
    contexts.map_or(RequiredContexts::Any, |list| {
        RequiredContexts::all(list.iter().cloned())
    })
}
