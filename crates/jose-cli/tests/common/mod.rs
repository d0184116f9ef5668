//! What the suites that drive the `jose` binary share.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// Runs the `jose` binary with `args`, `stdin` on its standard input.
#[allow(dead_code)] // not every suite runs the binary this way
pub fn jose(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jose"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command may exit before reading stdin (usage errors): a broken pipe is expected then.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

/// The standard output of a command that must succeed.
#[allow(dead_code)] // not every suite runs the binary this way
pub fn ok(args: &[&str], stdin: &[u8]) -> String {
    let out = jose(args, stdin);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A temporary directory for key, secret and token files, removed at the end of the test.
#[allow(dead_code)] // not every suite writes files
pub struct Dir(pub PathBuf);

#[allow(dead_code)] // not every suite writes files
impl Dir {
    /// A fresh directory named after the test binary, `name` and the process.
    pub fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!(
            "jose-cli-{}-{name}-{}",
            env!("CARGO_CRATE_NAME"),
            std::process::id()
        ));
        std::fs::create_dir_all(&p).unwrap();
        Dir(p)
    }

    /// Writes the file `name`; its path.
    pub fn write(&self, name: &str, content: &(impl AsRef<[u8]> + ?Sized)) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, content.as_ref()).unwrap();
        p.to_string_lossy().into_owned()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
