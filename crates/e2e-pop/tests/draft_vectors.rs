//! The worked example of the OIDC² draft (Fig. 3–13): its PoP token, ICT and E2E PoP token
//! verify at the pinned times, fail outside their windows, and fail with the wrong keys.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod support;
use e2e_pop::RequiredContexts;
use e2e_pop::{
    E2ePopError, E2ePopVerifier, IctVerifier, NumericDate, OpJwks, PairPolicy, PopTokenVerifier,
};
use jose_core::jwk::{Jwk, JwkSet};
use jwt_claims::TimeError;
use serde_json::Value;
use support::*;

const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../vectors/sources/oidc2/draft-examples.json"
);

fn vectors() -> Value {
    serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap()
}

fn jwk(v: &Value) -> Jwk {
    Jwk::from_json(v.to_string()).unwrap()
}

fn token(v: &Value, name: &str) -> String {
    v["tokens"][name]["compact"].as_str().unwrap().to_owned()
}

fn at(t: i64) -> NumericDate {
    NumericDate::from_seconds(t)
}

fn op_keys(v: &Value) -> OpJwks {
    let kid = v["keys"]["op"]["ict_header_kid"].as_str().unwrap();
    let key = jwk(&v["keys"]["op"]["public_jwk"]).with_kid(kid);
    OpJwks::new("https://op.example.com", JwkSet::new(vec![key]).unwrap())
}

fn pop_verifier(now: i64) -> PopTokenVerifier {
    PopTokenVerifier::without_replay_detection("https://op.example.com")
        .expected_issuer("exampleclient")
        .expected_subject("1234567890")
        .now(at(now))
}

fn ict_verifier(v: &Value, now: i64) -> IctVerifier<OpJwks> {
    IctVerifier::new(op_keys(v), RequiredContexts::all(["email"]))
        .expected_audience("exampleclient")
        .now(at(now))
}

