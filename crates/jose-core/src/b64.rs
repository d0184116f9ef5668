//! Base64url without padding (RFC 7515 §2, RFC 4648 §5), decoded strictly.
//!
//! Every JOSE serialization uses the URL-safe alphabet with the trailing `=` removed. The decoder
//! here accepts exactly one encoding for each byte string: it rejects padding, whitespace, any
//! character outside the alphabet, an impossible length, and non-zero unused bits in the last
//! character (so `QR` is not accepted as another spelling of `QQ`). Decoding runs in constant
//! time with respect to the data (it is built on [`base64ct`]), so it is safe to use on key
//! material; only the classification of an error, computed after a failure, inspects the input.
//!
//! [`encode_vartime`], [`encode_into_vartime`] and [`decode_vartime`] give the same output and
//! the same errors several times faster, with table lookups indexed by the data: for data that
//! is public anyway (the segments of a token, signatures, ciphertext), never for key material.
//!
//! ```
//! use jose_core::b64;
//!
//! assert_eq!(b64::encode(b"hello"), "aGVsbG8");
//! assert_eq!(b64::decode("aGVsbG8").unwrap(), b"hello");
//! assert!(b64::decode("aGVsbG8=").is_err()); // padding
//! assert!(b64::decode("aGVsbG9").is_err());  // non-canonical trailing bits
//! ```

use base64ct::{Base64, Base64UrlUnpadded, Encoding};

/// Why a base64url string was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Base64Error {
    /// The input ends with `=` padding, which JOSE forbids.
    #[error("padding characters are not allowed")]
    Padding,
    /// The input contains whitespace.
    #[error("whitespace at byte {position}")]
    Whitespace {
        /// Byte offset of the first whitespace character.
        position: usize,
    },
    /// The input contains a character outside the base64url alphabet.
    #[error("invalid character at byte {position}")]
    InvalidCharacter {
        /// Byte offset of the first invalid character.
        position: usize,
    },
    /// The length leaves a single character in the last group, which cannot encode a byte.
    #[error("invalid length {length}")]
    InvalidLength {
        /// Length of the input in characters.
        length: usize,
    },
    /// The unused low bits of the last character are not zero, so this is not the canonical
    /// encoding of any byte string.
    #[error("non-canonical encoding (unused trailing bits are set)")]
    NonCanonical,
    /// The decoded value has a different length than the context requires.
    #[error("expected {expected} bytes, found {actual}")]
    UnexpectedLength {
        /// Length the context requires.
        expected: usize,
        /// Length found.
        actual: usize,
    },
}

/// Encodes bytes as base64url without padding.
#[must_use]
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    Base64UrlUnpadded::encode_string(bytes.as_ref())
}

/// Appends the base64url encoding of `bytes` to `out`, without an intermediate allocation.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    // Whole groups of three bytes encode independently, so encode in stack-sized chunks.
    const CHUNK: usize = 3 * 256;
    let mut buf = [0u8; 4 * 256];
    out.reserve(encoded_len(bytes.len()));
    for chunk in bytes.chunks(CHUNK) {
        // `buf` always has room for the encoding of a chunk, so this cannot fail.
        if let Ok(text) = Base64UrlUnpadded::encode(chunk, &mut buf) {
            out.push_str(text);
        }
    }
}

/// Number of characters the unpadded base64url encoding of `len` bytes takes.
#[must_use]
pub const fn encoded_len(len: usize) -> usize {
    (len / 3) * 4
        + match len % 3 {
            0 => 0,
            1 => 2,
            _ => 3,
        }
}

/// Upper bound of the number of bytes `len` base64url characters decode to.
#[must_use]
pub const fn decoded_len(len: usize) -> usize {
    (len / 4) * 3
        + match len % 4 {
            2 => 1,
            3 => 2,
            _ => 0,
        }
}

