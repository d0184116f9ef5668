//! Comparing media types in `typ` and `cty` (RFC 7515 §4.1.9, RFC 8725 §3.11).

/// Normalises a media type for comparison: ASCII lower case, and the `application/` prefix
/// removed (RFC 7515 §4.1.9 lets producers omit it when no other `/` appears).
#[must_use]
pub fn normalize_media_type(value: &str) -> String {
    let lower = value.to_ascii_lowercase();
    match lower.strip_prefix("application/") {
        Some(rest) if !rest.contains('/') => rest.to_owned(),
        _ => lower,
    }
}

/// Whether `typ` says "a plain JWT": `JWT` in any letter case, with or without the
/// `application/` prefix (RFC 7519 §5.1). Any other value types the token for a specific
/// profile (`at+jwt`, `dpop+jwt`, `logout+jwt`, `secevent+jwt`, ...).
#[must_use]
pub fn is_plain_jwt(typ: &str) -> bool {
    normalize_media_type(typ) == "jwt"
}

/// Whether two media types name the same type: `JWT`, `jwt` and `application/jwt` all match.
#[must_use]
pub fn media_types_match(a: &str, b: &str) -> bool {
    normalize_media_type(a) == normalize_media_type(b)
}

/// Whether a `cty` says the content is itself a JWT (a nested JWT, RFC 7519 §5.2).
#[must_use]
pub fn is_nested_jwt(cty: Option<&str>) -> bool {
    cty.is_some_and(|c| media_types_match(c, "JWT"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_application_prefix_are_ignored() {
        assert!(media_types_match("JWT", "application/jwt"));
        assert!(media_types_match("at+JWT", "application/at+jwt"));
        assert!(media_types_match("dpop+jwt", "DPoP+JWT"));
        assert!(!media_types_match("jwt", "at+jwt"));
        assert!(!media_types_match("application/x/jwt", "x/jwt"));
    }

    #[test]
    fn plain_jwt_is_jwt_in_any_case_with_or_without_the_prefix() {
        for t in ["JWT", "jwt", "Jwt", "application/jwt", "APPLICATION/JWT"] {
            assert!(is_plain_jwt(t), "{t}");
        }
        for t in [
            "at+jwt",
            "dpop+jwt",
            "jwt+pop",
            "JOSE",
            "",
            "application/x/jwt",
            " jwt",
        ] {
            assert!(!is_plain_jwt(t), "{t}");
        }
    }
}
