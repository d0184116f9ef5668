//! The generated vectors of `vectors/generated/signing-challenge.json`: written by this test
//! (with `JOSE_REGENERATE_VECTORS=1`), checked against what it generates today (ECDSA is
//! deterministic here, RFC 6979, so the file is reproduced byte for byte), and run through the
//! verifiers, each with its stated verdict and reason.
//!
//! Vector members (kind `signing-challenge`, format `jose-rs-vectors/1`):
//! - `token_type`: `challenge` or `response`; `token`: the compact JWS.
//! - `jwks` (challenge): the authentication service's JWK Set.
//! - `trust_anchors` (response): standard-base64 DER certificates.
//! - `session`: what the verifier knows of the session (`sign_ref`, `nonce`, `doc_hash`,
//!   `challenge_code`, `hss_nonce`, `usr_cert` as standard-base64 DER, `ff_id`,
//!   `challenge_iat`), each compared when present.
//! - `policy`: `now`, `leeway_seconds`, `max_lifetime_seconds`, and when not the default
//!   `exp_interpretation` (`numeric_date`, `relative_to_iat`, `auto`), `allow_es384`,
//!   `lenient`, `strict_headers`.
//! - `reproducible`: `rfc6979` (deterministic ECDSA: another implementation signs differently).
//! - valid vectors: `claims`, the verified claims (absolute `exp`); and `signing_key`, the
//!   private JWK that signed the token (test keys, for tools that sign).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
use common::VerifyNow;
use jwt_claims::{ClaimError, ClaimReason};

use common::*;
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use serde_json::{Value, json};
use signing_challenge::{
    ChallengeVerifier, DocHash, ExpInterpretation, ResponseVerifier, Session,
    SigningChallengeError as E, TrustAnchors, UserSignature,
};
use std::time::Duration;

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../vectors/generated/signing-challenge.json"
);
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

fn with(mut v: Value, name: &str, value: Value) -> Value {
    v[name] = value;
    v
}

fn without(mut v: Value, name: &str) -> Value {
    v.as_object_mut().unwrap().remove(name);
    v
}

fn claims_of(token: &str) -> Value {
    serde_json::from_slice(&jws::unverified::decode_payload(token).unwrap()).unwrap()
}

fn header_of(token: &str) -> Value {
    serde_json::from_slice(&jose_core::b64::decode(token.split('.').next().unwrap()).unwrap())
        .unwrap()
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

fn unsigned(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        jose_core::b64::encode(header.to_string()),
        jose_core::b64::encode(claims.to_string()),
        jose_core::b64::encode(signature)
    )
}

/// A chain case: id, description, chain, reason code, explanation.
type ChainCase<'a> = (
    &'a str,
    &'static str,
    Vec<&'a [u8]>,
    &'static str,
    &'static str,
);

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

fn bad(code: &'static str, explanation: &'static str) -> Expect {
    Expect::Invalid(code, None, explanation)
}

fn bad_claim(code: &'static str, claim: &'static str, explanation: &'static str) -> Expect {
    Expect::Invalid(code, Some(claim), explanation)
}

