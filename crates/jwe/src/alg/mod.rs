//! Key management (RFC 7518 §4, RFC 8037 §3.2): how the content encryption key reaches each
//! recipient.
//!
//! Each algorithm family has its own module; this one dispatches on the algorithm, checks
//! that the key fits, and keeps the feature gates in one place.

// Builds with only some families compiled in leave parts of the dispatch unused.
#![cfg_attr(
    not(all(
        feature = "rsa",
        feature = "ec",
        feature = "x25519",
        feature = "aes",
        feature = "pbes2"
    )),
    allow(
        unused_variables,
        unused_imports,
        unused_mut,
        dead_code,
        unreachable_code
    )
)]

#[cfg(feature = "aes")]
mod aes_gcm_kw;
#[cfg(any(feature = "aes", feature = "pbes2", feature = "ec", feature = "x25519"))]
pub(crate) mod aes_kw;
mod dir;
#[cfg(any(feature = "ec", feature = "x25519"))]
pub(crate) mod ecdh_es;
#[cfg(feature = "pbes2")]
mod pbes2;
#[cfg(feature = "rsa1_5")]
mod rsa1_5;
#[cfg(feature = "rsa")]
mod rsa_oaep;

use crate::JweError;
use crate::key::{EncryptionKey, KeyKind, SelectedKey};
use crate::options::WorkBudget;
use jose_core::SecretBytes;
use jose_core::alg::{ContentEncryptionAlgorithm, KeyManagementAlgorithm};
use jose_core::header::JweHeader;
use jose_core::jwk::{Jwk, KeyOperation};
use serde_json::{Map, Value};

use KeyManagementAlgorithm as Kma;

/// Operations a key may list in `key_ops` to be used for decrypting with an algorithm.
static DECRYPT_OPS: [KeyOperation; 4] = [
    KeyOperation::UnwrapKey,
    KeyOperation::Decrypt,
    KeyOperation::DeriveKey,
    KeyOperation::DeriveBits,
];

/// Operations a key may list in `key_ops` to be used for encrypting with an algorithm.
static ENCRYPT_OPS: [KeyOperation; 4] = [
    KeyOperation::WrapKey,
    KeyOperation::Encrypt,
    KeyOperation::DeriveKey,
    KeyOperation::DeriveBits,
];

/// Whether the algorithm determines the CEK itself (RFC 7516 §2: direct key agreement and
/// direct encryption), so there is no encrypted key and only one recipient.
pub(crate) fn is_direct(alg: Kma) -> bool {
    matches!(alg, Kma::Dir | Kma::EcdhEs)
}

/// Refuses algorithms whose support is not compiled in.
pub(crate) fn check_compiled(alg: Kma) -> Result<(), JweError> {
    let missing = match alg {
        Kma::Rsa1_5 => (!cfg!(feature = "rsa1_5")).then_some("rsa1_5"),
        Kma::RsaOaep | Kma::RsaOaep256 | Kma::RsaOaep384 | Kma::RsaOaep512 => {
            (!cfg!(feature = "rsa")).then_some("rsa")
        }
        Kma::A128Kw
        | Kma::A192Kw
        | Kma::A256Kw
        | Kma::A128GcmKw
        | Kma::A192GcmKw
        | Kma::A256GcmKw => (!cfg!(feature = "aes")).then_some("aes"),
        Kma::Pbes2Hs256A128Kw | Kma::Pbes2Hs384A192Kw | Kma::Pbes2Hs512A256Kw => {
            (!cfg!(feature = "pbes2")).then_some("pbes2")
        }
        Kma::EcdhEs | Kma::EcdhEsA128Kw | Kma::EcdhEsA192Kw | Kma::EcdhEsA256Kw => {
            (!cfg!(any(feature = "ec", feature = "x25519"))).then_some("ec")
        }
        Kma::Dir => None,
        _ => Some("a newer jwe"),
    };
    match missing {
        None => Ok(()),
        Some(feature) => Err(JweError::Unsupported {
            alg: alg.as_str(),
            feature,
        }),
    }
}

/// Checks that `key` may serve `alg` for one of `ops`: key type, curve and size, the `use`,
/// `key_ops` and `alg` members. The error is the one for the first operation.
fn check_key(key: &Jwk, alg: Kma, ops: &[KeyOperation]) -> Result<(), JweError> {
    let alg = alg.into();
    let mut first = None;
    for op in ops {
        match key.check_operation(op, &alg) {
            Ok(()) => return Ok(()),
            Err(e) => {
                first.get_or_insert(e);
            }
        }
    }
    Err(first.map_or(JweError::NoKey("no operation".into()), JweError::Key))
}

/// Checks that a private (or secret) key may decrypt with `alg`.
pub(crate) fn check_decryption_key(key: &Jwk, alg: Kma) -> Result<(), JweError> {
    check_compiled(alg)?;
    if !key.is_private() {
        return Err(JweError::Key(jose_core::jwk::KeyError::NotPrivate));
    }
    check_key(key, alg, &DECRYPT_OPS)
}

