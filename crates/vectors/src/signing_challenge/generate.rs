//! The generator of `vectors/generated/signing-challenge.json`: signed challenges and signed
//! responses with the test PKI of [`super::fixtures`], the positive flows and each check
//! failing.
//!
//! The file is written by signing-challenge's test `generated_vectors`
//! (`JOSE_REGENERATE_VECTORS=1`), which calls [`file`]; its `generated_by` member says so.
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
