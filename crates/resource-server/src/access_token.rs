//! RFC 9068 JWT access tokens: the profile's checks on top of `jwt-claims`' [`Validation`].

use crate::{ScopeError, ScopeSet};
use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use jws::KeyResolver;
use jwt_claims::{Audience, JwtError, NumericDate, RegisteredClaims, Validation};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::any::Any;
use std::time::Duration;

/// The `typ` of a JWT access token (RFC 9068 §2.1); `application/at+jwt` matches too.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// The claims RFC 9068 §2.2 requires in every JWT access token.
pub const REQUIRED_CLAIMS: [&str; 7] = ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"];

/// Why an access token was refused (`invalid_token`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The JWT layer refused it: format, `typ`, algorithm, key, signature, `iss`, `aud`,
    /// times, a missing required claim.
    #[error(transparent)]
    Jwt(#[from] JwtError),
    /// A profile claim has the wrong type or form.
    #[error("claim {claim:?} is invalid: {reason}")]
    InvalidClaim {
        /// The claim.
        claim: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The `scope` claim is malformed.
    #[error("claim \"scope\" is invalid: {0}")]
    Scope(#[from] ScopeError),
    /// `auth_time` is required and absent.
    #[error("the token has no auth_time")]
    MissingAuthTime,
    /// The user authenticated longer ago than the configured maximum.
    #[error("the user authenticated at {auth_time}, more than {max_age_seconds} s ago")]
    AuthenticationTooOld {
        /// The `auth_time` claim.
        auth_time: NumericDate,
        /// The configured maximum, in seconds.
        max_age_seconds: u64,
    },
    /// `acr` is absent or not one of the accepted values.
    #[error("the token's acr is not an accepted value")]
    AcrNotAccepted,
    /// The authorization server says the (opaque) token is not active (RFC 7662).
    #[error("the token is not active")]
    Inactive,
    /// The token is bound to a DPoP key (`cnf.jkt`) but was presented with the `Bearer`
    /// scheme (RFC 9449 §7.2).
    #[error("a DPoP-bound token was presented as a Bearer token")]
    DpopBoundTokenAsBearer,
    /// The token was presented with the `DPoP` scheme but is not DPoP-bound (no `cnf.jkt`).
    #[error("a token without cnf.jkt was presented with the DPoP scheme")]
    NotDpopBound,
    /// The DPoP proof is signed by another key than the one the token is bound to.
    #[error("the DPoP proof's key is not the one the token is bound to")]
    DpopKeyMismatch,
    /// The token is bound to a client certificate (`cnf.x5t#S256`) and the request came
    /// without one.
    #[error("a certificate-bound token was presented without a client certificate")]
    MissingClientCertificate,
    /// The client certificate is not the one the token is bound to (RFC 8705 §3).
    #[error("the client certificate is not the one the token is bound to")]
    CertificateMismatch,
}

impl TokenError {
    /// A stable identifier of the kind of error: `jwt-claims`' codes for JWT errors, else
    /// `ERR_ACCESS_TOKEN_...`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Jwt(e) => e.code(),
            TokenError::InvalidClaim { .. } | TokenError::Scope(_) => {
                "ERR_JWT_CLAIM_VALIDATION_FAILED"
            }
            TokenError::MissingAuthTime | TokenError::AuthenticationTooOld { .. } => {
                "ERR_ACCESS_TOKEN_AUTH_TIME"
            }
            TokenError::AcrNotAccepted => "ERR_ACCESS_TOKEN_ACR",
            TokenError::Inactive => "ERR_ACCESS_TOKEN_INACTIVE",
            TokenError::DpopBoundTokenAsBearer
            | TokenError::NotDpopBound
            | TokenError::DpopKeyMismatch => "ERR_ACCESS_TOKEN_DPOP_BOUND",
            TokenError::MissingClientCertificate | TokenError::CertificateMismatch => {
                "ERR_ACCESS_TOKEN_CERTIFICATE_BOUND"
            }
        }
    }

    /// A fixed sentence for the client's `error_description`.
    #[must_use]
    pub fn description(&self) -> &'static str {
        match self {
            TokenError::Jwt(e) => match e {
                JwtError::Expired { .. } | JwtError::TooOld { .. } => "the access token expired",
                JwtError::AudienceMismatch | JwtError::AudienceNotExpected => {
                    "the access token is not for this resource"
                }
                JwtError::IssuerMismatch { .. } => "the access token is from another issuer",
                JwtError::TypMismatch { .. } => "the token is not a JWT access token (typ at+jwt)",
                _ => "the access token is invalid",
            },
            TokenError::MissingAuthTime | TokenError::AuthenticationTooOld { .. } => {
                "the user authentication is too old or unknown"
            }
            TokenError::AcrNotAccepted => "the user authentication is not strong enough",
            TokenError::Inactive => "the access token is not active",
            TokenError::DpopBoundTokenAsBearer => "a DPoP-bound token must use the DPoP scheme",
            TokenError::NotDpopBound => "the access token is not DPoP-bound",
            TokenError::DpopKeyMismatch => "the access token is bound to another DPoP key",
            TokenError::MissingClientCertificate | TokenError::CertificateMismatch => {
                "the access token is bound to another client certificate"
            }
            _ => "the access token is invalid",
        }
    }
}

