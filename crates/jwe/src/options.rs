//! What a recipient accepts: algorithms, understood `crit` extensions, and limits.

use crate::JweError;
use crate::key::SelectedKey;
use jose_core::alg::{ContentEncryptionAlgorithm, KeyAlgorithm, KeyManagementAlgorithm};

/// The smallest PBES2 iteration count accepted, as RFC 7518 §4.8.1.2 recommends.
pub const MIN_P2C: u32 = 1000;

/// The shortest PBES2 salt input (`p2s`) accepted, as RFC 7518 §4.8.1.1 requires.
pub const MIN_P2S_BYTES: usize = 8;

/// The `what` of the [`JweError::LimitExceeded`] returned when a decryption's PBES2 iteration
/// budget ([`Limits::pbes2_iteration_budget`]) would be exceeded.
pub const PBES2_BUDGET: &str = "PBES2 iterations per decryption";

/// Limits applied while decrypting, each checked before the work it bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted serialized JWE, in bytes. Default 2 MiB (a 1 MiB payload and its
    /// base64url overhead).
    pub max_input_bytes: usize,
    /// Largest accepted decoded protected header, in bytes. Default 16 KiB.
    pub max_header_bytes: usize,
    /// Most recipients accepted in a general JSON JWE. Default 16.
    pub max_recipients: usize,
    /// Largest PBES2 iteration count (`p2c`) accepted: each iteration costs the recipient, so
    /// an unbounded count is a denial of service. Default 310 000. The minimum is always
    /// [`MIN_P2C`].
    pub max_p2c: u32,
    /// Total PBES2 iterations one decryption may spend, across every recipient and key it
    /// tries: a general JSON JWE with many PBES2 recipients must not cost many derivations.
    /// Default 310 000 (one derivation at the largest default `p2c`); never below `max_p2c`,
    /// so one derivation at an accepted count always fits. When the next recipient's `p2c`
    /// would exceed what is left, that recipient is not tried and the decryption fails with
    /// [`JweError::LimitExceeded`] (`what` is [`PBES2_BUDGET`]) unless another recipient
    /// succeeds. Recipients whose `kid` names the key are tried first.
    pub pbes2_iteration_budget: u64,
    /// Largest decompressed plaintext of a `zip: DEF` JWE, in bytes. Default 1 MiB.
    pub max_decompressed_bytes: usize,
    /// Largest ratio of decompressed to compressed size. Default 100 (100 KiB of plaintext
    /// per KiB of ciphertext). The decompression stops at
    /// `min(max_decompressed_bytes, max(ratio × ciphertext length, decompression_allowance))`.
    pub max_decompression_ratio: usize,
    /// Decompressed size always allowed, whatever the ratio, so that small but highly
    /// compressible content (a long run of one byte) is not mistaken for a bomb. Default
    /// 250 000 bytes, as go-jose; never more than `max_decompressed_bytes`. Set it to 0 to
    /// apply the ratio alone.
    pub decompression_allowance: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 2 << 20,
            max_header_bytes: 16 << 10,
            max_recipients: 16,
            max_p2c: 310_000,
            pbes2_iteration_budget: 310_000,
            max_decompressed_bytes: 1 << 20,
            max_decompression_ratio: 100,
            decompression_allowance: 250_000,
        }
    }
}

impl Limits {
    /// The most bytes a ciphertext of `compressed` bytes may inflate to: the ratio's bound,
    /// but never below the absolute allowance, and never above the absolute maximum.
    #[must_use]
    pub fn decompression_cap(&self, compressed: usize) -> usize {
        compressed
            .saturating_mul(self.max_decompression_ratio)
            .max(self.decompression_allowance)
            .min(self.max_decompressed_bytes)
    }
}

/// The PBES2 work one decryption has spent, against [`Limits::pbes2_iteration_budget`].
#[derive(Debug)]
pub(crate) struct WorkBudget {
    max_p2c: u32,
    spent: u64,
    max: u64,
    exceeded: bool,
}

impl WorkBudget {
    /// A fresh budget for one decryption under `limits`.
    pub(crate) fn new(limits: &Limits) -> Self {
        Self {
            max_p2c: limits.max_p2c,
            spent: 0,
            max: limits.pbes2_iteration_budget.max(limits.max_p2c.into()),
            exceeded: false,
        }
    }

    /// The largest `p2c` accepted for one recipient ([`Limits::max_p2c`]).
    #[cfg_attr(not(feature = "pbes2"), allow(dead_code))]
    pub(crate) fn max_p2c(&self) -> u32 {
        self.max_p2c
    }

    /// Reserves `iterations` of PBKDF2 work, or refuses when they do not fit.
    #[cfg_attr(not(feature = "pbes2"), allow(dead_code))]
    pub(crate) fn spend_pbes2(&mut self, iterations: u64) -> Result<(), JweError> {
        let total = self.spent.saturating_add(iterations);
        if total > self.max {
            self.exceeded = true;
            return Err(JweError::LimitExceeded {
                what: PBES2_BUDGET,
                max: self.max,
                actual: total,
            });
        }
        self.spent = total;
        Ok(())
    }

    /// Whether a recipient was skipped because the budget was spent.
    pub(crate) fn exceeded(&self) -> bool {
        self.exceeded
    }
}

/// Options for decrypting a JWE.
///
/// ```
/// use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
/// use jwe::DecryptOptions;
///
/// let options = DecryptOptions::new()
///     .algorithms([KeyManagementAlgorithm::EcdhEs, KeyManagementAlgorithm::RsaOaep256])
///     .encryptions([ContentEncryptionAlgorithm::A256Gcm]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecryptOptions {
    algorithms: Vec<KeyManagementAlgorithm>,
    encryptions: Vec<ContentEncryptionAlgorithm>,
    critical: Vec<String>,
    limits: Limits,
    key_type_algorithms: bool,
}

