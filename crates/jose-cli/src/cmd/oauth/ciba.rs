//! `jose oauth ciba`: Client-Initiated Backchannel Authentication in poll mode, with the
//! `ciba` crate.

use crate::cmd::oauth::common::{self, ClientArgs, Flow, OutputArgs};
use crate::cmd::oauth::grants::DpopArgs;
use crate::cmd::oauth::output::{self, Output};
use crate::error::{CliError, CliResult};
use crate::secret_arg::SecretArg;
use ciba::{BackchannelRequest, CibaClient, CibaError, Profile, UserHint};
use clap::Args;
use oauth_client::{Configuration, Params};
use serde_json::{Map, Value};
use std::num::NonZeroU32;
use std::path::PathBuf;

/// `jose oauth ciba` arguments.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("hint").required(true).args(["login_hint", "login_hint_token", "id_token_hint"])))]
pub struct CibaArgs {
    /// The issuer identifier.
    pub issuer: String,
    /// Who is to authenticate: an e-mail address, phone number, user name, ...
    #[arg(long, value_name = "HINT")]
    pub login_hint: Option<String>,
    /// Who is to authenticate, as a token whose format the deployment defines.
    #[arg(long, value_name = "TOKEN", allow_hyphen_values = true)]
    pub login_hint_token: Option<SecretArg>,
    /// Who is to authenticate, as an ID Token the provider issued to this client.
    #[arg(long, value_name = "TOKEN", allow_hyphen_values = true)]
    pub id_token_hint: Option<SecretArg>,
    /// A short text shown on both devices so the user can tell they belong together.
    #[arg(long, value_name = "TEXT")]
    pub binding_message: Option<String>,
    /// A secret the user knows (`user_code`); the client metadata is taken to say
    /// `backchannel_user_code_parameter: true`.
    #[arg(long, value_name = "CODE", allow_hyphen_values = true)]
    pub user_code: Option<SecretArg>,
    /// The lifetime, in seconds, to ask for (`requested_expiry`).
    #[arg(long, value_name = "SECONDS")]
    pub requested_expiry: Option<NonZeroU32>,
    /// `acr_values`, space-separated in order of preference.
    #[arg(long, value_name = "VALUES")]
    pub acr_values: Option<String>,
    /// The scope to request (must contain `openid`).
    #[arg(long, default_value = "openid")]
    pub scope: String,
    /// A resource indicator (RFC 8707): the URI of the API the token is for (repeatable).
    #[arg(long, value_name = "URI")]
    pub resource: Vec<String>,
    /// Sign the request (CIBA §7.1.1) with this private key (JWK or PEM).
    #[arg(long, value_name = "KEYFILE")]
    pub request_signing_key: Option<PathBuf>,
    /// Apply the FAPI-CIBA profile's checks (signed requests with PS256 or ES256, a binding
    /// message, no client secrets).
    #[arg(long)]
    pub fapi: bool,
    #[command(flatten)]
    pub dpop: DpopArgs,
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Maps a CIBA error: the server's answers exit 1 (with `--json`, as a JSON object on stdout),
/// what the command line or the client metadata got wrong exits 2.
fn fail(out: &Output, e: CibaError) -> CliError {
    let terminal = |code: &str, description: &Option<String>| {
        if out.json {
            let mut body = Map::new();
            body.insert("error".into(), code.into());
            if let Some(d) = description {
                body.insert("error_description".into(), d.clone().into());
            }
            // The error line on stderr is what matters; a failed write changes nothing.
            let _ = out.print_object(&body);
        }
        let shown = description
            .as_deref()
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        CliError::invalid(format!("the token endpoint answered {code}{shown}"))
    };
    match e {
        CibaError::OAuth(inner) => common::fail(out, *inner),
        CibaError::AccessDenied { ref description } => terminal("access_denied", description),
        CibaError::ExpiredToken { ref description } => terminal("expired_token", description),
        CibaError::InvalidGrant { ref description } => terminal("invalid_grant", description),
        CibaError::TransactionFailed { ref description } => {
            terminal("transaction_failed", description)
        }
        CibaError::InvalidClientMetadata { .. }
        | CibaError::DeliveryModeNotSupported { .. }
        | CibaError::GrantTypeNotSupported { .. }
        | CibaError::SigningAlgorithm { .. }
        | CibaError::Profile { .. }
        | CibaError::InvalidRequest(_) => CliError::usage(e),
        other => CliError::invalid(other),
    }
}

/// Runs `jose oauth ciba`.
pub async fn run(args: CibaArgs) -> CliResult {
    let out = Output::from(&args.output);
    let issuer = common::issuer_url(&args.issuer)?;
    let extra = common::extra_params(
        &args.client.params,
        &[
            "scope",
            "login_hint",
            "login_hint_token",
            "id_token_hint",
            "request",
        ],
    )?;
    let hint = user_hint(&args)?;
    let flow = Flow {
        ciba: true,
        ciba_user_code: args.user_code.is_some(),
        ..Flow::default()
    };
    let config = common::configure(&issuer, &args.client, flow).await?;
    let (config, notes) = args.dpop.apply(config)?;
    let client = ciba_client(config, &args, &out)?;
    let request = backchannel_request(&args, hint, &extra);

    let ack = client.initiate(&request).await.map_err(|e| fail(&out, e))?;
    // The user-facing values, on stderr at once: a script can act on them while we poll.
    eprintln!("auth_req_id: {}", ack.auth_req_id().expose());
    output::eprint_expires_in(ack.expires_in());
    eprintln!("interval: {}", ack.interval());
    let label = match &args.binding_message {
        Some(message) => format!("waiting for the user to approve \"{message}\" on their device"),
        None => "waiting for the user to approve on their device".to_owned(),
    };
    let tokens = output::with_spinner(&label, client.poll(&ack))
        .await
        .map_err(|e| fail(&out, e))?;
    out.print_tokens(&tokens, &notes)
}

/// Who is to authenticate: `--login-hint`, `--login-hint-token` or `--id-token-hint`, the
/// first given.
fn user_hint(args: &CibaArgs) -> CliResult<UserHint> {
    let hint = match (
        &args.login_hint,
        &args.login_hint_token,
        &args.id_token_hint,
    ) {
        (Some(h), _, _) => UserHint::LoginHint(h.clone()),
        (None, Some(t), _) => UserHint::LoginHintToken(common::value_arg("login-hint-token", t)?),
        (None, None, Some(t)) => UserHint::IdTokenHint(common::value_arg("id-token-hint", t)?),
        (None, None, None) => return Err(CliError::usage("a hint is required: --login-hint")),
    };
    Ok(hint)
}

/// The CIBA client over `config`: the profile (`--fapi`), poll mode (the only one a command
/// line can use), the configuration's DPoP handle, and a request signer when given.
fn ciba_client(config: Configuration, args: &CibaArgs, out: &Output) -> CliResult<CibaClient> {
    let profile = if args.fapi {
        Profile::Fapi
    } else {
        Profile::Core
    };
    let dpop = config.dpop().cloned();
    let mut client = CibaClient::with_profile(config, profile).map_err(|e| fail(out, e))?;
    if client.delivery_mode() != ciba::DeliveryMode::Poll {
        return Err(CliError::usage(
            "the command line polls: the client's backchannel_token_delivery_mode must be poll",
        ));
    }
    if let Some(handle) = dpop {
        client = client.dpop(handle);
    }
    if let Some(path) = &args.request_signing_key {
        let signer = common::signing_key("request-signing-key", path)?;
        client = client.request_signer(signer).map_err(|e| fail(out, e))?;
    }
    Ok(client)
}

/// The backchannel authentication request: scope and hint, then the optional members, the
/// resources and the `--param`s.
fn backchannel_request(args: &CibaArgs, hint: UserHint, extra: &Params) -> BackchannelRequest {
    let mut request = BackchannelRequest::new(args.scope.as_str(), hint);
    if let Some(message) = &args.binding_message {
        request = request.binding_message(message.as_str());
    }
    if let Some(code) = &args.user_code {
        request = request.user_code(&**code);
    }
    if let Some(expiry) = args.requested_expiry {
        request = request.requested_expiry(expiry);
    }
    if let Some(acr) = &args.acr_values {
        request = request.acr_values(acr.as_str());
    }
    for resource in &args.resource {
        request = request.resource(resource.as_str());
    }
    for (name, value) in extra.iter() {
        request = request.param(name, Value::String(value.to_owned()));
    }
    request
}
