//! The durable journal of imports: a SQLite file in a directory the app chooses.
//!
//! The whole plan (every preview row) is written in one transaction before the first request,
//! and each row's result as it arrives, so an import cut off by closing the app can be listed
//! and resumed: added rows are on the server, the rest are still `pending` here. A row that was
//! being sent when the app closed stays `sending`; on resume it is sent again, and a `409` for
//! it counts as added (the earlier request most likely reached the server).

use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use nfehook_core::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::{KeysError, Result};
use crate::preview::{Preview, RowStatus};

/// File name of the journal inside its directory.
pub const JOURNAL_FILE: &str = "imports.sqlite3";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    connection TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    state TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS import_rows (
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    row INTEGER NOT NULL,
    source TEXT NOT NULL,
    line INTEGER NOT NULL,
    col INTEGER,
    input TEXT NOT NULL,
    chave TEXT,
    state TEXT NOT NULL,
    reason_code TEXT,
    reason TEXT,
    maybe_sent INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (import_id, row)
);
";

/// Which account and subscription an import adds keys to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportTarget {
    /// The app's name for the connection (`sandbox`, a profile id): subscription ids are only
    /// unique within one account.
    pub connection: String,
    /// The subscription's id.
    pub subscription_id: String,
}

/// Where an import stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ImportState {
    /// Planned or running; found in this state after a restart, it was interrupted.
    Running,
    /// Cancelled by the user with rows left to send.
    Cancelled,
    /// Every row has a result.
    Finished,
    /// Closed by the user with rows never sent.
    Dismissed,
}

impl ImportState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Cancelled => "cancelled",
            Self::Finished => "finished",
            Self::Dismissed => "dismissed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "cancelled" => Self::Cancelled,
            "finished" => Self::Finished,
            "dismissed" => Self::Dismissed,
            _ => Self::Running,
        }
    }
}

/// Where one row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RowState {
    /// To be sent.
    Pending,
    /// Sent, answer not recorded yet.
    Sending,
    /// The service accepted it.
    Added,
    /// The service said it is already on the subscription (409).
    Conflict,
    /// The service or the network refused it; see the reason.
    Failed,
    /// Not a valid key (never sent).
    Invalid,
    /// Repeats an earlier row (never sent).
    Duplicate,
    /// Was on the subscription before the import (never sent).
    Existing,
}

impl RowState {
    /// A stable tag (`pending`, `added`, …), as stored and exported.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Added => "added",
            Self::Conflict => "conflict",
            Self::Failed => "failed",
            Self::Invalid => "invalid",
            Self::Duplicate => "duplicate",
            Self::Existing => "existing",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "sending" => Self::Sending,
            "added" => Self::Added,
            "conflict" => Self::Conflict,
            "failed" => Self::Failed,
            "invalid" => Self::Invalid,
            "duplicate" => Self::Duplicate,
            "existing" => Self::Existing,
            _ => Self::Pending,
        }
    }

    /// Whether the row still waits for the service (pending, or cut off while sending).
    #[must_use]
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Sending)
    }
}

/// Row counts of an import by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultCounts {
    /// Rows in the plan.
    pub total: usize,
    /// Not sent yet (pending, or cut off while sending).
    pub pending: usize,
    /// Accepted.
    pub added: usize,
    /// Already there (409).
    pub conflict: usize,
    /// Refused or not reached.
    pub failed: usize,
    /// Invalid in the preview.
    pub invalid: usize,
    /// Repeated in the input.
    pub duplicate: usize,
    /// On the subscription before.
    pub existing: usize,
}

impl ResultCounts {
    fn add(&mut self, state: RowState, n: usize) {
        self.total += n;
        let slot = match state {
            RowState::Pending | RowState::Sending => &mut self.pending,
            RowState::Added => &mut self.added,
            RowState::Conflict => &mut self.conflict,
            RowState::Failed => &mut self.failed,
            RowState::Invalid => &mut self.invalid,
            RowState::Duplicate => &mut self.duplicate,
            RowState::Existing => &mut self.existing,
        };
        *slot += n;
    }
}

