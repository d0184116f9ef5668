//! An axum relying party: `/login` sends the browser to the provider, `/cb` completes the
//! code grant from the query string and the *registered* redirect URI, never from the URL of
//! the request (behind a reverse proxy its scheme, host or port come out wrong, and the token
//! endpoint then refuses the `redirect_uri`).
//!
//! `cargo run -p oauth-client --example axum_callback -- <issuer> <client_id> <client_secret> <redirect_uri> [listen_address]`
//!
//! Open `/login` on the listen address (default 127.0.0.1:3000) through whatever serves
//! `<redirect_uri>`.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use oauth_client::{
    AuthorizationCodeGrantChecks, ClientAuth, ClientMetadata, Configuration, Params, Url,
    random_nonce, random_pkce_code_verifier, random_state,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The name of the cookie that ties the browser to its pending login.
const SESSION_COOKIE: &str = "rp_session";

/// What the handlers share: the client, its registered redirect URI, and pending logins.
#[derive(Clone)]
pub struct App {
    config: Configuration,
    redirect_uri: Url,
    pending: Arc<Mutex<HashMap<String, Pending>>>,
}

/// What a login keeps between the redirect and the callback (a real application keeps it
/// in its session store).
struct Pending {
    verifier: String,
    state: String,
    nonce: String,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The pending logins hold verifiers and nonces: not printed.
        f.debug_struct("App")
            .field("redirect_uri", &self.redirect_uri.as_str())
            .finish_non_exhaustive()
    }
}

impl App {
    /// An application for `config`, whose registered redirect URI is `redirect_uri`.
    pub fn new(config: Configuration, redirect_uri: Url) -> Self {
        Self {
            config,
            redirect_uri,
            pending: Arc::default(),
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The routes: `/login` and the redirect URI's path, `/cb`.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/login", get(login))
        .route("/cb", get(callback))
        .with_state(app)
}

/// Starts a login: PKCE, `state` and `nonce` in the pending store, the browser to the provider.
async fn login(State(app): State<App>) -> Result<Response, AppError> {
    let pending = Pending {
        verifier: random_pkce_code_verifier()?,
        state: random_state()?,
        nonce: random_nonce()?,
    };
    let url = app.config.build_authorization_url(
        Params::new()
            .redirect_uri(app.redirect_uri.as_str())
            .scope("openid email")
            .pkce(&pending.verifier)
            .state(&pending.state)
            .nonce(&pending.nonce),
    )?;
    let session = random_state()?;
    app.pending().insert(session.clone(), pending);
    let cookie = format!("{SESSION_COOKIE}={session}; HttpOnly; Secure; SameSite=Lax; Path=/");
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(url.as_str())).into_response())
}

/// The redirect URI: the query string as axum hands it over, and the registered URI.
async fn callback(
    State(app): State<App>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<String, AppError> {
    let pending = session_id(&headers)
        .and_then(|id| app.pending().remove(id))
        .ok_or(AppError::NoPendingLogin)?;
    let checks = AuthorizationCodeGrantChecks::new()
        .pkce_code_verifier(pending.verifier)
        .expected_state(pending.state)
        .expected_nonce(pending.nonce);
    let tokens = app
        .config
        .authorization_code_grant_from_query(
            &app.redirect_uri,
            query.as_deref().unwrap_or_default(),
            &checks,
            Params::new(),
        )
        .await?;
    let claims = tokens.claims().ok_or(AppError::NoIdToken)?;
    Ok(format!("hello {}", claims.sub))
}

/// The session cookie's value.
fn session_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(SESSION_COOKIE)?.strip_prefix('='))
}

/// Failures, turned into responses at the edge: the error's code, never its details.
enum AppError {
    OAuth(oauth_client::Error),
    NoPendingLogin,
    NoIdToken,
}

impl From<oauth_client::Error> for AppError {
    fn from(e: oauth_client::Error) -> Self {
        AppError::OAuth(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::OAuth(e) => (StatusCode::BAD_REQUEST, e.code()).into_response(),
            AppError::NoPendingLogin => {
                (StatusCode::BAD_REQUEST, "no login in progress").into_response()
            }
            AppError::NoIdToken => (StatusCode::BAD_GATEWAY, "no ID Token").into_response(),
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (issuer, client_id, client_secret, redirect_uri, listen) = match args.as_slice() {
        [i, c, s, r] => (i, c, s, r, "127.0.0.1:3000"),
        [i, c, s, r, l] => (i, c, s, r, l.as_str()),
        _ => {
            eprintln!(
                "usage: axum_callback <issuer> <client_id> <client_secret> <redirect_uri> [listen_address]"
            );
            std::process::exit(2);
        }
    };
    let issuer = Url::parse(issuer)?;
    let mut builder = Configuration::builder(
        ClientMetadata::new(client_id.as_str()),
        ClientAuth::client_secret_basic(client_secret.as_str()),
    );
    if issuer.scheme() == "http" {
        builder = builder.allow_insecure_requests();
    }
    let app = App::new(builder.discover(&issuer).await?, Url::parse(redirect_uri)?);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    axum::serve(listener, router(app)).await?;
    Ok(())
}
