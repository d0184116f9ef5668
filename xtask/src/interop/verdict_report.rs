//! The docs/interop.md sections on the peers' verdicts on the invalid vectors: a summary, the
//! first look (an earlier run of the invalid JWS vectors through the two Python peers, kept in
//! `FIRST_LOOK`) checked against this run, and per peer what it accepts that it should not,
//! grouped by reason code, protocol apart from policy.

use super::verdicts::{PeerVerdict, Record};
use crate::vectors::reasons::POLICY;
use std::collections::BTreeMap;

/// The practical risk of accepting a vector of each reason, one line each.
const RISKS: &[(&str, &str)] = &[
    (
        "alg-none",
        "anyone can forge a token: no signature is checked",
    ),
    (
        "alg-unknown",
        "behaviour depends on what the library does with a name it does not know",
    ),
    (
        "alg-not-allowed",
        "the token, not the verifier, picks the algorithm: downgrade and confusion attacks",
    ),
    (
        "key-confusion",
        "a public key used as an HMAC secret lets anyone who has it forge tokens",
    ),
    ("bad-signature", "forged or altered content is accepted"),
    (
        "malformed-signature",
        "a signature that is not one (zero or out-of-range values, CVE-2022-21449) may verify",
    ),
    (
        "malformed",
        "one token has several spellings: caches, replay lists and logs keyed on the text disagree",
    ),
    (
        "bad-header",
        "a header the library cannot read is processed anyway",
    ),
    (
        "duplicate-member",
        "two parsers of the same header or claims see different values (CVE-2022-39227); harmless only if every component keeps the last member",
    ),
    (
        "crit-unknown",
        "an extension the issuer marked critical is ignored",
    ),
    (
        "crit-malformed",
        "a crit that violates its rules is ignored; low risk on its own, it hides producer bugs",
    ),
    (
        "header-not-disjoint",
        "an unprotected header can shadow a protected parameter: which value is used depends on the library",
    ),
    (
        "b64-not-critical",
        "the payload may be read with the wrong encoding",
    ),
    (
        "no-matching-key",
        "a token is verified with a key the header did not name",
    ),
    (
        "embedded-key-not-trusted",
        "whoever made the token also chose the key that verifies it",
    ),
    (
        "key-too-short",
        "a short HMAC key can be brute-forced; RFC 7518 §3.2 requires at least the hash size",
    ),
    (
        "key-rejected",
        "an invalid key is used: off-curve points leak ECDH private keys, weak RSA keys are factorable, inconsistent private parts give wrong results",
    ),
    (
        "payload-not-object",
        "a payload that is not a claims set is processed as one",
    ),
    (
        "invalid-claim",
        "a claim of the wrong type may skip its check (a string exp is never compared)",
    ),
    (
        "missing-claim",
        "a claim the verifier requires is absent and nothing notices",
    ),
    ("expired", "an expired token is accepted"),
    ("not-yet-valid", "a token is used before its nbf"),
    (
        "issued-in-future",
        "a token from a wrong clock or made in advance is accepted",
    ),
    (
        "too-old",
        "a token older than the verifier's limit is accepted (replay window grows)",
    ),
    ("issuer-mismatch", "a token from another issuer is accepted"),
    (
        "audience-mismatch",
        "a token for another service can be replayed here",
    ),
    (
        "audience-not-expected",
        "a token meant for some other audience is accepted by a verifier that names none",
    ),
    (
        "subject-mismatch",
        "a token about another subject is accepted",
    ),
    (
        "typ-mismatch",
        "one kind of token is accepted as another (an ID token as an access token)",
    ),
    (
        "private-key-embedded",
        "a private key travels in a header and is accepted",
    ),
    ("decryption-failed", "altered ciphertext is accepted"),
    (
        "p2c-out-of-range",
        "an attacker-chosen PBES2 count costs the recipient CPU (denial of service), or a tiny count weakens the password",
    ),
    ("p2s-too-short", "a short salt weakens PBES2"),
    (
        "epk-invalid",
        "invalid-curve and small-subgroup points can leak the recipient's private key",
    ),
    ("cek-invalid", "a key of the wrong size reaches the cipher"),
    (
        "iv-invalid",
        "a truncated tag or wrong IV weakens authentication",
    ),
    (
        "zip-too-large",
        "a small token decompresses to gigabytes (memory exhaustion)",
    ),
];

