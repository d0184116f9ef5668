//! The signed client notification token (the DSP/RP token of the hash-signing service): ES256
//! with the relying party's `kid`, claims `nonce`, `iat`, `exp`; every verification check,
//! binding to the stored request and nonce, and no reuse across requests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod common;

use ciba::{
    AuthReqId, CibaError, ClientNotificationToken, DeliveryMode, InMemoryPendingStore, MintedToken,
    Notification, NotificationHandler, NotificationTokenIssuer, NotificationTokenVerifier,
    PendingRequest, TokenCheck, is_b64token,
};
use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use jose_core::jwk::JwkSet;
use jws::SigningKey;
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

const NOW: i64 = 1_800_000_000;

fn rp_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| common::generated_key(JwsAlgorithm::ES256, "rp-2026-01"))
}

fn own_keys() -> JwkSet {
    JwkSet::new(vec![rp_key().public_jwk().unwrap()]).unwrap()
}

fn verifier() -> NotificationTokenVerifier {
    NotificationTokenVerifier::new(own_keys()).now(NOW + 10)
}

fn mint() -> MintedToken {
    NotificationTokenIssuer::new(rp_key().clone())
        .unwrap()
        .mint_at(NOW)
        .unwrap()
}

/// A token signed by `key` with these header and claims, accepted as a notification token.
fn crafted(key: &SigningKey, header: JwsHeader, claims: &Value) -> ClientNotificationToken {
    let compact = jws::compact::CompactSign::new(claims.to_string().as_bytes())
        .header(header)
        .sign(key)
        .unwrap();
    ClientNotificationToken::new(compact).unwrap()
}

