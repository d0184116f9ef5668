//! Strict JSON for untrusted input.
//!
//! `serde_json` alone silently keeps the last of two members with the same name, which lets two
//! parsers disagree about what a token says (RFC 7515 §5.2, RFC 8725 §3.11, CVE-2022-39227). Every
//! JOSE object this workspace reads from outside is first checked by [`validate`], a single pass
//! over the bytes that enforces:
//!
//! * the RFC 8259 grammar exactly (no comments, trailing commas, `NaN`, leading zeros, ...);
//! * valid UTF-8, and no lone UTF-16 surrogates in `\u` escapes (I-JSON, RFC 7493 §2.1);
//! * unique member names in every object, compared after unescaping;
//! * a maximum input size and a maximum nesting depth ([`JsonLimits`]).
//!
//! Only then is the input handed to `serde_json`, so typed deserialization sees exactly what
//! the validator approved.
//!
//! ```
//! use jose_core::json::{self, JsonError, JsonLimits};
//!
//! let limits = JsonLimits::default();
//! assert!(json::validate(br#"{"a":1,"b":[true,null]}"#, &limits).is_ok());
//! assert!(matches!(
//!     json::validate(br#"{"alg":"HS256","alg":"none"}"#, &limits),
//!     Err(JsonError::DuplicateMember { .. })
//! ));
//! ```

use serde::de::DeserializeOwned;
use std::borrow::Cow;
use std::collections::HashSet;

/// Limits applied to untrusted JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonLimits {
    /// Largest accepted input, in bytes.
    pub max_bytes: usize,
    /// Deepest accepted nesting of objects and arrays (the top-level object is depth 1).
    pub max_depth: usize,
}

impl JsonLimits {
    /// 1 MiB and 64 levels: generous for any token, small enough to bound work.
    pub const DEFAULT: Self = Self {
        max_bytes: 1 << 20,
        max_depth: 64,
    };

    /// Limits for a JOSE header: 64 KiB (room for an `x5c` chain) and 16 levels.
    pub const HEADER: Self = Self {
        max_bytes: 64 << 10,
        max_depth: 16,
    };
}

impl Default for JsonLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a JSON text was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// The input is larger than [`JsonLimits::max_bytes`].
    #[error("JSON input of {actual} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// The limit.
        max: usize,
        /// The input size.
        actual: usize,
    },
    /// Objects and arrays nest deeper than [`JsonLimits::max_depth`].
    #[error("JSON nesting exceeds the limit of {max} levels")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// An object has two members with the same name.
    #[error("duplicate member name {name:?}")]
    DuplicateMember {
        /// The repeated name (shortened if long).
        name: String,
    },
    /// The input is not valid UTF-8.
    #[error("invalid UTF-8 at byte {offset}")]
    InvalidUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// A `\u` escape encodes half of a surrogate pair without the other half.
    #[error("lone UTF-16 surrogate in a string escape at byte {offset}")]
    LoneSurrogate {
        /// Offset of the escape.
        offset: usize,
    },
    /// The input breaks the JSON grammar.
    #[error("JSON syntax error at byte {offset}: expected {expected}")]
    Syntax {
        /// Offset where the problem was found.
        offset: usize,
        /// What the grammar allows there.
        expected: &'static str,
    },
    /// The top-level value is not an object where one is required.
    #[error("expected a JSON object")]
    NotAnObject,
    /// The JSON is well-formed but does not have the expected shape.
    #[error("unexpected JSON content: {0}")]
    Schema(String),
}

/// Largest member-name length echoed back in an error.
const MAX_ECHO: usize = 64;

