//! `nfehook chave`: decodes and validates NF-e access keys given on the command line, or
//! found in a text, CSV or NF-e XML file by nfehook-keys' import parser.

use std::collections::HashSet;
use std::path::PathBuf;

use nfehook_core::{ChaveAcesso, ChaveError, YearMonth};
use nfehook_keys::{ImportSource, Origin};

use crate::error::{CliError, Result};

/// Options of `nfehook chave`.
#[derive(clap::Args)]
pub struct ChaveArgs {
    /// The 44-character keys (separators and an `NFe` prefix are accepted unless --strict).
    #[arg(required_unless_present = "file", conflicts_with = "file", num_args = 1..=10_000)]
    pub keys: Vec<String>,
    /// Read the keys from a text, CSV or NF-e XML file instead (each with its line), and end
    /// with a summary.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Print one CSV line per key (`chave,valid,error`, then `line,column` with --file)
    /// instead of the fields.
    #[arg(long)]
    pub csv: bool,
    /// Apply the issue-time rules of the tax authority (exact 44 characters, dates up to --today).
    #[arg(long)]
    pub strict: bool,
    /// Reference month of the strict rules, `YYYY-MM` (implies --strict); the current month
    /// (UTC) when absent.
    #[arg(long, value_parser = parse_year_month)]
    pub today: Option<YearMonth>,
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

fn parse_year_month(text: &str) -> std::result::Result<YearMonth, String> {
    let bad = || format!("expected YYYY-MM, got {text:?}");
    let (year, month) = text.split_once('-').ok_or_else(bad)?;
    let year: u16 = year.parse().map_err(|_| bad())?;
    let month: u8 = month.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&month) {
        return Err(bad());
    }
    Ok(YearMonth { year, month })
}

/// Checks every key, prints each verdict, and fails when any is invalid.
pub fn run(args: &ChaveArgs, json: bool) -> Result<()> {
    if json && args.csv {
        return Err(CliError::Usage(
            "--json and --csv exclude each other".into(),
        ));
    }
    let today =
        (args.strict || args.today.is_some()).then(|| args.today.unwrap_or_else(current_month));
    if let Some(path) = &args.file {
        return run_file(path, today, json, args.csv);
    }
    let mut first_error = None;
    let mut invalid = 0usize;
    if args.csv {
        println!("chave,valid,error");
    }
    for key in &args.keys {
        let parsed = match today {
            Some(today) => ChaveAcesso::parse_strict(key, today),
            None => ChaveAcesso::parse(key),
        };
        print_chave(key, &parsed, json, args.csv, None);
        if let Err(error) = parsed {
            invalid += 1;
            first_error.get_or_insert(error);
        }
    }
    if args.keys.len() > 1 && !json && !args.csv {
        println!("{} keys, {invalid} invalid", args.keys.len());
    }
    match first_error {
        Some(_) if json => Err(CliError::Chaves {
            invalid,
            total: args.keys.len(),
        }),
        Some(error) => Err(CliError::Chave(error)),
        None => Ok(()),
    }
}

