//! RFC 9449 examples, and crafted proofs for each check of §4.3.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use dpop::*;
use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use jws::SigningKey;
use jwt_claims::NumericDate;
use replay_store::MemoryReplayStore;
use serde_json::{Value, json};
use std::sync::Arc;

/// The async `verify`, driven to completion on a current-thread runtime (the memory store
/// answers at once), so that the check-by-check tests read as before.
trait VerifyNow {
    fn verify_now(&self, request: &ProofRequest<'_>) -> Result<VerifiedProof, DpopError>;
}

impl VerifyNow for ProofVerifier {
    fn verify_now(&self, request: &ProofRequest<'_>) -> Result<VerifiedProof, DpopError> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(self.verify(request))
    }
}

fn rfc() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/sources/rfc/rfc9449-dpop-examples.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn at(s: i64) -> NumericDate {
    NumericDate::from_seconds(s)
}

#[test]
fn rfc_proofs_verify_at_their_time() {
    let v = rfc();
    let verifier = ProofVerifier::new(Arc::new(MemoryReplayStore::new()));
    for name in [
        "figure2_token_request_proof",
        "figure7_refresh_request_proof",
        "figure13_resource_request_proof",
    ] {
        let case = &v[name];
        let iat = case["payload"]["iat"].as_i64().unwrap();
        let mut request = ProofRequest::new(
            case["jwt"].as_str().unwrap(),
            case["context"]["method"].as_str().unwrap(),
            case["context"]["url"].as_str().unwrap(),
        )
        .now(at(iat + 10));
        if let Some(token) = v[name]["access_token"].as_str() {
            request = request
                .access_token(token)
                .token_jkt(v["jkt"].as_str().unwrap());
        }
        let verified = verifier
            .verify_now(&request)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(verified.thumbprint(), v["jkt"].as_str().unwrap());
        assert_eq!(verified.jti(), case["payload"]["jti"].as_str().unwrap());
        // Today they are stale.
        let today = ProofRequest::new(
            case["jwt"].as_str().unwrap(),
            "POST",
            "https://server.example.com/token",
        );
        assert!(
            ProofVerifier::without_replay_detection()
                .verify_now(&today)
                .is_err()
        );
    }
    // The RFC reuses the jti of figure 2 in figure 7 (two different proofs with the same jti):
    // with one replay cache the second is refused. Checked here explicitly.
    let verifier = ProofVerifier::new(Arc::new(MemoryReplayStore::new()))
        .max_age(std::time::Duration::from_secs(10_000));
    let first = &v["figure2_token_request_proof"];
    let second = &v["figure7_refresh_request_proof"];
    let now = at(second["payload"]["iat"].as_i64().unwrap());
    fn req(c: &Value, now: NumericDate) -> ProofRequest<'_> {
        ProofRequest::new(
            c["jwt"].as_str().unwrap(),
            "POST",
            "https://server.example.com/token",
        )
        .now(now)
    }
    assert!(verifier.verify_now(&req(first, now)).is_ok());
    assert_eq!(
        verifier.verify_now(&req(second, now)).unwrap_err(),
        DpopError::Replay
    );
}

#[test]
fn rfc_ath_and_jkt_values() {
    let v = rfc();
    assert_eq!(
        ath(v["figure13_resource_request_proof"]["access_token"]
            .as_str()
            .unwrap()),
        v["figure13_resource_request_proof"]["ath"]
    );
    let key = jose_core::jwk::Jwk::from_json(v["dpop_public_jwk"].to_string()).unwrap();
    assert_eq!(
        jwk_thumbprint::thumbprint_b64(&key, jwk_thumbprint::ThumbprintHash::Sha256),
        v["jkt"]
    );
    // Figure 20/24: the nonce values are valid nonces; the RS challenge is recognised.
    assert!(is_valid_nonce(
        v["figure20_nonce_error"]["dpop_nonce_header"]
            .as_str()
            .unwrap()
    ));
    assert!(DpopClient::is_nonce_error(
        400,
        None,
        v["figure20_nonce_error"]["body"]["error"].as_str()
    ));
    assert!(DpopClient::is_nonce_error(
        401,
        v["figure24_rs_nonce_challenge"]["www_authenticate"].as_str(),
        None
    ));
    assert!(!DpopClient::is_nonce_error(
        401,
        Some("Bearer error=\"use_dpop_nonce\""),
        None
    ));
    assert!(!DpopClient::is_nonce_error(
        400,
        None,
        Some("invalid_grant")
    ));
}

