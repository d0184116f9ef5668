//! Claim validation options and checks.

use crate::typ::{is_plain_jwt, media_types_match};
use crate::{JwtError, NumericDate, RegisteredClaims, TimeRules};
use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use jws::VerifyOptions;
use serde_json::{Map, Value};
use std::time::Duration;

/// What a JWT must satisfy to be accepted.
///
/// Defaults: `exp` required, 30 s clock tolerance, the system clock, and the JWS defaults
/// (only what the key implies). A token carrying `aud` is refused unless an accepted audience
/// is configured or [`Validation::ignore_audience`] is called.
///
/// ```
/// use jose_core::alg::JwsAlgorithm;
/// use jwt_claims::Validation;
/// use std::time::Duration;
///
/// let validation = Validation::new()
///     .algorithms([JwsAlgorithm::ES256])
///     .issuer("https://issuer.example")
///     .audience("https://api.example")
///     .typ("at+jwt")
///     .leeway(Duration::from_secs(5))
///     .max_age(Duration::from_secs(3600));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validation {
    jws: VerifyOptions,
    issuers: Vec<String>,
    audiences: Vec<String>,
    ignore_audience: bool,
    subject: Option<String>,
    required: Vec<String>,
    require_exp: bool,
    leeway: Duration,
    clock_skew: i64,
    max_age: Option<Duration>,
    typ: Option<String>,
    any_typ: bool,
    now: Option<NumericDate>,
}

impl Default for Validation {
    fn default() -> Self {
        Self {
            jws: VerifyOptions::new(),
            issuers: Vec::new(),
            audiences: Vec::new(),
            ignore_audience: false,
            subject: None,
            required: Vec::new(),
            require_exp: true,
            leeway: Duration::from_secs(30),
            clock_skew: 0,
            max_age: None,
            typ: None,
            any_typ: false,
            now: None,
        }
    }
}

impl Validation {
    /// The defaults.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts exactly these signature algorithms.
    #[must_use]
    pub fn algorithms(mut self, algs: impl IntoIterator<Item = JwsAlgorithm>) -> Self {
        self.jws = self.jws.algorithms(algs);
        self
    }

    /// Declares a `crit` header extension the application understands.
    #[must_use]
    pub fn understand_crit(mut self, name: impl Into<String>) -> Self {
        self.jws = self.jws.understand_crit(name);
        self
    }

    /// Replaces the JWS options (algorithms, `crit`, size limits).
    #[must_use]
    pub fn jws_options(mut self, options: VerifyOptions) -> Self {
        self.jws = options;
        self
    }

    /// Accepts tokens from this issuer (may be called several times; any one matches).
    #[must_use]
    pub fn issuer(mut self, iss: impl Into<String>) -> Self {
        self.issuers.push(iss.into());
        self
    }

