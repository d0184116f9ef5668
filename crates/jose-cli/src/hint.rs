//! Error messages that name the flag to set, where the library's message names the method.
//!
//! The libraries say "accept it with `Validation::algorithms`"; a command-line user needs
//! "accept it with `--alg RS256`". Errors that are not about configuration keep the
//! library's text.

use jws::JwsError;
use jwt_claims::JwtError;

/// A JWS verification error; `alg_flag` is the flag that lists accepted signature
/// algorithms (`--alg`, or `--sign-alg` for `jose jwt decrypt`).
pub fn jws(e: &JwsError, alg_flag: &str) -> String {
    match e {
        JwsError::AlgorithmNotAllowed(alg) => {
            format!("algorithm {alg} is not allowed: accept it with {alg_flag} {alg}")
        }
        JwsError::NoAlgorithmAllowed => format!(
            "no algorithm is allowed: the key has no \"alg\" and its type fixes none; pass {alg_flag}"
        ),
        other => other.to_string(),
    }
}

/// A JWE decryption error (`--alg` and `--enc` of `jose jwe decrypt` and `jose jwt decrypt`).
pub fn jwe(e: &jwe::JweError) -> String {
    match e {
        jwe::JweError::AlgorithmNotAllowed(alg) => {
            format!("key management algorithm {alg} is not allowed: accept it with --alg {alg}")
        }
        jwe::JweError::EncryptionNotAllowed(enc) => {
            format!("content encryption algorithm {enc} is not allowed: accept it with --enc {enc}")
        }
        jwe::JweError::NoAlgorithmAllowed => {
            "no key management algorithm is allowed: the key has no \"alg\"; pass --alg".to_owned()
        }
        other => other.to_string(),
    }
}

/// A JWT verification error, with its code; `alg_flag` as for [`jws()`].
pub fn jwt(e: &JwtError, alg_flag: &str) -> String {
    let text = match e {
        JwtError::Jws(e) => jws(e, alg_flag),
        JwtError::Jwe(e) => jwe(e),
        JwtError::IssuerMismatch { found } => {
            format!("unexpected issuer {found:?}: accept it with --iss")
        }
        JwtError::AudienceMismatch => {
            "the token's audience does not include an accepted audience: name yours with --aud"
                .to_owned()
        }
        JwtError::AudienceNotExpected => {
            "the token has an audience but no accepted audience is configured: name yours with --aud"
                .to_owned()
        }
        JwtError::TypMismatch { expected, found } => match found {
            Some(found) => format!("unexpected typ {found:?}, expected {expected:?} (set with --typ)"),
            None => format!("the header has no typ, expected {expected:?} (set with --typ)"),
        },
        JwtError::TypNotAccepted { found } => format!(
            "typ \"{found}\" marks a token of a specific profile (RFC 8725 §3.11): accept it with --typ '{found}'"
        ),
        other => other.to_string(),
    };
    format!("{text} [{}]", e.code())
}
