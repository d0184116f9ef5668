//! The bodies of the fuzz targets, one public function per target.
//!
//! Each function takes the fuzzer's bytes and runs them through one parser of untrusted input
//! with fixed keys (`keys.json`: the generated vectors' keys, so that the vector tokens used as
//! seeds verify and decrypt). A body panics only when an invariant that must hold for every
//! input is broken; any other outcome (a typed error included) is fine.
//!
//! The same functions run the committed regression inputs under `fuzz/regressions/<target>/`
//! in `cargo test` (`xtask/tests/fuzz_regressions.rs` includes this file), so a crash found
//! once stays fixed.

#![forbid(unsafe_code)]

use jose_core::alg::{ContentEncryptionAlgorithm, JwsAlgorithm, KeyManagementAlgorithm};
use jose_core::json::{self, JsonLimits};
use jose_core::jwk::{Jwk, JwkSet};
use serde_json::Value;
use std::sync::OnceLock;

/// The body of a target.
pub type Body = fn(&[u8]);

/// Every target: its name (the `fuzz_targets/<name>.rs` binary) and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("json_strict", json_strict),
    ("b64", b64),
    ("jwk", jwk),
    ("pem", pem),
    ("jws_compact", jws_compact),
    ("jws_json", jws_json),
    ("jwt", jwt),
    ("jwe_compact", jwe_compact),
    ("jwe_json", jwe_json),
    ("dpop", dpop),
    ("e2e_pop", e2e_pop),
    ("signing_challenge", signing_challenge),
    ("oauth_client", oauth_client),
    ("ciba", ciba),
];

/// The current time of every time-dependent check: the generated vectors' clock.
const NOW: i64 = 1_767_225_600;

/// The fixed keys.
struct Keys {
    hs256: Jwk,
    rsa: Jwk,
    p256: Jwk,
    p384: Jwk,
    ed25519: Jwk,
    x25519: Jwk,
    /// Every asymmetric key, public halves.
    public_set: JwkSet,
    /// Symmetric keys for JWE: `A128KW`/`A128GCMKW` (16 bytes) and `dir` (32 bytes).
    kw128: Jwk,
    dir256: Jwk,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let file: Value = serde_json::from_str(include_str!("../keys.json")).unwrap_or_default();
        let by_kid = |kid: &str| -> Jwk {
            let value = file["keys"]
                .as_array()
                .and_then(|keys| keys.iter().find(|k| k["kid"] == kid))
                .cloned()
                .unwrap_or_default();
            match Jwk::from_json(value.to_string()) {
                Ok(k) => k.without_alg(),
                Err(e) => panic!("fuzz/keys.json: key {kid}: {e}"),
            }
        };
        let public = |k: &Jwk| k.to_public().unwrap_or_else(|e| panic!("{e}"));
        let hs256 = by_kid("hs256");
        let rsa = by_kid("rsa-2048");
        let p256 = by_kid("p256");
        let p384 = by_kid("p384");
        let p521 = by_kid("p521");
        let ed25519 = by_kid("ed25519");
        let x25519 = by_kid("x25519");
        let public_set = JwkSet::new(vec![
            public(&rsa),
            public(&p256),
            public(&p384),
            public(&p521),
            public(&ed25519),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let oct = |bytes: Vec<u8>| {
            Jwk::new(jose_core::jwk::KeyMaterial::Oct(
                jose_core::jwk::OctKey::new(jose_core::SecretBytes::new(bytes))
                    .unwrap_or_else(|e| panic!("{e}")),
            ))
        };
        Keys {
            hs256,
            rsa,
            p256,
            p384,
            ed25519,
            x25519,
            public_set,
            kw128: oct((0u8..16).collect()),
            dir256: oct((0u8..32).collect()),
        }
    })
}

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

// --- jose-core ---------------------------------------------------------------------------------