/// Prints one key's verdict: its fields, or the error, as text, a JSON line or a CSV line;
/// with the place in the file it came from, when it came from one.
fn print_chave(
    input: &str,
    parsed: &Result<ChaveAcesso, ChaveError>,
    json: bool,
    csv: bool,
    origin: Option<&Origin>,
) {
    let csv_origin = origin.map_or_else(String::new, |o| {
        format!(
            ",{},{}",
            o.line,
            o.column.map_or_else(String::new, |c| c.to_string())
        )
    });
    let style = crate::output::Style::detect(json || csv);
    let with_origin = |mut value: serde_json::Value| {
        if let Some(origin) = origin {
            value["line"] = origin.line.into();
            value["column"] = origin.column.into();
        }
        value
    };
    match (parsed, json, csv) {
        (Ok(chave), _, true) => println!("{},true,{csv_origin}", chave.as_str()),
        (Err(error), _, true) => println!(
            "{},false,\"{}\"{csv_origin}",
            csv_field(input),
            error.to_string().replace('"', "\"\"")
        ),
        (Ok(chave), true, _) => println!("{}", with_origin(chave_json(chave))),
        (Err(error), true, _) => println!(
            "{}",
            with_origin(serde_json::json!({ "chave": input, "valid": false, "error": error }))
        ),
        (Ok(chave), false, false) if origin.is_some() => println!(
            "{}: {} {}: {} {:04}-{:02} modelo {} serie {} numero {}",
            place(origin),
            chave.as_str(),
            style.good("valid"),
            chave.uf(),
            chave.ano(),
            chave.mes(),
            chave.modelo(),
            chave.serie(),
            chave.numero()
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
        (Err(error), false, false) if origin.is_some() => {
            println!(
                "{}: {input}: {}: {error}",
                place(origin),
                style.bad("invalid")
            );
        }
        (Err(error), false, false) => println!("{input}: {}: {error}", style.bad("invalid")),
    }
}

/// `line N` or `line N, column M`.
fn place(origin: Option<&Origin>) -> String {
    match origin {
        Some(Origin {
            line,
            column: Some(column),
            ..
        }) => format!("line {line}, column {column}"),
        Some(origin) => format!("line {}", origin.line),
        None => String::new(),
    }
}

/// Checks every key found in `path`, prints each verdict and a summary.
fn run_file(path: &PathBuf, today: Option<YearMonth>, json: bool, csv: bool) -> Result<()> {
    let bytes = crate::signature::read_body(Some(path))?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let attempts = ImportSource::file(name, bytes).attempts()?;
    if attempts.candidates.is_empty() {
        let why = attempts
            .skipped
            .iter()
            .find(|s| !s.excerpt.is_empty() && s.reason != nfehook_keys::SkipReason::NoKey)
            .map_or_else(String::new, |s| {
                format!(" ({}: {})", place(Some(&s.origin)), s.excerpt)
            });
        return Err(CliError::Usage(format!(
            "no NF-e key found in {}{why}",
            path.display()
        )));
    }
    if csv {
        println!("chave,valid,error,line,column");
    }
    let (mut valid, mut invalid, mut repeated) = (0usize, 0usize, 0usize);
    let mut seen = HashSet::new();
    for candidate in &attempts.candidates {
        let parsed = match today {
            Some(today) => ChaveAcesso::parse_strict(&candidate.input, today),
            None => ChaveAcesso::parse(&candidate.input),
        };
        print_chave(
            &candidate.input,
            &parsed,
            json,
            csv,
            Some(&candidate.origin),
        );
        match &parsed {
            Ok(chave) if !seen.insert(chave.as_str().to_owned()) => {
                valid += 1;
                repeated += 1;
            }
            Ok(_) => valid += 1,
            Err(_) => invalid += 1,
        }
    }
    let total = attempts.candidates.len();
    let skipped = attempts.skipped.len();
    if json {
        println!(
            "{}",
            serde_json::json!({ "summary": {
                "file": path.display().to_string(),
                "keys": total,
                "valid": valid,
                "invalid": invalid,
                "repeated": repeated,
                "skippedLines": skipped,
            }})
        );
    } else if !csv {
        println!(
            "{} in {}: {valid} valid, {invalid} invalid, {repeated} repeated; {} without a key",
            crate::output::count(total, "key", "keys"),
            path.display(),
            crate::output::count(skipped, "line", "lines"),
        );
    }
    if invalid > 0 {
        return Err(CliError::Chaves { invalid, total });
    }
    Ok(())
}

/// The fields of a valid key as a JSON object.
fn chave_json(chave: &ChaveAcesso) -> serde_json::Value {
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
}

/// Quotes a CSV field when it holds a comma, quote or line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
