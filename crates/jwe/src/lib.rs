#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod alg;
pub mod compact;
mod decrypt;
mod decrypted;
mod enc;
mod encrypt;
mod error;
#[cfg(feature = "fixed-randomness-for-tests")]
pub mod hazmat;
pub mod json;
mod key;
mod options;
mod zip;

pub use decrypted::DecryptedJwe;
pub use error::JweError;
pub use key::{DEFAULT_P2C, EncryptionKey, KeySource, Password, SelectedKey};
pub use options::{
    DecryptOptions, Limits, MIN_P2C, MIN_P2S_BYTES, PBES2_BUDGET, implied_algorithm,
};

pub use jose_core::alg::{
    CompressionAlgorithm, ContentEncryptionAlgorithm, KeyManagementAlgorithm,
};
pub use jose_core::header::JweHeader;

/// Decrypts a JWE in any serialization: compact, or general or flattened JSON (recognised by
/// the leading `{`).
///
/// # Errors
/// As [`compact::decrypt`] or [`json::decrypt`].
pub fn decrypt(
    input: &str,
    keys: &(impl KeySource + ?Sized),
    options: &DecryptOptions,
) -> Result<DecryptedJwe, JweError> {
    if input.trim_start().starts_with('{') {
        json::decrypt(input, keys, options)
    } else {
        compact::decrypt(input, keys, options)
    }
}
