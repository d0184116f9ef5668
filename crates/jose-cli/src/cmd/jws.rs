//! `jose jws sign|verify`.

use crate::cmd::key_source::KeySource;
use crate::error::{CliError, CliResult};
use crate::io;
use clap::{Args, Subcommand, ValueEnum};
use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use jose_core::jwk::{Jwk, JwkSet};
use jws::{JwsError, SigningKey, VerifyOptions};
use std::path::{Path, PathBuf};

/// JSON Web Signature.
#[derive(Debug, Subcommand)]
pub enum JwsCommand {
    /// Sign stdin; print the JWS.
    Sign(SignArgs),
    /// Verify the JWS on stdin (compact or JSON); print the payload.
    Verify(VerifyArgs),
}

/// Output serialization.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `header.payload.signature`.
    #[default]
    Compact,
    /// JSON with a `signatures` array.
    General,
    /// JSON with one signature.
    Flattened,
}

/// `jose jws sign` arguments.
#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(flatten)]
    key: KeySource,
    /// The algorithm; defaults to what the key implies (its `alg`, or its curve).
    #[arg(long)]
    alg: Option<String>,
    /// Extra protected header parameters, as a JSON object.
    #[arg(long)]
    header: Option<String>,
    /// Output serialization.
    #[arg(long, value_enum, default_value_t = Format::Compact)]
    format: Format,
    /// Leave the payload out of the output (RFC 7515 Appendix F).
    #[arg(long)]
    detached: bool,
    /// Sign the payload unencoded (RFC 7797 `b64: false`).
    #[arg(long)]
    unencoded: bool,
}

/// `jose jws verify` arguments.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    key: KeySource,
    /// Accepted algorithm (repeat for several); defaults to what the key implies.
    #[arg(long = "alg")]
    algs: Vec<String>,
    /// The detached payload.
    #[arg(long)]
    payload: Option<PathBuf>,
}

pub fn run(cmd: JwsCommand) -> CliResult {
    match cmd {
        JwsCommand::Sign(args) => sign(args),
        JwsCommand::Verify(args) => verify(args),
    }
}

/// Parses `--alg` values.
pub fn parse_algs(values: &[String]) -> CliResult<Vec<JwsAlgorithm>> {
    values
        .iter()
        .map(|a| {
            a.parse()
                .map_err(|e| CliError::usage(format!("--alg {a}: {e}")))
        })
        .collect()
}

/// A signing key for `--key` and `--alg`.
pub fn signing_key(path: &Path, alg: Option<&str>) -> CliResult<SigningKey> {
    bind_signing_key(io::read_single_key(path)?, path, alg)
}

/// Binds `key`, read from `path`, to `--alg` or to the algorithm it implies.
pub fn bind_signing_key(key: Jwk, path: &Path, alg: Option<&str>) -> CliResult<SigningKey> {
    let result = match alg {
        Some(a) => SigningKey::new(
            key,
            a.parse()
                .map_err(|e| CliError::usage(format!("--alg {a}: {e}")))?,
        ),
        None => SigningKey::from_jwk(key),
    };
    result.map_err(|e| match e {
        JwsError::NoAlgorithmAllowed => {
            CliError::usage("the key does not imply an algorithm; pass --alg")
        }
        other => CliError::usage(format!("{}: {other}", path.display())),
    })
}

/// The key source for verification: the only key of a one-key file, or the set.
pub enum Keys {
    /// A single key.
    One(Box<Jwk>),
    /// A set, searched by `kid` and `alg`.
    Set(JwkSet),
}

/// Reads the verification keys of `--key`.
pub fn verification_keys(path: &Path) -> CliResult<Keys> {
    verification_keys_of(path, io::read_keys(path)?)
}

/// The key source of `set`, read from `path`: its only key, or the set.
pub fn verification_keys_of(path: &Path, set: JwkSet) -> CliResult<Keys> {
    let set = usable_set(path, set)?;
    Ok(match set.keys() {
        [only] if set.rejected().is_empty() => Keys::One(Box::new(only.clone())),
        _ => Keys::Set(set),
    })
}

fn usable_set(path: &Path, set: JwkSet) -> CliResult<JwkSet> {
    if set.is_empty() {
        let reason = set
            .rejected()
            .first()
            .map_or_else(|| "no keys".to_owned(), |r| r.error.to_string());
        return Err(CliError::usage(format!("{}: {reason}", path.display())));
    }
    Ok(set)
}

/// Maps a verification error to an exit code: problems with the token are exit 1.
pub fn invalid(e: impl std::fmt::Display) -> CliError {
    CliError::invalid(e)
}

fn sign(args: SignArgs) -> CliResult {
    let signer = args.key.signing_key(args.alg.as_deref())?;
    let header = match &args.header {
        Some(text) => JwsHeader::from_map(io::parse_object_arg("header", text)?)
            .map_err(|e| CliError::usage(format!("--header: {e}")))?,
        None => JwsHeader::default(),
    };
    let payload = io::read_stdin()?;
    let out = match args.format {
        Format::Compact => {
            let mut b = jws::compact::CompactSign::new(&payload).header(header);
            if args.detached {
                b = b.detached();
            }
            if args.unencoded {
                b = b.unencoded();
            }
            b.sign(&signer).map_err(CliError::usage)?
        }
        Format::General | Format::Flattened => {
            let mut b = jws::json::JsonSign::new(&payload).signature(&signer, header);
            if args.detached {
                b = b.detached();
            }
            if args.unencoded {
                b = b.unencoded();
            }
            let value = if args.format == Format::General {
                b.sign_general()
            } else {
                b.sign_flattened()
            };
            value.map_err(CliError::usage)?.to_string()
        }
    };
    io::print_line(&out)
}

fn verify(args: VerifyArgs) -> CliResult {
    let algs = parse_algs(&args.algs)?;
    let options = if algs.is_empty() {
        VerifyOptions::new()
    } else {
        VerifyOptions::new().algorithms(algs)
    };
    let keys = args.key.verification_keys()?;
    let detached = args.payload.as_deref().map(io::read_file).transpose()?;
    let input = io::read_stdin_text()?;
    let json = input.starts_with('{');
    let verified = match (&keys, json, &detached) {
        (Keys::One(k), false, None) => jws::compact::verify(&input, k.as_ref(), &options),
        (Keys::One(k), false, Some(p)) => {
            jws::compact::verify_detached(&input, p, k.as_ref(), &options)
        }
        (Keys::One(k), true, None) => jws::json::verify(&input, k.as_ref(), &options),
        (Keys::One(k), true, Some(p)) => {
            jws::json::verify_detached(&input, p, k.as_ref(), &options)
        }
        (Keys::Set(s), false, None) => jws::compact::verify(&input, s, &options),
        (Keys::Set(s), false, Some(p)) => jws::compact::verify_detached(&input, p, s, &options),
        (Keys::Set(s), true, None) => jws::json::verify(&input, s, &options),
        (Keys::Set(s), true, Some(p)) => jws::json::verify_detached(&input, p, s, &options),
    }
    .map_err(|e| invalid(crate::hint::jws(&e, "--alg")))?;
    io::write_stdout(verified.payload())
}
