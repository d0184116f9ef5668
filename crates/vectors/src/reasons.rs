//! The reason codes of invalid vectors, and which of this workspace's errors each one means.
//!
//! An invalid vector must fail *for its stated reason*: a vector meant to show that `alg: none`
//! is refused proves nothing if it fails because its key did not parse. `vectors check`
//! therefore matches the error against the code. The table of codes, with their meaning for
//! other implementations, is in `docs/vectors.md`; [`CODES`] is the same list.

use jose_core::header::HeaderError;
use jose_core::json::JsonError;
use jose_core::jwk::KeyError;
use jws::JwsError;
use jwt_claims::JwtError;

/// Every reason code, with a one-line meaning (kept in step with `docs/vectors.md`).
pub const CODES: &[(&str, &str)] = &[
    (
        "alg-none",
        "the header says alg none: unsecured JWS are never accepted",
    ),
    (
        "alg-unknown",
        "the header's alg (or enc) is not a registered algorithm",
    ),
    (
        "alg-not-allowed",
        "the algorithm is valid but not one the verifier accepts",
    ),
    (
        "key-confusion",
        "the algorithm's family does not fit the key type (HS256 with an RSA key)",
    ),
    ("bad-signature", "the signature or MAC does not verify"),
    (
        "malformed-signature",
        "the signature has the wrong size or out-of-range values",
    ),
    (
        "malformed",
        "the serialization is malformed: parts, base64url, JSON structure",
    ),
    (
        "bad-header",
        "a header is not a JSON object, lacks alg, or has a wrongly typed parameter",
    ),
    ("duplicate-member", "a JSON object repeats a member name"),
    (
        "crit-unknown",
        "crit names an extension the recipient does not understand",
    ),
    (
        "crit-malformed",
        "crit is empty, not in the protected header, names a registered or absent parameter",
    ),
    (
        "header-not-disjoint",
        "a parameter appears in more than one header",
    ),
    (
        "b64-not-critical",
        "b64 is used without being listed in crit",
    ),
    (
        "no-matching-key",
        "no key of the verifier's key set fits the header",
    ),
    (
        "embedded-key-not-trusted",
        "the header embeds a key; it must not be used unless trusted",
    ),
    (
        "key-too-short",
        "the key is shorter than the algorithm requires",
    ),
    (
        "key-rejected",
        "the key itself is invalid (point off the curve, small RSA modulus, ...)",
    ),
    ("payload-not-object", "the JWT payload is not a JSON object"),
    (
        "invalid-claim",
        "a registered claim has the wrong type or form",
    ),
    ("missing-claim", "a required claim is absent"),
    (
        "expired",
        "exp is not after the current time (minus leeway)",
    ),
    (
        "not-yet-valid",
        "nbf is after the current time (plus leeway)",
    ),
    (
        "issued-in-future",
        "iat is after the current time (plus leeway)",
    ),
    ("too-old", "iat is older than the maximum age"),
    ("issuer-mismatch", "iss is not the expected issuer"),
    (
        "audience-mismatch",
        "aud does not contain the verifier's audience",
    ),
    (
        "audience-not-expected",
        "the token has aud but the verifier names no audience",
    ),
    ("subject-mismatch", "sub is not the expected subject"),
    ("typ-mismatch", "the header's typ is not the expected type"),
    (
        "htm-mismatch",
        "the DPoP proof's htm is not the request method",
    ),
    (
        "htu-mismatch",
        "the DPoP proof's htu is not the request URI",
    ),
    (
        "ath-mismatch",
        "the DPoP proof's ath is not the hash of the access token",
    ),
    (
        "nonce-mismatch",
        "the DPoP proof's nonce is absent or not the server's nonce",
    ),
    (
        "jkt-mismatch",
        "the key's thumbprint is not the one the token is bound to",
    ),
    ("private-key-embedded", "a header embeds a private key"),
    (
        "decryption-failed",
        "the JWE authentication tag (or key unwrap) does not verify",
    ),
    (
        "p2c-out-of-range",
        "PBES2 p2c is above the recipient's limit or below 1000",
    ),
    ("p2s-too-short", "PBES2 p2s is shorter than 8 bytes"),
    (
        "epk-invalid",
        "the ECDH-ES ephemeral key is invalid or on another curve",
    ),
    (
        "cek-invalid",
        "the content encryption key has the wrong length for enc",
    ),
    ("iv-invalid", "the IV or tag has the wrong length for enc"),
    (
        "zip-too-large",
        "the decompressed plaintext exceeds the recipient's limit",
    ),
    (
        "replay",
        "the token (its jti, or the session) was already used",
    ),
    (
        "lifetime-out-of-range",
        "exp - iat is not positive or exceeds the allowed lifetime",
    ),
    (
        "context-missing",
        "OIDC²: the ICT does not grant a context the verifier requires",
    ),
    (
        "session-mismatch",
        "signing challenge: a claim differs from the session's value",
    ),
    (
        "certificate-invalid",
        "an x5c certificate is malformed or unfit (extensions, key usage, size)",
    ),
    (
        "certificate-expired",
        "a certificate is not valid at the relevant instant",
    ),
    (
        "chain-untrusted",
        "the x5c chain does not lead to a trust anchor",
    ),
    (
        "certificate-not-bound",
        "the leaf certificate is not the one registered for the session",
    ),
    (
        "user-signature-invalid",
        "the user's signature over the document hash does not verify",
    ),
    (
        "timestamp-out-of-range",
        "the signing timestamp is outside the allowed window",
    ),
];

