//! The interop matrix: printed, and written to `docs/interop.md`.

use super::peers::Peer;
use super::verdicts::Record;
use super::{Direction, Row, Verdict};
use std::collections::BTreeMap;

/// Valid inputs a peer refuses for a documented limitation of its own: (peer name prefix, task
/// id, why). Any other refusal of a valid input fails the run.
pub const KNOWN_REFUSALS: &[(&str, &str, &str)] = &[
    (
        "joserfc",
        "jwe/rfc7520/5.12/general",
        "joserfc requires a protected header in the JSON serialization; RFC 7516 §7.2.1 makes \
         it optional and RFC 7520 §5.12 has none",
    ),
    (
        "joserfc",
        "jwe/rfc7520/5.12/flattened",
        "as above: no protected header",
    ),
    (
        "jwcrypto",
        "jws/generated/unencoded/compact",
        "jwcrypto decodes the payload part of a compact JWS as base64url even when b64 is false \
     (RFC 7797 §5.2 allows an unencoded payload without '.' in the compact form); it \
     verifies the same JWS in the JSON and detached forms",
    ),
];

/// One task's outcome with one peer.
pub struct Outcome {
    /// Peer name and version.
    pub peer: String,
    /// Where it is counted.
    pub row: Row,
    /// The task.
    pub id: String,
    /// The result.
    pub verdict: Verdict,
}

/// All outcomes of a run.
pub struct Report {
    peers: Vec<String>,
    /// (short name, full name) of each peer.
    peer_ids: Vec<(&'static str, String)>,
    outcomes: Vec<Outcome>,
    records: Vec<Record>,
}

fn known_refusal(peer: &str, id: &str) -> Option<&'static str> {
    KNOWN_REFUSALS
        .iter()
        .find(|(p, i, _)| peer.starts_with(p) && *i == id)
        .map(|(_, _, why)| *why)
}

/// Counts of one cell.
#[derive(Default, Clone)]
struct Cell {
    pass: usize,
    fail: usize,
    unsupported: usize,
    lenient: usize,
    known: usize,
}

impl Cell {
    fn add(&mut self, v: &Verdict) {
        match v {
            Verdict::Pass => self.pass += 1,
            Verdict::Fail(_) => self.fail += 1,
            Verdict::Unsupported => self.unsupported += 1,
            Verdict::Lenient(_) => self.lenient += 1,
        }
    }

    /// For a round-trip cell (one task): pass, FAIL or n/a.
    fn single(&self) -> &'static str {
        if self.fail > 0 {
            "**FAIL**"
        } else if self.unsupported > 0 && self.pass == 0 {
            "n/a"
        } else if self.known > 0 && self.pass == 0 {
            "known"
        } else {
            "pass"
        }
    }

    /// For a vector cell: agreed/total and the exceptions.
    fn counts(&self) -> String {
        let total = self.pass + self.fail + self.unsupported + self.lenient + self.known;
        let mut s = format!("{}/{total}", self.pass);
        let mut extra = Vec::new();
        if self.fail > 0 {
            extra.push(format!("**{} FAIL**", self.fail));
        }
        if self.lenient > 0 {
            extra.push(format!("{} accepted", self.lenient));
        }
        if self.known > 0 {
            extra.push(format!("{} known", self.known));
        }
        if self.unsupported > 0 {
            extra.push(format!("{} n/a", self.unsupported));
        }
        if !extra.is_empty() {
            s.push_str(&format!(" ({})", extra.join(", ")));
        }
        s
    }
}

impl Report {
    /// Builds the report from the outcomes of every task and the verdicts on the invalid
    /// vectors; refusals listed in [`KNOWN_REFUSALS`] are counted as known.
    pub fn new(peers: &[Peer], outcomes: Vec<Outcome>, records: Vec<Record>) -> Self {
        Self {
            peers: peers.iter().map(|p| p.name.clone()).collect(),
            peer_ids: peers.iter().map(|p| (p.id, p.name.clone())).collect(),
            outcomes,
            records,
        }
    }

