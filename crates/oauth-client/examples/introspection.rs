//! Token introspection (RFC 7662).
//!
//! `cargo run -p oauth-client --example introspection -- <issuer> <client_id> <client_secret> <token>`

use oauth_client::{ClientAuth, ClientMetadata, Configuration, Params};
use url::Url;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [issuer, client_id, client_secret, token] = args.as_slice() else {
        eprintln!("usage: introspection <issuer> <client_id> <client_secret> <token>");
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
    let info = config.introspect_token(token, Params::new()).await?;
    println!("active: {}", info.active);
    println!("sub: {:?}", info.sub);
    println!("client_id: {:?}", info.client_id);
    println!("scope: {:?}", info.scope);
    println!("exp: {:?}", info.exp);
    Ok(())
}
