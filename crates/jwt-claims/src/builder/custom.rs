//! The custom claims of a [`JwtBuilder`](super::JwtBuilder), kept as the JSON text serde_json
//! writes for them instead of `serde_json::Value`s: a struct of claims is written once, member
//! by member, into one buffer.
//!
//! A value is kept as text only when its text is exactly what serde_json writes for the
//! `Value` it would have become (no object, whose members a `Value` sorts; no float, whose
//! text a `Value` may not give back to the last bit; the escapes serde_json writes; no
//! whitespace): the token is then byte for byte the one the `Value` path signs, and
//! [`JwtBuilder::build_claims`](super::JwtBuilder::build_claims) reads the same `Value` back.
//! Anything else is kept as a `Value`, as before.

use serde::Serialize;
use serde::ser::{self, Impossible, SerializeMap, SerializeStruct};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

/// One custom claim's value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum CustomValue {
    /// A range of [`Custom::json`].
    Json(Range<usize>),
    /// A value whose text a `Value` would not give back.
    Value(Value),
}

/// The custom claims, in name order.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Custom {
    json: Vec<u8>,
    members: Vec<(Cow<'static, str>, CustomValue)>,
}

impl Custom {
    pub(super) fn contains(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.members.binary_search_by(|(n, _)| n.as_ref().cmp(name))
    }

    /// Adds a claim whose name is not there yet (the caller checked).
    pub(super) fn insert(&mut self, name: Cow<'static, str>, value: CustomValue) {
        if let Err(at) = self.position(&name) {
            self.members.insert(at, (name, value));
        }
    }

    /// The claims in name order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &CustomValue)> {
        self.members.iter().map(|(n, v)| (n.as_ref(), v))
    }

    /// The claim's value as JSON text, when kept as text.
    pub(super) fn text(&self, value: &CustomValue) -> Option<&[u8]> {
        match value {
            CustomValue::Json(range) => self.json.get(range.clone()),
            CustomValue::Value(_) => None,
        }
    }

    /// The claim's value as a `Value`.
    pub(super) fn value(&self, value: &CustomValue) -> Result<Value, serde_json::Error> {
        match value {
            CustomValue::Json(range) => {
                serde_json::from_slice(self.json.get(range.clone()).unwrap_or_default())
            }
            CustomValue::Value(v) => Ok(v.clone()),
        }
    }

    /// About the length of the claims' JSON.
    pub(super) fn len_hint(&self) -> usize {
        self.json.len() + self.members.iter().map(|(n, _)| n.len() + 4).sum::<usize>()
    }

    /// Writes one value, as text when its text is what a `Value` gives back, else as a
    /// `Value`.
    ///
    /// # Errors
    /// serde_json's error for the value (from `to_value`, as before).
    pub(super) fn write(
        &mut self,
        value: &impl Serialize,
    ) -> Result<CustomValue, serde_json::Error> {
        let start = self.json.len();
        if serde_json::to_writer(&mut self.json, value).is_ok()
            && self.json.get(start..).is_some_and(is_canonical)
        {
            return Ok(CustomValue::Json(start..self.json.len()));
        }
        self.json.truncate(start);
        serde_json::to_value(value).map(CustomValue::Value)
    }

    /// The members of a struct or map of claims, each written as by [`Custom::write`], in the
    /// order of the struct; `None` for anything else (and for keys that are not strings),
    /// which the caller reads through `serde_json::to_value` instead.
    pub(super) fn split(
        &mut self,
        claims: &impl Serialize,
    ) -> Option<Vec<(Cow<'static, str>, CustomValue)>> {
        let start = self.json.len();
        // Room for a typical set of claims: no reallocation while writing it.
        self.json.reserve(256);
        let mut members = Vec::new();
        let split = claims.serialize(Splitter {
            custom: self,
            members: &mut members,
        });
        if split.is_err() {
            self.json.truncate(start);
            return None;
        }
        Some(members)
    }
}