/// The strict JSON reader (size, depth, duplicate members, UTF-8, surrogates).
pub fn json_strict(data: &[u8]) {
    for limits in [JsonLimits::DEFAULT, JsonLimits::HEADER] {
        let valid = json::validate(data, &limits).is_ok();
        let _ = json::parse_object(data, &limits);
        if let Ok(value) = json::from_slice::<Value>(data, &limits) {
            // What the strict reader accepted, serde_json reads as the same value when written
            // back, and the strict reader accepts the rewritten text too.
            assert!(valid, "from_slice accepted what validate refused");
            let again = serde_json::to_vec(&value).unwrap_or_default();
            let reread: Value = json::from_slice(
                &again,
                &JsonLimits {
                    max_bytes: usize::MAX,
                    ..limits
                },
            )
            .unwrap_or_else(|e| panic!("re-serialized JSON refused: {e}"));
            assert!(
                same_value(&reread, &value),
                "JSON value changed on a round trip: {value} became {reread}"
            );
        }
    }
}

/// JSON value equality. Floats must come back exactly: jose-core turns on serde_json's
/// `float_roundtrip` (correctly rounded parsing), without which `442E42` read as
/// 4.4200000000000004e44 and `1.4999999999999999e113` came back two units in the last place
/// away (`fuzz/regressions/json_strict/`).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => x
            .as_f64()
            .is_some_and(|x| y.as_f64().is_some_and(|y| x.to_bits() == y.to_bits())),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => a == b,
    }
}

/// Strict base64url: a decodable input is the canonical encoding of what it decodes to.
pub fn b64(data: &[u8]) {
    if let Ok(bytes) = jose_core::b64::decode(data) {
        assert_eq!(
            jose_core::b64::encode(&bytes).as_bytes(),
            data,
            "base64url accepted a non-canonical encoding"
        );
    }
    if let Some(s) = text(data)
        && let Ok(bytes) = jose_core::b64::decode_standard(s)
    {
        let _ = jose_core::b64::encode_standard(&bytes);
    }
}

/// JWK and JWK Set import; an imported key survives its own export.
pub fn jwk(data: &[u8]) {
    if let Ok(key) = Jwk::from_json(data) {
        let again = Jwk::from_json(key.to_json())
            .unwrap_or_else(|e| panic!("an imported JWK's own export is refused: {e}"));
        assert!(again.same_key(&key), "a JWK changed on a round trip");
        if let Ok(public) = key.to_public() {
            let _ = Jwk::from_json(public.to_json())
                .unwrap_or_else(|e| panic!("a public JWK's export is refused: {e}"));
        }
        let _ = jwk_thumbprint::thumbprint_b64(&key, jwk_thumbprint::ThumbprintHash::Sha256);
        let _ = key.compatible_jws_algorithms();
    }
    if let Ok(set) = JwkSet::from_json(data) {
        let _ = set.to_public();
        let _ = JwkSet::from_json(set.to_json());
    }
    let _ = JwkSet::from_json_key_or_set(data);
}

/// PEM, PKCS#8, SPKI, SEC1 and PKCS#1 import.
pub fn pem(data: &[u8]) {
    if let Some(s) = text(data)
        && let Ok(key) = Jwk::from_pem(s)
        && let Ok(pem) = key.to_pem()
    {
        let _ = Jwk::from_pem(&pem);
    }
    let _ = Jwk::from_pkcs8_der(data);
    let _ = Jwk::from_spki_der(data);
}

// --- jws and jwt-claims ----------------------------------------------------------------------

fn all_algorithms() -> jws::VerifyOptions {
    jws::VerifyOptions::new().algorithms(JwsAlgorithm::ALL.iter().copied())
}

/// Compact JWS: verification with single keys and a key set, detached, and the unverified
/// readers.
pub fn jws_compact(data: &[u8]) {
    let Some(token) = text(data) else {
        return;
    };
    let k = keys();
    let options = all_algorithms();
    for key in [&k.hs256, &k.p256, &k.ed25519, &k.rsa] {
        let _ = jws::compact::verify(token, key, &options);
    }
    if let Ok(verified) = jws::compact::verify(token, &k.public_set, &options) {
        // A verified attached JWS reads the same without verification.
        if verified.header().b64() != Some(false)
            && let Ok(payload) = jws::unverified::decode_payload(token)
        {
            assert_eq!(payload, verified.payload());
        }
    }
    let _ = jws::compact::verify_detached(token, b"detached", &k.hs256, &options);
    let _ = jws::unverified::decode_header(token);
    let _ = jws::unverified::decode_payload(token);
}

