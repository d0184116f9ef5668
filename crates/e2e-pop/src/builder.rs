//! What the three builders share: registered claims with the reference's presets, custom
//! claims, and signing.

use crate::{AlgorithmSet, E2ePopError, Nonce, TokenKind};
use jose_core::header::JwsHeader;
use jose_core::jwk::Jwk;
use jws::{Signer, VerifyOptions};
use jwt_claims::ClaimError;
use jwt_claims::{Audience, NumericDate, REGISTERED, RegisteredClaims};
use serde_json::{Map, Value};
use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NotBefore {
    Absent,
    At(NumericDate),
    /// `nbf` = the token's `iat`.
    Iat,
}

/// The registered claims and custom claims of a token being built.
///
/// Presets (`jti`, `iat`, `exp`) are computed at build time and fill only what the caller left
/// unset: `exp` follows a later `issued_at` (the reference library leaves it stale).
#[derive(Clone, Debug)]
pub(crate) struct Core {
    pub(crate) kind: TokenKind,
    pub(crate) iss: Option<String>,
    pub(crate) sub: Option<String>,
    pub(crate) aud: Option<Audience>,
    pub(crate) iat: Option<NumericDate>,
    pub(crate) exp: Option<NumericDate>,
    pub(crate) lifetime: Duration,
    pub(crate) nbf: NotBefore,
    pub(crate) jti: Option<String>,
    pub(crate) nonce: Nonce,
    pub(crate) extra: Map<String, Value>,
}

impl Core {
    pub(crate) fn new(kind: TokenKind) -> Self {
        Self {
            kind,
            iss: None,
            sub: None,
            aud: None,
            iat: None,
            exp: None,
            lifetime: kind.default_lifetime(),
            nbf: NotBefore::Absent,
            jti: None,
            nonce: Nonce::default(),
            extra: Map::new(),
        }
    }

    /// Adds a custom claim; names with setters (`reserved`, and the registered ones) are
    /// refused, as is a second value for one name.
    pub(crate) fn claim(
        &mut self,
        name: String,
        value: Value,
        reserved: &[&str],
    ) -> Result<(), E2ePopError> {
        if REGISTERED.contains(&name.as_str())
            || reserved.contains(&name.as_str())
            || self.extra.contains_key(&name)
        {
            return Err(E2ePopError::DuplicateClaim(
                jose_core::json::truncate_for_error(&name),
            ));
        }
        self.extra.insert(name, value);
        Ok(())
    }

    /// Takes the registered claims out of `map` into their slots (typed; a wrong type is an
    /// error), leaving the rest.
    pub(crate) fn take_registered(
        &mut self,
        map: &mut Map<String, Value>,
    ) -> Result<(), E2ePopError> {
        let registered = RegisteredClaims::from_map(map).map_err(|e| match e {
            jwt_claims::JwtError::InvalidClaim { claim, reason } => {
                E2ePopError::Claim(ClaimError::invalid(claim, reason))
            }
            _ => E2ePopError::Claim(ClaimError::invalid(
                "claims",
                "the registered claims are malformed",
            )),
        })?;
        for name in REGISTERED {
            map.remove(name);
        }
        let RegisteredClaims {
            iss,
            sub,
            aud,
            exp,
            nbf,
            iat,
            jti,
            ..
        } = registered;
        self.iss = iss.or(self.iss.take());
        self.sub = sub.or(self.sub.take());
        self.aud = aud.or(self.aud.take());
        self.iat = iat.or(self.iat);
        self.exp = exp.or(self.exp);
        if let Some(nbf) = nbf {
            self.nbf = NotBefore::At(nbf);
        }
        self.jti = jti.or(self.jti.take());
        Ok(())
    }

    /// The claims set: registered claims first, then `specific` (the token's own claims),
    /// then the custom claims.
    pub(crate) fn build(
        &self,
        require_aud: bool,
        specific: Map<String, Value>,
    ) -> Result<Map<String, Value>, E2ePopError> {
        let incomplete = |claim| E2ePopError::Incomplete {
            token: self.kind,
            claim,
        };
        let iss = self.iss.clone().ok_or_else(|| incomplete("iss"))?;
        let sub = self.sub.clone().ok_or_else(|| incomplete("sub"))?;
        if require_aud && self.aud.is_none() {
            return Err(incomplete("aud"));
        }
        for (value, what) in [
            (&iss, "iss must not be empty"),
            (&sub, "sub must not be empty"),
        ] {
            crate::pipeline::non_empty(value, what)?;
        }
        let iat = self.iat.unwrap_or_else(NumericDate::now);
        let exp = self.exp.unwrap_or_else(|| iat.plus(self.lifetime));
        if exp < iat {
            return Err(E2ePopError::Config("exp is before iat"));
        }
        let nbf = match self.nbf {
            NotBefore::Absent => None,
            NotBefore::At(t) => Some(t),
            NotBefore::Iat => Some(iat),
        };
        let jti = match &self.jti {
            Some(j) => j.clone(),
            None => self.nonce.generate()?,
        };
        let mut registered = RegisteredClaims::default();
        registered.iss = Some(iss);
        registered.sub = Some(sub);
        registered.aud = self.aud.clone();
        registered.iat = Some(iat);
        registered.nbf = nbf;
        registered.exp = Some(exp);
        registered.jti = Some(jti);
        let mut map = Map::new();
        registered.write(&mut map);
        // What we write must pass our own reader (StringOrURI rules for iss, sub, aud).
        RegisteredClaims::from_map(&map).map_err(|e| match e {
            jwt_claims::JwtError::InvalidClaim { claim, reason } => {
                E2ePopError::Claim(ClaimError::invalid(claim, reason))
            }
            _ => E2ePopError::Config("the registered claims cannot be written"),
        })?;
        map.extend(specific);
        for (k, v) in &self.extra {
            map.insert(k.clone(), v.clone());
        }
        Ok(map)
    }
}

