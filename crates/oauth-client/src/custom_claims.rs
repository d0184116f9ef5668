//! Claims into the application's own types: [`IdTokenClaims::deserialize`],
//! [`UserInfo::deserialize`] and [`IntrospectionResponse::deserialize`].
//!
//! Each reads every member the server sent (the typed ones and the rest) into `T`, so a
//! custom claim needs only a field in `T`, and an unknown one is ignored unless `T` says
//! `#[serde(deny_unknown_fields)]`.

use crate::{Error, IdTokenClaims, IntrospectionResponse, UserInfo};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

impl IdTokenClaims {
    /// Every claim of the validated ID Token, read into `T`.
    ///
    /// ```
    /// # fn demo(claims: &oauth_client::IdTokenClaims) -> Result<(), oauth_client::Error> {
    /// #[derive(serde::Deserialize)]
    /// struct Employee {
    ///     sub: String,
    ///     employee_number: Option<String>,
    ///     #[serde(default)]
    ///     groups: Vec<String>,
    /// }
    ///
    /// let employee: Employee = claims.deserialize()?;
    /// # let _ = (employee.sub, employee.employee_number, employee.groups);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::ClaimsShape`] when the claims do not fit `T`.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        from_object("ID Token", self.claims().clone())
    }
}

impl UserInfo {
    /// Every claim of the UserInfo response (the standard ones and `other`), read into `T`.
    ///
    /// # Errors
    /// [`Error::ClaimsShape`] when the claims do not fit `T`.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        from_serialized("UserInfo", self)
    }
}

impl IntrospectionResponse {
    /// Every member of the introspection response (the registered ones and `other`), read
    /// into `T`.
    ///
    /// # Errors
    /// [`Error::ClaimsShape`] when the members do not fit `T`.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        from_serialized("introspection", self)
    }
}

fn from_serialized<T: DeserializeOwned>(
    what: &'static str,
    value: &impl serde::Serialize,
) -> Result<T, Error> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => from_object(what, map),
        Ok(_) => Err(shape(what, "not a JSON object".to_owned())),
        Err(e) => Err(shape(what, e.to_string())),
    }
}

fn from_object<T: DeserializeOwned>(
    what: &'static str,
    map: Map<String, Value>,
) -> Result<T, Error> {
    serde_json::from_value(Value::Object(map)).map_err(|e| shape(what, e.to_string()))
}

fn shape(what: &'static str, reason: String) -> Error {
    Error::ClaimsShape { what, reason }
}
