//! jwt-simple with `default-features = false, features = ["pure-rust"]`: HMAC from
//! `hmac-sha256`/`hmac-sha512`, ECDSA from RustCrypto `p256`/`p384` (the generation ours
//! uses), Ed25519 from `ed25519-compact`, RSA from `superboring` (the `rsa` crate behind a
//! BoringSSL-like API). No ES512.

use super::JWT_SIMPLE;
use crate::Fixture;
use benches::fixtures::{AUDIENCE, CustomClaims, ISSUER, secret_bytes};
use benches::harness::Group;
use jose_core::alg::JwsAlgorithm;
use jwt_simple::prelude::*;

type Sign = Box<dyn Fn(JWTClaims<CustomClaims>) -> String>;
type Verify = Box<dyn Fn(&str) -> JWTClaims<CustomClaims>>;

fn options() -> VerificationOptions {
    VerificationOptions {
        allowed_issuers: Some(HashSet::from_strings(&[ISSUER])),
        allowed_audiences: Some(HashSet::from_strings(&[AUDIENCE])),
        ..VerificationOptions::default()
    }
}

macro_rules! asymmetric {
    ($alg:expr, $pair:ty, $public:ty, $private_pem:expr, $public_pem:expr) => {{
        let pair = <$pair>::from_pem($private_pem).unwrap();
        let public = <$public>::from_pem($public_pem).unwrap();
        let sign: Sign = Box::new(move |c| pair.sign(c).unwrap());
        let verify: Verify = Box::new(move |t| {
            public
                .verify_token::<CustomClaims>(t, Some(options()))
                .unwrap()
        });
        Some((sign, verify))
    }};
}

macro_rules! symmetric {
    ($key:ty, $secret:expr) => {{
        let key = <$key>::from_bytes($secret);
        let verifier = key.clone();
        let sign: Sign = Box::new(move |c| key.authenticate(c).unwrap());
        let verify: Verify = Box::new(move |t| {
            verifier
                .verify_token::<CustomClaims>(t, Some(options()))
                .unwrap()
        });
        Some((sign, verify))
    }};
}

fn keys(alg: JwsAlgorithm, fx: &Fixture) -> Option<(Sign, Verify)> {
    use JwsAlgorithm::*;
    let key = fx.keys().for_jws(alg);
    let secret = secret_bytes(key);
    let private = key.to_pem().ok();
    let private = private.as_deref().map_or("", |p| p.as_str());
    let public = key.to_public_pem().unwrap_or_default();
    let public = public.as_str();
    match alg {
        HS256 => symmetric!(HS256Key, secret),
        HS384 => symmetric!(HS384Key, secret),
        HS512 => symmetric!(HS512Key, secret),
        RS256 => asymmetric!(alg, RS256KeyPair, RS256PublicKey, private, public),
        RS384 => asymmetric!(alg, RS384KeyPair, RS384PublicKey, private, public),
        RS512 => asymmetric!(alg, RS512KeyPair, RS512PublicKey, private, public),
        PS256 => asymmetric!(alg, PS256KeyPair, PS256PublicKey, private, public),
        PS384 => asymmetric!(alg, PS384KeyPair, PS384PublicKey, private, public),
        PS512 => asymmetric!(alg, PS512KeyPair, PS512PublicKey, private, public),
        ES256 => asymmetric!(alg, ES256KeyPair, ES256PublicKey, private, public),
        ES384 => asymmetric!(alg, ES384KeyPair, ES384PublicKey, private, public),
        EdDSA => {
            // ed25519-compact reads no PKCS#8 v2 PEM; raw bytes instead (seed || public).
            let json: serde_json::Value = serde_json::from_str(&key.to_json()).unwrap();
            let member = |n: &str| jose_core::b64::decode(json[n].as_str().unwrap()).unwrap();
            let pair = Ed25519KeyPair::from_bytes(&[member("d"), member("x")].concat()).unwrap();
            let public = Ed25519PublicKey::from_bytes(&member("x")).unwrap();
            let sign: Sign = Box::new(move |c| pair.sign(c).unwrap());
            let verify: Verify = Box::new(move |t| {
                public
                    .verify_token::<CustomClaims>(t, Some(options()))
                    .unwrap()
            });
            Some((sign, verify))
        }
        _ => None,
    }
}

fn claims(fx: &Fixture) -> JWTClaims<CustomClaims> {
    let c = &fx.claims;
    Claims::with_custom_claims(c.custom.clone(), Duration::from_secs(86_400))
        .with_issuer(&c.iss)
        .with_subject(&c.sub)
        .with_audience(&c.aud)
        .with_jwt_id(&c.jti)
}

pub fn sign_compact(g: &mut Group<'_>, alg: JwsAlgorithm, fx: &Fixture) {
    let Some((sign, _)) = keys(alg, fx) else {
        return;
    };
    g.bench(JWT_SIMPLE, || sign(claims(fx)));
}

pub fn verify_compact(g: &mut Group<'_>, alg: JwsAlgorithm, fx: &Fixture, token: &str) {
    let Some((_, verify)) = keys(alg, fx) else {
        return;
    };
    g.bench(JWT_SIMPLE, || verify(token));
}
