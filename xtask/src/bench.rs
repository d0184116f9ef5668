//! `cargo xtask bench`: runs the criterion benchmarks of `crates/benches` with the peer
//! crates, then rewrites the generated part of `docs/benchmarks.md` from that run.
//!
//! Results are read from criterion's own files (`<group>/<function>/new/benchmark.json` and
//! `estimates.json` under a fresh `CRITERION_HOME`) and from the allocation records the bench
//! binary writes (`JOSE_BENCH_ALLOCS`). Operation names carry the table structure (see
//! `benches::harness`): the last `/`-separated segment is the row, the rest the table; the
//! criterion function is the implementation (column). A second backend of ours is
//! `ours@<backend>` paired with `raw@<backend>`: with an entry in [`IMPLEMENTATIONS`] it gets
//! its own columns and ratio.

use crate::{cargo, run};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const USAGE: &str = "\
cargo xtask bench [--no-peers] [--quick] [--report-only] [-- CRITERION-ARGS...]

  --no-peers      without the peer crates and without our aws-lc-rs column (pure Rust:
                  no OpenSSL or aws-lc build needed)
  --quick         shorter measurements (for trying the command, not for the doc)
  --report-only   rewrite docs/benchmarks.md from the last run's files, without running
  CRITERION-ARGS  passed to the bench binary (a filter, --sample-size N, ...); with a
                  filter the doc holds only the benchmarks that ran
";

/// Start and end markers of the generated part of `docs/benchmarks.md`.
const BEGIN: &str = "<!-- BEGIN GENERATED: cargo xtask bench -->";
const END: &str = "<!-- END GENERATED -->";

pub fn main(args: &[String]) -> Result<(), String> {
    let mut peers = true;
    let mut quick = false;
    let mut report_only = false;
    let mut extra: Vec<String> = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--no-peers" => peers = false,
            "--quick" => quick = true,
            "--report-only" => report_only = true,
            "--" => extra.extend(rest.by_ref().cloned()),
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("bench: unknown argument {other:?}\n{USAGE}")),
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace root")?
        .to_path_buf();
    // Absolute: the bench binary runs in its own package's directory, and both it (through
    // CRITERION_HOME and JOSE_BENCH_ALLOCS) and this process must name the same files. Cargo
    // reads a relative CARGO_TARGET_DIR against the directory it was started in.
    let target = match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_relative() => std::env::current_dir()
            .map_err(|e| format!("bench: the current directory: {e}"))?
            .join(dir),
        Some(dir) => dir,
        None => root.join("target"),
    };
    let out = target.join("bench-report");
    let criterion_home = out.join("criterion");
    let allocs = out.join("allocs.jsonl");
    let machine_file = out.join("machine.json");

    let second_home = out.join("criterion-openssl");
    let second_allocs = out.join("allocs-openssl.jsonl");
    if !report_only {
        if out.exists() {
            std::fs::remove_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        }
        std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        let mut machine = Machine::probe(&root);
        machine.peers = peers;
        machine.command = describe(peers, quick, &extra);
        machine.load_before = load_average();
        // With the peers, our second backend too: `ours (aws-lc)` beside jsonwebtoken's
        // aws-lc-rs provider in the same process.
        let feature = peers.then_some("peers,aws-lc-rs");
        bench_process(&root, feature, &criterion_home, &allocs, quick, &extra)?;
        if peers {
            // josekit turns on serde_json's `preserve_order` for the whole binary, which would
            // change every other column: it runs in a second process, with the raw primitives
            // again so that its times can be put on the first run's scale.
            let filter = if extra.is_empty() {
                vec!["(josekit|raw)$".to_owned()]
            } else {
                extra.clone()
            };
            bench_process(
                &root,
                Some("peers-openssl"),
                &second_home,
                &second_allocs,
                quick,
                &filter,
            )?;
        }
        machine.load_after = load_average();
        std::fs::write(&machine_file, machine.to_json().to_string())
            .map_err(|e| format!("{}: {e}", machine_file.display()))?;
    }

    let machine = Machine::from_json(&read_json(&machine_file)?);
    let mut results = read_estimates(&criterion_home)?;
    read_allocs(&allocs, &mut results)?;
    let mut second = read_estimates(&second_home)?;
    read_allocs(&second_allocs, &mut second)?;
    merge_second_process(&mut results, &second);
    if results.is_empty() {
        return Err("bench: no results found; run `cargo xtask bench` first".into());
    }
    let doc = root.join("docs/benchmarks.md");
    let generated = render(&machine, &results);
    let text = match std::fs::read_to_string(&doc) {
        Ok(old) => splice(&old, &generated)?,
        Err(_) => format!("# Benchmarks\n\n{BEGIN}\n{generated}{END}\n"),
    };
    std::fs::write(&doc, text).map_err(|e| format!("{}: {e}", doc.display()))?;
    eprintln!(
        "xtask: bench: {} results written to {}",
        results.len(),
        doc.display()
    );
    Ok(())
}

