//! `jose dpop proof|verify`: flags, outputs and exit codes, as other tools drive them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{Dir, jose, ok};
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const HTU: &str = "https://rs.example/orders";

/// The exit code and the (one-line) error of a failing command.
fn fails(args: &[&str], stdin: &[u8]) -> (i32, String) {
    let out = jose(args, stdin);
    let stderr = String::from_utf8_lossy(&out.stderr).trim_end().to_owned();
    assert!(!out.status.success(), "{args:?} succeeded");
    assert!(out.stdout.is_empty(), "{args:?} printed on failure");
    assert_eq!(stderr.lines().count(), 1, "one-line error: {stderr}");
    (out.status.code().unwrap(), stderr)
}

/// A private ES256 key file and the thumbprint of its public half.
fn key(dir: &Dir) -> (String, String) {
    let private = ok(&["key", "generate", "--alg", "ES256"], b"");
    let public = ok(&["key", "public"], private.as_bytes());
    let jkt = ok(&["thumbprint"], public.as_bytes()).trim().to_owned();
    (dir.write("dpop.json", &private), jkt)
}

fn proof(key: &str, htm: &str, extra: &[&str]) -> String {
    let mut args = vec!["dpop", "proof", "--key", key, "--htm", htm, "--htu", HTU];
    args.extend_from_slice(extra);
    ok(&args, b"").trim().to_owned()
}

fn verify_args<'a>(htm: &'a str, htu: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["dpop", "verify", "--htm", htm, "--htu", htu];
    args.extend_from_slice(extra);
    args
}

#[test]
fn a_proof_round_trips_through_verify_with_its_jkt_and_claims() {
    let dir = Dir::new("round-trip");
    let (key, jkt) = key(&dir);
    let p = proof(&key, "POST", &["--access-token", "at-1", "--nonce", "n-1"]);
    assert_eq!(p.split('.').count(), 3);
    let out: Value = serde_json::from_str(&ok(
        &verify_args(
            "POST",
            "https://rs.example/orders?page=2",
            &["--access-token", "at-1", "--nonce", "n-1"],
        ),
        p.as_bytes(),
    ))
    .unwrap();
    assert_eq!(out["jkt"], jkt.as_str());
    let claims = &out["claims"];
    assert_eq!(claims["htm"], "POST");
    assert_eq!(claims["htu"], HTU);
    assert_eq!(claims["nonce"], "n-1");
    // ath = base64url(SHA-256("at-1")).
    assert_eq!(claims["ath"], "R8PYaIQdcYEdkSc9TeGyiUqSAedmCQuOQImPRh1E3HI");
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    assert!(claims["iat"].is_i64());
}

#[test]
fn a_wrong_htm_htu_ath_or_nonce_is_refused_with_exit_1_naming_the_check() {
    let dir = Dir::new("refused");
    let (key, _) = key(&dir);
    let p = proof(&key, "GET", &["--access-token", "at-1", "--nonce", "n-1"]);
    let good = ["--access-token", "at-1", "--nonce", "n-1"];
    for (htm, htu, extra, check) in [
        ("POST", HTU, &good[..], "[htm]"),
        ("GET", "https://rs.example/other", &good[..], "[htu]"),
        ("GET", "https://rs2.example/orders", &good[..], "[htu]"),
        (
            "GET",
            HTU,
            &["--access-token", "at-2", "--nonce", "n-1"][..],
            "[ath]",
        ),
        (
            "GET",
            HTU,
            &["--access-token", "at-1", "--nonce", "n-2"][..],
            "[nonce]",
        ),
    ] {
        let (code, message) = fails(&verify_args(htm, htu, extra), p.as_bytes());
        assert_eq!(code, 1, "{message}");
        assert!(message.ends_with(check), "{check}: {message}");
    }
    // An access token presented with a proof that has no ath.
    let bare = proof(&key, "GET", &[]);
    let (code, message) = fails(
        &verify_args("GET", HTU, &["--access-token", "at-1"]),
        bare.as_bytes(),
    );
    assert_eq!((code, message.ends_with("[ath]")), (1, true), "{message}");
    // A proof with its signature altered, and something that is not a proof.
    let mut tampered = p.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let (code, message) = fails(&verify_args("GET", HTU, &good), &tampered);
    assert_eq!(
        (code, message.ends_with("[signature]")),
        (1, true),
        "{message}"
    );
    let (code, _) = fails(&verify_args("GET", HTU, &[]), b"not a proof");
    assert_eq!(code, 1);
}

