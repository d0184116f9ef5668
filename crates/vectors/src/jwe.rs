//! JWE vectors: the RFC 7516, RFC 7520 and RFC 8037 examples, one generated vector per
//! key management × content encryption pair, JSON serializations, and the negative cases.
//!
//! Generated vectors fix every random input through the `jwe` crate's test-only hooks
//! (`fixed-randomness-for-tests`): CEK, IV, ECDH-ES ephemeral key, PBES2 salt, AES-GCM key wrap
//! IV. RSA-OAEP pads with fresh randomness inside the RSA operation; those vectors are made
//! here with a seeded RSA-OAEP and the workspace's content encryption, and are decrypt-only
//! for everyone (`reproducible: randomized`).

use super::format::{
    Common, Expect, JweDecrypt, JweEncrypt, JweRecipient, JweVector, Reproducible,
};
use super::util::{self, cite, generated, invalid, str_of, unb64, utf8, valid};
use super::{keys, reasons};
use jose_core::SecretBytes;
use jose_core::alg::{ContentEncryptionAlgorithm as E, Curve, KeyManagementAlgorithm as K};
use jose_core::b64;
use jose_core::header::JweHeader;
use jose_core::jwk::{Jwk, KeyMaterial, OctKey};
use jwe::compact::CompactEncrypt;
use jwe::json::JsonEncrypt;
use jwe::{DecryptOptions, EncryptionKey, JweError, KeySource, Password};
use serde_json::{Value, json};

/// Every key management algorithm this workspace encrypts with (`RSA1_5` is decrypt-only and
/// off by default, so it has no vectors).
fn algorithms() -> Vec<K> {
    K::ALL.iter().copied().filter(|a| *a != K::Rsa1_5).collect()
}

fn names<T: ToString>(items: impl IntoIterator<Item = T>) -> Vec<String> {
    items.into_iter().map(|i| i.to_string()).collect()
}

fn oct(name: &str, len: usize) -> Result<Jwk, String> {
    keys::oct(name, len)
}

/// The password of the generated PBES2 vectors.
const PASSWORD: &str = "Thus from my lips, by yours, my sin is purged.";

fn password_jwk() -> Value {
    json!({ "kty": "oct", "k": b64::encode(PASSWORD.as_bytes()) })
}

fn is_pbes2(alg: K) -> bool {
    matches!(
        alg,
        K::Pbes2Hs256A128Kw | K::Pbes2Hs384A192Kw | K::Pbes2Hs512A256Kw
    )
}

fn is_ecdh(alg: K) -> bool {
    matches!(
        alg,
        K::EcdhEs | K::EcdhEsA128Kw | K::EcdhEsA192Kw | K::EcdhEsA256Kw
    )
}

fn is_rsa(alg: K) -> bool {
    matches!(
        alg,
        K::RsaOaep | K::RsaOaep256 | K::RsaOaep384 | K::RsaOaep512
    )
}

/// The CEK is derived or is the key itself: no CEK of its own.
fn derives_cek(alg: K) -> bool {
    matches!(alg, K::Dir | K::EcdhEs)
}

/// The generated keys: recipient private keys by name.
struct JweKeys {
    rsa: Jwk,
    p256: Jwk,
    p384: Jwk,
    p521: Jwk,
    x25519: Jwk,
}

impl JweKeys {
    fn new() -> Result<Self, String> {
        Ok(Self {
            rsa: keys::rsa("rsa-2048", 2048)?,
            p256: keys::ec("p256", Curve::P256)?,
            p384: keys::ec("p384", Curve::P384)?,
            p521: keys::ec("p521", Curve::P521)?,
            x25519: keys::x25519("x25519")?,
        })
    }

    fn curve_key(&self, curve: Curve) -> &Jwk {
        match curve {
            Curve::P384 => &self.p384,
            Curve::P521 => &self.p521,
            Curve::X25519 => &self.x25519,
            _ => &self.p256,
        }
    }
}

/// The recipient key of a generated vector: (private or symmetric key as JSON, encryption key).
fn recipient(
    keys_: &JweKeys,
    alg: K,
    enc: E,
    curve: Curve,
    seed: &str,
) -> Result<(Value, Option<Value>, EncryptionKey), String> {
    let err = |e: JweError| format!("{alg} {enc}: {e}");
    if is_pbes2(alg) {
        let p = Password::new(PASSWORD.as_bytes().to_vec()).map_err(err)?;
        let key = EncryptionKey::password(p, alg)
            .map_err(err)?
            .with_p2c(4096)
            .fixed_p2s(keys::bytes(&format!("{seed}/p2s"), 16));
        return Ok((password_jwk(), None, key));
    }
    if is_rsa(alg) {
        let key = EncryptionKey::new(keys_.rsa.clone(), alg).map_err(err)?;
        return Ok((keys::value(&keys_.rsa), None, key));
    }
    if is_ecdh(alg) {
        let private = keys_.curve_key(curve);
        let ephemeral = if curve == Curve::X25519 {
            keys::x25519(&format!("{seed}/epk"))?
        } else {
            keys::ec(&format!("{seed}/epk"), curve)?
        }
        .without_kid();
        let key = EncryptionKey::new(private.clone(), alg)
            .map_err(err)?
            .with_apu(b"Alice".to_vec())
            .with_apv(b"Bob".to_vec())
            .fixed_ephemeral_key(ephemeral.clone());
        return Ok((keys::value(private), Some(keys::value(&ephemeral)), key));
    }
    let (name, len) = match alg {
        K::A128Kw | K::A128GcmKw => ("a128kw", 16),
        K::A192Kw | K::A192GcmKw => ("a192kw", 24),
        K::A256Kw | K::A256GcmKw => ("a256kw", 32),
        _ => match enc {
            E::A128CbcHs256 | E::A256Gcm => ("dir-256", 32),
            E::A192CbcHs384 => ("dir-384", 48),
            E::A256CbcHs512 => ("dir-512", 64),
            E::A128Gcm => ("dir-128", 16),
            _ => ("dir-192", 24),
        },
    };
    let key = oct(name, len)?;
    let mut ek = EncryptionKey::new(key.clone(), alg).map_err(err)?;
    if matches!(alg, K::A128GcmKw | K::A192GcmKw | K::A256GcmKw) {
        ek = ek.fixed_key_wrap_iv(keys::bytes(&format!("{seed}/kw-iv"), 12));
    }
    Ok((keys::value(&key), None, ek))
}