/// Decodes a base64url string (no padding), strictly.
///
/// # Errors
/// [`Base64Error`] describing the first problem found.
pub fn decode(input: impl AsRef<[u8]>) -> Result<Vec<u8>, Base64Error> {
    let input = input.as_ref();
    Base64UrlUnpadded::decode_vec(
        // base64ct takes `&str`; non-UTF-8 input is classified below.
        core::str::from_utf8(input).map_err(|_| classify(input))?,
    )
    .map_err(|_| classify(input))
}

/// The base64url alphabet, indexed by 6-bit value.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The value of each byte as a base64url character; `INVALID` for every other byte.
const INVALID: u8 = 0x80;
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// As [`encode`], in variable time: for public data only (see the module documentation).
#[must_use]
pub fn encode_vartime(bytes: impl AsRef<[u8]>) -> String {
    let mut out = String::new();
    encode_into_vartime(bytes.as_ref(), &mut out);
    out
}

/// The two characters of each 12-bit value: half of a 3-byte group per lookup.
static PAIRS: [[u8; 2]; 4096] = {
    let mut table = [[0u8; 2]; 4096];
    let mut i = 0;
    while i < 4096 {
        table[i] = [ALPHABET[i >> 6], ALPHABET[i & 63]];
        i += 1;
    }
    table
};

/// As [`encode_into`], in variable time: for public data only (see the module documentation).
pub fn encode_into_vartime(bytes: &[u8], out: &mut String) {
    const BLOCKS: usize = 256;
    let mut buf = [[0u8; 8]; BLOCKS];
    out.reserve(encoded_len(bytes.len()));
    let pair = |v: u64| PAIRS[(v & 0xfff) as usize];
    // Six bytes (two groups) to eight characters at a time.
    let (blocks, rest) = bytes.as_chunks::<6>();
    for chunk in blocks.chunks(BLOCKS) {
        for (&[a, b, c, d, e, f], text) in chunk.iter().zip(buf.iter_mut()) {
            let v = u64::from_be_bytes([0, 0, a, b, c, d, e, f]);
            let ([p, q], [r, s], [t, u], [w, x]) =
                (pair(v >> 36), pair(v >> 24), pair(v >> 12), pair(v));
            *text = [p, q, r, s, t, u, w, x];
        }
        push_ascii(out, buf[..chunk.len()].as_flattened());
    }
    let char_of = |v: u32| ALPHABET[(v & 63) as usize];
    let (group, rest) = rest.as_chunks::<3>();
    for &[a, b, c] in group {
        let v = u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c);
        push_ascii(
            out,
            &[
                char_of(v >> 18),
                char_of(v >> 12),
                char_of(v >> 6),
                char_of(v),
            ],
        );
    }
    match *rest {
        [a] => {
            let v = u32::from(a) << 16;
            push_ascii(out, &[char_of(v >> 18), char_of(v >> 12)]);
        }
        [a, b] => {
            let v = u32::from(a) << 16 | u32::from(b) << 8;
            push_ascii(out, &[char_of(v >> 18), char_of(v >> 12), char_of(v >> 6)]);
        }
        _ => {}
    }
}

/// Appends characters of the alphabet (ASCII, so the UTF-8 check cannot fail).
fn push_ascii(out: &mut String, text: &[u8]) {
    if let Ok(text) = core::str::from_utf8(text) {
        out.push_str(text);
    }
}

