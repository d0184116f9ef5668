//! `cargo xtask fuzz`: builds the cargo-fuzz targets of `fuzz/` and runs them.
//!
//! ```text
//! cargo xtask fuzz [TARGET...] [--time SECONDS] [--sanitizer address|none] [--list]
//! cargo xtask fuzz --smoke        every target for a few seconds (CI)
//! ```
//!
//! cargo-fuzz passes nightly-only flags to rustc (`-Z sanitizer`, `-C passes=sancov-module`
//! and others). With a nightly toolchain installed (`rustup toolchain list`), it runs as
//! `cargo +nightly fuzz`; otherwise it runs on the default toolchain with
//! `RUSTC_BOOTSTRAP=1`, which lets a stable compiler accept those flags. `JOSE_FUZZ_TOOLCHAIN`
//! (`nightly`, `stable`, or a toolchain name) overrides the choice.
//!
//! Seeds come from the reference vectors (`fuzz/corpus/<target>/seed-*`, rewritten on every
//! run) and from the committed regression inputs (`fuzz/regressions/<target>/`); findings
//! land in `fuzz/artifacts/<target>/`.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use vectors::util::root;

/// The targets, as in `fuzz/Cargo.toml` (`fuzz/src/lib.rs` lists the same names).
pub const TARGETS: &[&str] = &[
    "json_strict",
    "b64",
    "jwk",
    "pem",
    "jws_compact",
    "jws_json",
    "jwt",
    "jwe_compact",
    "jwe_json",
    "dpop",
    "e2e_pop",
    "signing_challenge",
    "oauth_client",
    "ciba",
];

/// Seconds per target in `--smoke`.
const SMOKE_SECONDS: u64 = 5;

struct Options {
    targets: Vec<String>,
    seconds: u64,
    smoke: bool,
    sanitizer: String,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        targets: Vec::new(),
        seconds: 60,
        smoke: false,
        sanitizer: "address".into(),
    };
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--smoke" => options.smoke = true,
            "--time" => {
                i += 1;
                options.seconds = args
                    .get(i)
                    .and_then(|s| s.parse().ok())
                    .ok_or("--time takes a number of seconds")?;
            }
            "--sanitizer" => {
                i += 1;
                options.sanitizer = args.get(i).cloned().ok_or("--sanitizer takes a name")?;
            }
            "--list" => {
                for t in TARGETS {
                    println!("{t}");
                }
                return Err(String::new());
            }
            name if TARGETS.contains(&name) => options.targets.push(name.to_owned()),
            other => {
                return Err(format!(
                    "unknown fuzz target or option {other:?}; targets: {}",
                    TARGETS.join(", ")
                ));
            }
        }
        i += 1;
    }
    if options.targets.is_empty() {
        options.targets = TARGETS.iter().map(|s| (*s).to_owned()).collect();
    }
    if options.smoke {
        options.seconds = SMOKE_SECONDS;
        // Smoke runs look for crashes in the seeds' neighbourhood, not for memory errors in
        // `unsafe` dependencies: no sanitizer keeps the build and the runs short.
        options.sanitizer = "none".into();
    }
    Ok(options)
}

/// The toolchain to run cargo-fuzz with, and whether it needs `RUSTC_BOOTSTRAP=1`.
fn toolchain() -> (Option<String>, bool) {
    if let Ok(choice) = std::env::var("JOSE_FUZZ_TOOLCHAIN") {
        return if choice == "stable" {
            (None, true)
        } else {
            (Some(choice.clone()), !choice.starts_with("nightly"))
        };
    }
    let nightly = Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.starts_with("nightly"))
        })
        .unwrap_or(false);
    if nightly {
        (Some("nightly".into()), false)
    } else {
        (None, true)
    }
}

fn fuzz_dir() -> PathBuf {
    root().join("fuzz")
}

/// The build directory for a sanitizer and build kind.
fn target_dir(options: &Options) -> PathBuf {
    let kind = if options.smoke { "smoke" } else { "campaign" };
    fuzz_dir()
        .join("target")
        .join(format!("{kind}-{}", options.sanitizer))
}

