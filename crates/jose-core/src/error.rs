//! The crate-wide error type.

use crate::alg::AlgorithmError;
use crate::b64::Base64Error;
use crate::header::HeaderError;
use crate::json::JsonError;
use crate::jwk::{KeyError, SelectError};

/// Any error from `jose-core`, grouped by the layer that raised it.
///
/// Functions return the narrower type of their layer ([`Base64Error`], [`JsonError`],
/// [`KeyError`], ...); this enum lets callers handle them together with `?`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Base64url decoding.
    #[error("base64url: {0}")]
    Base64(#[from] Base64Error),
    /// Strict JSON parsing.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// Algorithm names.
    #[error(transparent)]
    Algorithm(#[from] AlgorithmError),
    /// Header parsing.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// Key import, export or use.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Key selection from a JWK Set.
    #[error(transparent)]
    Select(#[from] SelectError),
    /// The operating system's random number generator failed.
    #[error("the random number generator failed")]
    Random,
}
