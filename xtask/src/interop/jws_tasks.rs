//! JWS, JWK Thumbprint and vector-suite tasks.

use super::verdicts::InvalidVector;
use super::{Answer, Direction, Row, Task, Verdict};
use jose_core::alg::JwsAlgorithm;
use jose_core::b64;
use jose_core::jwk::Jwk;
use jws::{SigningKey, VerifyOptions, compact};
use serde_json::{Value, json};
use vectors::format::{Expect, JwsVector, ThumbprintVector};
use vectors::util::root;

pub fn vectors<T: serde::de::DeserializeOwned>(file: &str) -> Result<Vec<T>, String> {
    let path = root().join("vectors/generated").join(file);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
    serde_json::from_value(value["vectors"].clone()).map_err(|e| format!("{file}: {e}"))
}

/// Judges an answer to a "verify"/"decrypt" of a vector.
pub fn judge_vector(
    id: String,
    expect: Expect,
    expected: Option<Vec<u8>>,
    member: &'static str,
) -> Box<dyn Fn(&Answer) -> Verdict> {
    Box::new(move |a: &Answer| {
        if a.unsupported {
            return Verdict::Unsupported;
        }
        match expect {
            Expect::Valid if a.ok => {
                let got = a.value[member].as_str().and_then(|p| b64::decode(p).ok());
                if got == expected {
                    Verdict::Pass
                } else {
                    Verdict::Fail(format!("{id}: accepted, with different content"))
                }
            }
            Expect::Valid => Verdict::Fail(format!("{id}: refused: {}", a.error)),
            Expect::Invalid if a.ok => Verdict::Lenient(id.clone()),
            Expect::Invalid => Verdict::Pass,
        }
    })
}

/// Every JWS vector, verified by the peer.
pub fn vector_tasks() -> Result<Vec<Task>, String> {
    let mut tasks = Vec::new();
    for v in vectors::<JwsVector>("jws.json")? {
        let expect = v.common.expect;
        let expected = v.payload_b64.as_deref().and_then(|p| b64::decode(p).ok());
        let request = json!({
            "op": "verify",
            "serialization": v.serialization,
            "jws": v.jws,
            "key": v.verify.key,
            "algorithms": v.verify.algorithms,
            "critical": v.verify.critical,
            "detached": v.detached,
            "payload_b64": v.payload_b64,
        });
        tasks.push(Task {
            id: v.common.id.clone(),
            request,
            row: Row::Vectors("jws.json", expect == Expect::Valid),
            invalid: InvalidVector::of(&v.common, "jws.json"),
            judge: judge_vector(
                v.common.id.clone(),
                expect,
                if expect == Expect::Valid {
                    expected
                } else {
                    None
                },
                "payload_b64",
            ),
        });
    }
    Ok(tasks)
}

/// Every thumbprint vector, computed by the peer.
pub fn thumbprint_tasks() -> Result<Vec<Task>, String> {
    let mut tasks = Vec::new();
    for v in vectors::<ThumbprintVector>("jwk-thumbprint.json")? {
        let id = v.common.id.clone();
        let thumbprint = v.thumbprint_b64.clone();
        let uri = v.uri.clone();
        tasks.push(Task {
            id: id.clone(),
            request: json!({ "op": "thumbprint", "jwk": v.jwk, "hash": v.hash }),
            row: Row::Vectors("jwk-thumbprint.json", true),
            invalid: None,
            judge: Box::new(move |a: &Answer| {
                if a.unsupported {
                    return Verdict::Unsupported;
                }
                if !a.ok {
                    return Verdict::Fail(format!("{id}: {}", a.error));
                }
                if a.value["thumbprint_b64"].as_str() != Some(thumbprint.as_str()) {
                    return Verdict::Fail(format!(
                        "{id}: thumbprint {}",
                        a.value["thumbprint_b64"]
                    ));
                }
                match (a.value["uri"].as_str(), &uri) {
                    (Some(theirs), Some(ours)) if theirs != ours => {
                        Verdict::Fail(format!("{id}: URI {theirs}"))
                    }
                    _ => Verdict::Pass,
                }
            }),
        });
    }
    Ok(tasks)
}

/// A fresh key for `alg`; RSA keys are generated once per run.
fn fresh_key(alg: JwsAlgorithm, rsa: &mut Option<Jwk>) -> Result<Jwk, String> {
    use JwsAlgorithm as A;
    if matches!(
        alg,
        A::RS256 | A::RS384 | A::RS512 | A::PS256 | A::PS384 | A::PS512
    ) {
        if rsa.is_none() {
            *rsa = Some(
                Jwk::generate(A::RS256)
                    .map_err(|e| e.to_string())?
                    .without_alg(),
            );
        }
        return rsa.clone().ok_or_else(|| "RSA key".to_owned());
    }
    Jwk::generate(alg).map_err(|e| e.to_string())
}

