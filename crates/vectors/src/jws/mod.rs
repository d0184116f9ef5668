//! JWS vectors: the RFC 7515, RFC 7520, RFC 8037 and RFC 7797 examples, one generated vector
//! per algorithm and serialization, and the negative cases.

mod negative;

use super::format::{Expect, JwsSign, JwsSignature, JwsVector, JwsVerify, Reproducible, Source};
use super::util::{
    self, Keys, all_jws_algs, b64s, cite, generated, invalid, jwk, jws_alg, jws_algs, str_of,
    unb64, utf8, valid, verification_value,
};
use super::{keys, reasons};
use jose_core::alg::{Curve, JwsAlgorithm};
use jose_core::b64;
use jose_core::header::JwsHeader;
use jose_core::jwk::{Jwk, KeyMaterial};
use jws::json::JsonSign;
use jws::{JwsError, Signer, SigningKey, VerifiedJws, VerifyOptions, compact};
use serde_json::{Value, json};

/// The seeded keys the generated JWS and JWT vectors use, by algorithm.
#[derive(Debug)]
pub struct JwsKeys {
    hs256: Jwk,
    hs384: Jwk,
    hs512: Jwk,
    rsa: Jwk,
    p256: Jwk,
    p384: Jwk,
    p521: Jwk,
    ed25519: Jwk,
}

impl JwsKeys {
    /// Derives the keys from their seeds.
    pub fn new() -> Result<Self, String> {
        Ok(Self {
            hs256: keys::oct("hs256", 32)?,
            hs384: keys::oct("hs384", 48)?,
            hs512: keys::oct("hs512", 64)?,
            rsa: keys::rsa("rsa-2048", 2048)?,
            p256: keys::ec("p256", Curve::P256)?,
            p384: keys::ec("p384", Curve::P384)?,
            p521: keys::ec("p521", Curve::P521)?,
            ed25519: keys::ed25519("ed25519")?,
        })
    }

    /// The key for `alg`.
    pub fn for_alg(&self, alg: JwsAlgorithm) -> &Jwk {
        use JwsAlgorithm as A;
        match alg {
            A::HS256 => &self.hs256,
            A::HS384 => &self.hs384,
            A::HS512 => &self.hs512,
            A::ES256 => &self.p256,
            A::ES384 => &self.p384,
            A::ES512 => &self.p521,
            A::EdDSA | A::Ed25519 => &self.ed25519,
            _ => &self.rsa,
        }
    }

    /// Every key, for the thumbprint and JWK vectors.
    pub fn all(&self) -> [&Jwk; 8] {
        [
            &self.hs256,
            &self.hs384,
            &self.hs512,
            &self.rsa,
            &self.p256,
            &self.p384,
            &self.p521,
            &self.ed25519,
        ]
    }
}

/// Signs RSASSA-PSS with salt and blinding drawn from a seeded stream, so that generated PSS
/// vectors are reproducible by `vectors generate` (PSS is randomised by design; other
/// implementations only verify these).
#[derive(Debug)]
pub struct SeededPss {
    key: Jwk,
    alg: JwsAlgorithm,
    seed: String,
}

impl SeededPss {
    /// A PSS signer for `alg` with `key`, its randomness drawn from `seed`.
    pub fn new(key: Jwk, alg: JwsAlgorithm, seed: &str) -> Self {
        Self {
            key,
            alg,
            seed: seed.to_owned(),
        }
    }
}

impl Signer for SeededPss {
    fn algorithm(&self) -> JwsAlgorithm {
        self.alg
    }

    fn key_id(&self) -> Option<&str> {
        self.key.kid()
    }

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JwsError> {
        use rsa::pss::Pss;
        use rsa::traits::SignatureScheme;
        use sha2::{Digest, Sha256, Sha384, Sha512};
        let KeyMaterial::Rsa(rsa) = self.key.material() else {
            return Err(JwsError::Signer("not an RSA key".into()));
        };
        let private = rsa
            .private_key()
            .ok_or_else(|| JwsError::Signer("not a private key".into()))?;
        let mut rng = keys::rng(&self.seed);
        let result = match self.alg {
            JwsAlgorithm::PS256 => {
                Pss::<Sha256>::new().sign(Some(&mut rng), private, &Sha256::digest(signing_input))
            }
            JwsAlgorithm::PS384 => {
                Pss::<Sha384>::new().sign(Some(&mut rng), private, &Sha384::digest(signing_input))
            }
            JwsAlgorithm::PS512 => {
                Pss::<Sha512>::new().sign(Some(&mut rng), private, &Sha512::digest(signing_input))
            }
            other => return Err(JwsError::Signer(format!("{other} is not PSS"))),
        };
        result.map_err(|e| JwsError::Signer(e.to_string()))
    }
}

