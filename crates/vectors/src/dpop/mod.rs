//! DPoP proof vectors (RFC 9449): the RFC's three proofs, generated proofs for every proof
//! algorithm family, and the checks of RFC 9449 §4.3 failing one at a time.

mod negative;

use super::format::{DpopPolicy, DpopRequest, DpopVector, Expect};
use super::jws::{JwsKeys, SeededPss};
use super::reasons;
use super::util::{self, cite, generated, jws_algs, str_of, valid};
use dpop::{DpopError, DpopKey, ProofRequest, ProofVerifier};
use jose_core::alg::JwsAlgorithm;
use jose_core::b64;
use jws::{Signer, SigningKey};
use jwt_claims::NumericDate;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// The verifier's clock for generated proofs: 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600;
const TOKEN_URI: &str = "https://server.example.com/token";
const RESOURCE_URI: &str = "https://resource.example.org/protectedresource";
const ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const NONCE: &str = "eyJ7S_zG.eyJH0-Z.HX4w-7v";

/// Every asymmetric algorithm a DPoP verifier accepts by default.
fn algorithms() -> Vec<String> {
    use JwsAlgorithm as A;
    [
        A::ES256,
        A::ES384,
        A::ES512,
        A::RS256,
        A::RS384,
        A::RS512,
        A::PS256,
        A::PS384,
        A::PS512,
        A::EdDSA,
    ]
    .iter()
    .map(|a| a.as_str().to_owned())
    .collect()
}

fn policy(now: i64) -> DpopPolicy {
    DpopPolicy {
        algorithms: algorithms(),
        now,
        max_age_seconds: 300,
        leeway_seconds: 5,
    }
}

fn request(htm: &str, htu: &str) -> DpopRequest {
    DpopRequest {
        htm: htm.to_owned(),
        htu: htu.to_owned(),
        access_token: None,
        nonce: None,
        token_jkt: None,
    }
}

