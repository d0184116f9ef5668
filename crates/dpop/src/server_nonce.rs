//! Server nonces without shared state (RFC 9449 §8, §9): a nonce is a time bucket sealed with
//! HMAC-SHA256 under a server key, so every instance holding the key issues and accepts the
//! same nonces without asking a store.
//!
//! A nonce is `base64url(version ‖ bucket ‖ HMAC-SHA256(key, label ‖ version ‖ bucket))`:
//! 41 bytes, 55 characters. Time is cut into buckets of the validity window; a nonce is
//! accepted from the start of its bucket until the end of the next one, so it lives between
//! one and two windows after it is handed out. Everything a nonce says is authenticated; what
//! it says is only the bucket, which is not secret.

use crate::DpopError;
use hmac::{Hmac, KeyInit, Mac};
use jose_core::SecretBytes;
use jwt_claims::NumericDate;
use sha2::Sha256;
use std::time::Duration;

/// The name of the header that carries a nonce to the client.
pub const DPOP_NONCE_HEADER: &str = "DPoP-Nonce";

/// The shortest server nonce key accepted, in bytes (the HMAC-SHA256 output size).
pub const MIN_NONCE_KEY_LEN: usize = 32;

/// The format version, first byte of every nonce.
const VERSION: u8 = 1;
/// Domain separation: a MAC made for a nonce is never valid for anything else made with the
/// same key.
const LABEL: &[u8] = b"dpop-server-nonce\0";
/// version (1) + bucket (8) + HMAC-SHA256 (32).
const NONCE_BYTES: usize = 41;
/// base64url without padding of 41 bytes.
const NONCE_CHARS: usize = 55;
/// The longest validity window, so that bucket arithmetic stays far from overflow.
const MAX_VALIDITY: Duration = Duration::from_secs(24 * 3600);
/// The largest clock tolerance.
const MAX_TOLERANCE: Duration = Duration::from_secs(300);

/// A secret key that seals server nonces: zeroized on drop, never printed.
///
/// Every instance that issues or accepts nonces holds the same key (from the deployment's
/// secret store). At least [`MIN_NONCE_KEY_LEN`] random bytes.
///
/// ```
/// use dpop::NonceKey;
///
/// let key = NonceKey::generate()?;
/// assert_eq!(format!("{key:?}"), "NonceKey([redacted])");
/// // Configured from a secret store as base64url:
/// let same = NonceKey::from_base64url("xG4oZ7m1r0yX8Hq2l4d9vBkNc3Tp6Wf5aJ0sEuYiQhM")?;
/// # let _ = same;
/// # Ok::<(), dpop::DpopError>(())
/// ```
#[derive(Clone)]
pub struct NonceKey(SecretBytes);

impl core::fmt::Debug for NonceKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("NonceKey([redacted])")
    }
}

impl NonceKey {
    /// A fresh random 32-byte key.
    ///
    /// # Errors
    /// [`DpopError::NonceKey`] when the operating system cannot provide randomness.
    pub fn generate() -> Result<Self, DpopError> {
        SecretBytes::random(MIN_NONCE_KEY_LEN)
            .map(Self)
            .map_err(|_| DpopError::NonceKey("no randomness"))
    }

    /// A key from its bytes (moved, not copied).
    ///
    /// # Errors
    /// [`DpopError::NonceKey`] when shorter than [`MIN_NONCE_KEY_LEN`] bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, DpopError> {
        let secret = SecretBytes::new(bytes);
        if secret.len() < MIN_NONCE_KEY_LEN {
            return Err(DpopError::NonceKey("shorter than 32 bytes"));
        }
        Ok(Self(secret))
    }

    /// A key from its base64url encoding (decoded in constant time).
    ///
    /// # Errors
    /// [`DpopError::NonceKey`] when not base64url or shorter than [`MIN_NONCE_KEY_LEN`] bytes.
    pub fn from_base64url(text: &str) -> Result<Self, DpopError> {
        let bytes = jose_core::b64::decode(text.trim())
            .map_err(|_| DpopError::NonceKey("not base64url"))?;
        Self::from_bytes(bytes)
    }

    /// The MAC of `bucket` under this key.
    fn seal(&self, bucket: i64) -> [u8; 32] {
        let mut out = [0u8; 32];
        // HMAC takes keys of any length: `new_from_slice` cannot fail.
        if let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.expose()) {
            mac.update(LABEL);
            mac.update(&[VERSION]);
            mac.update(&bucket.to_be_bytes());
            out.copy_from_slice(&mac.finalize().into_bytes());
        }
        out
    }
}

