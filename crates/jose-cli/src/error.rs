//! Errors and exit codes.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the token, signature or claims are not valid; an authorization server refused or sent a response that failed a check (`jose oauth`) |
//! | 2 | usage error, or input that cannot be read (key files, JSON arguments, PEM) |

use std::fmt;

/// A failure, with the exit code it maps to. The message is printed on one line to stderr.
#[derive(Debug)]
pub enum CliError {
    /// The token was checked and is not acceptable (exit 1).
    Invalid(String),
    /// The command line or an input file is wrong (exit 2).
    Usage(String),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Invalid(_) => 1,
            CliError::Usage(_) => 2,
        }
    }

    /// A usage error.
    pub fn usage(message: impl fmt::Display) -> Self {
        CliError::Usage(message.to_string())
    }

    /// A verification failure.
    pub fn invalid(message: impl fmt::Display) -> Self {
        CliError::Invalid(message.to_string())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (CliError::Invalid(m) | CliError::Usage(m)) = self;
        // One line: newlines in nested messages would break log parsing.
        f.write_str(&m.replace('\n', " "))
    }
}

/// `Result` with [`CliError`].
pub type CliResult<T = ()> = Result<T, CliError>;
