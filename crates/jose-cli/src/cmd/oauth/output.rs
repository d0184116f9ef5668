//! Printing what the server answered: one JSON object (`--json`) or aligned `name  value`
//! lines, with secrets hidden unless `--show-secrets`, times in words, and a spinner on
//! stderr while waiting for a user.

use crate::cmd::oauth::common::OutputArgs;
use crate::error::CliResult;
use crate::io;
use oauth_client::TokenResponse;
use serde_json::{Map, Value};
use std::io::IsTerminal;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Members whose values are credentials: hidden unless `--show-secrets`.
pub const SECRET_MEMBERS: [&str; 7] = [
    "access_token",
    "refresh_token",
    "id_token",
    "device_code",
    "client_secret",
    "registration_access_token",
    "code",
];

/// What a hidden value prints as in JSON.
pub const HIDDEN: &str = "[hidden]";

/// Members that are times (seconds since the epoch), shown with their distance from now.
const TIME_MEMBERS: [&str; 6] = [
    "exp",
    "iat",
    "nbf",
    "auth_time",
    "updated_at",
    "client_id_issued_at",
];

/// How to print.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    /// One JSON object on stdout.
    pub json: bool,
    /// Print secrets.
    pub show_secrets: bool,
}

impl From<&OutputArgs> for Output {
    fn from(args: &OutputArgs) -> Self {
        Self {
            json: args.json,
            show_secrets: args.show_secrets,
        }
    }
}

impl Output {
    /// Prints a JSON object (pretty) on stdout.
    pub fn print_object(&self, object: &Map<String, Value>) -> CliResult {
        io::print_json(&Value::Object(object.clone()))
    }

    /// `object` with its secret members hidden, unless `--show-secrets`.
    pub fn redact(&self, object: &Map<String, Value>) -> Map<String, Value> {
        let mut shown = object.clone();
        if !self.show_secrets {
            for name in SECRET_MEMBERS {
                if let Some(value) = shown.get_mut(name)
                    && !value.is_null()
                {
                    *value = Value::String(HIDDEN.into());
                }
            }
        }
        shown
    }

    /// Prints a server response: with `--json` the object (secrets hidden unless asked for),
    /// otherwise one aligned line per member.
    pub fn print_response(&self, title: &str, object: &Map<String, Value>) -> CliResult {
        if self.json {
            return self.print_object(&self.redact(object));
        }
        let mut text = format!("{title}\n");
        text.push_str(&self.lines(object, "  ", Some(object)));
        if !self.show_secrets && SECRET_MEMBERS.iter().any(|m| object.contains_key(*m)) {
            text.push_str("(secrets hidden; --show-secrets prints them)\n");
        }
        io::write_stdout(text.as_bytes())
    }

    /// Prints a token response: with `--json` the response as the server sent it plus the
    /// validated ID Token claims under `id_token_claims`; otherwise the members, the expiry in
    /// words, and the decoded claims.
    pub fn print_tokens(&self, tokens: &TokenResponse, notes: &[(String, String)]) -> CliResult {
        let claims = tokens.claims().map(|c| c.claims().clone());
        if self.json {
            let mut object = self.redact(tokens.body());
            if let Some(claims) = claims {
                object.insert("id_token_claims".into(), Value::Object(claims));
            }
            return self.print_object(&object);
        }
        let body = tokens.body();
        let mut text = String::from("Token response\n");
        text.push_str(&self.lines(body, "  ", Some(body)));
        if let Some(claims) = &claims {
            text.push_str("ID Token claims (signature and claims validated)\n");
            text.push_str(&self.lines(claims, "  ", None));
        }
        for (name, value) in notes {
            text.push_str(&format!("{name}: {value}\n"));
        }
        if !self.show_secrets && SECRET_MEMBERS.iter().any(|m| body.contains_key(*m)) {
            text.push_str("(secrets hidden; --show-secrets prints them)\n");
        }
        io::write_stdout(text.as_bytes())
    }

    /// `name  value` lines, names padded to the longest. `response` is the token response
    /// when the object is one (`expires_in` is then shown as a time).
    fn lines(
        &self,
        object: &Map<String, Value>,
        indent: &str,
        response: Option<&Map<String, Value>>,
    ) -> String {
        let width = object.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        let mut text = String::new();
        for (name, value) in object {
            let shown = self.value(name, value, response.is_some());
            text.push_str(&format!("{indent}{name:<width$}  {shown}\n"));
        }
        text
    }

