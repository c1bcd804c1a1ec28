//! The state behind the tools screens (NF-e keys and bulk import, test events, sandbox
//! deliveries, the webhook inspector), with no window around it. The logic lives in the plain
//! crates `nfehook-keys` and `nfehook-inspector`; this holds their long-lived parts (the import
//! journal, running imports, the inspector) and talks to the active connection through
//! `nfehook-client`. Every method is called by one thin command in [`crate::tool_commands`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use nfehook_client::Client;
use nfehook_inspector::RunningInspector;
use nfehook_keys::{CancellationToken, ImportTarget, Journal, PreviewStore};
use serde::Serialize;

use crate::desktop::{ActiveEndpoint, Desktop};
use crate::error::{DesktopError, Result};

/// Directory (inside the app's data dir) of the import journal and the inspector history.
pub const TOOLS_DIR: &str = "tools";

/// A progress callback (a Tauri channel to the webview in the app).
pub type Emit<T> = Arc<dyn Fn(T) + Send + Sync>;

/// The inspector while it runs, with the label of the secret it checks with.
pub(crate) struct InspectorSlot {
    pub running: RunningInspector,
    pub secret_label: Option<String>,
    /// Forwards its requests to the inspector view that watches (one at a time).
    pub forward: Option<tauri::async_runtime::JoinHandle<()>>,
}

/// Long-lived state of the keys, import, test-event and inspector features.
pub struct Tools {
    pub(crate) desktop: Arc<Desktop>,
    /// Opened on first use, so the window does not wait for SQLite.
    journal: OnceLock<Arc<Journal>>,
    pub(crate) dir: PathBuf,
    pub(crate) export_dir: PathBuf,
    pub(crate) imports: Arc<Mutex<HashMap<i64, CancellationToken>>>,
    /// Previews until imported, a few at a time and for a while, read page by page (the
    /// webview sends back a preview's id, not its rows).
    pub(crate) previews: PreviewStore<ImportTarget>,
    /// Checks of many keys with no subscription (the keys workspace), read page by page too.
    pub(crate) checks: PreviewStore<()>,
    pub(crate) inspector: tokio::sync::Mutex<Option<InspectorSlot>>,
}

/// First id of a check of keys: far from the import previews' ids (from 1), so the id of a
/// check given to `start_import` is never an import preview's.
const CHECK_IDS_FROM: u64 = 1 << 40;

impl std::fmt::Debug for Tools {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tools")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A file written for the user (CSV of results, list of keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    /// Where it was written.
    pub path: String,
    /// Rows or keys in it.
    pub count: usize,
}

impl Tools {
    /// The tools' state with their files in `data_dir/tools` (the journal is opened there on
    /// first use); exported files go to `export_dir` (the user's Downloads folder in the app).
    pub fn new(desktop: Arc<Desktop>, data_dir: &Path, export_dir: PathBuf) -> Self {
        Self {
            desktop,
            journal: OnceLock::new(),
            dir: data_dir.join(TOOLS_DIR),
            export_dir,
            imports: Arc::default(),
            previews: PreviewStore::default(),
            checks: PreviewStore::default().starting_at(CHECK_IDS_FROM),
            inspector: tokio::sync::Mutex::new(None),
        }
    }

    /// The import journal, opened the first time it is needed.
    pub(crate) fn journal(&self) -> Result<Arc<Journal>> {
        if let Some(journal) = self.journal.get() {
            return Ok(Arc::clone(journal));
        }
        let opened = Journal::open(&self.dir)
            .map_err(|e| DesktopError::Storage(std::io::Error::other(e.to_string())))?;
        // Two first uses at once may both open it; one of them is kept.
        Ok(Arc::clone(self.journal.get_or_init(|| Arc::new(opened))))
    }

    /// The active connection.
    pub(crate) async fn endpoint(&self) -> Result<ActiveEndpoint> {
        self.desktop.active_endpoint().await
    }

    /// The active connection and its client, from the app's one client cache.
    pub(crate) async fn client(&self) -> Result<(ActiveEndpoint, Client)> {
        self.desktop.client().await
    }

    /// Writes `text` to `export_dir/name` and returns where.
    pub(crate) fn export(&self, name: &str, text: &str, count: usize) -> Result<Exported> {
        std::fs::create_dir_all(&self.export_dir)?;
        let path = self.export_dir.join(name);
        std::fs::write(&path, text)?;
        Ok(Exported {
            path: path.display().to_string(),
            count,
        })
    }
}