/// Invalid vectors whose refusal is this workspace's policy rather than an RFC requirement,
/// with the text that allows accepting them. `vectors generate` writes `"basis": "policy"` in
/// their `reason`; the peer verdicts (`docs/interop.md`) list them apart from protocol
/// violations. Every other invalid vector is refused because an RFC requires it.
pub const POLICY: &[(&str, &str)] = &[
    (
        "jws/negative/duplicate-member/alg",
        "RFC 7515 §4 lets a parser keep the lexically last of duplicate header names",
    ),
    (
        "jws/negative/duplicate-member/escaped",
        "RFC 7515 §4 lets a parser keep the lexically last of duplicate header names",
    ),
    (
        "jws/negative/duplicate-member/typ",
        "RFC 7515 §4 lets a parser keep the lexically last of duplicate header names",
    ),
    (
        "jws/negative/duplicate-member/json-serialization",
        "RFC 8259 §4 says names SHOULD be unique; RFC 7515 §4's last-wins rule is the common reading",
    ),
    (
        "jws/negative/crit-malformed/empty",
        "RFC 7515 §4.1.11 forbids producers an empty crit; recipients MAY consider it invalid",
    ),
    (
        "jws/negative/crit-malformed/registered-name",
        "RFC 7515 §4.1.11: recipients MAY consider a crit naming a registered parameter invalid",
    ),
    (
        "jws/negative/crit-malformed/absent-parameter",
        "RFC 7515 §4.1.11: recipients MAY consider a crit that breaks its constraints invalid",
    ),
    (
        "jws/negative/crit-malformed/unprotected",
        "RFC 7515 §4.1.11: recipients MAY consider a crit that breaks its constraints invalid",
    ),
    (
        "jws/negative/malformed/non-canonical-trailing-bits",
        "RFC 4648 §3.5: decoders MAY reject pad bits that are not zero",
    ),
    (
        "jwe/negative/duplicate-member/header",
        "RFC 7516 §4 lets a parser keep the lexically last of duplicate header names",
    ),
    (
        "jwe/negative/zip-too-large",
        "the decompression limit is the recipient's; RFC 7516 sets none",
    ),
    (
        "jwe/negative/p2c-out-of-range/huge",
        "the iteration limit is the recipient's (given in the vector); RFC 7518 sets none",
    ),
    (
        "jwe/negative/p2c-out-of-range/below-1000",
        "RFC 7518 §4.8.1.2 RECOMMENDS at least 1000 iterations; it does not require refusing fewer",
    ),
    (
        "jwt/invalid/duplicate-claim",
        "RFC 7519 §4 lets a parser keep the lexically last of duplicate claim names",
    ),
    (
        "jwt/invalid/issued-in-future",
        "RFC 7519 §4.1.6 gives iat no validation rule",
    ),
    (
        "jwk/negative/duplicate-member",
        "RFC 7517 §4 lets a parser keep the lexically last of duplicate member names",
    ),
    (
        "jwk/negative/rsa-1024-bits",
        "RFC 7518 §3.3 and §4.2 bind the 2048-bit minimum to using the key, not to importing it",
    ),
    (
        "jwk/negative/rsa-multi-prime",
        "RFC 7518 §6.3.2.7 allows implementations to support multi-prime keys",
    ),
    (
        "jwk/negative/okp-unknown-curve",
        "Ed448 is a registered OKP curve (RFC 8037); this workspace does not implement it",
    ),
    (
        "jwk/negative/ec-unknown-curve",
        "secp256k1 is a registered JOSE curve (RFC 8812); this workspace does not implement it",
    ),
    (
        "jwk/negative/set-mixes-symmetric-and-asymmetric",
        "RFC 7517 §5 allows any keys in a set; refusing a mix follows RFC 8725 §3.1's advice",
    ),
    (
        "jwk/negative/oct-empty",
        "RFC 7518 §6.4.1 sets no minimum length for k; the algorithm that uses the key does",
    ),
];