    fn cells(&self) -> BTreeMap<(Row, String), Cell> {
        let mut cells: BTreeMap<(Row, String), Cell> = BTreeMap::new();
        for o in &self.outcomes {
            let cell = cells.entry((o.row.clone(), o.peer.clone())).or_default();
            if matches!(o.verdict, Verdict::Fail(_)) && known_refusal(&o.peer, &o.id).is_some() {
                cell.known += 1;
            } else {
                cell.add(&o.verdict);
            }
        }
        cells
    }

    /// Every failure, one line each.
    pub fn failures(&self) -> Vec<String> {
        self.outcomes
            .iter()
            .filter_map(|o| match &o.verdict {
                Verdict::Fail(why) if known_refusal(&o.peer, &o.id).is_none() => {
                    Some(format!("{}: {why}", o.peer))
                }
                _ => None,
            })
            .collect()
    }

    fn round_trip_rows(&self) -> Vec<(&'static str, String)> {
        let mut rows: Vec<(&'static str, String)> = Vec::new();
        for o in &self.outcomes {
            if let Row::RoundTrip(family, alg, _) = &o.row
                && !rows.iter().any(|(f, a)| f == family && a == alg)
            {
                rows.push((family, alg.clone()));
            }
        }
        rows
    }

    fn round_trip_table(&self, family: &str) -> String {
        let cells = self.cells();
        let mut out = String::from("| algorithm |");
        for p in &self.peers {
            out.push_str(&format!(" {p}: here → there | {p}: there → here |"));
        }
        out.push_str("\n|---|");
        for _ in &self.peers {
            out.push_str("---|---|");
        }
        out.push('\n');
        for (f, alg) in self.round_trip_rows() {
            if f != family {
                continue;
            }
            out.push_str(&format!("| {alg} |"));
            for p in &self.peers {
                for d in [Direction::HereToThere, Direction::ThereToHere] {
                    let cell = cells
                        .get(&(Row::RoundTrip(f, alg.clone(), d), p.clone()))
                        .cloned()
                        .unwrap_or_default();
                    out.push_str(&format!(" {} |", cell.single()));
                }
            }
            out.push('\n');
        }
        out
    }

    fn vector_table(&self) -> String {
        let cells = self.cells();
        let mut rows: Vec<Row> = self
            .outcomes
            .iter()
            .filter(|o| matches!(o.row, Row::Vectors(..) | Row::Schema))
            .map(|o| o.row.clone())
            .collect();
        rows.sort();
        rows.dedup();
        let mut out = String::from("| vectors |");
        for p in &self.peers {
            out.push_str(&format!(" {p} |"));
        }
        out.push_str("\n|---|");
        for _ in &self.peers {
            out.push_str("---|");
        }
        out.push('\n');
        for row in rows {
            let label = match &row {
                Row::Vectors(file, true) => {
                    format!("`{file}`, valid: accepted with the same content")
                }
                Row::Vectors(file, false) => format!("`{file}`, invalid: refused"),
                Row::Schema => "every file conforms to `vectors/schema.json`".to_owned(),
                Row::RoundTrip(..) => continue,
            };
            out.push_str(&format!("| {label} |"));
            for p in &self.peers {
                let cell = cells
                    .get(&(row.clone(), p.clone()))
                    .cloned()
                    .unwrap_or_default();
                let text = if row == Row::Schema {
                    cell.single().to_owned()
                } else {
                    cell.counts()
                };
                out.push_str(&format!(" {text} |"));
            }
            out.push('\n');
        }
        out
    }

    fn known_list(&self) -> String {
        let mut out = String::new();
        for (peer, id, why) in KNOWN_REFUSALS {
            out.push_str(&format!("- {peer}, `{id}`: {why}\n"));
        }
        if out.is_empty() {
            out.push_str("None: every peer accepts every valid vector it implements.\n");
        }
        out
    }

    /// The matrix as plain text for the terminal.
    pub fn matrix_text(&self) -> String {
        let mut out = String::new();
        for family in ["JWS", "JWE"] {
            if self.round_trip_rows().iter().any(|(f, _)| *f == family) {
                out.push_str(&format!(
                    "\n{family} round trips\n{}",
                    self.round_trip_table(family)
                ));
            }
        }
        out.push_str(&format!("\nVector suite\n{}", self.vector_table()));
        out
    }

    /// `docs/interop.md`.
    pub fn markdown(&self) -> String {
        let mut out = String::from(HEADER);
        out.push_str("\n## Peers\n\n");
        for p in &self.peers {
            out.push_str(&format!("- {p}\n"));
        }
        for family in ["JWS", "JWE"] {
            if self.round_trip_rows().iter().any(|(f, _)| *f == family) {
                let text = if family == "JWS" {
                    JWS_ROUND_TRIP_TEXT
                } else {
                    JWE_ROUND_TRIP_TEXT
                };
                out.push_str(&format!(
                    "\n## {family} round trips\n\n{text}\n{}",
                    self.round_trip_table(family)
                ));
            }
        }
        out.push_str(&format!(
            "\n## Vector suite\n\n{VECTOR_TEXT}\n{}",
            self.vector_table()
        ));
        out.push_str(&super::verdict_report::markdown(
            &self.peer_ids,
            &self.records,
        ));
        out.push_str(&format!(
            "\n## Valid vectors a peer refuses (documented)\n\n{}",
            self.known_list()
        ));
        out
    }
}

const HEADER: &str = "# Interoperability

Written by `cargo xtask interop` (do not edit by hand; CI regenerates it). The workspace is
checked against independent JOSE implementations installed from the package registries into
the ignored folder `.interop/`: panva's `jose` from npm (exact version in
`xtask/interop/node/package-lock.json`) and the Python libraries `jwcrypto` and `joserfc` from
PyPI (pinned in `xtask/interop/python/requirements.txt`). Each peer is a small script
(`xtask/interop/node/peer.mjs`, `xtask/interop/python/peer.py`) that reads a batch of tasks as
JSON on stdin and answers on stdout; this side uses the workspace crates directly.

