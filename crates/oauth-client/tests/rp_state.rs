//! The relying party's state over time, against oidc-provider and a real redis-server: the
//! token manager (single-flight refresh, rotation, `invalid_grant`, DPoP, logout) and the
//! pending-login store (a callback completed by another instance, single use, TTL).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use common::{browse, config, dpop, login, provider, redirect_uri};
use oauth_client::http::{BoxFuture, HttpClient, HttpError, HttpRequest, HttpResponse};
use oauth_client::{
    Callback, Clock, Configuration, MemoryTokenStore, Params, PendingLogin, PendingLoginError,
    PendingLoginStore, RedisPendingLoginStore, RedisTokenStore, ReqwestHttpClient, SessionEnd,
    TokenManager, TokenManagerError, TokenStore,
};
use replay_store::{RedisConfig, RedisConnection};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};
use test_redis::TestRedis;

// --- Test doubles that only observe or set time -----------------------------------------------

/// The real HTTP client, counting the refresh token grants it sends.
#[derive(Debug)]
struct CountingHttpClient {
    inner: ReqwestHttpClient,
    refreshes: AtomicUsize,
}

impl CountingHttpClient {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            inner: ReqwestHttpClient::new().unwrap(),
            refreshes: AtomicUsize::new(0),
        })
    }

    fn refreshes(&self) -> usize {
        self.refreshes.load(Ordering::SeqCst)
    }
}

impl HttpClient for CountingHttpClient {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        let is_refresh = request
            .body
            .as_deref()
            .is_some_and(|b| String::from_utf8_lossy(b).contains("grant_type=refresh_token"));
        if is_refresh {
            self.refreshes.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.send(request)
    }
}

/// A clock the test moves.
#[derive(Debug)]
struct ManualClock(Mutex<SystemTime>);

impl ManualClock {
    fn new() -> Arc<Self> {
        Arc::new(Self(Mutex::new(SystemTime::now())))
    }

    fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap();
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

// --- Setup --------------------------------------------------------------------------------

/// The shared redis-server of this test binary.
fn redis() -> &'static TestRedis {
    static REDIS: OnceLock<TestRedis> = OnceLock::new();
    REDIS.get_or_init(|| TestRedis::start().expect("redis-server starts"))
}

/// A new connection (as another instance would open) to `server`.
fn connection(server: &TestRedis) -> RedisConnection {
    RedisConnection::new(
        RedisConfig::from_url(&server.url())
            .unwrap()
            .timeout(Duration::from_secs(2)),
    )
}

/// `client-public` (oidc-provider rotates the refresh tokens of public clients that are not
/// sender-constrained) over a counting HTTP client.
async fn counted_public_client() -> (Configuration, Arc<CountingHttpClient>) {
    let http = CountingHttpClient::new();
    let config = common::builder("client-public")
        .shared_http_client(http.clone())
        .discover(provider().issuer())
        .await
        .unwrap();
    (config, http)
}

/// Access tokens of the provider live 600 s: this puts the clock 10 s before expiry.
const NEAR_EXPIRY: Duration = Duration::from_secs(590);

fn manager(
    config: &Configuration,
    store: Arc<dyn TokenStore>,
    session: &str,
    clock: &Arc<ManualClock>,
) -> TokenManager {
    TokenManager::builder(config.clone(), store, session)
        .refresh_margin(Duration::from_secs(60))
        .clock(clock.clone())
        .build()
}

