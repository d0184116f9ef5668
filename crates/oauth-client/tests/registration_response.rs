//! Dynamic client registration (RFC 7591) against a loopback server that answers with the
//! registration response connect2id's documentation shows (`client_secret_basic`, RFC 7592
//! credentials, `client_secret_expires_at: 0`): every member lands in the registered client
//! metadata.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use oauth_client::{ClientAuth, ClientMetadata, Configuration};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use url::Url;

/// A registration response body as connect2id documents it.
const CONNECT2ID_RESPONSE: &str = r#"{
  "client_id"                    : "5def774h6caci",
  "client_id_issued_at"          : 1412671298,
  "client_secret"                : "AITXP49gecnFP83u1Mjot9xz7Hgu4u4lYBrTxvNtq1k",
  "client_secret_expires_at"     : 0,
  "registration_client_uri"      : "https://demo.c2id.com/clients/5def774h6caci",
  "registration_access_token"    : "jZNmlyJeo3V2j14fynmDthWjbizNYe2fc5pYW27fReo",
  "grant_types"                  : [ "authorization_code" ],
  "response_types"               : [ "code" ],
  "redirect_uris"                : [ "https://client.example.org/callback" ],
  "token_endpoint_auth_method"   : "client_secret_basic",
  "application_type"             : "web",
  "subject_type"                 : "public",
  "id_token_signed_response_alg" : "RS256",
  "require_auth_time"            : false
}"#;

/// Serves discovery and registration on 127.0.0.1, one request per connection; returns the
/// issuer and a receiver of the registration request's body and authorization header.
fn server() -> (Url, std::sync::mpsc::Receiver<(String, Option<String>)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let (tx, rx) = std::sync::mpsc::channel();
    let issuer = base.clone();
    std::thread::spawn(move || {
        for _ in 0..2 {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream);
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut length = 0;
            let mut authorization = None;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                let (name, value) = line.split_once(':').unwrap();
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap(),
                    "authorization" => authorization = Some(value.trim().to_owned()),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let (status, answer) = if request_line.contains("/.well-known/openid-configuration") {
                (
                    "200 OK",
                    format!(
                        r#"{{"issuer":"{issuer}","registration_endpoint":"{issuer}/clients","jwks_uri":"{issuer}/jwks","token_endpoint":"{issuer}/token"}}"#
                    ),
                )
            } else {
                tx.send((String::from_utf8(body).unwrap(), authorization))
                    .unwrap();
                ("200 OK", CONNECT2ID_RESPONSE.to_owned())
            };
            let mut stream = reader.into_inner();
            write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncache-control: no-store\r\npragma: no-cache\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{answer}",
                answer.len()
            )
            .unwrap();
        }
    });
    (Url::parse(&base).unwrap(), rx)
}

#[tokio::test]
async fn a_connect2id_registration_response_is_read_in_full() {
    let (issuer, requests) = server();
    let metadata = ClientMetadata::for_registration(["https://client.example.org/callback"]);
    let config = Configuration::builder(metadata, ClientAuth::none())
        .allow_insecure_requests()
        .register(&issuer, Some("ztucZS1ZyFKgh0tUEruUtiSTXhnexmd6"))
        .await
        .unwrap();
    // The request: the client metadata as JSON, the initial access token as a bearer token
    // (RFC 7591 §3).
    let (body, authorization) = requests.recv().unwrap();
    let sent: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        sent["redirect_uris"],
        serde_json::json!(["https://client.example.org/callback"])
    );
    assert!(sent.get("client_id").is_none());
    assert_eq!(
        authorization.as_deref(),
        Some("Bearer ztucZS1ZyFKgh0tUEruUtiSTXhnexmd6")
    );
    // The response, member by member.
    let client = config.client_metadata();
    assert_eq!(client.client_id, "5def774h6caci");
    assert_eq!(client.client_id_issued_at, Some(1_412_671_298));
    assert_eq!(
        client.client_secret.as_deref(),
        Some("AITXP49gecnFP83u1Mjot9xz7Hgu4u4lYBrTxvNtq1k")
    );
    // 0: the secret does not expire (RFC 7591 §3.2.1).
    assert_eq!(client.client_secret_expires_at, Some(0));
    assert_eq!(
        client.registration_client_uri.as_deref(),
        Some("https://demo.c2id.com/clients/5def774h6caci")
    );
    assert_eq!(
        client.registration_access_token.as_deref(),
        Some("jZNmlyJeo3V2j14fynmDthWjbizNYe2fc5pYW27fReo")
    );
    assert_eq!(client.grant_types, Some(vec!["authorization_code".into()]));
    assert_eq!(client.response_types, Some(vec!["code".into()]));
    assert_eq!(
        client.redirect_uris,
        Some(vec!["https://client.example.org/callback".into()])
    );
    assert_eq!(
        client.token_endpoint_auth_method.as_deref(),
        Some("client_secret_basic")
    );
    assert_eq!(client.application_type.as_deref(), Some("web"));
    assert_eq!(client.subject_type.as_deref(), Some("public"));
    assert_eq!(
        client.id_token_signed_response_alg.as_deref(),
        Some("RS256")
    );
    assert_eq!(client.require_auth_time, Some(false));
    assert!(client.other.is_empty(), "{:?}", client.other);
    // The issued secret authenticates the client as registered.
    assert_eq!(
        config.client_auth().method().as_str(),
        "client_secret_basic"
    );
    // Secrets stay out of Debug.
    let debug = format!("{client:?}");
    assert!(!debug.contains("AITXP49gecnFP83u1Mjot9xz7Hgu4u4lYBrTxvNtq1k"));
    assert!(!debug.contains("jZNmlyJeo3V2j14fynmDthWjbizNYe2fc5pYW27fReo"));
}
