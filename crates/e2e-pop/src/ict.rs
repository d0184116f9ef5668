//! The Identity Certification Token (`jwt+ict`): the OP certifies that the client key in
//! `cnf.jwk` may prove the end-user's identity in the contexts of `ctx`.

use crate::builder::{Core, core_setters, sign};
use crate::claims::{CommonClaims, Contexts, deref_common, without};
use crate::keys::{OpKeyResolver, minimal_public};
use crate::pipeline::{
    Binding, ClaimRules, check_claims, check_expected, non_empty, parse_header, verify_signature,
};
use crate::replay::{Replay, check_once};
use crate::{AlgorithmSet, E2ePopError, TokenKind, VerifiedPopToken, VerifierPolicy};
use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use jose_core::json::{self, JsonLimits};
use jose_core::jwk::{Jwk, KeyError, KeyOperation, KeyPolicy};
use jws::{JwsError, Signer};
use jwt_claims::ClaimError;
use jwt_claims::{Audience, NumericDate};
use replay_store::ReplayStore;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// Claims of an ICT with their own setter or field.
const ICT_CLAIMS: [&str; 2] = ["cnf", "ctx"];
const REQUIRED: [&str; 7] = ["sub", "iss", "jti", "iat", "exp", "cnf", "ctx"];
/// Claims that are protocol, not identity: left out of [`crate::VerifiedIdentity::claims`].
pub(crate) const PROTOCOL_CLAIMS: [&str; 10] = [
    "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "cnf", "ctx", "nonce",
];

/// The claims of a verified ICT.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct IctClaims {
    /// `iss` (the OP's issuer identifier), `sub`, `iat`, `nbf`, `exp`, `jti`; also read
    /// through `Deref`.
    pub common: CommonClaims,
    /// `aud`: the client id, when the PoP token asked for it.
    pub aud: Option<Audience>,
    /// `cnf.jwk`: the client's public key, validated.
    pub cnf_jwk: Jwk,
    /// `ctx`: the granted contexts.
    pub ctx: Contexts,
    /// Every other claim: the identity claims (`name`, `email`, ...) and extensions such as
    /// the OP's `nonce`.
    pub extra: Map<String, Value>,
}

deref_common!(IctClaims);

/// An ICT whose signature and claims were verified.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedIct {
    alg: JwsAlgorithm,
    kid: String,
    claims: IctClaims,
}

impl VerifiedIct {
    /// The signature algorithm.
    #[must_use]
    pub fn alg(&self) -> JwsAlgorithm {
        self.alg
    }

    /// The `kid` of the OP key that signed it.
    #[must_use]
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The claims.
    #[must_use]
    pub fn claims(&self) -> &IctClaims {
        &self.claims
    }

    /// The claims, by value.
    #[must_use]
    pub fn into_claims(self) -> IctClaims {
        self.claims
    }
}

/// Builds and signs an ICT (the OP's side).
///
/// Presets: `jti` a random UUID, `iat` now, `exp` = `iat` + 300 s. The header is
/// `{typ: "jwt+ict", alg, kid}`; `kid` comes from [`IctBuilder::key_id`] or the signer.
///
/// ```
/// use e2e_pop::{IctBuilder, IctVerifier, OpJwks, RequiredContexts};
/// use jose_core::alg::JwsAlgorithm;
/// use jose_core::jwk::{Jwk, JwkSet};
/// use jws::SigningKey;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let op_key = SigningKey::new(Jwk::generate(JwsAlgorithm::ES384)?.with_kid("op-2023"), JwsAlgorithm::ES384)?;
/// let client_key = Jwk::generate(JwsAlgorithm::ES384)?;
/// let ict = IctBuilder::new()
///     .issuer("https://op.example.com")
///     .subject("1234567890")
///     .audience("exampleclient")
///     .confirmation(&client_key.to_public()?)?
///     .contexts(["email"])
///     .claim("name", "John Smith")?
///     .build(&op_key)?;
///
/// let jwks = JwkSet::new(vec![op_key.public_jwk()?])?;
/// let verified = IctVerifier::new(OpJwks::new("https://op.example.com", jwks), RequiredContexts::all(["email"]))
///     .verify(&ict)
///     .await?;
/// assert_eq!(verified.claims().extra["name"], "John Smith");
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct IctBuilder {
    core: Core,
    cnf: Option<Jwk>,
    ctx: Option<Contexts>,
    kid: Option<String>,
}