/// Signs `claims` under `header` (whose `typ` is set here), then, when the public key is
/// known, checks that it verifies the result.
pub(crate) fn sign(
    kind: TokenKind,
    header: JwsHeader,
    claims: &Map<String, Value>,
    signer: &(impl Signer + ?Sized),
    public: Option<&Jwk>,
) -> Result<String, E2ePopError> {
    let alg = signer.algorithm();
    if !AlgorithmSet::all().contains(alg) {
        return Err(E2ePopError::AlgorithmNotAllowed {
            alg: alg.as_str().to_owned(),
        });
    }
    let payload = Value::Object(claims.clone()).to_string();
    let token = jws::compact::CompactSign::new(payload.as_bytes())
        .header(header.with_typ(kind.typ()))
        .omit_kid()
        .sign(signer)
        .map_err(E2ePopError::Signing)?;
    if let Some(public) = public {
        jws::compact::verify(&token, public, &VerifyOptions::new().algorithms([alg])).map_err(
            |_| {
                E2ePopError::Key(
                    "the client key's public half does not verify its signature".into(),
                )
            },
        )?;
    }
    Ok(token)
}

/// The setters of [`Core`], shared by the builders.
macro_rules! core_setters {
    () => {
        /// Sets `iss`.
        pub fn issuer(mut self, iss: impl Into<String>) -> Self {
            self.core.iss = Some(iss.into());
            self
        }

        /// Sets `sub` (the end-user's subject identifier at the OP).
        pub fn subject(mut self, sub: impl Into<String>) -> Self {
            self.core.sub = Some(sub.into());
            self
        }

        /// Sets `aud` to one value (a string in the token).
        pub fn audience(mut self, aud: impl Into<String>) -> Self {
            self.core.aud = Some(jwt_claims::Audience::Single(aud.into()));
            self
        }

        /// Sets `aud` to several values (an array in the token).
        pub fn audiences(mut self, aud: impl IntoIterator<Item = impl Into<String>>) -> Self {
            self.core.aud = Some(jwt_claims::Audience::Multiple(
                aud.into_iter().map(Into::into).collect(),
            ));
            self
        }

        /// Sets `iat` (default: the time of `build`). `exp` follows unless set explicitly.
        pub fn issued_at(mut self, iat: jwt_claims::NumericDate) -> Self {
            self.core.iat = Some(iat);
            self
        }

        /// Sets `exp` explicitly (default: `iat` plus the lifetime, computed at `build`).
        pub fn expires_at(mut self, exp: jwt_claims::NumericDate) -> Self {
            self.core.exp = Some(exp);
            self
        }

        /// Sets the lifetime: `exp` = `iat` + `lifetime` at `build` (unless `exp` is set).
        pub fn lifetime(mut self, lifetime: std::time::Duration) -> Self {
            self.core.lifetime = lifetime;
            self
        }

        /// Sets `nbf`.
        pub fn not_before(mut self, nbf: jwt_claims::NumericDate) -> Self {
            self.core.nbf = crate::builder::NotBefore::At(nbf);
            self
        }

        /// Sets `nbf` to the token's `iat`.
        pub fn not_before_now(mut self) -> Self {
            self.core.nbf = crate::builder::NotBefore::Iat;
            self
        }

        /// Sets `jti` explicitly (default: generated by the nonce generator at `build`).
        pub fn jti(mut self, jti: impl Into<String>) -> Self {
            self.core.jti = Some(jti.into());
            self
        }

        /// How `jti` is generated (default [`crate::Nonce::uuid_v4`]).
        pub fn nonce(mut self, nonce: crate::Nonce) -> Self {
            self.core.nonce = nonce;
            self
        }
    };
}

pub(crate) use core_setters;