// --- Token manager ----------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_concurrent_calls_near_expiry_make_one_refresh_and_store_the_rotated_token() {
    let (config, http) = counted_public_client().await;
    let (tokens, _) = login(&config, "openid").await;
    let first_refresh = tokens.refresh_token().unwrap().to_owned();
    let store = Arc::new(MemoryTokenStore::new());
    let clock = ManualClock::new();
    let manager = manager(&config, store.clone(), "session-1", &clock);
    manager.store_tokens(&tokens).await.unwrap();

    // Far from expiry: the stored token, no refresh.
    let token = manager.access_token().await.unwrap();
    assert_eq!(token.secret(), tokens.access_token());
    assert_eq!(http.refreshes(), 0);

    clock.advance(NEAR_EXPIRY);
    let calls = (0..100).map(|_| {
        let manager = manager.clone();
        tokio::spawn(async move { manager.access_token().await })
    });
    let mut seen = Vec::new();
    for call in calls.collect::<Vec<_>>() {
        seen.push(call.await.unwrap().unwrap().secret().to_owned());
    }
    assert_eq!(
        http.refreshes(),
        1,
        "one refresh for 100 concurrent callers"
    );
    assert!(
        seen.iter().all(|t| t == &seen[0]),
        "everyone got the refreshed token"
    );
    assert_ne!(seen[0], tokens.access_token());

    // The rotated refresh token is the one stored, and it is the one that works next.
    let stored = store.load("session-1").await.unwrap().unwrap();
    let rotated = stored.refresh_token().unwrap().to_owned();
    assert_ne!(
        rotated, first_refresh,
        "oidc-provider rotated the refresh token"
    );
    assert_eq!(stored.access_token(), seen[0]);
    clock.advance(NEAR_EXPIRY);
    manager.access_token().await.unwrap();
    assert_eq!(http.refreshes(), 2);
    let again = store.load("session-1").await.unwrap().unwrap();
    assert_ne!(again.refresh_token().unwrap(), rotated);
}

#[tokio::test]
async fn invalid_grant_ends_the_session_and_removes_the_stored_tokens() {
    let (config, _) = counted_public_client().await;
    let (tokens, _) = login(&config, "openid").await;
    let store = Arc::new(MemoryTokenStore::new());
    let clock = ManualClock::new();
    let manager = manager(&config, store.clone(), "session-2", &clock);
    manager.store_tokens(&tokens).await.unwrap();
    // The provider forgets the grant (here: the refresh token is revoked behind our back).
    config
        .revoke_token(
            tokens.refresh_token().unwrap(),
            Params::from([("token_type_hint", "refresh_token")]),
        )
        .await
        .unwrap();

    clock.advance(NEAR_EXPIRY);
    let err = manager.access_token().await.unwrap_err();
    assert!(
        matches!(
            err,
            TokenManagerError::SessionEnded {
                reason: SessionEnd::RefreshRejected
            }
        ),
        "{err}"
    );
    assert_eq!(err.code(), "TOKEN_MANAGER_SESSION_ENDED");
    assert!(store.load("session-2").await.unwrap().is_none());
    assert!(matches!(
        manager.access_token().await,
        Err(TokenManagerError::NoSession)
    ));
}

#[tokio::test]
async fn an_expired_access_token_without_a_refresh_token_ends_the_session() {
    let config = config("client-basic").await;
    let tokens = config
        .client_credentials_grant(Params::new())
        .await
        .unwrap();
    assert!(tokens.refresh_token().is_none());
    let store = Arc::new(MemoryTokenStore::new());
    let clock = ManualClock::new();
    let manager = manager(&config, store.clone(), "session-7", &clock);
    manager.store_tokens(&tokens).await.unwrap();
    // Within the margin but not expired: still handed out (nothing to refresh with).
    clock.advance(NEAR_EXPIRY);
    let token = manager.access_token().await.unwrap();
    assert_eq!(token.secret(), tokens.access_token());
    clock.advance(Duration::from_secs(10));
    let err = manager.access_token().await.unwrap_err();
    assert!(
        matches!(
            err,
            TokenManagerError::SessionEnded {
                reason: SessionEnd::NoRefreshToken
            }
        ),
        "{err}"
    );
    assert!(store.load("session-7").await.unwrap().is_none());
}

#[tokio::test]
async fn logout_revokes_the_refresh_token_and_clears_the_store() {
    let (config, _) = counted_public_client().await;
    let (tokens, _) = login(&config, "openid").await;
    let store = Arc::new(MemoryTokenStore::new());
    let clock = ManualClock::new();
    let manager = manager(&config, store.clone(), "session-3", &clock);
    manager.store_tokens(&tokens).await.unwrap();
    manager.logout().await.unwrap();
    assert!(store.load("session-3").await.unwrap().is_none());
    let err = config
        .refresh_token_grant(tokens.refresh_token().unwrap(), Params::new())
        .await
        .unwrap_err();
    assert_eq!(err.oauth_error(), Some("invalid_grant"), "{err}");
    // Nothing left to log out.
    manager.logout().await.unwrap();
}

