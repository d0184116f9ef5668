//! `jose demo`: a tour of the workspace with generated keys; needs nothing external.

use crate::error::{CliError, CliResult};
use jose_core::alg::JwsAlgorithm;
use jose_core::jwk::{Jwk, JwkSet};
use jwk_thumbprint::ThumbprintHash;
use jws::{SigningKey, VerifyOptions};
use jwt_claims::{JwtBuilder, JwtError, NumericDate, Validation};
use serde_json::{Map, Value};
use std::time::Duration;

fn step(title: &str) {
    println!("\n== {title}");
}

fn fail(e: impl std::fmt::Display) -> CliError {
    CliError::usage(format!("demo step failed: {e}"))
}

pub fn run() -> CliResult {
    println!("jose demo: keys, signatures and tokens made and checked locally.");

    step("1. Generate a key for every JWS algorithm and sign/verify with each");
    sign_with_every_algorithm()?;

    step("2. Publish a JWK Set and identify keys by RFC 7638 thumbprint");
    let (signer, jwks) = publish_jwk_set()?;

    step("3. Issue a JWT and validate it against the JWK Set");
    let (token, validation, now) = issue_and_validate(&signer, &jwks)?;

    step("4. What is refused, and why");
    show_refusals(&token, &jwks, &validation, now);

    println!("\nDone. Every step ran locally with fresh keys.");
    Ok(())
}

/// Step 1: a fresh key per JWS algorithm, a compact JWS, and its verification.
fn sign_with_every_algorithm() -> CliResult {
    for &alg in JwsAlgorithm::ALL {
        let signer = SigningKey::generate(alg).map_err(fail)?;
        let token = jws::compact::CompactSign::new(b"hello")
            .sign(&signer)
            .map_err(fail)?;
        let public = if signer.jwk().is_symmetric() {
            signer.jwk().clone()
        } else {
            signer.public_jwk().map_err(fail)?
        };
        jws::compact::verify(&token, &public, &VerifyOptions::new().algorithms([alg]))
            .map_err(fail)?;
        println!("  {:<8} {} bytes  verified", alg.as_str(), token.len());
    }
    Ok(())
}

/// Step 2: an ES256 key named by its RFC 7638 thumbprint, and the JWK Set that publishes it.
fn publish_jwk_set() -> CliResult<(SigningKey, JwkSet)> {
    let signer = SigningKey::new(
        Jwk::generate(JwsAlgorithm::ES256).map_err(fail)?,
        JwsAlgorithm::ES256,
    )
    .map_err(fail)?;
    let thumbprint = jwk_thumbprint::thumbprint_b64(signer.jwk(), ThumbprintHash::Sha256);
    let signer = SigningKey::new(
        signer.jwk().clone().with_kid(thumbprint.clone()),
        JwsAlgorithm::ES256,
    )
    .map_err(fail)?;
    let jwks = JwkSet::new(vec![signer.public_jwk().map_err(fail)?]).map_err(fail)?;
    println!("  kid = {thumbprint}");
    println!(
        "  uri = {}",
        jwk_thumbprint::thumbprint_uri(signer.jwk(), ThumbprintHash::Sha256)
    );
    println!("  jwks = {}", jwks.to_json());
    Ok((signer, jwks))
}

/// Step 3: an access-token-shaped JWT signed with the key, verified against the set; the
/// validation and the time it used, for step 4.
fn issue_and_validate(
    signer: &SigningKey,
    jwks: &JwkSet,
) -> CliResult<(String, Validation, NumericDate)> {
    let now = NumericDate::now();
    let token = JwtBuilder::new()
        .issuer("https://issuer.example")
        .subject("alice")
        .audience("https://api.example")
        .typ("at+jwt")
        .lifetime(Duration::from_secs(300))
        .claim("scope", "read write")
        .map_err(fail)?
        .sign(signer)
        .map_err(fail)?;
    println!("  token = {token}");
    let validation = Validation::new()
        .algorithms([JwsAlgorithm::ES256])
        .issuer("https://issuer.example")
        .audience("https://api.example")
        .typ("at+jwt");
    let verified =
        jwt_claims::verify::<Map<String, Value>>(&token, jwks, &validation.clone().now(now))
            .map_err(fail)?;
    println!(
        "  valid: sub={:?} scope={}",
        verified.registered().sub.as_deref().unwrap_or(""),
        verified.claims()["scope"]
    );
    Ok((token, validation, now))
}

/// Step 4: the same token refused later, for another audience, tampered, as `alg: none`, and
/// with an algorithm the key cannot have.
fn show_refusals(token: &str, jwks: &JwkSet, validation: &Validation, now: NumericDate) {
    let later = validation.clone().now(now.plus(Duration::from_secs(3600)));
    report(
        "an hour later",
        jwt_claims::verify::<Map<String, Value>>(token, jwks, &later).err(),
    );
    let wrong_aud = Validation::new()
        .algorithms([JwsAlgorithm::ES256])
        .audience("https://other.example");
    report(
        "another audience",
        jwt_claims::verify::<Map<String, Value>>(token, jwks, &wrong_aud).err(),
    );
    let mut tampered = token.to_owned();
    let middle = tampered.len() / 2;
    let replacement = if &tampered[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(middle..=middle, replacement);
    report(
        "one character changed",
        jwt_claims::verify::<Map<String, Value>>(&tampered, jwks, validation).err(),
    );
    let none = format!(
        "{}.{}.",
        jose_core::b64::encode(r#"{"alg":"none"}"#),
        token.split('.').nth(1).unwrap_or_default()
    );
    report(
        "alg none",
        jwt_claims::verify::<Map<String, Value>>(&none, jwks, validation).err(),
    );
    let hs = Validation::new().algorithms([JwsAlgorithm::HS256]);
    report(
        "HS256 demanded of an EC key",
        jwt_claims::verify::<Map<String, Value>>(token, jwks, &hs).err(),
    );
}

fn report(what: &str, error: Option<JwtError>) {
    match error {
        Some(e) => println!("  refused ({what}): {e} [{}]", e.code()),
        None => println!("  UNEXPECTEDLY ACCEPTED ({what})"),
    }
}
