//! The two crypto backends side by side (with the `aws-lc-rs` feature): every algorithm's
//! signatures cross between RustCrypto and aws-lc-rs in both directions, both refuse the same
//! bad signatures with the same errors, and each key computes with the backend it was built
//! with. The other suites run against aws-lc-rs by default when the feature is on.

#![cfg(all(
    feature = "aws-lc-rs",
    feature = "hmac",
    feature = "rsa",
    feature = "ec",
    feature = "eddsa"
))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::{JwsAlgorithm, JwsFamily};
use jose_core::backend::Backend;
use jose_core::jwk::{Jwk, JwkSet, KeyMaterial, KeyPolicy, RsaKey};
use jws::{SigningKey, VerifyOptions, compact};
use proptest::prelude::*;
use std::sync::OnceLock;

const BOTH: [Backend; 2] = [Backend::RustCrypto, Backend::AwsLc];

/// One private key per algorithm (one RSA key for all six RSA algorithms), made once.
fn keys() -> &'static Vec<(JwsAlgorithm, Jwk)> {
    static KEYS: OnceLock<Vec<(JwsAlgorithm, Jwk)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let rsa = Jwk::generate(JwsAlgorithm::RS256).unwrap().without_alg();
        JwsAlgorithm::ALL
            .iter()
            .map(|&alg| {
                let key = match alg.family() {
                    JwsFamily::RsaPkcs1 | JwsFamily::RsaPss => rsa.clone(),
                    _ => Jwk::generate(alg).unwrap().without_alg(),
                };
                (alg, key)
            })
            .collect()
    })
}

fn public(key: &Jwk) -> Jwk {
    if key.is_symmetric() {
        key.clone()
    } else {
        key.to_public().unwrap()
    }
}

fn sign(key: &Jwk, alg: JwsAlgorithm, backend: Backend, payload: &[u8]) -> String {
    let signer = SigningKey::new(key.clone().with_backend(backend), alg).unwrap();
    compact::CompactSign::new(payload).sign(&signer).unwrap()
}

fn verify(token: &str, key: &Jwk, alg: JwsAlgorithm, backend: Backend) -> Result<Vec<u8>, String> {
    let options = VerifyOptions::new().algorithms([alg]);
    compact::verify(token, &public(key).with_backend(backend), &options)
        .map(|v| v.payload().to_vec())
        .map_err(|e| e.to_string())
}

#[test]
fn the_default_backend_is_aws_lc_and_every_key_carries_it() {
    assert_eq!(Backend::default(), Backend::AwsLc);
    let (_, key) = &keys()[0];
    assert_eq!(key.backend(), Backend::AwsLc);
    let parsed = Jwk::from_json(key.to_json()).unwrap();
    assert_eq!(parsed.backend(), Backend::AwsLc);
    let pinned = parsed.clone().with_backend(Backend::RustCrypto);
    assert_eq!(pinned.backend(), Backend::RustCrypto);
    // The backend is not part of the JWK: equal keys, same JSON.
    assert_eq!(pinned, parsed);
    assert_eq!(pinned.to_json(), parsed.to_json());
    let set = JwkSet::from_json(format!(
        r#"{{"keys":[{}]}}"#,
        public(&keys()[9].1).to_json()
    ))
    .unwrap()
    .with_backend(Backend::RustCrypto);
    assert!(
        set.keys()
            .iter()
            .all(|k| k.backend() == Backend::RustCrypto)
    );
    assert_eq!(set.to_public().keys()[0].backend(), Backend::RustCrypto);
}

#[test]
fn every_algorithm_verifies_across_backends_in_both_directions() {
    for (alg, key) in keys() {
        for signer in BOTH {
            let payload = format!("{alg} signed by {signer}");
            let token = sign(key, *alg, signer, payload.as_bytes());
            for verifier in BOTH {
                let got = verify(&token, key, *alg, verifier);
                assert_eq!(
                    got.as_deref(),
                    Ok(payload.as_bytes()),
                    "{alg}: {signer} → {verifier}"
                );
                // A changed payload fails the same way on both.
                let (head, rest) = token.split_once('.').unwrap();
                let (_, sig) = rest.split_once('.').unwrap();
                let forged = format!("{head}.{}.{sig}", jose_core::b64::encode(b"forged"));
                assert_eq!(
                    verify(&forged, key, *alg, verifier),
                    Err("invalid signature".to_owned()),
                    "{alg}: {signer} → {verifier}, forged payload"
                );
            }
        }
    }
}

