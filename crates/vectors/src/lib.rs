#![doc = include_str!("../README.md")]
//!
//! Each kind of vector (JWS, JWK, ...) is one module with a `generate` function (returning the
//! vectors as JSON values) and a `check` function (one vector through the workspace). A new
//! kind plugs in by adding its module and one entry to [`KINDS`]. Files under
//! `vectors/generated/` that other generators write (e2e-pop's and signing-challenge's tests,
//! through [`oidc2::generate`] and [`signing_challenge::generate`]) are checked the same way,
//! dispatched on their `kind`.

pub mod dpop;
pub mod format;
mod handmade;
pub mod jwe;
pub mod jwk;
pub mod jws;
pub mod jwt;
pub mod keys;
pub mod oidc2;
pub mod peer_verdicts;
pub mod reasons;
pub mod signing_challenge;
pub mod thumbprint;
pub mod util;
pub mod wycheproof;

use format::{Common, Expect, FORMAT, VectorFile};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Produces the vectors of a kind.
pub type GenerateFn = fn() -> Result<Vec<Value>, String>;

/// One kind of vector.
#[derive(Debug)]
pub struct Kind {
    /// The `kind` member of its files.
    pub kind: &'static str,
    /// The file under `vectors/generated/` that `vectors generate` writes, if this workspace
    /// generates vectors of this kind.
    pub file: Option<&'static str>,
    /// The file's title.
    pub title: &'static str,
    /// Produces the vectors.
    pub generate: Option<GenerateFn>,
    /// Checks one vector through the workspace; says what happened (for `--verbose`).
    pub check: fn(&Value) -> Result<String, String>,
    /// Parses and re-serializes one vector through its Rust type (catches unknown or
    /// misspelt members).
    pub roundtrip: fn(&Value) -> Result<Value, String>,
}

