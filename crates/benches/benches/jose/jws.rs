//! JWS: sign and verify a typical JWT with every algorithm, compact and flattened JSON.

use crate::{Fixture, peers, raw};
use benches::fixtures::{AUDIENCE, Claims, ISSUER, JWS_ALGORITHMS};
use benches::harness::{Group, OURS, RAW};
use criterion::Criterion;
use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
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

pub fn register(c: &mut Criterion, fx: &Fixture) {
    for alg in JWS_ALGORITHMS {
        let private = fx.keys.for_jws(alg).clone();
        let public = if private.is_symmetric() {
            private.clone()
        } else {
            private.to_public().unwrap()
        };
        let key = SigningKey::new(private.clone(), alg).unwrap();
        let claims = &fx.claims;

        // Compact: the JWT API of jwt-claims.
        let token = sign_jwt(claims, &key);
        let (input, signature) = raw::split_compact(&token);
        let raw_sign = raw::signer(alg, &private);
        let raw_verify = raw::verifier(alg, &private);
        assert!(
            raw_verify(&input, &signature),
            "{alg}: raw verify of our token"
        );

        let mut g = Group::new(c, format!("jws/sign/compact/{alg}"));
        g.bench(OURS, || sign_jwt(claims, &key));
        g.bench(RAW, || raw_sign(&input));
        peers::jws_sign_compact(&mut g, alg, fx);
        g.finish();

        let validation = validation(alg);
        let mut g = Group::new(c, format!("jws/verify/compact/{alg}"));
        g.bench(OURS, || {
            jwt_claims::verify::<Claims>(&token, &public, &validation)
                .unwrap()
                .into_claims()
        });
        g.bench(RAW, || raw_verify(&input, &signature));
        peers::jws_verify_compact(&mut g, alg, fx, &token);
        g.finish();

        // Flattened JSON: the jws crate, claims serialized and deserialized by serde.
        let json = sign_json(&claims.to_json(), &key, alg);
        let (input, signature) = split_json(&json);
        assert!(
            raw_verify(&input, &signature),
            "{alg}: raw verify of our JSON"
        );

        let mut g = Group::new(c, format!("jws/sign/json/{alg}"));
        g.bench(OURS, || sign_json(&claims.to_json(), &key, alg));
        g.bench(RAW, || raw_sign(&input));
        peers::jws_sign_json(&mut g, alg, fx);
        g.finish();

        let mut g = Group::new(c, format!("jws/verify/json/{alg}"));
        // The JWS, then the same claim checks as a compact JWT.
        g.bench(OURS, || {
            let verified = jws::json::verify(&json, &public, validation.jws()).unwrap();
            let claims = jwt_claims::parse_claims(verified.payload()).unwrap();
            let header = verified.header().clone();
            jwt_claims::finish::<Claims>(header, claims, &validation)
                .unwrap()
                .into_claims()
        });
        g.bench(RAW, || raw_verify(&input, &signature));
        peers::jws_verify_json(&mut g, alg, fx, &json);
        g.finish();
    }
}