/// RSA-OAEP of `cek` with the seeded stream of `seed`.
fn seeded_oaep(key: &Jwk, alg: K, cek: &[u8], seed: &str) -> Result<Vec<u8>, String> {
    use rsa::Oaep;
    use rsa::traits::PaddingScheme;
    use sha2::{Sha256, Sha384, Sha512};
    let KeyMaterial::Rsa(rsa) = key.material() else {
        return Err("not RSA".into());
    };
    let public = rsa.public_key();
    let mut rng = keys::rng(&format!("{seed}/oaep"));
    let result = match alg {
        // RFC 7518 §4.3: RSA-OAEP is SHA-1 with MGF1-SHA-1.
        K::RsaOaep => Oaep::<sha1::Sha1>::new().encrypt(&mut rng, public, cek),
        K::RsaOaep256 => Oaep::<Sha256>::new().encrypt(&mut rng, public, cek),
        K::RsaOaep384 => Oaep::<Sha384>::new().encrypt(&mut rng, public, cek),
        _ => Oaep::<Sha512>::new().encrypt(&mut rng, public, cek),
    };
    result.map_err(|e| format!("RSA-OAEP: {e}"))
}

/// A compact RSA-OAEP JWE made from seeded inputs.
fn seeded_rsa_compact(
    key: &Jwk,
    alg: K,
    enc: E,
    plaintext: &[u8],
    cek: &[u8],
    iv: &[u8],
    seed: &str,
) -> Result<(String, String), String> {
    let protected = format!(
        r#"{{"alg":"{alg}","enc":"{enc}","kid":"{}"}}"#,
        key.kid().unwrap_or_default()
    );
    let protected_b64 = b64::encode(protected.as_bytes());
    let encrypted_key = seeded_oaep(key, alg, cek, seed)?;
    let mut buf = plaintext.to_vec();
    let tag = jwe::hazmat::encrypt_content(enc, cek, iv, protected_b64.as_bytes(), &mut buf)
        .map_err(|e| e.to_string())?;
    Ok((
        format!(
            "{protected_b64}.{}.{}.{}.{}",
            b64::encode(encrypted_key),
            b64::encode(iv),
            b64::encode(&buf),
            b64::encode(tag)
        ),
        protected,
    ))
}

fn protected_of(jwe: &Value) -> Result<String, String> {
    let b = match jwe {
        Value::String(s) => s.split('.').next().unwrap_or_default().to_owned(),
        other => other["protected"].as_str().unwrap_or_default().to_owned(),
    };
    String::from_utf8(unb64(&b)?).map_err(|e| e.to_string())
}