fn key() -> DpopKey {
    DpopKey::generate(JwsAlgorithm::ES256).unwrap()
}

const URI: &str = "https://rs.example/resource";
const T0: i64 = 1_800_000_000;

fn verifier() -> ProofVerifier {
    ProofVerifier::new(Arc::new(MemoryReplayStore::new()))
}

fn req(proof: &str) -> ProofRequest<'_> {
    ProofRequest::new(proof, "GET", URI).now(at(T0))
}

#[test]
fn round_trip_for_every_asymmetric_algorithm() {
    for alg in JwsAlgorithm::ALL
        .iter()
        .copied()
        .filter(|a| !a.is_symmetric())
    {
        let key = DpopKey::generate(alg).unwrap();
        let proof = key
            .proof("GET", URI)
            .issued_at(at(T0))
            .access_token("tok")
            .nonce("n-1")
            .sign()
            .unwrap();
        let all =
            ProofVerifier::without_replay_detection().algorithms(JwsAlgorithm::ALL.iter().copied());
        let verified = all
            .verify_now(
                &req(&proof)
                    .access_token("tok")
                    .nonce("n-1")
                    .token_jkt(key.thumbprint()),
            )
            .unwrap();
        assert_eq!(verified.method(), "GET");
        assert_eq!(verified.nonce(), Some("n-1"));
    }
    assert!(matches!(
        DpopKey::generate(JwsAlgorithm::HS256),
        Err(DpopError::UnsuitableKey(_))
    ));
}

#[test]
fn each_check_has_its_error() {
    let k = key();
    let good = |m: &str, u: &str| k.proof(m, u).issued_at(at(T0)).sign().unwrap();
    let v = verifier();
    // Method and URI (query and fragment ignored; host case ignored).
    assert!(
        v.verify_now(
            &ProofRequest::new(
                &good("GET", "https://RS.example:443/resource?x#y"),
                "GET",
                URI
            )
            .now(at(T0))
        )
        .is_ok()
    );
    assert_eq!(
        v.verify_now(&req(&good("POST", URI))).unwrap_err(),
        DpopError::MethodMismatch
    );
    assert_eq!(
        v.verify_now(&req(&good("get", URI))).unwrap_err(),
        DpopError::MethodMismatch
    );
    for other in [
        "http://rs.example/resource",
        "https://rs2.example/resource",
        "https://rs.example/other",
        "https://rs.example:8443/resource",
    ] {
        assert_eq!(
            v.verify_now(&req(&good("GET", other))).unwrap_err(),
            DpopError::UriMismatch,
            "{other}"
        );
    }
    // Freshness.
    let old = k.proof("GET", URI).issued_at(at(T0 - 61)).sign().unwrap();
    assert!(matches!(
        v.verify_now(&req(&old)),
        Err(DpopError::Stale { .. })
    ));
    let future = k.proof("GET", URI).issued_at(at(T0 + 6)).sign().unwrap();
    assert!(matches!(
        v.verify_now(&req(&future)),
        Err(DpopError::IssuedInFuture { .. })
    ));
    // Nonce.
    let plain = good("GET", URI);
    assert_eq!(
        v.verify_now(&req(&plain).nonce("n-2")).unwrap_err(),
        DpopError::UseNonce
    );
    let with_old_nonce = k
        .proof("GET", URI)
        .issued_at(at(T0))
        .nonce("n-1")
        .sign()
        .unwrap();
    assert_eq!(
        v.verify_now(&req(&with_old_nonce).nonce("n-2"))
            .unwrap_err(),
        DpopError::UseNonce
    );
    assert!(
        v.verify_now(&req(&with_old_nonce).nonce("n-2").nonce("n-1"))
            .is_ok()
    );
    // Access token hash and binding.
    let bound = k
        .proof("GET", URI)
        .issued_at(at(T0))
        .access_token("tok")
        .sign()
        .unwrap();
    assert_eq!(
        v.verify_now(&req(&bound).access_token("other"))
            .unwrap_err(),
        DpopError::AccessTokenHashMismatch
    );
    assert_eq!(
        v.verify_now(&req(&good("GET", URI)).access_token("tok"))
            .unwrap_err(),
        DpopError::MissingAccessTokenHash
    );
    let other_key = key();
    let bound2 = k
        .proof("GET", URI)
        .issued_at(at(T0))
        .access_token("tok")
        .sign()
        .unwrap();
    let err = v
        .verify_now(
            &req(&bound2)
                .access_token("tok")
                .token_jkt(other_key.thumbprint()),
        )
        .unwrap_err();
    assert_eq!(err, DpopError::KeyBindingMismatch);
    assert_eq!(err.error_code(), "invalid_token");
    // Replay.
    let once = good("GET", URI);
    assert!(v.verify_now(&req(&once)).is_ok());
    assert_eq!(v.verify_now(&req(&once)).unwrap_err(), DpopError::Replay);
    // Header values.
    assert_eq!(
        ProofRequest::from_header_values(&[], "GET", URI).unwrap_err(),
        DpopError::MissingProof
    );
    assert!(matches!(
        ProofRequest::from_header_values(&[&once, &once], "GET", URI),
        Err(DpopError::MultipleProofs(2))
    ));
    assert!(matches!(
        ProofRequest::from_header_values(&["a, b"], "GET", URI),
        Err(DpopError::MultipleProofs(_))
    ));
}

