//! The two crypto backends side by side (with the `aws-lc-rs` feature): every key management
//! algorithm with every content encryption algorithm, encrypted by one backend and decrypted
//! by the other, in all four combinations; the same refusals on both; and a failed attempt
//! with one recipient's key leaves the ciphertext intact for the next one. The other suites
//! run against aws-lc-rs by default when the feature is on.

#![cfg(all(
    feature = "aws-lc-rs",
    feature = "rsa",
    feature = "ec",
    feature = "x25519",
    feature = "aes",
    feature = "pbes2"
))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

#[allow(dead_code)]
#[path = "common/keys.rs"]
mod keys;

use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
use jose_core::backend::Backend;
use jose_core::jwk::{Jwk, JwkSet, KeyMaterial, OctKey};
use jwe::json::JsonEncrypt;
use jwe::{DecryptOptions, EncryptionKey, KeySource, Password, compact};
use keys::{Recipient, recipients};

use KeyManagementAlgorithm as K;

const BOTH: [Backend; 2] = [Backend::RustCrypto, Backend::AwsLc];

fn options(alg: KeyManagementAlgorithm, enc: ContentEncryptionAlgorithm) -> DecryptOptions {
    DecryptOptions::new().algorithms([alg]).encryptions([enc])
}

/// Decrypts with the recipient's key (or password) pinned to `backend`.
fn decrypt(
    token: &str,
    r: &Recipient,
    enc: ContentEncryptionAlgorithm,
    backend: Backend,
) -> Result<Vec<u8>, String> {
    let result = match (&r.password, backend) {
        // A password decrypts on the default backend (aws-lc-rs here); as an `oct` JWK, on
        // the JWK's backend.
        (Some(p), Backend::AwsLc) => compact::decrypt(token, p, &options(r.alg, enc)),
        (Some(p), _) => {
            let oct = OctKey::new(p.secret().clone()).unwrap();
            let key = Jwk::new(KeyMaterial::Oct(oct)).with_backend(backend);
            compact::decrypt(token, &key, &options(r.alg, enc))
        }
        (None, _) => {
            let key = r.decryption_key(enc).clone().with_backend(backend);
            compact::decrypt(token, &key, &options(r.alg, enc))
        }
    };
    result
        .map(|d| d.plaintext().to_vec())
        .map_err(|e| e.to_string())
}

#[test]
fn every_algorithm_decrypts_across_backends_in_both_directions() {
    let mut count = 0;
    for r in recipients() {
        for enc in ContentEncryptionAlgorithm::ALL.iter().copied() {
            for sender in BOTH {
                let key = r.encryption_key(enc).with_backend(sender);
                assert_eq!(key.backend(), sender);
                let text = format!("{} {enc} from {sender}", r.name());
                let token = compact::CompactEncrypt::new(text.as_bytes(), enc)
                    .encrypt(&key)
                    .unwrap();
                for recipient in BOTH {
                    assert_eq!(
                        decrypt(&token, r, enc, recipient).as_deref(),
                        Ok(text.as_bytes()),
                        "{} {enc}: {sender} → {recipient}",
                        r.name()
                    );
                    count += 1;
                }
            }
        }
    }
    // Every algorithm of the registry but RSA1_5, ECDH-ES on four curves, six encodings.
    assert!(count >= 4 * 6 * 20, "{count}");
}

#[test]
fn both_backends_refuse_tampered_tokens_with_the_same_errors() {
    let enc = ContentEncryptionAlgorithm::A256Gcm;
    for r in recipients() {
        let token = compact::CompactEncrypt::new(b"secret", enc)
            .encrypt(&r.encryption_key(enc))
            .unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        // Change one byte of each part that carries bytes, and the length of the encrypted
        // key.
        let mut cases = Vec::new();
        for (i, part) in parts.iter().enumerate().skip(1) {
            let mut bytes = jose_core::b64::decode(part).unwrap();
            if bytes.is_empty() {
                continue;
            }
            bytes[0] ^= 0x80;
            let mut changed = parts.clone();
            let encoded = jose_core::b64::encode(&bytes);
            changed[i] = &encoded;
            cases.push(changed.join("."));
            if i == 1 {
                bytes.push(0);
                let longer = jose_core::b64::encode(&bytes);
                let mut changed = parts.clone();
                changed[1] = &longer;
                cases.push(changed.join("."));
            }
        }
        for (i, case) in cases.iter().enumerate() {
            let rust = decrypt(case, r, enc, Backend::RustCrypto);
            let lc = decrypt(case, r, enc, Backend::AwsLc);
            assert!(rust.is_err(), "{} case {i}", r.name());
            assert_eq!(rust, lc, "{} case {i}", r.name());
        }
    }
}

/// Recipient 1's encrypted key unwraps (its integrity check passes) to another message's
/// CEK, so the content does not authenticate under it; recipient 2's key must still decrypt.
/// AWS-LC wipes its output buffer when a tag does not verify; the ciphertext must survive.
#[test]
fn a_failed_recipient_leaves_the_ciphertext_for_the_next_one() {
    for enc in [
        ContentEncryptionAlgorithm::A128Gcm,
        ContentEncryptionAlgorithm::A192Gcm,
        ContentEncryptionAlgorithm::A256Gcm,
        ContentEncryptionAlgorithm::A128CbcHs256,
    ] {
        for backend in BOTH {
            let first = Jwk::generate(K::A128Kw)
                .unwrap()
                .with_kid("first")
                .with_backend(backend);
            let second = Jwk::generate(K::A256Kw)
                .unwrap()
                .with_kid("second")
                .with_backend(backend);
            let to_first = EncryptionKey::from_jwk(first.clone()).unwrap();
            let to_second = EncryptionKey::from_jwk(second.clone()).unwrap();
            let mut both = JsonEncrypt::new(b"for both", enc)
                .recipient(&to_first)
                .recipient(&to_second)
                .encrypt_general()
                .unwrap();
            let other = JsonEncrypt::new(b"another message", enc)
                .recipient(&to_first)
                .encrypt_general()
                .unwrap();
            both["recipients"][0]["encrypted_key"] =
                other["recipients"][0]["encrypted_key"].clone();
            let keys = JwkSet::new(vec![first, second]).unwrap();
            let decrypted =
                jwe::json::decrypt(&both.to_string(), &keys, &DecryptOptions::new()).unwrap();
            assert_eq!(decrypted.plaintext(), b"for both", "{enc} {backend}");
            assert_eq!(decrypted.recipient_index(), 1);
        }
    }
}

#[test]
fn a_password_uses_the_default_backend_unless_told_otherwise() {
    // A password recipient uses the default backend unless told otherwise.
    let password = Password::new("pw").unwrap();
    let key = EncryptionKey::password(password.clone(), K::Pbes2Hs256A128Kw).unwrap();
    assert_eq!(key.backend(), Backend::AwsLc);
    let key = key.with_backend(Backend::RustCrypto).with_p2c(1000);
    let token = compact::CompactEncrypt::new(b"x", ContentEncryptionAlgorithm::A128Gcm)
        .encrypt(&key)
        .unwrap();
    let header = jose_core::header::JweHeader::default().with_alg(K::Pbes2Hs256A128Kw);
    let selected = password.select(&header).unwrap();
    assert_eq!(selected.backend(), Backend::AwsLc);
    let opts = options(K::Pbes2Hs256A128Kw, ContentEncryptionAlgorithm::A128Gcm);
    assert_eq!(
        compact::decrypt(&token, &password, &opts)
            .unwrap()
            .plaintext(),
        b"x"
    );
}
