//! Round trips for every algorithm and serialization, and "any change to a valid JWS makes it
//! fail", as properties.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use jose_core::jwk::Jwk;
use jws::json::JsonSign;
use jws::{SigningKey, VerifyOptions, compact};
use proptest::prelude::*;
use std::sync::OnceLock;

/// One key per algorithm, generated once (RSA generation is slow).
fn keys() -> &'static Vec<(SigningKey, Jwk)> {
    static KEYS: OnceLock<Vec<(SigningKey, Jwk)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let rsa = Jwk::generate(JwsAlgorithm::RS256).unwrap();
        JwsAlgorithm::ALL
            .iter()
            .map(|&alg| {
                let private = match alg.family() {
                    jose_core::alg::JwsFamily::RsaPkcs1 | jose_core::alg::JwsFamily::RsaPss => {
                        Jwk::from_json(rsa.to_json()).unwrap().without_alg()
                    }
                    _ => Jwk::generate(alg).unwrap().without_alg(),
                };
                let public = if private.is_symmetric() {
                    private.clone()
                } else {
                    private.to_public().unwrap()
                };
                (SigningKey::new(private, alg).unwrap(), public)
            })
            .collect()
    })
}

fn options(alg: JwsAlgorithm) -> VerifyOptions {
    VerifyOptions::new().algorithms([alg])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn compact_round_trip(index in 0..JwsAlgorithm::ALL.len(), payload in proptest::collection::vec(any::<u8>(), 0..300)) {
        let (signer, public) = &keys()[index];
        let alg = JwsAlgorithm::ALL[index];
        let token = compact::CompactSign::new(&payload).sign(signer).unwrap();
        let verified = compact::verify(&token, public, &options(alg)).unwrap();
        prop_assert_eq!(verified.payload(), &payload[..]);
        prop_assert_eq!(verified.header().alg(), Some(alg));
    }

    #[test]
    fn json_round_trips(index in 0..JwsAlgorithm::ALL.len(), payload in "[ -~]{0,120}", detached in any::<bool>(), unencoded in any::<bool>()) {
        let (signer, public) = &keys()[index];
        let alg = JwsAlgorithm::ALL[index];
        let mut general = JsonSign::new(payload.as_bytes()).signature(signer, JwsHeader::default().with_typ("x"));
        let mut flattened = JsonSign::new(payload.as_bytes()).signature_with_unprotected(signer, JwsHeader::default(), JwsHeader::default().with_cty("y"));
        if detached {
            general = general.detached();
            flattened = flattened.detached();
        }
        if unencoded {
            general = general.unencoded();
            flattened = flattened.unencoded();
        }
        for jws in [general.sign_general().unwrap(), flattened.sign_flattened().unwrap()] {
            let text = jws.to_string();
            let verified = if detached {
                jws::json::verify_detached(&text, payload.as_bytes(), public, &options(alg))
            } else {
                jws::json::verify(&text, public, &options(alg))
            }.unwrap();
            prop_assert_eq!(verified.payload(), payload.as_bytes());
        }
    }

    /// Changing any one character of a compact JWS makes verification fail.
    #[test]
    fn any_mutation_of_a_compact_jws_is_rejected(index in 0..JwsAlgorithm::ALL.len(), position in any::<prop::sample::Index>(), replacement in "[A-Za-z0-9_.=-]") {
        let (signer, public) = &keys()[index];
        let alg = JwsAlgorithm::ALL[index];
        let token = compact::CompactSign::new(b"{\"sub\":\"alice\"}").sign(signer).unwrap();
        let at = position.index(token.len());
        let mut mutated = token.clone();
        mutated.replace_range(at..=at, &replacement);
        prop_assume!(mutated != token);
        prop_assert!(compact::verify(&mutated, public, &options(alg)).is_err(), "{} accepted", mutated);
    }

    /// Appending, truncating or duplicating parts is rejected.
    #[test]
    fn structural_changes_are_rejected(index in 0..JwsAlgorithm::ALL.len(), cut in 1usize..20) {
        let (signer, public) = &keys()[index];
        let alg = JwsAlgorithm::ALL[index];
        let token = compact::CompactSign::new(b"payload").sign(signer).unwrap();
        let truncated = &token[..token.len().saturating_sub(cut)];
        prop_assert!(compact::verify(truncated, public, &options(alg)).is_err());
        let extended = format!("{token}.");
        prop_assert!(compact::verify(&extended, public, &options(alg)).is_err());
        let (h, rest) = token.split_once('.').unwrap();
        let doubled = format!("{h}.{h}.{rest}");
        prop_assert!(compact::verify(&doubled, public, &options(alg)).is_err());
    }
}

/// Every part of a general JSON JWS is covered: changing the payload, a protected header or a
/// signature fails; only unprotected members may change.
#[test]
fn tampering_with_each_part_of_a_json_jws_is_detected() {
    let (signer, public) = &keys()[9]; // ES256
    let jws = JsonSign::new(b"payload")
        .signature_with_unprotected(
            signer,
            JwsHeader::default(),
            JwsHeader::default().with_kid("k"),
        )
        .sign_flattened()
        .unwrap();
    let opts = options(JwsAlgorithm::ES256);
    let mut bad = jws.clone();
    bad["payload"] = "cGF5bG9hZR".into();
    assert!(jws::json::verify(&bad.to_string(), public, &opts).is_err());
    let mut bad = jws.clone();
    bad["protected"] = jose_core::b64::encode(br#"{"alg":"ES256","typ":"x"}"#).into();
    assert!(jws::json::verify(&bad.to_string(), public, &opts).is_err());
    let mut bad = jws.clone();
    let mut sig = bad["signature"].as_str().unwrap().to_owned();
    let flipped = if &sig[10..11] == "A" { "B" } else { "A" };
    sig.replace_range(10..11, flipped);
    bad["signature"] = sig.into();
    assert!(jws::json::verify(&bad.to_string(), public, &opts).is_err());
    // Moving `alg` into the unprotected header duplicates it: refused.
    let mut bad = jws.clone();
    bad["header"]["alg"] = "ES256".into();
    assert!(jws::json::verify(&bad.to_string(), public, &opts).is_err());
}
