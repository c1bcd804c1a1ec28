//! The delivery loop: attempts pending deliveries when they are due, records every attempt
//! and schedules retries with exponential backoff.
//!
//! State lives in the store, never only in memory: a delivery is stored as pending before
//! its first attempt, and each attempt is recorded together with the delivery's next state
//! in one transaction. After a crash the loop simply finds the pending deliveries again. An
//! attempt cut off by a crash is made again with the same body (same `id`), so a receiver may
//! see it twice and drops the duplicate by `id` (or, for the account webhook's bodies, which
//! carry no id, by a digest of the body).
//!
//! No attempt starts later than [`DELIVERY_HORIZON`] after its event: a pending delivery found
//! past it is marked expired, and a retry that would fall past it is not scheduled.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::header::CONTENT_TYPE;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use crate::clock::{Clock, duration_millis};
use crate::config::{DELIVERY_HORIZON, DispatchConfig};
use crate::error::{Result, SandboxError};
use crate::store::{self, AfterAttempt, AttemptRow, DueDelivery, Store};

/// How long the loop sleeps when nothing is scheduled (a wake-up comes sooner anyway).
const IDLE_WAIT: Duration = Duration::from_secs(3600);
/// Pause after a database error before trying again.
const ERROR_PAUSE: Duration = Duration::from_millis(500);

/// Wakes the dispatcher when deliveries were added or cancelled.
#[derive(Debug, Clone)]
pub(crate) struct DispatcherHandle {
    wake: Arc<Notify>,
}

impl DispatcherHandle {
    /// Asks the loop to look at the store again now.
    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Ids of deliveries with an attempt in flight.
type Busy = Arc<Mutex<HashSet<String>>>;

struct Context {
    store: Store,
    http: reqwest::Client,
    config: DispatchConfig,
    clock: Clock,
}

/// Builds the HTTP client deliveries are sent with.
pub(crate) fn http_client(config: &DispatchConfig) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(config.attempt_timeout)
        .connect_timeout(config.attempt_timeout.min(Duration::from_secs(10)))
        // A receiver answers; it does not send the delivery elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!(
            env!("CARGO_PKG_NAME"),
            "/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .map_err(SandboxError::HttpClient)
}

/// Starts the loop on the current tokio runtime; it stops when `shutdown` turns true.
pub(crate) fn spawn(
    store: Store,
    http: reqwest::Client,
    config: DispatchConfig,
    clock: Clock,
    shutdown: watch::Receiver<bool>,
) -> (DispatcherHandle, tokio::task::JoinHandle<()>) {
    let wake = Arc::new(Notify::new());
    let handle = DispatcherHandle {
        wake: Arc::clone(&wake),
    };
    let context = Arc::new(Context {
        store,
        http,
        config,
        clock,
    });
    let task = tokio::spawn(run(context, wake, shutdown));
    (handle, task)
}

async fn run(context: Arc<Context>, wake: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
    let busy: Busy = Arc::default();
    let mut tasks = JoinSet::new();
    let mut jumps = context.clock.jumped();
    tracing::debug!("dispatcher started");
    loop {
        if *shutdown.borrow() {
            break;
        }
        let free = context.config.concurrency.saturating_sub(tasks.len());
        let snapshot = busy.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let now = context.clock.now_unix_millis();
        let found = context
            .store
            .call(move |conn| {
                let mut snapshot = snapshot;
                let created_before = now.saturating_sub(duration_millis(DELIVERY_HORIZON));
                for id in store::expire_overdue(conn, created_before, &snapshot, now)? {
                    tracing::warn!(delivery_id = %id, "delivery expired: pending past the delivery horizon");
                }
                let due = if free > 0 {
                    store::due_deliveries(conn, now, &snapshot, free)?
                } else {
                    Vec::new()
                };
                snapshot.extend(due.iter().map(|d| d.id.clone()));
                let next = store::next_due_at(conn, &snapshot)?;
                Ok((due, next))
            })
            .await;
        let wait = match found {
            Ok((due, next)) => {
                for delivery in due {
                    busy.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(delivery.id.clone());
                    let guard = BusyGuard {
                        busy: Arc::clone(&busy),
                        id: delivery.id.clone(),
                    };
                    tasks.spawn(attempt(Arc::clone(&context), delivery, guard));
                }
                if tasks.len() >= context.config.concurrency {
                    // Full: the next free slot, not the clock, decides when to look again.
                    IDLE_WAIT
                } else {
                    next.map_or(IDLE_WAIT, |at| {
                        let left = at - context.clock.now_unix_millis();
                        Duration::from_millis(u64::try_from(left).unwrap_or(0))
                    })
                }
            }
            Err(err) => {
                tracing::error!(error = %err, "dispatcher cannot read pending deliveries");
                ERROR_PAUSE
            }
        };
        tokio::select! {
            _ = shutdown.changed() => {}
            () = wake.notified() => {}
            () = jumps.next() => {}
            Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(err) = joined {
                    tracing::error!(error = %err, "delivery attempt task failed");
                }
            }
            () = tokio::time::sleep(wait) => {}
        }
    }
    // Attempts in flight are dropped; their deliveries stay pending and resume on restart.
    tasks.shutdown().await;
    tracing::debug!("dispatcher stopped");
}

