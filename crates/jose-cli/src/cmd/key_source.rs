//! `--key FILE` or `--secret-file FILE`: where `jose jws` and `jose jwt` sign and verify
//! take their key from.
//!
//! `--secret-file` uses the file's bytes exactly as they are, a trailing newline included:
//! the secret is raw bytes (it may end in 0x0a, or be binary), and another implementation
//! given the same file must compute the same MAC. Stripping would silently change the key.
//! A secret ending in a newline gets a warning on stderr, since `echo secret > file` is the
//! usual way one slips in.

use crate::cmd::jws::{Keys, bind_signing_key, verification_keys_of};
use crate::error::{CliError, CliResult};
use crate::io;
use clap::Args;
use jose_core::jwk::Jwk;
use jws::SigningKey;
use std::path::{Path, PathBuf};

/// The key of a sign or verify command: a key file or a raw HMAC secret.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct KeySource {
    /// The key: JWK, JWK Set, or PEM (the private key to sign; the public key, or the
    /// symmetric JWK, to verify).
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// An HMAC secret (HS256, HS384, HS512): all the raw bytes of FILE. A trailing newline
    /// is kept as part of the secret; write the file with `printf %s` to leave it out.
    #[arg(long, value_name = "FILE")]
    secret_file: Option<PathBuf>,
}

impl KeySource {
    /// The signing key, bound to `--alg` or to the algorithm the key implies.
    pub fn signing_key(&self, alg: Option<&str>) -> CliResult<SigningKey> {
        if self.secret_file.is_some() && alg.is_none() {
            return Err(CliError::usage(
                "--secret-file needs --alg (HS256, HS384 or HS512)",
            ));
        }
        let (path, key) = self.read()?;
        bind_signing_key(key, path, alg)
    }

    /// The verification keys: the key file's key or set, or the secret.
    pub fn verification_keys(&self) -> CliResult<Keys> {
        match (&self.key, &self.secret_file) {
            (Some(path), _) => verification_keys_of(path, read_key_file(path)?),
            (None, Some(path)) => Ok(Keys::One(Box::new(read_secret_file(path)?))),
            (None, None) => Err(missing()),
        }
    }

    /// The one key of `--key` (a single JWK) or of `--secret-file`, with its path.
    fn read(&self) -> CliResult<(&Path, Jwk)> {
        match (&self.key, &self.secret_file) {
            (Some(path), _) => Ok((path, io::single_key(path, read_key_file(path)?)?)),
            (None, Some(path)) => Ok((path, read_secret_file(path)?)),
            (None, None) => Err(missing()),
        }
    }
}

fn missing() -> CliError {
    CliError::usage("pass --key FILE or --secret-file FILE")
}

/// The keys of a `--key` file, with a hint towards `--secret-file` for a file that is
/// neither JSON nor PEM (a raw secret).
fn read_key_file(path: &Path) -> CliResult<jose_core::jwk::JwkSet> {
    let bytes = io::read_file(path)?;
    if !io::looks_like_key_file(&bytes) {
        return Err(CliError::usage(format!(
            "{0}: not a JWK, JWK Set or PEM key; for an HMAC secret kept as raw bytes, pass --secret-file {0}",
            path.display()
        )));
    }
    io::parse_keys(path, &bytes)
}

/// A symmetric JWK holding every byte of the file.
fn read_secret_file(path: &Path) -> CliResult<Jwk> {
    if path == Path::new("-") {
        return Err(CliError::usage(
            "--secret-file -: stdin carries the input; give the secret in a file",
        ));
    }
    let bytes = io::read_file(path)?;
    if bytes.ends_with(b"\n") {
        eprintln!(
            "warning: {} ends with a newline, which is part of the secret (write it with printf %s to leave it out)",
            path.display()
        );
    }
    Jwk::from_secret(bytes).map_err(|e| CliError::usage(format!("{}: {e}", path.display())))
}
