//! Replay protection: each `jti` is accepted once within its token's lifetime.

use crate::{E2ePopError, TokenKind};
use jwt_claims::{Audience, NumericDate};
use replay_store::{Namespace, ReplayId, ReplayStore, Seen};
use std::sync::Arc;

/// What identifies a token for replay detection: the draft makes `jti` unique per
/// (`iss`, `sub`) for PoP tokens and ICTs, and per (`iss`, `sub`, `aud`) for E2E PoP tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplayKey<'a> {
    /// The token type.
    pub token: TokenKind,
    /// `iss`.
    pub iss: &'a str,
    /// `sub`.
    pub sub: &'a str,
    /// `aud`, for E2E PoP tokens.
    pub aud: Option<&'a Audience>,
    /// `jti`.
    pub jti: &'a str,
}

impl ReplayKey<'_> {
    /// The identifier recorded in the replay store: namespace `e2e-pop`, then the token type,
    /// `iss`, `sub`, each `aud` value and `jti`, each length-prefixed and hashed together
    /// (SHA-256), so no two different keys collide by concatenation and an entry has a
    /// bounded size.
    ///
    /// # Errors
    /// [`E2ePopError::ReplayStore`] when the fields together exceed
    /// [`replay_store::MAX_ID_LEN`] bytes or `jti` is empty.
    pub fn replay_id(&self) -> Result<ReplayId, E2ePopError> {
        let mut parts: Vec<&[u8]> = vec![
            self.token.typ().as_bytes(),
            self.iss.as_bytes(),
            self.sub.as_bytes(),
        ];
        match self.aud {
            None => parts.push(b""),
            Some(aud) => parts.extend(aud.iter().map(str::as_bytes)),
        }
        parts.push(self.jti.as_bytes());
        Ok(ReplayId::from_parts(Namespace::E2E_POP, &parts)?)
    }
}

/// A verifier's handle on a replay store.
#[derive(Clone)]
pub(crate) struct Replay(pub(crate) Arc<dyn ReplayStore>);

impl std::fmt::Debug for Replay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReplayStore({})", self.0.describe())
    }
}

impl Replay {
    /// Records the token until its `exp` plus the clock tolerance; a second sighting is
    /// [`E2ePopError::Replay`], a store failure [`E2ePopError::ReplayStore`] (fail closed).
    pub(crate) async fn check(
        &self,
        key: &ReplayKey<'_>,
        exp: NumericDate,
        policy: &crate::VerifierPolicy,
    ) -> Result<(), E2ePopError> {
        let id = key.replay_id()?;
        let now = policy.current_time();
        let keep_until = exp.plus(policy.leeway_value());
        let seen = self
            .0
            .check_and_record(&id, now.to_system_time(), keep_until.to_system_time())
            .await?;
        match seen {
            Seen::Fresh => Ok(()),
            Seen::Replayed => Err(E2ePopError::Replay { token: key.token }),
        }
    }
}

/// With a store, records the token identified by its type, shared claims and `aud` (see
/// [`Replay::check`]); without one, accepts it.
pub(crate) async fn check_once(
    replay: Option<&Replay>,
    token: TokenKind,
    claims: &crate::CommonClaims,
    aud: Option<&Audience>,
    policy: &crate::VerifierPolicy,
) -> Result<(), E2ePopError> {
    let Some(replay) = replay else {
        return Ok(());
    };
    let key = ReplayKey {
        token,
        iss: &claims.iss,
        sub: &claims.sub,
        aud,
        jti: &claims.jti,
    };
    replay.check(&key, claims.exp, policy).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_length_prefixed_and_namespaced() {
        let a = ReplayKey {
            token: TokenKind::Pop,
            iss: "ab",
            sub: "c",
            aud: None,
            jti: "j",
        };
        let b = ReplayKey {
            token: TokenKind::Pop,
            iss: "a",
            sub: "bc",
            aud: None,
            jti: "j",
        };
        assert_ne!(a.replay_id().unwrap(), b.replay_id().unwrap());
        assert_eq!(a.replay_id().unwrap().namespace(), Namespace::E2E_POP);
        let ict = ReplayKey {
            token: TokenKind::Ict,
            ..a
        };
        assert_ne!(a.replay_id().unwrap(), ict.replay_id().unwrap());
    }
}