/// One `cargo bench` of the benches crate, results under `home`.
fn bench_process(
    root: &Path,
    feature: Option<&str>,
    home: &Path,
    allocs: &Path,
    quick: bool,
    extra: &[String],
) -> Result<(), String> {
    let mut cmd = cargo();
    cmd.current_dir(root)
        .args(["bench", "-p", "benches", "--bench", "jose"])
        .env("CRITERION_HOME", home)
        .env("JOSE_BENCH_ALLOCS", allocs);
    if let Some(f) = feature {
        cmd.args(["--features", f]);
    }
    cmd.arg("--");
    if quick {
        cmd.args(["--warm-up-time", "0.1", "--measurement-time", "0.3"]);
    }
    cmd.args(extra);
    let what = format!(
        "cargo bench -p benches{} -- {}",
        feature
            .map(|f| format!(" --features {f}"))
            .unwrap_or_default(),
        extra.join(" ")
    );
    run(&what, &mut cmd)
}

/// Adds the second process's josekit results, scaled by the ratio of the raw primitive's
/// times in the two processes (the same benchmark, so the same work).
fn merge_second_process(results: &mut Results, second: &Results) {
    for ((op, imp), m) in second {
        if imp != "josekit" {
            continue;
        }
        let raw_first = results
            .get(&(op.clone(), "raw".to_owned()))
            .map(|r| r.median_ns);
        let raw_second = second
            .get(&(op.clone(), "raw".to_owned()))
            .map(|r| r.median_ns);
        let scale = match (raw_first, raw_second) {
            (Some(a), Some(b)) if b > 0.0 => a / b,
            _ => 1.0,
        };
        results.insert(
            (op.clone(), imp.clone()),
            Measured {
                median_ns: m.median_ns * scale,
                ..m.clone()
            },
        );
    }
}

fn describe(peers: bool, quick: bool, extra: &[String]) -> String {
    let mut words = vec!["cargo xtask bench".to_owned()];
    if !peers {
        words.push("--no-peers".into());
    }
    if quick {
        words.push("--quick".into());
    }
    if !extra.is_empty() {
        words.push("--".into());
        words.extend(extra.iter().cloned());
    }
    words.join(" ")
}

