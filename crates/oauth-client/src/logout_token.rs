//! Logout Token validation (OpenID Connect Back-Channel Logout 1.0 §2.4, §2.6).
//!
//! A logout token is a JWT the OpenID Provider signs with its ID Token keys and POSTs to the
//! relying party's `backchannel_logout_uri`. It is verified here through the same pipeline and
//! JWK Set cache as ID Tokens, then checked claim by claim; its `jti` is recorded in a
//! [`ReplayStore`] so that the same token cannot end sessions twice.

use crate::id_token::claim_failure;
use crate::jwks::precheck_jwt;
use crate::{Configuration, Error};
use core::fmt;
use jose_core::alg::JwsAlgorithm;
use jose_core::json::truncate_for_error;
use jose_core::jwk::{Jwk, KeyMaterial, OctKey};
use jose_core::{SecretBytes, constant_time_eq};
use jwt_claims::{ClaimError, ClaimReader, NumericDate, TimeRules};
use replay_store::{Namespace, ReplayId, ReplayStore, Seen, StoreError};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The `typ` header value of an explicitly typed logout token (§2.4).
pub const LOGOUT_TOKEN_TYP: &str = "logout+jwt";

/// The member of the `events` claim that makes a JWT a logout token (§2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// A token whose signature verified: its header's `typ`, its algorithm and its claims.
type Verified = (Option<String>, JwsAlgorithm, Map<String, Value>);

/// What the checks call the token in errors from the shared JWT pipeline.
const WHAT: &str = "logout token";

/// Which check a logout token failed (see [`LogoutTokenError`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LogoutTokenCheck {
    /// Not a compact JWS (or a JWE whose plaintext is one) within the size limit.
    Format,
    /// The `typ` header is neither `logout+jwt` nor (unless refused) absent or `JWT`.
    Type,
    /// Unsigned, or signed with an algorithm that is not allowed.
    Algorithm,
    /// No key of the provider's JWK Set (or no client secret, for HS*) fits the token.
    Key,
    /// The signature does not verify.
    Signature,
    /// The provider's JWK Set could not be fetched or used.
    KeySet,
    /// `iss` is missing or is not the issuer.
    Issuer,
    /// `aud` is missing or does not contain the `client_id`.
    Audience,
    /// `iat` is missing or in the future.
    IssuedAt,
    /// `exp` is missing or has passed.
    Expiration,
    /// `jti` is missing or empty.
    JwtId,
    /// `events` is missing, is not an object, or lacks the back-channel logout member with
    /// an object value.
    Events,
    /// Neither `sub` nor `sid` is present.
    SubjectOrSession,
    /// `nonce` is present (prohibited, so that a logout token never passes as an ID Token).
    Nonce,
    /// A registered claim has the wrong type.
    ClaimType,
    /// The `jti` was already seen: a replay.
    Replay,
    /// The replay store could not answer; the token is refused (fail closed).
    ReplayStore,
}

impl LogoutTokenCheck {
    /// A stable, machine-readable name of the check, for logs, metrics and the CLI.
    ///
    /// | check | code |
    /// |---|---|
    /// | `Format` | `format` |
    /// | `Type` | `typ` |
    /// | `Algorithm` | `alg` |
    /// | `Key` | `key` |
    /// | `Signature` | `signature` |
    /// | `KeySet` | `jwks` |
    /// | `Issuer` | `iss` |
    /// | `Audience` | `aud` |
    /// | `IssuedAt` | `iat` |
    /// | `Expiration` | `exp` |
    /// | `JwtId` | `jti` |
    /// | `Events` | `events` |
    /// | `SubjectOrSession` | `sub_or_sid` |
    /// | `Nonce` | `nonce` |
    /// | `ClaimType` | `claim_type` |
    /// | `Replay` | `replay` |
    /// | `ReplayStore` | `replay_store` |
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Format => "format",
            Self::Type => "typ",
            Self::Algorithm => "alg",
            Self::Key => "key",
            Self::Signature => "signature",
            Self::KeySet => "jwks",
            Self::Issuer => "iss",
            Self::Audience => "aud",
            Self::IssuedAt => "iat",
            Self::Expiration => "exp",
            Self::JwtId => "jti",
            Self::Events => "events",
            Self::SubjectOrSession => "sub_or_sid",
            Self::Nonce => "nonce",
            Self::ClaimType => "claim_type",
            Self::Replay => "replay",
            Self::ReplayStore => "replay_store",
        }
    }
}

impl fmt::Display for LogoutTokenCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a logout token was refused.
///
/// [`LogoutTokenError::check`] names the failed check; messages never contain the token.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogoutTokenError {
    /// A header or claim check failed.
    #[error("logout token check {check} failed: {detail}")]
    Check {
        /// Which check.
        check: LogoutTokenCheck,
        /// What was wrong (never the token).
        detail: String,
    },
    /// The token's `jti` was already recorded: a replay.
    #[error("logout token check replay failed: this jti was already used")]
    Replayed,
    /// The replay store could not answer, so the token is refused.
    #[error("logout token check replay_store failed: {0}")]
    ReplayStore(StoreError),
    /// Decoding, decryption, key selection or signature verification failed (the shared JWT
    /// pipeline of the crate, the same as for ID Tokens).
    #[error("logout token check {} failed: {source}", verification_check(.source))]
    Verification {
        /// The pipeline's error.
        source: Error,
    },
}