fn e2e_audience(v: &Value) -> String {
    v["tokens"]["e2e_pop"]["claims"]["aud"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn pair_policy(v: &Value, now: i64) -> PairPolicy<OpJwks> {
    PairPolicy::without_replay_detection(
        op_keys(v),
        RequiredContexts::all(["email"]),
        e2e_audience(v),
    )
    .now(at(now))
}

#[test]
fn pop_token_of_fig_5_verifies_at_the_ict_issue_time() {
    let v = vectors();
    let now = v["validity"]["suggested_check_times"]["pop_at_op"]
        .as_i64()
        .unwrap();
    let verified = pop_verifier(now).verify_now(&token(&v, "pop")).unwrap();
    let c = verified.claims();
    assert_eq!(c.iss, "exampleclient");
    assert_eq!(c.jti, "d6_ptZmZ8laX4DKoWXD08oZX5yo");
    assert_eq!(c.required_claims.as_deref().unwrap(), ["name"]);
    assert_eq!(
        c.optional_claims.as_deref().unwrap(),
        ["email", "phone_number"]
    );
    assert_eq!(c.with_audience, Some(true));
    assert_eq!((c.iat.seconds(), c.exp.seconds()), (1691712000, 1691712060));
    // The key in the header is the client key of Fig. 3, and what the OP copies into cnf.
    assert!(
        verified
            .jwk()
            .same_key(&jwk(&v["keys"]["client"]["public_jwk"]))
    );
    assert_eq!(
        jwk_thumbprint::thumbprint_b64(verified.jwk(), jwk_thumbprint::ThumbprintHash::Sha256),
        v["keys"]["client"]["thumbprint_sha256"].as_str().unwrap()
    );
}

#[test]
fn ict_of_fig_8_verifies_with_the_op_key_selected_by_kid() {
    let v = vectors();
    let verified = ict_verifier(&v, 1691712100)
        .verify_now(&token(&v, "ict"))
        .unwrap();
    let c = verified.claims();
    assert_eq!(verified.kid(), "sEr97rt9UKFu__ei_ZBDziTneZ4");
    assert_eq!(c.iss, "https://op.example.com");
    assert_eq!(c.ctx.as_slice(), ["email"]);
    assert_eq!(c.extra["name"], "John Smith");
    assert_eq!(c.extra["email"], "john.smith@mail.example.com");
    assert!(c.cnf_jwk.same_key(&jwk(&v["keys"]["client"]["public_jwk"])));
}

#[test]
fn e2e_pop_token_of_fig_13_verifies_with_the_ict_key() {
    let v = vectors();
    let ict = ict_verifier(&v, 1691712100)
        .verify_now(&token(&v, "ict"))
        .unwrap();
    let e2e = E2ePopVerifier::without_replay_detection(e2e_audience(&v))
        .now(at(1691712100))
        .verify_now(&token(&v, "e2e_pop"), &ict)
        .unwrap();
    assert_eq!(e2e.jkt(), v["keys"]["client"]["thumbprint_sha256"]);
    assert_eq!(e2e.claims().jti, "1A7mDXEOj2nTtN4mrmbJ3Za1kww");
}

#[test]
fn the_pair_verifies_at_the_pinned_time_with_both_cross_checks() {
    let v = vectors();
    let now = v["validity"]["suggested_check_times"]["ict_and_e2e_pop_at_authenticating_party"]
        .as_i64()
        .unwrap();
    let identity = verify_pair_now(
        &token(&v, "ict"),
        &token(&v, "e2e_pop"),
        &pair_policy(&v, now),
    )
    .unwrap();
    assert_eq!(identity.issuer(), "https://op.example.com");
    assert_eq!(identity.subject(), "1234567890");
    assert_eq!(identity.client_id(), "exampleclient");
    assert_eq!(identity.contexts().as_slice(), ["email"]);
    let claims: Vec<&str> = identity.claims().keys().map(String::as_str).collect();
    assert_eq!(claims, ["email", "name"]);
    let json = identity.to_json();
    assert_eq!(json["client_jwk"]["crv"], "P-384");
}

/// Every row of the draft file's validity table, read the RFC 7519 way (`nbf <= now`,
/// `iat <= now`, `now < exp`) with zero tolerance.
#[test]
fn validity_windows_match_the_table_second_by_second() {
    let v = vectors();
    let cases = v["validity"]["cases"].as_array().unwrap();
    assert!(cases.len() >= 15);
    for case in cases {
        let now = case["now"].as_i64().unwrap();
        let pop = pop_verifier(now).verify_now(&token(&v, "pop"));
        assert_eq!(pop.is_ok(), case["pop"] == true, "pop at {now}: {pop:?}");

        let ict = ict_verifier(&v, now).verify_now(&token(&v, "ict"));
        assert_eq!(ict.is_ok(), case["ict"] == true, "ict at {now}: {ict:?}");

        // The E2E PoP token alone, with the (time-independent) key of the ICT.
        let key = jwk(&v["keys"]["client"]["public_jwk"]);
        let e2e = E2ePopVerifier::without_replay_detection(e2e_audience(&v))
            .expected_subject("1234567890")
            .expected_issuer("exampleclient")
            .now(at(now))
            .verify_with_key_now(&token(&v, "e2e_pop"), &key);
        assert_eq!(
            e2e.is_ok(),
            case["e2e_pop"] == true,
            "e2e at {now}: {e2e:?}"
        );

        let pair = verify_pair_now(
            &token(&v, "ict"),
            &token(&v, "e2e_pop"),
            &pair_policy(&v, now),
        );
        assert_eq!(
            pair.is_ok(),
            case["ict_and_e2e_pop"] == true,
            "pair at {now}: {pair:?}"
        );
    }
}

#[test]
fn expiry_is_reported_at_the_exp_second_itself() {
    let v = vectors();
    let err = pop_verifier(1691712060)
        .verify_now(&token(&v, "pop"))
        .unwrap_err();
    assert!(
        matches!(err, E2ePopError::Time(TimeError::Expired { .. })),
        "{err:?}"
    );
    let err = verify_pair_now(
        &token(&v, "ict"),
        &token(&v, "e2e_pop"),
        &pair_policy(&v, 1691712330),
    )
    .unwrap_err();
    assert_eq!(err.token(), Some(e2e_pop::TokenKind::Ict));
    assert!(matches!(
        err.root(),
        E2ePopError::Time(TimeError::Expired { .. })
    ));
}

#[test]
fn wrong_keys_do_not_verify() {
    let v = vectors();
    let checks = v["wrong_key_checks"].as_array().unwrap();
    assert_eq!(checks.len(), 3);
    let client = jwk(&v["keys"]["client"]["public_jwk"]);
    let op = jwk(&v["keys"]["op"]["public_jwk"]);

    // PoP token: put the OP key into the header, so that the embedded key is the wrong one.
    let pop = token(&v, "pop");
    let (_, rest) = pop.split_once('.').unwrap();
    let header = serde_json::json!({"alg": "ES384", "typ": "jwt+pop", "jwk": op.to_json_value()});
    let forged = format!("{}.{rest}", jose_core::b64::encode(header.to_string()));
    let err = pop_verifier(1691712030).verify_now(&forged).unwrap_err();
    assert_eq!(err, E2ePopError::SignatureInvalid);

    // ICT: the client key published under the OP's kid.
    let kid = v["keys"]["op"]["ict_header_kid"].as_str().unwrap();
    let wrong = OpJwks::new(
        "https://op.example.com",
        JwkSet::new(vec![client.clone().with_kid(kid)]).unwrap(),
    );
    let err = IctVerifier::new(wrong, RequiredContexts::all(["email"]))
        .now(at(1691712100))
        .verify_now(&token(&v, "ict"))
        .unwrap_err();
    assert_eq!(err, E2ePopError::SignatureInvalid);

    // E2E PoP token: the OP key.
    let err = E2ePopVerifier::without_replay_detection(e2e_audience(&v))
        .now(at(1691712100))
        .verify_with_key_now(&token(&v, "e2e_pop"), &op)
        .unwrap_err();
    assert_eq!(err, E2ePopError::SignatureInvalid);
}

#[test]
fn the_recorded_cross_checks_hold() {
    let v = vectors();
    let ict = &v["tokens"]["ict"];
    let e2e = &v["tokens"]["e2e_pop"];
    let pop = &v["tokens"]["pop"];
    assert_eq!(e2e["claims"]["sub"], ict["claims"]["sub"]);
    assert_eq!(e2e["claims"]["iss"], ict["claims"]["aud"]);
    assert_eq!(pop["claims"]["aud"], ict["claims"]["iss"]);
    let cnf = jwk(&ict["claims"]["cnf"]["jwk"]);
    assert!(jwk_thumbprint::matches(
        &cnf,
        e2e["header"]["jkt"].as_str().unwrap(),
        jwk_thumbprint::ThumbprintHash::Sha256
    ));
    // The OP's kid is opaque: not its thumbprint.
    let op = jwk(&v["keys"]["op"]["public_jwk"]);
    assert_ne!(
        jwk_thumbprint::thumbprint_b64(&op, jwk_thumbprint::ThumbprintHash::Sha256),
        v["keys"]["op"]["ict_header_kid"].as_str().unwrap()
    );
}

#[test]
fn library_compat_algorithms_accept_the_draft_tokens() {
    let v = vectors();
    let policy = pair_policy(&v, 1691712100).algorithms(e2e_pop::AlgorithmSet::library_compat());
    assert!(verify_pair_now(&token(&v, "ict"), &token(&v, "e2e_pop"), &policy).is_ok());
}
