//! ID Tokens received outside the code grant (a CIBA push, a front channel):
//! [`IdTokenValidation`] says what to expect besides the checks that always run, and
//! [`Configuration::validate_id_token`] runs the same signature and claim checks as
//! [`Configuration::authorization_code_grant`].

use crate::id_token::IdTokenClaims;
use crate::{Configuration, Error};

/// What [`Configuration::validate_id_token`] checks besides the signature, `iss`, `aud`,
/// `azp`, `exp` and `iat` (which are always checked).
///
/// ```
/// use oauth_client::IdTokenValidation;
///
/// let validation = IdTokenValidation::new()
///     .expected_nonce("n-0S6_WzA2Mj")
///     .access_token("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y");
/// # let _ = validation;
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct IdTokenValidation {
    nonce: Option<String>,
    ignore_nonce: bool,
    max_age: Option<u64>,
    access_token: Option<String>,
    code: Option<String>,
}

impl core::fmt::Debug for IdTokenValidation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IdTokenValidation")
            .field("nonce", &self.nonce.is_some())
            .field("ignore_nonce", &self.ignore_nonce)
            .field("max_age", &self.max_age)
            .field("access_token", &self.access_token.is_some())
            .field("code", &self.code.is_some())
            .finish()
    }
}

impl IdTokenValidation {
    /// The defaults: no `nonce` expected (a token carrying one is refused), `max_age` from the
    /// client's `default_max_age`, no `at_hash`/`c_hash` checks.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The `nonce` the token must carry.
    #[must_use]
    pub fn expected_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// Does not look at `nonce` (for tokens from refresh or backchannel flows).
    #[must_use]
    pub fn ignore_nonce(mut self) -> Self {
        self.ignore_nonce = true;
        self
    }

    /// `auth_time` must be present and no older than this many seconds.
    #[must_use]
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// The access token issued with the ID Token: `at_hash`, when present, must match it.
    #[must_use]
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = Some(token.into());
        self
    }

    /// The authorization code issued with the ID Token: `c_hash`, when present, must match.
    #[must_use]
    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
}

impl Configuration {
    /// Validates an ID Token received some other way (a CIBA push, a front channel): the
    /// signature against the server's JWK Set (decrypting first when it is a JWE and keys are
    /// configured), then every claim check of [`Configuration::authorization_code_grant`].
    ///
    /// # Errors
    /// The ID Token errors ([`Error::IdToken`], [`Error::UnsignedJwt`],
    /// [`Error::AlgorithmNotAllowed`], [`Error::KeyNotFound`], [`Error::Jwt`], ...).
    pub async fn validate_id_token(
        &self,
        id_token: &str,
        validation: &IdTokenValidation,
    ) -> Result<IdTokenClaims, Error> {
        let mut expectations = self.expectations(self.now());
        expectations.nonce = validation.nonce.as_deref();
        expectations.ignore_nonce = validation.ignore_nonce;
        if validation.max_age.is_some() {
            expectations.max_age = validation.max_age;
        }
        expectations.access_token = validation.access_token.as_deref();
        expectations.code = validation.code.as_deref();
        self.check_id_token(id_token, &expectations).await
    }
}
