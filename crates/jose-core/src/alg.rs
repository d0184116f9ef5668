//! Algorithm identifiers with their IANA names (RFC 7518, RFC 8037, RFC 9864).
//!
//! `none` is not a value of any of these enums: parsing it yields [`AlgorithmError::None`], so an
//! unsecured JWS can never be represented as something to verify.
//!
//! ```
//! use jose_core::alg::{AlgorithmError, JwsAlgorithm};
//!
//! let alg: JwsAlgorithm = "ES256".parse().unwrap();
//! assert_eq!(alg.as_str(), "ES256");
//! assert_eq!("none".parse::<JwsAlgorithm>(), Err(AlgorithmError::None));
//! ```

use core::fmt;
use core::str::FromStr;

/// Why an algorithm name was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AlgorithmError {
    /// The name is `none` (in any letter case): unsecured content is never accepted.
    #[error("algorithm \"none\" is not allowed")]
    None,
    /// The name is not a registered algorithm this workspace implements.
    #[error("unsupported algorithm {0:?}")]
    Unsupported(String),
}

fn parse_error(name: &str) -> AlgorithmError {
    if name.eq_ignore_ascii_case("none") {
        AlgorithmError::None
    } else {
        AlgorithmError::Unsupported(crate::json::truncate_for_error(name))
    }
}

macro_rules! registry {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in registry order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// The registered name.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text, )+ }
            }
        }

        impl FromStr for $name {
            type Err = AlgorithmError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $text => Ok($name::$variant), )+
                    other => Err(parse_error(other)),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

registry! {
    /// JWS algorithms (RFC 7518 §3, RFC 8037 §3.1, RFC 9864 §2.2).
    pub enum JwsAlgorithm {
        /// HMAC with SHA-256.
        HS256 = "HS256",
        /// HMAC with SHA-384.
        HS384 = "HS384",
        /// HMAC with SHA-512.
        HS512 = "HS512",
        /// RSASSA-PKCS1-v1_5 with SHA-256.
        RS256 = "RS256",
        /// RSASSA-PKCS1-v1_5 with SHA-384.
        RS384 = "RS384",
        /// RSASSA-PKCS1-v1_5 with SHA-512.
        RS512 = "RS512",
        /// RSASSA-PSS with SHA-256 and MGF1 with SHA-256.
        PS256 = "PS256",
        /// RSASSA-PSS with SHA-384 and MGF1 with SHA-384.
        PS384 = "PS384",
        /// RSASSA-PSS with SHA-512 and MGF1 with SHA-512.
        PS512 = "PS512",
        /// ECDSA on P-256 with SHA-256.
        ES256 = "ES256",
        /// ECDSA on P-384 with SHA-384.
        ES384 = "ES384",
        /// ECDSA on P-521 with SHA-512.
        ES512 = "ES512",
        /// EdDSA (RFC 8037); this workspace supports the Ed25519 curve.
        EdDSA = "EdDSA",
        /// Ed25519, the fully specified name of RFC 9864.
        Ed25519 = "Ed25519",
    }
}

/// Families of JWS algorithms: each takes one kind of key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JwsFamily {
    /// HS256/384/512, symmetric `oct` keys.
    Hmac,
    /// RS256/384/512, RSA keys.
    RsaPkcs1,
    /// PS256/384/512, RSA keys.
    RsaPss,
    /// ES256/384/512, EC keys on the matching curve.
    Ecdsa,
    /// EdDSA and Ed25519, OKP Ed25519 keys.
    EdDsa,
}

/// Hash functions used by the algorithms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-1 (RSA-OAEP only).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// Digest length in bytes.
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// Digest of `data`.
    #[must_use]
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        use sha2::Digest;
        match self {
            HashAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
            HashAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
            HashAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
            HashAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
}

/// Elliptic curves (JWK `crv`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-521 (secp521r1).
    P521,
    /// Ed25519 signatures.
    Ed25519,
    /// X25519 key agreement.
    X25519,
}

impl Curve {
    /// The registered `crv` name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
            Curve::Ed25519 => "Ed25519",
            Curve::X25519 => "X25519",
        }
    }

    /// Length of a coordinate or encoded public key, in bytes.
    #[must_use]
    pub const fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 | Curve::Ed25519 | Curve::X25519 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
}

impl fmt::Display for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Curve {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "P-256" => Curve::P256,
            "P-384" => Curve::P384,
            "P-521" => Curve::P521,
            "Ed25519" => Curve::Ed25519,
            "X25519" => Curve::X25519,
            other => return Err(crate::json::truncate_for_error(other)),
        })
    }
}

impl JwsAlgorithm {
    /// The family, which fixes the key type.
    #[must_use]
    pub const fn family(self) -> JwsFamily {
        use JwsAlgorithm::*;
        match self {
            HS256 | HS384 | HS512 => JwsFamily::Hmac,
            RS256 | RS384 | RS512 => JwsFamily::RsaPkcs1,
            PS256 | PS384 | PS512 => JwsFamily::RsaPss,
            ES256 | ES384 | ES512 => JwsFamily::Ecdsa,
            EdDSA | Ed25519 => JwsFamily::EdDsa,
        }
    }

