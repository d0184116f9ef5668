//! The fuzz targets' bodies (`fuzz/src/lib.rs`), run by `cargo test` on stable: every input
//! kept under `fuzz/regressions/<target>/` (each one crashed a target once), and every seed the
//! vectors give, so that a finding stays fixed and the bodies' invariants hold on valid input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code, unreachable_pub)]
mod targets;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    out.retain(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"));
    out.sort();
    out
}

#[test]
fn every_regression_input_passes_its_target() {
    let mut ran = 0;
    for (name, body) in targets::TARGETS {
        for path in files(&root().join("fuzz/regressions").join(name)) {
            let input = std::fs::read(&path).unwrap();
            body(&input);
            ran += 1;
        }
    }
    // Every directory under fuzz/regressions names a target.
    for dir in std::fs::read_dir(root().join("fuzz/regressions")).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            let name = dir.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                targets::TARGETS.iter().any(|(t, _)| *t == name),
                "fuzz/regressions/{name} is not a fuzz target"
            );
        }
    }
    eprintln!("{ran} regression inputs");
}

/// Every string and object in the vector files, through every target: the bodies must not
/// panic on well-formed input (their assertions are invariants, not expectations).
#[test]
fn every_target_accepts_the_vector_inputs_without_panicking() {
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for path in files(&root().join("vectors/generated")) {
        let text = std::fs::read_to_string(&path).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        for v in value["vectors"].as_array().unwrap() {
            for member in ["jws", "jwe", "jwt", "proof", "token", "jwk_json"] {
                match &v[member] {
                    serde_json::Value::String(s) => inputs.push(s.as_bytes().to_vec()),
                    serde_json::Value::Null => {}
                    other => inputs.push(other.to_string().into_bytes()),
                }
            }
        }
    }
    assert!(inputs.len() > 200, "{} inputs", inputs.len());
    for (name, body) in targets::TARGETS {
        // The JWE and signing targets decrypt and verify with several keys per input; a
        // sample keeps this test quick.
        let step = if name.starts_with("jwe") { 7 } else { 1 };
        for input in inputs.iter().step_by(step) {
            body(input);
        }
    }
}
