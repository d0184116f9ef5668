//! The PoP token (`jwt+pop`): the client proves possession of its key to the OP's ICT
//! endpoint. Signed by the client key it carries in the header `jwk`.

use crate::builder::{Core, core_setters, sign};
use crate::claims::{CommonClaims, boolean, deref_common, string_list, without};
use crate::keys::{ClientKey, minimal_public};
use crate::pipeline::{
    Binding, ClaimRules, check_claims, check_expected, parse_header, verify_signature,
};
use crate::replay::{Replay, check_once};
use crate::{AlgorithmSet, E2ePopError, TokenKind, VerifierPolicy};
use jose_core::alg::JwsAlgorithm;
use jose_core::backend::Backend;
use jose_core::header::JwsHeader;
use jose_core::jwk::Jwk;
use jwt_claims::ClaimError;
use jwt_claims::{Audience, NumericDate};
use replay_store::ReplayStore;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// Claims of a PoP token that have their own setter or field.
const POP_CLAIMS: [&str; 3] = ["required_claims", "optional_claims", "with_audience"];
/// The reference library's spellings, read only when [`PopTokenVerifier::accept_camel_case`].
const CAMEL: [&str; 3] = ["requiredClaims", "optionalClaims", "withAudience"];
const REQUIRED: [&str; 6] = ["sub", "iss", "aud", "jti", "iat", "exp"];

/// The claims of a verified PoP token.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct PopClaims {
    /// `iss` (the client id), `sub`, `iat`, `nbf`, `exp`, `jti`; also read through `Deref`.
    pub common: CommonClaims,
    /// `aud`: the OP's issuer identifier.
    pub aud: Audience,
    /// `required_claims`: claims the ICT must contain (the OP answers 404 when it cannot).
    pub required_claims: Option<Vec<String>>,
    /// `optional_claims`: claims to include if available.
    pub optional_claims: Option<Vec<String>>,
    /// `with_audience`: whether the ICT must carry `aud`.
    pub with_audience: Option<bool>,
    /// Every other claim (for example the OP extension's `token_claims`, `token_lifetime`,
    /// `token_nonce`).
    pub extra: Map<String, Value>,
}

deref_common!(PopClaims);

impl PopClaims {
    /// Whether the ICT must carry `aud`: the draft reads an absent `with_audience` as `true`.
    #[must_use]
    pub fn ict_audience_requested(&self) -> bool {
        self.with_audience.unwrap_or(true)
    }
}

/// A PoP token whose signature and claims were verified.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedPopToken {
    alg: JwsAlgorithm,
    jwk: Jwk,
    claims: PopClaims,
}

impl VerifiedPopToken {
    /// The signature algorithm.
    #[must_use]
    pub fn alg(&self) -> JwsAlgorithm {
        self.alg
    }

    /// The client's public key from the header, reduced to its RFC 7638 members: what the OP
    /// puts into the ICT's `cnf.jwk`.
    #[must_use]
    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// The claims.
    #[must_use]
    pub fn claims(&self) -> &PopClaims {
        &self.claims
    }

    /// The claims, by value.
    #[must_use]
    pub fn into_claims(self) -> PopClaims {
        self.claims
    }
}

/// Builds and signs a PoP token.
///
/// Presets (computed when the token is built, filling only what is unset): `jti` a random
/// UUID, `iat` now, `exp` = `iat` + 60 s. The header is `{typ: "jwt+pop", alg, jwk}` with the
/// signing key's public half (its RFC 7638 members only). The request claims are written in
/// the draft's snake case.
///
/// ```
/// use e2e_pop::{PopTokenBuilder, PopTokenVerifier};
/// use jose_core::alg::JwsAlgorithm;
/// use jws::SigningKey;
/// use replay_store::MemoryReplayStore;
/// use std::sync::Arc;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let client_key = SigningKey::generate(JwsAlgorithm::ES384)?;
/// let pop = PopTokenBuilder::new()
///     .issuer("exampleclient")
///     .subject("1234567890")
///     .audience("https://op.example.com")
///     .required_claims(["name"])
///     .with_audience(true)
///     .build(&client_key)?;
///
/// // At the OP's ICT endpoint, which accepts each PoP token once:
/// let verifier = PopTokenVerifier::new("https://op.example.com", Arc::new(MemoryReplayStore::new()))
///     .expected_issuer("exampleclient")
///     .expected_subject("1234567890");
/// let verified = verifier.verify(&pop).await?;
/// assert_eq!(verified.claims().required_claims.as_deref(), Some(&["name".to_owned()][..]));
/// assert_eq!(verifier.verify(&pop).await.unwrap_err().code(), "replay");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct PopTokenBuilder {
    core: Core,
    required_claims: Option<Vec<String>>,
    optional_claims: Option<Vec<String>>,
    with_audience: Option<bool>,
}

