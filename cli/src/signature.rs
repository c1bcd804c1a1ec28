//! `nfehook sign` and `nfehook verify`: the signature header of a body, and the verdict on a
//! captured body and header.

use std::io::Read;
use std::path::PathBuf;

use crate::error::{CliError, Result};

/// Options of `nfehook sign`.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// Webhook secret (or NFEHOOK_SECRET).
    #[arg(long, env = "NFEHOOK_SECRET", hide_env_values = true)]
    pub secret: String,
    /// File with the raw body; standard input when absent.
    #[arg(long, alias = "file")]
    pub body: Option<PathBuf>,
}

/// Options of `nfehook verify`.
#[derive(Debug, clap::Args)]
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

/// Prints whether the header verifies, or fails with the exact reason.
pub fn verify(args: &VerifyArgs, json: bool) -> Result<()> {
    let body = read_body(args.body.as_ref())?;
    nfehook_core::verify(&args.secret, body, &args.header).map_err(CliError::Signature)?;
    if json {
        println!("{}", serde_json::json!({ "valid": true }));
    } else {
        println!("ok: signature verifies");
    }
    Ok(())
}
