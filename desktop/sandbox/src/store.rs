//! SQLite storage: subscriptions, their NF-e keys, the account webhook, deliveries and
//! delivery attempts.
//!
//! One connection behind a mutex; every call runs on tokio's blocking pool so the async
//! tasks of the server never wait on disk. Times are Unix milliseconds.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::config::Storage;
use nfehook_core::Dialect;

use crate::delivery::{AttemptOutcome, dialect_from_name};
use crate::error::{Result, SandboxError};

/// Newest schema version this build writes. Version 2 added the account webhook, the
/// `dialect` of a delivery (an account delivery has no subscription) and the `expired` status;
/// version 3 the `outcome` of an attempt (recorded as `in_flight` before it is sent).
const SCHEMA_VERSION: i64 = 3;

/// Columns and constraints of `deliveries`, shared by a new database and the migration.
const DELIVERIES_TABLE: &str = "(
    id              TEXT PRIMARY KEY,
    dialect         TEXT NOT NULL CHECK (dialect IN ('subscription', 'account')),
    subscription_id TEXT,
    url             TEXT NOT NULL,
    event           TEXT NOT NULL,
    nfe_chave       TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL
                    CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled', 'expired')),
    attempts_made   INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    created_at      INTEGER NOT NULL,
    completed_at    INTEGER,
    CHECK ((dialect = 'subscription') = (subscription_id IS NOT NULL))
)";

/// Version 1 to 2: `deliveries` rebuilt with the new columns and checks (SQLite cannot alter a
/// constraint in place); every existing delivery is a subscription delivery.
const MIGRATE_1_TO_2: &str = "
INSERT INTO deliveries_v2 (id, dialect, subscription_id, url, event, nfe_chave, body, status,
                           attempts_made, next_attempt_at, created_at, completed_at)
SELECT id, 'subscription', subscription_id, url, event, nfe_chave, body, status,
       attempts_made, next_attempt_at, created_at, completed_at
FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v2 RENAME TO deliveries;
";

/// The outcomes an attempt can have, as stored (see [`AttemptOutcome`]); a macro so that the
/// schema and the migration, both string literals, share it.
macro_rules! outcome_check {
    () => {
        "CHECK (outcome IN ('in_flight', 'succeeded', 'failed', 'interrupted'))"
    };
}

/// Version 2 to 3: every attempt recorded so far had finished; it failed when it has an error.
fn migrate_2_to_3(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    tx.execute_batch(concat!(
        "ALTER TABLE attempts ADD COLUMN outcome TEXT NOT NULL DEFAULT 'failed' ",
        outcome_check!(),
        ";\nUPDATE attempts SET outcome = 'succeeded' WHERE error IS NULL;"
    ))?;
    tx.pragma_update(None, "user_version", 3)?;
    tx.commit()
}

const SCHEMA: &str = concat!(
    "
CREATE TABLE IF NOT EXISTS subscriptions (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    url              TEXT NOT NULL UNIQUE,
    is_active        INTEGER NOT NULL,
    events           TEXT NOT NULL,
    secret           TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    last_delivery_at INTEGER
);
CREATE TABLE IF NOT EXISTS subscription_chaves (
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
    nfe_chave       TEXT NOT NULL,
    added_at        INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, nfe_chave)
);
CREATE TABLE IF NOT EXISTS account_webhook (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    url        TEXT NOT NULL,
    events     TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS deliveries_subscription ON deliveries (subscription_id);
CREATE TABLE IF NOT EXISTS attempts (
    delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    status_code INTEGER,
    latency_ms  INTEGER NOT NULL,
    error       TEXT,
    outcome     TEXT NOT NULL ",
    outcome_check!(),
    ",
    PRIMARY KEY (delivery_id, number)
);
"
);

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub(crate) struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

/// A subscription as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SubscriptionRow {
    pub id: String,
    pub name: String,
    pub url: String,
    pub is_active: bool,
    pub events: Vec<String>,
    pub secret: String,
    pub created_at: i64,
    pub last_delivery_at: Option<i64>,
    pub chaves_count: u64,
}

/// Changes to a subscription; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub(crate) struct SubscriptionChanges {
    pub name: Option<String>,
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub is_active: Option<bool>,
}

/// Why a write of a subscription was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteOutcome {
    Done,
    NotFound,
    UrlTaken,
}

/// Result of adding or removing an NF-e key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChaveOutcome {
    Done,
    SubscriptionNotFound,
    /// Add: the key is already there. Remove: the key is not there.
    Conflict,
}

/// State of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Pending,
    Delivered,
    Failed,
    Cancelled,
    Expired,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Delivered => "delivered",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
            Status::Expired => "expired",
        }
    }

    fn parse(text: &str) -> Status {
        match text {
            "delivered" => Status::Delivered,
            "failed" => Status::Failed,
            "cancelled" => Status::Cancelled,
            "expired" => Status::Expired,
            _ => Status::Pending,
        }
    }
}

/// The account webhook as stored (at most one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccountWebhookRow {
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A subscription picked for a new delivery.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub subscription_id: String,
    pub url: String,
}

/// A new delivery to store.
#[derive(Debug, Clone)]
pub(crate) struct NewDelivery {
    pub id: String,
    pub dialect: Dialect,
    /// `None` for the account webhook.
    pub subscription_id: Option<String>,
    pub url: String,
    pub event: String,
    pub nfe_chave: String,
    pub body: String,
}

/// A delivery whose next attempt is due, with what the attempt needs.
#[derive(Clone)]
pub(crate) struct DueDelivery {
    pub id: String,
    pub dialect: Dialect,
    pub subscription_id: Option<String>,
    pub url: String,
    pub body: String,
    pub secret: String,
    pub attempts_made: u32,
    pub created_at: i64,
}

impl std::fmt::Debug for DueDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DueDelivery")
            .field("id", &self.id)
            .field("dialect", &self.dialect)
            .field("subscription_id", &self.subscription_id)
            .field("attempts_made", &self.attempts_made)
            .finish_non_exhaustive()
    }
}

/// One attempt, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttemptRow {
    pub number: u32,
    pub started_at: i64,
    pub status_code: Option<u16>,
    pub latency_ms: u64,
    pub error: Option<String>,
    pub outcome: AttemptOutcome,
}

/// What an attempt leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AfterAttempt {
    Delivered,
    Failed,
    RetryAt(i64),
    /// The next attempt would fall outside the delivery horizon.
    Expired,
}

/// A delivery with its attempts, as stored.
#[derive(Debug, Clone)]
pub(crate) struct DeliveryRow {
    pub id: String,
    pub dialect: Dialect,
    pub subscription_id: Option<String>,
    pub url: String,
    pub event: String,
    pub nfe_chave: String,
    pub body: String,
    pub status: Status,
    pub attempts_made: u32,
    pub next_attempt_at: Option<i64>,
    pub created_at: i64,
    pub completed_at: Option<i64>,
    pub attempts: Vec<AttemptRow>,
}

