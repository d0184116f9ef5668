#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long the server may take to answer `PING`.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// The one command that installs the server on Debian and Ubuntu.
pub const INSTALL_HINT: &str = "apt-get install -y redis-server";

/// Why the test server could not be used.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisHarnessError {
    /// The server binary is not installed.
    #[error(
        "{binary} is not installed: run `{INSTALL_HINT}` (as root), or `cargo xtask test`, which installs it"
    )]
    NotInstalled {
        /// The binary that was looked for.
        binary: String,
    },
    /// The server did not start or did not answer.
    #[error("starting redis-server failed: {0}")]
    Start(String),
}

/// The server binary: `JOSE_TEST_REDIS_SERVER`, or `redis-server`.
#[must_use]
pub fn server_binary() -> String {
    std::env::var("JOSE_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned())
}

/// A running `redis-server` on 127.0.0.1.
#[derive(Debug)]
pub struct TestRedis {
    port: u16,
    password: Option<String>,
    dir: PathBuf,
    process: Mutex<Option<(Child, ChildStdin)>>,
}

impl TestRedis {
    /// Starts a server without AUTH on a free port and waits until it answers.
    ///
    /// # Errors
    /// [`RedisHarnessError`] when the binary is missing or the server does not answer.
    pub fn start() -> Result<Self, RedisHarnessError> {
        Self::launch(None)
    }

    /// Starts a server that requires `password` (`requirepass`).
    ///
    /// # Errors
    /// As [`TestRedis::start`].
    pub fn start_with_password(password: &str) -> Result<Self, RedisHarnessError> {
        Self::launch(Some(password.to_owned()))
    }

    fn launch(password: Option<String>) -> Result<Self, RedisHarnessError> {
        let port = free_port()?;
        let dir =
            std::env::temp_dir().join(format!("jose-test-redis-{}-{port}", std::process::id()));
        let redis = Self {
            port,
            password,
            dir,
            process: Mutex::new(None),
        };
        redis.restart()?;
        Ok(redis)
    }

    /// `redis://[:password@]127.0.0.1:<port>/0`.
    #[must_use]
    pub fn url(&self) -> String {
        match &self.password {
            Some(p) => format!("redis://:{p}@127.0.0.1:{}/0", self.port),
            None => format!("redis://127.0.0.1:{}/0", self.port),
        }
    }

    /// The port.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server (its data is gone: nothing is persisted). Idempotent.
    pub fn stop(&self) {
        let taken = match self.process.lock() {
            Ok(mut guard) => guard.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some((mut child, stdin)) = taken {
            // Closing stdin makes the watchdog stop redis-server and wait for it.
            drop(stdin);
            let deadline = Instant::now() + Duration::from_secs(10);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port (after [`TestRedis::stop`]); a running server
    /// is stopped first.
    ///
    /// # Errors
    /// As [`TestRedis::start`].
    pub fn restart(&self) -> Result<(), RedisHarnessError> {
        self.stop();
        let binary = server_binary();
        let mut args = vec![
            "--port".to_owned(),
            self.port.to_string(),
            "--bind".to_owned(),
            "127.0.0.1".to_owned(),
            "--save".to_owned(),
            String::new(),
            "--appendonly".to_owned(),
            "no".to_owned(),
            "--daemonize".to_owned(),
            "no".to_owned(),
            "--dir".to_owned(),
            self.dir.display().to_string(),
            "--logfile".to_owned(),
            self.dir.join("redis.log").display().to_string(),
        ];
        if let Some(p) = &self.password {
            args.extend(["--requirepass".to_owned(), p.clone()]);
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| {
            RedisHarnessError::Start(format!("cannot create {}: {e}", self.dir.display()))
        })?;
        // The watchdog: runs the server, and when our end of its stdin closes (a `stop`, or
        // the exit of a test process whose server lived in a `static` and was never dropped)
        // stops it and removes its directory.
        let script = r#"dir="$1"; bin="$2"; shift 2; "$bin" "$@" </dev/null & pid=$!; cat >/dev/null; kill "$pid" 2>/dev/null; wait "$pid"; rm -rf "$dir""#;
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("sh")
            .arg(&self.dir)
            .arg(&binary)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| RedisHarnessError::Start(format!("cannot run sh: {e}")))?;
        let Some(stdin) = child.stdin.take() else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(RedisHarnessError::Start("no pipe to the watchdog".into()));
        };
        if let Ok(mut guard) = self.process.lock() {
            *guard = Some((child, stdin));
        }
        self.wait_until_ready(&binary)
    }

    /// Whether the server answers `PING` now.
    #[must_use]
    pub fn is_ready(&self) -> bool {
        ping(self.port, self.password.as_deref())
    }

    fn wait_until_ready(&self, binary: &str) -> Result<(), RedisHarnessError> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if self.is_ready() {
                return Ok(());
            }
            let exited = match self.process.lock() {
                Ok(mut guard) => guard
                    .as_mut()
                    .is_none_or(|(c, _)| !matches!(c.try_wait(), Ok(None))),
                Err(_) => true,
            };
            if exited || Instant::now() > deadline {
                // Read before stopping: the watchdog removes the directory.
                let log = std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default();
                self.stop();
                if !binary_exists(binary) {
                    return Err(RedisHarnessError::NotInstalled {
                        binary: binary.to_owned(),
                    });
                }
                let tail = log.lines().rev().take(5).collect::<Vec<_>>().join(" | ");
                return Err(RedisHarnessError::Start(format!(
                    "the server on port {} never answered PING; log: {tail}",
                    self.port
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> Result<u16, RedisHarnessError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| RedisHarnessError::Start(format!("no free port on 127.0.0.1: {e}")))
}

fn binary_exists(binary: &str) -> bool {
    Command::new(binary)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Sends an inline `PING` (after `AUTH` when there is a password) and looks for `+PONG`.
fn ping(port: u16, password: Option<&str>) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = match password {
        Some(p) => format!("AUTH {p}\r\nPING\r\n"),
        None => "PING\r\n".to_owned(),
    };
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut reply: Vec<u8> = Vec::new();
    let mut buf = [0u8; 64];
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                reply.extend(buf.iter().take(n));
                if reply.windows(5).any(|w| w == b"+PONG") {
                    return true;
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_stops_and_restarts_on_the_same_port() {
        let redis = TestRedis::start().unwrap();
        assert!(redis.is_ready());
        redis.stop();
        assert!(!redis.is_ready());
        redis.restart().unwrap();
        assert!(redis.is_ready());
        let port = redis.port();
        let dir = redis.dir.clone();
        drop(redis);
        assert!(!ping(port, None));
        assert!(!dir.exists(), "{} is left behind", dir.display());
    }

    #[test]
    fn the_directory_goes_with_the_server_even_when_never_dropped() {
        let redis = TestRedis::start().unwrap();
        let dir = redis.dir.clone();
        assert!(dir.join("redis.log").exists());
        redis.stop();
        // What a `static` server sees at process exit: its watchdog's stdin closes, no `Drop`.
        std::mem::forget(redis);
        assert!(!dir.exists(), "{} is left behind", dir.display());
    }

    #[test]
    fn a_password_is_required_when_set() {
        let redis = TestRedis::start_with_password("test-secret").unwrap();
        assert!(redis.is_ready());
        assert!(!ping(redis.port(), None));
        assert!(redis.url().contains(":test-secret@"));
    }
}
