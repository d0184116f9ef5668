//! `jose oauth discover`: the validated metadata, and what is missing or insecure in it.

use crate::cmd::oauth::common::{self, OutputArgs, TransportArgs};
use crate::cmd::oauth::output::Output;
use crate::error::{CliError, CliResult};
use crate::io;
use clap::Args;
use oauth_client::ClientMetadata;
use serde_json::{Map, Value};

/// `jose oauth discover` arguments.
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The issuer identifier (`https://op.example`); the metadata must name exactly it.
    pub issuer: String,
    #[command(flatten)]
    pub transport: TransportArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Something a client needs, or a protection, is not offered.
    Missing,
    /// Something offered weakens the clients that use it.
    Insecure,
}

/// One remark about the metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// How bad.
    pub severity: Severity,
    /// The metadata member concerned.
    pub member: String,
    /// What is wrong.
    pub message: String,
}

impl Finding {
    fn new(severity: Severity, member: &str, message: impl Into<String>) -> Self {
        Self {
            severity,
            member: member.to_owned(),
            message: message.into(),
        }
    }
}

fn strings<'a>(metadata: &'a Map<String, Value>, member: &str) -> Option<Vec<&'a str>> {
    metadata
        .get(member)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
}

/// Reviews server metadata: missing endpoints and protections, insecure options.
pub fn findings(metadata: &Map<String, Value>) -> Vec<Finding> {
    let mut out = Vec::new();
    missing_endpoints(metadata, &mut out);
    authorization_protections(metadata, &mut out);
    member_values(metadata, &mut out);
    mtls_aliases(metadata, &mut out);
    removed_flows(metadata, &mut out);
    request_uri_registration(metadata, &mut out);
    out
}

/// The endpoints every client needs: authorization, token, JWK Set.
fn missing_endpoints(metadata: &Map<String, Value>, out: &mut Vec<Finding>) {
    use Severity::Missing;
    for member in ["authorization_endpoint", "token_endpoint", "jwks_uri"] {
        if !metadata.contains_key(member) {
            let why = match member {
                "authorization_endpoint" => {
                    "no browser-based flow (authorization code) is possible"
                }
                "token_endpoint" => "no grant can be redeemed",
                _ => "ID Tokens and signed responses cannot be verified",
            };
            out.push(Finding::new(
                Missing,
                member,
                format!("not advertised: {why}"),
            ));
        }
    }
}

/// PKCE (S256 offered, plain not) and the RFC 9207 `iss` response parameter.
fn authorization_protections(metadata: &Map<String, Value>, out: &mut Vec<Finding>) {
    use Severity::{Insecure, Missing};
    let pkce = strings(metadata, "code_challenge_methods_supported").unwrap_or_default();
    if !pkce.contains(&"S256") {
        out.push(Finding::new(
            Missing,
            "code_challenge_methods_supported",
            "PKCE with S256 is not advertised (RFC 7636, required by OAuth 2.1)",
        ));
    }
    if pkce.contains(&"plain") {
        out.push(Finding::new(
            Insecure,
            "code_challenge_methods_supported",
            "PKCE method plain is offered: the challenge is the verifier itself",
        ));
    }
    if metadata.get("authorization_response_iss_parameter_supported") != Some(&Value::Bool(true))
        && metadata.contains_key("authorization_endpoint")
    {
        out.push(Finding::new(
            Missing,
            "authorization_response_iss_parameter_supported",
            "no RFC 9207 iss parameter in authorization responses: clients of several servers are exposed to mix-up attacks",
        ));
    }
}

/// Every member on its own: endpoint URLs over HTTPS, no `none` signing, no `RSA1_5`.
fn member_values(metadata: &Map<String, Value>, out: &mut Vec<Finding>) {
    use Severity::Insecure;
    for (member, value) in metadata {
        let is_url_member = member.ends_with("_endpoint") || member == "jwks_uri";
        if is_url_member
            && let Some(url) = value.as_str()
            && !url.starts_with("https://")
        {
            out.push(Finding::new(
                Insecure,
                member,
                format!("{url} is not HTTPS"),
            ));
        }
        if member.ends_with("signing_alg_values_supported")
            && strings(metadata, member).is_some_and(|algs| algs.contains(&"none"))
        {
            out.push(Finding::new(
                Insecure,
                member,
                "alg none is offered: unsigned JWTs",
            ));
        }
        if member.ends_with("encryption_alg_values_supported")
            && strings(metadata, member).is_some_and(|algs| algs.contains(&"RSA1_5"))
        {
            out.push(Finding::new(
                Insecure,
                member,
                "RSA1_5 is offered: RSA PKCS #1 v1.5 key transport is open to padding-oracle attacks",
            ));
        }
    }
}

/// The mTLS endpoint aliases, over HTTPS.
fn mtls_aliases(metadata: &Map<String, Value>, out: &mut Vec<Finding>) {
    use Severity::Insecure;
    if let Some(aliases) = metadata
        .get("mtls_endpoint_aliases")
        .and_then(Value::as_object)
    {
        for (member, value) in aliases {
            if let Some(url) = value.as_str()
                && !url.starts_with("https://")
            {
                out.push(Finding::new(
                    Insecure,
                    &format!("mtls_endpoint_aliases.{member}"),
                    format!("{url} is not HTTPS"),
                ));
            }
        }
    }
}

