//! Certificate-bound access tokens (RFC 8705 §3): the `x5t#S256` thumbprint of a certificate
//! and the check of a JWT access token's `cnf` claim.

use crate::Error;
use jose_core::b64;
use jose_core::json::{self, JsonLimits};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Largest access token inspected for a `cnf` claim.
const MAX_TOKEN_BYTES: usize = 64 << 10;

/// The `x5t#S256` confirmation of a certificate: `base64url(SHA-256(DER))` (RFC 8705 §3.1).
///
/// ```
/// let thumbprint = oauth_client::certificate_thumbprint(b"not really DER");
/// assert_eq!(thumbprint.len(), 43);
/// ```
#[must_use]
pub fn certificate_thumbprint(certificate_der: &[u8]) -> String {
    b64::encode(Sha256::digest(certificate_der))
}

/// The DER of the first `CERTIFICATE` block of a PEM document (a chain starts with the
/// client's own certificate).
///
/// # Errors
/// [`Error::InvalidArgument`] when there is no certificate block or its base64 is malformed.
pub fn certificate_der_from_pem(pem: &[u8]) -> Result<Vec<u8>, Error> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let text = core::str::from_utf8(pem)
        .map_err(|_| Error::InvalidArgument("the PEM document is not text"))?;
    let (_, after_begin) = text.split_once(BEGIN).ok_or(Error::InvalidArgument(
        "the PEM document holds no certificate",
    ))?;
    let (block, _) = after_begin.split_once(END).ok_or(Error::InvalidArgument(
        "the PEM certificate block is not closed",
    ))?;
    let body: String = block.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    b64::decode_standard(&body)
        .map_err(|_| Error::InvalidArgument("the PEM certificate is not valid base64"))
}

/// The payload of `token` when it is a compact JWS whose payload is a JSON object; `None` for
/// opaque tokens (which the client cannot inspect).
fn jwt_payload(token: &str) -> Option<serde_json::Map<String, Value>> {
    if token.len() > MAX_TOKEN_BYTES {
        return None;
    }
    let mut parts = token.split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let bytes = b64::decode(payload).ok()?;
    json::parse_object(&bytes, &JsonLimits::DEFAULT).ok()
}

/// Checks that a JWT access token is bound to the certificate with `thumbprint`. Opaque
/// tokens pass: only the resource server (or introspection) can tell what they are bound to.
pub(crate) fn check_certificate_binding(thumbprint: &str, access_token: &str) -> Result<(), Error> {
    let Some(claims) = jwt_payload(access_token) else {
        return Ok(());
    };
    let found = match claims.get("cnf") {
        Some(Value::Object(cnf)) => match cnf.get("x5t#S256") {
            Some(Value::String(t)) => t,
            Some(_) => return Err(Error::CertificateBinding("cnf.x5t#S256 is not a string")),
            None => {
                return Err(Error::CertificateBinding(
                    "the JWT access token has no cnf.x5t#S256",
                ));
            }
        },
        Some(_) => return Err(Error::CertificateBinding("cnf is not an object")),
        None => {
            return Err(Error::CertificateBinding(
                "the JWT access token has no cnf claim",
            ));
        }
    };
    if jose_core::constant_time_eq(found.as_bytes(), thumbprint.as_bytes()) {
        Ok(())
    } else {
        Err(Error::CertificateBinding(
            "cnf.x5t#S256 names another certificate",
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    fn jwt(payload: &str) -> String {
        format!(
            "{}.{}.sig",
            b64::encode(br#"{"alg":"ES256"}"#),
            b64::encode(payload.as_bytes())
        )
    }

    #[test]
    fn a_jwt_access_token_must_name_the_certificate() {
        let t = certificate_thumbprint(b"cert");
        let bound = jwt(&format!(r#"{{"cnf":{{"x5t#S256":"{t}"}}}}"#));
        check_certificate_binding(&t, &bound).unwrap();
        let other = jwt(r#"{"cnf":{"x5t#S256":"another"}}"#);
        assert!(matches!(
            check_certificate_binding(&t, &other),
            Err(Error::CertificateBinding(_))
        ));
        for unbound in [
            jwt(r#"{"sub":"a"}"#),
            jwt(r#"{"cnf":"x"}"#),
            jwt(r#"{"cnf":{"jkt":"x"}}"#),
            jwt(r#"{"cnf":{"x5t#S256":1}}"#),
        ] {
            assert!(matches!(
                check_certificate_binding(&t, &unbound),
                Err(Error::CertificateBinding(_))
            ));
        }
    }

    #[test]
    fn opaque_tokens_are_not_judged() {
        let t = certificate_thumbprint(b"cert");
        check_certificate_binding(&t, "2YotnFZFEjr1zCsicMWpAA").unwrap();
        check_certificate_binding(&t, "a.b.c").unwrap();
        check_certificate_binding(&t, "a.b.c.d.e").unwrap();
    }

    #[test]
    fn pem_certificates_are_read() {
        let pem = "junk\n-----BEGIN CERTIFICATE-----\nAAEC\nAw==\n-----END CERTIFICATE-----\n";
        assert_eq!(
            certificate_der_from_pem(pem.as_bytes()).unwrap(),
            [0, 1, 2, 3]
        );
        assert!(certificate_der_from_pem(b"no pem").is_err());
        assert!(certificate_der_from_pem(b"-----BEGIN CERTIFICATE-----\n!!\n").is_err());
    }
}