/// What an RFC 9068 JWT access token must satisfy.
///
/// Defaults: `typ` `at+jwt`, every asymmetric signature algorithm (RS*, PS*, ES*, EdDSA; HMAC
/// is never accepted), 30 s of leeway on `exp`/`nbf`/`iat`, every claim of
/// [`REQUIRED_CLAIMS`], and neither `auth_time` nor `acr` required.
///
/// ```
/// use jose_core::alg::JwsAlgorithm;
/// use resource_server::AccessTokenValidation;
/// use std::time::Duration;
///
/// let validation = AccessTokenValidation::new("https://issuer.example", "https://api.example")
///     .algorithms([JwsAlgorithm::ES256, JwsAlgorithm::RS256])
///     .leeway(Duration::from_secs(5))
///     .require_auth_time(Some(Duration::from_secs(600)))
///     .acr_values(["urn:mace:incommon:iap:silver"]);
/// assert_eq!(validation.audience(), "https://api.example");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessTokenValidation {
    issuer: String,
    audience: String,
    algorithms: Vec<JwsAlgorithm>,
    leeway: Duration,
    require_auth_time: bool,
    max_auth_age: Option<Duration>,
    acr_values: Vec<String>,
    now: Option<NumericDate>,
    /// The `jwt-claims` validation of the fields above, built once rather than per token.
    jwt: Validation,
}

impl AccessTokenValidation {
    /// Tokens of `issuer` (compared exactly with `iss`) for the resource `audience` (one of
    /// the token's `aud` values must equal it).
    #[must_use]
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            algorithms: asymmetric_algorithms(),
            leeway: Duration::from_secs(30),
            require_auth_time: false,
            max_auth_age: None,
            acr_values: Vec::new(),
            now: None,
            jwt: Validation::new(),
        }
        .with_jwt_validation()
    }

    /// Accepts these signature algorithms only. Symmetric (HMAC) algorithms are dropped: an
    /// access token is verified with the issuer's public keys.
    #[must_use]
    pub fn algorithms(mut self, algs: impl IntoIterator<Item = JwsAlgorithm>) -> Self {
        self.algorithms = algs.into_iter().filter(|a| !a.is_symmetric()).collect();
        self.with_jwt_validation()
    }

    /// Clock tolerance for `exp`, `nbf`, `iat` and `auth_time` (default 30 s).
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self.with_jwt_validation()
    }

    /// Requires `auth_time`, and with `Some(max_age)` a user authentication at most that long
    /// ago.
    #[must_use]
    pub fn require_auth_time(mut self, max_age: Option<Duration>) -> Self {
        self.require_auth_time = true;
        self.max_auth_age = max_age;
        self
    }

    /// Requires `acr` to be one of these values.
    #[must_use]
    pub fn acr_values<S: Into<String>>(mut self, values: impl IntoIterator<Item = S>) -> Self {
        self.acr_values = values.into_iter().map(Into::into).collect();
        self
    }

    /// Uses this time instead of the system clock (tests).
    #[must_use]
    pub fn now(mut self, now: NumericDate) -> Self {
        self.now = Some(now);
        self.with_jwt_validation()
    }

    /// The accepted issuer.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// This resource's identifier, the accepted audience.
    #[must_use]
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The accepted signature algorithms.
    #[must_use]
    pub fn accepted_algorithms(&self) -> &[JwsAlgorithm] {
        &self.algorithms
    }

    /// Rebuilds the cached `jwt-claims` validation after a setter changed a field it uses.
    fn with_jwt_validation(mut self) -> Self {
        self.jwt = self.build_jwt_validation();
        self
    }

    /// The `jwt-claims` validation this profile runs first.
    fn build_jwt_validation(&self) -> Validation {
        let mut validation = Validation::new()
            .algorithms(self.algorithms.iter().copied())
            .typ(ACCESS_TOKEN_TYP)
            .issuer(&self.issuer)
            .audience(&self.audience)
            .leeway(self.leeway);
        for claim in REQUIRED_CLAIMS {
            validation = validation.require(claim);
        }
        if let Some(now) = self.now {
            validation = validation.now(now);
        }
        validation
    }

    fn current_time(&self) -> NumericDate {
        self.now.unwrap_or_else(NumericDate::now)
    }
}

