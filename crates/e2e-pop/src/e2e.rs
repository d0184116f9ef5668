//! The end-to-end PoP token (`jwt+e2epop`): the client proves to a peer that it holds the key
//! an ICT certifies. Signed by the client key; the header names it by thumbprint (`jkt`).

use crate::builder::{Core, core_setters, sign};
use crate::claims::{CommonClaims, deref_common, without};
use crate::keys::{ClientKey, minimal_public};
use crate::pipeline::{
    Binding, Checked, ClaimRules, check_claims, check_expected, parse_header, verify_signature,
};
use crate::replay::{Replay, check_once};
use crate::{AlgorithmSet, E2ePopError, TokenKind, VerifiedIct, VerifierPolicy};
use jose_core::alg::JwsAlgorithm;
use jose_core::backend::Backend;
use jose_core::header::JwsHeader;
use jose_core::jwk::Jwk;
use jwk_thumbprint::ThumbprintHash;
use jwt_claims::ClaimError;
use jwt_claims::{Audience, NumericDate};
use replay_store::ReplayStore;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

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
    /// `iss` (the client id), `sub` (the ICT's `sub`), `iat`, `nbf`, `exp`, `jti`; also read
    /// through `Deref`.
    pub common: CommonClaims,
    /// `aud`: what the authenticating party identifies itself with (a session id, a
    /// pre-negotiated nonce, the peer's subject).
    pub aud: Audience,
    /// Every other claim.
    pub extra: Map<String, Value>,
}

deref_common!(E2ePopClaims);

/// What an E2E PoP token is bound to when it comes with a verified ICT.
#[derive(Clone, Copy, Debug)]
struct IctBinding<'a> {
    /// The ICT's `sub`: the token's `sub` must equal it.
    sub: &'a str,
    /// The ICT's `aud` values (client ids): the token's `iss` must be one, when any.
    client_ids: &'a [String],
    /// The ICT's `jti` (for the `pgp` feature's `ict_jti`).
    #[cfg_attr(not(feature = "pgp"), allow(dead_code))]
    jti: &'a str,
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
    /// [`E2ePopError::Claim`] for a registered claim of the wrong type.
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
    policy: VerifierPolicy,
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
            policy: VerifierPolicy::for_token(TokenKind::E2ePop),
            audiences: vec![audience.into()],
            issuers: Vec::new(),
            subject: None,
            replay: None,
            backend: None,
            #[cfg(feature = "pgp")]
            pgp: crate::pgp::VerifierRules::default(),
        }
    }

    /// Replaces the whole [`VerifierPolicy`] (default: [`VerifierPolicy::for_token`]).
    pub fn policy(mut self, policy: VerifierPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The policy in force.
    pub fn verifier_policy(&self) -> &VerifierPolicy {
        &self.policy
    }

    /// [`VerifierPolicy::algorithms`].
    pub fn algorithms(mut self, algorithms: AlgorithmSet) -> Self {
        self.policy = self.policy.algorithms(algorithms);
        self
    }

    /// [`VerifierPolicy::leeway`]: the clock tolerance (default 0).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.policy = self.policy.leeway(leeway);
        self
    }

    /// The former name of [`Self::leeway`].
    #[deprecated(note = "renamed `leeway`, the one name of the clock tolerance in every crate")]
    pub fn clock_tolerance(self, tolerance: Duration) -> Self {
        self.leeway(tolerance)
    }

    /// [`VerifierPolicy::max_token_age`].
    pub fn max_token_age(mut self, age: Duration) -> Self {
        self.policy = self.policy.max_token_age(age);
        self
    }

    /// [`VerifierPolicy::max_lifetime`].
    pub fn max_lifetime(mut self, lifetime: Duration) -> Self {
        self.policy = self.policy.max_lifetime(lifetime);
        self
    }

    /// [`VerifierPolicy::now`]: checks the times as of `now` instead of the system clock.
    pub fn now(mut self, now: NumericDate) -> Self {
        self.policy = self.policy.now(now);
        self
    }

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
        let binding = IctBinding {
            sub: &c.sub,
            client_ids: &client_ids,
            jti: &c.jti,
        };
        self.run(token, &c.cnf_jwk, Some(binding)).await
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
        ict: Option<IctBinding<'_>>,
    ) -> Result<VerifiedE2ePop, E2ePopError> {
        check_expected(&self.audiences, self.subject.as_deref())?;
        let (_, alg) = parse_header(token, &self.policy)?;
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
            Some(b) if !b.client_ids.is_empty() => {
                (Some(b.sub), Binding::Ict, b.client_ids, Binding::Ict)
            }
            Some(b) => (
                Some(b.sub),
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
        if ict.is_some() {
            self.check_own_expectations(&checked)?;
        }
        let jkt = check_jkt(&checked, key)?;
        #[cfg(feature = "pgp")]
        self.pgp.check(&checked.claims, ict.map(|b| b.jti))?;
        let (common, aud) = CommonClaims::split(checked.registered)?;
        let claims = E2ePopClaims {
            common,
            aud: aud.ok_or(E2ePopError::Claim(ClaimError::missing("aud")))?,
            extra: without(&checked.claims, &jwt_claims::REGISTERED),
        };
        let aud = Some(&claims.aud);
        check_once(
            self.replay.as_ref(),
            TokenKind::E2ePop,
            &claims,
            aud,
            &self.policy,
        )
        .await?;
        Ok(VerifiedE2ePop { alg, jkt, claims })
    }

    /// With an ICT, the caller's own expected subject and issuers apply on top of the ICT's.
    fn check_own_expectations(&self, checked: &Checked) -> Result<(), E2ePopError> {
        let r = &checked.registered;
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
                found: jose_core::json::truncate_for_error(r.iss.as_deref().unwrap_or_default()),
            });
        }
        Ok(())
    }
}

/// Post-checks, after the claims as in the reference: `jkt` present and equal to the SHA-256
/// thumbprint of the key that verified the signature.
fn check_jkt(checked: &Checked, key: &Jwk) -> Result<String, E2ePopError> {
    let jkt = match checked.header.param("jkt") {
        None => return Err(E2ePopError::JktMissing),
        Some(Value::String(j)) => j.clone(),
        Some(_) => return Err(E2ePopError::JktMismatch),
    };
    if !jwk_thumbprint::matches(key, &jkt, ThumbprintHash::Sha256) {
        return Err(E2ePopError::JktMismatch);
    }
    Ok(jkt)
}
