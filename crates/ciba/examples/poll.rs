//! Poll mode: start a backchannel authentication and poll the token endpoint until the user
//! approved or denied it on their phone.
//!
//! ```sh
//! cargo run -p ciba --example poll -- https://op.example client-id client-secret alice@example.test
//! ```

use ciba::{BackchannelRequest, CibaClient, CibaError, UserHint};
use oauth_client::{ClientAuth, ClientMetadata, Configuration};
use url::Url;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [issuer, client_id, secret, login_hint] = args.as_slice() else {
        eprintln!("usage: poll <issuer> <client-id> <client-secret> <login-hint>");
        std::process::exit(2);
    };
    let mut metadata = ClientMetadata::new(client_id.as_str());
    metadata.backchannel_token_delivery_mode = Some("poll".into());
    let config = Configuration::builder(metadata, ClientAuth::client_secret_basic(secret.as_str()))
        .discover(&Url::parse(issuer)?)
        .await?;
    let client = CibaClient::new(config)?;

    let request = BackchannelRequest::new("openid email", UserHint::LoginHint(login_hint.clone()))
        .binding_message("W4SCT");
    let ack = client.initiate(&request).await?;
    println!(
        "check your phone for the code W4SCT ({} s to answer)",
        ack.expires_in()
    );
    match client.poll(&ack).await {
        Ok(tokens) => {
            let claims = tokens.claims().ok_or("no ID Token")?;
            println!("authenticated: sub {}", claims.sub);
        }
        Err(CibaError::AccessDenied { .. }) => println!("the user said no"),
        Err(CibaError::Deadline | CibaError::ExpiredToken { .. }) => println!("no answer in time"),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