/// Why a nonce was not accepted. Every reason calls for the same answer, `use_dpop_nonce`
/// with a fresh nonce ([`NonceIssuer::challenge`]); the reasons are for logs and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NonceRejection {
    /// The proof carries no nonce.
    #[error("the proof carries no nonce")]
    Missing,
    /// Not a nonce of this format (length, base64url, version).
    #[error("the nonce is malformed")]
    Malformed,
    /// The MAC does not verify under the current or the previous key: forged, tampered, or
    /// sealed with a key this server does not hold.
    #[error("the nonce was not issued with this server's key")]
    UnknownKey,
    /// The nonce's bucket is over: it must be refreshed.
    #[error("the nonce has expired")]
    Expired,
    /// The nonce's bucket starts later than the clock tolerance allows.
    #[error("the nonce is not valid yet")]
    NotYetValid,
}

/// Issues and checks server nonces for DPoP proofs, with no shared state: any instance built
/// with the same keys and window accepts the nonces of every other.
///
/// Defaults: a 5 minute validity window (a nonce is accepted for 5 to 10 minutes after it is
/// issued) and 5 s of tolerance for instances whose clocks run ahead.
///
/// Key rotation: [`NonceIssuer::previous_key`] is accepted, never used to issue. Roll a new key
/// out in two steps so that no instance refuses another's nonces: first everywhere as the
/// previous key (still issuing with the old one), then everywhere as the current key with the
/// old one as previous; drop the old key two windows later.
///
/// ```
/// use dpop::{NonceIssuer, NonceKey};
///
/// let key = NonceKey::generate()?;
/// let instance_a = NonceIssuer::new(key.clone());
/// let instance_b = NonceIssuer::new(key);
///
/// let nonce = instance_a.issue();
/// assert!(instance_b.check(&nonce).is_ok());
/// # Ok::<(), dpop::DpopError>(())
/// ```
#[derive(Clone, Debug)]
pub struct NonceIssuer {
    current: NonceKey,
    previous: Option<NonceKey>,
    validity: Duration,
    tolerance: Duration,
}

impl NonceIssuer {
    /// Issues and accepts nonces sealed with `current`.
    #[must_use]
    pub fn new(current: NonceKey) -> Self {
        Self {
            current,
            previous: None,
            validity: Duration::from_secs(300),
            tolerance: Duration::from_secs(5),
        }
    }

    /// Also accepts nonces sealed with `previous` (key rotation); never issues with it.
    #[must_use]
    pub fn previous_key(mut self, previous: NonceKey) -> Self {
        self.previous = Some(previous);
        self
    }

    /// The validity window: the length of a time bucket (default 5 min; at least 1 s, at most
    /// 24 h). A nonce is accepted until the end of the bucket after the one it was issued in.
    /// Every instance must use the same window.
    #[must_use]
    pub fn validity(mut self, window: Duration) -> Self {
        self.validity = window.clamp(Duration::from_secs(1), MAX_VALIDITY);
        self
    }

