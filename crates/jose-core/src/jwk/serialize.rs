//! Writing a JWK out: the JSON object with or without its private members, and the public
//! half of a private key.

use super::{Jwk, KeyError, KeyMaterial, KeyOperation};
use serde_json::{Map, Value};

impl Jwk {
    /// The JWK as a JSON object, private members included when the key is private.
    #[must_use]
    pub fn to_json_value(&self) -> Map<String, Value> {
        self.to_map(true)
    }

    /// The JWK as compact JSON text, private members included when the key is private.
    #[must_use]
    pub fn to_json(&self) -> String {
        Value::Object(self.to_map(true)).to_string()
    }

    fn to_map(&self, include_private: bool) -> Map<String, Value> {
        let mut out = Map::new();
        out.insert(
            "kty".into(),
            Value::String(self.material.key_type().as_str().into()),
        );
        match &self.material {
            KeyMaterial::Oct(k) => {
                if include_private {
                    k.write(&mut out);
                }
            }
            #[cfg(feature = "rsa")]
            KeyMaterial::Rsa(k) => k.write(&mut out, include_private),
            #[cfg(feature = "ec")]
            KeyMaterial::Ec(k) => k.write(&mut out, include_private),
            #[cfg(feature = "eddsa")]
            KeyMaterial::Ed25519(k) => k.write(&mut out, include_private),
            #[cfg(feature = "x25519")]
            KeyMaterial::X25519(k) => k.write(&mut out, include_private),
        }
        let mut put = |name: &str, v: Value| {
            out.insert(name.to_owned(), v);
        };
        if let Some(kid) = &self.kid {
            put("kid", Value::String(kid.clone()));
        }
        if let Some(u) = &self.key_use {
            put("use", Value::String(u.as_str().into()));
        }
        if let Some(ops) = &self.key_ops {
            put(
                "key_ops",
                Value::Array(
                    ops.iter()
                        .map(|o| Value::String(o.as_str().into()))
                        .collect(),
                ),
            );
        }
        if let Some(alg) = &self.alg {
            put("alg", Value::String(alg.as_str().into()));
        }
        if let Some(x5u) = &self.x5u {
            put("x5u", Value::String(x5u.clone()));
        }
        if let Some(chain) = &self.x5c {
            put(
                "x5c",
                Value::Array(
                    chain
                        .iter()
                        .map(|c| Value::String(crate::b64::encode_standard(c)))
                        .collect(),
                ),
            );
        }
        if let Some(t) = &self.x5t {
            put("x5t", Value::String(crate::b64::encode(t)));
        }
        if let Some(t) = &self.x5t_s256 {
            put("x5t#S256", Value::String(crate::b64::encode(t)));
        }
        for (k, v) in &self.extra {
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
        out
    }

    /// The public key as a JWK (for publishing in a JWK Set or a `jwk` header).
    ///
    /// Parameters are kept; `key_ops` values are mapped to what the public half does
    /// (`sign` → `verify`, `decrypt` → `encrypt`, `unwrapKey` → `wrapKey`).
    ///
    /// # Errors
    /// [`KeyError::NoPublicForm`] for a symmetric key.
    // With every asymmetric key type compiled out, only the symmetric arm remains.
    #[cfg_attr(
        not(any(feature = "rsa", feature = "ec", feature = "eddsa", feature = "x25519")),
        allow(unreachable_code)
    )]
    pub fn to_public(&self) -> Result<Jwk, KeyError> {
        let material = match &self.material {
            KeyMaterial::Oct(_) => return Err(KeyError::NoPublicForm),
            #[cfg(feature = "rsa")]
            KeyMaterial::Rsa(k) => KeyMaterial::Rsa(k.to_public()),
            #[cfg(feature = "ec")]
            KeyMaterial::Ec(k) => KeyMaterial::Ec(k.to_public()),
            #[cfg(feature = "eddsa")]
            KeyMaterial::Ed25519(k) => KeyMaterial::Ed25519(k.to_public()),
            #[cfg(feature = "x25519")]
            KeyMaterial::X25519(k) => KeyMaterial::X25519(k.to_public()),
        };
        let mut public = self.clone();
        public.material = material;
        #[cfg(feature = "aws-lc-rs")]
        {
            public.prepared = Default::default();
        }
        if let Some(ops) = &self.key_ops {
            let mut mapped: Vec<KeyOperation> = Vec::new();
            for op in ops.iter().map(KeyOperation::public_counterpart) {
                if !mapped.contains(&op) {
                    mapped.push(op);
                }
            }
            public.key_ops = Some(mapped);
        }
        Ok(public)
    }
}

impl serde::Serialize for Jwk {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_map(true).serialize(s)
    }
}