impl LogoutTokenError {
    /// The check that failed.
    #[must_use]
    pub fn check(&self) -> LogoutTokenCheck {
        match self {
            Self::Check { check, .. } => *check,
            Self::Replayed => LogoutTokenCheck::Replay,
            Self::ReplayStore(_) => LogoutTokenCheck::ReplayStore,
            Self::Verification { source } => verification_check(source),
        }
    }

    /// A stable code: `logout_token_` and the check's [`LogoutTokenCheck::code`]
    /// (`logout_token_iss`, `logout_token_replay`, ...).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self.check() {
            LogoutTokenCheck::Format => "logout_token_format",
            LogoutTokenCheck::Type => "logout_token_typ",
            LogoutTokenCheck::Algorithm => "logout_token_alg",
            LogoutTokenCheck::Key => "logout_token_key",
            LogoutTokenCheck::Signature => "logout_token_signature",
            LogoutTokenCheck::KeySet => "logout_token_jwks",
            LogoutTokenCheck::Issuer => "logout_token_iss",
            LogoutTokenCheck::Audience => "logout_token_aud",
            LogoutTokenCheck::IssuedAt => "logout_token_iat",
            LogoutTokenCheck::Expiration => "logout_token_exp",
            LogoutTokenCheck::JwtId => "logout_token_jti",
            LogoutTokenCheck::Events => "logout_token_events",
            LogoutTokenCheck::SubjectOrSession => "logout_token_sub_or_sid",
            LogoutTokenCheck::Nonce => "logout_token_nonce",
            LogoutTokenCheck::ClaimType => "logout_token_claim_type",
            LogoutTokenCheck::Replay => "logout_token_replay",
            LogoutTokenCheck::ReplayStore => "logout_token_replay_store",
        }
    }

    /// Whether the token may be fine and a dependency failed (the JWK Set could not be
    /// fetched, the replay store did not answer): the request may succeed when retried.
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self.check(),
            LogoutTokenCheck::KeySet | LogoutTokenCheck::ReplayStore
        )
    }

    fn check_failed(check: LogoutTokenCheck, detail: impl Into<String>) -> Self {
        Self::Check {
            check,
            detail: detail.into(),
        }
    }
}

fn verification_check(e: &Error) -> LogoutTokenCheck {
    match e {
        Error::UnsignedJwt { .. } | Error::AlgorithmNotAllowed { .. } => {
            LogoutTokenCheck::Algorithm
        }
        Error::KeyNotFound { .. } => LogoutTokenCheck::Key,
        Error::Jwt {
            source: jwt_claims::JwtError::Jws(jws::JwsError::Malformed(_)),
            ..
        }
        | Error::Jwt {
            source: jwt_claims::JwtError::Payload(_),
            ..
        }
        | Error::EncryptedResponse(_)
        | Error::Decryption { .. } => LogoutTokenCheck::Format,
        Error::Jwt { .. } => LogoutTokenCheck::Signature,
        // No usable algorithm configured or advertised.
        Error::InvalidConfiguration(_) => LogoutTokenCheck::Algorithm,
        // Fetching or reading the JWK Set.
        _ => LogoutTokenCheck::KeySet,
    }
}

/// The claims of a validated logout token.
///
/// Only [`LogoutTokenVerifier::verify`] makes one, after the signature, every claim check and
/// the replay check passed. At least one of `sub` and `sid` is present.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LogoutTokenClaims {
    /// `iss`.
    pub iss: String,
    /// `aud`, as a list.
    pub aud: Vec<String>,
    /// `iat`, seconds since the epoch.
    pub iat: i64,
    /// `exp`, seconds since the epoch.
    pub exp: i64,
    /// `jti`.
    pub jti: String,
    /// `sub`: with no `sid`, every session of this subject at this issuer ends.
    pub sub: Option<String>,
    /// `sid`: the provider's session whose sessions at this client end.
    pub sid: Option<String>,
    /// The JWS algorithm the token was signed with.
    pub alg: JwsAlgorithm,
    claims: Map<String, Value>,
}

impl LogoutTokenClaims {
    /// Every claim of the token (including `events`).
    #[must_use]
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// One claim.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }
}

