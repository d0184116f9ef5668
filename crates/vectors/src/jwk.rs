//! JWK and JWK Set import vectors: the published keys, the generated keys, and keys that
//! must be refused.

use super::format::{Expect, JwkVector};
use super::jws::JwsKeys;
use super::util::{self, cite, generated, invalid, valid};
use super::{keys, reasons};
use jose_core::b64;
use jose_core::jwk::{Jwk, JwkSet};
use serde_json::{Map, Value, json};

fn public_of(v: &Value) -> Result<Option<Value>, String> {
    let key = util::jwk(v)?;
    Ok(if key.is_symmetric() {
        None
    } else {
        Some(keys::public_value(&key)?)
    })
}

fn key_vector(common: super::format::Common, key: &Value) -> Result<JwkVector, String> {
    Ok(JwkVector {
        common,
        jwk_json: key.to_string(),
        set: false,
        public: public_of(key)?,
    })
}

fn set_vector(common: super::format::Common, set: &Value) -> JwkVector {
    JwkVector {
        common,
        jwk_json: set.to_string(),
        set: true,
        public: None,
    }
}

fn published() -> Result<Vec<JwkVector>, String> {
    let mut out = Vec::new();
    let file = "rfc/rfc7517-jwk-appendix.json";
    let v = util::source_file(file)?;
    for (member, section, what) in [
        ("A.1_public_keys", "A.1", "public keys (EC P-256 and RSA)"),
        ("A.2_private_keys", "A.2", "private keys (EC P-256 and RSA)"),
        (
            "A.3_symmetric_keys",
            "A.3",
            "symmetric keys (A128KW and HMAC)",
        ),
    ] {
        let set = &v[member];
        let source = cite(
            "rfc",
            &format!("RFC 7517, Appendix {section}"),
            file,
            Some(section),
        );
        out.push(set_vector(
            valid(
                format!("jwk/rfc7517/{section}/set"),
                format!("JWK Set of {what}"),
                source.clone(),
            ),
            set,
        ));
        for (i, key) in set["keys"].as_array().ok_or("keys")?.iter().enumerate() {
            out.push(key_vector(
                valid(
                    format!("jwk/rfc7517/{section}/key-{}", i + 1),
                    format!("key {} of the JWK Set of {what}", i + 1),
                    source.clone(),
                ),
                key,
            )?);
        }
    }
    if let Some(b) = v["B_x5c"].get("jwk") {
        out.push(key_vector(
            valid(
                "jwk/rfc7517/B",
                "RSA public key with an x5c certificate chain whose first certificate holds the key",
                cite("rfc", "RFC 7517, Appendix B", file, Some("B")),
            ),
            b,
        )?);
    }
    for (file, section, what) in [
        (
            "jose-cookbook/jwk/3_1.ec_public_key.json",
            "3.1",
            "EC P-521 public key",
        ),
        (
            "jose-cookbook/jwk/3_2.ec_private_key.json",
            "3.2",
            "EC P-521 private key",
        ),
        (
            "jose-cookbook/jwk/3_3.rsa_public_key.json",
            "3.3",
            "RSA public key",
        ),
        (
            "jose-cookbook/jwk/3_4.rsa_private_key.json",
            "3.4",
            "RSA private key",
        ),
        (
            "jose-cookbook/jwk/3_5.symmetric_key_mac_computation.json",
            "3.5",
            "symmetric key for MAC computation",
        ),
        (
            "jose-cookbook/jwk/3_6.symmetric_key_encryption.json",
            "3.6",
            "symmetric key for encryption",
        ),
    ] {
        let key = util::source_file(file)?;
        out.push(key_vector(
            valid(
                format!("jwk/rfc7520/{section}"),
                what,
                cite(
                    "cookbook",
                    &format!("RFC 7520, Section {section}"),
                    file,
                    Some(section),
                ),
            ),
            &key,
        )?);
    }
    let file = "rfc/rfc8037-okp-appendix-a.json";
    let v = util::source_file(file)?;
    for (member, section, what) in [
        ("A.1_ed25519_private_jwk", "A.1", "Ed25519 private key"),
        ("A.2_ed25519_public_jwk", "A.2", "Ed25519 public key"),
    ] {
        out.push(key_vector(
            valid(
                format!("jwk/rfc8037/{section}"),
                what,
                cite(
                    "rfc",
                    &format!("RFC 8037, Appendix {section}"),
                    file,
                    Some(section),
                ),
            ),
            &v[member],
        )?);
    }
    Ok(out)
}

