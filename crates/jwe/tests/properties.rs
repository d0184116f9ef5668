//! Round trips for every key management algorithm (ECDH-ES on every curve) × every content
//! encryption algorithm × every serialization, with and without compression; and every
//! tampered part (protected header, encrypted key, IV, ciphertext, tag, aad) refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;
#[path = "common/keys.rs"]
mod keys;

use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
use jose_core::b64;
use jwe::{DecryptOptions, compact, json};
use keys::{Recipient, recipients};
use proptest::prelude::*;
use serde_json::Value;

fn options(r: &Recipient) -> DecryptOptions {
    DecryptOptions::new().algorithms([r.alg])
}

fn decrypt_with(
    r: &Recipient,
    enc: ContentEncryptionAlgorithm,
    input: &str,
) -> Result<Vec<u8>, jwe::JweError> {
    let result = match &r.password {
        Some(p) => jwe::decrypt(input, p, &options(r)),
        None => jwe::decrypt(input, r.decryption_key(enc), &options(r)),
    };
    result.map(jwe::DecryptedJwe::into_plaintext)
}

#[derive(Clone, Copy, Debug)]
enum Form {
    Compact,
    Flattened,
    General,
}

fn encrypt(
    r: &Recipient,
    enc: ContentEncryptionAlgorithm,
    plaintext: &[u8],
    form: Form,
    zip: bool,
    aad: Option<&[u8]>,
) -> String {
    let key = r.encryption_key(enc);
    match form {
        Form::Compact => {
            let mut b = compact::CompactEncrypt::new(plaintext, enc);
            if zip {
                b = b.zip();
            }
            b.encrypt(&key).unwrap()
        }
        Form::Flattened | Form::General => {
            let mut b = json::JsonEncrypt::new(plaintext, enc).recipient(&key);
            if zip {
                b = b.zip();
            }
            if let Some(aad) = aad {
                b = b.aad(aad);
            }
            let v = if matches!(form, Form::General) {
                b.encrypt_general()
            } else {
                b.encrypt_flattened()
            };
            v.unwrap().to_string()
        }
    }
}

#[test]
fn every_algorithm_with_every_encryption_round_trips_in_every_serialization() {
    let plaintext = b"The true sign of intelligence is not knowledge but imagination.";
    let mut count = 0;
    for (i, r) in recipients().iter().enumerate() {
        let encs = ContentEncryptionAlgorithm::ALL;
        for enc in encs.iter().copied() {
            // Every pair in the compact form; the JSON forms with one encryption algorithm
            // per recipient (rotating), since the serialization does not touch the crypto.
            let mut forms = vec![Form::Compact];
            if enc == encs[i % encs.len()] {
                forms.extend([Form::Flattened, Form::General]);
            }
            for form in forms {
                let token = encrypt(r, enc, plaintext, form, false, Some(b"aad"));
                let back = decrypt_with(r, enc, &token)
                    .unwrap_or_else(|e| panic!("{} {enc} {form:?}: {e}", r.name()));
                assert_eq!(back, plaintext, "{} {enc} {form:?}", r.name());
                count += 1;
            }
        }
    }
    // 18 algorithms, the 4 ECDH-ES ones on 4 curves: 30 recipients × (6 + 2).
    assert_eq!(count, 30 * 8);
}

/// A strategy over every recipient and content encryption algorithm.
fn pair() -> impl Strategy<Value = (usize, ContentEncryptionAlgorithm)> {
    (
        0..recipients().len(),
        prop::sample::select(ContentEncryptionAlgorithm::ALL.to_vec()),
    )
}

fn form() -> impl Strategy<Value = Form> {
    prop_oneof![
        Just(Form::Compact),
        Just(Form::Flattened),
        Just(Form::General)
    ]
}

/// Rewrites one part of a compact JWE with one bit of its decoded bytes flipped (or, for an
/// empty part, one byte added).
fn tamper_compact(token: &str, part: usize, position: usize, bit: u8) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut bytes = b64::decode(&parts[part]).unwrap();
    if bytes.is_empty() {
        bytes.push(bit);
    } else {
        let i = position % bytes.len();
        bytes[i] ^= 1 << (bit % 8);
    }
    parts[part] = b64::encode(&bytes);
    parts.join(".")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_plaintexts_round_trip(
        (index, enc) in pair(),
        plaintext in prop::collection::vec(any::<u8>(), 0..600),
        form in form(),
        zip in any::<bool>(),
    ) {
        let r = &recipients()[index];
        let token = encrypt(r, enc, &plaintext, form, zip, None);
        prop_assert_eq!(decrypt_with(r, enc, &token).unwrap(), plaintext);
    }

    #[test]
    fn every_tampered_compact_part_is_refused(
        (index, enc) in pair(),
        part in 0usize..5,
        position in any::<usize>(),
        bit in any::<u8>(),
    ) {
        let r = &recipients()[index];
        let token = encrypt(r, enc, b"attack at dawn", Form::Compact, false, None);
        let tampered = tamper_compact(&token, part, position, bit);
        prop_assert!(decrypt_with(r, enc, &tampered).is_err(), "{} {} part {}", r.name(), enc, part);
    }

    #[test]
    fn every_tampered_json_member_is_refused(
        (index, enc) in pair(),
        member in prop::sample::select(vec!["protected", "encrypted_key", "iv", "ciphertext", "tag", "aad"]),
        position in any::<usize>(),
        bit in any::<u8>(),
    ) {
        let r = &recipients()[index];
        let token = encrypt(r, enc, b"attack at dawn", Form::Flattened, false, Some(b"context"));
        let mut v: Value = serde_json::from_str(&token).unwrap();
        let text = v.get(member).and_then(Value::as_str).unwrap_or_default();
        let mut bytes = b64::decode(text).unwrap();
        if bytes.is_empty() {
            bytes.push(bit);
        } else {
            let i = position % bytes.len();
            bytes[i] ^= 1 << (bit % 8);
        }
        v[member] = Value::String(b64::encode(&bytes));
        prop_assert!(decrypt_with(r, enc, &v.to_string()).is_err(), "{} {} {}", r.name(), enc, member);
    }
}

#[test]
fn a_wrong_key_of_the_right_kind_fails_as_decryption_failed() {
    use KeyManagementAlgorithm as K;
    for r in recipients() {
        if matches!(r.alg, K::Dir) || r.password.is_some() {
            continue;
        }
        let enc = ContentEncryptionAlgorithm::A256Gcm;
        let token = encrypt(r, enc, b"for someone else", Form::Compact, false, None);
        let other = match r.curve {
            Some(c) => jose_core::jwk::Jwk::generate_with(
                r.alg,
                &jose_core::jwk::GenerateOptions {
                    curve: Some(c),
                    ..Default::default()
                },
            )
            .unwrap(),
            None if r.private.key_type() == jose_core::jwk::KeyType::Rsa => {
                keys::other_rsa_key().clone()
            }
            None => jose_core::jwk::Jwk::generate(r.alg).unwrap(),
        };
        let err =
            jwe::decrypt(&token, &other, &DecryptOptions::new().algorithms([r.alg])).unwrap_err();
        assert_eq!(err, jwe::JweError::DecryptionFailed, "{}", r.name());
    }
}
