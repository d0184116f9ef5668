//! The authorization server's JWK Set: fetched on first use, cached, refetched when it is old
//! or when a JWT names a `kid` it does not have (at most once per cooldown), and the
//! verification of JWTs the server signed.

use crate::config::Endpoint;
use crate::http::{Headers, Method};
use crate::request::{Outgoing, error_response, require_json};
use crate::{Configuration, Error};
use jose_core::alg::JwsAlgorithm;
use jose_core::b64;
use jose_core::header::JwsHeader;
use jose_core::json::{self, JsonLimits};
use jose_core::jwk::{Jwk, JwkSet, KeySelector};
use jwt_claims::JwtError;
use serde_json::{Map, Value};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// Most keys tried for a JWT without `kid`.
const MAX_CANDIDATES: usize = 8;
/// Largest JWT accepted.
const MAX_JWT_BYTES: usize = 1 << 20;

#[derive(Debug, Default)]
pub(crate) struct JwksCache {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    set: Option<Arc<JwkSet>>,
    /// The JWK Set document as fetched (or imported), for export.
    raw: Option<Arc<Map<String, Value>>>,
    fetched_at: Option<Instant>,
    /// When it was fetched, in seconds since the epoch (the export's `uat`).
    fetched_unix: Option<i64>,
    last_attempt: Option<Instant>,
    /// How long the current set is fresh: the response's `Cache-Control` `max-age` within
    /// the configured bounds; `None`: the configured maximum age.
    fresh_for: Option<Duration>,
    /// Whether a fetch is under way: other callers wait for it (single flight).
    in_flight: bool,
    /// How many fetches have finished.
    flights: u64,
    /// Why the last finished fetch failed, if it did.
    last_error: Option<String>,
    /// The callers waiting for the fetch under way.
    waiters: Vec<Waker>,
}

impl State {
    fn fresh_for(&self, options: &crate::config::Options) -> Duration {
        self.fresh_for.unwrap_or(options.jwks_max_age)
    }

    /// The cached set when it can be used for `kid` without a fetch: fresh, and knowing the
    /// `kid` or fetched less than the cooldown ago.
    fn usable(&self, kid: Option<&str>, options: &crate::config::Options) -> Option<Arc<JwkSet>> {
        let (set, fetched_at) = (self.set.as_ref()?, self.fetched_at?);
        let fresh = fetched_at.elapsed() < self.fresh_for(options);
        let has_kid = kid.is_none_or(|k| knows_kid(set, k));
        let cooling = self
            .last_attempt
            .is_some_and(|t| t.elapsed() < options.jwks_refetch_cooldown);
        (fresh && (has_kid || cooling)).then(|| set.clone())
    }

    /// The cached set while it is within the stale-if-error window.
    fn stale(&self, options: &crate::config::Options) -> Option<Arc<JwkSet>> {
        let (set, fetched_at) = (self.set.as_ref()?, self.fetched_at?);
        let limit = self
            .fresh_for(options)
            .saturating_add(options.jwks_stale_if_error);
        (fetched_at.elapsed() < limit).then(|| set.clone())
    }
}

/// What a caller of [`Configuration::jwks`] does next.
enum Step {
    /// Answer with this.
    Ready(Result<Arc<JwkSet>, Error>),
    /// Wait for the fetch under way (the count of finished fetches when it started).
    Wait(u64),
    /// Fetch (this caller is now the fetch under way).
    Fetch,
}

impl JwksCache {
    /// Decides under the lock: the cached set, the outcome of the fetch waited for, waiting
    /// for the fetch under way, or fetching.
    fn next_step(
        &self,
        kid: Option<&str>,
        options: &crate::config::Options,
        waited_for: Option<u64>,
    ) -> Result<Step, Error> {
        let mut state = self.lock()?;
        if let Some(set) = state.usable(kid, options) {
            return Ok(Step::Ready(Ok(set)));
        }
        if waited_for.is_some_and(|seen| state.flights > seen) {
            // The fetch this caller waited for finished without a usable set.
            if let Some(error) = &state.last_error {
                let error = Error::Jwks(error.clone());
                return Ok(Step::Ready(state.stale(options).ok_or(error)));
            }
            if let Some(set) = &state.set {
                return Ok(Step::Ready(Ok(set.clone())));
            }
        }
        if state.in_flight {
            return Ok(Step::Wait(state.flights));
        }
        state.in_flight = true;
        state.last_attempt = Some(Instant::now());
        Ok(Step::Fetch)
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, State>, Error> {
        self.state
            .lock()
            .map_err(|_| Error::Jwks("the JWK Set cache lock is poisoned".into()))
    }
}

/// Resolves when the fetch under way when it was made has finished.
struct FlightDone<'a> {
    cache: &'a JwksCache,
    seen: u64,
}

