//! The provider's control routes: what a person would do on its pages, for tests.

use crate::{HarnessError, TestProvider};

/// What the user does with a device flow's user code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceDecision<'a> {
    /// Approves as this account (`alice`, `bob`): the requested OpenID scopes, resource
    /// scopes and authorization details are granted.
    Approve(&'a str),
    /// Refuses: the next poll answers `access_denied`.
    Deny,
}

impl TestProvider {
    /// Approves or denies a device authorization request by its `user_code`, as the user
    /// would on the verification page (`POST /control/device`).
    ///
    /// # Errors
    /// [`HarnessError::Http`] when the provider refuses (unknown, expired or already used
    /// code) or cannot be reached.
    pub async fn decide_device_code(
        &self,
        user_code: &str,
        decision: DeviceDecision<'_>,
    ) -> Result<(), HarnessError> {
        let mut url = self.issuer().clone();
        url.set_path("/control/device");
        let body = match decision {
            DeviceDecision::Approve(account) => serde_json::json!({
                "user_code": user_code, "action": "approve", "account": account,
            }),
            DeviceDecision::Deny => serde_json::json!({ "user_code": user_code, "action": "deny" }),
        };
        let http = crate::agent::loopback_client()?;
        let response = http
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| HarnessError::Http(e.to_string()))?;
        let status = response.status().as_u16();
        if status == 200 {
            Ok(())
        } else {
            let text = response.text().await.unwrap_or_default();
            Err(HarnessError::Http(format!(
                "device control answered {status}: {text}"
            )))
        }
    }
}
