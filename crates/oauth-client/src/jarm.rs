//! Authorization responses that need signature checks: JARM response JWTs and the hybrid
//! flow's front-channel ID Token.

use crate::callback::Callback;
use crate::id_token::IdTokenClaims;
use crate::jwks::response_algorithms;
use crate::{Configuration, Error, IdTokenCheck};
use jose_core::alg::JwsAlgorithm;
use serde_json::Value;

/// What JARM errors name.
const WHAT: &str = "JARM response";

impl Configuration {
    /// Decodes a JARM response (the `response` parameter): decrypts it when it is a JWE (with
    /// the configured keys), verifies its signature against the server's JWK Set with an
    /// allowed algorithm, checks `iss`, `aud` and `exp`, and returns the callback made of its
    /// claims, and whether it was encrypted. Parameters outside the JWT are ignored.
    pub(crate) async fn decode_jarm(&self, callback: &Callback) -> Result<(Callback, bool), Error> {
        let Some(token) = callback.get("response") else {
            return Err(Error::InvalidCallback(
                "the JARM response has no response parameter",
            ));
        };
        let encrypted = token.split('.').count() == 5;
        let client = &self.inner.client;
        let allowed = response_algorithms(
            WHAT,
            client.authorization_signed_response_alg.as_deref(),
            self.inner
                .server
                .authorization_signing_alg_values_supported
                .as_ref(),
            Some(JwsAlgorithm::RS256),
            self.has_client_secret(),
        )?;
        let (_, claims) = self.verify_server_jwt(WHAT, token, &allowed).await?;
        let claim_error = |claim, reason| Error::JwtClaim {
            what: WHAT,
            claim,
            reason,
        };
        match claims.get("iss") {
            Some(Value::String(iss)) if *iss == self.inner.server.issuer => {}
            Some(Value::String(_)) => return Err(claim_error("iss", "is not the issuer")),
            _ => return Err(claim_error("iss", "is missing or not a string")),
        }
        let aud_ok = match claims.get("aud") {
            Some(Value::String(a)) => a == self.client_id(),
            Some(Value::Array(items)) => items.iter().any(|a| a.as_str() == Some(self.client_id())),
            _ => false,
        };
        if !aud_ok {
            return Err(claim_error("aud", "does not contain the client_id"));
        }
        match claims.get("exp") {
            Some(Value::Number(n)) => {
                let exp = n
                    .as_i64()
                    .ok_or_else(|| claim_error("exp", "is not an integer"))?;
                if exp <= self.now() - self.tolerance() {
                    return Err(claim_error("exp", "has passed"));
                }
            }
            _ => return Err(claim_error("exp", "is missing or not a number")),
        }
        let mut params = Vec::with_capacity(claims.len());
        for (name, value) in claims {
            match (name.as_str(), value) {
                ("aud" | "exp" | "iat" | "nbf", _) => {}
                (_, Value::String(v)) => params.push((name, v)),
                _ => {
                    return Err(claim_error(
                        "response parameters",
                        "authorization response parameters must be strings",
                    ));
                }
            }
        }
        Ok((callback.with_params(params), encrypted))
    }

    /// Validates the hybrid flow's front-channel ID Token (OpenID Connect Core 1.0
    /// §3.3.2.12): signature and every claim check, the `nonce`, `c_hash` (required) for
    /// `code`, and `s_hash` for `state` (required with detached signature checks).
    pub(crate) async fn front_channel_id_token(
        &self,
        callback: &Callback,
        code: &str,
        nonce: Option<&str>,
        max_age: Option<u64>,
    ) -> Result<IdTokenClaims, Error> {
        let Some(nonce) = nonce else {
            return Err(Error::InvalidArgument(
                "the hybrid flow needs the nonce sent in the request (expected_nonce)",
            ));
        };
        let Some(id_token) = callback.get("id_token") else {
            return Err(Error::id_token(
                IdTokenCheck::Missing,
                "the hybrid response has no id_token",
            ));
        };
        let mut expectations = self.expectations(self.now());
        expectations.nonce = Some(nonce);
        if max_age.is_some() {
            expectations.max_age = max_age;
        }
        expectations.code = Some(code);
        expectations.require_code_hash = true;
        expectations.state = callback.get("state");
        expectations.require_state_hash =
            self.inner.options.detached_signature_checks && callback.get("state").is_some();
        self.check_id_token(id_token, &expectations).await
    }
}
