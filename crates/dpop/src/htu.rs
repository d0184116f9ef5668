//! The `htu` claim: the request URI without query and fragment, normalised (RFC 9449 §4.2,
//! §4.3 check 9: syntax- and scheme-based normalisation of RFC 3986 §6.2.2–6.2.3).

use crate::DpopError;
use url::Url;

/// The value of `htu` for a request to `uri`: lower-case scheme and host, no default port,
/// dot segments removed, no query and no fragment.
///
/// # Errors
/// [`DpopError::InvalidUrl`] unless `uri` is an absolute `http` or `https` URL.
pub fn normalize_htu(uri: &str) -> Result<String, DpopError> {
    let mut url = Url::parse(uri).map_err(|e| DpopError::InvalidUrl(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(DpopError::InvalidUrl("not an absolute http(s) URL".into()));
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.username().is_empty() || url.password().is_some() {
        return Err(DpopError::InvalidUrl("a URL with user information".into()));
    }
    Ok(url.to_string())
}

/// The origin a nonce belongs to: scheme, host and port.
///
/// # Errors
/// [`DpopError::InvalidUrl`].
pub fn origin_of(uri: &str) -> Result<String, DpopError> {
    let url = Url::parse(uri).map_err(|e| DpopError::InvalidUrl(e.to_string()))?;
    Ok(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_drops_query_fragment_default_port_and_case() {
        assert_eq!(
            normalize_htu("HTTPS://Server.Example.com:443/token?x=1#f").unwrap(),
            "https://server.example.com/token"
        );
        assert_eq!(
            normalize_htu("http://a.example:80/a/./b/../c").unwrap(),
            "http://a.example/a/c"
        );
        assert_eq!(
            normalize_htu("https://a.example:8443/").unwrap(),
            "https://a.example:8443/"
        );
        assert!(normalize_htu("ftp://a.example/").is_err());
        assert!(normalize_htu("/relative").is_err());
        assert!(normalize_htu("https://user:pw@a.example/").is_err());
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("https://AS.example:443/token?x").unwrap(),
            "https://as.example"
        );
        assert_eq!(
            origin_of("http://rs.example:8080/x").unwrap(),
            "http://rs.example:8080"
        );
    }
}