/// Sign here → verify there, and sign there → verify here, for every JWS algorithm.
pub fn round_trips() -> Result<Vec<Task>, String> {
    let mut tasks = Vec::new();
    let mut rsa = None;
    for &alg in JwsAlgorithm::ALL {
        let name = alg.as_str();
        let key = fresh_key(alg, &mut rsa)?;
        let payload = jose_core::rand::bytes::<40>()
            .map_err(|e| e.to_string())?
            .to_vec();
        let signer = SigningKey::new(key.clone(), alg).map_err(|e| e.to_string())?;
        let token = compact::CompactSign::new(&payload)
            .sign(&signer)
            .map_err(|e| format!("{name}: {e}"))?;
        let public = if key.is_symmetric() {
            Value::Object(key.to_json_value())
        } else {
            Value::Object(key.to_public().map_err(|e| e.to_string())?.to_json_value())
        };
        let expected = Some(payload.clone());
        let id = format!("jws-here-to-there/{name}");
        tasks.push(Task {
            id: id.clone(),
            request: json!({
                "op": "verify", "serialization": "compact", "jws": token, "key": public,
                "algorithms": [name],
            }),
            row: Row::RoundTrip("JWS", name.to_owned(), Direction::HereToThere),
            invalid: None,
            judge: judge_vector(id, Expect::Valid, expected, "payload_b64"),
        });

        let payload = jose_core::rand::bytes::<40>()
            .map_err(|e| e.to_string())?
            .to_vec();
        let id = format!("jws-there-to-here/{name}");
        let expected = payload.clone();
        tasks.push(Task {
            id: id.clone(),
            request: json!({ "op": "generate-and-sign", "alg": name, "payload_b64": b64::encode(&payload) }),
            row: Row::RoundTrip("JWS", name.to_owned(), Direction::ThereToHere),
            invalid: None,
            judge: Box::new(move |a: &Answer| {
                if a.unsupported {
                    return Verdict::Unsupported;
                }
                if !a.ok {
                    return Verdict::Fail(format!("{id}: the peer could not sign: {}", a.error));
                }
                let key = match Jwk::from_json(a.value["key"].to_string()) {
                    Ok(k) => k,
                    Err(e) => return Verdict::Fail(format!("{id}: the peer's key is refused here: {e}")),
                };
                let token = a.value["jws"].as_str().unwrap_or_default();
                match compact::verify(token, &key, &VerifyOptions::new().algorithms([alg])) {
                    Ok(v) if v.payload() == expected.as_slice() => Verdict::Pass,
                    Ok(_) => Verdict::Fail(format!("{id}: verified, with a different payload")),
                    Err(e) => Verdict::Fail(format!("{id}: refused here: {e}")),
                }
            }),
        });
    }
    Ok(tasks)
}

/// Every JWT vector, validated by the peer with the vector's policy and clock. jose and
/// joserfc take an injected clock; jwcrypto (system clock only) answers unsupported, and so
/// does joserfc for a policy with a check it lacks (`typ`, maximum age).
pub fn jwt_tasks() -> Result<Vec<Task>, String> {
    use vectors::format::JwtVector;
    let mut tasks = Vec::new();
    for v in vectors::<JwtVector>("jwt.json")? {
        let expect = v.common.expect;
        let id = v.common.id.clone();
        let claims = v.claims.clone();
        tasks.push(Task {
            id: id.clone(),
            request: json!({ "op": "jwt-verify", "jwt": v.jwt, "key": v.key, "validation": v.validation }),
            row: Row::Vectors("jwt.json", expect == Expect::Valid),
            invalid: InvalidVector::of(&v.common, "jwt.json"),
            judge: Box::new(move |a: &Answer| {
                if a.unsupported {
                    return Verdict::Unsupported;
                }
                match (expect, a.ok) {
                    (Expect::Valid, true) if a.value["claims"] == claims.clone().unwrap_or_default() => Verdict::Pass,
                    (Expect::Valid, true) => Verdict::Fail(format!("{id}: accepted, with other claims")),
                    (Expect::Valid, false) => Verdict::Fail(format!("{id}: refused: {}", a.error)),
                    (Expect::Invalid, true) => Verdict::Lenient(id.clone()),
                    (Expect::Invalid, false) => Verdict::Pass,
                }
            }),
        });
    }
    Ok(tasks)
}
