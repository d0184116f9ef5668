//! What `cargo xtask test` installs on first use (beside the test provider's npm packages
//! and the interop peers, which their own modules install): cargo-fuzz for the fuzz smoke run,
//! and redis-server for the shared-state tests (docs/deployment.md).

use std::process::{Command, Stdio};

/// The cargo-fuzz release `.ci/run` and this task install.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// The server binary the Redis tests start (crates/test-redis), as they choose it.
fn redis_binary() -> String {
    std::env::var("JOSE_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned())
}

fn succeeds(command: &mut Command) -> bool {
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs cargo-fuzz when `cargo fuzz` is missing.
pub fn cargo_fuzz() -> Result<(), String> {
    if succeeds(
        Command::new("cargo")
            .args(["fuzz", "--version"])
            .env_remove("CARGO_TARGET_DIR"),
    ) {
        return Ok(());
    }
    crate::run(
        &format!("cargo install cargo-fuzz --locked --version {CARGO_FUZZ_VERSION} (first use)"),
        crate::cargo()
            .args([
                "install",
                "cargo-fuzz",
                "--locked",
                "--version",
                CARGO_FUZZ_VERSION,
            ])
            .env_remove("CARGO_TARGET_DIR"),
    )
}

/// Installs redis-server with apt-get when it is missing and we are root; otherwise says the
/// one command to run.
pub fn redis_server() -> Result<(), String> {
    let binary = redis_binary();
    if succeeds(Command::new(&binary).arg("--version")) {
        return Ok(());
    }
    let hint = "apt-get update && apt-get install -y redis-server";
    if !is_root() || !succeeds(Command::new("apt-get").arg("--version")) {
        return Err(format!(
            "{binary} is not installed and cannot be installed from here (needs root and \
             apt-get): run `sudo sh -c '{hint}'`, or set JOSE_TEST_REDIS_SERVER to a \
             redis-server or valkey-server binary"
        ));
    }
    crate::run(
        "apt-get update (first use: redis-server)",
        Command::new("apt-get").arg("update"),
    )?;
    crate::run(
        "apt-get install -y redis-server (first use)",
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "redis-server"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    // The package may start a system service; the tests start their own servers.
    let _ = succeeds(Command::new("service").args(["redis-server", "stop"]));
    if succeeds(Command::new(&binary).arg("--version")) {
        Ok(())
    } else {
        Err(format!(
            "{binary} is still missing after apt-get install redis-server"
        ))
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
