//! `jose e2e-pop sign|verify|verify-pair`: OIDC² PoP tokens, ICTs and E2E PoP tokens.

use crate::cmd::jws::signing_key;
use crate::error::{CliError, CliResult};
use crate::io;
use clap::{Args, Subcommand, ValueEnum};
use e2e_pop::RequiredContexts;
use e2e_pop::{
    E2ePopError, E2ePopTokenBuilder, E2ePopVerifier, IctBuilder, IctVerifier, NumericDate, OpJwks,
    PairPolicy, PopTokenBuilder, PopTokenVerifier, verify_pair,
};
use jose_core::jwk::{Jwk, JwkSet};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// OIDC² tokens.
#[derive(Debug, Subcommand)]
pub enum E2ePopCommand {
    /// Build and sign a token; print it.
    Sign(SignArgs),
    /// Verify the token on stdin; print its claims.
    Verify(VerifyArgs),
    /// Verify an ICT and an E2E PoP token together; print the identity they prove.
    VerifyPair(PairArgs),
}

/// The token type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// PoP token (`jwt+pop`), client to OP.
    Pop,
    /// Identity Certification Token (`jwt+ict`), signed by the OP.
    Ict,
    /// E2E PoP token (`jwt+e2epop`), client to peer.
    E2e,
}

/// `jose e2e-pop sign` arguments.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The token type.
    #[arg(long, value_enum)]
    kind: Kind,
    /// The private key (the client key for pop and e2e, the OP key for ict).
    #[arg(long)]
    key: PathBuf,
    /// The algorithm; defaults to what the key implies.
    #[arg(long)]
    alg: Option<String>,
    /// The claims as a JSON object. jti, iat and exp are filled in unless given.
    #[arg(long)]
    claims: String,
    /// Lifetime in seconds (default 60 for pop, 300 otherwise), unless the claims set exp.
    #[arg(long)]
    lifetime: Option<u64>,
    /// The ICT header's kid (default: the key's kid).
    #[arg(long)]
    kid: Option<String>,
    /// The client's public key for the ICT's cnf.jwk (unless the claims carry cnf).
    #[arg(long)]
    cnf_jwk: Option<PathBuf>,
}

/// `jose e2e-pop verify` arguments.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The token type.
    #[arg(long, value_enum)]
    kind: Kind,
    /// The OP's JWK Set for ict, the client key (cnf.jwk) for e2e; not used for pop.
    #[arg(long)]
    key: Option<PathBuf>,
    /// Accepted audience (repeatable; any one matches): the OP's issuer for pop, the client
    /// id for ict, the verifier's own identifier for e2e. Required for pop and e2e.
    #[arg(long)]
    audience: Vec<String>,
    /// Expected issuer: the client id for pop and e2e, the OP's issuer for ict.
    #[arg(long)]
    issuer: Option<String>,
    /// Required ICT context (repeatable). Without one, any context is accepted.
    #[arg(long)]
    context: Vec<String>,
    /// Check the times as of this Unix time instead of now.
    #[arg(long)]
    now: Option<i64>,
    /// Clock tolerance in seconds (default 0).
    #[arg(long, default_value_t = 0)]
    leeway: u64,
}

/// `jose e2e-pop verify-pair` arguments.
#[derive(Debug, Args)]
pub struct PairArgs {
    /// The ICT.
    #[arg(long)]
    ict: PathBuf,
    /// The E2E PoP token.
    #[arg(long)]
    token: PathBuf,
    /// The OP's JWK Set (trusted for the ICT's issuer).
    #[arg(long)]
    op_jwks: PathBuf,
    /// The verifier's own identifier, which the E2E PoP token's aud must contain.
    #[arg(long)]
    audience: String,
    /// Required ICT context (repeatable). Without one, any context is accepted.
    #[arg(long)]
    context: Vec<String>,
    /// Check the times as of this Unix time instead of now.
    #[arg(long)]
    now: Option<i64>,
    /// Clock tolerance in seconds (default 0).
    #[arg(long, default_value_t = 0)]
    leeway: u64,
}

pub fn run(cmd: E2ePopCommand) -> CliResult {
    match cmd {
        E2ePopCommand::Sign(args) => sign(args),
        E2ePopCommand::Verify(args) => verify(args),
        E2ePopCommand::VerifyPair(args) => verify_pair_cmd(args),
    }
}

/// A failed verification: exit 1, with the check's code.
fn failed(e: &E2ePopError) -> CliError {
    match e.root() {
        E2ePopError::Config(_) => CliError::usage(e),
        _ => CliError::invalid(format!("{e} [{}]", e.code())),
    }
}

/// A problem with the command's input: exit 2.
fn usage(e: E2ePopError) -> CliError {
    CliError::usage(e)
}

fn public_key(path: &Path) -> CliResult<Jwk> {
    let key = io::read_single_key(path)?;
    key.to_public()
        .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))
}

