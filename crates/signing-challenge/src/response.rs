//! The signed response (token C): the user's phone returns the signature over the document
//! hash. Signed by the user's key, whose certificate chain is in `x5c`.

use crate::challenge::{MAX_NONCE, rule_setters, times};
use crate::jose::{self, Rules, same};
use crate::x509::{self, ChainLimits, TrustAnchors};
use crate::{ChallengeCode, DocHash, Session, SignRef, SigningChallengeError, UserSignature};
use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use jose_core::jwk::Jwk;
use jws::{Signer, VerifyOptions};
use jwt_claims::{ClaimError, ClaimReader};
use replay_store::{Namespace, ReplayId, ReplayStore, Seen};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Duration;

const CLAIMS: [&str; 9] = [
    "sign_ref",
    "ff_id",
    "doc_hash",
    "challenge_code",
    "usr_signature",
    "iat",
    "exp",
    "hss_nonce",
    "timestamp",
];
const HEADER: [&str; 4] = ["alg", "kid", "typ", "x5c"];
/// Unix milliseconds between 2001 and 5138: anything else is not a millisecond timestamp.
const TIMESTAMP_RANGE: core::ops::Range<i64> = 1_000_000_000_000..100_000_000_000_000;

/// The claims of a verified signed response.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedResponseClaims {
    /// `sign_ref`.
    pub sign_ref: SignRef,
    /// `ff_id`: the form-factor id of the user's device.
    pub ff_id: String,
    /// `doc_hash`.
    pub doc_hash: DocHash,
    /// `challenge_code`.
    pub challenge_code: ChallengeCode,
    /// `usr_signature`: the user's signature over `doc_hash`.
    pub usr_signature: UserSignature,
    /// `iat` (Unix seconds).
    pub iat: i64,
    /// `exp` as an absolute time (Unix seconds).
    pub exp: i64,
    /// `hss_nonce`.
    pub hss_nonce: String,
    /// `timestamp`: when the user signed, in Unix milliseconds.
    pub timestamp: i64,
    /// Every other claim.
    pub extra: Map<String, Value>,
}

impl SignedResponseClaims {
    /// As JSON, in the canonical forms (absolute `exp`, lower-case hex).
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "sign_ref": self.sign_ref.to_string(),
            "ff_id": self.ff_id,
            "doc_hash": self.doc_hash.to_string(),
            "challenge_code": self.challenge_code.as_str(),
            "usr_signature": self.usr_signature.to_hex(),
            "iat": self.iat,
            "exp": self.exp,
            "hss_nonce": self.hss_nonce,
            "timestamp": self.timestamp,
        });
        if let Some(obj) = v.as_object_mut() {
            for (k, val) in &self.extra {
                obj.insert(k.clone(), val.clone());
            }
        }
        v
    }
}

/// A verified signed response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedResponse {
    claims: SignedResponseClaims,
    chain: Vec<Vec<u8>>,
    leaf_key: Jwk,
}

impl VerifiedResponse {
    /// The claims.
    #[must_use]
    pub fn claims(&self) -> &SignedResponseClaims {
        &self.claims
    }

    /// The certificate chain (DER, leaf first) as validated.
    #[must_use]
    pub fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// The user's public key, from the leaf certificate.
    #[must_use]
    pub fn leaf_key(&self) -> &Jwk {
        &self.leaf_key
    }
}

/// Builds and signs a signed response (the phone's side, or a test double of it).
///
/// Emits `alg` (ES256, or ES384 for a P-384 user key) and `x5c`, an absolute `exp` = `iat` +
/// 3 s unless [`SignedResponseBuilder::relative_exp`], and `timestamp` = now in milliseconds
/// unless set. Before returning, it checks that the `x5c` leaf's key verifies the token.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct SignedResponseBuilder {
    sign_ref: Option<SignRef>,
    ff_id: Option<String>,
    doc_hash: Option<DocHash>,
    challenge_code: Option<ChallengeCode>,
    usr_signature: Option<UserSignature>,
    hss_nonce: Option<String>,
    timestamp: Option<i64>,
    iat: Option<i64>,
    exp: Option<i64>,
    lifetime: Option<Duration>,
    relative_exp: bool,
    x5c: Vec<Vec<u8>>,
    kid: Option<String>,
    extra: Map<String, Value>,
}

