//! josekit 0.10 (OpenSSL for every primitive).

use super::JOSEKIT;
use crate::Fixture;
use crate::jwe::Case;
use benches::fixtures::{AUDIENCE, Claims, ISSUER, shareable};
use benches::harness::Group;
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::Jwk;
use josekit::jwe::{JweDecrypter, JweEncrypter, JweHeader};
use josekit::jws::{JwsHeader, JwsSigner, JwsVerifier};
use josekit::jwt::{JwtPayload, JwtPayloadValidator};
use serde_json::Value;
use std::time::SystemTime;

fn jwk(key: &Jwk) -> josekit::jwk::Jwk {
    josekit::jwk::Jwk::from_bytes(key.to_json().as_bytes()).unwrap()
}

fn signer(alg: JwsAlgorithm, key: &Jwk) -> Box<dyn JwsSigner> {
    use JwsAlgorithm::*;
    use josekit::jws;
    let k = jwk(key);
    match alg {
        HS256 => Box::new(jws::HS256.signer_from_jwk(&k).unwrap()),
        HS384 => Box::new(jws::HS384.signer_from_jwk(&k).unwrap()),
        HS512 => Box::new(jws::HS512.signer_from_jwk(&k).unwrap()),
        RS256 => Box::new(jws::RS256.signer_from_jwk(&k).unwrap()),
        RS384 => Box::new(jws::RS384.signer_from_jwk(&k).unwrap()),
        RS512 => Box::new(jws::RS512.signer_from_jwk(&k).unwrap()),
        PS256 => Box::new(jws::PS256.signer_from_jwk(&k).unwrap()),
        PS384 => Box::new(jws::PS384.signer_from_jwk(&k).unwrap()),
        PS512 => Box::new(jws::PS512.signer_from_jwk(&k).unwrap()),
        ES256 => Box::new(jws::ES256.signer_from_jwk(&k).unwrap()),
        ES384 => Box::new(jws::ES384.signer_from_jwk(&k).unwrap()),
        ES512 => Box::new(jws::ES512.signer_from_jwk(&k).unwrap()),
        _ => Box::new(jws::EdDSA.signer_from_jwk(&k).unwrap()),
    }
}

fn verifier(alg: JwsAlgorithm, key: &Jwk) -> Box<dyn JwsVerifier> {
    use JwsAlgorithm::*;
    use josekit::jws;
    let public = shareable(key);
    let k = jwk(&public);
    match alg {
        HS256 => Box::new(jws::HS256.verifier_from_jwk(&k).unwrap()),
        HS384 => Box::new(jws::HS384.verifier_from_jwk(&k).unwrap()),
        HS512 => Box::new(jws::HS512.verifier_from_jwk(&k).unwrap()),
        RS256 => Box::new(jws::RS256.verifier_from_jwk(&k).unwrap()),
        RS384 => Box::new(jws::RS384.verifier_from_jwk(&k).unwrap()),
        RS512 => Box::new(jws::RS512.verifier_from_jwk(&k).unwrap()),
        PS256 => Box::new(jws::PS256.verifier_from_jwk(&k).unwrap()),
        PS384 => Box::new(jws::PS384.verifier_from_jwk(&k).unwrap()),
        PS512 => Box::new(jws::PS512.verifier_from_jwk(&k).unwrap()),
        ES256 => Box::new(jws::ES256.verifier_from_jwk(&k).unwrap()),
        ES384 => Box::new(jws::ES384.verifier_from_jwk(&k).unwrap()),
        ES512 => Box::new(jws::ES512.verifier_from_jwk(&k).unwrap()),
        _ => Box::new(jws::EdDSA.verifier_from_jwk(&k).unwrap()),
    }
}

fn header() -> JwsHeader {
    let mut h = JwsHeader::new();
    h.set_token_type("JWT");
    h
}

fn payload(claims: &Claims) -> JwtPayload {
    match serde_json::to_value(claims).unwrap() {
        Value::Object(map) => JwtPayload::from_map(map).unwrap(),
        _ => unreachable!("claims serialize to an object"),
    }
}

