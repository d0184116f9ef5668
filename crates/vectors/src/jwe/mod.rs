//! JWE vectors: the RFC 7516, RFC 7520 and RFC 8037 examples, one generated vector per
//! key management × content encryption pair, JSON serializations, and the negative cases.
//!
//! Generated vectors fix every random input through the `jwe` crate's test-only hooks
//! (`fixed-randomness-for-tests`): CEK, IV, ECDH-ES ephemeral key, PBES2 salt, AES-GCM key wrap
//! IV. RSA-OAEP pads with fresh randomness inside the RSA operation; those vectors are made
//! here with a seeded RSA-OAEP and the workspace's content encryption, and are decrypt-only
//! for everyone (`reproducible: randomized`).

mod negative;

use super::format::{
    Common, Expect, JweDecrypt, JweEncrypt, JweRecipient, JweVector, Reproducible,
};
use super::util::{self, cite, generated, str_of, unb64, utf8, valid};
use super::{keys, reasons};
use jose_core::SecretBytes;
use jose_core::alg::{ContentEncryptionAlgorithm as E, Curve, KeyManagementAlgorithm as K};
use jose_core::b64;
use jose_core::header::JweHeader;
use jose_core::jwk::{Jwk, KeyMaterial};
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
    let mut out = flattened_aad(keys_)?;
    out.extend(three_recipients(keys_)?);
    out.extend(compressed(keys_)?);
    Ok(out)
}

/// A flattened JWE with a shared unprotected header and AAD.
fn flattened_aad(keys_: &JweKeys) -> Result<Vec<JweVector>, String> {
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
    Ok(out)
}

/// A general JWE for three recipients of three kinds; one vector per recipient key.
fn three_recipients(keys_: &JweKeys) -> Result<Vec<JweVector>, String> {
    let mut out = Vec::new();
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
    Ok(out)
}

/// A compressed (zip DEF) JWE.
fn compressed(keys_: &JweKeys) -> Result<Vec<JweVector>, String> {
    let mut out = Vec::new();
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
    let mut out = rfc7516()?;
    out.extend(cookbook()?);
    out.extend(rfc8037()?);
    Ok(out)
}

/// The examples of RFC 7516, Appendix A.
fn rfc7516() -> Result<Vec<JweVector>, String> {
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
    Ok(out)
}

/// The JWE examples of RFC 7520: file under `vectors/sources/` and section.
const COOKBOOK: &[(&str, &str)] = &[
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

/// The JWE examples of RFC 7520 (the JOSE cookbook).
fn cookbook() -> Result<Vec<JweVector>, String> {
    let mut out = Vec::new();
    for &(file, section) in COOKBOOK {
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
    Ok(out)
}

/// The X25519 example of RFC 8037, Appendix A.6.
fn rfc8037() -> Result<Vec<JweVector>, String> {
    let mut out = Vec::new();
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

/// Every JWE vector.
pub fn generate() -> Result<Vec<Value>, String> {
    let keys_ = JweKeys::new()?;
    let mut all = published()?;
    all.extend(every_pair(&keys_)?);
    all.extend(json_positives(&keys_)?);
    all.extend(negative::negatives(&keys_)?);
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
