//! `jose oauth resource-server`: a protected resource on `--listen` that accepts the access
//! tokens of ISSUER for `--audience` (crate `resource-server`), answering each request with
//! the caller's identity or the RFC 6750 / RFC 9449 challenge.
//!
//! A small HTTP/1.1 server: one request per connection, 16 KiB of request head at most, ten
//! seconds per connection, request bodies ignored.

use super::common;
use crate::error::{CliError, CliResult};
use crate::secret_arg::SecretArg;
use clap::Args;
use dpop::{NonceIssuer, NonceKey, ProofVerifier};
use oauth_client::{ClientAuth, ClientMetadata, Configuration, DiscoveryAlgorithm};
use replay_store::{
    MemoryReplayStore, RedisConfig, RedisConnection, RedisReplayStore, ReplayStore,
};
use resource_server::{
    AccessTokenValidation, DpopOptions, Introspection, Principal, RemoteKeys, RequestInfo,
    ResourceServer, WELL_KNOWN_PATH,
};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Largest request head read.
const MAX_HEAD: usize = 16 << 10;
/// How long one connection may take.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// `jose oauth resource-server ISSUER --audience AUD --listen HOST:PORT ...`
#[derive(Debug, Args)]
pub struct ResourceServerArgs {
    /// The issuer whose access tokens are accepted (its JWK Set is found by discovery).
    pub issuer: String,
    /// This resource's identifier: the `aud` tokens must carry, and `resource` in the RFC 9728
    /// document.
    #[arg(long, value_name = "AUD")]
    pub audience: String,
    /// Where to listen, `HOST:PORT`.
    #[arg(long, value_name = "HOST:PORT")]
    pub listen: String,
    /// A scope every request needs (repeatable).
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// The resource server's client id at the issuer: with a secret or a private key, opaque
    /// tokens are introspected.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// The client secret (`client_secret_basic`).
    #[arg(
        long,
        value_name = "S",
        requires = "client_id",
        conflicts_with = "private_key",
        allow_hyphen_values = true
    )]
    pub client_secret: Option<SecretArg>,
    /// The private key (JWK or PEM) for `private_key_jwt`.
    #[arg(long, value_name = "FILE", requires = "client_id")]
    pub private_key: Option<PathBuf>,
    /// A Redis URL (`redis://` or `rediss://`) for DPoP replay detection shared by several
    /// instances; default: in memory.
    #[arg(long, value_name = "URL")]
    pub replay_store: Option<String>,
    /// The base URL clients use (behind a proxy or load balancer); DPoP `htu` is checked
    /// against it. Default `http://HOST:PORT`.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// A file holding the secret (at least 32 bytes) that seals DPoP nonces; with it, proofs
    /// must carry a server nonce. Instances given the same secret accept each other's nonces.
    #[arg(long, value_name = "FILE")]
    pub dpop_nonce_secret: Option<PathBuf>,
    /// Allow a plain `http:` issuer. For local test servers only.
    #[arg(long)]
    pub insecure_http: bool,
}

/// Runs the server until the process is stopped.
pub async fn run(args: ResourceServerArgs) -> CliResult {
    let server = build(&args).await?;
    let listener = TcpListener::bind(&args.listen)
        .await
        .map_err(|e| CliError::usage(format!("--listen {}: {e}", args.listen)))?;
    eprintln!("listening on http://{}", args.listen);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let server = server.clone();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(CONNECTION_TIMEOUT, serve(stream, &server)).await;
        });
    }
}

async fn build(args: &ResourceServerArgs) -> CliResult<ResourceServer> {
    let issuer = common::issuer_url(&args.issuer)?;
    let mut keys_builder = RemoteKeys::configuration_builder();
    if args.insecure_http {
        keys_builder = keys_builder.allow_insecure_requests();
    }
    let keys = RemoteKeys::discover_with(keys_builder, &issuer, DiscoveryAlgorithm::Oidc)
        .await
        .map_err(common::error)?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.listen));
    let public_url = public_url
        .parse()
        .map_err(|e| CliError::usage(format!("--public-url {public_url}: {e}")))?;
    let mut dpop = DpopOptions::new(ProofVerifier::new(replay_store(args)?), public_url);
    if let Some(path) = &args.dpop_nonce_secret {
        dpop = dpop.require_nonce(Arc::new(NonceIssuer::new(nonce_key(path)?)));
    }
    let mut builder = ResourceServer::builder(
        AccessTokenValidation::new(&args.issuer, &args.audience),
        keys,
    )
    .dpop(dpop)
    .metadata(
        resource_server::ProtectedResourceMetadata::new(&args.audience)
            .authorization_server(&args.issuer)
            .scopes_supported(args.scopes.iter().cloned()),
    );
    for scope in &args.scopes {
        builder = builder
            .required_scope(scope)
            .map_err(|e| CliError::usage(format!("--scope {scope}: {e}")))?;
    }
    if let Some(auth) = client_auth(args)? {
        let client_id = args.client_id.clone().unwrap_or_default();
        let mut config = Configuration::builder(ClientMetadata::new(client_id), auth);
        if args.insecure_http {
            config = config.allow_insecure_requests();
        }
        let config = config
            .discover_with(&issuer, DiscoveryAlgorithm::Oidc)
            .await
            .map_err(common::error)?;
        builder = builder.introspection(Introspection::new(config));
    }
    Ok(builder.build())
}