fn vectors() -> Vec<Vector> {
    let mut out = Vec::new();
    let asp_private = asp().jwk().clone();
    let user = user_signer(&user_p256());
    let good_challenge = challenge_builder().sign(&asp()).unwrap();
    let good_response = response_builder(good_chain(), &user_p256())
        .sign(&user)
        .unwrap();
    let ch = header_of(&good_challenge);
    let cc = claims_of(&good_challenge);
    let rh = header_of(&good_response);
    let rc = claims_of(&good_response);

    // --- Valid ------------------------------------------------------------------------------
    out.push(challenge(
        "basic",
        "a signed challenge with client_name and doc_name, verified by kid in the JWK Set",
        good_challenge.clone(),
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
        good_challenge.clone(),
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
        good_response.clone(),
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
        .sign(&user)
        .unwrap(),
        &pki().leaf_p256,
        Expect::Valid(Box::new(user_p256())),
    ));
    let mut ica_anchor = response(
        "intermediate-anchor",
        "x5c carries the leaf only; the intermediate is the trust anchor",
        response_builder(vec![pki().leaf_p256.clone()], &user_p256())
            .sign(&user)
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
        .sign(&user)
        .unwrap(),
        &pki().leaf_under_rsa,
        Expect::Valid(Box::new(user_p256())),
    ));
    let mut auto = response(
        "relative-exp-auto",
        "exp as a duration, read by the automatic interpretation",
        response_builder(good_chain(), &user_p256())
            .relative_exp(true)
            .sign(&user)
            .unwrap(),
        &pki().leaf_p256,
        Expect::Valid(Box::new(user_p256())),
    );
    auto.policy["exp_interpretation"] = json!("auto");
    out.push(auto);

    // --- Challenge: refused ----------------------------------------------------------------
    out.push(challenge(
        "es256-96-byte-signature",
        "alg ES256 with a 96-byte signature (a P-384 signature mislabelled, as in a staging sample of the service)",
        unsigned(&with(ch.clone(), "typ", json!("JWT")), &cc, &[0x5a; 96]),
        bad("malformed-signature", "an ES256 signature is the 64-byte r || s of P-256"),
    ));
    out.push(challenge(
        "kid-missing",
        "no kid",
        signed(&without(ch.clone(), "kid"), &cc, &asp()),
        bad("no-matching-key", "the key is found by kid"),
    ));
    out.push(challenge(
        "kid-unknown",
        "a kid not in the JWK Set",
        signed(&with(ch.clone(), "kid", json!("asp-2024-01")), &cc, &asp()),
        bad("no-matching-key", "no key has this kid"),
    ));
    let impostor =
        SigningKey::new(p256_jwk("impostor").with_kid(ASP_KID), JwsAlgorithm::ES256).unwrap();
    out.push(challenge(
        "signed-by-other-key",
        "the service's kid, another key",
        signed(&ch, &cc, &impostor),
        bad("bad-signature", "the signature does not verify"),
    ));
    out.push(challenge(
        "alg-none",
        "alg none",
        unsigned(&with(ch.clone(), "alg", json!("none")), &cc, b""),
        bad("alg-none", "unsecured tokens are never accepted"),
    ));
    out.push(challenge(
        "es384",
        "alg ES384 for the service's token",
        unsigned(&with(ch.clone(), "alg", json!("ES384")), &cc, &[1; 96]),
        bad("alg-not-allowed", "the signed challenge is ES256"),
    ));
    out.push(challenge(
        "algo-instead-of-alg",
        "the seed's algo member in place of alg",
        unsigned(&json!({"algo": "ES256", "kid": ASP_KID}), &cc, &[1; 64]),
        bad(
            "bad-header",
            "alg is required; algo is never read in its place",
        ),
    ));
    out.push(challenge(
        "jwk-header",
        "a key embedded in the header",
        unsigned(
            &with(
                ch.clone(),
                "jwk",
                Value::Object(asp().public_jwk().unwrap().to_json_value()),
            ),
            &cc,
            &[1; 64],
        ),
        bad(
            "embedded-key-not-trusted",
            "keys come from the JWK Set, never from the token",
        ),
    ));
    out.push(challenge(
        "crit",
        "crit names an extension",
        signed(
            &with(with(ch.clone(), "crit", json!(["ext"])), "ext", json!(1)),
            &cc,
            &asp(),
        ),
        bad("crit-unknown", "no extension is understood"),
    ));
    out.push(challenge(
        "typ-wrong",
        "typ other than JWT",
        signed(&with(ch.clone(), "typ", json!("at+jwt")), &cc, &asp()),
        bad("typ-mismatch", "typ is absent or JWT"),
    ));
    out.push(challenge(
        "nonce-mismatch",
        "the nonce is not the one the phone sent",
        signed(
            &ch,
            &with(cc.clone(), "nonce", json!("someone-elses-nonce")),
            &asp(),
        ),
        bad_claim(
            "session-mismatch",
            "nonce",
            "a challenge for another request is refused",
        ),
    ));
    out.push(challenge(
        "sign-ref-mismatch",
        "sign_ref of another session",
        signed(
            &ch,
            &with(
                cc.clone(),
                "sign_ref",
                json!("11111111-2222-4333-8444-555555555555"),
            ),
            &asp(),
        ),
        bad_claim(
            "session-mismatch",
            "sign_ref",
            "sign_ref must be the request path's",
        ),
    ));
    let mut expired = challenge(
        "expired",
        "checked 8 s after iat: past exp (iat + 3) and the 5 s leeway",
        good_challenge.clone(),
        bad_claim("expired", "exp", "the 3-second token has expired"),
    );
    expired.policy["now"] = json!(T + 8);
    out.push(expired);
    let mut future = challenge(
        "iat-future",
        "checked 6 s before iat",
        good_challenge.clone(),
        bad_claim("issued-in-future", "iat", "iat is beyond the leeway"),
    );
    future.policy["now"] = json!(T - 6);
    out.push(future);
    out.push(challenge(
        "lifetime",
        "exp 60 s after iat",
        signed(&ch, &with(cc.clone(), "exp", json!(T + 60)), &asp()),
        bad("lifetime-out-of-range", "the profile allows 3 s"),
    ));
    out.push(challenge(
        "relative-exp-default",
        "exp written as a duration, read as a NumericDate (the default)",
        challenge_builder().relative_exp(true).sign(&asp()).unwrap(),
        bad(
            "lifetime-out-of-range",
            "exp = 3 read as a date lies before iat",
        ),
    ));
    out.push(challenge(
        "challenge-code-5-digits",
        "a 5-digit challenge code",
        signed(
            &ch,
            &with(cc.clone(), "challenge_code", json!("12345")),
            &asp(),
        ),
        bad_claim("invalid-claim", "challenge_code", "the code is six digits"),
    ));
    out.push(challenge(
        "doc-hash-not-hex",
        "doc_hash that is not hex",
        signed(
            &ch,
            &with(cc.clone(), "doc_hash", json!("z".repeat(64))),
            &asp(),
        ),
        bad_claim(
            "invalid-claim",
            "doc_hash",
            "doc_hash is hex of a SHA-2 digest",
        ),
    ));

    // --- Response: refused -----------------------------------------------------------------
    let sign_rc = |claims: &Value| signed(&rh, claims, &user);
    let chain_token = |chain: &[&[u8]]| {
        let h = json!({"alg": "ES256", "x5c": chain.iter().map(|c| b64(c)).collect::<Vec<_>>()});
        signed(&h, &rc, &user)
    };
    let p384_token = response_builder(
        vec![pki().leaf_p384.clone(), pki().ica.clone()],
        &user_p384(),
    )
    .sign(&user_signer(&user_p384()))
    .unwrap();
    out.push(response(
        "es384-not-enabled",
        "an ES384 response while only ES256 is accepted",
        p384_token,
        &pki().leaf_p384,
        bad("alg-not-allowed", "ES384 is an explicit opt-in"),
    ));
    out.push(response(
        "es256-96-byte-signature",
        "alg ES256 with a 96-byte signature",
        unsigned(&rh, &rc, &[0x5a; 96]),
        &pki().leaf_p256,
        bad("malformed-signature", "an ES256 signature is 64 bytes"),
    ));
    out.push(response(
        "x5c-missing",
        "no x5c",
        signed(&without(rh.clone(), "x5c"), &rc, &user),
        &pki().leaf_p256,
        bad("bad-header", "the key comes from the x5c leaf"),
    ));
    out.push(response(
        "signed-by-other-key",
        "the JWS is not signed by the leaf's key",
        signed(&rh, &rc, &user_signer(&p256_jwk("someone else"))),
        &pki().leaf_p256,
        bad(
            "bad-signature",
            "the signature does not verify with the leaf key",
        ),
    ));
    let five = [
        &pki().leaf_p256[..],
        &pki().ica,
        &pki().root,
        &pki().root,
        &pki().root,
    ];
    out.push(response(
        "chain-too-long",
        "five certificates",
        chain_token(&five),
        &pki().leaf_p256,
        bad("certificate-invalid", "at most four certificates"),
    ));
    out.push(response(
        "cert-not-registered",
        "a valid chain, but the leaf is not the certificate released for the session",
        good_response.clone(),
        &pki().leaf_p384,
        bad(
            "certificate-not-bound",
            "doc_hash was computed for the registered certificate",
        ),
    ));
    let mut ff = response(
        "ff-id-mismatch",
        "another device",
        good_response.clone(),
        &pki().leaf_p256,
        bad_claim(
            "session-mismatch",
            "ff_id",
            "the response must come from the registered device",
        ),
    );
    ff.session = ff.session.ff_id("ff-00000000");
    out.push(ff);
    let chain_cases: [ChainCase<'_>; 7] = [
        (
            "cert-expired",
            "the leaf expired 100 s before the signing instant",
            vec![&pki().leaf_expired, &pki().ica],
            "certificate-expired",
            "certificates are valid at the signing instant",
        ),
        (
            "cert-forged",
            "a leaf naming the intermediate, signed by another key",
            vec![&pki().leaf_forged, &pki().ica],
            "chain-untrusted",
            "each certificate is signed by its issuer",
        ),
        (
            "issuer-not-ca",
            "an issuer without basic constraints",
            vec![&pki().leaf_under_not_ca, &pki().ica_not_ca],
            "chain-untrusted",
            "issuers must be CAs",
        ),
        (
            "path-length",
            "a second intermediate below one with path length 0",
            vec![&pki().leaf_under_ica2, &pki().ica2, &pki().ica],
            "chain-untrusted",
            "the path length constraint is exceeded",
        ),
        (
            "untrusted-root",
            "a chain to a root that is not an anchor",
            vec![&pki().leaf_other, &pki().other_root],
            "chain-untrusted",
            "the chain must end at a trust anchor",
        ),
        (
            "leaf-key-usage",
            "a leaf whose key usage is keyEncipherment only",
            vec![&pki().leaf_no_signature_usage, &pki().ica],
            "certificate-invalid",
            "the leaf must allow digital signatures",
        ),
        (
            "critical-extension",
            "an unknown critical extension in the leaf",
            vec![&pki().leaf_critical_extension, &pki().ica],
            "certificate-invalid",
            "unknown critical extensions are refused",
        ),
    ];
    for (id, description, chain, code, explanation) in chain_cases {
        out.push(response(
            id,
            description,
            chain_token(&chain),
            chain[0],
            bad(code, explanation),
        ));
    }
    out.push(response(
        "chain-broken",
        "the intermediate left out: the leaf's issuer is not the next certificate",
        chain_token(&[&pki().leaf_p256, &pki().root]),
        &pki().leaf_p256,
        bad("chain-untrusted", "each certificate is issued by the next"),
    ));
    let mismatches: [(&str, &'static str, &'static str, Value); 4] = [
        (
            "hss-nonce-mismatch",
            "hss_nonce",
            "hss_nonce of another challenge",
            json!("hss-nonce-other"),
        ),
        (
            "doc-hash-mismatch",
            "doc_hash",
            "another document hash",
            json!("ab".repeat(32)),
        ),
        (
            "challenge-code-mismatch",
            "challenge_code",
            "another challenge code",
            json!("999999"),
        ),
        (
            "sign-ref-mismatch",
            "sign_ref",
            "another session",
            json!("11111111-2222-4333-8444-555555555555"),
        ),
    ];
    for (id, claim, description, value) in mismatches {
        out.push(response(
            id,
            description,
            sign_rc(&with(rc.clone(), claim, value)),
            &pki().leaf_p256,
            bad_claim(
                "session-mismatch",
                claim,
                "the response must answer this session's challenge",
            ),
        ));
    }
    let other: DocHash = "cd".repeat(32).parse().unwrap();
    out.push(response(
        "usr-signature-other-hash",
        "usr_signature over another document hash",
        sign_rc(&with(
            rc.clone(),
            "usr_signature",
            json!(UserSignature::sign(&other, &user_p256()).unwrap().to_hex()),
        )),
        &pki().leaf_p256,
        bad(
            "user-signature-invalid",
            "the user's signature must cover doc_hash",
        ),
    ));
    let good_sig = rc["usr_signature"].as_str().unwrap().to_owned();
    out.push(response(
        "usr-signature-trailing-byte",
        "usr_signature DER with a trailing byte",
        sign_rc(&with(
            rc.clone(),
            "usr_signature",
            json!(format!("{good_sig}00")),
        )),
        &pki().leaf_p256,
        bad_claim("invalid-claim", "usr_signature", "strict DER only"),
    ));
    out.push(response(
        "timestamp-before-challenge",
        "signed 6 s before the challenge was issued",
        sign_rc(&with(rc.clone(), "timestamp", json!((T - 6) * 1000))),
        &pki().leaf_p256,
        bad_claim(
            "timestamp-out-of-range",
            "timestamp",
            "the user cannot sign before the challenge exists",
        ),
    ));
    out.push(response(
        "timestamp-seconds",
        "timestamp in seconds instead of milliseconds",
        sign_rc(&with(rc.clone(), "timestamp", json!(T))),
        &pki().leaf_p256,
        bad_claim("invalid-claim", "timestamp", "timestamp is in milliseconds"),
    ));
    let mut late = response(
        "expired",
        "checked 9 s after iat",
        good_response,
        &pki().leaf_p256,
        bad_claim("expired", "exp", "the 3-second token has expired"),
    );
    late.policy["now"] = json!(T + 10);
    out.push(late);
    out
}

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
            out["claims"] = run(&out).unwrap_or_else(|e| panic!("{}: {e}", v.id));
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

