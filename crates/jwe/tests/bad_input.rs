//! Hostile and malformed input: each is a typed error, never a panic, a hang or an
//! unbounded allocation; and the builder refuses to produce what a recipient would refuse.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use jose_core::SecretBytes;
use jose_core::alg::{ContentEncryptionAlgorithm as Enc, Curve, KeyManagementAlgorithm as K};
use jose_core::b64;
use jose_core::header::{HeaderError, JweHeader};
use jose_core::jwk::{GenerateOptions, Jwk, JwkSet, KeyError, SelectError};
use jwe::{DecryptOptions, EncryptionKey, JweError, Limits, Password, compact, json};
use serde_json::{Value, json};

fn key(alg: K) -> Jwk {
    Jwk::generate(alg).unwrap()
}

fn ec_key(alg: K, curve: Curve) -> Jwk {
    Jwk::generate_with(
        alg,
        &GenerateOptions {
            curve: Some(curve),
            ..GenerateOptions::default()
        },
    )
    .unwrap()
}

/// A compact JWE with its protected header replaced by `header` (the tag no longer matches,
/// which does not matter for checks made before decryption).
fn with_header(token: &str, header: &Value) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    let encoded = b64::encode(header.to_string());
    parts[0] = &encoded;
    parts.join(".")
}

fn header_of(token: &str) -> Value {
    serde_json::from_slice(&b64::decode(token.split('.').next().unwrap()).unwrap()).unwrap()
}

fn replace_part(token: &str, index: usize, bytes: &[u8]) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[index] = b64::encode(bytes);
    parts.join(".")
}

fn pbes2_token(p2c: u32) -> (String, Password) {
    let password = Password::new("hunter2-but-longer").unwrap();
    let to = EncryptionKey::password(password.clone(), K::Pbes2Hs256A128Kw)
        .unwrap()
        .with_p2c(p2c);
    let token = compact::CompactEncrypt::new(b"x", Enc::A128Gcm)
        .encrypt(&to)
        .unwrap();
    (token, password)
}

fn pbes2_options() -> DecryptOptions {
    DecryptOptions::new().algorithms([K::Pbes2Hs256A128Kw])
}

#[test]
fn oversized_p2c_is_refused_before_any_iteration() {
    let (token, password) = pbes2_token(1000);
    let mut h = header_of(&token);
    h["p2c"] = json!(u64::from(u32::MAX) * 1000);
    let err = compact::decrypt(&with_header(&token, &h), &password, &pbes2_options()).unwrap_err();
    assert!(
        matches!(
            err,
            JweError::LimitExceeded {
                what: "p2c",
                max: 310_000,
                ..
            }
        ),
        "{err}"
    );
    // The limit is configurable.
    h["p2c"] = json!(400_000);
    let tight = pbes2_options().limits(Limits {
        max_p2c: 350_000,
        ..Limits::default()
    });
    assert!(matches!(
        compact::decrypt(&with_header(&token, &h), &password, &tight),
        Err(JweError::LimitExceeded { what: "p2c", .. })
    ));
}

/// A general JSON JWE with one PBES2-HS512+A256KW recipient per password, at `p2c` 1000.
fn pbes2_recipients(passwords: &[Password]) -> Value {
    let keys: Vec<EncryptionKey> = passwords
        .iter()
        .map(|p| {
            EncryptionKey::password(p.clone(), K::Pbes2Hs512A256Kw)
                .unwrap()
                .with_p2c(1000)
        })
        .collect();
    let mut jwe = json::JsonEncrypt::new(b"the content", Enc::A256Gcm);
    for k in &keys {
        jwe = jwe.recipient(k);
    }
    jwe.encrypt_general().unwrap()
}

fn passwords(n: usize) -> Vec<Password> {
    (0..n)
        .map(|i| Password::new(format!("recipient password {i}")).unwrap())
        .collect()
}

#[test]
fn many_pbes2_recipients_cost_one_derivation_not_one_each() {
    // 16 recipients at the largest accepted `p2c`, none for our password: one derivation is
    // tried, then the budget (310 000 iterations per decryption) refuses the second.
    let mut jwe = pbes2_recipients(&passwords(16));
    for r in jwe["recipients"].as_array_mut().unwrap() {
        r["header"]["p2c"] = json!(310_000);
    }
    let ours = Password::new("not any recipient's password").unwrap();
    let options = DecryptOptions::new().algorithms([K::Pbes2Hs512A256Kw]);
    let _ = jwe::hazmat::take_pbes2_work();
    let err = json::decrypt(&jwe.to_string(), &ours, &options).unwrap_err();
    assert_eq!(jwe::hazmat::take_pbes2_work(), (1, 310_000));
    assert!(
        matches!(
            err,
            JweError::LimitExceeded {
                what: jwe::PBES2_BUDGET,
                max: 310_000,
                actual: 620_000
            }
        ),
        "{err}"
    );
}

