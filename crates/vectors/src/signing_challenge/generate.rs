//! The generator of `vectors/generated/signing-challenge.json`: signed challenges and signed
//! responses with the test PKI of [`super::fixtures`], the positive flows and each check
//! failing.
//!
//! The file is written by signing-challenge's test `generated_vectors`
//! (`JOSE_REGENERATE_VECTORS=1`), which calls [`file()`]; its `generated_by` member says so.
//! ECDSA is deterministic here (RFC 6979), so the file is reproduced byte for byte.
//!
//! Every value here is fixed test data built by this module: a failure is a bug of the
//! generator, reported by the test that runs it, hence the panics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::fixtures::*;
use crate::handmade::{claims_of, header_of, unsigned, with, without};
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use serde_json::{Value, json};
use signing_challenge::{DocHash, Session, UserSignature};

const SEED: &str = "P-256/P-384 keys = SHA-256/SHA-384 of their labels (crates/signing-challenge/tests/common); certificates built in code";

fn b64(der: &[u8]) -> Value {
    Value::String(jose_core::b64::encode_standard(der))
}

fn session_json(s: &Session) -> Value {
    let mut v = json!({});
    if let Some(x) = s.sign_ref {
        v["sign_ref"] = json!(x.to_string());
    }
    if let Some(x) = &s.nonce {
        v["nonce"] = json!(x);
    }
    if let Some(x) = &s.doc_hash {
        v["doc_hash"] = json!(x.to_string());
    }
    if let Some(x) = &s.challenge_code {
        v["challenge_code"] = json!(x.as_str());
    }
    if let Some(x) = &s.hss_nonce {
        v["hss_nonce"] = json!(x);
    }
    if let Some(x) = &s.usr_cert {
        v["usr_cert"] = b64(x);
    }
    if let Some(x) = &s.ff_id {
        v["ff_id"] = json!(x);
    }
    if let Some(x) = s.challenge_issued_at {
        v["challenge_iat"] = json!(x);
    }
    v
}

fn policy(now: i64) -> Value {
    json!({"now": now, "leeway_seconds": 5, "max_lifetime_seconds": 3})
}

/// Signs exactly these header and claims texts.
fn signed(header: &Value, claims: &Value, key: &SigningKey) -> String {
    use jws::Signer;
    let input = format!(
        "{}.{}",
        jose_core::b64::encode(header.to_string()),
        jose_core::b64::encode(claims.to_string())
    );
    let sig = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", jose_core::b64::encode(sig))
}

enum Expect {
    Valid(Box<Jwk>),
    Invalid(&'static str, Option<&'static str>, &'static str),
}

struct Vector {
    id: String,
    description: &'static str,
    token_type: &'static str,
    token: String,
    session: Session,
    policy: Value,
    anchors: Vec<Vec<u8>>,
    expect: Expect,
}

fn jwks_json() -> Value {
    Value::Object(
        JwkSet::new(vec![asp().public_jwk().unwrap()])
            .unwrap()
            .to_json_value(),
    )
}

fn challenge(id: &str, description: &'static str, token: String, expect: Expect) -> Vector {
    Vector {
        id: format!("signing-challenge/challenge/{id}"),
        description,
        token_type: "challenge",
        token,
        session: mobile_session(),
        policy: policy(T + 1),
        anchors: Vec::new(),
        expect,
    }
}

fn response(
    id: &str,
    description: &'static str,
    token: String,
    cert: &[u8],
    expect: Expect,
) -> Vector {
    Vector {
        id: format!("signing-challenge/response/{id}"),
        description,
        token_type: "response",
        token,
        session: service_session(cert),
        policy: policy(T + 1),
        anchors: vec![pki().root.clone()],
        expect,
    }
}

/// What the vectors are made from: a valid challenge and response, their decoded headers and
/// claims, and the user's signer.
struct Fixtures {
    good_challenge: String,
    good_response: String,
    /// The challenge's header and claims.
    ch: Value,
    cc: Value,
    /// The response's header and claims.
    rh: Value,
    rc: Value,
    user: SigningKey,
}

impl Fixtures {
    fn new() -> Self {
        let user = user_signer(&user_p256());
        let good_challenge = challenge_builder().sign(&asp()).unwrap();
        let good_response = response_builder(good_chain(), &user_p256())
            .sign(&user)
            .unwrap();
        Self {
            ch: header_of(&good_challenge),
            cc: claims_of(&good_challenge),
            rh: header_of(&good_response),
            rc: claims_of(&good_response),
            good_challenge,
            good_response,
            user,
        }
    }