fn generate() -> Value {
    json!({
        "$schema": "../schema.json",
        "format": "jose-rs-vectors/1",
        "kind": "signing-challenge",
        "title": "Signed challenges and signed responses (signing-challenge) with a test CA: the positive flows and each check failing; members described in docs/signing-challenge.md",
        "generated_by": "cargo test -p signing-challenge --test generated_vectors (JOSE_REGENERATE_VECTORS=1 rewrites it)",
        "vectors": vectors().iter().map(to_json).collect::<Vec<_>>(),
    })
}

/// Runs one vector: the verified claims, or the error.
fn run(v: &Value) -> Result<Value, E> {
    let p = &v["policy"];
    let session = Session::from_json(v["session"].as_object().unwrap())?;
    let exp = match p.get("exp_interpretation").and_then(Value::as_str) {
        None | Some("numeric_date") => ExpInterpretation::NumericDate,
        Some("relative_to_iat") => ExpInterpretation::RelativeToIat,
        Some("auto") => ExpInterpretation::Auto,
        Some(other) => panic!("exp_interpretation {other}"),
    };
    let flag = |name: &str| p.get(name).and_then(Value::as_bool).unwrap_or(false);
    let now = p["now"].as_i64().unwrap();
    let leeway = Duration::from_secs(p["leeway_seconds"].as_u64().unwrap());
    let max = Duration::from_secs(p["max_lifetime_seconds"].as_u64().unwrap());
    let token = v["token"].as_str().unwrap();
    match v["token_type"].as_str().unwrap() {
        "challenge" => {
            let mut verifier =
                ChallengeVerifier::new(JwkSet::from_json(v["jwks"].to_string()).unwrap())
                    .now(now)
                    .leeway(leeway)
                    .max_lifetime(max)
                    .exp_interpretation(exp);
            if flag("lenient") {
                verifier = verifier.lenient();
            }
            if flag("strict_headers") {
                verifier = verifier.strict_headers();
            }
            Ok(verifier.verify(token, &session)?.claims().to_json())
        }
        _ => {
            let mut anchors = TrustAnchors::new();
            for a in v["trust_anchors"].as_array().unwrap() {
                anchors = anchors
                    .with_der(&jose_core::b64::decode_standard(a.as_str().unwrap()).unwrap())
                    .unwrap();
            }
            let mut verifier = ResponseVerifier::without_replay_detection(anchors)
                .now(now)
                .leeway(leeway)
                .max_lifetime(max)
                .exp_interpretation(exp);
            if flag("allow_es384") {
                verifier = verifier.allow_es384();
            }
            if flag("lenient") {
                verifier = verifier.lenient();
            }
            if flag("strict_headers") {
                verifier = verifier.strict_headers();
            }
            Ok(verifier.verify_now(token, &session)?.claims().to_json())
        }
    }
}