#[test]
fn the_pbes2_budget_covers_cheap_recipients_and_is_configurable() {
    // 16 recipients at `p2c` 1000, ours last: 16 000 iterations fit the default budget.
    let all = passwords(16);
    let jwe = pbes2_recipients(&all).to_string();
    let options = DecryptOptions::new().algorithms([K::Pbes2Hs512A256Kw]);
    let _ = jwe::hazmat::take_pbes2_work();
    let out = json::decrypt(&jwe, &all[15], &options).unwrap();
    assert_eq!(out.plaintext(), b"the content");
    assert_eq!(out.recipient_index(), 15);
    assert_eq!(jwe::hazmat::take_pbes2_work(), (16, 16_000));

    // A budget of 4000 iterations (and `p2c` at most 4000) tries four recipients, then stops.
    let tight = options.limits(Limits {
        max_p2c: 4000,
        pbes2_iteration_budget: 4000,
        ..Limits::default()
    });
    let err = json::decrypt(&jwe, &all[15], &tight).unwrap_err();
    assert_eq!(jwe::hazmat::take_pbes2_work(), (4, 4000));
    assert!(
        matches!(
            err,
            JweError::LimitExceeded {
                what: jwe::PBES2_BUDGET,
                max: 4000,
                actual: 5000
            }
        ),
        "{err}"
    );

    // The budget never falls below one derivation at `max_p2c`.
    let floor = DecryptOptions::new()
        .algorithms([K::Pbes2Hs512A256Kw])
        .limits(Limits {
            pbes2_iteration_budget: 0,
            ..Limits::default()
        });
    assert!(json::decrypt(&jwe, &all[0], &floor).is_ok());
    assert_eq!(jwe::hazmat::take_pbes2_work(), (1, 1000));
}

#[test]
fn p2c_below_1000_and_short_p2s_are_refused() {
    let (token, password) = pbes2_token(1000);
    let mut h = header_of(&token);
    h["p2c"] = json!(999);
    assert!(matches!(
        compact::decrypt(&with_header(&token, &h), &password, &pbes2_options()),
        Err(JweError::IterationCountTooSmall {
            min: 1000,
            actual: 999
        })
    ));
    let mut h = header_of(&token);
    h["p2s"] = json!(b64::encode([1u8; 7]));
    assert!(matches!(
        compact::decrypt(&with_header(&token, &h), &password, &pbes2_options()),
        Err(JweError::InvalidParameter { name: "p2s", .. })
    ));
    let mut h = header_of(&token);
    h.as_object_mut().unwrap().remove("p2s");
    assert!(matches!(
        compact::decrypt(&with_header(&token, &h), &password, &pbes2_options()),
        Err(JweError::MissingParameter("p2s"))
    ));
    // Nor does the sender produce them.
    let to = EncryptionKey::password(password.clone(), K::Pbes2Hs256A128Kw)
        .unwrap()
        .with_p2c(999);
    assert!(matches!(
        compact::CompactEncrypt::new(b"x", Enc::A128Gcm).encrypt(&to),
        Err(JweError::IterationCountTooSmall { .. })
    ));
}

#[test]
fn a_zip_bomb_stops_at_the_cap() {
    let key = key(K::A256Kw);
    let to = EncryptionKey::new(key.clone(), K::A256Kw).unwrap();
    // 32 MiB of zeros deflate to about 32 KiB.
    let bomb = vec![0u8; 32 << 20];
    let token = compact::CompactEncrypt::new(&bomb, Enc::A256Gcm)
        .zip()
        .encrypt(&to)
        .unwrap();
    drop(bomb);
    assert!(token.len() < 64 << 10, "{}", token.len());
    let options = DecryptOptions::new().algorithms([K::A256Kw]);
    let err = compact::decrypt(&token, &key, &options).unwrap_err();
    // The cap is min(1 MiB, 100 × the compressed size).
    assert!(
        matches!(err, JweError::DecompressionLimit { max } if max <= 1 << 20),
        "{err}"
    );
    // A caller that expects large compressed content can raise the limits.
    let generous = options.limits(Limits {
        max_decompressed_bytes: 64 << 20,
        max_decompression_ratio: 2000,
        ..Limits::default()
    });
    assert_eq!(
        compact::decrypt(&token, &key, &generous)
            .unwrap()
            .plaintext()
            .len(),
        32 << 20
    );
}

