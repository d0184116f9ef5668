//! Starting and stopping the Node.js process.

use crate::{HarnessError, ProviderState, TestPki};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
use url::Url;

/// How long the provider may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long `npm ci` may take.
const NPM_TIMEOUT: Duration = Duration::from_secs(300);

/// The directory of the Node.js project (`package.json`, lock file, `provider.mjs`).
#[must_use]
pub fn node_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("node")
}

fn node_binary() -> String {
    std::env::var("JOSE_TEST_NODE").unwrap_or_else(|_| "node".to_owned())
}

fn npm_binary() -> String {
    std::env::var("JOSE_TEST_NPM").unwrap_or_else(|_| "npm".to_owned())
}

/// Runs `npm ci` in [`node_dir`] unless `node_modules/oidc-provider` is already there.
///
/// Several test binaries (or several `cargo test` runs) may get here at once: a lock file
/// makes one of them install while the others wait.
///
/// # Errors
/// [`HarnessError::Npm`] when the installation fails or times out.
pub fn ensure_node_modules() -> Result<(), HarnessError> {
    let dir = node_dir();
    let installed = || {
        dir.join("node_modules/oidc-provider/package.json")
            .is_file()
    };
    if installed() {
        return Ok(());
    }
    let lock = dir.join(".npm-ci.lock");
    let started = Instant::now();
    loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)
        {
            Ok(_) => break,
            Err(_) if installed() => return Ok(()),
            Err(_) if started.elapsed() > NPM_TIMEOUT => {
                // A crashed installer left its lock behind.
                let _ = std::fs::remove_file(&lock);
            }
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
    let result = run_npm_ci(&dir);
    let _ = std::fs::remove_file(&lock);
    result
}

fn run_npm_ci(dir: &Path) -> Result<(), HarnessError> {
    let output = Command::new(npm_binary())
        .args(["ci", "--no-audit", "--no-fund", "--prefix"])
        .arg(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| HarnessError::Npm(format!("cannot run npm: {e}")))?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(HarnessError::Npm(format!(
            "npm ci failed ({}): {}",
            output.status,
            stderr
                .lines()
                .rev()
                .take(10)
                .collect::<Vec<_>>()
                .join(" | ")
        )))
    }
}

/// A running oidc-provider.
///
/// Dropping it (also while a test panics) kills the process and waits for it. The process also
/// exits by itself when its standard input closes, which happens when the test process ends in
/// any way, so a provider kept in a `static` (see [`TestProvider::shared`]) does not outlive the
/// test binary either.
#[derive(Debug)]
pub struct TestProvider {
    child: Mutex<Option<(Child, ChildStdin)>>,
    pid: u32,
    issuer: Url,
    state: ProviderState,
    state_file: PathBuf,
    pki: TestPki,
}

