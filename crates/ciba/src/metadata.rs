//! The CIBA fields of server and client metadata (CIBA §4), typed and checked.

use crate::error::CibaError;
use crate::mode::DeliveryMode;
use jose_core::alg::JwsAlgorithm;
use oauth_client::{ClientMetadata, ServerMetadata};
use url::Url;

/// The CIBA grant type, `urn:openid:params:grant-type:ciba`.
pub const CIBA_GRANT_TYPE: &str = "urn:openid:params:grant-type:ciba";

/// The four CIBA fields of the OpenID Provider's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CibaServerMetadata {
    /// `backchannel_authentication_endpoint` (REQUIRED).
    pub endpoint: Url,
    /// `backchannel_token_delivery_modes_supported` (REQUIRED); values this crate does not
    /// know are left out.
    pub delivery_modes: Vec<DeliveryMode>,
    /// `backchannel_authentication_request_signing_alg_values_supported`: the asymmetric JWS
    /// algorithms listed (HMAC, `none` and unknown names are left out). `None`: the server
    /// accepts no signed requests.
    pub signing_algs: Option<Vec<JwsAlgorithm>>,
    /// `backchannel_user_code_parameter_supported` (default `false`).
    pub user_code_supported: bool,
    /// Whether `grant_types_supported` lists the CIBA grant (`None` when the server does not
    /// publish `grant_types_supported`).
    pub ciba_grant_listed: Option<bool>,
}

impl CibaServerMetadata {
    /// Reads the CIBA fields of discovered or configured server metadata.
    ///
    /// # Errors
    /// [`CibaError::NoBackchannelEndpoint`]; [`CibaError::InvalidServerMetadata`] when
    /// `backchannel_token_delivery_modes_supported` is missing or names no known mode.
    pub fn from_server(server: &ServerMetadata) -> Result<Self, CibaError> {
        let endpoint = server
            .backchannel_authentication_endpoint
            .clone()
            .ok_or(CibaError::NoBackchannelEndpoint)?;
        let modes = server
            .backchannel_token_delivery_modes_supported
            .as_ref()
            .ok_or(CibaError::InvalidServerMetadata {
                field: "backchannel_token_delivery_modes_supported",
                reason: "is missing",
            })?;
        let mut delivery_modes: Vec<DeliveryMode> = Vec::new();
        for mode in modes.iter().filter_map(|m| DeliveryMode::parse(m)) {
            if !delivery_modes.contains(&mode) {
                delivery_modes.push(mode);
            }
        }
        if delivery_modes.is_empty() {
            return Err(CibaError::InvalidServerMetadata {
                field: "backchannel_token_delivery_modes_supported",
                reason: "names none of poll, ping, push",
            });
        }
        let signing_algs = server
            .backchannel_authentication_request_signing_alg_values_supported
            .as_ref()
            .map(|algs| {
                algs.iter()
                    .filter_map(|a| a.parse::<JwsAlgorithm>().ok())
                    .filter(|a| !a.is_symmetric())
                    .collect()
            });
        Ok(Self {
            endpoint,
            delivery_modes,
            signing_algs,
            user_code_supported: server.backchannel_user_code_parameter_supported == Some(true),
            ciba_grant_listed: server
                .grant_types_supported
                .as_ref()
                .map(|g| g.iter().any(|t| t == CIBA_GRANT_TYPE)),
        })
    }

    /// Whether the server accepts signed requests with `alg`.
    #[must_use]
    pub fn accepts_signing_alg(&self, alg: JwsAlgorithm) -> bool {
        self.signing_algs
            .as_ref()
            .is_some_and(|algs| algs.contains(&alg))
    }
}

/// The four CIBA fields of the client's registration metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CibaClientMetadata {
    /// `backchannel_token_delivery_mode` (REQUIRED).
    pub delivery_mode: DeliveryMode,
    /// `backchannel_client_notification_endpoint` (REQUIRED for ping and push; HTTPS).
    pub notification_endpoint: Option<Url>,
    /// `backchannel_authentication_request_signing_alg`: the client signs every request with
    /// it. `None`: the client sends unsigned requests.
    pub signing_alg: Option<JwsAlgorithm>,
    /// `backchannel_user_code_parameter` (default `false`).
    pub user_code: bool,
    /// Whether `grant_types` lists the CIBA grant (`None` when the metadata has no
    /// `grant_types`).
    pub ciba_grant_listed: Option<bool>,
}

