//! Client metadata (RFC 7591, OpenID Connect Dynamic Client Registration 1.0).

use core::fmt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Client metadata: every field of openid-client's `ClientMetadata` that affects how the client
/// works, plus the registration fields; members this crate does not know are kept in `other`.
///
/// `Debug` never shows `client_secret` or `registration_access_token`.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClientMetadata {
    /// The client identifier (empty in a registration request).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub client_id: String,
    /// The client secret, for the `client_secret_*` methods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Redirect URIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uris: Option<Vec<String>>,
    /// Post-logout redirect URIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_logout_redirect_uris: Option<Vec<String>>,
    /// Response types the client uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_types: Option<Vec<String>>,
    /// Grant types the client uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types: Option<Vec<String>>,
    /// `web` or `native`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_type: Option<String>,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// Scopes the client may request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Contacts of the people responsible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<String>>,
    /// Client authentication method at the token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<String>,
    /// JWS `alg` for `client_secret_jwt` / `private_key_jwt` assertions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_signing_alg: Option<String>,
    /// JWS `alg` required for ID Tokens; by default the server's `id_token_signing_alg_values_supported`, else RS256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_signed_response_alg: Option<String>,
    /// JWE `alg` for encrypted ID Tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_encrypted_response_alg: Option<String>,
    /// JWE `enc` for encrypted ID Tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_encrypted_response_enc: Option<String>,
    /// JWS `alg` required for signed UserInfo responses; when set, the client asks for JWT responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_signed_response_alg: Option<String>,
    /// JWE `alg` for encrypted UserInfo responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_encrypted_response_alg: Option<String>,
    /// JWE `enc` for encrypted UserInfo responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_encrypted_response_enc: Option<String>,
    /// JWS `alg` required for JWT introspection responses (RFC 9701); when set, the client asks for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_signed_response_alg: Option<String>,
    /// JWE `alg` for encrypted introspection responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_encrypted_response_alg: Option<String>,
    /// JWE `enc` for encrypted introspection responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_encrypted_response_enc: Option<String>,
    /// JWS `alg` required for JARM responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_signed_response_alg: Option<String>,
    /// JWE `alg` for encrypted JARM responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_encrypted_response_alg: Option<String>,
    /// JWE `enc` for encrypted JARM responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_encrypted_response_enc: Option<String>,
    /// JWS `alg` for request objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_object_signing_alg: Option<String>,
    /// JWE `alg` for request objects; when set, request objects are encrypted to the server's
    /// key (RFC 9101 §6.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_object_encryption_alg: Option<String>,
    /// JWE `enc` for request objects (default `A128CBC-HS256`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_object_encryption_enc: Option<String>,
    /// Whether the client must push its authorization requests (RFC 9126 §6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_pushed_authorization_requests: Option<bool>,
    /// Whether the client must send signed request objects (RFC 9101 §10.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_signed_request_object: Option<bool>,
    /// The subject DN of the client's certificate (`tls_client_auth`, RFC 8705 §2.1.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_client_auth_subject_dn: Option<String>,
    /// Default maximum authentication age, in seconds; checked against `auth_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_max_age: Option<u64>,
    /// Whether ID Tokens must carry `auth_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_auth_time: Option<bool>,
    /// Whether to use the server's `mtls_endpoint_aliases` (RFC 8705).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_mtls_endpoint_aliases: Option<bool>,
    /// Whether access tokens are bound to the client certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_client_certificate_bound_access_tokens: Option<bool>,
    /// Whether access tokens must be DPoP-bound (RFC 9449 §5.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_bound_access_tokens: Option<bool>,
    /// The client's public JWK Set, by value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<Value>,
    /// URL of the client's public JWK Set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// `public` or `pairwise`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_type: Option<String>,
    /// CIBA token delivery mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_token_delivery_mode: Option<String>,
    /// CIBA client notification endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_client_notification_endpoint: Option<String>,
    /// JWS `alg` for signed CIBA requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_authentication_request_signing_alg: Option<String>,
    /// Whether the client uses the CIBA `user_code` parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_user_code_parameter: Option<bool>,
    /// Where the provider POSTs back-channel logout tokens (OpenID Connect Back-Channel
    /// Logout 1.0 §2.2); serve it with [`crate::BackchannelLogoutHandler`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_logout_uri: Option<String>,
    /// Whether logout tokens must carry `sid` (Back-Channel Logout 1.0 §2.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_logout_session_required: Option<bool>,
    /// Token for the client configuration endpoint (RFC 7592), from registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_access_token: Option<String>,
    /// The client configuration endpoint (RFC 7592), from registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_client_uri: Option<String>,
    /// When the `client_id` was issued, from registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id_issued_at: Option<i64>,
    /// When the secret expires (0: never), from registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_expires_at: Option<i64>,
    /// Members this crate does not know, kept as they came.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl ClientMetadata {
    /// Metadata of a client with this id.
    ///
    /// ```
    /// use oauth_client::ClientMetadata;
    ///
    /// let mut client = ClientMetadata::new("my-client").with_secret("my-secret");
    /// client.id_token_signed_response_alg = Some("ES256".into());
    /// client.default_max_age = Some(3600);
    /// # let _ = client;
    /// ```
    #[must_use]
    pub fn new(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            ..Self::default()
        }
    }

    /// Sets `client_secret`.
    #[must_use]
    pub fn with_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// Metadata to register with dynamic client registration: no `client_id` yet.
    #[must_use]
    pub fn for_registration(redirect_uris: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            redirect_uris: Some(redirect_uris.into_iter().map(Into::into).collect()),
            ..Self::default()
        }
    }
}

impl fmt::Debug for ClientMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut copy = self.clone();
        if copy.client_secret.is_some() {
            copy.client_secret = Some("[redacted]".into());
        }
        if copy.registration_access_token.is_some() {
            copy.registration_access_token = Some("[redacted]".into());
        }
        let json = serde_json::to_string(&copy).unwrap_or_default();
        write!(f, "ClientMetadata({json})")
    }
}
