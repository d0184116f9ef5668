//! `jose oauth device`: the device authorization grant (RFC 8628).

use crate::cmd::oauth::common::{self, ClientArgs, Flow, GrantArgs, OutputArgs};
use crate::cmd::oauth::grants::DpopArgs;
use crate::cmd::oauth::output::{self, Output};
use crate::error::{CliError, CliResult};
use clap::{Args, ValueEnum};
use oauth_client::DevicePollOptions;
use std::io::IsTerminal;
use std::time::Duration;

/// `jose oauth device` arguments.
#[derive(Debug, Args)]
pub struct DeviceArgs {
    /// The issuer identifier.
    pub issuer: String,
    /// Polling interval in seconds when the server sends none (RFC 8628 says 5). An
    /// `interval` the server sends always wins, and `slow_down` adds 5 seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub interval: u64,
    /// Stop polling after this many seconds even if the device code is still valid.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Show the verification URI as a QR code on stderr: `auto` when stderr is a terminal.
    #[arg(long, value_enum, default_value_t = QrArg::Auto)]
    pub qr: QrArg,
    #[command(flatten)]
    pub grant: GrantArgs,
    #[command(flatten)]
    pub dpop: DpopArgs,
    #[command(flatten)]
    pub client: ClientArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// When to draw the QR code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum QrArg {
    /// When stderr is a terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The QR code of `data` drawn with Unicode half blocks (two modules per character cell),
/// light modules as blocks so that it reads on dark terminals, with a quiet zone.
pub fn qr_code(data: &str) -> Option<String> {
    use qrcode::render::unicode::Dense1x2;
    let code = qrcode::QrCode::new(data.as_bytes()).ok()?;
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

/// Runs `jose oauth device`.
pub async fn run(args: DeviceArgs) -> CliResult {
    let out = Output::from(&args.output);
    let issuer = common::issuer_url(&args.issuer)?;
    let extra = common::extra_params(&args.client.params, &["grant_type", "device_code"])?;
    let config = common::configure(&issuer, &args.client, Flow::default()).await?;
    let (config, notes) = args.dpop.apply(config)?;
    let params = common::merge_params(args.grant.params(), &extra);
    let device = config
        .initiate_device_authorization(params)
        .await
        .map_err(|e| common::fail(&out, e))?;
    // The user-facing values, on stderr at once: a script can show them while we poll.
    eprintln!("verification_uri: {}", device.verification_uri());
    eprintln!("user_code: {}", device.user_code());
    if let Some(complete) = device.verification_uri_complete() {
        eprintln!("verification_uri_complete: {complete}");
    }
    output::eprint_expires_in(device.expires_in());
    let show_qr = match args.qr {
        QrArg::Always => true,
        QrArg::Never => false,
        QrArg::Auto => std::io::stderr().is_terminal(),
    };
    if show_qr {
        let target = device
            .verification_uri_complete()
            .unwrap_or(device.verification_uri());
        match qr_code(target) {
            Some(code) => eprintln!("{code}"),
            None => eprintln!("(the verification URI is too long for a QR code)"),
        }
    }
    let mut options =
        DevicePollOptions::new().interval_if_absent(Duration::from_secs(args.interval));
    if let Some(timeout) = args.timeout {
        options = options.deadline(Duration::from_secs(timeout));
    }
    // The token request carries the resource indicators again (RFC 8707 §2.2).
    let token_params = args.grant.with_resources(oauth_client::Params::new());
    let label = format!("waiting for the user to enter {}", device.user_code());
    let tokens = output::with_spinner(
        &label,
        config.poll_device_authorization_grant(&device, token_params, options),
    )
    .await
    .map_err(|e| match e {
        oauth_client::Error::Deadline { .. } => CliError::invalid(
            "the user did not finish before the device code expired (or --timeout)",
        ),
        other => common::fail(&out, other),
    })?;
    out.print_tokens(&tokens, &notes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    #[test]
    fn qr_codes_are_unicode_blocks_with_a_quiet_zone() {
        let code = qr_code("https://op.example/device?user_code=WDJB-MJHT").unwrap();
        let lines: Vec<&str> = code.lines().collect();
        // Version 3 (29 modules) plus a quiet zone of 4 on each side; two rows per line.
        let width = lines[0].chars().count();
        assert!(width >= 29 + 8, "{width}");
        assert!(lines.iter().all(|l| l.chars().count() == width));
        assert_eq!(lines.len(), width.div_ceil(2));
        assert!(
            code.chars()
                .all(|c| matches!(c, ' ' | '\u{2580}' | '\u{2584}' | '\u{2588}' | '\n'))
        );
        // The quiet zone is light: full blocks on the first line.
        assert!(lines[0].chars().all(|c| c == '\u{2588}'));
    }
}
