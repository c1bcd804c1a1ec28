//! Bulk import of NF-e keys: preview of pasted text and opened files, the import itself in the
//! background with progress events, cancel, resume after a restart, and the results as CSV.

use std::sync::Arc;

use base64ct::{Base64, Encoding};
use nfehook_keys::{
    CancellationToken, ImportEvent, ImportOptions, ImportRecord, ImportSource, ImportTarget,
    Importer, Preview, ResultRow, results_csv,
};
use serde::{Deserialize, Serialize};

use crate::client::map_error;
use crate::error::{DesktopError, Result};
use crate::tools::{Emit, Exported, HeldPreview, Tools, lock};

/// Largest file accepted for a preview (an NF-e XML is a few tens of kB).
pub const MAX_SOURCE_BYTES: usize = 20 * 1024 * 1024;

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

/// A preview and the id to import it with.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewView {
    /// Pass to `start_import`.
    pub preview_id: u64,
    /// Every row and skipped line.
    pub preview: Preview,
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
    /// Reads the sources and classifies every row against the subscription's current keys.
    pub async fn preview_import(
        &self,
        subscription_id: &str,
        sources: Vec<SourceInput>,
    ) -> Result<PreviewView> {
        let mut parsed = Vec::with_capacity(sources.len());
        for source in sources {
            match (source.text, source.base64) {
                (Some(text), _) => parsed.push(ImportSource::text(source.name, text)),
                (None, Some(b64)) => {
                    let bytes = Base64::decode_vec(b64.trim())
                        .map_err(|_| invalid_source(&source.name, "not_base64"))?;
                    if bytes.len() > MAX_SOURCE_BYTES {
                        return Err(invalid_source(&source.name, "too_large"));
                    }
                    parsed.push(ImportSource::file(source.name, bytes));
                }
                (None, None) => return Err(invalid_source(&source.name, "empty")),
            }
        }
        let (endpoint, client) = self.client()?;
        let existing = client
            .list_chaves(subscription_id)
            .await
            .map_err(map_error)?;
        let preview =
            Preview::build(&parsed, &existing).map_err(|err| DesktopError::Validation {
                message: Some(err.to_string()),
                fields: [("source".to_owned(), vec![err.code().to_owned()])].into(),
            })?;
        let preview_id = {
            let mut next = lock(&self.next_preview);
            *next += 1;
            *next
        };
        lock(&self.previews).insert(
            preview_id,
            HeldPreview {
                connection: endpoint.id,
                subscription_id: subscription_id.to_owned(),
                preview: preview.clone(),
            },
        );
        Ok(PreviewView {
            preview_id,
            preview,
        })
    }

    /// Journals the preview's plan and starts sending its valid rows in the background;
    /// returns the import's id. Progress goes to `emit`.
    pub fn start_import(&self, preview_id: u64, emit: Emit<ImportEvent>) -> Result<i64> {
        let held =
            lock(&self.previews)
                .remove(&preview_id)
                .ok_or_else(|| DesktopError::NotFound {
                    message: Some("this preview was already imported or has expired".to_owned()),
                })?;
        let target = ImportTarget {
            connection: held.connection,
            subscription_id: held.subscription_id,
        };
        let id = self
            .journal
            .create(&target, &held.preview)
            .map_err(import_error)?;
        self.run_import(id, emit)?;
        Ok(id)
    }

    /// Sends the rest of an interrupted or cancelled import, in the background.
    pub fn resume_import(&self, import_id: i64, emit: Emit<ImportEvent>) -> Result<()> {
        let record = self.journal.import(import_id).map_err(import_error)?;
        let endpoint = self.endpoint()?;
        if record.target.connection != endpoint.id {
            return Err(DesktopError::InvalidConnection {
                reason: "this import belongs to another connection; switch to it to resume"
                    .to_owned(),
            });
        }
        self.run_import(import_id, emit)
    }

    fn run_import(&self, import_id: i64, emit: Emit<ImportEvent>) -> Result<()> {
        let (_, client) = self.client()?;
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
        let importer = Importer::new(Arc::new(client), Arc::clone(&self.journal))
            .with_options(ImportOptions::default());
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
    pub fn open_imports(&self, subscription_id: &str) -> Result<Vec<OpenImport>> {
        let endpoint = self.endpoint()?;
        let running = lock(&self.imports).keys().copied().collect::<Vec<_>>();
        Ok(self
            .journal
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
        let record = self.journal.import(import_id).map_err(import_error)?;
        Ok((record, lock(&self.imports).contains_key(&import_id)))
    }

    /// Every row of an import with its result.
    pub fn import_results(&self, import_id: i64) -> Result<Vec<ResultRow>> {
        self.journal.rows(import_id).map_err(import_error)
    }

    /// The results as CSV text (to copy).
    pub fn import_results_csv(&self, import_id: i64) -> Result<String> {
        Ok(results_csv(&self.import_results(import_id)?))
    }

    /// Writes the results CSV to the export folder.
    pub fn export_import_results(&self, import_id: i64) -> Result<Exported> {
        let rows = self.import_results(import_id)?;
        self.export(
            &format!("nfehook-importacao-{import_id}.csv"),
            &results_csv(&rows),
            rows.len(),
        )
    }

    /// Closes an import whose unsent rows the user gives up on.
    pub fn dismiss_import(&self, import_id: i64) -> Result<()> {
        self.journal.dismiss(import_id).map_err(import_error)
    }
}