#[test]
fn highly_compressible_content_within_the_absolute_allowance_decrypts() {
    // 200 kB of one byte deflates to a few hundred bytes: far beyond the 100× ratio, but
    // under the 250 kB allowance that holds whatever the ratio.
    let key = key(K::A256Kw);
    let to = EncryptionKey::new(key.clone(), K::A256Kw).unwrap();
    let content = vec![b'a'; 200_000];
    let token = compact::CompactEncrypt::new(&content, Enc::A256Gcm)
        .zip()
        .encrypt(&to)
        .unwrap();
    assert!(token.len() < 2000, "{}", token.len());
    let options = DecryptOptions::new().algorithms([K::A256Kw]);
    let decrypted = compact::decrypt(&token, &key, &options).unwrap();
    assert_eq!(decrypted.plaintext(), content.as_slice());

    // Past the allowance the ratio applies again: 2 MB of one byte is a bomb.
    let bomb = compact::CompactEncrypt::new(&vec![b'a'; 2_000_000], Enc::A256Gcm)
        .zip()
        .encrypt(&to)
        .unwrap();
    assert!(matches!(
        compact::decrypt(&bomb, &key, &options),
        Err(JweError::DecompressionLimit { max: 250_000 })
    ));

    // The allowance is configurable, and never lifts the absolute maximum.
    let strict = options.clone().limits(Limits {
        decompression_allowance: 0,
        ..Limits::default()
    });
    assert!(matches!(
        compact::decrypt(&token, &key, &strict),
        Err(JweError::DecompressionLimit { .. })
    ));
    let capped = options.limits(Limits {
        decompression_allowance: 10 << 20,
        max_decompressed_bytes: 100_000,
        ..Limits::default()
    });
    assert!(matches!(
        compact::decrypt(&token, &key, &capped),
        Err(JweError::DecompressionLimit { max: 100_000 })
    ));
}

#[test]
fn compressed_content_round_trips_and_zip_must_be_protected() {
    let key = key(K::A128Kw);
    let to = EncryptionKey::new(key.clone(), K::A128Kw).unwrap();
    let text = "all work and no play makes jack a dull boy ".repeat(20);
    let token = compact::CompactEncrypt::new(text.as_bytes(), Enc::A128CbcHs256)
        .zip()
        .encrypt(&to)
        .unwrap();
    let options = DecryptOptions::new().algorithms([K::A128Kw]);
    assert_eq!(
        compact::decrypt(&token, &key, &options)
            .unwrap()
            .plaintext(),
        text.as_bytes()
    );
    // `zip` in an unprotected header is refused, not ignored.
    let jwe = json::JsonEncrypt::new(b"x", Enc::A128Gcm)
        .recipient(&to)
        .encrypt_flattened()
        .unwrap();
    let mut v = jwe.clone();
    v["unprotected"] = json!({"zip": "DEF"});
    assert!(matches!(
        json::decrypt(&v.to_string(), &key, &options),
        Err(JweError::InvalidParameter { name: "zip", .. })
    ));
    // And never produced there.
    assert!(matches!(
        json::JsonEncrypt::new(b"x", Enc::A128Gcm)
            .unprotected(
                JweHeader::default().with_zip(jose_core::alg::CompressionAlgorithm::Deflate)
            )
            .recipient(&to)
            .encrypt_flattened(),
        Err(JweError::InvalidParameter { name: "zip", .. })
    ));
    // Invalid DEFLATE data under a valid tag.
    let raw = compact::CompactEncrypt::new(b"\xff\xff\xff not deflate", Enc::A128Gcm)
        .header(JweHeader::default())
        .encrypt(&to)
        .unwrap();
    let mut h = header_of(&raw);
    h["zip"] = json!("DEF");
    let forged = with_header(&raw, &h);
    // The header is authenticated, so the forged `zip` fails the tag first.
    assert_eq!(
        compact::decrypt(&forged, &key, &options).unwrap_err(),
        JweError::DecryptionFailed
    );
}

fn ecdh_token(recipient: &Jwk, alg: K) -> String {
    let to = EncryptionKey::new(recipient.to_public().unwrap(), alg).unwrap();
    compact::CompactEncrypt::new(b"x", Enc::A128Gcm)
        .encrypt(&to)
        .unwrap()
}

