//! [`CibaClient`]: a relying party's side of CIBA on top of an `oauth-client` configuration.

use crate::ack::BackchannelAck;
use crate::error::CibaError;
use crate::metadata::{CibaClientMetadata, CibaServerMetadata};
use crate::mode::{DeliveryMode, Profile};
use crate::notification::NotificationHandler;
use crate::poll::PollOptions;
use crate::request::{
    BackchannelRequest, DEFAULT_REQUEST_LIFETIME, FAPI_MAX_REQUEST_LIFETIME, Rules, sign_request,
    to_form,
};
use crate::store::{PendingRequest, PendingStore};
use core::fmt;
use core::time::Duration;
use jose_core::alg::JwsAlgorithm;
use jws::Signer;
use oauth_client::{AuthMethod, Configuration, DpopHandle, Endpoint, Params};
use replay_store::{Namespace, ReplayId, ReplayStore, Seen};
use std::sync::Arc;
use std::time::SystemTime;
use tokio::time::Instant;

/// A CIBA client: checks the metadata once, sends backchannel authentication requests (signed
/// when a request signer is set), and redeems them by polling ([`CibaClient::poll`]) or once
/// after a ping ([`CibaClient::exchange`]).
///
/// Cheap to clone, `Send` and `Sync`.
#[derive(Clone)]
pub struct CibaClient {
    pub(crate) config: Configuration,
    pub(crate) server: CibaServerMetadata,
    pub(crate) client: CibaClientMetadata,
    pub(crate) profile: Profile,
    signer: Option<Arc<dyn Signer + Send + Sync>>,
    request_lifetime: Duration,
    pub(crate) dpop: Option<Arc<dyn DpopHandle>>,
    store: Option<Arc<dyn PendingStore>>,
    replay: Option<Arc<dyn ReplayStore>>,
    pub(crate) poll_options: PollOptions,
}

impl fmt::Debug for CibaClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CibaClient")
            .field("client_id", &self.config.client_id())
            .field("mode", &self.client.delivery_mode)
            .field("profile", &self.profile)
            .field("signed_requests", &self.signer.is_some())
            .field("dpop", &self.dpop.is_some())
            .field("replay_store", &self.replay.as_ref().map(|r| r.describe()))
            .finish_non_exhaustive()
    }
}

impl CibaClient {
    /// A client following CIBA Core for `config` (its server and client metadata must carry
    /// the CIBA fields).
    ///
    /// # Errors
    /// As [`CibaClient::with_profile`].
    pub fn new(config: Configuration) -> Result<Self, CibaError> {
        Self::with_profile(config, Profile::Core)
    }

    /// A client following `profile`.
    ///
    /// # Errors
    /// [`CibaError::NoBackchannelEndpoint`], [`CibaError::InvalidServerMetadata`],
    /// [`CibaError::InvalidClientMetadata`] (also for a public client: CIBA is for confidential
    /// clients only), [`CibaError::DeliveryModeNotSupported`],
    /// [`CibaError::GrantTypeNotSupported`], [`CibaError::SigningAlgorithm`], and
    /// [`CibaError::Profile`] (under FAPI: push mode, client authentication other than
    /// `private_key_jwt` or mTLS, a registered signing algorithm other than PS256 or ES256).
    pub fn with_profile(config: Configuration, profile: Profile) -> Result<Self, CibaError> {
        let server = CibaServerMetadata::from_server(config.server_metadata())?;
        let client = CibaClientMetadata::from_client(config.client_metadata())?;
        client.check_against(&server)?;
        let method = config.client_auth().method();
        if method == AuthMethod::None {
            return Err(CibaError::InvalidClientMetadata {
                field: "token_endpoint_auth_method",
                reason: "CIBA is for confidential clients only",
            });
        }
        if profile == Profile::Fapi {
            if client.delivery_mode == DeliveryMode::Push {
                return Err(fapi("the push delivery mode is not allowed"));
            }
            if !matches!(
                method,
                AuthMethod::PrivateKeyJwt
                    | AuthMethod::TlsClientAuth
                    | AuthMethod::SelfSignedTlsClientAuth
            ) {
                return Err(fapi(
                    "client authentication must be private_key_jwt or mutual TLS",
                ));
            }
            if let Some(alg) = client.signing_alg
                && !fapi_alg(alg)
            {
                return Err(fapi("signed requests must use PS256 or ES256"));
            }
        }
        Ok(Self {
            config,
            server,
            client,
            profile,
            signer: None,
            request_lifetime: DEFAULT_REQUEST_LIFETIME,
            dpop: None,
            store: None,
            replay: None,
            poll_options: PollOptions::default(),
        })
    }

