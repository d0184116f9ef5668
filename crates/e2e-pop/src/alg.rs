//! Which signature algorithms the tokens may use.

use crate::E2ePopError;
use jose_core::alg::{JwsAlgorithm, JwsFamily};

/// The asymmetric algorithms of the reference library, in its order.
const LIBRARY: [JwsAlgorithm; 9] = [
    JwsAlgorithm::ES256,
    JwsAlgorithm::ES384,
    JwsAlgorithm::ES512,
    JwsAlgorithm::RS256,
    JwsAlgorithm::RS384,
    JwsAlgorithm::RS512,
    JwsAlgorithm::PS256,
    JwsAlgorithm::PS384,
    JwsAlgorithm::PS512,
];

/// Whether this build can verify `alg` (its cargo feature is on) and the draft allows it
/// (asymmetric only; Ed25519 under its `EdDSA` name).
fn compiled(alg: JwsAlgorithm) -> bool {
    match alg.family() {
        JwsFamily::Ecdsa => cfg!(feature = "ec"),
        JwsFamily::RsaPkcs1 | JwsFamily::RsaPss => cfg!(feature = "rsa"),
        JwsFamily::EdDsa => cfg!(feature = "eddsa") && alg == JwsAlgorithm::EdDSA,
        _ => false,
    }
}

/// A set of accepted signature algorithms.
///
/// The default is the reference library's nine (ES256/384/512, RS256/384/512, PS256/384/512)
/// plus EdDSA, limited to the algorithm families compiled in. Symmetric algorithms and `none`
/// are never accepted.
///
/// ```
/// use e2e_pop::AlgorithmSet;
/// use jose_core::alg::JwsAlgorithm;
///
/// assert!(AlgorithmSet::default().contains(JwsAlgorithm::EdDSA));
/// assert!(!AlgorithmSet::library_compat().contains(JwsAlgorithm::EdDSA));
/// assert!(AlgorithmSet::only([JwsAlgorithm::HS256]).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlgorithmSet(Vec<JwsAlgorithm>);

impl Default for AlgorithmSet {
    fn default() -> Self {
        Self::all()
    }
}

impl AlgorithmSet {
    /// The nine algorithms of the reference library plus EdDSA (those compiled in).
    #[must_use]
    pub fn all() -> Self {
        let mut algs: Vec<JwsAlgorithm> = LIBRARY.into_iter().filter(|a| compiled(*a)).collect();
        if compiled(JwsAlgorithm::EdDSA) {
            algs.push(JwsAlgorithm::EdDSA);
        }
        Self(algs)
    }

    /// Exactly the reference library's nine (no EdDSA), for interoperating with verifiers
    /// built on it.
    #[must_use]
    pub fn library_compat() -> Self {
        Self(LIBRARY.into_iter().filter(|a| compiled(*a)).collect())
    }

    /// Only these algorithms.
    ///
    /// # Errors
    /// [`E2ePopError::AlgorithmNotAllowed`] for an algorithm outside [`AlgorithmSet::all`]
    /// (symmetric, or not compiled in), [`E2ePopError::Config`] for an empty list.
    pub fn only(algs: impl IntoIterator<Item = JwsAlgorithm>) -> Result<Self, E2ePopError> {
        let mut out = Vec::new();
        for alg in algs {
            if !compiled(alg) {
                return Err(E2ePopError::AlgorithmNotAllowed {
                    alg: alg.as_str().to_owned(),
                });
            }
            if !out.contains(&alg) {
                out.push(alg);
            }
        }
        if out.is_empty() {
            return Err(E2ePopError::Config("the algorithm list is empty"));
        }
        Ok(Self(out))
    }

    /// Whether `alg` is in the set.
    #[must_use]
    pub fn contains(&self, alg: JwsAlgorithm) -> bool {
        self.0.contains(&alg)
    }

    /// The algorithms.
    #[must_use]
    pub fn as_slice(&self) -> &[JwsAlgorithm] {
        &self.0
    }
}
