//! JWT claim-validation vectors: a token, a key, an explicit policy, and the outcome.

mod cases;

use super::format::{Expect, JwtValidation, JwtVector};
use super::jws::JwsKeys;
use super::reasons;
use super::util::{self, Keys, b64s, jws_algs};
use jose_core::b64;
use jws::Signer;
use jwt_claims::{NumericDate, Validation};
use serde_json::{Value, json};
use std::time::Duration;

/// The verifier's clock in every generated JWT vector: 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600;

fn token(signer: &dyn Signer, header: &str, claims: &str) -> Result<String, String> {
    let input = format!("{}.{}", b64s(header), b64s(claims));
    let sig = signer.sign(input.as_bytes()).map_err(|e| e.to_string())?;
    Ok(format!("{input}.{}", b64::encode(sig)))
}

fn policy(alg: &str) -> JwtValidation {
    JwtValidation {
        algorithms: vec![alg.to_owned()],
        now: NOW,
        leeway_seconds: 0,
        issuer: Some("https://issuer.example".into()),
        audience: Some("https://api.example".into()),
        subject: None,
        typ: None,
        required_claims: vec!["exp".into()],
        max_age_seconds: None,
    }
}

/// The usual claims, with `changes` applied (a `null` removes a claim).
fn claims(changes: &Value) -> Value {
    let mut c = json!({
        "iss": "https://issuer.example",
        "sub": "alice",
        "aud": "https://api.example",
        "iat": NOW - 60,
        "exp": NOW + 3600,
        "jti": "vector-jti-1",
    });
    if let (Some(map), Some(changes)) = (c.as_object_mut(), changes.as_object()) {
        for (k, v) in changes {
            if v.is_null() {
                map.remove(k);
            } else {
                map.insert(k.clone(), v.clone());
            }
        }
    }
    c
}

/// Every JWT vector.
pub fn generate() -> Result<Vec<Value>, String> {
    let keys = JwsKeys::new()?;
    cases::cases(&keys)?.iter().map(util::to_value).collect()
}

fn validation(v: &JwtValidation) -> Result<Validation, String> {
    let mut out = Validation::new()
        .algorithms(jws_algs(&v.algorithms)?)
        .now(NumericDate::from_seconds(v.now))
        .leeway(Duration::from_secs(v.leeway_seconds))
        .require_exp(false);
    for claim in &v.required_claims {
        out = if claim == "exp" {
            out.require_exp(true)
        } else {
            out.require(claim.clone())
        };
    }
    if let Some(iss) = &v.issuer {
        out = out.issuer(iss.clone());
    }
    if let Some(aud) = &v.audience {
        out = out.audience(aud.clone());
    }
    if let Some(sub) = &v.subject {
        out = out.subject(sub.clone());
    }
    if let Some(typ) = &v.typ {
        out = out.typ(typ.clone());
    }
    if let Some(age) = v.max_age_seconds {
        out = out.max_age(Duration::from_secs(age));
    }
    Ok(out)
}

/// Checks one JWT vector.
pub fn check(value: &Value) -> Result<String, String> {
    let v: JwtVector = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    let keys = Keys::from_value(&v.key).map_err(|e| format!("key: {e}"))?;
    let validation = validation(&v.validation)?;
    let result = match &keys {
        Keys::One(k) => jwt_claims::verify::<Value>(&v.jwt, k.as_ref(), &validation),
        Keys::Set(s) => jwt_claims::verify::<Value>(&v.jwt, s, &validation),
    };
    match v.common.expect {
        Expect::Valid => {
            let verified = result.map_err(|e| format!("expected valid, refused: {e}"))?;
            match &v.claims {
                Some(expected) if verified.claims() != expected => Err(format!(
                    "claims {} differ from the vector's",
                    verified.claims()
                )),
                None => Err("valid vector without claims".into()),
                _ => Ok("verified".into()),
            }
        }
        Expect::Invalid => {
            let reason = v.common.reason.as_ref().ok_or("no reason")?;
            match result {
                Ok(_) => Err(format!("expected refusal ({}), accepted", reason.code)),
                Err(e) if reasons::jwt_matches(&reason.code, reason.claim.as_deref(), &e) => {
                    Ok(format!("refused: {e} [{}]", e.code()))
                }
                Err(e) => Err(format!(
                    "refused, but for another reason than {} ({:?}): {e} [{}]",
                    reason.code,
                    reason.claim,
                    e.code()
                )),
            }
        }
    }
}
