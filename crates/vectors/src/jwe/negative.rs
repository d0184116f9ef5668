//! The invalid JWE vectors, as a table of mutations of valid tokens.
//!
//! Each row of [`NEGATIVES`] is one vector: its id, what it shows, the reason code with its
//! explanation and reference, and the mutation that makes it from the [`Fixtures`] (valid
//! compact JWEs for A128KW, PBES2, ECDH-ES on P-256 and X25519, and dir, each with its
//! recipient key). The order of the rows is the order of the vectors in `jwe.json`.

use super::{E, JweKeys, K, decrypt_block, derives_cek, protected_of, recipient, vector};
use crate::format::{JweDecrypt, JweVector};
use crate::keys;
use crate::util::{negative, unb64};
use jose_core::SecretBytes;
use jose_core::alg::Curve;
use jose_core::b64;
use jwe::EncryptionKey;
use jwe::compact::CompactEncrypt;
use jwe::json::JsonEncrypt;
use serde_json::{Map, Value, json};

/// The plaintext of every negative token.
const PLAINTEXT: &[u8] = b"negative";

/// A valid compact JWE and the recipient's key (as the vector gives it).
struct Base {
    key: Value,
    token: String,
}

impl Base {
    /// Encrypts [`PLAINTEXT`] for a recipient of `alg` with A128GCM, everything seeded.
    fn new(
        keys_: &JweKeys,
        alg: K,
        curve: Curve,
        seed: &str,
    ) -> Result<(Self, EncryptionKey), String> {
        let (key, _, encryption_key) = recipient(keys_, alg, E::A128Gcm, curve, seed)?;
        let token = encrypt_simple(&encryption_key, E::A128Gcm, PLAINTEXT, seed)?;
        Ok((Self { key, token }, encryption_key))
    }

    /// The token with its protected header rewritten by `edit`.
    fn edited(&self, edit: impl FnOnce(&mut Map<String, Value>)) -> Result<String, String> {
        edit_header(&self.token, edit)
    }
}

/// What the mutations start from.
struct Fixtures {
    kw: Base,
    /// The A128KW recipient, for the tokens made from scratch (zip, JSON).
    kw_encryption_key: EncryptionKey,
    pbes2: Base,
    ecdh: Base,
    x25519: Base,
    dir: Base,
}

impl Fixtures {
    fn new(keys_: &JweKeys) -> Result<Self, String> {
        let (kw, kw_encryption_key) =
            Base::new(keys_, K::A128Kw, Curve::P256, "jwe/negative/base")?;
        Ok(Self {
            kw,
            kw_encryption_key,
            pbes2: Base::new(
                keys_,
                K::Pbes2Hs256A128Kw,
                Curve::P256,
                "jwe/negative/pbes2",
            )?
            .0,
            ecdh: Base::new(keys_, K::EcdhEsA128Kw, Curve::P256, "jwe/negative/ecdh")?.0,
            x25519: Base::new(keys_, K::EcdhEs, Curve::X25519, "jwe/negative/x25519")?.0,
            dir: Base::new(keys_, K::Dir, Curve::P256, "jwe/negative/dir")?.0,
        })
    }

    /// `jwe` (compact) for the A128KW / A128GCM recipient.
    fn for_kw(&self, jwe: String) -> Made {
        self.made(json!(jwe), &[K::A128Kw], &[E::A128Gcm])
    }

    /// `jwe` for the A128KW recipient that accepts only these algorithms.
    fn made(&self, jwe: Value, alg: &[K], enc: &[E]) -> Made {
        Made {
            serialization: "compact",
            jwe,
            decrypt: decrypt_block(self.kw.key.clone(), alg, enc),
        }
    }

    /// `jwe` for the PBES2 recipient.
    fn for_pbes2(&self, jwe: String) -> Made {
        Made {
            serialization: "compact",
            jwe: json!(jwe),
            decrypt: decrypt_block(
                self.pbes2.key.clone(),
                &[K::Pbes2Hs256A128Kw],
                &[E::A128Gcm],
            ),
        }
    }

    /// `jwe` for the ECDH-ES+A128KW recipient on P-256.
    fn for_ecdh(&self, jwe: String) -> Made {
        Made {
            serialization: "compact",
            jwe: json!(jwe),
            decrypt: decrypt_block(self.ecdh.key.clone(), &[K::EcdhEsA128Kw], &[E::A128Gcm]),
        }
    }
}

/// What a mutation makes: the JWE and how the recipient is set up.
struct Made {
    serialization: &'static str,
    jwe: Value,
    decrypt: JweDecrypt,
}

