//! Shared setup of the suites that run against oidc-provider (`provider.rs`,
//! `authorization_requests.rs`, `device_flow.rs`, `sender_constrained_tokens.rs`,
//! `client_configuration.rs`, `code_grant_checks.rs`, ...): the provider of the test binary, its static clients, the RP's pending
//! authorization state, and the browser part of the code flow.
#![allow(dead_code)] // each test binary uses a part

use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::Jwk;
use jws::SigningKey;
use oauth_client::{
    AuthorizationCodeGrantChecks, Callback, ClientAuth, ClientMetadata, Configuration,
    ConfigurationBuilder, Params, TokenResponse, pkce_code_challenge, random_nonce,
    random_pkce_code_verifier, random_state,
};
use std::sync::Arc;
use test_provider::{Redirect, TestProvider, UserAgent};
use url::Url;

/// The provider, started once for the test binary.
pub fn provider() -> &'static TestProvider {
    TestProvider::shared().expect("the test provider starts")
}

pub fn redirect_uri() -> &'static str {
    provider().state().redirect_uri()
}

/// A private key of a client, from the state file.
pub fn client_key(id: &str) -> Jwk {
    Jwk::from_json(provider().state().client_private_jwk(id).unwrap()).unwrap()
}

pub fn signer(id: &str) -> SigningKey {
    SigningKey::from_jwk(client_key(id)).unwrap()
}

/// The authentication a static client registered.
pub fn client_auth(id: &str) -> ClientAuth {
    let registered = provider().state().client(id).unwrap();
    let secret = || registered.secret().unwrap().to_owned();
    match registered.auth_method() {
        "client_secret_basic" => ClientAuth::client_secret_basic(secret()),
        "client_secret_post" => ClientAuth::client_secret_post(secret()),
        "client_secret_jwt" => ClientAuth::client_secret_jwt(secret()),
        "private_key_jwt" => ClientAuth::private_key_jwt(signer(id)),
        "tls_client_auth" => ClientAuth::tls_client_auth(),
        "self_signed_tls_client_auth" => ClientAuth::self_signed_tls_client_auth(),
        "none" => ClientAuth::none(),
        other => panic!("no test setup for {other}"),
    }
}

/// The registered metadata of a static client, and its authentication.
pub fn client(id: &str) -> (ClientMetadata, ClientAuth) {
    let registered = provider().state().client(id).unwrap();
    let metadata: ClientMetadata =
        serde_json::from_value(serde_json::Value::Object(registered.metadata().clone())).unwrap();
    (metadata, client_auth(id))
}

/// A builder for a static client, with http: allowed (the provider listens on loopback).
pub fn builder(id: &str) -> ConfigurationBuilder {
    let (metadata, auth) = client(id);
    Configuration::builder(metadata, auth).allow_insecure_requests()
}

/// A static client, configured by discovery.
pub async fn config(id: &str) -> Configuration {
    builder(id).discover(provider().issuer()).await.unwrap()
}

/// A fresh ES256 DPoP key.
pub fn dpop() -> Arc<dyn oauth_client::DpopHandle> {
    Arc::new(dpop::DpopClient::generate(JwsAlgorithm::ES256).unwrap())
}

/// What the RP keeps in its session between the redirect and the callback.
pub struct Pending {
    pub verifier: String,
    pub state: String,
    pub nonce: String,
}

impl Pending {
    pub fn new() -> Self {
        Self {
            verifier: random_pkce_code_verifier().unwrap(),
            state: random_state().unwrap(),
            nonce: random_nonce().unwrap(),
        }
    }

    pub fn checks(&self) -> AuthorizationCodeGrantChecks {
        AuthorizationCodeGrantChecks::new()
            .pkce_code_verifier(&self.verifier)
            .expected_state(&self.state)
            .expected_nonce(&self.nonce)
    }

    pub fn params(&self, scope: &str) -> Params {
        Params::from([
            ("redirect_uri", redirect_uri()),
            ("scope", scope),
            (
                "code_challenge",
                pkce_code_challenge(&self.verifier).as_str(),
            ),
            ("code_challenge_method", "S256"),
            ("state", self.state.as_str()),
            ("nonce", self.nonce.as_str()),
        ])
    }
}

/// The browser part: follows the provider's redirects (scripted login and consent) to the
/// redirect URI.
pub async fn browse(url: &Url) -> Redirect {
    UserAgent::new()
        .unwrap()
        .authorize(url, redirect_uri())
        .await
        .unwrap()
}

/// The authorization request and the browser part of the code flow.
pub async fn authorize(config: &Configuration, params: Params) -> Redirect {
    browse(&config.build_authorization_url(params).unwrap()).await
}

/// The whole code flow for a client, returning the tokens.
pub async fn login(config: &Configuration, scope: &str) -> (TokenResponse, Pending) {
    let pending = Pending::new();
    let redirect = authorize(config, pending.params(scope)).await;
    let tokens = config
        .authorization_code_grant(&redirect.url, &pending.checks(), Params::new())
        .await
        .unwrap();
    (tokens, pending)
}

/// The code grant with the callback of `redirect` and the checks of `pending`.
pub async fn grant(
    config: &Configuration,
    redirect: &Redirect,
    pending: &Pending,
) -> Result<TokenResponse, oauth_client::Error> {
    config
        .authorization_code_grant_with_callback(
            &callback(redirect),
            &pending.checks(),
            Params::new(),
        )
        .await
}

/// The tokens of a code grant that must succeed.
pub async fn finish(
    config: &Configuration,
    redirect: &Redirect,
    pending: &Pending,
) -> TokenResponse {
    grant(config, redirect, pending).await.unwrap()
}

/// The error of a code grant that must be refused.
pub async fn refused_grant(
    config: &Configuration,
    redirect: &Redirect,
    pending: &Pending,
) -> oauth_client::Error {
    grant(config, redirect, pending).await.unwrap_err()
}

/// The callback the browser brought back: query, fragment, or form_post body.
pub fn callback(redirect: &Redirect) -> Callback {
    match &redirect.form_body {
        Some(body) => Callback::from_form_post(&redirect.url, body.as_bytes()).unwrap(),
        None => Callback::from_url(&redirect.url).unwrap(),
    }
}
