//! PBES2-HS256+A128KW, PBES2-HS384+A192KW, PBES2-HS512+A256KW (RFC 7518 §4.8): a key
//! derived from a password with PBKDF2 wraps the CEK with AES key wrap.
//!
//! The iteration count `p2c` is chosen by the sender and paid by the recipient, so it is
//! bounded on decryption ([`crate::Limits::max_p2c`]) before any work is done, and so is the
//! total over every recipient one decryption tries ([`crate::Limits::pbes2_iteration_budget`]).

use super::aes_kw;
use crate::JweError;
use crate::options::WorkBudget;
use crate::options::{MIN_P2C, MIN_P2S_BYTES};
use jose_core::SecretBytes;
use jose_core::alg::KeyManagementAlgorithm;
use jose_core::backend::Backend;
use jose_core::header::JweHeader;
use sha2::{Sha256, Sha384, Sha512};

use KeyManagementAlgorithm as Kma;

/// Length of the random salt input drawn for encryption.
const P2S_LEN: usize = 16;

pub(super) struct Wrapped {
    pub(super) encrypted_key: Vec<u8>,
    pub(super) p2s: Vec<u8>,
    pub(super) p2c: u32,
}

/// The key-wrapping key: PBKDF2 over the password with salt `alg || 0x00 || p2s`, computed
/// by `backend`.
fn derive(backend: Backend, alg: Kma, password: &[u8], p2s: &[u8], p2c: u32) -> SecretBytes {
    #[cfg(feature = "fixed-randomness-for-tests")]
    crate::hazmat::count_pbes2_derivation(p2c);
    let name = alg.as_str().as_bytes();
    let mut salt = Vec::with_capacity(name.len() + 1 + p2s.len());
    salt.extend_from_slice(name);
    salt.push(0);
    salt.extend_from_slice(p2s);
    let mut kek = vec![0u8; super::kw_key_len_for_pbes2(alg)];
    #[cfg(feature = "aws-lc-rs")]
    if backend == Backend::AwsLc
        && let Some(rounds) = core::num::NonZeroU32::new(p2c)
    {
        use jose_core::aws_lc_rs::pbkdf2;
        let prf = match alg {
            Kma::Pbes2Hs256A128Kw => pbkdf2::PBKDF2_HMAC_SHA256,
            Kma::Pbes2Hs384A192Kw => pbkdf2::PBKDF2_HMAC_SHA384,
            _ => pbkdf2::PBKDF2_HMAC_SHA512,
        };
        pbkdf2::derive(prf, rounds, &salt, password, &mut kek);
        return SecretBytes::new(kek);
    }
    let _ = backend;
    match alg {
        Kma::Pbes2Hs256A128Kw => pbkdf2::pbkdf2_hmac::<Sha256>(password, &salt, p2c, &mut kek),
        Kma::Pbes2Hs384A192Kw => pbkdf2::pbkdf2_hmac::<Sha384>(password, &salt, p2c, &mut kek),
        _ => pbkdf2::pbkdf2_hmac::<Sha512>(password, &salt, p2c, &mut kek),
    }
    SecretBytes::new(kek)
}

/// Wraps the CEK under a key derived from `password`.
pub(super) fn wrap(
    backend: Backend,
    alg: Kma,
    password: &SecretBytes,
    p2c: u32,
    fixed_p2s: Option<&[u8]>,
    cek: &SecretBytes,
) -> Result<Wrapped, JweError> {
    if p2c < MIN_P2C {
        return Err(JweError::IterationCountTooSmall {
            min: MIN_P2C,
            actual: p2c.into(),
        });
    }
    let p2s = match fixed_p2s {
        Some(s) => s.to_vec(),
        None => jose_core::rand::bytes::<P2S_LEN>()
            .map_err(|_| JweError::Random)?
            .to_vec(),
    };
    if p2s.len() < MIN_P2S_BYTES {
        return Err(JweError::InvalidParameter {
            name: "p2s",
            reason: "must be at least 8 bytes",
        });
    }
    let kek = derive(backend, alg, password.expose(), &p2s, p2c);
    Ok(Wrapped {
        encrypted_key: aes_kw::wrap(backend, kek.expose(), cek.expose())?,
        p2s,
        p2c,
    })
}

/// Unwraps the CEK after checking `p2s` and `p2c` against the limits.
pub(super) fn unwrap(
    backend: Backend,
    alg: Kma,
    password: &SecretBytes,
    header: &JweHeader,
    encrypted_key: &[u8],
    cek_len: usize,
    budget: &mut WorkBudget,
) -> Result<SecretBytes, JweError> {
    let p2s = header
        .p2s
        .as_deref()
        .ok_or(JweError::MissingParameter("p2s"))?;
    let p2c = header.p2c.ok_or(JweError::MissingParameter("p2c"))?;
    if p2s.len() < MIN_P2S_BYTES {
        return Err(JweError::InvalidParameter {
            name: "p2s",
            reason: "must be at least 8 bytes",
        });
    }
    if p2c < u64::from(MIN_P2C) {
        return Err(JweError::IterationCountTooSmall {
            min: MIN_P2C,
            actual: p2c,
        });
    }
    if p2c > u64::from(budget.max_p2c()) {
        return Err(JweError::LimitExceeded {
            what: "p2c",
            max: budget.max_p2c().into(),
            actual: p2c,
        });
    }
    // Checked above to be at most `max_p2c`, a u32.
    let rounds = u32::try_from(p2c).map_err(|_| JweError::LimitExceeded {
        what: "p2c",
        max: budget.max_p2c().into(),
        actual: p2c,
    })?;
    // The wrapped key's length is public: check it before the expensive derivation.
    if encrypted_key.len() != cek_len + 8 {
        return Err(JweError::EncryptedKeyLength {
            alg,
            expected: cek_len + 8,
            actual: encrypted_key.len(),
        });
    }
    // The decryption's total: many PBES2 recipients must not cost many derivations.
    budget.spend_pbes2(p2c)?;
    let kek = derive(backend, alg, password.expose(), p2s, rounds);
    aes_kw::unwrap(backend, alg, kek.expose(), encrypted_key, cek_len)
}
