//! The code grant from what a web framework hands over (the registered redirect URI and the
//! query string or form body), the typed authorization parameters, and the axum example,
//! against oidc-provider.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

#[allow(dead_code)] // its `main` is for `cargo run --example`
#[path = "../examples/axum_callback.rs"]
mod axum_callback;

use common::{Pending, browse, config, redirect_uri};
use oauth_client::{Error, Params, Url};

/// The authorization parameters of `pending`, in the typed form.
fn typed_params(pending: &Pending, scope: &str) -> Params {
    Params::new()
        .redirect_uri(redirect_uri())
        .scope(scope)
        .pkce(&pending.verifier)
        .state(&pending.state)
        .nonce(&pending.nonce)
}

fn registered() -> Url {
    Url::parse(redirect_uri()).unwrap()
}

#[tokio::test]
async fn code_grant_from_the_query_string_and_the_registered_redirect_uri() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let url = config
        .build_authorization_url(typed_params(&pending, "openid email"))
        .unwrap();
    let redirect = browse(&url).await;
    let query = redirect.url.query().unwrap();
    let tokens = config
        .authorization_code_grant_from_query(&registered(), query, &pending.checks(), Params::new())
        .await
        .unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "alice");
}

#[tokio::test]
async fn a_leading_question_mark_is_ignored() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let url = config
        .build_authorization_url(typed_params(&pending, "openid"))
        .unwrap();
    let redirect = browse(&url).await;
    let query = format!("?{}", redirect.url.query().unwrap());
    let tokens = config
        .authorization_code_grant_from_query(
            &registered(),
            &query,
            &pending.checks(),
            Params::new(),
        )
        .await
        .unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "alice");
}

#[tokio::test]
async fn the_redirect_uri_is_sent_as_given_so_another_one_is_refused() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let url = config
        .build_authorization_url(typed_params(&pending, "openid"))
        .unwrap();
    let redirect = browse(&url).await;
    // What rebuilding the URL behind a proxy produces: another scheme, host or port.
    let rebuilt = Url::parse("http://127.0.0.1:1/cb").unwrap();
    let err = config
        .authorization_code_grant_from_query(
            &rebuilt,
            redirect.url.query().unwrap(),
            &pending.checks(),
            Params::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_grant"), "{err}");
}

#[tokio::test]
async fn a_redirect_uri_with_a_fragment_is_refused() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let with_fragment = Url::parse(&format!("{}#x", redirect_uri())).unwrap();
    let err = config
        .authorization_code_grant_from_query(
            &with_fragment,
            "code=x",
            &pending.checks(),
            Params::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
}

#[tokio::test]
async fn the_typed_pkce_parameter_binds_the_code_to_the_verifier() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let url = config
        .build_authorization_url(typed_params(&pending, "openid"))
        .unwrap();
    assert!(
        url.query_pairs()
            .any(|(k, v)| k == "code_challenge_method" && v == "S256")
    );
    let redirect = browse(&url).await;
    // Another verifier than the one whose challenge was sent: the server refuses the code.
    let other = Pending {
        verifier: oauth_client::random_pkce_code_verifier().unwrap(),
        state: pending.state.clone(),
        nonce: pending.nonce.clone(),
    };
    let err = config
        .authorization_code_grant_from_query(
            &registered(),
            redirect.url.query().unwrap(),
            &other.checks(),
            Params::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_grant"), "{err}");
}

#[tokio::test]
async fn code_grant_from_a_form_post_body() {
    let config = config("client-basic").await;
    let pending = Pending::new();
    let url = config
        .build_authorization_url(typed_params(&pending, "openid").set("response_mode", "form_post"))
        .unwrap();
    let redirect = browse(&url).await;
    let body = redirect.form_body.expect("a form_post response");
    let tokens = config
        .authorization_code_grant_from_form_post(
            &registered(),
            body.as_bytes(),
            &pending.checks(),
            Params::new(),
        )
        .await
        .unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "alice");
}

/// The example's routes, served on loopback: `/login`, the provider, then `/cb` with the
/// query only; the application listens elsewhere than the registered redirect URI, as behind
/// a proxy.
#[tokio::test]
async fn the_axum_example_logs_in_through_its_callback_handler() {
    let app = axum_callback::App::new(config("client-basic").await, registered());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, axum_callback::router(app))
            .await
            .unwrap();
    });
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let login = http.get(format!("{base}/login")).send().await.unwrap();
    assert!(login.status().is_redirection(), "{}", login.status());
    let cookie = login.headers()["set-cookie"].to_str().unwrap();
    let session = cookie.split(';').next().unwrap().to_owned();
    let location = Url::parse(login.headers()["location"].to_str().unwrap()).unwrap();

    let redirect = browse(&location).await;
    let query = redirect.url.query().unwrap();
    let callback = |with_cookie: bool| {
        let request = http.get(format!("{base}/cb?{query}"));
        if with_cookie {
            request.header("cookie", &session)
        } else {
            request
        }
    };
    // Without the session cookie the callback is refused (state is bound to the browser).
    let refused = callback(false).send().await.unwrap();
    assert_eq!(refused.status(), 400);
    let answer = callback(true).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.unwrap(), "hello alice");
    // The pending login was used up.
    assert_eq!(callback(true).send().await.unwrap().status(), 400);
}