fn generated_keys(keys: &JwsKeys) -> Result<Vec<JwkVector>, String> {
    let mut out = Vec::new();
    let mut all: Vec<Jwk> = keys.all().iter().map(|k| (*k).clone()).collect();
    all.push(keys::x25519("x25519")?);
    for key in &all {
        let kid = key.kid().unwrap_or_default();
        let value = keys::value(key);
        out.push(key_vector(
            valid(
                format!("jwk/generated/{kid}"),
                format!("generated {} key {kid} (private)", key.key_type()),
                generated("a key of the generated vectors", &keys::key_label(kid)),
            ),
            &value,
        )?);
    }
    Ok(out)
}

/// Replaces (or with `None` removes) a member of a key's JSON.
fn with(key: &Value, member: &str, replacement: Option<Value>) -> Value {
    let mut map: Map<String, Value> = key.as_object().cloned().unwrap_or_default();
    match replacement {
        Some(v) => {
            map.insert(member.to_owned(), v);
        }
        None => {
            map.remove(member);
        }
    }
    Value::Object(map)
}

/// Flips the lowest bit of a base64url member.
fn flip_member(key: &Value, member: &str) -> Result<Value, String> {
    let mut bytes = util::unb64(key[member].as_str().ok_or(member.to_owned())?)?;
    if let Some(last) = bytes.last_mut() {
        *last ^= 1;
    }
    Ok(with(key, member, Some(json!(b64::encode(bytes)))))
}