impl TestProvider {
    /// Installs the Node.js dependencies if needed, starts the provider on 127.0.0.1 with an
    /// ephemeral port, and waits until its discovery document answers.
    ///
    /// # Errors
    /// [`HarnessError`] when Node.js is missing, the provider does not start, or its state file
    /// cannot be read.
    pub fn start() -> Result<Self, HarnessError> {
        ensure_node_modules()?;
        let dir = node_dir();
        let state_file = state_file_path();
        let log_file = state_file.with_extension("log");
        let pki = TestPki::generate(&state_file.with_extension("pki"))?;
        let log = std::fs::File::create(&log_file).map_err(|e| {
            HarnessError::Start(format!("cannot create {}: {e}", log_file.display()))
        })?;
        let mut child = Command::new(node_binary())
            .arg(dir.join("provider.mjs"))
            .arg(&state_file)
            .arg(pki.dir())
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| HarnessError::Start(format!("cannot run node: {e}")))?;
        let pid = child.id();
        let (stdin, stdout) = match (child.stdin.take(), child.stdout.take()) {
            (Some(i), Some(o)) => (i, o),
            _ => {
                kill(&mut child);
                pki.remove();
                return Err(HarnessError::Start("no pipes to the node process".into()));
            }
        };
        let issuer = match read_ready_line(stdout) {
            Ok(issuer) => issuer,
            Err(e) => {
                kill(&mut child);
                pki.remove();
                return Err(e.with_log(&log_file));
            }
        };
        let provider = Self {
            child: Mutex::new(Some((child, stdin))),
            pid,
            issuer,
            state: ProviderState::read(&state_file)?,
            state_file,
            pki,
        };
        provider.wait_for_discovery()?;
        Ok(provider)
    }

    /// One provider for the whole test binary, started on first use.
    ///
    /// # Errors
    /// The error of the first start, repeated for every caller.
    pub fn shared() -> Result<&'static TestProvider, HarnessError> {
        static SHARED: OnceLock<Result<TestProvider, HarnessError>> = OnceLock::new();
        SHARED
            .get_or_init(TestProvider::start)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The issuer identifier, `http://127.0.0.1:<port>/op`.
    #[must_use]
    pub fn issuer(&self) -> &Url {
        &self.issuer
    }

    /// The operating system's id of the Node.js process.
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The test PKI of the provider's TLS listener (see [`ProviderState::mtls_issuer`]): its
    /// CA, and the client certificates of `client-mtls` and `client-mtls-self-signed`.
    #[must_use]
    pub fn pki(&self) -> &TestPki {
        &self.pki
    }

    /// What the provider script wrote: clients, keys, tokens.
    #[must_use]
    pub fn state(&self) -> &ProviderState {
        &self.state
    }

    /// Stops the provider now (dropping it does the same).
    pub fn stop(&self) {
        if let Ok(mut guard) = self.child.lock()
            && let Some((mut child, stdin)) = guard.take()
        {
            drop(stdin);
            kill(&mut child);
            let _ = std::fs::remove_file(&self.state_file);
            let _ = std::fs::remove_file(self.state_file.with_extension("log"));
            self.pki.remove();
        }
    }

    /// Whether the process is still running.
    #[must_use]
    pub fn is_running(&self) -> bool {
        match self.child.lock() {
            Ok(mut guard) => match guard.as_mut() {
                Some((child, _)) => matches!(child.try_wait(), Ok(None)),
                None => false,
            },
            Err(_) => false,
        }
    }

    fn wait_for_discovery(&self) -> Result<(), HarnessError> {
        let host = self.issuer.host_str().unwrap_or("127.0.0.1").to_owned();
        let port = self.issuer.port().unwrap_or(80);
        let path = format!(
            "{}/.well-known/openid-configuration",
            self.issuer.path().trim_end_matches('/')
        );
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if http_get_status(&host, port, &path) == Some(200) {
                return Ok(());
            }
            if Instant::now() > deadline || !self.is_running() {
                self.stop();
                return Err(HarnessError::Start(
                    "the discovery document never answered".into(),
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        self.stop();
    }
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn state_file_path() -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "jose-test-provider-{}-{n}.json",
        std::process::id()
    ))
}

/// Reads stdout until `READY <issuer>`, on a thread so that a silent process cannot hang us.
fn read_ready_line(stdout: impl Read + Send + 'static) -> Result<Url, HarnessError> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(None);
                    return;
                }
                Ok(_) => {
                    if let Some(rest) = line.trim_end().strip_prefix("READY ") {
                        let _ = tx.send(Some(rest.to_owned()));
                        // Keep draining so the process never blocks on a full pipe.
                        let mut sink = Vec::new();
                        let _ = reader.read_to_end(&mut sink);
                        return;
                    }
                }
            }
        }
    });
    match rx.recv_timeout(START_TIMEOUT) {
        Ok(Some(issuer)) => Url::parse(&issuer)
            .map_err(|e| HarnessError::Start(format!("bad issuer {issuer:?}: {e}"))),
        Ok(None) => Err(HarnessError::Start(
            "the provider exited before it was ready".into(),
        )),
        Err(_) => Err(HarnessError::Start(
            "the provider did not become ready in time".into(),
        )),
    }
}

/// A minimal blocking HTTP/1.1 GET, enough to see whether the provider answers.
fn http_get_status(host: &str, port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect((host, port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).ok()?;
    status_line.split_whitespace().nth(1)?.parse().ok()
}
