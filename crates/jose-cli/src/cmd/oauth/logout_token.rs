//! `jose oauth logout-token`: validate a back-channel logout token read on stdin.

use crate::cmd::oauth::common::{self, DiscoveryArg, OutputArgs, TransportArgs};
use crate::cmd::oauth::output::Output;
use crate::error::{CliError, CliResult};
use crate::io;
use clap::Args;
use oauth_client::{ClientMetadata, LogoutTokenVerifier};
use serde_json::{Map, Value};

/// `jose oauth logout-token` arguments.
#[derive(Debug, Args)]
pub struct LogoutTokenArgs {
    /// The issuer identifier (OpenID Connect discovery names its JWK Set).
    pub issuer: String,
    /// The client the token must be addressed to (`aud`).
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// Allow plain `http:` URLs (issuer, JWK Set). For local test servers only.
    #[arg(long)]
    pub insecure_http: bool,
}

/// Runs `jose oauth logout-token`: reads the token on stdin, validates it against the
/// issuer's discovery document and JWK Set (every check of `LogoutTokenVerifier` except
/// replay detection: a one-shot inspection has no store), prints `iss`, `sub`, `sid` and
/// `jti`. A failed check exits 1 naming it.
pub async fn run(args: LogoutTokenArgs) -> CliResult {
    let issuer = common::issuer_url(&args.issuer)?;
    if args.client_id.is_empty() {
        return Err(CliError::usage("--client-id is empty"));
    }
    let token = io::read_stdin_text()?;
    if token.is_empty() {
        return Err(CliError::usage("stdin: expected a logout token"));
    }
    let transport = TransportArgs {
        insecure_http: args.insecure_http,
        ca_cert: None,
        discovery: DiscoveryArg::Oidc,
    };
    let builder = common::bare_builder(ClientMetadata::new(args.client_id), &transport)?;
    let config = common::discover(builder, &issuer, DiscoveryArg::Oidc).await?;
    let claims = LogoutTokenVerifier::without_replay_detection(config)
        .verify(&token)
        .await
        .map_err(CliError::invalid)?;
    let mut shown = Map::new();
    shown.insert("iss".into(), Value::String(claims.iss.clone()));
    for (name, value) in [("sub", &claims.sub), ("sid", &claims.sid)] {
        if let Some(value) = value {
            shown.insert(name.into(), Value::String(value.clone()));
        }
    }
    shown.insert("jti".into(), Value::String(claims.jti.clone()));
    let out = Output::from(&OutputArgs {
        json: false,
        show_secrets: false,
    });
    out.print_response("Valid logout token", &shown)
}