/// Marks the vectors listed in [`POLICY`] with `"basis": "policy"`.
pub fn mark_policy(vectors: &mut [serde_json::Value]) {
    for v in vectors {
        let listed = v["id"]
            .as_str()
            .is_some_and(|id| POLICY.iter().any(|(p, _)| *p == id));
        if listed && let Some(reason) = v.get_mut("reason").and_then(|r| r.as_object_mut()) {
            reason.insert("basis".to_owned(), serde_json::json!("policy"));
        }
    }
}

/// Whether `code` is in [`CODES`].
pub fn known(code: &str) -> bool {
    CODES.iter().any(|(c, _)| *c == code)
}

fn json_matches(code: &str, e: &JsonError) -> bool {
    match code {
        "duplicate-member" => matches!(e, JsonError::DuplicateMember { .. }),
        "malformed" | "bad-header" | "payload-not-object" => {
            !matches!(e, JsonError::DuplicateMember { .. })
        }
        _ => false,
    }
}

fn header_matches(code: &str, e: &HeaderError) -> bool {
    match e {
        HeaderError::Json(j) => json_matches(code, j),
        HeaderError::Algorithm { .. } => matches!(code, "alg-none" | "alg-unknown"),
        HeaderError::InvalidParameter { .. }
        | HeaderError::Missing(_)
        | HeaderError::Base64 { .. } => {
            matches!(
                code,
                "bad-header" | "epk-invalid" | "iv-invalid" | "p2s-too-short" | "p2c-out-of-range"
            )
        }
        HeaderError::InvalidKey { source, .. } => {
            matches!(code, "epk-invalid" | "bad-header") || key_matches(code, source)
        }
        HeaderError::PrivateKey(_) => code == "private-key-embedded",
        HeaderError::NotDisjoint(_) => code == "header-not-disjoint",
        HeaderError::Crit(_) => {
            matches!(code, "crit-unknown" | "crit-malformed" | "b64-not-critical")
        }
        _ => false,
    }
}

/// Whether a key import or key use error is the stated reason.
pub fn key_matches(code: &str, e: &KeyError) -> bool {
    match code {
        "key-rejected" => !matches!(e, KeyError::Json(JsonError::DuplicateMember { .. })),
        "duplicate-member" => matches!(e, KeyError::Json(JsonError::DuplicateMember { .. })),
        "key-confusion" => matches!(
            e,
            KeyError::IncompatibleAlgorithm { .. } | KeyError::AlgorithmNotPermitted { .. }
        ),
        "key-too-short" => matches!(
            e,
            KeyError::KeyTooShort { .. } | KeyError::WrongKeyLength { .. }
        ),
        _ => false,
    }
}

