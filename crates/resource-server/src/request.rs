//! The request as the core sees it: method, target, headers and the TLS client certificate,
//! whatever the HTTP framework.

/// Most header lines read from a request.
const MAX_HEADERS: usize = 256;

/// What the resource server reads from an HTTP request.
///
/// ```
/// use resource_server::RequestInfo;
///
/// let request = RequestInfo::new("GET", "/v1/items?page=2")
///     .header("Authorization", b"Bearer mF_9.B5f-4.1JqM");
/// assert_eq!(request.method(), "GET");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RequestInfo<'a> {
    method: &'a str,
    target: &'a str,
    headers: Vec<(&'a str, &'a [u8])>,
    client_certificate: Option<&'a [u8]>,
}

impl core::fmt::Debug for RequestInfo<'_> {
    /// Header names only: values hold credentials.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RequestInfo")
            .field("method", &self.method)
            .field("target", &self.target)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            )
            .field("client_certificate", &self.client_certificate.is_some())
            .finish()
    }
}

impl<'a> RequestInfo<'a> {
    /// A request with this method and target: the path and query as received (origin form),
    /// or an absolute URL. The public base URL of the server completes an origin-form target.
    #[must_use]
    pub fn new(method: &'a str, target: &'a str) -> Self {
        Self {
            method,
            target,
            headers: Vec::new(),
            client_certificate: None,
        }
    }

    /// Adds a header line (name compared case-insensitively). Lines beyond 256 are ignored.
    #[must_use]
    pub fn header(mut self, name: &'a str, value: &'a [u8]) -> Self {
        self.push_header(name, value);
        self
    }

    /// Adds a header line in place.
    pub fn push_header(&mut self, name: &'a str, value: &'a [u8]) {
        if self.headers.len() < MAX_HEADERS {
            self.headers.push((name, value));
        }
    }

    /// The DER client certificate the TLS layer authenticated (RFC 8705 mutual TLS).
    #[must_use]
    pub fn client_certificate(mut self, der: &'a [u8]) -> Self {
        self.client_certificate = Some(der);
        self
    }

    /// The method.
    #[must_use]
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The target as given.
    #[must_use]
    pub fn target(&self) -> &'a str {
        self.target
    }

    /// The values of every header line named `name`.
    pub fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a [u8]> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// The client certificate, when one was handed in.
    #[must_use]
    pub fn certificate(&self) -> Option<&'a [u8]> {
        self.client_certificate
    }
}
