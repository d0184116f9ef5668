//! DPoP nonces (RFC 9449 §8, §9): syntax, and a client-side store of the latest nonce per
//! origin.

use crate::DpopError;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Longest nonce accepted from a server.
pub const MAX_NONCE_LEN: usize = 1024;

/// Whether `value` is a valid nonce: one or more NQCHAR (`%x21 / %x23-5B / %x5D-7E`), at most
/// [`MAX_NONCE_LEN`] characters.
#[must_use]
pub fn is_valid_nonce(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_NONCE_LEN
        && value
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e))
}

/// The latest nonce each origin (authorization server, resource servers) asked for.
///
/// Bounded: beyond `capacity` origins, the least recently updated is forgotten.
#[derive(Debug)]
pub struct NonceStore {
    capacity: usize,
    inner: Mutex<(HashMap<String, String>, VecDeque<String>)>,
}

impl Default for NonceStore {
    fn default() -> Self {
        Self::with_capacity(100)
    }
}

impl NonceStore {
    /// A store remembering at most `capacity` origins.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new((HashMap::new(), VecDeque::new())),
        }
    }

    /// The nonce to use for `origin`, if one was received.
    #[must_use]
    pub fn get(&self, origin: &str) -> Option<String> {
        let guard = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.0.get(origin).cloned()
    }

    /// Records a `DPoP-Nonce` value received from `origin`.
    ///
    /// # Errors
    /// [`DpopError::InvalidNonce`] when the value is not a valid nonce (nothing is stored).
    pub fn set(&self, origin: &str, nonce: &str) -> Result<(), DpopError> {
        if !is_valid_nonce(nonce) {
            return Err(DpopError::InvalidNonce);
        }
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (map, order) = &mut *guard;
        if map.insert(origin.to_owned(), nonce.to_owned()).is_none() {
            order.push_back(origin.to_owned());
        } else {
            order.retain(|o| o != origin);
            order.push_back(origin.to_owned());
        }
        while map.len() > self.capacity {
            match order.pop_front() {
                Some(oldest) => {
                    map.remove(&oldest);
                }
                None => break,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_syntax() {
        assert!(is_valid_nonce("eyJ7S_zG.eyJH0-Z.HX4w-7v"));
        assert!(!is_valid_nonce(""));
        assert!(!is_valid_nonce("has space"));
        assert!(!is_valid_nonce("quote\"d"));
        assert!(!is_valid_nonce("back\\slash"));
        assert!(!is_valid_nonce("ünïcode"));
        assert!(!is_valid_nonce(&"a".repeat(MAX_NONCE_LEN + 1)));
    }

    #[test]
    fn store_is_per_origin_and_bounded() {
        let store = NonceStore::with_capacity(2);
        store.set("https://a", "1").unwrap();
        store.set("https://b", "2").unwrap();
        store.set("https://a", "3").unwrap();
        store.set("https://c", "4").unwrap();
        assert_eq!(store.get("https://a").as_deref(), Some("3"));
        assert_eq!(
            store.get("https://b"),
            None,
            "least recently updated is dropped"
        );
        assert_eq!(
            store.set("https://a", "bad nonce"),
            Err(DpopError::InvalidNonce)
        );
        assert_eq!(store.get("https://a").as_deref(), Some("3"));
    }
}