/// A signer for `alg` with `key`: seeded for PSS, the workspace's own otherwise.
pub fn signer<'a>(
    key: &'a Jwk,
    alg: JwsAlgorithm,
    seed: &str,
) -> Result<Box<dyn Signer + 'a>, String> {
    if matches!(
        alg,
        JwsAlgorithm::PS256 | JwsAlgorithm::PS384 | JwsAlgorithm::PS512
    ) {
        Ok(Box::new(SeededPss::new(key.clone(), alg, seed)))
    } else {
        Ok(Box::new(
            SigningKey::new(key.clone(), alg).map_err(|e| format!("{alg}: {e}"))?,
        ))
    }
}

/// How reproducible a signature with `alg` is.
fn reproducibility(alg: JwsAlgorithm) -> Reproducible {
    use JwsAlgorithm as A;
    match alg {
        A::ES256 | A::ES384 | A::ES512 => Reproducible::Rfc6979,
        A::PS256 | A::PS384 | A::PS512 => Reproducible::Randomized,
        _ => Reproducible::Exact,
    }
}

/// `header.payload.signature` over exact header text, whatever it contains: for negative
/// vectors whose headers the builder would refuse.
fn raw_compact(signer: &dyn Signer, header: &str, payload: &[u8]) -> Result<String, String> {
    let input = format!("{}.{}", b64s(header), b64::encode(payload));
    let signature = signer.sign(input.as_bytes()).map_err(|e| e.to_string())?;
    Ok(format!("{input}.{}", b64::encode(signature)))
}

fn private_value(key: &Jwk) -> Value {
    keys::value(key)
}

/// A JWS vector with the usual members.
#[allow(clippy::too_many_arguments)]
fn vector(
    common: super::format::Common,
    serialization: &str,
    jws: Value,
    payload: Option<&[u8]>,
    detached: bool,
    verify_key: Value,
    algorithms: Vec<String>,
    sign: Option<JwsSign>,
) -> JwsVector {
    JwsVector {
        common,
        serialization: serialization.to_owned(),
        jws,
        payload_b64: payload.map(b64::encode),
        payload_utf8: payload.and_then(utf8),
        detached,
        verify: JwsVerify {
            key: verify_key,
            algorithms,
            critical: Vec::new(),
        },
        sign,
    }
}

// --- Published examples --------------------------------------------------------------------