#[test]
fn usage_errors_exit_2() {
    let dir = Dir::new("usage");
    let (key, _) = key(&dir);
    let p = proof(&key, "GET", &[]);
    let secret = ok(&["key", "generate", "--alg", "HS256"], b"");
    let secret = dir.write("secret.json", &secret);
    let missing = dir.0.join("absent.json").to_string_lossy().into_owned();
    let cases: Vec<Vec<&str>> = vec![
        vec!["dpop", "proof", "--key", &key, "--htm", "GET"],
        vec!["dpop", "proof", "--htm", "GET", "--htu", HTU],
        vec![
            "dpop", "proof", "--key", &missing, "--htm", "GET", "--htu", HTU,
        ],
        vec![
            "dpop", "proof", "--key", &secret, "--htm", "GET", "--htu", HTU,
        ],
        vec![
            "dpop", "proof", "--key", &key, "--htm", "G ET", "--htu", HTU,
        ],
        vec![
            "dpop",
            "proof",
            "--key",
            &key,
            "--htm",
            "GET",
            "--htu",
            "not a url",
        ],
        vec![
            "dpop", "proof", "--key", &key, "--htm", "GET", "--htu", HTU, "--nonce", "a b",
        ],
        vec!["dpop", "verify", "--htm", "GET"],
        vec!["dpop", "verify", "--htu", HTU],
        vec![
            "dpop",
            "verify",
            "--htm",
            "GET",
            "--htu",
            "ftp://rs.example/",
        ],
        vec!["dpop", "verify", "--htm", "", "--htu", HTU],
        vec![
            "dpop", "verify", "--htm", "GET", "--htu", HTU, "--nonce", "\"q\"",
        ],
        vec!["dpop", "verify", "--htm", "GET", "--htu", HTU, "--unknown"],
        vec![
            "dpop",
            "verify",
            "--htm",
            "GET",
            "--htu",
            HTU,
            "--replay-store",
            "http://127.0.0.1:6379",
        ],
        vec!["dpop"],
    ];
    for args in &cases {
        let (code, message) = fails(args, p.as_bytes());
        assert_eq!(code, 2, "{args:?}: {message}");
    }
}

/// A `verify` of `proof` against `store`, as a separate `jose` process.
fn verify_with_store(store: &str, proof: &str) -> Output {
    jose(
        &verify_args("GET", HTU, &["--replay-store", store]),
        proof.as_bytes(),
    )
}

#[test]
fn without_a_replay_store_each_process_remembers_only_its_own_proofs() {
    let dir = Dir::new("memory");
    let (key, _) = key(&dir);
    let p = proof(&key, "GET", &[]);
    // The in-memory store lives and dies with the process: a second process accepts again.
    ok(&verify_args("GET", HTU, &[]), p.as_bytes());
    ok(&verify_args("GET", HTU, &[]), p.as_bytes());
}

#[test]
fn a_proof_replayed_to_a_second_process_sharing_redis_is_refused() {
    let redis = test_redis::TestRedis::start().expect("redis-server for the shared store");
    let url = redis.url();
    let dir = Dir::new("redis");
    let (key, jkt) = key(&dir);
    let p = proof(&key, "GET", &[]);

    // A refused check records nothing: the proof is still fresh afterwards.
    let (code, message) = fails(
        &verify_args("POST", HTU, &["--replay-store", &url]),
        p.as_bytes(),
    );
    assert_eq!((code, message.ends_with("[htm]")), (1, true), "{message}");

    let first = verify_with_store(&url, &p);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let out: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(out["jkt"], jkt.as_str());

    let (code, message) = fails(
        &verify_args("GET", HTU, &["--replay-store", &url]),
        p.as_bytes(),
    );
    assert_eq!(code, 1, "{message}");
    assert!(message.ends_with("[replay]"), "{message}");

    // Another proof of the same key is fresh.
    let other = proof(&key, "GET", &[]);
    assert!(verify_with_store(&url, &other).status.success());
}

#[test]
fn an_unreachable_replay_store_refuses_the_proof_naming_the_store() {
    // A loopback port nobody listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://127.0.0.1:{port}");
    let dir = Dir::new("unreachable");
    let (key, _) = key(&dir);
    let p = proof(&key, "GET", &[]);

    let mut child = Command::new(env!("CARGO_BIN_EXE_jose"))
        .args(verify_args("GET", HTU, &["--replay-store", &url]))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(p.as_bytes()).unwrap();
    // A guard against hanging, not a timing assertion: the store's own timeout (2 s) bounds
    // the call; a process still running after 60 s has no timeout at all.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("jose dpop verify hung on an unreachable store");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).trim_end().to_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("redis://127.0.0.1:{port}")),
        "the message names the store: {stderr}"
    );
    assert!(stderr.ends_with("[replay_store]"), "{stderr}");
}