`cargo xtask interop setup` installs the peers (npm and PyPI only; the one step that needs the
network); `cargo xtask interop` runs them (installing first if needed) and exits non-zero on any
**FAIL**. CI runs both, and runs the interop twice: with the default build, where every key
computes with RustCrypto, and built with the `aws-lc-rs` feature, where every key computes with
aws-lc-rs (`docs/backends.md`); the tables are the same for both.

Legend: **pass**: the other side accepted and got the same content; **FAIL**: it did not;
**n/a**: the peer does not implement the algorithm or feature (decided by its driver from the
library's documented support before trying, never from the library's error); **known**: a
refusal listed with its reason at the end.
";

const JWS_ROUND_TRIP_TEXT: &str =
    "Fresh keys and random payloads on every run (compact serialization). *here → there*: a
key generated by this workspace signs; the peer verifies with the public JWK. *there →
here*: the peer generates a key of its own and signs; this workspace imports the peer's JWK
export and verifies.
";

const JWE_ROUND_TRIP_TEXT: &str =
    "Fresh keys and random plaintexts on every run (compact serialization; ECDH-ES pairs rotate
through P-256, P-384, P-521 and X25519). *here → there*: this workspace encrypts to a key
it generated; the peer imports the private JWK and decrypts. *there → here*: the peer
encrypts to the public JWK; this workspace decrypts. PBES2 uses `p2c` 10 000: this
workspace's default (210 000, OWASP's figure) is above jose's default limit of 10 000, so a
recipient using jose must raise `maxPBES2Count` to read tokens made with the default.
";

const VECTOR_TEXT: &str =
    "Every vector of `vectors/generated/` that the peers can run (see `docs/vectors.md`): a
valid vector passes when the peer accepts it with the same content; an invalid vector is
counted here as agreed when the peer refuses it for any reason (the next section tells the
stated reason from others) and as *accepted* otherwise, which never fails the run. JWT
vectors run with each vector's policy and clock through jose's `jwtVerify` and joserfc's
`jwt.decode` with `JWTClaimsRegistry(now=...)`; jwcrypto validates claims against the system
clock only (n/a), and joserfc has no `typ` or maximum-age check (n/a for vectors whose policy
has one). JWK vectors (invalid ones) are imported with each peer's JSON parser and key import.
DPoP vectors (invalid ones) run through jose's `jwtVerify` with `EmbeddedJWK`, `typ`
`dpop+jwt`, the vector's clock and maximum age; the request binding (`htm`, `htu`, `ath`,
`nonce`, `jkt`) is application code in every peer (n/a), and the Python libraries have no
DPoP support (n/a). The Python peers also validate every vector file against the JSON Schema.
";