impl Default for IctBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl IctBuilder {
    /// A builder with the presets.
    pub fn new() -> Self {
        Self {
            core: Core::new(TokenKind::Ict),
            cnf: None,
            ctx: None,
            kid: None,
        }
    }

    /// A builder for the ICT answering a verified PoP token: `sub` and `cnf.jwk` from the PoP
    /// token, and `aud` = its `iss` (the client id) unless it asked for no audience.
    pub fn for_pop_token(pop: &VerifiedPopToken) -> Self {
        let mut b = Self::new().subject(pop.claims().sub.clone());
        b.cnf = Some(pop.jwk().clone());
        if pop.claims().ict_audience_requested() {
            b = b.audience(pop.claims().iss.clone());
        }
        b
    }

    /// A builder starting from a claims object: registered claims, `cnf` and `ctx` go to their
    /// setters, the rest become custom (identity) claims.
    ///
    /// # Errors
    /// [`E2ePopError::Claim`], [`E2ePopError::CnfMissing`], [`E2ePopError::CnfInvalid`]
    /// or [`E2ePopError::CnfPrivateKey`] for claims of the wrong form.
    pub fn from_claims(mut claims: Map<String, Value>) -> Result<Self, E2ePopError> {
        let mut b = Self::new();
        b.core.take_registered(&mut claims)?;
        if let Some(cnf) = claims.get("cnf") {
            b.cnf = Some(read_cnf(cnf)?);
        }
        if let Some(ctx) = claims.get("ctx") {
            b.ctx = Some(Contexts::from_json(ctx)?);
        }
        for (name, value) in without(&claims, &ICT_CLAIMS) {
            b.core.claim(name, value, &ICT_CLAIMS)?;
        }
        Ok(b)
    }

    core_setters!();

    /// Sets `cnf.jwk`: the client's public key (reduced to its RFC 7638 members).
    ///
    /// # Errors
    /// [`E2ePopError::Key`] for a private or symmetric key: the OP must never put one there.
    pub fn confirmation(mut self, client_key: &Jwk) -> Result<Self, E2ePopError> {
        if client_key.is_private() {
            return Err(E2ePopError::Key(
                "cnf.jwk must be a public key; a private key was given".into(),
            ));
        }
        self.cnf = Some(minimal_public(client_key)?);
        Ok(self)
    }

    /// Sets `ctx`: the contexts granted (the context scopes without their prefix).
    pub fn contexts(mut self, contexts: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.ctx = Some(Contexts::new(contexts));
        self
    }

