//! Scopes: the `scope` claim parsed into a set (RFC 6749 §3.3, RFC 9068 §2.2.3).

use std::collections::BTreeSet;
use std::fmt;

/// Longest `scope` value accepted (bytes).
pub const MAX_SCOPE_LEN: usize = 8 * 1024;

/// Why a scope value was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScopeError {
    /// The value is longer than [`MAX_SCOPE_LEN`].
    #[error("the scope is longer than {MAX_SCOPE_LEN} bytes")]
    TooLong,
    /// A scope token is empty (two spaces in a row, or a leading or trailing space).
    #[error("the scope has an empty scope token")]
    EmptyToken,
    /// A scope token has a character outside RFC 6749 §3.3's `scope-token`.
    #[error("the scope has a character that is not allowed in a scope token")]
    InvalidCharacter,
}

/// A set of scope tokens, parsed from a space-separated `scope` value.
///
/// ```
/// use resource_server::ScopeSet;
///
/// let granted = ScopeSet::parse("read write")?;
/// assert!(granted.contains("read"));
/// assert!(granted.contains_all(&ScopeSet::parse("write")?));
/// assert_eq!(granted.to_string(), "read write");
/// # Ok::<(), resource_server::ScopeError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ScopeSet(BTreeSet<String>);

impl ScopeSet {
    /// The empty set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a space-separated list of scope tokens (each `%x21 / %x23-5B / %x5D-7E`).
    /// The empty string is the empty set.
    ///
    /// # Errors
    /// [`ScopeError`] naming what is wrong.
    pub fn parse(value: &str) -> Result<Self, ScopeError> {
        if value.len() > MAX_SCOPE_LEN {
            return Err(ScopeError::TooLong);
        }
        let mut set = BTreeSet::new();
        if value.is_empty() {
            return Ok(Self(set));
        }
        for token in value.split(' ') {
            check_token(token)?;
            set.insert(token.to_owned());
        }
        Ok(Self(set))
    }

    /// Whether the set holds this scope token.
    #[must_use]
    pub fn contains(&self, scope: &str) -> bool {
        self.0.contains(scope)
    }

    /// Whether the set holds every token of `required`.
    #[must_use]
    pub fn contains_all(&self, required: &ScopeSet) -> bool {
        required.0.is_subset(&self.0)
    }

    /// Adds a scope token.
    ///
    /// # Errors
    /// [`ScopeError`] for a value that is not one scope token.
    pub fn insert(&mut self, scope: &str) -> Result<(), ScopeError> {
        check_token(scope)?;
        self.0.insert(scope.to_owned());
        Ok(())
    }

    /// The scope tokens, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// The number of scope tokens.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn check_token(token: &str) -> Result<(), ScopeError> {
    if token.is_empty() {
        return Err(ScopeError::EmptyToken);
    }
    if token.len() > MAX_SCOPE_LEN {
        return Err(ScopeError::TooLong);
    }
    let allowed = |b: u8| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b);
    if !token.bytes().all(allowed) {
        return Err(ScopeError::InvalidCharacter);
    }
    Ok(())
}

impl fmt::Display for ScopeSet {
    /// The space-separated form (the tokens in order).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for token in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(token)?;
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_space_separated_tokens_into_a_set() {
        let set = ScopeSet::parse("b a b").unwrap();
        assert_eq!(set.len(), 2);
        assert_eq!(set.to_string(), "a b");
    }

    #[test]
    fn refuses_empty_tokens_and_forbidden_characters() {
        assert_eq!(ScopeSet::parse("a  b"), Err(ScopeError::EmptyToken));
        assert_eq!(ScopeSet::parse(" a"), Err(ScopeError::EmptyToken));
        assert_eq!(ScopeSet::parse("a\"b"), Err(ScopeError::InvalidCharacter));
        assert_eq!(ScopeSet::parse("a\\b"), Err(ScopeError::InvalidCharacter));
        assert_eq!(ScopeSet::parse("a\tb"), Err(ScopeError::InvalidCharacter));
        assert_eq!(ScopeSet::parse("é"), Err(ScopeError::InvalidCharacter));
        let long = "a".repeat(MAX_SCOPE_LEN + 1);
        assert_eq!(ScopeSet::parse(&long), Err(ScopeError::TooLong));
    }

    #[test]
    fn empty_value_is_the_empty_set() {
        assert!(ScopeSet::parse("").unwrap().is_empty());
    }
}