fn cargo_fuzz() -> Command {
    let (toolchain, bootstrap) = toolchain();
    let mut cmd = Command::new("cargo");
    if let Some(t) = toolchain {
        cmd.arg(format!("+{t}"));
    }
    if bootstrap {
        cmd.env("RUSTC_BOOTSTRAP", "1");
    }
    // The workspace's CARGO_TARGET_DIR must not redirect the fuzz build.
    cmd.env_remove("CARGO_TARGET_DIR");
    cmd.current_dir(fuzz_dir()).arg("fuzz");
    cmd
}

fn build(options: &Options) -> Result<PathBuf, String> {
    let dir = target_dir(options);
    let mut cmd = cargo_fuzz();
    cmd.args([
        "build",
        "-O",
        "--sanitizer",
        &options.sanitizer,
        "--target-dir",
    ])
    .arg(&dir);
    if options.smoke {
        // Smoke runs are short: build for compile speed (opt-level 1, no debug info, sixteen
        // codegen units) rather than for executions per second.
        cmd.args(["--codegen-units", "16"])
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "false");
    }
    crate::run("cargo fuzz build (all targets)", &mut cmd)?;
    let triple = "x86_64-unknown-linux-gnu";
    Ok(dir.join(triple).join("release"))
}

/// Writes the seeds of every target from the vector files.
pub fn write_seeds(targets: &[String]) -> Result<BTreeMap<String, usize>, String> {
    let seeds = seeds()?;
    let mut counts = BTreeMap::new();
    for target in targets {
        let dir = fuzz_dir().join("corpus").join(target);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut n = 0;
        for input in seeds.get(target.as_str()).into_iter().flatten() {
            let name: String = Sha256::digest(input)
                .iter()
                .take(8)
                .map(|b| format!("{b:02x}"))
                .collect();
            std::fs::write(dir.join(format!("seed-{name}")), input)
                .map_err(|e| format!("{}: {e}", dir.display()))?;
            n += 1;
        }
        counts.insert(target.clone(), n);
    }
    Ok(counts)
}

fn vector_file(name: &str) -> Vec<Value> {
    let path = root().join("vectors/generated").join(name);
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v["vectors"].as_array().cloned())
        .unwrap_or_default()
}

fn as_text(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Null => None,
        other => Some(other.to_string().into_bytes()),
    }
}

