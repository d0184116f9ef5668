//! An axum service protected by a resource server.
//!
//! ```text
//! cargo run -p resource-server --features axum --example axum_service -- \
//!     https://issuer.example https://api.example 127.0.0.1:8080
//! ```
//!
//! `GET /.well-known/oauth-protected-resource` answers with the RFC 9728 document; every other
//! path needs an access token of the issuer for the audience (Bearer, or DPoP-bound with a
//! proof for `http://LISTEN/...`), with the scope `read`.

use axum::http::{HeaderName, header::CONTENT_TYPE};
use axum::{Router, routing::get};
use dpop::ProofVerifier;
use replay_store::MemoryReplayStore;
use resource_server::{
    AccessTokenValidation, Authenticated, DpopOptions, RemoteKeys, ResourceServer,
    ResourceServerLayer,
};
use std::sync::Arc;

async fn whoami(
    Authenticated(principal): Authenticated,
) -> ([(HeaderName, &'static str); 1], String) {
    let token = principal.access_token();
    let body = serde_json::json!({
        "sub": token.subject(),
        "client_id": token.client_id(),
        "scope": token.scope().to_string(),
        "token_type": principal.token_type().as_str(),
    });
    ([(CONTENT_TYPE, "application/json")], body.to_string())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: axum_service ISSUER AUDIENCE HOST:PORT";
    let issuer: url::Url = args.next().ok_or(usage)?.parse()?;
    let audience = args.next().ok_or(usage)?;
    let listen = args.next().ok_or(usage)?;

    let keys = RemoteKeys::discover(&issuer).await?;
    let dpop = DpopOptions::new(
        ProofVerifier::new(Arc::new(MemoryReplayStore::new())),
        format!("http://{listen}").parse()?,
    );
    let server = ResourceServer::builder(
        AccessTokenValidation::new(issuer.as_str().trim_end_matches('/'), audience),
        keys,
    )
    .required_scope("read")?
    .dpop(dpop)
    .build();

    let app = Router::new()
        .route("/whoami", get(whoami))
        .layer(ResourceServerLayer::<
            serde_json::Map<String, serde_json::Value>,
        >::new(server.clone()))
        .with_state(server);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    eprintln!("listening on http://{listen}");
    axum::serve(listener, app).await?;
    Ok(())
}
