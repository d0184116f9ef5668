//! JOSE headers: typed registered parameters plus a map of extension parameters.
//!
//! [`JwsHeader`] (RFC 7515 §4.1, RFC 7797 §3) and [`JweHeader`] (RFC 7516 §4.1, RFC 7518 §4.6–4.8)
//! share the parameters of [`CommonParams`]. Headers are read from a JSON object with typed
//! errors: an unknown `alg` is [`HeaderError::Algorithm`], `alg: "none"` is refused, an embedded
//! `jwk` is validated and must be public, `x5c` is decoded.
//!
//! Protected and unprotected parts are combined with [`merge_disjoint`], which refuses a
//! parameter that appears in both (RFC 7515 §7.2.1, RFC 7516 §7.2.1).
//!
//! ```
//! use jose_core::alg::JwsAlgorithm;
//! use jose_core::header::JwsHeader;
//!
//! let header = JwsHeader::new(JwsAlgorithm::ES256).with_kid("k1").with_typ("JWT");
//! let json = header.to_json();
//! let back = JwsHeader::from_json(json.as_bytes()).unwrap();
//! assert_eq!(back.kid(), Some("k1"));
//! assert_eq!(back.alg(), Some(JwsAlgorithm::ES256));
//! ```

use crate::alg::{
    AlgorithmError, CompressionAlgorithm, ContentEncryptionAlgorithm, JwsAlgorithm,
    KeyManagementAlgorithm,
};
use crate::b64::{self, Base64Error};
use crate::json::{self, JsonError, JsonLimits};
use crate::jwk::{Jwk, KeyError, KeyPolicy};
use serde_json::{Map, Value};