/// Proofs made by hand to break one rule each.
fn crafted(header: JwsHeader, claims: Value, signer: &SigningKey) -> String {
    jws::compact::CompactSign::new(claims.to_string().as_bytes())
        .header(header)
        .omit_kid()
        .sign(signer)
        .unwrap()
}

#[test]
fn crafted_bad_proofs() {
    let signer = SigningKey::generate(JwsAlgorithm::ES256).unwrap();
    let public = signer.public_jwk().unwrap();
    let header = || {
        JwsHeader::default()
            .with_typ("dpop+jwt")
            .with_jwk(public.clone())
            .unwrap()
    };
    let claims = json!({"jti":"a","htm":"GET","htu":URI,"iat":T0});
    let v = verifier();
    assert!(
        v.verify_now(&req(&crafted(header(), claims.clone(), &signer)))
            .is_ok()
    );
    // typ.
    let wrong_typ = JwsHeader::default()
        .with_typ("jwt")
        .with_jwk(public.clone())
        .unwrap();
    assert_eq!(
        v.verify_now(&req(&crafted(wrong_typ, claims.clone(), &signer)))
            .unwrap_err(),
        DpopError::WrongType
    );
    // No jwk.
    let no_jwk = JwsHeader::default().with_typ("dpop+jwt");
    assert!(matches!(
        v.verify_now(&req(&crafted(no_jwk, claims.clone(), &signer))),
        Err(DpopError::Jws(_))
    ));
    // Missing and mistyped claims.
    for (name, bad) in [
        ("jti", json!({"htm":"GET","htu":URI,"iat":T0})),
        ("htm", json!({"jti":"b","htu":URI,"iat":T0})),
        ("htu", json!({"jti":"c","htm":"GET","iat":T0})),
        ("iat", json!({"jti":"d","htm":"GET","htu":URI})),
    ] {
        assert_eq!(
            v.verify_now(&req(&crafted(header(), bad, &signer)))
                .unwrap_err(),
            DpopError::MissingClaim(name)
        );
    }
    assert!(matches!(
        v.verify_now(&req(&crafted(
            header(),
            json!({"jti":"e","htm":7,"htu":URI,"iat":T0}),
            &signer
        ))),
        Err(DpopError::InvalidClaim { claim: "htm", .. })
    ));
    assert!(matches!(
        v.verify_now(&req(&crafted(
            header(),
            json!({"jti":"f","htm":"GET","htu":URI,"iat":"now"}),
            &signer
        ))),
        Err(DpopError::Claims(_))
    ));
    let long_jti = "x".repeat(300);
    assert!(matches!(
        v.verify_now(&req(&crafted(
            header(),
            json!({"jti":long_jti,"htm":"GET","htu":URI,"iat":T0}),
            &signer
        ))),
        Err(DpopError::InvalidClaim { claim: "jti", .. })
    ));
    // Signed by another key than the embedded one.
    let other = SigningKey::generate(JwsAlgorithm::ES256).unwrap();
    assert!(matches!(
        v.verify_now(&req(&crafted(
            header(),
            json!({"jti":"g","htm":"GET","htu":URI,"iat":T0}),
            &other
        ))),
        Err(DpopError::Jws(jws::JwsError::InvalidSignature))
    ));
    // A private key in jwk.
    let private_header = format!(
        "{}.{}.AAAA",
        jose_core::b64::encode(json!({"typ":"dpop+jwt","alg":"ES256","jwk": Value::Object(signer.jwk().to_json_value())}).to_string()),
        jose_core::b64::encode(claims.to_string())
    );
    assert!(matches!(
        v.verify_now(&req(&private_header)),
        Err(DpopError::Jws(_))
    ));
    // A symmetric algorithm with an oct key in jwk.
    let hs = format!(
        "{}.{}.AAAA",
        jose_core::b64::encode(json!({"typ":"dpop+jwt","alg":"HS256","jwk":{"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}).to_string()),
        jose_core::b64::encode(claims.to_string())
    );
    assert!(matches!(v.verify_now(&req(&hs)), Err(DpopError::Jws(_))));
    // Oversized proofs are refused before parsing.
    let huge = "a".repeat(MAX_PROOF_LEN + 1);
    assert!(matches!(
        v.verify_now(&req(&huge)),
        Err(DpopError::TooLarge { .. })
    ));
}

#[test]
fn client_nonce_flow() {
    let client = DpopClient::generate(JwsAlgorithm::ES256).unwrap();
    let first = client
        .proof("POST", "https://as.example/token", None)
        .unwrap();
    assert!(
        jws::unverified::decode_payload(&first)
            .map(|p| !String::from_utf8_lossy(&p).contains("nonce"))
            .unwrap()
    );
    assert_eq!(
        client.record_nonce("https://as.example/token", "bad nonce"),
        Err(DpopError::InvalidNonce)
    );
    client
        .record_nonce("https://as.example/token", "n-1")
        .unwrap();
    let second = client
        .proof("POST", "https://as.example/par", None)
        .unwrap();
    let payload: Value =
        serde_json::from_slice(&jws::unverified::decode_payload(&second).unwrap()).unwrap();
    assert_eq!(payload["nonce"], "n-1", "same origin, same nonce");
    let rs = client
        .proof("GET", "https://rs.example/x", Some("tok"))
        .unwrap();
    let payload: Value =
        serde_json::from_slice(&jws::unverified::decode_payload(&rs).unwrap()).unwrap();
    assert!(payload.get("nonce").is_none(), "other origin");
    assert_eq!(payload["ath"], ath("tok"));
    assert_eq!(DpopClient::authorization_header("tok"), "DPoP tok");
    // The embedded key is public and carries no kid/alg; its thumbprint is dpop_jkt.
    let header = jws::unverified::decode_header(&rs).unwrap();
    assert!(!header.jwk().unwrap().is_private());
    assert_eq!(
        jwk_thumbprint::thumbprint_b64(
            header.jwk().unwrap(),
            jwk_thumbprint::ThumbprintHash::Sha256
        ),
        client.dpop_jkt()
    );
    assert!(matches!(
        client.proof("GET", "not a url", None),
        Err(DpopError::InvalidUrl(_))
    ));
}

#[test]
fn proofs_verify_on_every_backend_whatever_signed_them() {
    use jose_core::backend::Backend;
    for signer in Backend::ALL {
        for alg in [
            JwsAlgorithm::ES256,
            JwsAlgorithm::PS256,
            JwsAlgorithm::EdDSA,
        ] {
            let private = jose_core::jwk::Jwk::generate(alg)
                .unwrap()
                .with_backend(*signer);
            let key = DpopKey::new(SigningKey::new(private, alg).unwrap()).unwrap();
            let proof = key
                .proof("POST", "https://rs.example/orders")
                .sign()
                .unwrap();
            for verifying in Backend::ALL {
                let verifier = ProofVerifier::without_replay_detection().backend(*verifying);
                let verified = verifier
                    .verify_now(&ProofRequest::new(
                        &proof,
                        "POST",
                        "https://rs.example/orders",
                    ))
                    .unwrap();
                assert_eq!(verified.jwk().backend(), *verifying, "{alg}");
                assert_eq!(verified.thumbprint(), key.thumbprint());
                // A changed signature is refused on every backend.
                let mut forged = proof.clone().into_bytes();
                let last = forged.len() - 3;
                forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
                let forged = String::from_utf8(forged).unwrap();
                assert!(
                    verifier
                        .verify_now(&ProofRequest::new(
                            &forged,
                            "POST",
                            "https://rs.example/orders"
                        ))
                        .is_err(),
                    "{alg} on {verifying:?}"
                );
            }
        }
    }
}
