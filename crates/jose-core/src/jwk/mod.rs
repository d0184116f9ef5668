//! JSON Web Keys (RFC 7517, RFC 7518 §6, RFC 8037) and JWK Sets.
//!
//! A [`Jwk`] is a *validated* key: parsing checks the key material (EC points on the curve, RSA
//! modulus size and exponent, private parts matching public parts, `x5c` matching the key) and
//! keeps the RustCrypto key objects, so a key is decoded once and used many times. Members this
//! workspace does not know are kept and written back unchanged.
//!
//! ```
//! use jose_core::jwk::{Jwk, KeyOperation};
//! use jose_core::alg::JwsAlgorithm;
//!
//! let key = Jwk::generate(JwsAlgorithm::ES256)?.with_kid("signing-1");
//! assert!(key.is_private());
//!
//! let public = key.to_public()?;
//! let text = public.to_json();
//! let back = Jwk::from_json(text.as_bytes())?;
//! assert_eq!(back.kid(), Some("signing-1"));
//! assert!(back.check_operation(&KeyOperation::Verify, &JwsAlgorithm::ES256.into()).is_ok());
//! assert!(back.check_operation(&KeyOperation::Sign, &JwsAlgorithm::ES256.into()).is_err());
//! # Ok::<(), jose_core::jwk::KeyError>(())
//! ```

// In a build with only symmetric keys (HMAC-only users), the per-key-type arms vanish and
// what is left is trivially unreachable or unused.
#![cfg_attr(
    not(any(feature = "rsa", feature = "ec", feature = "eddsa", feature = "x25519")),
    allow(unreachable_patterns, unreachable_code, unused_variables, dead_code)
)]

mod error;
mod members;
mod oct;
mod params;
mod pem;
mod set;

#[cfg(feature = "ec")]
mod ec;
mod okp;
#[cfg(feature = "rsa")]
mod rsa;

pub use error::KeyError;
pub use oct::OctKey;
pub use params::{KeyOperation, KeyType, KeyUse};
pub use set::{JwkSet, KeySelector, RejectedKey, SelectError};

#[cfg(feature = "rsa")]
pub use self::rsa::RsaKey;
#[cfg(feature = "ec")]
pub use ec::EcKey;
#[cfg(feature = "eddsa")]
pub use okp::Ed25519Key;
#[cfg(feature = "x25519")]
pub use okp::X25519Key;

use crate::alg::{Curve, JwsAlgorithm, JwsFamily, KeyAlgorithm, KeyManagementAlgorithm};
use crate::backend::Backend;
use crate::json::{self, JsonLimits};
use members::Members;
use serde_json::{Map, Value};

/// Rules applied when keys are imported or generated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPolicy {
    /// Smallest accepted RSA modulus, in bits. Default 2048 (RFC 7518 §3.3, §4.2).
    pub min_rsa_bits: usize,
    /// Largest accepted RSA modulus, in bits. Default 8192: larger keys cost much time to use
    /// and serve mostly as a denial-of-service vector.
    pub max_rsa_bits: usize,
    /// Refuse RSA moduli with the ROCA fingerprint (CVE-2017-15361). Default on.
    pub reject_roca: bool,
    /// Size and depth limits for the JWK text.
    pub json: JsonLimits,
}

impl Default for KeyPolicy {
    fn default() -> Self {
        Self {
            min_rsa_bits: 2048,
            max_rsa_bits: 8192,
            reject_roca: true,
            json: JsonLimits {
                max_bytes: 256 << 10,
                max_depth: 8,
            },
        }
    }
}

/// The key material of a [`Jwk`], by key type.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyMaterial {
    /// A symmetric key.
    Oct(OctKey),
    /// An RSA key.
    #[cfg(feature = "rsa")]
    Rsa(RsaKey),
    /// A P-256, P-384 or P-521 key.
    #[cfg(feature = "ec")]
    Ec(EcKey),
    /// An Ed25519 key.
    #[cfg(feature = "eddsa")]
    Ed25519(Ed25519Key),
    /// An X25519 key.
    #[cfg(feature = "x25519")]
    X25519(X25519Key),
}

