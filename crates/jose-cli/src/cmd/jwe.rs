//! `jose jwe encrypt|decrypt` and `jose jwt encrypt|decrypt`.

use crate::cmd::jws::{Keys, invalid, signing_key, verification_keys};
use crate::cmd::jwt::{builder_from_claims, validation};
use crate::error::{CliError, CliResult};
use crate::io;
use clap::{Args, Subcommand, ValueEnum};
use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
use jose_core::jwk::{Jwk, JwkSet};
use jwe::{DecryptOptions, EncryptionKey, JweHeader, KeySource, Password};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// JSON Web Encryption.
#[derive(Debug, Subcommand)]
pub enum JweCommand {
    /// Encrypt stdin to one or more recipients; print the JWE.
    Encrypt(EncryptArgs),
    /// Decrypt the JWE on stdin (compact or JSON); print the plaintext.
    Decrypt(DecryptArgs),
}

/// JWE output serialization (RFC 7516 §7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `header.encrypted_key.iv.ciphertext.tag`: one recipient.
    #[default]
    Compact,
    /// JSON with a `recipients` array: one or more recipients.
    General,
    /// JSON with one recipient's `header` and `encrypted_key` at the top level.
    Flattened,
}

/// The recipients' keys and algorithms, shared by `jwe encrypt` and `jwt encrypt`.
#[derive(Debug, Args)]
pub struct RecipientArgs {
    /// A recipient's key: JWK, single-key JWK Set, or PEM (public keys for RSA and ECDH-ES,
    /// the shared key for AES key wrap and `dir`). Repeat for several recipients.
    #[arg(long = "key", required_unless_present = "password")]
    keys: Vec<PathBuf>,
    /// A file holding a password for PBES2 (one trailing newline is ignored).
    #[arg(long, conflicts_with = "keys")]
    password: Option<PathBuf>,
    /// Key management algorithm: once for every recipient, or once per `--key` in order.
    /// Defaults to each key's `alg` (PBES2-HS512+A256KW with `--password`).
    #[arg(long = "alg")]
    algs: Vec<String>,
    /// Content encryption algorithm.
    #[arg(long)]
    enc: String,
    /// PBES2 iteration count (default 210000).
    #[arg(long)]
    p2c: Option<u32>,
}

/// `jose jwe encrypt` arguments.
#[derive(Debug, Args)]
pub struct EncryptArgs {
    #[command(flatten)]
    recipients: RecipientArgs,
    /// Compress the plaintext before encrypting (`zip: DEF`).
    #[arg(long)]
    zip: bool,
    /// Output serialization (several recipients need `general`).
    #[arg(long, value_enum, default_value_t = Format::Compact)]
    format: Format,
    /// Extra protected header parameters, as a JSON object.
    #[arg(long)]
    header: Option<String>,
}

/// The decryption key and the accepted algorithms, shared by `jwe decrypt` and
/// `jwt decrypt`.
#[derive(Debug, Args)]
pub struct DecryptionArgs {
    /// The private or shared key: JWK, JWK Set (selection by `kid` and `alg`), or PEM.
    #[arg(long = "key", required_unless_present = "password")]
    key: Option<PathBuf>,
    /// A file holding a PBES2 password (one trailing newline is ignored).
    #[arg(long, conflicts_with = "key")]
    password: Option<PathBuf>,
    /// Accepted key management algorithm (repeat for several); defaults to the key's `alg`,
    /// or for a key without one every algorithm its type can perform (never RSA1_5), or the
    /// three PBES2 algorithms with `--password`.
    #[arg(long = "alg")]
    algs: Vec<String>,
    /// Accepted content encryption algorithm (repeat for several); default: all.
    #[arg(long = "enc")]
    encs: Vec<String>,
}

/// `jose jwe decrypt` arguments.
#[derive(Debug, Args)]
pub struct DecryptArgs {
    #[command(flatten)]
    decryption: DecryptionArgs,
}

/// `jose jwt encrypt` arguments.
#[derive(Debug, Args)]
pub struct JwtEncryptArgs {
    #[command(flatten)]
    recipients: RecipientArgs,
    /// Sign with this private key first (a nested JWT, `cty: JWT`); without it the claims
    /// are encrypted directly.
    #[arg(long)]
    sign_key: Option<PathBuf>,
    /// The signature algorithm; defaults to what the signing key implies.
    #[arg(long)]
    sign_alg: Option<String>,
    /// The claims, as a JSON object. `iat` defaults to now, `jti` to a random value.
    #[arg(long)]
    claims: String,
    /// Lifetime in seconds: `exp` = `iat` + lifetime (default 300) unless the claims set `exp`.
    #[arg(long)]
    lifetime: Option<u64>,
    /// The `typ` (default `JWT`): of the JWS when signing, of the JWE otherwise.
    #[arg(long)]
    typ: Option<String>,
}