/// The checks of ours and the typed claims.
fn validate(payload: JwtPayload) -> Claims {
    let mut v = JwtPayloadValidator::new();
    v.set_issuer(ISSUER);
    v.set_audience(AUDIENCE);
    v.set_base_time(SystemTime::now());
    v.validate(&payload).unwrap();
    serde_json::from_value(Value::Object(payload.claims_set().clone())).unwrap()
}

pub fn sign_compact(g: &mut Group<'_>, alg: JwsAlgorithm, fx: &Fixture) {
    let signer = signer(alg, fx.keys().for_jws(alg));
    let header = header();
    g.bench(JOSEKIT, || {
        josekit::jwt::encode_with_signer(&payload(&fx.claims), &header, &*signer).unwrap()
    });
}

pub fn verify_compact(g: &mut Group<'_>, alg: JwsAlgorithm, fx: &Fixture, token: &str) {
    let verifier = verifier(alg, fx.keys().for_jws(alg));
    g.bench(JOSEKIT, || {
        let (payload, _header) = josekit::jwt::decode_with_verifier(token, &*verifier).unwrap();
        validate(payload)
    });
}

pub fn sign_json(g: &mut Group<'_>, alg: JwsAlgorithm, fx: &Fixture) {
    let signer = signer(alg, fx.keys().for_jws(alg));
    let mut header = josekit::jws::JwsHeaderSet::new();
    header.set_token_type("JWT", true);
    g.bench(JOSEKIT, || {
        josekit::jws::serialize_flattened_json(&fx.claims.to_json(), &header, &*signer).unwrap()
    });
}

pub fn verify_json(g: &mut Group<'_>, alg: JwsAlgorithm, fx: &Fixture, json: &str) {
    let verifier = verifier(alg, fx.keys().for_jws(alg));
    g.bench(JOSEKIT, || {
        let (bytes, _header) = josekit::jws::deserialize_json(json, &*verifier).unwrap();
        let map: serde_json::Map<String, Value> = serde_json::from_slice(&bytes).unwrap();
        validate(JwtPayload::from_map(map).unwrap())
    });
}

fn encrypter(case: Case, key: &Jwk) -> Box<dyn JweEncrypter> {
    use josekit::jwe;
    let recipient = shareable(key);
    let k = jwk(&recipient);
    match case {
        Case::Dir => Box::new(jwe::Dir.encrypter_from_jwk(&k).unwrap()),
        Case::A256Kw => Box::new(jwe::A256KW.encrypter_from_jwk(&k).unwrap()),
        Case::RsaOaep256 => Box::new(jwe::RSA_OAEP_256.encrypter_from_jwk(&k).unwrap()),
        Case::EcdhP256 | Case::EcdhX25519 => {
            Box::new(jwe::ECDH_ES_A256KW.encrypter_from_jwk(&k).unwrap())
        }
    }
}

fn decrypter(case: Case, key: &Jwk) -> Box<dyn JweDecrypter> {
    use josekit::jwe;
    let k = jwk(key);
    match case {
        Case::Dir => Box::new(jwe::Dir.decrypter_from_jwk(&k).unwrap()),
        Case::A256Kw => Box::new(jwe::A256KW.decrypter_from_jwk(&k).unwrap()),
        Case::RsaOaep256 => Box::new(jwe::RSA_OAEP_256.decrypter_from_jwk(&k).unwrap()),
        Case::EcdhP256 | Case::EcdhX25519 => {
            Box::new(jwe::ECDH_ES_A256KW.decrypter_from_jwk(&k).unwrap())
        }
    }
}

pub fn encrypt(g: &mut Group<'_>, case: Case, fx: &Fixture, plaintext: &[u8]) {
    let encrypter = encrypter(case, case.key_in(fx.keys()));
    let mut header = JweHeader::new();
    header.set_content_encryption("A256GCM");
    g.bench(JOSEKIT, || {
        josekit::jwe::serialize_compact(plaintext, &header, &*encrypter).unwrap()
    });
}

pub fn decrypt(g: &mut Group<'_>, case: Case, fx: &Fixture, token: &str) {
    let decrypter = decrypter(case, case.key_in(fx.keys()));
    g.bench(JOSEKIT, || {
        josekit::jwe::deserialize_compact(token, &*decrypter)
            .unwrap()
            .0
    });
}
