//! DPoP proof vectors (RFC 9449): the RFC's three proofs, generated proofs for every proof
//! algorithm family, and the checks of RFC 9449 §4.3 failing one at a time.

use super::format::{DpopPolicy, DpopRequest, DpopVector, Expect};
use super::jws::{JwsKeys, SeededPss};
use super::util::{self, b64s, cite, generated, invalid, jws_algs, str_of, valid};
use super::{keys, reasons};
use dpop::{DpopError, DpopKey, ProofRequest, ProofVerifier};
use jose_core::alg::JwsAlgorithm;
use jose_core::b64;
use jws::{Signer, SigningKey};
use jwt_claims::NumericDate;
use serde_json::{Value, json};
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

struct Neg<'a> {
    id: &'a str,
    description: &'a str,
    code: &'a str,
    explanation: &'a str,
}

impl Neg<'_> {
    fn vector(&self, proof: String, request: DpopRequest, policy: DpopPolicy) -> DpopVector {
        let seed = format!("dpop/negative/{}", self.id);
        DpopVector {
            common: invalid(
                format!("dpop/negative/{}", self.id),
                self.description,
                generated("jose-rs DPoP vector", &seed),
                self.code,
                self.explanation,
                Some("RFC 9449, Section 4.3"),
            ),
            proof,
            request,
            policy,
            jkt: None,
        }
    }
}

/// A proof with arbitrary header and claims text, signed by `signer`.
fn raw(signer: &dyn Signer, header: &str, claims: &Value) -> Result<String, String> {
    let input = format!("{}.{}", b64s(header), b64s(&claims.to_string()));
    let sig = signer.sign(input.as_bytes()).map_err(|e| e.to_string())?;
    Ok(format!("{input}.{}", b64::encode(sig)))
}

