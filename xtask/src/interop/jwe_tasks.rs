//! JWE tasks: the JWE vectors decrypted by the peers, and round trips for every key management ×
//! content encryption pair in both directions.

use super::jws_tasks::judge_vector;
use super::verdicts::InvalidVector;
use super::{Answer, Direction, Row, Task, Verdict};
use jose_core::alg::{ContentEncryptionAlgorithm as E, Curve, KeyManagementAlgorithm as K};
use jose_core::b64;
use jose_core::jwk::{Jwk, KeyMaterial};
use jwe::{DecryptOptions, EncryptionKey, Password, compact::CompactEncrypt};
use serde_json::{Value, json};
use vectors::format::{Expect, JweVector};
use vectors::keys;
use vectors::util::root;

/// The PBES2 iteration count of the round trips. This workspace's default (210 000) is above
/// the default limit of jose (10 000), which refuses such tokens unless told otherwise.
const P2C: u32 = 10_000;

fn vectors() -> Result<Vec<JweVector>, String> {
    let path = root().join("vectors/generated/jwe.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    serde_json::from_value(value["vectors"].clone()).map_err(|e| e.to_string())
}

/// Every JWE vector, decrypted by the peer (one algorithm and one `enc` each).
pub fn vector_tasks() -> Result<Vec<Task>, String> {
    let mut tasks = Vec::new();
    for v in vectors()? {
        let expect = v.common.expect;
        let expected = v.plaintext_b64.as_deref().and_then(|p| b64::decode(p).ok());
        let (Some(alg), Some(enc)) = (v.decrypt.algorithms.first(), v.decrypt.encryptions.first())
        else {
            continue;
        };
        tasks.push(Task {
            id: v.common.id.clone(),
            request: json!({
                "op": "decrypt",
                "jwe": v.jwe,
                "key": v.decrypt.key,
                "alg": alg,
                "enc": enc,
                "algorithms": v.decrypt.algorithms,
                "encryptions": v.decrypt.encryptions,
                "max_p2c": v.decrypt.max_p2c,
            }),
            row: Row::Vectors("jwe.json", expect == Expect::Valid),
            invalid: InvalidVector::of(&v.common, "jwe.json"),
            judge: judge_vector(
                v.common.id.clone(),
                expect,
                if expect == Expect::Valid {
                    expected
                } else {
                    None
                },
                "plaintext_b64",
            ),
        });
    }
    Ok(tasks)
}

fn is_pbes2(alg: K) -> bool {
    matches!(
        alg,
        K::Pbes2Hs256A128Kw | K::Pbes2Hs384A192Kw | K::Pbes2Hs512A256Kw
    )
}

/// A fresh private (or symmetric) key for `alg` and `enc`, as a JWK; a password for PBES2.
fn fresh_key(alg: K, enc: E, curve: Curve, rsa: &mut Option<Jwk>) -> Result<Jwk, String> {
    let label = format!(
        "interop/{}",
        b64::encode(jose_core::rand::bytes::<16>().map_err(|e| e.to_string())?)
    );
    Ok(match alg {
        K::RsaOaep | K::RsaOaep256 | K::RsaOaep384 | K::RsaOaep512 => {
            if rsa.is_none() {
                *rsa = Some(
                    Jwk::generate(K::RsaOaep)
                        .map_err(|e| e.to_string())?
                        .without_alg(),
                );
            }
            rsa.clone().ok_or("RSA")?
        }
        K::EcdhEs | K::EcdhEsA128Kw | K::EcdhEsA192Kw | K::EcdhEsA256Kw => {
            if curve == Curve::X25519 {
                keys::x25519(&label)?
            } else {
                keys::ec(&label, curve)?
            }
        }
        K::Dir => keys::oct(&label, enc.key_len())?,
        K::A128Kw | K::A128GcmKw => keys::oct(&label, 16)?,
        K::A192Kw | K::A192GcmKw => keys::oct(&label, 24)?,
        K::A256Kw | K::A256GcmKw => keys::oct(&label, 32)?,
        _ => keys::oct(&label, 24)?, // a PBES2 password of 24 random octets
    }
    .without_kid())
}

fn encryption_key(key: &Jwk, alg: K) -> Result<EncryptionKey, String> {
    if is_pbes2(alg) {
        let KeyMaterial::Oct(oct) = key.material() else {
            return Err("password".into());
        };
        let password = Password::new(oct.secret().expose().to_vec()).map_err(|e| e.to_string())?;
        return Ok(EncryptionKey::password(password, alg)
            .map_err(|e| e.to_string())?
            .with_p2c(P2C));
    }
    EncryptionKey::new(key.clone(), alg).map_err(|e| e.to_string())
}

fn decrypt_here(token: &str, key: &Jwk, alg: K, enc: E) -> Result<Vec<u8>, String> {
    let options = DecryptOptions::new().algorithms([alg]).encryptions([enc]);
    let result = if is_pbes2(alg) {
        let KeyMaterial::Oct(oct) = key.material() else {
            return Err("password".into());
        };
        let password = Password::new(oct.secret().expose().to_vec()).map_err(|e| e.to_string())?;
        jwe::compact::decrypt(token, &password, &options)
    } else {
        jwe::compact::decrypt(token, key, &options)
    };
    result
        .map(|d| d.into_plaintext())
        .map_err(|e| e.to_string())
}

const CURVES: [Curve; 4] = [Curve::P256, Curve::P384, Curve::P521, Curve::X25519];

/// Encrypt here → decrypt there, and encrypt there → decrypt here, for every pair.
pub fn round_trips() -> Result<Vec<Task>, String> {
    let mut tasks = Vec::new();
    let mut rsa = None;
    let algs: Vec<K> = K::ALL.iter().copied().filter(|a| *a != K::Rsa1_5).collect();
    for (i, &alg) in algs.iter().enumerate() {
        for (j, &enc) in E::ALL.iter().enumerate() {
            let curve = CURVES[(i + j) % CURVES.len()];
            let pair = format!("{alg} + {enc}");
            let key = fresh_key(alg, enc, curve, &mut rsa)?;
            let private = Value::Object(key.to_json_value());
            let public = if key.is_symmetric() {
                private.clone()
            } else {
                Value::Object(key.to_public().map_err(|e| e.to_string())?.to_json_value())
            };

            // Here → there.
            let plaintext = jose_core::rand::bytes::<33>()
                .map_err(|e| e.to_string())?
                .to_vec();
            let token = CompactEncrypt::new(&plaintext, enc)
                .encrypt(&encryption_key(&key, alg)?)
                .map_err(|e| format!("{pair}: {e}"))?;
            let id = format!("jwe-here-to-there/{alg}/{enc}");
            tasks.push(Task {
                id: id.clone(),
                request: json!({
                    "op": "decrypt", "jwe": token, "key": private, "alg": alg.as_str(),
                    "enc": enc.as_str(), "max_p2c": P2C,
                }),
                row: Row::RoundTrip("JWE", pair.clone(), Direction::HereToThere),
                invalid: None,
                judge: judge_vector(id, Expect::Valid, Some(plaintext), "plaintext_b64"),
            });

            // There → here.
            let plaintext = jose_core::rand::bytes::<33>()
                .map_err(|e| e.to_string())?
                .to_vec();
            let id = format!("jwe-there-to-here/{alg}/{enc}");
            let expected = plaintext.clone();
            let key_here = key.clone();
            tasks.push(Task {
                id: id.clone(),
                request: json!({
                    "op": "encrypt", "alg": alg.as_str(), "enc": enc.as_str(), "key": public,
                    "plaintext_b64": b64::encode(&plaintext), "p2c": P2C,
                }),
                row: Row::RoundTrip("JWE", pair, Direction::ThereToHere),
                invalid: None,
                judge: Box::new(move |a: &Answer| {
                    if a.unsupported {
                        return Verdict::Unsupported;
                    }
                    if !a.ok {
                        return Verdict::Fail(format!(
                            "{id}: the peer could not encrypt: {}",
                            a.error
                        ));
                    }
                    let token = a.value["jwe"].as_str().unwrap_or_default();
                    match decrypt_here(token, &key_here, alg, enc) {
                        Ok(p) if p == expected => Verdict::Pass,
                        Ok(_) => {
                            Verdict::Fail(format!("{id}: decrypted, with a different plaintext"))
                        }
                        Err(e) => Verdict::Fail(format!("{id}: refused here: {e}")),
                    }
                }),
            });
        }
    }
    Ok(tasks)
}
