//! What every `jose oauth` subcommand shares: client authentication and transport flags, the
//! `Configuration` they build, parameters, and the mapping of errors to exit codes.

use crate::cmd::oauth::output::Output;
use crate::error::{CliError, CliResult};
use crate::io;
use crate::secret_arg::SecretArg;
use clap::{Args, ValueEnum};
use jose_core::alg::ContentEncryptionAlgorithm;
use jws::SigningKey;
use oauth_client::{
    ClientAuth, ClientMetadata, Configuration, ConfigurationBuilder, Decryption,
    DiscoveryAlgorithm, Params, ReqwestHttpClient,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use url::Url;

/// Transport flags: plain HTTP for local servers, extra trust anchors.
#[derive(Debug, Args)]
#[command(next_help_heading = "Transport")]
pub struct TransportArgs {
    /// Allow plain `http:` URLs (issuer, endpoints, JWK Set). For local test servers only.
    #[arg(long)]
    pub insecure_http: bool,
    /// Trust these PEM root certificates in addition to the system's (a test CA).
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Discovery document to use: `oidc` (`/.well-known/openid-configuration`), `oauth2`
    /// (RFC 8414 `/.well-known/oauth-authorization-server`), or `auto` (OpenID Connect first,
    /// RFC 8414 when that is not found).
    #[arg(long, value_enum, default_value_t = DiscoveryArg::Auto)]
    pub discovery: DiscoveryArg,
}

/// Which well-known document describes the issuer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiscoveryArg {
    /// OpenID Connect Discovery, then RFC 8414 when the first is not found.
    Auto,
    /// OpenID Connect Discovery 1.0 only.
    Oidc,
    /// RFC 8414 only.
    Oauth2,
}

/// `--json` and `--show-secrets`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Print one JSON object on stdout: the server's response as it sent it (plus
    /// `id_token_claims` where an ID Token was validated).
    #[arg(long)]
    pub json: bool,
    /// Print tokens and secrets (access, refresh and ID Tokens, client secrets, registration
    /// access tokens); without it they are shown as `[hidden]`.
    #[arg(long)]
    pub show_secrets: bool,
}

/// Client authentication methods (`--auth-method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum AuthMethodArg {
    /// A public client: only `client_id` is sent.
    None,
    /// HTTP Basic with the client id and secret.
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the request body.
    ClientSecretPost,
    /// An HMAC-signed client assertion keyed with the secret (RFC 7523).
    ClientSecretJwt,
    /// A client assertion signed with `--private-key` (RFC 7523).
    PrivateKeyJwt,
    /// A CA-issued TLS client certificate, `--cert` and `--cert-key` (RFC 8705 §2.1).
    TlsClientAuth,
    /// A self-signed TLS client certificate registered in the client's JWK Set (RFC 8705 §2.2).
    SelfSignedTlsClientAuth,
}

