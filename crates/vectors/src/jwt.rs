//! JWT claim-validation vectors: a token, a key, an explicit policy, and the outcome.

use super::format::{Expect, JwtValidation, JwtVector, Reason};
use super::jws::JwsKeys;
use super::reasons;
use super::util::{self, Keys, b64s, generated, invalid, jws_algs, valid, verification_value};
use jose_core::alg::JwsAlgorithm;
use jose_core::b64;
use jws::{Signer, SigningKey};
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

struct Case<'a> {
    id: &'a str,
    description: &'a str,
    alg: JwsAlgorithm,
    header: Option<&'a str>,
    claims: Value,
    /// Exact payload text, when it cannot be a JSON value (duplicates) or is not JSON.
    payload_text: Option<String>,
    validation: JwtValidation,
    reason: Option<(&'a str, Option<&'a str>, &'a str, &'a str)>,
}

fn build(keys: &JwsKeys, case: Case<'_>) -> Result<JwtVector, String> {
    let key = keys.for_alg(case.alg);
    let seed = format!("jwt/{}", case.id);
    let signer = super::jws::signer(key, case.alg, &seed)?;
    let default_header = format!(r#"{{"alg":"{}","typ":"JWT"}}"#, case.alg.as_str());
    let header = case.header.map_or(default_header, str::to_owned);
    let payload = case
        .payload_text
        .clone()
        .unwrap_or_else(|| case.claims.to_string());
    let jwt = token(&*signer, &header, &payload)?;
    let source = generated("jose-rs claim-validation vector", &seed);
    let id = format!("jwt/{}", case.id);
    let (common, claims) = match case.reason {
        None => (valid(id, case.description, source), Some(case.claims)),
        Some((code, claim, explanation, reference)) => {
            let mut common = invalid(
                id,
                case.description,
                source,
                code,
                explanation,
                Some(reference),
            );
            if let Some(r) = common.reason.as_mut() {
                *r = Reason {
                    claim: claim.map(str::to_owned),
                    ..r.clone()
                };
            }
            (common, None)
        }
    };
    Ok(JwtVector {
        common,
        jwt,
        key: verification_value(key)?,
        validation: case.validation,
        claims,
    })
}

fn ok<'a>(
    id: &'a str,
    description: &'a str,
    alg: JwsAlgorithm,
    header: Option<&'a str>,
    claims: Value,
    validation: JwtValidation,
) -> Case<'a> {
    Case {
        id,
        description,
        alg,
        header,
        claims,
        payload_text: None,
        validation,
        reason: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn bad<'a>(
    id: &'a str,
    description: &'a str,
    claims: Value,
    validation: JwtValidation,
    code: &'a str,
    claim: Option<&'a str>,
    explanation: &'a str,
    reference: &'a str,
) -> Case<'a> {
    Case {
        id,
        description,
        alg: JwsAlgorithm::HS256,
        header: None,
        claims,
        payload_text: None,
        validation,
        reason: Some((code, claim, explanation, reference)),
    }
}

