//! `jose signing-challenge sign|verify`: the signed challenge and signed response of a
//! hash-signing service.

use crate::cmd::jws::signing_key;
use crate::error::{CliError, CliResult};
use crate::io;
use clap::{Args, Subcommand, ValueEnum};
use jose_core::jwk::JwkSet;
use signing_challenge::{
    ChallengeVerifier, ResponseVerifier, Session, SignedChallengeBuilder, SignedResponseBuilder,
    SigningChallengeError, TrustAnchors, UserSignature,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Signed challenges and signed responses.
#[derive(Debug, Subcommand)]
pub enum SigningChallengeCommand {
    /// Build and sign a token; print it.
    Sign(SignArgs),
    /// Verify a token against the session; print its claims.
    Verify(VerifyArgs),
}

/// The token type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// The signed challenge (service to phone; header kid).
    Challenge,
    /// The signed response (phone to service; header x5c).
    Response,
}

/// `jose signing-challenge sign` arguments.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The token type.
    #[arg(long, value_enum)]
    kind: Kind,
    /// The private key: the service's (with its kid) for a challenge, the user's for a
    /// response.
    #[arg(long)]
    key: PathBuf,
    /// A certificate file (PEM, possibly several, or DER) for the response's x5c, leaf first
    /// (repeatable).
    #[arg(long)]
    x5c: Vec<PathBuf>,
    /// The claims as a JSON object. iat, exp (iat + 3) and, for a response, timestamp and
    /// usr_signature (signed with --key over doc_hash) are filled in unless given.
    #[arg(long)]
    claims: String,
}

/// `jose signing-challenge verify` arguments.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The token type.
    #[arg(long, value_enum)]
    kind: Kind,
    /// The token (`-` for stdin).
    #[arg(long)]
    token: PathBuf,
    /// The JWK Set with the service's keys (challenge).
    #[arg(long)]
    jwks: Option<PathBuf>,
    /// A trust anchor certificate, PEM or DER (response; repeatable).
    #[arg(long)]
    trust_anchor: Vec<PathBuf>,
    /// What the verifier knows of the session, as a JSON object: sign_ref, nonce, doc_hash,
    /// challenge_code, hss_nonce, usr_cert (base64 DER), ff_id, challenge_iat; each optional
    /// and checked when present.
    #[arg(long)]
    session: String,
    /// Check the times as of this Unix time instead of now.
    #[arg(long)]
    now: Option<i64>,
    /// Clock tolerance in seconds (default 5).
    #[arg(long, default_value_t = 5)]
    leeway: u64,
}

pub fn run(cmd: SigningChallengeCommand) -> CliResult {
    match cmd {
        SigningChallengeCommand::Sign(args) => sign(args),
        SigningChallengeCommand::Verify(args) => verify(args),
    }
}

fn usage(e: SigningChallengeError) -> CliError {
    CliError::usage(e)
}

/// Every certificate of a file: PEM (one or more) or DER.
fn certificates(path: &Path) -> CliResult<Vec<Vec<u8>>> {
    let bytes = io::read_file(path)?;
    match std::str::from_utf8(&bytes) {
        Ok(text) if text.contains("-----BEGIN") => signing_challenge::pem_certificates(text)
            .map_err(|e| CliError::usage(format!("{}: {e}", path.display()))),
        _ => Ok(vec![bytes]),
    }
}

fn sign(args: SignArgs) -> CliResult {
    let key = signing_key(&args.key, None)?;
    let claims = io::parse_object_arg("claims", &args.claims)?;
    let token = match args.kind {
        Kind::Challenge => SignedChallengeBuilder::from_claims(&claims)
            .and_then(|b| b.sign(&key))
            .map_err(usage)?,
        Kind::Response => {
            let mut chain = Vec::new();
            for path in &args.x5c {
                chain.extend(certificates(path)?);
            }
            if chain.is_empty() {
                return Err(CliError::usage("a response needs --x5c"));
            }
            let mut b = SignedResponseBuilder::from_claims(&claims).map_err(usage)?;
            if !b.has_user_signature() {
                let doc_hash = b
                    .doc_hash_ref()
                    .ok_or_else(|| CliError::usage("--claims: doc_hash is required"))?;
                let signature = UserSignature::sign(doc_hash, key.jwk()).map_err(usage)?;
                b = b.user_signature(signature);
            }
            b.x5c(chain).sign(&key).map_err(usage)?
        }
    };
    io::print_line(&token)
}

/// A failed verification: exit 1 with the check's code; configuration problems exit 2.
fn failed(e: &SigningChallengeError) -> CliError {
    match e {
        SigningChallengeError::Config(_) | SigningChallengeError::SessionIncomplete(_) => {
            CliError::usage(e)
        }
        _ => CliError::invalid(format!("{e} [{}]", e.code())),
    }
}

fn verify(args: VerifyArgs) -> CliResult {
    let bytes = io::read_file(&args.token)?;
    let token = String::from_utf8(bytes)
        .map_err(|_| CliError::usage(format!("{} is not UTF-8", args.token.display())))?;
    let token = token.trim();
    let session = Session::from_json(&io::parse_object_arg("session", &args.session)?)
        .map_err(|e| CliError::usage(format!("--session: {e}")))?;
    let leeway = Duration::from_secs(args.leeway);
    let claims = match args.kind {
        Kind::Challenge => {
            let path = args
                .jwks
                .as_ref()
                .ok_or_else(|| CliError::usage("a challenge needs --jwks"))?;
            let set: JwkSet = io::read_keys(path)?;
            let mut v = ChallengeVerifier::new(set).leeway(leeway).partial_session();
            if let Some(n) = args.now {
                v = v.now(n);
            }
            v.verify(token, &session)
                .map_err(|e| failed(&e))?
                .claims()
                .to_json()
        }
        Kind::Response => {
            if args.trust_anchor.is_empty() {
                return Err(CliError::usage("a response needs --trust-anchor"));
            }
            let mut anchors = TrustAnchors::new();
            for path in &args.trust_anchor {
                for der in certificates(path)? {
                    anchors = anchors
                        .with_der(&der)
                        .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
                }
            }
            // One response per process: no replay state to keep (see `e2e_pop::block`).
            let mut v = ResponseVerifier::without_replay_detection(anchors)
                .leeway(leeway)
                .partial_session();
            if let Some(n) = args.now {
                v = v.now(n);
            }
            super::e2e_pop::block(v.verify(token, &session))?
                .map_err(|e| failed(&e))?
                .claims()
                .to_json()
        }
    };
    io::print_json(&claims)
}
