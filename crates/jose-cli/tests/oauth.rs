//! `jose oauth ...` end to end against oidc-provider (crates/test-provider): the real binary,
//! one provider for the whole file, the login driven by the scripted user agent.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::Dir;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use test_provider::{CibaDecision, DeviceDecision, TestProvider, UserAgent};
use url::Url;

// --- Harness ------------------------------------------------------------------------------------

fn provider() -> &'static TestProvider {
    TestProvider::shared().expect("the test provider starts (node and npm are needed)")
}

fn issuer() -> String {
    provider().issuer().to_string()
}

fn secret(client: &str) -> String {
    provider()
        .state()
        .client(client)
        .unwrap()
        .secret()
        .unwrap()
        .to_owned()
}

/// A temporary directory for key and secret files, removed at the end of the test.
impl Dir {
    /// The private JWK of a static client (state file), as a file.
    fn client_key(&self, client: &str) -> String {
        let jwk = provider().state().client_private_jwk(client).unwrap();
        self.write(&format!("{client}.jwk"), &jwk)
    }
}

fn spawn<S: AsRef<str>>(args: &[S]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_jose"))
        .arg("oauth")
        .args(args.iter().map(AsRef::as_ref))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn run<S: AsRef<str>>(args: &[S]) -> Output {
    spawn(args).wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs a command that must succeed with `--json`; its stdout as JSON.
fn json<S: AsRef<str> + std::fmt::Debug>(args: &[S]) -> Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: exit {:?}: {}",
        out.status.code(),
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e}): {}", text(&out.stdout)))
}

/// Runs a command that must fail with `code` and one line on stderr; that line.
fn failure<S: AsRef<str> + std::fmt::Debug>(args: &[S], code: i32) -> (String, Vec<u8>) {
    let out = run(args);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    (stderr, out.stdout)
}

/// `--client-id ID --client-secret=S --insecure-http` (secrets may start with `-`).
fn basic(client: &str) -> Vec<String> {
    vec![
        "--client-id".into(),
        client.into(),
        format!("--client-secret={}", secret(client)),
        "--insecure-http".into(),
    ]
}

