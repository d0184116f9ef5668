//! Command-line values that are secrets (tokens, client secrets, user codes): zeroized on
//! drop and never shown by `Debug`.

use core::fmt;
use core::ops::Deref;
use core::str::FromStr;
use zeroize::Zeroizing;

/// A secret given on the command line (or `-` for stdin, which the command resolves).
#[derive(Clone)]
pub struct SecretArg(Zeroizing<String>);

impl FromStr for SecretArg {
    type Err = core::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(Zeroizing::new(s.to_owned())))
    }
}

impl Deref for SecretArg {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use clap::Parser;

    #[test]
    fn secret_arguments_are_not_in_debug_output() {
        let secret = "rt-0123456789-secret";
        let arg: SecretArg = secret.parse().unwrap();
        assert_eq!(&*arg, secret);
        assert_eq!(format!("{arg:?}"), "[redacted]");
        // Through clap, as every command parses them.
        #[derive(Debug, Parser)]
        struct Args {
            #[arg(long)]
            token: SecretArg,
            #[arg(long)]
            other: Option<SecretArg>,
        }
        let args = Args::try_parse_from(["x", "--token", secret, "--other", secret]).unwrap();
        assert_eq!(&*args.token, secret);
        assert!(!format!("{args:?}").contains(secret));
    }
}
