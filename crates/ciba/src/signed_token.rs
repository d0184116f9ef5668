//! A client notification token that is itself a signed JWT: the DSP/RP client notification
//! token of the NDI hash-signing service (header `alg` ES256 and `kid`; claims `nonce`, `iat`,
//! `exp`), usable as any CIBA `client_notification_token`.

use crate::error::{CibaError, TokenCheck};
use crate::notification_token::{ClientNotificationToken, check_syntax};
use core::fmt;
use core::time::Duration;
use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use jose_core::json::{self, JsonLimits};
use jose_core::jwk::JwkSet;
use jws::{JwsError, Signer, VerifyOptions};
use jwt_claims::{ClaimReader, NumericDate, TimeRules};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

/// The default lifetime of a minted token (`exp − iat`).
pub const DEFAULT_SIGNED_TOKEN_LIFETIME: Duration = Duration::from_secs(300);

/// The default longest lifetime a verifier accepts.
pub const DEFAULT_MAX_SIGNED_TOKEN_LIFETIME: Duration = Duration::from_secs(600);

/// Header parameters that would let a token name its own key; refused.
const KEY_CARRYING_HEADERS: [&str; 4] = ["jwk", "jku", "x5u", "x5c"];

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2))
}

fn seconds(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 4)
}

/// Mints signed client notification tokens with the relying party's own ES256 key, whose `kid`
/// is published in the relying party's JWK Set.
///
/// ```
/// use ciba::{NotificationTokenIssuer, NotificationTokenVerifier};
/// use jose_core::alg::JwsAlgorithm;
/// use jose_core::jwk::{Jwk, JwkSet};
/// use jws::SigningKey;
///
/// let key = SigningKey::new(Jwk::generate(JwsAlgorithm::ES256)?.with_kid("rp-2026"), JwsAlgorithm::ES256)?;
/// let own_keys = JwkSet::new(vec![key.public_jwk()?])?;
/// let minted = NotificationTokenIssuer::new(key)?.mint_at(1_800_000_000)?;
/// assert!(minted.token().expose().len() <= 1024);
///
/// // The notification endpoint checks it against what it stored for the request.
/// let verified = NotificationTokenVerifier::new(own_keys)
///     .now(1_800_000_010)
///     .verify(minted.token().expose(), minted.token(), minted.nonce())?;
/// assert_eq!(verified.kid(), "rp-2026");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct NotificationTokenIssuer {
    signer: Arc<dyn Signer + Send + Sync>,
    kid: String,
    lifetime: Duration,
}

impl fmt::Debug for NotificationTokenIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotificationTokenIssuer")
            .field("kid", &self.kid)
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl NotificationTokenIssuer {
    /// An issuer signing with `signer`, which must use ES256 and have a key id.
    ///
    /// # Errors
    /// [`CibaError::SigningAlgorithm`] for another algorithm or no `kid`.
    pub fn new(signer: impl Signer + Send + Sync + 'static) -> Result<Self, CibaError> {
        if signer.algorithm() != JwsAlgorithm::ES256 {
            return Err(CibaError::SigningAlgorithm {
                alg: signer.algorithm().to_string(),
                reason: "client notification tokens are signed with ES256",
            });
        }
        let kid = signer
            .key_id()
            .filter(|k| !k.is_empty())
            .ok_or(CibaError::SigningAlgorithm {
                alg: "ES256".into(),
                reason: "the signing key needs a kid from the relying party's JWK Set",
            })?
            .to_owned();
        Ok(Self {
            signer: Arc::new(signer),
            kid,
            lifetime: DEFAULT_SIGNED_TOKEN_LIFETIME,
        })
    }

    /// The lifetime of minted tokens (default 5 minutes; at least one second).
    #[must_use]
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime.max(Duration::from_secs(1));
        self
    }

    /// Mints a token now.
    ///
    /// # Errors
    /// [`CibaError::Random`], [`CibaError::Signing`], or a length error when the key id is so
    /// long that the token exceeds 1024 characters.
    pub fn mint(&self) -> Result<MintedToken, CibaError> {
        self.mint_at(unix_now())
    }

    /// Mints a token issued at `now` (seconds since the epoch).
    ///
    /// # Errors
    /// As [`NotificationTokenIssuer::mint`].
    pub fn mint_at(&self, now: i64) -> Result<MintedToken, CibaError> {
        let nonce = Zeroizing::new(jose_core::rand::token(32).map_err(|_| CibaError::Random)?);
        let expires_at = now.saturating_add(seconds(self.lifetime));
        let mut claims = Map::new();
        claims.insert("nonce".into(), Value::String(nonce.to_string()));
        claims.insert("iat".into(), now.into());
        claims.insert("exp".into(), expires_at.into());
        let payload = Value::Object(claims).to_string();
        let header = JwsHeader::new(JwsAlgorithm::ES256)
            .with_kid(self.kid.clone())
            .with_typ("JWT");
        let compact = jws::compact::CompactSign::new(payload.as_bytes())
            .header(header)
            .sign(&self.signer)
            .map_err(|e| CibaError::Signing(e.to_string()))?;
        let token = ClientNotificationToken::new(compact)?;
        Ok(MintedToken {
            token,
            nonce,
            issued_at: now,
            expires_at,
        })
    }
}

