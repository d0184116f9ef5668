//! JWK and JWK Set import vectors: the published keys, the generated keys, and keys that
//! must be refused.

use super::format::{Expect, JwkVector};
use super::jws::JwsKeys;
use super::util::{self, cite, generated, negative, valid};
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

/// The keys the invalid vectors are mutations of, as JWK JSON.
struct Fixtures {
    p256: Value,
    p256_public: Value,
    p384: Value,
    rsa: Value,
    rsa_public: Value,
    ed: Value,
    ed_public: Value,
    hs: Value,
    other_ed: Value,
    other_p256: Value,
}

impl Fixtures {
    fn new(keys: &JwsKeys) -> Result<Self, String> {
        use jose_core::alg::JwsAlgorithm as A;
        Ok(Self {
            p256: keys::value(keys.for_alg(A::ES256)),
            p256_public: keys::public_value(keys.for_alg(A::ES256))?,
            p384: keys::value(keys.for_alg(A::ES384)),
            rsa: keys::value(keys.for_alg(A::RS256)),
            rsa_public: keys::public_value(keys.for_alg(A::RS256))?,
            ed: keys::value(keys.for_alg(A::EdDSA)),
            ed_public: keys::public_value(keys.for_alg(A::EdDSA))?,
            hs: keys::value(keys.for_alg(A::HS256)),
            other_ed: keys::value(&keys::ed25519("ed25519-other")?),
            other_p256: keys::value(&keys::ec("p256-other", jose_core::alg::Curve::P256)?),
        })
    }
}

/// One invalid vector: the text to import and why it must be refused.
struct Refusal {
    /// The id, below `jwk/negative/`.
    id: &'static str,
    description: &'static str,
    code: &'static str,
    explanation: &'static str,
    reference: Option<&'static str>,
    /// Whether the text is a JWK Set.
    set: bool,
    /// The JWK (or JWK Set) text.
    json: fn(&Fixtures) -> Result<String, String>,
}

/// A key whose import is refused, described by its explanation.
const fn rejected(
    id: &'static str,
    explanation: &'static str,
    json: fn(&Fixtures) -> Result<String, String>,
) -> Refusal {
    Refusal {
        id,
        description: explanation,
        code: "key-rejected",
        explanation,
        reference: None,
        set: false,
        json,
    }
}

/// Every invalid JWK vector, in file order.
fn negatives(keys: &JwsKeys) -> Result<Vec<JwkVector>, String> {
    let f = Fixtures::new(keys)?;
    NEGATIVES
        .iter()
        .map(|r| {
            let id = format!("jwk/negative/{}", r.id);
            Ok(JwkVector {
                common: negative(&id, r.description, r.code, r.explanation, r.reference),
                jwk_json: (r.json)(&f).map_err(|e| format!("{id}: {e}"))?,
                set: r.set,
                public: None,
            })
        })
        .collect()
}

/// A 1024-bit RSA public key: valid RSA, too small for JOSE.
fn rsa_1024() -> Result<Value, String> {
    use rsa::traits::PublicKeyParts;
    let mut rng = keys::rng(&keys::key_label("rsa-1024"));
    let k = rsa::RsaPrivateKey::new(&mut rng, 1024).map_err(|e| e.to_string())?;
    Ok(json!({ "kty": "RSA", "n": b64::encode(k.n_bytes()), "e": b64::encode(k.e_bytes()) }))
}

/// The bytes of a base64url member, without their first `skip` and last `drop` bytes.
fn trimmed(key: &Value, member: &str, skip: usize, drop: usize) -> Result<String, String> {
    let bytes = util::unb64(key[member].as_str().ok_or(member.to_owned())?)?;
    let end = bytes.len().saturating_sub(drop);
    Ok(b64::encode(bytes.get(skip..end).ok_or("too short")?))
}