/// Seeds by target, taken from every vector file.
fn seeds() -> Result<BTreeMap<&'static str, Vec<Vec<u8>>>, String> {
    let mut out: BTreeMap<&'static str, Vec<Vec<u8>>> = BTreeMap::new();
    let mut add = |target: &'static str, input: Option<Vec<u8>>| {
        if let Some(i) = input {
            out.entry(target).or_default().push(i);
        }
    };
    for v in vector_file("jws.json") {
        let target = if v["serialization"] == "compact" {
            "jws_compact"
        } else {
            "jws_json"
        };
        let token = as_text(&v["jws"]);
        if let Some(t) = &token {
            // The protected headers and payloads, decoded, seed the JSON reader.
            for part in String::from_utf8_lossy(t).split(['.', '"']) {
                if let Ok(bytes) = jose_core::b64::decode(part)
                    && bytes.first() == Some(&b'{')
                {
                    add("json_strict", Some(bytes));
                }
            }
            for part in String::from_utf8_lossy(t).split('.').take(3) {
                add("b64", Some(part.as_bytes().to_vec()));
            }
        }
        add(target, token);
        add("jwk", as_text(&v["verify"]["key"]));
    }
    for v in vector_file("jwk.json") {
        let text = v["jwk_json"].as_str().map(|s| s.as_bytes().to_vec());
        add("jwk", text.clone());
        add("json_strict", text);
        if let Some(key) = v["jwk_json"]
            .as_str()
            .and_then(|s| jose_core::jwk::Jwk::from_json(s).ok())
        {
            add("pem", key.to_pem().ok().map(|p| p.as_bytes().to_vec()));
            add("pem", key.to_public_pem().ok().map(String::into_bytes));
            add("pem", key.to_pkcs8_der().ok().map(|d| d.to_vec()));
            add("pem", key.to_spki_der().ok());
        }
    }
    for v in vector_file("jwk-thumbprint.json") {
        add("jwk", as_text(&v["jwk"]));
    }
    for v in vector_file("jwt.json") {
        add("jwt", as_text(&v["jwt"]));
        if let Some(claims) = v.get("claims") {
            add("jwt", Some(claims.to_string().into_bytes()));
            add("json_strict", Some(claims.to_string().into_bytes()));
        }
    }
    for v in vector_file("jwe.json") {
        let target = if v["serialization"] == "compact" {
            "jwe_compact"
        } else {
            "jwe_json"
        };
        add(target, as_text(&v["jwe"]));
    }
    for v in vector_file("dpop.json") {
        add("dpop", as_text(&v["proof"]));
    }
    for v in vector_file("oidc2.json")
        .into_iter()
        .chain(vector_file("e2e-pop.json"))
    {
        add("e2e_pop", as_text(&v["token"]));
        add("e2e_pop", as_text(&v["ict"]));
    }
    for v in vector_file("signing-challenge.json") {
        add("signing_challenge", as_text(&v["token"]));
    }
    // ciba: the `Authorization` header line, then the body (fuzz/src/lib.rs `ciba`). A pushed
    // ID Token slot is filled with each generated JWS, so the fuzzer starts with tokens that
    // parse and verify against the fixed keys.
    let ping = "Bearer Hq7vT2mXk9LpR4sW8nZc3bJy6dFg1uEa5oQi0tNw";
    let bearer = "Bearer p8LmQ2xV7cK4zR9tN3wB6yH1jF5gD0sAeUoIiT2u";
    add(
        "ciba",
        Some(format!("{ping}\n{{\"auth_req_id\":\"ping-1\"}}").into_bytes()),
    );
    add(
        "ciba",
        Some(
            format!(
                "{bearer}\n{{\"auth_req_id\":\"push-1\",\"error\":\"access_denied\",\
                 \"error_description\":\"the user said no\"}}"
            )
            .into_bytes(),
        ),
    );
    add(
        "ciba",
        Some(
            b"\n{\"auth_req_id\":\"1c266114-a1be-4252-8ad1-04986c5b9ac1\",\"expires_in\":120,\
              \"interval\":2}"
                .to_vec(),
        ),
    );
    for v in vector_file("jws.json").iter().take(8) {
        if let Some(Value::String(token)) = v.get("jws") {
            add(
                "ciba",
                Some(
                    format!(
                        "{bearer}\n{{\"auth_req_id\":\"push-1\",\"access_token\":\"at-1\",\
                         \"token_type\":\"Bearer\",\"expires_in\":600,\"id_token\":\"{token}\"}}"
                    )
                    .into_bytes(),
                ),
            );
        }
    }
    Ok(out)
}

/// What one target's run did.
struct RunResult {
    target: String,
    seconds: f64,
    executions: u64,
    corpus: usize,
    coverage: String,
    crash: Option<String>,
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).count())
        .unwrap_or(0)
}