/// Verifies back-channel logout tokens for one client of one issuer.
///
/// The checks (§2.6), all mandatory: a signature by the provider's ID Token keys (the
/// configuration's JWK Set cache, refetched for an unknown `kid`; never `none`; HS* only after
/// [`LogoutTokenVerifier::allow_symmetric_algorithm`]), `typ` `logout+jwt` (an absent `typ` or
/// `JWT` is accepted for providers that predate explicit typing, unless
/// [`LogoutTokenVerifier::require_explicit_typ`]), `iss` the issuer, `aud` containing the
/// `client_id`, `iat` not in the future, `exp` not passed (both with the configuration's clock
/// tolerance), a non-empty `jti`, `events` with the back-channel logout member holding an
/// object, `sub` and/or `sid`, no `nonce`, and finally the `jti` recorded in the replay store
/// (per issuer, until `exp` plus the tolerance). A replay store error refuses the token.
///
/// ```
/// use jose_core::{alg::JwsAlgorithm, jwk::{Jwk, JwkSet}};
/// use oauth_client::{
///     ClientAuth, ClientMetadata, Configuration, ExportedJwksCache, LogoutTokenCheck,
///     LogoutTokenVerifier,
/// };
/// use replay_store::MemoryReplayStore;
/// use serde_json::json;
/// use std::sync::Arc;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = serde_json::from_value(json!({
///     "issuer": "https://op.example",
///     "jwks_uri": "https://op.example/jwks",
///     "id_token_signing_alg_values_supported": ["ES256"],
/// }))?;
/// let config = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none()).build(server)?;
/// // The provider's key; in production its JWK Set is fetched from `jwks_uri`.
/// let op_key = jws::SigningKey::new(Jwk::generate(JwsAlgorithm::ES256)?.with_kid("op-1"), JwsAlgorithm::ES256)?;
/// let op_jwks = serde_json::from_str(&JwkSet::new(vec![op_key.public_jwk()?])?.to_json())?;
/// config.set_jwks_cache(&ExportedJwksCache::new(op_jwks, config.now()))?;
///
/// let verifier = LogoutTokenVerifier::new(config.clone(), Arc::new(MemoryReplayStore::default()));
/// let token = jwt_claims::JwtBuilder::new()
///     .typ("logout+jwt")
///     .issuer("https://op.example")
///     .audience("rp")
///     .lifetime(std::time::Duration::from_secs(120))
///     .jti("bWJq")
///     .claim("sid", "08a5019c")?
///     .claim("events", json!({"http://schemas.openid.net/event/backchannel-logout": {}}))?
///     .sign(&op_key)?;
/// let claims = verifier.verify(&token).await?;
/// assert_eq!(claims.sid.as_deref(), Some("08a5019c"));
/// // The same token again is a replay.
/// let err = verifier.verify(&token).await.unwrap_err();
/// assert_eq!(err.check(), LogoutTokenCheck::Replay);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct LogoutTokenVerifier {
    config: Configuration,
    replay: Option<Arc<dyn ReplayStore>>,
    symmetric: Vec<JwsAlgorithm>,
    require_typ: bool,
}

impl fmt::Debug for LogoutTokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogoutTokenVerifier")
            .field("issuer", &self.config.server_metadata().issuer)
            .field("client_id", &self.config.client_id())
            .field(
                "replay",
                &self
                    .replay
                    .as_ref()
                    .map_or("disabled".into(), |r| r.describe()),
            )
            .field("symmetric", &self.symmetric)
            .field("require_typ", &self.require_typ)
            .finish()
    }
}

impl LogoutTokenVerifier {
    /// The replay namespace of logout tokens (`jose:replay:logout-token:<hash>` in Redis).
    pub const NAMESPACE: Namespace = Namespace::LOGOUT_TOKEN;

    /// A verifier for the client and issuer of `config`, recording each token's `jti` in
    /// `replay` (share one store between the instances of an application, for example a
    /// `RedisReplayStore`).
    #[must_use]
    pub fn new(config: Configuration, replay: Arc<dyn ReplayStore>) -> Self {
        Self {
            config,
            replay: Some(replay),
            symmetric: Vec::new(),
            require_typ: false,
        }
    }

    /// **Dangerous**: a verifier that does not detect replays. A captured logout token can
    /// then be sent again until it expires (ending sessions the user opened since). Only for
    /// tools that inspect a token once, such as `jose oauth logout-token`.
    #[must_use]
    pub fn without_replay_detection(config: Configuration) -> Self {
        Self {
            config,
            replay: None,
            symmetric: Vec::new(),
            require_typ: false,
        }
    }

    /// Also accepts tokens signed with `alg` (HS256, HS384 or HS512) keyed by the client
    /// secret, for providers configured to sign ID Tokens that way. Off by default: anyone who
    /// knows the client secret can then forge logout tokens.
    ///
    /// # Errors
    /// [`Error::InvalidConfiguration`] when `alg` is not an HMAC algorithm or the client has
    /// no `client_secret`.
    pub fn allow_symmetric_algorithm(mut self, alg: JwsAlgorithm) -> Result<Self, Error> {
        if !alg.is_symmetric() {
            return Err(Error::InvalidConfiguration(format!(
                "logout token: {alg:?} is not an HMAC algorithm"
            )));
        }
        self.hmac_key(alg)?;
        if !self.symmetric.contains(&alg) {
            self.symmetric.push(alg);
        }
        Ok(self)
    }

    /// Refuses tokens without `typ: logout+jwt` (an absent `typ` or `JWT` is otherwise
    /// accepted, as the specification lets providers that predate explicit typing omit it).
    #[must_use]
    pub fn require_explicit_typ(mut self) -> Self {
        self.require_typ = true;
        self
    }

    /// The configuration whose issuer, client and JWK Set the verifier uses.
    #[must_use]
    pub fn configuration(&self) -> &Configuration {
        &self.config
    }

    /// Verifies a logout token (the `logout_token` form parameter, compact JWS or JWE).
    ///
    /// # Errors
    /// [`LogoutTokenError`], naming the failed check.
    pub async fn verify(&self, token: &str) -> Result<LogoutTokenClaims, LogoutTokenError> {
        let (typ, alg, claims) = self.verify_signature(token).await?;
        self.check_typ(typ.as_deref())?;
        let claims = check_claims(alg, claims, &self.expectations())?;
        self.check_replay(&claims).await?;
        Ok(claims)
    }

