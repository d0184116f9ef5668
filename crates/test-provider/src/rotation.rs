//! Key rotation at the provider: its ES256 signing keys change while it runs
//! (`node/rotation.mjs`, `/control/signing-keys`).

use crate::{HarnessError, TestProvider};
use serde_json::Value;

/// The provider's ES256 signing keys and how often its JWK Set was fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningKeys {
    /// The `kid`s of the published P-256 keys, in order; ES256 tokens are signed with the
    /// first. At start: `["op-p256"]`.
    pub es256: Vec<String>,
    /// Requests of the `jwks_uri` since the provider started.
    pub jwks_fetches: u64,
}

impl SigningKeys {
    fn from_json(value: &Value) -> Result<Self, HarnessError> {
        let es256 = value
            .get("es256")
            .and_then(Value::as_array)
            .map(|kids| {
                kids.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .ok_or_else(|| HarnessError::Http("signing keys: no es256 list".into()))?;
        let jwks_fetches = value
            .get("jwks_fetches")
            .and_then(Value::as_u64)
            .ok_or_else(|| HarnessError::Http("signing keys: no jwks_fetches".into()))?;
        Ok(Self {
            es256,
            jwks_fetches,
        })
    }
}

impl TestProvider {
    /// Publishes exactly these ES256 signing keys, by `kid`, and signs ES256 tokens (the JWT
    /// access tokens of the resources, ES256 ID Tokens) with the first: a `kid` not seen
    /// before gets a fresh P-256 key, a published `kid` left out is removed for good. The
    /// provider is constructed again on the same issuer, port, clients and configuration (a
    /// restart in place: oidc-provider reads its keys only when it is constructed), so
    /// pending interactions and sessions may be lost: use a provider of its own
    /// ([`TestProvider::start`]), not [`TestProvider::shared`]. The RSA and Ed25519 keys never
    /// change. [`ProviderState::provider_jwks`](crate::ProviderState::provider_jwks) keeps the
    /// keys of the start.
    ///
    /// # Errors
    /// [`HarnessError::Http`] when the list is empty, repeats a `kid` or names a key of
    /// another type, or the provider cannot be reached.
    pub async fn rotate_es256_keys(&self, kids: &[&str]) -> Result<SigningKeys, HarnessError> {
        let body = serde_json::json!({ "es256": kids });
        self.signing_keys_request(Some(body)).await
    }

    /// The current ES256 signing keys and the number of JWK Set requests so far.
    ///
    /// # Errors
    /// [`HarnessError::Http`] when the provider cannot be reached.
    pub async fn signing_keys(&self) -> Result<SigningKeys, HarnessError> {
        self.signing_keys_request(None).await
    }

    async fn signing_keys_request(&self, body: Option<Value>) -> Result<SigningKeys, HarnessError> {
        let mut url = self.issuer().clone();
        url.set_path("/control/signing-keys");
        let http = crate::agent::loopback_client()?;
        let request = match body {
            Some(body) => http
                .post(url)
                .header("content-type", "application/json")
                .body(body.to_string()),
            None => http.get(url),
        };
        let response = request
            .send()
            .await
            .map_err(|e| HarnessError::Http(e.to_string()))?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|e| HarnessError::Http(e.to_string()))?;
        if status != 200 {
            return Err(HarnessError::Http(format!(
                "signing keys control answered {status}: {text}"
            )));
        }
        let value = serde_json::from_str(&text).map_err(|e| HarnessError::Http(e.to_string()))?;
        SigningKeys::from_json(&value)
    }
}
