//! ID Token validation (OpenID Connect Core 1.0 §3.1.3.7, §3.1.3.8, §3.3.2.11).

use crate::error::IdTokenCheck;
use crate::{Configuration, Confirmation, Error};
use core::time::Duration;
use jose_core::alg::JwsAlgorithm;
use jose_core::{b64, constant_time_eq};
use jwt_claims::{ClaimError, ClaimReader, ClaimReason, NumericDate, TimeRules};
use serde_json::{Map, Value};

/// The claims of a validated ID Token.
///
/// Only [`Configuration`] operations make one, after the signature and every claim check
/// passed. The registered OpenID Connect claims are typed; [`IdTokenClaims::claims`] has all.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct IdTokenClaims {
    /// `iss`.
    pub iss: String,
    /// `sub`.
    pub sub: String,
    /// `aud`, as a list.
    pub aud: Vec<String>,
    /// `exp`, seconds since the epoch.
    pub exp: i64,
    /// `iat`, seconds since the epoch.
    pub iat: i64,
    /// `auth_time`, seconds since the epoch.
    pub auth_time: Option<i64>,
    /// `nonce`.
    pub nonce: Option<String>,
    /// `azp`.
    pub azp: Option<String>,
    /// `acr`.
    pub acr: Option<String>,
    /// `amr`.
    pub amr: Option<Vec<String>>,
    /// `sid`.
    pub sid: Option<String>,
    /// `cnf`: the key the token is bound to (RFC 7800), typed.
    pub cnf: Option<Confirmation>,
    /// The JWS algorithm the token was signed with.
    pub alg: JwsAlgorithm,
    claims: Map<String, Value>,
}

impl IdTokenClaims {
    /// Every claim of the token.
    #[must_use]
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// One claim.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }
}

/// What an ID Token must satisfy besides its signature. `Debug` shows whether a nonce,
/// access token, code or state is held, not their values.
#[derive(Clone)]
pub(crate) struct Expectations<'a> {
    pub(crate) issuer: &'a str,
    pub(crate) client_id: &'a str,
    /// `Some(n)`: `nonce` must equal `n`; `None`: the token must not carry `nonce`.
    pub(crate) nonce: Option<&'a str>,
    /// When set, `nonce` is not checked at all (refresh responses).
    pub(crate) ignore_nonce: bool,
    pub(crate) max_age: Option<u64>,
    pub(crate) require_auth_time: bool,
    pub(crate) access_token: Option<&'a str>,
    pub(crate) code: Option<&'a str>,
    /// `c_hash` must be present (a hybrid flow's front-channel ID Token).
    pub(crate) require_code_hash: bool,
    /// The `state` of the authorization response: `s_hash`, when present, must match it.
    pub(crate) state: Option<&'a str>,
    /// `s_hash` must be present (FAPI 1.0 detached signature checks).
    pub(crate) require_state_hash: bool,
    pub(crate) now: i64,
    pub(crate) tolerance: i64,
    /// `iat` may be at most this many seconds (plus the tolerance) in the past.
    pub(crate) max_iat_age: i64,
}

impl Expectations<'_> {
    /// The time rules of every check: now, with the clock tolerance as the leeway.
    fn time_rules(&self) -> TimeRules {
        TimeRules::at(NumericDate::from_seconds(self.now)).leeway(seconds(self.tolerance))
    }
}

impl core::fmt::Debug for Expectations<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Expectations")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("nonce", &self.nonce.is_some())
            .field("ignore_nonce", &self.ignore_nonce)
            .field("max_age", &self.max_age)
            .field("access_token", &self.access_token.is_some())
            .field("code", &self.code.is_some())
            .field("state", &self.state.is_some())
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// A claim-reading failure as a failed check of an OpenID Connect token and its detail: a
/// missing claim, or a number that is not finite, fails `check`; a claim of the wrong type
/// fails `claim_type`. Shared by ID Tokens and logout tokens.
pub(crate) fn claim_failure<C>(e: ClaimError, check: C, claim_type: C) -> (C, String) {
    match e.reason {
        ClaimReason::Missing => (check, format!("{} is missing", e.claim)),
        ClaimReason::Invalid(ClaimError::UNUSABLE_NUMBER) => (
            check,
            format!("{} {}", e.claim, ClaimError::UNUSABLE_NUMBER),
        ),
        ClaimReason::Invalid(reason) => (claim_type, format!("{} {reason}", e.claim)),
        _ => (claim_type, e.to_string()),
    }
}