    fn expectations(&self) -> Expectations<'_> {
        Expectations {
            issuer: &self.config.server_metadata().issuer,
            client_id: self.config.client_id(),
            now: self.config.now(),
            tolerance: self.config.tolerance(),
        }
    }

    fn check_typ(&self, typ: Option<&str>) -> Result<(), LogoutTokenError> {
        let normalized = typ.map(|t| {
            let t = t.to_ascii_lowercase();
            t.strip_prefix("application/")
                .map(str::to_owned)
                .unwrap_or(t)
        });
        match normalized.as_deref() {
            Some(LOGOUT_TOKEN_TYP) => Ok(()),
            None | Some("jwt") if !self.require_typ => Ok(()),
            _ => Err(LogoutTokenError::check_failed(
                LogoutTokenCheck::Type,
                format!(
                    "typ {:?} is not {LOGOUT_TOKEN_TYP}",
                    typ.map(truncate_for_error)
                ),
            )),
        }
    }

    /// The signature, through the shared pipeline (asymmetric) or the client secret (HS*,
    /// when allowed). Returns the header's `typ`, the algorithm and the claims.
    async fn verify_signature(&self, token: &str) -> Result<Verified, LogoutTokenError> {
        let verification = |source| LogoutTokenError::Verification { source };
        // The ID Token algorithms, asymmetric ones only; a client that signs its ID Tokens
        // with HS* (and allowed it here) may have none.
        let asymmetric: Vec<JwsAlgorithm> = match self.config.id_token_algorithms() {
            Ok(algs) => algs.into_iter().filter(|a| !a.is_symmetric()).collect(),
            Err(e) if self.symmetric.is_empty() => return Err(verification(e)),
            Err(_) => Vec::new(),
        };
        // A JWE goes to the shared pipeline, which decrypts it and allows only asymmetric
        // signatures inside.
        if token.split('.').count() == 3 && !self.symmetric.is_empty() {
            let mut allowed = asymmetric.clone();
            allowed.extend(&self.symmetric);
            let alg = precheck_jwt(WHAT, token, &allowed).map_err(verification)?;
            if alg.is_symmetric() {
                return self.verify_hmac(token, alg);
            }
        }
        let (header, claims) = self
            .config
            .verify_server_jwt(WHAT, token, &asymmetric)
            .await
            .map_err(verification)?;
        let alg = header.alg().ok_or_else(|| {
            LogoutTokenError::check_failed(LogoutTokenCheck::Format, "the header has no alg")
        })?;
        Ok((header.typ().map(str::to_owned), alg, claims))
    }

    fn hmac_key(&self, alg: JwsAlgorithm) -> Result<Jwk, Error> {
        let secret = self
            .config
            .client_metadata()
            .client_secret
            .as_deref()
            .ok_or_else(|| {
                Error::InvalidConfiguration(
                    "logout token: HS* needs the client's client_secret".into(),
                )
            })?;
        let oct = OctKey::new(SecretBytes::from(secret.as_bytes()))
            .map_err(|e| Error::InvalidConfiguration(format!("logout token secret: {e}")))?;
        let key = Jwk::new(KeyMaterial::Oct(oct));
        // Refuses secrets too short for the algorithm.
        jws::SigningKey::new(key.clone(), alg)
            .map_err(|e| Error::InvalidConfiguration(format!("logout token secret: {e}")))?;
        Ok(key)
    }

    fn verify_hmac(&self, token: &str, alg: JwsAlgorithm) -> Result<Verified, LogoutTokenError> {
        let verification = |source| LogoutTokenError::Verification { source };
        let key = self.hmac_key(alg).map_err(verification)?;
        let options = jws::VerifyOptions::new().algorithms([alg]);
        let verified = jws::compact::verify(token, &key, &options).map_err(|e| {
            verification(Error::Jwt {
                what: WHAT,
                source: jwt_claims::JwtError::Jws(e),
            })
        })?;
        if verified.header().b64() == Some(false) {
            return Err(LogoutTokenError::check_failed(
                LogoutTokenCheck::Format,
                "a JWT cannot use the unencoded payload option",
            ));
        }
        let claims = jwt_claims::parse_claims(verified.payload())
            .map_err(|source| verification(Error::Jwt { what: WHAT, source }))?;
        Ok((verified.header().typ().map(str::to_owned), alg, claims))
    }

    async fn check_replay(&self, claims: &LogoutTokenClaims) -> Result<(), LogoutTokenError> {
        let Some(store) = &self.replay else {
            return Ok(());
        };
        let id = ReplayId::from_parts(
            Self::NAMESPACE,
            &[claims.iss.as_bytes(), claims.jti.as_bytes()],
        )
        .map_err(LogoutTokenError::ReplayStore)?;
        let keep_until = claims.exp.saturating_add(self.config.tolerance());
        let seen = store
            .check_and_record(&id, SystemTime::now(), unix_time(keep_until))
            .await
            .map_err(LogoutTokenError::ReplayStore)?;
        match seen {
            Seen::Fresh => Ok(()),
            Seen::Replayed => Err(LogoutTokenError::Replayed),
        }
    }
}

fn unix_time(secs: i64) -> SystemTime {
    let secs = u64::try_from(secs).unwrap_or(0);
    UNIX_EPOCH
        .checked_add(Duration::from_secs(secs))
        .unwrap_or(UNIX_EPOCH)
}

