//! The JWT claim-validation vectors, as a table.
//!
//! Every vector is the usual claims ([`claims`]) with a few changed, signed with the seeded
//! key of its algorithm, and the usual policy ([`policy`]) with a few changed: a row of
//! [`ROWS`] names those changes, the outcome and, for an invalid vector, its reason. A row
//! whose token a signer cannot make (unsecured, unencoded payload, tampered) finishes the
//! built vector with `finish`. The order of the rows is the order of the vectors in
//! `jwt.json`.

use super::{NOW, claims, policy, token};
use crate::format::{JwtValidation, JwtVector, Reason};
use crate::jws::JwsKeys;
use crate::util::{self, b64s, generated, invalid, valid, verification_value};
use jose_core::alg::JwsAlgorithm;
use jose_core::b64;
use jws::{Signer, SigningKey};
use serde_json::{Value, json};

/// Why an invalid vector must be refused.
struct Refusal {
    code: &'static str,
    claim: Option<&'static str>,
    explanation: &'static str,
    reference: &'static str,
}

/// Changes a built vector where no signer makes the token.
type Finish = fn(&JwsKeys, &mut JwtVector) -> Result<(), String>;

/// One vector: the changes to the usual token and policy, and the outcome.
struct Row<'a> {
    /// The id, below `jwt/`.
    id: &'a str,
    description: &'a str,
    /// `None` for a valid vector.
    refusal: Option<Refusal>,
    alg: JwsAlgorithm,
    /// The protected header, when not `{"alg":...,"typ":"JWT"}`.
    header: Option<&'static str>,
    /// The claims set.
    claims: fn() -> Value,
    /// The exact payload, when it is not the claims set (not JSON, duplicate members).
    payload_text: Option<fn() -> String>,
    /// Changes to the usual HS256 policy.
    policy: fn(&mut JwtValidation),
    /// A change to the built vector that no signer makes.
    finish: Option<Finish>,
}

/// A valid HS256 vector with the usual claims and policy; rows change what they are about.
const BASE: Row<'static> = Row {
    id: "",
    description: "",
    refusal: None,
    alg: JwsAlgorithm::HS256,
    header: None,
    claims: || claims(&json!({})),
    payload_text: None,
    policy: |_| {},
    finish: None,
};

impl Row<'_> {
    fn build(&self, keys: &JwsKeys) -> Result<JwtVector, String> {
        let key = keys.for_alg(self.alg);
        let seed = format!("jwt/{}", self.id);
        let signer = crate::jws::signer(key, self.alg, &seed)?;
        let default_header = format!(r#"{{"alg":"{}","typ":"JWT"}}"#, self.alg.as_str());
        let header = self.header.map_or(default_header, str::to_owned);
        let claims = (self.claims)();
        let payload = self
            .payload_text
            .map_or_else(|| claims.to_string(), |p| p());
        let jwt = token(&*signer, &header, &payload)?;
        let source = generated("jose-rs claim-validation vector", &seed);
        let (common, claims) = match &self.refusal {
            None => (valid(seed, self.description, source), Some(claims)),
            Some(r) => {
                let mut common = invalid(
                    seed,
                    self.description,
                    source,
                    r.code,
                    r.explanation,
                    Some(r.reference),
                );
                if let Some(reason) = common.reason.as_mut() {
                    *reason = Reason {
                        claim: r.claim.map(str::to_owned),
                        ..reason.clone()
                    };
                }
                (common, None)
            }
        };
        let mut validation = policy(self.alg.as_str());
        (self.policy)(&mut validation);
        let mut vector = JwtVector {
            common,
            jwt,
            key: verification_value(key)?,
            validation,
            claims,
        };
        if let Some(finish) = self.finish {
            finish(keys, &mut vector)?;
        }
        Ok(vector)
    }
}

/// The algorithms a valid token is signed with, one vector each.
const ALGORITHMS: [JwsAlgorithm; 7] = [
    JwsAlgorithm::HS256,
    JwsAlgorithm::RS256,
    JwsAlgorithm::PS256,
    JwsAlgorithm::ES256,
    JwsAlgorithm::ES384,
    JwsAlgorithm::ES512,
    JwsAlgorithm::EdDSA,
];

/// Every JWT vector, in file order.
pub(super) fn cases(keys: &JwsKeys) -> Result<Vec<JwtVector>, String> {
    let mut out = Vec::new();
    for alg in ALGORITHMS {
        let id = format!("valid/{}", alg.as_str());
        let row = Row {
            id: &id,
            description: "issuer, audience and expiry check out",
            alg,
            ..BASE
        };
        out.push(row.build(keys)?);
    }
    for row in ROWS {
        out.push(row.build(keys)?);
    }
    Ok(out)
}