fn rfc7515() -> Result<Vec<JwsVector>, String> {
    let file = "rfc/rfc7515-jws-appendix-a.json";
    let v = util::source_file(file)?;
    let mut out = Vec::new();
    for case in v["cases"].as_array().ok_or("cases")? {
        let id = str_of(case, "id")?;
        let alg = str_of(case, "alg")?;
        let token = str_of(case, "compact")?;
        let payload = str_of(case, "payload")?.as_bytes();
        let source = cite("rfc", &format!("RFC 7515, Appendix {id}"), file, Some(id));
        if alg == "none" {
            let hs = keys::oct("hs256", 32)?;
            out.push(vector(
                invalid(
                    format!("jws/rfc7515/{id}"),
                    "the RFC's unsecured JWS; a verifier that accepts every signature algorithm must still refuse it",
                    source,
                    "alg-none",
                    "alg none means no integrity protection; RFC 8725 §3.1 says not to accept it, and this verifier did not opt in to unsecured JWS",
                    Some("RFC 7515, Section 6 and Appendix A.5; RFC 8725, Section 3.1"),
                ),
                "compact",
                json!(token),
                None,
                false,
                verification_value(&hs)?,
                all_jws_algs(),
                None,
            ));
            continue;
        }
        let key = jwk(&case["jwk"])?;
        let a = jws_alg(alg)?;
        let deterministic = case["deterministic_signature"] == true;
        let sign = deterministic.then(|| JwsSign {
            reproducible: reproducibility(a),
            signatures: vec![JwsSignature {
                key: case["jwk"].clone(),
                protected: case["protected_header"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                header: None,
            }],
        });
        out.push(vector(
            valid(format!("jws/rfc7515/{id}"), str_of(case, "title")?, source),
            "compact",
            json!(token),
            Some(payload),
            false,
            verification_value(&key)?,
            vec![alg.to_owned()],
            sign,
        ));
    }
    let a6 = &v["general_json_A6"];
    let mut public = Vec::new();
    for (kid, k) in a6["keys"].as_object().ok_or("A.6 keys")? {
        let mut value = verification_value(&jwk(k)?)?;
        value["kid"] = json!(kid);
        public.push(value);
    }
    out.push(vector(
        valid(
            "jws/rfc7515/A.6",
            "general JSON serialization with an RS256 and an ES256 signature; kids in the unprotected headers",
            cite("rfc", "RFC 7515, Appendix A.6", file, Some("A.6")),
        ),
        "general",
        a6["serialization"].clone(),
        Some(str_of(a6, "payload")?.as_bytes()),
        false,
        json!({ "keys": public }),
        vec!["RS256".into(), "ES256".into()],
        None,
    ));
    let a7 = &v["flattened_json_A7"];
    out.push(vector(
        valid(
            "jws/rfc7515/A.7",
            "flattened JSON serialization, ES256",
            cite("rfc", "RFC 7515, Appendix A.7", file, Some("A.7")),
        ),
        "flattened",
        a7["serialization"].clone(),
        Some(str_of(a7, "payload")?.as_bytes()),
        false,
        verification_value(&jwk(&a7["jwk"])?)?,
        vec!["ES256".into()],
        None,
    ));
    Ok(out)
}

fn cookbook() -> Result<Vec<JwsVector>, String> {
    let files = [
        ("jose-cookbook/jws/4_1.rsa_v15_signature.json", "4.1"),
        ("jose-cookbook/jws/4_2.rsa-pss_signature.json", "4.2"),
        ("jose-cookbook/jws/4_3.ecdsa_signature.json", "4.3"),
        (
            "jose-cookbook/jws/4_4.hmac-sha2_integrity_protection.json",
            "4.4",
        ),
        (
            "jose-cookbook/jws/4_5.signature_with_detached_content.json",
            "4.5",
        ),
        (
            "jose-cookbook/jws/4_6.protecting_specific_header_fields.json",
            "4.6",
        ),
        ("jose-cookbook/jws/4_7.protecting_content_only.json", "4.7"),
        ("jose-cookbook/jws/4_8.multiple_signatures.json", "4.8"),
    ];
    let mut out = Vec::new();
    for (file, section) in files {
        let v = util::source_file(file)?;
        let title = str_of(&v, "title")?;
        let payload = str_of(&v["input"], "payload")?.as_bytes();
        let detached = section == "4.5";
        let key_values: Vec<Value> = match &v["input"]["key"] {
            Value::Array(k) => k.clone(),
            k => vec![k.clone()],
        };
        let algs: Vec<String> = match &v["input"]["alg"] {
            Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect(),
            a => vec![a.as_str().ok_or("alg")?.to_owned()],
        };
        // Reproducible examples with a protected header carry the signing inputs (§4.7 has
        // no protected header, which this workspace never produces).
        let sign = |form: &str| -> Option<JwsSign> {
            let signing = &v["signing"];
            let protected = signing
                .get("protected_b64u")
                .and_then(Value::as_str)
                .and_then(|p| b64::decode(p).ok())
                .and_then(|p| String::from_utf8(p).ok())?;
            (v["reproducible"] == true).then(|| JwsSign {
                reproducible: Reproducible::Exact,
                signatures: vec![JwsSignature {
                    key: key_values[0].clone(),
                    protected,
                    header: if form == "compact" {
                        None
                    } else {
                        signing.get("unprotected").cloned()
                    },
                }],
            })
        };
        for (index, key_value) in key_values.iter().enumerate() {
            let key = verification_value(&jwk(key_value)?)?;
            let suffix = if key_values.len() > 1 {
                format!("/key-{}", index + 1)
            } else {
                String::new()
            };
            for (form, serialization) in [
                ("compact", "compact"),
                ("json", "general"),
                ("json_flat", "flattened"),
            ] {
                let Some(jws) = v["output"].get(form) else {
                    continue;
                };
                let description = if key_values.len() > 1 {
                    format!(
                        "{title}, {serialization}, verified with the key of signature {}",
                        index + 1
                    )
                } else {
                    format!("{title}, {serialization}")
                };
                out.push(vector(
                    valid(
                        format!("jws/rfc7520/{section}/{serialization}{suffix}"),
                        description,
                        cite(
                            "cookbook",
                            &format!("RFC 7520, Section {section}"),
                            file,
                            Some(section),
                        ),
                    ),
                    serialization,
                    jws.clone(),
                    Some(payload),
                    detached,
                    key.clone(),
                    vec![algs[index.min(algs.len() - 1)].clone()],
                    if key_values.len() == 1 {
                        sign(form)
                    } else {
                        None
                    },
                ));
            }
        }
    }
    Ok(out)
}

fn rfc8037_and_rfc7797() -> Result<Vec<JwsVector>, String> {
    let mut out = Vec::new();
    let file = "rfc/rfc8037-okp-appendix-a.json";
    let v = util::source_file(file)?;
    let a4 = &v["A.4_ed25519_signing"];
    out.push(vector(
        valid(
            "jws/rfc8037/A.4",
            "Ed25519 signature (EdDSA), reproducible byte for byte",
            cite("rfc", "RFC 8037, Appendix A.4 and A.5", file, Some("A.4")),
        ),
        "compact",
        a4["compact"].clone(),
        Some(str_of(a4, "payload")?.as_bytes()),
        false,
        v["A.2_ed25519_public_jwk"].clone(),
        vec!["EdDSA".into()],
        Some(JwsSign {
            reproducible: Reproducible::Exact,
            signatures: vec![JwsSignature {
                key: v["A.1_ed25519_private_jwk"].clone(),
                protected: str_of(a4, "protected_header")?.to_owned(),
                header: None,
            }],
        }),
    ));

    // RFC 7797 §4 (the values the RFC publishes; see the cookbook quirks in
    // vectors/sources/README.md).
    let key = json!({
        "kty": "oct",
        "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
    });
    let rfc7797 = |section: &str| Source {
        origin: "rfc".into(),
        reference: format!("RFC 7797, Section {section}"),
        file: None,
        case: Some(section.into()),
        seed: None,
    };
    out.push(vector(
        valid(
            "jws/rfc7797/4.1",
            "b64 true: the ordinary encoding of the payload \"$.02\"",
            rfc7797("4.1"),
        ),
        "compact",
        json!("eyJhbGciOiJIUzI1NiJ9.JC4wMg.5mvfOroL-g7HyqJoozehmsaqmvTYGEq5jTI1gVvoEoQ"),
        Some(b"$.02"),
        false,
        key.clone(),
        vec!["HS256".into()],
        Some(JwsSign {
            reproducible: Reproducible::Exact,
            signatures: vec![JwsSignature {
                key: key.clone(),
                protected: r#"{"alg":"HS256"}"#.into(),
                header: None,
            }],
        }),
    ));
    out.push(vector(
        valid(
            "jws/rfc7797/4.2",
            "b64 false, listed in crit; the payload \"$.02\" is signed as is and detached",
            rfc7797("4.2"),
        ),
        "compact",
        json!("eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19..A5dxf2s96_n5FLueVuW1Z_vh161FwXZC4YLPff6dmDY"),
        Some(b"$.02"),
        true,
        key.clone(),
        vec!["HS256".into()],
        Some(JwsSign {
            reproducible: Reproducible::Exact,
            signatures: vec![JwsSignature {
                key,
                protected: r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#.into(),
                header: None,
            }],
        }),
    ));
    Ok(out)
}

// --- Generated positives -------------------------------------------------------------------

fn per_algorithm(keys: &JwsKeys) -> Result<Vec<JwsVector>, String> {
    let mut out = Vec::new();
    for &alg in JwsAlgorithm::ALL {
        let name = alg.as_str();
        let key = keys.for_alg(alg);
        let kid = key.kid().unwrap_or_default().to_owned();
        let public = verification_value(key)?;
        let private = private_value(key);
        let repro = reproducibility(alg);

        // Compact, text payload.
        let seed = format!("jws/{name}/compact");
        let payload = format!("Reference vector for {name}, compact serialization.");
        let protected = format!(r#"{{"alg":"{name}","kid":"{kid}"}}"#);
        let s = signer(key, alg, &seed)?;
        let token = compact::CompactSign::new(payload.as_bytes())
            .protected_json(protected.clone())
            .sign(&*s)
            .map_err(|e| format!("{seed}: {e}"))?;
        out.push(vector(
            valid(
                format!("jws/generated/{name}/compact"),
                format!("{name}, compact serialization, text payload"),
                generated("jose-rs reference vector", &seed),
            ),
            "compact",
            json!(token),
            Some(payload.as_bytes()),
            false,
            public.clone(),
            vec![name.to_owned()],
            Some(JwsSign {
                reproducible: repro,
                signatures: vec![JwsSignature {
                    key: private.clone(),
                    protected,
                    header: None,
                }],
            }),
        ));

        // Flattened JSON, binary payload, kid in the unprotected header.
        let seed = format!("jws/{name}/flattened");
        let payload = keys::bytes(&format!("{seed}/payload"), 48);
        let protected = format!(r#"{{"alg":"{name}"}}"#);
        let header = json!({ "kid": kid });
        let unprotected =
            JwsHeader::from_json(header.to_string().as_bytes()).map_err(|e| e.to_string())?;
        let s = signer(key, alg, &seed)?;
        let jws = JsonSign::new(&payload)
            .omit_kid()
            .signature_with_protected_json(&*s, protected.clone(), Some(unprotected))
            .sign_flattened()
            .map_err(|e| format!("{seed}: {e}"))?;
        out.push(vector(
            valid(
                format!("jws/generated/{name}/flattened"),
                format!("{name}, flattened JSON serialization, binary payload, kid unprotected"),
                generated("jose-rs reference vector", &seed),
            ),
            "flattened",
            jws,
            Some(&payload),
            false,
            public.clone(),
            vec![name.to_owned()],
            Some(JwsSign {
                reproducible: repro,
                signatures: vec![JwsSignature {
                    key: private.clone(),
                    protected,
                    header: Some(header),
                }],
            }),
        ));

        // General JSON, JSON payload, typ protected.
        let seed = format!("jws/{name}/general");
        let payload =
            format!(r#"{{"iss":"https://issuer.example","sub":"vector","alg":"{name}"}}"#);
        let protected = format!(r#"{{"alg":"{name}","typ":"JOSE+JSON","kid":"{kid}"}}"#);
        let s = signer(key, alg, &seed)?;
        let jws = JsonSign::new(payload.as_bytes())
            .signature_with_protected_json(&*s, protected.clone(), None)
            .sign_general()
            .map_err(|e| format!("{seed}: {e}"))?;
        out.push(vector(
            valid(
                format!("jws/generated/{name}/general"),
                format!("{name}, general JSON serialization, JSON payload"),
                generated("jose-rs reference vector", &seed),
            ),
            "general",
            jws,
            Some(payload.as_bytes()),
            false,
            json!({ "keys": [public] }),
            vec![name.to_owned()],
            Some(JwsSign {
                reproducible: repro,
                signatures: vec![JwsSignature {
                    key: private,
                    protected,
                    header: None,
                }],
            }),
        ));
    }
    Ok(out)
}

fn special_positives(keys: &JwsKeys) -> Result<Vec<JwsVector>, String> {
    let mut out = empty_payload(keys)?;
    out.extend(detached(keys)?);
    out.extend(unencoded(keys)?);
    out.extend(multiple_signatures(keys)?);
    out.extend(high_s(keys)?);
    Ok(out)
}

/// A JWS of the empty payload.
fn empty_payload(keys: &JwsKeys) -> Result<Vec<JwsVector>, String> {
    let mut out = Vec::new();
    let hs = &keys.hs256;
    // Empty payload.
    let seed = "jws/empty-payload";
    let protected = r#"{"alg":"HS256"}"#;
    let token = compact::CompactSign::new(b"")
        .protected_json(protected)
        .sign(&SigningKey::new(hs.clone(), JwsAlgorithm::HS256).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    out.push(vector(
        valid(
            "jws/generated/empty-payload",
            "HS256 over an empty payload: the middle part is empty",
            generated("jose-rs reference vector", seed),
        ),
        "compact",
        json!(token),
        Some(b""),
        false,
        verification_value(hs)?,
        vec!["HS256".into()],
        Some(JwsSign {
            reproducible: Reproducible::Exact,
            signatures: vec![JwsSignature {
                key: private_value(hs),
                protected: protected.into(),
                header: None,
            }],
        }),
    ));
    Ok(out)
}

/// Detached payloads (RFC 7515 Appendix F).
fn detached(keys: &JwsKeys) -> Result<Vec<JwsVector>, String> {
    let mut out = Vec::new();
    // Detached payloads.
    for (alg, serialization) in [
        (JwsAlgorithm::ES256, "compact"),
        (JwsAlgorithm::EdDSA, "flattened"),
    ] {
        let name = alg.as_str();
        let seed = format!("jws/detached/{name}");
        let key = keys.for_alg(alg);
        let payload = format!("Detached content signed with {name}.");
        let protected = format!(r#"{{"alg":"{name}"}}"#);
        let s = SigningKey::new(key.clone(), alg).map_err(|e| e.to_string())?;
        let jws = if serialization == "compact" {
            json!(
                compact::CompactSign::new(payload.as_bytes())
                    .protected_json(protected.clone())
                    .detached()
                    .sign(&s)
                    .map_err(|e| e.to_string())?
            )
        } else {
            JsonSign::new(payload.as_bytes())
                .omit_kid()
                .signature_with_protected_json(&s, protected.clone(), None)
                .detached()
                .sign_flattened()
                .map_err(|e| e.to_string())?
        };
        out.push(vector(
            valid(
                format!("jws/generated/detached/{name}/{serialization}"),
                format!("{name}, {serialization}, detached payload (RFC 7515 Appendix F)"),
                generated("jose-rs reference vector", &seed),
            ),
            serialization,
            jws,
            Some(payload.as_bytes()),
            true,
            verification_value(key)?,
            vec![name.to_owned()],
            Some(JwsSign {
                reproducible: reproducibility(alg),
                signatures: vec![JwsSignature {
                    key: private_value(key),
                    protected,
                    header: None,
                }],
            }),
        ));
    }
    Ok(out)
}

/// Unencoded payloads (RFC 7797).
fn unencoded(keys: &JwsKeys) -> Result<Vec<JwsVector>, String> {
    let mut out = Vec::new();
    let hs = &keys.hs256;
    // Unencoded payloads (RFC 7797): compact attached (no '.') and flattened with a '.'.
    let seed = "jws/unencoded";
    let protected = r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#;
    let s = SigningKey::new(hs.clone(), JwsAlgorithm::HS256).map_err(|e| e.to_string())?;
    let payload = "unencoded payload without dots";
    let token = compact::CompactSign::new(payload.as_bytes())
        .protected_json(protected)
        .sign(&s)
        .map_err(|e| e.to_string())?;
    out.push(vector(
        valid(
            "jws/generated/unencoded/compact",
            "b64 false, compact with the payload attached as is",
            generated("jose-rs reference vector", seed),
        ),
        "compact",
        json!(token),
        Some(payload.as_bytes()),
        false,
        verification_value(hs)?,
        vec!["HS256".into()],
        Some(JwsSign {
            reproducible: Reproducible::Exact,
            signatures: vec![JwsSignature {
                key: private_value(hs),
                protected: protected.into(),
                header: None,
            }],
        }),
    ));
    let payload = "$.02 and more: dots are fine in JSON";
    let jws = JsonSign::new(payload.as_bytes())
        .omit_kid()
        .signature_with_protected_json(&s, protected, None)
        .sign_flattened()
        .map_err(|e| e.to_string())?;
    out.push(vector(
        valid(
            "jws/generated/unencoded/flattened",
            "b64 false, flattened JSON, the payload is a JSON string as is",
            generated("jose-rs reference vector", seed),
        ),
        "flattened",
        jws,
        Some(payload.as_bytes()),
        false,
        verification_value(hs)?,
        vec!["HS256".into()],
        Some(JwsSign {
            reproducible: Reproducible::Exact,
            signatures: vec![JwsSignature {
                key: private_value(hs),
                protected: protected.into(),
                header: None,
            }],
        }),
    ));
    Ok(out)
}

/// A general JSON JWS with three signatures.
fn multiple_signatures(keys: &JwsKeys) -> Result<Vec<JwsVector>, String> {
    let mut out = Vec::new();
    // Three signatures by three key types; the verifier holds all public keys.
    let seed = "jws/multiple-signatures";
    let payload = "One payload, three signers.";
    let signers = [
        JwsAlgorithm::RS256,
        JwsAlgorithm::ES384,
        JwsAlgorithm::EdDSA,
    ];
    let signing_keys: Vec<SigningKey> = signers
        .iter()
        .map(|&a| SigningKey::new(keys.for_alg(a).clone(), a).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let mut builder = JsonSign::new(payload.as_bytes()).omit_kid();
    let mut entries = Vec::new();
    for (s, alg) in signing_keys.iter().zip(signers) {
        let protected = format!(r#"{{"alg":"{}"}}"#, alg.as_str());
        let header = json!({ "kid": keys.for_alg(alg).kid() });
        let unprotected =
            JwsHeader::from_json(header.to_string().as_bytes()).map_err(|e| e.to_string())?;
        builder = builder.signature_with_protected_json(s, protected.clone(), Some(unprotected));
        entries.push(JwsSignature {
            key: private_value(keys.for_alg(alg)),
            protected,
            header: Some(header),
        });
    }
    let jws = builder.sign_general().map_err(|e| e.to_string())?;
    let set: Vec<Value> = signers
        .iter()
        .map(|&a| verification_value(keys.for_alg(a)))
        .collect::<Result<_, _>>()?;
    out.push(vector(
        valid("jws/generated/multiple-signatures/all-keys", "general JSON with RS256, ES384 and EdDSA signatures; the verifier holds all three keys", generated("jose-rs reference vector", seed)),
        "general",
        jws.clone(),
        Some(payload.as_bytes()),
        false,
        json!({ "keys": set }),
        signers.iter().map(|a| a.as_str().to_owned()).collect(),
        Some(JwsSign { reproducible: Reproducible::Rfc6979, signatures: entries }),
    ));
    out.push(vector(
        valid(
            "jws/generated/multiple-signatures/one-key",
            "the same JWS; the verifier holds only the EdDSA key, and one valid signature suffices",
            generated("jose-rs reference vector", seed),
        ),
        "general",
        jws,
        Some(payload.as_bytes()),
        false,
        json!({ "keys": [verification_value(&keys.ed25519)?] }),
        vec!["EdDSA".into()],
        None,
    ));
    Ok(out)
}

/// An ECDSA signature with a high s.
fn high_s(keys: &JwsKeys) -> Result<Vec<JwsVector>, String> {
    let mut out = Vec::new();
    // A high-s ECDSA signature is valid: JWS does not require normalised signatures.
    let seed = "jws/es256-high-s";
    let token = compact::CompactSign::new(b"high s")
        .protected_json(r#"{"alg":"ES256"}"#)
        .sign(&SigningKey::new(keys.p256.clone(), JwsAlgorithm::ES256).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let (input, sig) = token.rsplit_once('.').ok_or("token")?;
    let sig = unb64(sig)?;
    let negated = negate_scalar_p256(&sig[32..])?;
    // Of s and n - s, the larger is above n/2.
    let high = if negated.as_slice() > &sig[32..] {
        negated
    } else {
        sig[32..].to_vec()
    };
    let mut high_sig = sig[..32].to_vec();
    high_sig.extend_from_slice(&high);
    out.push(vector(
        valid(
            "jws/generated/ES256/high-s",
            "ES256 signature whose s is above n/2; JWS accepts it (no low-s rule)",
            generated("jose-rs reference vector", seed),
        ),
        "compact",
        json!(format!("{input}.{}", b64::encode(&high_sig))),
        Some(b"high s"),
        false,
        verification_value(&keys.p256)?,
        vec!["ES256".into()],
        None,
    ));
    Ok(out)
}

/// The order of the P-256 group, big-endian.
const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `n - s` for a P-256 scalar (big-endian, 32 bytes).
fn negate_scalar_p256(s: &[u8]) -> Result<Vec<u8>, String> {
    if s.len() != 32 {
        return Err("scalar length".into());
    }
    let mut out = vec![0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(P256_ORDER[i]) - i16::from(s[i]) - borrow;
        borrow = 0;
        if d < 0 {
            d += 256;
            borrow = 1;
        }
        out[i] = u8::try_from(d).map_err(|_| "digit")?;
    }
    Ok(out)
}

/// Every JWS vector.
pub fn generate() -> Result<Vec<Value>, String> {
    let keys = JwsKeys::new()?;
    let mut all = rfc7515()?;
    all.extend(cookbook()?);
    all.extend(rfc8037_and_rfc7797()?);
    all.extend(per_algorithm(&keys)?);
    all.extend(special_positives(&keys)?);
    all.extend(negative::negatives(&keys)?);
    all.iter().map(util::to_value).collect()
}

// --- Check -----------------------------------------------------------------------------------

fn verify(v: &JwsVector, keys: &Keys, options: &VerifyOptions) -> Result<VerifiedJws, JwsError> {
    let detached = if v.detached {
        Some(
            v.payload_b64
                .as_deref()
                .and_then(|p| b64::decode(p).ok())
                .ok_or(JwsError::DetachedPayload("vector has no payload_b64"))?,
        )
    } else {
        None
    };
    let text = match &v.jws {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    macro_rules! run {
        ($k:expr) => {
            match (v.serialization.as_str(), &detached) {
                ("compact", None) => compact::verify(&text, $k, options),
                ("compact", Some(p)) => compact::verify_detached(&text, p, $k, options),
                (_, None) => jws::json::verify(&text, $k, options),
                (_, Some(p)) => jws::json::verify_detached(&text, p, $k, options),
            }
        };
    }
    match keys {
        Keys::One(k) => run!(k.as_ref()),
        Keys::Set(s) => run!(s),
    }
}

fn options(v: &JwsVector) -> Result<VerifyOptions, String> {
    let mut options = VerifyOptions::new().algorithms(jws_algs(&v.verify.algorithms)?);
    for name in &v.verify.critical {
        options = options.understand_crit(name.clone());
    }
    Ok(options)
}

/// Signs again from `sign` and compares (exact, RFC 6979) or verifies (randomised).
fn reproduce(
    v: &JwsVector,
    sign: &JwsSign,
    payload: &[u8],
    keys: &Keys,
    options: &VerifyOptions,
) -> Result<(), String> {
    let mut signers = Vec::new();
    for entry in &sign.signatures {
        let protected: Value =
            serde_json::from_str(&entry.protected).map_err(|e| format!("protected: {e}"))?;
        let alg = jws_alg(
            protected["alg"]
                .as_str()
                .ok_or("protected header without alg")?,
        )?;
        let key = jwk(&entry.key)?;
        signers.push(SigningKey::new(key, alg).map_err(|e| e.to_string())?);
    }
    let produced = if v.serialization == "compact" {
        let entry = sign.signatures.first().ok_or("no signature")?;
        let mut builder =
            compact::CompactSign::new(payload).protected_json(entry.protected.clone());
        if v.detached {
            builder = builder.detached();
        }
        Value::String(builder.sign(&signers[0]).map_err(|e| e.to_string())?)
    } else {
        let mut builder = JsonSign::new(payload).omit_kid();
        for (entry, s) in sign.signatures.iter().zip(&signers) {
            let header = entry
                .header
                .as_ref()
                .map(|h| JwsHeader::from_json(h.to_string().as_bytes()))
                .transpose()
                .map_err(|e| e.to_string())?;
            builder = builder.signature_with_protected_json(s, entry.protected.clone(), header);
        }
        if v.detached {
            builder = builder.detached();
        }
        if v.serialization == "general" {
            builder.sign_general()
        } else {
            builder.sign_flattened()
        }
        .map_err(|e| e.to_string())?
    };
    match sign.reproducible {
        Reproducible::Exact | Reproducible::Rfc6979 => {
            if produced != v.jws {
                return Err(format!(
                    "signing again produced {produced}, not the vector's JWS"
                ));
            }
        }
        Reproducible::Randomized => {
            let again = JwsVector {
                jws: produced,
                ..v.clone()
            };
            verify(&again, keys, options)
                .map_err(|e| format!("a fresh signature does not verify: {e}"))?;
        }
    }
    Ok(())
}

/// Checks one JWS vector.
pub fn check(value: &Value) -> Result<String, String> {
    let v: JwsVector = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    let keys = match Keys::from_value(&v.verify.key) {
        Ok(k) => k,
        Err(e) => {
            let code = v.common.reason.as_ref().map(|r| r.code.as_str());
            return match (v.common.expect, code) {
                (Expect::Invalid, Some(code)) if reasons::key_matches(code, &e) => {
                    Ok(format!("key refused: {e}"))
                }
                _ => Err(format!("verification key refused: {e}")),
            };
        }
    };
    let options = options(&v)?;
    let result = verify(&v, &keys, &options);
    match v.common.expect {
        Expect::Valid => {
            let verified = result.map_err(|e| format!("expected valid, refused: {e}"))?;
            let payload = unb64(
                v.payload_b64
                    .as_deref()
                    .ok_or("valid vector without payload_b64")?,
            )?;
            if verified.payload() != payload.as_slice() {
                return Err("verified, but the payload differs from payload_b64".into());
            }
            if let Some(text) = &v.payload_utf8
                && text.as_bytes() != payload.as_slice()
            {
                return Err("payload_utf8 differs from payload_b64".into());
            }
            if let Some(sign) = &v.sign {
                reproduce(&v, sign, &payload, &keys, &options)?;
                return Ok(format!("verified, signed again ({:?})", sign.reproducible));
            }
            Ok("verified".into())
        }
        Expect::Invalid => {
            let reason = v
                .common
                .reason
                .as_ref()
                .ok_or("invalid vector without reason")?;
            match result {
                Ok(_) => Err(format!("expected refusal ({}), accepted", reason.code)),
                Err(e) if reasons::jws_matches(&reason.code, &e) => Ok(format!("refused: {e}")),
                Err(e) => Err(format!(
                    "refused, but for another reason than {}: {e}",
                    reason.code
                )),
            }
        }
    }
}
