//! `jose oauth register`: dynamic client registration.

use crate::cmd::oauth::common::{self, OutputArgs, TransportArgs};
use crate::cmd::oauth::output::Output;
use crate::error::{CliError, CliResult};
use crate::io;
use crate::secret_arg::SecretArg;
use clap::Args;
use oauth_client::ClientMetadata;
use serde_json::Value;

/// `jose oauth register` arguments.
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The issuer identifier (OpenID Connect discovery names the registration endpoint).
    pub issuer: String,
    /// The client metadata to register, a JSON object (RFC 7591 §2), for example
    /// `{"redirect_uris":["http://127.0.0.1/callback"],"application_type":"native"}`; `-`
    /// reads it from stdin, `@FILE` from a file.
    #[arg(long, value_name = "JSON")]
    pub metadata: String,
    /// The initial access token the registration endpoint requires (RFC 7591 §3); `-`
    /// reads it from stdin.
    #[arg(long, value_name = "TOKEN", allow_hyphen_values = true)]
    pub initial_access_token: Option<SecretArg>,
    #[command(flatten)]
    pub transport: TransportArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs `jose oauth register`.
pub async fn run(args: RegisterArgs) -> CliResult {
    let out = Output::from(&args.output);
    if args.transport.discovery == common::DiscoveryArg::Oauth2 {
        return Err(CliError::usage(
            "--discovery oauth2: registration discovers the issuer with OpenID Connect",
        ));
    }
    let issuer = common::issuer_url(&args.issuer)?;
    let text = if args.metadata == "-" {
        io::read_stdin_text()?
    } else if let Some(path) = args.metadata.strip_prefix('@') {
        String::from_utf8(io::read_file(std::path::Path::new(path))?)
            .map_err(|_| CliError::usage(format!("--metadata {path}: not UTF-8")))?
    } else {
        args.metadata.clone()
    };
    let object = io::parse_object_arg("metadata", &text)?;
    if object.contains_key("client_id") || object.contains_key("client_secret") {
        return Err(CliError::usage(
            "--metadata: client_id and client_secret are assigned by the server",
        ));
    }
    let metadata: ClientMetadata = serde_json::from_value(Value::Object(object))
        .map_err(|e| CliError::usage(format!("--metadata: {e}")))?;
    let token = match &args.initial_access_token {
        Some(t) => Some(common::value_arg("initial-access-token", t)?),
        None => None,
    };
    let builder = common::bare_builder(metadata, &args.transport)?;
    let config = builder
        .register(&issuer, token.as_deref())
        .await
        .map_err(|e| common::fail(&out, e))?;
    let registered = match serde_json::to_value(config.client_metadata()) {
        Ok(Value::Object(m)) => m,
        _ => {
            return Err(CliError::invalid(
                "the registration cannot be shown as JSON",
            ));
        }
    };
    out.print_response(
        &format!("Registered client {}", config.client_id()),
        &registered,
    )
}
