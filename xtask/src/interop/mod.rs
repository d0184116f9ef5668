//! `cargo xtask interop`: the workspace against other JOSE implementations.
//!
//! ```text
//! cargo xtask interop           install the peers if needed, run, print the matrix, write docs/interop.md
//!                               and vectors/peer-verdicts.json
//! cargo xtask interop setup     install the peers into .interop/ (the only step that needs a network)
//! cargo xtask interop --offline run with what is installed; fail if a peer is missing
//! ```
//!
//! Peers are small scripts (`xtask/interop/node/peer.mjs`, `xtask/interop/python/peer.py`) that
//! read one JSON request on stdin and answer on stdout. This side uses the crates directly.

mod dpop_tasks;
mod jwe_tasks;
mod jwk_tasks;
mod jws_tasks;
mod peers;
mod report;
mod verdict_report;
mod verdicts;

use peers::Peer;
use serde_json::Value;
use std::time::Instant;
use vectors::util::root;

/// One unit of work sent to a peer, and how to judge its answer.
pub struct Task {
    /// Unique within a run.
    pub id: String,
    /// The request sent to the peer.
    pub request: Value,
    /// Where the outcome is counted.
    pub row: Row,
    /// For an invalid vector: what the peer's verdict (`vectors/peer-verdicts.json`) is
    /// recorded against.
    pub invalid: Option<verdicts::InvalidVector>,
    /// Judges the peer's answer (`ok: true` members, or the error).
    pub judge: Box<dyn Fn(&Answer) -> Verdict>,
}

/// A peer's answer to one task.
pub struct Answer {
    /// Whether the peer completed the operation.
    pub ok: bool,
    /// The peer does not implement what was asked (an algorithm, a serialization).
    pub unsupported: bool,
    /// The peer's error, when not ok.
    pub error: String,
    /// The whole answer.
    pub value: Value,
}

/// The outcome of one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// As expected.
    Pass,
    /// Not as expected: the run fails.
    Fail(String),
    /// The peer does not implement it.
    Unsupported,
    /// The peer differs in a way the vectors document as a rejection it is free to skip
    /// (it accepts an input this workspace refuses); reported, not failed.
    Lenient(String),
}

/// Where a task's outcome is counted in the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Row {
    /// A round trip: (family, algorithm, direction).
    RoundTrip(&'static str, String, Direction),
    /// A vector file: (file, expected valid).
    Vectors(&'static str, bool),
    /// Schema validation of the vector files.
    Schema,
}

/// Which side produces and which consumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    /// Signed or encrypted here, verified or decrypted by the peer.
    HereToThere,
    /// Signed or encrypted by the peer, verified or decrypted here.
    ThereToHere,
}

/// `cargo xtask interop [setup] [--offline]`.
pub fn main(args: &[String]) -> Result<(), String> {
    let offline = args.iter().any(|a| a == "--offline");
    match args.first().map(String::as_str) {
        Some("setup") => peers::setup(),
        None | Some("--offline") => run(offline),
        Some(other) => Err(format!(
            "usage: cargo xtask interop [setup] [--offline]; got {other:?}"
        )),
    }
}

fn run(offline: bool) -> Result<(), String> {
    let started = Instant::now();
    if !offline && !peers::installed() {
        peers::setup()?;
    }
    let peers = peers::all()?;
    // Two passes: the peers' own outputs (signed/encrypted "there") are checked here after the
    // first answer, so their tasks carry judges that run this workspace's code.
    let tasks = tasks()?;
    let mut results = Vec::new();
    let mut records = Vec::new();
    for peer in &peers {
        let answers = peer.run(&tasks)?;
        for (task, answer) in tasks.iter().zip(answers) {
            if let Some(vector) = &task.invalid {
                records.push(verdicts::judge(peer.id, vector, &answer));
            }
            let verdict = (task.judge)(&answer);
            results.push(report::Outcome {
                peer: peer.name.clone(),
                row: task.row.clone(),
                id: task.id.clone(),
                verdict,
            });
        }
    }
    let validator = peers
        .iter()
        .find(|p| p.id != "jose")
        .ok_or("no Python peer to validate the verdict file")?;
    let names: Vec<(&str, &str)> = peers.iter().map(|p| (p.id, p.version())).collect();
    verdicts::write(&verdicts::VerdictFile::new(&names, &records), validator)?;
    let report = report::Report::new(&peers, results, records);
    print!("{}", report.matrix_text());
    let path = root().join("docs/interop.md");
    std::fs::write(&path, report.markdown()).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!(
        "xtask: interop: {} peers, {} tasks each, backend {}, {:.1} s; wrote docs/interop.md and {}",
        peers.len(),
        tasks.len(),
        jose_core::backend::Backend::default(),
        started.elapsed().as_secs_f64(),
        verdicts::FILE,
    );
    let mut failures = report.failures();
    failures.extend(workspace_refusals()?);
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "interop: {} failure(s):\n  {}",
            failures.len(),
            failures.join("\n  ")
        ))
    }
}