fn decrypt_block(key: Value, alg: &[K], enc: &[E]) -> JweDecrypt {
    JweDecrypt {
        key,
        algorithms: names(alg.iter()),
        encryptions: names(enc.iter()),
        critical: Vec::new(),
        max_p2c: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn vector(
    common: Common,
    serialization: &str,
    jwe: Value,
    plaintext: Option<&[u8]>,
    decrypt: JweDecrypt,
    encrypt: Option<JweEncrypt>,
) -> JweVector {
    JweVector {
        common,
        serialization: serialization.to_owned(),
        jwe,
        plaintext_b64: plaintext.map(b64::encode),
        plaintext_utf8: plaintext.and_then(utf8),
        decrypt,
        encrypt,
    }
}

// --- Generated positives -------------------------------------------------------------------

const CURVES: [Curve; 4] = [Curve::P256, Curve::P384, Curve::P521, Curve::X25519];

fn every_pair(keys_: &JweKeys) -> Result<Vec<JweVector>, String> {
    let mut out = Vec::new();
    for (i, &alg) in algorithms().iter().enumerate() {
        for (j, &enc) in E::ALL.iter().enumerate() {
            let curve = CURVES[(i + j) % CURVES.len()];
            let seed = format!("jwe/{alg}/{enc}");
            let plaintext = format!("Reference vector for {alg} with {enc}.");
            let cek = keys::bytes(&format!("{seed}/cek"), enc.key_len());
            let iv = keys::bytes(&format!("{seed}/iv"), enc.iv_len());
            let (private, epk_private, key) = recipient(keys_, alg, enc, curve, &seed)?;
            let public = if private["kty"] == "oct" {
                private.clone()
            } else {
                util::verification_value(&util::jwk(&private)?)?
            };
            let (jwe, protected, reproducible) = if is_rsa(alg) {
                let (token, protected) = seeded_rsa_compact(
                    &keys_.rsa,
                    alg,
                    enc,
                    plaintext.as_bytes(),
                    &cek,
                    &iv,
                    &seed,
                )?;
                (token, protected, Reproducible::Randomized)
            } else {
                let mut builder =
                    CompactEncrypt::new(plaintext.as_bytes(), enc).fixed_iv(iv.clone());
                if !derives_cek(alg) {
                    builder = builder.fixed_cek(SecretBytes::new(cek.clone()));
                }
                let token = builder.encrypt(&key).map_err(|e| format!("{seed}: {e}"))?;
                let protected = protected_of(&json!(token))?;
                (token, protected, Reproducible::Exact)
            };
            let curve_note = if is_ecdh(alg) {
                format!(" on {curve}")
            } else {
                String::new()
            };
            out.push(vector(
                valid(
                    format!("jwe/generated/{alg}/{enc}"),
                    format!("{alg}{curve_note} with {enc}, compact serialization"),
                    generated("jose-rs reference vector", &seed),
                ),
                "compact",
                json!(jwe),
                Some(plaintext.as_bytes()),
                decrypt_block(private, &[alg], &[enc]),
                Some(JweEncrypt {
                    reproducible,
                    protected,
                    unprotected: None,
                    aad_b64: None,
                    cek_b64: b64::encode(if derives_cek(alg) { &[][..] } else { &cek }),
                    iv_b64: b64::encode(&iv),
                    recipients: vec![JweRecipient {
                        key: public,
                        header: None,
                        epk_private,
                    }],
                }),
            ));
        }
    }
    Ok(out)
}

fn json_positives(keys_: &JweKeys) -> Result<Vec<JweVector>, String> {
    let mut out = Vec::new();

    // Flattened, with a shared unprotected header and AAD.
    let seed = "jwe/flattened-aad";
    let enc = E::A256Gcm;
    let (private, _, key) = recipient(keys_, K::A256Kw, enc, Curve::P256, seed)?;
    let cek = keys::bytes(&format!("{seed}/cek"), enc.key_len());
    let iv = keys::bytes(&format!("{seed}/iv"), enc.iv_len());
    let aad = br#"["vector","aad"]"#;
    let plaintext = b"Flattened JSON with additional authenticated data.";
    let unprotected = json!({ "cty": "text/plain" });
    let shared =
        JweHeader::from_json(unprotected.to_string().as_bytes()).map_err(|e| e.to_string())?;
    let jwe = JsonEncrypt::new(plaintext, enc)
        .unprotected(shared)
        .aad(aad)
        .recipient(&key)
        .fixed_cek(SecretBytes::new(cek.clone()))
        .fixed_iv(iv.clone())
        .encrypt_flattened()
        .map_err(|e| format!("{seed}: {e}"))?;
    out.push(vector(
        valid(
            "jwe/generated/flattened/aad",
            "A256KW with A256GCM, flattened JSON, shared unprotected header and aad",
            generated("jose-rs reference vector", seed),
        ),
        "flattened",
        jwe.clone(),
        Some(plaintext),
        decrypt_block(private.clone(), &[K::A256Kw], &[enc]),
        Some(JweEncrypt {
            reproducible: Reproducible::Exact,
            protected: protected_of(&jwe)?,
            unprotected: Some(unprotected),
            aad_b64: Some(b64::encode(aad)),
            cek_b64: b64::encode(&cek),
            iv_b64: b64::encode(&iv),
            recipients: vec![JweRecipient {
                key: private,
                header: None,
                epk_private: None,
            }],
        }),
    ));

    // General, three recipients of three kinds; one vector per recipient key.
    let seed = "jwe/general-three-recipients";
    let enc = E::A128CbcHs256;
    let cek = keys::bytes(&format!("{seed}/cek"), enc.key_len());
    let iv = keys::bytes(&format!("{seed}/iv"), enc.iv_len());
    let plaintext = b"One message, three recipients.";
    let recipients = [
        (K::EcdhEsA192Kw, Curve::X25519),
        (K::A128GcmKw, Curve::P256),
        (K::Pbes2Hs256A128Kw, Curve::P256),
    ];
    let mut built = Vec::new();
    for (n, (alg, curve)) in recipients.iter().enumerate() {
        built.push(recipient(keys_, *alg, enc, *curve, &format!("{seed}/{n}"))?);
    }
    let mut builder = JsonEncrypt::new(plaintext, enc)
        .protected(JweHeader::default().with_cty("text/plain"))
        .fixed_cek(SecretBytes::new(cek.clone()))
        .fixed_iv(iv.clone());
    for (_, _, key) in &built {
        builder = builder.recipient(key);
    }
    let jwe = builder
        .encrypt_general()
        .map_err(|e| format!("{seed}: {e}"))?;
    let entries: Vec<JweRecipient> = built
        .iter()
        .zip(jwe["recipients"].as_array().ok_or("recipients")?)
        .map(|((private, epk, _), r)| {
            Ok(JweRecipient {
                key: if private["kty"] == "oct" {
                    private.clone()
                } else {
                    util::verification_value(&util::jwk(private)?)?
                },
                header: r.get("header").cloned(),
                epk_private: epk.clone(),
            })
        })
        .collect::<Result<_, String>>()?;
    for (n, ((alg, _), (private, _, _))) in recipients.iter().zip(&built).enumerate() {
        out.push(vector(
            valid(
                format!("jwe/generated/general/recipient-{}", n + 1),
                format!("general JSON with ECDH-ES+A192KW (X25519), A128GCMKW and PBES2-HS256+A128KW recipients; decrypted with the {alg} key"),
                generated("jose-rs reference vector", seed),
            ),
            "general",
            jwe.clone(),
            Some(plaintext),
            decrypt_block(private.clone(), &[*alg], &[enc]),
            (n == 0).then(|| JweEncrypt {
                reproducible: Reproducible::Exact,
                protected: protected_of(&jwe).unwrap_or_default(),
                unprotected: None,
                aad_b64: None,
                cek_b64: b64::encode(&cek),
                iv_b64: b64::encode(&iv),
                recipients: entries.clone(),
            }),
        ));
    }

    // Compressed.
    let seed = "jwe/zip";
    let enc = E::A128Gcm;
    let (private, _, key) = recipient(keys_, K::A128Kw, enc, Curve::P256, seed)?;
    let cek = keys::bytes(&format!("{seed}/cek"), enc.key_len());
    let iv = keys::bytes(&format!("{seed}/iv"), enc.iv_len());
    let plaintext = "Compressible, compressible, compressible, compressible content. ".repeat(8);
    let jwe = CompactEncrypt::new(plaintext.as_bytes(), enc)
        .zip()
        .fixed_cek(SecretBytes::new(cek.clone()))
        .fixed_iv(iv.clone())
        .encrypt(&key)
        .map_err(|e| format!("{seed}: {e}"))?;
    out.push(vector(
        valid(
            "jwe/generated/zip",
            "A128KW with A128GCM and zip DEF (RFC 1951 DEFLATE before encryption)",
            generated("jose-rs reference vector", seed),
        ),
        "compact",
        json!(jwe),
        Some(plaintext.as_bytes()),
        decrypt_block(private.clone(), &[K::A128Kw], &[enc]),
        Some(JweEncrypt {
            reproducible: Reproducible::Exact,
            protected: protected_of(&json!(jwe))?,
            unprotected: None,
            aad_b64: None,
            cek_b64: b64::encode(&cek),
            iv_b64: b64::encode(&iv),
            recipients: vec![JweRecipient {
                key: private,
                header: None,
                epk_private: None,
            }],
        }),
    ));
    Ok(out)
}

// --- Published examples --------------------------------------------------------------------

fn published() -> Result<Vec<JweVector>, String> {
    let mut out = Vec::new();
    let file = "rfc/rfc7516-jwe-appendix-a.json";
    let v = util::source_file(file)?;
    for case in v["cases"].as_array().ok_or("cases")? {
        let id = str_of(case, "id")?;
        let header: Value =
            serde_json::from_str(str_of(case, "protected_header")?).map_err(|e| e.to_string())?;
        let alg = header["alg"].as_str().unwrap_or_default();
        if alg == "RSA1_5" {
            continue;
        }
        out.push(vector(
            valid(
                format!("jwe/rfc7516/{id}"),
                str_of(case, "title")?,
                cite("rfc", &format!("RFC 7516, Appendix {id}"), file, Some(id)),
            ),
            "compact",
            case["compact"].clone(),
            Some(str_of(case, "plaintext")?.as_bytes()),
            JweDecrypt {
                key: case["jwk"].clone(),
                algorithms: vec![alg.to_owned()],
                encryptions: vec![header["enc"].as_str().unwrap_or_default().to_owned()],
                critical: Vec::new(),
                max_p2c: None,
            },
            None,
        ));
    }
    let files = [
        (
            "jose-cookbook/jwe/5_2.key_encryption_using_rsa-oaep_with_aes-gcm.json",
            "5.2",
        ),
        (
            "jose-cookbook/jwe/5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2.json",
            "5.3",
        ),
        (
            "jose-cookbook/jwe/5_4.key_agreement_with_key_wrapping_using_ecdh-es_and_aes-keywrap_with_aes-gcm.json",
            "5.4",
        ),
        (
            "jose-cookbook/jwe/5_5.key_agreement_using_ecdh-es_with_aes-cbc-hmac-sha2.json",
            "5.5",
        ),
        (
            "jose-cookbook/jwe/5_6.direct_encryption_using_aes-gcm.json",
            "5.6",
        ),
        (
            "jose-cookbook/jwe/5_7.key_wrap_using_aes-gcm_keywrap_with_aes-cbc-hmac-sha2.json",
            "5.7",
        ),
        (
            "jose-cookbook/jwe/5_8.key_wrap_using_aes-keywrap_with_aes-gcm.json",
            "5.8",
        ),
        ("jose-cookbook/jwe/5_9.compressed_content.json", "5.9"),
        (
            "jose-cookbook/jwe/5_10.including_additional_authentication_data.json",
            "5.10",
        ),
        (
            "jose-cookbook/jwe/5_11.protecting_specific_header_fields.json",
            "5.11",
        ),
        (
            "jose-cookbook/jwe/5_12.protecting_content_only.json",
            "5.12",
        ),
        (
            "jose-cookbook/jwe/5_13.encrypting_to_multiple_recipients.json",
            "5.13",
        ),
    ];
    for (file, section) in files {
        let v = util::source_file(file)?;
        let title = str_of(&v, "title")?;
        let input = &v["input"];
        let plaintext = str_of(input, "plaintext")?.as_bytes();
        // The decryption keys: one, or one per recipient (5.13, whose RSA1_5 recipient has
        // no vector).
        let keys_and_algs: Vec<(Value, String)> = match (&input["key"], &input["alg"]) {
            (Value::Array(k), Value::Array(a)) => k
                .iter()
                .cloned()
                .zip(a.iter().map(|x| x.as_str().unwrap_or_default().to_owned()))
                .collect(),
            (k, a) => {
                let key = if let Some(pwd) = input.get("pwd").and_then(Value::as_str) {
                    json!({ "kty": "oct", "k": b64::encode(pwd.as_bytes()) })
                } else {
                    k.clone()
                };
                vec![(key, a.as_str().unwrap_or_default().to_owned())]
            }
        };
        // The enc of 5.13's input is misspelt (see vectors/sources/README.md).
        let enc = {
            let protected = v["encrypting_content"]["protected"].clone();
            protected["enc"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    input["enc"]
                        .as_str()
                        .unwrap_or_default()
                        .replace("H256", "HS256")
                })
        };
        for (n, (key, alg)) in keys_and_algs.iter().enumerate() {
            if alg == "RSA1_5" {
                continue;
            }
            for (form, serialization) in [
                ("compact", "compact"),
                ("json", "general"),
                ("json_flat", "flattened"),
            ] {
                let Some(jwe) = v["output"].get(form) else {
                    continue;
                };
                let suffix = if keys_and_algs.len() > 1 {
                    format!("/key-{}", n + 1)
                } else {
                    String::new()
                };
                out.push(vector(
                    valid(
                        format!("jwe/rfc7520/{section}/{serialization}{suffix}"),
                        format!(
                            "{title}, {serialization}{}",
                            if suffix.is_empty() {
                                String::new()
                            } else {
                                format!(", decrypted with the {alg} recipient's key")
                            }
                        ),
                        cite(
                            "cookbook",
                            &format!("RFC 7520, Section {section}"),
                            file,
                            Some(section),
                        ),
                    ),
                    serialization,
                    jwe.clone(),
                    Some(plaintext),
                    JweDecrypt {
                        key: key.clone(),
                        algorithms: vec![alg.clone()],
                        encryptions: vec![enc.clone()],
                        critical: Vec::new(),
                        max_p2c: None,
                    },
                    None,
                ));
            }
        }
    }
    let file = "rfc/rfc8037-okp-appendix-a.json";
    let v = util::source_file(file)?;
    let a6 = &v["A.6_x25519_ecdh_es"];
    if let (Some(compact), Some(key)) = (
        a6.get("compact"),
        a6.get("bob_private_jwk")
            .or_else(|| a6.get("recipient_private_jwk")),
    ) {
        out.push(vector(
            valid(
                "jwe/rfc8037/A.6",
                "ECDH-ES with X25519",
                cite("rfc", "RFC 8037, Appendix A.6", file, Some("A.6")),
            ),
            "compact",
            compact.clone(),
            a6.get("plaintext")
                .and_then(Value::as_str)
                .map(str::as_bytes),
            JweDecrypt {
                key: key.clone(),
                algorithms: vec!["ECDH-ES".into()],
                encryptions: vec!["A128GCM".into()],
                critical: Vec::new(),
                max_p2c: None,
            },
            None,
        ));
    }
    Ok(out)
}

// --- Generated negatives -------------------------------------------------------------------

/// Replaces part `index` of a compact JWE.
fn replace_part(token: &str, index: usize, value: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    if let Some(p) = parts.get_mut(index) {
        *p = value;
    }
    parts.join(".")
}

/// Flips one bit in the decoded part `index`.
fn flip_part(token: &str, index: usize) -> Result<String, String> {
    let part = token.split('.').nth(index).ok_or("part")?;
    let mut bytes = unb64(part)?;
    if let Some(b) = bytes.first_mut() {
        *b ^= 1;
    }
    Ok(replace_part(token, index, &b64::encode(bytes)))
}

/// Rewrites the protected header: `edit` changes the decoded JSON object.
fn edit_header(
    token: &str,
    edit: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> Result<String, String> {
    let text = protected_of(&json!(token))?;
    let mut map: serde_json::Map<String, Value> =
        serde_json::from_str(&text).map_err(|e| e.to_string())?;
    edit(&mut map);
    let header = serde_json::to_string(&map).map_err(|e| e.to_string())?;
    Ok(replace_part(token, 0, &b64::encode(header.as_bytes())))
}

struct Neg<'a> {
    id: &'a str,
    description: &'a str,
    code: &'a str,
    explanation: &'a str,
    reference: &'a str,
}

impl Neg<'_> {
    fn vector(&self, serialization: &str, jwe: Value, decrypt: JweDecrypt) -> JweVector {
        vector(
            invalid(
                format!("jwe/negative/{}", self.id),
                self.description,
                generated(
                    "jose-rs negative vector",
                    &format!("jwe/negative/{}", self.id),
                ),
                self.code,
                self.explanation,
                Some(self.reference),
            ),
            serialization,
            jwe,
            None,
            decrypt,
            None,
        )
    }
}

