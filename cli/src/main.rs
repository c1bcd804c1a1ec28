//! `nfehook`: the command line of NFeHook.
//!
//! Exit codes: 0 ok, 1 verification failed, 2 usage error, 3 API error.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nfehook_core::{ChaveAcesso, YearMonth};

/// Exit code of a signature or key that does not verify.
const EXIT_VERIFY: u8 = 1;
/// Exit code of bad usage or unreadable input.
const EXIT_USAGE: u8 = 2;

/// Signs and verifies ValidaNFe webhook deliveries and checks NF-e access keys.
#[derive(Parser)]
#[command(name = "nfehook", version, about)]
struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Prints the signature header value (`sha256=…`) of a body.
    Sign {
        /// Webhook secret (or NFEHOOK_SECRET).
        #[arg(long, env = "NFEHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// File with the raw body; standard input when absent.
        #[arg(long, alias = "file")]
        body: Option<PathBuf>,
    },
    /// Checks a signature header value against a raw body.
    Verify {
        /// Webhook secret (or NFEHOOK_SECRET).
        #[arg(long, env = "NFEHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// The signature header value received, e.g. `sha256=…`.
        #[arg(long, alias = "signature")]
        header: String,
        /// File with the raw body; standard input when absent.
        #[arg(long, alias = "file")]
        body: Option<PathBuf>,
    },
    /// Validates an NF-e access key (chave de acesso) and shows its fields.
    Chave {
        /// The 44-character keys (separators and an `NFe` prefix are accepted unless --strict).
        #[arg(required = true, num_args = 1..=10_000)]
        keys: Vec<String>,
        /// Print one CSV line per key (`chave,valid,error`) instead of the fields.
        #[arg(long, conflicts_with = "json")]
        csv: bool,
        /// Apply the issue-time rules of the tax authority (exact 44 characters, dates up to --today).
        #[arg(long)]
        strict: bool,
        /// Reference month of the strict rules, `YYYY-MM` (implies --strict); the current month
        /// (UTC) when absent.
        #[arg(long, value_parser = parse_year_month)]
        today: Option<YearMonth>,
    },
}

/// Everything that ends a command early, each with its exit code.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("cannot read {what}: {source}")]
    Read {
        what: String,
        source: std::io::Error,
    },
    #[error("invalid key: {0}")]
    Chave(nfehook_core::ChaveError),
    #[error("signature does not verify: {0}")]
    Signature(nfehook_core::SignatureError),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            Self::Read { .. } => EXIT_USAGE,
            Self::Chave(_) | Self::Signature(_) => EXIT_VERIFY,
        }
    }
}

/// The current UTC month, read off the HTTP date of the system clock (`Wed, 02 Dec 2026 …`).
fn current_month() -> YearMonth {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let mut parts = date.split(' ').skip(2);
    let month = parts
        .next()
        .and_then(|m| MONTHS.iter().position(|name| *name == m))
        .map_or(1, |index| u8::try_from(index + 1).unwrap_or(1));
    let year = parts
        .next()
        .and_then(|y| y.parse().ok())
        .unwrap_or(u16::MAX);
    YearMonth { year, month }
}

fn parse_year_month(text: &str) -> Result<YearMonth, String> {
    let bad = || format!("expected YYYY-MM, got {text:?}");
    let (year, month) = text.split_once('-').ok_or_else(bad)?;
    let year: u16 = year.parse().map_err(|_| bad())?;
    let month: u8 = month.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&month) {
        return Err(bad());
    }
    Ok(YearMonth { year, month })
}

/// Bound on a body read from a file or standard input: deliveries are small JSON documents.
const MAX_BODY: u64 = 8 * 1024 * 1024;

fn read_body(file: Option<&PathBuf>) -> Result<Vec<u8>, CliError> {
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

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Sign { secret, body } => {
            let header = nfehook_core::sign(secret, read_body(body.as_ref())?);
            if cli.json {
                println!("{}", serde_json::json!({ "signature": header }));
            } else {
                println!("{header}");
            }
        }
        Command::Verify {
            secret,
            header,
            body,
        } => {
            let body = read_body(body.as_ref())?;
            nfehook_core::verify(secret, body, &header).map_err(CliError::Signature)?;
            if cli.json {
                println!("{}", serde_json::json!({ "valid": true }));
            } else {
                println!("ok: signature verifies");
            }
        }
        Command::Chave {
            keys,
            strict,
            csv,
            today,
        } => {
            let today = (strict || today.is_some()).then(|| today.unwrap_or_else(current_month));
            let mut first_error = None;
            let mut invalid = 0usize;
            if csv {
                println!("chave,valid,error");
            }
            for key in &keys {
                let parsed = match today {
                    Some(today) => ChaveAcesso::parse_strict(key, today),
                    None => ChaveAcesso::parse(key),
                };
                print_chave(key, &parsed, cli.json, csv);
                if let Err(error) = parsed {
                    invalid += 1;
                    first_error.get_or_insert(error);
                }
            }
            if keys.len() > 1 && !cli.json && !csv {
                println!("{} keys, {invalid} invalid", keys.len());
            }
            if let Some(error) = first_error {
                return Err(CliError::Chave(error));
            }
        }
    }
    Ok(())
}

/// Prints one key's verdict: its fields, or the error, as text, a JSON line or a CSV line.
fn print_chave(
    input: &str,
    parsed: &Result<ChaveAcesso, nfehook_core::ChaveError>,
    json: bool,
    csv: bool,
) {
    match (parsed, json, csv) {
        (Ok(chave), _, true) => println!("{},true,", chave.as_str()),
        (Err(error), _, true) => println!(
            "{},false,\"{}\"",
            csv_field(input),
            error.to_string().replace('"', "\"\"")
        ),
        (Ok(chave), true, _) => println!(
            "{}",
            serde_json::json!({
                "chave": chave.as_str(),
                "valid": true,
                "uf": chave.uf().to_string(),
                "ano": chave.ano(),
                "mes": chave.mes(),
                "emitente": chave.emitente().to_string(),
                "modelo": chave.modelo().to_string(),
                "serie": chave.serie(),
                "numero": chave.numero(),
            })
        ),
        (Err(error), true, _) => println!(
            "{}",
            serde_json::json!({ "chave": input, "valid": false, "error": error.to_string() })
        ),
        (Ok(chave), false, false) => {
            println!("chave     {}", chave.grouped());
            println!("uf        {}", chave.uf());
            println!("aamm      {:04}-{:02}", chave.ano(), chave.mes());
            println!("emitente  {}", chave.emitente());
            println!("modelo    {}", chave.modelo());
            println!("serie     {}", chave.serie());
            println!("numero    {}", chave.numero());
        }
        (Err(error), false, false) => println!("{input}: invalid: {error}"),
    }
}

/// Quotes a CSV field when it holds a comma, quote or line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if json && matches!(error, CliError::Chave(_)) {
                // Each key's verdict is already one JSON line on standard output.
            } else if json {
                println!("{}", serde_json::json!({ "error": error.to_string() }));
            } else {
                eprintln!("nfehook: {error}");
            }
            ExitCode::from(error.exit_code())
        }
    }
}
