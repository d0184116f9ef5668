//! Requests per second through resource-server's axum layer (aws-lc-rs backend) with ES256
//! JWT access tokens, Bearer and DPoP (replay detection with the in-memory store and with
//! Redis on loopback), beside jwt-authorizer 0.15 on the same tokens and keys, with the JWK Set
//! requests counted. Figures and method: docs/benchmarks.md, "Resource server".
//!
//! ```text
//! cargo bench -p benches --features resource-server --bench resource_server \
//!     [-- --quick] [-- --requests N --rounds N --concurrency N]
//! ```
//!
//! Every server is a process of its own on 127.0.0.1, driven by this one load generator over
//! HTTP/1.1 keep-alive connections: ours (`src/bin/rs_bench_server.rs`, twice: one process
//! with the in-memory replay store, one with Redis) and jwt-authorizer's
//! (`peers/jwt-authorizer-server`, a cargo project outside the workspace that this benchmark
//! builds with `cargo build --release --locked`). The generator serves the issuer's JWK Set
//! itself and counts its requests. After a warm-up, rounds run every configuration in turn,
//! the order rotated each round, so that the machine's other load falls on all of them alike.
//! Under `cargo test --benches` it runs once with a few requests, without the peer.

// A benchmark sets up fixed inputs; a failure there is a bug in the benchmark, reported loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::http::{HeaderValue, StatusCode, header};
use axum::{Router, extract::State, routing::get};
use dpop::DpopKey;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use jose_core::alg::JwsAlgorithm;
use jose_core::backend::Backend;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use jwt_claims::JwtBuilder;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use test_redis::TestRedis;

const ISSUER: &str = "https://issuer.bench.example";
const AUDIENCE: &str = "https://api.bench.example";
/// The servers' public base URL (as behind a proxy): DPoP proofs are made for it.
const PUBLIC_URL: &str = "https://api.bench.example";
const PATH: &str = "/whoami";

/// How much to measure.
#[derive(Clone, Copy, Debug)]
struct Plan {
    /// Requests of each configuration in each round.
    requests: usize,
    /// Requests of each configuration before the first round.
    warm_up: usize,
    rounds: usize,
    /// Connections (each with one request in flight at a time).
    concurrency: usize,
    /// Whether jwt-authorizer takes part (not in the smoke test).
    peer: bool,
}

impl Plan {
    fn from_args() -> Self {
        let args: Vec<String> = std::env::args().collect();
        // Criterion's rule: without `--bench` (under `cargo test --benches`) run once.
        let smoke = !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test");
        let mut plan = if smoke {
            Plan {
                requests: 50,
                warm_up: 10,
                rounds: 1,
                concurrency: 4,
                peer: false,
            }
        } else {
            Plan {
                requests: 20_000,
                warm_up: 2_000,
                rounds: 7,
                concurrency: 32,
                peer: true,
            }
        };
        let value = |name: &str| {
            args.iter()
                .position(|a| a == name)
                .and_then(|i| args.get(i + 1))
                .map(|v| v.parse::<usize>().expect("a number"))
        };
        if args.iter().any(|a| a == "--quick") {
            plan.requests = 3_000;
            plan.warm_up = 500;
            plan.rounds = 3;
        }
        plan.requests = value("--requests").unwrap_or(plan.requests);
        plan.rounds = value("--rounds").unwrap_or(plan.rounds);
        plan.concurrency = value("--concurrency").unwrap_or(plan.concurrency);
        plan
    }
}

// ---- The issuer: keys, tokens, the JWK Set endpoint ---------------------------------------------

/// The JWK Set endpoint's body and how many times it was asked for.
#[derive(Debug)]
struct Jwks {
    body: String,
    fetches: AtomicUsize,
}