fn encrypt_simple(
    key: &EncryptionKey,
    enc: E,
    plaintext: &[u8],
    seed: &str,
) -> Result<String, String> {
    let mut builder = CompactEncrypt::new(plaintext, enc)
        .fixed_iv(keys::bytes(&format!("{seed}/iv"), enc.iv_len()));
    if !derives_cek(key.alg()) {
        builder = builder.fixed_cek(SecretBytes::new(keys::bytes(
            &format!("{seed}/cek"),
            enc.key_len(),
        )));
    }
    builder.encrypt(key).map_err(|e| format!("{seed}: {e}"))
}

fn negatives(keys_: &JweKeys) -> Result<Vec<JweVector>, String> {
    let mut out = Vec::new();
    let pt = b"negative";
    let seed = "jwe/negative/base";
    let (kw_key, _, kw) = recipient(keys_, K::A128Kw, E::A128Gcm, Curve::P256, seed)?;
    let kw_token = encrypt_simple(&kw, E::A128Gcm, pt, seed)?;
    let kw_decrypt = || decrypt_block(kw_key.clone(), &[K::A128Kw], &[E::A128Gcm]);
    let tamper = [
        (
            "decryption-failed/tag",
            4,
            "the authentication tag with one bit flipped",
        ),
        (
            "decryption-failed/ciphertext",
            3,
            "the ciphertext with one bit flipped",
        ),
        ("decryption-failed/iv", 2, "the IV with one bit flipped"),
        (
            "decryption-failed/encrypted-key",
            1,
            "the wrapped CEK with one bit flipped (AES key wrap's integrity check fails)",
        ),
    ];
    for (id, part, description) in tamper {
        out.push(Neg { id, description, code: "decryption-failed", explanation: "any change to the encrypted key, IV, ciphertext or tag must fail authentication", reference: "RFC 7516, Section 5.2" }
            .vector("compact", json!(flip_part(&kw_token, part)?), kw_decrypt()));
    }
    out.push(
        Neg {
            id: "decryption-failed/protected-header",
            description: "the protected header re-encoded with an added cty: it is the AAD",
            code: "decryption-failed",
            explanation: "the protected header is authenticated as additional data",
            reference: "RFC 7516, Section 5.1 step 14",
        }
        .vector(
            "compact",
            json!(edit_header(&kw_token, |m| {
                m.insert("cty".into(), json!("text/plain"));
            })?),
            kw_decrypt(),
        ),
    );
    let iv = b64::encode(keys::bytes("jwe/negative/iv-11", 11));
    out.push(
        Neg {
            id: "iv-invalid/length",
            description: "an 11-byte IV for A128GCM",
            code: "iv-invalid",
            explanation: "AES-GCM in JWE uses a 96-bit IV",
            reference: "RFC 7518, Section 5.3",
        }
        .vector(
            "compact",
            json!(replace_part(&kw_token, 2, &iv)),
            kw_decrypt(),
        ),
    );
    let tag = kw_token.split('.').nth(4).ok_or("tag")?;
    let short = b64::encode(&unb64(tag)?[..15]);
    out.push(
        Neg {
            id: "iv-invalid/truncated-tag",
            description: "the 16-byte tag truncated to 15 bytes",
            code: "iv-invalid",
            explanation: "a truncated tag weakens authentication; its length is fixed by enc",
            reference: "RFC 7518, Section 5.3",
        }
        .vector(
            "compact",
            json!(replace_part(&kw_token, 4, &short)),
            kw_decrypt(),
        ),
    );
    let wrapped = b64::encode(keys::bytes("jwe/negative/wrapped-23", 23));
    out.push(
        Neg {
            id: "cek-invalid/wrapped-key-length",
            description: "a 23-byte wrapped key for A128KW (wrapped keys are multiples of 8 bytes)",
            code: "cek-invalid",
            explanation: "AES key wrap output is 8 bytes longer than the 16-byte CEK",
            reference: "RFC 3394; RFC 7518, Section 4.4",
        }
        .vector(
            "compact",
            json!(replace_part(&kw_token, 1, &wrapped)),
            kw_decrypt(),
        ),
    );
    out.push(
        Neg {
            id: "alg-not-allowed/alg",
            description: "A128KW; the recipient accepts only A256KW",
            code: "alg-not-allowed",
            explanation: "the recipient decides the algorithms",
            reference: "RFC 8725, Section 3.1",
        }
        .vector(
            "compact",
            json!(kw_token.clone()),
            decrypt_block(kw_key.clone(), &[K::A256Kw], &[E::A128Gcm]),
        ),
    );
    out.push(
        Neg {
            id: "alg-not-allowed/enc",
            description: "A128GCM; the recipient accepts only A256GCM",
            code: "alg-not-allowed",
            explanation: "the recipient decides the algorithms",
            reference: "RFC 8725, Section 3.1",
        }
        .vector(
            "compact",
            json!(kw_token.clone()),
            decrypt_block(kw_key.clone(), &[K::A128Kw], &[E::A256Gcm]),
        ),
    );
    out.push(Neg { id: "crit-unknown", description: "crit lists exp, which the recipient does not understand", code: "crit-unknown", explanation: "a recipient must refuse a JWE whose crit lists an extension it does not understand", reference: "RFC 7516, Section 4.1.13" }
        .vector("compact", json!(edit_header(&kw_token, |m| { m.insert("crit".into(), json!(["exp"])); m.insert("exp".into(), json!(1)); })?), kw_decrypt()));
    out.push(
        Neg {
            id: "bad-header/missing-enc",
            description: "the protected header has no enc",
            code: "bad-header",
            explanation: "enc is required",
            reference: "RFC 7516, Section 4.1.2",
        }
        .vector(
            "compact",
            json!(edit_header(&kw_token, |m| {
                m.remove("enc");
            })?),
            kw_decrypt(),
        ),
    );
    let h = b64::encode(br#"{"alg":"A128KW","enc":"A128GCM","enc":"A256GCM"}"#);
    out.push(
        Neg {
            id: "duplicate-member/header",
            description: "enc appears twice in the protected header",
            code: "duplicate-member",
            explanation: "member names must be unique",
            reference: "RFC 7516, Section 5.2; RFC 8725, Section 3.4",
        }
        .vector(
            "compact",
            json!(replace_part(&kw_token, 0, &h)),
            kw_decrypt(),
        ),
    );
    out.push(
        Neg {
            id: "malformed/four-parts",
            description: "a compact JWE with four parts",
            code: "malformed",
            explanation: "the compact serialization has exactly five parts",
            reference: "RFC 7516, Section 7.1",
        }
        .vector(
            "compact",
            json!(
                kw_token
                    .rsplit_once('.')
                    .map(|(a, _)| a)
                    .unwrap_or_default()
            ),
            kw_decrypt(),
        ),
    );

    // PBES2 parameters.
    let seed = "jwe/negative/pbes2";
    let (pw, _, pk) = recipient(keys_, K::Pbes2Hs256A128Kw, E::A128Gcm, Curve::P256, seed)?;
    let pbes2 = encrypt_simple(&pk, E::A128Gcm, pt, seed)?;
    let pd = || decrypt_block(pw.clone(), &[K::Pbes2Hs256A128Kw], &[E::A128Gcm]);
    out.push(Neg { id: "p2c-out-of-range/huge", description: "p2c of 10 000 000, above the recipient's limit of 310 000", code: "p2c-out-of-range", explanation: "each iteration costs the recipient; an attacker-chosen count is a denial of service", reference: "RFC 7518, Section 4.8.1.2; RFC 8725, Section 3.3" }
        .vector("compact", json!(edit_header(&pbes2, |m| { m.insert("p2c".into(), json!(10_000_000)); })?), { let mut d = pd(); d.max_p2c = Some(310_000); d }));
    out.push(
        Neg {
            id: "p2c-out-of-range/below-1000",
            description: "p2c of 999",
            code: "p2c-out-of-range",
            explanation: "RFC 7518 recommends at least 1000 iterations",
            reference: "RFC 7518, Section 4.8.1.2",
        }
        .vector(
            "compact",
            json!(edit_header(&pbes2, |m| {
                m.insert("p2c".into(), json!(999));
            })?),
            pd(),
        ),
    );
    out.push(
        Neg {
            id: "p2s-too-short",
            description: "p2s of 7 bytes",
            code: "p2s-too-short",
            explanation: "the salt input must be at least 8 octets",
            reference: "RFC 7518, Section 4.8.1.1",
        }
        .vector(
            "compact",
            json!(edit_header(&pbes2, |m| {
                m.insert("p2s".into(), json!(b64::encode([7u8; 7])));
            })?),
            pd(),
        ),
    );

    // ECDH-ES ephemeral keys.
    let seed = "jwe/negative/ecdh";
    let (ek, _, ekey) = recipient(keys_, K::EcdhEsA128Kw, E::A128Gcm, Curve::P256, seed)?;
    let ecdh = encrypt_simple(&ekey, E::A128Gcm, pt, seed)?;
    let ed = || decrypt_block(ek.clone(), &[K::EcdhEsA128Kw], &[E::A128Gcm]);
    let off_curve = edit_header(&ecdh, |m| {
        if let Some(y) = m
            .get("epk")
            .and_then(|e| e["y"].as_str())
            .and_then(|y| b64::decode(y).ok())
        {
            let mut y = y;
            if let Some(last) = y.last_mut() {
                *last ^= 1;
            }
            if let Some(epk) = m.get_mut("epk") {
                epk["y"] = json!(b64::encode(y));
            }
        }
    })?;
    out.push(Neg { id: "epk-invalid/off-curve", description: "epk is not a point on P-256 (y changed)", code: "epk-invalid", explanation: "invalid-curve attacks recover the recipient's private key from agreements with points off the curve", reference: "RFC 7518, Section 4.6; RFC 8725, Section 3.4" }
        .vector("compact", json!(off_curve), ed()));
    let other = keys::public_value(&keys::ec("jwe/negative/epk-p384", Curve::P384)?.without_kid())?;
    out.push(
        Neg {
            id: "epk-invalid/other-curve",
            description: "epk on P-384 for a P-256 recipient",
            code: "epk-invalid",
            explanation: "the ephemeral key must be on the recipient key's curve",
            reference: "RFC 7518, Section 4.6.1.1",
        }
        .vector(
            "compact",
            json!(edit_header(&ecdh, |m| {
                m.insert("epk".into(), other.clone());
            })?),
            ed(),
        ),
    );
    let seed = "jwe/negative/x25519";
    let (xk, _, xkey) = recipient(keys_, K::EcdhEs, E::A128Gcm, Curve::X25519, seed)?;
    let x = encrypt_simple(&xkey, E::A128Gcm, pt, seed)?;
    out.push(Neg { id: "epk-invalid/x25519-low-order", description: "an X25519 epk of all zeros (a low-order point: the shared secret is zero)", code: "epk-invalid", explanation: "an all-zero X25519 output must be refused", reference: "RFC 7748, Section 6.1; RFC 8037, Section 3.2" }
        .vector("compact", json!(edit_header(&x, |m| { m.insert("epk".into(), json!({"kty": "OKP", "crv": "X25519", "x": b64::encode([0u8; 32])})); })?), decrypt_block(xk, &[K::EcdhEs], &[E::A128Gcm])));

    // dir with a key of the wrong size for enc.
    let seed = "jwe/negative/dir";
    let (dk, _, dkey) = recipient(keys_, K::Dir, E::A128Gcm, Curve::P256, seed)?;
    let dir = encrypt_simple(&dkey, E::A128Gcm, pt, seed)?;
    out.push(Neg { id: "cek-invalid/dir-key-size", description: "dir with a 16-byte key, the header changed to A256GCM (which needs 32 bytes)", code: "cek-invalid", explanation: "the CEK must have the size enc requires", reference: "RFC 7518, Section 4.5" }
        .vector("compact", json!(edit_header(&dir, |m| { m.insert("enc".into(), json!("A256GCM")); })?), decrypt_block(dk, &[K::Dir], &[E::A256Gcm])));

    // A compression bomb: 4 MiB of zeros deflate to a few kilobytes.
    let seed = "jwe/negative/zip-bomb";
    let bomb = vec![0u8; 4 << 20];
    let bomb_jwe = CompactEncrypt::new(&bomb, E::A128Gcm)
        .zip()
        .fixed_cek(SecretBytes::new(keys::bytes(&format!("{seed}/cek"), 16)))
        .fixed_iv(keys::bytes(&format!("{seed}/iv"), 12))
        .encrypt(&kw)
        .map_err(|e| format!("{seed}: {e}"))?;
    out.push(
        Neg {
            id: "zip-too-large",
            description: "zip DEF content that inflates from a few kilobytes to 4 MiB",
            code: "zip-too-large",
            explanation: "decompression must be bounded, or a small token becomes gigabytes",
            reference: "RFC 8725, Section 3.6",
        }
        .vector("compact", json!(bomb_jwe), kw_decrypt()),
    );

    // JSON serialization: a parameter in two headers.
    let seed = "jwe/negative/json";
    let flattened = JsonEncrypt::new(pt, E::A128Gcm)
        .recipient(&kw)
        .fixed_cek(SecretBytes::new(keys::bytes(&format!("{seed}/cek"), 16)))
        .fixed_iv(keys::bytes(&format!("{seed}/iv"), 12))
        .encrypt_flattened()
        .map_err(|e| format!("{seed}: {e}"))?;
    let mut not_disjoint = flattened.clone();
    not_disjoint["unprotected"] = json!({ "enc": "A128GCM" });
    out.push(Neg { id: "header-not-disjoint", description: "enc in both the protected and the shared unprotected header", code: "header-not-disjoint", explanation: "header parameter names must be disjoint across the protected, shared and per-recipient headers", reference: "RFC 7516, Section 7.2.1" }
        .vector("flattened", not_disjoint, kw_decrypt()));
    let _ = OctKey::new;
    Ok(out)
}

/// Every JWE vector.
pub fn generate() -> Result<Vec<Value>, String> {
    let keys_ = JweKeys::new()?;
    let mut all = published()?;
    all.extend(every_pair(&keys_)?);
    all.extend(json_positives(&keys_)?);
    all.extend(negatives(&keys_)?);
    all.iter().map(util::to_value).collect()
}

// --- Check -----------------------------------------------------------------------------------

fn kms(names: &[String]) -> Result<Vec<K>, String> {
    names
        .iter()
        .map(|n| n.parse().map_err(|_| format!("unknown alg {n:?}")))
        .collect()
}

fn encs(names: &[String]) -> Result<Vec<E>, String> {
    names
        .iter()
        .map(|n| n.parse().map_err(|_| format!("unknown enc {n:?}")))
        .collect()
}

fn options(d: &JweDecrypt) -> Result<DecryptOptions, String> {
    let mut o = DecryptOptions::new()
        .algorithms(kms(&d.algorithms)?)
        .encryptions(encs(&d.encryptions)?);
    for c in &d.critical {
        o = o.understand_crit(c.clone());
    }
    if let Some(max) = d.max_p2c {
        o = o.limits(jwe::Limits {
            max_p2c: max,
            ..jwe::Limits::default()
        });
    }
    Ok(o)
}

/// The key source of a vector: a password for PBES2 (`oct` JWK of the password), a JWK or a
/// JWK Set otherwise.
fn decrypt_with(v: &JweVector, options: &DecryptOptions) -> Result<jwe::DecryptedJwe, JweError> {
    let text = match &v.jwe {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let pbes2 = v.decrypt.algorithms.iter().all(|a| a.starts_with("PBES2"));
    let key = &v.decrypt.key;
    let source: Box<dyn KeySource> = if pbes2 && key["kty"] == "oct" {
        let bytes = key["k"]
            .as_str()
            .and_then(|k| b64::decode(k).ok())
            .unwrap_or_default();
        Box::new(Password::new(bytes)?)
    } else if key.get("keys").is_some() {
        Box::new(jose_core::jwk::JwkSet::from_json(key.to_string())?)
    } else {
        Box::new(Jwk::from_json(key.to_string())?)
    };
    if v.serialization == "compact" {
        jwe::compact::decrypt(&text, &*source, options)
    } else {
        jwe::json::decrypt(&text, &*source, options)
    }
}

/// Encrypts again from the vector's inputs and compares.
fn reproduce(v: &JweVector, e: &JweEncrypt, plaintext: &[u8]) -> Result<(), String> {
    let enc: E = encs(&v.decrypt.encryptions)?
        .first()
        .copied()
        .ok_or("no enc")?;
    let protected: Value = serde_json::from_str(&e.protected).map_err(|x| x.to_string())?;
    let mut keys_ = Vec::new();
    for r in &e.recipients {
        let header = r.header.clone().unwrap_or(Value::Null);
        let param = |name: &str| header.get(name).or_else(|| protected.get(name)).cloned();
        let alg: K = param("alg")
            .and_then(|a| a.as_str().and_then(|s| s.parse().ok()))
            .ok_or("recipient alg")?;
        let mut key = if is_pbes2(alg) {
            let bytes = r.key["k"]
                .as_str()
                .and_then(|k| b64::decode(k).ok())
                .unwrap_or_default();
            EncryptionKey::password(Password::new(bytes).map_err(|x| x.to_string())?, alg)
                .map_err(|x| x.to_string())?
        } else {
            EncryptionKey::new(util::jwk(&r.key)?, alg).map_err(|x| x.to_string())?
        };
        if let Some(p2s) = param("p2s").and_then(|s| s.as_str().and_then(|s| b64::decode(s).ok())) {
            key = key.fixed_p2s(p2s);
        }
        if let Some(p2c) = param("p2c")
            .and_then(|c| c.as_u64())
            .and_then(|c| u32::try_from(c).ok())
        {
            key = key.with_p2c(p2c);
        }
        if let Some(iv) = param("iv").and_then(|s| s.as_str().and_then(|s| b64::decode(s).ok())) {
            key = key.fixed_key_wrap_iv(iv);
        }
        if let Some(apu) = param("apu").and_then(|s| s.as_str().and_then(|s| b64::decode(s).ok())) {
            key = key.with_apu(apu);
        }
        if let Some(apv) = param("apv").and_then(|s| s.as_str().and_then(|s| b64::decode(s).ok())) {
            key = key.with_apv(apv);
        }
        if let Some(epk) = &r.epk_private {
            key = key.fixed_ephemeral_key(util::jwk(epk)?);
        }
        keys_.push(key);
    }
    let cek = unb64(&e.cek_b64)?;
    let iv = unb64(&e.iv_b64)?;
    let produced = if v.serialization == "compact" {
        let mut b = CompactEncrypt::new(plaintext, enc)
            .protected_json(e.protected.clone())
            .fixed_iv(iv);
        if !cek.is_empty() {
            b = b.fixed_cek(SecretBytes::new(cek));
        }
        json!(
            b.encrypt(keys_.first().ok_or("no recipient")?)
                .map_err(|x| x.to_string())?
        )
    } else {
        let aad = e.aad_b64.as_deref().map(unb64).transpose()?;
        let mut b = JsonEncrypt::new(plaintext, enc)
            .protected_json(e.protected.clone())
            .fixed_iv(iv)
            .fixed_cek(SecretBytes::new(cek));
        if let Some(u) = &e.unprotected {
            b = b.unprotected(
                JweHeader::from_json(u.to_string().as_bytes()).map_err(|x| x.to_string())?,
            );
        }
        if let Some(aad) = &aad {
            b = b.aad(aad);
        }
        for (k, r) in keys_.iter().zip(&e.recipients) {
            b = match &r.header {
                Some(h) => {
                    // The algorithm's own parameters (epk, p2s, p2c, iv, tag) are the key's to add.
                    let mut h = h.clone();
                    if let Some(m) = h.as_object_mut() {
                        for name in ["epk", "p2s", "p2c", "iv", "tag", "apu", "apv", "kid"] {
                            m.remove(name);
                        }
                    }
                    let header = JweHeader::from_json(h.to_string().as_bytes())
                        .map_err(|x| x.to_string())?;
                    b.recipient_with_header(k, header)
                }
                None => b.recipient(k),
            };
        }
        if v.serialization == "general" {
            b.encrypt_general()
        } else {
            b.encrypt_flattened()
        }
        .map_err(|x| x.to_string())?
    };
    if produced != v.jwe {
        return Err(format!(
            "encrypting again produced {produced}, not the vector's JWE"
        ));
    }
    Ok(())
}

/// Checks one JWE vector.
pub fn check(value: &Value) -> Result<String, String> {
    let v: JweVector = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    let options = options(&v.decrypt)?;
    let result = decrypt_with(&v, &options);
    match v.common.expect {
        Expect::Valid => {
            let decrypted = result.map_err(|e| format!("expected valid, refused: {e}"))?;
            let plaintext = unb64(
                v.plaintext_b64
                    .as_deref()
                    .ok_or("valid vector without plaintext_b64")?,
            )?;
            if decrypted.plaintext() != plaintext.as_slice() {
                return Err("decrypted, but the plaintext differs".into());
            }
            if let Some(text) = &v.plaintext_utf8
                && text.as_bytes() != plaintext.as_slice()
            {
                return Err("plaintext_utf8 differs from plaintext_b64".into());
            }
            match &v.encrypt {
                Some(e) if e.reproducible == Reproducible::Exact => {
                    reproduce(&v, e, &plaintext)?;
                    Ok("decrypted, encrypted again byte for byte".into())
                }
                _ => Ok("decrypted".into()),
            }
        }
        Expect::Invalid => {
            let reason = v.common.reason.as_ref().ok_or("no reason")?;
            match result {
                Ok(_) => Err(format!("expected refusal ({}), accepted", reason.code)),
                Err(e) if reasons::jwe_matches(&reason.code, &e) => Ok(format!("refused: {e}")),
                Err(e) => Err(format!(
                    "refused, but for another reason than {}: {e:?}",
                    reason.code
                )),
            }
        }
    }
}