/// Checks that a key may encrypt to its owner with `alg`.
pub(crate) fn check_encryption_key(key: &Jwk, alg: Kma) -> Result<(), JweError> {
    check_compiled(alg)?;
    if alg == Kma::Rsa1_5 {
        return Err(JweError::Encrypt(
            "RSA1_5 is supported for decryption only; use RSA-OAEP-256",
        ));
    }
    check_key(key, alg, &ENCRYPT_OPS)
}

/// `apu` and `apv` for ECDH-ES.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PartyInfo<'a> {
    pub(crate) apu: Option<&'a [u8]>,
    pub(crate) apv: Option<&'a [u8]>,
}

/// The header parameters a key management step produced for its recipient.
pub(crate) type Params = Map<String, Value>;

fn b64_param(params: &mut Params, name: &str, bytes: &[u8]) {
    params.insert(
        name.to_owned(),
        Value::String(jose_core::b64::encode(bytes)),
    );
}

/// For `dir` and `ECDH-ES`: the CEK, and the parameters to publish (`epk`, `apu`, `apv`).
pub(crate) fn direct_cek(
    key: &EncryptionKey,
    enc: ContentEncryptionAlgorithm,
    party: PartyInfo<'_>,
) -> Result<(SecretBytes, Params), JweError> {
    let mut params = Params::new();
    match (key.alg(), key.kind()) {
        (Kma::Dir, KeyKind::Jwk(jwk)) => Ok((dir::cek(jwk, enc)?, params)),
        #[cfg(any(feature = "ec", feature = "x25519"))]
        (Kma::EcdhEs, KeyKind::Jwk(jwk)) => {
            let (cek, epk) = ecdh_es::sender(
                jwk,
                key.test_ephemeral(),
                enc.as_str(),
                enc.key_len(),
                party,
            )?;
            params.insert("epk".into(), Value::Object(epk.to_json_value()));
            put_party(&mut params, party);
            Ok((cek, params))
        }
        _ => Err(JweError::Encrypt(
            "this key cannot determine the content encryption key",
        )),
    }
}

fn put_party(params: &mut Params, party: PartyInfo<'_>) {
    if let Some(apu) = party.apu {
        b64_param(params, "apu", apu);
    }
    if let Some(apv) = party.apv {
        b64_param(params, "apv", apv);
    }
}

/// For the other algorithms: the encrypted key and the parameters to publish.
pub(crate) fn wrap(
    key: &EncryptionKey,
    cek: &SecretBytes,
    party: PartyInfo<'_>,
) -> Result<(Vec<u8>, Params), JweError> {
    let alg = key.alg();
    let backend = key.backend();
    let mut params = Params::new();
    let encrypted = match alg {
        #[cfg(feature = "rsa")]
        Kma::RsaOaep | Kma::RsaOaep256 | Kma::RsaOaep384 | Kma::RsaOaep512 => {
            rsa_oaep::encrypt(alg, key.jwk()?, cek.expose())?
        }
        #[cfg(feature = "aes")]
        Kma::A128Kw | Kma::A192Kw | Kma::A256Kw => {
            aes_kw::wrap(backend, oct_secret(key.jwk()?)?.expose(), cek.expose())?
        }
        #[cfg(feature = "aes")]
        Kma::A128GcmKw | Kma::A192GcmKw | Kma::A256GcmKw => {
            let wrapped = aes_gcm_kw::wrap(
                backend,
                oct_secret(key.jwk()?)?.expose(),
                cek.expose(),
                key.test_wrap_iv(),
            )?;
            b64_param(&mut params, "iv", &wrapped.iv);
            b64_param(&mut params, "tag", &wrapped.tag);
            wrapped.encrypted_key
        }
        #[cfg(feature = "pbes2")]
        Kma::Pbes2Hs256A128Kw | Kma::Pbes2Hs384A192Kw | Kma::Pbes2Hs512A256Kw => {
            let wrapped = pbes2::wrap(
                backend,
                alg,
                key.password_bytes()?,
                key.p2c(),
                key.test_p2s(),
                cek,
            )?;
            b64_param(&mut params, "p2s", &wrapped.p2s);
            params.insert("p2c".into(), Value::from(wrapped.p2c));
            wrapped.encrypted_key
        }
        #[cfg(any(feature = "ec", feature = "x25519"))]
        Kma::EcdhEsA128Kw | Kma::EcdhEsA192Kw | Kma::EcdhEsA256Kw => {
            let kw_len = kw_key_len(alg);
            let (kek, epk) = ecdh_es::sender(
                key.jwk()?,
                key.test_ephemeral(),
                alg.as_str(),
                kw_len,
                party,
            )?;
            params.insert("epk".into(), Value::Object(epk.to_json_value()));
            put_party(&mut params, party);
            aes_kw::wrap(backend, kek.expose(), cek.expose())?
        }
        _ => {
            check_compiled(alg)?;
            return Err(JweError::Encrypt(
                "this algorithm does not wrap a content encryption key",
            ));
        }
    };
    Ok((encrypted, params))
}