impl Future for FlightDone<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Ok(mut state) = self.cache.state.lock() else {
            return Poll::Ready(());
        };
        if state.flights > self.seen || !state.in_flight {
            return Poll::Ready(());
        }
        if !state.waiters.iter().any(|w| w.will_wake(cx.waker())) {
            state.waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// The fetch under way; ending it (also by cancellation) wakes the waiting callers.
struct Flight<'a> {
    cache: &'a JwksCache,
    finished: bool,
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        let mut state = self
            .cache
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !self.finished {
            state.last_error = Some("the JWK Set fetch was abandoned".into());
        }
        state.in_flight = false;
        state.flights = state.flights.wrapping_add(1);
        let waiters = std::mem::take(&mut state.waiters);
        drop(state);
        waiters.into_iter().for_each(Waker::wake);
    }
}

/// The `max-age` of a `Cache-Control` value (`no-cache` and `no-store` count as zero).
fn cache_control_max_age(value: &str) -> Option<Duration> {
    let mut max_age = None;
    for directive in value.split(',') {
        let directive = directive.trim();
        let (name, arg) = directive.split_once('=').unwrap_or((directive, ""));
        if name.eq_ignore_ascii_case("no-cache") || name.eq_ignore_ascii_case("no-store") {
            return Some(Duration::ZERO);
        }
        if name.eq_ignore_ascii_case("max-age") {
            max_age = arg
                .trim_matches('"')
                .parse::<u64>()
                .ok()
                .map(Duration::from_secs);
        }
    }
    max_age
}

/// The authorization server's JWK Set as this client last fetched it, and when: what
/// [`Configuration::jwks_cache`] exports and [`Configuration::set_jwks_cache`] imports
/// (openid-client's `ExportedJWKSCache`).
///
/// **Security-sensitive**: these are the keys the client trusts for ID Tokens, JARM responses
/// and signed UserInfo and introspection responses. Whoever can write a stored cache can make
/// the client accept tokens they sign. Store it only where nothing but your own code can
/// write (never in a cookie, a client-side store, or a shared cache), ideally with integrity
/// protection.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ExportedJwksCache {
    /// The JWK Set document.
    pub jwks: Map<String, Value>,
    /// When it was fetched ("updated at"), in seconds since the epoch.
    pub uat: i64,
}

impl ExportedJwksCache {
    /// A cache entry (for example read back from storage).
    #[must_use]
    pub fn new(jwks: Map<String, Value>, uat: i64) -> Self {
        Self { jwks, uat }
    }
}

fn knows_kid(set: &JwkSet, kid: &str) -> bool {
    set.by_kid(kid).is_some() || set.rejected().iter().any(|r| r.kid.as_deref() == Some(kid))
}

impl Configuration {
    /// The JWK Set to verify a JWT with `kid`: the cached one while it is fresh and knows the
    /// `kid`; otherwise a fresh fetch, unless the last one was less than the cooldown ago.
    /// Concurrent callers share one fetch; when it fails, a set within the stale-if-error
    /// window is used.
    pub(crate) async fn jwks(&self, kid: Option<&str>) -> Result<Arc<JwkSet>, Error> {
        let cache = &self.inner.jwks;
        let options = &self.inner.options;
        let mut waited_for = None;
        loop {
            match cache.next_step(kid, options, waited_for)? {
                Step::Ready(result) => return result,
                Step::Wait(seen) => {
                    waited_for = Some(seen);
                    FlightDone { cache, seen }.await;
                }
                Step::Fetch => break,
            }
        }
        let mut flight = Flight {
            cache,
            finished: false,
        };
        let fetched = self.fetch_jwks().await;
        let mut state = cache.lock()?;
        flight.finished = true;
        match fetched {
            Ok((set, raw, max_age)) => {
                let set = Arc::new(set);
                state.set = Some(set.clone());
                state.raw = Some(Arc::new(raw));
                state.fetched_at = Some(Instant::now());
                state.fetched_unix = Some(unix_now());
                state.fresh_for = max_age.map(|age| {
                    age.clamp(
                        options.jwks_min_age.min(options.jwks_max_age),
                        options.jwks_max_age,
                    )
                });
                state.last_error = None;
                Ok(set)
            }
            Err(error) => {
                state.last_error = Some(error.to_string());
                state.stale(options).ok_or(error)
            }
        }
    }