impl KeyMaterial {
    /// The `kty`.
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        match self {
            KeyMaterial::Oct(_) => KeyType::Oct,
            #[cfg(feature = "rsa")]
            KeyMaterial::Rsa(_) => KeyType::Rsa,
            #[cfg(feature = "ec")]
            KeyMaterial::Ec(_) => KeyType::Ec,
            #[cfg(feature = "eddsa")]
            KeyMaterial::Ed25519(_) => KeyType::Okp,
            #[cfg(feature = "x25519")]
            KeyMaterial::X25519(_) => KeyType::Okp,
        }
    }

    /// The curve of an EC or OKP key.
    #[must_use]
    pub fn curve(&self) -> Option<Curve> {
        match self {
            #[cfg(feature = "ec")]
            KeyMaterial::Ec(k) => Some(k.curve()),
            #[cfg(feature = "eddsa")]
            KeyMaterial::Ed25519(_) => Some(Curve::Ed25519),
            #[cfg(feature = "x25519")]
            KeyMaterial::X25519(_) => Some(Curve::X25519),
            _ => None,
        }
    }

    /// Whether the material includes a private (or secret) part.
    #[must_use]
    pub fn is_private(&self) -> bool {
        match self {
            KeyMaterial::Oct(_) => true,
            #[cfg(feature = "rsa")]
            KeyMaterial::Rsa(k) => k.is_private(),
            #[cfg(feature = "ec")]
            KeyMaterial::Ec(k) => k.is_private(),
            #[cfg(feature = "eddsa")]
            KeyMaterial::Ed25519(k) => k.is_private(),
            #[cfg(feature = "x25519")]
            KeyMaterial::X25519(k) => k.is_private(),
        }
    }

    fn describe(&self) -> String {
        match self.curve() {
            Some(c) => format!("{} {}", self.key_type(), c),
            None => self.key_type().to_string(),
        }
    }

    /// Whether two keys have the same public part (or, for symmetric keys, the same bytes).
    #[must_use]
    pub fn same_public(&self, other: &Self) -> bool {
        match (self, other) {
            (KeyMaterial::Oct(a), KeyMaterial::Oct(b)) => a == b,
            #[cfg(feature = "rsa")]
            (KeyMaterial::Rsa(a), KeyMaterial::Rsa(b)) => a.public_key() == b.public_key(),
            #[cfg(feature = "ec")]
            (KeyMaterial::Ec(a), KeyMaterial::Ec(b)) => a.same_public(b),
            #[cfg(feature = "eddsa")]
            (KeyMaterial::Ed25519(a), KeyMaterial::Ed25519(b)) => a.public_key() == b.public_key(),
            #[cfg(feature = "x25519")]
            (KeyMaterial::X25519(a), KeyMaterial::X25519(b)) => a.public_key() == b.public_key(),
            _ => false,
        }
    }
}

/// A validated JSON Web Key with its parameters.
///
/// Secret parts are zeroized on drop; `Debug` shows only the key type, curve, `kid`, `alg` and
/// whether the key is private.
///
/// A key also carries the [`Backend`] that computes with it (not part of the JWK: it is
/// neither serialized nor compared); see [`crate::backend`].
#[derive(Clone)]
pub struct Jwk {
    material: KeyMaterial,
    kid: Option<String>,
    key_use: Option<KeyUse>,
    key_ops: Option<Vec<KeyOperation>>,
    alg: Option<KeyAlgorithm>,
    x5u: Option<String>,
    x5c: Option<Vec<Vec<u8>>>,
    x5t: Option<[u8; 20]>,
    x5t_s256: Option<[u8; 32]>,
    extra: Map<String, Value>,
    backend: Backend,
    /// aws-lc-rs objects made from `material`, shared by clones; replaced whenever
    /// `material` is.
    #[cfg(feature = "aws-lc-rs")]
    prepared: std::sync::Arc<crate::backend::aws_lc::Cache>,
}

impl PartialEq for Jwk {
    /// Compares what the JWK states (key material and members), not the backend.
    fn eq(&self, other: &Self) -> bool {
        self.material == other.material
            && self.kid == other.kid
            && self.key_use == other.key_use
            && self.key_ops == other.key_ops
            && self.alg == other.alg
            && self.x5u == other.x5u
            && self.x5c == other.x5c
            && self.x5t == other.x5t
            && self.x5t_s256 == other.x5t_s256
            && self.extra == other.extra
    }
}

