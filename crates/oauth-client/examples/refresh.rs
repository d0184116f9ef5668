//! The refresh token grant.
//!
//! `cargo run -p oauth-client --example refresh -- <issuer> <client_id> <client_secret> <refresh_token>`

use oauth_client::{ClientAuth, ClientMetadata, Configuration, Params};
use url::Url;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [issuer, client_id, client_secret, refresh_token] = args.as_slice() else {
        eprintln!("usage: refresh <issuer> <client_id> <client_secret> <refresh_token>");
        std::process::exit(2);
    };
    let issuer = Url::parse(issuer)?;
    let mut builder = Configuration::builder(
        ClientMetadata::new(client_id.as_str()),
        ClientAuth::client_secret_basic(client_secret.as_str()),
    );
    if issuer.scheme() == "http" {
        builder = builder.allow_insecure_requests();
    }
    let config = builder.discover(&issuer).await?;
    let tokens = config
        .refresh_token_grant(refresh_token, Params::new())
        .await?;
    println!("access_token: {}", tokens.access_token());
    if let Some(rotated) = tokens.refresh_token() {
        println!("refresh_token (rotated): {rotated}");
    }
    if let Some(claims) = tokens.claims() {
        println!("ID Token sub: {}", claims.sub);
    }
    Ok(())
}
