//! The end-to-end PoP token (`jwt+e2epop`): the client proves to a peer that it holds the key
//! an ICT certifies. Signed by the client key; the header names it by thumbprint (`jkt`).

use crate::builder::{Core, core_setters, sign};
use crate::claims::without;
use crate::keys::{ClientKey, minimal_public};
use crate::pipeline::{
    Binding, ClaimRules, check_claims, non_empty, parse_header, verify_signature,
};
use crate::policy::{Policy, policy_setters};
use crate::replay::{Replay, ReplayKey};
use crate::{E2ePopError, TokenKind, VerifiedIct};
use jose_core::alg::JwsAlgorithm;
use jose_core::backend::Backend;
use jose_core::header::JwsHeader;
use jose_core::jwk::Jwk;
use jwk_thumbprint::ThumbprintHash;
use jwt_claims::{Audience, NumericDate};
use replay_store::ReplayStore;
use serde_json::{Map, Value};
use std::sync::Arc;

const REQUIRED: [&str; 6] = ["sub", "iss", "aud", "jti", "iat", "exp"];
/// Claims with their own setter (the `pgp` feature's extension claims).
#[cfg(feature = "pgp")]
const E2E_CLAIMS: [&str; 2] = ["pgp_fingerprint", "ict_jti"];
#[cfg(not(feature = "pgp"))]
const E2E_CLAIMS: [&str; 0] = [];

/// The claims of a verified E2E PoP token.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct E2ePopClaims {
    /// `iss`: the client id.
    pub iss: String,
    /// `sub`: the end-user's subject identifier (the ICT's `sub`).
    pub sub: String,
    /// `aud`: what the authenticating party identifies itself with (a session id, a
    /// pre-negotiated nonce, the peer's subject).
    pub aud: Audience,
    /// `iat`.
    pub iat: NumericDate,
    /// `nbf`.
    pub nbf: Option<NumericDate>,
    /// `exp`.
    pub exp: NumericDate,
    /// `jti`.
    pub jti: String,
    /// Every other claim.
    pub extra: Map<String, Value>,
}

/// An E2E PoP token whose signature and claims were verified.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedE2ePop {
    alg: JwsAlgorithm,
    jkt: String,
    claims: E2ePopClaims,
}

impl VerifiedE2ePop {
    /// The signature algorithm.
    #[must_use]
    pub fn alg(&self) -> JwsAlgorithm {
        self.alg
    }

    /// The header's `jkt`: the SHA-256 thumbprint of the client key.
    #[must_use]
    pub fn jkt(&self) -> &str {
        &self.jkt
    }

    /// The claims.
    #[must_use]
    pub fn claims(&self) -> &E2ePopClaims {
        &self.claims
    }

    /// The claims, by value.
    #[must_use]
    pub fn into_claims(self) -> E2ePopClaims {
        self.claims
    }
}

/// Builds and signs an E2E PoP token (the client's side).
///
/// Presets: `jti` a random UUID, `iat` now, `exp` = `iat` + 300 s. The header is
/// `{typ: "jwt+e2epop", alg, jkt}` where `jkt` is computed from the signing key: an explicit
/// [`E2ePopTokenBuilder::thumbprint`] must agree with it.
///
/// ```
/// use e2e_pop::E2ePopTokenBuilder;
/// use jose_core::alg::JwsAlgorithm;
/// use jws::SigningKey;
///
/// let client_key = SigningKey::generate(JwsAlgorithm::ES384)?;
/// let token = E2ePopTokenBuilder::new()
///     .issuer("exampleclient")
///     .subject("1234567890")
///     .audiences(["sessionid", "bob"])
///     .not_before_now()
///     .build(&client_key)?;
/// let header = jws::unverified::decode_header(&token)?;
/// assert!(header.param("jkt").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct E2ePopTokenBuilder {
    core: Core,
    jkt: Option<String>,
    #[cfg(feature = "pgp")]
    pgp: crate::pgp::BuilderClaims,
}

impl Default for E2ePopTokenBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl E2ePopTokenBuilder {
    /// A builder with the presets.
    pub fn new() -> Self {
        Self {
            core: Core::new(TokenKind::E2ePop),
            jkt: None,
            #[cfg(feature = "pgp")]
            pgp: crate::pgp::BuilderClaims::default(),
        }
    }

    /// A builder starting from a claims object: registered claims go to their setters, the
    /// rest become custom claims.
    ///
    /// # Errors
    /// [`E2ePopError::InvalidClaim`] for a registered claim of the wrong type.
    pub fn from_claims(mut claims: Map<String, Value>) -> Result<Self, E2ePopError> {
        let mut b = Self::new();
        b.core.take_registered(&mut claims)?;
        #[cfg(feature = "pgp")]
        {
            b.pgp = crate::pgp::BuilderClaims::from_claims(&claims)?;
        }
        for (name, value) in without(&claims, &E2E_CLAIMS) {
            b.core.claim(name, value, &E2E_CLAIMS)?;
        }
        Ok(b)
    }

    core_setters!();

    #[cfg(feature = "pgp")]
    pub(crate) fn pgp_claims_mut(&mut self) -> &mut crate::pgp::BuilderClaims {
        &mut self.pgp
    }

