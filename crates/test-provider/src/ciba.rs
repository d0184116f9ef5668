//! CIBA: completing a backchannel authentication request as the user would on the
//! authentication device (`node/ciba.mjs`).

use crate::{HarnessError, TestProvider};

/// What the user does on the authentication device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CibaDecision {
    /// Approves: the requested OpenID scopes are granted.
    Approve,
    /// Refuses: the token endpoint answers `access_denied`.
    Deny,
}

impl TestProvider {
    /// Approves or denies a pending CIBA request (`POST <issuer>/ciba-control`). For the ping
    /// client (`client-ciba-ping`), `notify` is the loopback URL (`http://127.0.0.1:<port>/...`)
    /// the provider's ping is delivered to, over plain HTTP; this call returns after the
    /// listener answered, and fails if it did not answer 204 or 200.
    ///
    /// # Errors
    /// [`HarnessError::Http`] when the provider refuses (unknown `auth_req_id`, a failed ping)
    /// or cannot be reached.
    pub async fn ciba_decide(
        &self,
        auth_req_id: &str,
        decision: CibaDecision,
        notify: Option<&str>,
    ) -> Result<(), HarnessError> {
        let url = format!(
            "{}/ciba-control",
            self.issuer().as_str().trim_end_matches('/')
        );
        let mut body = serde_json::json!({
            "auth_req_id": auth_req_id,
            "action": match decision {
                CibaDecision::Approve => "approve",
                CibaDecision::Deny => "deny",
            },
        });
        if let Some(notify) = notify {
            body["notify"] = notify.into();
        }
        let response = control_client()?
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
                "CIBA control answered {status}: {}",
                text.chars().take(300).collect::<String>()
            )))
        }
    }
}

/// A client for the control route on loopback: plain HTTP, no redirects, no proxies.
pub(crate) fn control_client() -> Result<reqwest::Client, HarnessError> {
    // reqwest wants a TLS configuration even for plain HTTP: an empty one, passed in, so that
    // no process-wide crypto provider is needed.
    let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| HarnessError::Http(e.to_string()))?
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .map_err(|e| HarnessError::Http(e.to_string()))
}
