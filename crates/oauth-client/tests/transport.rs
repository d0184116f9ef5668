//! The reqwest adapter's own limits against loopback servers that misbehave: a server that
//! never answers (timeout), bodies larger than the cap (with and without `Content-Length`),
//! and a redirect (never followed).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use oauth_client::{ClientAuth, ClientMetadata, Configuration, Error};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;
use url::Url;

/// Serves one connection with `respond`, on a thread; returns the issuer URL.
fn serve_once(respond: impl FnOnce(std::net::TcpStream) + Send + 'static) -> Url {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            respond(stream);
        }
    });
    Url::parse(&format!("http://127.0.0.1:{port}")).unwrap()
}

async fn discover(issuer: &Url) -> Result<Configuration, Error> {
    Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
        .allow_insecure_requests()
        .timeout(Duration::from_millis(300))
        .max_response_bytes(64 << 10)
        .discover(issuer)
        .await
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let issuer = serve_once(|stream| {
        std::thread::sleep(Duration::from_secs(2));
        drop(stream);
    });
    let err = discover(&issuer).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
}

#[tokio::test]
async fn a_declared_oversized_body_is_refused_before_reading() {
    let issuer = serve_once(|mut stream| {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10000000\r\n\r\n{",
        );
    });
    let err = discover(&issuer).await.unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit, .. } if limit == 64 << 10),
        "{err}"
    );
}

#[tokio::test]
async fn an_undeclared_oversized_body_is_cut_off_while_reading() {
    let issuer = serve_once(|mut stream| {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n",
        );
        let chunk = vec![b' '; 16 << 10];
        for _ in 0..16 {
            if stream.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let err = discover(&issuer).await.unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err}");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let issuer = serve_once(|mut stream| {
        let _ = stream.write_all(
            b"HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:9/elsewhere\r\ncontent-length: 0\r\n\r\n",
        );
    });
    let err = discover(&issuer).await.unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedStatus { status: 302, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn a_from_reqwest_client_that_follows_redirects_has_the_redirected_answer_refused() {
    // The target answers a valid-looking discovery document; the issuer redirects to it.
    let target = serve_once(|mut stream| {
        let body = br#"{"issuer":"http://127.0.0.1:9"}"#;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
    });
    let location = format!("{target}.well-known/openid-configuration");
    let issuer = serve_once(move |mut stream| {
        let response =
            format!("HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\n\r\n");
        let _ = stream.write_all(response.as_bytes());
    });
    // reqwest's default policy follows up to 10 redirects.
    let http = oauth_client::ReqwestHttpClient::from_reqwest(reqwest::Client::new());
    let err = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
        .allow_insecure_requests()
        .timeout(Duration::from_millis(500))
        .http_client(http)
        .discover(&issuer)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err}");
    assert!(err.to_string().contains("redirect"), "{err}");
}