/// Every task of a run.
fn tasks() -> Result<Vec<Task>, String> {
    let mut tasks = jws_tasks::vector_tasks()?;
    tasks.extend(jws_tasks::thumbprint_tasks()?);
    tasks.extend(jws_tasks::jwt_tasks()?);
    tasks.extend(jws_tasks::round_trips()?);
    tasks.extend(jwe_tasks::vector_tasks()?);
    tasks.extend(jwe_tasks::round_trips()?);
    tasks.extend(jwk_tasks::invalid_vector_tasks()?);
    tasks.extend(dpop_tasks::invalid_vector_tasks()?);
    tasks.push(schema_task()?);
    Ok(tasks)
}

/// The files whose invalid vectors the peers run.
const PEER_FILES: [&str; 5] = ["jws.json", "jwe.json", "jwt.json", "jwk.json", "dpop.json"];

/// Every invalid vector the peers run, through this workspace: one line per vector it does not
/// refuse for the stated reason. A peer's acceptance never fails the run; this workspace's
/// does (the same check as `cargo xtask vectors check`, repeated here so that the verdict
/// table never stands next to a vector the workspace itself gets wrong).
fn workspace_refusals() -> Result<Vec<String>, String> {
    let mut failures = Vec::new();
    for file in PEER_FILES {
        let kind = vectors::KINDS
            .iter()
            .find(|k| k.file == Some(file))
            .ok_or_else(|| format!("no vector kind writes {file}"))?;
        failures.extend(not_refused(
            file,
            &jws_tasks::vectors::<Value>(file)?,
            kind.check,
        ));
    }
    Ok(failures)
}

/// The invalid vectors among `vectors` that `check` (this workspace) does not refuse for
/// their stated reason, one line each.
fn not_refused(
    file: &str,
    vectors: &[Value],
    check: fn(&Value) -> Result<String, String>,
) -> Vec<String> {
    vectors
        .iter()
        .filter(|v| v["expect"] == "invalid")
        .filter_map(|v| {
            check(v)
                .err()
                .map(|e| format!("this workspace: {file} {}: {e}", v["id"]))
        })
        .collect()
}

/// Validates every vector file against `vectors/schema.json` (Python peers have jsonschema;
/// the Node peer answers unsupported).
fn schema_task() -> Result<Task, String> {
    let dir = root().join("vectors/generated");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    Ok(Task {
        id: "schema".into(),
        request: serde_json::json!({
            "op": "schema",
            "schema": root().join("vectors/schema.json").display().to_string(),
            "files": files,
        }),
        row: Row::Schema,
        invalid: None,
        judge: Box::new(|a| {
            if a.ok {
                Verdict::Pass
            } else if a.unsupported {
                Verdict::Unsupported
            } else {
                Verdict::Fail(a.error.clone())
            }
        }),
    })
}

impl Peer {
    /// Sends every task in one request and returns the answers in task order.
    fn run(&self, tasks: &[Task]) -> Result<Vec<Answer>, String> {
        let request = serde_json::json!({
            "tasks": tasks.iter().map(|t| {
                let mut r = t.request.clone();
                r["id"] = Value::String(t.id.clone());
                r
            }).collect::<Vec<_>>(),
        });
        let answer = self.call(&request)?;
        let results = answer["results"]
            .as_array()
            .ok_or_else(|| format!("{}: answer without results", self.name))?;
        let mut by_id: std::collections::HashMap<&str, &Value> = results
            .iter()
            .filter_map(|r| Some((r["id"].as_str()?, r)))
            .collect();
        Ok(tasks
            .iter()
            .map(|t| match by_id.remove(t.id.as_str()) {
                Some(r) => Answer {
                    ok: r["ok"] == true,
                    unsupported: r["unsupported"] == true,
                    error: r["error"].as_str().unwrap_or_default().to_owned(),
                    value: r.clone(),
                },
                None => Answer {
                    ok: false,
                    unsupported: false,
                    error: "no answer".into(),
                    value: Value::Null,
                },
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::{jws_tasks, not_refused};
    use serde_json::{Value, json};

    #[test]
    fn an_invalid_vector_this_workspace_accepts_fails_the_run() {
        let vectors = jws_tasks::vectors::<Value>("jws.json").expect("jws.json");
        let invalid: Vec<Value> = vectors
            .iter()
            .filter(|v| v["expect"] == "invalid")
            .cloned()
            .collect();
        assert!(not_refused("jws.json", &invalid, vectors::jws::check).is_empty());

        // A valid vector relabelled invalid: the workspace accepts it, so the run must fail.
        let mut accepted = vectors
            .iter()
            .find(|v| v["expect"] == "valid")
            .cloned()
            .expect("a valid vector");
        accepted["expect"] = json!("invalid");
        accepted["reason"] = json!({ "code": "bad-signature", "explanation": "test" });
        let failures = not_refused("jws.json", &[accepted], vectors::jws::check);
        assert_eq!(failures.len(), 1, "{failures:?}");
    }
}