/// Sets the leeway to 30 s.
fn leeway_30(v: &mut JwtValidation) {
    v.leeway_seconds = 30;
}

const TIMES: &str = "RFC 7519, Section 4.1.4";
const TYPED: &str = "RFC 7519, Sections 2 and 4.1";
const TYP_EXPLANATION: &str = "explicit typing keeps one kind of token from being used as another";

/// A refusal for a claim.
const fn refused(
    code: &'static str,
    claim: &'static str,
    explanation: &'static str,
    reference: &'static str,
) -> Option<Refusal> {
    Some(Refusal {
        code,
        claim: Some(claim),
        explanation,
        reference,
    })
}

/// A refusal before the claims are read.
const fn refused_token(
    code: &'static str,
    explanation: &'static str,
    reference: &'static str,
) -> Option<Refusal> {
    Some(Refusal {
        code,
        claim: None,
        explanation,
        reference,
    })
}

/// The rows after the per-algorithm ones, in file order.
const ROWS: &[Row<'static>] = &[
    // Accepted.
    Row {
        id: "valid/subject-and-required-claims",
        description: "the subject matches and every required claim is present",
        policy: |v| {
            v.subject = Some("alice".into());
            v.required_claims = vec!["exp".into(), "iat".into(), "jti".into()];
        },
        ..BASE
    },
    Row {
        id: "valid/audience-array",
        description: "aud is an array containing the verifier's audience",
        claims: || claims(&json!({"aud": ["https://other.example", "https://api.example"]})),
        ..BASE
    },
    Row {
        id: "valid/typ-prefix-and-case",
        description: "typ at+JWT matches the expected application/at+jwt (case-insensitive, application/ prefix optional)",
        header: Some(r#"{"alg":"HS256","typ":"at+JWT"}"#),
        policy: |v| v.typ = Some("application/at+jwt".into()),
        ..BASE
    },
    Row {
        id: "valid/expired-within-leeway",
        description: "exp passed 10 s ago; the leeway is 30 s",
        claims: || claims(&json!({"exp": NOW - 10})),
        policy: leeway_30,
        ..BASE
    },
    Row {
        id: "valid/nbf-within-leeway",
        description: "nbf is 20 s ahead; the leeway is 30 s",
        claims: || claims(&json!({"nbf": NOW + 20})),
        policy: leeway_30,
        ..BASE
    },
    Row {
        id: "valid/fractional-dates",
        description: "NumericDate values with fractions of a second",
        claims: || claims(&json!({"iat": (NOW as f64) - 0.5, "exp": (NOW as f64) + 100.25})),
        ..BASE
    },
    Row {
        id: "valid/no-exp-not-required",
        description: "no exp, and the policy does not require one",
        claims: || claims(&json!({"exp": null})),
        policy: |v| v.required_claims = vec![],
        ..BASE
    },
    Row {
        id: "valid/within-max-age",
        description: "issued 60 s ago; the maximum age is 300 s",
        policy: |v| v.max_age_seconds = Some(300),
        ..BASE
    },
    Row {
        id: "valid/private-claims",
        description: "private claims of every JSON type are kept",
        claims: || {
            claims(
                &json!({"roles": ["reader", "writer"], "profile": {"name": "Alice", "age": 34, "verified": true}, "nothing": null}),
            )
        },
        ..BASE
    },
    // Refused for a claim.
    Row {
        id: "invalid/expired",
        description: "exp passed 31 s ago; the leeway is 30 s",
        refusal: refused("expired", "exp", "the token's lifetime is over", TIMES),
        claims: || claims(&json!({"exp": NOW - 31})),
        policy: leeway_30,
        ..BASE
    },
    Row {
        id: "invalid/expired-exactly-now",
        description: "exp equals the current time; the leeway is 0",
        refusal: refused(
            "expired",
            "exp",
            "the current time must be before exp (\"on or after\" exp the token must be refused)",
            TIMES,
        ),
        claims: || claims(&json!({"exp": NOW})),
        ..BASE
    },
    Row {
        id: "invalid/not-yet-valid",
        description: "nbf is 31 s ahead; the leeway is 30 s",
        refusal: refused(
            "not-yet-valid",
            "nbf",
            "the token must not be accepted before nbf",
            "RFC 7519, Section 4.1.5",
        ),
        claims: || claims(&json!({"nbf": NOW + 31})),
        policy: leeway_30,
        ..BASE
    },
    Row {
        id: "invalid/issued-in-future",
        description: "iat is 120 s ahead; the leeway is 30 s",
        refusal: refused(
            "issued-in-future",
            "iat",
            "a token issued in the future comes from a wrong clock or a forger",
            "RFC 7519, Section 4.1.6",
        ),
        claims: || claims(&json!({"iat": NOW + 120})),
        policy: leeway_30,
        ..BASE
    },
    Row {
        id: "invalid/too-old",
        description: "issued 4000 s ago; the maximum age is 3600 s",
        refusal: refused(
            "too-old",
            "iat",
            "the verifier limits how old a token may be",
            "RFC 7519, Section 4.1.6",
        ),
        claims: || claims(&json!({"iat": NOW - 4000})),
        policy: |v| v.max_age_seconds = Some(3600),
        ..BASE
    },
    Row {
        id: "invalid/issuer-mismatch",
        description: "iss is another issuer",
        refusal: refused(
            "issuer-mismatch",
            "iss",
            "tokens from other issuers must not be accepted",
            "RFC 8725, Section 3.8",
        ),
        claims: || claims(&json!({"iss": "https://evil.example"})),
        ..BASE
    },
    Row {
        id: "invalid/audience-mismatch",
        description: "aud names another service",
        refusal: refused(
            "audience-mismatch",
            "aud",
            "a token for another audience must be refused, or it can be replayed across services",
            "RFC 7519, Section 4.1.3; RFC 8725, Section 3.9",
        ),
        claims: || claims(&json!({"aud": "https://other.example"})),
        ..BASE
    },
    Row {
        id: "invalid/audience-mismatch-array",
        description: "aud is an array without the verifier's audience",
        refusal: refused(
            "audience-mismatch",
            "aud",
            "none of the audiences is the verifier",
            "RFC 7519, Section 4.1.3",
        ),
        claims: || claims(&json!({"aud": ["https://a.example", "https://b.example"]})),
        ..BASE
    },
    Row {
        id: "invalid/audience-not-expected",
        description: "the token has aud; the verifier names no audience of its own",
        refusal: refused(
            "audience-not-expected",
            "aud",
            "a recipient that does not identify itself with a value in aud must refuse a token that has aud",
            "RFC 7519, Section 4.1.3",
        ),
        policy: |v| v.audience = None,
        ..BASE
    },
    Row {
        id: "invalid/subject-mismatch",
        description: "sub is alice; the verifier expects bob",
        refusal: refused(
            "subject-mismatch",
            "sub",
            "the token is about another subject",
            "RFC 7519, Section 4.1.2",
        ),
        policy: |v| v.subject = Some("bob".into()),
        ..BASE
    },
    Row {
        id: "invalid/typ-mismatch",
        description: "typ JWT; the verifier expects at+jwt",
        refusal: refused(
            "typ-mismatch",
            "typ",
            TYP_EXPLANATION,
            "RFC 8725, Section 3.11",
        ),
        policy: |v| v.typ = Some("at+jwt".into()),
        ..BASE
    },
    Row {
        id: "invalid/typ-missing",
        description: "no typ; the verifier expects at+jwt",
        refusal: refused(
            "typ-mismatch",
            "typ",
            TYP_EXPLANATION,
            "RFC 8725, Section 3.11",
        ),
        header: Some(r#"{"alg":"HS256"}"#),
        policy: |v| v.typ = Some("at+jwt".into()),
        ..BASE
    },
    Row {
        id: "invalid/missing-exp",
        description: "no exp; the policy requires it",
        refusal: refused(
            "missing-claim",
            "exp",
            "a required claim is absent",
            "RFC 7519, Section 4.1",
        ),
        claims: || claims(&json!({"exp": null})),
        ..BASE
    },
    Row {
        id: "invalid/missing-jti",
        description: "no jti; the policy requires it",
        refusal: refused(
            "missing-claim",
            "jti",
            "a required claim is absent",
            "RFC 7519, Section 4.1.7",
        ),
        claims: || claims(&json!({"jti": null})),
        policy: |v| v.required_claims = vec!["exp".into(), "jti".into()],
        ..BASE
    },
    Row {
        id: "invalid/exp-string",
        description: "exp is a string of digits",
        refusal: refused(
            "invalid-claim",
            "exp",
            "NumericDate is a JSON number; a string is not a date, and treating it as absent would skip the check",
            TYPED,
        ),
        claims: || claims(&json!({"exp": (NOW + 3600).to_string()})),
        ..BASE
    },
    Row {
        id: "invalid/aud-number",
        description: "aud is a number",
        refusal: refused(
            "invalid-claim",
            "aud",
            "aud is a StringOrURI or an array of them",
            TYPED,
        ),
        claims: || claims(&json!({"aud": 42})),
        ..BASE
    },
    Row {
        id: "invalid/iss-number",
        description: "iss is a number",
        refusal: refused("invalid-claim", "iss", "iss is a StringOrURI", TYPED),
        claims: || claims(&json!({"iss": 7})),
        ..BASE
    },
    Row {
        id: "invalid/nbf-boolean",
        description: "nbf is true",
        refusal: refused(
            "invalid-claim",
            "nbf",
            "NumericDate is a JSON number",
            TYPED,
        ),
        claims: || claims(&json!({"nbf": true})),
        ..BASE
    },
    // Refused before the claims.
    Row {
        id: "invalid/payload-array",
        description: "the payload is a JSON array",
        refusal: refused_token(
            "payload-not-object",
            "the claims set is a JSON object",
            "RFC 7519, Section 7.2",
        ),
        payload_text: Some(|| "[1,2,3]".into()),
        ..BASE
    },
    Row {
        id: "invalid/payload-not-json",
        description: "the payload is not JSON",
        refusal: refused_token(
            "payload-not-object",
            "the claims set is a JSON object",
            "RFC 7519, Section 7.2",
        ),
        payload_text: Some(|| "iss=https://issuer.example".into()),
        ..BASE
    },
    Row {
        id: "invalid/duplicate-claim",
        description: "sub appears twice",
        refusal: refused_token(
            "duplicate-member",
            "claim names must be unique; RFC 7519 allows refusing duplicates and RFC 8725 recommends it",
            "RFC 7519, Section 4; RFC 8725, Section 3.4",
        ),
        payload_text: Some(|| {
            let text = claims(&json!({})).to_string();
            text.replacen('{', r#"{"sub":"mallory","#, 1)
        }),
        ..BASE
    },
    Row {
        id: "invalid/alg-not-allowed",
        description: "HS256 token; the verifier accepts RS256 only",
        refusal: refused_token(
            "alg-not-allowed",
            "the verifier, not the token, decides the algorithm",
            "RFC 8725, Section 3.1",
        ),
        policy: |v| v.algorithms = vec!["RS256".into()],
        ..BASE
    },
    // RFC 7797 §7: b64 false does not apply to JWTs. The claims have no '.' so that the
    // compact form stays three parts and the refusal is about b64 itself.
    Row {
        id: "invalid/unencoded-payload",
        description: "a JWT with b64 false (the claims are signed unencoded)",
        refusal: refused_token(
            "malformed",
            "the unencoded payload option does not apply to JWTs",
            "RFC 7797, Section 7",
        ),
        header: Some(UNENCODED_HEADER),
        claims: unencoded_claims,
        policy: |v| {
            v.issuer = None;
            v.audience = None;
        },
        finish: Some(|keys, vector| {
            let alg = JwsAlgorithm::HS256;
            let signer =
                SigningKey::new(keys.for_alg(alg).clone(), alg).map_err(|e| e.to_string())?;
            let header = b64s(UNENCODED_HEADER);
            let payload = unencoded_claims().to_string();
            let sig = signer
                .sign(format!("{header}.{payload}").as_bytes())
                .map_err(|e| e.to_string())?;
            vector.jwt = format!("{header}.{payload}.{}", b64::encode(sig));
            Ok(())
        }),
        ..BASE
    },
    Row {
        id: "invalid/bad-signature",
        description: "the claims were changed after signing (sub alice to admin)",
        refusal: refused_token(
            "bad-signature",
            "the signature covers the claims",
            "RFC 7515, Section 5.2",
        ),
        finish: Some(|_, vector| {
            let (header, rest) = vector.jwt.split_once('.').ok_or("jwt")?;
            let (_, sig) = rest.split_once('.').ok_or("jwt")?;
            let changed = b64s(&claims(&json!({"sub": "admin"})).to_string());
            vector.jwt = format!("{header}.{changed}.{sig}");
            Ok(())
        }),
        ..BASE
    },
    Row {
        id: "invalid/alg-none",
        description: "an unsecured JWT (alg none) with valid claims",
        refusal: refused_token(
            "alg-none",
            "unsecured JWTs are never accepted here",
            "RFC 8725, Section 3.1",
        ),
        policy: |v| v.algorithms = util::all_jws_algs(),
        finish: Some(|_, vector| {
            vector.jwt = format!(
                "{}.{}.",
                b64s(r#"{"alg":"none","typ":"JWT"}"#),
                b64s(&claims(&json!({})).to_string())
            );
            Ok(())
        }),
        ..BASE
    },
];

/// The header of the unencoded-payload vector.
const UNENCODED_HEADER: &str = r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#;

/// The claims of the unencoded-payload vector (no '.', see its row).
fn unencoded_claims() -> Value {
    json!({"sub": "alice", "exp": NOW + 3600})
}
