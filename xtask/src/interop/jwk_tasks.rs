//! The invalid JWK vectors, imported by the peers.

use super::jws_tasks::{judge_vector, vectors};
use super::verdicts::InvalidVector;
use super::{Row, Task};
use serde_json::json;
use vectors::format::{Expect, JwkVector};

/// Every invalid JWK and JWK Set vector, imported by the peer from its exact JSON text with
/// the peer's own JSON parser and key import (`importJWK`, `JWK.from_json`, `import_key`).
pub fn invalid_vector_tasks() -> Result<Vec<Task>, String> {
    Ok(vectors::<JwkVector>("jwk.json")?
        .into_iter()
        .filter(|v| v.common.expect == Expect::Invalid)
        .map(|v| Task {
            id: v.common.id.clone(),
            request: json!({ "op": "jwk-import", "jwk_json": v.jwk_json, "set": v.set }),
            row: Row::Vectors("jwk.json", false),
            invalid: InvalidVector::of(&v.common, "jwk.json"),
            judge: judge_vector(v.common.id.clone(), Expect::Invalid, None, "key"),
        })
        .collect())
}