impl Store {
    /// Opens (creating when needed) the database and brings its schema up to date.
    pub(crate) fn open(storage: &Storage) -> Result<Self> {
        let mut conn = match storage {
            Storage::InMemory => Connection::open_in_memory()?,
            Storage::File(path) => {
                owner_only(path)?;
                Connection::open(path)?
            }
        };
        // WAL with synchronous=NORMAL survives a killed process (only an OS crash can lose
        // the last commits); the busy timeout covers a second process opening the file.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(SandboxError::SchemaVersion {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        if version == 1 {
            migrate_1_to_2(&mut conn)?;
        }
        if (1..=2).contains(&version) {
            migrate_2_to_3(&mut conn)?;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS deliveries {DELIVERIES_TABLE};{SCHEMA}"
        ))?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        interrupt_in_flight(&tx)?;
        tx.commit()?;
        if let Storage::File(path) = storage {
            // WAL mode has created `-wal` and `-shm` by now; SQLite gives them the main file's
            // mode, and this covers ones an older sandbox left with a looser one.
            owner_only(path)?;
        }
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` with the connection on the blocking pool.
    pub(crate) async fn call<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let value = tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut guard)
        })
        .await??;
        Ok(value)
    }
}

/// Makes the database file (created empty when missing, so SQLite never creates it with the
/// umask's mode), its `-wal` and `-shm` files and a directory created for it readable by the
/// owner only: the file holds every subscription's secret. An existing directory is left as
/// it is, since it may be the user's working directory.
#[cfg(unix)]
fn owner_only(path: &std::path::Path) -> Result<()> {
    use std::fs::{DirBuilder, OpenOptions, Permissions};
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

    let failed = |source| SandboxError::DatabaseFile {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty())
        && !dir.exists()
    {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(failed)?;
    }
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
        .map_err(failed)?;
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        match std::fs::set_permissions(&file, Permissions::from_mode(0o600)) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            other => other.map_err(failed)?,
        }
    }
    Ok(())
}

/// Other systems have no Unix modes; the file keeps what the platform gives it.
#[cfg(not(unix))]
fn owner_only(_path: &std::path::Path) -> Result<()> {
    Ok(())
}

/// What an attempt left `in_flight` by an earlier run says: that run stopped (or was killed)
/// after sending it and before its outcome was recorded, so the receiver may have got it.
pub(crate) const INTERRUPTED: &str =
    "interrupted: the sandbox stopped before this attempt's outcome was recorded";

/// Marks `interrupted` every attempt an earlier run left `in_flight` (nothing is in flight
/// while the store opens: the dispatcher of this run has not started), and counts it on its
/// delivery, so the delivery's next attempt takes the next number.
fn interrupt_in_flight(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE deliveries SET attempts_made = attempts_made + 1
         WHERE id IN (SELECT a.delivery_id FROM attempts a
                      WHERE a.outcome = 'in_flight' AND a.number = deliveries.attempts_made + 1)",
        [],
    )?;
    tx.execute(
        "UPDATE attempts SET outcome = 'interrupted', error = ?1 WHERE outcome = 'in_flight'",
        [INTERRUPTED],
    )?;
    Ok(())
}

/// Rebuilds `deliveries` in one transaction, with foreign keys off meanwhile so that dropping
/// the old table does not cascade to `attempts` (SQLite's documented way to change a table).
fn migrate_1_to_2(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let tx = conn.transaction()?;
    tx.execute_batch(&format!(
        "CREATE TABLE deliveries_v2 {DELIVERIES_TABLE};{MIGRATE_1_TO_2}"
    ))?;
    tx.pragma_update(None, "user_version", 2)?;
    tx.commit()?;
    conn.pragma_update(None, "foreign_keys", "ON")
}

const SUBSCRIPTION_COLUMNS: &str =
    "s.id, s.name, s.url, s.is_active, s.events, s.secret, s.created_at, s.last_delivery_at,
     (SELECT COUNT(*) FROM subscription_chaves c WHERE c.subscription_id = s.id)";

fn subscription_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SubscriptionRow> {
    let events: String = row.get(4)?;
    let count: i64 = row.get(8)?;
    Ok(SubscriptionRow {
        id: row.get(0)?,
        name: row.get(1)?,
        url: row.get(2)?,
        is_active: row.get(3)?,
        events: decode_events(&events),
        secret: row.get(5)?,
        created_at: row.get(6)?,
        last_delivery_at: row.get(7)?,
        chaves_count: u64::try_from(count).unwrap_or(0),
    })
}

fn encode_events(events: &[String]) -> String {
    serde_json::to_string(events).unwrap_or_else(|_| "[]".to_owned())
}

fn decode_events(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// Every subscription, oldest first.
pub(crate) fn list_subscriptions(conn: &Connection) -> rusqlite::Result<Vec<SubscriptionRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s ORDER BY s.created_at, s.rowid"
    ))?;
    stmt.query_map([], subscription_from_row)?.collect()
}

/// One subscription by id.
pub(crate) fn get_subscription(
    conn: &Connection,
    id: &str,
) -> rusqlite::Result<Option<SubscriptionRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s WHERE s.id = ?1"
    ))?;
    stmt.query_row([id], subscription_from_row).optional()
}

fn url_taken(tx: &Connection, url: &str, except_id: &str) -> rusqlite::Result<bool> {
    tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM subscriptions WHERE url = ?1 AND id <> ?2)",
        params![url, except_id],
        |row| row.get(0),
    )
}

/// Stores a new subscription unless another one has the same URL.
pub(crate) fn insert_subscription(
    conn: &mut Connection,
    sub: &SubscriptionRow,
) -> rusqlite::Result<WriteOutcome> {
    let tx = conn.transaction()?;
    if url_taken(&tx, &sub.url, &sub.id)? {
        return Ok(WriteOutcome::UrlTaken);
    }
    tx.execute(
        "INSERT INTO subscriptions (id, name, url, is_active, events, secret, created_at, last_delivery_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL)",
        params![
            sub.id,
            sub.name,
            sub.url,
            sub.is_active,
            encode_events(&sub.events),
            sub.secret,
            sub.created_at
        ],
    )?;
    tx.commit()?;
    Ok(WriteOutcome::Done)
}

/// Applies `changes` to subscription `id`. Deactivating it cancels its pending deliveries
/// (retries included) in the same transaction: an inactive subscription receives nothing.
pub(crate) fn update_subscription(
    conn: &mut Connection,
    id: &str,
    changes: &SubscriptionChanges,
    now: i64,
) -> rusqlite::Result<WriteOutcome> {
    let tx = conn.transaction()?;
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM subscriptions WHERE id = ?1)",
        [id],
        |row| row.get(0),
    )?;
    if !exists {
        return Ok(WriteOutcome::NotFound);
    }
    if let Some(url) = &changes.url {
        if url_taken(&tx, url, id)? {
            return Ok(WriteOutcome::UrlTaken);
        }
        tx.execute(
            "UPDATE subscriptions SET url = ?2 WHERE id = ?1",
            params![id, url],
        )?;
    }
    if let Some(name) = &changes.name {
        tx.execute(
            "UPDATE subscriptions SET name = ?2 WHERE id = ?1",
            params![id, name],
        )?;
    }
    if let Some(events) = &changes.events {
        tx.execute(
            "UPDATE subscriptions SET events = ?2 WHERE id = ?1",
            params![id, encode_events(events)],
        )?;
    }
    if let Some(active) = changes.is_active {
        tx.execute(
            "UPDATE subscriptions SET is_active = ?2 WHERE id = ?1",
            params![id, active],
        )?;
        if !active {
            cancel_pending(&tx, id, now)?;
        }
    }
    tx.commit()?;
    Ok(WriteOutcome::Done)
}

/// Deletes subscription `id` and cancels its pending deliveries; `false` when unknown.
pub(crate) fn delete_subscription(
    conn: &mut Connection,
    id: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    let tx = conn.transaction()?;
    let deleted = tx.execute("DELETE FROM subscriptions WHERE id = ?1", [id])?;
    if deleted == 0 {
        return Ok(false);
    }
    cancel_pending(&tx, id, now)?;
    tx.commit()?;
    Ok(true)
}

/// Marks the pending deliveries of subscription `id` cancelled; an attempt in flight for one
/// of them is still recorded but no longer moves it (see [`record_attempt`]).
fn cancel_pending(tx: &Transaction<'_>, id: &str, now: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, completed_at = ?2
         WHERE subscription_id = ?1 AND status = 'pending'",
        params![id, now],
    )?;
    Ok(())
}

/// The account webhook, when one is set.
pub(crate) fn get_account_webhook(
    conn: &Connection,
) -> rusqlite::Result<Option<AccountWebhookRow>> {
    conn.query_row(
        "SELECT url, events, secret, created_at, updated_at FROM account_webhook",
        [],
        |row| {
            let events: String = row.get(1)?;
            Ok(AccountWebhookRow {
                url: row.get(0)?,
                events: decode_events(&events),
                secret: row.get(2)?,
                created_at: row.get(3)?,
                updated_at: row.get(4)?,
            })
        },
    )
    .optional()
}

/// Sets the account webhook: `url`, `events`, and `secret` when given (else the one it had, or
/// `new_secret` when there was none). Returns the webhook as stored.
pub(crate) fn put_account_webhook(
    conn: &mut Connection,
    url: &str,
    events: &[String],
    secret: Option<&str>,
    new_secret: &str,
    now: i64,
) -> rusqlite::Result<AccountWebhookRow> {
    let tx = conn.transaction()?;
    let before = get_account_webhook(&tx)?;
    let row = AccountWebhookRow {
        url: url.to_owned(),
        events: events.to_vec(),
        secret: secret
            .map(str::to_owned)
            .or_else(|| before.as_ref().map(|b| b.secret.clone()))
            .unwrap_or_else(|| new_secret.to_owned()),
        created_at: before.as_ref().map_or(now, |b| b.created_at),
        updated_at: now,
    };
    tx.execute(
        "INSERT INTO account_webhook (singleton, url, events, secret, created_at, updated_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (singleton) DO UPDATE SET
           url = excluded.url, events = excluded.events, secret = excluded.secret,
           updated_at = excluded.updated_at",
        params![
            row.url,
            encode_events(&row.events),
            row.secret,
            row.created_at,
            row.updated_at
        ],
    )?;
    tx.commit()?;
    Ok(row)
}

/// Removes the account webhook and cancels its pending deliveries; `false` when none was set.
pub(crate) fn delete_account_webhook(conn: &mut Connection, now: i64) -> rusqlite::Result<bool> {
    let tx = conn.transaction()?;
    if tx.execute("DELETE FROM account_webhook", [])? == 0 {
        return Ok(false);
    }
    tx.execute(
        "UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, completed_at = ?1
         WHERE dialect = 'account' AND status = 'pending'",
        [now],
    )?;
    tx.commit()?;
    Ok(true)
}

/// The account webhook's URL when it is set and wants `event`.
pub(crate) fn account_target(
    tx: &Transaction<'_>,
    event: &str,
) -> rusqlite::Result<Option<String>> {
    Ok(get_account_webhook(tx)?
        .filter(|webhook| webhook.events.iter().any(|e| e == event))
        .map(|webhook| webhook.url))
}

/// The NF-e keys of subscription `id` in the order they were added; `None` when unknown.
pub(crate) fn list_chaves(conn: &Connection, id: &str) -> rusqlite::Result<Option<Vec<String>>> {
    if !subscription_exists(conn, id)? {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT nfe_chave FROM subscription_chaves WHERE subscription_id = ?1 ORDER BY added_at, rowid",
    )?;
    let keys = stmt
        .query_map([id], |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(Some(keys))
}

fn subscription_exists(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM subscriptions WHERE id = ?1)",
        [id],
        |row| row.get(0),
    )
}

/// Adds `chave` (already normalised) to subscription `id`.
pub(crate) fn add_chave(
    conn: &mut Connection,
    id: &str,
    chave: &str,
    now: i64,
) -> rusqlite::Result<ChaveOutcome> {
    let tx = conn.transaction()?;
    if !subscription_exists(&tx, id)? {
        return Ok(ChaveOutcome::SubscriptionNotFound);
    }
    let added = tx.execute(
        "INSERT OR IGNORE INTO subscription_chaves (subscription_id, nfe_chave, added_at) VALUES (?1, ?2, ?3)",
        params![id, chave, now],
    )?;
    tx.commit()?;
    Ok(if added == 0 {
        ChaveOutcome::Conflict
    } else {
        ChaveOutcome::Done
    })
}

/// Removes `chave` from subscription `id`.
pub(crate) fn remove_chave(
    conn: &mut Connection,
    id: &str,
    chave: &str,
) -> rusqlite::Result<ChaveOutcome> {
    let tx = conn.transaction()?;
    if !subscription_exists(&tx, id)? {
        return Ok(ChaveOutcome::SubscriptionNotFound);
    }
    let removed = tx.execute(
        "DELETE FROM subscription_chaves WHERE subscription_id = ?1 AND nfe_chave = ?2",
        params![id, chave],
    )?;
    tx.commit()?;
    Ok(if removed == 0 {
        ChaveOutcome::Conflict
    } else {
        ChaveOutcome::Done
    })
}

/// Active subscriptions that want `event` for `chave`: their key list is empty or holds it.
pub(crate) fn targets(
    tx: &Transaction<'_>,
    event: &str,
    chave: &str,
) -> rusqlite::Result<Vec<Target>> {
    let mut stmt = tx.prepare_cached(
        "SELECT s.id, s.url, s.events FROM subscriptions s
         WHERE s.is_active = 1
           AND (NOT EXISTS (SELECT 1 FROM subscription_chaves c WHERE c.subscription_id = s.id)
                OR EXISTS (SELECT 1 FROM subscription_chaves c WHERE c.subscription_id = s.id AND c.nfe_chave = ?1))
         ORDER BY s.created_at, s.rowid",
    )?;
    let rows = stmt.query_map([chave], |row| {
        let events: String = row.get(2)?;
        Ok((
            Target {
                subscription_id: row.get(0)?,
                url: row.get(1)?,
            },
            decode_events(&events),
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (target, events) = row?;
        if events.iter().any(|e| e == event) {
            out.push(target);
        }
    }
    Ok(out)
}

/// Stores new pending deliveries, due now.
pub(crate) fn insert_deliveries(
    tx: &Transaction<'_>,
    deliveries: &[NewDelivery],
    now: i64,
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO deliveries (id, dialect, subscription_id, url, event, nfe_chave, body, status, attempts_made, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 0, ?8, ?8)",
    )?;
    for d in deliveries {
        stmt.execute(params![
            d.id,
            d.dialect.as_str(),
            d.subscription_id,
            d.url,
            d.event,
            d.nfe_chave,
            d.body,
            now
        ])?;
    }
    Ok(())
}

/// Marks `expired` every pending delivery created before `created_before` (outside the
/// delivery horizon), except those in `busy`; returns their ids.
pub(crate) fn expire_overdue(
    conn: &mut Connection,
    created_before: i64,
    busy: &HashSet<String>,
    now: i64,
) -> rusqlite::Result<Vec<String>> {
    let tx = conn.transaction()?;
    let overdue = {
        let mut stmt = tx.prepare_cached(
            "SELECT id FROM deliveries WHERE status = 'pending' AND created_at < ?1",
        )?;
        stmt.query_map([created_before], |row| row.get::<_, String>(0))?
            .filter(|id| !matches!(id, Ok(id) if busy.contains(id)))
            .collect::<rusqlite::Result<Vec<_>>>()?
    };
    {
        let mut stmt = tx.prepare_cached(
            "UPDATE deliveries SET status = 'expired', next_attempt_at = NULL, completed_at = ?2
             WHERE id = ?1 AND status = 'pending'",
        )?;
        for id in &overdue {
            stmt.execute(params![id, now])?;
        }
    }
    tx.commit()?;
    Ok(overdue)
}

/// Pending deliveries due at `now`, oldest due first, skipping those in `busy`. A delivery
/// whose webhook is gone (subscription deleted, account webhook removed) or whose
/// subscription is inactive is never due.
pub(crate) fn due_deliveries(
    conn: &Connection,
    now: i64,
    busy: &HashSet<String>,
    limit: usize,
) -> rusqlite::Result<Vec<DueDelivery>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, dialect, subscription_id, url, body, secret, attempts_made, created_at FROM (
           SELECT d.id, d.dialect, d.subscription_id, d.url, d.body, d.attempts_made,
                  d.created_at, d.next_attempt_at, d.rowid AS position,
                  CASE d.dialect WHEN 'account' THEN (SELECT a.secret FROM account_webhook a)
                                 ELSE s.secret END AS secret
           FROM deliveries d LEFT JOIN subscriptions s ON s.id = d.subscription_id
           WHERE d.status = 'pending' AND d.next_attempt_at <= ?1
             AND (d.dialect = 'account' OR s.is_active = 1)
         ) WHERE secret IS NOT NULL
         ORDER BY next_attempt_at, position",
    )?;
    let rows = stmt.query_map([now], |row| {
        let dialect: String = row.get(1)?;
        Ok(DueDelivery {
            id: row.get(0)?,
            dialect: dialect_from_name(&dialect).unwrap_or(Dialect::Subscription),
            subscription_id: row.get(2)?,
            url: row.get(3)?,
            body: row.get(4)?,
            secret: row.get(5)?,
            attempts_made: row.get(6)?,
            created_at: row.get(7)?,
        })
    })?;
    let mut out = Vec::new();
    for row in rows {
        let due = row?;
        if !busy.contains(&due.id) {
            out.push(due);
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

/// The earliest time a pending delivery not in `busy` is due, if any.
pub(crate) fn next_due_at(
    conn: &Connection,
    busy: &HashSet<String>,
) -> rusqlite::Result<Option<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, next_attempt_at FROM deliveries
         WHERE status = 'pending' AND next_attempt_at IS NOT NULL
         ORDER BY next_attempt_at, rowid",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        if !busy.contains(&id) {
            return Ok(Some(row.get(1)?));
        }
    }
    Ok(None)
}

/// Records attempt `number` of `delivery_id` as `in_flight`, before it is sent, so an attempt
/// cut off by a kill still shows in the history (the receiver may have got it; the next
/// [`Store::open`] marks it interrupted). The delivery's `attempts_made` counts finished
/// attempts only. Returns `false`, and records nothing, when the delivery is no longer pending
/// at that number (cancelled meanwhile): then it must not be sent.
pub(crate) fn start_attempt(
    conn: &mut Connection,
    delivery_id: &str,
    number: u32,
    started_at: i64,
) -> rusqlite::Result<bool> {
    let tx = conn.transaction()?;
    let pending = tx
        .query_row(
            "SELECT 1 FROM deliveries
             WHERE id = ?1 AND status = 'pending' AND attempts_made = ?2 - 1",
            params![delivery_id, number],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if pending {
        tx.execute(
            "INSERT INTO attempts (delivery_id, number, started_at, status_code, latency_ms, error, outcome)
             VALUES (?1, ?2, ?3, NULL, 0, NULL, 'in_flight')",
            params![delivery_id, number, started_at],
        )?;
    }
    tx.commit()?;
    Ok(pending)
}

/// Records the outcome of started attempt `attempt.number` of `delivery_id` over its
/// `in_flight` row and moves the delivery on, in one transaction. Returns `false` when the
/// attempt was not in flight (never started, or finished already), or when the delivery was no
/// longer pending at that number (cancelled meanwhile): then the outcome is still kept and the
/// status is left alone.
pub(crate) fn record_attempt(
    conn: &mut Connection,
    delivery_id: &str,
    attempt: &AttemptRow,
    after: AfterAttempt,
    now: i64,
) -> rusqlite::Result<bool> {
    let tx = conn.transaction()?;
    let finished = tx.execute(
        "UPDATE attempts SET status_code = ?3, latency_ms = ?4, error = ?5, outcome = ?6
         WHERE delivery_id = ?1 AND number = ?2 AND outcome = 'in_flight'",
        params![
            delivery_id,
            attempt.number,
            attempt.status_code,
            i64::try_from(attempt.latency_ms).unwrap_or(i64::MAX),
            attempt.error,
            attempt.outcome.as_str()
        ],
    )?;
    if finished == 0 {
        return Ok(false);
    }
    let (status, next, completed) = match after {
        AfterAttempt::Delivered => (Status::Delivered, None, Some(now)),
        AfterAttempt::Failed => (Status::Failed, None, Some(now)),
        AfterAttempt::RetryAt(at) => (Status::Pending, Some(at), None),
        AfterAttempt::Expired => (Status::Expired, None, Some(now)),
    };
    let changed = tx.execute(
        "UPDATE deliveries SET status = ?2, attempts_made = ?3, next_attempt_at = ?4, completed_at = ?5
         WHERE id = ?1 AND status = 'pending' AND attempts_made = ?3 - 1",
        params![delivery_id, status.as_str(), attempt.number, next, completed],
    )?;
    if changed == 1 && after == AfterAttempt::Delivered {
        tx.execute(
            "UPDATE subscriptions SET last_delivery_at = ?2
             WHERE id = (SELECT subscription_id FROM deliveries WHERE id = ?1)",
            params![delivery_id, now],
        )?;
    }
    tx.commit()?;
    Ok(changed == 1)
}

/// Result of asking for a delivery to be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResendOutcome {
    /// Pending again, due now.
    Done,
    NotFound,
    /// Still pending: its next attempt is already coming.
    Pending,
    /// Its subscription is gone or inactive, or the account webhook removed.
    NoTarget,
    /// Created before `created_before`: its body's timestamp is outside the delivery horizon.
    TooOld,
}

/// Makes a finished delivery pending again, due at `now`: the same row, body and event id,
/// with its next attempt numbered after the ones it had.
pub(crate) fn resend_delivery(
    conn: &mut Connection,
    id: &str,
    created_before: i64,
    now: i64,
) -> rusqlite::Result<ResendOutcome> {
    let tx = conn.transaction()?;
    let found = tx
        .query_row(
            "SELECT d.status, d.created_at,
                    CASE d.dialect WHEN 'account' THEN EXISTS (SELECT 1 FROM account_webhook)
                                   ELSE COALESCE(s.is_active, 0) END
             FROM deliveries d LEFT JOIN subscriptions s ON s.id = d.subscription_id
             WHERE d.id = ?1",
            [id],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, bool>(2)?,
                ))
            },
        )
        .optional()?;
    let outcome = match found {
        None => ResendOutcome::NotFound,
        Some((status, _, _)) if Status::parse(&status) == Status::Pending => ResendOutcome::Pending,
        Some((_, _, false)) => ResendOutcome::NoTarget,
        Some((_, created_at, _)) if created_at < created_before => ResendOutcome::TooOld,
        Some(_) => {
            tx.execute(
                "UPDATE deliveries SET status = 'pending', next_attempt_at = ?2, completed_at = NULL
                 WHERE id = ?1",
                params![id, now],
            )?;
            ResendOutcome::Done
        }
    };
    tx.commit()?;
    Ok(outcome)
}

/// Which deliveries to list.
#[derive(Debug, Clone, Default)]
pub(crate) struct DeliveryFilter {
    pub dialect: Option<Dialect>,
    pub subscription_id: Option<String>,
    pub status: Option<Status>,
    pub id: Option<String>,
    /// The newest this many; all when `None`.
    pub limit: Option<u32>,
}

/// Deliveries with their attempts, newest first.
pub(crate) fn list_deliveries(
    conn: &Connection,
    filter: &DeliveryFilter,
) -> rusqlite::Result<Vec<DeliveryRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, subscription_id, url, event, nfe_chave, body, status, attempts_made,
                next_attempt_at, created_at, completed_at, dialect
         FROM deliveries
         WHERE (?1 IS NULL OR subscription_id = ?1)
           AND (?2 IS NULL OR status = ?2)
           AND (?3 IS NULL OR id = ?3)
           AND (?4 IS NULL OR dialect = ?4)
         ORDER BY created_at DESC, rowid DESC
         LIMIT ?5",
    )?;
    let mut deliveries = stmt
        .query_map(
            params![
                filter.subscription_id,
                filter.status.map(Status::as_str),
                filter.id,
                filter.dialect.map(Dialect::as_str),
                // SQLite reads a negative limit as none.
                filter.limit.map_or(-1, i64::from)
            ],
            |row| {
                let status: String = row.get(6)?;
                let dialect: String = row.get(11)?;
                Ok(DeliveryRow {
                    id: row.get(0)?,
                    dialect: dialect_from_name(&dialect).unwrap_or(Dialect::Subscription),
                    subscription_id: row.get(1)?,
                    url: row.get(2)?,
                    event: row.get(3)?,
                    nfe_chave: row.get(4)?,
                    body: row.get(5)?,
                    status: Status::parse(&status),
                    attempts_made: row.get(7)?,
                    next_attempt_at: row.get(8)?,
                    created_at: row.get(9)?,
                    completed_at: row.get(10)?,
                    attempts: Vec::new(),
                })
            },
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut attempts = conn.prepare_cached(
        "SELECT number, started_at, status_code, latency_ms, error, outcome FROM attempts
         WHERE delivery_id = ?1 ORDER BY number",
    )?;
    for delivery in &mut deliveries {
        delivery.attempts = attempts
            .query_map([&delivery.id], |row| {
                let latency: i64 = row.get(3)?;
                Ok(AttemptRow {
                    number: row.get(0)?,
                    started_at: row.get(1)?,
                    status_code: row.get(2)?,
                    latency_ms: u64::try_from(latency).unwrap_or(0),
                    error: row.get(4)?,
                    outcome: AttemptOutcome::parse(&row.get::<_, String>(5)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
    }
    Ok(deliveries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        Store::open(&Storage::InMemory).expect("open in-memory store")
    }

    fn sub(id: &str, url: &str, events: &[&str]) -> SubscriptionRow {
        SubscriptionRow {
            id: id.into(),
            name: format!("sub {id}"),
            url: url.into(),
            is_active: true,
            events: events.iter().map(|e| (*e).to_owned()).collect(),
            secret: "whsec_test".into(),
            created_at: 1_700_000_000,
            last_delivery_at: None,
            chaves_count: 0,
        }
    }

    fn with_conn<T>(store: &Store, f: impl FnOnce(&mut Connection) -> T) -> T {
        let mut guard = store.conn.lock().unwrap();
        f(&mut guard)
    }

    #[test]
    fn subscriptions_round_trip_and_urls_are_unique() {
        let store = store();
        with_conn(&store, |conn| {
            let a = sub("a", "http://127.0.0.1:1/a", &["nfe.processada"]);
            assert_eq!(insert_subscription(conn, &a).unwrap(), WriteOutcome::Done);
            let dup = sub("b", "http://127.0.0.1:1/a", &["nfe.erro"]);
            assert_eq!(
                insert_subscription(conn, &dup).unwrap(),
                WriteOutcome::UrlTaken
            );
            let b = sub("b", "http://127.0.0.1:1/b", &["nfe.erro"]);
            assert_eq!(insert_subscription(conn, &b).unwrap(), WriteOutcome::Done);
            assert_eq!(list_subscriptions(conn).unwrap(), vec![a.clone(), b]);
            let changes = SubscriptionChanges {
                url: Some("http://127.0.0.1:1/b".into()),
                ..SubscriptionChanges::default()
            };
            assert_eq!(
                update_subscription(conn, "a", &changes, 5).unwrap(),
                WriteOutcome::UrlTaken
            );
            let changes = SubscriptionChanges {
                name: Some("renamed".into()),
                is_active: Some(false),
                ..SubscriptionChanges::default()
            };
            assert_eq!(
                update_subscription(conn, "a", &changes, 5).unwrap(),
                WriteOutcome::Done
            );
            let got = get_subscription(conn, "a").unwrap().unwrap();
            assert_eq!((got.name.as_str(), got.is_active), ("renamed", false));
            assert_eq!(got.url, a.url, "absent fields stay as they are");
            assert_eq!(
                update_subscription(conn, "zzz", &changes, 5).unwrap(),
                WriteOutcome::NotFound
            );
        });
    }

    #[test]
    fn chaves_are_added_once_and_counted() {
        let store = store();
        with_conn(&store, |conn| {
            insert_subscription(conn, &sub("a", "http://x/a", &["nfe.erro"])).unwrap();
            assert_eq!(add_chave(conn, "a", "K1", 1).unwrap(), ChaveOutcome::Done);
            assert_eq!(
                add_chave(conn, "a", "K1", 2).unwrap(),
                ChaveOutcome::Conflict
            );
            assert_eq!(add_chave(conn, "a", "K2", 3).unwrap(), ChaveOutcome::Done);
            assert_eq!(
                add_chave(conn, "nope", "K1", 1).unwrap(),
                ChaveOutcome::SubscriptionNotFound
            );
            assert_eq!(list_chaves(conn, "a").unwrap().unwrap(), vec!["K1", "K2"]);
            assert_eq!(
                get_subscription(conn, "a").unwrap().unwrap().chaves_count,
                2
            );
            assert_eq!(remove_chave(conn, "a", "K1").unwrap(), ChaveOutcome::Done);
            assert_eq!(
                remove_chave(conn, "a", "K1").unwrap(),
                ChaveOutcome::Conflict
            );
            assert_eq!(list_chaves(conn, "nope").unwrap(), None);
        });
    }

    #[test]
    fn targets_follow_events_keys_and_activity() {
        let store = store();
        with_conn(&store, |conn| {
            insert_subscription(conn, &sub("all", "http://x/all", &["nfe.processada"])).unwrap();
            insert_subscription(conn, &sub("keyed", "http://x/k", &["nfe.processada"])).unwrap();
            add_chave(conn, "keyed", "K1", 1).unwrap();
            insert_subscription(conn, &sub("other", "http://x/o", &["nfe.erro"])).unwrap();
            let mut off = sub("off", "http://x/off", &["nfe.processada"]);
            off.is_active = false;
            insert_subscription(conn, &off).unwrap();
            let tx = conn.transaction().unwrap();
            let ids = |t: Vec<Target>| t.into_iter().map(|t| t.subscription_id).collect::<Vec<_>>();
            assert_eq!(
                ids(targets(&tx, "nfe.processada", "K1").unwrap()),
                vec!["all", "keyed"]
            );
            assert_eq!(
                ids(targets(&tx, "nfe.processada", "K2").unwrap()),
                vec!["all"]
            );
            assert_eq!(ids(targets(&tx, "nfe.erro", "K2").unwrap()), vec!["other"]);
            assert!(targets(&tx, "nfe.cancelada", "K1").unwrap().is_empty());
        });
    }

    /// A pending `nfe.erro` delivery `id` to subscription `a` at `http://x/a`.
    fn erro_to_a(id: &str) -> NewDelivery {
        NewDelivery {
            id: id.into(),
            dialect: Dialect::Subscription,
            subscription_id: Some("a".into()),
            url: "http://x/a".into(),
            event: "nfe.erro".into(),
            nfe_chave: "K".into(),
            body: "{}".into(),
        }
    }

    #[test]
    fn attempts_move_a_delivery_and_delete_cancels_it() {
        let store = store();
        with_conn(&store, |conn| {
            insert_subscription(conn, &sub("a", "http://x/a", &["nfe.erro"])).unwrap();
            let tx = conn.transaction().unwrap();
            let new = erro_to_a;
            insert_deliveries(&tx, &[new("d1"), new("d2")], 100).unwrap();
            tx.commit().unwrap();
            let none = HashSet::new();
            let due = due_deliveries(conn, 100, &none, 10).unwrap();
            assert_eq!(due.len(), 2);
            assert_eq!(due[0].secret, "whsec_test");
            let busy: HashSet<String> = ["d1".to_owned()].into();
            assert_eq!(due_deliveries(conn, 100, &busy, 10).unwrap().len(), 1);
            assert_eq!(next_due_at(conn, &busy).unwrap(), Some(100));

            let failed = AttemptRow {
                number: 1,
                started_at: 100,
                status_code: Some(500),
                latency_ms: 3,
                error: Some("HTTP 500".into()),
                outcome: AttemptOutcome::Failed,
            };
            assert!(
                !record_attempt(conn, "d1", &failed, AfterAttempt::Failed, 100).unwrap(),
                "an attempt never started has no outcome to record"
            );
            assert!(start_attempt(conn, "d1", 1, 100).unwrap());
            let filter = DeliveryFilter {
                id: Some("d1".into()),
                ..DeliveryFilter::default()
            };
            let started = list_deliveries(conn, &filter).unwrap().remove(0);
            assert_eq!(started.attempts_made, 0, "only finished attempts count");
            assert_eq!(
                (started.attempts.len(), started.attempts[0].outcome),
                (1, AttemptOutcome::InFlight)
            );
            assert!(record_attempt(conn, "d1", &failed, AfterAttempt::RetryAt(300), 101).unwrap());
            assert_eq!(
                due_deliveries(conn, 200, &none, 10).unwrap().len(),
                1,
                "d1 waits"
            );
            // A stale repeat of attempt 1 does not move the delivery again.
            assert!(!record_attempt(conn, "d1", &failed, AfterAttempt::Failed, 102).unwrap());
            let ok = AttemptRow {
                number: 2,
                started_at: 300,
                status_code: Some(204),
                latency_ms: 2,
                error: None,
                outcome: AttemptOutcome::Succeeded,
            };
            assert!(start_attempt(conn, "d1", 2, 300).unwrap());
            assert!(
                !start_attempt(conn, "d1", 1, 300).unwrap(),
                "a stale number"
            );
            assert!(record_attempt(conn, "d1", &ok, AfterAttempt::Delivered, 302).unwrap());
            let sub_row = get_subscription(conn, "a").unwrap().unwrap();
            assert_eq!(sub_row.last_delivery_at, Some(302));

            assert!(delete_subscription(conn, "a", 400).unwrap());
            assert!(!delete_subscription(conn, "a", 400).unwrap());
            assert!(
                !start_attempt(conn, "d2", 1, 401).unwrap(),
                "cancelled: not sent"
            );
            let all = list_deliveries(conn, &DeliveryFilter::default()).unwrap();
            let d1 = all.iter().find(|d| d.id == "d1").unwrap();
            let d2 = all.iter().find(|d| d.id == "d2").unwrap();
            assert_eq!(d1.status, Status::Delivered);
            assert_eq!(d1.attempts.len(), 2);
            assert_eq!(d1.attempts[0].status_code, Some(500));
            assert_eq!(d1.attempts[1].outcome, AttemptOutcome::Succeeded);
            assert_eq!(d2.status, Status::Cancelled);
            assert!(d2.attempts.is_empty());
            assert_eq!(d2.completed_at, Some(400));
            assert!(due_deliveries(conn, 10_000, &none, 10).unwrap().is_empty());
        });
    }

    #[test]
    fn only_a_finished_delivery_with_a_live_target_inside_the_horizon_is_resent() {
        let store = store();
        with_conn(&store, |conn| {
            insert_subscription(conn, &sub("a", "http://x/a", &["nfe.erro"])).unwrap();
            let tx = conn.transaction().unwrap();
            let new = erro_to_a;
            insert_deliveries(&tx, &[new("old")], 100).unwrap();
            insert_deliveries(&tx, &[new("d")], 500).unwrap();
            tx.commit().unwrap();
            assert_eq!(
                resend_delivery(conn, "nope", 200, 600).unwrap(),
                ResendOutcome::NotFound
            );
            assert_eq!(
                resend_delivery(conn, "d", 200, 600).unwrap(),
                ResendOutcome::Pending
            );
            let failed = AttemptRow {
                number: 1,
                started_at: 500,
                status_code: Some(500),
                latency_ms: 1,
                error: Some("HTTP 500".into()),
                outcome: AttemptOutcome::Failed,
            };
            for id in ["old", "d"] {
                assert!(start_attempt(conn, id, 1, 500).unwrap());
                assert!(record_attempt(conn, id, &failed, AfterAttempt::Failed, 501).unwrap());
            }
            assert_eq!(
                resend_delivery(conn, "old", 200, 600).unwrap(),
                ResendOutcome::TooOld
            );
            assert_eq!(
                resend_delivery(conn, "d", 200, 600).unwrap(),
                ResendOutcome::Done
            );
            let due = due_deliveries(conn, 600, &HashSet::new(), 10).unwrap();
            assert_eq!(
                (due.len(), due[0].attempts_made),
                (1, 1),
                "due again, after attempt 1"
            );
            let second = AttemptRow {
                number: 2,
                ..failed
            };
            assert!(start_attempt(conn, "d", 2, 600).unwrap());
            assert!(record_attempt(conn, "d", &second, AfterAttempt::Failed, 601).unwrap());
            let changes = SubscriptionChanges {
                is_active: Some(false),
                ..SubscriptionChanges::default()
            };
            update_subscription(conn, "a", &changes, 602).unwrap();
            assert_eq!(
                resend_delivery(conn, "d", 200, 603).unwrap(),
                ResendOutcome::NoTarget
            );
        });
    }

    #[test]
    fn overdue_deliveries_expire_unless_in_flight() {
        let store = store();
        with_conn(&store, |conn| {
            insert_subscription(conn, &sub("a", "http://x/a", &["nfe.erro"])).unwrap();
            let tx = conn.transaction().unwrap();
            let new = erro_to_a;
            insert_deliveries(&tx, &[new("old"), new("busy")], 100).unwrap();
            insert_deliveries(&tx, &[new("young")], 500).unwrap();
            tx.commit().unwrap();
            let busy: HashSet<String> = ["busy".to_owned()].into();
            assert_eq!(expire_overdue(conn, 200, &busy, 900).unwrap(), ["old"]);
            assert!(expire_overdue(conn, 200, &busy, 901).unwrap().is_empty());
            let all = list_deliveries(conn, &DeliveryFilter::default()).unwrap();
            let status = |id: &str| all.iter().find(|d| d.id == id).unwrap().status;
            assert_eq!(status("old"), Status::Expired);
            assert_eq!(status("busy"), Status::Pending);
            assert_eq!(status("young"), Status::Pending);
            let old = all.iter().find(|d| d.id == "old").unwrap();
            assert_eq!((old.next_attempt_at, old.completed_at), (None, Some(900)));
        });
    }

    #[test]
    fn the_account_webhook_keeps_its_secret_and_removing_it_cancels_its_deliveries() {
        let store = store();
        with_conn(&store, |conn| {
            assert_eq!(get_account_webhook(conn).unwrap(), None);
            let events = vec!["nfe.consulta.erro".to_owned()];
            let first =
                put_account_webhook(conn, "http://x/1", &events, None, "whsec_new", 10).unwrap();
            assert_eq!(first.secret, "whsec_new");
            let second =
                put_account_webhook(conn, "http://x/2", &events, None, "whsec_other", 20).unwrap();
            assert_eq!(
                (second.secret.as_str(), second.created_at),
                ("whsec_new", 10)
            );
            assert_eq!(get_account_webhook(conn).unwrap(), Some(second));
            let tx = conn.transaction().unwrap();
            assert_eq!(
                account_target(&tx, "nfe.consulta.erro").unwrap().as_deref(),
                Some("http://x/2")
            );
            assert_eq!(
                account_target(&tx, "guarda.upload.concluido").unwrap(),
                None
            );
            let delivery = NewDelivery {
                id: "c1".into(),
                dialect: Dialect::Account,
                subscription_id: None,
                url: "http://x/2".into(),
                event: "nfe.consulta.erro".into(),
                nfe_chave: "K".into(),
                body: "{}".into(),
            };
            insert_deliveries(&tx, &[delivery], 30).unwrap();
            tx.commit().unwrap();
            let due = due_deliveries(conn, 30, &HashSet::new(), 10).unwrap();
            assert_eq!(
                (due[0].dialect, due[0].secret.as_str()),
                (Dialect::Account, "whsec_new")
            );
            assert!(delete_account_webhook(conn, 40).unwrap());
            assert!(!delete_account_webhook(conn, 41).unwrap());
            assert!(
                due_deliveries(conn, 50, &HashSet::new(), 10)
                    .unwrap()
                    .is_empty()
            );
            let rows = list_deliveries(conn, &DeliveryFilter::default()).unwrap();
            assert_eq!(rows[0].status, Status::Cancelled);
        });
    }

    #[test]
    fn an_attempt_left_in_flight_is_interrupted_on_the_next_open() {
        let dir = std::env::temp_dir().join(format!("nfehook-store-cut-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("cut.db");
        let store = Store::open(&Storage::File(path.clone())).unwrap();
        with_conn(&store, |conn| {
            insert_subscription(conn, &sub("a", "http://x/a", &["nfe.erro"])).unwrap();
            let tx = conn.transaction().unwrap();
            insert_deliveries(&tx, &[erro_to_a("d")], 100).unwrap();
            tx.commit().unwrap();
            assert!(start_attempt(conn, "d", 1, 100).unwrap());
        });
        // The run stops here, as a kill would stop it, before the outcome is recorded.
        drop(store);
        let store = Store::open(&Storage::File(path)).unwrap();
        with_conn(&store, |conn| {
            let row = list_deliveries(conn, &DeliveryFilter::default())
                .unwrap()
                .remove(0);
            assert_eq!(row.status, Status::Pending);
            assert_eq!(row.attempts_made, 1, "the cut-off attempt counts");
            assert_eq!(row.attempts[0].outcome, AttemptOutcome::Interrupted);
            assert_eq!(row.attempts[0].error.as_deref(), Some(INTERRUPTED));
            let due = due_deliveries(conn, 100, &HashSet::new(), 10).unwrap();
            assert_eq!(due[0].attempts_made, 1, "made again, as attempt 2");
            assert!(start_attempt(conn, "d", 2, 200).unwrap());
        });
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_version_1_database_is_migrated_with_its_deliveries_and_attempts() {
        let dir = std::env::temp_dir().join(format!("nfehook-store-v1-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("v1.db");
        let _ = std::fs::remove_file(&path);
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "foreign_keys", "ON").unwrap();
            conn.execute_batch(V1_SCHEMA).unwrap();
            conn.execute_batch(
                "INSERT INTO subscriptions VALUES ('a', 'n', 'http://x/a', 1, '[\"nfe.erro\"]', 'whsec_v1', 1, NULL);
                 INSERT INTO deliveries VALUES ('d1', 'a', 'http://x/a', 'nfe.erro', 'K', '{}', 'pending', 1, 500, 100, NULL);
                 INSERT INTO attempts VALUES ('d1', 1, 100, 500, 3, 'receiver answered HTTP 500');
                 PRAGMA user_version = 1;",
            )
            .unwrap();
        }
        let store = Store::open(&Storage::File(path.clone())).unwrap();
        with_conn(&store, |conn| {
            let version: i64 = conn
                .pragma_query_value(None, "user_version", |row| row.get(0))
                .unwrap();
            assert_eq!(version, SCHEMA_VERSION);
            let rows = list_deliveries(conn, &DeliveryFilter::default()).unwrap();
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0].dialect, Dialect::Subscription);
            assert_eq!(rows[0].subscription_id.as_deref(), Some("a"));
            assert_eq!(rows[0].attempts.len(), 1, "attempts survive the rebuild");
            assert_eq!(rows[0].attempts[0].outcome, AttemptOutcome::Failed);
            let due = due_deliveries(conn, 500, &HashSet::new(), 10).unwrap();
            assert_eq!(due[0].secret, "whsec_v1");
            assert_eq!(
                expire_overdue(conn, 200, &HashSet::new(), 600).unwrap(),
                ["d1"]
            );
            let foreign_keys: i64 = conn
                .pragma_query_value(None, "foreign_keys", |row| row.get(0))
                .unwrap();
            assert_eq!(foreign_keys, 1);
        });
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The schema as version 1 wrote it.
    const V1_SCHEMA: &str = "
        CREATE TABLE subscriptions (id TEXT PRIMARY KEY, name TEXT NOT NULL, url TEXT NOT NULL UNIQUE,
            is_active INTEGER NOT NULL, events TEXT NOT NULL, secret TEXT NOT NULL,
            created_at INTEGER NOT NULL, last_delivery_at INTEGER);
        CREATE TABLE subscription_chaves (subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
            nfe_chave TEXT NOT NULL, added_at INTEGER NOT NULL, PRIMARY KEY (subscription_id, nfe_chave));
        CREATE TABLE deliveries (id TEXT PRIMARY KEY, subscription_id TEXT NOT NULL, url TEXT NOT NULL,
            event TEXT NOT NULL, nfe_chave TEXT NOT NULL, body TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
            attempts_made INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER,
            created_at INTEGER NOT NULL, completed_at INTEGER);
        CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
        CREATE INDEX deliveries_subscription ON deliveries (subscription_id);
        CREATE TABLE attempts (delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
            number INTEGER NOT NULL, started_at INTEGER NOT NULL, status_code INTEGER,
            latency_ms INTEGER NOT NULL, error TEXT, PRIMARY KEY (delivery_id, number));
    ";

    #[cfg(unix)]
    #[test]
    fn the_database_and_its_wal_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let root = std::env::temp_dir().join(format!("nfehook-store-mode-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();

        // A new file in a directory that does not exist yet.
        let dir = root.join("data");
        let path = dir.join("sandbox.sqlite3");
        let store = Store::open(&Storage::File(path.clone())).unwrap();
        assert_eq!(mode(&dir), 0o700);
        for suffix in ["", "-wal", "-shm"] {
            let file = root.join(format!("data/sandbox.sqlite3{suffix}"));
            assert_eq!(mode(&file), 0o600, "{suffix}");
        }
        drop(store);

        // Files an older sandbox left world-readable are tightened.
        for suffix in ["", "-wal", "-shm"] {
            let file = root.join(format!("data/sandbox.sqlite3{suffix}"));
            if !file.exists() {
                std::fs::write(&file, b"").unwrap();
            }
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let store = Store::open(&Storage::File(path.clone())).unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let file = root.join(format!("data/sandbox.sqlite3{suffix}"));
            assert_eq!(mode(&file), 0o600, "{suffix} after reopening");
        }
        assert_eq!(mode(&root), 0o755, "an existing directory is left alone");
        drop(store);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = std::env::temp_dir().join(format!("nfehook-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("future.db");
        let _ = std::fs::remove_file(&path);
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        let err = Store::open(&Storage::File(path.clone())).unwrap_err();
        assert!(
            matches!(err, SandboxError::SchemaVersion { found: 99, .. }),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