    /// The authorization server's JWK Set for verifying a JWS whose header names `kid`:
    /// the cached set, or a fetch from `jwks_uri` under the cache's rules (freshness from
    /// `Cache-Control` within [`ConfigurationBuilder::jwks_cache_bounds`], a refetch for an
    /// unknown `kid` at most once per cooldown, one fetch for concurrent callers,
    /// stale-if-error with [`ConfigurationBuilder::jwks_stale_if_error`]). For servers that
    /// verify the issuer's JWTs themselves, such as a resource server's access tokens.
    ///
    /// [`ConfigurationBuilder::jwks_cache_bounds`]: crate::ConfigurationBuilder::jwks_cache_bounds
    /// [`ConfigurationBuilder::jwks_stale_if_error`]: crate::ConfigurationBuilder::jwks_stale_if_error
    ///
    /// # Errors
    /// [`Error::Jwks`], transport and status errors of the fetch (with no usable stale set).
    pub async fn jwk_set(&self, kid: Option<&str>) -> Result<Arc<JwkSet>, Error> {
        self.jwks(kid).await
    }

    /// The cached JWK Set of the authorization server and when it was fetched, or `None`
    /// before the first fetch (openid-client's `getJwksCache`). For runtimes that cannot keep
    /// memory between invocations; read the security note on [`ExportedJwksCache`].
    ///
    /// ```no_run
    /// # async fn demo(
    /// #     config: &oauth_client::Configuration,
    /// #     store: &mut std::collections::HashMap<String, String>, // written by this code only
    /// # ) -> Result<(), Box<dyn std::error::Error>> {
    /// // At the end of an invocation: keep the keys for the next one.
    /// if let Some(cache) = config.jwks_cache() {
    ///     store.insert("jwks".into(), serde_json::to_string(&cache)?);
    /// }
    /// // At the start of the next one, on a fresh configuration:
    /// if let Some(stored) = store.get("jwks") {
    ///     config.set_jwks_cache(&serde_json::from_str(stored)?)?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn jwks_cache(&self) -> Option<ExportedJwksCache> {
        let state = self.inner.jwks.state.lock().ok()?;
        Some(ExportedJwksCache {
            jwks: state.raw.as_deref()?.clone(),
            uat: state.fetched_unix?,
        })
    }

    /// Loads a JWK Set cache exported earlier by [`Configuration::jwks_cache`]
    /// (openid-client's `setJwksCache`). It is used like a set fetched `now - uat` seconds
    /// ago: until the configured maximum age, and refetched for an unknown `kid` (rate
    /// limited as usual). A cache older than the maximum age is refetched on first use.
    ///
    /// **Danger zone**: the keys become trusted signing keys of the issuer. Only import what
    /// your own code exported and stored where nothing else can write; see
    /// [`ExportedJwksCache`]. See [`Configuration::jwks_cache`] for an example.
    ///
    /// # Errors
    /// [`Error::Jwks`] for a document that is not a usable JWK Set, or an `uat` in the future.
    pub fn set_jwks_cache(&self, cache: &ExportedJwksCache) -> Result<(), Error> {
        let text = serde_json::to_vec(&cache.jwks)
            .map_err(|e| Error::Jwks(format!("the exported JWK Set cannot be serialized: {e}")))?;
        let set = self.server_jwk_set(&text)?;
        let now = unix_now();
        if cache.uat > now + self.tolerance() {
            return Err(Error::Jwks(
                "the exported cache was fetched in the future".into(),
            ));
        }
        let age = Duration::from_secs(u64::try_from(now - cache.uat).unwrap_or(0));
        // An age beyond what `Instant` can represent is simply stale.
        let fetched_at = Instant::now().checked_sub(age);
        let mut state = self
            .inner
            .jwks
            .state
            .lock()
            .map_err(|_| Error::Jwks("the JWK Set cache lock is poisoned".into()))?;
        state.set = Some(Arc::new(set));
        state.raw = Some(Arc::new(cache.jwks.clone()));
        state.fetched_unix = Some(cache.uat);
        // A stale set (or one older than `Instant` can say) is fetched again on first use.
        state.fetched_at = fetched_at.filter(|_| age < self.inner.options.jwks_max_age);
        state.fresh_for = None;
        state.last_attempt = None;
        Ok(())
    }

    /// The server's JWK Set from its JSON, its keys on the configured backend.
    fn server_jwk_set(&self, json: &[u8]) -> Result<JwkSet, Error> {
        Ok(JwkSet::from_json(json)
            .map_err(|e| Error::Jwks(e.to_string()))?
            .with_backend(self.inner.options.jwks_backend))
    }

    /// Fetches the JWK Set: the keys, the document, and the response's `Cache-Control`
    /// `max-age`.
    async fn fetch_jwks(&self) -> Result<(JwkSet, Map<String, Value>, Option<Duration>), Error> {
        let url = self.endpoint(Endpoint::Jwks)?;
        let mut request = Outgoing::new("jwks", Method::GET, url);
        let mut headers = Headers::new();
        headers.set("accept", "application/json, application/jwk-set+json");
        request.headers = headers;
        let response = self.send(request, false).await?;
        if response.status != 200 {
            return Err(error_response("jwks", &response));
        }
        require_json("jwks", &response)?;
        let raw = json::parse_object(&response.body, &JsonLimits::DEFAULT).map_err(|source| {
            Error::InvalidJson {
                endpoint: "jwks",
                source,
            }
        })?;
        let set = self.server_jwk_set(&response.body)?;
        let max_age = response
            .headers
            .get("cache-control")
            .and_then(cache_control_max_age);
        Ok((set, raw, max_age))
    }

    /// Verifies a JWT the authorization server signed: refuses unsigned tokens and algorithms
    /// outside `allowed`, finds the key in the server's JWK Set (refetching it once for an
    /// unknown `kid`), checks the signature, and returns the header and the claims object.
    pub(crate) async fn verify_server_jwt(
        &self,
        what: &'static str,
        token: &str,
        allowed: &[JwsAlgorithm],
    ) -> Result<(JwsHeader, Map<String, Value>), Error> {
        #[cfg(feature = "jwe")]
        let decrypted;
        #[cfg(feature = "jwe")]
        let token = if token.split('.').count() == 5 {
            decrypted = self.decrypt_response(what, token)?;
            decrypted.as_str()
        } else {
            token
        };
        let alg = precheck_jwt(what, token, allowed)?;
        if alg.is_symmetric() {
            // Only a confidential client that registered this algorithm gets here
            // (`response_algorithms`): the key is its client_secret (OIDC Core §10.1).
            let key = self.client_secret_key(what)?;
            return verify_with_key(what, token, alg, &key);
        }
        let header = jws::unverified::decode_header(token).map_err(|e| Error::Jwt {
            what,
            source: e.into(),
        })?;
        let set = self.jwks(header.kid()).await?;
        verify_with_set(what, token, alg, header.kid(), &set)
    }

    /// Whether the client has a `client_secret`: from its authentication method, else from
    /// its metadata.
    pub(crate) fn has_client_secret(&self) -> bool {
        self.inner.auth.client_secret().is_some() || self.inner.client.client_secret.is_some()
    }

    /// The client_secret as the key of HMAC-signed responses (OIDC Core §10.1: the octets
    /// of its UTF-8 representation).
    fn client_secret_key(&self, what: &'static str) -> Result<Jwk, Error> {
        let secret = match (
            self.inner.auth.client_secret(),
            &self.inner.client.client_secret,
        ) {
            (Some(secret), _) => secret.clone(),
            (None, Some(secret)) => jose_core::SecretBytes::new(secret.as_bytes().to_vec()),
            (None, None) => {
                return Err(Error::InvalidConfiguration(format!(
                    "{what}: HMAC-signed responses need the client_secret"
                )));
            }
        };
        let oct = jose_core::jwk::OctKey::new(secret)
            .map_err(|e| Error::InvalidConfiguration(format!("{what}: client_secret: {e}")))?;
        Ok(Jwk::new(jose_core::jwk::KeyMaterial::Oct(oct)))
    }
}

