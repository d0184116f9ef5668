//! The backchannel authentication request (CIBA §7.1) and its signed form (§7.1.1).

use crate::error::CibaError;
use crate::mode::{DeliveryMode, Profile};
use crate::notification_token::ClientNotificationToken;
use core::fmt;
use core::num::NonZeroU32;
use core::time::Duration;
use jws::Signer;
use jwt_claims::{JwtBuilder, NumericDate};
use oauth_client::Params;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

/// The longest `binding_message` this crate sends (the specification only asks for "relatively
/// short"; OpenID Providers commonly accept far less).
pub const MAX_BINDING_MESSAGE_CHARS: usize = 255;

/// The default lifetime (`exp − iat`) of a signed authentication request.
pub const DEFAULT_REQUEST_LIFETIME: Duration = Duration::from_secs(300);

/// The longest lifetime (`exp − nbf`) the FAPI profile allows for a signed request.
pub const FAPI_MAX_REQUEST_LIFETIME: Duration = Duration::from_secs(3600);

/// Names a caller cannot set as extension parameters: the ones this builder owns, client
/// authentication, and the claims of a signed request.
const RESERVED: &[&str] = &[
    "scope",
    "client_notification_token",
    "acr_values",
    "login_hint_token",
    "id_token_hint",
    "login_hint",
    "binding_message",
    "user_code",
    "requested_expiry",
    "request",
    "request_uri",
    "authorization_details",
    "resource",
    "request_context",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "grant_type",
    "iss",
    "aud",
    "exp",
    "iat",
    "nbf",
    "jti",
];

/// Who is to be authenticated: exactly one of the three hints of CIBA §7.1.
#[derive(Clone, PartialEq, Eq)]
pub enum UserHint {
    /// `login_hint`: an e-mail address, phone number, user name, ...
    LoginHint(String),
    /// `login_hint_token`: a token whose format the deployment defines.
    LoginHintToken(String),
    /// `id_token_hint`: an ID Token the OpenID Provider issued to this client (the inner
    /// signed JWT if it was encrypted).
    IdTokenHint(String),
}

impl UserHint {
    /// The parameter name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            UserHint::LoginHint(_) => "login_hint",
            UserHint::LoginHintToken(_) => "login_hint_token",
            UserHint::IdTokenHint(_) => "id_token_hint",
        }
    }

    fn value(&self) -> &str {
        match self {
            UserHint::LoginHint(v) | UserHint::LoginHintToken(v) | UserHint::IdTokenHint(v) => v,
        }
    }
}

impl fmt::Debug for UserHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserHint({} [redacted])", self.name())
    }
}

/// A backchannel authentication request, built with checks and sent with
/// [`crate::CibaClient::initiate`].
///
/// ```
/// use ciba::{BackchannelRequest, UserHint};
/// use core::num::NonZeroU32;
///
/// let request = BackchannelRequest::new("openid email", UserHint::LoginHint("alice@example.test".into()))
///     .binding_message("W4SCT")
///     .requested_expiry(NonZeroU32::new(120).unwrap())
///     .acr_values("urn:example:acr:strong");
/// # let _ = request;
/// ```
///
/// `Debug` shows which parameters are set, never their values.
#[derive(Clone)]
pub struct BackchannelRequest {
    scope: String,
    hint: UserHint,
    binding_message: Option<String>,
    user_code: Option<Zeroizing<String>>,
    requested_expiry: Option<NonZeroU32>,
    acr_values: Option<String>,
    notification_token: Option<ClientNotificationToken>,
    notification_nonce: Option<Zeroizing<String>>,
    authorization_details: Option<Value>,
    resources: Vec<String>,
    request_context: Option<Value>,
    extra: Vec<(String, Value)>,
    unique_context: bool,
}

