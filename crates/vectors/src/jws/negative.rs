//! The invalid JWS vectors, as a table of mutations of valid tokens.
//!
//! Each row of [`NEGATIVES`] is one vector: its id, what it shows, the reason code with its
//! explanation and reference, and the mutation that makes it from the [`Fixtures`] (valid
//! tokens signed with the seeded keys, and the verifiers' keys). The order of the rows is the
//! order of the vectors in `jws.json`.

use super::{JwsKeys, P256_ORDER, raw_compact, vector};
use crate::format::JwsVector;
use crate::keys;
use crate::util::{all_jws_algs, b64s, negative, unb64, verification_value};
use jose_core::SecretBytes;
use jose_core::alg::{Curve, JwsAlgorithm};
use jose_core::b64;
use jose_core::jwk::{Jwk, KeyMaterial, OctKey};
use jws::{JwsError, Signer, SigningKey, compact};
use serde_json::{Value, json};

/// The payload every negative token carries.
const PAYLOAD: &[u8] = br#"{"sub":"negative"}"#;

/// What the mutations start from: the signers, the verifiers' keys and valid tokens.
struct Fixtures<'k> {
    keys: &'k JwsKeys,
    hs: SigningKey,
    es: SigningKey,
    hs_key: Value,
    es_key: Value,
    rs_key: Value,
    ed_key: Value,
    good_hs: String,
    good_es: String,
    good_rs: String,
    good_ed: String,
}