fn negatives(keys: &JwsKeys) -> Result<Vec<JwkVector>, String> {
    let p256 = keys::value(keys.for_alg(jose_core::alg::JwsAlgorithm::ES256));
    let p256_public = keys::public_value(keys.for_alg(jose_core::alg::JwsAlgorithm::ES256))?;
    let p384 = keys::value(keys.for_alg(jose_core::alg::JwsAlgorithm::ES384));
    let rsa = keys::value(keys.for_alg(jose_core::alg::JwsAlgorithm::RS256));
    let ed = keys::value(keys.for_alg(jose_core::alg::JwsAlgorithm::EdDSA));
    let hs = keys::value(keys.for_alg(jose_core::alg::JwsAlgorithm::HS256));
    let other_ed = keys::value(&keys::ed25519("ed25519-other")?);
    let other_p256 = keys::value(&keys::ec("p256-other", jose_core::alg::Curve::P256)?);

    // A 1024-bit RSA key: valid RSA, too small for JOSE.
    let small = {
        use rsa::traits::PublicKeyParts;
        let mut rng = keys::rng(&keys::key_label("rsa-1024"));
        let k = rsa::RsaPrivateKey::new(&mut rng, 1024).map_err(|e| e.to_string())?;
        json!({ "kty": "RSA", "n": b64::encode(k.n_bytes()), "e": b64::encode(k.e_bytes()) })
    };
    let ed_x = util::unb64(ed["x"].as_str().ok_or("x")?)?;

    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "ec-point-off-curve",
            flip_member(&p256_public, "y")?,
            "key-rejected",
            "the P-256 point (x, y) is not on the curve: invalid-curve attacks feed such points to ECDH",
        ),
        (
            "ec-coordinate-length",
            with(
                &p256_public,
                "x",
                Some(json!(b64::encode(
                    &util::unb64(p256_public["x"].as_str().ok_or("x")?)?[1..]
                ))),
            ),
            "key-rejected",
            "x is 31 bytes; P-256 coordinates are exactly 32 (RFC 7518 §6.2.1.2)",
        ),
        (
            "ec-private-mismatch",
            with(&p256, "d", Some(other_p256["d"].clone())),
            "key-rejected",
            "d is another key's private scalar: it does not produce (x, y)",
        ),
        (
            "ec-curve-mismatch",
            with(&p256_public, "crv", Some(json!("P-384"))),
            "key-rejected",
            "P-256 coordinates labelled P-384",
        ),
        (
            "ec-unknown-curve",
            with(&p256_public, "crv", Some(json!("secp256k1"))),
            "key-rejected",
            "secp256k1 is not a JOSE EC curve (it is registered for ES256K only, which is not supported)",
        ),
        (
            "ec-missing-y",
            with(&p256_public, "y", None),
            "key-rejected",
            "EC keys need both coordinates",
        ),
        (
            "ec-private-scalar-zero",
            with(&p256, "d", Some(json!(b64::encode([0u8; 32])))),
            "key-rejected",
            "d = 0 is not a private key",
        ),
        (
            "rsa-1024-bits",
            small,
            "key-rejected",
            "a 1024-bit RSA modulus is below the 2048 bits RFC 7518 §3.3 and §4.2 require",
        ),
        (
            "rsa-exponent-one",
            with(
                &keys::public_value(keys.for_alg(jose_core::alg::JwsAlgorithm::RS256))?,
                "e",
                Some(json!("AQ")),
            ),
            "key-rejected",
            "e = 1 makes RSA the identity",
        ),
        (
            "rsa-exponent-even",
            with(
                &keys::public_value(keys.for_alg(jose_core::alg::JwsAlgorithm::RS256))?,
                "e",
                Some(json!("AQAA")),
            ),
            "key-rejected",
            "an even public exponent has no inverse",
        ),
        (
            "rsa-private-inconsistent",
            flip_member(&rsa, "p")?,
            "key-rejected",
            "p is not a factor of n",
        ),
        (
            "rsa-multi-prime",
            with(
                &rsa,
                "oth",
                Some(json!([{"r": "AQAB", "d": "AQAB", "t": "AQAB"}])),
            ),
            "key-rejected",
            "multi-prime keys (oth) are not supported; refusing is allowed (RFC 7518 §6.3.2.7)",
        ),
        (
            "okp-ed25519-short",
            with(
                &keys::public_value(keys.for_alg(jose_core::alg::JwsAlgorithm::EdDSA))?,
                "x",
                Some(json!(b64::encode(&ed_x[..31]))),
            ),
            "key-rejected",
            "Ed25519 public keys are 32 bytes",
        ),
        (
            "okp-ed25519-private-mismatch",
            with(&ed, "d", Some(other_ed["d"].clone())),
            "key-rejected",
            "d is another key's seed: it does not produce x",
        ),
        (
            "okp-unknown-curve",
            with(
                &keys::public_value(keys.for_alg(jose_core::alg::JwsAlgorithm::EdDSA))?,
                "crv",
                Some(json!("Ed448")),
            ),
            "key-rejected",
            "Ed448 is not supported",
        ),
        (
            "oct-empty",
            json!({"kty": "oct", "k": ""}),
            "key-rejected",
            "an empty symmetric key",
        ),
        (
            "kty-missing",
            with(&p256_public, "kty", None),
            "key-rejected",
            "kty is required (RFC 7517 §4.1)",
        ),
        (
            "kty-unknown",
            with(&hs, "kty", Some(json!("foo"))),
            "key-rejected",
            "kty foo is not registered",
        ),
        (
            "kty-not-a-string",
            with(&hs, "kty", Some(json!(1))),
            "key-rejected",
            "kty must be a string",
        ),
        (
            "base64-padding",
            with(
                &hs,
                "k",
                Some(json!(format!("{}=", hs["k"].as_str().unwrap_or_default()))),
            ),
            "key-rejected",
            "JWK members are unpadded base64url (RFC 7515 §2)",
        ),
        (
            "key-ops-duplicate",
            with(&hs, "key_ops", Some(json!(["sign", "sign"]))),
            "key-rejected",
            "key_ops values must not repeat (RFC 7517 §4.3)",
        ),
        (
            "use-and-key-ops-inconsistent",
            with(
                &with(&hs, "use", Some(json!("sig"))),
                "key_ops",
                Some(json!(["encrypt"])),
            ),
            "key-rejected",
            "use sig with key_ops encrypt: the two must agree (RFC 7517 §4.3)",
        ),
    ];
    let mut out = Vec::new();
    for (id, key, code, explanation) in cases {
        out.push(JwkVector {
            common: invalid(
                format!("jwk/negative/{id}"),
                explanation,
                generated("jose-rs negative vector", &format!("jwk/negative/{id}")),
                code,
                explanation,
                None,
            ),
            jwk_json: key.to_string(),
            set: false,
            public: None,
        });
    }
    // Texts that a JSON value cannot hold.
    let text = p256_public.to_string();
    let duplicate = text.replacen('{', r#"{"kty":"RSA","#, 1);
    out.push(JwkVector {
        common: invalid(
            "jwk/negative/duplicate-member",
            "kty appears twice, RSA then EC",
            generated("jose-rs negative vector", "jwk/negative/duplicate-member"),
            "duplicate-member",
            "member names must be unique; parsers that keep the first or the last one see different keys",
            Some("RFC 7517, Section 4; RFC 8259, Section 4"),
        ),
        jwk_json: duplicate,
        set: false,
        public: None,
    });
    let mixed = json!({ "keys": [hs, p256_public] });
    out.push(JwkVector {
        common: invalid(
            "jwk/negative/set-mixes-symmetric-and-asymmetric",
            "a JWK Set holding an HMAC key and an EC public key",
            generated("jose-rs negative vector", "jwk/negative/set-mixes-symmetric-and-asymmetric"),
            "key-rejected",
            "a set mixing secret and public keys invites algorithm confusion: the HMAC key may be taken for a public one or the reverse",
            Some("RFC 8725, Section 3.1"),
        ),
        jwk_json: mixed.to_string(),
        set: true,
        public: None,
    });
    out.push(JwkVector {
        common: invalid(
            "jwk/negative/set-keys-not-array",
            "keys is an object",
            generated("jose-rs negative vector", "jwk/negative/set-keys-not-array"),
            "key-rejected",
            "keys must be an array (RFC 7517 §5.1)",
            Some("RFC 7517, Section 5.1"),
        ),
        jwk_json: json!({ "keys": p384 }).to_string(),
        set: true,
        public: None,
    });
    Ok(out)
}