fn asymmetric_algorithms() -> Vec<JwsAlgorithm> {
    JwsAlgorithm::ALL
        .iter()
        .copied()
        .filter(|a| !a.is_symmetric())
        .collect()
}

/// The `cnf` (confirmation) claim's members this crate understands (RFC 7800).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Confirmation {
    /// `jkt`: the RFC 7638 SHA-256 thumbprint of the DPoP key (RFC 9449 §6).
    pub jkt: Option<String>,
    /// `x5t#S256`: base64url SHA-256 of the DER client certificate (RFC 8705 §3.1).
    pub x5t_s256: Option<String>,
}

impl Confirmation {
    fn from_claims(claims: &Map<String, Value>) -> Result<Self, TokenError> {
        let invalid = |reason| TokenError::InvalidClaim {
            claim: "cnf",
            reason,
        };
        let cnf = match claims.get("cnf") {
            None => return Ok(Self::default()),
            Some(Value::Object(cnf)) => cnf,
            Some(_) => return Err(invalid("not a JSON object")),
        };
        let member = |name: &str| match cnf.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(_) => Err(invalid("a confirmation member is not a non-empty string")),
        };
        Ok(Self {
            jkt: member("jkt")?,
            x5t_s256: member("x5t#S256")?,
        })
    }
}

/// A verified RFC 9068 access token: the profile's claims typed, and the whole claims object
/// in the caller's type `T`.
///
/// Only [`verify_access_token`] (and [`ResourceServer`](crate::ResourceServer)) make one.
#[derive(Clone, Debug, PartialEq)]
pub struct AccessToken<T = Map<String, Value>> {
    header: Option<JwsHeader>,
    registered: RegisteredClaims,
    client_id: String,
    scope: ScopeSet,
    auth_time: Option<NumericDate>,
    acr: Option<String>,
    cnf: Confirmation,
    claims: T,
}

impl<T> AccessToken<T> {
    /// The protected header of a JWT access token; `None` for an opaque token that was
    /// introspected.
    #[must_use]
    pub fn header(&self) -> Option<&JwsHeader> {
        self.header.as_ref()
    }

    /// The registered claims (for a JWT access token `iss`, `sub`, `aud`, `exp`, `iat`, `jti`
    /// are all present; an introspection answer has those the server sent).
    #[must_use]
    pub fn registered(&self) -> &RegisteredClaims {
        &self.registered
    }

    /// `iss`.
    #[must_use]
    pub fn issuer(&self) -> &str {
        self.registered.iss.as_deref().unwrap_or_default()
    }

    /// `sub`: the resource owner, or the client itself for a client credentials grant.
    #[must_use]
    pub fn subject(&self) -> &str {
        self.registered.sub.as_deref().unwrap_or_default()
    }