/// Flattened and general JSON JWS.
pub fn jws_json(data: &[u8]) {
    let Some(input) = text(data) else {
        return;
    };
    let k = keys();
    let options = all_algorithms().understand_crit("exp");
    let _ = jws::json::verify(input, &k.public_set, &options);
    let _ = jws::json::verify(input, &k.hs256, &options);
    let _ = jws::json::verify_detached(input, b"detached", &k.public_set, &options);
}

/// JWT decoding and claim validation: with a key (signature first) and directly on claims
/// sets, so that random JSON reaches the claim checks.
pub fn jwt(data: &[u8]) {
    use jwt_claims::{NumericDate, Validation};
    let validation = Validation::new()
        .algorithms(JwsAlgorithm::ALL.iter().copied())
        .issuer("https://issuer.example")
        .audience("https://api.example")
        .max_age(std::time::Duration::from_secs(3600))
        .typ("JWT")
        .now(NumericDate::from_seconds(NOW));
    if let Some(token) = text(data) {
        let k = keys();
        let _ = jwt_claims::verify::<Value>(token, &k.hs256, &validation);
        let _ = jwt_claims::verify::<Value>(token, &k.public_set, &validation);
        let _ = jwt_claims::decode_unverified(token);
    }
    if let Ok(claims) = jwt_claims::parse_claims(data) {
        let _ = validation.check_claims(&claims);
        let _ = Validation::new()
            .ignore_audience()
            .now(NumericDate::from_seconds(NOW))
            .check_claims(&claims);
    }
}

// --- jwe -----------------------------------------------------------------------------------

fn jwe_options() -> jwe::DecryptOptions {
    let limits = jwe::Limits {
        // Keep PBES2 cheap enough for fuzzing; the limit itself is what is exercised.
        max_p2c: 5_000,
        ..jwe::Limits::default()
    };
    jwe::DecryptOptions::new()
        .algorithms(
            KeyManagementAlgorithm::ALL
                .iter()
                .copied()
                .filter(|a| *a != KeyManagementAlgorithm::Rsa1_5),
        )
        .encryptions(ContentEncryptionAlgorithm::ALL.iter().copied())
        .limits(limits)
}

fn jwe_decrypt(input: &str, compact: bool) {
    let k = keys();
    let options = jwe_options();
    let decrypt = |source: &dyn jwe::KeySource| {
        let _ = if compact {
            jwe::compact::decrypt(input, source, &options)
        } else {
            jwe::json::decrypt(input, source, &options)
        };
    };
    for key in [&k.rsa, &k.p256, &k.p384, &k.x25519, &k.kw128, &k.dir256] {
        decrypt(key);
    }
    if let Ok(password) = jwe::Password::new(b"fuzzing password".to_vec()) {
        decrypt(&password);
    }
}

/// Compact JWE decryption with every kind of key.
pub fn jwe_compact(data: &[u8]) {
    if let Some(input) = text(data) {
        jwe_decrypt(input, true);
    }
}

/// JSON JWE decryption (flattened and general) with every kind of key.
pub fn jwe_json(data: &[u8]) {
    if let Some(input) = text(data) {
        jwe_decrypt(input, false);
    }
}

// --- dpop, e2e-pop, signing-challenge ----------------------------------------------------------