impl Default for PopTokenBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl PopTokenBuilder {
    /// A builder with the presets.
    pub fn new() -> Self {
        Self {
            core: Core::new(TokenKind::Pop),
            required_claims: None,
            optional_claims: None,
            with_audience: None,
        }
    }

    /// A builder starting from a claims object: registered and request claims go to their
    /// setters (typed), the rest become custom claims. Presets fill only what is absent.
    ///
    /// # Errors
    /// [`E2ePopError::Claim`] for a claim of the wrong type.
    pub fn from_claims(mut claims: Map<String, Value>) -> Result<Self, E2ePopError> {
        let mut b = Self::new();
        b.core.take_registered(&mut claims)?;
        b.required_claims = string_list(&claims, "required_claims")?;
        b.optional_claims = string_list(&claims, "optional_claims")?;
        b.with_audience = boolean(&claims, "with_audience")?;
        for (name, value) in without(&claims, &POP_CLAIMS) {
            b.core.claim(name, value, &POP_CLAIMS)?;
        }
        Ok(b)
    }

    core_setters!();

    /// Sets `required_claims`.
    pub fn required_claims(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.required_claims = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `optional_claims`.
    pub fn optional_claims(mut self, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.optional_claims = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `with_audience` (emitted whenever set; the draft reads its absence as `true`).
    pub fn with_audience(mut self, with: bool) -> Self {
        self.with_audience = Some(with);
        self
    }

    /// Adds a custom claim.
    ///
    /// # Errors
    /// [`E2ePopError::DuplicateClaim`] for a name with its own setter or set before.
    pub fn claim(
        mut self,
        name: impl Into<String>,
        value: impl Into<Value>,
    ) -> Result<Self, E2ePopError> {
        self.core.claim(name.into(), value.into(), &POP_CLAIMS)?;
        Ok(self)
    }

    /// The claims set as it will be signed (presets computed now).
    ///
    /// # Errors
    /// [`E2ePopError::Incomplete`] without `iss`, `sub` or `aud`; [`E2ePopError::Nonce`].
    pub fn build_claims(&self) -> Result<Map<String, Value>, E2ePopError> {
        let mut specific = Map::new();
        let list = |v: &Vec<String>| Value::Array(v.iter().cloned().map(Value::String).collect());
        if let Some(v) = &self.required_claims {
            specific.insert("required_claims".into(), list(v));
        }
        if let Some(v) = &self.optional_claims {
            specific.insert("optional_claims".into(), list(v));
        }
        if let Some(b) = self.with_audience {
            specific.insert("with_audience".into(), Value::Bool(b));
        }
        self.core.build(true, specific)
    }

    /// Signs the token with the client key.
    ///
    /// # Errors
    /// As [`PopTokenBuilder::build_claims`]; [`E2ePopError::AlgorithmNotAllowed`] for a
    /// symmetric key; [`E2ePopError::Key`] when the key's public half is unavailable or does
    /// not verify the signature; [`E2ePopError::Signing`].
    pub fn build(&self, key: &(impl ClientKey + ?Sized)) -> Result<String, E2ePopError> {
        let claims = self.build_claims()?;
        let public = minimal_public(&key.public_jwk()?)?;
        let header = JwsHeader::default()
            .with_jwk(public.clone())
            .map_err(|e| E2ePopError::Key(e.to_string()))?;
        sign(TokenKind::Pop, header, &claims, key, Some(&public))
    }
}

/// Verifies PoP tokens: what the OP's ICT endpoint does with the token it receives.
///
/// The OP's issuer identifier is the required audience. The draft also wants `iss` = the
/// access token's client id and `sub` = its subject: pass them with
/// [`PopTokenVerifier::expected_issuer`] and [`PopTokenVerifier::expected_subject`]. Draft
/// conformance also needs replay detection (`jti` unique per `iss` and `sub`): the
/// [`ReplayStore`] given to [`PopTokenVerifier::new`] (`MemoryReplayStore` for one process,
/// `RedisReplayStore` for several), or the explicit opt-out
/// [`PopTokenVerifier::without_replay_detection`].
#[derive(Clone, Debug)]
#[must_use]
pub struct PopTokenVerifier {
    policy: VerifierPolicy,
    audiences: Vec<String>,
    issuers: Vec<String>,
    subject: Option<String>,
    camel_case: bool,
    replay: Option<Replay>,
    backend: Backend,
}

impl PopTokenVerifier {
    /// A verifier for PoP tokens addressed to the OP `audience` (its issuer identifier),
    /// refusing a second token with the same (`iss`, `sub`, `jti`) within its lifetime by
    /// recording each in `store` (namespace `e2e-pop`).
    pub fn new(audience: impl Into<String>, store: Arc<dyn ReplayStore>) -> Self {
        Self {
            replay: Some(Replay(store)),
            ..Self::without_replay_detection(audience)
        }
    }

    /// A verifier **without replay detection**: a captured PoP token is accepted again until
    /// it expires. Only for callers that record `jti` values themselves, or for tooling.
    pub fn without_replay_detection(audience: impl Into<String>) -> Self {
        Self {
            policy: VerifierPolicy::for_token(TokenKind::Pop),
            audiences: vec![audience.into()],
            issuers: Vec::new(),
            subject: None,
            camel_case: false,
            replay: None,
            backend: Backend::default(),
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

    /// Verifies on this crypto backend: the key in each token's `jwk` header is pinned to it.
    /// Default [`Backend::default()`]: aws-lc-rs when the build compiles it in (this crate's
    /// `aws-lc-rs` feature does) and RustCrypto otherwise; see `docs/backends.md`.
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    /// Accepts this audience too (any one must match).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Requires `iss` to be this client id (repeatable: any one matches).
    pub fn expected_issuer(mut self, client_id: impl Into<String>) -> Self {
        self.issuers.push(client_id.into());
        self
    }

    /// Requires `sub` to be this subject.
    pub fn expected_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Also reads the reference library's camelCase request claims (`requiredClaims`,
    /// `optionalClaims`, `withAudience`) when the snake-case ones are absent.
    pub fn accept_camel_case(mut self) -> Self {
        self.camel_case = true;
        self
    }

    /// Verifies a PoP token, then records it in the replay store (after every other check).
    ///
    /// # Errors
    /// [`E2ePopError`] naming the first failed check; [`E2ePopError::Replay`] for a token seen
    /// before, [`E2ePopError::ReplayStore`] when the store cannot answer.
    pub async fn verify(&self, token: &str) -> Result<VerifiedPopToken, E2ePopError> {
        check_expected(&self.audiences, self.subject.as_deref())?;
        let (header, alg) = parse_header(token, &self.policy)?;
        if header.jwk().is_none() {
            return Err(E2ePopError::EmbeddedKeyMissing);
        }
        let verified = verify_signature(token, &jws::EmbeddedJwkOn(self.backend), alg)?;
        let checked = check_claims(
            verified,
            &ClaimRules {
                token: TokenKind::Pop,
                required: &REQUIRED,
                issuers: &self.issuers,
                issuer_binding: Binding::Expected,
                subject: self.subject.as_deref(),
                subject_binding: Binding::Expected,
                audiences: &self.audiences,
            },
            &self.policy,
        )?;
        let jwk = checked
            .header
            .jwk()
            .ok_or(E2ePopError::EmbeddedKeyMissing)
            .and_then(minimal_public)?;
        let map = &checked.claims;
        let pick = |snake: &'static str, camel: &'static str| {
            if self.camel_case && !map.contains_key(snake) {
                camel
            } else {
                snake
            }
        };
        let required_claims = string_list(map, pick(POP_CLAIMS[0], CAMEL[0]))?;
        let optional_claims = string_list(map, pick(POP_CLAIMS[1], CAMEL[1]))?;
        let with_audience = boolean(map, pick(POP_CLAIMS[2], CAMEL[2]))?;
        let (common, aud) = CommonClaims::split(checked.registered)?;
        let claims = PopClaims {
            common,
            aud: aud.ok_or(E2ePopError::Claim(ClaimError::missing("aud")))?,
            required_claims,
            optional_claims,
            with_audience,
            extra: without(
                map,
                &[&jwt_claims::REGISTERED[..], &POP_CLAIMS[..]].concat(),
            ),
        };
        check_once(
            self.replay.as_ref(),
            TokenKind::Pop,
            &claims,
            None,
            &self.policy,
        )
        .await?;
        Ok(VerifiedPopToken { alg, jwk, claims })
    }
}