    /// Sets the header's `kid` (default: the signer's key id).
    pub fn key_id(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Adds a custom claim (an identity claim such as `name` or `email`).
    ///
    /// # Errors
    /// [`E2ePopError::DuplicateClaim`] for a name with its own setter or set before.
    pub fn claim(
        mut self,
        name: impl Into<String>,
        value: impl Into<Value>,
    ) -> Result<Self, E2ePopError> {
        self.core.claim(name.into(), value.into(), &ICT_CLAIMS)?;
        Ok(self)
    }

    /// The claims set as it will be signed (presets computed now).
    ///
    /// # Errors
    /// [`E2ePopError::Incomplete`] without `iss`, `sub`, `cnf` or `ctx`; [`E2ePopError::Nonce`].
    pub fn build_claims(&self) -> Result<Map<String, Value>, E2ePopError> {
        let incomplete = |claim| E2ePopError::Incomplete {
            token: TokenKind::Ict,
            claim,
        };
        let cnf = self.cnf.as_ref().ok_or_else(|| incomplete("cnf"))?;
        let ctx = self.ctx.as_ref().ok_or_else(|| incomplete("ctx"))?;
        let mut specific = Map::new();
        let mut cnf_obj = Map::new();
        cnf_obj.insert("jwk".into(), Value::Object(cnf.to_json_value()));
        specific.insert("cnf".into(), Value::Object(cnf_obj));
        specific.insert("ctx".into(), ctx.to_json());
        self.core.build(false, specific)
    }

    /// Signs the ICT with the OP's key.
    ///
    /// # Errors
    /// As [`IctBuilder::build_claims`]; [`E2ePopError::KidMissing`] when neither the builder
    /// nor the signer has a key id; [`E2ePopError::AlgorithmNotAllowed`];
    /// [`E2ePopError::Signing`].
    pub fn build(&self, signer: &(impl Signer + ?Sized)) -> Result<String, E2ePopError> {
        let claims = self.build_claims()?;
        let kid = self
            .kid
            .as_deref()
            .or_else(|| signer.key_id())
            .ok_or(E2ePopError::KidMissing)?;
        non_empty(kid, "the kid is empty")?;
        sign(
            TokenKind::Ict,
            JwsHeader::default().with_kid(kid),
            &claims,
            signer,
            None,
        )
    }
}

/// Reads and validates `cnf`: an object holding `jwk`, a public key of a signature key type
/// this build supports.
pub(crate) fn read_cnf(cnf: &Value) -> Result<Jwk, E2ePopError> {
    let Some(Value::Object(jwk)) = cnf.as_object().and_then(|c| c.get("jwk")) else {
        return Err(E2ePopError::CnfMissing);
    };
    let jwk = Jwk::from_map(jwk.clone(), &KeyPolicy::default()).map_err(E2ePopError::CnfInvalid)?;
    if jwk.is_symmetric() {
        return Err(E2ePopError::CnfInvalid(KeyError::UnsupportedKeyType(
            "oct".into(),
        )));
    }
    if jwk.is_private() {
        return Err(E2ePopError::CnfPrivateKey);
    }
    // A key for some accepted signature algorithm, which its own `alg`, `use` and
    // `key_ops` members do not forbid verifying with.
    let all = AlgorithmSet::all();
    let usable = all.as_slice().iter().any(|a| {
        jwk.check_operation(&KeyOperation::Verify, &(*a).into())
            .is_ok()
    });
    if !usable {
        return Err(E2ePopError::CnfInvalid(KeyError::UnsupportedCurve(
            jwk.curve()
                .map_or_else(|| "none".to_owned(), |c| c.to_string()),
        )));
    }
    Ok(jwk)
}

/// Which contexts an ICT must grant: a choice every ICT verifier is made with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequiredContexts {
    /// Every one of these must be in `ctx` (the context of the channel the ICT arrived
    /// through).
    All(Vec<String>),
    /// Any `ctx` (still required to be present and well-formed). An explicit choice: an ICT
    /// obtained for one application domain (chat) is then accepted in another (e-mail).
    Any,
}

impl RequiredContexts {
    /// Every one of `contexts`.
    pub fn all(contexts: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self::All(contexts.into_iter().map(Into::into).collect())
    }

    /// The contexts that must be present (none for [`RequiredContexts::Any`]).
    #[must_use]
    pub fn required(&self) -> &[String] {
        match self {
            RequiredContexts::All(list) => list,
            RequiredContexts::Any => &[],
        }
    }
}

/// Verifies ICTs (the authenticating party's side, or the client checking what it received).
///
/// The OP's key is found by the header's `kid` through an [`OpKeyResolver`], which is also
/// the trust decision: only OPs it holds keys for are accepted. The context requirement is
/// chosen when the verifier is made ([`RequiredContexts`]).
#[derive(Clone, Debug)]
#[must_use]
pub struct IctVerifier<K> {
    keys: K,
    policy: VerifierPolicy,
    contexts: RequiredContexts,
    subject: Option<String>,
    audiences: Vec<String>,
    replay: Option<Replay>,
}