/// Replaces the generated part of the document, keeping everything around it.
fn splice(old: &str, generated: &str) -> Result<String, String> {
    let (Some(start), Some(end)) = (old.find(BEGIN), old.find(END)) else {
        return Err(format!(
            "docs/benchmarks.md lacks the markers {BEGIN} ... {END}"
        ));
    };
    if end < start {
        return Err("docs/benchmarks.md: the generated markers are out of order".into());
    }
    Ok(format!(
        "{}{BEGIN}\n{generated}{}",
        &old[..start],
        &old[end..]
    ))
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Where and how the numbers were taken.
#[derive(Debug, Default)]
struct Machine {
    cpu: String,
    cores: String,
    memory: String,
    os: String,
    rustc: String,
    commit: String,
    date: String,
    command: String,
    peers: bool,
    load_before: String,
    load_after: String,
}

fn command_output(program: &str, args: &[&str], dir: &Path) -> String {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".into())
}

impl Machine {
    fn probe(root: &Path) -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|l| l.trim_start_matches([' ', '\t', ':']).trim().to_owned())
            .unwrap_or_else(|| "unknown".into());
        let cores = std::thread::available_parallelism()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "unknown".into());
        let memory = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                let kib: u64 = m
                    .lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))?
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse()
                    .ok()?;
                Some(format!("{:.0} GiB", kib as f64 / (1024.0 * 1024.0)))
            })
            .unwrap_or_else(|| "unknown".into());
        let os = std::fs::read_to_string("/etc/os-release")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                    .map(|v| v.trim_matches('"').to_owned())
            })
            .unwrap_or_else(|| "unknown".into());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_owned())
            .unwrap_or_default();
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        Self {
            cpu,
            cores,
            memory,
            os: format!("{os}, Linux {kernel}"),
            rustc: command_output(&rustc, &["-V"], root),
            commit: command_output("git", &["rev-parse", "--short", "HEAD"], root),
            date: command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"], root),
            ..Self::default()
        }
    }

    fn to_json(&self) -> Value {
        serde_json::json!({
            "cpu": self.cpu, "cores": self.cores, "memory": self.memory, "os": self.os,
            "rustc": self.rustc, "commit": self.commit, "date": self.date,
            "command": self.command, "peers": self.peers,
            "load_before": self.load_before, "load_after": self.load_after,
        })
    }

    fn from_json(v: &Value) -> Self {
        let s = |k: &str| v[k].as_str().unwrap_or("unknown").to_owned();
        Self {
            cpu: s("cpu"),
            cores: s("cores"),
            memory: s("memory"),
            os: s("os"),
            rustc: s("rustc"),
            commit: s("commit"),
            date: s("date"),
            command: s("command"),
            peers: v["peers"].as_bool().unwrap_or(false),
            load_before: s("load_before"),
            load_after: s("load_after"),
        }
    }
}

/// One benchmark's numbers.
#[derive(Clone, Debug, Default)]
struct Measured {
    /// Median time per call, in nanoseconds.
    median_ns: f64,
    /// Allocations per call.
    allocs: Option<f64>,
    /// Bytes allocated per call.
    bytes: Option<f64>,
}

/// Results by (operation, implementation).
type Results = BTreeMap<(String, String), Measured>;

fn read_estimates(home: &Path) -> Result<Results, String> {
    let mut results = Results::new();
    let mut stack = vec![home.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let in_new = path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|n| n == "new");
            if !in_new || path.file_name().is_none_or(|n| n != "benchmark.json") {
                continue;
            }
            let bench = read_json(&path)?;
            let estimates = read_json(&path.with_file_name("estimates.json"))?;
            let (Some(group), Some(function)) =
                (bench["group_id"].as_str(), bench["function_id"].as_str())
            else {
                continue;
            };
            let Some(median) = estimates["median"]["point_estimate"].as_f64() else {
                continue;
            };
            results.insert(
                (group.to_owned(), function.to_owned()),
                Measured {
                    median_ns: median,
                    ..Measured::default()
                },
            );
        }
    }
    Ok(results)
}

fn read_allocs(path: &Path, results: &mut Results) -> Result<(), String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(());
    };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value =
            serde_json::from_str(line).map_err(|e| format!("{}: {e}", path.display()))?;
        let (Some(op), Some(imp)) = (v["op"].as_str(), v["impl"].as_str()) else {
            continue;
        };
        if let Some(m) = results.get_mut(&(op.to_owned(), imp.to_owned())) {
            m.allocs = v["allocs"].as_f64();
            m.bytes = v["bytes"].as_f64();
        }
    }
    Ok(())
}

/// A known implementation: its column heading and the backend of each algorithm family.
struct Implementation {
    id: &'static str,
    heading: &'static str,
    /// Backend by algorithm family (`hmac`, `rsa`, `ec`, `ed25519`, `aes`); `*` for all.
    backends: &'static [(&'static str, &'static str)],
}

/// RustCrypto, the generation of this workspace (p256/p384/p521 0.14, rsa 0.10, hmac 0.13,
/// ed25519-dalek 3, aes-gcm 0.11).
const RUSTCRYPTO: &str = "RustCrypto";
/// RustCrypto, the generation before (p256 0.13, rsa 0.9, hmac 0.12, ed25519-dalek 2).
const RUSTCRYPTO_OLD: &str = "RustCrypto (previous generation)";
/// AWS-LC through aws-lc-rs (C and assembly).
const AWS_LC: &str = "aws-lc";

