//! `zip: DEF` (RFC 7516 §4.1.3): raw DEFLATE (RFC 1951) of the plaintext before encryption.
//!
//! Decompression is where a small token can become a large allocation ("zip bomb"), so it
//! streams into a buffer that may never grow beyond a cap, and stops with an error as soon as
//! the output would exceed it.

use crate::JweError;

/// Compression level: the DEFLATE default, a good ratio at moderate cost.
#[cfg(feature = "deflate")]
const LEVEL: u8 = 6;

/// Compresses `plaintext`.
#[cfg(feature = "deflate")]
pub(crate) fn compress(plaintext: &[u8]) -> Result<Vec<u8>, JweError> {
    Ok(miniz_oxide::deflate::compress_to_vec(plaintext, LEVEL))
}

/// Decompresses at most `cap` bytes.
///
/// # Errors
/// [`JweError::DecompressionLimit`] when the output would exceed `cap`,
/// [`JweError::Decompression`] for data that is not valid DEFLATE.
#[cfg(feature = "deflate")]
pub(crate) fn decompress(data: &[u8], cap: usize) -> Result<Vec<u8>, JweError> {
    use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_with_limit};
    decompress_to_vec_with_limit(data, cap).map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => JweError::DecompressionLimit { max: cap },
        TINFLStatus::NeedsMoreInput | TINFLStatus::FailedCannotMakeProgress => {
            JweError::Decompression("the DEFLATE stream is truncated")
        }
        _ => JweError::Decompression("the data is not a valid DEFLATE stream"),
    })
}

/// Without the `deflate` feature, `zip` cannot be honoured.
#[cfg(not(feature = "deflate"))]
pub(crate) fn compress(_plaintext: &[u8]) -> Result<Vec<u8>, JweError> {
    Err(unsupported())
}

/// Without the `deflate` feature, `zip` cannot be honoured.
#[cfg(not(feature = "deflate"))]
pub(crate) fn decompress(_data: &[u8], _cap: usize) -> Result<Vec<u8>, JweError> {
    Err(unsupported())
}

/// The error for a `zip` this build cannot handle.
#[cfg(not(feature = "deflate"))]
pub(crate) fn unsupported() -> JweError {
    JweError::Unsupported {
        alg: "zip DEF",
        feature: "deflate",
    }
}