/// One invalid vector: its reason, and the mutation that makes it.
struct Mutation {
    /// The id, below `jwe/negative/`.
    id: &'static str,
    description: &'static str,
    code: &'static str,
    explanation: &'static str,
    reference: &'static str,
    make: fn(&Fixtures) -> Result<Made, String>,
}

impl Mutation {
    fn vector(&self, f: &Fixtures) -> Result<JweVector, String> {
        let made = (self.make)(f).map_err(|e| format!("{}: {e}", self.id))?;
        let id = format!("jwe/negative/{}", self.id);
        Ok(vector(
            negative(
                &id,
                self.description,
                self.code,
                self.explanation,
                Some(self.reference),
            ),
            made.serialization,
            made.jwe,
            None,
            made.decrypt,
            None,
        ))
    }
}

/// Every invalid JWE vector, in file order.
pub(super) fn negatives(keys_: &JweKeys) -> Result<Vec<JweVector>, String> {
    let f = Fixtures::new(keys_)?;
    NEGATIVES.iter().map(|m| m.vector(&f)).collect()
}

const TAMPERED: &str =
    "any change to the encrypted key, IV, ciphertext or tag must fail authentication";
const RECIPIENT_DECIDES: &str = "the recipient decides the algorithms";

/// The rows: one invalid vector each, in file order.
const NEGATIVES: &[Mutation] = &[
    // Tampering.
    Mutation {
        id: "decryption-failed/tag",
        description: "the authentication tag with one bit flipped",
        code: "decryption-failed",
        explanation: TAMPERED,
        reference: "RFC 7516, Section 5.2",
        make: |f| Ok(f.for_kw(flip_part(&f.kw.token, 4)?)),
    },
    Mutation {
        id: "decryption-failed/ciphertext",
        description: "the ciphertext with one bit flipped",
        code: "decryption-failed",
        explanation: TAMPERED,
        reference: "RFC 7516, Section 5.2",
        make: |f| Ok(f.for_kw(flip_part(&f.kw.token, 3)?)),
    },
    Mutation {
        id: "decryption-failed/iv",
        description: "the IV with one bit flipped",
        code: "decryption-failed",
        explanation: TAMPERED,
        reference: "RFC 7516, Section 5.2",
        make: |f| Ok(f.for_kw(flip_part(&f.kw.token, 2)?)),
    },
    Mutation {
        id: "decryption-failed/encrypted-key",
        description: "the wrapped CEK with one bit flipped (AES key wrap's integrity check fails)",
        code: "decryption-failed",
        explanation: TAMPERED,
        reference: "RFC 7516, Section 5.2",
        make: |f| Ok(f.for_kw(flip_part(&f.kw.token, 1)?)),
    },
    Mutation {
        id: "decryption-failed/protected-header",
        description: "the protected header re-encoded with an added cty: it is the AAD",
        code: "decryption-failed",
        explanation: "the protected header is authenticated as additional data",
        reference: "RFC 7516, Section 5.1 step 14",
        make: |f| {
            let token = f.kw.edited(|m| {
                m.insert("cty".into(), json!("text/plain"));
            })?;
            Ok(f.for_kw(token))
        },
    },
    // Sizes.
    Mutation {
        id: "iv-invalid/length",
        description: "an 11-byte IV for A128GCM",
        code: "iv-invalid",
        explanation: "AES-GCM in JWE uses a 96-bit IV",
        reference: "RFC 7518, Section 5.3",
        make: |f| {
            let iv = b64::encode(keys::bytes("jwe/negative/iv-11", 11));
            Ok(f.for_kw(replace_part(&f.kw.token, 2, &iv)))
        },
    },
    Mutation {
        id: "iv-invalid/truncated-tag",
        description: "the 16-byte tag truncated to 15 bytes",
        code: "iv-invalid",
        explanation: "a truncated tag weakens authentication; its length is fixed by enc",
        reference: "RFC 7518, Section 5.3",
        make: |f| {
            let tag = unb64(f.kw.token.split('.').nth(4).ok_or("tag")?)?;
            let short = b64::encode(tag.get(..15).ok_or("tag length")?);
            Ok(f.for_kw(replace_part(&f.kw.token, 4, &short)))
        },
    },
    Mutation {
        id: "cek-invalid/wrapped-key-length",
        description: "a 23-byte wrapped key for A128KW (wrapped keys are multiples of 8 bytes)",
        code: "cek-invalid",
        explanation: "AES key wrap output is 8 bytes longer than the 16-byte CEK",
        reference: "RFC 3394; RFC 7518, Section 4.4",
        make: |f| {
            let wrapped = b64::encode(keys::bytes("jwe/negative/wrapped-23", 23));
            Ok(f.for_kw(replace_part(&f.kw.token, 1, &wrapped)))
        },
    },
    // Allow-lists and headers.
    Mutation {
        id: "alg-not-allowed/alg",
        description: "A128KW; the recipient accepts only A256KW",
        code: "alg-not-allowed",
        explanation: RECIPIENT_DECIDES,
        reference: "RFC 8725, Section 3.1",
        make: |f| Ok(f.made(json!(f.kw.token), &[K::A256Kw], &[E::A128Gcm])),
    },
    Mutation {
        id: "alg-not-allowed/enc",
        description: "A128GCM; the recipient accepts only A256GCM",
        code: "alg-not-allowed",
        explanation: RECIPIENT_DECIDES,
        reference: "RFC 8725, Section 3.1",
        make: |f| Ok(f.made(json!(f.kw.token), &[K::A128Kw], &[E::A256Gcm])),
    },
    Mutation {
        id: "crit-unknown",
        description: "crit lists exp, which the recipient does not understand",
        code: "crit-unknown",
        explanation: "a recipient must refuse a JWE whose crit lists an extension it does not understand",
        reference: "RFC 7516, Section 4.1.13",
        make: |f| {
            let token = f.kw.edited(|m| {
                m.insert("crit".into(), json!(["exp"]));
                m.insert("exp".into(), json!(1));
            })?;
            Ok(f.for_kw(token))
        },
    },
    Mutation {
        id: "bad-header/missing-enc",
        description: "the protected header has no enc",
        code: "bad-header",
        explanation: "enc is required",
        reference: "RFC 7516, Section 4.1.2",
        make: |f| {
            let token = f.kw.edited(|m| {
                m.remove("enc");
            })?;
            Ok(f.for_kw(token))
        },
    },
    Mutation {
        id: "duplicate-member/header",
        description: "enc appears twice in the protected header",
        code: "duplicate-member",
        explanation: "member names must be unique",
        reference: "RFC 7516, Section 5.2; RFC 8725, Section 3.4",
        make: |f| {
            let h = b64::encode(br#"{"alg":"A128KW","enc":"A128GCM","enc":"A256GCM"}"#);
            Ok(f.for_kw(replace_part(&f.kw.token, 0, &h)))
        },
    },
    Mutation {
        id: "malformed/four-parts",
        description: "a compact JWE with four parts",
        code: "malformed",
        explanation: "the compact serialization has exactly five parts",
        reference: "RFC 7516, Section 7.1",
        make: |f| {
            let (four, _) = f.kw.token.rsplit_once('.').unwrap_or_default();
            Ok(f.for_kw(four.to_owned()))
        },
    },
    // PBES2 parameters.
    Mutation {
        id: "p2c-out-of-range/huge",
        description: "p2c of 10 000 000, above the recipient's limit of 310 000",
        code: "p2c-out-of-range",
        explanation: "each iteration costs the recipient; an attacker-chosen count is a denial of service",
        reference: "RFC 7518, Section 4.8.1.2; RFC 8725, Section 3.3",
        make: |f| {
            let token = f.pbes2.edited(|m| {
                m.insert("p2c".into(), json!(10_000_000));
            })?;
            let mut made = f.for_pbes2(token);
            made.decrypt.max_p2c = Some(310_000);
            Ok(made)
        },
    },
    Mutation {
        id: "p2c-out-of-range/below-1000",
        description: "p2c of 999",
        code: "p2c-out-of-range",
        explanation: "RFC 7518 recommends at least 1000 iterations",
        reference: "RFC 7518, Section 4.8.1.2",
        make: |f| {
            let token = f.pbes2.edited(|m| {
                m.insert("p2c".into(), json!(999));
            })?;
            Ok(f.for_pbes2(token))
        },
    },
    Mutation {
        id: "p2s-too-short",
        description: "p2s of 7 bytes",
        code: "p2s-too-short",
        explanation: "the salt input must be at least 8 octets",
        reference: "RFC 7518, Section 4.8.1.1",
        make: |f| {
            let token = f.pbes2.edited(|m| {
                m.insert("p2s".into(), json!(b64::encode([7u8; 7])));
            })?;
            Ok(f.for_pbes2(token))
        },
    },
    // ECDH-ES ephemeral keys.
    Mutation {
        id: "epk-invalid/off-curve",
        description: "epk is not a point on P-256 (y changed)",
        code: "epk-invalid",
        explanation: "invalid-curve attacks recover the recipient's private key from agreements with points off the curve",
        reference: "RFC 7518, Section 4.6; RFC 8725, Section 3.4",
        make: |f| {
            let token = f.ecdh.edited(|m| {
                let Some(epk) = m.get_mut("epk") else {
                    return;
                };
                if let Some(mut y) = epk["y"].as_str().and_then(|y| b64::decode(y).ok()) {
                    if let Some(last) = y.last_mut() {
                        *last ^= 1;
                    }
                    epk["y"] = json!(b64::encode(y));
                }
            })?;
            Ok(f.for_ecdh(token))
        },
    },
    Mutation {
        id: "epk-invalid/other-curve",
        description: "epk on P-384 for a P-256 recipient",
        code: "epk-invalid",
        explanation: "the ephemeral key must be on the recipient key's curve",
        reference: "RFC 7518, Section 4.6.1.1",
        make: |f| {
            let p384 = keys::ec("jwe/negative/epk-p384", Curve::P384)?.without_kid();
            let other = keys::public_value(&p384)?;
            let token = f.ecdh.edited(|m| {
                m.insert("epk".into(), other);
            })?;
            Ok(f.for_ecdh(token))
        },
    },
    Mutation {
        id: "epk-invalid/x25519-low-order",
        description: "an X25519 epk of all zeros (a low-order point: the shared secret is zero)",
        code: "epk-invalid",
        explanation: "an all-zero X25519 output must be refused",
        reference: "RFC 7748, Section 6.1; RFC 8037, Section 3.2",
        make: |f| {
            let zero = json!({"kty": "OKP", "crv": "X25519", "x": b64::encode([0u8; 32])});
            let token = f.x25519.edited(|m| {
                m.insert("epk".into(), zero);
            })?;
            Ok(Made {
                serialization: "compact",
                jwe: json!(token),
                decrypt: decrypt_block(f.x25519.key.clone(), &[K::EcdhEs], &[E::A128Gcm]),
            })
        },
    },
    // dir with a key of the wrong size for enc.
    Mutation {
        id: "cek-invalid/dir-key-size",
        description: "dir with a 16-byte key, the header changed to A256GCM (which needs 32 bytes)",
        code: "cek-invalid",
        explanation: "the CEK must have the size enc requires",
        reference: "RFC 7518, Section 4.5",
        make: |f| {
            let token = f.dir.edited(|m| {
                m.insert("enc".into(), json!("A256GCM"));
            })?;
            Ok(Made {
                serialization: "compact",
                jwe: json!(token),
                decrypt: decrypt_block(f.dir.key.clone(), &[K::Dir], &[E::A256Gcm]),
            })
        },
    },
    // A compression bomb: 4 MiB of zeros deflate to a few kilobytes.
    Mutation {
        id: "zip-too-large",
        description: "zip DEF content that inflates from a few kilobytes to 4 MiB",
        code: "zip-too-large",
        explanation: "decompression must be bounded, or a small token becomes gigabytes",
        reference: "RFC 8725, Section 3.6",
        make: |f| {
            let seed = "jwe/negative/zip-bomb";
            let bomb = vec![0u8; 4 << 20];
            let token = CompactEncrypt::new(&bomb, E::A128Gcm)
                .zip()
                .fixed_cek(SecretBytes::new(keys::bytes(&format!("{seed}/cek"), 16)))
                .fixed_iv(keys::bytes(&format!("{seed}/iv"), 12))
                .encrypt(&f.kw_encryption_key)
                .map_err(|e| format!("{seed}: {e}"))?;
            Ok(f.for_kw(token))
        },
    },
    // JSON serialization: a parameter in two headers.
    Mutation {
        id: "header-not-disjoint",
        description: "enc in both the protected and the shared unprotected header",
        code: "header-not-disjoint",
        explanation: "header parameter names must be disjoint across the protected, shared and per-recipient headers",
        reference: "RFC 7516, Section 7.2.1",
        make: |f| {
            let seed = "jwe/negative/json";
            let mut flattened = JsonEncrypt::new(PLAINTEXT, E::A128Gcm)
                .recipient(&f.kw_encryption_key)
                .fixed_cek(SecretBytes::new(keys::bytes(&format!("{seed}/cek"), 16)))
                .fixed_iv(keys::bytes(&format!("{seed}/iv"), 12))
                .encrypt_flattened()
                .map_err(|e| format!("{seed}: {e}"))?;
            flattened["unprotected"] = json!({ "enc": "A128GCM" });
            Ok(Made {
                serialization: "flattened",
                ..f.made(flattened, &[K::A128Kw], &[E::A128Gcm])
            })
        },
    },
];

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
fn edit_header(token: &str, edit: impl FnOnce(&mut Map<String, Value>)) -> Result<String, String> {
    let text = protected_of(&json!(token))?;
    let mut map: Map<String, Value> = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    edit(&mut map);
    let header = serde_json::to_string(&map).map_err(|e| e.to_string())?;
    Ok(replace_part(token, 0, &b64::encode(header.as_bytes())))
}

/// Encrypts `plaintext` compact with the IV and (unless derived) the CEK seeded from `seed`.
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