    /// How far ahead of this instance's clock another instance's clock may run (default 5 s,
    /// at most 5 min): a nonce from a bucket that starts that much later is still accepted.
    #[must_use]
    pub fn clock_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance.min(MAX_TOLERANCE);
        self
    }

    /// A nonce for now.
    #[must_use]
    pub fn issue(&self) -> String {
        self.issue_at(NumericDate::now())
    }

    /// A nonce for the bucket `now` falls in.
    #[must_use]
    pub fn issue_at(&self, now: NumericDate) -> String {
        let bucket = now.seconds().div_euclid(self.window_secs());
        let mut bytes = [0u8; NONCE_BYTES];
        let (version, rest) = bytes.split_at_mut(1);
        let (bucket_bytes, mac) = rest.split_at_mut(8);
        version.copy_from_slice(&[VERSION]);
        bucket_bytes.copy_from_slice(&bucket.to_be_bytes());
        mac.copy_from_slice(&self.current.seal(bucket));
        jose_core::b64::encode(bytes)
    }

    /// Checks a nonce against the clock.
    ///
    /// # Errors
    /// The [`NonceRejection`] that applies.
    pub fn check(&self, nonce: &str) -> Result<(), NonceRejection> {
        self.check_at(nonce, NumericDate::now())
    }

    /// Checks a nonce as of `now`: sealed with the current or previous key (compared in
    /// constant time), and its bucket current or just over.
    ///
    /// # Errors
    /// The [`NonceRejection`] that applies.
    pub fn check_at(&self, nonce: &str, now: NumericDate) -> Result<(), NonceRejection> {
        if nonce.len() != NONCE_CHARS {
            return Err(NonceRejection::Malformed);
        }
        let bytes = jose_core::b64::decode_array::<NONCE_BYTES>(nonce)
            .map_err(|_| NonceRejection::Malformed)?;
        let Some((&version, rest)) = bytes.split_first() else {
            return Err(NonceRejection::Malformed);
        };
        let Some((bucket_bytes, mac)) = rest.split_first_chunk::<8>() else {
            return Err(NonceRejection::Malformed);
        };
        if version != VERSION {
            return Err(NonceRejection::Malformed);
        }
        let bucket = i64::from_be_bytes(*bucket_bytes);
        let sealed = |key: &NonceKey| jose_core::constant_time_eq(&key.seal(bucket), mac);
        // Both keys are tried, whatever the first answers.
        let by_current = sealed(&self.current);
        let by_previous = self.previous.as_ref().is_some_and(sealed);
        if !(by_current | by_previous) {
            return Err(NonceRejection::UnknownKey);
        }
        self.check_bucket(bucket, now.seconds())
    }

    /// Accepted from `start - tolerance` (inclusive) to `start + 2 windows` (exclusive).
    fn check_bucket(&self, bucket: i64, now: i64) -> Result<(), NonceRejection> {
        let window = self.window_secs();
        let tolerance = i64::try_from(self.tolerance.as_secs()).unwrap_or(0);
        // A sealed bucket came from `issue_at`, but a key holder's clock may be anything:
        // out-of-range arithmetic refuses rather than wraps.
        let start = bucket.checked_mul(window).ok_or(NonceRejection::Expired)?;
        if now < start.saturating_sub(tolerance) {
            return Err(NonceRejection::NotYetValid);
        }
        if now >= start.saturating_add(window.saturating_mul(2)) {
            return Err(NonceRejection::Expired);
        }
        Ok(())
    }

    /// The window in whole seconds (between 1 and 86 400).
    fn window_secs(&self) -> i64 {
        i64::try_from(self.validity.as_secs()).unwrap_or(1).max(1)
    }

    /// The answer to a proof without an acceptable nonce: `use_dpop_nonce` with a fresh nonce.
    #[must_use]
    pub fn challenge(&self) -> NonceChallenge {
        self.challenge_at(NumericDate::now())
    }

    /// [`NonceIssuer::challenge`] as of `now`.
    #[must_use]
    pub fn challenge_at(&self, now: NumericDate) -> NonceChallenge {
        NonceChallenge {
            nonce: self.issue_at(now),
        }
    }

    /// The challenge to answer when verification failed for want of a (fresh) nonce
    /// ([`DpopError::UseNonce`]); `None` for every other error.
    #[must_use]
    pub fn answer(&self, error: &DpopError) -> Option<NonceChallenge> {
        matches!(error, DpopError::UseNonce).then(|| self.challenge())
    }
}

/// The `use_dpop_nonce` answer with a fresh nonce, for both kinds of server (RFC 9449 §8, §9).
///
/// An authorization server answers HTTP 400 with [`NonceChallenge::error_body`] as
/// `application/json`; a resource server answers HTTP 401 with
/// [`NonceChallenge::www_authenticate`]. Both add the header [`DPOP_NONCE_HEADER`] with
/// [`NonceChallenge::dpop_nonce`].
///
/// ```
/// use dpop::{DpopClient, NonceIssuer, NonceKey};
///
/// let issuer = NonceIssuer::new(NonceKey::generate()?);
/// let challenge = issuer.challenge();
///
/// // Authorization server: 400, JSON body.
/// assert_eq!(challenge.authorization_server_status(), 400);
/// let body: serde_json::Value = serde_json::from_str(&challenge.error_body()).unwrap();
/// assert_eq!(body["error"], "use_dpop_nonce");
///
/// // Resource server: 401, WWW-Authenticate.
/// assert_eq!(challenge.resource_server_status(), 401);
/// let header = challenge.www_authenticate("ES256 EdDSA");
/// assert!(DpopClient::is_nonce_error(401, Some(&header), None));
/// # Ok::<(), dpop::DpopError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NonceChallenge {
    nonce: String,
}

