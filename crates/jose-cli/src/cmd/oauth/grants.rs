//! `jose oauth client-credentials`, `refresh` and `token-exchange`: grants without a user
//! agent.

use crate::cmd::oauth::common::{self, ClientArgs, Flow, GrantArgs, OutputArgs};
use crate::cmd::oauth::output::Output;
use crate::error::CliResult;
use crate::secret_arg::SecretArg;
use clap::Args;
use oauth_client::Params;
use std::path::PathBuf;

/// DPoP flags of the grants.
#[derive(Debug, Args)]
#[command(next_help_heading = "DPoP")]
pub struct DpopArgs {
    /// Bind the tokens to this DPoP key (RFC 9449): a private JWK or PEM (ES256 is usual).
    #[arg(long, value_name = "KEYFILE", conflicts_with = "dpop_generate")]
    pub dpop: Option<PathBuf>,
    /// Bind the tokens to a fresh ES256 key, used for this command only. To use the
    /// tokens later, make a key with `jose key generate --alg ES256` and pass `--dpop`.
    #[arg(long)]
    pub dpop_generate: bool,
}

impl DpopArgs {
    /// The configuration with the DPoP handle, when asked for, and a note for the output.
    pub fn apply(
        &self,
        config: oauth_client::Configuration,
    ) -> CliResult<(oauth_client::Configuration, Vec<(String, String)>)> {
        match common::dpop_client(self.dpop.as_deref(), self.dpop_generate)? {
            Some(client) => {
                let note = (
                    "DPoP key thumbprint (jkt)".to_owned(),
                    client.dpop_jkt().to_owned(),
                );
                Ok((config.with_dpop(client), vec![note]))
            }
            None => Ok((config, Vec::new())),
        }
    }
}

/// `jose oauth client-credentials` arguments.
#[derive(Debug, Args)]
pub struct ClientCredentialsArgs {
    /// The issuer identifier.
    pub issuer: String,
    #[command(flatten)]
    pub grant: GrantArgs,
    #[command(flatten)]
    pub dpop: DpopArgs,
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `jose oauth refresh` arguments.
#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// The issuer identifier.
    pub issuer: String,
    /// The refresh token; `-` reads it from stdin.
    #[arg(long, value_name = "TOKEN", allow_hyphen_values = true)]
    pub refresh_token: SecretArg,
    #[command(flatten)]
    pub grant: GrantArgs,
    #[command(flatten)]
    pub dpop: DpopArgs,
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `jose oauth token-exchange` arguments.
#[derive(Debug, Args)]
pub struct TokenExchangeArgs {
    /// The issuer identifier.
    pub issuer: String,
    /// The token to exchange: who the request is about; `-` reads it from stdin.
    #[arg(long, value_name = "TOKEN", allow_hyphen_values = true)]
    pub subject_token: SecretArg,
    /// Its type: a URI, or one of the short names `access_token`, `refresh_token`,
    /// `id_token`, `jwt`, `saml1`, `saml2` (for `urn:ietf:params:oauth:token-type:...`).
    #[arg(long, value_name = "TYPE")]
    pub subject_token_type: String,
    /// A token for the party that acts on behalf of the subject (delegation).
    #[arg(
        long,
        value_name = "TOKEN",
        requires = "actor_token_type",
        allow_hyphen_values = true
    )]
    pub actor_token: Option<SecretArg>,
    /// The actor token's type (as `--subject-token-type`).
    #[arg(long, value_name = "TYPE", requires = "actor_token")]
    pub actor_token_type: Option<String>,
    /// The type of token wanted (as `--subject-token-type`).
    #[arg(long, value_name = "TYPE")]
    pub requested_token_type: Option<String>,
    /// A logical name of the target service (repeatable).
    #[arg(long, value_name = "NAME")]
    pub audience: Vec<String>,
    #[command(flatten)]
    pub grant: GrantArgs,
    #[command(flatten)]
    pub dpop: DpopArgs,
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The `grant_type` of token exchange (RFC 8693 §2.1).
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// A token type URI from a short name (RFC 8693 §3), or the URI as given.
pub fn token_type_uri(value: &str) -> String {
    match value {
        "access_token" | "refresh_token" | "id_token" | "jwt" | "saml1" | "saml2" => {
            format!("urn:ietf:params:oauth:token-type:{value}")
        }
        other => other.to_owned(),
    }
}

/// Runs `jose oauth client-credentials`.
pub async fn client_credentials(args: ClientCredentialsArgs) -> CliResult {
    let out = Output::from(&args.output);
    let issuer = common::issuer_url(&args.issuer)?;
    let extra = common::extra_params(&args.client.params, &["grant_type"])?;
    let config = common::configure(&issuer, &args.client, Flow::default()).await?;
    let (config, notes) = args.dpop.apply(config)?;
    let params = common::merge_params(args.grant.params(), &extra);
    let tokens = config
        .client_credentials_grant(params)
        .await
        .map_err(|e| common::fail(&out, e))?;
    out.print_tokens(&tokens, &notes)
}

/// Runs `jose oauth refresh`.
pub async fn refresh(args: RefreshArgs) -> CliResult {
    let out = Output::from(&args.output);
    let issuer = common::issuer_url(&args.issuer)?;
    let refresh_token = common::value_arg("refresh-token", &args.refresh_token)?;
    let extra = common::extra_params(&args.client.params, &["grant_type", "refresh_token"])?;
    let config = common::configure(&issuer, &args.client, Flow::default()).await?;
    let (config, notes) = args.dpop.apply(config)?;
    let params = common::merge_params(args.grant.params(), &extra);
    let tokens = config
        .refresh_token_grant(&refresh_token, params)
        .await
        .map_err(|e| common::fail(&out, e))?;
    out.print_tokens(&tokens, &notes)
}

/// Runs `jose oauth token-exchange`.
pub async fn token_exchange(args: TokenExchangeArgs) -> CliResult {
    let out = Output::from(&args.output);
    let issuer = common::issuer_url(&args.issuer)?;
    let subject_token = common::value_arg("subject-token", &args.subject_token)?;
    let extra = common::extra_params(
        &args.client.params,
        &["grant_type", "subject_token", "subject_token_type"],
    )?;
    let mut params = Params::from([
        ("subject_token", subject_token.as_str()),
        (
            "subject_token_type",
            token_type_uri(&args.subject_token_type).as_str(),
        ),
    ]);
    if let (Some(token), Some(kind)) = (&args.actor_token, &args.actor_token_type) {
        let token = common::value_arg("actor-token", token)?;
        params.insert("actor_token", token);
        params.insert("actor_token_type", token_type_uri(kind));
    }
    if let Some(kind) = &args.requested_token_type {
        params.insert("requested_token_type", token_type_uri(kind));
    }
    for audience in &args.audience {
        params = params.append("audience", audience.as_str());
    }
    params.merge(&args.grant.params());
    let params = common::merge_params(params, &extra);
    let config = common::configure(&issuer, &args.client, Flow::default()).await?;
    let (config, notes) = args.dpop.apply(config)?;
    let tokens = config
        .generic_grant(TOKEN_EXCHANGE, params)
        .await
        .map_err(|e| common::fail(&out, e))?;
    out.print_tokens(&tokens, &notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_token_type_names_expand_to_their_uris() {
        assert_eq!(
            token_type_uri("access_token"),
            "urn:ietf:params:oauth:token-type:access_token"
        );
        assert_eq!(
            token_type_uri("saml2"),
            "urn:ietf:params:oauth:token-type:saml2"
        );
        assert_eq!(token_type_uri("urn:example:custom"), "urn:example:custom");
    }
}