/// [`claim_failure`] as an ID Token error.
fn id_token_failure(e: ClaimError, check: IdTokenCheck) -> Error {
    let (check, detail) = claim_failure(e, check, IdTokenCheck::ClaimType);
    Error::id_token(check, detail)
}

/// An optional string claim.
fn string(read: &ClaimReader<'_>, name: &'static str) -> Result<Option<String>, Error> {
    read.optional_string(name)
        .map_err(|e| id_token_failure(e, IdTokenCheck::ClaimType))
}

/// A required claim, read with `get`; its absence fails `check`.
fn required<'a, T>(
    read: &ClaimReader<'a>,
    name: &'static str,
    check: IdTokenCheck,
    get: impl FnOnce(&ClaimReader<'a>, &'static str) -> Result<T, ClaimError>,
) -> Result<T, Error> {
    get(read, name).map_err(|e| id_token_failure(e, check))
}

/// `base64url(left half of hash(value))` with the hash of the signing algorithm (§3.1.3.6).
pub(crate) fn left_half_hash(alg: JwsAlgorithm, value: &str) -> String {
    let digest = alg.hash().digest(value.as_bytes());
    b64::encode(&digest[..digest.len() / 2])
}

fn check_hash(
    read: &ClaimReader<'_>,
    name: &'static str,
    check: IdTokenCheck,
    alg: JwsAlgorithm,
    value: Option<&str>,
) -> Result<(), Error> {
    let (Some(claimed), Some(value)) = (string(read, name)?, value) else {
        return Ok(());
    };
    let expected = left_half_hash(alg, value);
    if constant_time_eq(claimed.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(Error::id_token(check, format!("{name} does not match")))
    }
}

/// `iss`, `sub`, `aud` and `azp`, as read and checked.
struct Parties {
    iss: String,
    sub: String,
    aud: Vec<String>,
    azp: Option<String>,
}

/// `iss` is the issuer; `sub` is present; `aud` contains the client; `azp`, required with
/// several audiences, is the client.
fn check_parties(read: &ClaimReader<'_>, e: &Expectations<'_>) -> Result<Parties, Error> {
    use IdTokenCheck as C;
    let fail = |check, detail: &str| Err(Error::id_token(check, detail));
    let iss = required(read, "iss", C::Issuer, ClaimReader::string)?;
    if iss != e.issuer {
        return Err(Error::id_token(
            C::Issuer,
            format!(
                "unexpected iss {:?}",
                jose_core::json::truncate_for_error(&iss)
            ),
        ));
    }
    let sub = required(read, "sub", C::Subject, ClaimReader::string)?;
    let aud = required(read, "aud", C::Audience, |r, name| {
        r.string_or_list(name)?.ok_or(ClaimError::missing(name))
    })?;
    if !aud.iter().any(|a| a == e.client_id) {
        return fail(C::Audience, "aud does not contain the client_id");
    }
    let azp = string(read, "azp")?;
    if aud.len() > 1 && azp.is_none() {
        return fail(
            C::AuthorizedParty,
            "aud has additional audiences and azp is missing",
        );
    }
    if let Some(azp) = &azp
        && azp != e.client_id
    {
        return fail(C::AuthorizedParty, "azp is not the client_id");
    }
    Ok(Parties { iss, sub, aud, azp })
}

/// `exp`, then `iat` (not in the future, not older than the maximum age), then `nbf`, through
/// [`TimeRules`]. Returns `exp` and `iat`.
fn check_times(read: &ClaimReader<'_>, e: &Expectations<'_>) -> Result<(i64, i64), Error> {
    use IdTokenCheck as C;
    let rules = e.time_rules().max_age(seconds(e.max_iat_age));
    let exp = required(read, "exp", C::Expiration, ClaimReader::seconds)?;
    rules
        .check_exp(date(exp))
        .map_err(|_| Error::id_token(C::Expiration, format!("expired at {exp} (now {})", e.now)))?;
    let iat = required(read, "iat", C::IssuedAt, ClaimReader::seconds)?;
    rules.check_iat(date(iat)).map_err(|_| {
        Error::id_token(
            C::IssuedAt,
            format!("issued in the future, at {iat} (now {})", e.now),
        )
    })?;
    rules.check_age(date(iat)).map_err(|_| {
        Error::id_token(
            C::IssuedAt,
            format!(
                "iat {iat} is more than {} s in the past (now {})",
                e.max_iat_age, e.now
            ),
        )
    })?;
    if let Some(nbf) = read
        .optional("nbf", ClaimReader::seconds)
        .map_err(|err| id_token_failure(err, C::NotBefore))?
    {
        rules.check_nbf(date(nbf)).map_err(|_| {
            Error::id_token(
                C::NotBefore,
                format!("not valid before {nbf} (now {})", e.now),
            )
        })?;
    }
    Ok((exp, iat))
}