/// Mutations of a valid signature: truncated, extended, bit flips, all zero, all ones (for
/// ECDSA: `r` and `s` zero, or not below the group order).
fn mutations(sig: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![
        sig[..sig.len() - 1].to_vec(),
        [sig, &[0][..]].concat(),
        vec![0; sig.len()],
        vec![0xff; sig.len()],
        Vec::new(),
    ];
    for i in [0, sig.len() / 2, sig.len() - 1] {
        let mut s = sig.to_vec();
        s[i] ^= 1;
        out.push(s);
    }
    out
}

#[test]
fn both_backends_refuse_bad_signatures_with_the_same_errors() {
    for (alg, key) in keys() {
        let token = sign(key, *alg, Backend::RustCrypto, b"payload");
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig = jose_core::b64::decode(sig).unwrap();
        for (i, bad) in mutations(&sig).into_iter().enumerate() {
            let forged = format!("{input}.{}", jose_core::b64::encode(&bad));
            let rust = verify(&forged, key, *alg, Backend::RustCrypto);
            let lc = verify(&forged, key, *alg, Backend::AwsLc);
            assert!(rust.is_err(), "{alg} mutation {i}");
            assert_eq!(rust, lc, "{alg} mutation {i}");
        }
    }
}

#[test]
fn keys_compute_with_the_backend_they_were_built_with() {
    // aws-lc-rs draws a fresh ECDSA nonce; RustCrypto derives it (RFC 6979). Two signatures
    // of one message tell them apart.
    let key = Jwk::generate(JwsAlgorithm::ES256).unwrap();
    let twice = |b| {
        let signer = SigningKey::new(key.clone().with_backend(b), JwsAlgorithm::ES256).unwrap();
        let a = compact::CompactSign::new(b"m").sign(&signer).unwrap();
        let b = compact::CompactSign::new(b"m").sign(&signer).unwrap();
        a == b
    };
    assert!(twice(Backend::RustCrypto));
    assert!(!twice(Backend::AwsLc));
}

#[test]
fn prepared_objects_are_built_once_and_shared_by_clones() {
    let key = Jwk::generate(JwsAlgorithm::ES384).unwrap();
    let first = key.aws_lc().verification_key(JwsAlgorithm::ES384).unwrap();
    let again = key.aws_lc().verification_key(JwsAlgorithm::ES384).unwrap();
    assert!(std::ptr::eq(first, again));
    let clone = key.clone();
    assert!(std::ptr::eq(
        first,
        clone
            .aws_lc()
            .verification_key(JwsAlgorithm::ES384)
            .unwrap()
    ));
    assert!(key.aws_lc().ecdsa_key_pair().is_some());
    // Not for another algorithm, and the public half has no key pair.
    assert!(key.aws_lc().verification_key(JwsAlgorithm::ES256).is_none());
    let public = key.to_public().unwrap();
    assert!(public.aws_lc().ecdsa_key_pair().is_none());
    assert!(
        public
            .aws_lc()
            .verification_key(JwsAlgorithm::ES384)
            .is_some()
    );
    // One RSA key serves all six RSA algorithms, each with its own verification key.
    let (_, rsa) = &keys()[3];
    let rs = rsa.aws_lc().verification_key(JwsAlgorithm::RS256).unwrap();
    let ps = rsa.aws_lc().verification_key(JwsAlgorithm::PS256).unwrap();
    assert!(!std::ptr::eq(rs, ps));
}

