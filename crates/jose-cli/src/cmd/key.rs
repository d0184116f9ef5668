//! `jose key ...`: generate, derive the public key, convert from and to PEM.

use crate::error::{CliError, CliResult};
use crate::io;
use clap::{Args, Subcommand};
use jose_core::alg::{Curve, KeyAlgorithm};
use jose_core::jwk::{GenerateOptions, Jwk};
use std::path::PathBuf;

/// Key management.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a private JWK for an algorithm (JWS, JWE key management, or a content
    /// encryption algorithm for `dir`).
    Generate(GenerateArgs),
    /// Read a private JWK on stdin and print its public JWK.
    Public,
    /// Convert a PEM key or certificate to a JWK.
    Import {
        /// The PEM file (PKCS#8, SPKI, SEC1, PKCS#1 or an X.509 certificate); `-` for stdin.
        #[arg(long)]
        pem: PathBuf,
    },
    /// Make a JWK Set of the keys in FILE...: their public halves, unless
    /// --unsafe-include-private-keys.
    Set(super::key_set::SetArgs),
    /// Read a JWK on stdin and print it as PEM (PKCS#8 for private keys, SPKI for public ones).
    Export {
        /// Print PEM (the only format for now; kept explicit for scripts).
        #[arg(long, required = true)]
        pem: bool,
    },
}

/// `jose key generate` arguments.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The algorithm the key is for, e.g. ES256, RS256, EdDSA, HS256, RSA-OAEP-256, A256KW,
    /// ECDH-ES, A256GCM.
    #[arg(long)]
    alg: String,
    /// A key id to set as `kid`.
    #[arg(long)]
    kid: Option<String>,
    /// Curve for ECDH-ES keys: P-256 (default), P-384, P-521, X25519.
    #[arg(long)]
    crv: Option<String>,
    /// RSA modulus size in bits (default 2048).
    #[arg(long, default_value_t = 2048)]
    bits: usize,
}

pub fn run(cmd: KeyCommand) -> CliResult {
    match cmd {
        KeyCommand::Generate(args) => {
            let alg = KeyAlgorithm::parse(&args.alg);
            if let KeyAlgorithm::Other(name) = &alg {
                return Err(CliError::usage(format!("unknown algorithm {name:?}")));
            }
            let curve = args
                .crv
                .map(|c| {
                    c.parse::<Curve>()
                        .map_err(|c| CliError::usage(format!("unknown curve {c:?}")))
                })
                .transpose()?;
            let options = GenerateOptions {
                rsa_bits: args.bits,
                curve,
            };
            let mut key = Jwk::generate_with(alg, &options).map_err(CliError::usage)?;
            if let Some(kid) = args.kid {
                key = key.with_kid(kid);
            }
            io::print_json(&serde_json::Value::Object(key.to_json_value()))
        }
        KeyCommand::Public => {
            let key = read_stdin_key()?;
            let public = key.to_public().map_err(CliError::usage)?;
            io::print_json(&serde_json::Value::Object(public.to_json_value()))
        }
        KeyCommand::Import { pem } => {
            let bytes = io::read_file(&pem)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| CliError::usage("the PEM file is not text"))?;
            let key = Jwk::from_pem(&text)
                .map_err(|e| CliError::usage(format!("{}: {e}", pem.display())))?;
            io::print_json(&serde_json::Value::Object(key.to_json_value()))
        }
        KeyCommand::Set(args) => super::key_set::run(args),
        KeyCommand::Export { .. } => {
            let key = read_stdin_key()?;
            let pem = key.to_pem().map_err(CliError::usage)?;
            io::write_stdout(pem.as_bytes())
        }
    }
}

fn read_stdin_key() -> CliResult<Jwk> {
    let text = io::read_stdin_text()?;
    Jwk::from_json(text.as_bytes()).map_err(|e| CliError::usage(format!("stdin: {e}")))
}