/// Whether `text`, one JSON value as serde_json wrote it, is what serde_json writes for the
/// `Value` it parses to: strings (with serde_json's escapes only), integers of at most 19
/// digits, `true`, `false`, `null` and arrays of them, without whitespace.
fn is_canonical(text: &[u8]) -> bool {
    let mut in_string = false;
    let mut digits = 0usize;
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        i += 1;
        if in_string {
            match b {
                b'"' => in_string = false,
                b'\\' => match text.get(i) {
                    Some(b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't') => i += 1,
                    // serde_json writes `\u00XX` (lower-case hex) for the other controls.
                    Some(b'u') => {
                        let Some(hex) = text.get(i + 1..i + 5) else {
                            return false;
                        };
                        let short = matches!(hex, b"0008" | b"000c" | b"000a" | b"000d" | b"0009");
                        let control = hex.starts_with(b"00")
                            && matches!(hex.get(2), Some(b'0' | b'1'))
                            && hex
                                .get(3)
                                .is_some_and(|d| matches!(d, b'0'..=b'9' | b'a'..=b'f'));
                        if short || !control {
                            return false;
                        }
                        i += 5;
                    }
                    _ => return false,
                },
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'0'..=b'9' => {
                digits += 1;
                if digits > 19 {
                    return false;
                }
                continue;
            }
            b'[' | b']' | b',' | b'-' => {}
            // The letters of `true`, `false` and `null`; after a digit, an exponent (a float).
            b't' | b'r' | b'u' | b'e' | b'f' | b'a' | b'l' | b's' | b'n' if digits == 0 => {}
            // '{', '.', 'E', whitespace and anything else.
            _ => return false,
        }
        digits = 0;
    }
    !in_string
}

/// Why a value was not split into members (the caller then takes the `Value` path, which
/// gives the error if there is one).
#[derive(Debug)]
struct NotSplit;

impl fmt::Display for NotSplit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a struct or map of claims")
    }
}

impl std::error::Error for NotSplit {}

impl ser::Error for NotSplit {
    fn custom<T: fmt::Display>(_: T) -> Self {
        NotSplit
    }
}

/// Serializes a struct or a map with string keys into members.
struct Splitter<'a> {
    custom: &'a mut Custom,
    members: &'a mut Vec<(Cow<'static, str>, CustomValue)>,
}

/// A struct or map being split; `key` holds a map key until its value comes.
struct Members<'a> {
    custom: &'a mut Custom,
    members: &'a mut Vec<(Cow<'static, str>, CustomValue)>,
    key: Option<String>,
}

impl Members<'_> {
    fn push(&mut self, name: Cow<'static, str>, value: &impl Serialize) -> Result<(), NotSplit> {
        let value = self.custom.write(&value).map_err(|_| NotSplit)?;
        self.members.push((name, value));
        Ok(())
    }
}

macro_rules! refuse {
    ($($name:ident($($arg:ty),*);)*) => {
        $(fn $name(self, $(_: $arg),*) -> Result<(), NotSplit> {
            Err(NotSplit)
        })*
    };
}

impl<'a> ser::Serializer for Splitter<'a> {
    type Ok = ();
    type Error = NotSplit;
    type SerializeSeq = Impossible<(), NotSplit>;
    type SerializeTuple = Impossible<(), NotSplit>;
    type SerializeTupleStruct = Impossible<(), NotSplit>;
    type SerializeTupleVariant = Impossible<(), NotSplit>;
    type SerializeMap = Members<'a>;
    type SerializeStruct = Members<'a>;
    type SerializeStructVariant = Impossible<(), NotSplit>;

    refuse! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_i128(i128);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_u128(u128);
        serialize_f32(f32);
        serialize_f64(f64);
        serialize_char(char);
        serialize_str(&str);
        serialize_bytes(&[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), NotSplit> {
        Err(NotSplit)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), NotSplit> {
        // serde_json's `Value` is transparent to newtype structs.
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotSplit> {
        Err(NotSplit)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotSplit> {
        Err(NotSplit)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotSplit> {
        Err(NotSplit)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotSplit> {
        Err(NotSplit)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotSplit> {
        Err(NotSplit)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, NotSplit> {
        self.members.reserve(len.unwrap_or(8));
        Ok(Members {
            custom: self.custom,
            members: self.members,
            key: None,
        })
    }

    fn serialize_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, NotSplit> {
        self.members.reserve(len);
        Ok(Members {
            custom: self.custom,
            members: self.members,
            key: None,
        })
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotSplit> {
        Err(NotSplit)
    }
}

impl SerializeStruct for Members<'_> {
    type Ok = ();
    type Error = NotSplit;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NotSplit> {
        self.push(Cow::Borrowed(key), &value)
    }

    fn end(self) -> Result<(), NotSplit> {
        Ok(())
    }
}

impl SerializeMap for Members<'_> {
    type Ok = ();
    type Error = NotSplit;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), NotSplit> {
        // Only string keys: serde_json turns other keys into strings its own way.
        match serde_json::to_value(key) {
            Ok(Value::String(k)) => {
                self.key = Some(k);
                Ok(())
            }
            _ => Err(NotSplit),
        }
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), NotSplit> {
        let key = self.key.take().ok_or(NotSplit)?;
        self.push(Cow::Owned(key), &value)
    }

    fn end(self) -> Result<(), NotSplit> {
        Ok(())
    }
}
