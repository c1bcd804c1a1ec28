//! Running an import: the planned rows are sent with bounded concurrency, a `429` pauses every
//! worker for the service's `Retry-After`, a cancel stops new requests, and each result is
//! written to the [`Journal`] as it arrives.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use nfehook_client::ApiError;
use nfehook_core::ChaveAcesso;
use serde::Serialize;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::api::KeyApi;
use crate::error::{KeysError, Result};
use crate::journal::{ImportRecord, ImportState, Journal, QueuedRow, RowState};

/// How an import is paced.
///
/// ```
/// let options = nfehook_keys::ImportOptions::default();
/// assert_eq!(options.concurrency, 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// Requests in flight at most.
    pub concurrency: usize,
    /// `429` answers one row may get before it is recorded as failed.
    pub max_rate_limited: u32,
    /// Wait after a `429` without `Retry-After`, doubled for each further one of the row.
    pub backoff_base: Duration,
    /// Longest wait honoured for one `429` (a longer `Retry-After` is cut to this).
    pub max_wait: Duration,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            concurrency: 4,
            max_rate_limited: 8,
            backoff_base: Duration::from_secs(1),
            max_wait: Duration::from_secs(300),
        }
    }
}

/// Progress of a running import, for a UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ImportEvent {
    /// The run began with `queued` rows to send.
    #[serde(rename_all = "camelCase")]
    Started {
        /// The import.
        import_id: i64,
        /// Rows to send in this run.
        queued: usize,
    },
    /// A row has its result.
    #[serde(rename_all = "camelCase")]
    Row {
        /// The import.
        import_id: i64,
        /// The row.
        row: usize,
        /// The key sent.
        chave: String,
        /// `added`, `conflict` or `failed`.
        state: RowState,
        /// Stable code of the reason, when not added.
        reason_code: Option<String>,
        /// The reason, when not added.
        reason: Option<String>,
    },
    /// The service asked to slow down; every worker waits `wait_ms`.
    #[serde(rename_all = "camelCase")]
    RateLimited {
        /// The import.
        import_id: i64,
        /// The row that got the `429` (sent again after the wait).
        row: usize,
        /// The wait, in milliseconds.
        wait_ms: u64,
    },
    /// The run ended (finished, or cancelled with rows left).
    #[serde(rename_all = "camelCase")]
    Ended {
        /// The import as the journal has it now.
        record: ImportRecord,
    },
}

/// Runs imports against a [`KeyApi`], recording in a [`Journal`].
pub struct Importer<A> {
    api: Arc<A>,
    journal: Arc<Journal>,
    options: ImportOptions,
    running: Arc<Mutex<HashSet<i64>>>,
}

impl<A> Clone for Importer<A> {
    fn clone(&self) -> Self {
        Self {
            api: Arc::clone(&self.api),
            journal: Arc::clone(&self.journal),
            options: self.options,
            running: Arc::clone(&self.running),
        }
    }
}

impl<A> std::fmt::Debug for Importer<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Importer")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What a run's workers share.
struct Run<A> {
    api: Arc<A>,
    journal: Arc<Journal>,
    options: ImportOptions,
    import_id: i64,
    subscription_id: String,
    queue: Mutex<VecDeque<Queued>>,
    /// No request starts before this instant (a `429`'s `Retry-After`).
    gate: Mutex<Instant>,
    cancel: CancellationToken,
    on_event: Arc<dyn Fn(ImportEvent) + Send + Sync>,
}

struct Queued {
    row: QueuedRow,
    rate_limited: u32,
}

/// Removes the import from the running set when the run ends, even by panic or drop.
struct RunningGuard {
    running: Arc<Mutex<HashSet<i64>>>,
    id: i64,
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        lock(&self.running).remove(&self.id);
    }
}

impl<A: KeyApi> Importer<A> {
    /// An importer with the default [`ImportOptions`].
    pub fn new(api: Arc<A>, journal: Arc<Journal>) -> Self {
        Self {
            api,
            journal,
            options: ImportOptions::default(),
            running: Arc::default(),
        }
    }

    /// Replaces the options.
    #[must_use]
    pub fn with_options(mut self, options: ImportOptions) -> Self {
        self.options = ImportOptions {
            concurrency: options.concurrency.max(1),
            ..options
        };
        self
    }

    /// The journal the importer records in.
    #[must_use]
    pub fn journal(&self) -> &Arc<Journal> {
        &self.journal
    }

    /// Whether the import is running in this process.
    #[must_use]
    pub fn is_running(&self, import_id: i64) -> bool {
        lock(&self.running).contains(&import_id)
    }