    /// States the expected `jkt`; building fails unless it is the signing key's thumbprint.
    pub fn thumbprint(mut self, jkt: impl Into<String>) -> Self {
        self.jkt = Some(jkt.into());
        self
    }

    /// Adds a custom claim.
    ///
    /// # Errors
    /// [`E2ePopError::DuplicateClaim`] for a registered name or a name set before.
    pub fn claim(
        mut self,
        name: impl Into<String>,
        value: impl Into<Value>,
    ) -> Result<Self, E2ePopError> {
        self.core.claim(name.into(), value.into(), &E2E_CLAIMS)?;
        Ok(self)
    }

    /// The claims set as it will be signed (presets computed now).
    ///
    /// # Errors
    /// [`E2ePopError::Incomplete`] without `iss`, `sub` or `aud`; [`E2ePopError::Nonce`].
    pub fn build_claims(&self) -> Result<Map<String, Value>, E2ePopError> {
        #[allow(unused_mut)]
        let mut specific = Map::new();
        #[cfg(feature = "pgp")]
        self.pgp.write(&mut specific);
        self.core.build(true, specific)
    }

    /// Signs the token with the client key.
    ///
    /// # Errors
    /// As [`E2ePopTokenBuilder::build_claims`]; [`E2ePopError::JktMismatch`] when an explicit
    /// thumbprint disagrees with the key; [`E2ePopError::Key`],
    /// [`E2ePopError::AlgorithmNotAllowed`], [`E2ePopError::Signing`].
    pub fn build(&self, key: &(impl ClientKey + ?Sized)) -> Result<String, E2ePopError> {
        let claims = self.build_claims()?;
        let public = minimal_public(&key.public_jwk()?)?;
        let jkt = jwk_thumbprint::thumbprint_b64(&public, ThumbprintHash::Sha256);
        if let Some(stated) = &self.jkt
            && !jose_core::constant_time_eq(stated.as_bytes(), jkt.as_bytes())
        {
            return Err(E2ePopError::JktMismatch);
        }
        let header = JwsHeader::default()
            .with_param("jkt", Value::String(jkt))
            .map_err(|e| E2ePopError::Key(e.to_string()))?;
        sign(TokenKind::E2ePop, header, &claims, key, Some(&public))
    }
}

/// Verifies E2E PoP tokens (the authenticating party's side).
///
/// The party's own identifier is the required audience. With [`E2ePopVerifier::verify`] the
/// key, the subject and the client id come from the verified ICT: `jkt` must be the
/// thumbprint of its `cnf.jwk`, `sub` its `sub`, and `iss` its `aud` when it has one.
/// [`E2ePopVerifier::verify_with_key`] takes the key directly, for advanced use.
#[derive(Clone, Debug)]
#[must_use]
pub struct E2ePopVerifier {
    policy: Policy,
    audiences: Vec<String>,
    issuers: Vec<String>,
    subject: Option<String>,
    replay: Option<Replay>,
    backend: Option<Backend>,
    #[cfg(feature = "pgp")]
    pgp: crate::pgp::VerifierRules,
}

impl E2ePopVerifier {
    /// A verifier for tokens addressed to `audience`, the party's own identifier, refusing a
    /// second token with the same (`iss`, `sub`, `aud`, `jti`) within its lifetime by
    /// recording each in `store` (namespace `e2e-pop`).
    pub fn new(audience: impl Into<String>, store: Arc<dyn ReplayStore>) -> Self {
        Self {
            replay: Some(Replay(store)),
            ..Self::without_replay_detection(audience)
        }
    }

    /// A verifier **without replay detection**: a captured E2E PoP token is accepted again
    /// until it expires. Only for callers that record `jti` values themselves, or for tooling.
    pub fn without_replay_detection(audience: impl Into<String>) -> Self {
        Self {
            policy: Policy::for_token(TokenKind::E2ePop),
            audiences: vec![audience.into()],
            issuers: Vec::new(),
            subject: None,
            replay: None,
            backend: None,
            #[cfg(feature = "pgp")]
            pgp: crate::pgp::VerifierRules::default(),
        }
    }

    policy_setters!();

    /// Accepts this audience too (any one must match).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Requires `iss` to be this client id (repeatable: any one matches). With an ICT that has
    /// `aud`, the ICT's value is required as well.
    pub fn expected_issuer(mut self, client_id: impl Into<String>) -> Self {
        self.issuers.push(client_id.into());
        self
    }