/// As [`decode`] (the same bytes for every accepted input, the same error for every refused
/// one), in variable time: for public data only (see the module documentation).
///
/// # Errors
/// [`Base64Error`] describing the first problem found.
pub fn decode_vartime(input: impl AsRef<[u8]>) -> Result<Vec<u8>, Base64Error> {
    let input = input.as_ref();
    if input.len() % 4 == 1 {
        return Err(classify(input));
    }
    let mut out = vec![0u8; decoded_len(input.len())];
    let value = |c: u8| u32::from(DECODE[usize::from(c)]);
    // Any invalid character sets the INVALID bit in `bad`.
    let mut bad = 0u32;
    let (groups, rest) = input.as_chunks::<4>();
    let (bytes, tail) = out.as_chunks_mut::<3>();
    for (&[a, b, c, d], bytes) in groups.iter().zip(bytes.iter_mut()) {
        let (a, b, c, d) = (value(a), value(b), value(c), value(d));
        bad |= a | b | c | d;
        let v = a << 18 | b << 12 | c << 6 | d;
        *bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
    }
    match (rest, tail) {
        (&[a, b], [x]) => {
            let (a, b) = (value(a), value(b));
            // The unused low four bits of the last character must be zero.
            bad |= a | b | u32::from(b & 0x0f != 0) << 7;
            *x = ((a << 2) | (b >> 4)) as u8;
        }
        (&[a, b, c], [x, y]) => {
            let (a, b, c) = (value(a), value(b), value(c));
            // The unused low two bits of the last character must be zero.
            bad |= a | b | c | u32::from(c & 0x03 != 0) << 7;
            let v = a << 12 | b << 6 | c;
            *x = (v >> 10) as u8;
            *y = (v >> 2) as u8;
        }
        _ => {}
    }
    if bad & u32::from(INVALID) != 0 {
        return Err(classify(input));
    }
    Ok(out)
}

/// Decodes a base64url string into a fixed-size array, failing when the length differs.
///
/// # Errors
/// [`Base64Error`], including [`Base64Error::UnexpectedLength`].
pub fn decode_array<const N: usize>(input: impl AsRef<[u8]>) -> Result<[u8; N], Base64Error> {
    let bytes = decode(input)?;
    let actual = bytes.len();
    <[u8; N]>::try_from(bytes).map_err(|_| Base64Error::UnexpectedLength {
        expected: N,
        actual,
    })
}

/// Decodes standard base64 *with* padding, as used by the `x5c` member (RFC 7517 §4.7).
///
/// # Errors
/// [`Base64Error`] when the input is not canonical padded standard base64.
pub fn decode_standard(input: &str) -> Result<Vec<u8>, Base64Error> {
    Base64::decode_vec(input).map_err(|_| {
        let bytes = input.as_bytes();
        match bytes.iter().position(|b| b.is_ascii_whitespace()) {
            Some(position) => Base64Error::Whitespace { position },
            None => match bytes
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='))
            {
                Some(position) => Base64Error::InvalidCharacter { position },
                None if !bytes.len().is_multiple_of(4) => Base64Error::InvalidLength {
                    length: bytes.len(),
                },
                None => Base64Error::NonCanonical,
            },
        }
    })
}

/// Encodes bytes as standard padded base64 (for `x5c`).
#[must_use]
pub fn encode_standard(bytes: &[u8]) -> String {
    Base64::encode_string(bytes)
}

