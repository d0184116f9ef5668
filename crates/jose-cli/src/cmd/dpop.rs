//! `jose dpop proof|verify`: DPoP proofs (RFC 9449) from a shell.

use crate::cmd::jws::signing_key;
use crate::error::{CliError, CliResult};
use crate::io;
use crate::secret_arg::SecretArg;
use clap::{Args, Subcommand};
use dpop::{DpopError, DpopKey, ProofRequest, ProofVerifier, VerifiedProof};
use replay_store::{
    MemoryReplayStore, RedisConfig, RedisConnection, RedisReplayStore, ReplayStore,
};
use serde_json::{Map, Value, json};
use std::path::PathBuf;
use std::sync::Arc;

/// DPoP proofs.
#[derive(Debug, Subcommand)]
pub enum DpopCommand {
    /// Make a DPoP proof for a request; print it.
    Proof(ProofArgs),
    /// Verify the DPoP proof on stdin for a request; print its jkt and claims.
    Verify(VerifyArgs),
}

/// `jose dpop proof` arguments.
#[derive(Debug, Args)]
pub struct ProofArgs {
    /// The private key that signs the proof (its public half is embedded): JWK, single-key JWK
    /// Set, or PEM. Its algorithm comes from its `alg` or its curve.
    #[arg(long)]
    key: PathBuf,
    /// The request's HTTP method (`htm`).
    #[arg(long)]
    htm: String,
    /// The request's URL (`htu`; query and fragment are left out).
    #[arg(long)]
    htu: String,
    /// The access token the request presents: the proof carries its hash (`ath`).
    #[arg(long)]
    access_token: Option<SecretArg>,
    /// The nonce the server provided (`DPoP-Nonce`).
    #[arg(long)]
    nonce: Option<String>,
}

/// `jose dpop verify` arguments.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The request's HTTP method, which the proof's `htm` must be.
    #[arg(long)]
    htm: String,
    /// The request's URL, which the proof's `htu` must be (query and fragment ignored).
    #[arg(long)]
    htu: String,
    /// The access token presented with the request: the proof's `ath` must be its hash.
    #[arg(long)]
    access_token: Option<SecretArg>,
    /// The nonce the server requires in the proof.
    #[arg(long)]
    nonce: Option<String>,
    /// Where proofs already seen are recorded: `redis://HOST:PORT` (or `rediss://`) to share
    /// replay detection between processes. Default: in memory, for this process only.
    #[arg(long)]
    replay_store: Option<String>,
}

pub fn run(cmd: DpopCommand) -> CliResult {
    match cmd {
        DpopCommand::Proof(args) => proof(args),
        DpopCommand::Verify(args) => verify(args),
    }
}

/// Checks `--htm`, `--htu` and `--nonce` before anything is read or signed: a bad flag is a
/// usage error (exit 2), never a verdict on the proof.
fn check_request(htm: &str, htu: &str, nonce: Option<&str>) -> CliResult {
    if htm.is_empty() || !htm.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(CliError::usage(format!(
            "--htm {htm:?}: not an HTTP method"
        )));
    }
    dpop::normalize_htu(htu).map_err(|e| CliError::usage(format!("--htu: {e}")))?;
    if let Some(n) = nonce
        && !dpop::is_valid_nonce(n)
    {
        return Err(CliError::usage(
            "--nonce: not a valid nonce (1 to 1024 characters of %x21 / %x23-5B / %x5D-7E)",
        ));
    }
    Ok(())
}

fn proof(args: ProofArgs) -> CliResult {
    check_request(&args.htm, &args.htu, args.nonce.as_deref())?;
    let key = DpopKey::new(signing_key(&args.key, None)?)
        .map_err(|e| CliError::usage(format!("{}: {e}", args.key.display())))?;
    let mut builder = key
        .proof(&args.htm, &args.htu)
        .maybe_nonce(args.nonce.as_deref());
    if let Some(token) = &args.access_token {
        builder = builder.access_token(token);
    }
    let proof = builder.sign().map_err(CliError::usage)?;
    io::print_line(&proof)
}

fn verify(args: VerifyArgs) -> CliResult {
    check_request(&args.htm, &args.htu, args.nonce.as_deref())?;
    let store = replay_store(args.replay_store.as_deref())?;
    let proof = io::read_stdin_text()?;
    let mut request = ProofRequest::new(&proof, &args.htm, &args.htu);
    if let Some(token) = &args.access_token {
        request = request.access_token(token);
    }
    if let Some(nonce) = &args.nonce {
        request = request.nonce(nonce);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::usage(format!("cannot start the async runtime: {e}")))?;
    let verified = runtime
        .block_on(ProofVerifier::new(store).verify(&request))
        .map_err(|e| refused(&e))?;
    io::print_json(&report(&verified, &proof)?)
}

/// The replay store of `--replay-store`: in memory without it, Redis for `redis://` and
/// `rediss://` URLs (each call bounded by the store's timeout, 2 s). Nothing is connected
/// here; a store that cannot be reached refuses the proof when it is checked.
fn replay_store(url: Option<&str>) -> CliResult<Arc<dyn ReplayStore>> {
    let Some(url) = url else {
        return Ok(Arc::new(MemoryReplayStore::new()));
    };
    let config =
        RedisConfig::from_url(url).map_err(|e| CliError::usage(format!("--replay-store: {e}")))?;
    Ok(Arc::new(RedisReplayStore::new(RedisConnection::new(
        config,
    ))))
}

/// A refused proof: exit 1, the reason and, in brackets, the check that failed.
fn refused(e: &DpopError) -> CliError {
    CliError::invalid(format!("{e} [{}]", failed_check(e)))
}

/// The §4.3 check an error comes from, as a short stable name.
fn failed_check(e: &DpopError) -> &'static str {
    match e {
        DpopError::MissingProof | DpopError::MultipleProofs(_) => "dpop",
        DpopError::TooLarge { .. } => "size",
        DpopError::Jws(_) => "signature",
        DpopError::WrongType => "typ",
        DpopError::MissingClaim(claim) | DpopError::InvalidClaim { claim, .. } => claim,
        DpopError::Claims(_) => "claims",
        DpopError::MethodMismatch => "htm",
        DpopError::UriMismatch | DpopError::InvalidUrl(_) => "htu",
        DpopError::Stale { .. } | DpopError::IssuedInFuture { .. } => "iat",
        DpopError::UseNonce | DpopError::InvalidNonce => "nonce",
        DpopError::MissingAccessTokenHash | DpopError::AccessTokenHashMismatch => "ath",
        DpopError::KeyBindingMismatch => "jkt",
        DpopError::Replay => "replay",
        DpopError::ReplayStore(_) => "replay_store",
        _ => e.error_code(),
    }
}

/// `{"jkt": …, "claims": {…}}` of a verified proof (its payload, which the verifier accepted).
fn report(verified: &VerifiedProof, proof: &str) -> CliResult<Value> {
    let bytes = jws::unverified::decode_payload(proof).map_err(CliError::invalid)?;
    let claims: Map<String, Value> = jwt_claims::parse_claims(&bytes).map_err(CliError::invalid)?;
    Ok(json!({ "jkt": verified.thumbprint(), "claims": claims }))
}
