//! Token delivery modes and profiles.

use core::fmt;

/// How the result of an authentication request reaches the client (CIBA §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeliveryMode {
    /// The client polls the token endpoint.
    Poll,
    /// The OpenID Provider calls the client notification endpoint with the `auth_req_id`; the
    /// client then calls the token endpoint once.
    Ping,
    /// The OpenID Provider sends the tokens themselves to the client notification endpoint.
    Push,
}

impl DeliveryMode {
    /// The metadata value: `poll`, `ping` or `push`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryMode::Poll => "poll",
            DeliveryMode::Ping => "ping",
            DeliveryMode::Push => "push",
        }
    }

    /// Parses a metadata value (exact, lower case).
    #[must_use]
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "poll" => Some(DeliveryMode::Poll),
            "ping" => Some(DeliveryMode::Ping),
            "push" => Some(DeliveryMode::Push),
            _ => None,
        }
    }

    /// Whether the OpenID Provider calls the client notification endpoint (ping and push).
    #[must_use]
    pub fn uses_notification_endpoint(self) -> bool {
        !matches!(self, DeliveryMode::Poll)
    }

    /// Whether the client redeems the `auth_req_id` at the token endpoint (poll and ping).
    #[must_use]
    pub fn uses_token_endpoint(self) -> bool {
        !matches!(self, DeliveryMode::Push)
    }
}

impl fmt::Display for DeliveryMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The rules a [`crate::CibaClient`] applies on top of CIBA Core.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Profile {
    /// OpenID CIBA Core 1.0.
    #[default]
    Core,
    /// The FAPI CIBA profile: no push mode; every request signed (PS256 or ES256, with
    /// `exp − nbf` at most 60 minutes); `binding_message` required unless the caller asserts a
    /// unique authorization context; client authentication by `private_key_jwt` or mTLS.
    Fapi,
}

impl Profile {
    /// `core` or `fapi`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Core => "core",
            Profile::Fapi => "fapi",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
