//! Each peer's verdict on each invalid vector: judging a peer's answer, and writing
//! `vectors/peer-verdicts.json`. The file's format and the classification of the peers'
//! errors live in `crates/vectors` (`vectors::peer_verdicts`); a peer's verdicts never fail
//! the run.

use super::Answer;
use super::peers::Peer;
use std::path::PathBuf;
pub use vectors::peer_verdicts::{FILE, InvalidVector, PeerVerdict, Record, SCHEMA, VerdictFile};

/// Judges a peer's answer to an invalid vector.
pub fn judge(peer: &'static str, vector: &InvalidVector, answer: &Answer) -> Record {
    Record {
        peer,
        vector: vector.clone(),
        verdict: PeerVerdict::of(&vector.code, answer.unsupported, answer.ok, &answer.error),
        detail: answer.error.clone(),
    }
}

fn path(relative: &str) -> PathBuf {
    vectors::util::root().join(relative)
}

/// Writes `vectors/peer-verdicts.json` and validates what was written: through the typed form
/// (unknown members, verdict words), the rules of [`VerdictFile::check`], and the JSON Schema
/// with `validator` (a peer that answers the `schema` operation).
pub fn write(file: &VerdictFile, validator: &Peer) -> Result<(), String> {
    let text = file.render()?;
    let target = path(FILE);
    std::fs::write(&target, &text).map_err(|e| format!("{}: {e}", target.display()))?;
    let again: VerdictFile = serde_json::from_str(
        &std::fs::read_to_string(&target).map_err(|e| format!("{FILE}: {e}"))?,
    )
    .map_err(|e| format!("{FILE}: {e}"))?;
    if &again != file || again.render()? != text {
        return Err(format!("{FILE}: does not read back as written"));
    }
    again.check().map_err(|e| format!("{FILE}: {e}"))?;
    let answer = validator.call(&serde_json::json!({ "tasks": [{
        "id": "peer-verdicts-schema",
        "op": "schema",
        "schema": path(SCHEMA).display().to_string(),
        "files": [target.display().to_string()],
    }]}))?;
    let result = &answer["results"][0];
    if result["ok"] != true {
        return Err(format!(
            "{FILE} does not conform to {SCHEMA}: {}",
            result["error"].as_str().unwrap_or("no answer")
        ));
    }
    Ok(())
}