fn run_target(bin_dir: &Path, target: &str, seconds: u64) -> Result<RunResult, String> {
    let corpus = fuzz_dir().join("corpus").join(target);
    let artifacts = fuzz_dir().join("artifacts").join(target);
    std::fs::create_dir_all(&artifacts).map_err(|e| e.to_string())?;
    let regressions = fuzz_dir().join("regressions").join(target);
    let mut cmd = Command::new(bin_dir.join(target));
    cmd.arg(&corpus);
    if regressions.is_dir() {
        cmd.arg(&regressions);
    }
    cmd.arg(format!("-max_total_time={seconds}"))
        .arg("-timeout=10")
        .arg("-rss_limit_mb=2048")
        .arg("-print_final_stats=1")
        .arg(format!("-artifact_prefix={}/", artifacts.display()));
    eprintln!("xtask: fuzz: {target} for {seconds} s");
    let started = Instant::now();
    let output = cmd.output().map_err(|e| {
        format!(
            "{target}: cannot start {}: {e}",
            bin_dir.join(target).display()
        )
    })?;
    let log = String::from_utf8_lossy(&output.stderr).into_owned();
    let executions = log
        .lines()
        .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    let coverage = log
        .lines()
        .rev()
        .find_map(|l| {
            let cov = l.split_whitespace().skip_while(|w| *w != "cov:").nth(1)?;
            let ft = l.split_whitespace().skip_while(|w| *w != "ft:").nth(1)?;
            Some(format!("cov {cov}, ft {ft}"))
        })
        .unwrap_or_default();
    let crash = if output.status.success() {
        None
    } else {
        let artifact = log
            .lines()
            .find_map(|l| l.split("Test unit written to ").nth(1))
            .map(str::to_owned)
            .unwrap_or_else(|| "(no artifact written)".into());
        let summary = log
            .lines()
            .filter(|l| {
                l.contains("panicked at") || l.contains("ERROR: libFuzzer") || l.contains("SUMMARY")
            })
            .collect::<Vec<_>>()
            .join(" | ");
        Some(format!("{artifact}: {summary}"))
    };
    Ok(RunResult {
        target: target.to_owned(),
        seconds: started.elapsed().as_secs_f64(),
        executions,
        corpus: count_files(&corpus),
        coverage,
        crash,
    })
}

/// `cargo xtask fuzz ...`.
pub fn main(args: &[String]) -> Result<(), String> {
    let options = match parse(args) {
        Ok(o) => o,
        Err(e) if e.is_empty() => return Ok(()),
        Err(e) => return Err(e),
    };
    let started = Instant::now();
    let probe = Command::new("cargo")
        .args(["fuzz", "--version"])
        .env_remove("CARGO_TARGET_DIR")
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return Err("cargo-fuzz is not installed: cargo install cargo-fuzz --locked".into());
    }
    let seeds = write_seeds(&options.targets)?;
    let bin_dir = build(&options)?;
    let mut results = Vec::new();
    for target in &options.targets {
        results.push(run_target(&bin_dir, target, options.seconds)?);
    }
    println!("\n| target | seconds | executions | corpus (seeds) | coverage | result |");
    println!("|---|---|---|---|---|---|");
    for r in &results {
        println!(
            "| {} | {:.0} | {} | {} ({}) | {} | {} |",
            r.target,
            r.seconds,
            r.executions,
            r.corpus,
            seeds.get(&r.target).copied().unwrap_or(0),
            r.coverage,
            r.crash.as_deref().map_or("no crash", |_| "**crash**")
        );
    }
    eprintln!(
        "xtask: fuzz: {} targets, sanitizer {}, {:.0} s in all",
        results.len(),
        options.sanitizer,
        started.elapsed().as_secs_f64()
    );
    let crashes: Vec<String> = results
        .iter()
        .filter_map(|r| r.crash.as_ref().map(|c| format!("{}: {c}", r.target)))
        .collect();
    if crashes.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzzing found {} crash(es); reproduce with the target binary under {} and the artifact, \
             fix, then keep the input under fuzz/regressions/<target>/:\n  {}",
            crashes.len(),
            bin_dir.display(),
            crashes.join("\n  ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::TARGETS;

    #[test]
    fn the_target_list_matches_the_fuzz_crate() {
        let root = vectors::util::root();
        let manifest = std::fs::read_to_string(root.join("fuzz/Cargo.toml")).unwrap_or_default();
        let lib = std::fs::read_to_string(root.join("fuzz/src/lib.rs")).unwrap_or_default();
        for target in TARGETS {
            assert!(
                manifest.contains(&format!("name = \"{target}\"")),
                "{target} in fuzz/Cargo.toml"
            );
            assert!(
                lib.contains(&format!("(\"{target}\", {target})")),
                "{target} in fuzz/src/lib.rs"
            );
            assert!(
                root.join(format!("fuzz/fuzz_targets/{target}.rs"))
                    .is_file(),
                "{target}.rs"
            );
        }
        assert_eq!(manifest.matches("[[bin]]").count(), TARGETS.len());
    }
}
