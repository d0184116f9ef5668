//! What the suites that drive the `jose` binary share.

use std::path::PathBuf;

/// A temporary directory for key, secret and token files, removed at the end of the test.
pub struct Dir(pub PathBuf);

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
