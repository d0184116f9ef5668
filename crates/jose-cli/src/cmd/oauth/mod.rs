//! `jose oauth ...`: every OAuth 2.0 / OpenID Connect flow of the workspace from the command
//! line, on top of `oauth-client`, `dpop` and `ciba`.
//!
//! Each subcommand discovers the issuer, runs one flow and prints what the server answered:
//! human-readable by default, one JSON object with `--json`. The user-facing values of the
//! device flow and CIBA go to stderr as soon as they are known. Secrets (tokens, client
//! secrets) are hidden unless `--show-secrets`. Server errors exit 1 with the server's
//! `error`, `error_description` and HTTP status; usage errors exit 2.

mod authorize;
mod ciba;
mod common;
mod device;
mod discover;
mod endpoints;
mod grants;
mod listener;
mod logout_token;
mod output;
mod register;
mod resource_server;

use crate::error::{CliError, CliResult};
use clap::Subcommand;

/// `jose oauth` subcommands.
#[derive(Debug, Subcommand)]
pub enum OauthCommand {
    /// Fetch and validate the issuer's metadata; flag what is missing or insecure.
    Discover(discover::DiscoverArgs),
    /// The authorization code flow with PKCE: open the browser, receive the redirect on a
    /// loopback listener, exchange the code, validate the ID Token, print the tokens. The
    /// scope defaults to `openid`.
    Authorize(Box<authorize::AuthorizeArgs>),
    /// The client credentials grant (RFC 6749 §4.4).
    #[command(name = "client-credentials")]
    ClientCredentials(grants::ClientCredentialsArgs),
    /// The refresh token grant (RFC 6749 §6).
    Refresh(grants::RefreshArgs),
    /// The device authorization grant (RFC 8628): show the user code, verification URI and a
    /// QR code on stderr, then poll until the user is done.
    Device(device::DeviceArgs),
    /// Client-Initiated Backchannel Authentication (CIBA, poll mode): the user approves on
    /// their own device; `auth_req_id` goes to stderr at once, then the command polls.
    Ciba(ciba::CibaArgs),
    /// Token exchange (RFC 8693).
    #[command(name = "token-exchange")]
    TokenExchange(grants::TokenExchangeArgs),
    /// Ask the introspection endpoint about a token (RFC 7662, JWT responses of RFC 9701).
    Introspect(endpoints::IntrospectArgs),
    /// Revoke a token (RFC 7009).
    Revoke(endpoints::RevokeArgs),
    /// Fetch the UserInfo claims with an access token (Bearer or DPoP).
    Userinfo(endpoints::UserinfoArgs),
    /// Dynamic client registration (RFC 7591, OpenID Connect Dynamic Client Registration).
    Register(register::RegisterArgs),
    /// A protected resource that accepts ISSUER's access tokens for `--audience` (Bearer,
    /// DPoP, opaque tokens through introspection with client credentials) and answers each
    /// request with the caller's identity as JSON, or the RFC 6750 / RFC 9449 challenge.
    #[command(name = "resource-server")]
    ResourceServer(resource_server::ResourceServerArgs),
    /// Build the RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0).
    #[command(name = "end-session")]
    EndSession(endpoints::EndSessionArgs),
    /// Validate a back-channel logout token read on stdin against the issuer's discovery and
    /// JWK Set; print `iss`, `sub`, `sid` and `jti`, or exit 1 naming the failed check.
    #[command(name = "logout-token")]
    LogoutToken(logout_token::LogoutTokenArgs),
}

/// Runs a `jose oauth` subcommand on a single-threaded runtime.
pub fn run(command: OauthCommand) -> CliResult {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        match command {
            OauthCommand::Discover(args) => discover::run(args).await,
            OauthCommand::Authorize(args) => authorize::run(*args).await,
            OauthCommand::ClientCredentials(args) => grants::client_credentials(args).await,
            OauthCommand::Refresh(args) => grants::refresh(args).await,
            OauthCommand::Device(args) => device::run(args).await,
            OauthCommand::Ciba(args) => ciba::run(args).await,
            OauthCommand::TokenExchange(args) => grants::token_exchange(args).await,
            OauthCommand::Introspect(args) => endpoints::introspect(args).await,
            OauthCommand::Revoke(args) => endpoints::revoke(args).await,
            OauthCommand::Userinfo(args) => endpoints::userinfo(args).await,
            OauthCommand::Register(args) => register::run(args).await,
            OauthCommand::EndSession(args) => endpoints::end_session(args).await,
            OauthCommand::LogoutToken(args) => logout_token::run(args).await,
            OauthCommand::ResourceServer(args) => resource_server::run(args).await,
        }
    })
}