/// An import as the journal has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportRecord {
    /// Journal id.
    pub id: i64,
    /// Where the keys go.
    pub target: ImportTarget,
    /// When it was planned (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// Where it stands.
    pub state: ImportState,
    /// Rows by state.
    pub counts: ResultCounts,
}

/// One row of an import with its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultRow {
    /// 1-based row of the preview.
    pub row: usize,
    /// Source name.
    pub source: String,
    /// 1-based line in the source.
    pub line: usize,
    /// Cell column, for delimited files.
    pub column: Option<usize>,
    /// The text as written.
    pub input: String,
    /// The normalised key, for valid keys.
    pub chave: Option<String>,
    /// Where it stands.
    pub state: RowState,
    /// Stable code of the reason (an `ApiError` kind, a key problem code, `duplicate`).
    pub reason_code: Option<String>,
    /// The reason in English.
    pub reason: Option<String>,
}

/// A row to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueuedRow {
    pub row: usize,
    pub chave: String,
    /// A request for it may have reached the server without its answer being recorded.
    pub maybe_sent: bool,
}

/// The journal; cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Journal {
    conn: Mutex<Connection>,
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn to_usize(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// Creates `dir` (and its parents) and `file` readable by their owner only, tightening them
/// when they already exist with looser modes.
fn owner_only(dir: &Path, file: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(file)?;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    {
        // Elsewhere the app's data directory sits in the user's profile, private to them.
        let _ = file;
        std::fs::create_dir_all(dir)?;
    }
    Ok(())
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Journal {
    /// Opens (creating when missing) the journal in `dir`, creating `dir` too.
    ///
    /// # Errors
    /// [`KeysError::JournalDir`] or [`KeysError::Journal`].
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let journal = nfehook_keys::Journal::open(dir.path()).unwrap();
    /// assert!(journal.open_imports("sandbox", None).unwrap().is_empty());
    /// assert!(dir.path().join(nfehook_keys::JOURNAL_FILE).exists());
    /// ```
    ///
    /// The directory is made `0700` and the file `0600` on Unix (SQLite gives its `-wal` and
    /// `-shm` files the database's mode): the journal lists the keys of the user's NF-e.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let file = dir.join(JOURNAL_FILE);
        owner_only(dir, &file).map_err(|source| KeysError::JournalDir {
            path: dir.display().to_string(),
            source,
        })?;
        let conn = Connection::open(file)?;
        // WAL with NORMAL sync survives the process being killed; each result is one commit.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Self::init(conn)
    }

    /// A journal in memory (nothing survives the process), for tests and previews.
    ///
    /// # Errors
    /// [`KeysError::Journal`].
    pub fn in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (each write is a
        // transaction), so a poisoned lock is still usable.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes the plan of an import: every preview row, valid ones `pending`, the others with
    /// their final state. Returns the import's id.
    ///
    /// # Errors
    /// [`KeysError::NothingToImport`] when no row is valid; [`KeysError::Journal`].
    pub fn create(&self, target: &ImportTarget, preview: &Preview) -> Result<i64> {
        if preview.counts.valid == 0 {
            return Err(KeysError::NothingToImport);
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now = now_unix();
        tx.execute(
            "INSERT INTO imports (connection, subscription_id, created_at, updated_at, state)
             VALUES (?1, ?2, ?3, ?3, 'running')",
            params![target.connection, target.subscription_id, now],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut insert = tx.prepare(
                "INSERT INTO import_rows (import_id, row, source, line, col, input, chave, state, reason_code, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for row in &preview.rows {
                let (state, chave, code, reason) = match &row.status {
                    RowStatus::Valid { info } => {
                        (RowState::Pending, Some(info.chave.clone()), None, None)
                    }
                    RowStatus::Invalid { problem } => (
                        RowState::Invalid,
                        None,
                        Some(problem.code().to_owned()),
                        Some(problem.to_string()),
                    ),
                    RowStatus::Duplicate { chave, first_row } => (
                        RowState::Duplicate,
                        Some(chave.clone()),
                        Some("duplicate".to_owned()),
                        Some(format!("same key as row {first_row}")),
                    ),
                    RowStatus::Existing { chave } => (
                        RowState::Existing,
                        Some(chave.clone()),
                        Some("existing".to_owned()),
                        Some("already on the subscription".to_owned()),
                    ),
                };
                insert.execute(params![
                    id,
                    to_i64(row.row),
                    row.origin.source,
                    to_i64(row.origin.line),
                    row.origin.column.map(to_i64),
                    row.input,
                    chave,
                    state.as_str(),
                    code,
                    reason,
                ])?;
            }
        }
        tx.commit()?;
        Ok(id)
    }

    /// One import and its counts.
    ///
    /// # Errors
    /// [`KeysError::UnknownImport`]; [`KeysError::Journal`].
    pub fn import(&self, id: i64) -> Result<ImportRecord> {
        let conn = self.conn();
        Self::record(&conn, id)?.ok_or(KeysError::UnknownImport(id))
    }

    fn record(conn: &Connection, id: i64) -> Result<Option<ImportRecord>> {
        let head = conn
            .query_row(
                "SELECT connection, subscription_id, created_at, updated_at, state FROM imports WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )
            .optional()?;
        let Some((connection, subscription_id, created, updated, state)) = head else {
            return Ok(None);
        };
        let mut counts = ResultCounts::default();
        let mut stmt = conn.prepare_cached(
            "SELECT state, COUNT(*) FROM import_rows WHERE import_id = ?1 GROUP BY state",
        )?;
        let rows = stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (state, n) = row?;
            counts.add(RowState::parse(&state), to_usize(n));
        }
        Ok(Some(ImportRecord {
            id,
            target: ImportTarget {
                connection,
                subscription_id,
            },
            created_at: Timestamp::from_unix(created).to_string(),
            updated_at: Timestamp::from_unix(updated).to_string(),
            state: ImportState::parse(&state),
            counts,
        }))
    }

    /// Imports of `connection` (and of `subscription_id`, when given) that still have rows
    /// not sent: interrupted (`running` found after a restart) or cancelled. Newest first.
    ///
    /// # Errors
    /// [`KeysError::Journal`].
    pub fn open_imports(
        &self,
        connection: &str,
        subscription_id: Option<&str>,
    ) -> Result<Vec<ImportRecord>> {
        let conn = self.conn();
        let ids: Vec<i64> = {
            let mut stmt = conn.prepare_cached(
                "SELECT i.id FROM imports i
                 WHERE i.connection = ?1 AND (?2 IS NULL OR i.subscription_id = ?2)
                   AND i.state IN ('running', 'cancelled')
                   AND EXISTS (SELECT 1 FROM import_rows r WHERE r.import_id = i.id AND r.state IN ('pending', 'sending'))
                 ORDER BY i.id DESC",
            )?;
            stmt.query_map(params![connection, subscription_id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        ids.into_iter()
            .filter_map(|id| Self::record(&conn, id).transpose())
            .collect()
    }

    /// Every row of an import with its result, in row order.
    ///
    /// # Errors
    /// [`KeysError::UnknownImport`]; [`KeysError::Journal`].
    pub fn rows(&self, id: i64) -> Result<Vec<ResultRow>> {
        let conn = self.conn();
        if Self::record(&conn, id)?.is_none() {
            return Err(KeysError::UnknownImport(id));
        }
        let mut stmt = conn.prepare_cached(
            "SELECT row, source, line, col, input, chave, state, reason_code, reason
             FROM import_rows WHERE import_id = ?1 ORDER BY row",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(ResultRow {
                row: to_usize(r.get(0)?),
                source: r.get(1)?,
                line: to_usize(r.get(2)?),
                column: r.get::<_, Option<i64>>(3)?.map(to_usize),
                input: r.get(4)?,
                chave: r.get(5)?,
                state: RowState::parse(&r.get::<_, String>(6)?),
                reason_code: r.get(7)?,
                reason: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Marks an import as closed by the user; its unsent rows stay listed in its results.
    ///
    /// # Errors
    /// [`KeysError::UnknownImport`]; [`KeysError::Journal`].
    pub fn dismiss(&self, id: i64) -> Result<()> {
        self.set_state(id, ImportState::Dismissed)
    }

    /// Puts the failed rows of an import back to `pending` (to send them again) and returns
    /// how many.
    ///
    /// # Errors
    /// [`KeysError::UnknownImport`]; [`KeysError::Journal`].
    pub fn retry_failed(&self, id: i64) -> Result<usize> {
        let conn = self.conn();
        if Self::record(&conn, id)?.is_none() {
            return Err(KeysError::UnknownImport(id));
        }
        let n = conn.execute(
            "UPDATE import_rows SET state = 'pending', reason_code = NULL, reason = NULL
             WHERE import_id = ?1 AND state = 'failed'",
            [id],
        )?;
        if n > 0 {
            conn.execute(
                "UPDATE imports SET state = 'running', updated_at = ?2 WHERE id = ?1",
                params![id, now_unix()],
            )?;
        }
        Ok(n)
    }

    pub(crate) fn set_state(&self, id: i64, state: ImportState) -> Result<()> {
        let conn = self.conn();
        let n = conn.execute(
            "UPDATE imports SET state = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, state.as_str(), now_unix()],
        )?;
        if n == 0 {
            return Err(KeysError::UnknownImport(id));
        }
        Ok(())
    }

    /// The target and the rows still to send.
    pub(crate) fn queue(&self, id: i64) -> Result<(ImportTarget, Vec<QueuedRow>)> {
        let conn = self.conn();
        let record = Self::record(&conn, id)?.ok_or(KeysError::UnknownImport(id))?;
        let mut stmt = conn.prepare_cached(
            "SELECT row, chave, state, maybe_sent FROM import_rows
             WHERE import_id = ?1 AND state IN ('pending', 'sending') AND chave IS NOT NULL ORDER BY row",
        )?;
        let rows = stmt.query_map([id], |r| {
            let state: String = r.get(2)?;
            Ok(QueuedRow {
                row: to_usize(r.get(0)?),
                chave: r.get(1)?,
                maybe_sent: state == "sending" || r.get::<_, i64>(3)? != 0,
            })
        })?;
        let rows = rows.collect::<rusqlite::Result<_>>()?;
        Ok((record.target, rows))
    }

    /// Records a row's state; `maybe_sent` whether a request for it may have reached the
    /// server unanswered.
    pub(crate) fn set_row(
        &self,
        id: i64,
        row: usize,
        state: RowState,
        reason: Option<(&str, &str)>,
        maybe_sent: bool,
    ) -> Result<()> {
        let conn = self.conn();
        conn.execute(
            "UPDATE import_rows SET state = ?3, reason_code = ?4, reason = ?5, maybe_sent = ?6
             WHERE import_id = ?1 AND row = ?2",
            params![
                id,
                to_i64(row),
                state.as_str(),
                reason.map(|r| r.0),
                reason.map(|r| r.1),
                i64::from(maybe_sent),
            ],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn the_journal_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data").join("tools");
        let journal = Journal::open(&dir).unwrap();
        let target = ImportTarget {
            connection: "sandbox".into(),
            subscription_id: "s".into(),
        };
        let preview = Preview::build(
            &[crate::ImportSource::text(
                "colado",
                "52060433009911002506550120000007800267301615",
            )],
            &[],
        )
        .unwrap();
        journal.create(&target, &preview).unwrap();
        assert_eq!(mode(&dir), 0o700);
        for name in [JOURNAL_FILE, "imports.sqlite3-wal", "imports.sqlite3-shm"] {
            assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
        }
        drop(journal);

        // Made by an older version with the default umask: tightened on open.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let file = dir.join(JOURNAL_FILE);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let journal = Journal::open(&dir).unwrap();
        assert_eq!((mode(&dir), mode(&file)), (0o700, 0o600));
        assert_eq!(journal.open_imports("sandbox", None).unwrap().len(), 1);
    }
}