impl<K: OpKeyResolver> IctVerifier<K> {
    /// A verifier using `keys` to find and trust the OP's keys, for ICTs granting
    /// `contexts`.
    pub fn new(keys: K, contexts: RequiredContexts) -> Self {
        Self {
            keys,
            policy: VerifierPolicy::for_token(TokenKind::Ict),
            contexts,
            subject: None,
            audiences: Vec::new(),
            replay: None,
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

    /// Requires `context` in `ctx` (repeatable: all are required).
    pub fn require_context(mut self, context: impl Into<String>) -> Self {
        match &mut self.contexts {
            RequiredContexts::All(list) => list.push(context.into()),
            RequiredContexts::Any => self.contexts = RequiredContexts::All(vec![context.into()]),
        }
        self
    }

    /// Accepts any contexts. An explicit choice: an ICT obtained for one application domain
    /// (chat) is then accepted in another (e-mail).
    pub fn any_context(mut self) -> Self {
        self.contexts = RequiredContexts::Any;
        self
    }

    /// Requires `sub` to be this subject (when a specific user is expected).
    pub fn expected_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Requires `aud` to contain this client id (repeatable: any one matches); the ICT must
    /// then carry `aud`.
    pub fn expected_audience(mut self, client_id: impl Into<String>) -> Self {
        self.audiences.push(client_id.into());
        self
    }

    /// Refuses a second ICT with the same (`iss`, `sub`, `jti`) within its lifetime, recording
    /// each in `store` (namespace `e2e-pop`). Off by default: a client may present one ICT
    /// with several E2E PoP tokens (the E2E PoP token is what must be single-use).
    pub fn single_use(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = Some(Replay(store));
        self
    }

    /// Verifies an ICT.
    ///
    /// The `iss` claim is read before the signature is checked, to choose the OP's keys; an
    /// ICT without a readable string `iss` fails then.
    ///
    /// # Errors
    /// [`E2ePopError`] naming the first failed check; with [`IctVerifier::single_use`],
    /// [`E2ePopError::Replay`] or [`E2ePopError::ReplayStore`].
    pub async fn verify(&self, token: &str) -> Result<VerifiedIct, E2ePopError> {
        let required_contexts = self.contexts.required();
        if self.contexts != RequiredContexts::Any && required_contexts.is_empty() {
            return Err(E2ePopError::Config(
                "require at least one context, or RequiredContexts::Any",
            ));
        }
        for c in required_contexts {
            non_empty(c, "a required context is empty")?;
        }
        if let Some(s) = &self.subject {
            non_empty(s, "the expected subject is empty")?;
        }
        check_expected(&self.audiences, None)?;
        let (header, alg) = parse_header(token, &self.policy)?;
        let kid = header.kid().ok_or(E2ePopError::KidMissing)?;
        let issuer = unverified_issuer(token)?;
        let key = self.keys.resolve(&issuer, kid, alg)?;
        let verified = verify_signature(token, &key, alg)?;
        let checked = check_claims(
            verified,
            &ClaimRules {
                token: TokenKind::Ict,
                required: &REQUIRED,
                issuers: core::slice::from_ref(&issuer),
                issuer_binding: Binding::Expected,
                subject: self.subject.as_deref(),
                subject_binding: Binding::Expected,
                audiences: &self.audiences,
            },
            &self.policy,
        )?;
        let map = &checked.claims;
        let cnf_jwk = read_cnf(map.get("cnf").unwrap_or(&Value::Null))?;
        let ctx = Contexts::from_json(map.get("ctx").unwrap_or(&Value::Null))?;
        ctx.require_all(required_contexts)?;
        let (common, aud) = CommonClaims::split(checked.registered)?;
        let claims = IctClaims {
            common,
            aud,
            cnf_jwk,
            ctx,
            extra: without(
                map,
                &[&jwt_claims::REGISTERED[..], &ICT_CLAIMS[..]].concat(),
            ),
        };
        check_once(
            self.replay.as_ref(),
            TokenKind::Ict,
            &claims,
            None,
            &self.policy,
        )
        .await?;
        Ok(VerifiedIct {
            alg,
            kid: kid.to_owned(),
            claims,
        })
    }
}

/// The ICT's `iss`, read without verification to choose the OP's keys.
fn unverified_issuer(token: &str) -> Result<String, E2ePopError> {
    let payload_b64 = token.split('.').nth(1).unwrap_or_default();
    let bytes = jose_core::b64::decode(payload_b64).map_err(|source| {
        E2ePopError::Malformed(JwsError::Base64 {
            part: "payload",
            source,
        })
    })?;
    let map = json::parse_object(&bytes, &JsonLimits::DEFAULT).map_err(E2ePopError::Payload)?;
    match map.get("iss") {
        None => Err(E2ePopError::Claim(ClaimError::missing("iss"))),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(E2ePopError::Claim(ClaimError::invalid(
            "iss",
            "must be a string",
        ))),
    }
}