/// What a logout token must satisfy besides its signature and `typ`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Expectations<'a> {
    pub(crate) issuer: &'a str,
    pub(crate) client_id: &'a str,
    pub(crate) now: i64,
    pub(crate) tolerance: i64,
}

fn fail<T>(check: LogoutTokenCheck, detail: impl Into<String>) -> Result<T, LogoutTokenError> {
    Err(LogoutTokenError::check_failed(check, detail))
}

/// A claim-reading failure as a logout token error (see [`claim_failure`]).
fn claim_error(e: ClaimError, check: LogoutTokenCheck) -> LogoutTokenError {
    let (check, detail) = claim_failure(e, check, LogoutTokenCheck::ClaimType);
    LogoutTokenError::check_failed(check, detail)
}

fn string(read: &ClaimReader<'_>, name: &'static str) -> Result<Option<String>, LogoutTokenError> {
    read.optional_string(name)
        .map_err(|e| claim_error(e, LogoutTokenCheck::ClaimType))
}

fn audience(read: &ClaimReader<'_>, client_id: &str) -> Result<Vec<String>, LogoutTokenError> {
    let aud = read
        .string_or_list("aud")
        .map_err(|e| claim_error(e, LogoutTokenCheck::ClaimType))?
        .ok_or_else(|| claim_error(ClaimError::missing("aud"), LogoutTokenCheck::Audience))?;
    if !aud
        .iter()
        .any(|a| constant_time_eq(a.as_bytes(), client_id.as_bytes()))
    {
        return fail(
            LogoutTokenCheck::Audience,
            "aud does not contain the client_id",
        );
    }
    Ok(aud)
}

fn check_events(claims: &Map<String, Value>) -> Result<(), LogoutTokenError> {
    match claims.get("events") {
        None => fail(LogoutTokenCheck::Events, "events is missing"),
        Some(Value::Object(events)) => match events.get(BACKCHANNEL_LOGOUT_EVENT) {
            Some(Value::Object(_)) => Ok(()),
            Some(_) => fail(
                LogoutTokenCheck::Events,
                "the back-channel logout event is not a JSON object",
            ),
            None => fail(
                LogoutTokenCheck::Events,
                "events has no back-channel logout member",
            ),
        },
        Some(_) => fail(LogoutTokenCheck::Events, "events is not a JSON object"),
    }
}

/// `iat` not in the future, then `exp` not passed, with the clock tolerance as the leeway,
/// through [`TimeRules`]. Returns `iat` and `exp`.
fn check_times(
    read: &ClaimReader<'_>,
    e: &Expectations<'_>,
) -> Result<(i64, i64), LogoutTokenError> {
    use LogoutTokenCheck as C;
    let rules = TimeRules::at(NumericDate::from_seconds(e.now))
        .leeway(Duration::from_secs(e.tolerance.unsigned_abs()));
    let iat = read
        .seconds("iat")
        .map_err(|err| claim_error(err, C::IssuedAt))?;
    if rules.check_iat(NumericDate::from_seconds(iat)).is_err() {
        return fail(
            C::IssuedAt,
            format!("issued in the future, at {iat} (now {})", e.now),
        );
    }
    let exp = read
        .seconds("exp")
        .map_err(|err| claim_error(err, C::Expiration))?;
    if rules.check_exp(NumericDate::from_seconds(exp)).is_err() {
        return fail(C::Expiration, format!("expired at {exp} (now {})", e.now));
    }
    Ok((iat, exp))
}

/// Checks the claims of a logout token whose signature (made with `alg`) was verified.
pub(crate) fn check_claims(
    alg: JwsAlgorithm,
    claims: Map<String, Value>,
    e: &Expectations<'_>,
) -> Result<LogoutTokenClaims, LogoutTokenError> {
    use LogoutTokenCheck as C;
    let read = ClaimReader::new(&claims);
    let iss = read
        .string("iss")
        .map_err(|err| claim_error(err, C::Issuer))?;
    if iss != e.issuer {
        return fail(
            C::Issuer,
            format!("unexpected iss {:?}", truncate_for_error(&iss)),
        );
    }
    let aud = audience(&read, e.client_id)?;
    // What makes it a logout token, checked early: an ID Token fails here.
    check_events(&claims)?;
    let (iat, exp) = check_times(&read, e)?;
    let jti = match string(&read, "jti")? {
        Some(jti) if !jti.is_empty() => jti,
        _ => return fail(C::JwtId, "jti is missing or empty"),
    };
    if claims.contains_key("nonce") {
        return fail(C::Nonce, "nonce is present (prohibited in logout tokens)");
    }
    let sub = string(&read, "sub")?;
    let sid = string(&read, "sid")?;
    if sub.is_none() && sid.is_none() {
        return fail(C::SubjectOrSession, "neither sub nor sid is present");
    }
    Ok(LogoutTokenClaims {
        iss,
        aud,
        iat,
        exp,
        jti,
        sub,
        sid,
        alg,
        claims,
    })
}