/// Whether a JWS error is the stated reason.
pub fn jws_matches(code: &str, e: &JwsError) -> bool {
    match e {
        JwsError::TooLarge { .. } | JwsError::Malformed(_) | JwsError::Base64 { .. } => {
            code == "malformed"
        }
        JwsError::TooManySignatures { .. } => code == "malformed",
        JwsError::Json(j) => json_matches(code, j),
        JwsError::Header(h) => header_matches(code, h),
        JwsError::MissingAlgorithm => code == "bad-header",
        JwsError::AlgorithmNotAllowed(_) | JwsError::NoAlgorithmAllowed => {
            matches!(code, "alg-not-allowed" | "key-confusion")
        }
        JwsError::Key(k) => key_matches(code, k),
        JwsError::KeySelection(_) => matches!(code, "no-matching-key" | "key-confusion"),
        JwsError::MissingEmbeddedKey | JwsError::NoKey(_) => code == "no-matching-key",
        JwsError::InvalidSignature => matches!(code, "bad-signature" | "embedded-key-not-trusted"),
        JwsError::MalformedSignature { .. } => code == "malformed-signature",
        _ => false,
    }
}

/// Whether a JWT error is the stated reason (and names the stated claim).
pub fn jwt_matches(code: &str, claim: Option<&str>, e: &JwtError) -> bool {
    let kind = match e {
        JwtError::Jws(j) => return jws_matches(code, j),
        JwtError::Payload(j) => {
            return code == "payload-not-object"
                || (code == "duplicate-member" && json_matches(code, j));
        }
        JwtError::InvalidClaim { .. } => "invalid-claim",
        JwtError::MissingClaim(_) => "missing-claim",
        JwtError::Expired { .. } => "expired",
        JwtError::NotYetValid { .. } => "not-yet-valid",
        JwtError::IssuedInFuture { .. } => "issued-in-future",
        JwtError::TooOld { .. } => "too-old",
        JwtError::IssuerMismatch { .. } => "issuer-mismatch",
        JwtError::AudienceMismatch => "audience-mismatch",
        JwtError::AudienceNotExpected => "audience-not-expected",
        JwtError::SubjectMismatch => "subject-mismatch",
        JwtError::TypMismatch { .. } => "typ-mismatch",
        _ => return false,
    };
    kind == code && claim.is_none_or(|c| e.claim() == Some(c))
}

/// Whether a JWE error is the stated reason.
pub fn jwe_matches(code: &str, e: &jwe::JweError) -> bool {
    use jwe::JweError as J;
    match e {
        J::TooLarge { .. } | J::Malformed(_) | J::Base64 { .. } | J::TooManyRecipients { .. } => {
            code == "malformed"
        }
        J::Json(j) => json_matches(code, j),
        J::Header(h) => header_matches(code, h),
        J::MissingAlgorithm | J::MissingEncryption => code == "bad-header",
        J::MissingParameter(name) => {
            code == "bad-header" || (code == "epk-invalid" && *name == "epk")
        }
        J::AlgorithmNotAllowed(_) | J::EncryptionNotAllowed(_) | J::NoAlgorithmAllowed => {
            code == "alg-not-allowed"
        }
        J::InvalidParameter { name, .. } => match *name {
            "epk" => code == "epk-invalid",
            "p2s" => code == "p2s-too-short",
            "p2c" => code == "p2c-out-of-range",
            "iv" | "tag" => code == "iv-invalid",
            _ => code == "bad-header",
        },
        J::LimitExceeded { what, .. } => {
            if what.contains("p2c") {
                code == "p2c-out-of-range"
            } else if what.contains("decompress") {
                code == "zip-too-large"
            } else {
                code == "malformed"
            }
        }
        J::IterationCountTooSmall { .. } => code == "p2c-out-of-range",
        J::IvLength { .. } | J::TagLength { .. } => code == "iv-invalid",
        J::EncryptedKeyLength { .. } | J::CekLength { .. } => code == "cek-invalid",
        J::Key(k) => {
            key_matches(code, k)
                || (code == "cek-invalid" && matches!(k, KeyError::WrongKeyLength { .. }))
                || (code == "epk-invalid" && matches!(k, KeyError::InvalidPoint(_)))
        }
        J::KeySelection(_) | J::NoKey(_) => code == "no-matching-key",
        J::DecryptionFailed => code == "decryption-failed",
        J::DecompressionLimit { .. } => code == "zip-too-large",
        J::Decompression(_) => code == "malformed",
        _ => false,
    }
}
