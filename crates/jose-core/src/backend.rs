//! Crypto backends: which library does the arithmetic for a key.
//!
//! Every build has [`Backend::RustCrypto`] (pure Rust, no C toolchain, builds for WASM). With
//! the `aws-lc-rs` cargo feature, `Backend::AwsLc` is compiled in beside it: assembly-
//! optimised code from AWS-LC, several times faster for ECDSA and RSA (see
//! `docs/backends.md`).
//!
//! There is no process-wide provider. Each [`Jwk`](crate::jwk::Jwk) carries its backend,
//! fixed when the key is made: [`Backend::default()`] unless the key was built with
//! [`Jwk::with_backend`](crate::jwk::Jwk::with_backend). The default is deterministic: the
//! fastest backend compiled in, that is `Backend::AwsLc` when the `aws-lc-rs` feature of
//! this crate is on (turned on by any crate of the build, through cargo feature unification)
//! and [`Backend::RustCrypto`] otherwise. Both backends can be compiled in together; nothing
//! panics when another crate turns the feature on, and tokens made with one backend verify
//! and decrypt with the other.
//!
//! Keys are parsed and validated by RustCrypto in either case (the checks of
//! [`jwk`](crate::jwk) do not depend on the backend); the backend decides who signs,
//! verifies, encrypts and decrypts, in the crates that do those (`jws` and `jwe`, with their
//! own `aws-lc-rs` feature). An operation the chosen backend does not offer (for example the
//! 192-bit AES key wrap or AES-CBC-HMAC with aws-lc-rs, or an RSA key outside the 2048 to
//! 8192 bits aws-lc-rs accepts) runs on RustCrypto.
//!
//! ```
//! use jose_core::backend::Backend;
//! use jose_core::jwk::Jwk;
//! use jose_core::alg::JwsAlgorithm;
//!
//! // The default key uses the default backend...
//! let key = Jwk::generate(JwsAlgorithm::ES256)?;
//! assert_eq!(key.backend(), Backend::default());
//! // ... and any key can be pinned to one explicitly.
//! let pure = key.with_backend(Backend::RustCrypto);
//! assert_eq!(pure.backend(), Backend::RustCrypto);
//! # Ok::<(), jose_core::jwk::KeyError>(())
//! ```

#[cfg(feature = "aws-lc-rs")]
pub mod aws_lc;

/// The library that performs a key's cryptographic operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// RustCrypto: pure Rust, always compiled in.
    RustCrypto,
    /// aws-lc-rs (AWS-LC, C and assembly): with the `aws-lc-rs` feature.
    #[cfg(feature = "aws-lc-rs")]
    AwsLc,
}

impl Backend {
    /// The backend keys use unless told otherwise: [`Backend::AwsLc`] when the `aws-lc-rs`
    /// feature is on, [`Backend::RustCrypto`] otherwise.
    #[cfg(feature = "aws-lc-rs")]
    pub const DEFAULT: Backend = Backend::AwsLc;
    /// The backend keys use unless told otherwise: `Backend::AwsLc` when the `aws-lc-rs`
    /// feature is on, [`Backend::RustCrypto`] otherwise.
    #[cfg(not(feature = "aws-lc-rs"))]
    pub const DEFAULT: Backend = Backend::RustCrypto;

    /// Every backend compiled into this build, the default first.
    pub const ALL: &'static [Backend] = &[
        #[cfg(feature = "aws-lc-rs")]
        Backend::AwsLc,
        Backend::RustCrypto,
    ];

    /// A short name: `rustcrypto` or `aws-lc-rs`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Backend::RustCrypto => "rustcrypto",
            #[cfg(feature = "aws-lc-rs")]
            Backend::AwsLc => "aws-lc-rs",
        }
    }
}

impl Default for Backend {
    /// [`Backend::DEFAULT`].
    fn default() -> Self {
        Backend::DEFAULT
    }
}

impl core::fmt::Display for Backend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::str::FromStr for Backend {
    type Err = UnknownBackend;

    /// Parses `rustcrypto` or (with the feature) `aws-lc-rs`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Backend::ALL
            .iter()
            .copied()
            .find(|b| b.as_str() == s)
            .ok_or_else(|| UnknownBackend(crate::json::truncate_for_error(s)))
    }
}

/// A backend name this build does not know (or was compiled without).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown or not compiled-in crypto backend {0:?} (known: rustcrypto, aws-lc-rs with its feature)"
)]
pub struct UnknownBackend(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_first_of_all_and_names_round_trip() {
        assert_eq!(Backend::ALL[0], Backend::default());
        for b in Backend::ALL {
            assert_eq!(b.as_str().parse::<Backend>(), Ok(*b));
        }
        assert!("openssl".parse::<Backend>().is_err());
    }

    #[cfg(feature = "aws-lc-rs")]
    #[test]
    fn the_fast_backend_is_the_default_when_compiled_in() {
        assert_eq!(Backend::default(), Backend::AwsLc);
    }

    #[cfg(not(feature = "aws-lc-rs"))]
    #[test]
    fn rustcrypto_is_the_default_without_the_feature() {
        assert_eq!(Backend::default(), Backend::RustCrypto);
    }
}
