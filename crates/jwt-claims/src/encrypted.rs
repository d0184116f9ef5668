//! Encrypted JWTs (RFC 7519 §5.2 and §11.2, RFC 7516).
//!
//! Two shapes:
//!
//! - **Nested** (sign, then encrypt): the claims are signed as a JWS, and the compact JWS is
//!   the plaintext of a JWE whose header says `cty: JWT`. The recipient decrypts, then
//!   verifies the signature and the claims: [`JwtBuilder::sign_then_encrypt`],
//!   [`decrypt_then_verify`]. This is what OpenID Connect means by an encrypted ID Token or
//!   userinfo response: the signature says who issued it, the encryption who may read it.
//! - **Claims directly encrypted**: the claims are the JWE plaintext, with no signature:
//!   [`JwtBuilder::encrypt`], [`decrypt`]. Only the key management authenticates the sender:
//!   with a shared key (`dir`, AES key wrap, PBES2) that is the other holder of the key; with
//!   a public key (RSA-OAEP, ECDH-ES) it is *anyone*. Use nesting when the issuer matters.
//!
//! ```
//! use jose_core::alg::{ContentEncryptionAlgorithm, JwsAlgorithm, KeyManagementAlgorithm};
//! use jose_core::jwk::Jwk;
//! use jwe::{DecryptOptions, EncryptionKey};
//! use jws::SigningKey;
//! use jwt_claims::{JwtBuilder, Validation};
//!
//! // The issuer signs with its key; the relying party decrypts with its own.
//! let issuer = SigningKey::generate(JwsAlgorithm::ES256)?;
//! let rp = Jwk::generate(KeyManagementAlgorithm::EcdhEsA256Kw)?;
//!
//! let token = JwtBuilder::new()
//!     .issuer("https://issuer.example")
//!     .subject("alice")
//!     .sign_then_encrypt(
//!         &issuer,
//!         &EncryptionKey::from_jwk(rp.to_public()?)?,
//!         ContentEncryptionAlgorithm::A256Gcm,
//!     )?;
//!
//! let verified = jwt_claims::decrypt_then_verify::<serde_json::Value>(
//!     &token,
//!     &rp,
//!     &DecryptOptions::new(),
//!     &issuer.public_jwk()?,
//!     &Validation::new().issuer("https://issuer.example"),
//! )?;
//! assert_eq!(verified.registered().sub.as_deref(), Some("alice"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::typ::media_types_match;
use crate::{JwtBuilder, JwtError, RegisteredClaims, Validation, VerifiedJwt, parse_claims};
use jose_core::alg::ContentEncryptionAlgorithm;
use jose_core::header::JweHeader;
use jose_core::json;
use jwe::{DecryptOptions, EncryptionKey, KeySource};
use jws::{KeyResolver, Signer};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The media type that marks a nested JWT (RFC 7519 §5.2).
const NESTED: &str = "JWT";

impl JwtBuilder {
    /// Signs the claims as a compact JWS, then encrypts it to `recipient` with `enc` as a
    /// compact JWE whose header says `cty: JWT` (a nested JWT, RFC 7519 §11.2).
    ///
    /// # Errors
    /// As [`JwtBuilder::sign`], or [`JwtError::Jwe`] when encryption fails.
    pub fn sign_then_encrypt(
        &self,
        signer: &(impl Signer + ?Sized),
        recipient: &EncryptionKey,
        enc: ContentEncryptionAlgorithm,
    ) -> Result<String, JwtError> {
        let jws = self.sign(signer)?;
        Ok(jwe::compact::CompactEncrypt::new(jws.as_bytes(), enc)
            .header(JweHeader::default().with_cty(NESTED))
            .encrypt(recipient)?)
    }

    /// Encrypts the claims directly (no signature) to `recipient` with `enc`, as a compact
    /// JWE with the builder's `typ` (default `JWT`) and `cty` in its header.
    ///
    /// Read the module documentation on what this does and does not authenticate.
    ///
    /// # Errors
    /// As [`JwtBuilder::build_claims`], or [`JwtError::Jwe`] when encryption fails.
    pub fn encrypt(
        &self,
        recipient: &EncryptionKey,
        enc: ContentEncryptionAlgorithm,
    ) -> Result<String, JwtError> {
        let claims = crate::builder::serialize(&self.build_claims()?)?;
        let mut header = JweHeader::default();
        let signed = self.header_ref();
        if let Some(typ) = signed.typ() {
            header = header.with_typ(typ);
        }
        if let Some(cty) = signed.cty() {
            if media_types_match(cty, NESTED) {
                return Err(JwtError::Nesting(
                    "claims encrypted directly cannot say cty: JWT; use sign_then_encrypt",
                ));
            }
            header = header.with_cty(cty);
        }
        Ok(jwe::compact::CompactEncrypt::new(&claims, enc)
            .header(header)
            .encrypt(recipient)?)
    }
}

