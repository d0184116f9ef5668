//! Request parameters: an ordered list of name/value pairs.

use core::fmt;

/// Parameters of an authorization, token, introspection or other request, in order.
///
/// Built from arrays of pairs or with [`Params::set`]:
///
/// ```
/// use oauth_client::Params;
///
/// let params = Params::from([("scope", "openid email"), ("resource", "urn:api")])
///     .set("prompt", "consent");
/// assert_eq!(params.get("scope"), Some("openid email"));
/// ```
///
/// `Debug` prints the names only: values may be codes, verifiers or tokens.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// No parameters.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value`, replacing earlier values.
    #[must_use]
    pub fn set(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(name, value);
        self
    }

    /// Adds a value of `name`, keeping earlier ones (for parameters that may repeat, such as
    /// `resource`).
    #[must_use]
    pub fn append(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.push((name.into(), value.into()));
        self
    }

    /// Adds a resource indicator (RFC 8707 §2), keeping earlier ones: the protected resource
    /// a token is for. Every grant, PAR, JAR and the device flow pass it on.
    #[must_use]
    pub fn resource(self, uri: impl Into<String>) -> Self {
        self.append("resource", uri)
    }

    // --- Typed authorization request parameters --------------------------------------------
    // The names are spelled once here, so a typo cannot silently drop PKCE or `state`.

    /// Sets PKCE (RFC 7636 §4.3): `code_challenge` to the S256 challenge of `code_verifier`
    /// and `code_challenge_method` to `S256`. Keep the verifier for the code grant
    /// ([`crate::AuthorizationCodeGrantChecks::pkce_code_verifier`]).
    ///
    /// ```
    /// use oauth_client::{Params, random_nonce, random_pkce_code_verifier, random_state};
    ///
    /// let (verifier, state, nonce) = (random_pkce_code_verifier()?, random_state()?, random_nonce()?);
    /// let params = Params::new()
    ///     .redirect_uri("https://rp.example/cb")
    ///     .scope("openid email")
    ///     .pkce(&verifier)
    ///     .state(&state)
    ///     .nonce(&nonce)
    ///     .set("prompt", "login"); // extensions keep the string form
    /// assert_eq!(params.get("code_challenge_method"), Some("S256"));
    /// assert_eq!(params.get("code_challenge"), Some(oauth_client::pkce_code_challenge(&verifier).as_str()));
    /// # Ok::<(), oauth_client::Error>(())
    /// ```
    #[must_use]
    pub fn pkce(self, code_verifier: &str) -> Self {
        self.set("code_challenge", crate::pkce_code_challenge(code_verifier))
            .set("code_challenge_method", "S256")
    }

    /// Sets `state` (RFC 6749 §4.1.1); check it with
    /// [`crate::AuthorizationCodeGrantChecks::expected_state`].
    #[must_use]
    pub fn state(self, state: impl Into<String>) -> Self {
        self.set("state", state)
    }

    /// Sets `nonce` (OpenID Connect Core 1.0 §3.1.2.1); check it with
    /// [`crate::AuthorizationCodeGrantChecks::expected_nonce`].
    #[must_use]
    pub fn nonce(self, nonce: impl Into<String>) -> Self {
        self.set("nonce", nonce)
    }

    /// Sets `scope`: space-separated scope values (`"openid email"`).
    #[must_use]
    pub fn scope(self, scope: impl Into<String>) -> Self {
        self.set("scope", scope)
    }

    /// Sets `redirect_uri`: one of the client's registered redirect URIs.
    #[must_use]
    pub fn redirect_uri(self, uri: impl Into<String>) -> Self {
        self.set("redirect_uri", uri)
    }

    /// Sets `authorization_details` (RFC 9396) to the JSON of `details`. Every grant, PAR,
    /// JAR (as a JSON array claim) and the device flow pass it on.
    ///
    /// ```
    /// use oauth_client::{AuthorizationDetail, Params};
    ///
    /// let detail: AuthorizationDetail = serde_json::from_str(
    ///     r#"{"type":"payment_initiation","actions":["initiate"],"instructedAmount":{"currency":"EUR","amount":"12.30"}}"#,
    /// )?;
    /// let params = Params::new().authorization_details(&[detail])?;
    /// assert!(params.get("authorization_details").unwrap().starts_with(r#"[{"type":"payment_initiation""#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::InvalidArgument`] when the details cannot be serialized.
    pub fn authorization_details(
        self,
        details: &[crate::AuthorizationDetail],
    ) -> Result<Self, crate::Error> {
        let json = serde_json::to_string(details).map_err(|_| {
            crate::Error::InvalidArgument("authorization_details cannot be serialized")
        })?;
        Ok(self.set("authorization_details", json))
    }

    /// Sets `name` to `value` in place, replacing earlier values.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.0.retain(|(k, _)| *k != name);
        self.0.push((name, value.into()));
    }

    /// Sets `name` unless it is already present.
    pub fn insert_default(&mut self, name: &str, value: impl Into<String>) {
        if !self.contains(name) {
            self.0.push((name.to_owned(), value.into()));
        }
    }

    /// Removes every value of `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(k, _)| k != name);
    }

    /// The first value of `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` is present.
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// All pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of pairs.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no pairs.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds all pairs of `other` after these (values of `other` replace values of the same
    /// name here).
    pub fn merge(&mut self, other: &Params) {
        for name in other.0.iter().map(|(k, _)| k) {
            self.0.retain(|(k, _)| k != name);
        }
        self.0.extend(other.0.iter().cloned());
    }

    /// `application/x-www-form-urlencoded` serialization.
    #[must_use]
    pub fn to_form(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.0.iter())
            .finish()
    }

    /// The pairs, by value.
    #[must_use]
    pub fn into_vec(self) -> Vec<(String, String)> {
        self.0
    }
}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, _)| k))
            .finish()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl<K: Into<String>, V: Into<String>, const N: usize> From<[(K, V); N]> for Params {
    fn from(items: [(K, V); N]) -> Self {
        items.into_iter().collect()
    }
}

impl<K: Into<String>, V: Into<String>> From<Vec<(K, V)>> for Params {
    fn from(items: Vec<(K, V)>) -> Self {
        items.into_iter().collect()
    }
}

impl From<&Params> for Params {
    fn from(p: &Params) -> Self {
        p.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_setters_write_the_registered_names() {
        let p = Params::new()
            .redirect_uri("https://rp.example/cb")
            .scope("openid")
            .state("s1")
            .nonce("n1")
            .pkce("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
            .resource("urn:a")
            .resource("urn:b");
        let pairs: Vec<(&str, &str)> = p.iter().collect();
        assert_eq!(
            pairs,
            [
                ("redirect_uri", "https://rp.example/cb"),
                ("scope", "openid"),
                ("state", "s1"),
                ("nonce", "n1"),
                // RFC 7636 Appendix B.
                (
                    "code_challenge",
                    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
                ),
                ("code_challenge_method", "S256"),
                ("resource", "urn:a"),
                ("resource", "urn:b"),
            ]
        );
    }

    #[test]
    fn typed_setters_replace_earlier_values() {
        let p = Params::from([("state", "old"), ("code_challenge_method", "plain")])
            .state("new")
            .pkce("verifier-verifier-verifier-verifier-verifier");
        assert_eq!(p.get("state"), Some("new"));
        assert_eq!(p.get("code_challenge_method"), Some("S256"));
        assert_eq!(p.iter().filter(|(k, _)| *k == "state").count(), 1);
    }
}
