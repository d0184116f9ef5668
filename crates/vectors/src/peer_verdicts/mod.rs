//! Each peer's verdict on each invalid vector: the format of `vectors/peer-verdicts.json`
//! (written by `cargo xtask interop`), and how a peer's answer is judged.
//!
//! A peer's answer to an invalid vector is one of four verdicts: it refused for the vector's
//! stated reason, refused for another reason, accepted, or could not be asked (n/a, with the
//! reason kept in `not_applicable`). The file is written with sorted keys so that a run that
//! changes a verdict shows up as a diff; it is checked against its typed form here
//! ([`VerdictFile::check`]) and against `vectors/peer-verdicts.schema.json` by a real JSON
//! Schema validator when xtask writes it. Whether a refusal names the reason is decided from
//! the peer's error text ([`classify`]).

pub mod classify;

use crate::format::{Basis, Common};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where the verdicts are written, relative to the repository root.
pub const FILE: &str = "vectors/peer-verdicts.json";
/// Its JSON Schema, relative to the repository root.
pub const SCHEMA: &str = "vectors/peer-verdicts.schema.json";

/// A peer's verdict on one invalid vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PeerVerdict {
    /// Refused, with an error that names the vector's reason.
    #[serde(rename = "refused")]
    Refused,
    /// Refused, with an error about something else.
    #[serde(rename = "refused-other-reason")]
    RefusedOtherReason,
    /// Accepted: the peer processed an input it should refuse.
    #[serde(rename = "accepted")]
    Accepted,
    /// The peer does not have the feature the vector exercises.
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl PeerVerdict {
    /// The verdict on a peer's answer to an invalid vector of reason `code`: n/a when the peer
    /// does not implement what was asked, accepted when it completed, and for a refusal
    /// whether its `error` names the reason ([`classify::matches`]).
    pub fn of(code: &str, unsupported: bool, completed: bool, error: &str) -> Self {
        if unsupported {
            Self::NotApplicable
        } else if completed {
            Self::Accepted
        } else if classify::matches(code, error) {
            Self::Refused
        } else {
            Self::RefusedOtherReason
        }
    }
}

/// What a peer's answer to an invalid vector is judged against.
#[derive(Debug, Clone)]
pub struct InvalidVector {
    /// The vector's id.
    pub id: String,
    /// The vector file (`jws.json`, ...).
    pub file: &'static str,
    /// The reason code.
    pub code: String,
    /// The RFC reference of the reason, when the vector gives one.
    pub reference: Option<String>,
    /// The reason's explanation (shown where the vector gives no reference).
    pub explanation: String,
    /// Whether the refusal is the workspace's policy rather than an RFC requirement.
    pub policy: bool,
}

impl InvalidVector {
    /// The invalid vector `common` describes, or `None` for a valid one.
    pub fn of(common: &Common, file: &'static str) -> Option<Self> {
        let reason = common.reason.as_ref()?;
        Some(Self {
            id: common.id.clone(),
            file,
            code: reason.code.clone(),
            reference: reason.reference.clone(),
            explanation: reason.explanation.clone(),
            policy: reason.basis == Basis::Policy,
        })
    }
}

/// One peer's verdict on one invalid vector.
#[derive(Debug, Clone)]
pub struct Record {
    /// The peer's short name (`jose`, `jwcrypto`, `joserfc`).
    pub peer: &'static str,
    /// The vector.
    pub vector: InvalidVector,
    /// The verdict.
    pub verdict: PeerVerdict,
    /// The peer's error (refusals) or why it was not asked (n/a).
    pub detail: String,
}

/// `vectors/peer-verdicts.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerdictFile {
    /// Path of the JSON Schema, relative to the file.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// One entry per peer, in the order they run.
    pub peers: Vec<PeerEntry>,
}