    /// The challenge with these claims, signed by the service.
    fn challenge_claims(&self, claims: Value) -> String {
        signed(&self.ch, &claims, &asp())
    }

    /// The challenge with this header, signed by the service.
    fn challenge_header(&self, header: Value) -> String {
        signed(&header, &self.cc, &asp())
    }

    /// The response with claim `name` set to `value`, signed by the user.
    fn response_claim(&self, name: &str, value: Value) -> String {
        signed(&self.rh, &with(self.rc.clone(), name, value), &self.user)
    }

    /// The response with an `x5c` of these certificates, signed by the user.
    fn response_chain(&self, chain: &[&[u8]]) -> String {
        let x5c: Vec<Value> = chain.iter().map(|c| b64(c)).collect();
        signed(&json!({"alg": "ES256", "x5c": x5c}), &self.rc, &self.user)
    }
}

/// Every vector, in file order: the valid ones, then the two tables of refusals.
fn vectors() -> Vec<Vector> {
    let f = Fixtures::new();
    let mut out = valid(&f);
    out.extend(CHALLENGE_REFUSED.iter().map(|r| r.vector(&f, "challenge")));
    out.extend(RESPONSE_REFUSED.iter().map(|r| r.vector(&f, "response")));
    out
}

/// The valid vectors.
fn valid(f: &Fixtures) -> Vec<Vector> {
    let mut out = Vec::new();
    let asp_private = asp().jwk().clone();
    // --- Valid ------------------------------------------------------------------------------
    out.push(challenge(
        "basic",
        "a signed challenge with client_name and doc_name, verified by kid in the JWK Set",
        f.good_challenge.clone(),
        Expect::Valid(Box::new(asp_private.clone())),
    ));
    out.push(challenge(
        "minimal",
        "a signed challenge without the optional display names",
        signing_challenge::SignedChallengeBuilder::new()
            .sign_ref(sign_ref())
            .doc_hash(doc_hash())
            .challenge_code(code())
            .hss_nonce(HSS_NONCE)
            .nonce(NONCE)
            .issued_at(T)
            .sign(&asp())
            .unwrap(),
        Expect::Valid(Box::new(asp_private.clone())),
    ));
    let mut full = challenge(
        "full-session",
        "the phone also knows doc_hash, challenge_code and hss_nonce",
        f.good_challenge.clone(),
        Expect::Valid(Box::new(asp_private.clone())),
    );
    full.session = mobile_session()
        .doc_hash(doc_hash())
        .challenge_code(code())
        .hss_nonce(HSS_NONCE);
    out.push(full);
    let mut relative = challenge(
        "relative-exp-compat",
        "exp written as a duration (the seed's wording), read with the compatibility switch",
        challenge_builder().relative_exp(true).sign(&asp()).unwrap(),
        Expect::Valid(Box::new(asp_private.clone())),
    );
    relative.policy["exp_interpretation"] = json!("relative_to_iat");
    out.push(relative);
    out.push(response(
        "p256",
        "a signed response: x5c leaf + intermediate to the root anchor, usr_signature over doc_hash",
        f.good_response.clone(),
        &pki().leaf_p256,
        Expect::Valid(Box::new(user_p256())),
    ));
    let p384_chain = vec![pki().leaf_p384.clone(), pki().ica.clone()];
    let mut p384 = response(
        "p384-es384",
        "a P-384 user key: ES384 JWS and a P-384 usr_signature over the 32-byte doc_hash",
        response_builder(p384_chain, &user_p384())
            .sign(&user_signer(&user_p384()))
            .unwrap(),
        &pki().leaf_p384,
        Expect::Valid(Box::new(user_p384())),
    );
    p384.policy["allow_es384"] = json!(true);
    out.push(p384);
    out.push(response(
        "anchor-in-chain",
        "x5c carries the root too",
        response_builder(
            vec![
                pki().leaf_p256.clone(),
                pki().ica.clone(),
                pki().root.clone(),
            ],
            &user_p256(),
        )
        .sign(&f.user)
        .unwrap(),
        &pki().leaf_p256,
        Expect::Valid(Box::new(user_p256())),
    ));
    let mut ica_anchor = response(
        "intermediate-anchor",
        "x5c carries the leaf only; the intermediate is the trust anchor",
        response_builder(vec![pki().leaf_p256.clone()], &user_p256())
            .sign(&f.user)
            .unwrap(),
        &pki().leaf_p256,
        Expect::Valid(Box::new(user_p256())),
    );
    ica_anchor.anchors = vec![pki().ica.clone()];
    out.push(ica_anchor);
    out.push(response(
        "rsa-intermediate",
        "a chain through an RSA intermediate CA (sha256WithRSAEncryption)",
        response_builder(
            vec![pki().leaf_under_rsa.clone(), pki().ica_rsa.clone()],
            &user_p256(),
        )
        .sign(&f.user)
        .unwrap(),
        &pki().leaf_under_rsa,
        Expect::Valid(Box::new(user_p256())),
    ));
    let mut auto = response(
        "relative-exp-auto",
        "exp as a duration, read by the automatic interpretation",
        response_builder(good_chain(), &user_p256())
            .relative_exp(true)
            .sign(&f.user)
            .unwrap(),
        &pki().leaf_p256,
        Expect::Valid(Box::new(user_p256())),
    );
    auto.policy["exp_interpretation"] = json!("auto");
    out.push(auto);
    out
}

/// One invalid vector: the token (a mutation of a valid one), what it is checked against, and
/// why it must be refused.
struct Refusal {
    id: &'static str,
    description: &'static str,
    code: &'static str,
    /// The claim a claim check is about.
    claim: Option<&'static str>,
    explanation: &'static str,
    token: fn(&Fixtures) -> String,
    /// For a response: the certificate registered for the session.
    cert: fn() -> &'static [u8],
    /// A change to the session or the policy.
    adjust: Option<fn(&mut Vector)>,
}

impl Refusal {
    fn vector(&self, f: &Fixtures, kind: &str) -> Vector {
        let token = (self.token)(f);
        let expect = Expect::Invalid(self.code, self.claim, self.explanation);
        let mut v = if kind == "challenge" {
            challenge(self.id, self.description, token, expect)
        } else {
            response(self.id, self.description, token, (self.cert)(), expect)
        };
        if let Some(adjust) = self.adjust {
            adjust(&mut v);
        }
        v
    }
}

/// A refusal with no claim, for the registered P-256 leaf, nothing adjusted.
const REFUSED: Refusal = Refusal {
    id: "",
    description: "",
    code: "",
    claim: None,
    explanation: "",
    token: |f| f.good_challenge.clone(),
    cert: || &pki().leaf_p256,
    adjust: None,
};

/// Signed challenges that must be refused, in file order.
const CHALLENGE_REFUSED: &[Refusal] = &[
    Refusal {
        id: "es256-96-byte-signature",
        description: "alg ES256 with a 96-byte signature (a P-384 signature mislabelled, as in a staging sample of the service)",
        code: "malformed-signature",
        explanation: "an ES256 signature is the 64-byte r || s of P-256",
        token: |f| unsigned(&with(f.ch.clone(), "typ", json!("JWT")), &f.cc, &[0x5a; 96]),
        ..REFUSED
    },
    Refusal {
        id: "kid-missing",
        description: "no kid",
        code: "no-matching-key",
        explanation: "the key is found by kid",
        token: |f| f.challenge_header(without(f.ch.clone(), "kid")),
        ..REFUSED
    },
    Refusal {
        id: "kid-unknown",
        description: "a kid not in the JWK Set",
        code: "no-matching-key",
        explanation: "no key has this kid",
        token: |f| f.challenge_header(with(f.ch.clone(), "kid", json!("asp-2024-01"))),
        ..REFUSED
    },
    Refusal {
        id: "signed-by-other-key",
        description: "the service's kid, another key",
        code: "bad-signature",
        explanation: "the signature does not verify",
        token: |f| {
            let impostor = p256_jwk("impostor").with_kid(ASP_KID);
            let impostor = SigningKey::new(impostor, JwsAlgorithm::ES256).unwrap();
            signed(&f.ch, &f.cc, &impostor)
        },
        ..REFUSED
    },
    Refusal {
        id: "alg-none",
        description: "alg none",
        code: "alg-none",
        explanation: "unsecured tokens are never accepted",
        token: |f| unsigned(&with(f.ch.clone(), "alg", json!("none")), &f.cc, b""),
        ..REFUSED
    },
    Refusal {
        id: "es384",
        description: "alg ES384 for the service's token",
        code: "alg-not-allowed",
        explanation: "the signed challenge is ES256",
        token: |f| unsigned(&with(f.ch.clone(), "alg", json!("ES384")), &f.cc, &[1; 96]),
        ..REFUSED
    },
    Refusal {
        id: "algo-instead-of-alg",
        description: "the seed's algo member in place of alg",
        code: "bad-header",
        explanation: "alg is required; algo is never read in its place",
        token: |f| unsigned(&json!({"algo": "ES256", "kid": ASP_KID}), &f.cc, &[1; 64]),
        ..REFUSED
    },
    Refusal {
        id: "jwk-header",
        description: "a key embedded in the header",
        code: "embedded-key-not-trusted",
        explanation: "keys come from the JWK Set, never from the token",
        token: |f| {
            let jwk = Value::Object(asp().public_jwk().unwrap().to_json_value());
            unsigned(&with(f.ch.clone(), "jwk", jwk), &f.cc, &[1; 64])
        },
        ..REFUSED
    },
    Refusal {
        id: "crit",
        description: "crit names an extension",
        code: "crit-unknown",
        explanation: "no extension is understood",
        token: |f| {
            let header = with(with(f.ch.clone(), "crit", json!(["ext"])), "ext", json!(1));
            f.challenge_header(header)
        },
        ..REFUSED
    },
    Refusal {
        id: "typ-wrong",
        description: "typ other than JWT",
        code: "typ-mismatch",
        explanation: "typ is absent or JWT",
        token: |f| f.challenge_header(with(f.ch.clone(), "typ", json!("at+jwt"))),
        ..REFUSED
    },
    Refusal {
        id: "nonce-mismatch",
        description: "the nonce is not the one the phone sent",
        code: "session-mismatch",
        claim: Some("nonce"),
        explanation: "a challenge for another request is refused",
        token: |f| f.challenge_claims(with(f.cc.clone(), "nonce", json!("someone-elses-nonce"))),
        ..REFUSED
    },
    Refusal {
        id: "sign-ref-mismatch",
        description: "sign_ref of another session",
        code: "session-mismatch",
        claim: Some("sign_ref"),
        explanation: "sign_ref must be the request path's",
        token: |f| {
            let other = json!("11111111-2222-4333-8444-555555555555");
            f.challenge_claims(with(f.cc.clone(), "sign_ref", other))
        },
        ..REFUSED
    },
    Refusal {
        id: "expired",
        description: "checked 8 s after iat: past exp (iat + 3) and the 5 s leeway",
        code: "expired",
        claim: Some("exp"),
        explanation: "the 3-second token has expired",
        adjust: Some(|v| v.policy["now"] = json!(T + 8)),
        ..REFUSED
    },
    Refusal {
        id: "iat-future",
        description: "checked 6 s before iat",
        code: "issued-in-future",
        claim: Some("iat"),
        explanation: "iat is beyond the leeway",
        adjust: Some(|v| v.policy["now"] = json!(T - 6)),
        ..REFUSED
    },
    Refusal {
        id: "lifetime",
        description: "exp 60 s after iat",
        code: "lifetime-out-of-range",
        explanation: "the profile allows 3 s",
        token: |f| f.challenge_claims(with(f.cc.clone(), "exp", json!(T + 60))),
        ..REFUSED
    },
    Refusal {
        id: "relative-exp-default",
        description: "exp written as a duration, read as a NumericDate (the default)",
        code: "lifetime-out-of-range",
        explanation: "exp = 3 read as a date lies before iat",
        token: |_| challenge_builder().relative_exp(true).sign(&asp()).unwrap(),
        ..REFUSED
    },
    Refusal {
        id: "challenge-code-5-digits",
        description: "a 5-digit challenge code",
        code: "invalid-claim",
        claim: Some("challenge_code"),
        explanation: "the code is six digits",
        token: |f| f.challenge_claims(with(f.cc.clone(), "challenge_code", json!("12345"))),
        ..REFUSED
    },
    Refusal {
        id: "doc-hash-not-hex",
        description: "doc_hash that is not hex",
        code: "invalid-claim",
        claim: Some("doc_hash"),
        explanation: "doc_hash is hex of a SHA-2 digest",
        token: |f| f.challenge_claims(with(f.cc.clone(), "doc_hash", json!("z".repeat(64)))),
        ..REFUSED
    },
];

const SESSION_MISMATCH: &str = "the response must answer this session's challenge";

/// Signed responses that must be refused, in file order.
const RESPONSE_REFUSED: &[Refusal] = &[
    Refusal {
        id: "es384-not-enabled",
        description: "an ES384 response while only ES256 is accepted",
        code: "alg-not-allowed",
        explanation: "ES384 is an explicit opt-in",
        token: |_| {
            let chain = vec![pki().leaf_p384.clone(), pki().ica.clone()];
            let user = user_signer(&user_p384());
            response_builder(chain, &user_p384()).sign(&user).unwrap()
        },
        cert: || &pki().leaf_p384,
        ..REFUSED
    },
    Refusal {
        id: "es256-96-byte-signature",
        description: "alg ES256 with a 96-byte signature",
        code: "malformed-signature",
        explanation: "an ES256 signature is 64 bytes",
        token: |f| unsigned(&f.rh, &f.rc, &[0x5a; 96]),
        ..REFUSED
    },
    Refusal {
        id: "x5c-missing",
        description: "no x5c",
        code: "bad-header",
        explanation: "the key comes from the x5c leaf",
        token: |f| signed(&without(f.rh.clone(), "x5c"), &f.rc, &f.user),
        ..REFUSED
    },
    Refusal {
        id: "signed-by-other-key",
        description: "the JWS is not signed by the leaf's key",
        code: "bad-signature",
        explanation: "the signature does not verify with the leaf key",
        token: |f| signed(&f.rh, &f.rc, &user_signer(&p256_jwk("someone else"))),
        ..REFUSED
    },
    Refusal {
        id: "chain-too-long",
        description: "five certificates",
        code: "certificate-invalid",
        explanation: "at most four certificates",
        token: |f| {
            let p = pki();
            f.response_chain(&[&p.leaf_p256, &p.ica, &p.root, &p.root, &p.root])
        },
        ..REFUSED
    },
    Refusal {
        id: "cert-not-registered",
        description: "a valid chain, but the leaf is not the certificate released for the session",
        code: "certificate-not-bound",
        explanation: "doc_hash was computed for the registered certificate",
        token: |f| f.good_response.clone(),
        cert: || &pki().leaf_p384,
        ..REFUSED
    },
    Refusal {
        id: "ff-id-mismatch",
        description: "another device",
        code: "session-mismatch",
        claim: Some("ff_id"),
        explanation: "the response must come from the registered device",
        token: |f| f.good_response.clone(),
        adjust: Some(|v| v.session = v.session.clone().ff_id("ff-00000000")),
        ..REFUSED
    },
    // Chains the path validation refuses.
    Refusal {
        id: "cert-expired",
        description: "the leaf expired 100 s before the signing instant",
        code: "certificate-expired",
        explanation: "certificates are valid at the signing instant",
        token: |f| f.response_chain(&[&pki().leaf_expired, &pki().ica]),
        cert: || &pki().leaf_expired,
        ..REFUSED
    },
    Refusal {
        id: "cert-forged",
        description: "a leaf naming the intermediate, signed by another key",
        code: "chain-untrusted",
        explanation: "each certificate is signed by its issuer",
        token: |f| f.response_chain(&[&pki().leaf_forged, &pki().ica]),
        cert: || &pki().leaf_forged,
        ..REFUSED
    },
    Refusal {
        id: "issuer-not-ca",
        description: "an issuer without basic constraints",
        code: "chain-untrusted",
        explanation: "issuers must be CAs",
        token: |f| f.response_chain(&[&pki().leaf_under_not_ca, &pki().ica_not_ca]),
        cert: || &pki().leaf_under_not_ca,
        ..REFUSED
    },
    Refusal {
        id: "path-length",
        description: "a second intermediate below one with path length 0",
        code: "chain-untrusted",
        explanation: "the path length constraint is exceeded",
        token: |f| f.response_chain(&[&pki().leaf_under_ica2, &pki().ica2, &pki().ica]),
        cert: || &pki().leaf_under_ica2,
        ..REFUSED
    },
    Refusal {
        id: "untrusted-root",
        description: "a chain to a root that is not an anchor",
        code: "chain-untrusted",
        explanation: "the chain must end at a trust anchor",
        token: |f| f.response_chain(&[&pki().leaf_other, &pki().other_root]),
        cert: || &pki().leaf_other,
        ..REFUSED
    },
    Refusal {
        id: "leaf-key-usage",
        description: "a leaf whose key usage is keyEncipherment only",
        code: "certificate-invalid",
        explanation: "the leaf must allow digital signatures",
        token: |f| f.response_chain(&[&pki().leaf_no_signature_usage, &pki().ica]),
        cert: || &pki().leaf_no_signature_usage,
        ..REFUSED
    },
    Refusal {
        id: "critical-extension",
        description: "an unknown critical extension in the leaf",
        code: "certificate-invalid",
        explanation: "unknown critical extensions are refused",
        token: |f| f.response_chain(&[&pki().leaf_critical_extension, &pki().ica]),
        cert: || &pki().leaf_critical_extension,
        ..REFUSED
    },
    Refusal {
        id: "chain-broken",
        description: "the intermediate left out: the leaf's issuer is not the next certificate",
        code: "chain-untrusted",
        explanation: "each certificate is issued by the next",
        token: |f| f.response_chain(&[&pki().leaf_p256, &pki().root]),
        ..REFUSED
    },
    // Claims that must match the session.
    Refusal {
        id: "hss-nonce-mismatch",
        description: "hss_nonce of another challenge",
        code: "session-mismatch",
        claim: Some("hss_nonce"),
        explanation: SESSION_MISMATCH,
        token: |f| f.response_claim("hss_nonce", json!("hss-nonce-other")),
        ..REFUSED
    },
    Refusal {
        id: "doc-hash-mismatch",
        description: "another document hash",
        code: "session-mismatch",
        claim: Some("doc_hash"),
        explanation: SESSION_MISMATCH,
        token: |f| f.response_claim("doc_hash", json!("ab".repeat(32))),
        ..REFUSED
    },
    Refusal {
        id: "challenge-code-mismatch",
        description: "another challenge code",
        code: "session-mismatch",
        claim: Some("challenge_code"),
        explanation: SESSION_MISMATCH,
        token: |f| f.response_claim("challenge_code", json!("999999")),
        ..REFUSED
    },
    Refusal {
        id: "sign-ref-mismatch",
        description: "another session",
        code: "session-mismatch",
        claim: Some("sign_ref"),
        explanation: SESSION_MISMATCH,
        token: |f| f.response_claim("sign_ref", json!("11111111-2222-4333-8444-555555555555")),
        ..REFUSED
    },
    // The user's signature and the timestamp.
    Refusal {
        id: "usr-signature-other-hash",
        description: "usr_signature over another document hash",
        code: "user-signature-invalid",
        explanation: "the user's signature must cover doc_hash",
        token: |f| {
            let other: DocHash = "cd".repeat(32).parse().unwrap();
            let signature = UserSignature::sign(&other, &user_p256()).unwrap();
            f.response_claim("usr_signature", json!(signature.to_hex()))
        },
        ..REFUSED
    },
    Refusal {
        id: "usr-signature-trailing-byte",
        description: "usr_signature DER with a trailing byte",
        code: "invalid-claim",
        claim: Some("usr_signature"),
        explanation: "strict DER only",
        token: |f| {
            let good = f.rc["usr_signature"].as_str().unwrap();
            f.response_claim("usr_signature", json!(format!("{good}00")))
        },
        ..REFUSED
    },
    Refusal {
        id: "timestamp-before-challenge",
        description: "signed 6 s before the challenge was issued",
        code: "timestamp-out-of-range",
        claim: Some("timestamp"),
        explanation: "the user cannot sign before the challenge exists",
        token: |f| f.response_claim("timestamp", json!((T - 6) * 1000)),
        ..REFUSED
    },
    Refusal {
        id: "timestamp-seconds",
        description: "timestamp in seconds instead of milliseconds",
        code: "invalid-claim",
        claim: Some("timestamp"),
        explanation: "timestamp is in milliseconds",
        token: |f| f.response_claim("timestamp", json!(T)),
        ..REFUSED
    },
    Refusal {
        id: "expired",
        description: "checked 9 s after iat",
        code: "expired",
        claim: Some("exp"),
        explanation: "the 3-second token has expired",
        token: |f| f.good_response.clone(),
        adjust: Some(|v| v.policy["now"] = json!(T + 10)),
        ..REFUSED
    },
];

fn to_json(v: &Vector) -> Value {
    let mut out = json!({
        "id": v.id,
        "description": v.description,
        "source": {"origin": "generated", "reference": "NDI HSS 2.0 signed challenge / signed response (seed 004); docs/signing-challenge.md", "seed": SEED},
        "expect": if matches!(v.expect, Expect::Valid(_)) { "valid" } else { "invalid" },
        "token_type": v.token_type,
        "token": v.token,
        "session": session_json(&v.session),
        "policy": v.policy,
        "reproducible": "rfc6979",
    });
    if v.token_type == "challenge" {
        out["jwks"] = jwks_json();
    } else {
        out["trust_anchors"] = Value::Array(v.anchors.iter().map(|a| b64(a)).collect());
    }
    match &v.expect {
        Expect::Valid(key) => {
            out["claims"] =
                super::verified_claims(&out).unwrap_or_else(|e| panic!("{}: {e}", v.id));
            out["signing_key"] = Value::Object(key.to_json_value());
        }
        Expect::Invalid(code, claim, explanation) => {
            let mut reason = json!({"code": code, "explanation": explanation});
            if let Some(c) = claim {
                reason["claim"] = json!(c);
            }
            out["reason"] = reason;
        }
    }
    out
}

/// The whole of `vectors/generated/signing-challenge.json`, as the generator writes it.
pub fn file() -> Value {
    json!({
        "$schema": "../schema.json",
        "format": "jose-rs-vectors/1",
        "kind": "signing-challenge",
        "title": "Signed challenges and signed responses (signing-challenge) with a test CA: the positive flows and each check failing; members described in docs/signing-challenge.md",
        "generated_by": "cargo test -p signing-challenge --test generated_vectors (JOSE_REGENERATE_VECTORS=1 rewrites it)",
        "vectors": vectors().iter().map(to_json).collect::<Vec<_>>(),
    })
}