impl fmt::Debug for BackchannelRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackchannelRequest")
            .field("scope", &self.scope)
            .field("hint", &self.hint)
            .field("binding_message", &self.binding_message.is_some())
            .field("user_code", &self.user_code.is_some())
            .field("requested_expiry", &self.requested_expiry)
            .field("notification_token", &self.notification_token.is_some())
            .field(
                "extensions",
                &self.extra.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl BackchannelRequest {
    /// A request for `scope` (which must contain `openid`) about the user `hint` names.
    #[must_use]
    pub fn new(scope: impl Into<String>, hint: UserHint) -> Self {
        Self {
            scope: scope.into(),
            hint,
            binding_message: None,
            user_code: None,
            requested_expiry: None,
            acr_values: None,
            notification_token: None,
            notification_nonce: None,
            authorization_details: None,
            resources: Vec::new(),
            request_context: None,
            extra: Vec::new(),
            unique_context: false,
        }
    }

    /// `binding_message`: a short plain text shown on both devices so the user can tell that
    /// they belong together.
    #[must_use]
    pub fn binding_message(mut self, message: impl Into<String>) -> Self {
        self.binding_message = Some(message.into());
        self
    }

    /// `user_code`: a secret the user knows, sent only when both the server
    /// (`backchannel_user_code_parameter_supported`) and the client
    /// (`backchannel_user_code_parameter`) support it.
    #[must_use]
    pub fn user_code(mut self, code: impl Into<String>) -> Self {
        self.user_code = Some(Zeroizing::new(code.into()));
        self
    }

    /// `requested_expiry`: the lifetime, in seconds, the client asks for.
    #[must_use]
    pub fn requested_expiry(mut self, seconds: NonZeroU32) -> Self {
        self.requested_expiry = Some(seconds);
        self
    }

    /// `acr_values`: space-separated, in order of preference.
    #[must_use]
    pub fn acr_values(mut self, values: impl Into<String>) -> Self {
        self.acr_values = Some(values.into());
        self
    }

    /// The `client_notification_token` for ping and push (default: a fresh 256-bit token).
    #[must_use]
    pub fn client_notification_token(mut self, token: ClientNotificationToken) -> Self {
        self.notification_token = Some(token);
        self
    }

    /// A signed client notification token (see [`crate::NotificationTokenIssuer`]): sent as
    /// the `client_notification_token`, and its nonce is stored with the pending request so
    /// that the notification endpoint can verify it.
    #[must_use]
    pub fn signed_notification_token(mut self, minted: &crate::MintedToken) -> Self {
        self.notification_token = Some(minted.token().clone());
        self.notification_nonce = Some(Zeroizing::new(minted.nonce().to_owned()));
        self
    }

    /// `authorization_details` (RFC 9396): a JSON array of objects with a `type`.
    #[must_use]
    pub fn authorization_details(mut self, details: Value) -> Self {
        self.authorization_details = Some(details);
        self
    }

    /// A `resource` (RFC 8707); may be given several times.
    #[must_use]
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resources.push(resource.into());
        self
    }

    /// `request_context` (FAPI-CIBA): a JSON object with context for fraud checks.
    #[must_use]
    pub fn request_context(mut self, context: Value) -> Self {
        self.request_context = Some(context);
        self
    }

    /// Another extension parameter. Strings are sent as they are, other JSON values as JSON
    /// text (and as JSON values inside a signed request).
    #[must_use]
    pub fn param(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    /// Asserts that the authorization context is unique to this request (for example a
    /// payment whose details the user sees on the authentication device), which the FAPI
    /// profile accepts instead of a `binding_message`.
    #[must_use]
    pub fn unique_authorization_context(mut self) -> Self {
        self.unique_context = true;
        self
    }

    /// The hint.
    #[must_use]
    pub fn hint(&self) -> &UserHint {
        &self.hint
    }

    /// Checks the request and turns it into JSON parameters; returns them with the
    /// notification token to send (generated for ping and push when none was given).
    pub(crate) fn checked(
        &self,
        rules: &Rules,
    ) -> Result<(Map<String, Value>, Option<NotificationCredential>), CibaError> {
        if !self.scope.split(' ').any(|s| s == "openid") {
            return Err(CibaError::InvalidRequest("scope must contain openid"));
        }
        if self.hint.value().is_empty() {
            return Err(CibaError::InvalidRequest("the hint must not be empty"));
        }
        let mut out = Map::new();
        out.insert("scope".into(), self.scope.clone().into());
        out.insert(self.hint.name().into(), self.hint.value().into());

        self.insert_user_parameters(rules, &mut out)?;
        let token = self.notification_credential(rules)?;
        if let Some(t) = &token {
            out.insert("client_notification_token".into(), t.token.expose().into());
        }
        self.insert_extensions(&mut out)?;
        Ok((out, token))
    }

    /// `binding_message` (required by FAPI unless the context is unique), `user_code` (when
    /// the server and client allow it), `requested_expiry` and `acr_values`.
    fn insert_user_parameters(
        &self,
        rules: &Rules,
        out: &mut Map<String, Value>,
    ) -> Result<(), CibaError> {
        match &self.binding_message {
            Some(m) => {
                if m.is_empty()
                    || m.chars().count() > MAX_BINDING_MESSAGE_CHARS
                    || m.chars().any(char::is_control)
                {
                    return Err(CibaError::InvalidRequest(
                        "binding_message must be 1 to 255 characters without control characters",
                    ));
                }
                out.insert("binding_message".into(), m.clone().into());
            }
            None if rules.profile == Profile::Fapi && !self.unique_context => {
                return Err(CibaError::Profile {
                    profile: "fapi",
                    reason: "a binding_message is required unless the authorization context is unique",
                });
            }
            None => {}
        }
        if let Some(code) = &self.user_code {
            if !rules.user_code_allowed {
                return Err(CibaError::InvalidRequest(
                    "user_code needs backchannel_user_code_parameter_supported on the server and backchannel_user_code_parameter on the client",
                ));
            }
            if code.is_empty() {
                return Err(CibaError::InvalidRequest("user_code must not be empty"));
            }
            out.insert("user_code".into(), code.as_str().into());
        }
        if let Some(expiry) = self.requested_expiry {
            out.insert("requested_expiry".into(), expiry.get().into());
        }
        if let Some(acr) = &self.acr_values {
            if acr.split(' ').any(str::is_empty) {
                return Err(CibaError::InvalidRequest(
                    "acr_values must be values separated by single spaces",
                ));
            }
            out.insert("acr_values".into(), acr.clone().into());
        }
        Ok(())
    }

    /// The notification token to send: ping and push use the given one or a fresh one; poll
    /// takes none.
    fn notification_credential(
        &self,
        rules: &Rules,
    ) -> Result<Option<NotificationCredential>, CibaError> {
        Ok(if rules.mode.uses_notification_endpoint() {
            Some(match &self.notification_token {
                Some(t) => NotificationCredential {
                    token: t.clone(),
                    nonce: self.notification_nonce.clone(),
                },
                None => NotificationCredential {
                    token: ClientNotificationToken::generate()?,
                    nonce: None,
                },
            })
        } else if self.notification_token.is_some() {
            return Err(CibaError::InvalidRequest(
                "client_notification_token is only for the ping and push modes",
            ));
        } else {
            None
        })
    }

    /// `authorization_details`, `resource`, `request_context` and the extension parameters.
    fn insert_extensions(&self, out: &mut Map<String, Value>) -> Result<(), CibaError> {
        if let Some(details) = &self.authorization_details {
            let valid = details.as_array().is_some_and(|items| {
                !items.is_empty()
                    && items
                        .iter()
                        .all(|i| i.get("type").is_some_and(Value::is_string))
            });
            if !valid {
                return Err(CibaError::InvalidRequest(
                    "authorization_details must be a non-empty array of objects with a type",
                ));
            }
            out.insert("authorization_details".into(), details.clone());
        }
        match self.resources.as_slice() {
            [] => {}
            [one] => {
                out.insert("resource".into(), one.clone().into());
            }
            many => {
                out.insert("resource".into(), many.to_vec().into());
            }
        }
        if let Some(context) = &self.request_context {
            if !context.is_object() {
                return Err(CibaError::InvalidRequest(
                    "request_context must be a JSON object",
                ));
            }
            out.insert("request_context".into(), context.clone());
        }
        for (name, value) in &self.extra {
            if name.is_empty() || RESERVED.contains(&name.as_str()) {
                return Err(CibaError::InvalidRequest(
                    "an extension parameter has an empty or reserved name (use the builder's methods)",
                ));
            }
            if out.insert(name.clone(), value.clone()).is_some() {
                return Err(CibaError::InvalidRequest(
                    "an extension parameter is given twice",
                ));
            }
        }
        Ok(())
    }
}

/// The notification token of a request, and the nonce of a signed one. `Debug` shows
/// neither.
#[derive(Clone)]
pub(crate) struct NotificationCredential {
    pub(crate) token: ClientNotificationToken,
    pub(crate) nonce: Option<Zeroizing<String>>,
}

impl fmt::Debug for NotificationCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotificationCredential")
            .field("token", &self.token)
            .field("nonce", &self.nonce.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// What [`BackchannelRequest::checked`] needs to know about the client.
#[derive(Debug)]
pub(crate) struct Rules {
    pub(crate) mode: DeliveryMode,
    pub(crate) profile: Profile,
    pub(crate) user_code_allowed: bool,
}

/// Form parameters for an unsigned request: strings as they are, numbers as decimal text,
/// `resource` arrays as repeated parameters, other JSON as JSON text.
pub(crate) fn to_form(params: &Map<String, Value>) -> Params {
    let mut form = Params::new();
    for (name, value) in params {
        match (name.as_str(), value) {
            (_, Value::String(s)) => form = form.append(name.clone(), s.clone()),
            ("resource", Value::Array(items)) => {
                for item in items {
                    if let Value::String(s) = item {
                        form = form.append(name.clone(), s.clone());
                    }
                }
            }
            (_, other) => form = form.append(name.clone(), other.to_string()),
        }
    }
    form
}

/// Signs `params` as a request object: every parameter becomes a claim, plus `iss` (the
/// client), `aud` (the issuer), `iat` and `nbf` (now), `exp` (now + lifetime) and a random
/// `jti`.
pub(crate) fn sign_request(
    params: Map<String, Value>,
    signer: &(dyn Signer + Send + Sync),
    client_id: &str,
    issuer: &str,
    now: i64,
    lifetime: Duration,
) -> Result<String, CibaError> {
    let issued = NumericDate::from_seconds(now);
    let mut builder = JwtBuilder::new()
        .issuer(client_id)
        .audience(issuer)
        .issued_at(issued)
        .not_before(issued)
        .expires_at(issued.plus(lifetime))
        .random_jti(16);
    for (name, value) in params {
        builder = builder
            .claim(name, value)
            .map_err(|e| CibaError::Signing(e.to_string()))?;
    }
    builder
        .sign(signer)
        .map_err(|e| CibaError::Signing(e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    fn rules(mode: DeliveryMode) -> Rules {
        Rules {
            mode,
            profile: Profile::Core,
            user_code_allowed: false,
        }
    }

    fn alice() -> UserHint {
        UserHint::LoginHint("alice".into())
    }

    #[test]
    fn scope_must_contain_openid() {
        let r = BackchannelRequest::new("email openidx", alice());
        assert!(matches!(
            r.checked(&rules(DeliveryMode::Poll)),
            Err(CibaError::InvalidRequest(_))
        ));
        BackchannelRequest::new("email openid", alice())
            .checked(&rules(DeliveryMode::Poll))
            .unwrap();
    }

    #[test]
    fn ping_and_push_get_a_generated_notification_token_poll_refuses_one() {
        let (params, token) = BackchannelRequest::new("openid", alice())
            .checked(&rules(DeliveryMode::Ping))
            .unwrap();
        let token = token.unwrap().token;
        assert_eq!(params["client_notification_token"], token.expose());
        let r = BackchannelRequest::new("openid", alice())
            .client_notification_token(ClientNotificationToken::generate().unwrap());
        assert!(r.checked(&rules(DeliveryMode::Poll)).is_err());
        let (params, token) = BackchannelRequest::new("openid", alice())
            .checked(&rules(DeliveryMode::Poll))
            .unwrap();
        assert!(token.is_none() && !params.contains_key("client_notification_token"));
    }

    #[test]
    fn user_code_only_when_both_sides_support_it() {
        let r = BackchannelRequest::new("openid", alice()).user_code("1234");
        assert!(r.checked(&rules(DeliveryMode::Poll)).is_err());
        let mut allowed = rules(DeliveryMode::Poll);
        allowed.user_code_allowed = true;
        assert_eq!(r.checked(&allowed).unwrap().0["user_code"], "1234");
    }

    #[test]
    fn binding_message_acr_values_and_extensions_are_checked() {
        let poll = rules(DeliveryMode::Poll);
        for bad in [
            BackchannelRequest::new("openid", alice()).binding_message(""),
            BackchannelRequest::new("openid", alice()).binding_message("a\nb"),
            BackchannelRequest::new("openid", alice()).binding_message("x".repeat(256)),
            BackchannelRequest::new("openid", alice()).acr_values("a  b"),
            BackchannelRequest::new("openid", alice()).param("login_hint", "bob"),
            BackchannelRequest::new("openid", alice()).param("exp", 1),
            BackchannelRequest::new("openid", alice())
                .param("x", 1)
                .param("x", 2),
            BackchannelRequest::new("openid", alice()).authorization_details(Value::Null),
            BackchannelRequest::new("openid", alice())
                .authorization_details(serde_json::json!([{"actions": []}])),
            BackchannelRequest::new("openid", alice()).request_context(serde_json::json!([1])),
            BackchannelRequest::new("openid", UserHint::IdTokenHint(String::new())),
        ] {
            assert!(
                matches!(bad.checked(&poll), Err(CibaError::InvalidRequest(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_form_encodes_numbers_json_and_repeated_resources() {
        let (params, _) = BackchannelRequest::new("openid", alice())
            .requested_expiry(NonZeroU32::new(120).unwrap())
            .resource("urn:a")
            .resource("urn:b")
            .request_context(serde_json::json!({"ip": "192.0.2.1"}))
            .param("x_custom", "v")
            .checked(&rules(DeliveryMode::Poll))
            .unwrap();
        let form = to_form(&params);
        assert_eq!(form.get("requested_expiry"), Some("120"));
        assert_eq!(
            form.iter()
                .filter(|(k, _)| *k == "resource")
                .map(|(_, v)| v)
                .collect::<Vec<_>>(),
            ["urn:a", "urn:b"]
        );
        assert_eq!(form.get("request_context"), Some(r#"{"ip":"192.0.2.1"}"#));
        assert_eq!(form.get("x_custom"), Some("v"));
        assert_eq!(form.get("login_hint"), Some("alice"));
    }

    #[test]
    fn fapi_requires_a_binding_message_unless_the_context_is_unique() {
        let fapi = Rules {
            mode: DeliveryMode::Poll,
            profile: Profile::Fapi,
            user_code_allowed: false,
        };
        assert!(matches!(
            BackchannelRequest::new("openid", alice()).checked(&fapi),
            Err(CibaError::Profile { .. })
        ));
        BackchannelRequest::new("openid", alice())
            .unique_authorization_context()
            .checked(&fapi)
            .unwrap();
        BackchannelRequest::new("openid", alice())
            .binding_message("W4SCT")
            .checked(&fapi)
            .unwrap();
    }

    #[test]
    fn signed_requests_carry_every_parameter_and_the_registered_claims() {
        let key = jws::SigningKey::generate(jose_core::alg::JwsAlgorithm::ES256).unwrap();
        let (params, _) = BackchannelRequest::new("openid", alice())
            .requested_expiry(NonZeroU32::new(120).unwrap())
            .checked(&rules(DeliveryMode::Poll))
            .unwrap();
        let jwt = sign_request(
            params,
            &key,
            "rp",
            "https://op.example",
            1_800_000_000,
            DEFAULT_REQUEST_LIFETIME,
        )
        .unwrap();
        let (_, claims) = jwt_claims::decode_unverified(&jwt).unwrap();
        assert_eq!(claims["iss"], "rp");
        assert_eq!(claims["aud"], "https://op.example");
        assert_eq!(claims["iat"], 1_800_000_000);
        assert_eq!(claims["nbf"], 1_800_000_000);
        assert_eq!(claims["exp"], 1_800_000_300);
        assert!(claims["jti"].as_str().unwrap().len() >= 22);
        assert_eq!(claims["requested_expiry"], 120);
        assert_eq!(claims["login_hint"], "alice");
    }

    #[test]
    fn notification_credential_debug_hides_token_and_nonce() {
        let token = ClientNotificationToken::generate().unwrap();
        let credential = NotificationCredential {
            token: token.clone(),
            nonce: Some(Zeroizing::new("nonce-bound-to-the-request".into())),
        };
        let shown = format!("{credential:?}");
        assert!(!shown.contains(token.expose()), "{shown}");
        assert!(!shown.contains("nonce-bound"), "{shown}");
    }
}
