//! jwt-authorizer 0.15 protecting one axum 0.7 route, for the resource server benchmark of
//! the `benches` crate (docs/benchmarks.md, "Resource server").
//!
//! ```text
//! jwt-authorizer-server JWKS_URL ISSUER AUDIENCE
//! ```
//!
//! Listens on an ephemeral port of 127.0.0.1 and prints `listening on http://127.0.0.1:PORT`
//! on stdout once it accepts connections. `GET /whoami` needs a Bearer JWT access token (ES256)
//! of ISSUER for AUDIENCE, its keys fetched from JWKS_URL (refetched when a `kid` is unknown,
//! jwt-authorizer's default), and answers with a small JSON object of its claims, the same
//! work as the benchmark's server of ours (`rs_bench_server`).

use axum::{Json, Router, routing::get};
use jsonwebtoken::Algorithm;
use jwt_authorizer::{Authorizer, IntoLayer, JwtAuthorizer, JwtClaims, Validation};
use serde::Deserialize;
use std::io::Write;

/// The claims the handler reads.
#[derive(Clone, Debug, Deserialize)]
struct Claims {
    sub: String,
    client_id: String,
    #[serde(default)]
    scope: String,
}

async fn whoami(JwtClaims(claims): JwtClaims<Claims>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "sub": claims.sub,
        "client_id": claims.client_id,
        "scope": claims.scope,
        "token_type": "Bearer",
    }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let usage = "usage: jwt-authorizer-server JWKS_URL ISSUER AUDIENCE";
    let mut args = std::env::args().skip(1);
    let jwks_url = args.next().ok_or(usage)?;
    let issuer = args.next().ok_or(usage)?;
    let audience = args.next().ok_or(usage)?;

    let validation = Validation::new()
        .iss(&[issuer])
        .aud(&[audience])
        .algs(vec![Algorithm::ES256]);
    let authorizer: Authorizer<Claims> = JwtAuthorizer::from_jwks_url(&jwks_url)
        .validation(validation)
        .build()
        .await?;
    let app = Router::new()
        .route("/whoami", get(whoami))
        .layer(authorizer.into_layer());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on http://{}", listener.local_addr()?)?;
    stdout.flush()?;
    axum::serve(listener, app).await?;
    Ok(())
}
