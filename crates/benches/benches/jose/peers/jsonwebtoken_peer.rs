//! jsonwebtoken 11 with both of its backends in one process.
//!
//! Its `rust_crypto` and `aws_lc_rs` features are meant to be exclusive because the crate
//! picks one process-wide `CryptoProvider` from them. Both are compiled in here, and the
//! provider installed is a dispatcher: its factories forward to
//! `crypto::rust_crypto::DEFAULT_PROVIDER` or `crypto::aws_lc::DEFAULT_PROVIDER` according to
//! a flag each benchmark sets before every call. The JOSE layer measured is the same crate
//! version for both columns; only the factories differ (one relaxed atomic load apart).

use super::{JSONWEBTOKEN_AWSLC, JSONWEBTOKEN_RUSTCRYPTO};
use crate::Fixture;
use benches::fixtures::{AUDIENCE, Claims, ISSUER, secret_bytes};
use benches::harness::Group;
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::Jwk;
use jsonwebtoken::crypto::{CryptoProvider, KeyUtils, aws_lc, rust_crypto};
use jsonwebtoken::jws::Jws;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

static AWS_LC: AtomicBool = AtomicBool::new(false);

fn provider() -> &'static CryptoProvider {
    if AWS_LC.load(Ordering::Relaxed) {
        &aws_lc::DEFAULT_PROVIDER
    } else {
        &rust_crypto::DEFAULT_PROVIDER
    }
}

fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let dispatch: &'static CryptoProvider = Box::leak(Box::new(CryptoProvider {
            signer_factory: |alg, key| (provider().signer_factory)(alg, key),
            verifier_factory: |alg, key| (provider().verifier_factory)(alg, key),
            key_utils: KeyUtils {
                compute_digest: |data, hash| (provider().key_utils.compute_digest)(data, hash),
                ..rust_crypto::DEFAULT_PROVIDER.key_utils.clone()
            },
        }));
        dispatch
            .install_default()
            .expect("no other jsonwebtoken provider");
    });
}

/// The two columns: (implementation id, use aws-lc).
const BACKENDS: [(&str, bool); 2] = [(JSONWEBTOKEN_RUSTCRYPTO, false), (JSONWEBTOKEN_AWSLC, true)];

fn algorithm(alg: JwsAlgorithm) -> Option<Algorithm> {
    // No ES512 (P-521) in jsonwebtoken.
    alg.as_str().parse().ok()
}

fn encoding_key(alg: JwsAlgorithm, key: &Jwk) -> EncodingKey {
    use JwsAlgorithm::*;
    match alg {
        HS256 | HS384 | HS512 => EncodingKey::from_secret(secret_bytes(key)),
        ES256 | ES384 => EncodingKey::from_ec_pem(key.to_pem().unwrap().as_bytes()).unwrap(),
        EdDSA => EncodingKey::from_ed_pem(key.to_pem().unwrap().as_bytes()).unwrap(),
        _ => EncodingKey::from_rsa_pem(key.to_pem().unwrap().as_bytes()).unwrap(),
    }
}

fn decoding_key(alg: JwsAlgorithm, key: &Jwk) -> DecodingKey {
    if alg.as_str().starts_with("HS") {
        return DecodingKey::from_secret(secret_bytes(key));
    }
    let jwk: jsonwebtoken::jwk::Jwk =
        serde_json::from_str(&key.to_public().unwrap().to_json()).unwrap();
    DecodingKey::from_jwk(&jwk).unwrap()
}

fn validation(alg: Algorithm) -> Validation {
    let mut v = Validation::new(alg);
    v.set_issuer(&[ISSUER]);
    v.set_audience(&[AUDIENCE]);
    // Ours checks `nbf` when present; jsonwebtoken only when asked.
    v.validate_nbf = true;
    v
}

pub fn sign_compact(g: &mut Group<'_>, alg: JwsAlgorithm, fx: &Fixture) {
    let Some(a) = algorithm(alg) else { return };
    install();
    let key = encoding_key(alg, fx.keys().for_jws(alg));
    let header = Header::new(a);
    for (id, aws) in BACKENDS {
        g.bench(id, || {
            AWS_LC.store(aws, Ordering::Relaxed);
            jsonwebtoken::encode(&header, &fx.claims, &key).unwrap()
        });
    }
}

pub fn verify_compact(g: &mut Group<'_>, alg: JwsAlgorithm, fx: &Fixture, token: &str) {
    let Some(a) = algorithm(alg) else { return };
    install();
    let key = decoding_key(alg, fx.keys().for_jws(alg));
    let validation = validation(a);
    for (id, aws) in BACKENDS {
        AWS_LC.store(aws, Ordering::Relaxed);
        jsonwebtoken::decode::<Claims>(token, &key, &validation).unwrap();
        g.bench(id, || {
            AWS_LC.store(aws, Ordering::Relaxed);
            jsonwebtoken::decode::<Claims>(token, &key, &validation)
                .unwrap()
                .claims
        });
    }
}

pub fn sign_json(g: &mut Group<'_>, alg: JwsAlgorithm, fx: &Fixture) {
    let Some(a) = algorithm(alg) else { return };
    install();
    let key = encoding_key(alg, fx.keys().for_jws(alg));
    let header = Header::new(a);
    for (id, aws) in BACKENDS {
        g.bench(id, || {
            AWS_LC.store(aws, Ordering::Relaxed);
            let jws = jsonwebtoken::jws::encode(&header, Some(&fx.claims), &key).unwrap();
            serde_json::to_string(&jws).unwrap()
        });
    }
}

pub fn verify_json(g: &mut Group<'_>, alg: JwsAlgorithm, fx: &Fixture, json: &str) {
    let Some(a) = algorithm(alg) else { return };
    install();
    let key = decoding_key(alg, fx.keys().for_jws(alg));
    let mut validation = validation(a);
    // The flattened JWS of ours carries the claims of the JWT; the same checks apply.
    validation.validate_exp = true;
    for (id, aws) in BACKENDS {
        AWS_LC.store(aws, Ordering::Relaxed);
        let jws: Jws<Claims> = serde_json::from_str(json).unwrap();
        jsonwebtoken::jws::decode(&jws, &key, &validation).unwrap();
        g.bench(id, || {
            AWS_LC.store(aws, Ordering::Relaxed);
            let jws: Jws<Claims> = serde_json::from_str(json).unwrap();
            jsonwebtoken::jws::decode(&jws, &key, &validation)
                .unwrap()
                .claims
        });
    }
}

pub fn thumbprint(g: &mut Group<'_>, public: &Jwk) {
    install();
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_str(&public.to_json()).unwrap();
    for (id, aws) in BACKENDS {
        g.bench(id, || {
            AWS_LC.store(aws, Ordering::Relaxed);
            jwk.thumbprint(jsonwebtoken::jwk::ThumbprintHash::SHA256)
                .unwrap()
        });
    }
}