    /// Signs every request with `signer` (the `request` parameter of CIBA §7.1.1).
    ///
    /// # Errors
    /// [`CibaError::SigningAlgorithm`] when the algorithm is symmetric, differs from the
    /// registered `backchannel_authentication_request_signing_alg`, or is not in the server's
    /// `backchannel_authentication_request_signing_alg_values_supported`;
    /// [`CibaError::Profile`] for anything but PS256 and ES256 under FAPI.
    pub fn request_signer(
        mut self,
        signer: impl Signer + Send + Sync + 'static,
    ) -> Result<Self, CibaError> {
        let alg = signer.algorithm();
        let refuse = |reason| CibaError::SigningAlgorithm {
            alg: alg.to_string(),
            reason,
        };
        if alg.is_symmetric() {
            return Err(refuse("signed requests need an asymmetric algorithm"));
        }
        if self
            .client
            .signing_alg
            .is_some_and(|registered| registered != alg)
        {
            return Err(refuse(
                "it differs from the registered backchannel_authentication_request_signing_alg",
            ));
        }
        if !self.server.accepts_signing_alg(alg) {
            return Err(refuse(
                "the server does not accept it for signed authentication requests",
            ));
        }
        if self.profile == Profile::Fapi && !fapi_alg(alg) {
            return Err(fapi("signed requests must use PS256 or ES256"));
        }
        self.signer = Some(Arc::new(signer));
        Ok(self)
    }

    /// The lifetime of signed requests: `exp − iat`, and `exp − nbf` since `nbf = iat`
    /// (default 5 minutes).
    ///
    /// # Errors
    /// [`CibaError::InvalidRequest`] for less than a second; [`CibaError::Profile`] for more
    /// than 60 minutes under FAPI.
    pub fn request_lifetime(mut self, lifetime: Duration) -> Result<Self, CibaError> {
        if lifetime < Duration::from_secs(1) {
            return Err(CibaError::InvalidRequest(
                "the request lifetime must be at least one second",
            ));
        }
        if self.profile == Profile::Fapi && lifetime > FAPI_MAX_REQUEST_LIFETIME {
            return Err(fapi(
                "exp - nbf of a signed request must be at most 60 minutes",
            ));
        }
        self.request_lifetime = lifetime;
        Ok(self)
    }

    /// Asks for DPoP-bound tokens: every token request carries a proof from `handle`.
    #[must_use]
    pub fn dpop(mut self, handle: Arc<dyn DpopHandle>) -> Self {
        self.dpop = Some(handle);
        self
    }

    /// Registers every ping or push request in `store` as soon as it is acknowledged, for
    /// the notification endpoint ([`CibaClient::notification_handler`]).
    #[must_use]
    pub fn pending_store(mut self, store: Arc<dyn PendingStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Binds every ping or push request's client notification token (and the nonce of a
    /// signed one) in `store`, namespace `ciba-notification`, until the request expires: a
    /// token or nonce already bound, by this instance or any other sharing the store, is
    /// refused with [`CibaError::NotificationTokenReused`] before the request is registered
    /// in the pending store. A store that cannot answer refuses with
    /// [`CibaError::ReplayStore`] (fail closed). Without it, only the pending store of this
    /// process refuses reused tokens.
    #[must_use]
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = Some(store);
        self
    }

    /// The polling options (read timeout, interval unit).
    #[must_use]
    pub fn poll_options(mut self, options: PollOptions) -> Self {
        self.poll_options = options;
        self
    }

    /// A notification endpoint handler over the pending store (`None` without one).
    #[must_use]
    pub fn notification_handler(&self) -> Option<NotificationHandler> {
        self.store
            .as_ref()
            .map(|store| NotificationHandler::new(self.config.clone(), store.clone()))
    }

    /// The underlying configuration.
    #[must_use]
    pub fn configuration(&self) -> &Configuration {
        &self.config
    }

