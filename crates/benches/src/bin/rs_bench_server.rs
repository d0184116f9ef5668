//! The resource server benchmark's server of ours (docs/benchmarks.md, "Resource server"):
//! resource-server's tower layer and axum extractor protecting one axum 0.8 route, on the
//! aws-lc-rs backend.
//!
//! ```text
//! rs_bench_server JWKS_URL ISSUER AUDIENCE PUBLIC_URL (memory | redis://HOST:PORT)
//! ```
//!
//! Listens on an ephemeral port of 127.0.0.1 and prints `listening on http://127.0.0.1:PORT`
//! on stdout once it accepts connections. `GET /whoami` needs an ES256 JWT access token of
//! ISSUER for AUDIENCE (its keys fetched from JWKS_URL and cached), as Bearer or DPoP-bound
//! with a proof for `PUBLIC_URL/whoami`, the proof's `jti` recorded in the in-memory replay
//! store or in Redis; it answers with a small JSON object of the token's claims, the same
//! work as the benchmark's jwt-authorizer server (crates/benches/peers).
//! `cargo bench -p benches --features resource-server --bench resource_server` starts it.

use axum::{Json, Router, routing::get};
use dpop::ProofVerifier;
use jose_core::alg::JwsAlgorithm;
use jose_core::backend::Backend;
use replay_store::{
    MemoryReplayStore, RedisConfig, RedisConnection, RedisReplayStore, ReplayStore,
};
use resource_server::{
    AccessTokenValidation, Authenticated, DpopOptions, RemoteKeys, ResourceServer,
    ResourceServerLayer,
};
use serde_json::{Map, Value};
use std::io::Write;
use std::sync::Arc;

/// Live entries of the in-memory replay store: proofs are remembered for their 60 s
/// acceptance window, and the benchmark sends a few thousand a second.
const MEMORY_CAPACITY: usize = 5_000_000;

const USAGE: &str =
    "usage: rs_bench_server JWKS_URL ISSUER AUDIENCE PUBLIC_URL (memory | redis://HOST:PORT)";

async fn whoami(Authenticated(principal): Authenticated) -> Json<Value> {
    let token = principal.access_token();
    Json(serde_json::json!({
        "sub": token.subject(),
        "client_id": token.client_id(),
        "scope": token.scope().to_string(),
        "token_type": principal.token_type().as_str(),
    }))
}

fn replay_store(spec: &str) -> Result<Arc<dyn ReplayStore>, Box<dyn std::error::Error>> {
    if spec == "memory" {
        return Ok(Arc::new(MemoryReplayStore::with_capacity(MEMORY_CAPACITY)));
    }
    let connection = RedisConnection::new(RedisConfig::from_url(spec)?);
    Ok(Arc::new(RedisReplayStore::new(connection)))
}

async fn serve(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let [jwks_url, issuer, audience, public_url, replay] = args else {
        return Err(USAGE.into());
    };
    if Backend::default() != Backend::AwsLc {
        return Err("built without the aws-lc-rs backend".into());
    }
    let keys = RemoteKeys::from_jwks_uri_with(
        RemoteKeys::configuration_builder().allow_insecure_requests(),
        issuer,
        jwks_url.parse()?,
    )?;
    let verifier = ProofVerifier::new(replay_store(replay)?).algorithms([JwsAlgorithm::ES256]);
    let validation = AccessTokenValidation::new(issuer.as_str(), audience.as_str())
        .algorithms([JwsAlgorithm::ES256]);
    let server = ResourceServer::builder(validation, keys)
        .dpop(DpopOptions::new(verifier, public_url.parse()?))
        .build();
    let app = Router::new()
        .route("/whoami", get(whoami))
        .layer(ResourceServerLayer::<Map<String, Value>>::new(
            server.clone(),
        ))
        .with_state(server);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on http://{}", listener.local_addr()?)?;
    stdout.flush()?;
    axum::serve(listener, app).await?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // tokio's default multi-threaded runtime, as jwt-authorizer's server gets from
    // `#[tokio::main]`.
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve(&args))
}
