//! AES_CBC_HMAC_SHA2 (RFC 7518 §5.2): A128CBC-HS256, A192CBC-HS384, A256CBC-HS512.
//!
//! The CEK is split into a MAC key (first half) and an encryption key (second half). The tag
//! is the first half of `HMAC(MAC key, AAD || IV || ciphertext || AL)`, with `AL` the AAD
//! length in bits as a 64-bit big-endian integer. Decryption checks the tag, in constant time,
//! before it decrypts anything, so padding is never examined for forged ciphertexts (no
//! padding oracle).

use aes::cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, KeyIvInit,
    block_padding::Pkcs7,
};
use hmac::{Hmac, KeyInit, Mac};
use jose_core::alg::ContentEncryptionAlgorithm;
use sha2::{Sha256, Sha384, Sha512};

use ContentEncryptionAlgorithm as Cea;

/// The full HMAC over the authenticated data; the tag is its first half.
fn mac<M: Mac + KeyInit>(key: &[u8], aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> Option<Vec<u8>> {
    let mut m = <M as KeyInit>::new_from_slice(key).ok()?;
    m.update(aad);
    m.update(iv);
    m.update(ciphertext);
    m.update(&((aad.len() as u64) * 8).to_be_bytes());
    Some(m.finalize().into_bytes().to_vec())
}

fn tag(enc: Cea, mac_key: &[u8], aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> Option<Vec<u8>> {
    let mut full = match enc {
        Cea::A128CbcHs256 => mac::<Hmac<Sha256>>(mac_key, aad, iv, ciphertext)?,
        Cea::A192CbcHs384 => mac::<Hmac<Sha384>>(mac_key, aad, iv, ciphertext)?,
        _ => mac::<Hmac<Sha512>>(mac_key, aad, iv, ciphertext)?,
    };
    full.truncate(enc.tag_len());
    Some(full)
}

fn cbc_encrypt<C>(key: &[u8], iv: &[u8], buf: &mut [u8], msg_len: usize) -> Option<usize>
where
    C: BlockCipherEncrypt,
    cbc::Encryptor<C>: KeyIvInit + BlockModeEncrypt,
{
    let mode = cbc::Encryptor::<C>::new_from_slices(key, iv).ok()?;
    mode.encrypt_padded::<Pkcs7>(buf, msg_len)
        .ok()
        .map(<[u8]>::len)
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Option<usize>
where
    C: BlockCipherDecrypt,
    cbc::Decryptor<C>: KeyIvInit + BlockModeDecrypt,
{
    let mode = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
    mode.decrypt_padded::<Pkcs7>(buf).ok().map(<[u8]>::len)
}

/// Encrypts `buf` in place (it grows by the PKCS#7 padding); returns the tag, or `None` if the
/// key or IV has the wrong size.
pub(crate) fn seal(
    enc: Cea,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    buf: &mut Vec<u8>,
) -> Option<Vec<u8>> {
    if cek.len() != enc.key_len() {
        return None;
    }
    let (mac_key, enc_key) = cek.split_at(cek.len() / 2);
    let msg_len = buf.len();
    // PKCS#7 always adds 1 to 16 bytes.
    buf.resize((msg_len / 16 + 1) * 16, 0);
    let len = match enc {
        Cea::A128CbcHs256 => cbc_encrypt::<aes::Aes128>(enc_key, iv, buf, msg_len),
        Cea::A192CbcHs384 => cbc_encrypt::<aes::Aes192>(enc_key, iv, buf, msg_len),
        _ => cbc_encrypt::<aes::Aes256>(enc_key, iv, buf, msg_len),
    }?;
    buf.truncate(len);
    tag(enc, mac_key, aad, iv, buf)
}

/// Checks the tag, then decrypts `buf` in place and removes the padding. Returns `false` on
/// any failure; if the tag does not verify, `buf` is unchanged.
pub(crate) fn open(
    enc: Cea,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    buf: &mut Vec<u8>,
    tag_in: &[u8],
) -> bool {
    if cek.len() != enc.key_len() {
        return false;
    }
    let (mac_key, enc_key) = cek.split_at(cek.len() / 2);
    let Some(expected) = tag(enc, mac_key, aad, iv, buf) else {
        return false;
    };
    if !jose_core::constant_time_eq(&expected, tag_in) {
        return false;
    }
    let len = match enc {
        Cea::A128CbcHs256 => cbc_decrypt::<aes::Aes128>(enc_key, iv, buf),
        Cea::A192CbcHs384 => cbc_decrypt::<aes::Aes192>(enc_key, iv, buf),
        _ => cbc_decrypt::<aes::Aes256>(enc_key, iv, buf),
    };
    match len {
        Some(len) => {
            buf.truncate(len);
            true
        }
        None => false,
    }
}
