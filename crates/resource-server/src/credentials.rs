//! The access token of a request: the `Authorization` header's `Bearer` (RFC 6750 §2.1) or
//! `DPoP` (RFC 9449 §7.1) credentials.

use crate::Rejection;

/// Longest access token accepted (bytes).
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// The authorization scheme a request used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// `Authorization: Bearer <token>` (RFC 6750).
    Bearer,
    /// `Authorization: DPoP <token>` with a `DPoP` proof header (RFC 9449).
    Dpop,
}

impl Scheme {
    /// The scheme's name as it appears in headers and in `token_type`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Scheme::Bearer => "Bearer",
            Scheme::Dpop => "DPoP",
        }
    }
}

/// An access token read from the `Authorization` header, not yet verified.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Credentials<'a> {
    scheme: Scheme,
    token: &'a str,
}

impl core::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Credentials")
            .field("scheme", &self.scheme)
            .field("token", &"[redacted]")
            .finish()
    }
}

impl<'a> Credentials<'a> {
    /// Reads the credentials from the values of the request's `Authorization` headers.
    ///
    /// `Ok(None)` when there are none, or when the scheme is neither `Bearer` nor `DPoP` (a
    /// client that does not know the scheme gets the bare challenge, RFC 6750 §3.1).
    ///
    /// ```
    /// use resource_server::{Credentials, Scheme};
    ///
    /// let credentials = Credentials::from_authorization([b"bearer mF_9.B5f-4.1JqM".as_slice()])?
    ///     .expect("a Bearer token");
    /// assert_eq!(credentials.scheme(), Scheme::Bearer);
    /// assert_eq!(credentials.token(), "mF_9.B5f-4.1JqM");
    /// # Ok::<(), resource_server::Rejection>(())
    /// ```
    ///
    /// # Errors
    /// [`Rejection::InvalidRequest`] for several `Authorization` headers or a malformed value.
    pub fn from_authorization<I>(values: I) -> Result<Option<Self>, Rejection>
    where
        I: IntoIterator<Item = &'a [u8]>,
    {
        let mut values = values.into_iter();
        let Some(value) = values.next() else {
            return Ok(None);
        };
        if values.next().is_some() {
            return Err(Rejection::InvalidRequest(
                "the request has several Authorization headers",
            ));
        }
        let value = core::str::from_utf8(value)
            .map_err(|_| Rejection::InvalidRequest("the Authorization header is not ASCII"))?;
        let (name, rest) = value.split_once(' ').unwrap_or((value, ""));
        let scheme = if name.eq_ignore_ascii_case("bearer") {
            Scheme::Bearer
        } else if name.eq_ignore_ascii_case("dpop") {
            Scheme::Dpop
        } else {
            return Ok(None);
        };
        let token = rest.trim_start_matches(' ');
        check_token68(token)?;
        Ok(Some(Self { scheme, token }))
    }

    /// The scheme.
    #[must_use]
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The access token.
    #[must_use]
    pub fn token(&self) -> &'a str {
        self.token
    }
}

/// `b64token` of RFC 6750 §2.1 (the `token68` of RFC 9110): `1*( ALPHA / DIGIT / "-" / "." /
/// "_" / "~" / "+" / "/" ) *"="`.
fn check_token68(token: &str) -> Result<(), Rejection> {
    if token.is_empty() {
        return Err(Rejection::InvalidRequest(
            "the Authorization header has no token",
        ));
    }
    if token.len() > MAX_TOKEN_LEN {
        return Err(Rejection::InvalidRequest("the access token is too long"));
    }
    let body = token.trim_end_matches('=');
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b);
    if body.is_empty() || !body.bytes().all(allowed) {
        return Err(Rejection::InvalidRequest(
            "the Authorization header's token is malformed",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn read(values: &[&str]) -> Result<Option<Credentials<'static>>, Rejection> {
        let owned: Vec<&'static [u8]> = values
            .iter()
            .map(|v| &*Box::leak(v.as_bytes().to_vec().into_boxed_slice()))
            .collect();
        Credentials::from_authorization(owned)
    }

    #[test]
    fn reads_bearer_and_dpop_case_insensitively() {
        let c = read(&["BEARER abc"]).unwrap().unwrap();
        assert_eq!((c.scheme(), c.token()), (Scheme::Bearer, "abc"));
        let c = read(&["dpop a.b.c"]).unwrap().unwrap();
        assert_eq!((c.scheme(), c.token()), (Scheme::Dpop, "a.b.c"));
    }

    #[test]
    fn absent_or_other_schemes_are_no_credentials() {
        assert_eq!(read(&[]).unwrap(), None);
        assert_eq!(read(&["Basic dXNlcjpwYXNz"]).unwrap(), None);
    }

    #[test]
    fn refuses_several_headers_and_malformed_tokens() {
        for bad in [
            &["Bearer a", "Bearer b"][..],
            &["Bearer"],
            &["Bearer a b"],
            &["Bearer ="],
        ] {
            assert!(
                matches!(read(bad), Err(Rejection::InvalidRequest(_))),
                "{bad:?}"
            );
        }
        let long = format!("Bearer {}", "a".repeat(MAX_TOKEN_LEN + 1));
        assert!(matches!(read(&[&long]), Err(Rejection::InvalidRequest(_))));
        assert!(matches!(
            Credentials::from_authorization([b"Bearer \xff".as_slice()]),
            Err(Rejection::InvalidRequest(_))
        ));
    }
}
