//! The signed challenge (token B): the hash-signing service tells the user's phone what to
//! sign. Signed by the service with a key of the authentication service's JWK Set (`kid`).

use crate::jose::{self, Rules, same};
use crate::{ChallengeCode, DocHash, Session, SignRef, SigningChallengeError};
use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use jose_core::json::truncate_for_error;
use jose_core::jwk::{JwkSet, KeySelector};
use jws::Signer;
use jwt_claims::{ClaimError, ClaimReader};
use serde_json::{Map, Value, json};
use std::time::Duration;

/// Claims with their own field.
const CLAIMS: [&str; 9] = [
    "sign_ref",
    "doc_hash",
    "challenge_code",
    "iat",
    "exp",
    "hss_nonce",
    "nonce",
    "client_name",
    "doc_name",
];
/// Header parameters a strict reader accepts.
const HEADER: [&str; 3] = ["alg", "kid", "typ"];
/// Longest accepted `hss_nonce` and `nonce`.
pub(crate) const MAX_NONCE: usize = 256;

/// The claims of a verified signed challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedChallengeClaims {
    /// `sign_ref`.
    pub sign_ref: SignRef,
    /// `doc_hash`.
    pub doc_hash: DocHash,
    /// `challenge_code`.
    pub challenge_code: ChallengeCode,
    /// `iat` (Unix seconds).
    pub iat: i64,
    /// `exp` as an absolute time (Unix seconds), whatever the token's encoding.
    pub exp: i64,
    /// `hss_nonce`: to be echoed in the signed response.
    pub hss_nonce: String,
    /// `nonce`: the mobile's nonce, echoed.
    pub nonce: String,
    /// `client_name`: the signing application's name to display (HSS 2.1).
    pub client_name: Option<String>,
    /// `doc_name`: the document's name to display (HSS 2.1).
    pub doc_name: Option<String>,
    /// Every other claim.
    pub extra: Map<String, Value>,
}

impl SignedChallengeClaims {
    /// As JSON, in the canonical forms (absolute `exp`).
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "sign_ref": self.sign_ref.to_string(),
            "doc_hash": self.doc_hash.to_string(),
            "challenge_code": self.challenge_code.as_str(),
            "iat": self.iat,
            "exp": self.exp,
            "hss_nonce": self.hss_nonce,
            "nonce": self.nonce,
        });
        if let Some(obj) = v.as_object_mut() {
            if let Some(n) = &self.client_name {
                obj.insert("client_name".into(), Value::String(n.clone()));
            }
            if let Some(n) = &self.doc_name {
                obj.insert("doc_name".into(), Value::String(n.clone()));
            }
            for (k, val) in &self.extra {
                obj.insert(k.clone(), val.clone());
            }
        }
        v
    }
}

/// A verified signed challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedChallenge {
    kid: String,
    claims: SignedChallengeClaims,
}

impl VerifiedChallenge {
    /// The `kid` of the key that signed it.
    #[must_use]
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The claims.
    #[must_use]
    pub fn claims(&self) -> &SignedChallengeClaims {
        &self.claims
    }
}

/// Builds and signs a signed challenge (the service's side, or a test double of it).
///
/// Emits `alg` (never `algo`, a misspelling some descriptions of the tokens use) and an
/// absolute `exp` = `iat` + 3 s unless [`SignedChallengeBuilder::relative_exp`] asks for the
/// relative form (seconds after `iat`). `hss_nonce`
/// defaults to 32 random bytes, base64url.
///
/// ```
/// use jose_core::alg::JwsAlgorithm;
/// use jose_core::jwk::{Jwk, JwkSet};
/// use jws::SigningKey;
/// use signing_challenge::{ChallengeCode, ChallengeVerifier, Session, SignRef, SignedChallengeBuilder};
///
/// let asp_key = SigningKey::new(Jwk::generate(JwsAlgorithm::ES256)?.with_kid("asp-1"), JwsAlgorithm::ES256)?;
/// let sign_ref = SignRef::generate()?;
/// let token = SignedChallengeBuilder::new()
///     .sign_ref(sign_ref)
///     .doc_hash("6ac7637da92c76385f95a92c7617e591a8f6df8f74f37ef8db7e25e648e1db7e".parse()?)
///     .challenge_code(ChallengeCode::generate()?)
///     .nonce("mobile-nonce")
///     .issued_at(1_750_000_000)
///     .sign(&asp_key)?;
///
/// let jwks = JwkSet::new(vec![asp_key.public_jwk()?])?;
/// let verified = ChallengeVerifier::new(jwks)
///     .now(1_750_000_001)
///     .verify(&token, &Session::new().sign_ref(sign_ref).nonce("mobile-nonce"))?;
/// assert_eq!(verified.claims().exp, 1_750_000_003);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct SignedChallengeBuilder {
    sign_ref: Option<SignRef>,
    doc_hash: Option<DocHash>,
    challenge_code: Option<ChallengeCode>,
    hss_nonce: Option<String>,
    nonce: Option<String>,
    client_name: Option<String>,
    doc_name: Option<String>,
    iat: Option<i64>,
    exp: Option<i64>,
    lifetime: Option<Duration>,
    relative_exp: bool,
    kid: Option<String>,
    extra: Map<String, Value>,
}

