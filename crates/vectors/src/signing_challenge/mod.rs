//! Signing-challenge vectors (signed challenge, signed response): the test PKI
//! ([`fixtures`]), the generator ([`generate`]) and the checker, which runs every vector
//! through the crate as `docs/signing-challenge.md` describes the members. The file is written
//! by the signing-challenge crate's test `generated_vectors`, which calls [`generate::file`].

pub mod fixtures;
pub mod generate;

use crate::format::{Expect, SigningChallengeVector};
use jose_core::jwk::{Jwk, JwkSet};
use jwt_claims::{ClaimError, ClaimReason};
use serde_json::Value;
use signing_challenge::{
    ChallengeVerifier, ExpInterpretation, ResponseVerifier, Session, SigningChallengeError as E,
    TrustAnchors,
};
use std::time::Duration;

/// Runs one vector: the verified claims, the error, or a problem with the vector.
fn run(v: &SigningChallengeVector) -> Result<Result<Value, E>, String> {
    let p = &v.policy;
    let session = match Session::from_json(&v.session) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    let exp = match p.get("exp_interpretation").and_then(Value::as_str) {
        None | Some("numeric_date") => ExpInterpretation::NumericDate,
        Some("relative_to_iat") => ExpInterpretation::RelativeToIat,
        Some("auto") => ExpInterpretation::Auto,
        Some(other) => return Err(format!("exp_interpretation {other:?}")),
    };
    let flag = |name: &str| p.get(name).and_then(Value::as_bool).unwrap_or(false);
    let number = |name: &str| {
        p.get(name)
            .and_then(Value::as_i64)
            .ok_or(format!("policy.{name}"))
    };
    let now = number("now")?;
    let leeway =
        Duration::from_secs(u64::try_from(number("leeway_seconds")?).map_err(|e| e.to_string())?);
    let max = Duration::from_secs(
        u64::try_from(number("max_lifetime_seconds")?).map_err(|e| e.to_string())?,
    );
    let token = v.token.as_str();
    Ok(match v.token_type.as_str() {
        "challenge" => {
            let jwks = JwkSet::from_json(v.jwks.as_ref().ok_or("no jwks")?.to_string())
                .map_err(|e| e.to_string())?;
            let mut verifier = ChallengeVerifier::new(jwks)
                .now(now)
                .leeway(leeway)
                .max_lifetime(max)
                .exp_interpretation(exp);
            if flag("lenient") {
                verifier = verifier.lenient();
            }
            if flag("strict_headers") {
                verifier = verifier.strict_headers();
            }
            verifier
                .verify(token, &session)
                .map(|c| c.claims().to_json())
        }
        "response" => {
            let mut anchors = TrustAnchors::new();
            for a in v.trust_anchors.as_deref().ok_or("no trust_anchors")? {
                let der = jose_core::b64::decode_standard(a).map_err(|e| e.to_string())?;
                anchors = anchors.with_der(&der).map_err(|e| e.to_string())?;
            }
            let mut verifier = ResponseVerifier::without_replay_detection(anchors)
                .now(now)
                .leeway(leeway)
                .max_lifetime(max)
                .exp_interpretation(exp);
            if flag("allow_es384") {
                verifier = verifier.allow_es384();
            }
            if flag("lenient") {
                verifier = verifier.lenient();
            }
            if flag("strict_headers") {
                verifier = verifier.strict_headers();
            }
            crate::util::poll_once(verifier.verify(token, &session))?.map(|r| r.claims().to_json())
        }
        other => return Err(format!("token_type {other:?}")),
    })
}

/// The claims a valid vector verifies to.
fn verified_claims(value: &Value) -> Result<Value, String> {
    let v: SigningChallengeVector =
        serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    run(&v)?.map_err(|e| e.to_string())
}