/// `nonce` equals the one sent, is absent when none was sent, or is not checked at all.
fn check_nonce(read: &ClaimReader<'_>, e: &Expectations<'_>) -> Result<Option<String>, Error> {
    use IdTokenCheck as C;
    let fail = |detail: &str| Err(Error::id_token(C::Nonce, detail));
    let nonce = string(read, "nonce")?;
    if e.ignore_nonce {
        return Ok(nonce);
    }
    match (e.nonce, &nonce) {
        (Some(expected), Some(found)) => {
            if !constant_time_eq(expected.as_bytes(), found.as_bytes()) {
                return fail("nonce does not match");
            }
        }
        (Some(_), None) => return fail("nonce is missing"),
        (None, Some(_)) => return fail("nonce is present but none was sent"),
        (None, None) => {}
    }
    Ok(nonce)
}

/// `auth_time`: required when asked for or with `max_age`, and then no older than `max_age`.
fn check_auth_time(read: &ClaimReader<'_>, e: &Expectations<'_>) -> Result<Option<i64>, Error> {
    use IdTokenCheck as C;
    let auth_time = read
        .optional("auth_time", ClaimReader::seconds)
        .map_err(|err| id_token_failure(err, C::AuthTime))?;
    if (e.require_auth_time || e.max_age.is_some()) && auth_time.is_none() {
        return Err(Error::id_token(C::AuthTime, "auth_time is missing"));
    }
    if let (Some(max_age), Some(auth_time)) = (e.max_age, auth_time) {
        let max_age = i64::try_from(max_age).unwrap_or(i64::MAX / 4);
        e.time_rules()
            .max_age(seconds(max_age))
            .check_age(date(auth_time))
            .map_err(|_| {
                Error::id_token(
                    C::AuthTime,
                    format!("authentication at {auth_time} is older than max_age {max_age} s"),
                )
            })?;
    }
    Ok(auth_time)
}

/// `at_hash`, `c_hash` and `s_hash`: each, when present, matches its value; `c_hash` and
/// `s_hash` are present when the flow requires them.
fn check_hashes(
    read: &ClaimReader<'_>,
    alg: JwsAlgorithm,
    e: &Expectations<'_>,
) -> Result<(), Error> {
    use IdTokenCheck as C;
    let claims = read.claims();
    check_hash(read, "at_hash", C::AccessTokenHash, alg, e.access_token)?;
    if e.require_code_hash && !claims.contains_key("c_hash") {
        return Err(Error::id_token(C::CodeHash, "c_hash is missing"));
    }
    check_hash(read, "c_hash", C::CodeHash, alg, e.code)?;
    if e.require_state_hash && !claims.contains_key("s_hash") {
        return Err(Error::id_token(C::StateHash, "s_hash is missing"));
    }
    check_hash(read, "s_hash", C::StateHash, alg, e.state)
}

fn date(seconds: i64) -> NumericDate {
    NumericDate::from_seconds(seconds)
}

/// A non-negative number of seconds as a [`Duration`].
fn seconds(value: i64) -> Duration {
    Duration::from_secs(value.unsigned_abs())
}