#[tokio::test]
async fn a_dpop_bound_session_refreshes_with_proofs_of_its_key() {
    let (config, http) = counted_public_client().await;
    let config = config.with_dpop(dpop());
    let (tokens, _) = login(&config, "openid").await;
    assert_eq!(tokens.token_type(), "dpop");
    let store = Arc::new(MemoryTokenStore::new());
    let clock = ManualClock::new();
    let manager = manager(&config, store.clone(), "session-4", &clock);
    manager.store_tokens(&tokens).await.unwrap();
    clock.advance(NEAR_EXPIRY);
    let token = manager.access_token().await.unwrap();
    assert_eq!(http.refreshes(), 1);
    assert_eq!(token.token_type(), "dpop");
    assert_ne!(token.secret(), tokens.access_token());
    // The refreshed token is bound to the same key: the UserInfo endpoint takes it with a
    // proof of that key.
    let sub = tokens.claims().unwrap().sub.clone();
    let user = config
        .fetch_user_info(token.secret(), oauth_client::ExpectedSubject::Is(&sub))
        .await
        .unwrap();
    assert_eq!(user.sub, sub);
}

#[tokio::test]
async fn a_second_instance_sees_the_rotated_refresh_token_in_redis() {
    let (config_a, http_a) = counted_public_client().await;
    let (config_b, http_b) = counted_public_client().await;
    let (tokens, _) = login(&config_a, "openid").await;
    let clock = ManualClock::new();
    let store_a = Arc::new(RedisTokenStore::new(connection(redis())));
    let store_b = Arc::new(RedisTokenStore::new(connection(redis())));
    let a = manager(&config_a, store_a, "session-5", &clock);
    let b = manager(&config_b, store_b.clone(), "session-5", &clock);
    a.store_tokens(&tokens).await.unwrap();

    clock.advance(NEAR_EXPIRY);
    let refreshed = a.access_token().await.unwrap();
    // Instance B had nothing cached: it reads A's refreshed tokens and does not refresh.
    let seen_by_b = b.access_token().await.unwrap();
    assert_eq!(seen_by_b.secret(), refreshed.secret());
    assert_eq!((http_a.refreshes(), http_b.refreshes()), (1, 0));
    // And B's next refresh uses the rotated refresh token successfully.
    clock.advance(NEAR_EXPIRY);
    b.access_token().await.unwrap();
    assert_eq!(http_b.refreshes(), 1);
    // A, whose cache is stale, reads the store before refreshing and adopts B's tokens.
    let seen_by_a = a.access_token().await.unwrap();
    assert_eq!(http_a.refreshes(), 1);
    assert_eq!(
        seen_by_a.secret(),
        store_b
            .load("session-5")
            .await
            .unwrap()
            .unwrap()
            .access_token()
    );
    // The record is not filed under the session key itself.
    assert!(!store_b.key("session-5").contains("session-5"));
}

#[tokio::test]
async fn a_token_store_that_is_down_is_a_typed_error() {
    let server = TestRedis::start().unwrap();
    let (config, _) = counted_public_client().await;
    let (tokens, _) = login(&config, "openid").await;
    let store = Arc::new(RedisTokenStore::new(RedisConnection::new(
        RedisConfig::from_url(&server.url())
            .unwrap()
            .timeout(Duration::from_millis(500)),
    )));
    let manager = TokenManager::builder(config, store, "session-6").build();
    server.stop();
    let err = manager.store_tokens(&tokens).await.unwrap_err();
    assert!(matches!(err, TokenManagerError::Store(_)), "{err}");
    assert_eq!(err.code(), "TOKEN_MANAGER_STORE_UNAVAILABLE");
    assert!(matches!(
        manager.access_token().await,
        Err(TokenManagerError::Store(_))
    ));
}

// --- Pending-login store ----------------------------------------------------------------------

/// The authorization URL of `login` for `config`.
fn authorization_url(config: &Configuration, login: &PendingLogin) -> url::Url {
    let mut params = login.authorization_params();
    params.insert("redirect_uri", redirect_uri());
    params.insert("scope", "openid email");
    config.build_authorization_url(params).unwrap()
}

