//! `jose`: JOSE, JWT and OAuth from the command line.
//!
//! Reads stdin, writes stdout. Exit codes: 0 success, 1 invalid token, signature or claims,
//! 2 usage error or unreadable input. Errors are one line on stderr.

#![forbid(unsafe_code)]

mod cmd;
mod error;
mod hint;
mod io;
mod secret_arg;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// JOSE, JWT and OAuth from the command line.
#[derive(Debug, Parser)]
#[command(name = "jose", version, about, long_about = None, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXIT_CODES: &str = "Exit codes: 0 success, 1 invalid token/signature/claims or refused OAuth request, 2 usage or malformed input.";

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate, convert and inspect keys.
    #[command(subcommand)]
    Key(cmd::key::KeyCommand),
    /// RFC 7638 thumbprint (or RFC 9278 URI) of the JWK on stdin.
    Thumbprint(cmd::thumbprint::ThumbprintArgs),
    /// Sign and verify JWS.
    #[command(subcommand)]
    Jws(cmd::jws::JwsCommand),
    /// Encrypt and decrypt JWE.
    #[command(subcommand)]
    Jwe(cmd::jwe::JweCommand),
    /// Sign, verify and inspect JWTs.
    #[command(subcommand)]
    Jwt(cmd::jwt::JwtCommand),
    /// OIDC² PoP tokens, ICTs and E2E PoP tokens.
    #[command(subcommand, name = "e2e-pop")]
    E2ePop(cmd::e2e_pop::E2ePopCommand),
    /// DPoP proofs (RFC 9449): make one, or verify one with replay detection.
    #[command(subcommand)]
    Dpop(cmd::dpop::DpopCommand),
    /// Signed challenges and signed responses of a hash-signing service.
    #[command(subcommand, name = "signing-challenge")]
    SigningChallenge(cmd::signing_challenge::SigningChallengeCommand),
    /// CIBA: the signed client notification token.
    #[command(subcommand)]
    Ciba(cmd::ciba::CibaCommand),
    /// OAuth 2.0 / OpenID Connect flows against an authorization server.
    #[command(subcommand)]
    Oauth(Box<cmd::oauth::OauthCommand>),
    /// A tour of the workspace with generated keys.
    Demo,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // Usage errors: one line on stderr, exit 2 (the usage text is in `--help`).
            let text = e.to_string();
            // The message up to the usage block, on one line (a list of missing arguments
            // follows the first line).
            let first = text
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ");
            let first = if first.is_empty() {
                "usage error"
            } else {
                first.as_str()
            };
            eprintln!(
                "jose: {}; see `jose --help`",
                first.trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
        Err(e) => {
            // Help and version go to stdout with exit 0.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    let result = match cli.command {
        Command::Key(c) => cmd::key::run(c),
        Command::Thumbprint(a) => cmd::thumbprint::run(a),
        Command::Jws(c) => cmd::jws::run(c),
        Command::Jwe(c) => cmd::jwe::run(c),
        Command::Jwt(c) => cmd::jwt::run(c),
        Command::E2ePop(c) => cmd::e2e_pop::run(c),
        Command::Dpop(c) => cmd::dpop::run(c),
        Command::SigningChallenge(c) => cmd::signing_challenge::run(c),
        Command::Ciba(c) => cmd::ciba::run(c),
        Command::Oauth(c) => cmd::oauth::run(*c),
        Command::Demo => cmd::demo::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jose: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