fn is_nested(header: &JweHeader) -> bool {
    crate::typ::is_nested_jwt(header.cty())
}

/// Decrypts a nested JWT (a JWE with `cty: JWT`), then verifies the signed JWT inside: its
/// signature with `verification_keys`, its `typ` and its claims with `validation`.
///
/// The content must be a signed JWT: a JWE without `cty: JWT`, or whose content is another
/// JWE, claims in the clear, or anything else that is not a compact JWS, is refused with
/// [`JwtError::Nesting`]; an unsecured JWT (`alg: none`) is refused by the JWS layer.
///
/// # Errors
/// [`JwtError::Jwe`] when decryption fails, [`JwtError::Nesting`] for content that is not a
/// signed JWT, then the errors of [`crate::verify`].
pub fn decrypt_then_verify<T: DeserializeOwned>(
    token: &str,
    decryption_keys: &(impl KeySource + ?Sized),
    decrypt_options: &DecryptOptions,
    verification_keys: &(impl KeyResolver + ?Sized),
    validation: &Validation,
) -> Result<VerifiedJwt<T>, JwtError> {
    let decrypted = jwe::compact::decrypt(token, decryption_keys, decrypt_options)?;
    if !is_nested(decrypted.header()) {
        return Err(JwtError::Nesting(
            "the JWE does not contain a signed JWT (its header has no cty: JWT)",
        ));
    }
    let inner = core::str::from_utf8(decrypted.plaintext())
        .map_err(|_| JwtError::Nesting("the content of the JWE is not text"))?;
    match inner.split('.').count() {
        3 => {}
        5 => {
            return Err(JwtError::Nesting(
                "the content of the JWE is encrypted, not signed",
            ));
        }
        _ => {
            return Err(JwtError::Nesting(
                "the content of the JWE is not a compact signed JWT",
            ));
        }
    }
    crate::verify(inner, verification_keys, validation)
}

/// A JWT whose claims were encrypted to the caller (not signed), after the claim checks.
///
/// Only [`decrypt`] makes one. See the module documentation for what the encryption proves
/// about the sender.
#[derive(Clone, Debug, PartialEq)]
pub struct DecryptedJwt<T = Map<String, Value>> {
    header: JweHeader,
    registered: RegisteredClaims,
    claims: T,
}

impl<T> DecryptedJwt<T> {
    /// The JWE header (joint protected and unprotected parameters).
    #[must_use]
    pub fn header(&self) -> &JweHeader {
        &self.header
    }

    /// The registered claims, typed.
    #[must_use]
    pub fn registered(&self) -> &RegisteredClaims {
        &self.registered
    }

    /// The claims in the caller's type.
    #[must_use]
    pub fn claims(&self) -> &T {
        &self.claims
    }

    /// The claims, by value.
    #[must_use]
    pub fn into_claims(self) -> T {
        self.claims
    }
}

/// Decrypts a JWT whose claims are encrypted directly, then checks the JWE header's `typ`
/// and the claims with `validation` (its signature options are not used).
///
/// A nested JWT (`cty: JWT`) is refused with [`JwtError::Nesting`]: its signature must be
/// verified, with [`decrypt_then_verify`].
///
/// # Errors
/// [`JwtError::Jwe`] when decryption fails, [`JwtError::Nesting`] for a nested JWT, then the
/// claim-check errors.
pub fn decrypt<T: DeserializeOwned>(
    token: &str,
    keys: &(impl KeySource + ?Sized),
    options: &DecryptOptions,
    validation: &Validation,
) -> Result<DecryptedJwt<T>, JwtError> {
    let decrypted = jwe::compact::decrypt(token, keys, options)?;
    if is_nested(decrypted.header()) {
        return Err(JwtError::Nesting(
            "the JWE contains a nested JWT; verify it with decrypt_then_verify",
        ));
    }
    validation.check_typ(decrypted.header().typ())?;
    let claims = parse_claims(decrypted.plaintext())?;
    let registered = validation.check_claims(&claims)?;
    let claims =
        serde_json::from_value(Value::Object(claims)).map_err(|e| {
            match json::schema_error(&e) {
                json::JsonError::Schema(m) => JwtError::Claims(m),
                other => JwtError::Claims(other.to_string()),
            }
        })?;
    Ok(DecryptedJwt {
        header: decrypted.header().clone(),
        registered,
        claims,
    })
}
