//! The client credentials grant.
//!
//! `cargo run -p oauth-client --example client_credentials -- <issuer> <client_id> <client_secret> [scope] [resource]`

use oauth_client::{ClientAuth, ClientMetadata, Configuration, Params};
use url::Url;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [issuer, client_id, client_secret, rest @ ..] = args.as_slice() else {
        eprintln!(
            "usage: client_credentials <issuer> <client_id> <client_secret> [scope] [resource]"
        );
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

    let mut params = Params::new();
    if let Some(scope) = rest.first() {
        params.insert("scope", scope.as_str());
    }
    if let Some(resource) = rest.get(1) {
        params.insert("resource", resource.as_str());
    }
    let tokens = config.client_credentials_grant(params).await?;
    println!("token_type: {}", tokens.token_type());
    println!("expires_in: {:?}", tokens.expires_in());
    println!("scope: {:?}", tokens.scope());
    println!("access_token: {}", tokens.access_token());
    Ok(())
}
