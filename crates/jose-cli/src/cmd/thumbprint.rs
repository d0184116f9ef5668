//! `jose thumbprint`: RFC 7638 thumbprints and RFC 9278 URIs of the JWK on stdin.

use crate::error::{CliError, CliResult};
use crate::io;
use clap::Args;
use jose_core::jwk::Jwk;
use jwk_thumbprint::ThumbprintHash;

/// `jose thumbprint` arguments.
#[derive(Debug, Args)]
pub struct ThumbprintArgs {
    /// Hash function: sha256 (default), sha384, sha512.
    #[arg(long, default_value = "sha256")]
    hash: String,
    /// Print the RFC 9278 URI instead of the bare thumbprint.
    #[arg(long)]
    uri: bool,
}

pub fn run(args: ThumbprintArgs) -> CliResult {
    let hash: ThumbprintHash = args.hash.parse().map_err(CliError::usage)?;
    let text = io::read_stdin_text()?;
    let key =
        Jwk::from_json(text.as_bytes()).map_err(|e| CliError::usage(format!("stdin: {e}")))?;
    let out = if args.uri {
        jwk_thumbprint::thumbprint_uri(&key, hash)
    } else {
        jwk_thumbprint::thumbprint_b64(&key, hash)
    };
    io::print_line(&out)
}