#[test]
fn rsa_keys_aws_lc_rs_refuses_are_served_by_rustcrypto() {
    // A 1024-bit key, allowed by a lowered policy: aws-lc-rs takes 2048 to 8192 bits only.
    let policy = KeyPolicy {
        min_rsa_bits: 1024,
        ..KeyPolicy::default()
    };
    let small = Jwk::new(KeyMaterial::Rsa(RsaKey::generate(1024, &policy).unwrap()));
    assert_eq!(small.backend(), Backend::AwsLc);
    assert!(small.aws_lc().rsa_key_pair().is_none());
    assert!(
        small
            .aws_lc()
            .verification_key(JwsAlgorithm::PS256)
            .is_none()
    );
    for alg in [JwsAlgorithm::RS256, JwsAlgorithm::PS256] {
        for signer in BOTH {
            let token = sign(&small, alg, signer, b"small");
            for verifier in BOTH {
                assert_eq!(verify(&token, &small, alg, verifier).unwrap(), b"small");
            }
        }
    }
}

/// An Ed25519 signature whose `R` has small order, valid under the cofactorless equation for
/// a public key with a torsion component `A = a·B + T`: such a key passes import (it is not
/// itself of small order), and the signer can make `R = -k·T` hold for about one message in
/// eight. ed25519-dalek's lenient `verify` accepts it; strict verification must refuse it on
/// both backends.
#[test]
fn a_small_order_r_is_refused_on_both_backends() {
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
    use curve25519_dalek::scalar::Scalar;
    use sha2::Digest;

    let a = Scalar::from_bytes_mod_order_wide(&[7; 64]);
    let torsion = EIGHT_TORSION[1];
    let public_point = ED25519_BASEPOINT_POINT * a + torsion;
    let public_bytes = public_point.compress().to_bytes();
    let jwk = Jwk::from_json(format!(
        r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#,
        jose_core::b64::encode(public_bytes)
    ))
    .unwrap();
    let header = jose_core::b64::encode(br#"{"alg":"EdDSA"}"#);
    let mut found = None;
    'search: for n in 0u32..200 {
        let input = format!("{header}.{}", jose_core::b64::encode(n.to_be_bytes()));
        for r_point in EIGHT_TORSION {
            let r = r_point.compress().to_bytes();
            let h = sha2::Sha512::new()
                .chain_update(r)
                .chain_update(public_bytes)
                .chain_update(input.as_bytes())
                .finalize();
            let k = Scalar::from_bytes_mod_order_wide(&h.as_slice().try_into().unwrap());
            if -(torsion * k) == r_point {
                let s = k * a;
                let sig = [r, s.to_bytes()].concat();
                found = Some((input, sig));
                break 'search;
            }
        }
    }
    let (input, sig) = found.expect("a message for which R = -k·T");
    // The signature is valid under the lenient (cofactorless, R unchecked) rules.
    let dalek = ed25519_dalek::VerifyingKey::from_bytes(&public_bytes).unwrap();
    let dalek_sig = ed25519_dalek::Signature::from_slice(&sig).unwrap();
    assert!(signature::Verifier::verify(&dalek, input.as_bytes(), &dalek_sig).is_ok());
    assert!(dalek.verify_strict(input.as_bytes(), &dalek_sig).is_err());
    // AWS-LC on its own accepts it too: the backend must check R itself.
    let raw = jose_core::aws_lc_rs::signature::UnparsedPublicKey::new(
        &jose_core::aws_lc_rs::signature::ED25519,
        public_bytes,
    );
    assert!(raw.verify(input.as_bytes(), &sig).is_ok());
    let token = format!("{input}.{}", jose_core::b64::encode(&sig));
    for backend in BOTH {
        assert_eq!(
            verify(&token, &jwk, JwsAlgorithm::EdDSA, backend),
            Err("invalid signature".to_owned()),
            "{backend}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_payloads_cross_backends(
        index in 0..JwsAlgorithm::ALL.len(),
        payload in proptest::collection::vec(any::<u8>(), 0..400),
        signer in 0..2usize,
    ) {
        let (alg, key) = &keys()[index];
        let token = sign(key, *alg, BOTH[signer], &payload);
        let verifier = BOTH[1 - signer];
        prop_assert_eq!(verify(&token, key, *alg, verifier).unwrap(), payload);
    }
}