impl Eq for Jwk {}

impl core::fmt::Debug for Jwk {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut d = f.debug_struct("Jwk");
        d.field("kty", &self.material.key_type().as_str());
        if let Some(c) = self.material.curve() {
            d.field("crv", &c.as_str());
        }
        d.field("kid", &self.kid)
            .field("alg", &self.alg.as_ref().map(KeyAlgorithm::as_str))
            .field("private", &self.is_private())
            .finish_non_exhaustive()
    }
}

impl Jwk {
    /// A JWK holding `material`, with no parameters.
    #[must_use]
    pub fn new(material: KeyMaterial) -> Self {
        Self {
            material,
            kid: None,
            key_use: None,
            key_ops: None,
            alg: None,
            x5u: None,
            x5c: None,
            x5t: None,
            x5t_s256: None,
            extra: Map::new(),
            backend: Backend::default(),
            #[cfg(feature = "aws-lc-rs")]
            prepared: Default::default(),
        }
    }

    /// A symmetric (`kty: "oct"`) key holding `secret`, for HMAC (HS256, HS384, HS512), AES
    /// key wrap or `dir`, with no parameters.
    ///
    /// The bytes are taken as they are (no decoding; a `Vec<u8>` is moved, not copied). Their
    /// length is checked against the algorithm wherever the key is used: an HMAC key shorter
    /// than the hash output (RFC 7518 §3.2: 32 bytes for HS256, 48 for HS384, 64 for HS512)
    /// is refused with [`KeyError::KeyTooShort`].
    ///
    /// ```
    /// use jose_core::alg::{JwsAlgorithm, KeyAlgorithm};
    /// use jose_core::jwk::{Jwk, KeyError};
    ///
    /// let key = Jwk::from_secret(b"a shared secret of at least 32 bytes".to_vec())?;
    /// assert!(key.check_algorithm(&KeyAlgorithm::Jws(JwsAlgorithm::HS256)).is_ok());
    ///
    /// let short = Jwk::from_secret(&b"hunter2"[..])?;
    /// assert!(matches!(
    ///     short.check_algorithm(&KeyAlgorithm::Jws(JwsAlgorithm::HS256)),
    ///     Err(KeyError::KeyTooShort { min: 32, actual: 7, .. })
    /// ));
    /// # Ok::<(), KeyError>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError::EmptySymmetricKey`] for an empty secret.
    pub fn from_secret(secret: impl Into<crate::SecretBytes>) -> Result<Self, KeyError> {
        Ok(Self::new(KeyMaterial::Oct(OctKey::new(secret.into())?)))
    }

    /// Parses and validates a JWK from JSON text with the default [`KeyPolicy`].
    ///
    /// # Errors
    /// [`KeyError`] naming the member or check that failed.
    pub fn from_json(text: impl AsRef<[u8]>) -> Result<Self, KeyError> {
        Self::from_json_with_policy(text, &KeyPolicy::default())
    }

    /// Parses and validates a JWK from JSON text.
    ///
    /// # Errors
    /// [`KeyError`] naming the member or check that failed.
    pub fn from_json_with_policy(
        text: impl AsRef<[u8]>,
        policy: &KeyPolicy,
    ) -> Result<Self, KeyError> {
        let map = json::parse_object(text.as_ref(), &policy.json)?;
        Self::from_map(map, policy)
    }

