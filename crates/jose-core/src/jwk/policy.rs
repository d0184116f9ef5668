//! [`KeyPolicy`]: the rules applied when keys are imported or generated.

use crate::json::JsonLimits;

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