/// Why a header was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// The header is not acceptable JSON.
    #[error("header is not valid JSON: {0}")]
    Json(#[from] JsonError),
    /// The `alg`, `enc` or `zip` value is refused.
    #[error("header parameter {name:?}: {source}")]
    Algorithm {
        /// The parameter.
        name: &'static str,
        /// Why.
        source: AlgorithmError,
    },
    /// A parameter has the wrong JSON type or an invalid value.
    #[error("header parameter {name:?} is invalid: {reason}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A base64url parameter does not decode.
    #[error("header parameter {name:?} is not valid base64url: {source}")]
    Base64 {
        /// The parameter.
        name: &'static str,
        /// The decoding error.
        source: Base64Error,
    },
    /// The embedded `jwk` or `epk` is not a valid key.
    #[error("header parameter {name:?} holds an invalid key: {source}")]
    InvalidKey {
        /// `jwk` or `epk`.
        name: &'static str,
        /// Why the key was refused.
        source: KeyError,
    },
    /// The embedded key contains private key material.
    #[error("header parameter {0:?} contains a private key")]
    PrivateKey(&'static str),
    /// A parameter appears in more than one of the protected, shared and per-recipient headers.
    #[error("header parameter {0:?} appears in more than one header")]
    NotDisjoint(String),
    /// A required parameter is absent.
    #[error("header parameter {0:?} is missing")]
    Missing(&'static str),
    /// The `crit` parameter is malformed or lists something not understood.
    #[error("crit: {0}")]
    Crit(String),
    /// A registered parameter name was passed where only extension parameters are allowed.
    #[error("{0:?} is a registered header parameter; use its typed setter")]
    Registered(String),
}

/// The parameters both JWS and JWE headers may carry (RFC 7515 §4.1.2–4.1.11).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommonParams {
    /// `jku`: a URL of a JWK Set. Parsed only; this workspace never fetches it.
    pub jku: Option<String>,
    /// `jwk`: an embedded public key.
    pub jwk: Option<Box<Jwk>>,
    /// `kid`: key identifier.
    pub kid: Option<String>,
    /// `x5u`: a URL of a certificate chain. Parsed only; never fetched.
    pub x5u: Option<String>,
    /// `x5c`: the certificate chain, DER, leaf first.
    pub x5c: Option<Vec<Vec<u8>>>,
    /// `x5t`: SHA-1 thumbprint of the certificate.
    pub x5t: Option<Vec<u8>>,
    /// `x5t#S256`: SHA-256 thumbprint of the certificate.
    pub x5t_s256: Option<Vec<u8>>,
    /// `typ`: media type of the complete object.
    pub typ: Option<String>,
    /// `cty`: media type of the content.
    pub cty: Option<String>,
    /// `crit`: extensions the recipient must understand.
    pub crit: Option<Vec<String>>,
}

/// Header parameters registered for JWS (RFC 7515, RFC 7797).
pub const JWS_REGISTERED: &[&str] = &[
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "b64",
];

/// Header parameters registered for JWE (RFC 7516, RFC 7518).
pub const JWE_REGISTERED: &[&str] = &[
    "alg", "enc", "zip", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty",
    "crit", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
];

/// Reads typed parameters out of a JSON object, leaving unknown ones behind.
struct Reader(Map<String, Value>);

impl Reader {
    fn string(&mut self, name: &'static str) -> Result<Option<String>, HeaderError> {
        match self.0.remove(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(HeaderError::InvalidParameter {
                name,
                reason: "must be a string",
            }),
        }
    }

    fn b64(&mut self, name: &'static str) -> Result<Option<Vec<u8>>, HeaderError> {
        self.string(name)?
            .map(|s| b64::decode(&s).map_err(|source| HeaderError::Base64 { name, source }))
            .transpose()
    }

    fn key(&mut self, name: &'static str) -> Result<Option<Box<Jwk>>, HeaderError> {
        match self.0.remove(name) {
            None => Ok(None),
            Some(Value::Object(obj)) => {
                let key = Jwk::from_map(obj, &KeyPolicy::default())
                    .map_err(|source| HeaderError::InvalidKey { name, source })?;
                if key.is_private() {
                    return Err(HeaderError::PrivateKey(name));
                }
                Ok(Some(Box::new(key)))
            }
            Some(_) => Err(HeaderError::InvalidParameter {
                name,
                reason: "must be a JWK object",
            }),
        }
    }

    fn common(&mut self) -> Result<CommonParams, HeaderError> {
        let crit = match self.0.remove("crit") {
            None => None,
            Some(Value::Array(items)) => {
                if items.is_empty() {
                    return Err(HeaderError::Crit("must not be an empty list".into()));
                }
                let mut names = Vec::with_capacity(items.len());
                for item in items {
                    let Value::String(name) = item else {
                        return Err(HeaderError::Crit("must be a list of strings".into()));
                    };
                    if names.contains(&name) {
                        return Err(HeaderError::Crit(format!(
                            "lists {:?} twice",
                            json::truncate_for_error(&name)
                        )));
                    }
                    names.push(name);
                }
                Some(names)
            }
            Some(_) => return Err(HeaderError::Crit("must be a list of strings".into())),
        };
        let x5c = match self.0.remove("x5c") {
            None => None,
            Some(Value::Array(items)) if !items.is_empty() => Some(
                items
                    .iter()
                    .map(|item| match item {
                        Value::String(s) => {
                            b64::decode_standard(s).map_err(|source| HeaderError::Base64 {
                                name: "x5c",
                                source,
                            })
                        }
                        _ => Err(HeaderError::InvalidParameter {
                            name: "x5c",
                            reason: "must be a list of strings",
                        }),
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(_) => {
                return Err(HeaderError::InvalidParameter {
                    name: "x5c",
                    reason: "must be a non-empty list",
                });
            }
        };
        Ok(CommonParams {
            jku: self.string("jku")?,
            jwk: self.key("jwk")?,
            kid: self.string("kid")?,
            x5u: self.string("x5u")?,
            x5c,
            x5t: self.b64("x5t")?,
            x5t_s256: self.b64("x5t#S256")?,
            typ: self.string("typ")?,
            cty: self.string("cty")?,
            crit,
        })
    }

    fn alg<A: core::str::FromStr<Err = AlgorithmError>>(
        &mut self,
        name: &'static str,
    ) -> Result<Option<A>, HeaderError> {
        self.string(name)?
            .map(|s| {
                s.parse()
                    .map_err(|source| HeaderError::Algorithm { name, source })
            })
            .transpose()
    }
}

fn write_common(c: &CommonParams, out: &mut Map<String, Value>) {
    let mut put = |name: &str, v: Value| {
        out.insert(name.to_owned(), v);
    };
    if let Some(v) = &c.jku {
        put("jku", Value::String(v.clone()));
    }
    if let Some(k) = &c.jwk {
        put("jwk", Value::Object(k.to_json_value()));
    }
    if let Some(v) = &c.kid {
        put("kid", Value::String(v.clone()));
    }
    if let Some(v) = &c.x5u {
        put("x5u", Value::String(v.clone()));
    }
    if let Some(chain) = &c.x5c {
        put(
            "x5c",
            Value::Array(
                chain
                    .iter()
                    .map(|d| Value::String(b64::encode_standard(d)))
                    .collect(),
            ),
        );
    }
    if let Some(v) = &c.x5t {
        put("x5t", Value::String(b64::encode(v)));
    }
    if let Some(v) = &c.x5t_s256 {
        put("x5t#S256", Value::String(b64::encode(v)));
    }
    if let Some(v) = &c.typ {
        put("typ", Value::String(v.clone()));
    }
    if let Some(v) = &c.cty {
        put("cty", Value::String(v.clone()));
    }
    if let Some(v) = &c.crit {
        put(
            "crit",
            Value::Array(v.iter().cloned().map(Value::String).collect()),
        );
    }
}

/// Getters and builder setters for the common parameters, shared by both header types.
macro_rules! common_accessors {
    () => {
        /// The `kid` parameter.
        #[must_use]
        pub fn kid(&self) -> Option<&str> {
            self.common.kid.as_deref()
        }
        /// The `typ` parameter.
        #[must_use]
        pub fn typ(&self) -> Option<&str> {
            self.common.typ.as_deref()
        }
        /// The `cty` parameter.
        #[must_use]
        pub fn cty(&self) -> Option<&str> {
            self.common.cty.as_deref()
        }
        /// The embedded public key (`jwk`).
        #[must_use]
        pub fn jwk(&self) -> Option<&Jwk> {
            self.common.jwk.as_deref()
        }
        /// The certificate chain (`x5c`), DER, leaf first.
        #[must_use]
        pub fn x5c(&self) -> Option<&[Vec<u8>]> {
            self.common.x5c.as_deref()
        }
        /// The `crit` list.
        #[must_use]
        pub fn crit(&self) -> Option<&[String]> {
            self.common.crit.as_deref()
        }
        /// All common parameters.
        #[must_use]
        pub fn common(&self) -> &CommonParams {
            &self.common
        }
        /// All common parameters, mutably.
        pub fn common_mut(&mut self) -> &mut CommonParams {
            &mut self.common
        }
        /// An extension (unregistered) parameter.
        #[must_use]
        pub fn param(&self, name: &str) -> Option<&Value> {
            self.extra.get(name)
        }
        /// All extension parameters.
        #[must_use]
        pub fn extra(&self) -> &Map<String, Value> {
            &self.extra
        }
        /// Sets `kid`.
        #[must_use]
        pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
            self.common.kid = Some(kid.into());
            self
        }
        /// Sets `typ`.
        #[must_use]
        pub fn with_typ(mut self, typ: impl Into<String>) -> Self {
            self.common.typ = Some(typ.into());
            self
        }
        /// Sets `cty`.
        #[must_use]
        pub fn with_cty(mut self, cty: impl Into<String>) -> Self {
            self.common.cty = Some(cty.into());
            self
        }
        /// Embeds a public key as `jwk`.
        ///
        /// # Errors
        /// [`HeaderError::PrivateKey`] when the key is private or symmetric.
        pub fn with_jwk(mut self, jwk: Jwk) -> Result<Self, HeaderError> {
            if jwk.is_private() {
                return Err(HeaderError::PrivateKey("jwk"));
            }
            self.common.jwk = Some(Box::new(jwk));
            Ok(self)
        }
        /// Sets the certificate chain (`x5c`), DER, leaf first.
        #[must_use]
        pub fn with_x5c(mut self, chain: Vec<Vec<u8>>) -> Self {
            self.common.x5c = Some(chain);
            self
        }
        /// Sets `crit`.
        #[must_use]
        pub fn with_crit(mut self, names: Vec<String>) -> Self {
            self.common.crit = Some(names);
            self
        }
        /// Sets an extension parameter.
        ///
        /// # Errors
        /// [`HeaderError::Registered`] for a registered parameter name.
        pub fn with_param(
            mut self,
            name: impl Into<String>,
            value: Value,
        ) -> Result<Self, HeaderError> {
            let name = name.into();
            if Self::REGISTERED.contains(&name.as_str()) {
                return Err(HeaderError::Registered(name));
            }
            self.extra.insert(name, value);
            Ok(self)
        }
        /// The header as compact JSON text.
        #[must_use]
        pub fn to_json(&self) -> String {
            Value::Object(self.to_map()).to_string()
        }
        /// Parses a header from JSON text (strict: duplicates refused).
        ///
        /// # Errors
        /// [`HeaderError`].
        pub fn from_json(text: &[u8]) -> Result<Self, HeaderError> {
            Self::from_map(json::parse_object(text, &JsonLimits::HEADER)?)
        }
    };
}

/// A JWS header (the union of protected and unprotected parameters).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JwsHeader {
    alg: Option<JwsAlgorithm>,
    b64: Option<bool>,
    common: CommonParams,
    extra: Map<String, Value>,
}

impl JwsHeader {
    /// The registered parameter names.
    pub const REGISTERED: &'static [&'static str] = JWS_REGISTERED;

    /// A header with `alg` set.
    #[must_use]
    pub fn new(alg: JwsAlgorithm) -> Self {
        Self {
            alg: Some(alg),
            ..Self::default()
        }
    }

    /// The `alg` parameter.
    #[must_use]
    pub fn alg(&self) -> Option<JwsAlgorithm> {
        self.alg
    }

    /// Sets `alg`.
    #[must_use]
    pub fn with_alg(mut self, alg: JwsAlgorithm) -> Self {
        self.alg = Some(alg);
        self
    }

    /// The `b64` parameter of RFC 7797 (absent means `true`).
    #[must_use]
    pub fn b64(&self) -> Option<bool> {
        self.b64
    }

    /// Sets `b64` (RFC 7797); callers must also list `b64` in `crit`.
    #[must_use]
    pub fn with_b64(mut self, b64: bool) -> Self {
        self.b64 = Some(b64);
        self
    }

    common_accessors!();

    /// Reads a header from a JSON object.
    ///
    /// # Errors
    /// [`HeaderError`] naming the parameter.
    pub fn from_map(map: Map<String, Value>) -> Result<Self, HeaderError> {
        let mut r = Reader(map);
        let alg = r.alg("alg")?;
        let b64 = match r.0.remove("b64") {
            None => None,
            Some(Value::Bool(b)) => Some(b),
            Some(_) => {
                return Err(HeaderError::InvalidParameter {
                    name: "b64",
                    reason: "must be a boolean",
                });
            }
        };
        let common = r.common()?;
        Ok(Self {
            alg,
            b64,
            common,
            extra: r.0,
        })
    }

    /// The header as a JSON object.
    #[must_use]
    pub fn to_map(&self) -> Map<String, Value> {
        let mut out = Map::new();
        if let Some(alg) = self.alg {
            out.insert("alg".into(), Value::String(alg.as_str().into()));
        }
        if let Some(b) = self.b64 {
            out.insert("b64".into(), Value::Bool(b));
        }
        write_common(&self.common, &mut out);
        for (k, v) in &self.extra {
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
        out
    }
}

/// A JWE header (the union of protected, shared unprotected and per-recipient parameters).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JweHeader {
    alg: Option<KeyManagementAlgorithm>,
    enc: Option<ContentEncryptionAlgorithm>,
    zip: Option<CompressionAlgorithm>,
    /// `epk`: the ephemeral public key of ECDH-ES.
    pub epk: Option<Box<Jwk>>,
    /// `apu`: agreement PartyUInfo.
    pub apu: Option<Vec<u8>>,
    /// `apv`: agreement PartyVInfo.
    pub apv: Option<Vec<u8>>,
    /// `iv`: the AES-GCM key wrap IV.
    pub iv: Option<Vec<u8>>,
    /// `tag`: the AES-GCM key wrap tag.
    pub tag: Option<Vec<u8>>,
    /// `p2s`: the PBES2 salt input.
    pub p2s: Option<Vec<u8>>,
    /// `p2c`: the PBES2 iteration count.
    pub p2c: Option<u64>,
    common: CommonParams,
    extra: Map<String, Value>,
}

impl JweHeader {
    /// The registered parameter names.
    pub const REGISTERED: &'static [&'static str] = JWE_REGISTERED;

    /// A header with `alg` and `enc` set.
    #[must_use]
    pub fn new(alg: KeyManagementAlgorithm, enc: ContentEncryptionAlgorithm) -> Self {
        Self {
            alg: Some(alg),
            enc: Some(enc),
            ..Self::default()
        }
    }

    /// The `alg` parameter.
    #[must_use]
    pub fn alg(&self) -> Option<KeyManagementAlgorithm> {
        self.alg
    }

    /// Sets `alg`.
    #[must_use]
    pub fn with_alg(mut self, alg: KeyManagementAlgorithm) -> Self {
        self.alg = Some(alg);
        self
    }

    /// Removes `alg` (for a shared header when each recipient states its own).
    #[must_use]
    pub fn without_alg(mut self) -> Self {
        self.alg = None;
        self
    }

    /// The `enc` parameter.
    #[must_use]
    pub fn enc(&self) -> Option<ContentEncryptionAlgorithm> {
        self.enc
    }

    /// Sets `enc`.
    #[must_use]
    pub fn with_enc(mut self, enc: ContentEncryptionAlgorithm) -> Self {
        self.enc = Some(enc);
        self
    }

    /// The `zip` parameter.
    #[must_use]
    pub fn zip(&self) -> Option<CompressionAlgorithm> {
        self.zip
    }

    /// Sets `zip`.
    #[must_use]
    pub fn with_zip(mut self, zip: CompressionAlgorithm) -> Self {
        self.zip = Some(zip);
        self
    }

    common_accessors!();

    /// Reads a header from a JSON object.
    ///
    /// # Errors
    /// [`HeaderError`] naming the parameter.
    pub fn from_map(map: Map<String, Value>) -> Result<Self, HeaderError> {
        let mut r = Reader(map);
        let alg = r.alg("alg")?;
        let enc = r.alg("enc")?;
        let zip = r.alg("zip")?;
        let epk = r.key("epk")?;
        let p2c = match r.0.remove("p2c") {
            None => None,
            Some(Value::Number(n)) => Some(n.as_u64().ok_or(HeaderError::InvalidParameter {
                name: "p2c",
                reason: "must be a positive integer",
            })?),
            Some(_) => {
                return Err(HeaderError::InvalidParameter {
                    name: "p2c",
                    reason: "must be a number",
                });
            }
        };
        Ok(Self {
            alg,
            enc,
            zip,
            epk,
            apu: r.b64("apu")?,
            apv: r.b64("apv")?,
            iv: r.b64("iv")?,
            tag: r.b64("tag")?,
            p2s: r.b64("p2s")?,
            p2c,
            common: r.common()?,
            extra: r.0,
        })
    }

    /// The header as a JSON object.
    #[must_use]
    pub fn to_map(&self) -> Map<String, Value> {
        let mut out = Map::new();
        if let Some(alg) = self.alg {
            out.insert("alg".into(), Value::String(alg.as_str().into()));
        }
        if let Some(enc) = self.enc {
            out.insert("enc".into(), Value::String(enc.as_str().into()));
        }
        if let Some(zip) = self.zip {
            out.insert("zip".into(), Value::String(zip.as_str().into()));
        }
        if let Some(epk) = &self.epk {
            out.insert("epk".into(), Value::Object(epk.to_json_value()));
        }
        for (name, value) in [
            ("apu", &self.apu),
            ("apv", &self.apv),
            ("iv", &self.iv),
            ("tag", &self.tag),
            ("p2s", &self.p2s),
        ] {
            if let Some(v) = value {
                out.insert(name.into(), Value::String(b64::encode(v)));
            }
        }
        if let Some(c) = self.p2c {
            out.insert("p2c".into(), Value::from(c));
        }
        write_common(&self.common, &mut out);
        for (k, v) in &self.extra {
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
        out
    }
}

/// Combines header parts into one object, refusing any parameter name that appears in more than
/// one part.
///
/// # Errors
/// [`HeaderError::NotDisjoint`] naming the first shared parameter.
pub fn merge_disjoint<'a>(
    parts: impl IntoIterator<Item = &'a Map<String, Value>>,
) -> Result<Map<String, Value>, HeaderError> {
    let mut joint = Map::new();
    for part in parts {
        for (name, value) in part {
            if joint.insert(name.clone(), value.clone()).is_some() {
                return Err(HeaderError::NotDisjoint(json::truncate_for_error(name)));
            }
        }
    }
    Ok(joint)
}