    /// Accepts tokens for this audience (may be called several times; any one matches).
    #[must_use]
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.audiences.push(aud.into());
        self
    }

    /// Accepts tokens whatever their `aud`. Only for tokens whose audience is checked elsewhere.
    #[must_use]
    pub fn ignore_audience(mut self) -> Self {
        self.ignore_audience = true;
        self
    }

    /// Requires this exact subject.
    #[must_use]
    pub fn subject(mut self, sub: impl Into<String>) -> Self {
        self.subject = Some(sub.into());
        self
    }

    /// Requires a claim to be present.
    #[must_use]
    pub fn require(mut self, claim: impl Into<String>) -> Self {
        self.required.push(claim.into());
        self
    }

    /// Whether `exp` is required (default true).
    #[must_use]
    pub fn require_exp(mut self, required: bool) -> Self {
        self.require_exp = required;
        self
    }

    /// Clock tolerance for `exp`, `nbf`, `iat` and the maximum age (default 30 s).
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// How far the local clock is off, in seconds (positive when it is behind the issuer's);
    /// added to the local time before the checks.
    #[must_use]
    pub fn clock_skew(mut self, seconds: i64) -> Self {
        self.clock_skew = seconds;
        self
    }

    /// Refuses tokens issued longer ago than `age` (requires `iat`).
    #[must_use]
    pub fn max_age(mut self, age: Duration) -> Self {
        self.max_age = Some(age);
        self
    }

    /// Requires the header's `typ` to be this media type (compared case-insensitively, with the
    /// `application/` prefix optional), as RFC 8725 §3.11 recommends.
    ///
    /// Without it, a token is accepted only with no `typ` or `typ: JWT` (`application/jwt`,
    /// any letter case): one explicitly typed for another profile (`at+jwt`, `dpop+jwt`,
    /// `logout+jwt`, `secevent+jwt`, ...) is refused with [`JwtError::TypNotAccepted`].
    #[must_use]
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// **Weakens explicit typing**: with no [`Validation::typ`] configured, accepts tokens
    /// whatever their `typ`, including tokens typed for another profile (an access token,
    /// a DPoP proof, a logout token). RFC 8725 §3.11 explains the substitution this allows;
    /// prefer [`Validation::typ`].
    #[must_use]
    pub fn allow_any_typ(mut self) -> Self {
        self.any_typ = true;
        self
    }

    /// Uses this time instead of the system clock.
    #[must_use]
    pub fn now(mut self, now: NumericDate) -> Self {
        self.now = Some(now);
        self
    }

    /// The JWS options.
    #[must_use]
    pub fn jws(&self) -> &VerifyOptions {
        &self.jws
    }

    /// The time the checks use: the injected time or the system clock, shifted by the skew.
    #[must_use]
    pub fn current_time(&self) -> NumericDate {
        self.now
            .unwrap_or_else(NumericDate::now)
            .shifted(self.clock_skew)
    }

    /// Checks the header's `typ`.
    ///
    /// # Errors
    /// [`JwtError::TypMismatch`].
    pub fn check_header(&self, header: &JwsHeader) -> Result<(), JwtError> {
        self.check_typ(header.typ())
    }

    /// Checks a `typ` value (of a JWS or a JWE protected header) against the expected type,
    /// or, with none configured, that it is absent or `JWT`.
    ///
    /// # Errors
    /// [`JwtError::TypMismatch`], [`JwtError::TypNotAccepted`].
    pub fn check_typ(&self, typ: Option<&str>) -> Result<(), JwtError> {
        match (&self.typ, typ) {
            (Some(expected), typ) if !typ.is_some_and(|t| media_types_match(t, expected)) => {
                Err(JwtError::TypMismatch {
                    expected: expected.clone(),
                    found: typ.map(jose_core::json::truncate_for_error),
                })
            }
            (None, Some(t)) if !self.any_typ && !is_plain_jwt(t) => Err(JwtError::TypNotAccepted {
                found: jose_core::json::truncate_for_error(t),
            }),
            _ => Ok(()),
        }
    }

    /// Checks a claims object and returns its registered claims.
    ///
    /// Order: claim types, required claims, `iss`, `sub`, `aud`, then the times.
    ///
    /// # Errors
    /// The [`JwtError`] of the first failed check.
    pub fn check_claims(&self, claims: &Map<String, Value>) -> Result<RegisteredClaims, JwtError> {
        let registered = RegisteredClaims::from_map(claims)?;
        self.check_registered(registered, |name| claims.contains_key(name))
    }

    /// The claims the validation requires that are not registered claims: their presence
    /// cannot be told from the registered claims alone.
    pub(crate) fn required_unregistered(&self) -> impl Iterator<Item = &str> {
        self.required
            .iter()
            .map(String::as_str)
            .filter(|name| !crate::REGISTERED.contains(name))
    }

    /// The checks of [`Validation::check_claims`] after the claim types, with `present`
    /// telling whether the claims set has a member of that name.
    pub(crate) fn check_registered(
        &self,
        registered: RegisteredClaims,
        present: impl Fn(&str) -> bool,
    ) -> Result<RegisteredClaims, JwtError> {
        let mut required: Vec<&str> = self.required.iter().map(String::as_str).collect();
        if self.require_exp {
            required.push("exp");
        }
        if self.max_age.is_some() {
            required.push("iat");
        }
        if !self.issuers.is_empty() {
            required.push("iss");
        }
        if self.subject.is_some() {
            required.push("sub");
        }
        if !self.audiences.is_empty() {
            required.push("aud");
        }
        for name in required {
            if !present(name) {
                return Err(JwtError::MissingClaim(name.to_owned()));
            }
        }
        if !self.issuers.is_empty() {
            let iss = registered.iss.as_deref().unwrap_or_default();
            if !self.issuers.iter().any(|i| i == iss) {
                return Err(JwtError::IssuerMismatch {
                    found: jose_core::json::truncate_for_error(iss),
                });
            }
        }
        if let Some(sub) = &self.subject
            && registered.sub.as_deref() != Some(sub.as_str())
        {
            return Err(JwtError::SubjectMismatch);
        }
        if let Some(aud) = &registered.aud
            && !self.ignore_audience
        {
            if self.audiences.is_empty() {
                return Err(JwtError::AudienceNotExpected);
            }
            if !self.audiences.iter().any(|a| aud.contains(a)) {
                return Err(JwtError::AudienceMismatch);
            }
        }
        self.check_times(&registered)?;
        Ok(registered)
    }

    /// Checks `exp`, `nbf`, `iat` and the maximum age against the current time.
    ///
    /// # Errors
    /// [`JwtError::Expired`], [`JwtError::NotYetValid`], [`JwtError::IssuedInFuture`] or
    /// [`JwtError::TooOld`].
    pub fn check_times(&self, claims: &RegisteredClaims) -> Result<(), JwtError> {
        Ok(self.time_rules().check(claims)?)
    }

    /// The [`TimeRules`] of this validation: the current time, the leeway and the maximum age.
    pub fn time_rules(&self) -> TimeRules {
        let rules = TimeRules::at(self.current_time()).leeway(self.leeway);
        match self.max_age {
            Some(age) => rules.max_age(age),
            None => rules,
        }
    }
}