/// Every JWK vector.
pub fn generate() -> Result<Vec<Value>, String> {
    let keys = JwsKeys::new()?;
    let mut all = published()?;
    all.extend(generated_keys(&keys)?);
    all.extend(negatives(&keys)?);
    all.iter().map(util::to_value).collect()
}

/// Checks one JWK vector.
pub fn check(value: &Value) -> Result<String, String> {
    let v: JwkVector = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    let result = if v.set {
        JwkSet::from_json(&v.jwk_json).map(|s| {
            // A set whose entries are refused one by one is still a set; the vector is about
            // the whole set being usable.
            (None, s.rejected().first().map(|r| r.error.clone()))
        })
    } else {
        Jwk::from_json(&v.jwk_json).map(|k| (Some(k), None))
    };
    match v.common.expect {
        Expect::Valid => {
            let (key, rejected) = result.map_err(|e| format!("expected valid, refused: {e}"))?;
            if let Some(e) = rejected {
                return Err(format!("expected valid, a key of the set was refused: {e}"));
            }
            if let (Some(key), Some(expected)) = (key, &v.public) {
                let public = keys::public_value(&key)?;
                if &public != expected {
                    return Err(format!("public form {public} differs from the vector's"));
                }
            }
            Ok("imported".into())
        }
        Expect::Invalid => {
            let reason = v.common.reason.as_ref().ok_or("no reason")?;
            let error = match result {
                Ok((_, Some(e))) | Err(e) => e,
                Ok((_, None)) => {
                    return Err(format!("expected refusal ({}), accepted", reason.code));
                }
            };
            if reasons::key_matches(&reason.code, &error) {
                Ok(format!("refused: {error}"))
            } else {
                Err(format!(
                    "refused, but for another reason than {}: {error}",
                    reason.code
                ))
            }
        }
    }
}