/// The client and how it authenticates, shared by every subcommand that talks to an endpoint.
#[derive(Debug, Args)]
#[command(next_help_heading = "Client")]
pub struct ClientArgs {
    /// The client identifier.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// The client secret. Other users of this machine may see command lines: prefer
    /// `--client-secret-file`.
    #[arg(
        long,
        value_name = "SECRET",
        conflicts_with = "client_secret_file",
        allow_hyphen_values = true
    )]
    pub client_secret: Option<SecretArg>,
    /// A file holding the client secret (one trailing newline is ignored); `-` reads stdin.
    #[arg(long, value_name = "FILE")]
    pub client_secret_file: Option<PathBuf>,
    /// How the client authenticates at the token, PAR, introspection and revocation
    /// endpoints. Default: `private_key_jwt` with `--private-key`, `client_secret_basic` with
    /// a secret, `tls_client_auth` with `--cert`, otherwise `none`.
    #[arg(long, value_enum, value_name = "METHOD")]
    pub auth_method: Option<AuthMethodArg>,
    /// The private key (JWK or PEM) that signs `private_key_jwt` assertions.
    #[arg(long, value_name = "FILE")]
    pub private_key: Option<PathBuf>,
    /// The client's TLS certificate (PEM, leaf first) for mTLS (RFC 8705): client
    /// authentication and certificate-bound tokens. The server's `mtls_endpoint_aliases` are
    /// used.
    #[arg(long, value_name = "FILE", requires = "cert_key")]
    pub cert: Option<PathBuf>,
    /// The private key (PEM) of `--cert`.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub cert_key: Option<PathBuf>,
    /// The client's registered metadata that changes what to expect, as a JSON object: for
    /// example `{"introspection_signed_response_alg":"ES256"}` asks for JWT introspection
    /// responses, `{"userinfo_signed_response_alg":"RS256"}` for signed UserInfo,
    /// `{"request_object_encryption_alg":"RSA-OAEP-256"}` encrypts `--jar` request objects.
    #[arg(long, value_name = "JSON")]
    pub client_metadata: Option<String>,
    /// An extra request parameter, `NAME=VALUE` (repeatable; repeated names are all sent).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// The client's private key(s), a JWK or JWK Set, for encrypted ID Tokens, UserInfo and
    /// introspection responses (ECDH-ES, RSA-OAEP).
    #[arg(long, value_name = "FILE")]
    pub decryption_key: Option<PathBuf>,
    #[command(flatten)]
    pub transport: TransportArgs,
}

/// `--scope` and `--resource`, for every grant.
#[derive(Debug, Args)]
#[command(next_help_heading = "Request")]
pub struct GrantArgs {
    /// The scope to request (space-separated).
    #[arg(long)]
    pub scope: Option<String>,
    /// A resource indicator (RFC 8707): the URI of the API the token is for (repeatable).
    #[arg(long, value_name = "URI")]
    pub resource: Vec<String>,
}

impl GrantArgs {
    /// `scope` and `resource` parameters.
    pub fn params(&self) -> Params {
        let mut params = Params::new();
        if let Some(scope) = &self.scope {
            params.insert("scope", scope.as_str());
        }
        self.with_resources(params)
    }

    /// `params` with a `resource` parameter for each `--resource`.
    pub fn with_resources(&self, mut params: Params) -> Params {
        for resource in &self.resource {
            params = params.resource(resource.as_str());
        }
        params
    }
}

/// Options of the configuration that depend on the flow.
#[derive(Clone, Copy, Debug, Default)]
pub struct Flow {
    /// The hybrid flow, `code id_token`.
    pub hybrid: bool,
    /// JARM (`response_mode=jwt`).
    pub jarm: bool,
    /// CIBA: the client metadata says `backchannel_token_delivery_mode: poll` unless
    /// `--client-metadata` says otherwise.
    pub ciba: bool,
    /// CIBA with `user_code`: `backchannel_user_code_parameter: true` unless said otherwise.
    pub ciba_user_code: bool,
}

/// The issuer argument as a URL.
pub fn issuer_url(issuer: &str) -> CliResult<Url> {
    Url::parse(issuer).map_err(|e| CliError::usage(format!("ISSUER {issuer:?}: {e}")))
}

/// A token-like argument; `-` reads it from stdin (without surrounding whitespace).
pub fn value_arg(name: &str, value: &str) -> CliResult<String> {
    let value = if value == "-" {
        io::read_stdin_text()?
    } else {
        value.to_owned()
    };
    if value.is_empty() {
        return Err(CliError::usage(format!("--{name} is empty")));
    }
    Ok(value)
}

/// Reads a secret file: its text without one trailing newline.
fn read_secret_file(path: &Path) -> CliResult<String> {
    let bytes = io::read_file(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::usage(format!("{}: not UTF-8", path.display())))?;
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    Ok(text.to_owned())
}

