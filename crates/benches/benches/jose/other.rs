//! JWT claims validation, JWK thumbprints, DPoP proofs, and OpenID Connect ID Tokens.

use crate::{Fixture, jws::validation, peers, raw};
use benches::fixtures::{AUDIENCE, Claims, ISSUER};
use benches::harness::{Group, OURS, RAW};
use criterion::Criterion;
use jose_core::alg::JwsAlgorithm;
use jose_core::header::JwsHeader;
use jose_core::jwk::{Jwk, JwkSet};
use jws::SigningKey;
use jwt_claims::{JwtBuilder, NumericDate};
use oauth_client::http::{BoxFuture, Headers, HttpClient, HttpError, HttpRequest, HttpResponse};
use oauth_client::{ClientAuth, ClientMetadata, Configuration, IdTokenValidation, ServerMetadata};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

pub fn register(c: &mut Criterion, fx: &Fixture) {
    claims_validation(c, fx);
    thumbprints(c, fx);
    dpop(c, fx);
    id_tokens(c, fx);
}

/// The claim checks and typed deserialization of a verified payload (no signature).
fn claims_validation(c: &mut Criterion, fx: &Fixture) {
    let payload = fx.claims.to_json();
    let header = JwsHeader::new(JwsAlgorithm::ES256).with_typ("JWT");
    let validation = validation(JwsAlgorithm::ES256);
    let now = benches::fixtures::now();
    let mut g = Group::new(c, "jwt/claims/validate");
    g.bench(OURS, || {
        let claims = jwt_claims::parse_claims(&payload).unwrap();
        validation.check_header(&header).unwrap();
        jwt_claims::finish::<Claims>(header.clone(), claims, &validation)
            .unwrap()
            .into_claims()
    });
    // serde alone, with the same comparisons done by hand.
    g.bench(RAW, || {
        let claims: Claims = serde_json::from_slice(&payload).unwrap();
        assert!(claims.iss == ISSUER && claims.aud == AUDIENCE);
        assert!(claims.exp > now && claims.nbf <= now + 30 && claims.iat <= now + 30);
        claims
    });
    g.finish();
}

fn thumbprints(c: &mut Criterion, fx: &Fixture) {
    for (label, key) in [
        ("P-256", &fx.keys().p256),
        ("RSA-2048", &fx.keys().rsa),
        ("Ed25519", &fx.keys().ed25519),
    ] {
        let public = key.to_public().unwrap();
        let canonical = jwk_thumbprint::canonical_json(&public);
        let mut g = Group::new(c, format!("jwk/thumbprint/{label}"));
        g.bench(OURS, || {
            jwk_thumbprint::thumbprint(&public, jwk_thumbprint::ThumbprintHash::Sha256)
        });
        // SHA-256 over the canonical JSON, made beforehand.
        g.bench(RAW, || Sha256::digest(canonical.as_bytes()));
        peers::thumbprint(&mut g, &public);
        g.finish();
    }
}

const RESOURCE: &str = "https://rs.example.com/api/orders?id=8f3a";
const ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";

fn dpop(c: &mut Criterion, fx: &Fixture) {
    let alg = JwsAlgorithm::ES256;
    // Per column: the client's key, a proof, and the primitives on its signing input.
    let columns: Vec<_> = fx
        .columns
        .iter()
        .map(|(column, keys)| {
            let private = keys.p256.clone();
            let key = dpop::DpopKey::new(SigningKey::new(private.clone(), alg).unwrap()).unwrap();
            let raw_sign = raw::signer_on(column.backend, alg, &private);
            let raw_verify = raw::verifier_on(column.backend, alg, &private);
            (*column, key, raw_sign, raw_verify)
        })
        .collect();
    let proof = |key: &dpop::DpopKey| {
        key.proof("POST", RESOURCE)
            .access_token(ACCESS_TOKEN)
            .sign()
            .unwrap()
    };
    let sample = proof(&columns[0].1);
    let (input, signature) = raw::split_compact(&sample);

    let mut g = Group::new(c, "dpop/proof/create");
    for (column, key, raw_sign, _) in &columns {
        g.bench(column.ours, || proof(key));
        g.bench(column.raw, || raw_sign(&input));
    }
    g.finish();

    // A resource server with replay detection: every proof is fresh (made by the column's
    // client key, not timed), verified on the column's backend.
    let mut g = Group::new(c, "dpop/proof/verify");
    for (column, key, _, raw_verify) in &columns {
        let verifier = dpop::ProofVerifier::new(Arc::new(
            replay_store::MemoryReplayStore::with_capacity(10_000_000),
        ))
        .algorithms([alg])
        .backend(column.backend);
        let jkt = key.thumbprint().to_owned();
        g.bench_batched(
            column.ours,
            || proof(key),
            |p| {
                let request = dpop::ProofRequest::new(&p, "POST", RESOURCE)
                    .access_token(ACCESS_TOKEN)
                    .token_jkt(&jkt);
                block_on_ready(verifier.verify(&request)).unwrap()
            },
        );
        g.bench(column.raw, || raw_verify(&input, &signature));
    }
    g.finish();
}