    /// The hash function (for EdDSA, the one RFC 8037 pairs with Ed25519 for `at_hash`-style
    /// claims: SHA-512).
    #[must_use]
    pub const fn hash(self) -> HashAlgorithm {
        use JwsAlgorithm::*;
        match self {
            HS256 | RS256 | PS256 | ES256 => HashAlgorithm::Sha256,
            HS384 | RS384 | PS384 | ES384 => HashAlgorithm::Sha384,
            HS512 | RS512 | PS512 | ES512 | EdDSA | Ed25519 => HashAlgorithm::Sha512,
        }
    }

    /// The curve an ECDSA or EdDSA algorithm requires.
    #[must_use]
    pub const fn curve(self) -> Option<Curve> {
        use JwsAlgorithm::*;
        match self {
            ES256 => Some(Curve::P256),
            ES384 => Some(Curve::P384),
            ES512 => Some(Curve::P521),
            EdDSA | Ed25519 => Some(Curve::Ed25519),
            _ => None,
        }
    }

    /// Whether the algorithm uses a shared secret.
    #[must_use]
    pub const fn is_symmetric(self) -> bool {
        matches!(self.family(), JwsFamily::Hmac)
    }
}

registry! {
    /// JWE key management algorithms (RFC 7518 §4).
    pub enum KeyManagementAlgorithm {
        /// RSAES-PKCS1-v1_5 (decryption only, and only with the `jwe` crate's `rsa1_5` feature).
        Rsa1_5 = "RSA1_5",
        /// RSAES-OAEP with SHA-1 and MGF1-SHA-1.
        RsaOaep = "RSA-OAEP",
        /// RSAES-OAEP with SHA-256 and MGF1-SHA-256.
        RsaOaep256 = "RSA-OAEP-256",
        /// RSAES-OAEP with SHA-384 and MGF1-SHA-384.
        RsaOaep384 = "RSA-OAEP-384",
        /// RSAES-OAEP with SHA-512 and MGF1-SHA-512.
        RsaOaep512 = "RSA-OAEP-512",
        /// AES-128 key wrap.
        A128Kw = "A128KW",
        /// AES-192 key wrap.
        A192Kw = "A192KW",
        /// AES-256 key wrap.
        A256Kw = "A256KW",
        /// Direct use of a shared symmetric key as the CEK.
        Dir = "dir",
        /// ECDH-ES direct key agreement.
        EcdhEs = "ECDH-ES",
        /// ECDH-ES with AES-128 key wrap.
        EcdhEsA128Kw = "ECDH-ES+A128KW",
        /// ECDH-ES with AES-192 key wrap.
        EcdhEsA192Kw = "ECDH-ES+A192KW",
        /// ECDH-ES with AES-256 key wrap.
        EcdhEsA256Kw = "ECDH-ES+A256KW",
        /// AES-128-GCM key wrap.
        A128GcmKw = "A128GCMKW",
        /// AES-192-GCM key wrap.
        A192GcmKw = "A192GCMKW",
        /// AES-256-GCM key wrap.
        A256GcmKw = "A256GCMKW",
        /// PBES2 with HMAC-SHA-256 and AES-128 key wrap.
        Pbes2Hs256A128Kw = "PBES2-HS256+A128KW",
        /// PBES2 with HMAC-SHA-384 and AES-192 key wrap.
        Pbes2Hs384A192Kw = "PBES2-HS384+A192KW",
        /// PBES2 with HMAC-SHA-512 and AES-256 key wrap.
        Pbes2Hs512A256Kw = "PBES2-HS512+A256KW",
    }
}

registry! {
    /// JWE content encryption algorithms (RFC 7518 §5).
    pub enum ContentEncryptionAlgorithm {
        /// AES-128-CBC with HMAC-SHA-256 (32-byte key).
        A128CbcHs256 = "A128CBC-HS256",
        /// AES-192-CBC with HMAC-SHA-384 (48-byte key).
        A192CbcHs384 = "A192CBC-HS384",
        /// AES-256-CBC with HMAC-SHA-512 (64-byte key).
        A256CbcHs512 = "A256CBC-HS512",
        /// AES-128-GCM.
        A128Gcm = "A128GCM",
        /// AES-192-GCM.
        A192Gcm = "A192GCM",
        /// AES-256-GCM.
        A256Gcm = "A256GCM",
    }
}

impl ContentEncryptionAlgorithm {
    /// Length of the content encryption key in bytes.
    #[must_use]
    pub const fn key_len(self) -> usize {
        use ContentEncryptionAlgorithm::*;
        match self {
            A128Gcm => 16,
            A192Gcm => 24,
            A256Gcm | A128CbcHs256 => 32,
            A192CbcHs384 => 48,
            A256CbcHs512 => 64,
        }
    }