/// Checks the claims of an ID Token whose signature (made with `alg`) was verified.
pub(crate) fn check_claims(
    alg: JwsAlgorithm,
    claims: Map<String, Value>,
    e: &Expectations<'_>,
) -> Result<IdTokenClaims, Error> {
    use IdTokenCheck as C;
    if crate::logout_token::is_logout_token(&claims) {
        return Err(Error::id_token(
            C::Format,
            "a logout token is not an ID Token",
        ));
    }
    let read = ClaimReader::new(&claims);
    let Parties { iss, sub, aud, azp } = check_parties(&read, e)?;
    let (exp, iat) = check_times(&read, e)?;
    let nonce = check_nonce(&read, e)?;
    let auth_time = check_auth_time(&read, e)?;
    check_hashes(&read, alg, e)?;
    let amr = read
        .string_list("amr")
        .map_err(|err| id_token_failure(err, C::ClaimType))?;
    let cnf = claims
        .get("cnf")
        .map(Confirmation::from_value)
        .transpose()
        .map_err(|reason| Error::id_token(C::ClaimType, reason))?;
    let acr = string(&read, "acr")?;
    let sid = string(&read, "sid")?;
    Ok(IdTokenClaims {
        iss,
        sub,
        aud,
        exp,
        iat,
        auth_time,
        nonce,
        azp,
        acr,
        amr,
        sid,
        cnf,
        alg,
        claims,
    })
}

/// An ID Token is a plain JWT: its (protected) header's `typ` is absent or `JWT`
/// (`application/jwt`, any letter case). A token typed for another profile (`at+jwt`,
/// `logout+jwt`, `dpop+jwt`, ...) is never an ID Token, whatever its claims (RFC 8725 §3.11).
pub(crate) fn check_typ(typ: Option<&str>) -> Result<(), Error> {
    match typ {
        Some(t) if !jwt_claims::typ::is_plain_jwt(t) => Err(Error::id_token(
            IdTokenCheck::Type,
            format!(
                "typ \"{}\" types the token for another profile; an ID Token's typ is absent or JWT",
                jose_core::json::truncate_for_error(t)
            ),
        )),
        _ => Ok(()),
    }
}

impl Configuration {
    /// The algorithms accepted for this client's ID Tokens.
    pub(crate) fn id_token_algorithms(&self) -> Result<Vec<JwsAlgorithm>, Error> {
        crate::jwks::response_algorithms(
            "ID Token",
            self.inner.client.id_token_signed_response_alg.as_deref(),
            self.inner
                .server
                .id_token_signing_alg_values_supported
                .as_ref(),
            Some(JwsAlgorithm::RS256),
            self.has_client_secret(),
        )
    }

    /// Verifies an ID Token's signature against the server's JWK Set and checks its claims.
    pub(crate) async fn check_id_token(
        &self,
        token: &str,
        expectations: &Expectations<'_>,
    ) -> Result<IdTokenClaims, Error> {
        let allowed = self.id_token_algorithms()?;
        let (header, claims) = self.verify_server_jwt("ID Token", token, &allowed).await?;
        check_typ(header.typ())?;
        let alg = header
            .alg()
            .ok_or_else(|| Error::id_token(IdTokenCheck::Format, "no alg"))?;
        check_claims(alg, claims, expectations)
    }

