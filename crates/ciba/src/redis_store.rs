//! Pending requests shared by several instances through Redis or Valkey (feature `redis`).

use crate::ack::AuthReqId;
use crate::error::CibaError;
use crate::mode::DeliveryMode;
use crate::notification::{PushError, PushErrorCode};
use crate::notification_token::ClientNotificationToken;
use crate::store::{
    PendingRequest, PendingState, PendingStore, PushedBody, Recorded, StoredRequest,
};
use core::fmt;
use core::time::Duration;
use futures_util::StreamExt;
use replay_store::{BoxFuture, RedisConnection, StoreError};
use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

/// Stores a request and binds its token (and nonce) unless any is already there.
/// KEYS: request, token binding, [nonce binding]; ARGV: TTL in ms, then field/value pairs.
const INSERT: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 'duplicate' end
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then return 'reused' end
end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], '1', 'PX', ARGV[1]) end
return 'ok'
";

/// The compare-and-set from "waiting", then the wake-up of every waiter.
/// KEYS: request; ARGV: digest, channel, then the state's field/value pairs.
const RECORD: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 'unknown' end
local delivered = redis.call('HGET', KEYS[1], 'digest')
if delivered then
  if delivered == ARGV[1] then return 'duplicate' end
  return 'conflict'
end
redis.call('HSET', KEYS[1], 'digest', ARGV[1], unpack(ARGV, 3))
redis.call('PUBLISH', ARGV[2], '1')
return 'new'
";

/// A [`PendingStore`] on a Redis or Valkey server shared by every instance of the relying
/// party, so that a ping or push received by one instance completes the
/// [`crate::NotificationHandler::wait`] of another.
///
/// Each request is a hash `<prefix>ciba:pending:<sha256 hex of auth_req_id>` holding its
/// mode, notification token (and nonce), expiry and, once notified, the delivery and the
/// digest of the notification; it expires with the request (`PEXPIRE`, the request's
/// remaining lifetime). `<prefix>ciba:bound:<sha256 hex>` keys bind each live notification
/// token and nonce to one request. Storing and recording are Lua scripts, so each is atomic
/// across instances: the first notification wins, the same one again is a
/// [`Recorded::Duplicate`], another one is [`CibaError::ConflictingNotification`]. Recording
/// publishes on `<prefix>ciba:done:<sha256 hex>`; a waiter subscribes first, then reads the
/// hash, so a notification that arrived before it subscribed is not missed.
///
/// Pushed tokens are kept as the raw body the receiving instance validated
/// ([`PendingState::Pushed`]); the waiting instance validates them again
/// ([`crate::NotificationHandler::wait`]). The store holds secrets (notification tokens,
/// pushed tokens): use `rediss://` and AUTH, and `maxmemory-policy noeviction`. This crate
/// keeps its copies in `Zeroizing` buffers and never shows them in `Debug` or errors; the
/// buffers redis-rs encodes commands and decodes replies in are its own and not zeroized.
///
/// Every failure of the server is [`CibaError::PendingStore`]: nothing is stored, recorded or
/// completed.
///
/// ```no_run
/// use ciba::{NotificationHandler, RedisPendingStore};
/// use replay_store::{RedisConfig, RedisConnection};
/// use std::sync::Arc;
///
/// # async fn demo(config: oauth_client::Configuration) -> Result<(), Box<dyn std::error::Error>> {
/// let redis = RedisConnection::new(RedisConfig::from_url("rediss://app:secret@cache:6380/0")?);
/// let handler = NotificationHandler::new(config, Arc::new(RedisPendingStore::new(redis)));
/// // Any instance may receive the notification; this one waits for it.
/// let state = handler.wait("1c266114-a1be-4252-8ad1-04986c5b9ac1").await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisPendingStore {
    connection: RedisConnection,
}

impl fmt::Debug for RedisPendingStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisPendingStore")
            .field("server", &self.connection.config().describe())
            .finish()
    }
}

