//! Bulk import of NF-e keys: preview of pasted text and opened files, the import itself in the
//! background with progress events, cancel, resume after a restart, and the results as CSV.

use std::sync::Arc;

use base64ct::{Base64, Encoding};
use nfehook_keys::{
    CancellationToken, ImportEvent, ImportOptions, ImportRecord, ImportSource, ImportTarget,
    Importer, Journal, MAX_SOURCE_BYTES, Preview, PreviewPage, ResultRow, results_csv,
};
use serde::{Deserialize, Serialize};

use crate::client::map_error;
use crate::error::{DesktopError, Result};
use crate::tools::{Emit, Exported, Tools, lock};

/// One source as the webview sends it: pasted text, or a file read in the webview.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceInput {
    /// File name, or a label for pasted text.
    pub name: String,
    /// Pasted text.
    #[serde(default)]
    pub text: Option<String>,
    /// File bytes in base64.
    #[serde(default)]
    pub base64: Option<String>,
}

/// A preview's id (to page through it and import it) and its first page: the rows cross to
/// the webview a page at a time, never all at once.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewView {
    /// Pass to `preview_page` and `start_import`.
    pub preview_id: u64,
    /// The first rows, the counts of the whole preview and the skipped lines.
    pub page: PreviewPage,
}

/// An import with rows not sent yet, and whether it is running now.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenImport {
    /// The import.
    pub record: ImportRecord,
    /// Whether it is running in this process.
    pub running: bool,
}

fn invalid_source(name: &str, problem: &str) -> DesktopError {
    DesktopError::Validation {
        message: Some(format!("{name}: {problem}")),
        fields: [("source".to_owned(), vec![problem.to_owned()])].into(),
    }
}

fn expired_preview() -> DesktopError {
    DesktopError::NotFound {
        message: Some("this preview was already imported or has expired".to_owned()),
    }
}

/// Runs journal work (SQLite reads and writes of up to every row of an import) on the
/// blocking pool, off the thread that serves the window.
async fn on_journal<T: Send + 'static>(
    journal: &Arc<Journal>,
    work: impl FnOnce(&Journal) -> nfehook_keys::Result<T> + Send + 'static,
) -> Result<T> {
    let journal = Arc::clone(journal);
    tauri::async_runtime::spawn_blocking(move || work(&journal))
        .await
        .map_err(|err| DesktopError::Storage(std::io::Error::other(err.to_string())))?
        .map_err(import_error)
}

/// The sources as `nfehook-keys` reads them; a file's base64 is refused past
/// [`MAX_SOURCE_BYTES`] before it is decoded.
fn parse_sources(sources: Vec<SourceInput>) -> Result<Vec<ImportSource>> {
    let mut parsed = Vec::with_capacity(sources.len());
    for source in sources {
        match (source.text, source.base64) {
            (Some(text), _) => parsed.push(ImportSource::text(source.name, text)),
            (None, Some(b64)) => {
                let b64 = b64.trim();
                if b64.len() / 4 * 3 > MAX_SOURCE_BYTES + 3 {
                    return Err(invalid_source(&source.name, "too_large"));
                }
                let bytes = Base64::decode_vec(b64)
                    .map_err(|_| invalid_source(&source.name, "not_base64"))?;
                parsed.push(ImportSource::file(source.name, bytes));
            }
            (None, None) => return Err(invalid_source(&source.name, "empty")),
        }
    }
    Ok(parsed)
}

/// Classifies the sources' rows against `existing` on the blocking pool (a large file takes a
/// while).
async fn build_preview(parsed: Vec<ImportSource>, existing: Vec<String>) -> Result<Preview> {
    tauri::async_runtime::spawn_blocking(move || Preview::build(&parsed, &existing))
        .await
        .map_err(|err| DesktopError::Storage(std::io::Error::other(err.to_string())))?
        .map_err(|err| DesktopError::Validation {
            message: Some(err.to_string()),
            fields: [("source".to_owned(), vec![err.code().to_owned()])].into(),
        })
}

fn import_error(err: nfehook_keys::KeysError) -> DesktopError {
    match err {
        nfehook_keys::KeysError::NothingToImport => DesktopError::Validation {
            message: Some(err.to_string()),
            fields: [("import".to_owned(), vec!["nothing_to_import".to_owned()])].into(),
        },
        nfehook_keys::KeysError::UnknownImport(_) => DesktopError::NotFound {
            message: Some(err.to_string()),
        },
        other => DesktopError::Storage(std::io::Error::other(other.to_string())),
    }
}

impl Tools {
    /// Reads the sources and classifies every row against the subscription's current keys
    /// (on the blocking pool: a large file takes a while); the preview is kept in the
    /// [`PreviewStore`](nfehook_keys::PreviewStore) and its first page returned.
    pub async fn preview_import(
        &self,
        subscription_id: &str,
        sources: Vec<SourceInput>,
    ) -> Result<PreviewView> {
        let parsed = parse_sources(sources)?;
        let (endpoint, client) = self.client().await?;
        let existing = client
            .list_chaves(subscription_id)
            .await
            .map_err(map_error)?;
        let preview = build_preview(parsed, existing).await?;
        let target = ImportTarget {
            connection: endpoint.id,
            subscription_id: subscription_id.to_owned(),
        };
        let (preview_id, page) = self.previews.insert(target, preview);
        Ok(PreviewView { preview_id, page })
    }

