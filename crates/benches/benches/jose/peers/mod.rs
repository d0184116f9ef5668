//! Peer crates, benchmarked in the same groups as ours (feature `peers`): the same claims,
//! payloads and keys (imported as PKCS#8 PEM, JWK or raw bytes). Without the feature every
//! function here adds nothing.

#![cfg_attr(
    not(all(feature = "peers", feature = "peers-openssl")),
    allow(unused_variables)
)]

#[cfg(feature = "peers-openssl")]
mod josekit_peer;
#[cfg(feature = "peers")]
mod jsonwebtoken_peer;
#[cfg(feature = "peers")]
mod jwt_simple_peer;

use crate::Fixture;
use crate::jwe::Case;
use benches::harness::Group;
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::Jwk;

/// jsonwebtoken with its RustCrypto provider.
#[cfg(feature = "peers")]
pub const JSONWEBTOKEN_RUSTCRYPTO: &str = "jsonwebtoken-rustcrypto";
/// jsonwebtoken with its aws-lc-rs provider.
#[cfg(feature = "peers")]
pub const JSONWEBTOKEN_AWSLC: &str = "jsonwebtoken-awslc";
/// jwt-simple, feature `pure-rust`.
#[cfg(feature = "peers")]
pub const JWT_SIMPLE: &str = "jwt-simple";
/// josekit (OpenSSL).
#[cfg(feature = "peers-openssl")]
pub const JOSEKIT: &str = "josekit";

pub fn jws_sign_compact(g: &mut Group<'_>, alg: JwsAlgorithm, fx: &Fixture) {
    #[cfg(feature = "peers")]
    {
        jsonwebtoken_peer::sign_compact(g, alg, fx);
        jwt_simple_peer::sign_compact(g, alg, fx);
    }
    #[cfg(feature = "peers-openssl")]
    josekit_peer::sign_compact(g, alg, fx);
}

pub fn jws_verify_compact(g: &mut Group<'_>, alg: JwsAlgorithm, fx: &Fixture, token: &str) {
    #[cfg(feature = "peers")]
    {
        jsonwebtoken_peer::verify_compact(g, alg, fx, token);
        jwt_simple_peer::verify_compact(g, alg, fx, token);
    }
    #[cfg(feature = "peers-openssl")]
    josekit_peer::verify_compact(g, alg, fx, token);
}

pub fn jws_sign_json(g: &mut Group<'_>, alg: JwsAlgorithm, fx: &Fixture) {
    #[cfg(feature = "peers")]
    jsonwebtoken_peer::sign_json(g, alg, fx);
    #[cfg(feature = "peers-openssl")]
    josekit_peer::sign_json(g, alg, fx);
}

pub fn jws_verify_json(g: &mut Group<'_>, alg: JwsAlgorithm, fx: &Fixture, json: &str) {
    #[cfg(feature = "peers")]
    jsonwebtoken_peer::verify_json(g, alg, fx, json);
    #[cfg(feature = "peers-openssl")]
    josekit_peer::verify_json(g, alg, fx, json);
}

pub fn jwe_encrypt(g: &mut Group<'_>, case: Case, fx: &Fixture, plaintext: &[u8]) {
    #[cfg(feature = "peers-openssl")]
    josekit_peer::encrypt(g, case, fx, plaintext);
}

pub fn jwe_decrypt(g: &mut Group<'_>, case: Case, fx: &Fixture, token: &str) {
    #[cfg(feature = "peers-openssl")]
    josekit_peer::decrypt(g, case, fx, token);
}

pub fn thumbprint(g: &mut Group<'_>, public: &Jwk) {
    #[cfg(feature = "peers")]
    jsonwebtoken_peer::thumbprint(g, public);
}