fn unix_millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn corrupt(reason: &str) -> CibaError {
    CibaError::PendingStore(StoreError::Unavailable {
        store: "redis".into(),
        reason: format!("unreadable pending request: {reason}"),
    })
}

impl RedisPendingStore {
    /// A store on this connection (the one the replay store may share).
    #[must_use]
    pub fn new(connection: RedisConnection) -> Self {
        Self { connection }
    }

    /// The connection.
    #[must_use]
    pub fn connection(&self) -> &RedisConnection {
        &self.connection
    }

    fn name(&self, kind: &str, value: &str) -> String {
        self.connection
            .config()
            .hashed_key(&format!("ciba:{kind}"), value.as_bytes())
    }

    async fn run(&self, script: &str, keys: &[String], args: &[&str]) -> Result<String, CibaError> {
        let mut cmd = replay_store::redis::client::cmd("EVAL");
        cmd.arg(script).arg(keys.len()).arg(keys).arg(args);
        self.connection
            .query(&cmd)
            .await
            .map_err(CibaError::PendingStore)
    }

    async fn read(&self, auth_req_id: &str) -> Result<Option<StoredRequest>, CibaError> {
        let mut cmd = replay_store::redis::client::cmd("HGETALL");
        cmd.arg(self.name("pending", auth_req_id));
        let fields: HashMap<String, String> = self
            .connection
            .query(&cmd)
            .await
            .map_err(CibaError::PendingStore)?;
        if fields.is_empty() {
            return Ok(None);
        }
        let fields: HashMap<String, Zeroizing<String>> = fields
            .into_iter()
            .map(|(k, v)| (k, Zeroizing::new(v)))
            .collect();
        let stored = parse(&fields)?;
        let live = stored.request.expires_at() > SystemTime::now()
            && jose_core::constant_time_eq(
                stored.request.auth_req_id().expose().as_bytes(),
                auth_req_id.as_bytes(),
            );
        Ok(live.then_some(stored))
    }
}

fn field<'a>(
    fields: &'a HashMap<String, Zeroizing<String>>,
    name: &str,
) -> Result<&'a str, CibaError> {
    fields
        .get(name)
        .map(|v| v.as_str())
        .ok_or_else(|| corrupt(name))
}

fn parse(fields: &HashMap<String, Zeroizing<String>>) -> Result<StoredRequest, CibaError> {
    let id = AuthReqId::new(field(fields, "id")?).map_err(|_| corrupt("id"))?;
    let mode = DeliveryMode::parse(field(fields, "mode")?).ok_or_else(|| corrupt("mode"))?;
    let token =
        ClientNotificationToken::new(field(fields, "token")?).map_err(|_| corrupt("token"))?;
    let exp: u64 = field(fields, "exp")?.parse().map_err(|_| corrupt("exp"))?;
    let mut request = PendingRequest::new(id, mode, token, UNIX_EPOCH + Duration::from_millis(exp));
    if let Some(nonce) = fields.get("nonce") {
        request = request.with_nonce(nonce.as_str());
    }
    let delivered = match fields.get("digest") {
        None => None,
        Some(d) => Some(parse_digest(d).ok_or_else(|| corrupt("digest"))?),
    };
    let state = match (delivered, fields.get("state").map(|s| s.as_str())) {
        (None, _) => PendingState::Waiting,
        (Some(_), Some("ping")) => PendingState::Pinged,
        (Some(_), Some("error")) => {
            let code =
                PushErrorCode::parse(field(fields, "error")?).ok_or_else(|| corrupt("error"))?;
            let description = fields.get("error_description").map(|d| d.to_string());
            PendingState::Failed(PushError { code, description })
        }
        (Some(_), Some("tokens")) => PendingState::Pushed(PushedBody::new(field(fields, "body")?)),
        _ => return Err(corrupt("state")),
    };
    Ok(StoredRequest {
        request,
        state,
        delivered,
    })
}

fn parse_digest(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        let pair = text.get(2 * i..2 * i + 2)?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}