    fn value(&self, name: &str, value: &Value, in_response: bool) -> String {
        if !self.show_secrets
            && SECRET_MEMBERS.contains(&name)
            && let Value::String(s) = value
        {
            let kind = if s.split('.').count() == 3 {
                "JWT, "
            } else {
                ""
            };
            return format!("[hidden: {kind}{} characters]", s.len());
        }
        let plain = match value {
            Value::String(s) => s.clone(),
            Value::Array(items) if items.iter().all(Value::is_string) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        };
        match (name, value.as_i64()) {
            ("expires_in", Some(seconds)) if in_response => {
                format!("{plain} ({})", expires_in_words(seconds))
            }
            (n, Some(at)) if TIME_MEMBERS.contains(&n) && at > 0 => {
                format!("{plain} ({})", relative_time(at, now()))
            }
            _ => plain,
        }
    }
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A duration in words: `42 seconds`, `1 minute`, `3 hours`, `2 days`.
pub fn duration_words(seconds: u64) -> String {
    let (n, unit) = match seconds {
        0..60 => (seconds, "second"),
        60..3600 => (seconds / 60, "minute"),
        3600..86400 => (seconds / 3600, "hour"),
        _ => (seconds / 86400, "day"),
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// The `expires_in: N (expires in ...)` line on stderr, for values shown while a command
/// waits (device and CIBA).
pub fn eprint_expires_in(seconds: u64) {
    eprintln!(
        "expires_in: {seconds} ({})",
        expires_in_words(i64::try_from(seconds).unwrap_or(i64::MAX))
    );
}

/// `expires in 10 minutes`, `expired`.
pub fn expires_in_words(seconds: i64) -> String {
    match u64::try_from(seconds) {
        Ok(0) | Err(_) => "expired".into(),
        Ok(s) => format!("expires in {}", duration_words(s)),
    }
}

/// `in 10 minutes`, `3 hours ago`, `now`.
pub fn relative_time(at: i64, now: i64) -> String {
    let delta = at.saturating_sub(now);
    if delta == 0 {
        return "now".into();
    }
    let words = duration_words(delta.unsigned_abs());
    if delta > 0 {
        format!("in {words}")
    } else {
        format!("{words} ago")
    }
}

/// Runs `work`, drawing a spinner with `label` and the time waited on stderr while it runs,
/// when stderr is a terminal.
pub async fn with_spinner<T>(label: &str, work: impl Future<Output = T>) -> T {
    if !std::io::stderr().is_terminal() {
        return work.await;
    }
    const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let started = std::time::Instant::now();
    let mut work = std::pin::pin!(work);
    let mut ticker = tokio::time::interval(Duration::from_millis(100));
    let mut frame = 0usize;
    loop {
        tokio::select! {
            out = &mut work => {
                eprint!("\r\x1b[2K");
                return out;
            }
            _ = ticker.tick() => {
                let waited = started.elapsed().as_secs();
                eprint!("\r\x1b[2K{} {label} ({waited} s)", FRAMES[frame % FRAMES.len()]);
                frame = frame.wrapping_add(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration_words(1), "1 second");
        assert_eq!(duration_words(59), "59 seconds");
        assert_eq!(duration_words(600), "10 minutes");
        assert_eq!(duration_words(3600), "1 hour");
        assert_eq!(duration_words(2 * 86400 + 5), "2 days");
        assert_eq!(expires_in_words(0), "expired");
        assert_eq!(expires_in_words(-5), "expired");
        assert_eq!(expires_in_words(120), "expires in 2 minutes");
        assert_eq!(relative_time(1000, 1000), "now");
        assert_eq!(relative_time(1600, 1000), "in 10 minutes");
        assert_eq!(relative_time(1000, 8200), "2 hours ago");
    }

    #[test]
    fn secrets_are_hidden_unless_asked_for() {
        let object: Map<String, Value> = serde_json::from_str(
            r#"{"access_token":"at-secret","refresh_token":"rt-secret","token_type":"Bearer","id_token":null}"#,
        )
        .unwrap();
        let hidden = Output {
            json: true,
            show_secrets: false,
        }
        .redact(&object);
        assert_eq!(hidden["access_token"], HIDDEN);
        assert_eq!(hidden["refresh_token"], HIDDEN);
        assert_eq!(hidden["token_type"], "Bearer");
        assert!(hidden["id_token"].is_null());
        let shown = Output {
            json: true,
            show_secrets: true,
        }
        .redact(&object);
        assert_eq!(shown, object);
    }

    #[test]
    fn human_values_hide_secrets_and_explain_times() {
        let out = Output {
            json: false,
            show_secrets: false,
        };
        assert_eq!(
            out.value("access_token", &Value::from("a.b.c"), true),
            "[hidden: JWT, 5 characters]"
        );
        assert_eq!(
            out.value("expires_in", &Value::from(600), true),
            "600 (expires in 10 minutes)"
        );
        assert_eq!(
            out.value(
                "response_types_supported",
                &serde_json::json!(["code", "code id_token"]),
                false
            ),
            "code, code id_token"
        );
        let exp = now() + 3600;
        assert_eq!(
            out.value("exp", &Value::from(exp), false),
            format!("{exp} (in 1 hour)")
        );
    }
}