/// DPoP proof verification (RFC 9449 §4.3), with and without an access token, and the `htu`
/// normaliser.
pub fn dpop(data: &[u8]) {
    use jwt_claims::NumericDate;
    let Some(proof) = text(data) else {
        return;
    };
    // Without a replay store `verify` never waits: one poll completes it.
    let verifier = dpop::ProofVerifier::without_replay_detection();
    let now = NumericDate::from_seconds(NOW);
    let request =
        dpop::ProofRequest::new(proof, "POST", "https://server.example.com/token").now(now);
    let _ = poll_once(verifier.verify(&request));
    let request = dpop::ProofRequest::new(
        proof,
        "GET",
        "https://resource.example.org/protectedresource",
    )
    .access_token("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU")
    .nonce("eyJ7S_zG.eyJH0-Z.HX4w-7v")
    .now(now);
    let _ = poll_once(verifier.verify(&request));
    let _ = dpop::ProofRequest::from_header_values(&[proof, proof], "GET", "https://rs.example/");
    let _ = dpop::normalize_htu(proof);
    dpop_nonces(proof, now);
}

/// The server's stateless nonces and the client's handling of a server's answer, on the same
/// untrusted text: as a nonce to check, a `DPoP-Nonce` header and a `WWW-Authenticate` value.
fn dpop_nonces(text: &str, now: jwt_claims::NumericDate) {
    static DPOP: OnceLock<Option<(dpop::NonceIssuer, dpop::DpopClient)>> = OnceLock::new();
    let Some((issuer, client)) = DPOP.get_or_init(|| {
        let key = dpop::NonceKey::from_bytes(vec![7; 32]).ok()?;
        let previous = dpop::NonceKey::from_bytes(vec![9; 32]).ok()?;
        let client = dpop::DpopClient::generate(JwsAlgorithm::ES256).ok()?;
        Some((dpop::NonceIssuer::new(key).previous_key(previous), client))
    }) else {
        return;
    };
    let _ = issuer.check_at(text, now);
    let _ = client.record_nonce("https://as.example/token", text);
    let _ = client.record_nonce(text, "n-1");
    let _ = client.proof("POST", "https://as.example/token", None);
    let _ = dpop::DpopClient::is_nonce_error(401, Some(text), Some(text));
    let _ = dpop::DpopClient::is_nonce_error(400, Some(text), Some(text));
}

/// Polls a future once; `None` if it would wait (the bodies use only futures that do not).
fn poll_once<F: Future>(f: F) -> Option<F::Output> {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => Some(v),
        std::task::Poll::Pending => None,
    }
}

/// OIDC² tokens: PoP token (self-signed), ICT (OP key set) and E2E PoP token (a fixed key).
pub fn e2e_pop(data: &[u8]) {
    use e2e_pop::{E2ePopVerifier, IctVerifier, OpJwks, PopTokenVerifier, RequiredContexts};
    let Some(token) = text(data) else {
        return;
    };
    let k = keys();
    let now = jwt_claims::NumericDate::from_seconds(NOW);
    // No replay store: each verification completes in one poll.
    let pop = PopTokenVerifier::without_replay_detection("https://op.example.com").now(now);
    let _ = poll_once(pop.verify(token));
    let op = OpJwks::new("https://op.example.com", k.public_set.clone());
    let ict = IctVerifier::new(op, RequiredContexts::Any).now(now);
    let _ = poll_once(ict.verify(token));
    if let Ok(public) = k.p384.to_public() {
        let e2e = E2ePopVerifier::without_replay_detection("session").now(now);
        let _ = poll_once(e2e.verify_with_key(token, &public));
    }
}

/// The signed challenge and signed response verifiers, and certificate parsing.
pub fn signing_challenge(data: &[u8]) {
    use signing_challenge::{ChallengeVerifier, ResponseVerifier, Session, TrustAnchors};
    let k = keys();
    if let Some(token) = text(data) {
        let session = Session::new().nonce("nonce");
        let _ = ChallengeVerifier::new(k.public_set.clone())
            .partial_session()
            .now(NOW)
            .verify(token, &session);
        let response = ResponseVerifier::without_replay_detection(TrustAnchors::new())
            .partial_session()
            .now(NOW);
        let _ = poll_once(response.verify(token, &session));
        let _ = signing_challenge::pem_certificates(token);
        let _ = token.parse::<signing_challenge::DocHash>();
        let _ = token.parse::<signing_challenge::SignRef>();
    }
    let _ = TrustAnchors::new().with_der(data);
}

// --- oauth-client --------------------------------------------------------------------------

