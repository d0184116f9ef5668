//! The feature matrix: every library crate must build, without warnings, with no features
//! and with each of its features alone (so that `default-features = false, features = ["ec"]`
//! really gives a working stack without the others).

use crate::cargo;
use std::path::Path;

/// The crates whose features are checked, with their features.
fn crates(root: &Path) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut out = Vec::new();
    let dir = root.join("crates");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let manifest = path.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let Some(name) = value_of(&text, "name") else {
            continue;
        };
        // Binaries enable what they use; the matrix is about libraries.
        if text.contains("[[bin]]") {
            continue;
        }
        // Unpublished crates (test support, the benches with their peer crates behind
        // `peers`) promise no feature combinations to anyone.
        if text.lines().any(|l| l.trim() == "publish = false") {
            continue;
        }
        out.push((name, features_of(&text)));
    }
    Ok(out)
}

/// The value of the first `key = "value"` line.
fn value_of(manifest: &str, key: &str) -> Option<String> {
    manifest.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The names declared in `[features]`, except `default`.
fn features_of(manifest: &str) -> Vec<String> {
    let mut in_features = false;
    let mut names = Vec::new();
    for line in manifest.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_features = trimmed == "[features]";
            continue;
        }
        if in_features && let Some((name, _)) = trimmed.split_once('=') {
            let name = name.trim();
            if !name.is_empty() && name != "default" && !name.starts_with('#') {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// Checks every crate with no features and with each feature alone.
pub fn check() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace root")?;
    let mut failures = Vec::new();
    for (name, features) in crates(root)? {
        let mut sets: Vec<Option<String>> = vec![None];
        sets.extend(features.into_iter().map(Some));
        for feature in sets {
            let label = format!("{name} [{}]", feature.as_deref().unwrap_or("no features"));
            let mut cmd = cargo();
            cmd.current_dir(root).args([
                "check",
                "--quiet",
                "--lib",
                "-p",
                &name,
                "--no-default-features",
            ]);
            if let Some(f) = &feature {
                cmd.args(["--features", f]);
            }
            let output = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
            let stderr = String::from_utf8_lossy(&output.stderr);
            if !output.status.success() || stderr.contains("warning") {
                failures.push(format!("{label}:\n{stderr}"));
            } else {
                eprintln!("xtask: features: {label} ok");
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("feature matrix failed:\n{}", failures.join("\n")))
    }
}
