//! Verifying an ICT and an E2E PoP token together: what an authenticating party does with an
//! end-to-end authentication message.

use crate::claims::{Contexts, without};
use crate::ict::PROTOCOL_CLAIMS;
use crate::{
    AlgorithmSet, E2ePopError, E2ePopVerifier, IctVerifier, OpKeyResolver, RequiredContexts,
    TokenKind, VerifiedE2ePop, VerifiedIct,
};
use jose_core::jwk::Jwk;
use jwt_claims::NumericDate;
use replay_store::ReplayStore;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Duration;

/// What an authenticating party requires of an ICT and E2E PoP token pair.
///
/// Built from the OP keys it trusts, the contexts the ICT must grant and its own identifier
/// (the E2E PoP token's required audience). Settings that apply to both
/// tokens (clock, tolerance, algorithms) are set on both; [`PairPolicy::map_ict`] and
/// [`PairPolicy::map_e2e`] reach the individual verifiers.
#[derive(Clone, Debug)]
#[must_use]
pub struct PairPolicy<K> {
    ict: IctVerifier<K>,
    e2e: E2ePopVerifier,
}

impl<K: OpKeyResolver> PairPolicy<K> {
    /// A policy trusting the OPs of `keys`, for E2E PoP tokens addressed to `audience`,
    /// refusing replayed E2E PoP tokens (per `iss`, `sub`, `aud`, `jti`) through `store`, as
    /// the draft requires.
    pub fn new(
        keys: K,
        contexts: RequiredContexts,
        audience: impl Into<String>,
        store: Arc<dyn ReplayStore>,
    ) -> Self {
        Self {
            ict: IctVerifier::new(keys, contexts),
            e2e: E2ePopVerifier::new(audience, store),
        }
    }

    /// A policy **without replay detection** of E2E PoP tokens (see
    /// [`E2ePopVerifier::without_replay_detection`]).
    pub fn without_replay_detection(
        keys: K,
        contexts: RequiredContexts,
        audience: impl Into<String>,
    ) -> Self {
        Self {
            ict: IctVerifier::new(keys, contexts),
            e2e: E2ePopVerifier::without_replay_detection(audience),
        }
    }

    /// Accepts this audience too (any one must match).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.e2e = self.e2e.audience(audience);
        self
    }

    /// Requires `context` in the ICT's `ctx` (repeatable).
    pub fn require_context(mut self, context: impl Into<String>) -> Self {
        self.ict = self.ict.require_context(context);
        self
    }

    /// Accepts any contexts (an explicit choice; see [`IctVerifier::any_context`]).
    pub fn any_context(mut self) -> Self {
        self.ict = self.ict.any_context();
        self
    }

    /// Requires this end-user (both tokens' `sub`).
    pub fn expected_subject(mut self, subject: impl Into<String>) -> Self {
        let subject = subject.into();
        self.ict = self.ict.expected_subject(subject.clone());
        self.e2e = self.e2e.expected_subject(subject);
        self
    }

    /// Requires this client: the E2E PoP token's `iss`, and the ICT's `aud` when present.
    /// Needed to pin the client when ICTs are issued without `aud`.
    pub fn expected_client(mut self, client_id: impl Into<String>) -> Self {
        self.e2e = self.e2e.expected_issuer(client_id);
        self
    }

    /// Accepted algorithms for both tokens.
    pub fn algorithms(mut self, algorithms: AlgorithmSet) -> Self {
        self.ict = self.ict.algorithms(algorithms.clone());
        self.e2e = self.e2e.algorithms(algorithms);
        self
    }

    /// Clock tolerance for both tokens (default 0).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.ict = self.ict.leeway(leeway);
        self.e2e = self.e2e.leeway(leeway);
        self
    }

    /// The former name of [`PairPolicy::leeway`].
    #[deprecated(note = "renamed `leeway`, the one name of the clock tolerance in every crate")]
    pub fn clock_tolerance(self, tolerance: Duration) -> Self {
        self.leeway(tolerance)
    }

    /// Checks both tokens as of `now`.
    pub fn now(mut self, now: NumericDate) -> Self {
        self.ict = self.ict.now(now);
        self.e2e = self.e2e.now(now);
        self
    }

    /// Adjusts the ICT verifier (maximum age and lifetime, single use, expected audience).
    pub fn map_ict(mut self, f: impl FnOnce(IctVerifier<K>) -> IctVerifier<K>) -> Self {
        self.ict = f(self.ict);
        self
    }

    /// Adjusts the E2E PoP verifier (maximum age and lifetime, extension claims).
    pub fn map_e2e(mut self, f: impl FnOnce(E2ePopVerifier) -> E2ePopVerifier) -> Self {
        self.e2e = f(self.e2e);
        self
    }

    /// The ICT verifier.
    pub fn ict_verifier(&self) -> &IctVerifier<K> {
        &self.ict
    }

    /// The E2E PoP verifier.
    pub fn e2e_verifier(&self) -> &E2ePopVerifier {
        &self.e2e
    }
}