/// `base` followed by `more`.
fn with(base: &[&str], more: &[String]) -> Vec<String> {
    base.iter()
        .map(|s| (*s).to_owned())
        .chain(more.iter().cloned())
        .collect()
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Sends one HTTP/1.1 request to a loopback URL; the status code.
fn http(url: &Url, form_body: Option<&str>) -> u16 {
    let mut stream = TcpStream::connect((url.host_str().unwrap(), url.port().unwrap())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let request = match form_body {
        None => format!("GET {target} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n"),
        Some(body) => format!(
            "POST {target} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        ),
    };
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap()
}

/// Reads a child's stderr line by line on a thread.
struct Lines {
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Lines {
    fn of(child: &mut Child) -> Self {
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Self {
            lines: rx,
            seen: Vec::new(),
        }
    }

    /// The first line (from now) for which `pick` gives something.
    fn wait_for<T>(&mut self, what: &str, pick: impl Fn(&str) -> Option<T>) -> T {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => {
                    let found = pick(&line);
                    self.seen.push(line);
                    if let Some(found) = found {
                        return found;
                    }
                }
                Err(_) => panic!("no {what} on stderr; seen: {:?}", self.seen),
            }
        }
    }

    /// Everything else the child writes, until it closes stderr.
    fn rest(mut self) -> String {
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(30)) {
            self.seen.push(line);
        }
        self.seen.join("\n")
    }
}

/// What an `authorize` run produced.
struct Authorized {
    output: Output,
    stderr: String,
    url: Url,
}

impl Authorized {
    fn json(&self) -> Value {
        assert!(
            self.output.status.success(),
            "authorize failed: {}",
            self.stderr
        );
        serde_json::from_slice(&self.output.stdout).unwrap()
    }

    /// Asserts that the command exited 1 with `message` on stderr.
    fn refused(&self, message: &str) {
        assert_eq!(self.output.status.code(), Some(1), "{}", self.stderr);
        assert!(self.stderr.contains(message), "{}", self.stderr);
    }
}

/// Runs `jose oauth authorize ARGS --no-browser --redirect-uri http://127.0.0.1/callback` (the
/// command picks a free port and names it on stderr), reads the authorization URL from its
/// stderr, lets the scripted user agent log in and consent, delivers the redirect (a GET, or
/// the `form_post` POST) to the command's loopback listener, and waits for the command.
async fn authorize<S: AsRef<str>>(agent: &UserAgent, args: &[S]) -> Authorized {
    authorize_at(agent, "http://127.0.0.1/callback", args).await
}

/// [`authorize`] with this `--redirect-uri`.
async fn authorize_at<S: AsRef<str>>(agent: &UserAgent, redirect: &str, args: &[S]) -> Authorized {
    let mut all: Vec<&str> = vec![
        "authorize",
        issuer_str(),
        "--no-browser",
        "--redirect-uri",
        redirect,
    ];
    all.extend(args.iter().map(AsRef::as_ref));
    let mut child = spawn(&all);
    let mut lines = Lines::of(&mut child);
    let redirect_uri = lines.wait_for("redirect URI", |line| {
        line.split_once("(the redirect goes to ")
            .map(|(_, rest)| rest.trim_end_matches("):").to_owned())
    });
    let url = lines.wait_for("authorization URL", |line| {
        line.starts_with("http").then(|| Url::parse(line).unwrap())
    });
    match agent.authorize(&url, &redirect_uri).await {
        Ok(redirect) => {
            let status = http(&redirect.url, redirect.form_body.as_deref());
            assert_eq!(status, 200, "the listener answers the redirect");
        }
        Err(e) => {
            let _ = child.kill();
            panic!("user agent: {e}; CLI stderr: {}", lines.rest());
        }
    }
    let output = child.wait_with_output().unwrap();
    Authorized {
        output,
        stderr: lines.rest(),
        url,
    }
}

fn issuer_str() -> &'static str {
    static ISSUER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ISSUER.get_or_init(issuer)
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

// --- discover -----------------------------------------------------------------------------------

#[test]
fn discover_prints_the_metadata_and_flags_plain_http() {
    let out = run(&["discover", issuer_str(), "--insecure-http", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let metadata: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(metadata["issuer"], issuer());
    assert_eq!(
        metadata["x_jose_rs_test"], "kept",
        "unknown members are kept"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("jose: insecure: token_endpoint: http://"),
        "{stderr}"
    );

    let human = run(&["discover", issuer_str(), "--insecure-http"]);
    let shown = text(&human.stdout);
    assert!(shown.contains("(issuer checked)"), "{shown}");
    assert!(shown.contains("Findings"), "{shown}");
    assert!(shown.contains("insecure: jwks_uri"), "{shown}");

    // RFC 8414 document at the path-inserted well-known URL.
    let oauth2 = json(&[
        "discover",
        issuer_str(),
        "--insecure-http",
        "--discovery",
        "oauth2",
        "--json",
    ]);
    assert_eq!(oauth2["issuer"], issuer());
}

#[test]
fn discover_refuses_plain_http_without_the_flag_and_wrong_issuers() {
    let (line, _) = failure(&["discover", issuer_str()], 2);
    assert!(line.contains("--insecure-http"), "{line}");
    let other = format!("{}/other", issuer());
    failure(&["discover", &other, "--insecure-http"], 1);
    failure(&["discover", "not a url"], 2);
}

// --- authorize ----------------------------------------------------------------------------------

#[tokio::test]
async fn authorize_code_flow_with_pkce() {
    let agent = UserAgent::new().unwrap();
    let client = basic("client-basic-loopback");
    let args = with(
        &["--scope", "openid email offline_access", "--json"],
        &client,
    );
    // The port as given (the other tests let the command pick it).
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    let done = authorize_at(&agent, &redirect, &args).await;
    assert_eq!(param(&done.url, "redirect_uri").unwrap(), redirect);
    let tokens = done.json();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["access_token"], "[hidden]");
    assert_eq!(tokens["refresh_token"], "[hidden]");
    assert_eq!(tokens["id_token"], "[hidden]");
    let claims = &tokens["id_token_claims"];
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["aud"], "client-basic-loopback");
    assert_eq!(claims["nonce"], param(&done.url, "nonce").unwrap());
    assert_eq!(param(&done.url, "code_challenge_method").unwrap(), "S256");
    assert!(param(&done.url, "state").is_some());
    assert!(done.stderr.contains("Open this URL"), "{}", done.stderr);
}

#[tokio::test]
async fn authorize_prints_tokens_for_people_and_hides_secrets() {
    let agent = UserAgent::new().unwrap();
    // A public client: no secret, only PKCE.
    let args = vec![
        "--client-id",
        "client-public-loopback",
        "--insecure-http",
        "--scope",
        "openid profile",
    ];
    let done = authorize(&agent, &args).await;
    assert!(done.output.status.success(), "{}", done.stderr);
    let shown = text(&done.output.stdout);
    assert!(
        shown.contains("ID Token claims (signature and claims validated)"),
        "{shown}"
    );
    assert!(shown.contains("[hidden: JWT, "), "{shown}");
    assert!(shown.contains("(expires in "), "{shown}");
    assert!(shown.contains("sub "), "{shown}");
    assert!(
        shown.contains("Alice Liddell") || shown.contains("alice"),
        "{shown}"
    );
    assert!(shown.contains("--show-secrets"), "{shown}");
}

#[tokio::test]
async fn authorize_with_par() {
    let agent = UserAgent::new().unwrap();
    let client = basic("client-basic-loopback");
    let done = authorize(&agent, &with(&["--par", "--json"], &client)).await;
    // The browser saw only client_id and request_uri.
    let names: Vec<String> = done
        .url
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect();
    assert_eq!(names, ["client_id", "request_uri"]);
    assert_eq!(done.json()["id_token_claims"]["sub"], "alice");
}

#[tokio::test]
async fn authorize_with_jar_and_with_jar_over_par() {
    let dir = Dir::new("jar");
    let key = dir.client_key("client-jar-loopback");
    let client = basic("client-jar-loopback");
    let agent = UserAgent::new().unwrap();
    let done = authorize(&agent, &with(&["--jar", &key, "--json"], &client)).await;
    assert!(param(&done.url, "request").is_some(), "{}", done.url);
    assert!(
        param(&done.url, "scope").is_none(),
        "only the request object carries parameters"
    );
    assert_eq!(done.json()["id_token_claims"]["sub"], "alice");

    let done = authorize(&agent, &with(&["--jar", &key, "--par", "--json"], &client)).await;
    assert!(param(&done.url, "request_uri").is_some());
    assert_eq!(done.json()["id_token_claims"]["sub"], "alice");

    // Without --jar the provider refuses the request and redirects back with the error.
    let done = authorize(&agent, &client).await;
    done.refused("error: invalid_request");
}

#[tokio::test]
async fn authorize_with_jarm() {
    let agent = UserAgent::new().unwrap();
    let client = basic("client-jarm-loopback");
    let done = authorize(&agent, &with(&["--jarm", "--json"], &client)).await;
    assert_eq!(param(&done.url, "response_mode").unwrap(), "jwt");
    assert_eq!(done.json()["id_token_claims"]["sub"], "alice");
}

#[tokio::test]
async fn authorize_hybrid_code_id_token_through_form_post() {
    let agent = UserAgent::new().unwrap();
    let client = basic("client-hybrid-loopback");
    let done = authorize(
        &agent,
        &with(&["--response-type", "code id_token", "--json"], &client),
    )
    .await;
    assert_eq!(param(&done.url, "response_type").unwrap(), "code id_token");
    assert_eq!(param(&done.url, "response_mode").unwrap(), "form_post");
    let tokens = done.json();
    assert_eq!(tokens["id_token_claims"]["sub"], "alice");
    assert_eq!(
        tokens["id_token_claims"]["nonce"],
        param(&done.url, "nonce").unwrap()
    );
}

#[tokio::test]
async fn authorize_with_dpop_then_userinfo_and_refresh_with_the_same_key() {
    let dir = Dir::new("dpop");
    let key = dir.write(
        "dpop.jwk",
        &text(
            &Command::new(env!("CARGO_BIN_EXE_jose"))
                .args(["key", "generate", "--alg", "ES256"])
                .output()
                .unwrap()
                .stdout,
        ),
    );
    let agent = UserAgent::new().unwrap();
    let client = basic("client-basic-loopback");
    let done = authorize(
        &agent,
        &with(
            &[
                "--dpop",
                &key,
                "--scope",
                "openid email offline_access",
                "--json",
                "--show-secrets",
            ],
            &client,
        ),
    )
    .await;
    assert!(
        param(&done.url, "dpop_jkt").is_some(),
        "the code is bound to the key"
    );
    let tokens = done.json();
    assert_eq!(tokens["token_type"], "DPoP");
    let access_token = tokens["access_token"].as_str().unwrap();
    let refresh_token = tokens["refresh_token"].as_str().unwrap();

    // UserInfo demands a DPoP nonce from every client: the command retries with it.
    let info = json(&with(
        &[
            "userinfo",
            issuer_str(),
            "--access-token",
            access_token,
            "--dpop",
            &key,
            "--subject",
            "alice",
            "--json",
        ],
        &client,
    ));
    assert_eq!(info["sub"], "alice");
    assert_eq!(info["email"], "alice@example.test");
    // Without the proof the DPoP-bound token is refused: the challenge is shown, exit 1.
    let (line, _) = failure(
        &with(
            &["userinfo", issuer_str(), "--access-token", access_token],
            &client,
        ),
        1,
    );
    assert!(
        line.contains("userinfo endpoint answered HTTP 401"),
        "{line}"
    );

    let refreshed = json(&with(
        &[
            "refresh",
            issuer_str(),
            "--refresh-token",
            refresh_token,
            "--dpop",
            &key,
            "--json",
        ],
        &client,
    ));
    assert_eq!(refreshed["token_type"], "DPoP");
    assert_eq!(refreshed["id_token_claims"]["sub"], "alice");

    let generated = authorize(&agent, &with(&["--dpop-generate"], &client)).await;
    assert!(generated.output.status.success(), "{}", generated.stderr);
    assert!(text(&generated.output.stdout).contains("DPoP key thumbprint (jkt): "));
}

#[tokio::test]
async fn authorize_with_encrypted_id_tokens_and_userinfo() {
    let dir = Dir::new("encrypted");
    let key = dir.client_key("client-encrypted-loopback");
    let agent = UserAgent::new().unwrap();
    let client = basic("client-encrypted-loopback");
    let metadata =
        r#"{"userinfo_signed_response_alg":"ES256","userinfo_encrypted_response_alg":"ECDH-ES"}"#;
    let done = authorize(
        &agent,
        &with(
            &[
                "--decryption-key",
                &key,
                "--scope",
                "openid email",
                "--json",
                "--show-secrets",
            ],
            &client,
        ),
    )
    .await;
    let tokens = done.json();
    assert_eq!(
        tokens["id_token"].as_str().unwrap().split('.').count(),
        5,
        "a JWE"
    );
    assert_eq!(tokens["id_token_claims"]["sub"], "alice");
    let access_token = tokens["access_token"].as_str().unwrap();
    let info = json(&with(
        &[
            "userinfo",
            issuer_str(),
            "--access-token",
            access_token,
            "--decryption-key",
            &key,
            "--client-metadata",
            metadata,
            "--subject",
            "alice",
            "--json",
        ],
        &client,
    ));
    assert_eq!(info["email"], "alice@example.test");
    // Without the key the encrypted ID Token cannot be read.
    let done = authorize(
        &agent,
        &client.iter().map(String::as_str).collect::<Vec<_>>(),
    )
    .await;
    done.refused("encrypted");
}

#[tokio::test]
async fn authorize_reports_access_denied_and_its_description() {
    let agent = UserAgent::new().unwrap();
    let client = basic("client-basic-loopback");
    let done = authorize(
        &agent,
        &with(&["--param", "login_hint=deny", "--json"], &client),
    )
    .await;
    done.refused("error: access_denied: the test user refused");
    let body: Value = serde_json::from_slice(&done.output.stdout).unwrap();
    assert_eq!(body["error"], "access_denied");
}

#[test]
fn authorize_usage_errors_exit_2() {
    let client = basic("client-basic-loopback");
    for (extra, expected) in [
        (
            vec!["--redirect-uri", "https://127.0.0.1/cb"],
            "--redirect-uri",
        ),
        (
            vec!["--redirect-uri", "http://localhost:8000/cb"],
            "loopback IP literal",
        ),
        (vec!["--response-type", "token"], "--response-type"),
        (
            vec!["--param", "redirect_uri=http://x"],
            "cannot be overridden",
        ),
        (vec!["--param", "novalue"], "NAME=VALUE"),
    ] {
        let mut args = vec!["authorize", issuer_str(), "--no-browser"];
        args.extend(extra);
        let (line, _) = failure(&with(&args, &client), 2);
        assert!(line.contains(expected), "{line}");
    }
    let (line, _) = failure(&["authorize", issuer_str(), "--insecure-http"], 2);
    assert!(line.contains("--client-id"), "{line}");
}

// --- client credentials, token exchange, introspection, revocation ------------------------------

#[test]
fn client_credentials_with_every_secret_and_key_method() {
    let dir = Dir::new("client-credentials");
    let key = dir.client_key("client-private-key-jwt");
    let secret_file = dir.write("secret", &format!("{}\n", secret("client-post")));
    let cases: Vec<Vec<String>> = vec![
        basic("client-basic"),
        vec![
            "--client-id".into(),
            "client-post".into(),
            "--client-secret-file".into(),
            secret_file,
            "--auth-method".into(),
            "client_secret_post".into(),
            "--insecure-http".into(),
        ],
        [
            basic("client-secret-jwt"),
            vec!["--auth-method".into(), "client_secret_jwt".into()],
        ]
        .concat(),
        vec![
            "--client-id".into(),
            "client-private-key-jwt".into(),
            "--private-key".into(),
            key,
            "--insecure-http".into(),
        ],
    ];
    for client in &cases {
        let tokens = json(&with(
            &[
                "client-credentials",
                issuer_str(),
                "--scope",
                "api:read",
                "--resource",
                "urn:test:api",
                "--json",
            ],
            client,
        ));
        assert_eq!(tokens["token_type"], "Bearer", "{client:?}");
        assert_eq!(tokens["scope"], "api:read", "{client:?}");
        assert_eq!(tokens["access_token"], "[hidden]");
    }
}

#[test]
fn client_credentials_over_mtls() {
    let pki = provider().pki();
    let dir = Dir::new("mtls");
    let cert = dir.write("client.pem", &pki.client_cert_pem);
    let cert_key = dir.write("client.key", &pki.client_key_pem);
    let ca = dir.write("ca.pem", &pki.ca_pem);
    let tokens = json(&[
        "client-credentials",
        issuer_str(),
        "--client-id",
        "client-mtls",
        "--cert",
        &cert,
        "--cert-key",
        &cert_key,
        "--ca-cert",
        &ca,
        "--insecure-http",
        "--resource",
        "urn:test:jwt-api",
        "--scope",
        "api:read",
        "--json",
        "--show-secrets",
    ]);
    // A JWT access token bound to the certificate (RFC 8705 §3).
    let at = tokens["access_token"].as_str().unwrap();
    let mut inspect = Command::new(env!("CARGO_BIN_EXE_jose"))
        .args(["jwt", "inspect"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    inspect
        .stdin
        .take()
        .unwrap()
        .write_all(at.as_bytes())
        .unwrap();
    let inspected = text(&inspect.wait_with_output().unwrap().stdout);
    assert!(inspected.contains("x5t#S256"), "{inspected}");
}

#[test]
fn server_errors_show_error_description_and_status_and_exit_1() {
    let mut client = basic("client-basic");
    client[2] = "--client-secret=wrong-secret".into();
    let (line, stdout) = failure(
        &with(&["client-credentials", issuer_str(), "--json"], &client),
        1,
    );
    assert!(
        line.contains(
            "the token endpoint answered HTTP 401: invalid_client: client authentication failed"
        ),
        "{line}"
    );
    let body: Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["http_status"], 401);

    let (line, _) = failure(
        &with(
            &[
                "client-credentials",
                issuer_str(),
                "--resource",
                "urn:test:unknown",
            ],
            &basic("client-basic"),
        ),
        1,
    );
    assert!(line.contains("HTTP 400: invalid_target"), "{line}");
}

#[test]
fn token_exchange_introspection_and_revocation() {
    let subject = json(&with(
        &[
            "client-credentials",
            issuer_str(),
            "--resource",
            "urn:test:api",
            "--scope",
            "api:read api:write",
            "--json",
            "--show-secrets",
        ],
        &basic("client-basic"),
    ));
    let subject_token = subject["access_token"].as_str().unwrap();
    let exchanger = basic("client-token-exchange");
    let exchanged = json(&with(
        &[
            "token-exchange",
            issuer_str(),
            "--subject-token",
            subject_token,
            "--subject-token-type",
            "access_token",
            "--scope",
            "api:read",
            "--json",
            "--show-secrets",
        ],
        &exchanger,
    ));
    assert_eq!(
        exchanged["issued_token_type"],
        "urn:ietf:params:oauth:token-type:access_token"
    );
    assert_eq!(exchanged["scope"], "api:read");
    let new_token = exchanged["access_token"].as_str().unwrap();
    assert_ne!(new_token, subject_token);

    let info = json(&with(
        &["introspect", issuer_str(), "--token", new_token, "--json"],
        &exchanger,
    ));
    assert_eq!(info["active"], true);
    assert_eq!(info["client_id"], "client-token-exchange");
    assert_eq!(info["scope"], "api:read");

    // The server's refusals, rendered with exit 1.
    let (line, _) = failure(
        &with(
            &[
                "token-exchange",
                issuer_str(),
                "--subject-token",
                "not-a-token",
                "--subject-token-type",
                "access_token",
            ],
            &exchanger,
        ),
        1,
    );
    assert!(line.contains("HTTP 400: invalid_grant"), "{line}");
    let (line, _) = failure(
        &with(
            &[
                "token-exchange",
                issuer_str(),
                "--subject-token",
                subject_token,
                "--subject-token-type",
                "jwt",
            ],
            &exchanger,
        ),
        1,
    );
    assert!(
        line.contains("invalid_request: subject_token_type must be"),
        "{line}"
    );
    let (line, _) = failure(
        &with(
            &[
                "token-exchange",
                issuer_str(),
                "--subject-token",
                subject_token,
                "--subject-token-type",
                "access_token",
            ],
            &basic("client-basic"),
        ),
        1,
    );
    assert!(
        line.contains("invalid_request: requested grant type is not allowed for this client"),
        "{line}"
    );

    // Revocation, then introspection says inactive.
    let revoked = json(&with(
        &[
            "revoke",
            issuer_str(),
            "--token",
            new_token,
            "--token-type-hint",
            "access_token",
            "--json",
        ],
        &exchanger,
    ));
    assert_eq!(revoked, serde_json::json!({}));
    let info = json(&with(
        &["introspect", issuer_str(), "--token", new_token, "--json"],
        &exchanger,
    ));
    assert_eq!(info["active"], false);
    let human = run(&with(
        &["introspect", issuer_str(), "--token", new_token],
        &exchanger,
    ));
    assert!(
        text(&human.stdout).contains("NOT active"),
        "{}",
        text(&human.stdout)
    );
}

#[test]
fn jwt_introspection_responses_are_verified() {
    let client = basic("client-signed-responses");
    let tokens = json(&with(
        &[
            "client-credentials",
            issuer_str(),
            "--resource",
            "urn:test:api",
            "--json",
            "--show-secrets",
        ],
        &client,
    ));
    let token = tokens["access_token"].as_str().unwrap();
    // The token on stdin (`-`), the JWT response (RFC 9701) asked for by the client metadata.
    let mut args = vec![
        "oauth",
        "introspect",
        issuer_str(),
        "--token",
        "-",
        "--json",
    ];
    args.extend([
        "--client-metadata",
        r#"{"introspection_signed_response_alg":"ES256"}"#,
    ]);
    args.extend(client.iter().map(String::as_str));
    let mut child = Command::new(env!("CARGO_BIN_EXE_jose"))
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{token}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["active"], true);
    assert_eq!(info["client_id"], "client-signed-responses");
    assert_eq!(info["aud"], "urn:test:api");
}

// --- device -------------------------------------------------------------------------------------

/// Starts `jose oauth device` for client-device, polling every second, with `args`; waits for
/// `verification_uri` and `user_code` on stderr, decides, and waits. The output, the rest of
/// stderr, and the verification URI.
async fn device(args: &[&str], decision: DeviceDecision<'_>) -> (Output, String, String) {
    let mut all = vec![
        "device",
        issuer_str(),
        "--client-id",
        "client-device",
        "--insecure-http",
        "--interval",
        "1",
    ];
    all.extend_from_slice(args);
    let mut child = spawn(&all);
    let mut lines = Lines::of(&mut child);
    let uri = lines.wait_for("verification_uri", |l| {
        l.strip_prefix("verification_uri: ").map(str::to_owned)
    });
    let user_code = lines.wait_for("user_code", |l| {
        l.strip_prefix("user_code: ").map(str::to_owned)
    });
    provider()
        .decide_device_code(&user_code, decision)
        .await
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (output, lines.rest(), uri)
}

#[tokio::test]
async fn device_flow_shows_the_user_code_at_once_and_polls_until_approved() {
    let (output, stderr, uri) = device(
        &[
            "--scope",
            "openid offline_access",
            "--qr",
            "always",
            "--json",
        ],
        DeviceDecision::Approve("bob"),
    )
    .await;
    assert!(uri.starts_with(&issuer()), "{uri}");
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains('\u{2588}'), "a QR code: {stderr}");
    let tokens: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(tokens["id_token_claims"]["sub"], "bob");
    assert_eq!(tokens["refresh_token"], "[hidden]");
}