async fn jwks(State(jwks): State<Arc<Jwks>>) -> ([(header::HeaderName, &'static str); 2], String) {
    jwks.fetches.fetch_add(1, Ordering::SeqCst);
    let headers = [
        (header::CONTENT_TYPE, "application/jwk-set+json"),
        (header::CACHE_CONTROL, "max-age=3600"),
    ];
    (headers, jwks.body.clone())
}

async fn serve_jwks(key: &SigningKey) -> (Arc<Jwks>, String) {
    let set = JwkSet::new(vec![key.public_jwk().unwrap()]).unwrap();
    let state = Arc::new(Jwks {
        body: set.to_json(),
        fetches: AtomicUsize::new(0),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/jwks", get(jwks))
        .with_state(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (state, url)
}

/// An RFC 9068 access token (ES256, `typ` `at+jwt`), DPoP-bound when `jkt` is given.
fn access_token(key: &SigningKey, jkt: Option<&str>) -> String {
    let mut builder = JwtBuilder::new()
        .typ("at+jwt")
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("alice")
        .lifetime(Duration::from_secs(3600))
        .claim("client_id", "bench-client")
        .unwrap()
        .claim("scope", "read write")
        .unwrap();
    if let Some(jkt) = jkt {
        builder = builder
            .claim("cnf", serde_json::json!({ "jkt": jkt }))
            .unwrap();
    }
    builder.sign(key).unwrap()
}

// ---- The servers ---------------------------------------------------------------------------------

/// A server process, killed on drop.
struct Server {
    name: &'static str,
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(name: &'static str, program: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("{name}: cannot run {}: {e}", program.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let Some(addr) = line.trim().strip_prefix("listening on http://") else {
            let _ = child.kill();
            panic!("{name} did not start: {line:?}");
        };
        let addr = addr.parse().unwrap();
        Server { name, child, addr }
    }

    /// CPU time (user + system) the process has used so far, from `/proc/PID/stat` (Linux;
    /// in clock ticks of 10 ms, `USER_HZ`).
    fn cpu_time(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        // The fields after the command name, which is in parentheses and may hold spaces.
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = after.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        Duration::from_millis(ticks * 10)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    // target/<profile>/deps/<this binary>
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

/// Builds jwt-authorizer's server (its own cargo project and lock file) and returns its binary.
fn build_peer() -> PathBuf {
    let manifest =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/jwt-authorizer-server/Cargo.toml");
    let target = target_dir().join("peers");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--locked", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .unwrap();
    assert!(status.success(), "building {} failed", manifest.display());
    target.join("release/jwt-authorizer-server")
}

// ---- The load generator --------------------------------------------------------------------------

/// What one configuration sends: the `Authorization` header, and for DPoP one fresh proof per
/// request.
struct Load {
    authorization: HeaderValue,
    proofs: Vec<HeaderValue>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Outcome {
    ok: usize,
    refused: usize,
    elapsed: Duration,
    /// CPU time the server process used during the run.
    server_cpu: Duration,
}

impl Outcome {
    fn per_second(&self) -> f64 {
        (self.ok + self.refused) as f64 / self.elapsed.as_secs_f64()
    }

    /// The server's CPU time per request, in microseconds: what a request costs the server,
    /// much less sensitive than the rate to what else the machine runs.
    fn cpu_per_request_us(&self) -> f64 {
        self.server_cpu.as_secs_f64() * 1e6 / (self.ok + self.refused) as f64
    }
}

async fn connect(addr: SocketAddr) -> SendRequest<Empty<Bytes>> {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    sender
}

/// Sends `requests` requests over `concurrency` connections, as fast as the server answers.
async fn drive(addr: SocketAddr, load: Arc<Load>, requests: usize, concurrency: usize) -> Outcome {
    let mut senders = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        senders.push(connect(addr).await);
    }
    let next = Arc::new(AtomicUsize::new(0));
    let host = HeaderValue::from_str(&addr.to_string()).unwrap();
    let started = Instant::now();
    let workers: Vec<_> = senders
        .into_iter()
        .map(|mut sender| {
            let (load, next, host) = (load.clone(), next.clone(), host.clone());
            tokio::spawn(async move {
                let (mut ok, mut refused) = (0, 0);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= requests {
                        return (ok, refused);
                    }
                    let mut request = hyper::Request::get(PATH)
                        .header(header::HOST, host.clone())
                        .header(header::AUTHORIZATION, load.authorization.clone());
                    if let Some(proof) = load.proofs.get(i) {
                        request = request.header("dpop", proof.clone());
                    }
                    let request = request.body(Empty::new()).unwrap();
                    sender.ready().await.unwrap();
                    let response = sender.send_request(request).await.unwrap();
                    let status = response.status();
                    response.into_body().collect().await.unwrap();
                    if status == StatusCode::OK {
                        ok += 1;
                    } else {
                        refused += 1;
                    }
                }
            })
        })
        .collect();
    let mut outcome = Outcome::default();
    for worker in workers {
        let (ok, refused) = worker.await.unwrap();
        outcome.ok += ok;
        outcome.refused += refused;
    }
    outcome.elapsed = started.elapsed();
    outcome
}

/// A configuration measured in every round.
struct Subject<'a> {
    label: &'static str,
    server: &'a Server,
    dpop: Option<&'a DpopKey>,
    token: String,
}

impl Subject<'_> {
    /// The requests of one run; DPoP proofs are signed here, before the clock starts.
    fn load(&self, requests: usize) -> Load {
        match self.dpop {
            None => Load {
                authorization: HeaderValue::from_str(&format!("Bearer {}", self.token)).unwrap(),
                proofs: Vec::new(),
            },
            Some(key) => {
                let uri = format!("{PUBLIC_URL}{PATH}");
                let proofs = (0..requests)
                    .map(|_| {
                        let proof = key
                            .proof("GET", &uri)
                            .access_token(&self.token)
                            .sign()
                            .unwrap();
                        HeaderValue::from_str(&proof).unwrap()
                    })
                    .collect();
                Load {
                    authorization: HeaderValue::from_str(&format!("DPoP {}", self.token)).unwrap(),
                    proofs,
                }
            }
        }
    }

    async fn run(&self, requests: usize, concurrency: usize) -> Outcome {
        let load = Arc::new(self.load(requests));
        let cpu_before = self.server.cpu_time();
        let mut outcome = drive(self.server.addr, load, requests, concurrency).await;
        outcome.server_cpu = self.server.cpu_time() - cpu_before;
        assert_eq!(
            outcome.refused, 0,
            "{} ({}): {} of {requests} requests refused",
            self.label, self.server.name, outcome.refused
        );
        outcome
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn main() {
    let plan = Plan::from_args();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert_eq!(Backend::default(), Backend::AwsLc, "the aws-lc-rs backend");
    let redis = TestRedis::start().expect("redis-server (apt-get install -y redis-server)");
    let peer_binary = plan.peer.then(build_peer);

    let issuer_key = SigningKey::new(
        Jwk::generate(JwsAlgorithm::ES256)
            .unwrap()
            .with_kid("bench-es256"),
        JwsAlgorithm::ES256,
    )
    .unwrap();
    let (jwks, jwks_url) = rt.block_on(serve_jwks(&issuer_key));
    let ours = Path::new(env!("CARGO_BIN_EXE_rs_bench_server"));
    let memory = Server::start(
        "ours, in-memory replay store",
        ours,
        &[&jwks_url, ISSUER, AUDIENCE, PUBLIC_URL, "memory"],
    );
    let redis_url = redis.url();
    let with_redis = Server::start(
        "ours, Redis replay store",
        ours,
        &[&jwks_url, ISSUER, AUDIENCE, PUBLIC_URL, &redis_url],
    );
    let peer = peer_binary
        .as_deref()
        .map(|binary| Server::start("jwt-authorizer", binary, &[&jwks_url, ISSUER, AUDIENCE]));

    let client_key = DpopKey::generate(JwsAlgorithm::ES256).unwrap();
    let bearer = access_token(&issuer_key, None);
    let bound = access_token(&issuer_key, Some(client_key.thumbprint()));
    let mut subjects = vec![Subject {
        label: "ours, Bearer",
        server: &memory,
        dpop: None,
        token: bearer.clone(),
    }];
    if let Some(peer) = &peer {
        subjects.push(Subject {
            label: "jwt-authorizer, Bearer",
            server: peer,
            dpop: None,
            token: bearer.clone(),
        });
    }
    subjects.push(Subject {
        label: "ours, DPoP + in-memory replay store",
        server: &memory,
        dpop: Some(&client_key),
        token: bound.clone(),
    });
    subjects.push(Subject {
        label: "ours, DPoP + Redis replay store",
        server: &with_redis,
        dpop: Some(&client_key),
        token: bound.clone(),
    });

    let load_before = load_average();
    for subject in &subjects {
        rt.block_on(subject.run(plan.warm_up, plan.concurrency));
    }
    let fetches_after_warm_up = jwks.fetches.load(Ordering::SeqCst);

    let mut rates = vec![Vec::new(); subjects.len()];
    let mut costs = vec![Vec::new(); subjects.len()];
    for round in 0..plan.rounds {
        for k in 0..subjects.len() {
            let i = (round + k) % subjects.len();
            let outcome = rt.block_on(subjects[i].run(plan.requests, plan.concurrency));
            rates[i].push(outcome.per_second());
            costs[i].push(outcome.cpu_per_request_us());
            eprintln!(
                "round {}: {}: {:.0} requests/s, {:.0} µs of server CPU per request",
                round + 1,
                subjects[i].label,
                outcome.per_second(),
                outcome.cpu_per_request_us()
            );
        }
    }
    let fetches_measured = jwks.fetches.load(Ordering::SeqCst) - fetches_after_warm_up;
    let measured_requests = plan.requests * plan.rounds * subjects.len();

    println!(
        "resource server: {} rounds x {} requests per configuration, {} connections, load average {} -> {}",
        plan.rounds,
        plan.requests,
        plan.concurrency,
        load_before,
        load_average()
    );
    println!();
    println!(
        "| configuration | requests/s (median) | min | max | server CPU per request (median) |"
    );
    println!("|---|---:|---:|---:|---:|");
    for ((subject, rates), costs) in subjects.iter().zip(&rates).zip(&costs) {
        let (min, max) = rates
            .iter()
            .fold((f64::MAX, 0.0f64), |(lo, hi), &r| (lo.min(r), hi.max(r)));
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} µs |",
            subject.label,
            median(rates),
            min,
            max,
            median(costs)
        );
    }
    println!();
    // Ratios per round (the configurations of one round ran back to back), then their median.
    let paired = |a: usize, b: usize| {
        let per_round: Vec<f64> = rates[a].iter().zip(&rates[b]).map(|(x, y)| x / y).collect();
        median(&per_round)
    };
    let ours_bearer = 0;
    let (dpop_memory, dpop_redis) = (subjects.len() - 2, subjects.len() - 1);
    if peer.is_some() {
        let ratio = paired(ours_bearer, 1);
        println!(
            "ours / jwt-authorizer, Bearer: {ratio:.2} (target >= 1: {})",
            if ratio >= 1.0 { "met" } else { "NOT met" }
        );
        let cost = median(&costs[1]) / median(&costs[ours_bearer]);
        println!(
            "jwt-authorizer's server CPU per request / ours, Bearer: {cost:.2} (above 1: ours costs less)"
        );
    }
    for (index, name) in [(dpop_memory, "in-memory"), (dpop_redis, "Redis")] {
        let ratio = paired(ours_bearer, index);
        println!(
            "ours Bearer / ours DPoP ({name} replay store): {ratio:.2} (target <= 2: {})",
            if ratio <= 2.0 { "met" } else { "NOT met" }
        );
    }
    println!(
        "JWK Set requests: {fetches_after_warm_up} during the warm-up (one per server process), \
         {fetches_measured} during the {measured_requests} measured requests"
    );
    assert_eq!(fetches_measured, 0, "no JWK Set fetch after the warm-up");
}