    /// `aud`.
    #[must_use]
    pub fn audience(&self) -> Option<&Audience> {
        self.registered.aud.as_ref()
    }

    /// `jti`.
    #[must_use]
    pub fn jti(&self) -> &str {
        self.registered.jti.as_deref().unwrap_or_default()
    }

    /// `exp`.
    #[must_use]
    pub fn expires_at(&self) -> Option<NumericDate> {
        self.registered.exp
    }

    /// `client_id`: the client the token was issued to (empty when an introspection answer
    /// did not say).
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// `scope`, as a set (empty when the token has none).
    #[must_use]
    pub fn scope(&self) -> &ScopeSet {
        &self.scope
    }

    /// `auth_time`, when present.
    #[must_use]
    pub fn auth_time(&self) -> Option<NumericDate> {
        self.auth_time
    }

    /// `acr`, when present.
    #[must_use]
    pub fn acr(&self) -> Option<&str> {
        self.acr.as_deref()
    }

    /// `cnf`: what the token is bound to.
    #[must_use]
    pub fn confirmation(&self) -> &Confirmation {
        &self.cnf
    }

    /// The claims in the caller's type.
    #[must_use]
    pub fn claims(&self) -> &T {
        &self.claims
    }

    /// The claims, by value.
    #[must_use]
    pub fn into_claims(self) -> T {
        self.claims
    }
}

/// Verifies an RFC 9068 JWT access token with `keys`: signature with an accepted asymmetric
/// algorithm, `typ`, `iss`, `aud`, the times, the required claims, then `client_id`, `scope`,
/// `auth_time`/`acr` when asked and `cnf`'s form. The sender constraint itself (DPoP, mTLS)
/// is the caller's, see [`ResourceServer`](crate::ResourceServer).
///
/// ```
/// use jose_core::alg::JwsAlgorithm;
/// use jose_core::jwk::{Jwk, JwkSet};
/// use jws::SigningKey;
/// use jwt_claims::JwtBuilder;
/// use resource_server::{AccessTokenValidation, verify_access_token};
///
/// let key = SigningKey::new(Jwk::generate(JwsAlgorithm::ES256)?.with_kid("k1"), JwsAlgorithm::ES256)?;
/// let keys = JwkSet::new(vec![key.public_jwk()?])?;
/// let token = JwtBuilder::new()
///     .typ("at+jwt")
///     .issuer("https://issuer.example")
///     .audience("https://api.example")
///     .subject("alice")
///     .claim("client_id", "app")?
///     .claim("scope", "read write")?
///     .sign(&key)?;
///
/// let validation = AccessTokenValidation::new("https://issuer.example", "https://api.example");
/// let token = verify_access_token::<serde_json::Value>(&token, &keys, &validation)?;
/// assert_eq!(token.client_id(), "app");
/// assert!(token.scope().contains("write"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`TokenError`] naming the first failed check.
pub fn verify_access_token<T: DeserializeOwned + 'static>(
    token: &str,
    keys: &(impl KeyResolver + ?Sized),
    validation: &AccessTokenValidation,
) -> Result<AccessToken<T>, TokenError> {
    let verified = jwt_claims::verify::<Map<String, Value>>(token, keys, &validation.jwt)?;
    let header = verified.header().clone();
    let registered = verified.registered().clone();
    let claims = verified.into_claims();
    let client_id = match claims.get("client_id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => {
            return Err(TokenError::InvalidClaim {
                claim: "client_id",
                reason: "not a non-empty string",
            });
        }
    };
    profile_claims(Some(header), registered, client_id, claims, validation)
}