#[tokio::test]
async fn device_flow_denied_exits_1() {
    let (output, stderr, _) = device(&["--scope", "openid"], DeviceDecision::Deny).await;
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("HTTP 400: access_denied"), "{stderr}");
}

// --- ciba ---------------------------------------------------------------------------------------

/// Starts `jose oauth ciba ARGS`, waits for `auth_req_id` on stderr, decides, and waits.
async fn ciba<S: AsRef<str>>(args: &[S], decision: CibaDecision) -> (Output, String) {
    let mut all: Vec<&str> = vec!["ciba", issuer_str()];
    all.extend(args.iter().map(AsRef::as_ref));
    let mut child = spawn(&all);
    let mut lines = Lines::of(&mut child);
    let id = lines.wait_for("auth_req_id", |l| {
        l.strip_prefix("auth_req_id: ").map(str::to_owned)
    });
    provider().ciba_decide(&id, decision, None).await.unwrap();
    let output = child.wait_with_output().unwrap();
    (output, lines.rest())
}

#[tokio::test]
async fn ciba_poll_mode_prints_auth_req_id_then_the_tokens() {
    let client = basic("client-ciba-poll");
    let (output, stderr) = ciba(
        &with(
            &[
                "--login-hint",
                "bob;interval=1",
                "--binding-message",
                "W4SCT",
                "--user-code",
                "1234",
                "--scope",
                "openid email",
                "--json",
            ],
            &client,
        ),
        CibaDecision::Approve,
    )
    .await;
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("interval: 1"), "{stderr}");
    let tokens: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(tokens["id_token_claims"]["sub"], "bob");
    assert_eq!(tokens["access_token"], "[hidden]");
}