impl SignedChallengeBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder from a claims object (`sign_ref`, `doc_hash`, `challenge_code`, `hss_nonce`,
    /// `nonce`, `client_name`, `doc_name`, `iat`, `exp` as an absolute time; other members are
    /// kept as extra claims).
    ///
    /// # Errors
    /// [`SigningChallengeError::Claim`] for a member of the wrong form.
    pub fn from_claims(claims: &Map<String, Value>) -> Result<Self, SigningChallengeError> {
        let r = ClaimReader::new(claims);
        let mut b = Self::new();
        if claims.contains_key("sign_ref") {
            b.sign_ref = Some(r.parsed("sign_ref", "must be a hyphenated UUID")?);
        }
        if claims.contains_key("doc_hash") {
            b.doc_hash = Some(r.parsed("doc_hash", "must be 64, 96 or 128 hex digits")?);
        }
        if let Some(v) = claims.get("challenge_code") {
            b.challenge_code = Some(ChallengeCode::from_json(v, false)?);
        }
        b.hss_nonce = r.optional_string("hss_nonce")?;
        b.nonce = r.optional_string("nonce")?;
        b.client_name = r.optional_string("client_name")?;
        b.doc_name = r.optional_string("doc_name")?;
        if claims.contains_key("iat") {
            b.iat = Some(r.integer("iat")?);
        }
        if claims.contains_key("exp") {
            b.exp = Some(r.integer("exp")?);
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

    /// Sets `hss_nonce` (default: 32 random bytes, base64url).
    pub fn hss_nonce(mut self, hss_nonce: impl Into<String>) -> Self {
        self.hss_nonce = Some(hss_nonce.into());
        self
    }

    /// Sets `nonce`: the nonce the mobile sent.
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// Sets `client_name`.
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.client_name = Some(name.into());
        self
    }

    /// Sets `doc_name`.
    pub fn doc_name(mut self, name: impl Into<String>) -> Self {
        self.doc_name = Some(name.into());
        self
    }

    /// Sets `iat` (Unix seconds; default: now).
    pub fn issued_at(mut self, iat: i64) -> Self {
        self.iat = Some(iat);
        self
    }

    /// Sets the lifetime (default 3 s): `exp` = `iat` + lifetime.
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = Some(lifetime);
        self
    }

    /// Writes `exp` as the number of seconds after `iat` (an "expiry duration"). Off by default:
    /// only for a peer that reads `exp` that way.
    pub fn relative_exp(mut self, relative: bool) -> Self {
        self.relative_exp = relative;
        self
    }

    /// Sets the header's `kid` (default: the signer's key id).
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
        let doc_hash = self.doc_hash.as_ref().ok_or(incomplete("doc_hash"))?;
        let code = self
            .challenge_code
            .as_ref()
            .ok_or(incomplete("challenge_code"))?;
        let nonce = self.nonce.as_ref().ok_or(incomplete("nonce"))?;
        let hss_nonce = match &self.hss_nonce {
            Some(n) => n.clone(),
            None => jose_core::rand::token(32).map_err(|_| SigningChallengeError::Random)?,
        };
        let (iat, exp) = times(self.iat, self.exp, self.lifetime, self.relative_exp)?;
        let mut map = Map::new();
        map.insert("sign_ref".into(), Value::String(sign_ref.to_string()));
        map.insert("doc_hash".into(), Value::String(doc_hash.to_string()));
        map.insert(
            "challenge_code".into(),
            Value::String(code.as_str().to_owned()),
        );
        map.insert("iat".into(), Value::from(iat));
        map.insert("exp".into(), Value::from(exp));
        map.insert("hss_nonce".into(), Value::String(hss_nonce));
        map.insert("nonce".into(), Value::String(nonce.clone()));
        if let Some(n) = &self.client_name {
            map.insert("client_name".into(), Value::String(n.clone()));
        }
        if let Some(n) = &self.doc_name {
            map.insert("doc_name".into(), Value::String(n.clone()));
        }
        for (k, v) in &self.extra {
            map.insert(k.clone(), v.clone());
        }
        Ok(map)
    }

    /// Signs with the service's key (ES256). The header is `{alg, kid}`.
    ///
    /// # Errors
    /// As [`SignedChallengeBuilder::build_claims`]; [`SigningChallengeError::KidMissing`];
    /// [`SigningChallengeError::AlgorithmNotAllowed`] for a signer other than ES256;
    /// [`SigningChallengeError::Signing`].
    pub fn sign(&self, signer: &(impl Signer + ?Sized)) -> Result<String, SigningChallengeError> {
        if signer.algorithm() != JwsAlgorithm::ES256 {
            return Err(SigningChallengeError::AlgorithmNotAllowed {
                alg: signer.algorithm().as_str().to_owned(),
            });
        }
        let claims = self.build_claims()?;
        let kid = self
            .kid
            .as_deref()
            .or_else(|| signer.key_id())
            .ok_or(SigningChallengeError::KidMissing)?;
        let payload = Value::Object(claims).to_string();
        jws::compact::CompactSign::new(payload.as_bytes())
            .header(JwsHeader::default().with_kid(kid))
            .omit_kid()
            .sign(signer)
            .map_err(SigningChallengeError::Signing)
    }
}