#[cfg(feature = "jwe")]
impl Configuration {
    /// Decrypts an encrypted response; its plaintext must be a signed JWT (nested JWT).
    fn decrypt_response(&self, what: &'static str, token: &str) -> Result<String, Error> {
        let Some(decryption) = &self.inner.options.decryption else {
            return Err(Error::EncryptedResponse(what));
        };
        let decrypted = jwe::compact::decrypt(token, &decryption.keys, &decryption.options)
            .map_err(|e| Error::Decryption {
                what,
                message: e.to_string(),
            })?;
        String::from_utf8(decrypted.plaintext().to_vec()).map_err(|_| Error::Decryption {
            what,
            message: "the plaintext is not a JWT".into(),
        })
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2))
}

/// The checks made before any key is looked up: size, three parts (five means JWE), a
/// signature, and an allowed `alg` (never `none`).
pub(crate) fn precheck_jwt(
    what: &'static str,
    token: &str,
    allowed: &[JwsAlgorithm],
) -> Result<JwsAlgorithm, Error> {
    let malformed = |reason| Error::Jwt {
        what,
        source: JwtError::Jws(jws::JwsError::Malformed(reason)),
    };
    if token.len() > MAX_JWT_BYTES {
        return Err(malformed("the token is too large"));
    }
    let parts: Vec<&str> = token.split('.').collect();
    match parts.len() {
        3 => {}
        5 => return Err(Error::EncryptedResponse(what)),
        _ => return Err(malformed("a JWT has three parts")),
    }
    let header_bytes =
        b64::decode(parts[0]).map_err(|_| malformed("the header is not base64url"))?;
    let header = json::parse_object(&header_bytes, &JsonLimits::HEADER)
        .map_err(|_| malformed("the header is not a JSON object"))?;
    let alg = match header.get("alg") {
        Some(Value::String(a)) => a.as_str(),
        _ => return Err(malformed("the header has no alg")),
    };
    if alg.eq_ignore_ascii_case("none") || parts[2].is_empty() {
        return Err(Error::UnsignedJwt { what });
    }
    let not_allowed = || Error::AlgorithmNotAllowed {
        what,
        alg: json::truncate_for_error(alg),
    };
    let alg: JwsAlgorithm = alg.parse().map_err(|_| not_allowed())?;
    if !allowed.contains(&alg) {
        return Err(not_allowed());
    }
    Ok(alg)
}