const IMPLEMENTATIONS: &[Implementation] = &[
    Implementation {
        id: "ours",
        heading: "ours",
        backends: &[("*", RUSTCRYPTO)],
    },
    Implementation {
        id: "ours@aws-lc",
        heading: "ours (aws-lc)",
        backends: &[("*", AWS_LC)],
    },
    Implementation {
        id: "raw",
        heading: "raw primitive",
        backends: &[("*", RUSTCRYPTO)],
    },
    Implementation {
        id: "raw@aws-lc",
        heading: "raw primitive (aws-lc)",
        backends: &[("*", AWS_LC)],
    },
    Implementation {
        id: "jsonwebtoken-rustcrypto",
        heading: "jsonwebtoken (rust_crypto)",
        backends: &[("*", RUSTCRYPTO_OLD)],
    },
    Implementation {
        id: "jsonwebtoken-awslc",
        heading: "jsonwebtoken (aws_lc_rs)",
        backends: &[("*", AWS_LC)],
    },
    Implementation {
        id: "jwt-simple",
        heading: "jwt-simple (pure-rust)",
        backends: &[
            ("hmac", "hmac-sha2 (jedisct1)"),
            ("ec", RUSTCRYPTO),
            ("ed25519", "ed25519-compact"),
            ("rsa", "superboring (RustCrypto rsa)"),
        ],
    },
    Implementation {
        id: "josekit",
        heading: "josekit",
        backends: &[("*", "OpenSSL")],
    },
];

fn implementation(id: &str) -> Option<&'static Implementation> {
    IMPLEMENTATIONS.iter().find(|i| i.id == id)
}

fn heading(id: &str) -> String {
    implementation(id).map_or_else(|| id.to_owned(), |i| i.heading.to_owned())
}

/// The algorithm family of a table row, for the backend lookup.
fn family(row: &str) -> &'static str {
    if row.starts_with("HS") {
        "hmac"
    } else if row.starts_with("RS") || row.starts_with("PS") || row.contains("RSA") {
        "rsa"
    } else if row.starts_with("ES") || row.contains("P-256") {
        "ec"
    } else if row.starts_with("Ed") {
        "ed25519"
    } else {
        "aes"
    }
}

fn backend(id: &str, row: &str) -> String {
    let Some(i) = implementation(id) else {
        return "unknown".into();
    };
    let fam = family(row);
    i.backends
        .iter()
        .find(|(f, _)| *f == fam)
        .or_else(|| i.backends.iter().find(|(f, _)| *f == "*"))
        .map_or_else(|| "unknown".into(), |(_, b)| (*b).to_owned())
}

/// Column order: as listed in [`IMPLEMENTATIONS`] (ours and raw on each backend, then the
/// peers), unknown ids last.
fn column_rank(id: &str) -> (usize, String) {
    let rank = IMPLEMENTATIONS
        .iter()
        .position(|i| i.id == id)
        .unwrap_or(IMPLEMENTATIONS.len());
    (rank, id.to_owned())
}

/// Our column that computes on `backend`, for same-backend comparisons.
fn ours_on(backend: &str) -> Option<&'static str> {
    if backend.contains(RUSTCRYPTO) {
        Some("ours")
    } else if backend == AWS_LC {
        Some("ours@aws-lc")
    } else {
        None
    }
}

fn is_ours(id: &str) -> bool {
    id == "ours" || id.starts_with("ours@")
}

/// The raw primitive paired with one of our columns.
fn raw_of(id: &str) -> String {
    id.replacen("ours", "raw", 1)
}

fn format_time(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    if value >= 100.0 {
        format!("{value:.0} {unit}")
    } else if value >= 10.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.2} {unit}")
    }
}

fn format_bytes(bytes: f64) -> String {
    if bytes < 1024.0 {
        format!("{bytes:.0} B")
    } else if bytes < 1024.0 * 1024.0 {
        format!("{:.1} KiB", bytes / 1024.0)
    } else {
        format!("{:.2} MiB", bytes / (1024.0 * 1024.0))
    }
}