/// Whether a verified JWT's claims are those of a logout token (the `events` claim with the
/// back-channel logout member): such a token is never an ID Token.
pub(crate) fn is_logout_token(claims: &Map<String, Value>) -> bool {
    claims
        .get("events")
        .and_then(Value::as_object)
        .is_some_and(|events| events.contains_key(BACKCHANNEL_LOGOUT_EVENT))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    //! Crafted logout tokens, one per failed check, against a local JWK Set.

    use super::*;
    use crate::http::{BoxFuture, Headers, HttpClient, HttpError, HttpRequest, HttpResponse};
    use crate::{ClientAuth, ClientMetadata, ExportedJwksCache, ServerMetadata};
    use jose_core::jwk::JwkSet;
    use jws::SigningKey;
    use replay_store::MemoryReplayStore;
    use serde_json::json;
    use std::sync::OnceLock;

    const ISS: &str = "https://op.example";
    const CLIENT: &str = "rp";
    const SECRET: &str = "a-client-secret-of-at-least-32-bytes!!";

    /// The issuer's `jwks_uri`, answered from memory (fetching is tested against
    /// oidc-provider in tests/logout.rs).
    #[derive(Debug)]
    struct JwksEndpoint(Vec<u8>);

    impl HttpClient for JwksEndpoint {
        fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
            let mut headers = Headers::new();
            headers.set("content-type", "application/json");
            let response = HttpResponse::new(200, headers, self.0.clone());
            Box::pin(async move { Ok(response) })
        }
    }

    fn key(kid: &str) -> SigningKey {
        SigningKey::new(
            Jwk::generate(JwsAlgorithm::ES256).unwrap().with_kid(kid),
            JwsAlgorithm::ES256,
        )
        .unwrap()
    }

    fn op_key() -> &'static SigningKey {
        static KEY: OnceLock<SigningKey> = OnceLock::new();
        KEY.get_or_init(|| key("op-1"))
    }

    fn config() -> Configuration {
        let mut server = ServerMetadata::new(ISS);
        server.jwks_uri = Some("https://op.example/jwks".parse().unwrap());
        server.id_token_signing_alg_values_supported = Some(vec!["ES256".into()]);
        let set = JwkSet::new(vec![op_key().public_jwk().unwrap()]).unwrap();
        let config = Configuration::builder(
            ClientMetadata::new(CLIENT).with_secret(SECRET),
            ClientAuth::client_secret_basic(SECRET),
        )
        .http_client(JwksEndpoint(set.to_json().into_bytes()))
        .build(server)
        .unwrap();
        let exported =
            ExportedJwksCache::new(serde_json::from_str(&set.to_json()).unwrap(), config.now());
        config.set_jwks_cache(&exported).unwrap();
        config
    }

    fn verifier() -> LogoutTokenVerifier {
        LogoutTokenVerifier::new(config(), Arc::new(MemoryReplayStore::new()))
    }

    fn base_claims() -> Map<String, Value> {
        let now = config().now();
        let Value::Object(m) = json!({
            "iss": ISS, "aud": CLIENT, "sub": "alice", "sid": "sid-1",
            "iat": now - 5, "exp": now + 120,
            "jti": format!("jti-{}", crate::random_state().unwrap()),
            "events": { BACKCHANNEL_LOGOUT_EVENT: {} },
        }) else {
            unreachable!()
        };
        m
    }

    fn sign_typed(claims: &Map<String, Value>, key: &SigningKey, typ: Option<&str>) -> String {
        let mut header = jose_core::header::JwsHeader::default();
        if let Some(typ) = typ {
            header = header.with_typ(typ);
        }
        jws::compact::CompactSign::new(Value::Object(claims.clone()).to_string().as_bytes())
            .header(header)
            .sign(key)
            .unwrap()
    }

    fn with(mutate: impl FnOnce(&mut Map<String, Value>)) -> String {
        let mut claims = base_claims();
        mutate(&mut claims);
        sign_typed(&claims, op_key(), Some(LOGOUT_TOKEN_TYP))
    }

    async fn check_of(verifier: &LogoutTokenVerifier, token: &str) -> LogoutTokenCheck {
        match verifier.verify(token).await {
            Ok(claims) => panic!("accepted: {claims:?}"),
            Err(e) => e.check(),
        }
    }

    #[tokio::test]
    async fn a_valid_logout_token_passes_and_is_typed() {
        let claims = verifier().verify(&with(|_| {})).await.unwrap();
        assert_eq!(claims.iss, ISS);
        assert_eq!(claims.sub.as_deref(), Some("alice"));
        assert_eq!(claims.sid.as_deref(), Some("sid-1"));
        assert_eq!(claims.aud, vec![CLIENT.to_owned()]);
        assert_eq!(claims.alg, JwsAlgorithm::ES256);
    }

    #[tokio::test]
    async fn typ_logout_jwt_is_accepted_absent_or_jwt_unless_required_others_never() {
        let v = verifier();
        for typ in [
            Some("logout+jwt"),
            Some("application/logout+JWT"),
            None,
            Some("JWT"),
        ] {
            let token = sign_typed(&base_claims(), op_key(), typ);
            assert!(v.verify(&token).await.is_ok(), "{typ:?}");
        }
        let strict = verifier().require_explicit_typ();
        for typ in [None, Some("JWT")] {
            let token = sign_typed(&base_claims(), op_key(), typ);
            assert_eq!(check_of(&strict, &token).await, LogoutTokenCheck::Type);
        }
        for typ in ["at+jwt", "dpop+jwt", "secevent+jwt"] {
            let token = sign_typed(&base_claims(), op_key(), Some(typ));
            assert_eq!(check_of(&v, &token).await, LogoutTokenCheck::Type, "{typ}");
        }
    }

    #[tokio::test]
    async fn rejects_a_token_with_nonce() {
        let token = with(|c| {
            c.insert("nonce".into(), json!("n-1"));
        });
        assert_eq!(check_of(&verifier(), &token).await, LogoutTokenCheck::Nonce);
    }

    #[tokio::test]
    async fn rejects_missing_or_wrong_events() {
        let v = verifier();
        for events in [
            None,
            Some(json!({})),
            Some(json!({ "http://schemas.openid.net/event/other": {} })),
            Some(json!({ BACKCHANNEL_LOGOUT_EVENT: "yes" })),
            Some(json!({ BACKCHANNEL_LOGOUT_EVENT: [] })),
            Some(json!([BACKCHANNEL_LOGOUT_EVENT])),
        ] {
            let token = with(|c| match &events {
                Some(e) => {
                    c.insert("events".into(), e.clone());
                }
                None => {
                    c.remove("events");
                }
            });
            assert_eq!(
                check_of(&v, &token).await,
                LogoutTokenCheck::Events,
                "{events:?}"
            );
        }
    }

    #[tokio::test]
    async fn rejects_a_token_with_neither_sub_nor_sid_but_accepts_either() {
        let v = verifier();
        let token = with(|c| {
            c.remove("sub");
            c.remove("sid");
        });
        assert_eq!(
            check_of(&v, &token).await,
            LogoutTokenCheck::SubjectOrSession
        );
        for only in ["sub", "sid"] {
            let token = with(|c| {
                c.remove(if only == "sub" { "sid" } else { "sub" });
            });
            assert!(v.verify(&token).await.is_ok(), "{only}");
        }
    }

    #[tokio::test]
    async fn rejects_wrong_or_missing_aud_and_iss() {
        let v = verifier();
        for (claim, value, check) in [
            (
                "aud",
                Some(json!("someone-else")),
                LogoutTokenCheck::Audience,
            ),
            ("aud", None, LogoutTokenCheck::Audience),
            ("aud", Some(json!([CLIENT, 7])), LogoutTokenCheck::ClaimType),
            (
                "iss",
                Some(json!("https://evil.example")),
                LogoutTokenCheck::Issuer,
            ),
            ("iss", None, LogoutTokenCheck::Issuer),
        ] {
            let token = with(|c| match &value {
                Some(v) => {
                    c.insert(claim.into(), v.clone());
                }
                None => {
                    c.remove(claim);
                }
            });
            assert_eq!(check_of(&v, &token).await, check, "{claim} {value:?}");
        }
        let token = with(|c| {
            c.insert("aud".into(), json!(["other", CLIENT]));
        });
        assert!(v.verify(&token).await.is_ok());
    }

    #[tokio::test]
    async fn rejects_expired_future_or_missing_times_and_missing_jti() {
        let v = verifier();
        let now = config().now();
        for (claim, value, check) in [
            ("exp", Some(json!(now - 31)), LogoutTokenCheck::Expiration),
            ("exp", None, LogoutTokenCheck::Expiration),
            ("iat", Some(json!(now + 31)), LogoutTokenCheck::IssuedAt),
            ("iat", None, LogoutTokenCheck::IssuedAt),
            ("iat", Some(json!("now")), LogoutTokenCheck::ClaimType),
            ("jti", None, LogoutTokenCheck::JwtId),
            ("jti", Some(json!("")), LogoutTokenCheck::JwtId),
            ("jti", Some(json!(42)), LogoutTokenCheck::ClaimType),
        ] {
            let token = with(|c| match &value {
                Some(v) => {
                    c.insert(claim.into(), v.clone());
                }
                None => {
                    c.remove(claim);
                }
            });
            assert_eq!(check_of(&v, &token).await, check, "{claim} {value:?}");
        }
    }

    #[tokio::test]
    async fn rejects_a_replayed_token_unless_replay_detection_is_off() {
        let v = verifier();
        let token = with(|_| {});
        assert!(v.verify(&token).await.is_ok());
        let err = v.verify(&token).await.unwrap_err();
        assert_eq!(err.check(), LogoutTokenCheck::Replay);
        assert_eq!(err.code(), "logout_token_replay");
        // Another verifier sharing the store sees the replay too.
        let store: Arc<dyn ReplayStore> = Arc::new(MemoryReplayStore::new());
        let first = LogoutTokenVerifier::new(config(), store.clone());
        let second = LogoutTokenVerifier::new(config(), store);
        assert!(first.verify(&token).await.is_ok());
        assert_eq!(check_of(&second, &token).await, LogoutTokenCheck::Replay);
        let lax = LogoutTokenVerifier::without_replay_detection(config());
        assert!(lax.verify(&token).await.is_ok());
        assert!(lax.verify(&token).await.is_ok());
    }

    #[tokio::test]
    async fn a_failing_replay_store_refuses_the_token() {
        // A full store answers with an error: the token is refused, not accepted.
        let store = Arc::new(MemoryReplayStore::with_capacity(1));
        let v = LogoutTokenVerifier::new(config(), store);
        assert!(v.verify(&with(|_| {})).await.is_ok());
        let err = v.verify(&with(|_| {})).await.unwrap_err();
        assert_eq!(err.check(), LogoutTokenCheck::ReplayStore, "{err}");
        assert!(err.is_unavailable());
    }

    #[tokio::test]
    async fn rejects_a_wrong_key_an_unknown_kid_and_unsigned_tokens() {
        let v = verifier();
        // Same kid, another key.
        let token = sign_typed(&base_claims(), &key("op-1"), Some(LOGOUT_TOKEN_TYP));
        assert_eq!(check_of(&v, &token).await, LogoutTokenCheck::Signature);
        // A kid the provider does not publish (the refetch does not have it either).
        let token = sign_typed(&base_claims(), &key("op-9"), Some(LOGOUT_TOKEN_TYP));
        assert_eq!(check_of(&v, &token).await, LogoutTokenCheck::Key);
        let payload = jose_core::b64::encode(Value::Object(base_claims()).to_string());
        let unsigned = format!("{}.{payload}.", jose_core::b64::encode(r#"{"alg":"none"}"#));
        assert_eq!(check_of(&v, &unsigned).await, LogoutTokenCheck::Algorithm);
        for bad in ["", "a.b", "e30.e30.e30", "a.b.c.d.e"] {
            assert_eq!(check_of(&v, bad).await, LogoutTokenCheck::Format, "{bad:?}");
        }
    }

    #[tokio::test]
    async fn hmac_tokens_only_when_allowed_and_keyed_by_the_client_secret() {
        let hmac = |secret: &str| {
            let oct = OctKey::new(SecretBytes::from(secret.as_bytes())).unwrap();
            SigningKey::new(Jwk::new(KeyMaterial::Oct(oct)), JwsAlgorithm::HS256).unwrap()
        };
        let token = sign_typed(&base_claims(), &hmac(SECRET), Some(LOGOUT_TOKEN_TYP));
        assert_eq!(
            check_of(&verifier(), &token).await,
            LogoutTokenCheck::Algorithm
        );
        let allowing = verifier()
            .allow_symmetric_algorithm(JwsAlgorithm::HS256)
            .unwrap();
        assert!(allowing.verify(&token).await.is_ok());
        let forged = sign_typed(
            &base_claims(),
            &hmac("another-secret-of-at-least-32-bytes!!!"),
            Some(LOGOUT_TOKEN_TYP),
        );
        assert_eq!(
            check_of(&allowing, &forged).await,
            LogoutTokenCheck::Signature
        );
        // Asymmetric tokens still verify with the provider's keys.
        assert!(allowing.verify(&with(|_| {})).await.is_ok());
        assert!(
            verifier()
                .allow_symmetric_algorithm(JwsAlgorithm::ES256)
                .is_err()
        );
        let no_secret = LogoutTokenVerifier::without_replay_detection(
            Configuration::builder(ClientMetadata::new(CLIENT), ClientAuth::none())
                .build(ServerMetadata::new(ISS))
                .unwrap(),
        );
        assert!(
            no_secret
                .allow_symmetric_algorithm(JwsAlgorithm::HS256)
                .is_err()
        );

        // A client whose ID Tokens are HS256: logout tokens verify with the secret once
        // allowed, and are refused (algorithm) otherwise.
        let mut client = ClientMetadata::new(CLIENT).with_secret(SECRET);
        client.id_token_signed_response_alg = Some("HS256".into());
        let hs_config = Configuration::builder(client, ClientAuth::client_secret_basic(SECRET))
            .build(ServerMetadata::new(ISS))
            .unwrap();
        let strict = LogoutTokenVerifier::without_replay_detection(hs_config);
        assert_eq!(check_of(&strict, &token).await, LogoutTokenCheck::Algorithm);
        let hs_only = strict
            .allow_symmetric_algorithm(JwsAlgorithm::HS256)
            .unwrap();
        assert!(hs_only.verify(&token).await.is_ok());
    }

    #[tokio::test]
    async fn an_id_token_is_not_a_logout_token_and_a_logout_token_is_not_an_id_token() {
        let config = config();
        // An ID Token (nonce, no events) fails as a logout token.
        let id_token = with(|c| {
            c.remove("events");
            c.insert("nonce".into(), json!("n-1"));
        });
        assert_eq!(
            check_of(&verifier(), &id_token).await,
            LogoutTokenCheck::Events
        );
        // A valid logout token fails as an ID Token, even where no nonce is checked: by its
        // `typ` (RFC 8725 §3.11), and without a `typ` by its logout event.
        let mut e = config.expectations(config.now());
        e.ignore_nonce = true;
        let typed = with(|_| {});
        let untyped = sign_typed(&base_claims(), op_key(), None);
        for (token, expected) in [
            (typed, crate::IdTokenCheck::Type),
            (untyped, crate::IdTokenCheck::Format),
        ] {
            match config.check_id_token(&token, &e).await {
                Err(Error::IdToken { check, .. }) => assert_eq!(check, expected),
                other => panic!("accepted as an ID Token: {other:?}"),
            }
        }
    }

    #[test]
    fn error_messages_name_the_check_and_never_the_token() {
        let e = LogoutTokenError::check_failed(LogoutTokenCheck::Nonce, "nonce is present");
        assert_eq!(e.code(), "logout_token_nonce");
        assert!(e.to_string().contains("nonce"));
        let v = LogoutTokenVerifier::without_replay_detection(config());
        assert!(format!("{v:?}").contains("disabled"));
        assert!(!format!("{v:?}").contains(SECRET));
    }
}
