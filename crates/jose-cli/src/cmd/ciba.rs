//! `jose ciba notification-token sign|verify`: the signed client notification token of a
//! CIBA relying party (ES256 with the relying party's `kid`; claims `nonce`, `iat`, `exp`).

use crate::cmd::jws::signing_key;
use crate::error::{CliError, CliResult};
use crate::io;
use ciba::{
    CibaError, ClientNotificationToken, NotificationTokenIssuer, NotificationTokenVerifier,
};
use clap::{Args, Subcommand};
use jws::Signer;
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

/// CIBA (Client-Initiated Backchannel Authentication).
#[derive(Debug, Subcommand)]
pub enum CibaCommand {
    /// The signed client notification token.
    #[command(subcommand, name = "notification-token")]
    NotificationToken(NotificationTokenCommand),
}

/// `jose ciba notification-token`.
#[derive(Debug, Subcommand)]
pub enum NotificationTokenCommand {
    /// Mint a token; print it with its nonce, iat, exp and kid as a JSON object.
    Sign(SignArgs),
    /// Verify a token against the nonce stored with the request; print its kid, iat and exp.
    Verify(VerifyArgs),
}

/// `jose ciba notification-token sign` arguments.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The relying party's ES256 private key, with the `kid` of its published JWK Set.
    #[arg(long)]
    key: PathBuf,
    /// Lifetime in seconds: `exp` = `iat` + lifetime (default 300).
    #[arg(long, default_value_t = 300)]
    lifetime: u64,
    /// `iat` as this Unix time instead of now.
    #[arg(long)]
    now: Option<i64>,
}

/// `jose ciba notification-token verify` arguments.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The relying party's own JWK Set (public keys).
    #[arg(long)]
    jwks: PathBuf,
    /// The token (`-` for stdin), as stored with the request and presented as the bearer
    /// token of the notification.
    #[arg(long)]
    token: PathBuf,
    /// The nonce stored with the request.
    #[arg(long)]
    nonce: String,
    /// Check the times as of this Unix time instead of now.
    #[arg(long)]
    now: Option<i64>,
    /// Clock tolerance in seconds (default 5).
    #[arg(long, default_value_t = 5)]
    leeway: u64,
    /// The longest lifetime (`exp` − `iat`) accepted, in seconds (default 600).
    #[arg(long, default_value_t = 600)]
    max_lifetime: u64,
}

/// Runs `jose ciba`.
pub fn run(cmd: CibaCommand) -> CliResult {
    match cmd {
        CibaCommand::NotificationToken(NotificationTokenCommand::Sign(args)) => sign(args),
        CibaCommand::NotificationToken(NotificationTokenCommand::Verify(args)) => verify(args),
    }
}

fn sign(args: SignArgs) -> CliResult {
    let key = signing_key(&args.key, None)?;
    let kid = key.key_id().map(str::to_owned);
    let issuer = NotificationTokenIssuer::new(key)
        .map_err(|e| CliError::usage(format!("--key: {e}")))?
        .lifetime(Duration::from_secs(args.lifetime));
    let minted = match args.now {
        Some(now) => issuer.mint_at(now),
        None => issuer.mint(),
    }
    .map_err(CliError::usage)?;
    io::print_json(&json!({
        "token": minted.token().expose(),
        "nonce": minted.nonce(),
        "iat": minted.issued_at(),
        "exp": minted.expires_at(),
        "kid": kid,
    }))
}

fn verify(args: VerifyArgs) -> CliResult {
    let bytes = io::read_file(&args.token)?;
    let token = String::from_utf8(bytes)
        .map_err(|_| CliError::usage(format!("{} is not UTF-8", args.token.display())))?;
    let token = token.trim();
    let keys = io::read_keys(&args.jwks)?;
    let stored = ClientNotificationToken::new(token).map_err(|e| failed(&e))?;
    let mut verifier = NotificationTokenVerifier::new(keys)
        .leeway(Duration::from_secs(args.leeway))
        .max_lifetime(Duration::from_secs(args.max_lifetime));
    if let Some(now) = args.now {
        verifier = verifier.now(now);
    }
    let verified = verifier
        .verify(token, &stored, &args.nonce)
        .map_err(|e| failed(&e))?;
    io::print_json(&json!({
        "kid": verified.kid(),
        "iat": verified.issued_at(),
        "exp": verified.expires_at(),
    }))
}

/// A failed verification: exit 1, naming the check in brackets.
fn failed(e: &CibaError) -> CliError {
    match e {
        CibaError::SignedNotificationToken { check } => {
            CliError::invalid(format!("notification token: {e} [{check}]"))
        }
        _ => CliError::invalid(format!("notification token: {e} [format]")),
    }
}