impl CibaClientMetadata {
    /// Reads the CIBA fields of the client's metadata.
    ///
    /// # Errors
    /// [`CibaError::InvalidClientMetadata`] when the delivery mode is missing or unknown, the
    /// notification endpoint of a ping or push client is missing, not a URL or not HTTPS, or
    /// the signing algorithm is unknown, symmetric or `none`.
    pub fn from_client(client: &ClientMetadata) -> Result<Self, CibaError> {
        let mode = client.backchannel_token_delivery_mode.as_deref().ok_or(
            CibaError::InvalidClientMetadata {
                field: "backchannel_token_delivery_mode",
                reason: "is missing",
            },
        )?;
        let delivery_mode = DeliveryMode::parse(mode).ok_or(CibaError::InvalidClientMetadata {
            field: "backchannel_token_delivery_mode",
            reason: "must be poll, ping or push",
        })?;
        let notification_endpoint = match client.backchannel_client_notification_endpoint.as_deref()
        {
            None => None,
            Some(text) => {
                let url = Url::parse(text).map_err(|_| CibaError::InvalidClientMetadata {
                    field: "backchannel_client_notification_endpoint",
                    reason: "is not a URL",
                })?;
                if url.scheme() != "https" {
                    return Err(CibaError::InvalidClientMetadata {
                        field: "backchannel_client_notification_endpoint",
                        reason: "must be an https URL",
                    });
                }
                if url.fragment().is_some() {
                    return Err(CibaError::InvalidClientMetadata {
                        field: "backchannel_client_notification_endpoint",
                        reason: "must not have a fragment",
                    });
                }
                Some(url)
            }
        };
        if delivery_mode.uses_notification_endpoint() && notification_endpoint.is_none() {
            return Err(CibaError::InvalidClientMetadata {
                field: "backchannel_client_notification_endpoint",
                reason: "is required for the ping and push modes",
            });
        }
        let signing_alg = match client
            .backchannel_authentication_request_signing_alg
            .as_deref()
        {
            None => None,
            Some(name) => {
                let alg =
                    name.parse::<JwsAlgorithm>()
                        .map_err(|_| CibaError::InvalidClientMetadata {
                            field: "backchannel_authentication_request_signing_alg",
                            reason: "is not a known JWS algorithm",
                        })?;
                if alg.is_symmetric() {
                    return Err(CibaError::InvalidClientMetadata {
                        field: "backchannel_authentication_request_signing_alg",
                        reason: "must be an asymmetric algorithm",
                    });
                }
                Some(alg)
            }
        };
        Ok(Self {
            delivery_mode,
            notification_endpoint,
            signing_alg,
            user_code: client.backchannel_user_code_parameter == Some(true),
            ciba_grant_listed: client
                .grant_types
                .as_ref()
                .map(|g| g.iter().any(|t| t == CIBA_GRANT_TYPE)),
        })
    }

    /// Checks the client against the server: the delivery mode is supported, poll and ping
    /// clients may use the CIBA grant on both sides, and a registered signing algorithm is
    /// one the server accepts.
    ///
    /// # Errors
    /// [`CibaError::DeliveryModeNotSupported`], [`CibaError::GrantTypeNotSupported`],
    /// [`CibaError::SigningAlgorithm`].
    pub fn check_against(&self, server: &CibaServerMetadata) -> Result<(), CibaError> {
        if !server.delivery_modes.contains(&self.delivery_mode) {
            return Err(CibaError::DeliveryModeNotSupported {
                mode: self.delivery_mode,
            });
        }
        if self.delivery_mode.uses_token_endpoint() {
            if server.ciba_grant_listed == Some(false) {
                return Err(CibaError::GrantTypeNotSupported { side: "server" });
            }
            if self.ciba_grant_listed == Some(false) {
                return Err(CibaError::GrantTypeNotSupported { side: "client" });
            }
        }
        if let Some(alg) = self.signing_alg
            && !server.accepts_signing_alg(alg)
        {
            return Err(CibaError::SigningAlgorithm {
                alg: alg.to_string(),
                reason: "the server does not accept it for signed authentication requests",
            });
        }
        Ok(())
    }

