//! `jose oauth introspect`, `revoke`, `userinfo` and `end-session`.

use crate::cmd::oauth::common::{self, ClientArgs, Flow, OutputArgs};
use crate::cmd::oauth::output::{HIDDEN, Output};
use crate::error::{CliError, CliResult};
use crate::io;
use crate::secret_arg::SecretArg;
use clap::Args;
use oauth_client::{ExpectedSubject, Params};
use serde_json::{Map, Value};
use std::path::PathBuf;

/// `jose oauth introspect` arguments.
#[derive(Debug, Args)]
pub struct IntrospectArgs {
    /// The issuer identifier.
    pub issuer: String,
    /// The token to ask about; `-` reads it from stdin.
    #[arg(long, value_name = "TOKEN", allow_hyphen_values = true)]
    pub token: SecretArg,
    /// `access_token` or `refresh_token`: where the server should look first.
    #[arg(long, value_name = "HINT")]
    pub token_type_hint: Option<String>,
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `jose oauth revoke` arguments.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The issuer identifier.
    pub issuer: String,
    /// The token to revoke; `-` reads it from stdin.
    #[arg(long, value_name = "TOKEN", allow_hyphen_values = true)]
    pub token: SecretArg,
    /// `access_token` or `refresh_token`: where the server should look first.
    #[arg(long, value_name = "HINT")]
    pub token_type_hint: Option<String>,
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `jose oauth userinfo` arguments.
#[derive(Debug, Args)]
pub struct UserinfoArgs {
    /// The issuer identifier.
    pub issuer: String,
    /// The access token; `-` reads it from stdin.
    #[arg(long, value_name = "TOKEN", allow_hyphen_values = true)]
    pub access_token: SecretArg,
    /// The DPoP key the access token is bound to (private JWK or PEM): the request carries
    /// a proof and the token goes with the `DPoP` scheme.
    #[arg(long, value_name = "KEYFILE")]
    pub dpop: Option<PathBuf>,
    /// The subject the UserInfo response must be about (the ID Token's `sub`); without it
    /// the subject is not compared.
    #[arg(long, value_name = "SUB")]
    pub subject: Option<String>,
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `jose oauth end-session` arguments.
#[derive(Debug, Args)]
pub struct EndSessionArgs {
    /// The issuer identifier.
    pub issuer: String,
    /// The ID Token of the session to end; `-` reads it from stdin.
    #[arg(long, value_name = "TOKEN", allow_hyphen_values = true)]
    pub id_token_hint: Option<SecretArg>,
    /// Where the server sends the browser after the logout (registered by the client).
    #[arg(long, value_name = "URI")]
    pub post_logout_redirect_uri: Option<String>,
    /// `state` returned with the post-logout redirect.
    #[arg(long)]
    pub state: Option<String>,
    /// Do not open a browser; only print the URL (its `id_token_hint` is hidden unless
    /// `--show-secrets`).
    #[arg(long)]
    pub no_browser: bool,
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn object_of(value: Result<Value, serde_json::Error>) -> CliResult<Map<String, Value>> {
    match value {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(CliError::invalid("the response cannot be shown as JSON")),
    }
}

fn hinted(hint: Option<&str>, extra: &Params) -> Params {
    let mut params = Params::new();
    if let Some(hint) = hint {
        params.insert("token_type_hint", hint);
    }
    common::merge_params(params, extra)
}

/// Runs `jose oauth introspect`.
pub async fn introspect(args: IntrospectArgs) -> CliResult {
    let out = Output::from(&args.output);
    let issuer = common::issuer_url(&args.issuer)?;
    let token = common::value_arg("token", &args.token)?;
    let extra = common::extra_params(&args.client.params, &["token"])?;
    let config = common::configure(&issuer, &args.client, Flow::default()).await?;
    let info = config
        .introspect_token(&token, hinted(args.token_type_hint.as_deref(), &extra))
        .await
        .map_err(|e| common::fail(&out, e))?;
    let title = if info.active {
        "Introspection response (the token is active)"
    } else {
        "Introspection response (the token is NOT active)"
    };
    out.print_response(title, &object_of(serde_json::to_value(&info))?)
}

/// Runs `jose oauth revoke`.
pub async fn revoke(args: RevokeArgs) -> CliResult {
    let out = Output::from(&args.output);
    let issuer = common::issuer_url(&args.issuer)?;
    let token = common::value_arg("token", &args.token)?;
    let extra = common::extra_params(&args.client.params, &["token"])?;
    let config = common::configure(&issuer, &args.client, Flow::default()).await?;
    config
        .revoke_token(&token, hinted(args.token_type_hint.as_deref(), &extra))
        .await
        .map_err(|e| common::fail(&out, e))?;
    if out.json {
        // The revocation endpoint answers 200 with no content (RFC 7009 §2.2).
        return out.print_object(&Map::new());
    }
    io::print_line("The revocation endpoint accepted the request (HTTP 200).")
}

/// Runs `jose oauth userinfo`.
pub async fn userinfo(args: UserinfoArgs) -> CliResult {
    let out = Output::from(&args.output);
    let issuer = common::issuer_url(&args.issuer)?;
    let token = common::value_arg("access-token", &args.access_token)?;
    if !args.client.params.is_empty() {
        return Err(CliError::usage(
            "--param: the UserInfo request (a GET with the access token) takes no parameters",
        ));
    }
    let config = common::configure(&issuer, &args.client, Flow::default()).await?;
    let config = match common::dpop_client(args.dpop.as_deref(), false)? {
        Some(client) => config.with_dpop(client),
        None => config,
    };
    let expected = match &args.subject {
        Some(sub) => ExpectedSubject::Is(sub),
        None => ExpectedSubject::Skip,
    };
    let info = config
        .fetch_user_info(&token, expected)
        .await
        .map_err(|e| common::fail(&out, e))?;
    let title = if args.subject.is_some() {
        "UserInfo (subject checked)"
    } else {
        "UserInfo (subject not checked: pass --subject)"
    };
    out.print_response(title, &object_of(serde_json::to_value(&info))?)
}

/// Runs `jose oauth end-session`.
pub async fn end_session(args: EndSessionArgs) -> CliResult {
    let out = Output::from(&args.output);
    let issuer = common::issuer_url(&args.issuer)?;
    let extra = common::extra_params(&args.client.params, &[])?;
    let mut params = Params::new();
    if let Some(hint) = &args.id_token_hint {
        params.insert("id_token_hint", common::value_arg("id-token-hint", hint)?);
    }
    if let Some(uri) = &args.post_logout_redirect_uri {
        params.insert("post_logout_redirect_uri", uri.as_str());
    }
    if let Some(state) = &args.state {
        params.insert("state", state.as_str());
    }
    let params = common::merge_params(params, &extra);
    let config = common::configure(&issuer, &args.client, Flow::default()).await?;
    let url = config
        .build_end_session_url(params)
        .map_err(|e| common::fail(&out, e))?;
    // The ID Token in the URL is a credential: shown only with --show-secrets (the browser
    // gets the whole URL either way).
    let shown = if out.show_secrets || args.id_token_hint.is_none() {
        url.to_string()
    } else {
        let mut hidden = url.clone();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "id_token_hint" {
                    HIDDEN.to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        hidden.query_pairs_mut().clear().extend_pairs(pairs);
        eprintln!("(id_token_hint hidden; --show-secrets prints the whole URL)");
        hidden.to_string()
    };
    if out.json {
        let mut object = Map::new();
        object.insert("end_session_url".into(), shown.into());
        out.print_object(&object)?;
    } else {
        io::print_line(&shown)?;
    }
    if !args.no_browser {
        super::authorize::open_browser(url.as_str());
    }
    Ok(())
}