/// An HTTP client that answers every request with the same canned response.
#[derive(Debug)]
struct Canned(::oauth_client::http::HttpResponse);

impl ::oauth_client::http::HttpClient for Canned {
    fn send(
        &self,
        _request: ::oauth_client::http::HttpRequest,
    ) -> ::oauth_client::http::BoxFuture<
        '_,
        Result<::oauth_client::http::HttpResponse, ::oauth_client::http::HttpError>,
    > {
        let response = self.0.clone();
        Box::pin(async move { Ok(response) })
    }
}

/// Runs a future that never waits (the canned client answers at once).
fn block_on<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    for _ in 0..64 {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return Some(out);
        }
    }
    None
}

/// The relying party's parsers of what the network sends: discovery, token and introspection
/// responses (with the input as the HTTP body, and its first line as `WWW-Authenticate`),
/// `WWW-Authenticate` challenges, and authorization callbacks (URL query and form post).
///
/// The first byte picks the status code (200, 400, 401 or 500) and the content type.
pub fn oauth_client(data: &[u8]) {
    use ::oauth_client::http::{Headers, HttpResponse};
    use ::oauth_client::{
        Callback, ClientAuth, ClientMetadata, ConfigurationBuilder, ExpectedState, Params,
        ServerMetadata, Url,
    };
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let status = [200, 400, 401, 500][usize::from(selector & 3)];
    let content_type = [
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/jwt",
    ][usize::from((selector >> 2) & 3)];
    let text = String::from_utf8_lossy(rest);
    let (first_line, _) = text.split_once('\n').unwrap_or((&text, ""));
    let mut headers = Headers::new();
    headers.set("content-type", content_type);
    headers.set("www-authenticate", first_line);
    let response = HttpResponse::new(status, headers, rest.to_vec());

    let builder = || {
        ConfigurationBuilder::new(
            ClientMetadata::new("fuzz-client"),
            ClientAuth::client_secret_post("fuzz-secret"),
        )
        .http_client(Canned(response.clone()))
    };
    let Ok(issuer) = Url::parse("https://op.example.com") else {
        return;
    };
    // Discovery: the input is the provider's metadata document.
    let _ = block_on(builder().discover(&issuer));
    // Token and introspection responses.
    let mut server = ServerMetadata::new("https://op.example.com");
    server.token_endpoint = Url::parse("https://op.example.com/token").ok();
    server.introspection_endpoint = Url::parse("https://op.example.com/introspect").ok();
    if let Ok(config) = builder().build(server) {
        let _ = block_on(config.client_credentials_grant(Params::new()));
        let _ = block_on(config.introspect_token("token", Params::new()));
        // Callbacks: the input as a redirect URL and as a form-post body.
        let expected = ExpectedState::Value("state-1".into());
        if let Ok(url) = Url::parse(&text)
            && let Ok(callback) = Callback::from_url(&url)
        {
            let _ = config.validate_authorization_response(&callback, &expected);
        }
        if let Ok(url) = Url::parse("https://rp.example.com/cb")
            && let Ok(callback) = Callback::from_form_post(&url, rest)
        {
            let _ = config.validate_authorization_response(&callback, &expected);
        }
    }
    let _ = ::oauth_client::www_authenticate::parse(text.lines());
}

// --- ciba ----------------------------------------------------------------------------------

/// The fuzz target's stored requests: `auth_req_id`, delivery mode, client notification token.
pub const CIBA_REQUESTS: [(&str, ::ciba::DeliveryMode, &str); 2] = [
    (
        "ping-1",
        ::ciba::DeliveryMode::Ping,
        "Hq7vT2mXk9LpR4sW8nZc3bJy6dFg1uEa5oQi0tNw",
    ),
    (
        "push-1",
        ::ciba::DeliveryMode::Push,
        "p8LmQ2xV7cK4zR9tN3wB6yH1jF5gD0sAeUoIiT2u",
    ),
];

