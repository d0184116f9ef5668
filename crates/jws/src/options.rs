//! What a verifier accepts: algorithms, understood `crit` extensions, and size limits.

use crate::{JwsError, Verifier};
use jose_core::alg::JwsAlgorithm;

/// Size limits applied before any decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted serialized JWS, in bytes. Default 1 MiB.
    pub max_input_bytes: usize,
    /// Largest accepted decoded protected header, in bytes. Default 16 KiB.
    pub max_header_bytes: usize,
    /// Most signatures accepted in a general JSON JWS. Default 16.
    pub max_signatures: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 1 << 20,
            max_header_bytes: 16 << 10,
            max_signatures: 16,
        }
    }
}

/// Options for verifying a JWS.
///
/// ```
/// use jose_core::alg::JwsAlgorithm;
/// use jws::VerifyOptions;
///
/// let options = VerifyOptions::new()
///     .algorithms([JwsAlgorithm::ES256, JwsAlgorithm::RS256])
///     .understand_crit("exp");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    algorithms: Vec<JwsAlgorithm>,
    critical: Vec<String>,
    limits: Limits,
}

impl VerifyOptions {
    /// Options that accept only what the key itself implies (its `alg`, or its curve).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts exactly these algorithms (the key must still fit each one).
    #[must_use]
    pub fn algorithms(mut self, algs: impl IntoIterator<Item = JwsAlgorithm>) -> Self {
        self.algorithms = algs.into_iter().collect();
        self
    }

    /// Accepts one more algorithm.
    #[must_use]
    pub fn allow(mut self, alg: JwsAlgorithm) -> Self {
        if !self.algorithms.contains(&alg) {
            self.algorithms.push(alg);
        }
        self
    }

    /// Declares that the application understands the `crit` extension `name` (RFC 7515
    /// §4.1.11). `b64` (RFC 7797) is always understood.
    #[must_use]
    pub fn understand_crit(mut self, name: impl Into<String>) -> Self {
        self.critical.push(name.into());
        self
    }

    /// Sets the size limits.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The explicitly allowed algorithms.
    #[must_use]
    pub fn allowed_algorithms(&self) -> &[JwsAlgorithm] {
        &self.algorithms
    }

    /// The size limits.
    #[must_use]
    pub fn size_limits(&self) -> &Limits {
        &self.limits
    }

    /// The understood `crit` names, `b64` included.
    pub(crate) fn understood(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.critical.iter().map(String::as_str).collect();
        names.push("b64");
        names
    }

    /// Checks `alg` against the explicit list, or, without one, against what the key allows.
    pub(crate) fn check_algorithm(
        &self,
        alg: JwsAlgorithm,
        key: &dyn Verifier,
    ) -> Result<(), JwsError> {
        if self.algorithms.is_empty() {
            if key.allows_by_default(alg) {
                return Ok(());
            }
            return Err(JwsError::AlgorithmNotAllowed(alg));
        }
        if self.algorithms.contains(&alg) {
            Ok(())
        } else {
            Err(JwsError::AlgorithmNotAllowed(alg))
        }
    }
}
