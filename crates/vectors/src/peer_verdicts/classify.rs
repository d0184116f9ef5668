//! Whether a peer's error names a vector's reason.
//!
//! Peers' errors are free text: jose gives a code and a message (`ERR_JWS_INVALID: ...`),
//! jwcrypto and joserfc an exception class and message (jwcrypto wraps the cause of a failed
//! verification or decryption in its message). Each reason code lists the fragments that, in
//! a peer's errors, mean that reason; the lists were written from the peers' actual errors and
//! are matched case-insensitively. A refusal whose error has none of them is "refused for
//! another reason": the peer refused, but not (visibly) because of what the vector is about,
//! for example a generic "signature verification failed" for a crit it never checked.

/// Fragments that mean "the algorithm was refused" in every peer.
const ALG: &[&str] = &[
    "err_jose_alg_not_allowed",
    "algorithm not allowed",
    "unsupported_algorithm",
];

/// Fragments that mean "the signature does not verify".
const SIGNATURE: &[&str] = &[
    "err_jws_signature_verification_failed",
    "verification failed",
    "bad_signature",
];

/// (reason code, lowercase fragments of which one must occur in the error).
const PATTERNS: &[(&str, &[&str])] = &[
    ("alg-none", ALG),
    ("alg-unknown", ALG),
    ("alg-not-allowed", ALG),
    (
        "key-confusion",
        &["invalid or unsupported jwk", "invalid_key_type", "requires"],
    ),
    ("bad-signature", SIGNATURE),
    // The verifier used its own key: a failed verification is the refusal asked for.
    ("embedded-key-not-trusted", SIGNATURE),
    // The peers report a malformed signature as one that does not verify.
    ("malformed-signature", SIGNATURE),
    (
        "malformed",
        &[
            "err_jws_invalid",
            "err_jwe_invalid",
            "err_jwt_invalid",
            "invalid format",
            "jsondecodeerror",
            "decode_error: invalid",
            "invalid json web",
        ],
    ),
    (
        "bad-header",
        &[
            "protected header is invalid",
            "header parameter missing or invalid",
            "in jwe header",
            "in header",
            "invalid header",
            "invalid jws object",
            "jsondecodeerror",
            "missing_algorithm",
            "missing_encryption",
        ],
    ),
    ("duplicate-member", &["duplicate"]),
    (
        "crit-unknown",
        &["not recognized", "unknown critical", "unsupported_header"],
    ),
    ("crit-malformed", &["crit", "extension header parameter"]),
    ("b64-not-critical", &["b64"]),
    ("header-not-disjoint", &["disjoint", "duplicate header"]),
    (
        "no-matching-key",
        &["no key", "\"jwk\" (json web key)", "no applicable key"],
    ),
    (
        "key-too-short",
        &["key length", "too short", "key size", "at least"],
    ),
    // A JWK vector is only imported: any refusal of the import is a refusal of the key.
    ("key-rejected", &[""]),
    (
        "payload-not-object",
        &["claims set", "invalid_payload", "payload"],
    ),
    ("invalid-claim", &["claim"]),
    ("missing-claim", &["missing"]),
    ("expired", &["\"exp\"", "expired"]),
    ("not-yet-valid", &["\"nbf\"", "not yet valid"]),
    ("issued-in-future", &["\"iat\"", "future"]),
    ("too-old", &["\"iat\"", "too old", "too far in the past"]),
    ("issuer-mismatch", &["\"iss\"", "'iss'"]),
    ("audience-mismatch", &["\"aud\"", "'aud'"]),
    ("audience-not-expected", &["\"aud\"", "'aud'"]),
    ("subject-mismatch", &["\"sub\"", "'sub'"]),
    ("typ-mismatch", &["\"typ\"", "'typ'"]),
    ("private-key-embedded", &["public key", "private"]),
    // DPoP request binding: no peer checks it today (n/a); named for when one does.
    ("htm-mismatch", &["htm"]),
    ("htu-mismatch", &["htu"]),
    ("ath-mismatch", &["\"ath\"", "'ath'"]),
    ("nonce-mismatch", &["nonce"]),
    ("jkt-mismatch", &["jkt", "thumbprint"]),
    (
        "decryption-failed",
        &[
            "err_jwe_decryption_failed",
            "invalidtag",
            "invalidunwrap",
            "decode_error",
        ],
    ),
    ("p2c-out-of-range", &["p2c"]),
    ("p2s-too-short", &["p2s", "salt"]),
    (
        "epk-invalid",
        &["epk", "not on the curve", "shared key", "ephemeral"],
    ),
    (
        "cek-invalid",
        &[
            "content encryption key",
            "key of size",
            "expected key of length",
            "must be at least",
        ],
    ),
    (
        "iv-invalid",
        &[
            "initialization vector",
            "'iv'",
            "authentication tag",
            "tag length",
        ],
    ),
    ("zip-too-large", &["decompress", "exceeded_size"]),
];

/// Whether `error` is a refusal for `code`.
pub fn matches(code: &str, error: &str) -> bool {
    let error = error.to_lowercase();
    PATTERNS
        .iter()
        .filter(|(c, _)| *c == code)
        .any(|(_, fragments)| fragments.iter().any(|f| error.contains(f)))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn a_generic_signature_failure_is_not_a_crit_refusal() {
        let jwcrypto = "InvalidJWSSignature: Verification failed for all signatures[\"Failed: [InvalidJWSSignature('Verification failed')]\"]";
        assert!(matches("bad-signature", jwcrypto));
        assert!(!matches("b64-not-critical", jwcrypto));
        assert!(!matches("key-confusion", jwcrypto));
    }

    #[test]
    fn each_peer_s_algorithm_refusal_matches_alg_not_allowed() {
        for e in [
            "ERR_JOSE_ALG_NOT_ALLOWED: \"alg\" (Algorithm) Header Parameter value not allowed",
            "InvalidJWEData: No recipient matched the provided key[\"Failed: [InvalidJWEOperation('Algorithm not allowed')]\"]",
            "UnsupportedAlgorithmError: unsupported_algorithm: Algorithm of 'ES256' is not allowed",
        ] {
            assert!(matches("alg-not-allowed", e), "{e}");
            assert!(!matches("decryption-failed", e), "{e}");
        }
    }

    #[test]
    fn every_reason_of_the_vectors_the_peers_run_has_fragments() {
        for file in ["jws.json", "jwe.json", "jwt.json", "jwk.json", "dpop.json"] {
            let path = crate::util::root().join("vectors/generated").join(file);
            let text = std::fs::read_to_string(&path).expect(file);
            let parsed: serde_json::Value = serde_json::from_str(&text).expect(file);
            let vectors = parsed["vectors"].as_array().expect(file);
            for v in vectors.iter().filter(|v| v["expect"] == "invalid") {
                let code = v["reason"]["code"].as_str().unwrap_or_default();
                assert!(
                    super::PATTERNS.iter().any(|(c, _)| *c == code),
                    "{file} {}: no fragments for {code}",
                    v["id"]
                );
            }
        }
    }

    #[test]
    fn an_unknown_code_never_matches() {
        assert!(!matches("no-such-code", "anything"));
    }
}