    /// Whether `user_code` may be sent: both the server and the client support it.
    #[must_use]
    pub fn user_code_allowed(&self, server: &CibaServerMetadata) -> bool {
        self.user_code && server.user_code_supported
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    fn server() -> ServerMetadata {
        serde_json::from_value(serde_json::json!({
            "issuer": "https://op.example",
            "token_endpoint": "https://op.example/token",
            "backchannel_authentication_endpoint": "https://op.example/bc",
            "backchannel_token_delivery_modes_supported": ["poll", "ping", "carrier-pigeon"],
            "backchannel_authentication_request_signing_alg_values_supported": ["HS256", "none", "ES256", "PS256"],
            "backchannel_user_code_parameter_supported": true,
            "grant_types_supported": ["authorization_code", CIBA_GRANT_TYPE],
        }))
        .unwrap()
    }

    fn client(mode: &str, endpoint: Option<&str>) -> ClientMetadata {
        let mut c = ClientMetadata::new("rp");
        c.backchannel_token_delivery_mode = Some(mode.into());
        c.backchannel_client_notification_endpoint = endpoint.map(Into::into);
        c
    }

    #[test]
    fn server_fields_are_typed_and_symmetric_algorithms_dropped() {
        let s = CibaServerMetadata::from_server(&server()).unwrap();
        assert_eq!(s.delivery_modes, [DeliveryMode::Poll, DeliveryMode::Ping]);
        assert_eq!(
            s.signing_algs.as_deref(),
            Some(&[JwsAlgorithm::ES256, JwsAlgorithm::PS256][..])
        );
        assert!(s.user_code_supported);
        assert_eq!(s.ciba_grant_listed, Some(true));
        assert!(!s.accepts_signing_alg(JwsAlgorithm::HS256));
    }

    #[test]
    fn a_server_without_endpoint_or_modes_cannot_do_ciba() {
        let mut s = server();
        s.backchannel_authentication_endpoint = None;
        assert!(matches!(
            CibaServerMetadata::from_server(&s),
            Err(CibaError::NoBackchannelEndpoint)
        ));
        let mut s = server();
        s.backchannel_token_delivery_modes_supported = Some(vec!["fax".into()]);
        assert!(matches!(
            CibaServerMetadata::from_server(&s),
            Err(CibaError::InvalidServerMetadata { .. })
        ));
    }

    #[test]
    fn client_mode_must_be_supported_and_notification_endpoint_https() {
        let s = CibaServerMetadata::from_server(&server()).unwrap();
        let push =
            CibaClientMetadata::from_client(&client("push", Some("https://rp.example/n"))).unwrap();
        assert!(matches!(
            push.check_against(&s),
            Err(CibaError::DeliveryModeNotSupported {
                mode: DeliveryMode::Push
            })
        ));
        assert!(matches!(
            CibaClientMetadata::from_client(&client("ping", None)),
            Err(CibaError::InvalidClientMetadata { .. })
        ));
        assert!(matches!(
            CibaClientMetadata::from_client(&client("ping", Some("http://rp.example/n"))),
            Err(CibaError::InvalidClientMetadata { .. })
        ));
        assert!(matches!(
            CibaClientMetadata::from_client(&client("Poll", None)),
            Err(CibaError::InvalidClientMetadata { .. })
        ));
        let poll = CibaClientMetadata::from_client(&client("poll", None)).unwrap();
        poll.check_against(&s).unwrap();
    }

    #[test]
    fn grant_types_and_signing_algorithms_are_checked_on_both_sides() {
        let s = CibaServerMetadata::from_server(&server()).unwrap();
        let mut c = client("poll", None);
        c.grant_types = Some(vec!["authorization_code".into()]);
        let meta = CibaClientMetadata::from_client(&c).unwrap();
        assert!(matches!(
            meta.check_against(&s),
            Err(CibaError::GrantTypeNotSupported { side: "client" })
        ));
        let mut c = client("poll", None);
        c.backchannel_authentication_request_signing_alg = Some("HS256".into());
        assert!(CibaClientMetadata::from_client(&c).is_err());
        c.backchannel_authentication_request_signing_alg = Some("ES384".into());
        let meta = CibaClientMetadata::from_client(&c).unwrap();
        assert!(matches!(
            meta.check_against(&s),
            Err(CibaError::SigningAlgorithm { .. })
        ));
        c.backchannel_user_code_parameter = Some(true);
        c.backchannel_authentication_request_signing_alg = Some("ES256".into());
        let meta = CibaClientMetadata::from_client(&c).unwrap();
        meta.check_against(&s).unwrap();
        assert!(meta.user_code_allowed(&s));
    }
}
