//! JWK Thumbprint vectors (RFC 7638) and thumbprint URIs (RFC 9278).

use super::format::ThumbprintVector;
use super::jws::JwsKeys;
use super::keys;
use super::util::{self, cite, generated, str_of, valid};
use jwk_thumbprint::{ThumbprintHash, canonical_json, thumbprint_b64, thumbprint_uri};
use serde_json::Value;

fn vector(
    common: super::format::Common,
    jwk: &Value,
    hash: ThumbprintHash,
) -> Result<ThumbprintVector, String> {
    let key = util::jwk(jwk)?;
    Ok(ThumbprintVector {
        common,
        jwk: jwk.clone(),
        hash: hash.uri_name().to_owned(),
        canonical_json: canonical_json(&key),
        thumbprint_b64: thumbprint_b64(&key, hash),
        uri: Some(thumbprint_uri(&key, hash)),
    })
}

/// Every thumbprint vector. Published thumbprints are taken from their documents (and the
/// check recomputes them); generated ones are computed here and recomputed by the check.
pub fn generate() -> Result<Vec<Value>, String> {
    let mut out = Vec::new();

    let file = "rfc/rfc7638-jwk-thumbprint.json";
    let v = util::source_file(file)?;
    let mut t = vector(
        valid(
            "jwk-thumbprint/rfc7638/3.1",
            "the RSA key of RFC 7638 §3.1 (its alg and kid are not hashed)",
            cite("rfc", "RFC 7638, Section 3.1", file, Some("3.1")),
        ),
        &v["jwk"],
        ThumbprintHash::Sha256,
    )?;
    t.canonical_json = str_of(&v, "canonical_json")?.to_owned();
    t.thumbprint_b64 = str_of(&v, "sha256_thumbprint_b64")?.to_owned();
    let uri_file = "rfc/rfc9278-jwk-thumbprint-uri.json";
    t.uri = Some(str_of(&util::source_file(uri_file)?, "uri")?.to_owned());
    t.common
        .description
        .push_str("; the URI is RFC 9278's example");
    out.push(t);

    let file = "rfc/rfc8037-okp-appendix-a.json";
    let v = util::source_file(file)?;
    let mut t = vector(
        valid(
            "jwk-thumbprint/rfc8037/A.3",
            "the Ed25519 public key of RFC 8037",
            cite("rfc", "RFC 8037, Appendix A.3", file, Some("A.3")),
        ),
        &v["A.2_ed25519_public_jwk"],
        ThumbprintHash::Sha256,
    )?;
    t.canonical_json = str_of(&v["A.3_thumbprint"], "canonical_json")?.to_owned();
    t.thumbprint_b64 = str_of(&v["A.3_thumbprint"], "sha256_b64")?.to_owned();
    out.push(t);

    let file = "rfc/rfc9449-dpop-examples.json";
    let v = util::source_file(file)?;
    let mut t = vector(
        valid(
            "jwk-thumbprint/rfc9449/jkt",
            "the DPoP proof key of RFC 9449 and its jkt",
            cite("rfc", "RFC 9449, Sections 6.1 and 10", file, None),
        ),
        &v["dpop_public_jwk"],
        ThumbprintHash::Sha256,
    )?;
    t.canonical_json = str_of(&v, "jwk_thumbprint_canonical_json")?.to_owned();
    t.thumbprint_b64 = str_of(&v, "jkt")?.to_owned();
    out.push(t);

    let file = "oidc2/draft-examples.json";
    let v = util::source_file(file)?;
    for (name, figure) in [("client", "Fig. 3"), ("op", "Fig. 9")] {
        let k = &v["keys"][name];
        let mut t = vector(
            valid(
                format!("jwk-thumbprint/oidc2/{name}"),
                format!("the OIDC² draft's {name} P-384 key ({figure})"),
                cite(
                    "draft",
                    &format!("draft-openid-oidc2, {figure}"),
                    file,
                    Some(name),
                ),
            ),
            &k["public_jwk"],
            ThumbprintHash::Sha256,
        )?;
        t.canonical_json = str_of(k, "thumbprint_input")?.to_owned();
        t.thumbprint_b64 = str_of(k, "thumbprint_sha256")?.to_owned();
        out.push(t);
    }

    let jws_keys = JwsKeys::new()?;
    let mut all: Vec<jose_core::jwk::Jwk> = jws_keys.all().iter().map(|k| (*k).clone()).collect();
    all.push(keys::x25519("x25519")?);
    for key in &all {
        let kid = key.kid().unwrap_or_default().to_owned();
        let value = util::verification_value(key)?;
        for hash in [
            ThumbprintHash::Sha256,
            ThumbprintHash::Sha384,
            ThumbprintHash::Sha512,
        ] {
            out.push(vector(
                valid(
                    format!("jwk-thumbprint/generated/{kid}/{}", hash.uri_name()),
                    format!(
                        "{} thumbprint of the generated {} key {kid}",
                        hash.uri_name(),
                        key.key_type()
                    ),
                    generated("a key of the generated vectors", &keys::key_label(&kid)),
                ),
                &value,
                hash,
            )?);
        }
    }
    out.iter().map(util::to_value).collect()
}

/// Checks one thumbprint vector.
pub fn check(value: &Value) -> Result<String, String> {
    let v: ThumbprintVector = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    let hash: ThumbprintHash = v.hash.parse().map_err(|e| format!("hash: {e}"))?;
    let key = util::jwk(&v.jwk)?;
    let canonical = canonical_json(&key);
    if canonical != v.canonical_json {
        return Err(format!("canonical JSON {canonical} differs"));
    }
    let thumbprint = thumbprint_b64(&key, hash);
    if thumbprint != v.thumbprint_b64 {
        return Err(format!("thumbprint {thumbprint} differs"));
    }
    if let Some(uri) = &v.uri {
        let ours = thumbprint_uri(&key, hash);
        if &ours != uri {
            return Err(format!("URI {ours} differs"));
        }
        if !jwk_thumbprint::matches_uri(&key, uri) {
            return Err("matches_uri refuses the vector's URI".into());
        }
    }
    Ok("thumbprint and URI recomputed".into())
}