impl DecryptOptions {
    /// Options that accept only the key management algorithm the key implies (its `alg`
    /// member), any content encryption algorithm, and the default limits.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts exactly these key management algorithms (the key must still fit each one).
    #[must_use]
    pub fn algorithms(mut self, algs: impl IntoIterator<Item = KeyManagementAlgorithm>) -> Self {
        self.algorithms = algs.into_iter().collect();
        self
    }

    /// Accepts one more key management algorithm.
    #[must_use]
    pub fn allow(mut self, alg: KeyManagementAlgorithm) -> Self {
        if !self.algorithms.contains(&alg) {
            self.algorithms.push(alg);
        }
        self
    }

    /// For a key without an `alg` member (and no explicit list): accepts every key
    /// management algorithm the key's type can perform, as panva's jose and jwcrypto do:
    /// RSA-OAEP and RSA-OAEP-256 for an RSA key, the ECDH-ES family for an EC or X25519 key,
    /// AES key wrap, AES-GCM key wrap and `dir` for a symmetric key of the right size, PBES2
    /// for a password. Never `RSA1_5` (allow it explicitly with
    /// [`DecryptOptions::algorithms`]), never PBES2 with a JWK. A key with `alg` still
    /// decrypts with that algorithm only.
    ///
    /// ```
    /// use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
    /// use jose_core::jwk::Jwk;
    /// use jwe::{DecryptOptions, EncryptionKey, compact};
    ///
    /// let key = Jwk::generate(KeyManagementAlgorithm::EcdhEs)?.without_alg();
    /// let recipient = EncryptionKey::new(key.to_public()?, KeyManagementAlgorithm::EcdhEsA128Kw)?;
    /// let token = compact::CompactEncrypt::new(b"hi", ContentEncryptionAlgorithm::A128Gcm)
    ///     .encrypt(&recipient)?;
    /// let options = DecryptOptions::new().accept_key_type_algorithms();
    /// assert_eq!(compact::decrypt(&token, &key, &options)?.plaintext(), b"hi");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn accept_key_type_algorithms(mut self) -> Self {
        self.key_type_algorithms = true;
        self
    }

    /// Accepts exactly these content encryption algorithms (default: all six).
    #[must_use]
    pub fn encryptions(
        mut self,
        encs: impl IntoIterator<Item = ContentEncryptionAlgorithm>,
    ) -> Self {
        self.encryptions = encs.into_iter().collect();
        self
    }

    /// Declares that the application understands the `crit` extension `name` (RFC 7516
    /// §4.1.13).
    #[must_use]
    pub fn understand_crit(mut self, name: impl Into<String>) -> Self {
        self.critical.push(name.into());
        self
    }

    /// Sets the limits.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The explicitly allowed key management algorithms.
    #[must_use]
    pub fn allowed_algorithms(&self) -> &[KeyManagementAlgorithm] {
        &self.algorithms
    }

    /// The explicitly allowed content encryption algorithms (empty: all).
    #[must_use]
    pub fn allowed_encryptions(&self) -> &[ContentEncryptionAlgorithm] {
        &self.encryptions
    }

    /// The limits.
    #[must_use]
    pub fn size_limits(&self) -> &Limits {
        &self.limits
    }

    /// The understood `crit` names.
    pub(crate) fn understood(&self) -> Vec<&str> {
        self.critical.iter().map(String::as_str).collect()
    }

    /// Checks `alg` against the explicit list, or, without one, against the algorithm the
    /// key's `alg` member implies, or, for a key without one, against what its type can
    /// perform when [`DecryptOptions::accept_key_type_algorithms`] is set (the key's fit to
    /// `alg` is checked by the caller).
    pub(crate) fn check_algorithm(
        &self,
        alg: KeyManagementAlgorithm,
        key: &SelectedKey<'_>,
    ) -> Result<(), JweError> {
        use KeyManagementAlgorithm as K;
        if self.algorithms.is_empty() {
            let pbes2 = matches!(
                alg,
                K::Pbes2Hs256A128Kw | K::Pbes2Hs384A192Kw | K::Pbes2Hs512A256Kw
            );
            let password = matches!(key, SelectedKey::Password(_));
            return match implied_algorithm(key.key_alg()) {
                Some(a) if a == alg => Ok(()),
                Some(_) => Err(JweError::AlgorithmNotAllowed(alg)),
                None if self.key_type_algorithms && alg != K::Rsa1_5 && pbes2 == password => Ok(()),
                None if self.key_type_algorithms => Err(JweError::AlgorithmNotAllowed(alg)),
                None => Err(JweError::NoAlgorithmAllowed),
            };
        }
        if self.algorithms.contains(&alg) {
            Ok(())
        } else {
            Err(JweError::AlgorithmNotAllowed(alg))
        }
    }

    /// Checks `enc` against the explicit list (all are accepted without one).
    pub(crate) fn check_encryption(&self, enc: ContentEncryptionAlgorithm) -> Result<(), JweError> {
        if self.encryptions.is_empty() || self.encryptions.contains(&enc) {
            Ok(())
        } else {
            Err(JweError::EncryptionNotAllowed(enc))
        }
    }
}

/// The key management algorithm a key's `alg` member implies: a key management algorithm
/// itself, or `dir` for a key restricted to a content encryption algorithm.
#[must_use]
pub fn implied_algorithm(key_alg: Option<&KeyAlgorithm>) -> Option<KeyManagementAlgorithm> {
    match key_alg? {
        KeyAlgorithm::KeyManagement(a) => Some(*a),
        KeyAlgorithm::ContentEncryption(_) => Some(KeyManagementAlgorithm::Dir),
        _ => None,
    }
}