/// One table: rows of one operation family.
struct Table<'a> {
    name: String,
    rows: Vec<String>,
    columns: Vec<String>,
    cells: BTreeMap<(String, String), &'a Measured>,
}

/// Tables in the order of the benchmark run, rows in their order of first appearance.
fn tables(results: &Results) -> Vec<Table<'_>> {
    let mut order: Vec<String> = Vec::new();
    let mut by_table: BTreeMap<String, Table<'_>> = BTreeMap::new();
    for ((op, imp), m) in results {
        let (table, row) = op.rsplit_once('/').unwrap_or(("other", op.as_str()));
        let t = by_table.entry(table.to_owned()).or_insert_with(|| {
            order.push(table.to_owned());
            Table {
                name: table.to_owned(),
                rows: Vec::new(),
                columns: Vec::new(),
                cells: BTreeMap::new(),
            }
        });
        if !t.rows.iter().any(|r| r == row) {
            t.rows.push(row.to_owned());
        }
        if !t.columns.iter().any(|c| c == imp) {
            t.columns.push(imp.clone());
        }
        t.cells.insert((row.to_owned(), imp.clone()), m);
    }
    let mut out: Vec<Table<'_>> = Vec::new();
    for name in table_order(&order) {
        if let Some(mut t) = by_table.remove(&name) {
            t.columns.sort_by_key(|c| column_rank(c));
            t.rows.sort_by_key(|r| row_rank(r));
            out.push(t);
        }
    }
    out
}

/// Tables in document order: JWS, JWE, then the rest, each as the benches register them.
fn table_order(names: &[String]) -> Vec<String> {
    const ORDER: &[&str] = &[
        "jws/sign/compact",
        "jws/verify/compact",
        "jws/sign/json",
        "jws/verify/json",
        "jws/sign/bytes",
        "jws/verify/bytes",
        "jwe/encrypt/1KiB",
        "jwe/decrypt/1KiB",
        "jwe/encrypt/1MiB",
        "jwe/decrypt/1MiB",
        "jwt/claims",
        "jwk/thumbprint",
        "dpop/proof",
        "oidc/id_token",
    ];
    let mut out: Vec<String> = ORDER
        .iter()
        .filter(|n| names.iter().any(|m| m == *n))
        .map(|n| (*n).to_owned())
        .collect();
    let mut rest: Vec<String> = names
        .iter()
        .filter(|n| !ORDER.contains(&n.as_str()))
        .cloned()
        .collect();
    rest.sort();
    out.extend(rest);
    out
}

/// Rows in the order of the algorithm lists (JWS registry order, then the JWE cases).
fn row_rank(row: &str) -> usize {
    const ROWS: &[&str] = &[
        "HS256",
        "HS384",
        "HS512",
        "RS256",
        "RS384",
        "RS512",
        "PS256",
        "PS384",
        "PS512",
        "ES256",
        "ES384",
        "ES512",
        "EdDSA",
        "dir",
        "A256KW",
        "RSA-OAEP-256",
        "ECDH-ES+A256KW P-256",
        "ECDH-ES+A256KW X25519",
        "P-256",
        "RSA-2048",
        "Ed25519",
        "create",
        "verify",
        "validate",
    ];
    ROWS.iter().position(|r| *r == row).unwrap_or(ROWS.len())
}

fn title(table: &str) -> String {
    match table {
        "jws/sign/compact" => "JWS sign, compact: a JWT from typed claims".into(),
        "jws/verify/compact" => "JWS verify, compact: a JWT to validated typed claims".into(),
        "jws/sign/json" => "JWS sign, flattened JSON serialization".into(),
        "jws/verify/json" => "JWS verify, flattened JSON serialization, claims validated".into(),
        "jws/sign/bytes" => {
            "JWS sign, compact, the JWS layer alone: the claims' JSON bytes as payload".into()
        }
        "jws/verify/bytes" => {
            "JWS verify, compact, the JWS layer alone: payload bytes out, no claims".into()
        }
        "jwe/encrypt/1KiB" => "JWE encrypt, 1 KiB, A256GCM, compact".into(),
        "jwe/decrypt/1KiB" => "JWE decrypt, 1 KiB, A256GCM, compact".into(),
        "jwe/encrypt/1MiB" => "JWE encrypt, 1 MiB, A256GCM, compact".into(),
        "jwe/decrypt/1MiB" => "JWE decrypt, 1 MiB, A256GCM, compact".into(),
        "jwt/claims" => "JWT claims validation (no signature)".into(),
        "jwk/thumbprint" => "JWK thumbprint (RFC 7638, SHA-256)".into(),
        "dpop/proof" => "DPoP proofs, ES256 (RFC 9449)".into(),
        "oidc/id_token" => "OpenID Connect ID Token validation, JWK Set cached".into(),
        other => other.to_owned(),
    }
}

