//! The hash claims that bind pushed tokens to the ID Token (CIBA §10.3.1, OpenID Connect Core
//! §3.1.3.6).

use jose_core::alg::JwsAlgorithm;

/// The ID Token claim carrying the `auth_req_id` of a pushed result.
pub const AUTH_REQ_ID_CLAIM: &str = "urn:openid:params:jwt:claim:auth_req_id";

/// The ID Token claim carrying the hash of a pushed refresh token.
pub const RT_HASH_CLAIM: &str = "urn:openid:params:jwt:claim:rt_hash";

/// `at_hash` / `rt_hash` of `token` for an ID Token signed with `alg`: the left half of the
/// hash the algorithm names (SHA-256 for *256, SHA-384 for *384, SHA-512 for *512 and EdDSA)
/// over the token's ASCII octets, base64url-encoded without padding.
///
/// ```
/// use ciba::token_hash;
/// use jose_core::alg::JwsAlgorithm;
///
/// // CIBA §10.3.1.
/// assert_eq!(token_hash(JwsAlgorithm::RS256, "G5kXH2wHvUra0sHlDy1iTkDJgsgUO1bN"), "Wt0kVFXMacqvnHeyU0001w");
/// ```
#[must_use]
pub fn token_hash(alg: JwsAlgorithm, token: &str) -> String {
    let digest = alg.hash().digest(token.as_bytes());
    jose_core::b64::encode(&digest[..digest.len() / 2])
}

/// Whether `claimed` is the hash of `token` for `alg`, compared in constant time as strings
/// (so a padded or otherwise re-encoded value does not match).
#[must_use]
pub fn token_hash_matches(alg: JwsAlgorithm, token: &str, claimed: &str) -> bool {
    jose_core::constant_time_eq(token_hash(alg, token).as_bytes(), claimed.as_bytes())
}