/// A freshly minted signed client notification token and its nonce (store both with the
/// request: see [`crate::PendingRequest::with_nonce`]).
#[derive(Clone)]
pub struct MintedToken {
    token: ClientNotificationToken,
    nonce: Zeroizing<String>,
    issued_at: i64,
    expires_at: i64,
}

impl fmt::Debug for MintedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MintedToken")
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl MintedToken {
    /// The token, to send as `client_notification_token`.
    #[must_use]
    pub fn token(&self) -> &ClientNotificationToken {
        &self.token
    }

    /// The `nonce` claim (256 random bits).
    #[must_use]
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// `iat`.
    #[must_use]
    pub fn issued_at(&self) -> i64 {
        self.issued_at
    }

    /// `exp`.
    #[must_use]
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }
}

/// Verifies a signed client notification token presented to the notification endpoint.
///
/// In order: the `b64token` syntax and 1024-character limit; constant-time equality with the
/// token stored for the request (this alone authenticates the call, as in CIBA); a compact JWS
/// with `alg` ES256, a `kid` found in the relying party's own JWK Set, no key-carrying header,
/// a valid signature; `nonce` equal to the stored one; integer `iat` and `exp` with
/// `iat ≤ now + leeway`, `now < exp + leeway` (refused from the `exp + leeway` second on, as
/// in the rest of the workspace), `exp > iat` and `exp − iat ≤ max_lifetime`.
/// `exp` is a NumericDate; the "expiry duration" reading of the original table is not accepted.
#[derive(Clone)]
pub struct NotificationTokenVerifier {
    keys: JwkSet,
    leeway: Duration,
    max_lifetime: Duration,
    now: Option<i64>,
}

impl fmt::Debug for NotificationTokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotificationTokenVerifier")
            .field("leeway", &self.leeway)
            .field("max_lifetime", &self.max_lifetime)
            .finish_non_exhaustive()
    }
}

impl NotificationTokenVerifier {
    /// A verifier using the relying party's own public keys (leeway 5 s, lifetime at most
    /// 10 minutes).
    #[must_use]
    pub fn new(own_keys: JwkSet) -> Self {
        Self {
            keys: own_keys,
            leeway: Duration::from_secs(5),
            max_lifetime: DEFAULT_MAX_SIGNED_TOKEN_LIFETIME,
            now: None,
        }
    }