/// `--param NAME=VALUE` values as parameters, refusing the names in `reserved` (set by the
/// command itself).
pub fn extra_params(values: &[String], reserved: &[&str]) -> CliResult<Params> {
    let mut params = Params::new();
    for item in values {
        let Some((name, value)) = item.split_once('=') else {
            return Err(CliError::usage(format!(
                "--param {item:?}: expected NAME=VALUE"
            )));
        };
        if name.is_empty() {
            return Err(CliError::usage(format!("--param {item:?}: empty name")));
        }
        if reserved.contains(&name) {
            return Err(CliError::usage(format!(
                "--param {name}: set by this command; it cannot be overridden"
            )));
        }
        params = params.append(name, value);
    }
    Ok(params)
}

/// `base` with `extra` merged in: a name given in `extra` replaces every value of `base`.
pub fn merge_params(base: Params, extra: &Params) -> Params {
    let mut merged = base;
    merged.merge(extra);
    merged
}

/// A signing key from a JWK or PEM file; its algorithm comes from the key.
pub fn signing_key(flag: &str, path: &Path) -> CliResult<SigningKey> {
    let key = io::read_single_key(path)?;
    SigningKey::from_jwk(key).map_err(|e| match e {
        jws::JwsError::NoAlgorithmAllowed => CliError::usage(format!(
            "--{flag} {}: the key does not imply an algorithm; give the JWK an \"alg\"",
            path.display()
        )),
        other => CliError::usage(format!("--{flag} {}: {other}", path.display())),
    })
}