    pub(crate) fn expectations<'a>(&'a self, now: i64) -> Expectations<'a> {
        Expectations {
            issuer: &self.inner.server.issuer,
            client_id: &self.inner.client.client_id,
            nonce: None,
            ignore_nonce: false,
            max_age: self.inner.client.default_max_age,
            require_auth_time: self.inner.client.require_auth_time == Some(true),
            access_token: None,
            code: None,
            require_code_hash: false,
            state: None,
            require_state_hash: false,
            now,
            tolerance: self.tolerance(),
            max_iat_age: i64::try_from(self.inner.options.max_id_token_age.as_secs())
                .unwrap_or(i64::MAX / 4),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    //! Crafted ID Tokens, one per failure (the openid-client conformance negative cases).

    use super::*;
    use crate::jwks::{precheck_jwt, verify_with_set};
    use jose_core::jwk::JwkSet;
    use jws::SigningKey;
    use serde_json::json;
    use std::sync::OnceLock;

    const ISS: &str = "https://op.example";
    const CLIENT: &str = "rp";
    const NOW: i64 = 1_800_000_000;

    struct Keys {
        es256: SigningKey,
        other: SigningKey,
        set: JwkSet,
    }

    fn keys() -> &'static Keys {
        static KEYS: OnceLock<Keys> = OnceLock::new();
        KEYS.get_or_init(|| {
            let es256 = SigningKey::new(
                jose_core::jwk::Jwk::generate(JwsAlgorithm::ES256)
                    .unwrap()
                    .with_kid("k1"),
                JwsAlgorithm::ES256,
            )
            .unwrap();
            let other = SigningKey::new(
                jose_core::jwk::Jwk::generate(JwsAlgorithm::ES256)
                    .unwrap()
                    .with_kid("k1"),
                JwsAlgorithm::ES256,
            )
            .unwrap();
            let set = JwkSet::new(vec![es256.public_jwk().unwrap()]).unwrap();
            Keys { es256, other, set }
        })
    }

    fn base_claims() -> Map<String, Value> {
        let Value::Object(m) = json!({
            "iss": ISS, "sub": "alice", "aud": CLIENT,
            "exp": NOW + 300, "iat": NOW - 10, "nonce": "n-1",
            "auth_time": NOW - 60,
        }) else {
            unreachable!()
        };
        m
    }

    fn sign(claims: &Map<String, Value>, key: &SigningKey) -> String {
        jws::compact::CompactSign::new(Value::Object(claims.clone()).to_string().as_bytes())
            .sign(key)
            .unwrap()
    }

    fn expectations() -> Expectations<'static> {
        Expectations {
            issuer: ISS,
            client_id: CLIENT,
            nonce: Some("n-1"),
            ignore_nonce: false,
            max_age: None,
            require_auth_time: false,
            access_token: None,
            code: None,
            require_code_hash: false,
            state: None,
            require_state_hash: false,
            now: NOW,
            tolerance: 30,
            max_iat_age: 3600,
        }
    }

    /// Signature, then claims, as the client does it.
    fn validate(token: &str, e: &Expectations<'_>) -> Result<IdTokenClaims, Error> {
        let alg = precheck_jwt(
            "ID Token",
            token,
            &[JwsAlgorithm::ES256, JwsAlgorithm::RS256],
        )?;
        let header = jws::unverified::decode_header(token).unwrap();
        let (_, claims) = verify_with_set("ID Token", token, alg, header.kid(), &keys().set)?;
        check_claims(alg, claims, e)
    }

    fn check_of(result: Result<IdTokenClaims, Error>) -> IdTokenCheck {
        match result {
            Err(Error::IdToken { check, .. }) => check,
            other => panic!("expected an ID Token check error, got {other:?}"),
        }
    }

    fn with(mutate: impl FnOnce(&mut Map<String, Value>)) -> String {
        let mut claims = base_claims();
        mutate(&mut claims);
        sign(&claims, &keys().es256)
    }

    #[test]
    fn a_valid_token_passes_and_is_typed() {
        let claims = validate(&with(|_| {}), &expectations()).unwrap();
        assert_eq!(claims.sub, "alice");
        assert_eq!(claims.aud, vec![CLIENT.to_owned()]);
        assert_eq!(claims.nonce.as_deref(), Some("n-1"));
        assert_eq!(claims.alg, JwsAlgorithm::ES256);
    }

    #[test]
    fn cnf_is_typed() {
        // RFC 7800 / RFC 9449 / RFC 8705 confirmation members.
        let token = with(|c| {
            c.insert(
                "cnf".into(),
                json!({"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I",
                       "x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2",
                       "kid": "k-1"}),
            );
        });
        let claims = validate(&token, &expectations()).unwrap();
        let cnf = claims.cnf.as_ref().unwrap();
        assert_eq!(
            cnf.jkt.as_deref(),
            Some("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I")
        );
        assert_eq!(
            cnf.x5t_s256.as_deref(),
            Some("bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2")
        );
        assert!(cnf.jwk.is_none());
        assert_eq!(cnf.other["kid"], "k-1");
        // A confirmation by key: the JWK, parsed.
        let public = keys().es256.public_jwk().unwrap();
        let token = with(|c| {
            c.insert("cnf".into(), json!({"jwk": public.to_json_value()}));
        });
        let claims = validate(&token, &expectations()).unwrap();
        assert!(claims.cnf.unwrap().jwk.unwrap().same_key(&public));
        // Absent: None.
        assert!(
            validate(&with(|_| {}), &expectations())
                .unwrap()
                .cnf
                .is_none()
        );
        // Wrongly typed: a claim type error.
        for bad in [
            json!("jkt"),
            json!({"jkt": 1}),
            json!({"x5t#S256": ["a"]}),
            json!({"jwk": "k"}),
            json!({"jwk": {"kty": "EC"}}),
        ] {
            let token = with(|c| {
                c.insert("cnf".into(), bad.clone());
            });
            assert_eq!(
                check_of(validate(&token, &expectations())),
                IdTokenCheck::ClaimType,
                "{bad}"
            );
        }
    }

    #[test]
    fn valid_aud_as_array_with_azp() {
        let token = with(|c| {
            c.insert("aud".into(), json!([CLIENT, "other"]));
            c.insert("azp".into(), json!(CLIENT));
        });
        assert!(validate(&token, &expectations()).is_ok());
    }

    #[test]
    fn wrong_or_missing_issuer() {
        let token = with(|c| {
            c.insert("iss".into(), json!("https://evil.example"));
        });
        assert_eq!(
            check_of(validate(&token, &expectations())),
            IdTokenCheck::Issuer
        );
        let token = with(|c| {
            c.remove("iss");
        });
        assert_eq!(
            check_of(validate(&token, &expectations())),
            IdTokenCheck::Issuer
        );
    }

    #[test]
    fn wrong_or_missing_audience() {
        let token = with(|c| {
            c.insert("aud".into(), json!("someone-else"));
        });
        assert_eq!(
            check_of(validate(&token, &expectations())),
            IdTokenCheck::Audience
        );
        let token = with(|c| {
            c.remove("aud");
        });
        assert_eq!(
            check_of(validate(&token, &expectations())),
            IdTokenCheck::Audience
        );
    }

    #[test]
    fn secondary_audience_without_or_with_wrong_azp() {
        let token = with(|c| {
            c.insert("aud".into(), json!([CLIENT, "untrusted"]));
        });
        assert_eq!(
            check_of(validate(&token, &expectations())),
            IdTokenCheck::AuthorizedParty
        );
        let token = with(|c| {
            c.insert("azp".into(), json!("untrusted"));
        });
        assert_eq!(
            check_of(validate(&token, &expectations())),
            IdTokenCheck::AuthorizedParty
        );
    }

    #[test]
    fn expired_or_missing_exp() {
        let token = with(|c| {
            c.insert("exp".into(), json!(NOW - 31));
        });
        assert_eq!(
            check_of(validate(&token, &expectations())),
            IdTokenCheck::Expiration
        );
        let token = with(|c| {
            c.remove("exp");
        });
        assert_eq!(
            check_of(validate(&token, &expectations())),
            IdTokenCheck::Expiration
        );
        // Within the tolerance it still passes.
        let token = with(|c| {
            c.insert("exp".into(), json!(NOW - 29));
        });
        assert!(validate(&token, &expectations()).is_ok());
    }

    #[test]
    fn future_missing_or_long_ago_iat_is_refused() {
        let token = with(|c| {
            c.insert("iat".into(), json!(NOW + 31));
        });
        assert_eq!(
            check_of(validate(&token, &expectations())),
            IdTokenCheck::IssuedAt
        );
        let token = with(|c| {
            c.remove("iat");
        });
        assert_eq!(
            check_of(validate(&token, &expectations())),
            IdTokenCheck::IssuedAt
        );
        // The RP conformance module iat-is-week-in-past: refused, naming iat.
        let token = with(|c| {
            c.insert("iat".into(), json!(NOW - 7 * 86_400));
        });
        let err = validate(&token, &expectations()).unwrap_err();
        assert_eq!(check_of(Err(err.clone())), IdTokenCheck::IssuedAt);
        assert!(err.to_string().contains("iat"), "{err}");
        // The bound is one hour plus the tolerance (30 s): refused from the second after.
        for (iat, ok) in [(NOW - 3630, true), (NOW - 3631, false)] {
            let token = with(|c| {
                c.insert("iat".into(), json!(iat));
            });
            assert_eq!(validate(&token, &expectations()).is_ok(), ok, "iat {iat}");
        }
    }

    #[test]
    fn nonce_mismatch_missing_or_unexpected() {
        let token = with(|c| {
            c.insert("nonce".into(), json!("n-2"));
        });
        assert_eq!(
            check_of(validate(&token, &expectations())),
            IdTokenCheck::Nonce
        );
        let token = with(|c| {
            c.remove("nonce");
        });
        assert_eq!(
            check_of(validate(&token, &expectations())),
            IdTokenCheck::Nonce
        );
        let mut no_nonce = expectations();
        no_nonce.nonce = None;
        assert_eq!(
            check_of(validate(&with(|_| {}), &no_nonce)),
            IdTokenCheck::Nonce
        );
        no_nonce.ignore_nonce = true;
        assert!(validate(&with(|_| {}), &no_nonce).is_ok());
    }

    #[test]
    fn auth_time_with_max_age_and_require_auth_time() {
        let mut e = expectations();
        // Authenticated 60 s ago: too old for 10 s plus the 30 s tolerance.
        e.max_age = Some(10);
        assert_eq!(
            check_of(validate(&with(|_| {}), &e)),
            IdTokenCheck::AuthTime
        );
        e.max_age = Some(3600);
        assert!(validate(&with(|_| {}), &e).is_ok());
        let token = with(|c| {
            c.remove("auth_time");
        });
        assert_eq!(check_of(validate(&token, &e)), IdTokenCheck::AuthTime);
        let mut e = expectations();
        e.require_auth_time = true;
        assert_eq!(check_of(validate(&token, &e)), IdTokenCheck::AuthTime);
    }

    #[test]
    fn at_hash_and_c_hash_are_checked_when_present() {
        let at = "access-token-value";
        let token = with(|c| {
            c.insert(
                "at_hash".into(),
                json!(left_half_hash(JwsAlgorithm::ES256, at)),
            );
            c.insert(
                "c_hash".into(),
                json!(left_half_hash(JwsAlgorithm::ES256, "the-code")),
            );
        });
        let mut e = expectations();
        e.access_token = Some(at);
        e.code = Some("the-code");
        assert!(validate(&token, &e).is_ok());
        e.access_token = Some("another-token");
        assert_eq!(
            check_of(validate(&token, &e)),
            IdTokenCheck::AccessTokenHash
        );
        e.access_token = Some(at);
        e.code = Some("another-code");
        assert_eq!(check_of(validate(&token, &e)), IdTokenCheck::CodeHash);
    }

    #[test]
    fn hybrid_front_channel_tokens_need_c_hash_and_detached_checks_need_s_hash() {
        let hashes = |c: &mut Map<String, Value>, code: &str, state: &str| {
            c.insert(
                "c_hash".into(),
                json!(left_half_hash(JwsAlgorithm::ES256, code)),
            );
            c.insert(
                "s_hash".into(),
                json!(left_half_hash(JwsAlgorithm::ES256, state)),
            );
        };
        let mut e = expectations();
        e.code = Some("the-code");
        e.state = Some("the-state");
        e.require_code_hash = true;
        e.require_state_hash = true;
        let both = with(|c| hashes(c, "the-code", "the-state"));
        assert!(validate(&both, &e).is_ok());
        let no_c_hash = with(|c| {
            hashes(c, "the-code", "the-state");
            c.remove("c_hash");
        });
        assert_eq!(check_of(validate(&no_c_hash, &e)), IdTokenCheck::CodeHash);
        let no_s_hash = with(|c| {
            hashes(c, "the-code", "the-state");
            c.remove("s_hash");
        });
        assert_eq!(check_of(validate(&no_s_hash, &e)), IdTokenCheck::StateHash);
        // s_hash is checked whenever present, even without the detached checks.
        e.require_state_hash = false;
        assert!(validate(&no_s_hash, &e).is_ok());
        let other_state = with(|c| hashes(c, "the-code", "another-state"));
        assert_eq!(
            check_of(validate(&other_state, &e)),
            IdTokenCheck::StateHash
        );
    }

    #[test]
    fn at_hash_matches_the_openid_connect_example() {
        // OpenID Connect Core 1.0 Appendix A.3/A.4 (RS256 access token hash).
        assert_eq!(
            left_half_hash(
                JwsAlgorithm::RS256,
                "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
            ),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }

    #[test]
    fn wrongly_typed_claims_are_errors() {
        for (name, value) in [
            ("exp", json!("1800000300")),
            ("iss", json!(7)),
            ("aud", json!([CLIENT, 5])),
            ("nonce", json!(["n-1"])),
            ("auth_time", json!(true)),
        ] {
            let token = with(|c| {
                c.insert(name.into(), value.clone());
            });
            assert_eq!(
                check_of(validate(&token, &expectations())),
                IdTokenCheck::ClaimType,
                "{name}"
            );
        }
    }

    #[test]
    fn unsigned_tokens_are_refused() {
        let payload = b64::encode(Value::Object(base_claims()).to_string());
        for header in [r#"{"alg":"none"}"#, r#"{"alg":"NONE"}"#] {
            let token = format!("{}.{payload}.", b64::encode(header));
            assert!(matches!(
                validate(&token, &expectations()),
                Err(Error::UnsignedJwt { .. })
            ));
        }
        // A signed header with the signature stripped.
        let token = with(|_| {});
        let stripped = &token[..token.rfind('.').unwrap() + 1];
        assert!(matches!(
            validate(stripped, &expectations()),
            Err(Error::UnsignedJwt { .. })
        ));
    }

    #[test]
    fn an_id_token_saying_cty_jwt_is_refused_as_nested() {
        let header = jose_core::header::JwsHeader::new(JwsAlgorithm::ES256)
            .with_kid("k1")
            .with_cty("JWT");
        // Claims under cty: JWT, and a signed JWT nested in the JWS.
        let claims = Value::Object(base_claims()).to_string();
        let inner = with(|_| {});
        for payload in [claims.as_bytes(), inner.as_bytes()] {
            let token = jws::compact::CompactSign::new(payload)
                .header(header.clone())
                .sign(&keys().es256)
                .unwrap();
            let err = validate(&token, &expectations()).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::Jwt {
                        source: jwt_claims::JwtError::Nesting(_),
                        ..
                    }
                ),
                "{err}"
            );
        }
    }

    #[test]
    fn algorithms_outside_the_allowed_set_are_refused() {
        let hs = SigningKey::generate(JwsAlgorithm::HS256).unwrap();
        let token = sign(&base_claims(), &hs);
        assert!(matches!(
            validate(&token, &expectations()),
            Err(Error::AlgorithmNotAllowed { .. })
        ));
        let alternate = SigningKey::generate(JwsAlgorithm::ES384).unwrap();
        let token = sign(&base_claims(), &alternate);
        assert!(matches!(
            validate(&token, &expectations()),
            Err(Error::AlgorithmNotAllowed { .. })
        ));
    }

    #[test]
    fn invalid_signature_and_unknown_kid() {
        let token = sign(&base_claims(), &keys().other);
        assert!(matches!(
            validate(&token, &expectations()),
            Err(Error::Jwt { .. })
        ));
        let stranger = SigningKey::new(
            jose_core::jwk::Jwk::generate(JwsAlgorithm::ES256)
                .unwrap()
                .with_kid("k9"),
            JwsAlgorithm::ES256,
        )
        .unwrap();
        let token = sign(&base_claims(), &stranger);
        assert!(matches!(
            validate(&token, &expectations()),
            Err(Error::KeyNotFound { kid: Some(k), .. }) if k == "k9"
        ));
    }

    #[test]
    fn a_token_without_kid_is_tried_against_each_fitting_key() {
        let no_kid = SigningKey::new(
            keys().es256.jwk().clone().without_kid(),
            JwsAlgorithm::ES256,
        )
        .unwrap();
        let token = sign(&base_claims(), &no_kid);
        assert!(validate(&token, &expectations()).is_ok());
    }

    #[test]
    fn encrypted_and_malformed_tokens_are_specific_errors() {
        assert!(matches!(
            validate("a.b.c.d.e", &expectations()),
            Err(Error::EncryptedResponse(_))
        ));
        for bad in ["", "a.b", "!!.??.xx", "e30.e30.e30"] {
            assert!(validate(bad, &expectations()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_hides_nonce_access_token_code_and_state() {
        let mut e = expectations();
        e.nonce = Some("nonce-secret");
        e.access_token = Some("at-secret");
        e.code = Some("code-secret");
        e.state = Some("state-secret");
        let shown = format!("{e:?}");
        assert!(!shown.contains("secret"), "{shown}");
        let state = crate::callback::ExpectedState::Value("state-secret".into());
        assert_eq!(format!("{state:?}"), "Value([redacted])");
    }
}