/// Completes a future that never waits (the DPoP verifier over the in-memory replay store)
/// without a runtime, so the measurement is the verifier's own work.
fn block_on_ready<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// An HTTP client that serves one JWK Set from memory: the relying party's only request in
/// these benchmarks, made once before the cache holds the set.
#[derive(Debug)]
struct MemoryJwks(Vec<u8>);

impl HttpClient for MemoryJwks {
    fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        let mut headers = Headers::new();
        headers.set("content-type", "application/json");
        let response = HttpResponse::new(200, headers, self.0.clone());
        Box::pin(async move { Ok(response) })
    }
}

/// Runs a future that never waits (the JWK Set comes from memory).
fn ready<T>(future: impl Future<Output = T>) -> T {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

const CLIENT_ID: &str = "s6BhdRkqt3";
const NONCE: &str = "n-0S6_WzA2Mj";

fn id_tokens(c: &mut Criterion, fx: &Fixture) {
    let cases = [
        (JwsAlgorithm::RS256, &fx.keys().rsa, "rsa-2026"),
        (JwsAlgorithm::ES256, &fx.keys().p256, "ec-2026"),
    ];
    let published: Vec<Jwk> = cases
        .iter()
        .map(|(_, k, kid)| k.to_public().unwrap().with_kid(*kid))
        .collect();
    let jwks = JwkSet::new(published).unwrap().to_json().into_bytes();
    let mut server = ServerMetadata::new(ISSUER);
    server.jwks_uri = Some(format!("{ISSUER}/jwks").parse().unwrap());
    server.id_token_signing_alg_values_supported = Some(vec!["RS256".into(), "ES256".into()]);
    // One relying party per column: the JWK Set it fetches is pinned to the column's backend.
    let configs: Vec<_> = fx
        .columns
        .iter()
        .map(|(column, _)| {
            let config = Configuration::builder(ClientMetadata::new(CLIENT_ID), ClientAuth::none())
                .http_client(MemoryJwks(jwks.clone()))
                .jwks_backend(column.backend)
                .build(server.clone())
                .unwrap();
            (*column, config)
        })
        .collect();
    let validation = IdTokenValidation::new().expected_nonce(NONCE);

    for (alg, private, kid) in cases {
        let key = SigningKey::new(private.clone().with_kid(kid), alg).unwrap();
        let token = JwtBuilder::new()
            .issuer(ISSUER)
            .subject("248289761001")
            .audience(CLIENT_ID)
            .issued_at(NumericDate::now())
            .lifetime(Duration::from_secs(86_400))
            .claim("nonce", NONCE)
            .unwrap()
            .claim("name", "Jane Doe")
            .unwrap()
            .claim("email", "janedoe@example.com")
            .unwrap()
            .sign(&key)
            .unwrap();
        let (input, signature) = raw::split_compact(&token);

        let mut g = Group::new(c, format!("oidc/id_token/{alg}"));
        for (column, config) in &configs {
            // Fills the JWK Set cache.
            ready(config.validate_id_token(&token, &validation)).unwrap();
            let raw_verify = raw::verifier_on(column.backend, alg, private);
            g.bench(column.ours, || {
                ready(config.validate_id_token(&token, &validation)).unwrap()
            });
            g.bench(column.raw, || raw_verify(&input, &signature));
        }
        g.finish();
    }
}