/// The identity an ICT and E2E PoP token pair proves.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedIdentity {
    ict: VerifiedIct,
    e2e: VerifiedE2ePop,
    claims: Map<String, Value>,
}

impl VerifiedIdentity {
    /// The OP that certified the identity (`iss` of the ICT). Whether to trust it for this
    /// user is the application's last decision.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.ict.claims().iss
    }

    /// The end-user's subject identifier at the OP.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.ict.claims().sub
    }

    /// The client id: the E2E PoP token's `iss` (equal to the ICT's `aud` when it has one).
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.e2e.claims().iss
    }

    /// The contexts the ICT grants.
    #[must_use]
    pub fn contexts(&self) -> &Contexts {
        &self.ict.claims().ctx
    }

    /// The identity claims of the ICT (`name`, `email`, ...): every claim but the protocol
    /// ones (`iss`, `sub`, `aud`, `iat`, `nbf`, `exp`, `jti`, `cnf`, `ctx`, `nonce`).
    #[must_use]
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The client's public key (`cnf.jwk`).
    #[must_use]
    pub fn client_jwk(&self) -> &Jwk {
        &self.ict.claims().cnf_jwk
    }

    /// The verified ICT.
    #[must_use]
    pub fn ict(&self) -> &VerifiedIct {
        &self.ict
    }

    /// The verified E2E PoP token.
    #[must_use]
    pub fn e2e_pop(&self) -> &VerifiedE2ePop {
        &self.e2e
    }

    /// As JSON: `issuer`, `subject`, `client_id`, `contexts`, `claims`, `client_jwk`.
    #[must_use]
    pub fn to_json(&self) -> Value {
        json!({
            "issuer": self.issuer(),
            "subject": self.subject(),
            "client_id": self.client_id(),
            "contexts": self.contexts().to_json(),
            "claims": Value::Object(self.claims.clone()),
            "client_jwk": Value::Object(self.client_jwk().to_json_value()),
        })
    }
}

/// Verifies an ICT and the E2E PoP token that came with it, and returns the identity they
/// prove.
///
/// The ICT is verified first (its `cnf.jwk` is the E2E PoP token's key), then the E2E PoP
/// token with the cross-checks taken from the ICT itself: `jkt` = the thumbprint of
/// `cnf.jwk`, `sub` = the ICT's `sub`, `iss` = the ICT's `aud` when present, and `aud`
/// containing the policy's audience.
///
/// ```
/// use e2e_pop::{
///     E2ePopTokenBuilder, IctBuilder, NumericDate, OpJwks, PairPolicy, RequiredContexts, verify_pair,
/// };
/// use jose_core::alg::JwsAlgorithm;
/// use jose_core::jwk::{Jwk, JwkSet};
/// use jws::SigningKey;
/// use replay_store::MemoryReplayStore;
/// use std::sync::Arc;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let op = SigningKey::new(Jwk::generate(JwsAlgorithm::ES256)?.with_kid("op-1"), JwsAlgorithm::ES256)?;
/// let client = SigningKey::generate(JwsAlgorithm::EdDSA)?;
/// let now = NumericDate::from_seconds(1_800_000_000);
/// let ict = IctBuilder::new()
///     .issuer("https://op.example").subject("alice").audience("chat-app")
///     .confirmation(&client.public_jwk()?)?
///     .contexts(["instant_messaging"])
///     .claim("email", "alice@example.com")?
///     .issued_at(now)
///     .build(&op)?;
/// let e2e = E2ePopTokenBuilder::new()
///     .issuer("chat-app").subject("alice").audience("session-42")
///     .issued_at(now)
///     .build(&client)?;
///
/// let op_keys = OpJwks::new("https://op.example", JwkSet::new(vec![op.public_jwk()?])?);
/// let contexts = RequiredContexts::all(["instant_messaging"]);
/// let policy = PairPolicy::new(op_keys, contexts, "session-42", Arc::new(MemoryReplayStore::new()))
///     .now(now);
/// let identity = verify_pair(&ict, &e2e, &policy).await?;
/// assert_eq!((identity.issuer(), identity.subject()), ("https://op.example", "alice"));
/// assert_eq!(identity.claims()["email"], "alice@example.com");
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// [`E2ePopError::InToken`] naming the token, wrapping the first failed check
/// ([`E2ePopError::root`] unwraps it).
pub async fn verify_pair<K: OpKeyResolver>(
    ict: &str,
    e2e_pop: &str,
    policy: &PairPolicy<K>,
) -> Result<VerifiedIdentity, E2ePopError> {
    let ict = policy
        .ict
        .verify(ict)
        .await
        .map_err(|e| e.in_token(TokenKind::Ict))?;
    let e2e = policy
        .e2e
        .verify(e2e_pop, &ict)
        .await
        .map_err(|e| e.in_token(TokenKind::E2ePop))?;
    let claims = without(&ict.claims().extra, &PROTOCOL_CLAIMS);
    Ok(VerifiedIdentity { ict, e2e, claims })
}
