//! The primitives under the JWE layer, for known-answer tests and vector generators.
//!
//! **Only with the `fixed-randomness-for-tests` feature, and never for production use**:
//! these functions take the IV and keys from the caller and check nothing a JWE recipient
//! must check.

use crate::JweError;
use jose_core::alg::ContentEncryptionAlgorithm;
use jose_core::backend::Backend;

/// Encrypts `buf` in place with `enc` (on the default backend) and returns the
/// authentication tag.
///
/// # Errors
/// [`JweError::CekLength`] or [`JweError::IvLength`].
pub fn encrypt_content(
    enc: ContentEncryptionAlgorithm,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    buf: &mut Vec<u8>,
) -> Result<Vec<u8>, JweError> {
    crate::enc::encrypt(Backend::default(), enc, cek, iv, aad, buf)
}

/// Checks the tag and decrypts `buf` in place (on the default backend).
///
/// # Errors
/// [`JweError::DecryptionFailed`], or a length error.
pub fn decrypt_content(
    enc: ContentEncryptionAlgorithm,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    buf: &mut Vec<u8>,
    tag: &[u8],
) -> Result<(), JweError> {
    let sealed = crate::enc::Sealed { iv, aad, tag };
    crate::enc::decrypt(Backend::default(), enc, cek, &sealed, buf, true)
}

/// The Concat KDF of RFC 7518 §4.6.2 (SHA-256): `key_len` bytes from the shared secret `z`.
#[cfg(any(feature = "ec", feature = "x25519"))]
#[must_use]
pub fn concat_kdf(z: &[u8], alg_id: &str, apu: &[u8], apv: &[u8], key_len: usize) -> Vec<u8> {
    crate::alg::ecdh_es::concat_kdf(z, alg_id, apu, apv, key_len)
        .expose()
        .to_vec()
}

/// The ECDH shared secret `Z` of a private key and a public key on the same curve (P-256,
/// P-384, P-521 or X25519), with the checks decryption applies to `epk`.
///
/// # Errors
/// [`JweError::InvalidParameter`] for keys on different curves or a low-order X25519 point,
/// [`JweError::Key`] for a public `private`.
#[cfg(any(feature = "ec", feature = "x25519"))]
pub fn key_agreement(
    private: &jose_core::jwk::Jwk,
    public: &jose_core::jwk::Jwk,
) -> Result<Vec<u8>, JweError> {
    Ok(crate::alg::ecdh_es::agree(private, public)?
        .expose()
        .to_vec())
}

thread_local! {
    static PBES2_WORK: core::cell::Cell<(u64, u64)> = const { core::cell::Cell::new((0, 0)) };
}

/// Records one PBKDF2 derivation of `iterations` on this thread.
#[cfg(feature = "pbes2")]
pub(crate) fn count_pbes2_derivation(iterations: u32) {
    PBES2_WORK.with(|w| {
        let (n, total) = w.get();
        w.set((n + 1, total + u64::from(iterations)));
    });
}

/// The PBES2 key derivations this thread has run since the last call, as
/// `(derivations, total iterations)`, and resets the count. For tests that bound the work a
/// decryption does without timing it.
#[must_use]
pub fn take_pbes2_work() -> (u64, u64) {
    PBES2_WORK.with(|w| w.replace((0, 0)))
}