/// The client notification endpoint (`NotificationHandler::handle_http`: bearer header, ping
/// and push bodies, pushed ID Tokens against the fixed keys), the backchannel acknowledgement
/// reader, and the signed client notification token verifier.
///
/// The first line of the input is the `Authorization` header, the rest the body. The store
/// holds a ping request `ping-1` and a push request `push-1` ([`CIBA_REQUESTS`]); a new store
/// per input, so nothing carries over.
pub fn ciba(data: &[u8]) {
    use ::ciba::{
        AuthReqId, BackchannelAck, ClientNotificationToken, DeliveryMode, InMemoryPendingStore,
        NotificationHandler, NotificationResponse, NotificationTokenVerifier, PendingRequest,
        bearer_token,
    };
    use ::oauth_client::http::{Headers, HttpResponse};
    use ::oauth_client::{ClientAuth, ClientMetadata, ConfigurationBuilder, ServerMetadata, Url};
    use std::time::{Duration, Instant, SystemTime};

    let text = String::from_utf8_lossy(data);
    let (header, body) = match text.split_once('\n') {
        Some((h, b)) => (Some(h), b),
        None => (None, text.as_ref()),
    };

    // The provider: the fixed public keys as its JWK Set (a refetch gets the same set).
    let mut headers = Headers::new();
    headers.set("content-type", "application/json");
    let jwks = HttpResponse::new(200, headers, keys().public_set.to_json().into_bytes());
    let mut client = ClientMetadata::new("fuzz-client");
    client.backchannel_token_delivery_mode = Some("push".into());
    client.backchannel_client_notification_endpoint = Some("https://rp.example.com/ciba".into());
    let mut server = ServerMetadata::new("https://op.example.com");
    server.token_endpoint = Url::parse("https://op.example.com/token").ok();
    server.jwks_uri = Url::parse("https://op.example.com/jwks").ok();
    let Ok(config) =
        ConfigurationBuilder::new(client, ClientAuth::client_secret_basic("fuzz-secret"))
            .http_client(Canned(jwks))
            .build(server)
    else {
        return;
    };

    let store = std::sync::Arc::new(InMemoryPendingStore::default());
    let expires = SystemTime::now() + Duration::from_secs(600);
    for (id, mode, token) in CIBA_REQUESTS {
        let (Ok(id), Ok(token)) = (AuthReqId::new(id), ClientNotificationToken::new(token)) else {
            panic!("the fixed request {id} is refused");
        };
        if let Err(e) = store.insert(PendingRequest::new(id, mode, token, expires)) {
            panic!("the fixed request cannot be stored: {e}");
        }
    }
    let handler = NotificationHandler::new(config, store);
    if let Some(result) = block_on(handler.handle_http(header, body.as_bytes())) {
        let answer = NotificationResponse::for_result(&result);
        if result.is_ok() {
            // Accepted only with a stored token, and answered 204.
            let presented = header.and_then(|h| bearer_token(h).ok());
            assert!(CIBA_REQUESTS.iter().any(|r| Some(r.2) == presented));
            assert_eq!(answer.status, 204);
        } else {
            assert!(matches!(answer.status, 400 | 401), "{}", answer.status);
        }
    }

    // The acknowledgement of a backchannel authentication request.
    if let Ok(object) = json::parse_object(body.as_bytes(), &JsonLimits::DEFAULT) {
        for mode in [DeliveryMode::Poll, DeliveryMode::Ping] {
            if let Ok(ack) = BackchannelAck::from_json(&object, mode, None, Instant::now().into()) {
                assert!(ack.interval() >= 1 && ack.interval() <= ::ciba::MAX_INTERVAL_SECONDS);
                assert!(
                    ack.expires_in() >= 1 && ack.expires_in() <= ::ciba::MAX_EXPIRES_IN_SECONDS
                );
            }
        }
    }

    // A signed client notification token (the first line), as the endpoint would verify it.
    if let Some(presented) = header
        && let Ok(stored) = ClientNotificationToken::new(presented)
    {
        let verifier = NotificationTokenVerifier::new(keys().public_set.clone()).now(NOW);
        let _ = verifier.verify(presented, &stored, "fuzz-nonce");
    }
}
