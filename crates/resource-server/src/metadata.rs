//! RFC 9728 OAuth 2.0 Protected Resource Metadata.

use serde::Serialize;
use url::Url;

/// The well-known path suffix of RFC 9728 §3.
pub const WELL_KNOWN_PATH: &str = "/.well-known/oauth-protected-resource";

/// The URL of a resource's metadata document (RFC 9728 §3.1): the well-known path inserted
/// between the host and the resource identifier's path, the query kept, a trailing `/` of the
/// path dropped.
///
/// ```
/// use resource_server::metadata_url;
///
/// let url = metadata_url(&"https://api.example/v1/".parse()?);
/// assert_eq!(url.as_str(), "https://api.example/.well-known/oauth-protected-resource/v1");
/// let url = metadata_url(&"https://api.example".parse()?);
/// assert_eq!(url.as_str(), "https://api.example/.well-known/oauth-protected-resource");
/// # Ok::<(), url::ParseError>(())
/// ```
#[must_use]
pub fn metadata_url(resource: &Url) -> Url {
    let mut url = resource.clone();
    let path = resource.path().trim_end_matches('/');
    url.set_path(&format!("{WELL_KNOWN_PATH}{path}"));
    url.set_fragment(None);
    url
}

/// A protected resource's metadata document (RFC 9728 §2), built field by field and served
/// as JSON at [`metadata_url`].
///
/// ```
/// use resource_server::ProtectedResourceMetadata;
///
/// let metadata = ProtectedResourceMetadata::new("https://api.example")
///     .authorization_server("https://issuer.example")
///     .scopes_supported(["read", "write"])
///     .dpop_signing_alg_values_supported(["ES256"]);
/// let json: serde_json::Value = serde_json::from_str(&metadata.to_json())?;
/// assert_eq!(json["resource"], "https://api.example");
/// assert_eq!(json["bearer_methods_supported"][0], "header");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProtectedResourceMetadata {
    resource: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authorization_servers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jwks_uri: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scopes_supported: Vec<String>,
    bearer_methods_supported: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resource_signing_alg_values_supported: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_documentation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_policy_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_tos_uri: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    tls_client_certificate_bound_access_tokens: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authorization_details_types_supported: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    dpop_signing_alg_values_supported: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    dpop_bound_access_tokens_required: bool,
}

impl ProtectedResourceMetadata {
    /// The document of the resource `resource` (its identifier, the tokens' audience), with
    /// `bearer_methods_supported` `["header"]`, the only method this crate accepts.
    #[must_use]
    pub fn new(resource: impl Into<String>) -> Self {
        Self {
            resource: resource.into(),
            authorization_servers: Vec::new(),
            jwks_uri: None,
            scopes_supported: Vec::new(),
            bearer_methods_supported: vec!["header".into()],
            resource_signing_alg_values_supported: Vec::new(),
            resource_name: None,
            resource_documentation: None,
            resource_policy_uri: None,
            resource_tos_uri: None,
            tls_client_certificate_bound_access_tokens: false,
            authorization_details_types_supported: Vec::new(),
            dpop_signing_alg_values_supported: Vec::new(),
            dpop_bound_access_tokens_required: false,
        }
    }

    /// The resource identifier.
    #[must_use]
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// Adds an issuer identifier to `authorization_servers`.
    #[must_use]
    pub fn authorization_server(mut self, issuer: impl Into<String>) -> Self {
        self.authorization_servers.push(issuer.into());
        self
    }

    /// `jwks_uri`: the resource's own signing keys.
    #[must_use]
    pub fn jwks_uri(mut self, uri: impl Into<String>) -> Self {
        self.jwks_uri = Some(uri.into());
        self
    }

    /// `scopes_supported`.
    #[must_use]
    pub fn scopes_supported<S: Into<String>>(
        mut self,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.scopes_supported = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// `resource_signing_alg_values_supported`.
    #[must_use]
    pub fn resource_signing_alg_values_supported<S: Into<String>>(
        mut self,
        algs: impl IntoIterator<Item = S>,
    ) -> Self {
        self.resource_signing_alg_values_supported = algs.into_iter().map(Into::into).collect();
        self
    }

    /// `resource_name`.
    #[must_use]
    pub fn resource_name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }

    /// `resource_documentation`.
    #[must_use]
    pub fn resource_documentation(mut self, uri: impl Into<String>) -> Self {
        self.resource_documentation = Some(uri.into());
        self
    }

    /// `resource_policy_uri`.
    #[must_use]
    pub fn resource_policy_uri(mut self, uri: impl Into<String>) -> Self {
        self.resource_policy_uri = Some(uri.into());
        self
    }

    /// `resource_tos_uri`.
    #[must_use]
    pub fn resource_tos_uri(mut self, uri: impl Into<String>) -> Self {
        self.resource_tos_uri = Some(uri.into());
        self
    }

    /// `tls_client_certificate_bound_access_tokens`.
    #[must_use]
    pub fn tls_client_certificate_bound_access_tokens(mut self, bound: bool) -> Self {
        self.tls_client_certificate_bound_access_tokens = bound;
        self
    }

    /// `authorization_details_types_supported`.
    #[must_use]
    pub fn authorization_details_types_supported<S: Into<String>>(
        mut self,
        types: impl IntoIterator<Item = S>,
    ) -> Self {
        self.authorization_details_types_supported = types.into_iter().map(Into::into).collect();
        self
    }

    /// `dpop_signing_alg_values_supported`.
    #[must_use]
    pub fn dpop_signing_alg_values_supported<S: Into<String>>(
        mut self,
        algs: impl IntoIterator<Item = S>,
    ) -> Self {
        self.dpop_signing_alg_values_supported = algs.into_iter().map(Into::into).collect();
        self
    }

    /// `dpop_bound_access_tokens_required`.
    #[must_use]
    pub fn dpop_bound_access_tokens_required(mut self, required: bool) -> Self {
        self.dpop_bound_access_tokens_required = required;
        self
    }

    /// The document as JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Strings, booleans and arrays of strings always serialize.
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn omits_absent_members() {
        let json: serde_json::Value =
            serde_json::from_str(&ProtectedResourceMetadata::new("https://r.example").to_json())
                .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"resource": "https://r.example", "bearer_methods_supported": ["header"]})
        );
    }

    #[test]
    fn well_known_url_keeps_the_query() {
        let url = metadata_url(&"https://r.example/a/b?x=1".parse().unwrap());
        assert_eq!(
            url.as_str(),
            "https://r.example/.well-known/oauth-protected-resource/a/b?x=1"
        );
    }
}