fn cases(keys: &JwsKeys) -> Result<Vec<JwtVector>, String> {
    use JwsAlgorithm as A;
    let p = policy;
    let mut out = Vec::new();
    // Accepted.
    for alg in [
        A::HS256,
        A::RS256,
        A::PS256,
        A::ES256,
        A::ES384,
        A::ES512,
        A::EdDSA,
    ] {
        let name = alg.as_str();
        let id = format!("valid/{name}");
        let case = ok(
            &id,
            "issuer, audience and expiry check out",
            alg,
            None,
            claims(&json!({})),
            p(name),
        );
        out.push(build(keys, case)?);
    }
    let mut v = p("HS256");
    v.subject = Some("alice".into());
    v.required_claims = vec!["exp".into(), "iat".into(), "jti".into()];
    out.push(build(
        keys,
        ok(
            "valid/subject-and-required-claims",
            "the subject matches and every required claim is present",
            A::HS256,
            None,
            claims(&json!({})),
            v,
        ),
    )?);
    out.push(build(
        keys,
        ok(
            "valid/audience-array",
            "aud is an array containing the verifier's audience",
            A::HS256,
            None,
            claims(&json!({"aud": ["https://other.example", "https://api.example"]})),
            p("HS256"),
        ),
    )?);
    let mut v = p("HS256");
    v.typ = Some("application/at+jwt".into());
    out.push(build(keys, ok("valid/typ-prefix-and-case", "typ at+JWT matches the expected application/at+jwt (case-insensitive, application/ prefix optional)", A::HS256, Some(r#"{"alg":"HS256","typ":"at+JWT"}"#), claims(&json!({})), v))?);
    let mut v = p("HS256");
    v.leeway_seconds = 30;
    out.push(build(
        keys,
        ok(
            "valid/expired-within-leeway",
            "exp passed 10 s ago; the leeway is 30 s",
            A::HS256,
            None,
            claims(&json!({"exp": NOW - 10})),
            v.clone(),
        ),
    )?);
    out.push(build(
        keys,
        ok(
            "valid/nbf-within-leeway",
            "nbf is 20 s ahead; the leeway is 30 s",
            A::HS256,
            None,
            claims(&json!({"nbf": NOW + 20})),
            v,
        ),
    )?);
    out.push(build(
        keys,
        ok(
            "valid/fractional-dates",
            "NumericDate values with fractions of a second",
            A::HS256,
            None,
            claims(&json!({"iat": (NOW as f64) - 0.5, "exp": (NOW as f64) + 100.25})),
            p("HS256"),
        ),
    )?);
    let mut v = p("HS256");
    v.required_claims = vec![];
    out.push(build(
        keys,
        ok(
            "valid/no-exp-not-required",
            "no exp, and the policy does not require one",
            A::HS256,
            None,
            claims(&json!({"exp": null})),
            v,
        ),
    )?);
    let mut v = p("HS256");
    v.max_age_seconds = Some(300);
    out.push(build(
        keys,
        ok(
            "valid/within-max-age",
            "issued 60 s ago; the maximum age is 300 s",
            A::HS256,
            None,
            claims(&json!({})),
            v,
        ),
    )?);
    out.push(build(keys, ok("valid/private-claims", "private claims of every JSON type are kept", A::HS256, None, claims(&json!({"roles": ["reader", "writer"], "profile": {"name": "Alice", "age": 34, "verified": true}, "nothing": null})), p("HS256")))?);

    // Refused for a claim.
    let times = "RFC 7519, Section 4.1.4";
    let mut v = p("HS256");
    v.leeway_seconds = 30;
    out.push(build(
        keys,
        bad(
            "invalid/expired",
            "exp passed 31 s ago; the leeway is 30 s",
            claims(&json!({"exp": NOW - 31})),
            v.clone(),
            "expired",
            Some("exp"),
            "the token's lifetime is over",
            times,
        ),
    )?);
    out.push(build(
        keys,
        bad(
            "invalid/expired-exactly-now",
            "exp equals the current time; the leeway is 0",
            claims(&json!({"exp": NOW})),
            p("HS256"),
            "expired",
            Some("exp"),
            "the current time must be before exp (\"on or after\" exp the token must be refused)",
            times,
        ),
    )?);
    out.push(build(
        keys,
        bad(
            "invalid/not-yet-valid",
            "nbf is 31 s ahead; the leeway is 30 s",
            claims(&json!({"nbf": NOW + 31})),
            v.clone(),
            "not-yet-valid",
            Some("nbf"),
            "the token must not be accepted before nbf",
            "RFC 7519, Section 4.1.5",
        ),
    )?);
    out.push(build(
        keys,
        bad(
            "invalid/issued-in-future",
            "iat is 120 s ahead; the leeway is 30 s",
            claims(&json!({"iat": NOW + 120})),
            v,
            "issued-in-future",
            Some("iat"),
            "a token issued in the future comes from a wrong clock or a forger",
            "RFC 7519, Section 4.1.6",
        ),
    )?);
    let mut v = p("HS256");
    v.max_age_seconds = Some(3600);
    out.push(build(
        keys,
        bad(
            "invalid/too-old",
            "issued 4000 s ago; the maximum age is 3600 s",
            claims(&json!({"iat": NOW - 4000})),
            v,
            "too-old",
            Some("iat"),
            "the verifier limits how old a token may be",
            "RFC 7519, Section 4.1.6",
        ),
    )?);
    out.push(build(
        keys,
        bad(
            "invalid/issuer-mismatch",
            "iss is another issuer",
            claims(&json!({"iss": "https://evil.example"})),
            p("HS256"),
            "issuer-mismatch",
            Some("iss"),
            "tokens from other issuers must not be accepted",
            "RFC 8725, Section 3.8",
        ),
    )?);
    out.push(build(
        keys,
        bad(
            "invalid/audience-mismatch",
            "aud names another service",
            claims(&json!({"aud": "https://other.example"})),
            p("HS256"),
            "audience-mismatch",
            Some("aud"),
            "a token for another audience must be refused, or it can be replayed across services",
            "RFC 7519, Section 4.1.3; RFC 8725, Section 3.9",
        ),
    )?);
    out.push(build(
        keys,
        bad(
            "invalid/audience-mismatch-array",
            "aud is an array without the verifier's audience",
            claims(&json!({"aud": ["https://a.example", "https://b.example"]})),
            p("HS256"),
            "audience-mismatch",
            Some("aud"),
            "none of the audiences is the verifier",
            "RFC 7519, Section 4.1.3",
        ),
    )?);
    let mut v = p("HS256");
    v.audience = None;
    out.push(build(keys, bad("invalid/audience-not-expected", "the token has aud; the verifier names no audience of its own", claims(&json!({})), v, "audience-not-expected", Some("aud"), "a recipient that does not identify itself with a value in aud must refuse a token that has aud", "RFC 7519, Section 4.1.3"))?);
    let mut v = p("HS256");
    v.subject = Some("bob".into());
    out.push(build(
        keys,
        bad(
            "invalid/subject-mismatch",
            "sub is alice; the verifier expects bob",
            claims(&json!({})),
            v,
            "subject-mismatch",
            Some("sub"),
            "the token is about another subject",
            "RFC 7519, Section 4.1.2",
        ),
    )?);
    let mut v = p("HS256");
    v.typ = Some("at+jwt".into());
    out.push(build(
        keys,
        bad(
            "invalid/typ-mismatch",
            "typ JWT; the verifier expects at+jwt",
            claims(&json!({})),
            v.clone(),
            "typ-mismatch",
            Some("typ"),
            "explicit typing keeps one kind of token from being used as another",
            "RFC 8725, Section 3.11",
        ),
    )?);
    let mut c = bad(
        "invalid/typ-missing",
        "no typ; the verifier expects at+jwt",
        claims(&json!({})),
        v,
        "typ-mismatch",
        Some("typ"),
        "explicit typing keeps one kind of token from being used as another",
        "RFC 8725, Section 3.11",
    );
    c.header = Some(r#"{"alg":"HS256"}"#);
    out.push(build(keys, c)?);
    out.push(build(
        keys,
        bad(
            "invalid/missing-exp",
            "no exp; the policy requires it",
            claims(&json!({"exp": null})),
            p("HS256"),
            "missing-claim",
            Some("exp"),
            "a required claim is absent",
            "RFC 7519, Section 4.1",
        ),
    )?);
    let mut v = p("HS256");
    v.required_claims = vec!["exp".into(), "jti".into()];
    out.push(build(
        keys,
        bad(
            "invalid/missing-jti",
            "no jti; the policy requires it",
            claims(&json!({"jti": null})),
            v,
            "missing-claim",
            Some("jti"),
            "a required claim is absent",
            "RFC 7519, Section 4.1.7",
        ),
    )?);
    let typed = "RFC 7519, Sections 2 and 4.1";
    out.push(build(keys, bad("invalid/exp-string", "exp is a string of digits", claims(&json!({"exp": (NOW + 3600).to_string()})), p("HS256"), "invalid-claim", Some("exp"), "NumericDate is a JSON number; a string is not a date, and treating it as absent would skip the check", typed))?);
    out.push(build(
        keys,
        bad(
            "invalid/aud-number",
            "aud is a number",
            claims(&json!({"aud": 42})),
            p("HS256"),
            "invalid-claim",
            Some("aud"),
            "aud is a StringOrURI or an array of them",
            typed,
        ),
    )?);
    out.push(build(
        keys,
        bad(
            "invalid/iss-number",
            "iss is a number",
            claims(&json!({"iss": 7})),
            p("HS256"),
            "invalid-claim",
            Some("iss"),
            "iss is a StringOrURI",
            typed,
        ),
    )?);
    out.push(build(
        keys,
        bad(
            "invalid/nbf-boolean",
            "nbf is true",
            claims(&json!({"nbf": true})),
            p("HS256"),
            "invalid-claim",
            Some("nbf"),
            "NumericDate is a JSON number",
            typed,
        ),
    )?);

    // Refused before the claims.
    let mut c = bad(
        "invalid/payload-array",
        "the payload is a JSON array",
        Value::Null,
        p("HS256"),
        "payload-not-object",
        None,
        "the claims set is a JSON object",
        "RFC 7519, Section 7.2",
    );
    c.payload_text = Some("[1,2,3]".into());
    out.push(build(keys, c)?);
    let mut c = bad(
        "invalid/payload-not-json",
        "the payload is not JSON",
        Value::Null,
        p("HS256"),
        "payload-not-object",
        None,
        "the claims set is a JSON object",
        "RFC 7519, Section 7.2",
    );
    c.payload_text = Some("iss=https://issuer.example".into());
    out.push(build(keys, c)?);
    let mut c = bad(
        "invalid/duplicate-claim",
        "sub appears twice",
        Value::Null,
        p("HS256"),
        "duplicate-member",
        None,
        "claim names must be unique; RFC 7519 allows refusing duplicates and RFC 8725 recommends it",
        "RFC 7519, Section 4; RFC 8725, Section 3.4",
    );
    let text = claims(&json!({})).to_string();
    c.payload_text = Some(text.replacen('{', r#"{"sub":"mallory","#, 1));
    out.push(build(keys, c)?);
    let mut c = bad(
        "invalid/alg-not-allowed",
        "HS256 token; the verifier accepts RS256 only",
        claims(&json!({})),
        p("HS256"),
        "alg-not-allowed",
        None,
        "the verifier, not the token, decides the algorithm",
        "RFC 8725, Section 3.1",
    );
    c.validation.algorithms = vec!["RS256".into()];
    out.push(build(keys, c)?);
    // RFC 7797 §7: b64 false does not apply to JWTs. The claims have no '.' so that the compact
    // form stays three parts and the refusal is about b64 itself.
    let plain = json!({"sub": "alice", "exp": NOW + 3600});
    let mut v = p("HS256");
    v.issuer = None;
    v.audience = None;
    let mut c = bad(
        "invalid/unencoded-payload",
        "a JWT with b64 false (the claims are signed unencoded)",
        plain.clone(),
        v,
        "malformed",
        None,
        "the unencoded payload option does not apply to JWTs",
        "RFC 7797, Section 7",
    );
    c.header = Some(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#);
    let mut built = build(keys, c)?;
    let signer =
        SigningKey::new(keys.for_alg(A::HS256).clone(), A::HS256).map_err(|e| e.to_string())?;
    let header = b64s(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#);
    let payload = plain.to_string();
    let sig = signer
        .sign(format!("{header}.{payload}").as_bytes())
        .map_err(|e| e.to_string())?;
    built.jwt = format!("{header}.{payload}.{}", b64::encode(sig));
    out.push(built);
    let mut built = build(
        keys,
        bad(
            "invalid/bad-signature",
            "the claims were changed after signing (sub alice to admin)",
            claims(&json!({})),
            p("HS256"),
            "bad-signature",
            None,
            "the signature covers the claims",
            "RFC 7515, Section 5.2",
        ),
    )?;
    let (header, rest) = built.jwt.split_once('.').ok_or("jwt")?;
    let (_, sig) = rest.split_once('.').ok_or("jwt")?;
    built.jwt = format!(
        "{header}.{}.{sig}",
        b64s(&claims(&json!({"sub": "admin"})).to_string())
    );
    out.push(built);
    let mut built = build(
        keys,
        bad(
            "invalid/alg-none",
            "an unsecured JWT (alg none) with valid claims",
            claims(&json!({})),
            p("HS256"),
            "alg-none",
            None,
            "unsecured JWTs are never accepted here",
            "RFC 8725, Section 3.1",
        ),
    )?;
    built.jwt = format!(
        "{}.{}.",
        b64s(r#"{"alg":"none","typ":"JWT"}"#),
        b64s(&claims(&json!({})).to_string())
    );
    built.validation.algorithms = util::all_jws_algs();
    out.push(built);
    Ok(out)
}

/// Every JWT vector.
pub fn generate() -> Result<Vec<Value>, String> {
    let keys = JwsKeys::new()?;
    cases(&keys)?.iter().map(util::to_value).collect()
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