#[test]
fn epk_off_the_curve_or_on_another_curve_is_refused() {
    let p256 = ec_key(K::EcdhEs, Curve::P256);
    let token = ecdh_token(&p256, K::EcdhEs);
    let options = DecryptOptions::new().algorithms([K::EcdhEs]);

    // Off the curve: y + 1.
    let mut h = header_of(&token);
    let mut y = b64::decode(h["epk"]["y"].as_str().unwrap()).unwrap();
    y[31] ^= 1;
    h["epk"]["y"] = json!(b64::encode(&y));
    assert!(matches!(
        compact::decrypt(&with_header(&token, &h), &p256, &options),
        Err(JweError::Header(HeaderError::InvalidKey {
            name: "epk",
            ..
        }))
    ));

    // A valid point of P-384 for a P-256 key.
    let other = ec_key(K::EcdhEs, Curve::P384).to_public().unwrap();
    let mut h = header_of(&token);
    h["epk"] = Value::Object(other.to_json_value());
    assert!(matches!(
        compact::decrypt(&with_header(&token, &h), &p256, &options),
        Err(JweError::InvalidParameter { name: "epk", .. })
    ));

    // An X25519 key for a P-256 key, and the other way round.
    let x = ec_key(K::EcdhEs, Curve::X25519);
    let mut h = header_of(&token);
    h["epk"] = Value::Object(x.to_public().unwrap().to_json_value());
    assert!(matches!(
        compact::decrypt(&with_header(&token, &h), &p256, &options),
        Err(JweError::InvalidParameter { name: "epk", .. })
    ));
    let xtoken = ecdh_token(&x, K::EcdhEs);
    let mut h = header_of(&xtoken);
    h["epk"] = Value::Object(p256.to_public().unwrap().to_json_value());
    assert!(matches!(
        compact::decrypt(&with_header(&xtoken, &h), &x, &options),
        Err(JweError::InvalidParameter { name: "epk", .. })
    ));

    // A private key as epk, and no epk at all.
    let mut h = header_of(&token);
    h["epk"] = Value::Object(ec_key(K::EcdhEs, Curve::P256).to_json_value());
    assert!(matches!(
        compact::decrypt(&with_header(&token, &h), &p256, &options),
        Err(JweError::Header(HeaderError::PrivateKey("epk")))
    ));
    let mut h = header_of(&token);
    h.as_object_mut().unwrap().remove("epk");
    assert!(matches!(
        compact::decrypt(&with_header(&token, &h), &p256, &options),
        Err(JweError::MissingParameter("epk"))
    ));
}

#[test]
fn x25519_low_order_epk_is_refused() {
    let x = ec_key(K::EcdhEsA128Kw, Curve::X25519);
    let token = ecdh_token(&x, K::EcdhEsA128Kw);
    let options = DecryptOptions::new().algorithms([K::EcdhEsA128Kw]);
    // 0 and 1 are points of order 4 and 1 (as u-coordinates): Z is all zero.
    for u in [[0u8; 32], {
        let mut one = [0u8; 32];
        one[0] = 1;
        one
    }] {
        let mut h = header_of(&token);
        h["epk"] = json!({"kty": "OKP", "crv": "X25519", "x": b64::encode(u)});
        assert!(
            matches!(
                compact::decrypt(&with_header(&token, &h), &x, &options),
                Err(JweError::InvalidParameter { name: "epk", .. })
            ),
            "{u:?}"
        );
    }
    // Nor does a sender encrypt to a low-order public key.
    let weak = Jwk::from_json(
        json!({"kty": "OKP", "crv": "X25519", "x": b64::encode([0u8; 32])}).to_string(),
    )
    .unwrap();
    let to = EncryptionKey::new(weak, K::EcdhEs).unwrap();
    assert!(
        compact::CompactEncrypt::new(b"x", Enc::A128Gcm)
            .encrypt(&to)
            .is_err()
    );
}

#[test]
fn wrapped_keys_of_the_wrong_length_are_refused() {
    let cases = [
        (K::A128Kw, Enc::A256Gcm, 40usize),
        (K::A256GcmKw, Enc::A128CbcHs256, 32),
        (K::RsaOaep256, Enc::A128Gcm, 256),
        (K::EcdhEsA256Kw, Enc::A192Gcm, 32),
    ];
    for (alg, enc, expected) in cases {
        let private = match alg {
            K::RsaOaep256 => common_rsa(),
            _ => key(alg),
        };
        let public = private.to_public().unwrap_or_else(|_| private.clone());
        let to = EncryptionKey::new(public, alg).unwrap();
        let token = compact::CompactEncrypt::new(b"x", enc)
            .encrypt(&to)
            .unwrap();
        let options = DecryptOptions::new().algorithms([alg]);
        for len in [0, expected - 1, expected + 1, expected + 8] {
            let bad = replace_part(&token, 1, &vec![7u8; len]);
            let err = compact::decrypt(&bad, &private, &options).unwrap_err();
            assert!(
                matches!(err, JweError::EncryptedKeyLength { expected: e, actual, .. } if e == expected && actual == len),
                "{alg} {enc} {len}: {err}"
            );
        }
    }
    // `dir` and ECDH-ES take no encrypted key at all.
    let dir = Jwk::generate(Enc::A128Gcm).unwrap();
    let to = EncryptionKey::new(dir.clone(), K::Dir).unwrap();
    let token = compact::CompactEncrypt::new(b"x", Enc::A128Gcm)
        .encrypt(&to)
        .unwrap();
    let bad = replace_part(&token, 1, &[1, 2, 3]);
    assert!(matches!(
        compact::decrypt(&bad, &dir, &DecryptOptions::new().algorithms([K::Dir])),
        Err(JweError::EncryptedKeyLength {
            expected: 0,
            actual: 3,
            ..
        })
    ));
}

/// A 2048-bit RSA key, generated once.
fn common_rsa() -> Jwk {
    static RSA: std::sync::OnceLock<Jwk> = std::sync::OnceLock::new();
    RSA.get_or_init(|| Jwk::generate(K::RsaOaep256).unwrap())
        .clone()
}