/// Takes a delivery out of the busy set however its attempt ends.
struct BusyGuard {
    busy: Busy,
    id: String,
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.busy
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

async fn attempt(context: Arc<Context>, delivery: DueDelivery, _guard: BusyGuard) {
    let number = delivery.attempts_made + 1;
    let started_at = context.clock.now_unix_millis();
    let timer = Instant::now();
    let signature = nfehook_core::sign(delivery.secret.as_bytes(), delivery.body.as_bytes());
    let sent = context
        .http
        .post(&delivery.url)
        .header(CONTENT_TYPE, "application/json")
        .header(delivery.dialect.signature_header(), signature)
        .body(delivery.body.clone())
        .send()
        .await;
    let latency_ms = u64::try_from(timer.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (status_code, error) = match sent {
        Ok(response) => {
            let status = response.status();
            let error = (!status.is_success())
                .then(|| format!("receiver answered HTTP {}", status.as_u16()));
            (Some(status.as_u16()), error)
        }
        Err(err) => (None, Some(describe(&err, context.config.attempt_timeout))),
    };
    let after = if error.is_none() {
        AfterAttempt::Delivered
    } else if number >= context.config.max_attempts {
        AfterAttempt::Failed
    } else {
        let wait = duration_millis(context.config.backoff_after(number));
        let retry_at = context.clock.now_unix_millis().saturating_add(wait);
        let deadline = delivery
            .created_at
            .saturating_add(duration_millis(DELIVERY_HORIZON));
        if retry_at > deadline {
            AfterAttempt::Expired
        } else {
            AfterAttempt::RetryAt(retry_at)
        }
    };
    let row = AttemptRow {
        number,
        started_at,
        status_code,
        latency_ms,
        error: error.clone(),
    };
    let id = delivery.id.clone();
    let now = context.clock.now_unix_millis();
    let recorded = context
        .store
        .call(move |conn| store::record_attempt(conn, &id, &row, after, now))
        .await;
    let outcome = match after {
        AfterAttempt::Delivered => "delivered",
        AfterAttempt::Failed => "failed",
        AfterAttempt::RetryAt(_) => "retry scheduled",
        AfterAttempt::Expired => "expired: a retry would fall past the delivery horizon",
    };
    match recorded {
        Ok(true) => tracing::info!(
            delivery_id = %delivery.id,
            dialect = %delivery.dialect,
            subscription_id = delivery.subscription_id.as_deref(),
            attempt = number,
            status = status_code,
            latency_ms,
            error = error.as_deref(),
            outcome,
            "delivery attempt"
        ),
        Ok(false) => tracing::info!(
            delivery_id = %delivery.id,
            attempt = number,
            "delivery attempt recorded after the delivery was cancelled"
        ),
        Err(err) => tracing::error!(
            delivery_id = %delivery.id,
            error = %err,
            "cannot record a delivery attempt; it will be made again"
        ),
    }
}

/// A short reason for a failed request, without the URL (it may hold a token).
fn describe(err: &reqwest::Error, timeout: Duration) -> String {
    if err.is_timeout() {
        return format!("no answer within {} ms", timeout.as_millis());
    }
    let mut root: &dyn std::error::Error = err;
    while let Some(source) = root.source() {
        root = source;
    }
    let kind = if err.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    format!("{kind}: {root}")
}
