//! Reading input: stdin, key files (JWK, JWK Set or PEM), JSON arguments.

use crate::error::{CliError, CliResult};
use jose_core::jwk::{Jwk, JwkSet};
use std::io::{Read, Write};
use std::path::Path;

/// The largest input read from stdin or a file (16 MiB).
const MAX_INPUT: u64 = 16 << 20;

/// All of stdin.
pub fn read_stdin() -> CliResult<Vec<u8>> {
    let mut buf = Vec::new();
    std::io::stdin()
        .take(MAX_INPUT + 1)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::usage(format!("cannot read stdin: {e}")))?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(CliError::usage("stdin is larger than 16 MiB"));
    }
    Ok(buf)
}

/// Stdin as text, without surrounding whitespace (a trailing newline from `echo`).
pub fn read_stdin_text() -> CliResult<String> {
    let bytes = read_stdin()?;
    let text = String::from_utf8(bytes).map_err(|_| CliError::usage("stdin is not UTF-8"))?;
    Ok(text.trim().to_owned())
}

/// A file's bytes; `-` reads stdin.
pub fn read_file(path: &Path) -> CliResult<Vec<u8>> {
    if path == Path::new("-") {
        return read_stdin();
    }
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    let mut buf = Vec::new();
    file.take(MAX_INPUT + 1)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(CliError::usage(format!(
            "{} is larger than 16 MiB",
            path.display()
        )));
    }
    Ok(buf)
}

/// Keys from a file: a JWK Set, a single JWK, or PEM.
pub fn read_keys(path: &Path) -> CliResult<JwkSet> {
    parse_keys(path, &read_file(path)?)
}

/// Whether `bytes` start (after whitespace) like a JWK, a JWK Set or PEM.
pub fn looks_like_key_file(bytes: &[u8]) -> bool {
    let start = bytes.trim_ascii_start();
    start.starts_with(b"{") || start.starts_with(b"-----BEGIN")
}

/// Keys read from `path` (named in errors): a JWK Set, a single JWK, or PEM.
pub fn parse_keys(path: &Path, bytes: &[u8]) -> CliResult<JwkSet> {
    let text = String::from_utf8_lossy(bytes);
    let trimmed = text.trim_start();
    let what = path.display();
    if trimmed.starts_with("-----BEGIN") {
        let key = Jwk::from_pem(trimmed).map_err(|e| CliError::usage(format!("{what}: {e}")))?;
        return JwkSet::new(vec![key]).map_err(|e| CliError::usage(format!("{what}: {e}")));
    }
    JwkSet::from_json_key_or_set(trimmed.as_bytes())
        .map_err(|e| CliError::usage(format!("{what}: {e}")))
}

/// The one key in a file, for operations that need a single key (signing).
pub fn read_single_key(path: &Path) -> CliResult<Jwk> {
    single_key(path, read_keys(path)?)
}

/// The one key of the set read from `path`.
pub fn single_key(path: &Path, set: JwkSet) -> CliResult<Jwk> {
    if let Some(r) = set.rejected().first() {
        return Err(CliError::usage(format!("{}: {}", path.display(), r.error)));
    }
    match set.keys() {
        [key] => Ok(key.clone()),
        keys => Err(CliError::usage(format!(
            "{}: expected one key, found a set of {}; pass a single JWK",
            path.display(),
            keys.len()
        ))),
    }
}

/// A JSON object given on the command line, or read from the file named after `@`.
pub fn parse_object_arg(
    name: &str,
    text: &str,
) -> CliResult<serde_json::Map<String, serde_json::Value>> {
    let from_file;
    let bytes = match text.strip_prefix('@') {
        Some(path) => {
            from_file = read_file(Path::new(path))?;
            from_file.as_slice()
        }
        None => text.as_bytes(),
    };
    jose_core::json::parse_object(bytes, &jose_core::json::JsonLimits::DEFAULT)
        .map_err(|e| CliError::usage(format!("--{name}: {e}")))
}

/// Writes bytes to stdout.
pub fn write_stdout(bytes: &[u8]) -> CliResult {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| CliError::usage(format!("cannot write stdout: {e}")))
}

/// Writes a line to stdout.
pub fn print_line(text: &str) -> CliResult {
    write_stdout(format!("{text}\n").as_bytes())
}

/// Pretty-prints JSON to stdout.
pub fn print_json(value: &serde_json::Value) -> CliResult {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::usage(e.to_string()))?;
    print_line(&text)
}
