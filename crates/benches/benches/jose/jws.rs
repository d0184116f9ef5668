//! JWS: sign and verify a typical JWT with every algorithm, compact and flattened JSON, and
//! the compact JWS layer alone over the same bytes.

use crate::raw::{self, RawSign, RawVerify};
use crate::{Fixture, peers};
use benches::fixtures::{AUDIENCE, Claims, ISSUER, JWS_ALGORITHMS, Keys, shareable};
use benches::harness::{Column, Group};
use criterion::Criterion;
use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use jose_core::jwk::Jwk;
use jws::SigningKey;
use jwt_claims::{JwtBuilder, NumericDate, Validation};

/// Our JWT: the builder with the registered claims and the custom ones, as an application
/// would sign a token.
pub fn sign_jwt(claims: &Claims, key: &SigningKey) -> String {
    JwtBuilder::new()
        .issuer(&claims.iss)
        .subject(&claims.sub)
        .audience(&claims.aud)
        .issued_at(NumericDate::from_seconds(claims.iat))
        .not_before(NumericDate::from_seconds(claims.nbf))
        .expires_at(NumericDate::from_seconds(claims.exp))
        .jti(&claims.jti)
        .claims(&claims.custom)
        .unwrap()
        .sign(key)
        .unwrap()
}

/// The validation every verifier applies: signature with the one algorithm, `iss`, `aud`,
/// `exp`, `nbf`, `iat`.
pub fn validation(alg: JwsAlgorithm) -> Validation {
    Validation::new()
        .algorithms([alg])
        .issuer(ISSUER)
        .audience(AUDIENCE)
}

fn sign_json(payload: &[u8], key: &SigningKey, alg: JwsAlgorithm) -> String {
    jws::json::JsonSign::new(payload)
        .signature(key, JwsHeader::new(alg).with_typ("JWT"))
        .sign_flattened()
        .unwrap()
        .to_string()
}

/// The signing input and signature of a flattened JSON JWS.
fn split_json(text: &str) -> (Vec<u8>, Vec<u8>) {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    let member = |name: &str| v[name].as_str().unwrap().to_owned();
    let input = format!("{}.{}", member("protected"), member("payload")).into_bytes();
    let signature = jose_core::b64::decode(member("signature")).unwrap();
    (input, signature)
}

/// One of our columns, ready for one algorithm: the key pinned to the column's backend and
/// the primitives of that backend.
struct Prepared {
    column: Column,
    key: SigningKey,
    public: Jwk,
    raw_sign: RawSign,
    raw_verify: RawVerify,
}

impl Prepared {
    fn new(column: Column, keys: &Keys, alg: JwsAlgorithm) -> Self {
        let private = keys.for_jws(alg).clone();
        assert_eq!(private.backend(), column.backend);
        Self {
            column,
            key: SigningKey::new(private.clone(), alg).unwrap(),
            public: shareable(&private),
            raw_sign: raw::signer_on(column.backend, alg, &private),
            raw_verify: raw::verifier_on(column.backend, alg, &private),
        }
    }
}

pub fn register(c: &mut Criterion, fx: &Fixture) {
    for alg in JWS_ALGORITHMS {
        let columns: Vec<Prepared> = fx
            .columns
            .iter()
            .map(|(column, keys)| Prepared::new(*column, keys, alg))
            .collect();
        let claims = &fx.claims;

        // Compact: the JWT API of jwt-claims. Every column and peer verifies the token of the
        // first column (RustCrypto); each signs its own.
        let token = sign_jwt(claims, &columns[0].key);
        let (input, signature) = raw::split_compact(&token);
        for p in &columns {
            assert!(
                (p.raw_verify)(&input, &signature),
                "{alg}: raw verify of our token ({})",
                p.column.raw
            );
            let own = sign_jwt(claims, &p.key);
            let (own_input, own_signature) = raw::split_compact(&own);
            assert!(
                (columns[0].raw_verify)(&own_input, &own_signature),
                "{alg}: {} token, verified by the RustCrypto primitive",
                p.column.ours
            );
        }

        let mut g = Group::new(c, format!("jws/sign/compact/{alg}"));
        for p in &columns {
            g.bench(p.column.ours, || sign_jwt(claims, &p.key));
            g.bench(p.column.raw, || (p.raw_sign)(&input));
        }
        peers::jws_sign_compact(&mut g, alg, fx);
        g.finish();

        let validation = validation(alg);
        let mut g = Group::new(c, format!("jws/verify/compact/{alg}"));
        for p in &columns {
            g.bench(p.column.ours, || {
                jwt_claims::verify::<Claims>(&token, &p.public, &validation)
                    .unwrap()
                    .into_claims()
            });
            g.bench(p.column.raw, || (p.raw_verify)(&input, &signature));
        }
        peers::jws_verify_compact(&mut g, alg, fx, &token);
        g.finish();

        // The JWS layer alone: the claims' JSON bytes as payload, compact, no JWT processing
        // (no claims built or validated), as an application that signs or checks bytes would.
        let payload = claims.to_json();
        let options = jws::VerifyOptions::new().algorithms([alg]);
        let bare = jws::compact::CompactSign::new(&payload)
            .header(JwsHeader::new(alg))
            .sign(&columns[0].key)
            .unwrap();
        let (input, signature) = raw::split_compact(&bare);
        let mut g = Group::new(c, format!("jws/sign/bytes/{alg}"));
        for p in &columns {
            g.bench(p.column.ours, || {
                jws::compact::CompactSign::new(&payload)
                    .header(JwsHeader::new(alg))
                    .sign(&p.key)
                    .unwrap()
            });
            g.bench(p.column.raw, || (p.raw_sign)(&input));
        }
        g.finish();
        let mut g = Group::new(c, format!("jws/verify/bytes/{alg}"));
        for p in &columns {
            g.bench(p.column.ours, || {
                jws::compact::verify(&bare, &p.public, &options)
                    .unwrap()
                    .into_payload()
            });
            g.bench(p.column.raw, || (p.raw_verify)(&input, &signature));
        }
        g.finish();

        // Flattened JSON: the jws crate, claims serialized and deserialized by serde.
        let json = sign_json(&claims.to_json(), &columns[0].key, alg);
        let (input, signature) = split_json(&json);
        for p in &columns {
            assert!(
                (p.raw_verify)(&input, &signature),
                "{alg}: raw verify of our JSON ({})",
                p.column.raw
            );
        }

        let mut g = Group::new(c, format!("jws/sign/json/{alg}"));
        for p in &columns {
            g.bench(p.column.ours, || sign_json(&claims.to_json(), &p.key, alg));
            g.bench(p.column.raw, || (p.raw_sign)(&input));
        }
        peers::jws_sign_json(&mut g, alg, fx);
        g.finish();

        let mut g = Group::new(c, format!("jws/verify/json/{alg}"));
        for p in &columns {
            // The JWS, then the same claim checks as a compact JWT.
            g.bench(p.column.ours, || {
                let verified = jws::json::verify(&json, &p.public, validation.jws()).unwrap();
                let claims = jwt_claims::parse_claims(verified.payload()).unwrap();
                let header = verified.header().clone();
                jwt_claims::finish::<Claims>(header, claims, &validation)
                    .unwrap()
                    .into_claims()
            });
            g.bench(p.column.raw, || (p.raw_verify)(&input, &signature));
        }
        peers::jws_verify_json(&mut g, alg, fx, &json);
        g.finish();
    }
}
