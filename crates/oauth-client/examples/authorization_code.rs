//! The authorization code flow with PKCE, state and nonce.
//!
//! `cargo run -p oauth-client --example authorization_code -- <issuer> <client_id> <client_secret> <redirect_uri>`
//!
//! Prints the authorization URL; open it, log in, and paste the URL the browser was
//! redirected to.

use oauth_client::{
    AuthorizationCodeGrantChecks, ClientAuth, ClientMetadata, Configuration, ExpectedSubject,
    Params, Url, random_nonce, random_pkce_code_verifier, random_state,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [issuer, client_id, client_secret, redirect_uri] = args.as_slice() else {
        eprintln!("usage: authorization_code <issuer> <client_id> <client_secret> <redirect_uri>");
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

    let verifier = random_pkce_code_verifier()?;
    let state = random_state()?;
    let nonce = random_nonce()?;
    let url = config.build_authorization_url(
        Params::new()
            .redirect_uri(redirect_uri.as_str())
            .scope("openid email profile")
            .pkce(&verifier)
            .state(&state)
            .nonce(&nonce),
    )?;
    println!("Open this URL, log in, then paste the URL you were redirected to:\n{url}");

    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let callback = Url::parse(line.trim())?;
    let checks = AuthorizationCodeGrantChecks::new()
        .pkce_code_verifier(verifier)
        .expected_state(state)
        .expected_nonce(nonce);
    let tokens = config
        .authorization_code_grant(&callback, &checks, Params::new())
        .await?;
    let Some(claims) = tokens.claims() else {
        return Err("the provider returned no ID Token".into());
    };
    println!("logged in as {} (issuer {})", claims.sub, claims.iss);
    let user = config
        .fetch_user_info(tokens.access_token(), ExpectedSubject::Is(&claims.sub))
        .await?;
    println!("userinfo: {}", serde_json::to_string_pretty(&user)?);
    Ok(())
}
