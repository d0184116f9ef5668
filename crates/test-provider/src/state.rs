//! What the provider script writes at start: issuer, clients, keys.

use crate::HarnessError;
use serde_json::{Map, Value};
use std::path::Path;

/// The provider's state file: its static clients (with secrets and private keys), its public
/// keys, and the values tests need (redirect URIs, the initial access token for registration).
#[derive(Clone, Debug)]
pub struct ProviderState {
    raw: Map<String, Value>,
}

/// A client registered statically in the provider.
#[derive(Clone, Debug)]
pub struct StaticClient {
    metadata: Map<String, Value>,
}

impl StaticClient {
    /// `client_id`.
    #[must_use]
    pub fn id(&self) -> &str {
        self.str("client_id").unwrap_or_default()
    }

    /// `client_secret`, for the clients that have one.
    #[must_use]
    pub fn secret(&self) -> Option<&str> {
        self.str("client_secret")
    }

    /// `token_endpoint_auth_method`.
    #[must_use]
    pub fn auth_method(&self) -> &str {
        self.str("token_endpoint_auth_method")
            .unwrap_or("client_secret_basic")
    }

    /// A string member of the registered metadata.
    #[must_use]
    pub fn str(&self, name: &str) -> Option<&str> {
        self.metadata.get(name).and_then(Value::as_str)
    }

    /// The registered metadata as the provider received it.
    #[must_use]
    pub fn metadata(&self) -> &Map<String, Value> {
        &self.metadata
    }
}

impl ProviderState {
    pub(crate) fn read(path: &Path) -> Result<Self, HarnessError> {
        let text = std::fs::read(path)
            .map_err(|e| HarnessError::State(format!("cannot read {}: {e}", path.display())))?;
        match serde_json::from_slice(&text) {
            Ok(Value::Object(raw)) => Ok(Self { raw }),
            Ok(_) => Err(HarnessError::State("not a JSON object".into())),
            Err(e) => Err(HarnessError::State(e.to_string())),
        }
    }

    /// The static client with this id.
    ///
    /// # Errors
    /// [`HarnessError::UnknownClient`].
    pub fn client(&self, id: &str) -> Result<StaticClient, HarnessError> {
        self.raw
            .get("clients")
            .and_then(|c| c.get(id))
            .and_then(Value::as_object)
            .map(|m| StaticClient {
                metadata: m.clone(),
            })
            .ok_or_else(|| HarnessError::UnknownClient(id.to_owned()))
    }

    /// The ids of all static clients.
    #[must_use]
    pub fn client_ids(&self) -> Vec<String> {
        self.raw
            .get("clients")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The private JWK (JSON text) of a client: the `private_key_jwt` key, the request object
    /// signing key of the JAR clients, or the decryption key of the encrypted-response clients.
    #[must_use]
    pub fn client_private_jwk(&self, id: &str) -> Option<String> {
        self.raw
            .get("client_private_keys")
            .and_then(|k| k.get(id))
            .map(Value::to_string)
    }

    /// The provider's public signing keys as a JWK Set (JSON text).
    #[must_use]
    pub fn provider_jwks(&self) -> String {
        self.raw
            .get("provider_jwks")
            .map(Value::to_string)
            .unwrap_or_default()
    }

    /// The redirect URI every static client registered.
    #[must_use]
    pub fn redirect_uri(&self) -> &str {
        self.str("redirect_uri")
    }

    /// The post-logout redirect URI every static client registered.
    #[must_use]
    pub fn post_logout_redirect_uri(&self) -> &str {
        self.str("post_logout_redirect_uri")
    }

    /// The initial access token the registration endpoint requires.
    #[must_use]
    pub fn initial_access_token(&self) -> &str {
        self.str("initial_access_token")
    }

    /// The base of the provider's TLS listener (`https://127.0.0.1:<port>/op`), where the
    /// `mtls_endpoint_aliases` point. Its certificate is issued by the test CA
    /// ([`crate::TestProvider::pki`]).
    #[must_use]
    pub fn mtls_base(&self) -> &str {
        self.str("mtls_base")
    }

    /// The test accounts' claims, by account id.
    #[must_use]
    pub fn account(&self, id: &str) -> Option<&Map<String, Value>> {
        self.raw
            .get("accounts")
            .and_then(|a| a.get(id))
            .and_then(Value::as_object)
    }

    /// The whole state file.
    #[must_use]
    pub fn raw(&self) -> &Map<String, Value> {
        &self.raw
    }

    fn str(&self, name: &str) -> &str {
        self.raw
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}