fn client_auth(args: &ResourceServerArgs) -> CliResult<Option<ClientAuth>> {
    if let Some(secret) = &args.client_secret {
        return Ok(Some(ClientAuth::client_secret_basic(&**secret)));
    }
    if let Some(path) = &args.private_key {
        return Ok(Some(ClientAuth::private_key_jwt(common::signing_key(
            "private-key",
            path,
        )?)));
    }
    Ok(None)
}

fn replay_store(args: &ResourceServerArgs) -> CliResult<Arc<dyn ReplayStore>> {
    match &args.replay_store {
        None => Ok(Arc::new(MemoryReplayStore::new())),
        Some(url) => {
            let config = RedisConfig::from_url(url)
                .map_err(|e| CliError::usage(format!("--replay-store: {e}")))?;
            Ok(Arc::new(RedisReplayStore::new(RedisConnection::new(
                config,
            ))))
        }
    }
}

fn nonce_key(path: &std::path::Path) -> CliResult<NonceKey> {
    let mut bytes = crate::io::read_file(path)?;
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    }
    NonceKey::from_bytes(bytes)
        .map_err(|e| CliError::usage(format!("--dpop-nonce-secret {}: {e}", path.display())))
}

/// One request: the head read (bounded), the answer written, the connection closed.
async fn serve(mut stream: TcpStream, server: &ResourceServer) {
    let mut buffer = Vec::with_capacity(2048);
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > MAX_HEAD {
            return respond(&mut stream, 431, &[], "").await;
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(chunk.get(..n).unwrap_or_default()),
        }
    };
    let head = buffer.get(..head_end).unwrap_or_default();
    let Some(request) = parse_head(head) else {
        return respond(&mut stream, 400, &[], "").await;
    };
    if request.target().split('?').next() == Some(WELL_KNOWN_PATH) && request.method() == "GET" {
        let body = server.metadata().to_json();
        return respond(
            &mut stream,
            200,
            &[("content-type", "application/json")],
            &body,
        )
        .await;
    }
    match server
        .authenticate::<serde_json::Map<String, serde_json::Value>>(&request)
        .await
    {
        Ok(principal) => {
            let body = identity(&principal).to_string();
            respond(
                &mut stream,
                200,
                &[("content-type", "application/json")],
                &body,
            )
            .await;
        }
        Err(challenge) => {
            let mut headers = Vec::new();
            if let Some(value) = challenge.www_authenticate() {
                headers.push(("www-authenticate", value));
            }
            if let Some(nonce) = challenge.dpop_nonce() {
                headers.push(("dpop-nonce", nonce));
            }
            respond(&mut stream, challenge.status(), &headers, "").await;
        }
    }
}

/// The request line and header lines; `None` for anything that is not HTTP/1.x.
fn parse_head(head: &[u8]) -> Option<RequestInfo<'_>> {
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?;
    let target = request_line.next()?;
    if !request_line.next()?.starts_with("HTTP/1.") {
        return None;
    }
    let mut request = RequestInfo::new(method, target);
    for line in lines {
        let (name, value) = line.split_once(':')?;
        request.push_header(name.trim(), value.trim().as_bytes());
    }
    Some(request)
}

/// The JSON the contract names: `iss`, `sub`, `client_id`, `aud`, `scope`, `token_type`.
fn identity(principal: &Principal) -> serde_json::Value {
    let token = principal.access_token();
    serde_json::json!({
        "iss": token.issuer(),
        "sub": token.subject(),
        "client_id": token.client_id(),
        "aud": token.claims().get("aud").cloned().unwrap_or(serde_json::Value::Null),
        "scope": token.scope().to_string(),
        "token_type": principal.token_type().as_str(),
    })
}

async fn respond(stream: &mut TcpStream, status: u16, headers: &[(&str, &str)], body: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let mut response = format!("HTTP/1.1 {status} {reason}\r\n");
    for (name, value) in headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str(&format!(
        "content-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{body}",
        body.len()
    ));
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}