/// Verifies `token` with the key of `set` that fits: the one with the header's `kid`, or
/// without `kid` each key that fits the algorithm in turn (all belong to the issuer).
pub(crate) fn verify_with_set(
    what: &'static str,
    token: &str,
    alg: JwsAlgorithm,
    kid: Option<&str>,
    set: &JwkSet,
) -> Result<(JwsHeader, Map<String, Value>), Error> {
    let not_found = || Error::KeyNotFound {
        what,
        kid: kid.map(json::truncate_for_error),
    };
    let any_kid = KeySelector::for_jws(alg, None);
    let candidates: Vec<&Jwk> = match kid {
        Some(kid) => match set.select(&KeySelector::for_jws(alg, Some(kid))) {
            Ok(key) => vec![key],
            Err(jose_core::jwk::SelectError::Rejected { error, .. }) => {
                return Err(Error::Jwks(format!(
                    "the key for this kid is unusable: {error}"
                )));
            }
            Err(jose_core::jwk::SelectError::Ambiguous { .. }) => {
                return Err(Error::Jwks("several keys share this kid".into()));
            }
            Err(_) => return Err(not_found()),
        },
        None => set.find(&any_kid).take(MAX_CANDIDATES).collect(),
    };
    if candidates.is_empty() {
        return Err(not_found());
    }
    let options = jws::VerifyOptions::new().algorithms([alg]);
    let mut last = None;
    for key in candidates {
        match jws::compact::verify(token, key, &options) {
            Ok(verified) => return claims_of(what, &verified),
            Err(e) => last = Some(e),
        }
    }
    Err(Error::Jwt {
        what,
        source: JwtError::Jws(last.unwrap_or(jws::JwsError::InvalidSignature)),
    })
}

/// Verifies `token` with the one key `key`.
fn verify_with_key(
    what: &'static str,
    token: &str,
    alg: JwsAlgorithm,
    key: &Jwk,
) -> Result<(JwsHeader, Map<String, Value>), Error> {
    let options = jws::VerifyOptions::new().algorithms([alg]);
    let verified = jws::compact::verify(token, key, &options).map_err(|e| Error::Jwt {
        what,
        source: JwtError::Jws(e),
    })?;
    claims_of(what, &verified)
}

/// The header and claims of a verified JWT: no unencoded payload, no nested JWT, a strict
/// JSON object.
fn claims_of(
    what: &'static str,
    verified: &jws::VerifiedJws,
) -> Result<(JwsHeader, Map<String, Value>), Error> {
    let jwt_error = |source| Error::Jwt { what, source };
    if verified.header().b64() == Some(false) {
        return Err(jwt_error(JwtError::Jws(jws::JwsError::Malformed(
            "a JWT cannot use the unencoded payload option",
        ))));
    }
    jwt_claims::refuse_nested(verified.header()).map_err(jwt_error)?;
    let claims = jwt_claims::parse_claims(verified.payload()).map_err(jwt_error)?;
    Ok((verified.header().clone(), claims))
}