/// The reason code (vectors/schema.json) an error stands for, and the claim it names.
fn reason(e: &E) -> (&'static str, Option<&'static str>) {
    match e {
        E::TooLarge { .. } | E::Malformed(_) => ("malformed", None),
        E::Crit(_) => ("crit-unknown", None),
        E::AlgorithmNotAllowed { alg } if alg == "none" => ("alg-none", None),
        E::AlgorithmNotAllowed { alg } if alg.is_empty() => ("bad-header", None),
        E::AlgorithmNotAllowed { .. } => ("alg-not-allowed", None),
        E::ForbiddenHeader("jwk") => ("embedded-key-not-trusted", None),
        E::ForbiddenHeader(_) | E::UnexpectedHeader(_) | E::X5cInvalid(_) => ("bad-header", None),
        E::WrongTyp(_) => ("typ-mismatch", None),
        E::KidMissing | E::UnknownKid { .. } => ("no-matching-key", None),
        E::KeyMismatch { .. } => ("key-confusion", None),
        E::ChainTooLong { .. }
        | E::CertificateInvalid { .. }
        | E::UnsupportedCertificateAlgorithm { .. }
        | E::UnknownCriticalExtension { .. }
        | E::LeafKeyUsage => ("certificate-invalid", None),
        E::CertificateNotValidAt { .. } => ("certificate-expired", None),
        E::ChainBroken { .. }
        | E::CertificateSignatureInvalid { .. }
        | E::NotACa { .. }
        | E::UntrustedChain => ("chain-untrusted", None),
        E::CertNotBoundToSession => ("certificate-not-bound", None),
        E::SignatureInvalid => ("bad-signature", None),
        E::SignatureMalformed(_) => ("malformed-signature", None),
        E::Payload(_) => ("payload-not-object", None),
        E::Claim(ClaimError {
            claim,
            reason: ClaimReason::Missing,
        }) => ("missing-claim", Some(claim)),
        E::Claim(ClaimError { claim, .. }) => ("invalid-claim", Some(claim)),
        E::UserSignatureMalformed(_) => ("invalid-claim", Some("usr_signature")),
        E::SignRefMismatch => ("session-mismatch", Some("sign_ref")),
        E::NonceMismatch => ("session-mismatch", Some("nonce")),
        E::DocHashMismatch => ("session-mismatch", Some("doc_hash")),
        E::ChallengeCodeMismatch => ("session-mismatch", Some("challenge_code")),
        E::HssNonceMismatch => ("session-mismatch", Some("hss_nonce")),
        E::FfIdMismatch => ("session-mismatch", Some("ff_id")),
        E::UserSignatureInvalid => ("user-signature-invalid", None),
        E::Expired { .. } => ("expired", Some("exp")),
        E::IssuedInFuture { .. } => ("issued-in-future", Some("iat")),
        E::LifetimeOutOfRange { .. } => ("lifetime-out-of-range", None),
        E::TimestampOutOfRange { .. } => ("timestamp-out-of-range", Some("timestamp")),
        E::AlreadyUsed => ("replay", None),
        _ => ("other", None),
    }
}