/// The reason code and claim an error stands for (the mapping of docs/signing-challenge.md).
fn reason(e: &E) -> (&'static str, Option<&'static str>) {
    match e {
        E::TooLarge { .. } | E::Malformed(_) => ("malformed", None),
        E::Crit(_) => ("crit-unknown", None),
        E::AlgorithmNotAllowed { alg } if alg == "none" => ("alg-none", None),
        E::AlgorithmNotAllowed { alg } if alg.is_empty() => ("bad-header", None),
        E::AlgorithmNotAllowed { .. } => ("alg-not-allowed", None),
        E::ForbiddenHeader("jwk") => ("embedded-key-not-trusted", None),
        E::ForbiddenHeader(_) | E::UnexpectedHeader(_) | E::X5cInvalid(_) => ("bad-header", None),
        E::WrongTyp(_) => ("typ-mismatch", None),
        E::KidMissing | E::UnknownKid { .. } => ("no-matching-key", None),
        E::KeyMismatch { .. } => ("key-confusion", None),
        E::ChainTooLong { .. }
        | E::CertificateInvalid { .. }
        | E::UnsupportedCertificateAlgorithm { .. }
        | E::UnknownCriticalExtension { .. }
        | E::LeafKeyUsage => ("certificate-invalid", None),
        E::CertificateNotValidAt { .. } => ("certificate-expired", None),
        E::ChainBroken { .. }
        | E::CertificateSignatureInvalid { .. }
        | E::NotACa { .. }
        | E::UntrustedChain => ("chain-untrusted", None),
        E::CertNotBoundToSession => ("certificate-not-bound", None),
        E::SignatureInvalid => ("bad-signature", None),
        E::SignatureMalformed(_) => ("malformed-signature", None),
        E::Payload(_) => ("payload-not-object", None),
        E::Claim(ClaimError {
            claim,
            reason: ClaimReason::Missing,
        }) => ("missing-claim", Some(claim)),
        E::Claim(ClaimError { claim, .. }) => ("invalid-claim", Some(claim)),
        E::UserSignatureMalformed(_) => ("invalid-claim", Some("usr_signature")),
        E::SignRefMismatch => ("session-mismatch", Some("sign_ref")),
        E::NonceMismatch => ("session-mismatch", Some("nonce")),
        E::DocHashMismatch => ("session-mismatch", Some("doc_hash")),
        E::ChallengeCodeMismatch => ("session-mismatch", Some("challenge_code")),
        E::HssNonceMismatch => ("session-mismatch", Some("hss_nonce")),
        E::FfIdMismatch => ("session-mismatch", Some("ff_id")),
        E::UserSignatureInvalid => ("user-signature-invalid", None),
        E::Expired { .. } => ("expired", Some("exp")),
        E::IssuedInFuture { .. } => ("issued-in-future", Some("iat")),
        E::LifetimeOutOfRange { .. } => ("lifetime-out-of-range", None),
        E::TimestampOutOfRange { .. } => ("timestamp-out-of-range", Some("timestamp")),
        E::AlreadyUsed => ("replay", None),
        _ => ("other", None),
    }
}

/// Checks one signing-challenge vector.
pub fn check(value: &Value) -> Result<String, String> {
    let v: SigningChallengeVector =
        serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    let result = run(&v)?;
    match v.common.expect {
        Expect::Valid => {
            let claims = result.map_err(|e| format!("expected valid, refused: {e}"))?;
            if v.claims.as_ref() != Some(&claims) {
                return Err(format!("verified, but the claims are {claims}"));
            }
            let key = Jwk::from_json(v.signing_key.as_ref().ok_or("no signing_key")?.to_string())
                .map_err(|e| e.to_string())?;
            if !key.is_private() {
                return Err("signing_key is not a private key".into());
            }
            Ok("verified".into())
        }
        Expect::Invalid => {
            let r = v.common.reason.as_ref().ok_or("no reason")?;
            match result {
                Ok(_) => Err(format!("expected refusal ({}), accepted", r.code)),
                Err(e) => {
                    let (code, claim) = reason(&e);
                    if code == r.code && r.claim.as_deref() == claim {
                        Ok(format!("refused: {e}"))
                    } else {
                        Err(format!(
                            "refused, but for another reason than {} ({:?}): {e}",
                            r.code, r.claim
                        ))
                    }
                }
            }
        }
    }
}
