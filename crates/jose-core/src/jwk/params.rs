//! The JWK members that restrict how a key may be used: `kty`, `use`, `key_ops`.

use core::fmt;

/// The `kty` member (RFC 7518 §6.1, RFC 8037 §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// Octet sequence (symmetric key).
    Oct,
    /// RSA.
    Rsa,
    /// Elliptic curve over a prime field (P-256, P-384, P-521).
    Ec,
    /// Octet key pair (Ed25519, X25519).
    Okp,
}

impl KeyType {
    /// The registered name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            KeyType::Oct => "oct",
            KeyType::Rsa => "RSA",
            KeyType::Ec => "EC",
            KeyType::Okp => "OKP",
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `use` member (RFC 7517 §4.2).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyUse {
    /// `sig`: signatures and MACs.
    Signature,
    /// `enc`: encryption and key agreement.
    Encryption,
    /// Another value; such a key is not used for signing or encryption here.
    Other(String),
}

impl KeyUse {
    /// The member value.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            KeyUse::Signature => "sig",
            KeyUse::Encryption => "enc",
            KeyUse::Other(s) => s,
        }
    }

    /// Reads a member value.
    #[must_use]
    pub fn parse(value: &str) -> Self {
        match value {
            "sig" => KeyUse::Signature,
            "enc" => KeyUse::Encryption,
            other => KeyUse::Other(other.to_owned()),
        }
    }
}

/// The values of the `key_ops` member (RFC 7517 §4.3).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyOperation {
    /// Compute a digital signature or MAC.
    Sign,
    /// Verify a digital signature or MAC.
    Verify,
    /// Encrypt content.
    Encrypt,
    /// Decrypt content and validate decryption.
    Decrypt,
    /// Encrypt a key.
    WrapKey,
    /// Decrypt a key and validate decryption.
    UnwrapKey,
    /// Derive a key.
    DeriveKey,
    /// Derive bits not to be used as a key.
    DeriveBits,
    /// An unregistered value.
    Other(String),
}

impl KeyOperation {
    /// The member value.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            KeyOperation::Sign => "sign",
            KeyOperation::Verify => "verify",
            KeyOperation::Encrypt => "encrypt",
            KeyOperation::Decrypt => "decrypt",
            KeyOperation::WrapKey => "wrapKey",
            KeyOperation::UnwrapKey => "unwrapKey",
            KeyOperation::DeriveKey => "deriveKey",
            KeyOperation::DeriveBits => "deriveBits",
            KeyOperation::Other(s) => s,
        }
    }

    /// Reads a member value (case-sensitive, as RFC 7517 requires).
    #[must_use]
    pub fn parse(value: &str) -> Self {
        match value {
            "sign" => KeyOperation::Sign,
            "verify" => KeyOperation::Verify,
            "encrypt" => KeyOperation::Encrypt,
            "decrypt" => KeyOperation::Decrypt,
            "wrapKey" => KeyOperation::WrapKey,
            "unwrapKey" => KeyOperation::UnwrapKey,
            "deriveKey" => KeyOperation::DeriveKey,
            "deriveBits" => KeyOperation::DeriveBits,
            other => KeyOperation::Other(other.to_owned()),
        }
    }

    /// The `use` value this operation belongs to.
    #[must_use]
    pub fn matching_use(&self) -> Option<KeyUse> {
        match self {
            KeyOperation::Sign | KeyOperation::Verify => Some(KeyUse::Signature),
            KeyOperation::Other(_) => None,
            _ => Some(KeyUse::Encryption),
        }
    }

    /// The operation the public half of a key performs in place of this one
    /// (`sign` → `verify`, `decrypt` → `encrypt`, `unwrapKey` → `wrapKey`).
    #[must_use]
    pub fn public_counterpart(&self) -> KeyOperation {
        match self {
            KeyOperation::Sign => KeyOperation::Verify,
            KeyOperation::Decrypt => KeyOperation::Encrypt,
            KeyOperation::UnwrapKey => KeyOperation::WrapKey,
            other => other.clone(),
        }
    }

    /// A static label for error messages.
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            KeyOperation::Sign => "sign",
            KeyOperation::Verify => "verify",
            KeyOperation::Encrypt => "encrypt",
            KeyOperation::Decrypt => "decrypt",
            KeyOperation::WrapKey => "wrapKey",
            KeyOperation::UnwrapKey => "unwrapKey",
            KeyOperation::DeriveKey => "deriveKey",
            KeyOperation::DeriveBits => "deriveBits",
            KeyOperation::Other(_) => "an unregistered operation",
        }
    }
}

impl fmt::Display for KeyOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
