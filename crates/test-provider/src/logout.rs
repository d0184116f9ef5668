//! Back-channel logout: where the provider delivers logout tokens, and ending a session from
//! the provider's side (`node/logout.mjs`).

use crate::{HarnessError, TestProvider};
use serde_json::Value;

/// The static client that registered a `backchannel_logout_uri` (with
/// `backchannel_logout_session_required`); its ID Tokens are ES256.
pub const BACKCHANNEL_LOGOUT_CLIENT: &str = "client-backchannel-logout";

impl TestProvider {
    /// Delivers the logout tokens for `sid` (the `sid` of an ID Token of
    /// [`BACKCHANNEL_LOGOUT_CLIENT`]) to `notify`, a loopback URL
    /// (`http://127.0.0.1:<port>/...`), over plain HTTP.
    ///
    /// # Errors
    /// [`HarnessError::Http`] when the provider refuses or cannot be reached.
    pub async fn logout_deliver(&self, sid: &str, notify: &str) -> Result<(), HarnessError> {
        let body = serde_json::json!({"action": "deliver", "sid": sid, "notify": notify});
        self.logout_control(body).await.map(|_| ())
    }

    /// Ends the provider session in which `sid` was issued, as an administrator would: the
    /// provider POSTs a logout token to every client of the session that registered a
    /// `backchannel_logout_uri`, then destroys the session. Returns the notified client ids.
    ///
    /// # Errors
    /// [`HarnessError::Http`] when there is no such session, or a client's endpoint did not
    /// answer 200.
    pub async fn end_provider_session(&self, sid: &str) -> Result<Vec<String>, HarnessError> {
        let body = serde_json::json!({"action": "end_session", "sid": sid});
        let answer = self.logout_control(body).await?;
        Ok(answer
            .get("notified")
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn logout_control(&self, body: Value) -> Result<Value, HarnessError> {
        let url = format!(
            "{}/logout-control",
            self.issuer().as_str().trim_end_matches('/')
        );
        let response = crate::ciba::control_client()?
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| HarnessError::Http(e.to_string()))?;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        if status != 200 {
            return Err(HarnessError::Http(format!(
                "logout control answered {status}: {}",
                text.chars().take(300).collect::<String>()
            )));
        }
        serde_json::from_str(&text).map_err(|e| HarnessError::Http(e.to_string()))
    }
}