fn time_table(out: &mut String, t: &Table<'_>) {
    let _ = writeln!(out, "### {}\n", title(&t.name));
    let mut head = vec!["".to_owned()];
    let mut rule = vec!["---".to_owned()];
    for c in &t.columns {
        head.push(heading(c));
        rule.push("---:".into());
        if is_ours(c) && t.columns.contains(&raw_of(c)) {
            head.push(format!("{} ÷ raw", heading(c)));
            rule.push("---:".into());
        }
    }
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let _ = writeln!(out, "|{}|", rule.join("|"));
    for row in &t.rows {
        let mut cells = vec![row.clone()];
        let ours = t
            .cells
            .get(&(row.clone(), "ours".into()))
            .map(|m| m.median_ns);
        for c in &t.columns {
            let m = t.cells.get(&(row.clone(), c.clone()));
            let cell = match (m, ours) {
                (None, _) => "—".to_owned(),
                (Some(m), Some(o)) if !is_ours(c) && !c.starts_with("raw") => {
                    format!("{} ({:.2}×)", format_time(m.median_ns), m.median_ns / o)
                }
                (Some(m), _) => format_time(m.median_ns),
            };
            cells.push(cell);
            if is_ours(c) && t.columns.contains(&raw_of(c)) {
                let raw = t.cells.get(&(row.clone(), raw_of(c)));
                cells.push(match (m, raw) {
                    (Some(m), Some(r)) => format!("{:.2}", m.median_ns / r.median_ns),
                    _ => "—".into(),
                });
            }
        }
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn alloc_table(out: &mut String, t: &Table<'_>) {
    let any = t.cells.values().any(|m| m.allocs.is_some());
    if !any {
        return;
    }
    let _ = writeln!(
        out,
        "<details><summary>Allocations per call (count / bytes)</summary>\n"
    );
    let mut head = vec!["".to_owned()];
    for c in &t.columns {
        head.push(heading(c));
    }
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(t.columns.len()));
    for row in &t.rows {
        let mut cells = vec![row.clone()];
        for c in &t.columns {
            let m = t.cells.get(&(row.clone(), c.clone()));
            cells.push(match m.and_then(|m| Some((m.allocs?, m.bytes?))) {
                Some((n, b)) => format!("{n:.0} / {}", format_bytes(b)),
                None => "—".into(),
            });
        }
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push_str("\n</details>\n\n");
}

fn get<'a>(results: &'a Results, op: &str, imp: &str) -> Option<&'a Measured> {
    results.get(&(op.to_owned(), imp.to_owned()))
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "**not met**" }
}

/// The ratio of `ours` to `raw` for every operation `limit` gives a target to (by operation
/// and row), under `title`; nothing when no operation has both.
fn overhead_table(
    out: &mut String,
    results: &Results,
    (ours, raw): (&str, &str),
    title: &str,
    limit: impl Fn(&str, &str) -> Option<f64>,
) {
    let mut rows = String::new();
    for ((op, imp), m) in results {
        let row = op.rsplit('/').next().unwrap_or("");
        if imp != ours {
            continue;
        }
        let (Some(limit), Some(r)) = (limit(op, row), get(results, op, raw)) else {
            continue;
        };
        let ratio = m.median_ns / r.median_ns;
        let _ = writeln!(
            rows,
            "| {op} | {ratio:.2} | {limit:.2} | {} |",
            verdict(ratio <= limit)
        );
    }
    if !rows.is_empty() {
        let _ = write!(
            out,
            "{title}:\n\n| operation | ratio | target | verdict |\n|---|---:|---:|---|\n{rows}\n"
        );
    }
}