fn digest_hex(digest: &[u8; 32]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash fields of a state (besides the digest).
fn state_fields(state: &PendingState) -> Result<Vec<Zeroizing<String>>, CibaError> {
    let z = |s: &str| Zeroizing::new(s.to_owned());
    Ok(match state {
        PendingState::Pinged => vec![z("state"), z("ping")],
        PendingState::Failed(e) => {
            let mut v = vec![z("state"), z("error"), z("error"), z(e.code.as_str())];
            if let Some(d) = &e.description {
                v.extend([z("error_description"), z(d)]);
            }
            v
        }
        PendingState::Tokens(t) => vec![
            z("state"),
            z("tokens"),
            z("body"),
            z(t.pushed_body().expose()),
        ],
        PendingState::Pushed(body) => vec![z("state"), z("tokens"), z("body"), z(body.expose())],
        _ => {
            return Err(CibaError::InvalidNotification(
                "only a delivered state can be recorded",
            ));
        }
    })
}

impl PendingStore for RedisPendingStore {
    fn insert(&self, request: PendingRequest) -> BoxFuture<'_, Result<(), CibaError>> {
        Box::pin(async move {
            let id = request.auth_req_id().expose();
            let ttl = request
                .expires_at()
                .duration_since(SystemTime::now())
                .map(|d| d.as_millis())
                .unwrap_or(0);
            if ttl == 0 {
                return Err(CibaError::Deadline);
            }
            let mut keys = vec![
                self.name("pending", id),
                self.name("bound", request.token().expose()),
            ];
            if let Some(nonce) = request.nonce() {
                keys.push(self.name("bound", nonce));
            }
            let ttl = ttl.to_string();
            let exp = unix_millis(request.expires_at()).to_string();
            let mut args: Vec<&str> = vec![
                &ttl,
                "id",
                id,
                "mode",
                request.mode().as_str(),
                "token",
                request.token().expose(),
                "exp",
                &exp,
            ];
            if let Some(nonce) = request.nonce() {
                args.extend(["nonce", nonce]);
            }
            match self.run(INSERT, &keys, &args).await?.as_str() {
                "ok" => Ok(()),
                "duplicate" => Err(CibaError::DuplicateAuthReqId),
                "reused" => Err(CibaError::NotificationTokenReused),
                _ => Err(corrupt("unexpected script answer")),
            }
        })
    }

    fn get<'a>(
        &'a self,
        auth_req_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredRequest>, CibaError>> {
        Box::pin(self.read(auth_req_id))
    }

    fn record<'a>(
        &'a self,
        auth_req_id: &'a str,
        state: PendingState,
        digest: [u8; 32],
    ) -> BoxFuture<'a, Result<Recorded, CibaError>> {
        Box::pin(async move {
            let fields = state_fields(&state)?;
            let digest = digest_hex(&digest);
            let channel = self.name("done", auth_req_id);
            let mut args: Vec<&str> = vec![&digest, &channel];
            args.extend(fields.iter().map(|f| f.as_str()));
            let keys = [self.name("pending", auth_req_id)];
            match self.run(RECORD, &keys, &args).await?.as_str() {
                "new" => Ok(Recorded::New),
                "duplicate" => Ok(Recorded::Duplicate),
                "conflict" => Err(CibaError::ConflictingNotification),
                "unknown" => Err(CibaError::UnknownAuthReqId),
                _ => Err(corrupt("unexpected script answer")),
            }
        })
    }

    fn remove<'a>(
        &'a self,
        auth_req_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<StoredRequest>, CibaError>> {
        Box::pin(async move {
            let Some(stored) = self.read(auth_req_id).await? else {
                return Ok(None);
            };
            let mut cmd = replay_store::redis::client::cmd("DEL");
            cmd.arg(self.name("pending", auth_req_id))
                .arg(self.name("bound", stored.request.token().expose()));
            if let Some(nonce) = stored.request.nonce() {
                cmd.arg(self.name("bound", nonce));
            }
            let _: i64 = self
                .connection
                .query(&cmd)
                .await
                .map_err(CibaError::PendingStore)?;
            let mut publish = replay_store::redis::client::cmd("PUBLISH");
            publish.arg(self.name("done", auth_req_id)).arg("1");
            let _: i64 = self
                .connection
                .query(&publish)
                .await
                .map_err(CibaError::PendingStore)?;
            Ok(Some(stored))
        })
    }

    fn wait<'a>(&'a self, auth_req_id: &'a str) -> BoxFuture<'a, Result<PendingState, CibaError>> {
        Box::pin(async move {
            let mut pubsub = self
                .connection
                .pubsub()
                .await
                .map_err(CibaError::PendingStore)?;
            self.connection
                .with_timeout(pubsub.subscribe(self.name("done", auth_req_id)))
                .await
                .map_err(CibaError::PendingStore)?;
            loop {
                // Read after subscribing: a notification recorded before is seen here.
                let stored = self
                    .read(auth_req_id)
                    .await?
                    .ok_or(CibaError::UnknownAuthReqId)?;
                if !stored.state.is_waiting() {
                    return Ok(stored.state);
                }
                let left = stored
                    .request
                    .expires_at()
                    .duration_since(SystemTime::now())
                    .unwrap_or(Duration::ZERO);
                let mut messages = pubsub.on_message();
                match tokio::time::timeout(left, messages.next()).await {
                    Err(_) => return Err(CibaError::Deadline),
                    Ok(Some(_)) => {}
                    Ok(None) => {
                        return Err(CibaError::PendingStore(StoreError::Unavailable {
                            store: self.connection.config().describe().to_owned(),
                            reason: "the subscription was closed".into(),
                        }));
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> HashMap<String, Zeroizing<String>> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Zeroizing::new((*v).to_owned())))
            .collect()
    }

    const TOKEN: &str = "Xq3pMZr8v0Tn6JkLwYb2HdFs9UeC4aGo1iQ7tRxVyNm";

    #[test]
    fn a_stored_hash_reads_back_and_anything_malformed_is_a_store_error() {
        let digest = digest_hex(&[7; 32]);
        let base = [
            ("id", "r-1"),
            ("mode", "push"),
            ("token", TOKEN),
            ("exp", "4102444800000"),
        ];
        let waiting = parse(&fields(&base)).unwrap();
        assert!(waiting.state.is_waiting() && waiting.delivered.is_none());
        let mut pushed = base.to_vec();
        pushed.extend([
            ("digest", digest.as_str()),
            ("state", "tokens"),
            ("body", "{}"),
        ]);
        let stored = parse(&fields(&pushed)).unwrap();
        assert_eq!(stored.delivered, Some([7; 32]));
        assert!(matches!(stored.state, PendingState::Pushed(_)));
        for (name, bad) in [("mode", "smoke"), ("exp", "soon"), ("token", "a b")] {
            let mut broken = base.to_vec();
            broken.retain(|(k, _)| *k != name);
            broken.push((name, bad));
            assert!(
                matches!(parse(&fields(&broken)), Err(CibaError::PendingStore(_))),
                "{name}"
            );
        }
        let mut unknown_state = base.to_vec();
        unknown_state.extend([("digest", digest.as_str()), ("state", "maybe")]);
        assert!(matches!(
            parse(&fields(&unknown_state)),
            Err(CibaError::PendingStore(_))
        ));
        assert_eq!(parse_digest(&digest), Some([7; 32]));
        assert_eq!(parse_digest("zz"), None);
        assert_eq!(parse_digest(&"é".repeat(32)), None);
    }

    #[test]
    fn only_delivered_states_are_recorded() {
        assert!(state_fields(&PendingState::Waiting).is_err());
        let ping = state_fields(&PendingState::Pinged).unwrap();
        assert_eq!(
            ping.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
            ["state", "ping"]
        );
    }
}
