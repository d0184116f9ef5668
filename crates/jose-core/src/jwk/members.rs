//! Reading and writing JWK members with errors that name the member.

use super::KeyError;
use crate::SecretBytes;
use crate::b64;
use serde_json::{Map, Value};

/// The members of a JWK while it is being read; recognised members are taken out one by one
/// and whatever is left is kept as unknown members.
pub(crate) struct Members(pub(crate) Map<String, Value>);

impl Members {
    pub(crate) fn take_str(&mut self, member: &'static str) -> Result<Option<String>, KeyError> {
        match self.0.remove(member) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(KeyError::InvalidMember {
                member,
                reason: "must be a string",
            }),
        }
    }

    pub(crate) fn require_str(&mut self, member: &'static str) -> Result<String, KeyError> {
        self.take_str(member)?
            .ok_or(KeyError::MissingMember(member))
    }

    pub(crate) fn take_b64(&mut self, member: &'static str) -> Result<Option<Vec<u8>>, KeyError> {
        self.take_str(member)?
            .map(|s| b64::decode(&s).map_err(|source| KeyError::Base64 { member, source }))
            .transpose()
    }

    pub(crate) fn require_b64(&mut self, member: &'static str) -> Result<Vec<u8>, KeyError> {
        self.take_b64(member)?
            .ok_or(KeyError::MissingMember(member))
    }

    /// A private member: decoded into zeroizing storage, and its base64 text wiped too.
    pub(crate) fn take_secret(
        &mut self,
        member: &'static str,
    ) -> Result<Option<SecretBytes>, KeyError> {
        match self.0.remove(member) {
            None => Ok(None),
            Some(Value::String(s)) => {
                let text = zeroize::Zeroizing::new(s);
                b64::decode(text.as_str())
                    .map(|bytes| Some(SecretBytes::new(bytes)))
                    .map_err(|source| KeyError::Base64 { member, source })
            }
            Some(_) => Err(KeyError::InvalidMember {
                member,
                reason: "must be a string",
            }),
        }
    }

    pub(crate) fn require_secret(&mut self, member: &'static str) -> Result<SecretBytes, KeyError> {
        self.take_secret(member)?
            .ok_or(KeyError::MissingMember(member))
    }

    pub(crate) fn take_string_array(
        &mut self,
        member: &'static str,
    ) -> Result<Option<Vec<String>>, KeyError> {
        let invalid = KeyError::InvalidMember {
            member,
            reason: "must be an array of strings",
        };
        match self.0.remove(member) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(invalid.clone()),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(invalid),
        }
    }
}

/// Writes a base64url member.
pub(crate) fn put_b64(out: &mut Map<String, Value>, member: &str, bytes: &[u8]) {
    out.insert(member.to_owned(), Value::String(b64::encode(bytes)));
}