fn negatives(keys_: &JwsKeys) -> Result<Vec<DpopVector>, String> {
    use JwsAlgorithm as A;
    let mut out = Vec::new();
    let seed = "dpop/negative";
    let key = dpop_key(keys_, A::ES256, seed)?;
    let good = proof(&key, "POST", TOKEN_URI, "jti-negative", NOW, None, None)?;
    let resource = proof(
        &key,
        "GET",
        RESOURCE_URI,
        "jti-negative-rs",
        NOW,
        Some(ACCESS_TOKEN),
        None,
    )?;
    let with_token = |token: &str| {
        let mut r = request("GET", RESOURCE_URI);
        r.access_token = Some(token.to_owned());
        r
    };
    out.push(
        Neg {
            id: "htm-mismatch",
            description: "a proof for POST presented with a GET",
            code: "htm-mismatch",
            explanation: "the proof is bound to the request method",
        }
        .vector(good.clone(), request("GET", TOKEN_URI), policy(NOW)),
    );
    out.push(
        Neg {
            id: "htu-mismatch",
            description: "a proof for the token endpoint presented to another URI",
            code: "htu-mismatch",
            explanation: "the proof is bound to the request URI",
        }
        .vector(
            good.clone(),
            request("POST", "https://server.example.com/other"),
            policy(NOW),
        ),
    );
    out.push(
        Neg {
            id: "too-old",
            description: "checked 301 s after iat; the verifier accepts 300 s",
            code: "too-old",
            explanation: "proofs are short-lived; old ones may be replays",
        }
        .vector(good.clone(), request("POST", TOKEN_URI), policy(NOW + 301)),
    );
    out.push(
        Neg {
            id: "issued-in-future",
            description: "checked 6 s before iat; the leeway is 5 s",
            code: "issued-in-future",
            explanation: "a proof from the future comes from a wrong clock or is precomputed",
        }
        .vector(good.clone(), request("POST", TOKEN_URI), policy(NOW - 6)),
    );
    let mut r = request("POST", TOKEN_URI);
    r.nonce = Some(NONCE.into());
    out.push(
        Neg {
            id: "nonce-missing",
            description: "the server requires its nonce; the proof has none",
            code: "nonce-mismatch",
            explanation: "a server-provided nonce limits the lifetime of proofs",
        }
        .vector(good.clone(), r, policy(NOW)),
    );
    let with_other_nonce = proof(
        &key,
        "POST",
        TOKEN_URI,
        "jti-negative-nonce",
        NOW,
        None,
        Some("another-nonce"),
    )?;
    let mut r = request("POST", TOKEN_URI);
    r.nonce = Some(NONCE.into());
    out.push(
        Neg {
            id: "nonce-mismatch",
            description: "the proof carries another nonce than the server's",
            code: "nonce-mismatch",
            explanation: "the nonce must be the server's current one",
        }
        .vector(with_other_nonce, r, policy(NOW)),
    );
    out.push(
        Neg {
            id: "ath-missing",
            description: "a proof without ath presented with an access token",
            code: "ath-mismatch",
            explanation: "a proof presented with an access token must carry its hash",
        }
        .vector(
            proof(
                &key,
                "GET",
                RESOURCE_URI,
                "jti-negative-noath",
                NOW,
                None,
                None,
            )?,
            with_token(ACCESS_TOKEN),
            policy(NOW),
        ),
    );
    out.push(
        Neg {
            id: "ath-mismatch",
            description: "a proof whose ath is the hash of another access token",
            code: "ath-mismatch",
            explanation: "ath binds the proof to one access token",
        }
        .vector(
            resource.clone(),
            with_token("another-access-token"),
            policy(NOW),
        ),
    );
    let mut r = with_token(ACCESS_TOKEN);
    r.token_jkt = Some(jwk_thumbprint::thumbprint_b64(
        keys_.for_alg(A::ES384),
        jwk_thumbprint::ThumbprintHash::Sha256,
    ));
    out.push(
        Neg {
            id: "jkt-mismatch",
            description: "the access token is bound (cnf.jkt) to another key",
            code: "jkt-mismatch",
            explanation: "the proof key must be the key the token is bound to",
        }
        .vector(resource, r, policy(NOW)),
    );
    out.push(
        Neg {
            id: "bad-signature",
            description: "the proof with one bit of its signature flipped",
            code: "bad-signature",
            explanation: "the proof must be signed by the key in its jwk header",
        }
        .vector(
            flip_signature(&good)?,
            request("POST", TOKEN_URI),
            policy(NOW),
        ),
    );

    // Header problems, made by hand.
    let es = SigningKey::new(keys_.for_alg(A::ES256).clone().without_kid(), A::ES256)
        .map_err(|e| e.to_string())?;
    let public = keys::public_value(keys_.for_alg(A::ES256))?;
    let mut public_nokid = public.clone();
    if let Some(m) = public_nokid.as_object_mut() {
        m.remove("kid");
    }
    let claims = json!({ "jti": "jti-raw", "htm": "POST", "htu": TOKEN_URI, "iat": NOW });
    let header = |typ: &str, jwk: &Value| format!(r#"{{"typ":"{typ}","alg":"ES256","jwk":{jwk}}}"#);
    out.push(
        Neg {
            id: "typ-mismatch",
            description: "typ JWT instead of dpop+jwt",
            code: "typ-mismatch",
            explanation: "explicit typing keeps other JWTs from being used as proofs",
        }
        .vector(
            raw(&es, &header("JWT", &public_nokid), &claims)?,
            request("POST", TOKEN_URI),
            policy(NOW),
        ),
    );
    let mut private = keys::value(keys_.for_alg(A::ES256));
    if let Some(m) = private.as_object_mut() {
        m.remove("kid");
    }
    out.push(
        Neg {
            id: "private-key-embedded",
            description: "the jwk header holds the private key",
            code: "private-key-embedded",
            explanation: "the jwk header must be a public key",
        }
        .vector(
            raw(&es, &header("dpop+jwt", &private), &claims)?,
            request("POST", TOKEN_URI),
            policy(NOW),
        ),
    );
    out.push(
        Neg {
            id: "no-jwk",
            description: "no jwk header",
            code: "no-matching-key",
            explanation: "the proof must carry its public key",
        }
        .vector(
            raw(&es, r#"{"typ":"dpop+jwt","alg":"ES256"}"#, &claims)?,
            request("POST", TOKEN_URI),
            policy(NOW),
        ),
    );
    let hs =
        SigningKey::new(keys_.for_alg(A::HS256).clone(), A::HS256).map_err(|e| e.to_string())?;
    out.push(Neg { id: "symmetric-algorithm", description: "alg HS256 with the EC public key in jwk (a MAC keyed with anything the attacker likes)", code: "alg-not-allowed", explanation: "DPoP proofs use asymmetric algorithms only" }.vector(raw(&hs, &format!(r#"{{"typ":"dpop+jwt","alg":"HS256","jwk":{public_nokid}}}"#), &claims)?, request("POST", TOKEN_URI), policy(NOW)));
    out.push(
        Neg {
            id: "alg-none",
            description: "alg none",
            code: "alg-none",
            explanation: "an unsigned proof proves nothing",
        }
        .vector(
            format!(
                "{}.{}.",
                b64s(&format!(
                    r#"{{"typ":"dpop+jwt","alg":"none","jwk":{public_nokid}}}"#
                )),
                b64s(&claims.to_string())
            ),
            request("POST", TOKEN_URI),
            policy(NOW),
        ),
    );
    let no_jti = json!({ "htm": "POST", "htu": TOKEN_URI, "iat": NOW });
    let mut v = Neg {
        id: "missing-jti",
        description: "no jti claim",
        code: "missing-claim",
        explanation: "jti lets the server detect replays",
    }
    .vector(
        raw(&es, &header("dpop+jwt", &public_nokid), &no_jti)?,
        request("POST", TOKEN_URI),
        policy(NOW),
    );
    if let Some(r) = v.common.reason.as_mut() {
        r.claim = Some("jti".into());
    }
    out.push(v);
    Ok(out)
}

fn flip_signature(token: &str) -> Result<String, String> {
    let (input, sig) = token.rsplit_once('.').ok_or("token")?;
    let mut bytes = util::unb64(sig)?;
    if let Some(b) = bytes.get_mut(5) {
        *b ^= 1;
    }
    Ok(format!("{input}.{}", b64::encode(bytes)))
}

/// Every DPoP vector.
pub fn generate() -> Result<Vec<Value>, String> {
    let keys_ = JwsKeys::new()?;
    let mut all = rfc9449()?;
    all.extend(generated_proofs(&keys_)?);
    all.extend(negatives(&keys_)?);
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