/// `jose jwt decrypt` arguments.
#[derive(Debug, Args)]
pub struct JwtDecryptArgs {
    #[command(flatten)]
    decryption: DecryptionArgs,
    /// Verify the nested JWT's signature with this public key (JWK, JWK Set or PEM). Without
    /// it, the JWE must hold the claims directly.
    #[arg(long)]
    verify_key: Option<PathBuf>,
    /// Accepted signature algorithm (repeat for several); defaults to what the key implies.
    #[arg(long = "sign-alg")]
    sign_algs: Vec<String>,
    /// Accepted issuer (repeatable).
    #[arg(long)]
    iss: Vec<String>,
    /// Accepted audience (repeatable). A token with `aud` is refused without one.
    #[arg(long)]
    aud: Vec<String>,
    /// Required `typ` (case-insensitive, `application/` optional).
    #[arg(long)]
    typ: Option<String>,
    /// Clock tolerance in seconds (default 30).
    #[arg(long, default_value_t = 30)]
    leeway: u64,
    /// Check the times as of this Unix time instead of now.
    #[arg(long)]
    now: Option<i64>,
}

pub fn run(cmd: JweCommand) -> CliResult {
    match cmd {
        JweCommand::Encrypt(args) => encrypt(args),
        JweCommand::Decrypt(args) => decrypt(args),
    }
}

fn parse_alg(name: &str) -> CliResult<KeyManagementAlgorithm> {
    name.parse()
        .map_err(|e| CliError::usage(format!("--alg {name}: {e}")))
}

fn parse_enc(name: &str) -> CliResult<ContentEncryptionAlgorithm> {
    name.parse()
        .map_err(|e| CliError::usage(format!("--enc {name}: {e}")))
}

/// A password file's content, without one trailing newline.
fn read_password(path: &Path) -> CliResult<Password> {
    let mut bytes = io::read_file(path)?;
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
    Password::new(bytes).map_err(|e| CliError::usage(format!("{}: {e}", path.display())))
}

/// The recipients' encryption keys.
fn encryption_keys(args: &RecipientArgs) -> CliResult<Vec<EncryptionKey>> {
    let algs = args
        .algs
        .iter()
        .map(|a| parse_alg(a))
        .collect::<CliResult<Vec<_>>>()?;
    let with_p2c = |k: EncryptionKey| match args.p2c {
        Some(n) => k.with_p2c(n),
        None => k,
    };
    if let Some(path) = &args.password {
        let alg = match algs.as_slice() {
            [] => KeyManagementAlgorithm::Pbes2Hs512A256Kw,
            [a] => *a,
            _ => return Err(CliError::usage("--password takes one --alg")),
        };
        let key = EncryptionKey::password(read_password(path)?, alg)
            .map_err(|e| CliError::usage(format!("--password: {e}")))?;
        return Ok(vec![with_p2c(key)]);
    }
    if algs.len() > 1 && algs.len() != args.keys.len() {
        return Err(CliError::usage(
            "give --alg once for every recipient, or once per --key",
        ));
    }
    args.keys
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let jwk = io::read_single_key(path)?;
            // Only the public half of an asymmetric key is used.
            let jwk = if jwk.is_symmetric() {
                jwk
            } else {
                jwk.to_public()
                    .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?
            };
            let key = match algs.get(i).or(algs.first()) {
                Some(alg) => EncryptionKey::new(jwk, *alg),
                None => EncryptionKey::from_jwk(jwk),
            };
            key.map(with_p2c).map_err(|e| match e {
                jwe::JweError::NoAlgorithmAllowed => CliError::usage(format!(
                    "{}: the key has no \"alg\"; pass --alg",
                    path.display()
                )),
                other => CliError::usage(format!("{}: {other}", path.display())),
            })
        })
        .collect()
}

fn encrypt(args: EncryptArgs) -> CliResult {
    let keys = encryption_keys(&args.recipients)?;
    let enc = parse_enc(&args.recipients.enc)?;
    let header = match &args.header {
        Some(text) => JweHeader::from_map(io::parse_object_arg("header", text)?)
            .map_err(|e| CliError::usage(format!("--header: {e}")))?,
        None => JweHeader::default(),
    };
    if keys.len() > 1 && args.format != Format::General {
        return Err(CliError::usage("several recipients need --format general"));
    }
    let plaintext = io::read_stdin()?;
    let out = match args.format {
        Format::Compact => {
            let mut b = jwe::compact::CompactEncrypt::new(&plaintext, enc).header(header);
            if args.zip {
                b = b.zip();
            }
            keys.first()
                .map(|k| b.encrypt(k))
                .unwrap_or(Err(jwe::JweError::Encrypt("no recipient")))
                .map_err(CliError::usage)?
        }
        Format::General | Format::Flattened => {
            let mut b = jwe::json::JsonEncrypt::new(&plaintext, enc).protected(header);
            if args.zip {
                b = b.zip();
            }
            for k in &keys {
                b = b.recipient(k);
            }
            let value = if args.format == Format::General {
                b.encrypt_general()
            } else {
                b.encrypt_flattened()
            };
            value.map_err(CliError::usage)?.to_string()
        }
    };
    io::print_line(&out)
}