/// Recovers the CEK for one recipient.
///
/// Failures that could serve as an oracle (RSA decryption, key unwrap integrity) are all
/// [`JweError::DecryptionFailed`]; lengths and header parameters, which the sender chose in
/// the clear, have their own errors.
pub(crate) fn unwrap(
    alg: Kma,
    enc: ContentEncryptionAlgorithm,
    key: SelectedKey<'_>,
    header: &JweHeader,
    encrypted_key: &[u8],
    budget: &mut WorkBudget,
) -> Result<SecretBytes, JweError> {
    #[cfg(not(feature = "pbes2"))]
    let _ = budget;
    check_compiled(alg)?;
    let backend = key.backend();
    if is_direct(alg) && !encrypted_key.is_empty() {
        return Err(JweError::EncryptedKeyLength {
            alg,
            expected: 0,
            actual: encrypted_key.len(),
        });
    }
    match alg {
        Kma::Dir => dir::cek(jwk_of(key)?, enc),
        #[cfg(feature = "rsa")]
        Kma::RsaOaep | Kma::RsaOaep256 | Kma::RsaOaep384 | Kma::RsaOaep512 => {
            rsa_oaep::decrypt(alg, jwk_of(key)?, encrypted_key, enc)
        }
        #[cfg(feature = "rsa1_5")]
        Kma::Rsa1_5 => rsa1_5::decrypt(jwk_of(key)?, encrypted_key, enc),
        #[cfg(feature = "aes")]
        Kma::A128Kw | Kma::A192Kw | Kma::A256Kw => aes_kw::unwrap(
            backend,
            alg,
            oct_secret(jwk_of(key)?)?.expose(),
            encrypted_key,
            enc.key_len(),
        ),
        #[cfg(feature = "aes")]
        Kma::A128GcmKw | Kma::A192GcmKw | Kma::A256GcmKw => aes_gcm_kw::unwrap(
            backend,
            alg,
            oct_secret(jwk_of(key)?)?.expose(),
            header,
            encrypted_key,
            enc.key_len(),
        ),
        #[cfg(feature = "pbes2")]
        Kma::Pbes2Hs256A128Kw | Kma::Pbes2Hs384A192Kw | Kma::Pbes2Hs512A256Kw => {
            let password = match key {
                SelectedKey::Password(p) => p.secret(),
                SelectedKey::Jwk(jwk) => oct_secret(jwk)?,
            };
            pbes2::unwrap(
                backend,
                alg,
                password,
                header,
                encrypted_key,
                enc.key_len(),
                budget,
            )
        }
        #[cfg(any(feature = "ec", feature = "x25519"))]
        Kma::EcdhEs => ecdh_es::recipient(jwk_of(key)?, header, enc.as_str(), enc.key_len()),
        #[cfg(any(feature = "ec", feature = "x25519"))]
        Kma::EcdhEsA128Kw | Kma::EcdhEsA192Kw | Kma::EcdhEsA256Kw => {
            let kek = ecdh_es::recipient(jwk_of(key)?, header, alg.as_str(), kw_key_len(alg))?;
            aes_kw::unwrap(backend, alg, kek.expose(), encrypted_key, enc.key_len())
        }
        _ => Err(JweError::Unsupported {
            alg: alg.as_str(),
            feature: "a newer jwe",
        }),
    }
}

/// Key length of the AES key wrap that follows ECDH-ES.
fn kw_key_len(alg: Kma) -> usize {
    match alg {
        Kma::EcdhEsA128Kw => 16,
        Kma::EcdhEsA192Kw => 24,
        _ => 32,
    }
}

/// Key length of the AES key wrap that follows PBES2.
#[cfg(feature = "pbes2")]
fn kw_key_len_for_pbes2(alg: Kma) -> usize {
    match alg {
        Kma::Pbes2Hs256A128Kw => 16,
        Kma::Pbes2Hs384A192Kw => 24,
        _ => 32,
    }
}

fn jwk_of(key: SelectedKey<'_>) -> Result<&Jwk, JweError> {
    match key {
        SelectedKey::Jwk(jwk) => Ok(jwk),
        SelectedKey::Password(_) => Err(JweError::NoKey(
            "a password serves only the PBES2 algorithms".into(),
        )),
    }
}

/// The bytes of a symmetric key.
pub(crate) fn oct_secret(key: &Jwk) -> Result<&SecretBytes, JweError> {
    match key.material() {
        jose_core::jwk::KeyMaterial::Oct(k) => Ok(k.secret()),
        _ => Err(JweError::Key(
            jose_core::jwk::KeyError::IncompatibleAlgorithm {
                key: key.key_type().to_string(),
                alg: "a symmetric algorithm".into(),
            },
        )),
    }
}
