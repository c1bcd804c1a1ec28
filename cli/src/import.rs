//! `nfehook chaves import`: adds every key of a text, CSV or NF-e XML file to a subscription
//! with nfehook-keys' importer — bounded concurrency, a `429` pausing every worker for the
//! service's `Retry-After`, each result written to a journal so that an interrupted import
//! resumes with `--resume` — with a progress bar on a terminal and the per-row results at the
//! end, as the desktop's import shows them.

use std::path::PathBuf;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use nfehook_keys::{
    CancellationToken, ImportEvent, ImportOptions, ImportSource, ImportTarget, Importer, Journal,
    Preview, RowState,
};
use serde_json::json;

use crate::api::ApiArgs;
use crate::error::{CliError, Result};
use crate::output::{Style, count};

/// Options of `nfehook chaves import`.
#[derive(clap::Args)]
pub struct ImportArgs {
    /// Subscription id (UUID).
    pub subscription: String,
    /// The file: text, CSV or NF-e XML.
    #[arg(required_unless_present = "resume", conflicts_with = "resume")]
    pub file: Option<PathBuf>,
    /// Continue the newest interrupted import of this subscription instead of a file.
    #[arg(long)]
    pub resume: bool,
    /// Directory of the import journal (SQLite); the user's state directory when absent.
    #[arg(long, value_name = "DIR")]
    pub journal: Option<PathBuf>,
    /// Requests in flight at most.
    #[arg(long, value_name = "N", default_value_t = ImportOptions::default().concurrency)]
    pub concurrency: usize,
    /// Also write every row's result to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
}

/// `$XDG_STATE_HOME/nfehook`, else `~/.local/state/nfehook`, else a temporary directory.
fn default_journal_dir() -> PathBuf {
    if let Some(state) = std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(state).join("nfehook");
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => PathBuf::from(home).join(".local/state/nfehook"),
        None => std::env::temp_dir().join("nfehook"),
    }
}

/// Runs the import and prints its results.
pub async fn run(api: &ApiArgs, args: ImportArgs, json: bool) -> Result<()> {
    let client = api.client()?;
    let dir = args.journal.clone().unwrap_or_else(default_journal_dir);
    let journal = Arc::new(Journal::open(&dir)?);
    // Subscription ids are unique within one account only: the base URL names the account.
    let target = ImportTarget {
        connection: api.base_url.trim_end_matches('/').to_owned(),
        subscription_id: args.subscription.clone(),
    };
    let import_id = match &args.file {
        Some(path) => {
            let bytes = crate::signature::read_body(Some(path))?;
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let existing = client.list_chaves(&args.subscription).await?;
            let preview = Preview::build(&[ImportSource::file(name, bytes)], &existing)?;
            if preview.rows.is_empty() {
                return Err(CliError::Usage(format!(
                    "no NF-e key found in {}",
                    path.display()
                )));
            }
            journal.create(&target, &preview)?
        }
        None => journal
            .open_imports(&target.connection, Some(&target.subscription_id))?
            .first()
            .map(|record| record.id)
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "no interrupted import of subscription {} in {}",
                    args.subscription,
                    dir.display()
                ))
            })?,
    };
    let importer =
        Importer::new(Arc::new(client), Arc::clone(&journal)).with_options(ImportOptions {
            concurrency: args.concurrency,
            ..ImportOptions::default()
        });
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} keys {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    let progress = bar.clone();
    let record = importer
        .run(import_id, cancel, move |event| {
            on_event(&progress, &event, json)
        })
        .await?;
    bar.finish_and_clear();

    let rows = journal.rows(import_id)?;
    if let Some(path) = &args.results {
        std::fs::write(path, nfehook_keys::results_csv(&rows)).map_err(|source| {
            CliError::Read {
                what: path.display().to_string(),
                source,
            }
        })?;
    }
    let c = &record.counts;
    if json {
        crate::output::json_line(&json!({ "import": record, "rows": rows }));
    } else {
        let style = Style::detect(false);
        for row in rows.iter().filter(|r| r.state != RowState::Added) {
            let place = row.column.map_or_else(
                || format!("line {}", row.line),
                |c| format!("line {}, column {c}", row.line),
            );
            println!(
                "{} {place}: {} {}{}",
                row.source,
                row.input,
                style.bad(row.state.as_str()),
                row.reason
                    .as_deref()
                    .map_or_else(String::new, |r| format!(": {r}"))
            );
        }
        println!(
            "import {}: {}: {} added, {} already there, {} existing, {} invalid, {} duplicate, \
             {} failed, {} pending",
            record.id,
            count(c.total, "row", "rows"),
            c.added,
            c.conflict,
            c.existing,
            c.invalid,
            c.duplicate,
            c.failed,
            c.pending
        );
        if c.pending > 0 {
            println!(
                "continue it with: nfehook chaves import {} --resume",
                args.subscription
            );
        }
    }
    if c.failed > 0 || c.pending > 0 {
        return Err(CliError::ImportIncomplete {
            import_id: record.id,
            failed: c.failed,
            pending: c.pending,
        });
    }
    if c.invalid > 0 {
        return Err(CliError::Chaves {
            invalid: c.invalid,
            total: c.total,
        });
    }
    Ok(())
}

/// Moves the bar, and reports a rate limit (on standard error, or as a JSON line).
fn on_event(bar: &ProgressBar, event: &ImportEvent, json: bool) {
    match event {
        ImportEvent::Started { queued, .. } => bar.set_length(*queued as u64),
        ImportEvent::Row { .. } => {
            bar.set_message("");
            bar.inc(1);
        }
        ImportEvent::RateLimited { wait_ms, .. } => {
            if json {
                crate::output::json_line(&json!(event));
            } else {
                bar.suspend(|| {
                    eprintln!("rate limited (429): every request waits {wait_ms} ms");
                });
            }
            bar.set_message(format!("(waiting {wait_ms} ms: 429)"));
        }
        ImportEvent::Ended { .. } => {}
    }
}