/// `iat` and `exp` as written: `iat` defaults to now, `exp` to `iat` + lifetime (3 s), and
/// is written relative to `iat` when asked.
pub(crate) fn times(
    iat: Option<i64>,
    exp: Option<i64>,
    lifetime: Option<Duration>,
    relative: bool,
) -> Result<(i64, i64), SigningChallengeError> {
    let iat = iat.unwrap_or_else(|| Rules::default().now());
    let lifetime = i64::try_from(lifetime.unwrap_or(Duration::from_secs(3)).as_secs())
        .map_err(|_| SigningChallengeError::Config("the lifetime is too long"))?;
    let exp = exp.unwrap_or(iat.saturating_add(lifetime));
    if exp <= iat {
        return Err(SigningChallengeError::Config("exp must be after iat"));
    }
    Ok((iat, if relative { exp - iat } else { exp }))
}

/// The verifier settings both verifiers share.
macro_rules! rule_setters {
    () => {
        /// Clock tolerance (default 5 s).
        pub fn leeway(mut self, leeway: std::time::Duration) -> Self {
            self.rules.leeway = leeway;
            self
        }

        /// Largest accepted `exp − iat` (default 3 s, the service's profile).
        pub fn max_lifetime(mut self, lifetime: std::time::Duration) -> Self {
            self.rules.max_lifetime = lifetime;
            self
        }

        /// How `exp` is read (default: a NumericDate). The relative and automatic readings are
        /// a compatibility switch for peers that write `exp` as a duration after `iat`.
        pub fn exp_interpretation(mut self, exp: crate::ExpInterpretation) -> Self {
            self.rules.exp = exp;
            self
        }

        /// Refuses header parameters other than the token's own (`algo` included).
        pub fn strict_headers(mut self) -> Self {
            self.rules.strict_headers = true;
            self
        }

        /// Accepts `challenge_code` as a JSON integer and `x5c` as a lone string.
        pub fn lenient(mut self) -> Self {
            self.rules.lenient = true;
            self
        }

        /// Checks the times as of `now` (Unix seconds) instead of the system clock.
        pub fn now(mut self, now: i64) -> Self {
            self.rules.now = Some(now);
            self
        }

        /// Compares only the session values that are present, instead of requiring the ones
        /// the checks depend on. For tools that check what they can.
        pub fn partial_session(mut self) -> Self {
            self.partial = true;
            self
        }
    };
}