/// The targets of the benchmark issue, evaluated on this run.
fn targets(out: &mut String, results: &Results) {
    out.push_str("## Targets, evaluated on this run\n\n");

    // 1. Overhead over the raw primitive, on each backend.
    overhead_table(
        out,
        results,
        ("ours", "raw"),
        "**JOSE overhead** (ours ÷ raw primitive; target ≤ 1.05 for asymmetric algorithms, \
         ≤ 2 for HS256)",
        |op, row| {
            if !(op.starts_with("jws/") || op.starts_with("oidc/")) {
                None
            } else if row.starts_with("HS") {
                (row == "HS256").then_some(2.0)
            } else {
                Some(1.05)
            }
        },
    );
    // 2. Our aws-lc-rs backend against aws-lc-rs called directly.
    overhead_table(
        out,
        results,
        ("ours@aws-lc", "raw@aws-lc"),
        "**JOSE overhead on the aws-lc-rs backend** (ours (aws-lc) ÷ raw primitive \
         (aws-lc); target ≤ 1.2 for every JWS algorithm)",
        |op, _| op.starts_with("jws/").then_some(1.2),
    );

    // 3. Same-backend peers.
    out.push_str(
        "**Same-backend peers** (peer time ÷ the time of our column on the peer's backend: \
         `ours` for RustCrypto, `ours (aws-lc)` for aws-lc; above 1 means ours is faster). \
         Peers on a backend of their own (OpenSSL) are in the tables above, not here:\n\n\
         | operation | peer | backend | against | ratio | verdict |\n\
         |---|---|---|---|---:|---|\n",
    );
    for ((op, imp), m) in results {
        if is_ours(imp) || imp.starts_with("raw") {
            continue;
        }
        let row = op.rsplit('/').next().unwrap_or("");
        let b = backend(imp, row);
        let Some(ours_id) = ours_on(&b) else {
            continue;
        };
        let Some(ours) = get(results, op, ours_id) else {
            continue;
        };
        let ratio = m.median_ns / ours.median_ns;
        let _ = writeln!(
            out,
            "| {op} | {} | {b} | {} | {ratio:.2} | {} |",
            heading(imp),
            heading(ours_id),
            verdict(ratio >= 1.0)
        );
    }
    out.push('\n');

    // 4. Memory and 5. linearity of JWE.
    out.push_str(
        "**JWE memory and linearity** (bytes allocated per call ÷ payload size, target ≤ ~3 \
         at 1 MiB; time per KiB from 1 KiB to 1 MiB, ours and raw):\n\n\
         | operation | bytes ÷ payload (1 MiB) | verdict | ours µs/KiB (1 KiB → 1 MiB) | raw µs/KiB (1 KiB → 1 MiB) |\n\
         |---|---:|---|---:|---:|\n",
    );
    for ((op, imp), m) in results {
        if imp != "ours" || !op.starts_with("jwe/") || !op.contains("/1MiB/") {
            continue;
        }
        let small = op.replace("/1MiB/", "/1KiB/");
        let per_kib = |imp: &str| -> String {
            match (get(results, &small, imp), get(results, op, imp)) {
                (Some(s), Some(l)) => format!(
                    "{:.2} → {:.3}",
                    s.median_ns / 1e3,
                    l.median_ns / 1e3 / 1024.0
                ),
                _ => "—".into(),
            }
        };
        let (ratio, ok) = match m.bytes {
            Some(b) => {
                let r = b / f64::from(1u32 << 20);
                (format!("{r:.2}"), verdict(r <= 3.1))
            }
            None => ("—".into(), "—"),
        };
        let _ = writeln!(
            out,
            "| {} | {ratio} | {ok} | {} | {} |",
            op.replace("/1MiB", ""),
            per_kib("ours"),
            per_kib("raw"),
        );
    }
    out.push('\n');
}