/// Works out why `input` failed to decode. Only called after a failure.
fn classify(input: &[u8]) -> Base64Error {
    for (position, &b) in input.iter().enumerate() {
        if b == b'=' {
            return Base64Error::Padding;
        }
        if b.is_ascii_whitespace() {
            return Base64Error::Whitespace { position };
        }
        if !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Base64Error::InvalidCharacter { position };
        }
    }
    if input.len() % 4 == 1 {
        Base64Error::InvalidLength {
            length: input.len(),
        }
    } else {
        Base64Error::NonCanonical
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_each_kind_of_non_canonical_input() {
        assert_eq!(decode("QQ=="), Err(Base64Error::Padding));
        assert_eq!(decode("Q Q"), Err(Base64Error::Whitespace { position: 1 }));
        assert_eq!(decode("QQ\n"), Err(Base64Error::Whitespace { position: 2 }));
        assert_eq!(
            decode("Q+Q"),
            Err(Base64Error::InvalidCharacter { position: 1 })
        );
        assert_eq!(
            decode("Q/Q"),
            Err(Base64Error::InvalidCharacter { position: 1 })
        );
        assert_eq!(decode("Q"), Err(Base64Error::InvalidLength { length: 1 }));
        assert_eq!(decode("QR"), Err(Base64Error::NonCanonical));
        assert_eq!(decode("QUJ"), Err(Base64Error::NonCanonical));
        assert_eq!(
            decode([0xff_u8, 0x41]),
            Err(Base64Error::InvalidCharacter { position: 0 })
        );
    }

    #[test]
    fn decodes_the_empty_string() {
        assert_eq!(decode("").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn fixed_size_decoding_checks_the_length() {
        assert_eq!(decode_array::<1>("QQ").unwrap(), [b'A']);
        assert_eq!(
            decode_array::<2>("QQ"),
            Err(Base64Error::UnexpectedLength {
                expected: 2,
                actual: 1
            })
        );
    }

    #[test]
    fn standard_base64_is_padded_and_strict() {
        assert_eq!(decode_standard("QQ==").unwrap(), b"A");
        assert!(decode_standard("QQ").is_err());
        assert!(decode_standard("Q-==").is_err());
        assert_eq!(encode_standard(b"A"), "QQ==");
    }

    #[test]
    fn encode_into_appends() {
        let mut s = String::from("x.");
        encode_into(b"hello", &mut s);
        assert_eq!(s, "x.aGVsbG8");
    }

    #[test]
    fn vartime_codec_matches_on_the_rfc_4648_vectors() {
        for (bytes, text) in [
            (&b""[..], ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"fooba", "Zm9vYmE"),
            (b"foobar", "Zm9vYmFy"),
            (&[0xfb, 0xff, 0xbf], "-_-_"),
        ] {
            assert_eq!(encode_vartime(bytes), text);
            assert_eq!(decode_vartime(text).unwrap(), bytes);
        }
    }

    #[test]
    fn vartime_decoder_refuses_what_the_constant_time_one_refuses() {
        for bad in [
            "QQ==",
            "Q Q",
            "QQ\n",
            "Q+Q",
            "Q/Q",
            "Q",
            "QR",
            "QS",
            "QUJ",
            "QUK",
            "QUJD=",
            "QUJDR",
            "QUJDRB",
            "QUJDRE=",
            "====",
            "Q.QQ",
            "QUJDRUZH\u{e9}",
        ] {
            assert_eq!(decode_vartime(bad), decode(bad), "{bad:?}");
            assert!(decode_vartime(bad).is_err(), "{bad:?}");
        }
        assert_eq!(decode_vartime([0xff_u8, 0x41]), decode([0xff_u8, 0x41]));
    }

    #[test]
    fn vartime_encoder_handles_inputs_longer_than_its_buffer() {
        let bytes: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut out = String::from("x.");
        encode_into_vartime(&bytes, &mut out);
        assert_eq!(out, format!("x.{}", encode(&bytes)));
        assert_eq!(decode_vartime(&out[2..]).unwrap(), bytes);
    }

    proptest! {
        #[test]
        fn vartime_encoding_equals_the_constant_time_one(
            bytes in proptest::collection::vec(any::<u8>(), 0..2000),
        ) {
            let text = encode_vartime(&bytes);
            prop_assert_eq!(&text, &encode(&bytes));
            prop_assert_eq!(decode_vartime(&text).unwrap(), bytes);
        }

        #[test]
        fn vartime_decoding_equals_the_constant_time_one_on_any_text(
            text in "[A-Za-z0-9_+/= .-]{0,40}",
        ) {
            prop_assert_eq!(decode_vartime(&text), decode(&text));
        }

        #[test]
        fn vartime_decoding_equals_the_constant_time_one_on_any_bytes(
            bytes in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            prop_assert_eq!(decode_vartime(&bytes), decode(&bytes));
        }

        #[test]
        fn round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let text = encode(&bytes);
            prop_assert_eq!(text.len(), encoded_len(bytes.len()));
            prop_assert_eq!(decoded_len(text.len()), bytes.len());
            prop_assert_eq!(decode(&text).unwrap(), bytes);
        }

        #[test]
        fn every_accepted_string_is_the_canonical_encoding(text in "[A-Za-z0-9_-]{0,40}") {
            if let Ok(bytes) = decode(&text) {
                prop_assert_eq!(encode(bytes), text);
            }
        }
    }
}
