//! `jose oauth logout-token` end to end: a real logout token from oidc-provider (a login of
//! `client-backchannel-logout`, then a provider-side session end delivered to a loopback
//! listener of this test) validated by the real binary; the exit codes of the contract (0 with
//! `iss`, `sub`, `sid`, `jti`; 1 naming the failed check; 2 for usage errors).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use oauth_client::{
    AuthorizationCodeGrantChecks, ClientAuth, ClientMetadata, Configuration, Params,
    pkce_code_challenge, random_nonce, random_pkce_code_verifier, random_state,
};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Output;
use std::sync::OnceLock;
use test_provider::{BACKCHANNEL_LOGOUT_CLIENT, TestProvider, UserAgent};

fn provider() -> &'static TestProvider {
    TestProvider::shared().expect("the test provider starts (node and npm are needed)")
}

fn issuer() -> String {
    provider().issuer().to_string()
}

/// Runs `jose oauth ARGS` with `stdin`.
fn jose(args: &[&str], stdin: &str) -> Output {
    let args: Vec<&str> = std::iter::once("oauth")
        .chain(args.iter().copied())
        .collect();
    common::jose(&args, stdin.as_bytes())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Accepts one HTTP/1.1 POST on a loopback port, answers 200, and hands over the body.
fn capture_one_post() -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/backchannel-logout",
        listener.local_addr().unwrap()
    );
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let mut stream = stream;
        stream
            .write_all(b"HTTP/1.1 200 OK\r\ncache-control: no-store\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .unwrap();
        text(&body)
    });
    (url, handle)
}

struct Tokens {
    logout_token: String,
    id_token: String,
    sid: String,
}

/// A login of the back-channel logout client, then a provider-side session end whose logout
/// token is captured. Done once for the file.
fn tokens() -> &'static Tokens {
    static TOKENS: OnceLock<Tokens> = OnceLock::new();
    TOKENS.get_or_init(|| {
        std::thread::spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(obtain())
        })
        .join()
        .unwrap()
    })
}

async fn obtain() -> Tokens {
    let state = provider().state();
    let client = state.client(BACKCHANNEL_LOGOUT_CLIENT).unwrap();
    let mut metadata = ClientMetadata::new(BACKCHANNEL_LOGOUT_CLIENT);
    metadata.id_token_signed_response_alg = Some("ES256".into());
    let auth = ClientAuth::client_secret_basic(client.secret().unwrap());
    let config = Configuration::builder(metadata, auth)
        .allow_insecure_requests()
        .discover(provider().issuer())
        .await
        .unwrap();
    let (verifier, state_value, nonce) = (
        random_pkce_code_verifier().unwrap(),
        random_state().unwrap(),
        random_nonce().unwrap(),
    );
    let url = config
        .build_authorization_url(Params::from([
            ("redirect_uri", state.redirect_uri()),
            ("scope", "openid"),
            ("code_challenge", pkce_code_challenge(&verifier).as_str()),
            ("code_challenge_method", "S256"),
            ("state", state_value.as_str()),
            ("nonce", nonce.as_str()),
        ]))
        .unwrap();
    let redirect = UserAgent::new()
        .unwrap()
        .authorize(&url, state.redirect_uri())
        .await
        .unwrap();
    let checks = AuthorizationCodeGrantChecks::new()
        .pkce_code_verifier(&verifier)
        .expected_state(&state_value)
        .expected_nonce(&nonce);
    let tokens = config
        .authorization_code_grant(&redirect.url, &checks, Params::new())
        .await
        .unwrap();
    let sid = tokens.claims().unwrap().sid.clone().unwrap();
    let (notify, received) = capture_one_post();
    provider().logout_deliver(&sid, &notify).await.unwrap();
    provider().end_provider_session(&sid).await.unwrap();
    let body = received.join().unwrap();
    let logout_token = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "logout_token")
        .unwrap()
        .1
        .into_owned();
    Tokens {
        logout_token,
        id_token: tokens.id_token().unwrap().to_owned(),
        sid,
    }
}

/// Asserts exit `code` with one line on stderr; that line.
fn fails(out: &Output, code: i32) -> String {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    stderr
}

#[test]
fn a_valid_logout_token_prints_its_claims_and_exits_0() {
    let t = tokens();
    let issuer = issuer();
    let out = jose(
        &[
            "logout-token",
            &issuer,
            "--client-id",
            BACKCHANNEL_LOGOUT_CLIENT,
            "--insecure-http",
        ],
        &format!("{}\n", t.logout_token),
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let value = |name: &str| {
        stdout
            .lines()
            .find_map(|l| {
                let mut words = l.split_whitespace();
                (words.next() == Some(name)).then(|| words.next().unwrap_or("").to_owned())
            })
            .unwrap_or_else(|| panic!("no {name} line: {stdout}"))
    };
    assert_eq!(value("iss"), issuer.trim_end_matches('/'));
    assert_eq!(value("sub"), "alice");
    assert_eq!(value("sid"), t.sid);
    assert!(!value("jti").is_empty());
}

#[test]
fn a_failed_check_exits_1_naming_it() {
    let t = tokens();
    let issuer = issuer();
    let check = |client: &str, token: &str| {
        fails(
            &jose(
                &[
                    "logout-token",
                    &issuer,
                    "--client-id",
                    client,
                    "--insecure-http",
                ],
                token,
            ),
            1,
        )
    };
    // Another client's audience.
    assert!(check("client-basic", &t.logout_token).contains("check aud failed"));
    // An ID Token is not a logout token.
    let err = check(BACKCHANNEL_LOGOUT_CLIENT, &t.id_token);
    assert!(err.contains("check events failed"), "{err}");
    // The signature no longer matches a changed payload.
    let parts: Vec<&str> = t.logout_token.split('.').collect();
    let payload = jose_core::b64::decode(parts[1]).unwrap();
    let changed = text(&payload).replace(&t.sid, "another-session");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        jose_core::b64::encode(changed),
        parts[2]
    );
    let err = check(BACKCHANNEL_LOGOUT_CLIENT, &tampered);
    assert!(err.contains("check signature failed"), "{err}");
    let err = check(BACKCHANNEL_LOGOUT_CLIENT, "not-a-jwt");
    assert!(err.contains("check format failed"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let t = tokens();
    let issuer = issuer();
    // No --client-id.
    fails(
        &jose(
            &["logout-token", &issuer, "--insecure-http"],
            &t.logout_token,
        ),
        2,
    );
    // Nothing on stdin.
    fails(
        &jose(
            &[
                "logout-token",
                &issuer,
                "--client-id",
                BACKCHANNEL_LOGOUT_CLIENT,
                "--insecure-http",
            ],
            "",
        ),
        2,
    );
    // A plain-http issuer without --insecure-http.
    let err = fails(
        &jose(
            &[
                "logout-token",
                &issuer,
                "--client-id",
                BACKCHANNEL_LOGOUT_CLIENT,
            ],
            &t.logout_token,
        ),
        2,
    );
    assert!(err.contains("--insecure-http"), "{err}");
    // An issuer that is not a URL.
    fails(
        &jose(
            &["logout-token", "not a url", "--client-id", "x"],
            &t.logout_token,
        ),
        2,
    );
}

#[test]
fn logout_token_has_help() {
    let top = jose(&["--help"], "");
    assert!(text(&top.stdout).contains("logout-token"));
    let help = jose(&["logout-token", "--help"], "");
    assert!(help.status.success());
    let help = text(&help.stdout);
    assert!(
        help.contains("<ISSUER>") && help.contains("--client-id"),
        "{help}"
    );
}