#[tokio::test]
async fn ciba_with_signed_requests_and_private_key_jwt() {
    let dir = Dir::new("ciba-fapi");
    let key = dir.client_key("client-ciba-fapi");
    let (output, stderr) = ciba(
        &[
            "--login-hint",
            "alice;interval=1",
            "--binding-message",
            "B1",
            "--client-id",
            "client-ciba-fapi",
            "--private-key",
            &key,
            "--request-signing-key",
            &key,
            "--insecure-http",
            "--json",
        ],
        CibaDecision::Approve,
    )
    .await;
    assert!(output.status.success(), "{stderr}");
    let tokens: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(tokens["id_token_claims"]["sub"], "alice");
}

#[tokio::test]
async fn ciba_denied_and_unknown_users_exit_1() {
    let client = basic("client-ciba-poll");
    let (output, stderr) = ciba(
        &with(
            &[
                "--login-hint",
                "alice;interval=1",
                "--user-code",
                "1234",
                "--json",
            ],
            &client,
        ),
        CibaDecision::Deny,
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the token endpoint answered access_denied"),
        "{stderr}"
    );
    let body: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(body["error"], "access_denied");

    let (line, _) = failure(
        &with(
            &[
                "ciba",
                issuer_str(),
                "--login-hint",
                "unknown",
                "--user-code",
                "1234",
            ],
            &client,
        ),
        1,
    );
    assert!(
        line.contains("backchannel_authentication endpoint answered HTTP 400: unknown_user_id"),
        "{line}"
    );
    let (line, _) = failure(&with(&["ciba", issuer_str()], &client), 2);
    assert!(line.contains("--login-hint"), "{line}");
}