#[test]
fn truncated_or_long_tags_and_ivs_are_refused() {
    let k = key(K::A128Kw);
    let to = EncryptionKey::new(k.clone(), K::A128Kw).unwrap();
    let options = DecryptOptions::new().algorithms([K::A128Kw]);
    for enc in Enc::ALL.iter().copied() {
        let token = compact::CompactEncrypt::new(b"x", enc)
            .encrypt(&to)
            .unwrap();
        let tag = b64::decode(token.split('.').nth(4).unwrap()).unwrap();
        for t in [&tag[..tag.len() - 1], &tag[..tag.len() / 2], &[][..]] {
            assert!(matches!(
                compact::decrypt(&replace_part(&token, 4, t), &k, &options),
                Err(JweError::TagLength { .. })
            ));
        }
        let mut long = tag.clone();
        long.push(0);
        assert!(matches!(
            compact::decrypt(&replace_part(&token, 4, &long), &k, &options),
            Err(JweError::TagLength { .. })
        ));
        for iv in [
            vec![0u8; enc.iv_len() - 1],
            vec![0u8; enc.iv_len() + 1],
            vec![],
        ] {
            assert!(matches!(
                compact::decrypt(&replace_part(&token, 2, &iv), &k, &options),
                Err(JweError::IvLength { .. })
            ));
        }
    }
}

#[test]
fn a_cek_of_the_wrong_size_for_enc_is_refused() {
    // A `dir` key that does not fit `enc`, on both sides.
    let k16 = key(K::A128Kw).without_alg();
    assert!(matches!(
        compact::CompactEncrypt::new(b"x", Enc::A256Gcm)
            .encrypt(&EncryptionKey::new(k16.clone(), K::Dir).unwrap()),
        Err(JweError::CekLength {
            expected: 32,
            actual: 16,
            ..
        })
    ));
    let to = EncryptionKey::new(k16.clone(), K::Dir).unwrap();
    let token = compact::CompactEncrypt::new(b"x", Enc::A128Gcm)
        .encrypt(&to)
        .unwrap();
    let mut h = header_of(&token);
    h["enc"] = json!("A256GCM");
    assert!(matches!(
        compact::decrypt(
            &with_header(&token, &h),
            &k16,
            &DecryptOptions::new().algorithms([K::Dir])
        ),
        Err(JweError::CekLength {
            expected: 32,
            actual: 16,
            ..
        })
    ));
    // A `dir` key whose `alg` names one content encryption algorithm serves only that one,
    // even for another of the same key size.
    let gcm = Jwk::generate(Enc::A256Gcm).unwrap();
    let to = EncryptionKey::from_jwk(gcm.clone()).unwrap();
    assert!(matches!(
        compact::CompactEncrypt::new(b"x", Enc::A128CbcHs256).encrypt(&to),
        Err(JweError::Key(KeyError::AlgorithmNotPermitted { .. }))
    ));
    let token = compact::CompactEncrypt::new(b"x", Enc::A256Gcm)
        .encrypt(&to)
        .unwrap();
    let mut h = header_of(&token);
    h["enc"] = json!("A128CBC-HS256");
    // (with an IV of the size A128CBC-HS256 takes, so that the key check is what fails)
    let forged = replace_part(&with_header(&token, &h), 2, &[0; 16]);
    assert!(matches!(
        compact::decrypt(&forged, &gcm, &DecryptOptions::new()),
        Err(JweError::Key(KeyError::AlgorithmNotPermitted { .. }))
    ));
    // A fixed CEK of the wrong size.
    let kw = EncryptionKey::new(key(K::A128Kw), K::A128Kw).unwrap();
    assert!(matches!(
        compact::CompactEncrypt::new(b"x", Enc::A128CbcHs256)
            .fixed_cek(SecretBytes::new(vec![1; 16]))
            .encrypt(&kw),
        Err(JweError::CekLength {
            expected: 32,
            actual: 16,
            ..
        })
    ));
}