fn read_file() -> Value {
    serde_json::from_str(&std::fs::read_to_string(FILE).unwrap()).unwrap()
}

#[test]
fn the_vector_file_is_what_the_generator_writes() {
    let mut text = serde_json::to_string_pretty(&generate()).unwrap();
    text.push('\n');
    if std::env::var_os("JOSE_REGENERATE_VECTORS").is_some() {
        std::fs::write(FILE, &text).unwrap();
    }
    let file = std::fs::read_to_string(FILE).unwrap();
    assert!(
        file == text,
        "{FILE} differs from what the generator writes: regenerate with JOSE_REGENERATE_VECTORS=1"
    );
}

#[test]
fn every_vector_has_its_stated_verdict_and_reason() {
    let file = read_file();
    let mut ids = std::collections::BTreeSet::new();
    let (mut valid, mut invalid) = (0, 0);
    for v in file["vectors"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        assert!(ids.insert(id.to_owned()), "duplicate {id}");
        match v["expect"].as_str().unwrap() {
            "valid" => {
                let claims = run(v).unwrap_or_else(|e| panic!("{id}: {e}"));
                assert_eq!(claims, v["claims"], "{id}");
                // The stated signing key signed it.
                let key = Jwk::from_json(v["signing_key"].to_string()).unwrap();
                assert!(key.is_private(), "{id}");
                valid += 1;
            }
            _ => {
                let err = run(v).err().unwrap_or_else(|| panic!("{id} verified"));
                let (code, claim) = reason(&err);
                assert_eq!(code, v["reason"]["code"], "{id}: {err}");
                assert_eq!(claim, v["reason"]["claim"].as_str(), "{id}: {err}");
                invalid += 1;
            }
        }
    }
    assert!(
        valid >= 8 && invalid >= 35,
        "{valid} valid, {invalid} invalid"
    );
}