// --- register, end-session ----------------------------------------------------------------------

#[test]
fn register_a_client_then_use_it() {
    let token = provider().state().initial_access_token().to_owned();
    let metadata = r#"{"client_name":"cli test","redirect_uris":["https://rp.test/cb"],"grant_types":["client_credentials"],"response_types":[]}"#;
    let registered = json(&[
        "register",
        issuer_str(),
        "--metadata",
        metadata,
        "--initial-access-token",
        &token,
        "--insecure-http",
        "--json",
    ]);
    let client_id = registered["client_id"].as_str().unwrap();
    assert_eq!(registered["client_name"], "cli test");
    assert_eq!(registered["client_secret"], "[hidden]");
    assert_eq!(registered["registration_access_token"], "[hidden]");

    let shown = json(&[
        "register",
        issuer_str(),
        "--metadata",
        metadata,
        "--initial-access-token",
        &token,
        "--insecure-http",
        "--json",
        "--show-secrets",
    ]);
    let tokens = json(&[
        "client-credentials",
        issuer_str(),
        "--client-id",
        shown["client_id"].as_str().unwrap(),
        "--client-secret",
        shown["client_secret"].as_str().unwrap(),
        "--insecure-http",
        "--resource",
        "urn:test:api",
        "--json",
    ]);
    assert_eq!(tokens["token_type"], "Bearer");
    assert_ne!(client_id, shown["client_id"].as_str().unwrap());

    // Without the initial access token the server refuses.
    let (line, _) = failure(
        &[
            "register",
            issuer_str(),
            "--metadata",
            metadata,
            "--insecure-http",
        ],
        1,
    );
    assert!(
        line.contains("registration endpoint answered HTTP 401"),
        "{line}"
    );
    failure(
        &[
            "register",
            issuer_str(),
            "--metadata",
            "{not json",
            "--insecure-http",
        ],
        2,
    );
}