impl SignedResponseBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder from a claims object (the claims of the token; `exp` as an absolute time;
    /// other members are kept as extra claims).
    ///
    /// # Errors
    /// [`SigningChallengeError::Claim`] or
    /// [`SigningChallengeError::UserSignatureMalformed`] for a member of the wrong form.
    pub fn from_claims(claims: &Map<String, Value>) -> Result<Self, SigningChallengeError> {
        let r = ClaimReader::new(claims);
        let mut b = Self::new();
        if claims.contains_key("sign_ref") {
            b.sign_ref = Some(r.parsed("sign_ref", "must be a hyphenated UUID")?);
        }
        b.ff_id = r.optional_string("ff_id")?;
        if claims.contains_key("doc_hash") {
            b.doc_hash = Some(r.parsed("doc_hash", "must be 64, 96 or 128 hex digits")?);
        }
        if let Some(v) = claims.get("challenge_code") {
            b.challenge_code = Some(ChallengeCode::from_json(v, false)?);
        }
        if claims.contains_key("usr_signature") {
            b.usr_signature = Some(r.string("usr_signature")?.parse()?);
        }
        b.hss_nonce = r.optional_string("hss_nonce")?;
        for (name, slot) in [
            ("timestamp", &mut b.timestamp),
            ("iat", &mut b.iat),
            ("exp", &mut b.exp),
        ] {
            if claims.contains_key(name) {
                *slot = Some(r.integer(name)?);
            }
        }
        b.extra = claims
            .iter()
            .filter(|(k, _)| !CLAIMS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(b)
    }

    /// Sets `sign_ref`.
    pub fn sign_ref(mut self, sign_ref: SignRef) -> Self {
        self.sign_ref = Some(sign_ref);
        self
    }

    /// Sets `ff_id`.
    pub fn ff_id(mut self, ff_id: impl Into<String>) -> Self {
        self.ff_id = Some(ff_id.into());
        self
    }

    /// Sets `doc_hash`.
    pub fn doc_hash(mut self, doc_hash: DocHash) -> Self {
        self.doc_hash = Some(doc_hash);
        self
    }

    /// Sets `challenge_code`.
    pub fn challenge_code(mut self, code: ChallengeCode) -> Self {
        self.challenge_code = Some(code);
        self
    }

    /// Sets `usr_signature`.
    pub fn user_signature(mut self, signature: UserSignature) -> Self {
        self.usr_signature = Some(signature);
        self
    }

    /// Whether `usr_signature` is set.
    #[must_use]
    pub fn has_user_signature(&self) -> bool {
        self.usr_signature.is_some()
    }

    /// The `doc_hash` set so far.
    #[must_use]
    pub fn doc_hash_ref(&self) -> Option<&DocHash> {
        self.doc_hash.as_ref()
    }

    /// Sets `hss_nonce` (the signed challenge's).
    pub fn hss_nonce(mut self, hss_nonce: impl Into<String>) -> Self {
        self.hss_nonce = Some(hss_nonce.into());
        self
    }

    /// Sets `timestamp` (Unix milliseconds; default: now).
    pub fn timestamp(mut self, millis: i64) -> Self {
        self.timestamp = Some(millis);
        self
    }

    /// Sets `iat` (Unix seconds; default: now).
    pub fn issued_at(mut self, iat: i64) -> Self {
        self.iat = Some(iat);
        self
    }

    /// Sets the lifetime (default 3 s).
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = Some(lifetime);
        self
    }

    /// Writes `exp` relative to `iat` (an "expiry duration"). Off by default.
    pub fn relative_exp(mut self, relative: bool) -> Self {
        self.relative_exp = relative;
        self
    }

    /// Sets `x5c`: the user's certificate chain, DER, leaf first.
    pub fn x5c(mut self, chain: Vec<Vec<u8>>) -> Self {
        self.x5c = chain;
        self
    }

    /// Adds an informational `kid` to the header (never used for key lookup).
    pub fn key_id(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The claims as they will be signed.
    ///
    /// # Errors
    /// [`SigningChallengeError::Incomplete`] naming the first missing claim.
    pub fn build_claims(&self) -> Result<Map<String, Value>, SigningChallengeError> {
        let incomplete = SigningChallengeError::Incomplete;
        let sign_ref = self.sign_ref.ok_or(incomplete("sign_ref"))?;
        let ff_id = self.ff_id.as_ref().ok_or(incomplete("ff_id"))?;
        let doc_hash = self.doc_hash.as_ref().ok_or(incomplete("doc_hash"))?;
        let code = self
            .challenge_code
            .as_ref()
            .ok_or(incomplete("challenge_code"))?;
        let sig = self
            .usr_signature
            .as_ref()
            .ok_or(incomplete("usr_signature"))?;
        let hss_nonce = self.hss_nonce.as_ref().ok_or(incomplete("hss_nonce"))?;
        let (iat, exp) = times(self.iat, self.exp, self.lifetime, self.relative_exp)?;
        let timestamp = self.timestamp.unwrap_or_else(|| iat.saturating_mul(1000));
        let mut map = Map::new();
        map.insert("sign_ref".into(), Value::String(sign_ref.to_string()));
        map.insert("ff_id".into(), Value::String(ff_id.clone()));
        map.insert("doc_hash".into(), Value::String(doc_hash.to_string()));
        map.insert(
            "challenge_code".into(),
            Value::String(code.as_str().to_owned()),
        );
        map.insert("usr_signature".into(), Value::String(sig.to_hex()));
        map.insert("iat".into(), Value::from(iat));
        map.insert("exp".into(), Value::from(exp));
        map.insert("hss_nonce".into(), Value::String(hss_nonce.clone()));
        map.insert("timestamp".into(), Value::from(timestamp));
        for (k, v) in &self.extra {
            map.insert(k.clone(), v.clone());
        }
        Ok(map)
    }

    /// Signs with the user's key. The header is `{alg, x5c}` (plus `kid` when set).
    ///
    /// # Errors
    /// As [`SignedResponseBuilder::build_claims`]; [`SigningChallengeError::X5cInvalid`]
    /// without a chain; [`SigningChallengeError::AlgorithmNotAllowed`] for a signer other than
    /// ES256/ES384; [`SigningChallengeError::Key`] when the leaf certificate's key does not
    /// verify the signature; [`SigningChallengeError::Signing`].
    pub fn sign(&self, signer: &(impl Signer + ?Sized)) -> Result<String, SigningChallengeError> {
        let alg = signer.algorithm();
        if !matches!(alg, JwsAlgorithm::ES256 | JwsAlgorithm::ES384) {
            return Err(SigningChallengeError::AlgorithmNotAllowed {
                alg: alg.as_str().to_owned(),
            });
        }
        let leaf = self
            .x5c
            .first()
            .ok_or(SigningChallengeError::X5cInvalid("the chain is empty"))?;
        let claims = self.build_claims()?;
        let leaf_cert = <x509_cert::Certificate as der::Decode>::from_der(leaf).map_err(|_| {
            SigningChallengeError::CertificateInvalid {
                index: 0,
                reason: "not a DER X.509 certificate".into(),
            }
        })?;
        let leaf_key = x509::certificate_key(&leaf_cert, 0)?;
        let mut header = JwsHeader::default().with_x5c(self.x5c.clone());
        if let Some(kid) = &self.kid {
            header = header.with_kid(kid.clone());
        }
        let payload = Value::Object(claims).to_string();
        let token = jws::compact::CompactSign::new(payload.as_bytes())
            .header(header)
            .omit_kid()
            .sign(signer)
            .map_err(SigningChallengeError::Signing)?;
        jws::compact::verify(&token, &leaf_key, &VerifyOptions::new().algorithms([alg])).map_err(
            |_| {
                SigningChallengeError::Key(
                    "the x5c leaf certificate's key does not verify the signature".into(),
                )
            },
        )?;
        Ok(token)
    }
}

/// Records (`sign_ref`, `hss_nonce`) in the replay store: the response is fresh only when
/// both are. Two keys, so two store calls: when `sign_ref` is fresh and `hss_nonce` is not,
/// the `sign_ref` stays recorded and a later response for that session is refused too (the
/// safe direction).
async fn first_use(
    store: &dyn ReplayStore,
    claims: &SignedResponseClaims,
    now: i64,
    keep_until: i64,
) -> Result<bool, SigningChallengeError> {
    let at =
        |s: i64| std::time::UNIX_EPOCH + Duration::from_secs(u64::try_from(s).unwrap_or_default());
    let sign_ref = claims.sign_ref.to_string();
    let ids = [
        ReplayId::from_parts(
            Namespace::SIGNING_CHALLENGE,
            &[b"sign_ref", sign_ref.as_bytes()],
        )?,
        ReplayId::from_parts(
            Namespace::SIGNING_CHALLENGE,
            &[b"hss_nonce", claims.hss_nonce.as_bytes()],
        )?,
    ];
    for id in &ids {
        if store.check_and_record(id, at(now), at(keep_until)).await? == Seen::Replayed {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Verifies signed responses (what the hash-signing service does; the checks, in order, are
/// listed in docs/signing-challenge.md).
#[derive(Clone)]
#[must_use]
pub struct ResponseVerifier {
    anchors: TrustAnchors,
    rules: Rules,
    limits: ChainLimits,
    allow_es384: bool,
    partial: bool,
    max_signing_delay: Duration,
    retention: Duration,
    single_use: Option<Arc<dyn ReplayStore>>,
}

impl core::fmt::Debug for ResponseVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResponseVerifier")
            .field("anchors", &self.anchors.len())
            .field("rules", &self.rules)
            .field("limits", &self.limits)
            .field("allow_es384", &self.allow_es384)
            .field("partial", &self.partial)
            .field(
                "replay_store",
                &self.single_use.as_ref().map(|s| s.describe()),
            )
            .finish_non_exhaustive()
    }
}

impl ResponseVerifier {
    /// A verifier whose certificate chains must lead to one of `anchors`, accepting one signed
    /// response per `sign_ref` and each `hss_nonce` once: both are recorded in `store`
    /// (namespace `signing-challenge`) for 10 minutes, longer than a session lives.
    pub fn new(anchors: TrustAnchors, store: Arc<dyn ReplayStore>) -> Self {
        Self {
            single_use: Some(store),
            ..Self::without_replay_detection(anchors)
        }
    }

    /// A verifier **without replay detection**: the same signed response is accepted again
    /// while its times allow. Only for tools that check a response without acting on it, or
    /// callers that record `sign_ref` themselves.
    pub fn without_replay_detection(anchors: TrustAnchors) -> Self {
        Self {
            anchors,
            rules: Rules::default(),
            limits: ChainLimits::default(),
            allow_es384: false,
            partial: false,
            max_signing_delay: Duration::from_secs(240),
            retention: Duration::from_secs(600),
            single_use: None,
        }
    }

    rule_setters!();

    /// Accepts ES384 for P-384 user keys (ES256 only by default). Never inferred from the key.
    pub fn allow_es384(mut self) -> Self {
        self.allow_es384 = true;
        self
    }

    /// Chain length and certificate size limits (default 4 certificates of 8 KiB).
    pub fn chain_limits(mut self, limits: ChainLimits) -> Self {
        self.limits = limits;
        self
    }

    /// How long before `iat` the user may have signed when the session does not know the
    /// challenge's `iat` (default 240 s, the service's session lifetime of 2 + 2 minutes).
    pub fn max_signing_delay(mut self, delay: Duration) -> Self {
        self.max_signing_delay = delay;
        self
    }

    /// Verifies a signed response against the session, then records it (after every other
    /// check).
    ///
    /// # Errors
    /// [`SigningChallengeError`] naming the first failed check;
    /// [`SigningChallengeError::AlreadyUsed`] for a response whose `sign_ref` or `hss_nonce`
    /// was accepted before; [`SigningChallengeError::ReplayStore`] when the store cannot answer
    /// (the response is refused).
    pub async fn verify(
        &self,
        token: &str,
        session: &Session,
    ) -> Result<VerifiedResponse, SigningChallengeError> {
        self.check_session_complete(session)?;
        // 1. The JWS, with the leaf certificate's key.
        let algs: &[JwsAlgorithm] = if self.allow_es384 {
            &[JwsAlgorithm::ES256, JwsAlgorithm::ES384]
        } else {
            &[JwsAlgorithm::ES256]
        };
        let (header, alg) = jose::parse_header(token, algs, &HEADER, &self.rules)?;
        let chain = self.read_chain(&header)?;
        let leaf_der = &chain[0];
        let leaf = <x509_cert::Certificate as der::Decode>::from_der(leaf_der).map_err(|_| {
            SigningChallengeError::CertificateInvalid {
                index: 0,
                reason: "not a DER X.509 certificate".into(),
            }
        })?;
        let leaf_key = x509::certificate_key(&leaf, 0)?;
        let map = jose::verified_claims(token, &leaf_key, alg)?;
        let claims = read_claims(&map, self.rules.lenient)?;

        // 2. The certificate is the one registered for the session, on the registered device.
        if let Some(registered) = &session.usr_cert
            && registered != leaf_der
        {
            return Err(SigningChallengeError::CertNotBoundToSession);
        }
        if let Some(expected) = &session.ff_id
            && !same(&claims.ff_id, expected)
        {
            return Err(SigningChallengeError::FfIdMismatch);
        }

        // 3. The chain, at the signing instant.
        let at = claims.timestamp.div_euclid(1000);
        let validated = x509::validate(&chain, &self.anchors, at, &self.limits)?;

        // 4. The session values.
        check_session_values(&claims, session)?;

        // 5. The user's signature over the document hash.
        claims
            .usr_signature
            .verify(&claims.doc_hash, &validated.leaf_key)?;

        // 6. The times: the token's, then the signing instant.
        let exp = self.rules.check_times(claims.iat, claims.exp)?;
        self.check_timestamp(&claims, session)?;

        // 7. Single use.
        self.record(&claims).await?;
        Ok(VerifiedResponse {
            claims: SignedResponseClaims { exp, ..claims },
            chain,
            leaf_key: validated.leaf_key,
        })
    }

    /// Unless the verifier checks partial sessions, the session values every check needs.
    fn check_session_complete(&self, session: &Session) -> Result<(), SigningChallengeError> {
        if self.partial {
            return Ok(());
        }
        let required = [
            ("sign_ref", session.sign_ref.is_some()),
            ("hss_nonce", session.hss_nonce.is_some()),
            ("doc_hash", session.doc_hash.is_some()),
            ("challenge_code", session.challenge_code.is_some()),
            ("usr_cert", session.usr_cert.is_some()),
        ];
        match required.iter().find(|(_, present)| !present) {
            Some((name, _)) => Err(SigningChallengeError::SessionIncomplete(name)),
            None => Ok(()),
        }
    }

    /// `x5c`: present, not empty, within the chain length limit, its leaf within the size
    /// limit.
    fn read_chain(&self, header: &JwsHeader) -> Result<Vec<Vec<u8>>, SigningChallengeError> {
        let chain = header
            .x5c()
            .ok_or(SigningChallengeError::X5cInvalid("missing"))?
            .to_vec();
        let Some(leaf_der) = chain.first() else {
            return Err(SigningChallengeError::X5cInvalid("empty"));
        };
        if chain.len() > self.limits.max_chain_len {
            return Err(SigningChallengeError::ChainTooLong {
                len: chain.len(),
                max: self.limits.max_chain_len,
            });
        }
        if leaf_der.len() > self.limits.max_cert_bytes {
            return Err(SigningChallengeError::CertificateInvalid {
                index: 0,
                reason: format!("more than {} bytes", self.limits.max_cert_bytes),
            });
        }
        Ok(chain)
    }

    /// `timestamp` (milliseconds) within the signing window: from the challenge's `iat` (or
    /// `iat` less the maximum signing delay) to `iat` + 1 s, both widened by the leeway.
    fn check_timestamp(
        &self,
        claims: &SignedResponseClaims,
        session: &Session,
    ) -> Result<(), SigningChallengeError> {
        let leeway = i64::try_from(self.rules.leeway.as_secs()).unwrap_or(i64::MAX);
        let delay = i64::try_from(self.max_signing_delay.as_secs()).unwrap_or(i64::MAX);
        let earliest_s = session
            .challenge_issued_at
            .unwrap_or_else(|| claims.iat.saturating_sub(delay))
            .saturating_sub(leeway);
        let latest_s = claims.iat.saturating_add(1).saturating_add(leeway);
        let (earliest, latest) = (
            earliest_s.saturating_mul(1000),
            latest_s.saturating_mul(1000),
        );
        if claims.timestamp < earliest || claims.timestamp > latest {
            return Err(SigningChallengeError::TimestampOutOfRange {
                timestamp: claims.timestamp,
                earliest,
                latest,
            });
        }
        Ok(())
    }

    /// With a store, records the response's `sign_ref` and `hss_nonce` (single use).
    async fn record(&self, claims: &SignedResponseClaims) -> Result<(), SigningChallengeError> {
        let Some(store) = &self.single_use else {
            return Ok(());
        };
        let now = self.rules.now();
        let keep = now.saturating_add(i64::try_from(self.retention.as_secs()).unwrap_or(i64::MAX));
        if first_use(store.as_ref(), claims, now, keep).await? {
            Ok(())
        } else {
            Err(SigningChallengeError::AlreadyUsed)
        }
    }
}

/// The session values the response must repeat: `sign_ref`, `doc_hash`, `challenge_code`,
/// `hss_nonce` (each compared when the session has it).
fn check_session_values(
    claims: &SignedResponseClaims,
    session: &Session,
) -> Result<(), SigningChallengeError> {
    if let Some(expected) = session.sign_ref
        && claims.sign_ref != expected
    {
        return Err(SigningChallengeError::SignRefMismatch);
    }
    session.check_document_values(&claims.doc_hash, &claims.challenge_code, &claims.hss_nonce)
}

fn read_claims(
    map: &Map<String, Value>,
    lenient: bool,
) -> Result<SignedResponseClaims, SigningChallengeError> {
    let r = ClaimReader::new(map);
    for name in CLAIMS {
        if !map.contains_key(name) {
            return Err(SigningChallengeError::Claim(ClaimError::missing(name)));
        }
    }
    let timestamp = r.integer("timestamp")?;
    if !TIMESTAMP_RANGE.contains(&timestamp) {
        return Err(SigningChallengeError::Claim(ClaimError::invalid(
            "timestamp",
            "must be Unix time in milliseconds",
        )));
    }
    Ok(SignedResponseClaims {
        sign_ref: r.parsed("sign_ref", "must be a hyphenated UUID")?,
        ff_id: r.bounded("ff_id", MAX_NONCE)?,
        doc_hash: r.parsed("doc_hash", "must be 64, 96 or 128 hex digits")?,
        challenge_code: ChallengeCode::from_json(&map["challenge_code"], lenient)?,
        usr_signature: r.string("usr_signature")?.parse()?,
        iat: r.integer("iat")?,
        exp: r.integer("exp")?,
        hss_nonce: r.bounded("hss_nonce", MAX_NONCE)?,
        timestamp,
        extra: map
            .iter()
            .filter(|(k, _)| !CLAIMS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    })
}