#[tokio::test]
async fn a_callback_completes_on_a_second_configuration_sharing_the_redis_store() {
    // Instance 1 starts the login.
    let config_1 = config("client-basic").await;
    let store_1 = RedisPendingLoginStore::new(connection(redis()));
    let login = PendingLogin::new(Duration::from_secs(300))
        .unwrap()
        .with_redirect_to("/account");
    store_1.put(&login, SystemTime::now()).await.unwrap();
    let redirect = browse(&authorization_url(&config_1, &login)).await;
    drop((config_1, store_1, login));

    // Instance 2 (its own configuration, connection and memory) gets the callback.
    let config_2 = config("client-basic").await;
    let store_2 = RedisPendingLoginStore::new(connection(redis()));
    let callback = Callback::from_url(&redirect.url).unwrap();
    let state = callback.get("state").unwrap().to_owned();
    let pending = store_2.take(&state, SystemTime::now()).await.unwrap();
    assert_eq!(pending.redirect_to(), Some("/account"));
    let tokens = config_2
        .authorization_code_grant_with_callback(&callback, &pending.checks(), Params::new())
        .await
        .unwrap();
    assert_eq!(tokens.claims().unwrap().sub, "alice");
    assert_eq!(tokens.claims().unwrap().nonce.as_deref(), pending.nonce());

    // Single use: the same callback again finds nothing, on any instance.
    let store_3 = RedisPendingLoginStore::new(connection(redis()));
    let replay = store_3.take(&state, SystemTime::now()).await.unwrap_err();
    assert!(matches!(replay, PendingLoginError::Unknown), "{replay}");
    assert_eq!(replay.code(), "PENDING_LOGIN_UNKNOWN");
}

#[tokio::test]
async fn concurrent_takes_of_one_state_in_redis_succeed_once() {
    let store = Arc::new(RedisPendingLoginStore::new(connection(redis())));
    let login = PendingLogin::new(Duration::from_secs(60)).unwrap();
    store.put(&login, SystemTime::now()).await.unwrap();
    let dup = store.put(&login, SystemTime::now()).await.unwrap_err();
    assert!(matches!(dup, PendingLoginError::DuplicateState));
    let state = login.state().to_owned();
    let takes = (0..20).map(|_| {
        let store = store.clone();
        let state = state.clone();
        tokio::spawn(async move { store.take(&state, SystemTime::now()).await })
    });
    let mut won = 0;
    for take in takes.collect::<Vec<_>>() {
        match take.await.unwrap() {
            Ok(taken) => {
                assert_eq!(taken.pkce_code_verifier(), login.pkce_code_verifier());
                won += 1;
            }
            Err(e) => assert!(matches!(e, PendingLoginError::Unknown), "{e}"),
        }
    }
    assert_eq!(won, 1);
}

#[tokio::test]
async fn pending_logins_in_redis_carry_their_ttl_and_expire() {
    let store = RedisPendingLoginStore::new(connection(redis()));
    let now = SystemTime::now();
    let login = PendingLogin::starting_at(now, Duration::from_secs(30)).unwrap();
    store.put(&login, now).await.unwrap();
    // The server holds it for the login's lifetime, under the hash of the state.
    let key = store.key(login.state()).unwrap();
    assert!(!key.contains(login.state()));
    let mut pttl = replay_store::redis::client::cmd("PTTL");
    pttl.arg(&key);
    let ttl: i64 = store.connection().query(&pttl).await.unwrap();
    assert!(ttl > 0 && ttl <= 30_000, "{ttl}");
    // Taken after its expiry (by the caller's clock): refused, and gone.
    let later = now + Duration::from_secs(30);
    let err = store.take(login.state(), later).await.unwrap_err();
    assert!(matches!(err, PendingLoginError::Expired), "{err}");
    let err = store.take(login.state(), now).await.unwrap_err();
    assert!(matches!(err, PendingLoginError::Unknown), "{err}");
}

#[tokio::test]
async fn a_pending_login_store_that_is_down_fails_closed() {
    let server = TestRedis::start().unwrap();
    let store = RedisPendingLoginStore::new(RedisConnection::new(
        RedisConfig::from_url(&server.url())
            .unwrap()
            .timeout(Duration::from_millis(500)),
    ));
    let login = PendingLogin::new(Duration::from_secs(60)).unwrap();
    store.put(&login, SystemTime::now()).await.unwrap();
    server.stop();
    let err = store
        .take(login.state(), SystemTime::now())
        .await
        .unwrap_err();
    assert!(matches!(err, PendingLoginError::Store(_)), "{err}");
    assert_eq!(err.code(), "PENDING_LOGIN_STORE_UNAVAILABLE");
    let err = store.put(&login, SystemTime::now()).await.unwrap_err();
    assert!(matches!(err, PendingLoginError::Store(_)), "{err}");
}
