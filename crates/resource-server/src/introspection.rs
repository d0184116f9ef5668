//! Opaque access tokens through RFC 7662 introspection (and RFC 9701 JWT responses), with
//! the resource server's own client authentication from oauth-client, and a bounded cache.

use crate::{Rejection, TokenError};
use oauth_client::{Configuration, IntrospectionResponse, Params};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Asks the authorization server about tokens that are not JWTs.
///
/// The [`Configuration`] carries the resource server's client authentication (any method
/// oauth-client supports) and, when the client registered
/// `introspection_signed_response_alg`, RFC 9701 JWT responses. Answers are cached by the
/// token's SHA-256: an active one until its `exp` but at most [`Introspection::max_ttl`]
/// (default 5 min), an inactive one for [`Introspection::negative_ttl`] (default 10 s), at
/// most [`Introspection::capacity`] entries (default 10 000; when full, expired entries are
/// dropped and new answers are not cached). A failed request is not cached and refuses the
/// request with 503.
///
/// ```no_run
/// # async fn demo() -> Result<(), oauth_client::Error> {
/// use oauth_client::{ClientAuth, ClientMetadata, Configuration};
/// use resource_server::Introspection;
///
/// let issuer = url::Url::parse("https://issuer.example").unwrap();
/// let config = Configuration::builder(ClientMetadata::new("api"), ClientAuth::client_secret_basic("s3cret"))
///     .discover(&issuer)
///     .await?;
/// let introspection = Introspection::new(config);
/// # let _ = introspection;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Introspection {
    config: Configuration,
    max_ttl: Duration,
    negative_ttl: Duration,
    capacity: usize,
    cache: Mutex<HashMap<[u8; 32], Entry>>,
}

#[derive(Debug, Clone)]
struct Entry {
    answer: Option<Arc<IntrospectionResponse>>,
    until: Instant,
}

impl Introspection {
    /// Introspection at the endpoint of `config`, authenticated as its client.
    #[must_use]
    pub fn new(config: Configuration) -> Self {
        Self {
            config,
            max_ttl: Duration::from_secs(300),
            negative_ttl: Duration::from_secs(10),
            capacity: 10_000,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The longest an active answer is cached (also bounded by the token's `exp`).
    #[must_use]
    pub fn max_ttl(mut self, ttl: Duration) -> Self {
        self.max_ttl = ttl;
        self
    }

    /// How long an inactive answer is cached.
    #[must_use]
    pub fn negative_ttl(mut self, ttl: Duration) -> Self {
        self.negative_ttl = ttl;
        self
    }

    /// The most answers cached.
    #[must_use]
    pub fn capacity(mut self, entries: usize) -> Self {
        self.capacity = entries;
        self
    }

    /// The answer for `token`: cached, or asked. `None` for an inactive token.
    pub(crate) async fn introspect(
        &self,
        token: &str,
    ) -> Result<Option<Arc<IntrospectionResponse>>, Rejection> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(answer) = self.cached(&key) {
            return Ok(answer);
        }
        let response = self
            .config
            .introspect_token(token, Params::from([("token_type_hint", "access_token")]))
            .await
            .map_err(|e| Rejection::Unavailable(format!("introspection: {e}")))?;
        let answer = response.active.then(|| Arc::new(response));
        self.store(key, answer.clone());
        Ok(answer)
    }

    fn cached(&self, key: &[u8; 32]) -> Option<Option<Arc<IntrospectionResponse>>> {
        let cache = self.cache.lock().ok()?;
        let entry = cache.get(key)?;
        (entry.until > Instant::now()).then(|| entry.answer.clone())
    }

    fn store(&self, key: [u8; 32], answer: Option<Arc<IntrospectionResponse>>) {
        let now = Instant::now();
        let ttl = match &answer {
            None => self.negative_ttl,
            Some(a) => {
                let left = a.exp.map(|exp| {
                    let secs = exp.saturating_sub(jwt_claims::NumericDate::now().seconds());
                    Duration::from_secs(u64::try_from(secs).unwrap_or(0))
                });
                left.map_or(self.max_ttl, |left| left.min(self.max_ttl))
            }
        };
        let Ok(mut cache) = self.cache.lock() else {
            return;
        };
        if cache.len() >= self.capacity {
            cache.retain(|_, e| e.until > now);
        }
        if let Some(until) = now.checked_add(ttl)
            && cache.len() < self.capacity
            && !ttl.is_zero()
        {
            cache.insert(key, Entry { answer, until });
        }
    }
}

/// The claims object of an active introspection answer (the RFC 7662 members present,
/// then the others).
pub(crate) fn claims_of(answer: &IntrospectionResponse) -> Result<Map<String, Value>, TokenError> {
    match serde_json::to_value(answer) {
        Ok(Value::Object(mut map)) => {
            map.retain(|_, v| !v.is_null());
            Ok(map)
        }
        _ => Err(TokenError::InvalidClaim {
            claim: "active",
            reason: "the introspection answer is not an object",
        }),
    }
}