/// Shortens text that ends up in an error message, so errors never carry large input.
#[must_use]
pub fn truncate_for_error(text: &str) -> String {
    if text.len() <= MAX_ECHO {
        return text.to_owned();
    }
    let mut end = MAX_ECHO;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Checks that `input` is one strict JSON value within `limits`.
///
/// # Errors
/// The first [`JsonError`] found.
pub fn validate(input: &[u8], limits: &JsonLimits) -> Result<(), JsonError> {
    run(input, limits, None)
}

/// [`validate`], reporting along the way each member of the top-level object (when the value
/// is an object): its name, unescaped, and its value as written (a slice of `input`, which
/// is valid JSON). What is reported before an error is meaningless; only an `Ok` vouches for
/// it. Lets a reader pick out the members it wants without a second pass over the input.
///
/// ```
/// use jose_core::json::{self, JsonLimits};
///
/// let mut seen = Vec::new();
/// json::validate_members(br#"{"a":[1, 2],"b":{"c":null}}"#, &JsonLimits::DEFAULT, &mut |n, v| {
///     seen.push((n.to_owned(), v.to_vec()));
/// })?;
/// assert_eq!(seen, [("a".into(), b"[1, 2]".to_vec()), ("b".into(), br#"{"c":null}"#.to_vec())]);
/// # Ok::<(), json::JsonError>(())
/// ```
///
/// # Errors
/// As [`validate`], the same error for the same input.
pub fn validate_members<'a>(
    input: &'a [u8],
    limits: &JsonLimits,
    on_member: &mut dyn FnMut(&str, &'a [u8]),
) -> Result<(), JsonError> {
    run(input, limits, Some(on_member))
}

/// What [`validate_members`] calls with each top-level member: its name and its value's text.
type OnMember<'a, 'f> = dyn FnMut(&str, &'a [u8]) + 'f;

fn run<'a, 'f>(
    input: &'a [u8],
    limits: &JsonLimits,
    on_member: Option<&'f mut OnMember<'a, 'f>>,
) -> Result<(), JsonError> {
    if input.len() > limits.max_bytes {
        return Err(JsonError::TooLarge {
            max: limits.max_bytes,
            actual: input.len(),
        });
    }
    let text = match core::str::from_utf8(input) {
        Ok(text) => text,
        Err(e) => {
            return Err(JsonError::InvalidUtf8 {
                offset: e.valid_up_to(),
            });
        }
    };
    let mut parser = Validator {
        input,
        text,
        pos: 0,
        max_depth: limits.max_depth,
        on_member,
    };
    parser.skip_ws();
    parser.value(0)?;
    parser.skip_ws();
    if parser.pos != input.len() {
        return Err(JsonError::Syntax {
            offset: parser.pos,
            expected: "end of input",
        });
    }
    Ok(())
}

/// Validates `input` and then deserializes it into `T`.
///
/// # Errors
/// [`JsonError`] from validation, or [`JsonError::Schema`] when the value does not fit `T`.
pub fn from_slice<T: DeserializeOwned>(input: &[u8], limits: &JsonLimits) -> Result<T, JsonError> {
    validate(input, limits)?;
    serde_json::from_slice(input).map_err(|e| schema_error(&e))
}

/// Validates `input` and returns its top-level object.
///
/// # Errors
/// [`JsonError`] from validation, or [`JsonError::NotAnObject`].
pub fn parse_object(
    input: &[u8],
    limits: &JsonLimits,
) -> Result<serde_json::Map<String, serde_json::Value>, JsonError> {
    validate(input, limits)?;
    match serde_json::from_slice(input).map_err(|e| schema_error(&e))? {
        serde_json::Value::Object(map) => Ok(map),
        _ => Err(JsonError::NotAnObject),
    }
}

/// Converts a `serde_json` error into [`JsonError::Schema`], keeping the message short: serde
/// messages quote offending values, which may be long or sensitive.
#[must_use]
pub fn schema_error(e: &serde_json::Error) -> JsonError {
    let message = e.to_string();
    let short = if message.len() > 160 {
        let mut end = 160;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &message[..end])
    } else {
        message
    };
    JsonError::Schema(short)
}

struct Validator<'a, 'f> {
    input: &'a [u8],
    /// `input`, checked once to be UTF-8.
    text: &'a str,
    pos: usize,
    max_depth: usize,
    /// Told about every member of the top-level object.
    on_member: Option<&'f mut OnMember<'a, 'f>>,
}

/// Member names of one object, kept until the object closes.
enum Names<'a> {
    Few(Vec<Cow<'a, str>>),
    Many(HashSet<Cow<'a, str>>),
}

impl<'a> Names<'a> {
    /// Objects with more members than this switch from a linear scan to hashing.
    const LINEAR_MAX: usize = 16;

    fn insert(&mut self, name: Cow<'a, str>) -> Result<(), JsonError> {
        let duplicate = || JsonError::DuplicateMember {
            name: truncate_for_error(&name),
        };
        match self {
            Names::Few(list) => {
                if list.contains(&name) {
                    return Err(duplicate());
                }
                if list.len() == Self::LINEAR_MAX {
                    let mut set: HashSet<Cow<'a, str>> = list.drain(..).collect();
                    set.insert(name);
                    *self = Names::Many(set);
                } else {
                    list.push(name);
                }
            }
            Names::Many(set) => {
                if set.contains(&name) {
                    return Err(duplicate());
                }
                set.insert(name);
            }
        }
        Ok(())
    }
}

impl<'a> Validator<'a, '_> {
    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn syntax(&self, expected: &'static str) -> JsonError {
        JsonError::Syntax {
            offset: self.pos,
            expected,
        }
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), JsonError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax(expected))
        }
    }

    fn value(&mut self, depth: usize) -> Result<(), JsonError> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(drop),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.syntax("a value")),
        }
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), JsonError> {
        if self.input[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.syntax("true, false or null"))
        }
    }

    fn object(&mut self, depth: usize) -> Result<(), JsonError> {
        if depth > self.max_depth {
            return Err(JsonError::TooDeep {
                max: self.max_depth,
            });
        }
        self.pos += 1; // '{'
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        // The top-level object (a token's claims, a header) is usually the largest: one
        // allocation for its names.
        let capacity = if depth == 1 { Names::LINEAR_MAX } else { 4 };
        let mut names = Names::Few(Vec::with_capacity(capacity));
        let report = depth == 1 && self.on_member.is_some();
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.syntax("a member name"));
            }
            let name = self.string()?;
            // A borrowed name (no escapes, the usual case) costs nothing to keep.
            let reported = report.then(|| name.clone());
            names.insert(name)?;
            self.skip_ws();
            self.expect(b':', "':'")?;
            self.skip_ws();
            let start = self.pos;
            self.value(depth)?;
            if let (Some(name), Some(on_member)) = (reported, self.on_member.as_mut()) {
                on_member(&name, self.input.get(start..self.pos).unwrap_or_default());
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.syntax("',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<(), JsonError> {
        if depth > self.max_depth {
            return Err(JsonError::TooDeep {
                max: self.max_depth,
            });
        }
        self.pos += 1; // '['
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.value(depth)?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.syntax("',' or ']'")),
            }
        }
    }

    fn number(&mut self) -> Result<(), JsonError> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.syntax("a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.syntax("a digit after '.'"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.syntax("an exponent digit"));
            }
            self.digits();
        }
        Ok(())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    /// Parses a string starting at `"`, returning its unescaped content. The content is borrowed
    /// when it contains no escapes, which is the common case for member names.
    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.pos += 1; // opening quote
        let start = self.pos;
        // Fast path: scan to the closing quote; fall back to unescaping on the first backslash.
        loop {
            match self.peek() {
                None => return Err(self.syntax("closing '\"'")),
                Some(b'"') => {
                    let end = self.pos;
                    self.pos += 1;
                    // The whole input was checked to be UTF-8, and `start`/`end` sit next to
                    // ASCII quotes, so they are character boundaries: no second UTF-8 check.
                    return self
                        .text
                        .get(start..end)
                        .map(Cow::Borrowed)
                        .ok_or(JsonError::InvalidUtf8 { offset: start });
                }
                Some(b'\\') => break,
                Some(0x00..=0x1f) => return Err(self.syntax("an escaped control character")),
                Some(_) => self.pos += 1,
            }
        }
        let mut out = String::from_utf8_lossy(&self.input[start..self.pos]).into_owned();
        loop {
            match self.peek() {
                None => return Err(self.syntax("closing '\"'")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    let escape_at = self.pos;
                    self.pos += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let unit = self.hex4()?;
                            let code = match unit {
                                0xD800..=0xDBFF => {
                                    // A high surrogate must be followed by `\u` + low surrogate.
                                    if self.input.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                        return Err(JsonError::LoneSurrogate { offset: escape_at });
                                    }
                                    self.pos += 2;
                                    let low = self.hex4()?;
                                    if !(0xDC00..=0xDFFF).contains(&low) {
                                        return Err(JsonError::LoneSurrogate { offset: escape_at });
                                    }
                                    0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                                }
                                0xDC00..=0xDFFF => {
                                    return Err(JsonError::LoneSurrogate { offset: escape_at });
                                }
                                other => other,
                            };
                            out.push(
                                char::from_u32(code)
                                    .ok_or(JsonError::LoneSurrogate { offset: escape_at })?,
                            );
                            continue;
                        }
                        _ => return Err(self.syntax("a valid escape sequence")),
                    };
                    self.pos += 1;
                    out.push(c);
                }
                Some(0x00..=0x1f) => return Err(self.syntax("an escaped control character")),
                Some(_) => {
                    // Copy one UTF-8 encoded character.
                    let rest = &self.input[self.pos..];
                    let len = utf8_len(rest[0]);
                    let chunk = rest
                        .get(..len)
                        .ok_or(JsonError::InvalidUtf8 { offset: self.pos })?;
                    let text = core::str::from_utf8(chunk)
                        .map_err(|_| JsonError::InvalidUtf8 { offset: self.pos })?;
                    out.push_str(text);
                    self.pos += len;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .input
            .get(self.pos..self.pos + 4)
            .ok_or(self.syntax("four hex digits"))?;
        let mut value = 0u32;
        for &d in digits {
            let nibble = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.syntax("four hex digits")),
            };
            value = (value << 4) | u32::from(nibble);
        }
        self.pos += 4;
        Ok(value)
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(input: &str) -> Result<(), JsonError> {
        validate(input.as_bytes(), &JsonLimits::default())
    }

    #[test]
    fn accepts_well_formed_json() {
        for ok in [
            "{}",
            "[]",
            " {\"a\" : [1, -0.5e+10, 0, 1E3, \"x\", true, false, null, {}] } ",
            "\"\\u00e9\\ud83d\\ude00\\n\"",
            "12",
            "{\"é\":\"😀\"}",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_grammar_violations() {
        for bad in [
            "",
            "{",
            "{\"a\":1,}",
            "[1,]",
            "{'a':1}",
            "{\"a\" 1}",
            "01",
            "1.",
            "-",
            "1e",
            "NaN",
            "tru",
            "{} {}",
            "\"a\tb\"",
            "\"\\x\"",
            "\"\\u12\"",
            "/* c */ {}",
        ] {
            assert!(
                matches!(check(bad), Err(JsonError::Syntax { .. })),
                "{bad:?}: {:?}",
                check(bad)
            );
        }
    }

    #[test]
    fn rejects_duplicate_member_names_even_when_escaped() {
        assert!(matches!(
            check(r#"{"alg":"HS256","alg":"none"}"#),
            Err(JsonError::DuplicateMember { name }) if name == "alg"
        ));
        assert!(matches!(
            check(r#"{"a":1,"\u0061":2}"#),
            Err(JsonError::DuplicateMember { .. })
        ));
        // Nested objects have their own namespaces.
        assert_eq!(check(r#"{"a":{"a":1},"b":{"a":2}}"#), Ok(()));
    }

    #[test]
    fn detects_duplicates_in_large_objects() {
        let mut members: Vec<String> = (0..100).map(|i| format!("\"k{i}\":{i}")).collect();
        let text = format!("{{{}}}", members.join(","));
        assert_eq!(check(&text), Ok(()));
        members.push("\"k42\":0".into());
        let text = format!("{{{}}}", members.join(","));
        assert!(matches!(
            check(&text),
            Err(JsonError::DuplicateMember { .. })
        ));
    }

    #[test]
    fn enforces_depth_and_size_limits() {
        let limits = JsonLimits {
            max_bytes: 1000,
            max_depth: 3,
        };
        assert_eq!(validate(b"[[[1]]]", &limits), Ok(()));
        assert_eq!(
            validate(b"[[[[1]]]]", &limits),
            Err(JsonError::TooDeep { max: 3 })
        );
        assert_eq!(
            validate(b"{\"a\":{\"b\":{\"c\":{}}}}", &limits),
            Err(JsonError::TooDeep { max: 3 })
        );
        let big = vec![b' '; 1001];
        assert!(matches!(
            validate(&big, &limits),
            Err(JsonError::TooLarge { .. })
        ));
        // Deep nesting far beyond the limit fails fast without exhausting the stack.
        let deep = "[".repeat(100_000);
        assert!(matches!(
            validate(
                deep.as_bytes(),
                &JsonLimits {
                    max_bytes: 1 << 20,
                    max_depth: 64
                }
            ),
            Err(JsonError::TooDeep { .. })
        ));
    }

    #[test]
    fn rejects_lone_surrogates_and_bad_utf8() {
        assert!(matches!(
            check(r#""\ud800""#),
            Err(JsonError::LoneSurrogate { .. })
        ));
        assert!(matches!(
            check(r#""\udc00""#),
            Err(JsonError::LoneSurrogate { .. })
        ));
        assert!(matches!(
            check(r#""\ud800\u0041""#),
            Err(JsonError::LoneSurrogate { .. })
        ));
        assert!(matches!(
            validate(b"\"\xff\"", &JsonLimits::default()),
            Err(JsonError::InvalidUtf8 { offset: 1 })
        ));
    }

    #[test]
    fn parse_object_requires_an_object() {
        assert_eq!(
            parse_object(b"[1]", &JsonLimits::default()),
            Err(JsonError::NotAnObject)
        );
        assert_eq!(
            parse_object(b"{\"a\":1}", &JsonLimits::default())
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn long_names_are_shortened_in_errors() {
        let name = "n".repeat(1000);
        let text = format!("{{\"{name}\":1,\"{name}\":2}}");
        match check(&text) {
            Err(JsonError::DuplicateMember { name }) => assert!(name.len() < 80),
            other => panic!("{other:?}"),
        }
    }

    proptest! {
        /// Whatever serde_json prints, the validator accepts (serde_json never writes duplicates).
        #[test]
        fn accepts_serde_json_output(v in arb_json()) {
            let text = serde_json::to_vec(&v).unwrap();
            prop_assert_eq!(validate(&text, &JsonLimits::default()), Ok(()));
        }

        /// The validator never accepts something serde_json rejects.
        #[test]
        fn never_more_lenient_than_serde_json(text in "[\\[\\]{}\",:0-9a-z\\\\. -]{0,40}") {
            if validate(text.as_bytes(), &JsonLimits::default()).is_ok() {
                prop_assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
            }
        }
    }

    fn arb_json() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e9f64..1e9).prop_map(Value::from),
            ".*".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::btree_map(".*", inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