pub(crate) use rule_setters;

/// Verifies signed challenges (what the user's phone does; the checks, in order, are listed
/// in docs/signing-challenge.md).
#[derive(Clone, Debug)]
#[must_use]
pub struct ChallengeVerifier {
    keys: JwkSet,
    rules: Rules,
    partial: bool,
}

impl ChallengeVerifier {
    /// A verifier with the authentication service's JWK Set (keys selected by `kid`).
    ///
    /// Refetching the set once for an unknown `kid` (rate-limited) is the caller's: this crate
    /// does no I/O.
    pub fn new(keys: JwkSet) -> Self {
        Self {
            keys,
            rules: Rules::default(),
            partial: false,
        }
    }

    rule_setters!();

    /// Verifies a signed challenge against the session.
    ///
    /// # Errors
    /// [`SigningChallengeError`] naming the first failed check.
    pub fn verify(
        &self,
        token: &str,
        session: &Session,
    ) -> Result<VerifiedChallenge, SigningChallengeError> {
        if !self.partial {
            if session.sign_ref.is_none() {
                return Err(SigningChallengeError::SessionIncomplete("sign_ref"));
            }
            if session.nonce.is_none() {
                return Err(SigningChallengeError::SessionIncomplete("nonce"));
            }
        }
        let (header, alg) =
            jose::parse_header(token, &[JwsAlgorithm::ES256], &HEADER, &self.rules)?;
        let kid = header.kid().ok_or(SigningChallengeError::KidMissing)?;
        let key = self
            .keys
            .select(&KeySelector::for_jws(alg, Some(kid)))
            .map_err(|e| SigningChallengeError::UnknownKid {
                kid: truncate_for_error(kid),
                reason: e.to_string(),
            })?;
        let map = jose::verified_claims(token, key, alg)?;
        let claims = read_claims(&map, self.rules.lenient)?;

        if let Some(expected) = session.sign_ref
            && claims.sign_ref != expected
        {
            return Err(SigningChallengeError::SignRefMismatch);
        }
        if let Some(expected) = &session.nonce
            && !same(&claims.nonce, expected)
        {
            return Err(SigningChallengeError::NonceMismatch);
        }
        session.check_document_values(
            &claims.doc_hash,
            &claims.challenge_code,
            &claims.hss_nonce,
        )?;
        let exp = self.rules.check_times(claims.iat, claims.exp)?;
        Ok(VerifiedChallenge {
            kid: kid.to_owned(),
            claims: SignedChallengeClaims { exp, ..claims },
        })
    }
}

fn read_claims(
    map: &Map<String, Value>,
    lenient: bool,
) -> Result<SignedChallengeClaims, SigningChallengeError> {
    let r = ClaimReader::new(map);
    for name in [
        "sign_ref",
        "doc_hash",
        "challenge_code",
        "iat",
        "exp",
        "hss_nonce",
        "nonce",
    ] {
        if !map.contains_key(name) {
            return Err(SigningChallengeError::Claim(ClaimError::missing(name)));
        }
    }
    let challenge_code = ChallengeCode::from_json(&map["challenge_code"], lenient)?;
    let optional_name = |name: &'static str| -> Result<Option<String>, SigningChallengeError> {
        if !map.contains_key(name) {
            return Ok(None);
        }
        let v = r.bounded(name, 255)?;
        if v.chars().count() < 5 {
            return Err(SigningChallengeError::Claim(ClaimError::invalid(
                name,
                "must be 5 to 255 characters",
            )));
        }
        Ok(Some(v))
    };
    Ok(SignedChallengeClaims {
        sign_ref: r.parsed("sign_ref", "must be a hyphenated UUID")?,
        doc_hash: r.parsed("doc_hash", "must be 64, 96 or 128 hex digits")?,
        challenge_code,
        iat: r.integer("iat")?,
        exp: r.integer("exp")?,
        hss_nonce: r.bounded("hss_nonce", MAX_NONCE)?,
        nonce: r.bounded("nonce", MAX_NONCE)?,
        client_name: optional_name("client_name")?,
        doc_name: optional_name("doc_name")?,
        extra: map
            .iter()
            .filter(|(k, _)| !CLAIMS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    })
}