    /// Sends every row of the import still to send (all of a new import; the rest of an
    /// interrupted or cancelled one) and returns the import as recorded at the end.
    ///
    /// `cancel` stops it: no new request starts, requests in flight finish and are recorded,
    /// unsent rows stay `pending` and the import is `cancelled`. `on_event` receives progress.
    ///
    /// # Errors
    /// [`KeysError::UnknownImport`], [`KeysError::AlreadyRunning`], [`KeysError::Journal`].
    pub async fn run(
        &self,
        import_id: i64,
        cancel: CancellationToken,
        on_event: impl Fn(ImportEvent) + Send + Sync + 'static,
    ) -> Result<ImportRecord> {
        if !lock(&self.running).insert(import_id) {
            return Err(KeysError::AlreadyRunning(import_id));
        }
        let _guard = RunningGuard {
            running: Arc::clone(&self.running),
            id: import_id,
        };
        let (target, rows) = self.journal.queue(import_id)?;
        self.journal.set_state(import_id, ImportState::Running)?;
        let on_event: Arc<dyn Fn(ImportEvent) + Send + Sync> = Arc::new(on_event);
        on_event(ImportEvent::Started {
            import_id,
            queued: rows.len(),
        });
        let run = Arc::new(Run {
            api: Arc::clone(&self.api),
            journal: Arc::clone(&self.journal),
            options: self.options,
            import_id,
            subscription_id: target.subscription_id,
            queue: Mutex::new(
                rows.into_iter()
                    .map(|row| Queued {
                        row,
                        rate_limited: 0,
                    })
                    .collect(),
            ),
            gate: Mutex::new(Instant::now()),
            cancel: cancel.child_token(),
            on_event: Arc::clone(&on_event),
        });
        let mut workers = JoinSet::new();
        for _ in 0..self.options.concurrency {
            workers.spawn(Arc::clone(&run).work());
        }
        let mut failure = None;
        while let Some(joined) = workers.join_next().await {
            let outcome = joined.unwrap_or_else(|err| {
                if err.is_panic() {
                    std::panic::resume_unwind(err.into_panic());
                }
                Ok(())
            });
            if let Err(err) = outcome {
                run.cancel.cancel();
                failure.get_or_insert(err);
            }
        }
        if let Some(err) = failure {
            return Err(err);
        }
        let left = !lock(&run.queue).is_empty();
        let state = if left {
            ImportState::Cancelled
        } else {
            ImportState::Finished
        };
        self.journal.set_state(import_id, state)?;
        let record = self.journal.import(import_id)?;
        on_event(ImportEvent::Ended {
            record: record.clone(),
        });
        Ok(record)
    }
}

impl<A: KeyApi> Run<A> {
    async fn work(self: Arc<Self>) -> Result<()> {
        loop {
            if self.cancel.is_cancelled() || !self.wait_gate().await {
                return Ok(());
            }
            let Some(mut item) = lock(&self.queue).pop_front() else {
                return Ok(());
            };
            let row = item.row.row;
            let Ok(chave) = ChaveAcesso::parse(&item.row.chave) else {
                // Only valid keys are planned; a journal edited by hand could hold anything.
                self.finish(
                    &item,
                    RowState::Failed,
                    Some(("invalidChave", "not a valid key")),
                    false,
                )?;
                continue;
            };
            self.journal
                .set_row(self.import_id, row, RowState::Sending, None, true)?;
            match self.api.add_chave(&self.subscription_id, chave).await {
                Ok(()) => self.finish(&item, RowState::Added, None, false)?,
                // A 409 after an earlier request whose answer was lost: that request added it.
                Err(ApiError::Conflict { .. }) if item.row.maybe_sent => {
                    self.finish(&item, RowState::Added, None, false)?;
                }
                Err(err @ ApiError::Conflict { .. }) => {
                    let message = err.to_string();
                    self.finish(
                        &item,
                        RowState::Conflict,
                        Some((err.kind(), &message)),
                        false,
                    )?;
                }
                Err(ApiError::RateLimited { retry_after })
                    if item.rate_limited < self.options.max_rate_limited =>
                {
                    item.rate_limited += 1;
                    let wait = retry_after
                        .unwrap_or_else(|| {
                            self.options
                                .backoff_base
                                .saturating_mul(1 << (item.rate_limited - 1).min(16))
                        })
                        .min(self.options.max_wait);
                    {
                        let mut gate = lock(&self.gate);
                        *gate = (*gate).max(Instant::now() + wait);
                    }
                    // A 429 was not processed: the row is plainly pending again.
                    self.journal.set_row(
                        self.import_id,
                        row,
                        RowState::Pending,
                        None,
                        item.row.maybe_sent,
                    )?;
                    (self.on_event)(ImportEvent::RateLimited {
                        import_id: self.import_id,
                        row,
                        wait_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    });
                    lock(&self.queue).push_front(item);
                }
                Err(err) => {
                    // Without a definite answer the key may have been added.
                    let unsure = matches!(
                        err,
                        ApiError::Network { .. }
                            | ApiError::Timeout
                            | ApiError::Server { .. }
                            | ApiError::UnexpectedStatus { .. }
                    );
                    let message = err.to_string();
                    let maybe_sent = item.row.maybe_sent || unsure;
                    self.finish(
                        &item,
                        RowState::Failed,
                        Some((err.kind(), &message)),
                        maybe_sent,
                    )?;
                }
            }
        }
    }

    /// Waits until the rate-limit gate opens; `false` when cancelled meanwhile.
    async fn wait_gate(&self) -> bool {
        loop {
            let until = *lock(&self.gate);
            if until <= Instant::now() {
                return true;
            }
            tokio::select! {
                () = tokio::time::sleep_until(until) => {}
                () = self.cancel.cancelled() => return false,
            }
        }
    }

    fn finish(
        &self,
        item: &Queued,
        state: RowState,
        reason: Option<(&str, &str)>,
        maybe_sent: bool,
    ) -> Result<()> {
        self.journal
            .set_row(self.import_id, item.row.row, state, reason, maybe_sent)?;
        (self.on_event)(ImportEvent::Row {
            import_id: self.import_id,
            row: item.row.row,
            chave: item.row.chave.clone(),
            state,
            reason_code: reason.map(|r| r.0.to_owned()),
            reason: reason.map(|r| r.1.to_owned()),
        });
        Ok(())
    }
}
