//! `cargo xtask`: the one entry point for the workspace's automation.
//!
//! ```text
//! cargo xtask test        run every test of the workspace (what CI runs)
//! ```

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("help" | "--help" | "-h") | None => {
            print_help();
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

fn print_help() {
    println!("cargo xtask <command>\n\ncommands:\n  test    run every test of the workspace (what CI runs)");
}

/// Runs a command, failing with its description when it does not succeed.
fn run(description: &str, command: &mut Command) -> Result<(), String> {
    eprintln!("xtask: {description}");
    let status = command.status().map_err(|e| format!("{description}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{description}: failed ({status})"))
    }
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn test() -> Result<(), String> {
    run(
        "cargo test --workspace",
        cargo().args(["test", "--workspace", "--all-targets"]),
    )?;
    run("cargo test --workspace --doc", cargo().args(["test", "--workspace", "--doc"]))
}