/// Response types and grants OAuth 2.1 removed: implicit, password.
fn removed_flows(metadata: &Map<String, Value>, out: &mut Vec<Finding>) {
    use Severity::Insecure;
    let response_types = strings(metadata, "response_types_supported").unwrap_or_default();
    if response_types
        .iter()
        .any(|t| t.split(' ').any(|part| part == "token"))
    {
        out.push(Finding::new(
            Insecure,
            "response_types_supported",
            "response types with token (implicit flow) are offered: access tokens in the browser's URL",
        ));
    }
    let grants = strings(metadata, "grant_types_supported").unwrap_or_default();
    if grants.contains(&"password") {
        out.push(Finding::new(
            Insecure,
            "grant_types_supported",
            "the resource owner password credentials grant is offered (removed by OAuth 2.1)",
        ));
    }
    if grants.contains(&"implicit") {
        out.push(Finding::new(
            Insecure,
            "grant_types_supported",
            "the implicit grant is offered (removed by OAuth 2.1)",
        ));
    }
}

/// `request_uri` values the server would fetch without registration.
fn request_uri_registration(metadata: &Map<String, Value>, out: &mut Vec<Finding>) {
    use Severity::Insecure;
    if metadata.get("request_uri_parameter_supported") != Some(&Value::Bool(false))
        && metadata.get("require_request_uri_registration") != Some(&Value::Bool(true))
        && metadata.contains_key("authorization_endpoint")
        && metadata.contains_key("request_uri_parameter_supported")
    {
        out.push(Finding::new(
            Insecure,
            "require_request_uri_registration",
            "request_uri values need no registration: the server fetches URLs any client names",
        ));
    }
}

/// Runs `jose oauth discover`.
pub async fn run(args: DiscoverArgs) -> CliResult {
    let out = Output::from(&args.output);
    let issuer = common::issuer_url(&args.issuer)?;
    let builder = common::bare_builder(ClientMetadata::new("jose-cli"), &args.transport)?;
    let config = common::discover(builder, &issuer, args.transport.discovery).await?;
    let metadata = match serde_json::to_value(config.server_metadata()) {
        Ok(Value::Object(m)) => m,
        _ => return Err(CliError::invalid("the metadata cannot be shown as JSON")),
    };
    let found = findings(&metadata);
    if out.json {
        out.print_object(&metadata)?;
        for f in &found {
            eprintln!("jose: {}: {}: {}", label(f.severity), f.member, f.message);
        }
        return Ok(());
    }
    out.print_response(
        &format!(
            "Metadata of {} (issuer checked)",
            metadata_issuer(&metadata)
        ),
        &metadata,
    )?;
    let mut text = String::new();
    if found.is_empty() {
        text.push_str("No findings.\n");
    } else {
        text.push_str("Findings\n");
        for f in &found {
            text.push_str(&format!(
                "  {}: {}: {}\n",
                label(f.severity),
                f.member,
                f.message
            ));
        }
    }
    io::write_stdout(text.as_bytes())
}

fn metadata_issuer(metadata: &Map<String, Value>) -> &str {
    metadata
        .get("issuer")
        .and_then(Value::as_str)
        .unwrap_or("?")
}

fn label(severity: Severity) -> &'static str {
    match severity {
        Severity::Missing => "missing",
        Severity::Insecure => "insecure",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    fn review(json: &str) -> Vec<(Severity, String)> {
        findings(&serde_json::from_str(json).unwrap())
            .into_iter()
            .map(|f| (f.severity, f.member))
            .collect()
    }

    #[test]
    fn a_careful_server_has_no_findings() {
        let good = r#"{
            "issuer": "https://op.example",
            "authorization_endpoint": "https://op.example/auth",
            "token_endpoint": "https://op.example/token",
            "jwks_uri": "https://op.example/jwks",
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": true,
            "id_token_signing_alg_values_supported": ["ES256", "RS256"],
            "response_types_supported": ["code", "code id_token"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "request_uri_parameter_supported": false
        }"#;
        assert_eq!(review(good), vec![]);
    }

    #[test]
    fn missing_and_insecure_options_are_flagged() {
        let bad = r#"{
            "issuer": "http://op.example",
            "authorization_endpoint": "http://op.example/auth",
            "code_challenge_methods_supported": ["plain"],
            "id_token_signing_alg_values_supported": ["none", "RS256"],
            "userinfo_encryption_alg_values_supported": ["RSA1_5"],
            "response_types_supported": ["code", "id_token token"],
            "grant_types_supported": ["password", "implicit"],
            "request_uri_parameter_supported": true,
            "mtls_endpoint_aliases": {"token_endpoint": "http://op.example/mtls/token"}
        }"#;
        let found = review(bad);
        for expected in [
            (Severity::Missing, "token_endpoint"),
            (Severity::Missing, "jwks_uri"),
            (Severity::Missing, "code_challenge_methods_supported"),
            (Severity::Insecure, "code_challenge_methods_supported"),
            (
                Severity::Missing,
                "authorization_response_iss_parameter_supported",
            ),
            (Severity::Insecure, "authorization_endpoint"),
            (Severity::Insecure, "id_token_signing_alg_values_supported"),
            (
                Severity::Insecure,
                "userinfo_encryption_alg_values_supported",
            ),
            (Severity::Insecure, "response_types_supported"),
            (Severity::Insecure, "grant_types_supported"),
            (Severity::Insecure, "require_request_uri_registration"),
            (Severity::Insecure, "mtls_endpoint_aliases.token_endpoint"),
        ] {
            assert!(
                found.contains(&(expected.0, expected.1.to_owned())),
                "{expected:?} not in {found:?}"
            );
        }
    }
}
