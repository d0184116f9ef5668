//! The invalid DPoP vectors, verified by the peers that can verify a proof.

use super::jws_tasks::{judge_vector, vectors};
use super::verdicts::InvalidVector;
use super::{Row, Task};
use serde_json::json;
use vectors::format::{DpopVector, Expect};

/// Reasons that are about the proof's binding to the HTTP request and the access token
/// (RFC 9449 §4.3 steps 8 to 12): plain comparisons an application makes after a JWT library
/// has verified the proof, not a feature of a JOSE library.
const REQUEST_BINDING: [&str; 5] = [
    "htm-mismatch",
    "htu-mismatch",
    "ath-mismatch",
    "nonce-mismatch",
    "jkt-mismatch",
];

/// Every invalid DPoP vector. No peer has a DPoP verifier; jose verifies the proof as a JWT
/// with its embedded key (`jwtVerify` with `EmbeddedJWK`, `typ`, the vector's clock and
/// maximum age), and answers n/a for the request-binding reasons (`binding_only`).
pub fn invalid_vector_tasks() -> Result<Vec<Task>, String> {
    Ok(vectors::<DpopVector>("dpop.json")?
        .into_iter()
        .filter(|v| v.common.expect == Expect::Invalid)
        .map(|v| {
            let binding_only = v
                .common
                .reason
                .as_ref()
                .is_some_and(|r| REQUEST_BINDING.contains(&r.code.as_str()));
            Task {
                id: v.common.id.clone(),
                request: json!({
                    "op": "dpop-verify", "proof": v.proof, "request": v.request,
                    "policy": v.policy, "binding_only": binding_only,
                }),
                row: Row::Vectors("dpop.json", false),
                invalid: InvalidVector::of(&v.common, "dpop.json"),
                judge: judge_vector(v.common.id.clone(), Expect::Invalid, None, "claims"),
            }
        })
        .collect())
}
