//! Installing and calling the peers.
//!
//! Everything lives under the ignored `.interop/` folder: `node/` (an `npm ci` of the
//! committed `xtask/interop/node/package-lock.json`) and `venv/` (a Python virtual environment
//! with the pinned `xtask/interop/python/requirements.txt`). A stamp file next to each records
//! the hash of what was installed, so a changed lock file triggers a reinstall.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use vectors::util::root;

/// An installed peer.
pub struct Peer {
    /// The short name `vectors/peer-verdicts.json` uses: `jose`, `jwcrypto`, `joserfc`.
    pub id: &'static str,
    /// Library name and version, as the peer reports it.
    pub name: String,
    program: PathBuf,
    args: Vec<String>,
}

fn interop_dir() -> PathBuf {
    root().join(".interop")
}

fn node_sources() -> PathBuf {
    root().join("xtask/interop/node")
}

fn python_sources() -> PathBuf {
    root().join("xtask/interop/python")
}

fn venv_python() -> PathBuf {
    interop_dir().join("venv/bin/python")
}

fn digest_of(paths: &[PathBuf]) -> Result<String, String> {
    let mut h = Sha256::new();
    for p in paths {
        h.update(std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn node_stamp() -> Result<String, String> {
    digest_of(&[
        node_sources().join("package.json"),
        node_sources().join("package-lock.json"),
    ])
}

fn python_stamp() -> Result<String, String> {
    digest_of(&[python_sources().join("requirements.txt")])
}

fn stamp_matches(path: &Path, expected: &str) -> bool {
    std::fs::read_to_string(path).is_ok_and(|s| s.trim() == expected)
}

/// Whether both peers are installed from the current lock files.
pub fn installed() -> bool {
    let node = node_stamp().is_ok_and(|s| stamp_matches(&interop_dir().join("node/.stamp"), &s));
    let python =
        python_stamp().is_ok_and(|s| stamp_matches(&interop_dir().join("venv/.stamp"), &s));
    node && python
}

fn run(description: &str, command: &mut Command) -> Result<(), String> {
    crate::run(description, command)
}

/// Installs the peers (network: the npm and PyPI registries only).
pub fn setup() -> Result<(), String> {
    let dir = interop_dir();
    let node = dir.join("node");
    std::fs::create_dir_all(&node).map_err(|e| format!("{}: {e}", node.display()))?;
    let stamp = node_stamp()?;
    if !stamp_matches(&node.join(".stamp"), &stamp) {
        for file in ["package.json", "package-lock.json"] {
            std::fs::copy(node_sources().join(file), node.join(file))
                .map_err(|e| format!("{file}: {e}"))?;
        }
        run(
            "npm ci (jose, from xtask/interop/node/package-lock.json)",
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&node),
        )?;
        std::fs::write(node.join(".stamp"), &stamp).map_err(|e| e.to_string())?;
    }
    let venv = dir.join("venv");
    let stamp = python_stamp()?;
    if !stamp_matches(&venv.join(".stamp"), &stamp) {
        if !venv_python().exists() {
            run(
                "python3 -m venv .interop/venv",
                Command::new("python3").args(["-m", "venv"]).arg(&venv),
            )?;
        }
        run(
            "pip install (jwcrypto, joserfc, jsonschema, from xtask/interop/python/requirements.txt)",
            Command::new(venv_python())
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-r",
                ])
                .arg(python_sources().join("requirements.txt")),
        )?;
        std::fs::write(venv.join(".stamp"), &stamp).map_err(|e| e.to_string())?;
    }
    Ok(())
}

impl Peer {
    /// The version the peer reported (the last word of its name).
    pub fn version(&self) -> &str {
        self.name.rsplit(' ').next().unwrap_or_default()
    }

    /// Runs the peer with `request` on stdin and parses its stdout.
    pub fn call(&self, request: &Value) -> Result<Value, String> {
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                format!(
                    "{}: cannot start {}: {e}",
                    self.name,
                    self.program.display()
                )
            })?;
        let input = request.to_string();
        let mut stdin = child.stdin.take().ok_or("no stdin")?;
        // Write from a thread: a large request and a large answer would otherwise deadlock.
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let output = child
            .wait_with_output()
            .map_err(|e| format!("{}: {e}", self.name))?;
        writer
            .join()
            .map_err(|_| "writer thread panicked".to_owned())?
            .map_err(|e| format!("{}: writing the request: {e}", self.name))?;
        if !output.status.success() {
            return Err(format!(
                "{} exited with {}: {}",
                self.name,
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        serde_json::from_slice(&output.stdout).map_err(|e| {
            format!(
                "{}: answer is not JSON ({e}): {}",
                self.name,
                String::from_utf8_lossy(&output.stderr)
            )
        })
    }
}

/// The installed peers, each asked for its name and version.
pub fn all() -> Result<Vec<Peer>, String> {
    if !installed() {
        return Err("the interop peers are not installed: run `cargo xtask interop setup`".into());
    }
    // The Node peer runs from .interop/node so that `import 'jose'` resolves there.
    let node_dir = interop_dir().join("node");
    std::fs::copy(node_sources().join("peer.mjs"), node_dir.join("peer.mjs"))
        .map_err(|e| format!("peer.mjs: {e}"))?;
    let script = python_sources().join("peer.py").display().to_string();
    let mut peers = vec![
        Peer {
            id: "jose",
            name: "jose (npm)".into(),
            program: PathBuf::from("node"),
            args: vec![node_dir.join("peer.mjs").display().to_string()],
        },
        Peer {
            id: "jwcrypto",
            name: "jwcrypto".into(),
            program: venv_python(),
            args: vec![script.clone(), "jwcrypto".into()],
        },
        Peer {
            id: "joserfc",
            name: "joserfc".into(),
            program: venv_python(),
            args: vec![script, "joserfc".into()],
        },
    ];
    for peer in &mut peers {
        let answer = peer.call(&serde_json::json!({ "tasks": [] }))?;
        if let Some(name) = answer["peer"].as_str() {
            peer.name = name.to_owned();
        }
    }
    Ok(peers)
}
