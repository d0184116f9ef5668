#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod agent;
mod ciba;
mod control;
mod logout;
mod pki;
mod process;
mod rotation;
mod state;

pub use agent::{Redirect, UserAgent};
pub use ciba::CibaDecision;
pub use control::DeviceDecision;
pub use logout::BACKCHANNEL_LOGOUT_CLIENT;
pub use pki::{CLIENT_SUBJECT, TestPki};
pub use process::{TestProvider, ensure_node_modules, node_dir};
pub use rotation::SigningKeys;
pub use state::{ProviderState, StaticClient};

/// Why the test provider could not be used.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// `npm ci` failed.
    #[error("installing the provider's Node.js dependencies failed: {0}")]
    Npm(String),
    /// The provider process did not start or become ready.
    #[error("starting the test provider failed: {0}")]
    Start(String),
    /// The state file is missing or malformed.
    #[error("the test provider's state file is unusable: {0}")]
    State(String),
    /// No static client with this id.
    #[error("the test provider has no client {0:?}")]
    UnknownClient(String),
    /// An HTTP exchange of the user agent failed.
    #[error("user agent: {0}")]
    Http(String),
    /// The provider showed a page where the user agent expected a redirect or a form.
    #[error("the provider answered {status} at {url} instead of redirecting: {excerpt}")]
    UnexpectedPage {
        /// The URL that answered.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the page.
        excerpt: String,
    },
}

impl HarnessError {
    fn unexpected(url: &url::Url, status: u16, body: &str) -> Self {
        HarnessError::UnexpectedPage {
            url: url.to_string(),
            status,
            excerpt: body.chars().take(300).collect(),
        }
    }

    fn with_log(self, log: &std::path::Path) -> Self {
        match self {
            HarnessError::Start(message) => {
                let tail = std::fs::read_to_string(log)
                    .map(|t| t.lines().rev().take(10).collect::<Vec<_>>().join(" | "))
                    .unwrap_or_default();
                HarnessError::Start(format!("{message}; provider log: {tail}"))
            }
            other => other,
        }
    }
}
