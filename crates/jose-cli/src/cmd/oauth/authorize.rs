//! `jose oauth authorize`: the authorization code flow with PKCE, through the user's browser
//! and a loopback redirect (RFC 8252), with PAR, JAR, JARM, the hybrid flow and DPoP.

use crate::cmd::oauth::common::{self, ClientArgs, Flow, GrantArgs, OutputArgs};
use crate::cmd::oauth::grants::DpopArgs;
use crate::cmd::oauth::listener::Loopback;
use crate::cmd::oauth::output::Output;
use crate::error::{CliError, CliResult};
use clap::Args;
use jws::SigningKey;
use oauth_client::{
    AuthorizationCodeGrantChecks, Configuration, Params, Url, pkce_code_challenge, random_nonce,
    random_pkce_code_verifier, random_state,
};
use std::path::PathBuf;
use std::time::Duration;

/// `jose oauth authorize` arguments.
#[derive(Debug, Args)]
pub struct AuthorizeArgs {
    /// The issuer identifier.
    pub issuer: String,
    /// `code` (the authorization code flow) or `code id_token` (the OpenID Connect hybrid
    /// flow: the front-channel ID Token is validated, `c_hash` included, before the code is
    /// redeemed; the response comes as `form_post` unless `--param response_mode=...`).
    #[arg(long, default_value = "code", value_name = "TYPE")]
    pub response_type: String,
    /// Push the authorization request first (PAR, RFC 9126); the browser gets only
    /// `client_id` and `request_uri`.
    #[arg(long)]
    pub par: bool,
    /// Send the request as a request object signed with this key (JAR, RFC 9101): a private
    /// JWK or PEM whose algorithm the client registered. Encrypted too when
    /// `--client-metadata` names `request_object_encryption_alg`.
    #[arg(long, value_name = "KEYFILE")]
    pub jar: Option<PathBuf>,
    /// Ask for a signed (JARM) authorization response, `response_mode=jwt`, and verify it.
    #[arg(long)]
    pub jarm: bool,
    /// The loopback redirect URI to listen on, `http://127.0.0.1:PORT/PATH` (or `[::1]`);
    /// without a port, a free one. Default: a free port of 127.0.0.1 and `/callback`.
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,
    /// Do not open a browser; only print the authorization URL.
    #[arg(long)]
    pub no_browser: bool,
    /// How long to wait for the redirect, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub timeout: u64,
    #[command(flatten)]
    pub grant: GrantArgs,
    #[command(flatten)]
    pub dpop: DpopArgs,
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Whether the response type is the hybrid `code id_token` (in either order).
fn is_hybrid(response_type: &str) -> CliResult<bool> {
    let mut parts: Vec<&str> = response_type.split_whitespace().collect();
    parts.sort_unstable();
    match parts.as_slice() {
        ["code"] => Ok(false),
        ["code", "id_token"] => Ok(true),
        _ => Err(CliError::usage(format!(
            "--response-type {response_type:?}: use code or \"code id_token\""
        ))),
    }
}

/// Opens `url` in the user's browser, best effort: the URL is printed anyway.
pub fn open_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(target_os = "windows") {
        let mut c = std::process::Command::new("rundll32");
        c.arg("url.dll,FileProtocolHandler");
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let spawned = command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if spawned.is_err() {
        eprintln!("(no browser could be opened: open the URL above yourself)");
    }
}

/// Runs `jose oauth authorize`.
pub async fn run(args: AuthorizeArgs) -> CliResult {
    let out = Output::from(&args.output);
    let issuer = common::issuer_url(&args.issuer)?;
    let hybrid = is_hybrid(&args.response_type)?;
    let extra = common::extra_params(
        &args.client.params,
        &[
            "client_id",
            "redirect_uri",
            "response_type",
            "code_challenge",
            "code_challenge_method",
            "request",
            "request_uri",
        ],
    )?;
    let signer = match &args.jar {
        Some(path) => Some(common::signing_key("jar", path)?),
        None => None,
    };
    let flow = Flow {
        hybrid,
        jarm: args.jarm,
        ..Flow::default()
    };
    let config = common::configure(&issuer, &args.client, flow).await?;
    let (config, notes) = args.dpop.apply(config)?;
    let listener = Loopback::bind(args.redirect_uri.as_deref()).await?;
    let redirect_uri = listener.redirect_uri().to_string();

    let verifier = random_pkce_code_verifier().map_err(common::error)?;
    let params = authorization_params(&args, hybrid, &redirect_uri, &verifier)?;
    let params = common::merge_params(args.grant.with_resources(params), &extra);
    let checks = grant_checks(&params, verifier)?;
    let url = authorization_url(&config, params, signer.as_ref(), args.par, &out).await?;

    eprintln!("Open this URL to authorize (the redirect goes to {redirect_uri}):");
    eprintln!("{url}");
    if !args.no_browser {
        open_browser(url.as_str());
    }
    let callback = listener.wait(Duration::from_secs(args.timeout)).await?;

    // The token request names the resources again (RFC 8707 §2.2).
    let token_params = args.grant.with_resources(Params::new());
    let tokens = config
        .authorization_code_grant_with_callback(&callback, &checks, token_params)
        .await
        .map_err(|e| common::fail(&out, e))?;
    out.print_tokens(&tokens, &notes)
}

/// The authorization request's own parameters: the redirect URI, the scope (`openid` unless
/// `--scope`), PKCE, a random `state`, a random `nonce` for OpenID Connect, and for the hybrid
/// flow its response type and a `form_post` response mode.
fn authorization_params(
    args: &AuthorizeArgs,
    hybrid: bool,
    redirect_uri: &str,
    verifier: &str,
) -> CliResult<Params> {
    let random = |e| common::error(e);
    let scope = args
        .grant
        .scope
        .clone()
        .unwrap_or_else(|| "openid".to_owned());
    let mut params = Params::from([
        ("redirect_uri", redirect_uri),
        ("scope", scope.as_str()),
        ("code_challenge", pkce_code_challenge(verifier).as_str()),
        ("code_challenge_method", "S256"),
        ("state", random_state().map_err(random)?.as_str()),
    ]);
    if hybrid {
        params.insert("response_type", "code id_token");
    }
    if hybrid || scope.split(' ').any(|s| s == "openid") {
        params.insert("nonce", random_nonce().map_err(random)?);
    }
    if hybrid {
        // A fragment never reaches the loopback listener: post the response instead.
        params.insert(
            "response_mode",
            if args.jarm {
                "form_post.jwt"
            } else {
                "form_post"
            },
        );
    }
    Ok(params)
}

/// What the callback and the tokens must match: the PKCE verifier, and the `state`, `nonce`
/// and `max_age` the request carries (a `--param` may have replaced or added them).
fn grant_checks(params: &Params, verifier: String) -> CliResult<AuthorizationCodeGrantChecks> {
    let mut checks = AuthorizationCodeGrantChecks::new().pkce_code_verifier(verifier);
    checks = match params.get("state") {
        Some(state) => checks.expected_state(state.to_owned()),
        None => checks.skip_state_check(),
    };
    if let Some(nonce) = params.get("nonce") {
        checks = checks.expected_nonce(nonce.to_owned());
    }
    if let Some(max_age) = params.get("max_age") {
        let max_age = max_age
            .parse::<u64>()
            .map_err(|_| CliError::usage("--param max_age: a number of seconds"))?;
        checks = checks.max_age(max_age);
    }
    Ok(checks)
}

/// The URL for the browser: the parameters in the query, in a signed request object
/// (`--jar`), pushed first (`--par`), or a pushed request object.
async fn authorization_url(
    config: &Configuration,
    params: Params,
    signer: Option<&SigningKey>,
    par: bool,
    out: &Output,
) -> CliResult<Url> {
    match (signer, par) {
        (Some(signer), true) => {
            let jar = config
                .request_object(params, signer)
                .await
                .map_err(|e| common::fail(out, e))?;
            config.build_authorization_url_with_par(jar).await
        }
        (Some(signer), false) => {
            config
                .build_authorization_url_with_jar(params, signer)
                .await
        }
        (None, true) => config.build_authorization_url_with_par(params).await,
        (None, false) => config.build_authorization_url(params),
    }
    .map_err(|e| common::fail(out, e))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    #[test]
    fn response_types_are_code_or_hybrid() {
        assert!(!is_hybrid("code").unwrap());
        assert!(is_hybrid("code id_token").unwrap());
        assert!(is_hybrid("id_token  code").unwrap());
        assert_eq!(is_hybrid("token").unwrap_err().exit_code(), 2);
        assert_eq!(is_hybrid("code token").unwrap_err().exit_code(), 2);
    }
}