/// Where one vector's risk differs from its reason code's: (vector id, risk).
const VECTOR_RISKS: &[(&str, &str)] = &[
    (
        "jwt/invalid/unencoded-payload",
        "the claims are read from a payload that is not base64url-decoded (b64 false): another implementation reads different claims from the same token",
    ),
    (
        "jwk/negative/rsa-1024-bits",
        "1024-bit RSA is within reach of large factoring efforts; RFC 7518 forbids using it with RS*, PS* and RSA-OAEP*, so a library that imports it must refuse it at use",
    ),
    (
        "jwk/negative/rsa-multi-prime",
        "none in itself: multi-prime RSA is a registered feature this workspace leaves out",
    ),
    (
        "jwk/negative/oct-empty",
        "an empty secret is no secret: if an algorithm later takes it, anyone can compute the MAC",
    ),
    (
        "jwk/negative/set-mixes-symmetric-and-asymmetric",
        "a verifier that picks keys by kid alone may take the secret for a public key or the reverse (algorithm confusion, RFC 8725 §2.1)",
    ),
    (
        "jwk/negative/okp-unknown-curve",
        "none in itself: Ed448 is a registered curve this workspace leaves out",
    ),
    (
        "jwk/negative/ec-unknown-curve",
        "none in itself: secp256k1 is registered for ES256K, which this workspace leaves out",
    ),
    (
        "dpop/negative/too-old",
        "jose applies clockTolerance to maxTokenAge as well: a proof 301 s old passes a 300 s limit with 5 s leeway; the window grows by the leeway, a small risk",
    ),
];

/// The risk line of a group: the reason code's, and any vector's own.
fn risk(code: &str, ids: &[&str]) -> String {
    let mut lines: Vec<String> = ids
        .iter()
        .filter_map(|id| VECTOR_RISKS.iter().find(|(v, _)| v == id))
        .map(|(id, r)| format!("`{id}`: {r}"))
        .collect();
    if lines.len() < ids.len() {
        let general = RISKS
            .iter()
            .find(|(c, _)| *c == code)
            .map_or("see the reason code in docs/vectors.md", |(_, r)| *r);
        lines.insert(0, general.to_owned());
    }
    lines.join("; ")
}

fn policy_note(id: &str) -> Option<&'static str> {
    POLICY.iter().find(|(i, _)| *i == id).map(|(_, why)| *why)
}

/// The invalid JWS vectors each Python peer accepted in the first look (an earlier run at the
/// pinned versions).
const FIRST_LOOK: &[(&str, &[&str])] = &[
    (
        "jwcrypto",
        &[
            "jws/negative/crit-malformed/empty",
            "jws/negative/crit-malformed/registered-name",
            "jws/negative/duplicate-member/alg",
            "jws/negative/duplicate-member/escaped",
            "jws/negative/duplicate-member/typ",
            "jws/negative/malformed/non-canonical-trailing-bits",
            "jws/negative/malformed/standard-base64-alphabet",
        ],
    ),
    (
        "joserfc",
        &[
            "jws/negative/crit-malformed/empty",
            "jws/negative/crit-malformed/registered-name",
            "jws/negative/duplicate-member/alg",
            "jws/negative/duplicate-member/escaped",
            "jws/negative/duplicate-member/typ",
            "jws/negative/header-not-disjoint",
            "jws/negative/key-too-short/hs256-16-bytes",
        ],
    ),
];