fn roundtrip<T: DeserializeOwned + Serialize>(v: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

/// Every kind this workspace knows.
pub const KINDS: &[Kind] = &[
    Kind {
        kind: "jws",
        file: Some("jws.json"),
        title: "JWS (RFC 7515, 7518, 7520, 7797, 8037): every algorithm and serialization, and the ways a JWS must fail",
        generate: Some(jws::generate),
        check: jws::check,
        roundtrip: roundtrip::<format::JwsVector>,
    },
    Kind {
        kind: "jwe",
        file: Some("jwe.json"),
        title: "JWE (RFC 7516, 7518, 7520, 8037): every key management and content encryption pair, and the ways a JWE must fail",
        generate: Some(jwe::generate),
        check: jwe::check,
        roundtrip: roundtrip::<format::JweVector>,
    },
    Kind {
        kind: "jwk",
        file: Some("jwk.json"),
        title: "JWK and JWK Set import (RFC 7517, 7518, 8037): keys to accept and keys to refuse",
        generate: Some(jwk::generate),
        check: jwk::check,
        roundtrip: roundtrip::<format::JwkVector>,
    },
    Kind {
        kind: "jwk-thumbprint",
        file: Some("jwk-thumbprint.json"),
        title: "JWK Thumbprints (RFC 7638) and thumbprint URIs (RFC 9278)",
        generate: Some(thumbprint::generate),
        check: thumbprint::check,
        roundtrip: roundtrip::<format::ThumbprintVector>,
    },
    Kind {
        kind: "jwt",
        file: Some("jwt.json"),
        title: "JWT claim validation (RFC 7519, RFC 8725): tokens, policies and the expected outcome",
        generate: Some(jwt::generate),
        check: jwt::check,
        roundtrip: roundtrip::<format::JwtVector>,
    },
    Kind {
        kind: "dpop",
        file: Some("dpop.json"),
        title: "DPoP proofs (RFC 9449): the RFC's proofs, every proof algorithm family, and each check of Section 4.3 failing",
        generate: Some(dpop::generate),
        check: dpop::check,
        roundtrip: roundtrip::<format::DpopVector>,
    },
    Kind {
        kind: "oidc2",
        // Written by crates/e2e-pop/tests/generated_vectors.rs.
        file: None,
        title: "OIDC² tokens (e2e-pop)",
        generate: None,
        check: oidc2::check,
        roundtrip: roundtrip::<format::Oidc2Vector>,
    },
    Kind {
        kind: "signing-challenge",
        // Written by crates/signing-challenge/tests/generated_vectors.rs.
        file: None,
        title: "Signed challenges and responses (signing-challenge)",
        generate: None,
        check: signing_challenge::check,
        roundtrip: roundtrip::<format::SigningChallengeVector>,
    },
];

fn generated_dir() -> PathBuf {
    util::root().join("vectors/generated")
}

/// The text of a vector file, exactly as `generate` writes it.
fn render(kind: &Kind, mut vectors: Vec<Value>) -> Result<String, String> {
    reasons::mark_policy(&mut vectors);
    let file = VectorFile {
        schema: "../schema.json".to_owned(),
        format: FORMAT.to_owned(),
        kind: kind.kind.to_owned(),
        title: kind.title.to_owned(),
        generated_by: "cargo xtask vectors generate".to_owned(),
        vectors,
    };
    let mut text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

/// `cargo xtask vectors generate`.
pub fn generate() -> Result<(), String> {
    let dir = generated_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for kind in KINDS {
        let (Some(file), Some(generate)) = (kind.file, kind.generate) else {
            continue;
        };
        let started = Instant::now();
        let vectors = generate().map_err(|e| format!("{}: {e}", kind.kind))?;
        let count = vectors.len();
        let text = render(kind, vectors)?;
        let path = dir.join(file);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!(
            "xtask: vectors: wrote {} ({count} vectors, {:.1} s)",
            path.strip_prefix(util::root()).unwrap_or(&path).display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Counts of one file's check.
#[derive(Default)]
struct Tally {
    valid: usize,
    invalid: usize,
}

/// Checks the members every vector has.
fn check_common(
    v: &Value,
    ids: &mut BTreeMap<String, String>,
    file: &str,
) -> Result<Common, String> {
    let common: Common =
        serde_json::from_value(v.clone()).map_err(|e| format!("common members: {e}"))?;
    if let Some(previous) = ids.insert(common.id.clone(), file.to_owned()) {
        return Err(format!("id {:?} also used in {previous}", common.id));
    }
    match (common.expect, &common.reason) {
        (Expect::Valid, Some(_)) => return Err("a valid vector has a reason".into()),
        (Expect::Invalid, None) => return Err("an invalid vector has no reason".into()),
        (Expect::Invalid, Some(r)) if !reasons::known(&r.code) => {
            return Err(format!(
                "unknown reason code {:?} (see docs/vectors.md)",
                r.code
            ));
        }
        _ => {}
    }
    if common.source.origin == "generated" && common.source.seed.is_none() {
        return Err("a generated vector names no seed".into());
    }
    Ok(common)
}

fn check_file(
    path: &Path,
    ids: &mut BTreeMap<String, String>,
    failures: &mut Vec<String>,
    verbose: bool,
) -> Result<(String, Tally), String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let file: VectorFile<Value> =
        serde_json::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
    if file.format != FORMAT {
        return Err(format!(
            "{name}: format {:?}, expected {FORMAT:?}",
            file.format
        ));
    }
    let kind = KINDS
        .iter()
        .find(|k| k.kind == file.kind)
        .ok_or_else(|| format!("{name}: no checker for kind {:?}", file.kind))?;
    let mut tally = Tally::default();
    for v in &file.vectors {
        let label = v
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("(no id)")
            .to_owned();
        let result = check_common(v, ids, &name).and_then(|common| {
            let again = (kind.roundtrip)(v)?;
            if &again != v {
                return Err(
                    "does not round-trip through the format (unknown or misspelt member?)"
                        .to_owned(),
                );
            }
            let note = (kind.check)(v)?;
            if verbose {
                eprintln!("  {label}: {note}");
            }
            Ok(common.expect)
        });
        match result {
            Ok(Expect::Valid) => tally.valid += 1,
            Ok(Expect::Invalid) => tally.invalid += 1,
            Err(e) => failures.push(format!("{name} {label}: {e}")),
        }
    }
    Ok((name, tally))
}

/// `cargo xtask vectors check [--verbose]`.
pub fn check(verbose: bool) -> Result<(), String> {
    let started = Instant::now();
    let dir = generated_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut ids = BTreeMap::new();
    let mut failures = Vec::new();
    let mut total = Tally::default();
    for path in &paths {
        let (name, tally) = check_file(path, &mut ids, &mut failures, verbose)?;
        eprintln!(
            "xtask: vectors: {name}: {} valid and {} invalid vectors checked",
            tally.valid, tally.invalid
        );
        total.valid += tally.valid;
        total.invalid += tally.invalid;
    }
    for kind in KINDS {
        if let Some(file) = kind.file
            && !paths.iter().any(|p| p.ends_with(file))
        {
            failures.push(format!(
                "{file} is missing: run `cargo xtask vectors generate`"
            ));
        }
    }

    // The committed files are what the generator writes today.
    for kind in KINDS {
        let (Some(file), Some(generate)) = (kind.file, kind.generate) else {
            continue;
        };
        let expected = render(kind, generate().map_err(|e| format!("{}: {e}", kind.kind))?)?;
        let actual = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{file} differs from what `cargo xtask vectors generate` writes: regenerate it and review the diff"
            ));
        }
    }

    for (id, _) in reasons::POLICY {
        if !ids.contains_key(*id) {
            failures.push(format!(
                "reasons::POLICY names {id}, which no vector file has"
            ));
        }
    }

    let wycheproof = wycheproof::run(&mut failures)?;
    eprintln!(
        "xtask: vectors: {} vectors ({} valid, {} invalid) and {wycheproof} Wycheproof cases in {:.1} s",
        total.valid + total.invalid,
        total.valid,
        total.invalid,
        started.elapsed().as_secs_f64()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} vector(s) failed:\n  {}",
            failures.len(),
            failures.join("\n  ")
        ))
    }
}