/// What decrypts: keys from a file, or a password.
enum Decryption {
    Key(Box<Jwk>),
    Set(JwkSet),
    Password(Password),
}

impl KeySource for Decryption {
    fn select(&self, header: &JweHeader) -> Result<jwe::SelectedKey<'_>, jwe::JweError> {
        match self {
            Decryption::Key(k) => k.select(header),
            Decryption::Set(s) => KeySource::select(s, header),
            Decryption::Password(p) => p.select(header),
        }
    }
}

fn decryption(args: &DecryptionArgs) -> CliResult<(Decryption, DecryptOptions)> {
    let mut options = DecryptOptions::new();
    let algs = args
        .algs
        .iter()
        .map(|a| parse_alg(a))
        .collect::<CliResult<Vec<_>>>()?;
    let encs = args
        .encs
        .iter()
        .map(|e| parse_enc(e))
        .collect::<CliResult<Vec<_>>>()?;
    if !encs.is_empty() {
        options = options.encryptions(encs);
    }
    let source = if let Some(path) = &args.password {
        Decryption::Password(read_password(path)?)
    } else if let Some(path) = &args.key {
        match verification_keys(path)? {
            Keys::One(k) => Decryption::Key(k),
            Keys::Set(s) => Decryption::Set(s),
        }
    } else {
        return Err(CliError::usage("pass --key or --password"));
    };
    options = if algs.is_empty() {
        // The key's `alg`, or for a key without one what its type can perform (never
        // RSA1_5; PBES2 with a password).
        options.accept_key_type_algorithms()
    } else {
        options.algorithms(algs)
    };
    Ok((source, options))
}

fn decrypt(args: DecryptArgs) -> CliResult {
    let (source, options) = decryption(&args.decryption)?;
    let input = io::read_stdin_text()?;
    let decrypted =
        jwe::decrypt(&input, &source, &options).map_err(|e| invalid(crate::hint::jwe(&e)))?;
    io::write_stdout(decrypted.plaintext())
}

/// `jose jwt encrypt`.
pub fn jwt_encrypt(args: JwtEncryptArgs) -> CliResult {
    let keys = encryption_keys(&args.recipients)?;
    let [key] = keys.as_slice() else {
        return Err(CliError::usage(
            "an encrypted JWT has exactly one recipient",
        ));
    };
    let enc = parse_enc(&args.recipients.enc)?;
    let claims = io::parse_object_arg("claims", &args.claims)?;
    let mut builder = builder_from_claims(claims, args.lifetime)?;
    if let Some(typ) = args.typ {
        builder = builder.typ(typ);
    }
    let token = match &args.sign_key {
        Some(path) => {
            let signer = signing_key(path, args.sign_alg.as_deref())?;
            builder.sign_then_encrypt(&signer, key, enc)
        }
        None => builder.encrypt(key, enc),
    }
    .map_err(CliError::usage)?;
    io::print_line(&token)
}

/// `jose jwt decrypt`.
pub fn jwt_decrypt(args: JwtDecryptArgs) -> CliResult {
    let (source, options) = decryption(&args.decryption)?;
    let v = validation(
        &args.sign_algs,
        &args.iss,
        &args.aud,
        args.typ.as_deref(),
        args.leeway,
        args.now,
    )?;
    let token = io::read_stdin_text()?;
    let fail = |e: jwt_claims::JwtError| invalid(crate::hint::jwt(&e, "--sign-alg"));
    let claims: Map<String, Value> = match &args.verify_key {
        Some(path) => {
            let keys = verification_keys(path)?;
            match &keys {
                Keys::One(k) => {
                    jwt_claims::decrypt_then_verify(&token, &source, &options, k.as_ref(), &v)
                }
                Keys::Set(s) => jwt_claims::decrypt_then_verify(&token, &source, &options, s, &v),
            }
            .map_err(fail)?
            .into_claims()
        }
        None => jwt_claims::decrypt(&token, &source, &options, &v)
            .map_err(fail)?
            .into_claims(),
    };
    io::print_json(&Value::Object(claims))
}