/// One peer's verdicts (members in alphabetical order, so that every key of the file is sorted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerEntry {
    /// The peer's error for each refusal (`refused` and `refused-other-reason`): the evidence
    /// the classification was made from.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, String>,
    /// `jose` (panva's, npm), `jwcrypto` or `joserfc` (PyPI).
    pub name: String,
    /// Why each n/a vector could not be run by this peer.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub not_applicable: BTreeMap<String, String>,
    /// Vector id → verdict, for every invalid vector.
    pub verdicts: BTreeMap<String, PeerVerdict>,
    /// The version that was run.
    pub version: String,
}

/// The peers' short names, as the file spells them.
pub const NAMES: [&str; 3] = ["jose", "jwcrypto", "joserfc"];

impl VerdictFile {
    /// Builds the file from a run's records; `peers` are the peers' names and versions, in
    /// the order they ran.
    pub fn new(peers: &[(&str, &str)], records: &[Record]) -> Self {
        let peers = peers
            .iter()
            .map(|&(name, version)| {
                let mine = records.iter().filter(|r| r.peer == name);
                let mut entry = PeerEntry {
                    errors: BTreeMap::new(),
                    name: name.to_owned(),
                    not_applicable: BTreeMap::new(),
                    verdicts: BTreeMap::new(),
                    version: version.to_owned(),
                };
                for r in mine {
                    entry.verdicts.insert(r.vector.id.clone(), r.verdict);
                    let side = match r.verdict {
                        PeerVerdict::NotApplicable => &mut entry.not_applicable,
                        PeerVerdict::Accepted => continue,
                        PeerVerdict::Refused | PeerVerdict::RefusedOtherReason => &mut entry.errors,
                    };
                    side.insert(r.vector.id.clone(), r.detail.clone());
                }
                entry
            })
            .collect();
        Self {
            schema: "./peer-verdicts.schema.json".to_owned(),
            peers,
        }
    }