impl<'k> Fixtures<'k> {
    fn new(keys: &'k JwsKeys) -> Result<Self, String> {
        let signer = |key: &Jwk, alg| SigningKey::new(key.clone(), alg).map_err(|e| e.to_string());
        let hs = signer(&keys.hs256, JwsAlgorithm::HS256)?;
        let es = signer(&keys.p256, JwsAlgorithm::ES256)?;
        let rs = signer(&keys.rsa, JwsAlgorithm::RS256)?;
        let ed = signer(&keys.ed25519, JwsAlgorithm::EdDSA)?;
        Ok(Self {
            keys,
            hs_key: verification_value(&keys.hs256)?,
            es_key: verification_value(&keys.p256)?,
            rs_key: verification_value(&keys.rsa)?,
            ed_key: verification_value(&keys.ed25519)?,
            good_hs: raw_compact(&hs, r#"{"alg":"HS256"}"#, PAYLOAD)?,
            good_es: raw_compact(&es, r#"{"alg":"ES256"}"#, PAYLOAD)?,
            good_rs: raw_compact(&rs, r#"{"alg":"RS256"}"#, PAYLOAD)?,
            good_ed: raw_compact(&ed, r#"{"alg":"EdDSA"}"#, PAYLOAD)?,
            hs,
            es,
        })
    }

    /// `token` for a verifier of every algorithm with the HS256 key.
    fn for_all(&self, token: String) -> Made {
        let all = all_jws_algs();
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        Made::compact(token, &self.hs_key, &all)
    }

    /// `token` for the HS256 verifier.
    fn for_hs(&self, token: String) -> Made {
        Made::compact(token, &self.hs_key, &["HS256"])
    }

    /// `token` for the ES256 verifier.
    fn for_es(&self, token: String) -> Made {
        Made::compact(token, &self.es_key, &["ES256"])
    }

    /// A token with this protected header, MACed with the verifier's HS256 key.
    fn hs_header(&self, header: &str) -> Result<Made, String> {
        Ok(self.for_hs(raw_compact(&self.hs, header, PAYLOAD)?))
    }

    /// The valid ES256 token's signing input and signature.
    fn es_parts(&self) -> Result<(&str, Vec<u8>), String> {
        let (input, sig) = self.good_es.rsplit_once('.').ok_or("token")?;
        Ok((input, unb64(sig)?))
    }

    /// The valid HS256 token with its signature replaced by `signature` (base64url text).
    fn hs_with_signature(&self, signature: &str) -> Result<Made, String> {
        let (input, _) = self.good_hs.rsplit_once('.').ok_or("token")?;
        Ok(self.for_hs(format!("{input}.{signature}")))
    }

    /// The valid HS256 token's three parts.
    fn hs_parts(&self) -> Result<(&str, &str, &str), String> {
        let (h, rest) = self.good_hs.split_once('.').ok_or("token")?;
        let (p, s) = rest.split_once('.').ok_or("token")?;
        Ok((h, p, s))
    }

    /// Another P-256 key, which the verifier does not know.
    fn other_p256(&self) -> Result<(Jwk, SigningKey), String> {
        let other = keys::ec("p256-other", Curve::P256)?;
        let signer =
            SigningKey::new(other.clone(), JwsAlgorithm::ES256).map_err(|e| e.to_string())?;
        Ok((other, signer))
    }

    /// A flattened JSON serialization of the valid HS256 JWS, with `extra` members after
    /// `protected` (or the members exactly as `members` gives them, with `{payload}`,
    /// `{protected}` and `{mac}` filled in).
    fn flattened(&self, members: &str) -> Result<String, String> {
        let protected = b64s(r#"{"alg":"HS256"}"#);
        let signing_input = format!("{protected}.{}", b64::encode(PAYLOAD));
        let mac = b64::encode(
            self.hs
                .sign(signing_input.as_bytes())
                .map_err(|e| e.to_string())?,
        );
        Ok(members
            .replace("{payload}", &b64::encode(PAYLOAD))
            .replace("{protected}", &protected)
            .replace("{mac}", &mac))
    }
}

/// What a mutation makes: the JWS and how the verifier is set up.
struct Made {
    serialization: &'static str,
    jws: Value,
    key: Value,
    algorithms: Vec<String>,
    /// Extensions the verifier understands (`verify.critical`).
    critical: &'static [&'static str],
    /// For a detached JWS: the content presented with it.
    detached_content: Option<&'static str>,
}

impl Made {
    fn compact(token: String, key: &Value, algorithms: &[&str]) -> Self {
        Self {
            serialization: "compact",
            jws: json!(token),
            key: key.clone(),
            algorithms: algorithms.iter().map(|s| (*s).to_owned()).collect(),
            critical: &[],
            detached_content: None,
        }
    }

    /// A flattened JSON serialization for the HS256 verifier; `text` is kept as exact text
    /// when it does not survive a JSON value (duplicate members) or is not JSON.
    fn flattened(text: String, exact: bool, f: &Fixtures) -> Self {
        let jws = match serde_json::from_str(&text) {
            Ok(v) if !exact => v,
            _ => Value::String(text),
        };
        Self {
            serialization: "flattened",
            jws,
            ..f.for_hs(String::new())
        }
    }
}

/// One invalid vector: its reason, and the mutation that makes it.
struct Mutation {
    /// The id, below `jws/negative/`.
    id: &'static str,
    description: &'static str,
    code: &'static str,
    explanation: &'static str,
    reference: Option<&'static str>,
    make: fn(&Fixtures) -> Result<Made, String>,
}

impl Mutation {
    fn vector(&self, f: &Fixtures) -> Result<JwsVector, String> {
        let made = (self.make)(f).map_err(|e| format!("{}: {e}", self.id))?;
        let id = format!("jws/negative/{}", self.id);
        let mut v = vector(
            negative(
                &id,
                self.description,
                self.code,
                self.explanation,
                self.reference,
            ),
            made.serialization,
            made.jws,
            None,
            false,
            made.key,
            made.algorithms,
            None,
        );
        v.verify.critical = made.critical.iter().map(|c| (*c).to_owned()).collect();
        if let Some(content) = made.detached_content {
            v.detached = true;
            v.payload_b64 = Some(b64::encode(content.as_bytes()));
            v.payload_utf8 = Some(content.to_owned());
        }
        Ok(v)
    }
}

/// Every invalid JWS vector, in file order.
pub(super) fn negatives(keys: &JwsKeys) -> Result<Vec<JwsVector>, String> {
    let f = Fixtures::new(keys)?;
    NEGATIVES.iter().map(|m| m.vector(&f)).collect()
}

/// An unsecured JWS (empty signature) with this header, for a verifier of every algorithm.
fn unsecured(f: &Fixtures, header: &str) -> Made {
    f.for_all(format!("{}.{}.", b64s(header), b64::encode(PAYLOAD)))
}

const NONE: &str = "unsecured JWS (empty signature) presented to a verifier that accepts every signature algorithm";
const NONE_EXPLANATION: &str =
    "none is not a signature algorithm; it is refused in any letter case";
const VERIFIER_DECIDES: &str = "the verifier decides the algorithm, not the token";
const FLIPPED: &str = "one bit of a valid token flipped";
const FLIPPED_EXPLANATION: &str =
    "any change to the signed content or the signature must be detected";
const COMPACT_FORM: &str =
    "the compact serialization is exactly three unpadded base64url parts separated by '.'";
const COMPACT_FORM_REFERENCE: Option<&str> = Some("RFC 7515, Sections 2 and 7.1");
const HEADER_FORM: &str = "the protected header must be a JSON object with a string alg";
const HEADER_FORM_REFERENCE: Option<&str> = Some("RFC 7515, Sections 4.1.1 and 5.2");
const DUPLICATE: &str = "member names must be unique; parsers that keep the first or the last value disagree, which lets an attacker show different headers to different parties";
const DUPLICATE_REFERENCE: Option<&str> = Some("RFC 7515, Section 5.2; RFC 8725, Section 3.4");
const CRIT: Option<&str> = Some("RFC 7515, Section 4.1.11");
const CRIT_MALFORMED: &str =
    "crit must be a non-empty list of extension names present in the protected header";

/// The rows: one invalid vector each, in file order.
const NEGATIVES: &[Mutation] = &[
    // alg none and unknown algorithms.
    Mutation {
        id: "alg-none",
        description: NONE,
        code: "alg-none",
        explanation: NONE_EXPLANATION,
        reference: Some("RFC 8725, Section 3.1"),
        make: |f| Ok(unsecured(f, r#"{"alg":"none"}"#)),
    },
    Mutation {
        id: "alg-none-uppercase",
        description: NONE,
        code: "alg-none",
        explanation: NONE_EXPLANATION,
        reference: Some("RFC 8725, Section 3.1"),
        make: |f| Ok(unsecured(f, r#"{"alg":"NONE"}"#)),
    },
    Mutation {
        id: "alg-unknown",
        description: "alg HS1024, which is not registered; the MAC is HS256's",
        code: "alg-unknown",
        explanation: "an unknown algorithm cannot be verified",
        reference: Some("RFC 7515, Section 4.1.1"),
        make: |f| Ok(f.for_all(raw_compact(&f.hs, r#"{"alg":"HS1024"}"#, PAYLOAD)?)),
    },
    // Key confusion: MACs keyed with public key bytes.
    Mutation {
        id: "key-confusion/hs256-with-rsa-public-key",
        description: "HS256 MAC keyed with the PEM text of the verifier's RSA public key; the verifier lists both RS256 and HS256",
        code: "key-confusion",
        explanation: "an RSA key verifies RSA signatures only; using it as an HMAC secret lets anyone who knows the public key forge tokens",
        reference: Some("RFC 8725, Section 2.1 and 3.1"),
        make: |f| {
            let pem = f.keys.rsa.to_public_pem().map_err(|e| e.to_string())?;
            let token = raw_compact(&oct_signer(pem.as_bytes())?, r#"{"alg":"HS256"}"#, PAYLOAD)?;
            Ok(Made::compact(token, &f.rs_key, &["RS256", "HS256"]))
        },
    },
    Mutation {
        id: "key-confusion/hs256-with-ed25519-public-key",
        description: "HS256 MAC keyed with the raw Ed25519 public key of the verifier; the verifier lists EdDSA and HS256",
        code: "key-confusion",
        explanation: "an OKP key verifies EdDSA signatures only",
        reference: Some("RFC 8725, Section 2.1"),
        make: |f| {
            let public = f.keys.ed25519.to_public().map_err(|e| e.to_string())?;
            let KeyMaterial::Ed25519(k) = public.material() else {
                return Err("ed25519".into());
            };
            let secret = k.public_key().to_bytes();
            let token = raw_compact(&oct_signer(&secret)?, r#"{"alg":"HS256"}"#, PAYLOAD)?;
            Ok(Made::compact(token, &f.ed_key, &["EdDSA", "HS256"]))
        },
    },
    // Algorithm allow-lists.
    Mutation {
        id: "alg-not-allowed/rs256-when-ps256-expected",
        description: "a valid RS256 signature; the verifier accepts only PS256 with the same key",
        code: "alg-not-allowed",
        explanation: VERIFIER_DECIDES,
        reference: Some("RFC 8725, Section 3.1"),
        make: |f| Ok(Made::compact(f.good_rs.clone(), &f.rs_key, &["PS256"])),
    },
    Mutation {
        id: "alg-not-allowed/es256-when-es384-expected",
        description: "a valid ES256 signature; the verifier accepts only ES384",
        code: "alg-not-allowed",
        explanation: VERIFIER_DECIDES,
        reference: Some("RFC 8725, Section 3.1"),
        make: |f| Ok(Made::compact(f.good_es.clone(), &f.es_key, &["ES384"])),
    },
    // Tampering.
    Mutation {
        id: "bad-signature/hs256-payload-modified",
        description: FLIPPED,
        code: "bad-signature",
        explanation: FLIPPED_EXPLANATION,
        reference: Some("RFC 7515, Section 5.2"),
        make: |f| Ok(f.for_hs(flip(&f.good_hs, 1, 3)?)),
    },
    Mutation {
        id: "bad-signature/hs256-signature-modified",
        description: FLIPPED,
        code: "bad-signature",
        explanation: FLIPPED_EXPLANATION,
        reference: Some("RFC 7515, Section 5.2"),
        make: |f| Ok(f.for_hs(flip(&f.good_hs, 2, 3)?)),
    },
    Mutation {
        id: "bad-signature/es256-payload-modified",
        description: FLIPPED,
        code: "bad-signature",
        explanation: FLIPPED_EXPLANATION,
        reference: Some("RFC 7515, Section 5.2"),
        make: |f| Ok(f.for_es(flip(&f.good_es, 1, 3)?)),
    },
    Mutation {
        id: "bad-signature/rs256-signature-modified",
        description: FLIPPED,
        code: "bad-signature",
        explanation: FLIPPED_EXPLANATION,
        reference: Some("RFC 7515, Section 5.2"),
        make: |f| {
            Ok(Made::compact(
                flip(&f.good_rs, 2, 3)?,
                &f.rs_key,
                &["RS256"],
            ))
        },
    },
    Mutation {
        id: "bad-signature/eddsa-signature-modified",
        description: FLIPPED,
        code: "bad-signature",
        explanation: FLIPPED_EXPLANATION,
        reference: Some("RFC 7515, Section 5.2"),
        make: |f| {
            Ok(Made::compact(
                flip(&f.good_ed, 2, 3)?,
                &f.ed_key,
                &["EdDSA"],
            ))
        },
    },
    Mutation {
        id: "bad-signature/hs256-header-replaced",
        description: "the protected header replaced by another one with an added typ, signature kept",
        code: "bad-signature",
        explanation: "the protected header is part of the signing input",
        reference: Some("RFC 7515, Section 5.2"),
        make: |f| {
            let (_, rest) = f.good_hs.split_once('.').ok_or("token")?;
            Ok(f.for_hs(format!("{}.{rest}", b64s(r#"{"alg":"HS256","typ":"JWT"}"#))))
        },
    },
    Mutation {
        id: "bad-signature/es256-other-key",
        description: "a valid ES256 signature by another P-256 key",
        code: "bad-signature",
        explanation: "the signature must verify with the verifier's key",
        reference: None,
        make: |f| {
            let (_, other) = f.other_p256()?;
            Ok(f.for_es(raw_compact(&other, r#"{"alg":"ES256"}"#, PAYLOAD)?))
        },
    },
    Mutation {
        id: "embedded-key-not-trusted",
        description: "signed by an attacker's key that the header embeds in jwk; the verifier has its own key",
        code: "embedded-key-not-trusted",
        explanation: "a key in the header is chosen by whoever made the token; it proves nothing unless the verifier trusts it",
        reference: Some("RFC 7515, Section 4.1.3; RFC 8725, Section 3.10"),
        make: |f| {
            let (other, signer) = f.other_p256()?;
            let header = format!(r#"{{"alg":"ES256","jwk":{}}}"#, keys::public_value(&other)?);
            Ok(f.for_es(raw_compact(&signer, &header, PAYLOAD)?))
        },
    },
    Mutation {
        id: "bad-signature/hs256-empty-signature",
        description: "a JWS with alg HS256 and an empty signature",
        code: "bad-signature",
        explanation: "an empty MAC is not a MAC",
        reference: None,
        make: |f| f.hs_with_signature(""),
    },
    // ECDSA signature encoding.
    Mutation {
        id: "malformed-signature/es256-der",
        description: "an ES256 signature in ASN.1 DER form instead of the fixed-size r || s",
        code: "malformed-signature",
        explanation: "JWS ECDSA signatures are exactly 64 bytes for ES256",
        reference: Some("RFC 7518, Section 3.4"),
        make: |f| {
            let (input, sig) = f.es_parts()?;
            Ok(f.for_es(format!("{input}.{}", b64::encode(der_signature(&sig)))))
        },
    },
    Mutation {
        id: "malformed-signature/es256-zero",
        description: "an ES256 signature with r = s = 0 (the \"psychic signature\", CVE-2022-21449)",
        code: "malformed-signature",
        explanation: "r and s must be in [1, n-1]; zero values verify everything in a broken implementation",
        reference: Some("RFC 7518, Section 3.4; CVE-2022-21449"),
        make: |f| {
            let (input, _) = f.es_parts()?;
            Ok(f.for_es(format!("{input}.{}", b64::encode([0u8; 64]))))
        },
    },
    Mutation {
        id: "malformed-signature/es256-r-s-equal-order",
        description: "an ES256 signature with r = s = n, the group order",
        code: "malformed-signature",
        explanation: "r and s must be below the group order",
        reference: Some("RFC 7518, Section 3.4"),
        make: |f| {
            let (input, _) = f.es_parts()?;
            let order = [P256_ORDER, P256_ORDER].concat();
            Ok(f.for_es(format!("{input}.{}", b64::encode(&order))))
        },
    },
    Mutation {
        id: "malformed-signature/es256-truncated",
        description: "an ES256 signature missing its last byte",
        code: "malformed-signature",
        explanation: "JWS ECDSA signatures have a fixed size",
        reference: Some("RFC 7518, Section 3.4"),
        make: |f| {
            let (input, sig) = f.es_parts()?;
            let truncated = sig.get(..63).ok_or("signature length")?;
            Ok(f.for_es(format!("{input}.{}", b64::encode(truncated))))
        },
    },
    // Serialization.
    Mutation {
        id: "malformed/two-parts",
        description: "a compact JWS with two parts",
        code: "malformed",
        explanation: COMPACT_FORM,
        reference: COMPACT_FORM_REFERENCE,
        make: |f| {
            let (h, p, _) = f.hs_parts()?;
            Ok(f.for_hs(format!("{h}.{p}")))
        },
    },
    Mutation {
        id: "malformed/four-parts",
        description: "a compact JWS with four parts",
        code: "malformed",
        explanation: COMPACT_FORM,
        reference: COMPACT_FORM_REFERENCE,
        make: |f| {
            let (_, _, s) = f.hs_parts()?;
            Ok(f.for_hs(format!("{}.{s}", f.good_hs)))
        },
    },
    Mutation {
        id: "malformed/padding",
        description: "base64 padding after the header",
        code: "malformed",
        explanation: COMPACT_FORM,
        reference: COMPACT_FORM_REFERENCE,
        make: |f| {
            let (h, p, s) = f.hs_parts()?;
            Ok(f.for_hs(format!("{h}=.{p}.{s}")))
        },
    },
    Mutation {
        id: "malformed/whitespace",
        description: "a line break inside the token",
        code: "malformed",
        explanation: COMPACT_FORM,
        reference: COMPACT_FORM_REFERENCE,
        make: |f| {
            let (h, p, s) = f.hs_parts()?;
            Ok(f.for_hs(format!("{h}.\n{p}.{s}")))
        },
    },
    Mutation {
        id: "malformed/non-canonical-trailing-bits",
        description: "the last signature character has non-zero unused bits",
        code: "malformed",
        explanation: COMPACT_FORM,
        reference: COMPACT_FORM_REFERENCE,
        make: |f| {
            let (_, _, s) = f.hs_parts()?;
            f.hs_with_signature(&non_canonical(s))
        },
    },
    Mutation {
        id: "malformed/empty-header",
        description: "an empty protected header",
        code: "malformed",
        explanation: COMPACT_FORM,
        reference: COMPACT_FORM_REFERENCE,
        make: |f| {
            let (_, p, s) = f.hs_parts()?;
            Ok(f.for_hs(format!(".{p}.{s}")))
        },
    },
    Mutation {
        id: "malformed/standard-base64-alphabet",
        description: "a valid RS256 token rewritten in the standard base64 alphabet ('+' and '/')",
        code: "malformed",
        explanation: "JWS uses the URL-safe alphabet only; accepting both gives every token two spellings",
        reference: Some("RFC 7515, Section 2"),
        make: |f| {
            let standard = f.good_rs.replace('-', "+").replace('_', "/");
            if standard == f.good_rs {
                return Err("the seeded RS256 signature has neither '-' nor '_'".into());
            }
            Ok(Made::compact(standard, &f.rs_key, &["RS256"]))
        },
    },
    // Headers.
    Mutation {
        id: "bad-header/not-json",
        description: "the protected header is not JSON",
        code: "bad-header",
        explanation: HEADER_FORM,
        reference: HEADER_FORM_REFERENCE,
        make: |f| f.hs_header("not json"),
    },
    Mutation {
        id: "bad-header/array",
        description: "the protected header is a JSON array",
        code: "bad-header",
        explanation: HEADER_FORM,
        reference: HEADER_FORM_REFERENCE,
        make: |f| f.hs_header(r#"["alg","HS256"]"#),
    },
    Mutation {
        id: "bad-header/missing-alg",
        description: "the protected header has no alg",
        code: "bad-header",
        explanation: HEADER_FORM,
        reference: HEADER_FORM_REFERENCE,
        make: |f| f.hs_header(r#"{"typ":"JWT"}"#),
    },
    Mutation {
        id: "bad-header/alg-not-string",
        description: "alg is a number",
        code: "bad-header",
        explanation: HEADER_FORM,
        reference: HEADER_FORM_REFERENCE,
        make: |f| f.hs_header(r#"{"alg":256}"#),
    },
    Mutation {
        id: "duplicate-member/alg",
        description: "alg appears twice",
        code: "duplicate-member",
        explanation: DUPLICATE,
        reference: DUPLICATE_REFERENCE,
        make: |f| f.hs_header(r#"{"alg":"HS256","alg":"HS256"}"#),
    },
    Mutation {
        id: "duplicate-member/escaped",
        description: "alg appears twice, once spelt with a \\u escape",
        code: "duplicate-member",
        explanation: DUPLICATE,
        reference: DUPLICATE_REFERENCE,
        make: |f| f.hs_header(r#"{"alg":"HS256","\u0061lg":"HS256"}"#),
    },
    Mutation {
        id: "duplicate-member/typ",
        description: "typ appears twice with different values",
        code: "duplicate-member",
        explanation: DUPLICATE,
        reference: DUPLICATE_REFERENCE,
        make: |f| f.hs_header(r#"{"alg":"HS256","typ":"JWT","typ":"at+jwt"}"#),
    },
    Mutation {
        id: "crit-unknown",
        description: "crit lists exp, which this verifier does not understand (the RFC 7515 §4.1.11 example)",
        code: "crit-unknown",
        explanation: "a recipient must refuse a JWS whose crit lists an extension it does not understand",
        reference: CRIT,
        make: |f| f.hs_header(r#"{"alg":"HS256","crit":["exp"],"exp":1363284000}"#),
    },
    Mutation {
        id: "crit-malformed/empty",
        description: "crit is an empty list",
        code: "crit-malformed",
        explanation: CRIT_MALFORMED,
        reference: CRIT,
        make: |f| f.hs_header(r#"{"alg":"HS256","crit":[]}"#),
    },
    Mutation {
        id: "crit-malformed/registered-name",
        description: "crit lists alg, a registered parameter",
        code: "crit-malformed",
        explanation: CRIT_MALFORMED,
        reference: CRIT,
        make: |f| f.hs_header(r#"{"alg":"HS256","crit":["alg"]}"#),
    },
    Mutation {
        id: "b64-not-critical",
        description: "b64 false without crit: a recipient that ignores b64 would verify a different signing input",
        code: "b64-not-critical",
        explanation: "RFC 7797 requires b64 to be listed in crit",
        reference: Some("RFC 7797, Section 6"),
        make: |f| {
            // The unencoded payload (RFC 7797) in the signing input and in the token.
            let header = b64s(r#"{"alg":"HS256","b64":false}"#);
            let payload = String::from_utf8_lossy(PAYLOAD);
            let input = format!("{header}.{payload}");
            let sig = f.hs.sign(input.as_bytes()).map_err(|e| e.to_string())?;
            Ok(f.for_hs(format!("{input}.{}", b64::encode(sig))))
        },
    },
    Mutation {
        id: "crit-malformed/absent-parameter",
        description: "crit lists exp, which the verifier understands, but the header has no exp",
        code: "crit-malformed",
        explanation: "every parameter crit lists must be present",
        reference: CRIT,
        make: |f| {
            let made = f.hs_header(r#"{"alg":"HS256","crit":["exp"]}"#)?;
            Ok(Made {
                critical: &["exp"],
                ..made
            })
        },
    },
    // JSON serializations.
    Mutation {
        id: "header-not-disjoint",
        description: "alg in both the protected and the unprotected header",
        code: "header-not-disjoint",
        explanation: "header parameter names must be disjoint across headers",
        reference: Some("RFC 7515, Section 7.2.1"),
        make: |f| {
            let text = f.flattened(r#"{"payload":"{payload}","protected":"{protected}","header":{"alg":"HS256"},"signature":"{mac}"}"#)?;
            Ok(Made::flattened(text, false, f))
        },
    },
    Mutation {
        id: "crit-malformed/unprotected",
        description: "crit in the unprotected header",
        code: "crit-malformed",
        explanation: "crit must be integrity protected",
        reference: CRIT,
        make: |f| {
            let text = f.flattened(r#"{"payload":"{payload}","protected":"{protected}","header":{"crit":["exp"],"exp":1},"signature":"{mac}"}"#)?;
            Ok(Made::flattened(text, false, f))
        },
    },
    Mutation {
        id: "duplicate-member/json-serialization",
        description: "payload appears twice in the JSON serialization",
        code: "duplicate-member",
        explanation: "member names must be unique",
        reference: Some("RFC 7515, Section 7.2; RFC 8259, Section 4"),
        make: |f| {
            // Duplicate members do not survive a JSON value: kept as exact text.
            let text = f.flattened(r#"{"payload":"{payload}","payload":"","protected":"{protected}","signature":"{mac}"}"#)?;
            Ok(Made::flattened(text, true, f))
        },
    },
    Mutation {
        id: "malformed/signature-and-signatures",
        description: "both signature and signatures",
        code: "malformed",
        explanation: "the flattened form must not have signatures",
        reference: Some("RFC 7515, Section 7.2.2"),
        make: |f| {
            let text = f.flattened(r#"{"payload":"{payload}","protected":"{protected}","signature":"{mac}","signatures":[]}"#)?;
            Ok(Made::flattened(text, false, f))
        },
    },
    // Keys.
    Mutation {
        id: "key-too-short/hs256-16-bytes",
        description: "a valid HS256 MAC with a 16-byte key",
        code: "key-too-short",
        explanation: "HS256 keys must be at least 256 bits",
        reference: Some("RFC 7518, Section 3.2"),
        make: |_| {
            let short = oct_signer(&keys::bytes("key/hs256-short", 16))?;
            let token = raw_compact(&short, r#"{"alg":"HS256"}"#, PAYLOAD)?;
            Ok(Made::compact(token, &keys::value(&short.0), &["HS256"]))
        },
    },
    Mutation {
        id: "no-matching-key/kid",
        description: "kid names no key of the verifier's JWK Set",
        code: "no-matching-key",
        explanation: "with a key set, the key is selected by kid; none matches",
        reference: Some("RFC 7515, Section 4.1.4"),
        make: |f| {
            let token = raw_compact(&f.es, r#"{"alg":"ES256","kid":"unknown-kid"}"#, PAYLOAD)?;
            let set = json!({ "keys": [f.es_key.clone(), verification_value(&f.keys.p384)?] });
            Ok(Made::compact(token, &set, &["ES256", "ES384"]))
        },
    },
    // Detached content that differs from what was signed.
    Mutation {
        id: "bad-signature/detached-content-differs",
        description: "a detached JWS presented with content other than what was signed",
        code: "bad-signature",
        explanation: "the supplied detached content is part of the signing input",
        reference: Some("RFC 7515, Appendix F"),
        make: |f| {
            let token = compact::CompactSign::new(b"signed content")
                .protected_json(r#"{"alg":"HS256"}"#)
                .detached()
                .sign(&f.hs)
                .map_err(|e| e.to_string())?;
            Ok(Made {
                detached_content: Some("other content"),
                ..f.for_hs(token)
            })
        },
    },
];

/// Flips one bit of the decoded part `index` (0 header, 1 payload, 2 signature) and
/// re-encodes it canonically.
fn flip(token: &str, index: usize, byte: usize) -> Result<String, String> {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut bytes = unb64(&parts[index])?;
    let at = byte.min(bytes.len().saturating_sub(1));
    bytes[at] ^= 0x01;
    parts[index] = b64::encode(&bytes);
    Ok(parts.join("."))
}

/// An HS256 signer keyed with `secret` (any length: negative vectors need weak ones).
fn oct_signer(secret: &[u8]) -> Result<RawHmac, String> {
    let key = OctKey::new(SecretBytes::new(secret.to_vec())).map_err(|e| e.to_string())?;
    Ok(RawHmac(Jwk::new(KeyMaterial::Oct(key))))
}

/// HMAC-SHA-256 with any key, bypassing the key-length rule (for negative vectors only).
struct RawHmac(Jwk);

impl Signer for RawHmac {
    fn algorithm(&self) -> JwsAlgorithm {
        JwsAlgorithm::HS256
    }

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JwsError> {
        let KeyMaterial::Oct(k) = self.0.material() else {
            return Err(JwsError::Signer("not oct".into()));
        };
        Ok(hmac_sha256(k.secret().expose(), signing_input))
    }
}

/// HMAC-SHA-256 (RFC 2104) from SHA-256, so that weak keys can be used for negative vectors.
fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    let outer: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
    let mut h = Sha256::new();
    h.update(&inner);
    h.update(data);
    let inner_hash = h.finalize();
    let mut h = Sha256::new();
    h.update(&outer);
    h.update(inner_hash);
    h.finalize().to_vec()
}

/// A fixed-size `r || s` signature as ASN.1 DER.
fn der_signature(sig: &[u8]) -> Vec<u8> {
    fn integer(x: &[u8]) -> Vec<u8> {
        let mut x: Vec<u8> = x.iter().copied().skip_while(|b| *b == 0).collect();
        if x.first().is_some_and(|b| b & 0x80 != 0) || x.is_empty() {
            x.insert(0, 0);
        }
        let mut out = vec![0x02, u8::try_from(x.len()).unwrap_or(0)];
        out.extend(x);
        out
    }
    let half = sig.len() / 2;
    let mut body = integer(&sig[..half]);
    body.extend(integer(&sig[half..]));
    let mut out = vec![0x30, u8::try_from(body.len()).unwrap_or(0)];
    out.extend(body);
    out
}

/// The same base64url text with non-zero unused bits in its last character.
fn non_canonical(s: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = s.as_bytes().to_vec();
    if let Some(last) = bytes.last_mut()
        && let Some(pos) = ALPHABET.iter().position(|c| c == last)
    {
        // 32-byte MACs are 43 characters: the last one carries 4 bits and 2 unused ones.
        *last = ALPHABET[pos | 1];
    }
    String::from_utf8(bytes).unwrap_or_default()
}