    /// Length of the initialization vector in bytes.
    #[must_use]
    pub const fn iv_len(self) -> usize {
        use ContentEncryptionAlgorithm::*;
        match self {
            A128Gcm | A192Gcm | A256Gcm => 12,
            A128CbcHs256 | A192CbcHs384 | A256CbcHs512 => 16,
        }
    }

    /// Length of the authentication tag in bytes.
    #[must_use]
    pub const fn tag_len(self) -> usize {
        use ContentEncryptionAlgorithm::*;
        match self {
            A128Gcm | A192Gcm | A256Gcm | A128CbcHs256 => 16,
            A192CbcHs384 => 24,
            A256CbcHs512 => 32,
        }
    }
}

registry! {
    /// JWE compression algorithms (RFC 7516 §4.1.3).
    pub enum CompressionAlgorithm {
        /// DEFLATE (RFC 1951).
        Deflate = "DEF",
    }
}

/// Any algorithm a JWK's `alg` member can name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// A JWS algorithm.
    Jws(JwsAlgorithm),
    /// A JWE key management algorithm.
    KeyManagement(KeyManagementAlgorithm),
    /// A JWE content encryption algorithm (for `dir` keys).
    ContentEncryption(ContentEncryptionAlgorithm),
    /// A name this workspace does not implement; such a key cannot be used with any algorithm.
    Other(String),
}

impl KeyAlgorithm {
    /// The name as written in the JWK.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            KeyAlgorithm::Jws(a) => a.as_str(),
            KeyAlgorithm::KeyManagement(a) => a.as_str(),
            KeyAlgorithm::ContentEncryption(a) => a.as_str(),
            KeyAlgorithm::Other(s) => s,
        }
    }

    /// Interprets a name from any of the registries.
    #[must_use]
    pub fn parse(name: &str) -> Self {
        if let Ok(a) = name.parse() {
            KeyAlgorithm::Jws(a)
        } else if let Ok(a) = name.parse() {
            KeyAlgorithm::KeyManagement(a)
        } else if let Ok(a) = name.parse() {
            KeyAlgorithm::ContentEncryption(a)
        } else {
            KeyAlgorithm::Other(name.to_owned())
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<JwsAlgorithm> for KeyAlgorithm {
    fn from(a: JwsAlgorithm) -> Self {
        KeyAlgorithm::Jws(a)
    }
}

impl From<KeyManagementAlgorithm> for KeyAlgorithm {
    fn from(a: KeyManagementAlgorithm) -> Self {
        KeyAlgorithm::KeyManagement(a)
    }
}

impl From<ContentEncryptionAlgorithm> for KeyAlgorithm {
    fn from(a: ContentEncryptionAlgorithm) -> Self {
        KeyAlgorithm::ContentEncryption(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_for_every_registry() {
        for a in JwsAlgorithm::ALL {
            assert_eq!(a.as_str().parse::<JwsAlgorithm>().unwrap(), *a);
        }
        for a in KeyManagementAlgorithm::ALL {
            assert_eq!(a.as_str().parse::<KeyManagementAlgorithm>().unwrap(), *a);
        }
        for a in ContentEncryptionAlgorithm::ALL {
            assert_eq!(
                a.as_str().parse::<ContentEncryptionAlgorithm>().unwrap(),
                *a
            );
        }
    }

    #[test]
    fn none_is_refused_in_any_case() {
        for name in ["none", "NONE", "None", "nOnE"] {
            assert_eq!(name.parse::<JwsAlgorithm>(), Err(AlgorithmError::None));
        }
    }

    #[test]
    fn names_are_case_sensitive() {
        assert!(matches!(
            "hs256".parse::<JwsAlgorithm>(),
            Err(AlgorithmError::Unsupported(_))
        ));
    }

    #[test]
    fn content_encryption_sizes_match_rfc7518() {
        use ContentEncryptionAlgorithm::*;
        assert_eq!(A128CbcHs256.key_len(), 32);
        assert_eq!(A256CbcHs512.tag_len(), 32);
        assert_eq!(A192Gcm.key_len(), 24);
        assert_eq!(A256Gcm.iv_len(), 12);
    }

    #[test]
    fn key_algorithm_parses_across_registries() {
        assert_eq!(
            KeyAlgorithm::parse("ES256"),
            KeyAlgorithm::Jws(JwsAlgorithm::ES256)
        );
        assert_eq!(
            KeyAlgorithm::parse("dir"),
            KeyAlgorithm::KeyManagement(KeyManagementAlgorithm::Dir)
        );
        assert_eq!(
            KeyAlgorithm::parse("A256GCM"),
            KeyAlgorithm::ContentEncryption(ContentEncryptionAlgorithm::A256Gcm)
        );
        assert_eq!(
            KeyAlgorithm::parse("ES521"),
            KeyAlgorithm::Other("ES521".into())
        );
    }
}