impl NonceChallenge {
    /// The value of the `DPoP-Nonce` header.
    #[must_use]
    pub fn dpop_nonce(&self) -> &str {
        &self.nonce
    }

    /// The HTTP status of an authorization server's answer: 400.
    #[must_use]
    pub fn authorization_server_status(&self) -> u16 {
        400
    }

    /// The JSON body of an authorization server's answer:
    /// `{"error":"use_dpop_nonce","error_description":...}`.
    #[must_use]
    pub fn error_body(&self) -> String {
        serde_json::json!({
            "error": "use_dpop_nonce",
            "error_description": "Authorization server requires nonce in DPoP proof",
        })
        .to_string()
    }

    /// The HTTP status of a resource server's answer: 401.
    #[must_use]
    pub fn resource_server_status(&self) -> u16 {
        401
    }

    /// The `WWW-Authenticate` header of a resource server's answer, with the accepted
    /// algorithms ([`crate::ProofVerifier::algs_parameter`]; omitted when empty or not a
    /// space-separated list of algorithm names).
    #[must_use]
    pub fn www_authenticate(&self, algs: &str) -> String {
        let mut value = String::from(
            "DPoP error=\"use_dpop_nonce\", \
             error_description=\"Resource server requires nonce in DPoP proof\"",
        );
        let quotable = algs
            .bytes()
            .all(|b| b == b' ' || (b.is_ascii_graphic() && b != b'"' && b != b'\\'));
        if !algs.trim().is_empty() && quotable {
            value.push_str(", algs=\"");
            value.push_str(algs.trim());
            value.push('"');
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> NonceKey {
        NonceKey::from_bytes(vec![byte; 32]).unwrap()
    }

    fn t(s: i64) -> NumericDate {
        NumericDate::from_seconds(s)
    }

    #[test]
    fn a_nonce_is_55_nqchar_characters() {
        let n = NonceIssuer::new(key(1)).issue_at(t(1_800_000_000));
        assert_eq!(n.len(), NONCE_CHARS);
        assert!(crate::is_valid_nonce(&n));
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(matches!(
            NonceKey::from_bytes(vec![0; 31]),
            Err(DpopError::NonceKey(_))
        ));
        assert!(NonceKey::from_base64url("not base64!").is_err());
    }

    #[test]
    fn keys_never_show_in_debug() {
        let issuer = NonceIssuer::new(key(0x41)).previous_key(key(0x42));
        let text = format!("{issuer:?}");
        assert!(
            !text.contains("65, 65") && !text.contains("66, 66"),
            "{text}"
        );
        assert!(text.contains("[redacted]"));
    }

    #[test]
    fn bucket_edges() {
        let issuer = NonceIssuer::new(key(1)).validity(Duration::from_secs(100));
        let n = issuer.issue_at(t(1050));
        assert_eq!(issuer.check_at(&n, t(1000)), Ok(()));
        assert_eq!(issuer.check_at(&n, t(1199)), Ok(()));
        assert_eq!(issuer.check_at(&n, t(1200)), Err(NonceRejection::Expired));
        assert_eq!(issuer.check_at(&n, t(995)), Ok(()), "within the tolerance");
        assert_eq!(
            issuer.check_at(&n, t(994)),
            Err(NonceRejection::NotYetValid)
        );
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let issuer = NonceIssuer::new(key(1));
        for now in [i64::MIN, -1, 0, i64::MAX] {
            let n = issuer.issue_at(t(now));
            let _ = issuer.check_at(&n, t(now));
            let _ = issuer.check_at(&n, t(now.wrapping_add(1)));
        }
    }

    #[test]
    fn answer_only_for_use_nonce() {
        let issuer = NonceIssuer::new(key(1));
        assert!(issuer.answer(&DpopError::UseNonce).is_some());
        assert!(issuer.answer(&DpopError::Replay).is_none());
    }
}
