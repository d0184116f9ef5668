//! Ping and push mode: the client notification endpoint in a small hyper server, and a
//! request that waits for its notification.
//!
//! ```sh
//! cargo run -p ciba --example notification_endpoint -- \
//!     https://op.example client-id client-secret ping https://rp.example/ciba/notify alice 127.0.0.1:8443
//! ```
//!
//! The registered notification endpoint must be HTTPS: run this behind a TLS-terminating proxy
//! that forwards `POST /ciba/notify` to the listen address. The OpenID Provider must never be
//! redirected, so every answer is 204, 400, 401, 405, 413 or 415.

use ciba::{
    BackchannelRequest, CibaClient, InMemoryPendingStore, MAX_NOTIFICATION_BYTES,
    NotificationHandler, NotificationResponse, PendingState, UserHint,
};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, header};
use oauth_client::{ClientAuth, ClientMetadata, Configuration};
use std::convert::Infallible;
use std::sync::Arc;
use url::Url;

/// Answers one HTTP request to the notification endpoint.
async fn notify(handler: NotificationHandler, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let status = |code: u16| {
        let mut response = Response::new(Full::new(Bytes::new()));
        *response.status_mut() =
            hyper::StatusCode::from_u16(code).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
        response
    };
    if request.method() != Method::POST || request.uri().path() != "/ciba/notify" {
        return status(405);
    }
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return status(415);
    }
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Ok(body) = Limited::new(request.into_body(), MAX_NOTIFICATION_BYTES)
        .collect()
        .await
    else {
        return status(413);
    };
    // The handler authenticates the call and validates what arrived; the store records it.
    let result = handler
        .handle_http(authorization.as_deref(), &body.to_bytes())
        .await;
    if let Err(e) = &result {
        eprintln!("refused a notification: {e}");
    }
    let answer = NotificationResponse::for_result(&result);
    let mut response = status(answer.status);
    if let Some(challenge) = answer.www_authenticate {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static(challenge),
        );
    }
    response
}

/// Serves the notification endpoint on `listener` until the process ends.
async fn serve(listener: tokio::net::TcpListener, handler: NotificationHandler) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let handler = handler.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let handler = handler.clone();
                async move { Ok::<_, Infallible>(notify(handler, request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [
        issuer,
        client_id,
        secret,
        mode,
        endpoint,
        login_hint,
        listen,
    ] = args.as_slice()
    else {
        eprintln!(
            "usage: notification_endpoint <issuer> <client-id> <client-secret> ping|push <notification-endpoint-url> <login-hint> <listen-address>"
        );
        std::process::exit(2);
    };
    let mut metadata = ClientMetadata::new(client_id.as_str());
    metadata.backchannel_token_delivery_mode = Some(mode.clone());
    metadata.backchannel_client_notification_endpoint = Some(endpoint.clone());
    let config = Configuration::builder(metadata, ClientAuth::client_secret_basic(secret.as_str()))
        .discover(&Url::parse(issuer)?)
        .await?;
    let store = Arc::new(InMemoryPendingStore::default());
    let client = CibaClient::new(config)?.pending_store(store.clone());
    let handler = client.notification_handler().ok_or("no pending store")?;
    let listener = tokio::net::TcpListener::bind(listen.as_str()).await?;
    tokio::spawn(serve(listener, handler.clone()));

    // The request is in the store before `initiate` returns, so an early notification finds it.
    let ack = client
        .initiate(
            &BackchannelRequest::new("openid", UserHint::LoginHint(login_hint.clone()))
                .binding_message("W4SCT"),
        )
        .await?;
    println!("check your phone for the code W4SCT");
    let id = ack.auth_req_id().expose();
    // The handler's `wait` works with any store: with a shared one (`RedisPendingStore`), the
    // notification may reach another instance, and pushed tokens are validated again here.
    let tokens = match handler.wait(id).await? {
        // Ping: the result is ready; redeem it once.
        PendingState::Pinged => client.exchange(&ack).await?,
        // Push: the tokens came with the notification, already validated.
        PendingState::Tokens(pushed) => pushed.tokens().clone(),
        PendingState::Failed(error) => return Err(error.to_error().into()),
        other => return Err(format!("unexpected state {other:?}").into()),
    };
    handler.store().remove(id).await?;
    println!(
        "authenticated; access token expires in {:?} s",
        tokens.expires_in()
    );
    Ok(())
}
