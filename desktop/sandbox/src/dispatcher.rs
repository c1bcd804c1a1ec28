//! The delivery loop: attempts pending deliveries when they are due, records every attempt
//! and schedules retries with exponential backoff.
//!
//! State lives in the store, never only in memory: a delivery is stored as pending before
//! its first attempt, each attempt is recorded `in_flight` before it is sent, and its outcome
//! is written over it together with the delivery's next state in one transaction. After a
//! crash the loop simply finds the pending deliveries again; an attempt cut off by the crash
//! stays in the history as `interrupted` (the receiver may have got it) and is made again, as
//! the next attempt, with the same body (same `id`), so a receiver may see it twice and drops
//! the duplicate by `id` (or, for the account webhook's bodies, which carry no id, by a digest
//! of the body).
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
use crate::delivery::AttemptOutcome;
use crate::error::{Result, SandboxError};
use crate::store::{self, AfterAttempt, AttemptRow, DueDelivery, Store};

/// How long the loop sleeps when nothing is scheduled (a wake-up comes sooner anyway).
const IDLE_WAIT: Duration = Duration::from_secs(3600);
/// Pause after a database error before trying again.
const ERROR_PAUSE: Duration = Duration::from_millis(500);
/// First pause before recording an attempt again after the store refused it.
const RECORD_RETRY_FIRST: Duration = Duration::from_millis(500);
/// Longest pause between tries to record an attempt.
const RECORD_RETRY_MAX: Duration = Duration::from_secs(30);

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
    let id = delivery.id.clone();
    let started = context
        .store
        .call(move |conn| store::start_attempt(conn, &id, number, started_at))
        .await;
    match started {
        Ok(true) => {}
        Ok(false) => {
            tracing::info!(delivery_id = %delivery.id, "delivery no longer pending; not sent");
            return;
        }
        Err(err) => {
            tracing::error!(
                delivery_id = %delivery.id,
                error = %err,
                "cannot record the start of a delivery attempt; not sent"
            );
            // Still busy meanwhile: the delivery is due, and letting it go at once would spin.
            tokio::time::sleep(ERROR_PAUSE).await;
            return;
        }
    }
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
        outcome: if error.is_none() {
            AttemptOutcome::Succeeded
        } else {
            AttemptOutcome::Failed
        },
    };
    let recorded = record(&context, &delivery.id, row, after).await;
    let outcome = match after {
        AfterAttempt::Delivered => "delivered",
        AfterAttempt::Failed => "failed",
        AfterAttempt::RetryAt(_) => "retry scheduled",
        AfterAttempt::Expired => "expired: a retry would fall past the delivery horizon",
    };
    if recorded {
        tracing::info!(
            delivery_id = %delivery.id,
            dialect = %delivery.dialect,
            subscription_id = delivery.subscription_id.as_deref(),
            attempt = number,
            status = status_code,
            latency_ms,
            error = error.as_deref(),
            outcome,
            "delivery attempt"
        );
    } else {
        tracing::info!(
            delivery_id = %delivery.id,
            attempt = number,
            "delivery attempt recorded after the delivery was cancelled"
        );
    }
}

/// Records an attempt that was made, trying again with a growing pause while the store
/// fails (a full disk, say). The delivery stays busy meanwhile: were it let go unrecorded, it
/// would still be due and be sent again at once, over and over. A sandbox stopped while this
/// waits makes the attempt again on its next start. Returns whether the delivery moved on.
async fn record(context: &Context, id: &str, row: AttemptRow, after: AfterAttempt) -> bool {
    let mut pause = RECORD_RETRY_FIRST;
    loop {
        let (id_owned, row) = (id.to_owned(), row.clone());
        let now = context.clock.now_unix_millis();
        match context
            .store
            .call(move |conn| store::record_attempt(conn, &id_owned, &row, after, now))
            .await
        {
            Ok(moved) => return moved,
            Err(err) => {
                tracing::error!(
                    delivery_id = %id,
                    error = %err,
                    retry_in_ms = u64::try_from(pause.as_millis()).unwrap_or(u64::MAX),
                    "cannot record a delivery attempt; recording it again later"
                );
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(RECORD_RETRY_MAX);
            }
        }
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::clock::ManualClock;
    use crate::config::Storage;
    use crate::store::{DeliveryFilter, NewDelivery, Status, SubscriptionRow};
    use nfehook_core::Dialect;

    /// A receiver on 127.0.0.1 that answers 200 to anything and counts what it got.
    async fn counting_receiver() -> (String, Arc<AtomicUsize>) {
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&hits);
        // A fallback, not a route: the contract suite reads `.route(` calls in this crate's
        // source as the sandbox's own routes.
        let app = axum::Router::new().fallback(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            async { "ok" }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (url, hits)
    }

    async fn status_of(store: &Store, id: &str) -> (Status, usize) {
        let filter = DeliveryFilter {
            id: Some(id.to_owned()),
            ..DeliveryFilter::default()
        };
        let rows = store
            .call(move |conn| store::list_deliveries(conn, &filter))
            .await
            .unwrap();
        (rows[0].status, rows[0].attempts.len())
    }

    #[tokio::test]
    async fn an_attempt_the_store_cannot_record_is_not_sent_again_in_a_loop() {
        let (url, hits) = counting_receiver().await;
        let store = Store::open(&Storage::InMemory).unwrap();
        let clock = ManualClock::at_unix_millis(1_700_000_000_000);
        let now = clock.now_unix_millis();
        store
            .call(move |conn| {
                let sub = SubscriptionRow {
                    id: "s".into(),
                    name: "s".into(),
                    url: url.clone(),
                    is_active: true,
                    events: vec!["nfe.erro".into()],
                    secret: "whsec_test".into(),
                    created_at: now,
                    last_delivery_at: None,
                    chaves_count: 0,
                };
                store::insert_subscription(conn, &sub)?;
                let tx = conn.transaction()?;
                let delivery = NewDelivery {
                    id: "d".into(),
                    dialect: Dialect::Subscription,
                    subscription_id: Some("s".into()),
                    url,
                    event: "nfe.erro".into(),
                    nfe_chave: "K".into(),
                    body: "{}".into(),
                };
                store::insert_deliveries(&tx, &[delivery], now)?;
                tx.commit()?;
                // Every write of an attempt's outcome fails, as on a full disk.
                conn.execute_batch(
                    "CREATE TEMP TRIGGER full_disk BEFORE UPDATE ON attempts
                     BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
                )
            })
            .await
            .unwrap();
        let config = DispatchConfig::default();
        let (_shutdown_tx, shutdown_rx) = watch::channel(false);
        let (_handle, task) = spawn(
            store.clone(),
            http_client(&config).unwrap(),
            config,
            Clock::from(clock),
            shutdown_rx,
        );
        while hits.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Proving an absence needs a window of real time; before the fix a due delivery whose
        // attempt could not be recorded was sent again within a millisecond or two.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            hits.load(Ordering::SeqCst),
            1,
            "sent again while unrecorded"
        );
        assert_eq!(
            status_of(&store, "d").await,
            (Status::Pending, 1),
            "recorded as started only"
        );

        // The disk has room again: the attempt that was made is recorded, not made again.
        store
            .call(|conn| conn.execute_batch("DROP TRIGGER full_disk;"))
            .await
            .unwrap();
        while status_of(&store, "d").await.0 == Status::Pending {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(status_of(&store, "d").await, (Status::Delivered, 1));
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        task.abort();
    }
}