/// The rows: one invalid vector each, in file order.
const NEGATIVES: &[Refusal] = &[
    rejected(
        "ec-point-off-curve",
        "the P-256 point (x, y) is not on the curve: invalid-curve attacks feed such points to ECDH",
        |f| Ok(flip_member(&f.p256_public, "y")?.to_string()),
    ),
    rejected(
        "ec-coordinate-length",
        "x is 31 bytes; P-256 coordinates are exactly 32 (RFC 7518 §6.2.1.2)",
        |f| {
            let x = trimmed(&f.p256_public, "x", 1, 0)?;
            Ok(with(&f.p256_public, "x", Some(json!(x))).to_string())
        },
    ),
    rejected(
        "ec-private-mismatch",
        "d is another key's private scalar: it does not produce (x, y)",
        |f| Ok(with(&f.p256, "d", Some(f.other_p256["d"].clone())).to_string()),
    ),
    rejected(
        "ec-curve-mismatch",
        "P-256 coordinates labelled P-384",
        |f| Ok(with(&f.p256_public, "crv", Some(json!("P-384"))).to_string()),
    ),
    rejected(
        "ec-unknown-curve",
        "secp256k1 is not a JOSE EC curve (it is registered for ES256K only, which is not supported)",
        |f| Ok(with(&f.p256_public, "crv", Some(json!("secp256k1"))).to_string()),
    ),
    rejected("ec-missing-y", "EC keys need both coordinates", |f| {
        Ok(with(&f.p256_public, "y", None).to_string())
    }),
    rejected(
        "ec-private-scalar-zero",
        "d = 0 is not a private key",
        |f| Ok(with(&f.p256, "d", Some(json!(b64::encode([0u8; 32])))).to_string()),
    ),
    rejected(
        "rsa-1024-bits",
        "a 1024-bit RSA modulus is below the 2048 bits RFC 7518 §3.3 and §4.2 require",
        |_| Ok(rsa_1024()?.to_string()),
    ),
    rejected("rsa-exponent-one", "e = 1 makes RSA the identity", |f| {
        Ok(with(&f.rsa_public, "e", Some(json!("AQ"))).to_string())
    }),
    rejected(
        "rsa-exponent-even",
        "an even public exponent has no inverse",
        |f| Ok(with(&f.rsa_public, "e", Some(json!("AQAA"))).to_string()),
    ),
    rejected("rsa-private-inconsistent", "p is not a factor of n", |f| {
        Ok(flip_member(&f.rsa, "p")?.to_string())
    }),
    rejected(
        "rsa-multi-prime",
        "multi-prime keys (oth) are not supported; refusing is allowed (RFC 7518 §6.3.2.7)",
        |f| {
            let oth = json!([{"r": "AQAB", "d": "AQAB", "t": "AQAB"}]);
            Ok(with(&f.rsa, "oth", Some(oth)).to_string())
        },
    ),
    rejected(
        "okp-ed25519-short",
        "Ed25519 public keys are 32 bytes",
        |f| {
            let x = trimmed(&f.ed, "x", 0, 1)?;
            Ok(with(&f.ed_public, "x", Some(json!(x))).to_string())
        },
    ),
    rejected(
        "okp-ed25519-private-mismatch",
        "d is another key's seed: it does not produce x",
        |f| Ok(with(&f.ed, "d", Some(f.other_ed["d"].clone())).to_string()),
    ),
    rejected("okp-unknown-curve", "Ed448 is not supported", |f| {
        Ok(with(&f.ed_public, "crv", Some(json!("Ed448"))).to_string())
    }),
    rejected("oct-empty", "an empty symmetric key", |_| {
        Ok(json!({"kty": "oct", "k": ""}).to_string())
    }),
    rejected("kty-missing", "kty is required (RFC 7517 §4.1)", |f| {
        Ok(with(&f.p256_public, "kty", None).to_string())
    }),
    rejected("kty-unknown", "kty foo is not registered", |f| {
        Ok(with(&f.hs, "kty", Some(json!("foo"))).to_string())
    }),
    rejected("kty-not-a-string", "kty must be a string", |f| {
        Ok(with(&f.hs, "kty", Some(json!(1))).to_string())
    }),
    rejected(
        "base64-padding",
        "JWK members are unpadded base64url (RFC 7515 §2)",
        |f| {
            let padded = format!("{}=", f.hs["k"].as_str().unwrap_or_default());
            Ok(with(&f.hs, "k", Some(json!(padded))).to_string())
        },
    ),
    rejected(
        "key-ops-duplicate",
        "key_ops values must not repeat (RFC 7517 §4.3)",
        |f| Ok(with(&f.hs, "key_ops", Some(json!(["sign", "sign"]))).to_string()),
    ),
    rejected(
        "use-and-key-ops-inconsistent",
        "use sig with key_ops encrypt: the two must agree (RFC 7517 §4.3)",
        |f| {
            let with_use = with(&f.hs, "use", Some(json!("sig")));
            Ok(with(&with_use, "key_ops", Some(json!(["encrypt"]))).to_string())
        },
    ),
    // Texts that a JSON value cannot hold.
    Refusal {
        id: "duplicate-member",
        description: "kty appears twice, RSA then EC",
        code: "duplicate-member",
        explanation: "member names must be unique; parsers that keep the first or the last one see different keys",
        reference: Some("RFC 7517, Section 4; RFC 8259, Section 4"),
        set: false,
        json: |f| {
            Ok(f.p256_public
                .to_string()
                .replacen('{', r#"{"kty":"RSA","#, 1))
        },
    },
    Refusal {
        id: "set-mixes-symmetric-and-asymmetric",
        description: "a JWK Set holding an HMAC key and an EC public key",
        code: "key-rejected",
        explanation: "a set mixing secret and public keys invites algorithm confusion: the HMAC key may be taken for a public one or the reverse",
        reference: Some("RFC 8725, Section 3.1"),
        set: true,
        json: |f| Ok(json!({ "keys": [f.hs, f.p256_public] }).to_string()),
    },
    Refusal {
        id: "set-keys-not-array",
        description: "keys is an object",
        code: "key-rejected",
        explanation: "keys must be an array (RFC 7517 §5.1)",
        reference: Some("RFC 7517, Section 5.1"),
        set: true,
        json: |f| Ok(json!({ "keys": f.p384 }).to_string()),
    },
];

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