    /// Validates a JWK given as a parsed JSON object.
    ///
    /// Duplicate member detection happens when text is parsed; prefer [`Jwk::from_json`] for
    /// untrusted input.
    ///
    /// # Errors
    /// [`KeyError`] naming the member or check that failed.
    pub fn from_map(map: Map<String, Value>, policy: &KeyPolicy) -> Result<Self, KeyError> {
        let mut m = Members(map);
        let kty = m.require_str("kty")?;
        let material = match kty.as_str() {
            "oct" => KeyMaterial::Oct(OctKey::read(&mut m)?),
            #[cfg(feature = "rsa")]
            "RSA" => KeyMaterial::Rsa(RsaKey::read(&mut m, policy)?),
            #[cfg(not(feature = "rsa"))]
            "RSA" => {
                return Err(KeyError::FeatureDisabled {
                    what: "RSA",
                    feature: "rsa",
                });
            }
            #[cfg(feature = "ec")]
            "EC" => KeyMaterial::Ec(EcKey::read(&mut m)?),
            #[cfg(not(feature = "ec"))]
            "EC" => {
                return Err(KeyError::FeatureDisabled {
                    what: "EC",
                    feature: "ec",
                });
            }
            "OKP" => {
                let crv = m.require_str("crv")?;
                match crv.as_str() {
                    #[cfg(feature = "eddsa")]
                    "Ed25519" => KeyMaterial::Ed25519(Ed25519Key::read(&mut m)?),
                    #[cfg(feature = "x25519")]
                    "X25519" => KeyMaterial::X25519(X25519Key::read(&mut m)?),
                    other => return Err(okp::unsupported(other)),
                }
            }
            other => {
                return Err(KeyError::UnsupportedKeyType(json::truncate_for_error(
                    other,
                )));
            }
        };
        #[cfg(not(feature = "rsa"))]
        let _ = policy;

        let mut jwk = Jwk::new(material);
        jwk.kid = m.take_str("kid")?;
        jwk.key_use = m.take_str("use")?.map(|u| KeyUse::parse(&u));
        if let Some(ops) = m.take_string_array("key_ops")? {
            let mut parsed: Vec<KeyOperation> = Vec::with_capacity(ops.len());
            for op in ops {
                let op = KeyOperation::parse(&op);
                if parsed.contains(&op) {
                    return Err(KeyError::DuplicateKeyOperation(json::truncate_for_error(
                        op.as_str(),
                    )));
                }
                parsed.push(op);
            }
            jwk.key_ops = Some(parsed);
        }
        jwk.check_use_against_key_ops()?;
        jwk.alg = m.take_str("alg")?.map(|a| KeyAlgorithm::parse(&a));
        jwk.x5u = m.take_str("x5u")?;
        if let Some(chain) = m.take_string_array("x5c")? {
            if chain.is_empty() {
                return Err(KeyError::InvalidMember {
                    member: "x5c",
                    reason: "must not be empty",
                });
            }
            let certs = chain
                .iter()
                .map(|c| {
                    crate::b64::decode_standard(c).map_err(|source| KeyError::Base64 {
                        member: "x5c",
                        source,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            jwk.x5c = Some(certs);
        }
        if let Some(t) = m.take_b64("x5t")? {
            let actual = t.len();
            jwk.x5t = Some(t.try_into().map_err(|_| KeyError::InvalidLength {
                member: "x5t",
                expected: 20,
                actual,
            })?);
        }
        if let Some(t) = m.take_b64("x5t#S256")? {
            let actual = t.len();
            jwk.x5t_s256 = Some(t.try_into().map_err(|_| KeyError::InvalidLength {
                member: "x5t#S256",
                expected: 32,
                actual,
            })?);
        }
        jwk.check_certificate_members()?;
        jwk.extra = m.0;
        Ok(jwk)
    }

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

    // --- Accessors ---------------------------------------------------------------------

    /// The crypto backend that computes with this key: [`Backend::default()`] unless set with
    /// [`Jwk::with_backend`].
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The aws-lc-rs objects of this key (key pairs, parsed public keys, HMAC keys), each
    /// built on first use and then kept with the key and its clones.
    #[cfg(feature = "aws-lc-rs")]
    #[must_use]
    pub fn aws_lc(&self) -> crate::backend::aws_lc::AwsLcKey<'_> {
        crate::backend::aws_lc::AwsLcKey::new(&self.material, &self.prepared)
    }

    /// The key material.
    #[must_use]
    pub fn material(&self) -> &KeyMaterial {
        &self.material
    }

    /// The `kty`.
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        self.material.key_type()
    }

    /// The curve of an EC or OKP key.
    #[must_use]
    pub fn curve(&self) -> Option<Curve> {
        self.material.curve()
    }

    /// Whether the key holds a private or secret part (always true for `oct`).
    #[must_use]
    pub fn is_private(&self) -> bool {
        self.material.is_private()
    }

    /// Whether this is a symmetric (`oct`) key.
    #[must_use]
    pub fn is_symmetric(&self) -> bool {
        matches!(self.material, KeyMaterial::Oct(_))
    }

    /// The `kid` member.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The `use` member.
    #[must_use]
    pub fn key_use(&self) -> Option<&KeyUse> {
        self.key_use.as_ref()
    }

    /// The `key_ops` member.
    #[must_use]
    pub fn key_ops(&self) -> Option<&[KeyOperation]> {
        self.key_ops.as_deref()
    }

    /// The `alg` member.
    #[must_use]
    pub fn alg(&self) -> Option<&KeyAlgorithm> {
        self.alg.as_ref()
    }

    /// The `x5u` member (never fetched by this workspace).
    #[must_use]
    pub fn x5u(&self) -> Option<&str> {
        self.x5u.as_deref()
    }

    /// The `x5c` certificates, DER-encoded, leaf first.
    #[must_use]
    pub fn x5c(&self) -> Option<&[Vec<u8>]> {
        self.x5c.as_deref()
    }

    /// The `x5t` member (SHA-1 thumbprint of the certificate).
    #[must_use]
    pub fn x5t(&self) -> Option<&[u8; 20]> {
        self.x5t.as_ref()
    }

    /// The `x5t#S256` member (SHA-256 thumbprint of the certificate).
    #[must_use]
    pub fn x5t_s256(&self) -> Option<&[u8; 32]> {
        self.x5t_s256.as_ref()
    }

    /// Members this workspace does not interpret, kept for round trips.
    #[must_use]
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    // --- Builders ------------------------------------------------------------------------

    /// Sets the crypto backend that computes with this key (see [`crate::backend`]). The JWK
    /// itself is unchanged: tokens made with one backend verify with the other.
    #[must_use]
    pub fn with_backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// Sets `kid`.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Removes `kid`.
    #[must_use]
    pub fn without_kid(mut self) -> Self {
        self.kid = None;
        self
    }

    /// Sets `alg`.
    #[must_use]
    pub fn with_alg(mut self, alg: impl Into<KeyAlgorithm>) -> Self {
        self.alg = Some(alg.into());
        self
    }

    /// Removes `alg`, so the key is no longer restricted to one algorithm.
    #[must_use]
    pub fn without_alg(mut self) -> Self {
        self.alg = None;
        self
    }

    /// Sets `use`.
    #[must_use]
    pub fn with_use(mut self, key_use: KeyUse) -> Self {
        self.key_use = Some(key_use);
        self
    }

    /// Sets `key_ops`.
    ///
    /// # Errors
    /// [`KeyError::DuplicateKeyOperation`] or [`KeyError::InconsistentUseAndKeyOps`].
    pub fn with_key_ops(mut self, ops: Vec<KeyOperation>) -> Result<Self, KeyError> {
        for (i, op) in ops.iter().enumerate() {
            if ops[..i].contains(op) {
                return Err(KeyError::DuplicateKeyOperation(op.as_str().into()));
            }
        }
        self.key_ops = Some(ops);
        self.check_use_against_key_ops()?;
        Ok(self)
    }

    /// Attaches an X.509 certificate chain (DER, leaf first) after checking that the leaf
    /// certificate holds this key.
    ///
    /// # Errors
    /// [`KeyError::X509`] when the chain does not fit the key.
    pub fn with_x5c(mut self, chain: Vec<Vec<u8>>) -> Result<Self, KeyError> {
        if chain.is_empty() {
            return Err(KeyError::InvalidMember {
                member: "x5c",
                reason: "must not be empty",
            });
        }
        self.x5c = Some(chain);
        self.check_certificate_members()?;
        Ok(self)
    }

    /// Sets an unregistered member.
    #[must_use]
    pub fn with_member(mut self, name: impl Into<String>, value: Value) -> Self {
        self.extra.insert(name.into(), value);
        self
    }

    // --- Checks --------------------------------------------------------------------------

    fn check_use_against_key_ops(&self) -> Result<(), KeyError> {
        if let (Some(key_use), Some(ops)) = (&self.key_use, &self.key_ops) {
            for op in ops {
                if let Some(expected) = op.matching_use()
                    && &expected != key_use
                {
                    return Err(KeyError::InconsistentUseAndKeyOps);
                }
            }
        }
        Ok(())
    }

    fn check_certificate_members(&self) -> Result<(), KeyError> {
        let Some(leaf) = self.x5c.as_ref().and_then(|c| c.first()) else {
            return Ok(());
        };
        if let Some(t) = &self.x5t {
            let digest = crate::alg::HashAlgorithm::Sha1.digest(leaf);
            if digest.as_slice() != t {
                return Err(KeyError::X509(
                    "x5t is not the SHA-1 thumbprint of the first certificate",
                ));
            }
        }
        if let Some(t) = &self.x5t_s256 {
            let digest = crate::alg::HashAlgorithm::Sha256.digest(leaf);
            if digest.as_slice() != t {
                return Err(KeyError::X509(
                    "x5t#S256 is not the SHA-256 thumbprint of the first certificate",
                ));
            }
        }
        #[cfg(feature = "x509")]
        {
            let cert_key = pem::public_key_of_certificate(leaf)?;
            if !cert_key.material.same_public(&self.material) {
                return Err(KeyError::X509(
                    "the first certificate does not hold this key",
                ));
            }
        }
        Ok(())
    }

    /// Checks that the key may perform `operation` with `alg`: the key type and size fit the
    /// algorithm, a private key is present when the operation needs one, and the `use`,
    /// `key_ops` and `alg` members permit it.
    ///
    /// # Errors
    /// [`KeyError`] naming the restriction that forbids it.
    pub fn check_operation(
        &self,
        operation: &KeyOperation,
        alg: &KeyAlgorithm,
    ) -> Result<(), KeyError> {
        self.check_algorithm(alg)?;
        let needs_private = matches!(
            operation,
            KeyOperation::Sign
                | KeyOperation::Decrypt
                | KeyOperation::UnwrapKey
                | KeyOperation::DeriveKey
        );
        if needs_private && !self.is_private() {
            return Err(KeyError::NotPrivate);
        }
        if let Some(key_use) = &self.key_use
            && operation.matching_use().as_ref() != Some(key_use)
        {
            return Err(KeyError::UseNotPermitted {
                key_use: json::truncate_for_error(key_use.as_str()),
                operation: operation.label(),
            });
        }
        if let Some(ops) = &self.key_ops
            && !ops.contains(operation)
        {
            return Err(KeyError::OperationNotPermitted(operation.label()));
        }
        if let Some(key_alg) = &self.alg {
            let dir_with_enc = matches!(
                (alg, key_alg),
                (
                    KeyAlgorithm::KeyManagement(KeyManagementAlgorithm::Dir),
                    KeyAlgorithm::ContentEncryption(_)
                )
            );
            if key_alg != alg && !dir_with_enc {
                return Err(KeyError::AlgorithmNotPermitted {
                    key_alg: json::truncate_for_error(key_alg.as_str()),
                    requested: alg.as_str().to_owned(),
                });
            }
        }
        Ok(())
    }

    /// Checks that the key's type, curve and size fit `alg`, ignoring the `use`, `key_ops`
    /// and `alg` members.
    ///
    /// # Errors
    /// [`KeyError::IncompatibleAlgorithm`], [`KeyError::KeyTooShort`] or
    /// [`KeyError::WrongKeyLength`].
    pub fn check_algorithm(&self, alg: &KeyAlgorithm) -> Result<(), KeyError> {
        let incompatible = || KeyError::IncompatibleAlgorithm {
            key: self.material.describe(),
            alg: json::truncate_for_error(alg.as_str()),
        };
        let oct_len = match &self.material {
            KeyMaterial::Oct(k) => Some(k.secret().len()),
            _ => None,
        };
        let exact = |expected: usize| match oct_len {
            None => Err(incompatible()),
            Some(actual) if actual == expected => Ok(()),
            Some(actual) => Err(KeyError::WrongKeyLength {
                alg: alg.clone(),
                expected,
                actual,
            }),
        };
        match alg {
            KeyAlgorithm::Jws(a) => match a.family() {
                JwsFamily::Hmac => match oct_len {
                    None => Err(incompatible()),
                    Some(actual) if actual < a.hash().output_len() => Err(KeyError::KeyTooShort {
                        alg: alg.clone(),
                        min: a.hash().output_len(),
                        actual,
                    }),
                    Some(_) => Ok(()),
                },
                JwsFamily::RsaPkcs1 | JwsFamily::RsaPss => {
                    if self.key_type() == KeyType::Rsa {
                        Ok(())
                    } else {
                        Err(incompatible())
                    }
                }
                JwsFamily::Ecdsa | JwsFamily::EdDsa => {
                    let fits = self.curve().is_some() && self.curve() == a.curve() && {
                        // An X25519 key has no signing use even though the name is close.
                        self.key_type() == KeyType::Ec || self.curve() == Some(Curve::Ed25519)
                    };
                    if fits { Ok(()) } else { Err(incompatible()) }
                }
            },
            KeyAlgorithm::KeyManagement(a) => {
                use KeyManagementAlgorithm::*;
                match a {
                    Rsa1_5 | RsaOaep | RsaOaep256 | RsaOaep384 | RsaOaep512 => {
                        if self.key_type() == KeyType::Rsa {
                            Ok(())
                        } else {
                            Err(incompatible())
                        }
                    }
                    A128Kw | A128GcmKw => exact(16),
                    A192Kw | A192GcmKw => exact(24),
                    A256Kw | A256GcmKw => exact(32),
                    Dir | Pbes2Hs256A128Kw | Pbes2Hs384A192Kw | Pbes2Hs512A256Kw => {
                        if oct_len.is_some() {
                            Ok(())
                        } else {
                            Err(incompatible())
                        }
                    }
                    EcdhEs | EcdhEsA128Kw | EcdhEsA192Kw | EcdhEsA256Kw => match self.curve() {
                        Some(Curve::P256 | Curve::P384 | Curve::P521 | Curve::X25519) => Ok(()),
                        _ => Err(incompatible()),
                    },
                }
            }
            KeyAlgorithm::ContentEncryption(enc) => exact(enc.key_len()),
            KeyAlgorithm::Other(_) => Err(incompatible()),
        }
    }

    /// The JWS algorithms this key can be used with, by type and size alone.
    #[must_use]
    pub fn compatible_jws_algorithms(&self) -> Vec<JwsAlgorithm> {
        JwsAlgorithm::ALL
            .iter()
            .copied()
            .filter(|a| self.check_algorithm(&KeyAlgorithm::Jws(*a)).is_ok())
            .collect()
    }

    /// The members RFC 7638 §3.2 puts in a thumbprint, with their values, sorted by name.
    #[must_use]
    pub fn thumbprint_members(&self) -> Vec<(&'static str, String)> {
        let mut members: Vec<(&'static str, String)> = match &self.material {
            KeyMaterial::Oct(k) => vec![("k", crate::b64::encode(k.secret().expose()))],
            #[cfg(feature = "rsa")]
            KeyMaterial::Rsa(k) => k.thumbprint_members().into(),
            #[cfg(feature = "ec")]
            KeyMaterial::Ec(k) => k.thumbprint_members().into(),
            #[cfg(feature = "eddsa")]
            KeyMaterial::Ed25519(k) => k.thumbprint_members().into(),
            #[cfg(feature = "x25519")]
            KeyMaterial::X25519(k) => k.thumbprint_members().into(),
        };
        members.push(("kty", self.key_type().as_str().to_owned()));
        members.sort_by_key(|(name, _)| *name);
        members
    }

    /// Whether `other` holds the same public key (or the same secret, for `oct`).
    #[must_use]
    pub fn same_key(&self, other: &Jwk) -> bool {
        self.material.same_public(&other.material)
    }

    // --- Generation ----------------------------------------------------------------------

    /// Generates a private key suitable for `alg`, with `alg` set on it.
    ///
    /// EC curves follow the algorithm (ES384 → P-384); ECDH-ES uses P-256; RSA keys have 2048
    /// bits; symmetric keys have the size the algorithm needs (HS256 → 32 bytes,
    /// A128KW → 16, A256GCM for `dir` → 32, PBES2 → a 32-byte random password).
    ///
    /// # Errors
    /// [`KeyError::CannotGenerate`] or [`KeyError::Random`].
    pub fn generate(alg: impl Into<KeyAlgorithm>) -> Result<Jwk, KeyError> {
        Self::generate_with(alg, &GenerateOptions::default())
    }

    /// Generates a private key suitable for `alg` with explicit sizes or curve.
    ///
    /// # Errors
    /// [`KeyError::CannotGenerate`], [`KeyError::RsaKeyTooSmall`] or [`KeyError::Random`].
    pub fn generate_with(
        alg: impl Into<KeyAlgorithm>,
        options: &GenerateOptions,
    ) -> Result<Jwk, KeyError> {
        let alg = alg.into();
        let material = match &alg {
            KeyAlgorithm::Jws(a) => match a.family() {
                JwsFamily::Hmac => KeyMaterial::Oct(OctKey::generate(a.hash().output_len())?),
                JwsFamily::RsaPkcs1 | JwsFamily::RsaPss => rsa_material(options)?,
                JwsFamily::Ecdsa | JwsFamily::EdDsa => match a.curve() {
                    Some(c) => curve_material(c)?,
                    None => return Err(KeyError::CannotGenerate(alg.as_str().into())),
                },
            },
            KeyAlgorithm::KeyManagement(a) => {
                use KeyManagementAlgorithm::*;
                match a {
                    Rsa1_5 | RsaOaep | RsaOaep256 | RsaOaep384 | RsaOaep512 => {
                        rsa_material(options)?
                    }
                    A128Kw | A128GcmKw => KeyMaterial::Oct(OctKey::generate(16)?),
                    A192Kw | A192GcmKw => KeyMaterial::Oct(OctKey::generate(24)?),
                    A256Kw | A256GcmKw => KeyMaterial::Oct(OctKey::generate(32)?),
                    Pbes2Hs256A128Kw | Pbes2Hs384A192Kw | Pbes2Hs512A256Kw => {
                        let password = crate::rand::token(32)?;
                        KeyMaterial::Oct(OctKey::new(password.into_bytes().into())?)
                    }
                    Dir => return Err(KeyError::CannotGenerate(
                        "dir (generate for the content encryption algorithm instead, e.g. A256GCM)"
                            .into(),
                    )),
                    EcdhEs | EcdhEsA128Kw | EcdhEsA192Kw | EcdhEsA256Kw => {
                        curve_material(options.curve.unwrap_or(Curve::P256))?
                    }
                }
            }
            KeyAlgorithm::ContentEncryption(enc) => {
                KeyMaterial::Oct(OctKey::generate(enc.key_len())?)
            }
            KeyAlgorithm::Other(name) => {
                return Err(KeyError::CannotGenerate(json::truncate_for_error(name)));
            }
        };
        Ok(Jwk::new(material).with_alg(alg))
    }
}

/// Sizes and curves for [`Jwk::generate_with`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateOptions {
    /// RSA modulus size in bits (default 2048).
    pub rsa_bits: usize,
    /// Curve for ECDH-ES keys (default P-256); ignored for JWS algorithms, which fix the curve.
    pub curve: Option<Curve>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            rsa_bits: 2048,
            curve: None,
        }
    }
}