    /// The file's text: pretty JSON, sorted keys, a final newline.
    pub fn render(&self) -> Result<String, String> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        Ok(text)
    }

    /// The rules the schema states, checked on the typed form: known peer names, once each; a
    /// version; an n/a reason for every n/a verdict and for nothing else; the same vectors for
    /// every peer.
    pub fn check(&self) -> Result<(), String> {
        let mut seen = Vec::new();
        for p in &self.peers {
            if !NAMES.contains(&p.name.as_str()) || seen.contains(&p.name) {
                return Err(format!("peer name {:?} unknown or repeated", p.name));
            }
            seen.push(p.name.clone());
            if p.version.is_empty() {
                return Err(format!("{}: no version", p.name));
            }
            for (id, v) in &p.verdicts {
                let has_reason = p.not_applicable.contains_key(id);
                if (*v == PeerVerdict::NotApplicable) != has_reason {
                    return Err(format!("{}: {id}: n/a and its reason disagree", p.name));
                }
                let refused = matches!(v, PeerVerdict::Refused | PeerVerdict::RefusedOtherReason);
                if refused != p.errors.contains_key(id) {
                    return Err(format!(
                        "{}: {id}: a refusal and its error disagree",
                        p.name
                    ));
                }
            }
            if p.not_applicable
                .keys()
                .chain(p.errors.keys())
                .any(|id| !p.verdicts.contains_key(id))
            {
                return Err(format!(
                    "{}: a reason or error for an unknown vector",
                    p.name
                ));
            }
        }
        let ids = |p: &PeerEntry| p.verdicts.keys().cloned().collect::<Vec<_>>();
        if let Some(first) = self.peers.first()
            && self.peers.iter().any(|p| ids(p) != ids(first))
        {
            return Err("the peers' verdicts cover different vectors".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str) -> PeerEntry {
        PeerEntry {
            errors: BTreeMap::new(),
            name: name.to_owned(),
            not_applicable: BTreeMap::new(),
            verdicts: BTreeMap::new(),
            version: "1.0.0".to_owned(),
        }
    }

    #[test]
    fn each_answer_gets_its_verdict() {
        let of = |unsupported, completed, error| {
            PeerVerdict::of("alg-none", unsupported, completed, error)
        };
        assert_eq!(of(false, true, ""), PeerVerdict::Accepted);
        assert_eq!(
            of(true, false, "no such feature"),
            PeerVerdict::NotApplicable
        );
        assert_eq!(
            of(false, false, "ERR_JOSE_ALG_NOT_ALLOWED: not allowed"),
            PeerVerdict::Refused
        );
        assert_eq!(
            of(false, false, "TypeError: something else"),
            PeerVerdict::RefusedOtherReason
        );
    }

    #[test]
    fn the_file_has_sorted_keys_and_the_issue_s_words() {
        let mut peer = entry("jwcrypto");
        peer.verdicts
            .insert("b".to_owned(), PeerVerdict::RefusedOtherReason);
        peer.verdicts
            .insert("a".to_owned(), PeerVerdict::NotApplicable);
        peer.not_applicable.insert("a".to_owned(), "why".to_owned());
        peer.errors
            .insert("b".to_owned(), "TypeError: no".to_owned());
        let file = VerdictFile {
            schema: "./peer-verdicts.schema.json".to_owned(),
            peers: vec![peer],
        };
        file.check().expect("valid");
        let text = file.render().expect("render");
        let order = [
            "\"$schema\"",
            "\"peers\"",
            "\"errors\"",
            "\"name\"",
            "\"not_applicable\"",
            "\"verdicts\"",
            "\"a\": \"n/a\"",
            "\"b\": \"refused-other-reason\"",
            "\"version\"",
        ];
        let positions: Vec<usize> = order
            .iter()
            .map(|k| {
                text.find(k)
                    .unwrap_or_else(|| panic!("{k} missing in {text}"))
            })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        let again: VerdictFile = serde_json::from_str(&text).expect("reads back");
        assert_eq!(again, file);
    }

    #[test]
    fn an_na_verdict_needs_its_reason_and_nothing_else_has_one() {
        let mut peer = entry("joserfc");
        peer.verdicts
            .insert("a".to_owned(), PeerVerdict::NotApplicable);
        let mut file = VerdictFile {
            schema: String::new(),
            peers: vec![peer],
        };
        assert!(file.check().is_err());
        file.peers[0]
            .verdicts
            .insert("a".to_owned(), PeerVerdict::Accepted);
        file.peers[0]
            .not_applicable
            .insert("a".to_owned(), "why".to_owned());
        assert!(file.check().is_err());
    }

    #[test]
    fn a_refusal_needs_the_peer_s_error() {
        let mut peer = entry("jose");
        peer.verdicts.insert("a".to_owned(), PeerVerdict::Refused);
        let mut file = VerdictFile {
            schema: String::new(),
            peers: vec![peer],
        };
        assert!(file.check().is_err());
        file.peers[0]
            .errors
            .insert("a".to_owned(), "ERR_JWS_INVALID: x".to_owned());
        assert!(file.check().is_ok());
    }

    #[test]
    fn peers_are_named_as_the_issue_says_once_each() {
        let file = VerdictFile {
            schema: String::new(),
            peers: vec![entry("jose (npm)")],
        };
        assert!(file.check().is_err());
        let file = VerdictFile {
            schema: String::new(),
            peers: vec![entry("jose"), entry("jose")],
        };
        assert!(file.check().is_err());
    }

    #[test]
    fn unknown_members_and_verdict_words_are_refused() {
        let bad_word =
            r#"{"$schema":"","peers":[{"name":"jose","verdicts":{"a":"rejected"},"version":"1"}]}"#;
        assert!(serde_json::from_str::<VerdictFile>(bad_word).is_err());
        let extra = r#"{"$schema":"","peers":[{"name":"jose","verdicts":{},"version":"1","x":1}]}"#;
        assert!(serde_json::from_str::<VerdictFile>(extra).is_err());
    }
}