#[test]
fn algorithms_and_encryptions_the_caller_did_not_allow_are_refused() {
    let k = key(K::A128Kw);
    let to = EncryptionKey::new(k.clone(), K::A128Kw).unwrap();
    let token = compact::CompactEncrypt::new(b"x", Enc::A128Gcm)
        .encrypt(&to)
        .unwrap();
    assert!(matches!(
        compact::decrypt(&token, &k, &DecryptOptions::new().algorithms([K::A256Kw])),
        Err(JweError::AlgorithmNotAllowed(K::A128Kw))
    ));
    assert!(matches!(
        compact::decrypt(
            &token,
            &k,
            &DecryptOptions::new().encryptions([Enc::A256Gcm])
        ),
        Err(JweError::EncryptionNotAllowed(Enc::A128Gcm))
    ));
    // Without a list, the key's `alg` decides; a key without `alg` allows nothing.
    assert!(compact::decrypt(&token, &k, &DecryptOptions::new()).is_ok());
    assert!(matches!(
        compact::decrypt(&token, &k.clone().without_alg(), &DecryptOptions::new()),
        Err(JweError::NoAlgorithmAllowed)
    ));
    // A key restricted to another algorithm refuses even when the caller allows both.
    let restricted = k.clone().with_alg(K::A128GcmKw);
    assert!(matches!(
        compact::decrypt(
            &token,
            &restricted,
            &DecryptOptions::new().algorithms([K::A128Kw, K::A128GcmKw])
        ),
        Err(JweError::Key(KeyError::AlgorithmNotPermitted { .. }))
    ));
    // `alg: none` and unknown algorithms.
    for alg in ["none", "A512KW"] {
        let mut h = header_of(&token);
        h["alg"] = json!(alg);
        assert!(matches!(
            compact::decrypt(&with_header(&token, &h), &k, &DecryptOptions::new()),
            Err(JweError::Header(HeaderError::Algorithm { name: "alg", .. }))
        ));
    }
}

#[test]
fn key_type_confusion_is_refused() {
    // An RSA public key used as an AES key, a symmetric key for ECDH-ES, a public key to
    // decrypt.
    let rsa = common_rsa();
    let aes = key(K::A256Kw);
    let to = EncryptionKey::new(aes.clone(), K::A256Kw).unwrap();
    let token = compact::CompactEncrypt::new(b"x", Enc::A128Gcm)
        .encrypt(&to)
        .unwrap();
    let options = DecryptOptions::new().algorithms([K::A256Kw, K::RsaOaep256, K::EcdhEs]);
    assert!(matches!(
        compact::decrypt(&token, &rsa, &options),
        Err(JweError::Key(KeyError::IncompatibleAlgorithm { .. }))
    ));
    let ec = ec_key(K::EcdhEs, Curve::P256);
    let ectoken = ecdh_token(&ec, K::EcdhEs);
    assert!(matches!(
        compact::decrypt(&ectoken, &aes, &options),
        Err(JweError::Key(KeyError::IncompatibleAlgorithm { .. }))
    ));
    assert!(matches!(
        compact::decrypt(&ectoken, &ec.to_public().unwrap(), &options),
        Err(JweError::Key(KeyError::NotPrivate))
    ));
    // A password is only for PBES2.
    let password = Password::new("p").unwrap();
    assert!(matches!(
        compact::decrypt(&token, &password, &options),
        Err(JweError::NoKey(_))
    ));
    assert!(matches!(
        EncryptionKey::password(password, K::A128Kw),
        Err(JweError::Encrypt(_))
    ));
    // RSA1_5 is never used to encrypt.
    assert!(matches!(
        EncryptionKey::new(rsa.to_public().unwrap(), K::Rsa1_5),
        Err(JweError::Encrypt(_) | JweError::Unsupported { .. })
    ));
}

#[test]
fn headers_must_be_disjoint_and_crit_understood() {
    let k = key(K::A128Kw).with_kid("k");
    let to = EncryptionKey::new(k.clone(), K::A128Kw).unwrap();
    let options = DecryptOptions::new().algorithms([K::A128Kw]);
    let jwe = json::JsonEncrypt::new(b"x", Enc::A128Gcm)
        .unprotected(JweHeader::default().with_cty("text/plain"))
        .recipient(&to)
        .encrypt_general()
        .unwrap();
    assert!(json::decrypt(&jwe.to_string(), &k, &options).is_ok());
    // The same parameter in the shared and the per-recipient header.
    let mut v = jwe.clone();
    v["recipients"][0]["header"]["cty"] = json!("text/plain");
    assert!(matches!(
        json::decrypt(&v.to_string(), &k, &options),
        Err(JweError::Header(HeaderError::NotDisjoint(name))) if name == "cty"
    ));
    // A parameter in the protected and the shared header.
    let mut v = jwe.clone();
    v["unprotected"]["enc"] = json!("A128GCM");
    assert!(matches!(
        json::decrypt(&v.to_string(), &k, &options),
        Err(JweError::Header(HeaderError::NotDisjoint(_)))
    ));
    // The builder refuses to produce overlapping headers.
    assert!(matches!(
        json::JsonEncrypt::new(b"x", Enc::A128Gcm)
            .protected(JweHeader::default().with_cty("a"))
            .unprotected(JweHeader::default().with_cty("b"))
            .recipient(&to)
            .encrypt_general(),
        Err(JweError::Header(HeaderError::NotDisjoint(_)))
    ));

    // `crit`: an extension must be understood and present in the protected header.
    let header = JweHeader::default()
        .with_crit(vec!["exp".into()])
        .with_param("exp", json!(1_900_000_000))
        .unwrap();
    let token = compact::CompactEncrypt::new(b"x", Enc::A128Gcm)
        .header(header)
        .encrypt(&to)
        .unwrap();
    assert!(matches!(
        compact::decrypt(&token, &k, &options),
        Err(JweError::Header(HeaderError::Crit(_)))
    ));
    assert!(compact::decrypt(&token, &k, &options.clone().understand_crit("exp")).is_ok());
    // `crit` naming a registered parameter.
    let mut h = header_of(&token);
    h["crit"] = json!(["enc"]);
    assert!(matches!(
        compact::decrypt(
            &with_header(&token, &h),
            &k,
            &options.clone().understand_crit("enc")
        ),
        Err(JweError::Header(HeaderError::Crit(_)))
    ));
}