#[allow(unused_variables)]
fn rsa_material(options: &GenerateOptions) -> Result<KeyMaterial, KeyError> {
    #[cfg(feature = "rsa")]
    {
        Ok(KeyMaterial::Rsa(RsaKey::generate(
            options.rsa_bits,
            &KeyPolicy::default(),
        )?))
    }
    #[cfg(not(feature = "rsa"))]
    Err(KeyError::FeatureDisabled {
        what: "RSA",
        feature: "rsa",
    })
}

fn curve_material(curve: Curve) -> Result<KeyMaterial, KeyError> {
    match curve {
        #[cfg(feature = "ec")]
        Curve::P256 | Curve::P384 | Curve::P521 => Ok(KeyMaterial::Ec(EcKey::generate(curve)?)),
        #[cfg(feature = "eddsa")]
        Curve::Ed25519 => Ok(KeyMaterial::Ed25519(Ed25519Key::generate()?)),
        #[cfg(feature = "x25519")]
        Curve::X25519 => Ok(KeyMaterial::X25519(X25519Key::generate()?)),
        #[allow(unreachable_patterns)]
        other => Err(KeyError::CannotGenerate(format!(
            "{other} (support not compiled in)"
        ))),
    }
}

impl serde::Serialize for Jwk {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_map(true).serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Jwk {
    /// Validates the key like [`Jwk::from_map`] with the default policy. Duplicate members
    /// cannot be detected through serde; use [`Jwk::from_json`] for untrusted text.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(d)?;
        Jwk::from_map(map, &KeyPolicy::default()).map_err(serde::de::Error::custom)
    }
}

impl core::str::FromStr for Jwk {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Jwk::from_json(s)
    }
}