#[tokio::test]
async fn end_session_url_logs_the_user_out() {
    let agent = UserAgent::new().unwrap();
    let client = basic("client-basic-loopback");
    let done = authorize(&agent, &with(&["--json", "--show-secrets"], &client)).await;
    let id_token = done.json()["id_token"].as_str().unwrap().to_owned();
    let post_logout = provider().state().post_logout_redirect_uri().to_owned();
    let out = json(&with(
        &[
            "end-session",
            issuer_str(),
            "--id-token-hint",
            &id_token,
            "--post-logout-redirect-uri",
            &post_logout,
            "--state",
            "bye",
            "--no-browser",
            "--json",
            "--show-secrets",
        ],
        &client,
    ));
    let url = Url::parse(out["end_session_url"].as_str().unwrap()).unwrap();
    assert_eq!(param(&url, "id_token_hint").unwrap(), id_token);
    assert_eq!(param(&url, "client_id").unwrap(), "client-basic-loopback");
    // Without --show-secrets the printed URL hides the ID Token.
    let hidden = run(&with(
        &[
            "end-session",
            issuer_str(),
            "--id-token-hint",
            &id_token,
            "--no-browser",
        ],
        &client,
    ));
    let hidden = Url::parse(text(&hidden.stdout).trim()).unwrap();
    assert_eq!(param(&hidden, "id_token_hint").unwrap(), "[hidden]");
    let back = agent.end_session(&url).await.unwrap();
    assert!(back.as_str().starts_with(&post_logout), "{back}");
    assert_eq!(param(&back, "state").unwrap(), "bye");
}

// --- help ---------------------------------------------------------------------------------------

#[test]
fn every_subcommand_has_help() {
    let top = run(&["--help"]);
    let listed = text(&top.stdout);
    for sub in [
        "discover",
        "authorize",
        "client-credentials",
        "refresh",
        "device",
        "ciba",
        "token-exchange",
        "introspect",
        "revoke",
        "userinfo",
        "register",
        "end-session",
    ] {
        assert!(listed.contains(sub), "{sub} missing from jose oauth --help");
        let help = run(&[sub, "--help"]);
        assert!(help.status.success());
        let help = text(&help.stdout);
        assert!(help.contains("Usage: jose oauth"), "{sub}: {help}");
        assert!(help.contains("<ISSUER>"), "{sub}: {help}");
    }
}