#[test]
fn malformed_serializations_are_refused() {
    let k = key(K::A128Kw);
    let to = EncryptionKey::new(k.clone(), K::A128Kw).unwrap();
    let options = DecryptOptions::new().algorithms([K::A128Kw]);
    let token = compact::CompactEncrypt::new(b"x", Enc::A128Gcm)
        .encrypt(&to)
        .unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    for bad in [
        parts[..4].join("."),
        format!("{token}."),
        format!("{token}.AAAA"),
        format!(".{}", parts[1..].join(".")),
        token.replacen('.', "=.", 1),
        token.replacen('.', " .", 1),
        String::new(),
        "....".into(),
        "{}".into(),
    ] {
        let err = compact::decrypt(&bad, &k, &options).unwrap_err();
        assert!(
            matches!(err, JweError::Malformed(_) | JweError::Base64 { .. }),
            "{bad:?}: {err}"
        );
    }
    // A header that is not an object, or has a duplicate member.
    for header in [
        &b"[]"[..],
        br#"{"alg":"A128KW","alg":"dir","enc":"A128GCM"}"#,
        b"{",
    ] {
        let bad = replace_part(&token, 0, header);
        assert!(matches!(
            compact::decrypt(&bad, &k, &options),
            Err(JweError::Header(HeaderError::Json(_)))
        ));
    }
    // JSON: duplicate members, wrong types, missing members, both syntaxes at once.
    let flat = json::JsonEncrypt::new(b"x", Enc::A128Gcm)
        .recipient(&to)
        .encrypt_flattened()
        .unwrap();
    let text = flat.to_string();
    let dup = text.replacen('{', r#"{"iv":"AAAA","#, 1);
    assert!(matches!(
        json::decrypt(&dup, &k, &options),
        Err(JweError::Json(_))
    ));
    for (member, value) in [
        ("iv", json!(5)),
        ("header", json!("x")),
        ("recipients", json!([])),
    ] {
        let mut v = flat.clone();
        v[member] = value;
        assert!(
            json::decrypt(&v.to_string(), &k, &options).is_err(),
            "{member}"
        );
    }
    for member in ["ciphertext", "iv", "tag"] {
        let mut v = flat.clone();
        v.as_object_mut().unwrap().remove(member);
        assert!(
            json::decrypt(&v.to_string(), &k, &options).is_err(),
            "{member}"
        );
    }
    let mut both = flat.clone();
    both["recipients"] = json!([{"encrypted_key": flat["encrypted_key"]}]);
    assert!(matches!(
        json::decrypt(&both.to_string(), &k, &options),
        Err(JweError::Malformed(_))
    ));
    assert!(json::decrypt("[1]", &k, &options).is_err());
    // An empty protected header is expressed by leaving the member out.
    let mut empty = flat.clone();
    empty["protected"] = json!("");
    empty["unprotected"] = json!({"alg": "A128KW", "enc": "A128GCM"});
    assert!(matches!(
        json::decrypt(&empty.to_string(), &k, &options),
        Err(JweError::Malformed(_))
    ));
}

#[test]
fn size_and_recipient_limits_apply_before_decoding() {
    let k = key(K::A128Kw);
    let options = DecryptOptions::new()
        .algorithms([K::A128Kw])
        .limits(Limits {
            max_input_bytes: 100,
            max_recipients: 2,
            ..Limits::default()
        });
    let big = "a".repeat(101);
    assert!(matches!(
        compact::decrypt(&big, &k, &options),
        Err(JweError::TooLarge {
            max: 100,
            actual: 101
        })
    ));
    let to = EncryptionKey::new(k.clone(), K::A128Kw).unwrap();
    let jwe = json::JsonEncrypt::new(b"x", Enc::A128Gcm)
        .recipient(&to)
        .recipient(&to)
        .recipient(&to)
        .encrypt_general()
        .unwrap();
    let roomy = options.limits(Limits {
        max_recipients: 2,
        ..Limits::default()
    });
    assert!(matches!(
        json::decrypt(&jwe.to_string(), &k, &roomy),
        Err(JweError::TooManyRecipients { max: 2, actual: 3 })
    ));
    // A huge protected header is refused by its decoded size.
    let header = format!(
        r#"{{"alg":"A128KW","enc":"A128GCM","x":"{}"}}"#,
        "y".repeat(20_000)
    );
    let token = compact::CompactEncrypt::new(b"x", Enc::A128Gcm)
        .encrypt(&to)
        .unwrap();
    assert!(matches!(
        compact::decrypt(
            &replace_part(&token, 0, header.as_bytes()),
            &k,
            &DecryptOptions::new()
        ),
        Err(JweError::Header(HeaderError::Json(
            jose_core::json::JsonError::TooLarge { .. }
        )))
    ));
}

#[test]
fn direct_algorithms_take_exactly_one_recipient() {
    let dir = key(K::A128Kw).without_alg();
    let a = EncryptionKey::new(dir, K::Dir).unwrap();
    let b = EncryptionKey::new(key(K::A128Kw), K::A128Kw).unwrap();
    assert!(matches!(
        json::JsonEncrypt::new(b"x", Enc::A128Gcm)
            .recipient(&a)
            .recipient(&b)
            .encrypt_general(),
        Err(JweError::Encrypt(_))
    ));
    assert!(matches!(
        json::JsonEncrypt::new(b"x", Enc::A128Gcm).encrypt_general(),
        Err(JweError::Encrypt(_))
    ));
    assert!(matches!(
        json::JsonEncrypt::new(b"x", Enc::A128Gcm)
            .recipient(&b)
            .recipient(&b)
            .encrypt_flattened(),
        Err(JweError::Encrypt(_))
    ));
}

#[test]
fn key_sets_select_by_kid_and_refuse_ambiguity() {
    let a = key(K::A128Kw).with_kid("a");
    let b = key(K::A128Kw).with_kid("b");
    let to_b = EncryptionKey::new(b.clone(), K::A128Kw).unwrap();
    let token = compact::CompactEncrypt::new(b"x", Enc::A128Gcm)
        .encrypt(&to_b)
        .unwrap();
    let options = DecryptOptions::new().algorithms([K::A128Kw]);
    let set = JwkSet::new(vec![a.clone(), b.clone()]).unwrap();
    assert_eq!(
        compact::decrypt(&token, &set, &options)
            .unwrap()
            .plaintext(),
        b"x"
    );
    // No kid in the header and two keys that fit: ambiguous.
    let anonymous = compact::CompactEncrypt::new(b"x", Enc::A128Gcm)
        .omit_kid()
        .encrypt(&to_b)
        .unwrap();
    assert!(matches!(
        compact::decrypt(&anonymous, &set, &options),
        Err(JweError::KeySelection(SelectError::Ambiguous {
            count: 2,
            ..
        }))
    ));
    // Two keys with the same kid.
    let twins = JwkSet::new(vec![b.clone(), key(K::A128Kw).with_kid("b")]).unwrap();
    assert!(matches!(
        compact::decrypt(&token, &twins, &options),
        Err(JweError::KeySelection(SelectError::Ambiguous { .. }))
    ));
    // No key with that kid.
    let only_a = JwkSet::new(vec![a]).unwrap();
    assert!(matches!(
        compact::decrypt(&token, &only_a, &options),
        Err(JweError::KeySelection(SelectError::NoMatch { .. }))
    ));
}

#[test]
fn several_recipients_try_only_the_ones_the_key_fits() {
    // Three recipients; the caller holds the third one's key. The first two are for keys of
    // other kinds and are never attempted.
    let rsa = common_rsa();
    let ec = ec_key(K::EcdhEsA128Kw, Curve::P256);
    let mine = key(K::A256GcmKw).with_kid("mine");
    let keys = [
        EncryptionKey::new(rsa.to_public().unwrap(), K::RsaOaep256).unwrap(),
        EncryptionKey::new(ec.to_public().unwrap(), K::EcdhEsA128Kw).unwrap(),
        EncryptionKey::new(mine.clone(), K::A256GcmKw).unwrap(),
    ];
    let jwe = json::JsonEncrypt::new(b"shared", Enc::A256CbcHs512)
        .recipient(&keys[0])
        .recipient(&keys[1])
        .recipient(&keys[2])
        .encrypt_general()
        .unwrap();
    let out = json::decrypt(&jwe.to_string(), &mine, &DecryptOptions::new()).unwrap();
    assert_eq!(out.recipient_index(), 2);
    assert_eq!(out.plaintext(), b"shared");
    // With two keys of the same kind, the one whose kid the header names is tried first, and
    // the other recipient's failure does not hide a success.
    let other = key(K::A256GcmKw).with_kid("other");
    let to_other = EncryptionKey::new(other, K::A256GcmKw).unwrap();
    let jwe = json::JsonEncrypt::new(b"shared", Enc::A128Gcm)
        .recipient(&to_other)
        .recipient(&keys[2])
        .encrypt_general()
        .unwrap();
    let out = json::decrypt(&jwe.to_string(), &mine, &DecryptOptions::new()).unwrap();
    assert_eq!(out.recipient_index(), 1);
}