/// Applies the `crit` rules of RFC 7515 §4.1.11 / RFC 7516 §4.1.13.
///
/// `crit` must appear only in the protected header, name no parameter registered for this kind
/// of object, name only parameters that are present, and name only extensions the recipient
/// understands (`understood`).
///
/// # Errors
/// [`HeaderError::Crit`] describing the violation.
pub fn check_crit(
    protected: &Map<String, Value>,
    unprotected: &[&Map<String, Value>],
    registered: &[&str],
    understood: &[&str],
) -> Result<(), HeaderError> {
    if unprotected.iter().any(|u| u.contains_key("crit")) {
        return Err(HeaderError::Crit(
            "must be integrity protected (only in the protected header)".into(),
        ));
    }
    let Some(crit) = protected.get("crit") else {
        return Ok(());
    };
    let Value::Array(names) = crit else {
        return Err(HeaderError::Crit("must be a list of strings".into()));
    };
    if names.is_empty() {
        return Err(HeaderError::Crit("must not be an empty list".into()));
    }
    for name in names {
        let Value::String(name) = name else {
            return Err(HeaderError::Crit("must be a list of strings".into()));
        };
        let shown = json::truncate_for_error(name);
        // `b64` is registered by RFC 7797 as an extension that must be listed in `crit`.
        if registered.contains(&name.as_str()) && name != "b64" {
            return Err(HeaderError::Crit(format!(
                "lists the registered parameter {shown:?}"
            )));
        }
        if !understood.contains(&name.as_str()) {
            return Err(HeaderError::Crit(format!(
                "extension {shown:?} is not understood"
            )));
        }
        if !protected.contains_key(name.as_str()) {
            return Err(HeaderError::Crit(format!(
                "lists {shown:?}, which is not in the protected header"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(text: &str) -> Map<String, Value> {
        json::parse_object(text.as_bytes(), &JsonLimits::HEADER).unwrap()
    }

    #[test]
    fn reads_typed_parameters_and_keeps_extensions() {
        let h = JwsHeader::from_json(
            br#"{"alg":"HS256","kid":"k","typ":"JWT","b64":false,"crit":["b64"],"x":1}"#,
        )
        .unwrap();
        assert_eq!(h.alg(), Some(JwsAlgorithm::HS256));
        assert_eq!(h.kid(), Some("k"));
        assert_eq!(h.b64(), Some(false));
        assert_eq!(h.crit(), Some(&["b64".to_string()][..]));
        assert_eq!(h.param("x"), Some(&Value::from(1)));
    }

    #[test]
    fn refuses_alg_none_and_unknown_algorithms() {
        assert!(matches!(
            JwsHeader::from_json(br#"{"alg":"none"}"#),
            Err(HeaderError::Algorithm {
                source: AlgorithmError::None,
                ..
            })
        ));
        assert!(matches!(
            JwsHeader::from_json(br#"{"alg":"HS1"}"#),
            Err(HeaderError::Algorithm {
                source: AlgorithmError::Unsupported(_),
                ..
            })
        ));
    }

    #[test]
    fn refuses_wrongly_typed_parameters() {
        assert!(matches!(
            JwsHeader::from_json(br#"{"alg":"HS256","kid":7}"#),
            Err(HeaderError::InvalidParameter { name: "kid", .. })
        ));
        assert!(matches!(
            JwsHeader::from_json(br#"{"alg":"HS256","crit":[]}"#),
            Err(HeaderError::Crit(_))
        ));
        assert!(matches!(
            JweHeader::from_json(br#"{"alg":"PBES2-HS256+A128KW","p2c":-1}"#),
            Err(HeaderError::InvalidParameter { name: "p2c", .. })
        ));
    }

    #[test]
    fn refuses_duplicate_parameters() {
        assert!(matches!(
            JwsHeader::from_json(br#"{"alg":"HS256","alg":"RS256"}"#),
            Err(HeaderError::Json(JsonError::DuplicateMember { .. }))
        ));
    }

    #[test]
    fn merging_requires_disjoint_parts() {
        let p = obj(r#"{"alg":"HS256"}"#);
        let u = obj(r#"{"kid":"a"}"#);
        assert_eq!(merge_disjoint([&p, &u]).unwrap().len(), 2);
        let u2 = obj(r#"{"alg":"HS256"}"#);
        assert_eq!(
            merge_disjoint([&p, &u2]),
            Err(HeaderError::NotDisjoint("alg".into()))
        );
    }

    #[test]
    fn crit_rules() {
        let reg = JWS_REGISTERED;
        let ok = obj(r#"{"alg":"HS256","crit":["exp"],"exp":1}"#);
        assert!(check_crit(&ok, &[], reg, &["exp"]).is_ok());
        assert!(check_crit(&ok, &[], reg, &[]).is_err(), "not understood");
        let missing = obj(r#"{"alg":"HS256","crit":["exp"]}"#);
        assert!(check_crit(&missing, &[], reg, &["exp"]).is_err(), "absent");
        let registered = obj(r#"{"alg":"HS256","crit":["alg"]}"#);
        assert!(
            check_crit(&registered, &[], reg, &["alg"]).is_err(),
            "registered"
        );
        let unprotected = obj(r#"{"crit":["exp"]}"#);
        assert!(check_crit(&obj(r#"{"alg":"HS256"}"#), &[&unprotected], reg, &["exp"]).is_err());
        let b64 = obj(r#"{"alg":"HS256","crit":["b64"],"b64":false}"#);
        assert!(check_crit(&b64, &[], reg, &["b64"]).is_ok());
    }

    #[test]
    fn with_param_refuses_registered_names() {
        assert!(
            JwsHeader::new(JwsAlgorithm::HS256)
                .with_param("kid", Value::Null)
                .is_err()
        );
        assert!(
            JwsHeader::new(JwsAlgorithm::HS256)
                .with_param("nonce", Value::Null)
                .is_ok()
        );
    }

    #[test]
    fn jwe_header_round_trip() {
        let mut h = JweHeader::new(
            KeyManagementAlgorithm::Pbes2Hs256A128Kw,
            ContentEncryptionAlgorithm::A128Gcm,
        );
        h.p2s = Some(vec![1; 16]);
        h.p2c = Some(4096);
        let back = JweHeader::from_json(h.to_json().as_bytes()).unwrap();
        assert_eq!(back, h);
    }
}
