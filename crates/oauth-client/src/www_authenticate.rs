//! `WWW-Authenticate` parsing (RFC 9110 §11.6.1).
//!
//! ```
//! use oauth_client::www_authenticate::parse;
//!
//! let challenges = parse([
//!     r#"DPoP algs="ES256 PS256", error="use_dpop_nonce", Bearer realm="api""#,
//! ])?;
//! assert_eq!(challenges.len(), 2);
//! assert_eq!(challenges[0].scheme(), "dpop");
//! assert_eq!(challenges[0].error(), Some("use_dpop_nonce"));
//! assert_eq!(challenges[1].realm(), Some("api"));
//! # Ok::<(), oauth_client::Error>(())
//! ```

use crate::Error;
use crate::http::is_token;

/// Longest header value accepted (all values together).
pub const MAX_HEADER_BYTES: usize = 16 << 10;
/// Most challenges accepted.
pub const MAX_CHALLENGES: usize = 16;
/// Most parameters accepted per challenge.
pub const MAX_PARAMS: usize = 32;

/// One challenge: an auth-scheme with either a token68 or auth-parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    scheme: String,
    token68: Option<String>,
    params: Vec<(String, String)>,
}

impl Challenge {
    /// The auth-scheme, lowercased (schemes are case-insensitive).
    #[must_use]
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Whether the scheme is `scheme` (case-insensitively).
    #[must_use]
    pub fn is(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }

    /// The token68, for challenges that carry one instead of parameters.
    #[must_use]
    pub fn token68(&self) -> Option<&str> {
        self.token68.as_deref()
    }

    /// A parameter's value (names are case-insensitive), unquoted.
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All parameters, names lowercased, in order.
    #[must_use]
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// `error` (RFC 6750 §3).
    #[must_use]
    pub fn error(&self) -> Option<&str> {
        self.param("error")
    }

    /// `error_description`.
    #[must_use]
    pub fn error_description(&self) -> Option<&str> {
        self.param("error_description")
    }

    /// `error_uri`.
    #[must_use]
    pub fn error_uri(&self) -> Option<&str> {
        self.param("error_uri")
    }

    /// `realm`.
    #[must_use]
    pub fn realm(&self) -> Option<&str> {
        self.param("realm")
    }

    /// `scope`.
    #[must_use]
    pub fn scope(&self) -> Option<&str> {
        self.param("scope")
    }

    /// `algs` (RFC 9449 §7.1).
    #[must_use]
    pub fn algs(&self) -> Option<&str> {
        self.param("algs")
    }
}