/// Parses a list of algorithm names, keeping the asymmetric ones this crate verifies.
pub(crate) fn asymmetric_algorithms<'a>(
    names: impl IntoIterator<Item = &'a String>,
) -> Vec<JwsAlgorithm> {
    names
        .into_iter()
        .filter_map(|n| n.parse::<JwsAlgorithm>().ok())
        .filter(|a| !a.is_symmetric())
        .collect()
}

/// The algorithms accepted for a JWT response: the client's registered one, else the server's
/// advertised ones (asymmetric only), else `fallback`. A registered HMAC algorithm is accepted
/// only for a client with a secret (`has_secret`), which keys it (OIDC Core §10.1).
pub(crate) fn response_algorithms(
    what: &'static str,
    client_alg: Option<&str>,
    server_algs: Option<&Vec<String>>,
    fallback: Option<JwsAlgorithm>,
    has_secret: bool,
) -> Result<Vec<JwsAlgorithm>, Error> {
    if let Some(name) = client_alg {
        let alg: JwsAlgorithm = name.parse().map_err(|_| Error::AlgorithmNotAllowed {
            what,
            alg: json::truncate_for_error(name),
        })?;
        if alg.is_symmetric() && !has_secret {
            return Err(Error::InvalidConfiguration(format!(
                "{what}: {alg} responses are keyed with the client_secret, and this client has none"
            )));
        }
        return Ok(vec![alg]);
    }
    if let Some(list) = server_algs {
        let algs = asymmetric_algorithms(list);
        if algs.is_empty() {
            return Err(Error::InvalidConfiguration(format!(
                "{what}: the server advertises no supported signature algorithm"
            )));
        }
        return Ok(algs);
    }
    fallback.map(|a| vec![a]).ok_or_else(|| {
        Error::InvalidConfiguration(format!("{what}: no signature algorithm is configured"))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;
    use crate::http::{BoxFuture, HttpClient, HttpError, HttpRequest, HttpResponse};
    use crate::{ClientAuth, ClientMetadata, ServerMetadata};
    use jose_core::backend::Backend;
    use std::time::Duration;

    /// The issuer's `jwks_uri`, answered from memory: these tests are about what happens to
    /// the keys after the fetch (fetching is tested against oidc-provider).
    #[derive(Debug)]
    struct JwksEndpoint(Vec<u8>);

    impl HttpClient for JwksEndpoint {
        fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
            let mut headers = Headers::new();
            headers.set("content-type", "application/json");
            let response = HttpResponse::new(200, headers, self.0.clone());
            Box::pin(async move { Ok(response) })
        }
    }

    fn published() -> JwkSet {
        let key = Jwk::generate(JwsAlgorithm::ES256).unwrap().with_kid("k1");
        JwkSet::new(vec![key.to_public().unwrap()]).unwrap()
    }

    fn config(set: &JwkSet, backend: Option<Backend>) -> Configuration {
        let mut server = ServerMetadata::new("https://op.example");
        server.jwks_uri = Some("https://op.example/jwks".parse().unwrap());
        let mut builder = Configuration::builder(ClientMetadata::new("rp"), ClientAuth::none())
            .http_client(JwksEndpoint(set.to_json().into_bytes()));
        if let Some(backend) = backend {
            builder = builder.jwks_backend(backend);
        }
        builder.build(server).unwrap()
    }

    fn backends_of(set: &JwkSet) -> Vec<Backend> {
        set.keys().iter().map(Jwk::backend).collect()
    }

    #[tokio::test]
    async fn fetched_keys_use_the_configured_backend() {
        let set = published();
        let fetched = config(&set, None).jwks(None).await.unwrap();
        assert_eq!(backends_of(&fetched), [Backend::default()]);
        for backend in Backend::ALL {
            let fetched = config(&set, Some(*backend)).jwks(None).await.unwrap();
            assert_eq!(backends_of(&fetched), [*backend]);
        }
    }

    #[tokio::test]
    async fn imported_keys_use_the_configured_backend() {
        let set = published();
        let exported = ExportedJwksCache::new(
            serde_json::from_str(&set.to_json()).unwrap(),
            unix_now() - 10,
        );
        for backend in Backend::ALL {
            let config = config(&set, Some(*backend));
            config.set_jwks_cache(&exported).unwrap();
            // Fresh, so served from the imported cache without a fetch.
            let cached = config.jwks(Some("k1")).await.unwrap();
            assert_eq!(backends_of(&cached), [*backend]);
        }
    }

    // --- HMAC responses keyed with the client_secret (OIDC Core §10.1) -------------------

    const SECRET: &str = "a client secret long enough for HS512: 64 bytes or more, surely!!";

    fn hmac_config(alg: Option<&str>, auth: ClientAuth) -> Configuration {
        let mut client = ClientMetadata::new("rp");
        client.id_token_signed_response_alg = alg.map(str::to_owned);
        client.userinfo_signed_response_alg = alg.map(str::to_owned);
        client.introspection_signed_response_alg = alg.map(str::to_owned);
        let mut server = ServerMetadata::new("https://op.example");
        server.jwks_uri = Some("https://op.example/jwks".parse().unwrap());
        server.id_token_signing_alg_values_supported = Some(vec!["HS256".into(), "ES256".into()]);
        Configuration::builder(client, auth)
            .http_client(JwksEndpoint(published().to_json().into_bytes()))
            .build(server)
            .unwrap()
    }

    fn hmac_token(alg: JwsAlgorithm, secret: &str) -> String {
        let key = jws::SigningKey::new(
            Jwk::new(jose_core::jwk::KeyMaterial::Oct(
                jose_core::jwk::OctKey::new(jose_core::SecretBytes::new(
                    secret.as_bytes().to_vec(),
                ))
                .unwrap(),
            )),
            alg,
        )
        .unwrap();
        jws::compact::CompactSign::new(br#"{"iss":"https://op.example","sub":"alice"}"#)
            .header(JwsHeader::new(alg))
            .sign(&key)
            .unwrap()
    }

    #[tokio::test]
    async fn hmac_responses_keyed_with_the_client_secret_are_verified_when_registered() {
        for (alg, auth) in [
            ("HS256", ClientAuth::client_secret_basic(SECRET)),
            ("HS384", ClientAuth::client_secret_post(SECRET)),
            ("HS512", ClientAuth::client_secret_jwt(SECRET)),
        ] {
            let config = hmac_config(Some(alg), auth);
            let jws_alg: JwsAlgorithm = alg.parse().unwrap();
            let allowed = config.id_token_algorithms().unwrap();
            assert_eq!(allowed, [jws_alg]);
            let (_, claims) = config
                .verify_server_jwt("ID Token", &hmac_token(jws_alg, SECRET), &allowed)
                .await
                .unwrap();
            assert_eq!(claims["sub"], "alice");
            // Another secret: the signature fails.
            let forged = hmac_token(jws_alg, &SECRET.replace('a', "b"));
            let err = config
                .verify_server_jwt("ID Token", &forged, &allowed)
                .await
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::Jwt {
                        source: JwtError::Jws(jws::JwsError::InvalidSignature),
                        ..
                    }
                ),
                "{alg}: {err}"
            );
        }
        // The secret of the client metadata serves too (a client authenticating by mTLS).
        let mut client = ClientMetadata::new("rp").with_secret(SECRET);
        client.id_token_signed_response_alg = Some("HS256".into());
        let mut server = ServerMetadata::new("https://op.example");
        server.jwks_uri = Some("https://op.example/jwks".parse().unwrap());
        let config = Configuration::builder(client, ClientAuth::tls_client_auth())
            .build(server)
            .unwrap();
        let allowed = config.id_token_algorithms().unwrap();
        assert!(
            config
                .verify_server_jwt(
                    "ID Token",
                    &hmac_token(JwsAlgorithm::HS256, SECRET),
                    &allowed
                )
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn hmac_responses_are_refused_unless_a_confidential_client_registered_them() {
        // A public client cannot ask for them.
        let config = hmac_config(Some("HS256"), ClientAuth::none());
        assert!(matches!(
            config.id_token_algorithms(),
            Err(Error::InvalidConfiguration(_))
        ));
        // Without a registered algorithm, the server's HS256 is not taken: RS256 or ES256 only.
        let config = hmac_config(None, ClientAuth::client_secret_basic(SECRET));
        let allowed = config.id_token_algorithms().unwrap();
        assert_eq!(allowed, [JwsAlgorithm::ES256]);
        let err = config
            .verify_server_jwt(
                "ID Token",
                &hmac_token(JwsAlgorithm::HS256, SECRET),
                &allowed,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, Error::AlgorithmNotAllowed { .. }), "{err}");
        // A client that registered ES256 refuses an HS256 token keyed with its secret.
        let config = hmac_config(Some("ES256"), ClientAuth::client_secret_basic(SECRET));
        let allowed = config.id_token_algorithms().unwrap();
        let err = config
            .verify_server_jwt(
                "ID Token",
                &hmac_token(JwsAlgorithm::HS256, SECRET),
                &allowed,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, Error::AlgorithmNotAllowed { .. }), "{err}");
    }

    /// A `jwks_uri` that counts its requests, answers slowly, and fails once told to.
    #[derive(Debug)]
    struct CountingEndpoint {
        body: Vec<u8>,
        cache_control: Option<&'static str>,
        requests: std::sync::atomic::AtomicUsize,
        failing: std::sync::atomic::AtomicBool,
    }

    impl HttpClient for CountingEndpoint {
        fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
            use std::sync::atomic::Ordering;
            self.requests.fetch_add(1, Ordering::SeqCst);
            let mut headers = Headers::new();
            headers.set("content-type", "application/json");
            if let Some(value) = self.cache_control {
                headers.set("cache-control", value);
            }
            let response = if self.failing.load(Ordering::SeqCst) {
                HttpResponse::new(503, Headers::new(), Vec::new())
            } else {
                HttpResponse::new(200, headers, self.body.clone())
            };
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok(response)
            })
        }
    }

    fn counting(set: &JwkSet, cache_control: Option<&'static str>) -> Arc<CountingEndpoint> {
        Arc::new(CountingEndpoint {
            body: set.to_json().into_bytes(),
            cache_control,
            requests: Default::default(),
            failing: Default::default(),
        })
    }

    fn counting_config(
        endpoint: &Arc<CountingEndpoint>,
        tune: impl FnOnce(crate::ConfigurationBuilder) -> crate::ConfigurationBuilder,
    ) -> Configuration {
        let mut server = ServerMetadata::new("https://op.example");
        server.jwks_uri = Some("https://op.example/jwks".parse().unwrap());
        let builder = Configuration::builder(ClientMetadata::new("rs"), ClientAuth::none())
            .http_client(endpoint.clone());
        tune(builder).build(server).unwrap()
    }

    fn requests(endpoint: &CountingEndpoint) -> usize {
        endpoint.requests.load(std::sync::atomic::Ordering::SeqCst)
    }

    #[tokio::test]
    async fn a_burst_of_unknown_kids_causes_one_fetch() {
        let endpoint = counting(&published(), None);
        let config = counting_config(&endpoint, |b| b);
        config.jwks(Some("k1")).await.unwrap();
        assert_eq!(requests(&endpoint), 1);
        // Past the cooldown, a burst of tokens with an unknown kid arrives at once.
        let config = counting_config(&endpoint, |b| {
            b.jwks_cache(Duration::from_secs(600), Duration::ZERO)
        });
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let config = config.clone();
                tokio::spawn(async move { config.jwks(Some("unknown")).await.map(|_| ()) })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(requests(&endpoint), 2);
    }

    #[test]
    fn reads_max_age_from_cache_control() {
        let age = |v| cache_control_max_age(v).map(|d| d.as_secs());
        assert_eq!(age("public, max-age=120"), Some(120));
        assert_eq!(age("MAX-AGE=\"7\""), Some(7));
        assert_eq!(age("no-cache"), Some(0));
        assert_eq!(age("max-age=60, no-store"), Some(0));
        assert_eq!(age("public"), None);
        assert_eq!(age("max-age=-1"), None);
    }

    #[tokio::test]
    async fn cache_control_max_age_is_kept_within_bounds() {
        for (header, expected) in [
            ("max-age=5", 60),
            ("max-age=300", 300),
            ("max-age=99999", 3600),
        ] {
            let endpoint = counting(&published(), Some(header));
            let config = counting_config(&endpoint, |b| {
                b.jwks_cache_bounds(Duration::from_secs(60), Duration::from_secs(3600))
            });
            config.jwks(None).await.unwrap();
            let fresh_for = config.inner.jwks.state.lock().unwrap().fresh_for;
            assert_eq!(fresh_for, Some(Duration::from_secs(expected)), "{header}");
        }
    }

    #[tokio::test]
    async fn a_failed_refetch_serves_the_stale_set_within_the_window() {
        let endpoint = counting(&published(), Some("no-store"));
        let strict = counting_config(&endpoint, |b| {
            b.jwks_cache_bounds(Duration::ZERO, Duration::ZERO)
        });
        let lenient = counting_config(&endpoint, |b| {
            b.jwks_cache_bounds(Duration::ZERO, Duration::ZERO)
                .jwks_stale_if_error(Duration::from_secs(3600))
        });
        strict.jwks(None).await.unwrap();
        lenient.jwks(None).await.unwrap();
        endpoint
            .failing
            .store(true, std::sync::atomic::Ordering::SeqCst);
        assert!(strict.jwks(None).await.is_err());
        let stale = lenient.jwks(None).await.unwrap();
        assert!(stale.by_kid("k1").is_some());
        assert_eq!(requests(&endpoint), 4);
    }
}