    /// Requires `sub` to be this subject (for [`E2ePopVerifier::verify_with_key`]; with an
    /// ICT, its `sub` is required as well).
    pub fn expected_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Verifies on this crypto backend: the ICT's `cnf.jwk` (and the key given to
    /// [`E2ePopVerifier::verify_with_key`]) is pinned to it. Without it the ICT's key has
    /// [`Backend::default()`] and a given key keeps its own; see `docs/backends.md`.
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = Some(backend);
        self
    }

    #[cfg(feature = "pgp")]
    pub(crate) fn pgp_rules_mut(&mut self) -> &mut crate::pgp::VerifierRules {
        &mut self.pgp
    }

    /// Verifies an E2E PoP token against the verified ICT it came with.
    ///
    /// # Errors
    /// [`E2ePopError`] naming the first failed check; [`E2ePopError::SubjectNotBound`] and
    /// [`E2ePopError::ClientNotBound`] for tokens that do not belong to the ICT.
    pub async fn verify(
        &self,
        token: &str,
        ict: &VerifiedIct,
    ) -> Result<VerifiedE2ePop, E2ePopError> {
        let c = ict.claims();
        let client_ids: Vec<String> = c
            .aud
            .as_ref()
            .map(|a| a.iter().map(str::to_owned).collect())
            .unwrap_or_default();
        self.run(token, &c.cnf_jwk, Some((&c.sub, &client_ids, &c.jti)))
            .await
    }

    /// Verifies an E2E PoP token with the client key given directly (its thumbprint must be
    /// the header's `jkt`). Prefer [`E2ePopVerifier::verify`], which binds the token to an ICT.
    ///
    /// # Errors
    /// [`E2ePopError`] naming the first failed check.
    pub async fn verify_with_key(
        &self,
        token: &str,
        key: &Jwk,
    ) -> Result<VerifiedE2ePop, E2ePopError> {
        self.run(token, key, None).await
    }

    async fn run(
        &self,
        token: &str,
        key: &Jwk,
        ict: Option<(&str, &[String], &str)>,
    ) -> Result<VerifiedE2ePop, E2ePopError> {
        for a in &self.audiences {
            non_empty(a, "the expected audience is empty")?;
        }
        if let Some(s) = &self.subject {
            non_empty(s, "the expected subject is empty")?;
        }
        let header = parse_header(token, &self.policy)?;
        let alg = header
            .alg()
            .ok_or(E2ePopError::AlgorithmNotAllowed { alg: String::new() })?;
        let pinned;
        let key = match self.backend {
            Some(backend) => {
                pinned = key.clone().with_backend(backend);
                &pinned
            }
            None => key,
        };
        let verified = verify_signature(token, key, alg)?;
        let (subject, subject_binding, issuers, issuer_binding) = match ict {
            Some((sub, client_ids, _)) if !client_ids.is_empty() => {
                (Some(sub), Binding::Ict, client_ids, Binding::Ict)
            }
            Some((sub, _, _)) => (
                Some(sub),
                Binding::Ict,
                &self.issuers[..],
                Binding::Expected,
            ),
            None => (
                self.subject.as_deref(),
                Binding::Expected,
                &self.issuers[..],
                Binding::Expected,
            ),
        };
        let checked = check_claims(
            verified,
            &ClaimRules {
                token: TokenKind::E2ePop,
                required: &REQUIRED,
                issuers,
                issuer_binding,
                subject,
                subject_binding,
                audiences: &self.audiences,
            },
            &self.policy,
        )?;
        // The caller's own expectations apply on top of the ICT's.
        let r = &checked.registered;
        if ict.is_some() {
            if let Some(s) = &self.subject
                && r.sub.as_deref() != Some(s.as_str())
            {
                return Err(E2ePopError::SubjectMismatch);
            }
            if !self.issuers.is_empty()
                && !self
                    .issuers
                    .iter()
                    .any(|i| r.iss.as_deref() == Some(i.as_str()))
            {
                return Err(E2ePopError::IssuerMismatch {
                    found: jose_core::json::truncate_for_error(
                        r.iss.as_deref().unwrap_or_default(),
                    ),
                });
            }
        }
        // Post-checks, after the claims as in the reference: `jkt` present and equal to the
        // SHA-256 thumbprint of the key that verified the signature.
        let jkt = match checked.header.param("jkt") {
            None => return Err(E2ePopError::JktMissing),
            Some(Value::String(j)) => j.clone(),
            Some(_) => return Err(E2ePopError::JktMismatch),
        };
        if !jwk_thumbprint::matches(key, &jkt, ThumbprintHash::Sha256) {
            return Err(E2ePopError::JktMismatch);
        }
        #[cfg(feature = "pgp")]
        self.pgp
            .check(&checked.claims, ict.map(|(_, _, jti)| jti))?;
        let r = checked.registered;
        let missing = E2ePopError::MissingClaim;
        let claims = E2ePopClaims {
            iss: r.iss.ok_or(missing("iss"))?,
            sub: r.sub.ok_or(missing("sub"))?,
            aud: r.aud.ok_or(missing("aud"))?,
            iat: r.iat.ok_or(missing("iat"))?,
            nbf: r.nbf,
            exp: r.exp.ok_or(missing("exp"))?,
            jti: r.jti.ok_or(missing("jti"))?,
            extra: without(&checked.claims, &jwt_claims::REGISTERED),
        };
        if let Some(replay) = &self.replay {
            let key = ReplayKey {
                token: TokenKind::E2ePop,
                iss: &claims.iss,
                sub: &claims.sub,
                aud: Some(&claims.aud),
                jti: &claims.jti,
            };
            replay.check(&key, claims.exp, &self.policy).await?;
        }
        Ok(VerifiedE2ePop { alg, jkt, claims })
    }
}