/// The verdict sections of docs/interop.md.
pub fn markdown(peers: &[(&'static str, String)], records: &[Record]) -> String {
    let mut out = format!("\n## Peer verdicts on the invalid vectors\n\n{INTRO}\n");
    out.push_str(&summary(peers, records));
    out.push_str(&format!(
        "\n### The first look, reproduced\n\n{}",
        first_look(records)
    ));
    for (id, name) in peers {
        let mine: Vec<&Record> = records.iter().filter(|r| r.peer == *id).collect();
        out.push_str(&format!("\n### {name}\n\n{}", peer_section(&mine)));
    }
    out
}

fn summary(peers: &[(&'static str, String)], records: &[Record]) -> String {
    let mut files: Vec<&str> = records.iter().map(|r| r.vector.file).collect();
    files.sort_unstable();
    files.dedup();
    let mut out = String::from("| invalid vectors |");
    for (_, name) in peers {
        out.push_str(&format!(" {name} |"));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(peers.len()));
    out.push('\n');
    for file in files {
        let total = records
            .iter()
            .filter(|r| r.vector.file == file && Some(r.peer) == peers.first().map(|p| p.0))
            .count();
        out.push_str(&format!("| `{file}` ({total}) |"));
        for (id, _) in peers {
            let count = |v: PeerVerdict| {
                records
                    .iter()
                    .filter(|r| r.vector.file == file && r.peer == *id && r.verdict == v)
                    .count()
            };
            out.push_str(&format!(
                " {} / {} / **{}** / {} |",
                count(PeerVerdict::Refused),
                count(PeerVerdict::RefusedOtherReason),
                count(PeerVerdict::Accepted),
                count(PeerVerdict::NotApplicable)
            ));
        }
        out.push('\n');
    }
    out
}

fn first_look(records: &[Record]) -> String {
    let mut out = String::from(
        "Issue #22 ran the 47 invalid JWS vectors through the two Python peers at the pinned \
         versions and found that each accepts 7 of them. This run, on the same vectors:\n\n",
    );
    for (peer, expected) in FIRST_LOOK {
        let jws: Vec<&Record> = records
            .iter()
            .filter(|r| r.peer == *peer && r.vector.file == "jws.json")
            .collect();
        let accepted: Vec<&str> = jws
            .iter()
            .filter(|r| r.verdict == PeerVerdict::Accepted)
            .map(|r| r.vector.id.as_str())
            .collect();
        let missing: Vec<&str> = expected
            .iter()
            .copied()
            .filter(|id| !accepted.contains(id))
            .collect();
        let extra: Vec<&str> = accepted
            .iter()
            .copied()
            .filter(|id| !expected.contains(id))
            .collect();
        let verdict = if missing.is_empty() && extra.is_empty() {
            "the same vectors as the first look: **reproduced**".to_owned()
        } else {
            format!(
                "**differs** from the first look: no longer accepted {}; newly accepted {}",
                list(&missing),
                list(&extra)
            )
        };
        out.push_str(&format!(
            "- {peer} accepts {} of {}: {}; {verdict}.\n",
            accepted.len(),
            jws.len(),
            list(&accepted)
        ));
    }
    out
}

fn list(ids: &[&str]) -> String {
    if ids.is_empty() {
        return "none".to_owned();
    }
    ids.iter()
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The last part of a vector id.
fn short(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

fn peer_section(records: &[&Record]) -> String {
    let accepted: Vec<&&Record> = records
        .iter()
        .filter(|r| r.verdict == PeerVerdict::Accepted)
        .collect();
    let (policy, protocol): (Vec<&&Record>, Vec<&&Record>) =
        accepted.iter().partition(|r| r.vector.policy);
    let mut out = String::new();
    out.push_str("Accepted although the RFCs require the refusal (protocol):\n\n");
    out.push_str(&grouped(&protocol, false));
    out.push_str(
        "\nAccepted where only this workspace's policy refuses (the RFCs allow accepting; \
         `\"basis\": \"policy\"` in the vector's reason):\n\n",
    );
    out.push_str(&grouped(&policy, true));
    let mut not_applicable: BTreeMap<&str, usize> = BTreeMap::new();
    for r in records
        .iter()
        .filter(|r| r.verdict == PeerVerdict::NotApplicable)
    {
        *not_applicable.entry(r.detail.as_str()).or_default() += 1;
    }
    if !not_applicable.is_empty() {
        out.push_str("\nNot run (n/a), and why:\n\n");
        for (why, n) in not_applicable {
            out.push_str(&format!("- {n} vector(s): {why}\n"));
        }
    }
    out
}

fn grouped(records: &[&&Record], policy: bool) -> String {
    if records.is_empty() {
        return "None.\n".to_owned();
    }
    let mut by_code: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for r in records {
        by_code.entry(r.vector.code.as_str()).or_default().push(r);
    }
    let mut out = if policy {
        String::from(
            "| reason | vectors | why the RFCs allow accepting | practical risk |\n|---|---|---|---|\n",
        )
    } else {
        String::from("| reason | vectors | RFC reference | practical risk |\n|---|---|---|---|\n")
    };
    for (code, rs) in by_code {
        let ids: Vec<&str> = rs.iter().map(|r| r.vector.id.as_str()).collect();
        let mut notes: Vec<String> = rs
            .iter()
            .map(|r| {
                if policy {
                    policy_note(&r.vector.id).unwrap_or_default().to_owned()
                } else if let Some(reference) = &r.vector.reference {
                    reference.clone()
                } else {
                    // No reference in the vector: its explanation, which cites the rule.
                    format!("`{}`: {}", short(&r.vector.id), r.vector.explanation)
                }
            })
            .filter(|n| !n.is_empty())
            .collect();
        notes.sort_unstable();
        notes.dedup();
        let notes = notes.join("; ");
        out.push_str(&format!(
            "| `{code}` | {} | {notes} | {} |\n",
            list(&ids),
            risk(code, &ids)
        ));
    }
    out
}

const INTRO: &str = "Every invalid vector of `jws.json`, `jwe.json`, `jwt.json`, `jwk.json` and
`dpop.json` goes through every peer, with the vector's key and policy, and each answer is
recorded in [`vectors/peer-verdicts.json`](../vectors/peer-verdicts.json) (format:
[`vectors/peer-verdicts.schema.json`](../vectors/peer-verdicts.schema.json), described in
`docs/vectors.md`): **refused** (the peer's error names the vector's reason code),
**refused-other-reason** (it refused with an error about something else, often a generic
\"verification failed\" from a check the vector was not about), **accepted**, or **n/a** (the
peer lacks the feature; the reason is kept in the file's `not_applicable` and below). The
errors, kept in the file's `errors`, are matched against the reason codes by
`xtask/src/interop/classify.rs`. A peer's
verdicts never fail the run: they are its behaviour, not this workspace's. An invalid vector
that this workspace accepts does fail it (the run also checks every one of them through the
workspace, as `cargo xtask vectors check` does). Key selection from a JWK Set is done by the
drivers, the same way for every peer; when no key of the set fits, the peer is not asked (n/a). The `oidc2` and `signing-challenge`
vectors are profiles of this workspace with no counterpart in the peers and are not run.

Each cell: refused / refused for another reason / **accepted** / n/a.
";
