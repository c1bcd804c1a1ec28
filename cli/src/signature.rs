//! `nfehook sign` and `nfehook verify`: the signature header of a body, and the verdict on a
//! captured body and header.

use std::io::Read;
use std::path::PathBuf;

use crate::error::{CliError, Result};

/// Options of `nfehook sign`. No `Debug`: they hold the secret.
#[derive(clap::Args)]
pub struct SignArgs {
    /// Webhook secret (or NFEHOOK_SECRET).
    #[arg(long, env = "NFEHOOK_SECRET", hide_env_values = true)]
    pub secret: String,
    /// File with the raw body; standard input when absent.
    #[arg(long, alias = "file")]
    pub body: Option<PathBuf>,
}

/// Options of `nfehook verify`. No `Debug`: they hold the secret.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// Webhook secret (or NFEHOOK_SECRET).
    #[arg(long, env = "NFEHOOK_SECRET", hide_env_values = true)]
    pub secret: String,
    /// The signature header value received, e.g. `sha256=…`.
    #[arg(long, alias = "signature")]
    pub header: String,
    /// File with the raw body; standard input when absent.
    #[arg(long, alias = "file")]
    pub body: Option<PathBuf>,
    /// Also read the body as a delivery of either dialect and refuse it when its `timestamp`
    /// is further than this many seconds from --now (default 300 when only --now is given).
    #[arg(long, value_name = "SECS")]
    pub tolerance: Option<u64>,
    /// The time to judge the timestamp against: Unix seconds or RFC 3339 UTC
    /// (`2024-03-10T16:50:00Z`); the system clock when absent. Implies the delivery check.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<i64>,
}

/// Reads `--now`: Unix seconds, or an RFC 3339 UTC timestamp.
fn parse_now(text: &str) -> std::result::Result<i64, String> {
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(seconds);
    }
    nfehook_core::Timestamp::parse(text)
        .map(|t| t.unix_seconds())
        .map_err(|error| format!("expected Unix seconds or RFC 3339 UTC, got {text:?}: {error}"))
}

/// Bound on a body read from a file or standard input: deliveries are small JSON documents.
pub const MAX_BODY: u64 = 8 * 1024 * 1024;

/// Reads a body from `file`, or standard input when `None`, refusing more than [`MAX_BODY`].
pub fn read_body(file: Option<&PathBuf>) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    let (what, result) = match file {
        Some(path) => (
            path.display().to_string(),
            std::fs::File::open(path).and_then(|f| f.take(MAX_BODY + 1).read_to_end(&mut body)),
        ),
        None => (
            "standard input".to_owned(),
            std::io::stdin().take(MAX_BODY + 1).read_to_end(&mut body),
        ),
    };
    result.map_err(|source| CliError::Read {
        what: what.clone(),
        source,
    })?;
    if body.len() as u64 > MAX_BODY {
        return Err(CliError::Read {
            what,
            source: std::io::Error::other(format!("larger than {MAX_BODY} bytes")),
        });
    }
    Ok(body)
}

/// Prints the signature header value of the body.
pub fn sign(args: &SignArgs, json: bool) -> Result<()> {
    let header = nfehook_core::sign(&args.secret, read_body(args.body.as_ref())?);
    if json {
        println!("{}", serde_json::json!({ "signature": header }));
    } else {
        println!("{header}");
    }
    Ok(())
}

/// Prints whether the header verifies (and, with --tolerance or --now, whether the body is a
/// fresh delivery), or fails with the exact reason.
pub fn verify(args: &VerifyArgs, json: bool) -> Result<()> {
    let body = read_body(args.body.as_ref())?;
    if args.tolerance.is_none() && args.now.is_none() {
        nfehook_core::verify(&args.secret, body, &args.header).map_err(CliError::Signature)?;
        if json {
            println!("{}", serde_json::json!({ "valid": true }));
        } else {
            println!("ok: signature verifies");
        }
        return Ok(());
    }
    let tolerance = args
        .tolerance
        .unwrap_or(nfehook_core::DEFAULT_TOLERANCE_SECS);
    let now = args.now.unwrap_or_else(crate::output::now_unix);
    let verifier = nfehook_core::Verifier::new(&args.secret)?;
    let event = nfehook_core::verify_event(&verifier, &body, &args.header, now, tolerance)
        .map_err(CliError::Event)?;
    let age = now - event.timestamp.unix_seconds();
    if json {
        println!(
            "{}",
            serde_json::json!({
                "valid": true,
                "event": event.event.as_str(),
                "chave": event.data.nfe_chave(),
                "dialect": event.dialect().as_str(),
                "timestamp": event.timestamp.to_string(),
                "ageSecs": age,
            })
        );
    } else {
        println!(
            "ok: signature verifies; {} {} produced at {} ({age} s before the time judged, \
             tolerance {tolerance} s)",
            event.event,
            event.data.nfe_chave(),
            event.timestamp
        );
    }
    Ok(())
}