    /// Reads the sources and checks every key with no subscription (nothing is "already
    /// there"): the keys workspace's validation of a pasted list or a file, kept to be read a
    /// page at a time like an import preview.
    pub async fn check_keys(&self, sources: Vec<SourceInput>) -> Result<PreviewView> {
        let parsed = parse_sources(sources)?;
        let preview = build_preview(parsed, Vec::new()).await?;
        let (preview_id, page) = self.checks.insert((), preview);
        Ok(PreviewView { preview_id, page })
    }

    /// Rows `offset..offset + limit` of a kept check of keys.
    pub fn check_keys_page(
        &self,
        check_id: u64,
        offset: usize,
        limit: usize,
    ) -> Result<PreviewPage> {
        self.checks
            .page(check_id, offset, limit)
            .ok_or_else(expired_preview)
    }

    /// Rows `offset..offset + limit` of a kept preview (at most
    /// [`MAX_PAGE_ROWS`](nfehook_keys::MAX_PAGE_ROWS)).
    pub fn preview_page(
        &self,
        preview_id: u64,
        offset: usize,
        limit: usize,
    ) -> Result<PreviewPage> {
        self.previews
            .page(preview_id, offset, limit)
            .ok_or_else(expired_preview)
    }

    /// Journals the preview's plan (on the blocking pool) and starts sending its valid rows
    /// in the background; returns the import's id. Progress goes to `emit`.
    pub async fn start_import(&self, preview_id: u64, emit: Emit<ImportEvent>) -> Result<i64> {
        let (target, preview) = self.previews.take(preview_id).ok_or_else(expired_preview)?;
        let id = on_journal(&self.journal()?, move |journal| {
            journal.create(&target, &preview)
        })
        .await?;
        self.run_import(id, emit).await?;
        Ok(id)
    }

    /// Sends the rest of an interrupted or cancelled import, in the background.
    pub async fn resume_import(&self, import_id: i64, emit: Emit<ImportEvent>) -> Result<()> {
        let record = self.journal()?.import(import_id).map_err(import_error)?;
        let endpoint = self.endpoint().await?;
        if record.target.connection != endpoint.id {
            return Err(DesktopError::InvalidConnection {
                reason: "this import belongs to another connection; switch to it to resume"
                    .to_owned(),
            });
        }
        self.run_import(import_id, emit).await
    }

    async fn run_import(&self, import_id: i64, emit: Emit<ImportEvent>) -> Result<()> {
        let (_, client) = self.client().await?;
        let cancel = CancellationToken::new();
        {
            let mut imports = lock(&self.imports);
            if imports.contains_key(&import_id) {
                return Err(DesktopError::Conflict {
                    message: Some("this import is already running".to_owned()),
                });
            }
            imports.insert(import_id, cancel.clone());
        }
        let importer =
            Importer::new(Arc::new(client), self.journal()?).with_options(ImportOptions::default());
        let imports = Arc::clone(&self.imports);
        let running = Arc::clone(&imports);
        tauri::async_runtime::spawn(async move {
            let sink = Arc::clone(&emit);
            let on_event = move |event: ImportEvent| {
                // Not running any more once the UI hears it ended.
                if matches!(event, ImportEvent::Ended { .. }) {
                    lock(&running).remove(&import_id);
                }
                sink(event);
            };
            if let Err(err) = importer.run(import_id, cancel, on_event).await {
                // The journal failed: the rows keep their last recorded state.
                eprintln!("nfehook-desktop: import {import_id} stopped: {err}");
            }
            lock(&imports).remove(&import_id);
        });
        Ok(())
    }

    /// Stops a running import: no new request starts; unsent rows stay listed.
    pub fn cancel_import(&self, import_id: i64) -> bool {
        match lock(&self.imports).get(&import_id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Imports of the subscription (on the active connection) with rows not sent yet:
    /// running now, or interrupted (the app was closed) or cancelled.
    pub async fn open_imports(&self, subscription_id: &str) -> Result<Vec<OpenImport>> {
        let endpoint = self.endpoint().await?;
        let running = lock(&self.imports).keys().copied().collect::<Vec<_>>();
        Ok(self
            .journal()?
            .open_imports(&endpoint.id, Some(subscription_id))
            .map_err(import_error)?
            .into_iter()
            .map(|record| OpenImport {
                running: running.contains(&record.id),
                record,
            })
            .collect())
    }

    /// An import as the journal has it, and whether it is running now.
    pub fn import_status(&self, import_id: i64) -> Result<(ImportRecord, bool)> {
        let record = self.journal()?.import(import_id).map_err(import_error)?;
        Ok((record, lock(&self.imports).contains_key(&import_id)))
    }

    /// Every row of an import with its result (read on the blocking pool).
    pub async fn import_results(&self, import_id: i64) -> Result<Vec<ResultRow>> {
        on_journal(&self.journal()?, move |journal| journal.rows(import_id)).await
    }

    /// The results as CSV text (to copy).
    pub async fn import_results_csv(&self, import_id: i64) -> Result<String> {
        Ok(results_csv(&self.import_results(import_id).await?))
    }

    /// Writes the results CSV to the export folder.
    pub async fn export_import_results(&self, import_id: i64) -> Result<Exported> {
        let rows = self.import_results(import_id).await?;
        self.export(
            &format!("nfehook-importacao-{import_id}.csv"),
            &results_csv(&rows),
            rows.len(),
        )
    }

    /// Closes an import whose unsent rows the user gives up on.
    pub fn dismiss_import(&self, import_id: i64) -> Result<()> {
        self.journal()?.dismiss(import_id).map_err(import_error)
    }
}