fn check_of(result: Result<ciba::VerifiedNotificationToken, CibaError>) -> TokenCheck {
    match result {
        Err(CibaError::SignedNotificationToken { check }) => check,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_minted_token_has_the_table_s_header_and_claims() {
    let minted = mint();
    let token = minted.token().expose();
    assert!(token.len() <= 1024 && is_b64token(token));
    let (header, claims) = jwt_claims::decode_unverified(token).unwrap();
    assert_eq!(header.alg(), Some(JwsAlgorithm::ES256));
    assert_eq!(header.kid(), Some("rp-2026-01"));
    assert_eq!(claims["nonce"], minted.nonce());
    assert_eq!(claims["iat"], NOW);
    // exp is a NumericDate: iat plus the five-minute default lifetime.
    assert_eq!(claims["exp"], NOW + 300);
    assert!(minted.nonce().len() >= 43);
    assert_ne!(mint().nonce(), minted.nonce());
    let verified = verifier()
        .verify(token, minted.token(), minted.nonce())
        .unwrap();
    assert_eq!(verified.kid(), "rp-2026-01");
    assert_eq!(
        (verified.issued_at(), verified.expires_at()),
        (NOW, NOW + 300)
    );
}

#[test]
fn only_es256_keys_with_a_kid_can_mint() {
    let no_kid = SigningKey::generate(JwsAlgorithm::ES256).unwrap();
    assert!(NotificationTokenIssuer::new(no_kid).is_err());
    let p384 = common::generated_key(JwsAlgorithm::ES384, "k");
    assert!(NotificationTokenIssuer::new(p384).is_err());
}

#[test]
fn verification_is_bound_to_the_stored_token_and_nonce() {
    let minted = mint();
    let other = mint();
    // Presented token differs from the stored one.
    assert!(matches!(
        verifier().verify(other.token().expose(), minted.token(), minted.nonce()),
        Err(CibaError::NotificationTokenMismatch)
    ));
    // Stored with another request's nonce.
    assert_eq!(
        check_of(verifier().verify(minted.token().expose(), minted.token(), other.nonce())),
        TokenCheck::Nonce
    );
}

#[test]
fn refuses_a_token_from_the_exp_plus_leeway_second_on() {
    // exp = NOW + 300, leeway 5 s: valid while now < exp + leeway, as in jwt-claims.
    let minted = mint();
    let at = |now, leeway| {
        NotificationTokenVerifier::new(own_keys())
            .now(now)
            .leeway(Duration::from_secs(leeway))
            .verify(minted.token().expose(), minted.token(), minted.nonce())
    };
    assert!(at(NOW + 304, 5).is_ok());
    assert_eq!(check_of(at(NOW + 305, 5)), TokenCheck::Expiration);
    assert_eq!(check_of(at(NOW + 306, 5)), TokenCheck::Expiration);
    assert!(at(NOW + 299, 0).is_ok());
    assert_eq!(check_of(at(NOW + 300, 0)), TokenCheck::Expiration);
}

#[test]
fn lifetime_bounds_are_checked() {
    let minted = mint();
    let at = |now| {
        NotificationTokenVerifier::new(own_keys()).now(now).verify(
            minted.token().expose(),
            minted.token(),
            minted.nonce(),
        )
    };
    assert!(at(NOW - 5).is_ok(), "within the leeway");
    assert_eq!(check_of(at(NOW - 6)), TokenCheck::IssuedAt);
    assert!(at(NOW + 304).is_ok(), "the last second before exp + leeway");
    let long = NotificationTokenIssuer::new(rp_key().clone())
        .unwrap()
        .lifetime(Duration::from_secs(601))
        .mint_at(NOW)
        .unwrap();
    assert_eq!(
        check_of(verifier().verify(long.token().expose(), long.token(), long.nonce())),
        TokenCheck::Lifetime
    );
}

#[test]
fn each_malformed_or_forged_token_fails_its_check() {
    let header = || JwsHeader::new(JwsAlgorithm::ES256).with_kid("rp-2026-01");
    let claims = json!({"nonce": "n-1", "iat": NOW, "exp": NOW + 60});
    let verify = |token: &ClientNotificationToken| verifier().verify(token.expose(), token, "n-1");

    assert!(verify(&crafted(rp_key(), header(), &claims)).is_ok());

    // Another key under the same kid: the signature fails.
    let rogue = common::generated_key(JwsAlgorithm::ES256, "rp-2026-01");
    assert_eq!(
        check_of(verify(&crafted(&rogue, header(), &claims))),
        TokenCheck::Signature
    );
    // A kid outside the relying party's set, or none.
    let stranger = common::generated_key(JwsAlgorithm::ES256, "stranger");
    assert_eq!(
        check_of(verify(&crafted(
            &stranger,
            JwsHeader::new(JwsAlgorithm::ES256).with_kid("stranger"),
            &claims
        ))),
        TokenCheck::KeyId
    );
    let anonymous = jws::compact::CompactSign::new(claims.to_string().as_bytes())
        .header(JwsHeader::new(JwsAlgorithm::ES256))
        .omit_kid()
        .sign(rp_key())
        .unwrap();
    let anonymous = ClientNotificationToken::new(anonymous).unwrap();
    assert_eq!(check_of(verify(&anonymous)), TokenCheck::KeyId);
    // Another algorithm (an RS256 key the verifier does not even hold).
    let rsa = common::generated_key(JwsAlgorithm::PS256, "rp-2026-01");
    assert_eq!(
        check_of(verify(&crafted(
            &rsa,
            JwsHeader::new(JwsAlgorithm::PS256).with_kid("rp-2026-01"),
            &claims
        ))),
        TokenCheck::Algorithm
    );
    // A header that brings its own key.
    let with_jwk = header().with_jwk(rp_key().public_jwk().unwrap()).unwrap();
    assert_eq!(
        check_of(verify(&crafted(rp_key(), with_jwk, &claims))),
        TokenCheck::Format
    );
    // Missing or non-integer claims; exp not after iat.
    for (bad, check) in [
        (json!({"iat": NOW, "exp": NOW + 60}), TokenCheck::Nonce),
        (
            json!({"nonce": "n-2", "iat": NOW, "exp": NOW + 60}),
            TokenCheck::Nonce,
        ),
        (
            json!({"nonce": "n-1", "exp": NOW + 60}),
            TokenCheck::IssuedAt,
        ),
        (
            json!({"nonce": "n-1", "iat": "1800000000", "exp": NOW + 60}),
            TokenCheck::IssuedAt,
        ),
        (json!({"nonce": "n-1", "iat": NOW}), TokenCheck::Expiration),
        (
            json!({"nonce": "n-1", "iat": NOW, "exp": 3}),
            TokenCheck::Expiration,
        ),
        (
            json!({"nonce": "n-1", "iat": NOW, "exp": NOW as f64 + 60.5}),
            TokenCheck::Expiration,
        ),
        (
            json!({"nonce": "n-1", "iat": NOW + 8, "exp": NOW + 8}),
            TokenCheck::Lifetime,
        ),
    ] {
        assert_eq!(
            check_of(verify(&crafted(rp_key(), header(), &bad))),
            check,
            "{bad}"
        );
    }
}

/// A ping-mode request pending for a minute, stored with `minted`'s token and nonce.
fn signed_request(id: &str, minted: &MintedToken) -> PendingRequest {
    PendingRequest::new(
        AuthReqId::new(id).unwrap(),
        DeliveryMode::Ping,
        minted.token().clone(),
        SystemTime::now() + Duration::from_secs(60),
    )
    .with_nonce(minted.nonce())
}

/// A store holding one [`signed_request`], `id`, with a token minted now.
fn store_with_signed_request(id: &str) -> (Arc<InMemoryPendingStore>, MintedToken) {
    let store = Arc::new(InMemoryPendingStore::default());
    let minted = NotificationTokenIssuer::new(rp_key().clone())
        .unwrap()
        .mint()
        .unwrap();
    store.insert(signed_request(id, &minted)).unwrap();
    (store, minted)
}

#[test]
fn a_minted_token_cannot_be_bound_to_two_requests() {
    let store = InMemoryPendingStore::default();
    let minted = mint();
    store.insert(signed_request("first", &minted)).unwrap();
    assert!(matches!(
        store.insert(signed_request("second", &minted)),
        Err(CibaError::NotificationTokenReused)
    ));
}

#[tokio::test]
async fn the_notification_handler_verifies_signed_tokens_of_requests_stored_with_a_nonce() {
    let script = common::Script::new();
    let (store, minted) = store_with_signed_request("signed-1");
    let body = json!({"auth_req_id": "signed-1"});
    let body = body.as_object().unwrap();

    // Verified against keys that do not hold the relying party's key: refused, 401.
    let other_keys = JwkSet::new(vec![
        common::generated_key(JwsAlgorithm::ES256, "other")
            .public_jwk()
            .unwrap(),
    ])
    .unwrap();
    let strict = NotificationHandler::new(common::config(&script, "ping"), store.clone())
        .verify_signed_tokens(NotificationTokenVerifier::new(other_keys));
    let err = strict
        .handle(Some(minted.token().expose()), body)
        .await
        .unwrap_err();
    assert_eq!(err.notification_status(), 401);
    assert!(store.get("signed-1").unwrap().state.is_waiting());

    let handler = NotificationHandler::new(common::config(&script, "ping"), store.clone())
        .verify_signed_tokens(NotificationTokenVerifier::new(own_keys()));
    assert!(matches!(
        handler.handle(Some(minted.token().expose()), body).await,
        Ok(Notification::Ping { .. })
    ));
}

#[tokio::test]
async fn a_nonce_in_the_body_must_be_the_one_stored_with_the_request() {
    let script = common::Script::new();
    let (store, minted) = store_with_signed_request("signed-2");
    let handler = NotificationHandler::new(common::config(&script, "ping"), store.clone())
        .verify_signed_tokens(NotificationTokenVerifier::new(own_keys()));
    let bearer = Some(minted.token().expose());
    for bad in [json!("another-nonce"), json!(7), Value::Null] {
        let body = json!({"auth_req_id": "signed-2", "nonce": bad});
        let err = handler
            .handle(bearer, body.as_object().unwrap())
            .await
            .unwrap_err();
        assert!(
            matches!(err, CibaError::NotificationNonceMismatch),
            "{err:?}"
        );
        assert_eq!(err.notification_status(), 401);
        assert!(store.get("signed-2").unwrap().state.is_waiting());
    }
    let body = json!({"auth_req_id": "signed-2", "nonce": minted.nonce()});
    assert!(matches!(
        handler.handle(bearer, body.as_object().unwrap()).await,
        Ok(Notification::Ping { .. })
    ));
}