/// The HTTP client: the system's roots plus `--ca-cert`, and the client certificate.
fn http_client(
    transport: &TransportArgs,
    certificate: Option<(&Path, &Path)>,
) -> CliResult<ReqwestHttpClient> {
    let mut builder =
        ReqwestHttpClient::builder().user_agent(concat!("jose-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(ca) = &transport.ca_cert {
        builder = builder.add_root_certificates(&io::read_file(ca)?);
    }
    if let Some((cert, key)) = certificate {
        // The private key's bytes are wiped once the builder has its own (zeroized) copy.
        let key_pem = zeroize::Zeroizing::new(io::read_file(key)?);
        builder = builder.client_certificate(&io::read_file(cert)?, &key_pem);
    }
    builder
        .build()
        .map_err(|e| CliError::usage(format!("HTTP client: {e}")))
}

/// A builder with the transport options only, for commands without a client (discovery,
/// registration).
pub fn bare_builder(
    client: ClientMetadata,
    transport: &TransportArgs,
) -> CliResult<ConfigurationBuilder> {
    let mut builder = Configuration::builder(client, ClientAuth::none())
        .http_client(http_client(transport, None)?);
    if transport.insecure_http {
        builder = builder.allow_insecure_requests();
    }
    Ok(builder)
}

/// Discovers the issuer with a builder, following `--discovery`.
pub async fn discover(
    builder: ConfigurationBuilder,
    issuer: &Url,
    which: DiscoveryArg,
) -> CliResult<Configuration> {
    let result = match which {
        DiscoveryArg::Oidc => {
            builder
                .discover_with(issuer, DiscoveryAlgorithm::Oidc)
                .await
        }
        DiscoveryArg::Oauth2 => {
            builder
                .discover_with(issuer, DiscoveryAlgorithm::OAuth2)
                .await
        }
        DiscoveryArg::Auto => match builder
            .clone()
            .discover_with(issuer, DiscoveryAlgorithm::Oidc)
            .await
        {
            Err(oauth_client::Error::UnexpectedStatus { status: 404, .. }) => {
                builder
                    .discover_with(issuer, DiscoveryAlgorithm::OAuth2)
                    .await
            }
            other => other,
        },
    };
    result.map_err(error)
}

/// The configuration for a client: metadata, authentication, transport, discovery.
pub async fn configure(issuer: &Url, args: &ClientArgs, flow: Flow) -> CliResult<Configuration> {
    let Some(client_id) = args.client_id.as_deref() else {
        return Err(CliError::usage("--client-id is required"));
    };
    let mut metadata = client_metadata(args, client_id, flow)?;
    let auth = client_auth(args)?;
    let certificate = match (&args.cert, &args.cert_key) {
        (Some(cert), Some(key)) => {
            metadata.use_mtls_endpoint_aliases.get_or_insert(true);
            Some((cert.as_path(), key.as_path()))
        }
        _ => None,
    };
    let mut builder = Configuration::builder(metadata, auth)
        .http_client(http_client(&args.transport, certificate)?);
    if args.transport.insecure_http {
        builder = builder.allow_insecure_requests();
    }
    if let Some(path) = &args.decryption_key {
        let keys = io::read_keys(path)?;
        if keys.is_empty() {
            return Err(CliError::usage(format!(
                "--decryption-key {}: no usable key",
                path.display()
            )));
        }
        builder = builder.decrypt_responses(Decryption::new(keys, ALL_ENCRYPTIONS));
    }
    if flow.hybrid {
        builder = builder.use_code_id_token_response_type();
    }
    if flow.jarm {
        builder = builder.use_jwt_response_mode();
    }
    discover(builder, issuer, args.transport.discovery).await
}

/// `--client-metadata` (or just the client id), with what the flow needs: CIBA's poll mode
/// and user code unless the metadata says otherwise.
fn client_metadata(args: &ClientArgs, client_id: &str, flow: Flow) -> CliResult<ClientMetadata> {
    let mut metadata = match &args.client_metadata {
        Some(text) => {
            let object = io::parse_object_arg("client-metadata", text)?;
            serde_json::from_value::<ClientMetadata>(serde_json::Value::Object(object))
                .map_err(|e| CliError::usage(format!("--client-metadata: {e}")))?
        }
        None => ClientMetadata::new(client_id),
    };
    metadata.client_id = client_id.to_owned();
    if flow.ciba {
        metadata
            .backchannel_token_delivery_mode
            .get_or_insert_with(|| "poll".to_owned());
    }
    if flow.ciba_user_code {
        metadata.backchannel_user_code_parameter.get_or_insert(true);
    }
    Ok(metadata)
}

/// The client authentication of `--auth-method`, or the one the given credentials imply
/// (`--private-key`, then a secret, then `--cert`, then none).
fn client_auth(args: &ClientArgs) -> CliResult<ClientAuth> {
    let secret = match (&args.client_secret, &args.client_secret_file) {
        (Some(s), _) => Some(s.to_string()),
        (None, Some(path)) => Some(read_secret_file(path)?),
        (None, None) => None,
    };
    let method = args.auth_method.unwrap_or(if args.private_key.is_some() {
        AuthMethodArg::PrivateKeyJwt
    } else if secret.is_some() {
        AuthMethodArg::ClientSecretBasic
    } else if args.cert.is_some() {
        AuthMethodArg::TlsClientAuth
    } else {
        AuthMethodArg::None
    });
    let need_secret = || {
        secret.clone().ok_or_else(|| {
            CliError::usage("this --auth-method needs --client-secret or --client-secret-file")
        })
    };
    let auth = match method {
        AuthMethodArg::None => ClientAuth::none(),
        AuthMethodArg::ClientSecretBasic => ClientAuth::client_secret_basic(need_secret()?),
        AuthMethodArg::ClientSecretPost => ClientAuth::client_secret_post(need_secret()?),
        AuthMethodArg::ClientSecretJwt => ClientAuth::client_secret_jwt(need_secret()?),
        AuthMethodArg::PrivateKeyJwt => {
            let Some(path) = &args.private_key else {
                return Err(CliError::usage("private_key_jwt needs --private-key"));
            };
            ClientAuth::private_key_jwt(signing_key("private-key", path)?)
        }
        AuthMethodArg::TlsClientAuth | AuthMethodArg::SelfSignedTlsClientAuth => {
            if args.cert.is_none() {
                return Err(CliError::usage(
                    "TLS client authentication needs --cert and --cert-key",
                ));
            }
            if method == AuthMethodArg::TlsClientAuth {
                ClientAuth::tls_client_auth()
            } else {
                ClientAuth::self_signed_tls_client_auth()
            }
        }
    };
    Ok(auth)
}

/// Every content encryption algorithm: the client accepts whatever its key fits.
const ALL_ENCRYPTIONS: [ContentEncryptionAlgorithm; 6] = [
    ContentEncryptionAlgorithm::A128CbcHs256,
    ContentEncryptionAlgorithm::A192CbcHs384,
    ContentEncryptionAlgorithm::A256CbcHs512,
    ContentEncryptionAlgorithm::A128Gcm,
    ContentEncryptionAlgorithm::A192Gcm,
    ContentEncryptionAlgorithm::A256Gcm,
];

/// A DPoP client from `--dpop KEYFILE` or a fresh ES256 key (`--dpop-generate`).
pub fn dpop_client(key: Option<&Path>, generate: bool) -> CliResult<Option<Arc<dpop::DpopClient>>> {
    if let Some(path) = key {
        let key = dpop::DpopKey::new(signing_key("dpop", path)?)
            .map_err(|e| CliError::usage(format!("--dpop {}: {e}", path.display())))?;
        return Ok(Some(Arc::new(dpop::DpopClient::new(key))));
    }
    if generate {
        let client = dpop::DpopClient::generate(jose_core::alg::JwsAlgorithm::ES256)
            .map_err(|e| CliError::usage(format!("--dpop-generate: {e}")))?;
        return Ok(Some(Arc::new(client)));
    }
    Ok(None)
}

/// Maps a library error to the CLI's exit codes: what the caller got wrong (flags,
/// configuration) is a usage error (2); what the server answered or sent is exit 1.
pub fn error(e: oauth_client::Error) -> CliError {
    use oauth_client::Error as E;
    match &e {
        E::OAuth(r) => CliError::invalid(format!(
            "the {} endpoint answered HTTP {}: {}{}",
            r.endpoint,
            r.status,
            r.error,
            describe(r.error_description.as_deref())
        )),
        E::Authorization(r) => CliError::invalid(format!(
            "the authorization server redirected back with an error: {}{}",
            r.error,
            describe(r.error_description.as_deref())
        )),
        E::Challenge(c) => {
            let first = c.challenges.first();
            CliError::invalid(format!(
                "the {} endpoint answered HTTP {}: {}{} (WWW-Authenticate: {})",
                c.endpoint,
                c.status,
                c.error().unwrap_or("no error code"),
                describe(first.and_then(|ch| ch.error_description())),
                first.map_or("?", |ch| ch.scheme())
            ))
        }
        E::InsecureUrl { .. } => CliError::usage(format!(
            "{e} (pass --insecure-http for a local test server)"
        )),
        E::PushedAuthorizationRequired => CliError::usage(format!("{e}: pass --par")),
        E::RequestObjectRequired => CliError::usage(format!("{e}: pass --jar KEYFILE")),
        E::InvalidArgument(_) | E::InvalidConfiguration(_) => CliError::usage(e),
        _ => CliError::invalid(e),
    }
}

fn describe(description: Option<&str>) -> String {
    description
        .map(|d| format!(": {}", jose_core::json::truncate_for_error(d)))
        .unwrap_or_default()
}

/// [`error`], and with `--json` the server's error as a JSON object on stdout: the error
/// response's members as the server sent them plus `http_status`.
pub fn fail(out: &Output, e: oauth_client::Error) -> CliError {
    use oauth_client::Error as E;
    if out.json {
        let body = match &e {
            E::OAuth(r) => {
                let mut body = r.body.clone();
                body.insert("http_status".into(), r.status.into());
                Some(body)
            }
            E::Authorization(r) => Some(
                r.params
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect(),
            ),
            E::Challenge(c) => {
                let mut body = serde_json::Map::new();
                if let Some(first) = c.challenges.first() {
                    body.insert("scheme".into(), first.scheme().into());
                    for (k, v) in first.params() {
                        body.insert(k.clone(), v.clone().into());
                    }
                }
                body.insert("http_status".into(), c.status.into());
                Some(body)
            }
            _ => None,
        };
        if let Some(body) = body {
            // The error line on stderr is what matters; a failed write changes nothing.
            let _ = out.print_object(&body);
        }
    }
    error(e)
}