/// Checks an active introspection answer (RFC 7662) as this validation requires: `iss` and
/// `aud` when present, the times with leeway (`exp` not required), then `scope`,
/// `auth_time`/`acr` when asked and `cnf`.
pub(crate) fn from_claims_object<T: DeserializeOwned + 'static>(
    claims: Map<String, Value>,
    validation: &AccessTokenValidation,
) -> Result<AccessToken<T>, TokenError> {
    let mut jwt = Validation::new()
        .require_exp(false)
        .leeway(validation.leeway);
    if claims.contains_key("iss") {
        jwt = jwt.issuer(&validation.issuer);
    }
    jwt = if claims.contains_key("aud") {
        jwt.audience(&validation.audience)
    } else {
        jwt.ignore_audience()
    };
    if let Some(now) = validation.now {
        jwt = jwt.now(now);
    }
    let registered = jwt.check_claims(&claims)?;
    let client_id = match claims.get("client_id") {
        None => String::new(),
        Some(Value::String(id)) => id.clone(),
        Some(_) => {
            return Err(TokenError::InvalidClaim {
                claim: "client_id",
                reason: "not a string",
            });
        }
    };
    profile_claims(None, registered, client_id, claims, validation)
}

fn profile_claims<T: DeserializeOwned + 'static>(
    header: Option<JwsHeader>,
    registered: RegisteredClaims,
    client_id: String,
    claims: Map<String, Value>,
    validation: &AccessTokenValidation,
) -> Result<AccessToken<T>, TokenError> {
    let scope = match claims.get("scope") {
        None => ScopeSet::new(),
        Some(Value::String(s)) => ScopeSet::parse(s)?,
        Some(_) => {
            return Err(TokenError::InvalidClaim {
                claim: "scope",
                reason: "not a string",
            });
        }
    };
    let auth_time = check_auth_time(&claims, validation)?;
    let acr = check_acr(&claims, validation)?;
    let cnf = Confirmation::from_claims(&claims)?;
    let claims = into_caller_type(claims)?;
    Ok(AccessToken {
        header,
        registered,
        client_id,
        scope,
        auth_time,
        acr,
        cnf,
        claims,
    })
}

/// The claims object as the caller's `T`: moved as it is when `T` is the object (`Map`) or a
/// `Value`, deserialized otherwise.
fn into_caller_type<T: DeserializeOwned + 'static>(
    claims: Map<String, Value>,
) -> Result<T, TokenError> {
    let mut object = Some(claims);
    if let Some(same) = (&mut object as &mut dyn Any)
        .downcast_mut::<Option<T>>()
        .and_then(Option::take)
    {
        return Ok(same);
    }
    let mut value = Some(object.map_or(Value::Null, Value::Object));
    if let Some(same) = (&mut value as &mut dyn Any)
        .downcast_mut::<Option<T>>()
        .and_then(Option::take)
    {
        return Ok(same);
    }
    serde_json::from_value(value.unwrap_or(Value::Null))
        .map_err(|e| TokenError::Jwt(JwtError::Claims(e.to_string())))
}

fn check_auth_time(
    claims: &Map<String, Value>,
    validation: &AccessTokenValidation,
) -> Result<Option<NumericDate>, TokenError> {
    let auth_time = match claims.get("auth_time") {
        None => None,
        Some(v) => Some(NumericDate::from_json(v).ok_or(TokenError::InvalidClaim {
            claim: "auth_time",
            reason: "not a NumericDate",
        })?),
    };
    if !validation.require_auth_time {
        return Ok(auth_time);
    }
    let at = auth_time.ok_or(TokenError::MissingAuthTime)?;
    let now = validation.current_time();
    if at > now.plus(validation.leeway) {
        return Err(TokenError::InvalidClaim {
            claim: "auth_time",
            reason: "in the future",
        });
    }
    if let Some(max_age) = validation.max_auth_age
        && at.plus(max_age).plus(validation.leeway) < now
    {
        return Err(TokenError::AuthenticationTooOld {
            auth_time: at,
            max_age_seconds: max_age.as_secs(),
        });
    }
    Ok(auth_time)
}

fn check_acr(
    claims: &Map<String, Value>,
    validation: &AccessTokenValidation,
) -> Result<Option<String>, TokenError> {
    let acr = match claims.get("acr") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(TokenError::InvalidClaim {
                claim: "acr",
                reason: "not a string",
            });
        }
    };
    if !validation.acr_values.is_empty()
        && !acr
            .as_deref()
            .is_some_and(|a| validation.acr_values.iter().any(|v| v == a))
    {
        return Err(TokenError::AcrNotAccepted);
    }
    Ok(acr)
}