    /// The leeway of the time checks.
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The longest `exp − iat` accepted.
    #[must_use]
    pub fn max_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_lifetime = lifetime;
        self
    }

    /// A fixed current time (seconds since the epoch), for tests.
    #[must_use]
    pub fn now(mut self, now: i64) -> Self {
        self.now = Some(now);
        self
    }

    /// Verifies `presented` against the token and nonce stored for the request.
    ///
    /// # Errors
    /// [`CibaError::MalformedBearerToken`], [`CibaError::NotificationTokenMismatch`],
    /// [`CibaError::SignedNotificationToken`] naming the failed check.
    pub fn verify(
        &self,
        presented: &str,
        stored: &ClientNotificationToken,
        stored_nonce: &str,
    ) -> Result<VerifiedNotificationToken, CibaError> {
        let fail = |check| CibaError::SignedNotificationToken { check };
        check_syntax(presented).map_err(|_| CibaError::MalformedBearerToken)?;
        if !stored.matches(presented) {
            return Err(CibaError::NotificationTokenMismatch);
        }
        let header =
            jws::unverified::decode_header(presented).map_err(|_| fail(TokenCheck::Format))?;
        if header.alg() != Some(JwsAlgorithm::ES256) {
            return Err(fail(TokenCheck::Algorithm));
        }
        let header_map = header.to_map();
        if KEY_CARRYING_HEADERS
            .iter()
            .any(|name| header_map.contains_key(*name))
        {
            return Err(fail(TokenCheck::Format));
        }
        let kid = header
            .kid()
            .filter(|k| !k.is_empty())
            .ok_or(fail(TokenCheck::KeyId))?
            .to_owned();
        let options = VerifyOptions::new().algorithms([JwsAlgorithm::ES256]);
        let verified =
            jws::compact::verify(presented, &self.keys, &options).map_err(|e| match e {
                JwsError::InvalidSignature | JwsError::MalformedSignature { .. } => {
                    fail(TokenCheck::Signature)
                }
                JwsError::KeySelection(_) | JwsError::NoKey(_) | JwsError::Key(_) => {
                    fail(TokenCheck::KeyId)
                }
                JwsError::AlgorithmNotAllowed(_) => fail(TokenCheck::Algorithm),
                _ => fail(TokenCheck::Format),
            })?;
        let claims = json::parse_object(verified.payload(), &JsonLimits::DEFAULT)
            .map_err(|_| fail(TokenCheck::Format))?;
        let read = ClaimReader::new(&claims);
        let nonce = read.str("nonce").map_err(|_| fail(TokenCheck::Nonce))?;
        if !jose_core::constant_time_eq(nonce.as_bytes(), stored_nonce.as_bytes()) {
            return Err(fail(TokenCheck::Nonce));
        }
        let iat = read
            .integer("iat")
            .map_err(|_| fail(TokenCheck::IssuedAt))?;
        let exp = read
            .integer("exp")
            .map_err(|_| fail(TokenCheck::Expiration))?;
        self.check_times(iat, exp).map_err(fail)?;
        Ok(VerifiedNotificationToken {
            kid,
            issued_at: iat,
            expires_at: exp,
        })
    }
}

impl NotificationTokenVerifier {
    /// `iat` not in the future, `exp` not passed (both with the leeway, in whole seconds),
    /// then `0 < exp − iat ≤ max_lifetime`, through [`TimeRules`].
    fn check_times(&self, iat: i64, exp: i64) -> Result<(), TokenCheck> {
        let now = self.now.unwrap_or_else(unix_now);
        let whole = |d: Duration| Duration::from_secs(d.as_secs());
        let rules = TimeRules::at(NumericDate::from_seconds(now))
            .leeway(whole(self.leeway))
            .max_lifetime(whole(self.max_lifetime));
        let (iat, exp) = (
            NumericDate::from_seconds(iat),
            NumericDate::from_seconds(exp),
        );
        rules.check_iat(iat).map_err(|_| TokenCheck::IssuedAt)?;
        rules.check_exp(exp).map_err(|_| TokenCheck::Expiration)?;
        if exp == iat {
            return Err(TokenCheck::Lifetime);
        }
        rules
            .check_lifetime(iat, exp)
            .map_err(|_| TokenCheck::Lifetime)
    }
}

/// A signed client notification token that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedNotificationToken {
    kid: String,
    issued_at: i64,
    expires_at: i64,
}

impl VerifiedNotificationToken {
    /// The key id that verified it.
    #[must_use]
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// `iat`.
    #[must_use]
    pub fn issued_at(&self) -> i64 {
        self.issued_at
    }

    /// `exp`.
    #[must_use]
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }
}