fn rfc9449() -> Result<Vec<DpopVector>, String> {
    let file = "rfc/rfc9449-dpop-examples.json";
    let v = util::source_file(file)?;
    let jkt = str_of(&v, "jkt")?.to_owned();
    let mut out = Vec::new();
    for (member, figure, what) in [
        (
            "figure2_token_request_proof",
            "Figure 2 (Section 4.1)",
            "the token request proof",
        ),
        (
            "figure7_refresh_request_proof",
            "Figure 7 (Section 5)",
            "the refresh request proof",
        ),
        (
            "figure13_resource_request_proof",
            "Figure 13 (Section 7.1)",
            "the resource request proof, with ath",
        ),
    ] {
        let fig = &v[member];
        let proof = str_of(fig, "jwt")?;
        let payload: Value = serde_json::from_slice(
            &b64::decode(proof.split('.').nth(1).unwrap_or_default()).map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
        let iat = payload["iat"].as_i64().ok_or("iat")?;
        let mut req = request(str_of(&payload, "htm")?, str_of(&payload, "htu")?);
        req.access_token = fig
            .get("access_token")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if req.access_token.is_some() {
            req.token_jkt = Some(jkt.clone());
        }
        out.push(DpopVector {
            common: valid(
                format!("dpop/rfc9449/{member}"),
                format!("{what}, checked 10 s after its iat"),
                cite("rfc", &format!("RFC 9449, {figure}"), file, Some(member)),
            ),
            proof: proof.to_owned(),
            request: req,
            policy: policy(iat + 10),
            jkt: Some(jkt.clone()),
        });
    }
    Ok(out)
}

/// A DPoP key for `alg`: the vectors' seeded key, with a seeded signer for PSS.
fn dpop_key(keys_: &JwsKeys, alg: JwsAlgorithm, seed: &str) -> Result<DpopKey, String> {
    let key = keys_.for_alg(alg).clone().without_kid();
    let err = |e: DpopError| format!("{alg}: {e}");
    if matches!(
        alg,
        JwsAlgorithm::PS256 | JwsAlgorithm::PS384 | JwsAlgorithm::PS512
    ) {
        let public = key.to_public().map_err(|e| e.to_string())?;
        let signer: Arc<dyn Signer + Send + Sync> = Arc::new(SeededPss::new(key, alg, seed));
        DpopKey::from_signer(signer, public).map_err(err)
    } else {
        DpopKey::new(SigningKey::new(key, alg).map_err(|e| e.to_string())?).map_err(err)
    }
}

/// A proof made with the workspace's DPoP client code.
fn proof(
    key: &DpopKey,
    htm: &str,
    htu: &str,
    jti: &str,
    iat: i64,
    token: Option<&str>,
    nonce: Option<&str>,
) -> Result<String, String> {
    let mut b = key
        .proof(htm, htu)
        .jti(jti)
        .issued_at(NumericDate::from_seconds(iat));
    if let Some(t) = token {
        b = b.access_token(t);
    }
    if let Some(n) = nonce {
        b = b.nonce(n);
    }
    b.sign().map_err(|e| e.to_string())
}

fn generated_proofs(keys_: &JwsKeys) -> Result<Vec<DpopVector>, String> {
    use JwsAlgorithm as A;
    let mut out = Vec::new();
    for alg in [A::ES256, A::ES384, A::ES512, A::RS256, A::PS256, A::EdDSA] {
        let seed = format!("dpop/{alg}");
        let key = dpop_key(keys_, alg, &seed)?;
        let p = proof(
            &key,
            "POST",
            TOKEN_URI,
            &format!("jti-{alg}"),
            NOW,
            None,
            None,
        )?;
        out.push(DpopVector {
            common: valid(
                format!("dpop/generated/{alg}/token-request"),
                format!("{alg} proof for a token request"),
                generated("jose-rs DPoP vector", &seed),
            ),
            proof: p,
            request: request("POST", TOKEN_URI),
            policy: policy(NOW),
            jkt: Some(key.thumbprint().to_owned()),
        });
    }
    let seed = "dpop/resource";
    let key = dpop_key(keys_, A::ES256, seed)?;
    let p = proof(
        &key,
        "GET",
        RESOURCE_URI,
        "jti-resource",
        NOW - 30,
        Some(ACCESS_TOKEN),
        Some(NONCE),
    )?;
    let mut req = request("GET", RESOURCE_URI);
    req.access_token = Some(ACCESS_TOKEN.into());
    req.nonce = Some(NONCE.into());
    req.token_jkt = Some(key.thumbprint().to_owned());
    out.push(DpopVector {
        common: valid("dpop/generated/resource-request", "ES256 proof for a resource request: ath of the access token, the server's nonce, the key the token is bound to (cnf.jkt); issued 30 s ago", generated("jose-rs DPoP vector", seed)),
        proof: p.clone(),
        request: req.clone(),
        policy: policy(NOW),
        jkt: Some(key.thumbprint().to_owned()),
    });
    let mut with_query = request("GET", &format!("{RESOURCE_URI}?page=2#top"));
    with_query.access_token = Some(ACCESS_TOKEN.into());
    with_query.nonce = Some(NONCE.into());
    out.push(DpopVector {
        common: valid("dpop/generated/htu-without-query", "the same proof for a request URI with a query and a fragment: htu is compared without them", generated("jose-rs DPoP vector", seed)),
        proof: p,
        request: with_query,
        policy: policy(NOW),
        jkt: Some(key.thumbprint().to_owned()),
    });
    Ok(out)
}

/// Every DPoP vector.
pub fn generate() -> Result<Vec<Value>, String> {
    let keys_ = JwsKeys::new()?;
    let mut all = rfc9449()?;
    all.extend(generated_proofs(&keys_)?);
    all.extend(negative::negatives(&keys_)?);
    all.iter().map(util::to_value).collect()
}

fn matches(code: &str, claim: Option<&str>, e: &DpopError) -> bool {
    use DpopError as D;
    match e {
        D::TooLarge { .. } | D::MissingProof | D::MultipleProofs(_) => code == "malformed",
        D::Jws(j) => {
            reasons::jws_matches(code, j)
                || (code == "private-key-embedded"
                    && matches!(
                        j,
                        jws::JwsError::Header(jose_core::header::HeaderError::PrivateKey(_))
                    ))
        }
        D::WrongType => code == "typ-mismatch",
        D::Claims(j) => reasons::jwt_matches(code, claim, j),
        D::MissingClaim(c) => code == "missing-claim" && claim.is_none_or(|x| x == *c),
        D::InvalidClaim { claim: c, .. } => {
            code == "invalid-claim" && claim.is_none_or(|x| x == *c)
        }
        D::MethodMismatch => code == "htm-mismatch",
        D::UriMismatch => code == "htu-mismatch",
        D::Stale { .. } => code == "too-old",
        D::IssuedInFuture { .. } => code == "issued-in-future",
        D::UseNonce => code == "nonce-mismatch",
        D::MissingAccessTokenHash | D::AccessTokenHashMismatch => code == "ath-mismatch",
        D::KeyBindingMismatch => code == "jkt-mismatch",
        D::Replay => code == "replay",
        _ => false,
    }
}

/// Checks one DPoP vector.
pub fn check(value: &Value) -> Result<String, String> {
    let v: DpopVector = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    // The vectors are single proofs checked once: no replay store. Without one `verify` never
    // waits, so one poll completes it.
    let verifier = ProofVerifier::without_replay_detection()
        .algorithms(jws_algs(&v.policy.algorithms)?)
        .max_age(Duration::from_secs(v.policy.max_age_seconds))
        .leeway(Duration::from_secs(v.policy.leeway_seconds));
    let mut request = ProofRequest::new(&v.proof, &v.request.htm, &v.request.htu)
        .now(NumericDate::from_seconds(v.policy.now));
    if let Some(t) = &v.request.access_token {
        request = request.access_token(t);
    }
    if let Some(n) = &v.request.nonce {
        request = request.nonce(n);
    }
    if let Some(j) = &v.request.token_jkt {
        request = request.token_jkt(j);
    }
    let result = util::poll_once(verifier.verify(&request))?;
    match v.common.expect {
        Expect::Valid => {
            let verified = result.map_err(|e| format!("expected valid, refused: {e}"))?;
            if v.jkt.as_deref() != Some(verified.thumbprint()) {
                return Err(format!(
                    "verified, but the key's thumbprint is {}",
                    verified.thumbprint()
                ));
            }
            Ok("verified".into())
        }
        Expect::Invalid => {
            let r = v.common.reason.as_ref().ok_or("no reason")?;
            match result {
                Ok(_) => Err(format!("expected refusal ({}), accepted", r.code)),
                Err(e) if matches(&r.code, r.claim.as_deref(), &e) => Ok(format!("refused: {e}")),
                Err(e) => Err(format!(
                    "refused, but for another reason than {}: {e:?}",
                    r.code
                )),
            }
        }
    }
}