fn render(machine: &Machine, results: &Results) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## This run\n\n\
         | | |\n|---|---|\n\
         | command | `{}` |\n\
         | date | {} |\n\
         | commit | {} |\n\
         | CPU | {} ({} logical cores) |\n\
         | memory | {} |\n\
         | system | {} |\n\
         | compiler | {} |\n\
         | load average (1, 5, 15 min) | {} before, {} after |\n\
         | peers | {} |\n",
        machine.command,
        machine.date,
        machine.commit,
        machine.cpu,
        machine.cores,
        machine.memory,
        machine.os,
        machine.rustc,
        machine.load_before,
        machine.load_after,
        if machine.peers {
            "included"
        } else {
            "not included (`--no-peers`)"
        },
    );
    out.push_str(
        "Times are criterion's median per call. A peer's cell gives its time and, in \
         parentheses, its time ÷ ours (RustCrypto): above 1.00 means ours is faster. \
         \"ours ÷ raw\" is the JOSE layer's overhead over the primitive called directly on the \
         same input. \"ours (aws-lc)\", when present, is the same code with every key pinned \
         to the aws-lc-rs backend, paired with aws-lc-rs called directly (\"raw primitive \
         (aws-lc)\"); each peer is compared with our column on its own backend under \
         [Targets](#targets-evaluated-on-this-run). Backends of each column: see \
         [Peers](#peers) and [Backends in this run](#backends-in-this-run).\n\n",
    );
    let all = tables(results);
    let mut section = "";
    for t in &all {
        let s = match t.name.split('/').next().unwrap_or("") {
            "jws" => "## JWS",
            "jwe" => "## JWE",
            _ => "## JWT claims, thumbprints, DPoP, OpenID Connect",
        };
        if s != section {
            let _ = writeln!(out, "{s}\n");
            section = s;
        }
        time_table(&mut out, t);
        alloc_table(&mut out, t);
    }
    targets(&mut out, results);
    let used: BTreeSet<&str> = results.keys().map(|(_, i)| i.as_str()).collect();
    out.push_str("## Backends in this run\n\n| column | backend |\n|---|---|\n");
    for i in IMPLEMENTATIONS {
        if used.contains(i.id) {
            let list: Vec<String> = i
                .backends
                .iter()
                .map(|(f, b)| {
                    if *f == "*" {
                        (*b).to_owned()
                    } else {
                        format!("{f}: {b}")
                    }
                })
                .collect();
            let _ = writeln!(out, "| {} | {} |", i.heading, list.join("; "));
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    #[test]
    fn splice_keeps_the_text_around_the_generated_part() {
        let old = format!("intro\n{BEGIN}\nold numbers\n{END}\nafter\n");
        let new = splice(&old, "new numbers\n").unwrap();
        assert_eq!(new, format!("intro\n{BEGIN}\nnew numbers\n{END}\nafter\n"));
        assert!(splice("no markers", "x").is_err());
    }

    #[test]
    fn second_backends_get_their_own_columns_and_raw_pairs() {
        assert_eq!(raw_of("ours@aws-lc"), "raw@aws-lc");
        assert_eq!(heading("ours@aws-lc"), "ours (aws-lc)");
        assert_eq!(backend("ours@aws-lc", "ES256"), "aws-lc");
        assert!(column_rank("ours@aws-lc") < column_rank("raw"));
        assert_eq!(backend("jwt-simple", "ES256"), RUSTCRYPTO);
        assert_eq!(backend("jwt-simple", "EdDSA"), "ed25519-compact");
    }

    #[test]
    fn peers_are_compared_with_our_column_on_their_backend() {
        assert_eq!(
            ours_on(&backend("jsonwebtoken-rustcrypto", "RS256")),
            Some("ours")
        );
        assert_eq!(ours_on(&backend("jwt-simple", "ES256")), Some("ours"));
        assert_eq!(ours_on(&backend("jwt-simple", "HS256")), None);
        assert_eq!(
            ours_on(&backend("jsonwebtoken-awslc", "ES256")),
            Some("ours@aws-lc")
        );
        assert_eq!(ours_on(&backend("josekit", "ES256")), None);
    }

    #[test]
    fn times_are_shown_with_three_significant_digits() {
        assert_eq!(format_time(950.0), "950 ns");
        assert_eq!(format_time(1_234.0), "1.23 µs");
        assert_eq!(format_time(123_400.0), "123 µs");
        assert_eq!(format_time(12_340_000.0), "12.3 ms");
    }
}
