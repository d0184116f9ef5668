//! `jose jwt sign|verify|inspect`.

use crate::cmd::jws::{Keys, invalid, parse_algs};
use crate::cmd::key_source::KeySource;
use crate::error::{CliError, CliResult};
use crate::io;
use clap::{Args, Subcommand};
use jwt_claims::{JwtBuilder, NumericDate, Validation};
use serde_json::{Map, Value, json};
use std::time::Duration;

/// JSON Web Tokens.
#[derive(Debug, Subcommand)]
pub enum JwtCommand {
    /// Sign a claims set; print the JWT.
    Sign(SignArgs),
    /// Verify the JWT on stdin; print its claims.
    Verify(VerifyArgs),
    /// Print the header and claims of the JWT on stdin WITHOUT verifying anything.
    Inspect,
    /// Encrypt a claims set (signed first with --sign-key: a nested JWT); print the JWE.
    Encrypt(super::jwe::JwtEncryptArgs),
    /// Decrypt the JWT on stdin (verifying the nested JWT with --verify-key); print its claims.
    Decrypt(super::jwe::JwtDecryptArgs),
}

/// `jose jwt sign` arguments.
#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(flatten)]
    key: KeySource,
    /// The algorithm; defaults to what the key implies.
    #[arg(long)]
    alg: Option<String>,
    /// The claims, as a JSON object. `iat` defaults to now, `jti` to a random value.
    #[arg(long)]
    claims: String,
    /// Lifetime in seconds: `exp` = `iat` + lifetime (default 300) unless the claims set `exp`.
    #[arg(long)]
    lifetime: Option<u64>,
    /// The header's `typ` (default `JWT`).
    #[arg(long)]
    typ: Option<String>,
}

/// `jose jwt verify` arguments.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    key: KeySource,
    /// Accepted algorithm (repeat for several); defaults to what the key implies.
    #[arg(long = "alg")]
    algs: Vec<String>,
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

pub fn run(cmd: JwtCommand) -> CliResult {
    match cmd {
        JwtCommand::Sign(args) => sign(args),
        JwtCommand::Verify(args) => verify(args),
        JwtCommand::Inspect => inspect(),
        JwtCommand::Encrypt(args) => super::jwe::jwt_encrypt(args),
        JwtCommand::Decrypt(args) => super::jwe::jwt_decrypt(args),
    }
}

fn date(claims: &Map<String, Value>, name: &'static str) -> CliResult<Option<NumericDate>> {
    claims
        .get(name)
        .map(|v| {
            NumericDate::from_json(v)
                .ok_or_else(|| CliError::usage(format!("--claims: {name} must be a number")))
        })
        .transpose()
}

fn string(claims: &Map<String, Value>, name: &'static str) -> CliResult<Option<String>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(CliError::usage(format!(
            "--claims: {name} must be a string"
        ))),
    }
}

/// Turns a claims object into a builder: registered claims go to their setters.
pub fn builder_from_claims(
    claims: Map<String, Value>,
    lifetime: Option<u64>,
) -> CliResult<JwtBuilder> {
    let mut b = JwtBuilder::new();
    if let Some(iss) = string(&claims, "iss")? {
        b = b.issuer(iss);
    }
    if let Some(sub) = string(&claims, "sub")? {
        b = b.subject(sub);
    }
    match claims.get("aud") {
        None => {}
        Some(Value::String(a)) => b = b.audience(a.clone()),
        Some(Value::Array(items)) => {
            let auds: Option<Vec<String>> = items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect();
            b = b
                .audiences(auds.ok_or_else(|| CliError::usage("--claims: aud must hold strings"))?);
        }
        Some(_) => {
            return Err(CliError::usage(
                "--claims: aud must be a string or an array",
            ));
        }
    }
    if let Some(iat) = date(&claims, "iat")? {
        b = b.issued_at(iat);
    }
    if let Some(nbf) = date(&claims, "nbf")? {
        b = b.not_before(nbf);
    }
    if let Some(seconds) = lifetime {
        b = b.lifetime(Duration::from_secs(seconds));
    }
    if let Some(exp) = date(&claims, "exp")? {
        b = b.expires_at(exp);
    }
    if let Some(jti) = string(&claims, "jti")? {
        b = b.jti(jti);
    }
    for (name, value) in claims {
        if !jwt_claims::REGISTERED.contains(&name.as_str()) {
            b = b.claim(name, value).map_err(CliError::usage)?;
        }
    }
    Ok(b)
}

fn sign(args: SignArgs) -> CliResult {
    let signer = args.key.signing_key(args.alg.as_deref())?;
    let claims = io::parse_object_arg("claims", &args.claims)?;
    let mut builder = builder_from_claims(claims, args.lifetime)?;
    if let Some(typ) = args.typ {
        builder = builder.typ(typ);
    }
    let token = builder.sign(&signer).map_err(CliError::usage)?;
    io::print_line(&token)
}

/// Builds the validation of `jose jwt verify`.
pub fn validation(
    algs: &[String],
    iss: &[String],
    aud: &[String],
    typ: Option<&str>,
    leeway: u64,
    now: Option<i64>,
) -> CliResult<Validation> {
    let mut v = Validation::new().leeway(Duration::from_secs(leeway));
    let algs = parse_algs(algs)?;
    if !algs.is_empty() {
        v = v.algorithms(algs);
    }
    for i in iss {
        v = v.issuer(i.clone());
    }
    for a in aud {
        v = v.audience(a.clone());
    }
    if let Some(t) = typ {
        v = v.typ(t);
    }
    if let Some(n) = now {
        v = v.now(NumericDate::from_seconds(n));
    }
    Ok(v)
}

fn verify(args: VerifyArgs) -> CliResult {
    let v = validation(
        &args.algs,
        &args.iss,
        &args.aud,
        args.typ.as_deref(),
        args.leeway,
        args.now,
    )?;
    let keys = args.key.verification_keys()?;
    let token = io::read_stdin_text()?;
    let verified = match &keys {
        Keys::One(k) => jwt_claims::verify::<Map<String, Value>>(&token, k.as_ref(), &v),
        Keys::Set(s) => jwt_claims::verify::<Map<String, Value>>(&token, s, &v),
    }
    .map_err(|e| invalid(crate::hint::jwt(&e, "--alg")))?;
    io::print_json(&Value::Object(verified.into_claims()))
}

fn inspect() -> CliResult {
    let token = io::read_stdin_text()?;
    let (header, claims) = jwt_claims::decode_unverified(&token).map_err(invalid)?;
    eprintln!("warning: NOT VERIFIED: anyone can write this header and these claims");
    io::print_json(&json!({
        "verified": false,
        "header": Value::Object(header.to_map()),
        "claims": Value::Object(claims),
    }))
}