/// Parses the values of one or more `WWW-Authenticate` header fields into their challenges.
///
/// Several challenges may share a field (separated by commas), parameter values may be tokens
/// or quoted strings with `\` escapes, and a parameter name may appear only once per
/// challenge.
///
/// # Errors
/// [`Error::InvalidChallenge`] naming the first syntax problem, or a limit exceeded.
pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Vec<Challenge>, Error> {
    let mut out = Vec::new();
    let mut total = 0usize;
    for value in values {
        total += value.len();
        if total > MAX_HEADER_BYTES {
            return Err(Error::InvalidChallenge("the header is too long"));
        }
        Parser {
            input: value.as_bytes(),
            pos: 0,
        }
        .challenges(&mut out)?;
    }
    Ok(out)
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

fn is_tchar(b: u8) -> bool {
    is_token(core::str::from_utf8(&[b]).unwrap_or(" "))
}

fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    fn skip_ows(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.pos += 1;
        }
    }

    fn token(&mut self) -> Option<String> {
        let start = self.pos;
        while self.peek().is_some_and(is_tchar) {
            self.pos += 1;
        }
        (self.pos > start)
            .then(|| String::from_utf8_lossy(&self.input[start..self.pos]).into_owned())
    }

    /// A token68 followed by the end of the challenge; restores the position otherwise.
    fn token68(&mut self) -> Option<String> {
        let start = self.pos;
        while self.peek().is_some_and(is_token68_char) {
            self.pos += 1;
        }
        if self.pos == start {
            return None;
        }
        while self.peek() == Some(b'=') {
            self.pos += 1;
        }
        let end = self.pos;
        self.skip_ows();
        if self.at_end() || self.peek() == Some(b',') {
            Some(String::from_utf8_lossy(&self.input[start..end]).into_owned())
        } else {
            self.pos = start;
            None
        }
    }

    fn quoted(&mut self) -> Result<String, Error> {
        // Opening quote already checked.
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(Error::InvalidChallenge("unterminated quoted string")),
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(b) if b == b'\t' || b >= 0x20 && b != 0x7f => {
                            out.push(b);
                            self.pos += 1;
                        }
                        _ => return Err(Error::InvalidChallenge("invalid quoted-pair")),
                    }
                }
                Some(b) if b == b'\t' || b >= 0x20 && b != 0x7f => {
                    out.push(b);
                    self.pos += 1;
                }
                Some(_) => {
                    return Err(Error::InvalidChallenge(
                        "control character in a quoted string",
                    ));
                }
            }
        }
        String::from_utf8(out).map_err(|_| Error::InvalidChallenge("quoted string is not UTF-8"))
    }

    /// Whether the next list element is an auth-param (`token BWS "="`) rather than a new
    /// challenge; does not move.
    fn next_is_param(&mut self) -> bool {
        let save = self.pos;
        let is_param = self.token().is_some() && {
            self.skip_ows();
            self.peek() == Some(b'=')
        };
        self.pos = save;
        is_param
    }

    fn challenges(&mut self, out: &mut Vec<Challenge>) -> Result<(), Error> {
        loop {
            self.skip_separators();
            if self.at_end() {
                return Ok(());
            }
            if out.len() >= MAX_CHALLENGES {
                return Err(Error::InvalidChallenge("too many challenges"));
            }
            let scheme = self
                .token()
                .ok_or(Error::InvalidChallenge("expected an auth-scheme"))?
                .to_ascii_lowercase();
            let mut challenge = Challenge {
                scheme,
                token68: None,
                params: Vec::new(),
            };
            let spaces = self.skip_ows();
            if self.at_end() || self.peek() == Some(b',') {
                out.push(challenge);
                continue;
            }
            if spaces == 0 {
                return Err(Error::InvalidChallenge(
                    "expected a space after the auth-scheme",
                ));
            }
            if let Some(t) = self.token68() {
                challenge.token68 = Some(t);
                out.push(challenge);
                continue;
            }
            self.params(&mut challenge)?;
            out.push(challenge);
        }
    }

    fn params(&mut self, challenge: &mut Challenge) -> Result<(), Error> {
        loop {
            let name = self
                .token()
                .ok_or(Error::InvalidChallenge("expected an auth-param name"))?
                .to_ascii_lowercase();
            self.skip_ows();
            if self.peek() != Some(b'=') {
                return Err(Error::InvalidChallenge(
                    "expected '=' after an auth-param name",
                ));
            }
            self.pos += 1;
            self.skip_ows();
            let value = if self.peek() == Some(b'"') {
                self.quoted()?
            } else {
                self.token()
                    .ok_or(Error::InvalidChallenge("expected an auth-param value"))?
            };
            if challenge.params.iter().any(|(k, _)| *k == name) {
                return Err(Error::InvalidChallenge("an auth-param appears twice"));
            }
            if challenge.params.len() >= MAX_PARAMS {
                return Err(Error::InvalidChallenge("too many auth-params"));
            }
            challenge.params.push((name, value));
            self.skip_ows();
            if self.at_end() {
                return Ok(());
            }
            if self.peek() != Some(b',') {
                return Err(Error::InvalidChallenge("expected ',' between auth-params"));
            }
            self.skip_separators();
            if self.at_end() || !self.next_is_param() {
                // A new challenge starts here (or the list ends).
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    #[test]
    fn parses_bearer_error_with_quoted_values() {
        let c = parse([r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#]).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].scheme(), "bearer");
        assert_eq!(c[0].realm(), Some("example"));
        assert_eq!(c[0].error(), Some("invalid_token"));
        assert_eq!(c[0].error_description(), Some("The access token expired"));
    }

    #[test]
    fn several_challenges_in_one_field_and_across_fields() {
        let c = parse([
            r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple""#,
            "DPoP algs=\"ES256\"",
        ])
        .unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].scheme(), "newauth");
        assert_eq!(c[0].param("TYPE"), Some("1"));
        assert_eq!(c[0].param("title"), Some(r#"Login to "apps""#));
        assert_eq!(c[1].scheme(), "basic");
        assert_eq!(c[1].realm(), Some("simple"));
        assert_eq!(c[2].algs(), Some("ES256"));
    }

    #[test]
    fn scheme_and_parameter_names_are_case_insensitive() {
        let c = parse(["BEARER Error=invalid_token"]).unwrap();
        assert!(c[0].is("Bearer"));
        assert_eq!(c[0].error(), Some("invalid_token"));
    }

    #[test]
    fn token68_and_bare_schemes() {
        let c = parse(["Basic dXNlcjpwYXNz==, Negotiate, Bearer"]).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].token68(), Some("dXNlcjpwYXNz=="));
        assert!(c[0].params().is_empty());
        assert_eq!(c[1].scheme(), "negotiate");
        assert_eq!(c[2].scheme(), "bearer");
    }

    #[test]
    fn whitespace_around_equals_and_empty_list_elements_are_accepted() {
        let c = parse([" , Bearer realm = \"a\" ,, scope=\"x y\" , "]).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].realm(), Some("a"));
        assert_eq!(c[0].scope(), Some("x y"));
    }

    #[test]
    fn malformed_headers_are_errors_not_panics() {
        for bad in [
            "Bearer realm=\"unterminated",
            "Bearer realm=\"a\" error=\"b\"",
            "Bearer error=a, error=b",
            "=x",
            "Bearer realm=\"a\\",
            "Bearer realm=\"a\u{1}\"",
            "Bearer=x",
        ] {
            assert!(
                matches!(parse([bad]), Err(Error::InvalidChallenge(_))),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn a_lone_word_after_the_scheme_is_a_token68() {
        // `realm` and `realm=` fit the token68 syntax; they are not auth-params.
        assert_eq!(parse(["Bearer realm"]).unwrap()[0].token68(), Some("realm"));
        assert_eq!(
            parse(["Bearer realm="]).unwrap()[0].token68(),
            Some("realm=")
        );
    }

    #[test]
    fn limits_apply() {
        let long = format!("Bearer realm=\"{}\"", "a".repeat(MAX_HEADER_BYTES));
        assert!(parse([long.as_str()]).is_err());
        let many = vec!["Bearer"; MAX_CHALLENGES + 1].join(", ");
        assert!(parse([many.as_str()]).is_err());
    }
}
