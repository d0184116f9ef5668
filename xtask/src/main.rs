//! `cargo xtask`: the one entry point for the workspace's automation.
//!
//! ```text
//! cargo xtask test        every test of the workspace (what CI runs), vectors, interop, fuzz smoke
//! cargo xtask features    build each crate with each cargo feature alone, warnings denied
//! cargo xtask vectors     generate or check the reference vectors (docs/vectors.md)
//! cargo xtask interop     run the vectors and round trips against other implementations
//! cargo xtask fuzz        build and run the cargo-fuzz targets (docs/fuzzing.md)
//! cargo xtask bench       run the benchmarks with the peer crates, rewrite docs/benchmarks.md
//! ```

mod bench;
mod features;
mod fuzz;
mod interop;
mod setup;

use std::process::{Command, ExitCode};

const HELP: &str = "\
cargo xtask <command>

commands:
  test        run every test of the workspace (what CI runs): the feature matrix,
              `cargo test --workspace` (unit, integration and doc tests; the shared-state
              tests start redis-server on 127.0.0.1), `vectors check`,
              `interop` and `fuzz --smoke`, then the
              RSA1_5 vector cases of jwe with its off-by-default `rsa1_5` feature
  features    build each library crate with no features and with each feature alone,
              failing on any warning
  vectors generate
              rewrite the generated reference vectors under vectors/generated/ (deterministic)
  vectors check
              run every reference vector and the Wycheproof suites through the workspace
  interop [setup] [--offline]
              install (setup) or run the other JOSE implementations (panva's jose, jwcrypto,
              joserfc) against the workspace; prints the matrix, writes docs/interop.md
              and each peer's verdict on every invalid vector, vectors/peer-verdicts.json
  fuzz [TARGET...] [--time SECONDS] [--sanitizer address|none] [--list]
              build the cargo-fuzz targets and run each for SECONDS (default 60)
  fuzz --smoke
              every fuzz target for a few seconds, without sanitizer (what CI runs)
  bench [--no-peers] [--quick] [--report-only] [-- CRITERION-ARGS...]
              run the criterion benchmarks (crates/benches) with the peer crates and
              rewrite docs/benchmarks.md from that run
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("features") => features::check(),
        Some("vectors") => vectors_command(&args[1..]),
        Some("interop") => interop::main(&args[1..]),
        Some("fuzz") => fuzz::main(&args[1..]),
        Some("bench") => bench::main(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}; try `cargo xtask help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask vectors <subcommand>`: the reference vectors (crates/vectors, docs/vectors.md).
fn vectors_command(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("generate") => vectors::generate(),
        Some("check") => vectors::check(args.iter().any(|a| a == "--verbose")),
        _ => Err("usage: cargo xtask vectors generate|check [--verbose]".into()),
    }
}

/// Runs a command, failing with its description when it does not succeed.
pub(crate) fn run(description: &str, command: &mut Command) -> Result<(), String> {
    eprintln!("xtask: {description}");
    let status = command
        .status()
        .map_err(|e| format!("{description}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{description}: failed ({status})"))
    }
}

/// `cargo`, as invoked by the user.
pub(crate) fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn test() -> Result<(), String> {
    // First use: what the shared-state tests and the fuzz smoke run need (docs/deployment.md,
    // docs/fuzzing.md).
    setup::redis_server()?;
    setup::cargo_fuzz()?;
    features::check()?;
    run(
        "cargo test --workspace",
        cargo().args(["test", "--workspace", "--all-targets"]),
    )?;
    run(
        "cargo test --workspace --doc",
        cargo().args(["test", "--workspace", "--doc"]),
    )?;
    // The shared-state tests against a real redis-server (crates/test-redis starts one per
    // test on 127.0.0.1): replay-store's Redis suite needs its `redis` feature.
    run(
        "cargo test -p replay-store --features redis (Redis and Valkey store)",
        cargo().args(["test", "-p", "replay-store", "--features", "redis"]),
    )?;
    run(
        "cargo test -p ciba --features redis (pending requests shared through Redis)",
        cargo().args([
            "test",
            "-p",
            "ciba",
            "--features",
            "redis",
            "--test",
            "redis",
        ]),
    )?;
    // The resource server's tower layer and axum extractor (features `tower`, `axum`), and the
    // key rotation test served through them: their test files need the `axum` feature.
    run(
        "cargo test -p resource-server --features axum (tower layer, axum extractor, key rotation)",
        cargo().args([
            "test",
            "-p",
            "resource-server",
            "--features",
            "axum",
            "--test",
            "axum",
            "--test",
            "rotation",
            "--example",
            "axum_service",
        ]),
    )?;
    // RSA1_5 is off by default; the vector suites that contain RSA1_5 cases run again with it.
    run(
        "cargo test -p jwe --features rsa1_5 (RSA1_5 vector cases)",
        cargo().args([
            "test",
            "-p",
            "jwe",
            "--features",
            "rsa1_5",
            "--test",
            "rfc7516",
            "--test",
            "rfc7520",
            "--test",
            "wycheproof",
        ]),
    )?;
    // The aws-lc-rs backend (docs/backends.md): the suites of the crates that do the
    // cryptography again, now with aws-lc-rs as every key's default backend, with their doc
    // tests and the cross-backend tests (tests/backends.rs, compiled only with the feature);
    // dpop's and e2e-pop's too, whose tokens are verified on each backend whichever signed
    // them.
    run(
        "cargo test -p jose-core -p jws -p jwe -p dpop -p e2e-pop --features aws-lc-rs (the aws-lc-rs backend)",
        cargo().args([
            "test",
            "-p",
            "jose-core",
            "-p",
            "jws",
            "-p",
            "jwe",
            "-p",
            "dpop",
            "-p",
            "e2e-pop",
            "--features",
            "aws-lc-rs",
        ]),
    )?;
    // The command-line tool with every key on aws-lc-rs (its opt-in feature, which goes
    // through the forwarding features of every crate it uses): the same commands, outputs and
    // exit codes, against the vectors and oidc-provider.
    run(
        "cargo test -p jose-cli --features aws-lc-rs (the tool on the aws-lc-rs backend)",
        cargo().args(["test", "-p", "jose-cli", "--features", "aws-lc-rs"]),
    )?;
    // e2e-pop's optional extensions (the pgp claims, the ICT request over HTTP) have their own
    // test files, compiled only with those features.
    run(
        "cargo test -p e2e-pop --features pgp,ict-request (extension tests)",
        cargo().args([
            "test",
            "-p",
            "e2e-pop",
            "--features",
            "pgp,ict-request",
            "--test",
            "pgp",
            "--test",
            "ict_request",
        ]),
    )?;
    // The reference vectors and Wycheproof (docs/vectors.md), the other implementations
    // (docs/interop.md; installs them into .interop/ when missing, which .ci/run does before),
    // and a short run of every fuzz target (docs/fuzzing.md).
    eprintln!("xtask: cargo xtask vectors check");
    vectors::check(false)?;
    eprintln!("xtask: cargo xtask interop");
    interop::main(&[])?;
    // The same run with the aws-lc-rs backend: xtask built again with that feature.
    if !cfg!(feature = "aws-lc-rs") {
        run(
            "cargo xtask interop --offline, built with the aws-lc-rs backend",
            cargo().args([
                "run",
                "--quiet",
                "-p",
                "xtask",
                "--features",
                "aws-lc-rs",
                "--",
                "interop",
                "--offline",
            ]),
        )?;
    }
    eprintln!("xtask: cargo xtask fuzz --smoke");
    fuzz::main(&["--smoke".to_owned()])
}