    /// The server's CIBA metadata.
    #[must_use]
    pub fn server_metadata(&self) -> &CibaServerMetadata {
        &self.server
    }

    /// The client's CIBA metadata.
    #[must_use]
    pub fn client_metadata(&self) -> &CibaClientMetadata {
        &self.client
    }

    /// The profile.
    #[must_use]
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The delivery mode.
    #[must_use]
    pub fn delivery_mode(&self) -> DeliveryMode {
        self.client.delivery_mode
    }

    /// Sends a backchannel authentication request and reads the acknowledgement. For ping and
    /// push, the request carries a `client_notification_token` (generated when the request
    /// has none) and is registered in the pending store, if there is one, before this returns.
    ///
    /// # Errors
    /// The request's checks ([`CibaError::InvalidRequest`], [`CibaError::Profile`], ...);
    /// [`CibaError::OAuth`] for an error answer (`unknown_user_id`, `invalid_binding_message`,
    /// `access_denied`, `invalid_client`, ...: see [`CibaError::oauth_error`]) or transport
    /// failure; [`CibaError::InvalidAcknowledgement`]; the store's errors (the request was
    /// then acknowledged but is not tracked: a notification for it is refused, and it expires
    /// at the server).
    pub async fn initiate(
        &self,
        request: &BackchannelRequest,
    ) -> Result<BackchannelAck, CibaError> {
        let mode = self.client.delivery_mode;
        if self.signer.is_none() {
            if self.profile == Profile::Fapi {
                return Err(fapi("every request must be signed: set a request signer"));
            }
            if self.client.signing_alg.is_some() {
                return Err(CibaError::InvalidRequest(
                    "the client registered backchannel_authentication_request_signing_alg: set a request signer",
                ));
            }
        }
        let rules = Rules {
            mode,
            profile: self.profile,
            user_code_allowed: self.client.user_code_allowed(&self.server),
        };
        let (params, token) = request.checked(&rules)?;
        let form = match &self.signer {
            Some(signer) => {
                let jwt = sign_request(
                    params,
                    signer.as_ref(),
                    self.config.client_id(),
                    &self.config.server_metadata().issuer,
                    self.config.now(),
                    self.request_lifetime,
                )?;
                Params::from([("request", jwt.as_str())])
            }
            None => to_form(&params),
        };
        let body = self
            .config
            .authenticated_post(Endpoint::BackchannelAuthentication, form)
            .await?;
        let ack = BackchannelAck::read(&body, mode, token, Instant::now())?;
        if mode.uses_notification_endpoint() {
            if let Some(replay) = &self.replay {
                bind_once(replay.as_ref(), &ack.pending_request()?).await?;
            }
            if let Some(store) = &self.store {
                store.insert(ack.pending_request()?).await?;
            }
        }
        Ok(ack)
    }

    /// The configuration token requests go through (with the DPoP handle, if any).
    pub(crate) fn token_config(&self) -> Configuration {
        match &self.dpop {
            Some(handle) => self.config.with_dpop(handle.clone()),
            None => self.config.clone(),
        }
    }
}

/// Records the request's notification token and nonce once until the request expires.
async fn bind_once(store: &dyn ReplayStore, request: &PendingRequest) -> Result<(), CibaError> {
    let now = SystemTime::now();
    let token = request.token().expose().as_bytes();
    let mut ids = vec![ReplayId::from_parts(
        Namespace::CIBA_NOTIFICATION,
        &[b"token", token],
    )?];
    if let Some(nonce) = request.nonce() {
        ids.push(ReplayId::from_parts(
            Namespace::CIBA_NOTIFICATION,
            &[b"nonce", nonce.as_bytes()],
        )?);
    }
    for id in &ids {
        if store
            .check_and_record(id, now, request.expires_at())
            .await?
            == Seen::Replayed
        {
            return Err(CibaError::NotificationTokenReused);
        }
    }
    Ok(())
}

fn fapi(reason: &'static str) -> CibaError {
    CibaError::Profile {
        profile: "fapi",
        reason,
    }
}

fn fapi_alg(alg: JwsAlgorithm) -> bool {
    matches!(alg, JwsAlgorithm::PS256 | JwsAlgorithm::ES256)
}
