//! Reading a JWK: JSON text or a parsed object to a validated [`Jwk`], member by member.

#[cfg(feature = "ec")]
use super::EcKey;
#[cfg(feature = "eddsa")]
use super::Ed25519Key;
#[cfg(feature = "rsa")]
use super::RsaKey;
#[cfg(feature = "x25519")]
use super::X25519Key;
use super::members::Members;
use super::{Jwk, KeyError, KeyMaterial, KeyOperation, KeyPolicy, KeyUse, OctKey, okp};
use crate::alg::KeyAlgorithm;
use crate::json;
use serde_json::{Map, Value};

impl Jwk {
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
        let mut jwk = Jwk::new(read_material(&mut m, policy)?);
        jwk.kid = m.take_str("kid")?;
        jwk.key_use = m.take_str("use")?.map(|u| KeyUse::parse(&u));
        jwk.key_ops = read_key_ops(&mut m)?;
        jwk.check_use_against_key_ops()?;
        jwk.alg = m.take_str("alg")?.map(|a| KeyAlgorithm::parse(&a));
        jwk.x5u = m.take_str("x5u")?;
        jwk.x5c = read_x5c(&mut m)?;
        jwk.x5t = read_certificate_thumbprint(&mut m, "x5t")?;
        jwk.x5t_s256 = read_certificate_thumbprint(&mut m, "x5t#S256")?;
        jwk.check_certificate_members()?;
        jwk.extra = m.0;
        Ok(jwk)
    }
}

/// The key material named by `kty` (and `crv` for OKP), its members taken out of `m`.
fn read_material(m: &mut Members, policy: &KeyPolicy) -> Result<KeyMaterial, KeyError> {
    let kty = m.require_str("kty")?;
    let material = match kty.as_str() {
        "oct" => KeyMaterial::Oct(OctKey::read(m)?),
        #[cfg(feature = "rsa")]
        "RSA" => KeyMaterial::Rsa(RsaKey::read(m, policy)?),
        #[cfg(not(feature = "rsa"))]
        "RSA" => {
            return Err(KeyError::FeatureDisabled {
                what: "RSA",
                feature: "rsa",
            });
        }
        #[cfg(feature = "ec")]
        "EC" => KeyMaterial::Ec(EcKey::read(m)?),
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
                "Ed25519" => KeyMaterial::Ed25519(Ed25519Key::read(m)?),
                #[cfg(feature = "x25519")]
                "X25519" => KeyMaterial::X25519(X25519Key::read(m)?),
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
    Ok(material)
}

/// `key_ops`, refusing a value listed twice.
fn read_key_ops(m: &mut Members) -> Result<Option<Vec<KeyOperation>>, KeyError> {
    let Some(ops) = m.take_string_array("key_ops")? else {
        return Ok(None);
    };
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
    Ok(Some(parsed))
}

/// `x5c`: a non-empty array of standard (not URL-safe) base64 DER certificates.
fn read_x5c(m: &mut Members) -> Result<Option<Vec<Vec<u8>>>, KeyError> {
    let Some(chain) = m.take_string_array("x5c")? else {
        return Ok(None);
    };
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
    Ok(Some(certs))
}

/// `x5t` (20 bytes) or `x5t#S256` (32 bytes), base64url.
fn read_certificate_thumbprint<const N: usize>(
    m: &mut Members,
    member: &'static str,
) -> Result<Option<[u8; N]>, KeyError> {
    let Some(t) = m.take_b64(member)? else {
        return Ok(None);
    };
    let actual = t.len();
    let digest = t.try_into().map_err(|_| KeyError::InvalidLength {
        member,
        expected: N,
        actual,
    })?;
    Ok(Some(digest))
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
