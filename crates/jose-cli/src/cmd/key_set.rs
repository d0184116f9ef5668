//! `jose key set FILE...`: one JWK Set from key files, public halves unless told otherwise.

use crate::error::{CliError, CliResult};
use crate::io;
use clap::Args;
use jose_core::jwk::{Jwk, JwkSet};
use std::path::{Path, PathBuf};

/// `jose key set` arguments.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// Key files: JWK, JWK Set or PEM, private or public. Every key of every file goes in.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// DANGER: keep the private parts (and symmetric secrets) in the set. Only for a set that
    /// stays with its owner, never for one published at a `jwks_uri`.
    #[arg(long)]
    unsafe_include_private_keys: bool,
}

pub fn run(args: SetArgs) -> CliResult {
    let mut keys: Vec<Jwk> = Vec::new();
    for path in &args.files {
        for key in file_keys(path)? {
            let key = if args.unsafe_include_private_keys {
                key
            } else {
                public_half(path, &key)?
            };
            check_kid_unique(path, &keys, &key)?;
            keys.push(key);
        }
    }
    if args.unsafe_include_private_keys && keys.iter().any(Jwk::is_private) {
        eprintln!("warning: the JWK Set holds private keys or secrets: do not publish it");
    }
    let set = JwkSet::new(keys).map_err(CliError::usage)?;
    io::print_json(&serde_json::Value::Object(set.to_json_value()))
}

/// Every key of one file; a key the file holds but that was refused is an error.
fn file_keys(path: &Path) -> CliResult<Vec<Jwk>> {
    let set = io::read_keys(path)?;
    if let Some(r) = set.rejected().first() {
        return Err(CliError::usage(format!("{}: {}", path.display(), r.error)));
    }
    if set.is_empty() {
        return Err(CliError::usage(format!("{}: no keys", path.display())));
    }
    Ok(set.keys().to_vec())
}

fn public_half(path: &Path, key: &Jwk) -> CliResult<Jwk> {
    if key.is_symmetric() {
        return Err(CliError::usage(format!(
            "{}: a symmetric key has no public half; a set of shared secrets needs --unsafe-include-private-keys",
            path.display()
        )));
    }
    key.to_public()
        .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))
}

/// Two keys with one `kid` would make selection by `kid` ambiguous.
fn check_kid_unique(path: &Path, keys: &[Jwk], key: &Jwk) -> CliResult {
    match key.kid() {
        Some(kid) if keys.iter().any(|k| k.kid() == Some(kid)) => Err(CliError::usage(format!(
            "{}: kid {kid:?} is already in the set; give each key its own kid",
            path.display()
        ))),
        _ => Ok(()),
    }
}