fn sign(args: SignArgs) -> CliResult {
    let key = signing_key(&args.key, args.alg.as_deref())?;
    let claims = io::parse_object_arg("claims", &args.claims)?;
    let lifetime = args.lifetime.map(Duration::from_secs);
    let token = match args.kind {
        Kind::Pop => {
            let mut b = PopTokenBuilder::from_claims(claims).map_err(usage)?;
            if let Some(l) = lifetime {
                b = b.lifetime(l);
            }
            b.build(&key).map_err(usage)?
        }
        Kind::Ict => {
            let mut b = IctBuilder::from_claims(claims).map_err(usage)?;
            if let Some(l) = lifetime {
                b = b.lifetime(l);
            }
            if let Some(kid) = args.kid {
                b = b.key_id(kid);
            }
            if let Some(path) = &args.cnf_jwk {
                b = b.confirmation(&public_key(path)?).map_err(usage)?;
            }
            b.build(&key).map_err(usage)?
        }
        Kind::E2e => {
            let mut b = E2ePopTokenBuilder::from_claims(claims).map_err(usage)?;
            if let Some(l) = lifetime {
                b = b.lifetime(l);
            }
            b.build(&key).map_err(usage)?
        }
    };
    io::print_line(&token)
}

/// The claims of a verified token (its payload, which the verifier accepted).
fn payload(token: &str) -> CliResult<Value> {
    let bytes = jws::unverified::decode_payload(token).map_err(CliError::invalid)?;
    let map: Map<String, Value> = jwt_claims::parse_claims(&bytes).map_err(CliError::invalid)?;
    Ok(Value::Object(map))
}

/// Runs a verification to completion. The command checks one token per process, so it keeps
/// no replay state (`without_replay_detection`): an in-memory record would end with the
/// process. Servers build their verifiers with a shared `ReplayStore`.
pub(crate) fn block<F: Future>(f: F) -> CliResult<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| CliError::usage(format!("cannot start the async runtime: {e}")))?;
    Ok(runtime.block_on(f))
}

fn verify(args: VerifyArgs) -> CliResult {
    let token = io::read_stdin_text()?;
    let now = args.now.map(NumericDate::from_seconds);
    let leeway = Duration::from_secs(args.leeway);
    let need_key = |what: &str| {
        args.key
            .clone()
            .ok_or_else(|| CliError::usage(format!("--key (the {what}) is required")))
    };
    let need_audience = || {
        args.audience
            .first()
            .cloned()
            .ok_or_else(|| CliError::usage("--audience is required"))
    };
    match args.kind {
        Kind::Pop => {
            let mut v = PopTokenVerifier::without_replay_detection(need_audience()?).leeway(leeway);
            for a in args.audience.iter().skip(1) {
                v = v.audience(a.clone());
            }
            if let Some(i) = &args.issuer {
                v = v.expected_issuer(i.clone());
            }
            if let Some(n) = now {
                v = v.now(n);
            }
            block(v.verify(&token))?.map_err(|e| failed(&e))?;
        }
        Kind::Ict => {
            let set = io::read_keys(&need_key("OP's JWK Set")?)?;
            let keys = match &args.issuer {
                Some(i) => OpJwks::new(i.clone(), set),
                None => OpJwks::any_issuer(set),
            };
            let mut v = IctVerifier::new(keys, required_contexts(&args.context)).leeway(leeway);
            for a in &args.audience {
                v = v.expected_audience(a.clone());
            }
            if let Some(n) = now {
                v = v.now(n);
            }
            block(v.verify(&token))?.map_err(|e| failed(&e))?;
        }
        Kind::E2e => {
            let key = public_key(&need_key("client key, cnf.jwk")?)?;
            let mut v = E2ePopVerifier::without_replay_detection(need_audience()?).leeway(leeway);
            for a in args.audience.iter().skip(1) {
                v = v.audience(a.clone());
            }
            if let Some(i) = &args.issuer {
                v = v.expected_issuer(i.clone());
            }
            if let Some(n) = now {
                v = v.now(n);
            }
            block(v.verify_with_key(&token, &key))?.map_err(|e| failed(&e))?;
        }
    }
    io::print_json(&payload(&token)?)
}

/// `--context` values: all of them required, or, without any, any context.
fn required_contexts(contexts: &[String]) -> RequiredContexts {
    if contexts.is_empty() {
        RequiredContexts::Any
    } else {
        RequiredContexts::all(contexts.iter().cloned())
    }
}

fn read_token(path: &Path) -> CliResult<String> {
    let bytes = io::read_file(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::usage(format!("{} is not UTF-8", path.display())))?;
    Ok(text.trim().to_owned())
}

fn verify_pair_cmd(args: PairArgs) -> CliResult {
    let ict = read_token(&args.ict)?;
    let token = read_token(&args.token)?;
    let set: JwkSet = io::read_keys(&args.op_jwks)?;
    let keys = OpJwks::any_issuer(set);
    let contexts = required_contexts(&args.context);
    let mut policy = PairPolicy::without_replay_detection(keys, contexts, args.audience)
        .leeway(Duration::from_secs(args.leeway));
    if let Some(n) = args.now {
        policy = policy.now(NumericDate::from_seconds(n));
    }
    let identity = block(verify_pair(&ict, &token, &policy))?.map_err(|e| failed(&e))?;
    io::print_json(&identity.to_json())
}
