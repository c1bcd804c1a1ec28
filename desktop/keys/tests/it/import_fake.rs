//! The import state machine against the fake API: concurrency, results, 429, cancel, resume.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nfehook_keys::{
    CancellationToken, ImportEvent, ImportOptions, ImportSource, ImportState, ImportTarget,
    Importer, Journal, KeysError, Preview, RowState, results_csv,
};
use tokio::time::Instant;

use crate::fake::{Fake, Reply};
use crate::support::key;

fn target() -> ImportTarget {
    ImportTarget {
        connection: "sandbox".into(),
        subscription_id: "6f1c1a52-6c1e-4c55-9a0a-1b2c3d4e5f60".into(),
    }
}

fn preview_of(keys: &[String]) -> Preview {
    Preview::build(&[ImportSource::text("colado", keys.join("\n"))], &[]).unwrap()
}

fn keys(range: std::ops::Range<u32>) -> Vec<String> {
    range.map(key).collect()
}

/// Collects every event of a run.
fn recorder() -> (
    Arc<Mutex<Vec<ImportEvent>>>,
    impl Fn(ImportEvent) + Send + Sync + 'static,
) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    (events, move |event| sink.lock().unwrap().push(event))
}

fn options(concurrency: usize) -> ImportOptions {
    ImportOptions {
        concurrency,
        ..ImportOptions::default()
    }
}

#[tokio::test(start_paused = true)]
async fn sends_every_valid_row_with_bounded_concurrency() {
    let fake = Fake::new(Duration::from_millis(20));
    let journal = Arc::new(Journal::in_memory().unwrap());
    let all = keys(1..31);
    let id = journal.create(&target(), &preview_of(&all)).unwrap();
    let importer = Importer::new(Arc::clone(&fake), Arc::clone(&journal)).with_options(options(3));
    let (events, sink) = recorder();
    let record = importer
        .run(id, CancellationToken::new(), sink)
        .await
        .unwrap();

    assert_eq!(record.state, ImportState::Finished);
    assert_eq!(
        (
            record.counts.total,
            record.counts.added,
            record.counts.pending
        ),
        (30, 30, 0)
    );
    assert_eq!(fake.max_in_flight.load(Ordering::SeqCst), 3);
    assert_eq!(fake.call_count(), 30);
    assert!(all.iter().all(|k| fake.has(k)));
    let events = events.lock().unwrap();
    assert_eq!(
        events.first(),
        Some(&ImportEvent::Started {
            import_id: id,
            queued: 30
        })
    );
    let rows = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                ImportEvent::Row {
                    state: RowState::Added,
                    ..
                }
            )
        })
        .count();
    assert_eq!(rows, 30);
    assert!(
        matches!(events.last(), Some(ImportEvent::Ended { record: r }) if r.state == ImportState::Finished)
    );
    assert!(journal.open_imports("sandbox", None).unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn each_row_gets_added_conflict_or_failed_with_its_reason() {
    let fake = Fake::new(Duration::from_millis(5));
    let all = keys(100..104);
    fake.preload(&all[1]);
    fake.script(&all[2], [Reply::Server]);
    fake.script(&all[3], [Reply::NotFound, Reply::NotFound]);
    let journal = Arc::new(Journal::in_memory().unwrap());
    // An invalid and a duplicate row travel along to the results.
    let text = format!(
        "{}\n{}\n{}\n{}\n123\n{}\n",
        all[0], all[1], all[2], all[3], all[0]
    );
    let preview = Preview::build(&[ImportSource::text("colado", text)], &[]).unwrap();
    let id = journal.create(&target(), &preview).unwrap();
    let record = Importer::new(Arc::clone(&fake), Arc::clone(&journal))
        .run(id, CancellationToken::new(), |_| {})
        .await
        .unwrap();
    let c = record.counts;
    assert_eq!(
        (
            c.added,
            c.conflict,
            c.failed,
            c.invalid,
            c.duplicate,
            c.pending
        ),
        (1, 1, 2, 1, 1, 0)
    );

    let rows = journal.rows(id).unwrap();
    let states: Vec<RowState> = rows.iter().map(|r| r.state).collect();
    assert_eq!(
        states,
        [
            RowState::Added,
            RowState::Conflict,
            RowState::Failed,
            RowState::Failed,
            RowState::Invalid,
            RowState::Duplicate
        ]
    );
    assert_eq!(rows[1].reason_code.as_deref(), Some("conflict"));
    assert_eq!(rows[2].reason_code.as_deref(), Some("server"));
    assert_eq!(
        rows[2].reason.as_deref(),
        Some("server error (503): Service Unavailable")
    );
    assert_eq!(rows[3].reason_code.as_deref(), Some("notFound"));
    assert_eq!(rows[4].reason_code.as_deref(), Some("length"));
    assert_eq!(rows[5].reason.as_deref(), Some("same key as row 1"));

    let csv = results_csv(&rows);
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines.len(), 8, "header, six rows, final empty");
    assert_eq!(
        lines[3],
        format!(
            "3,colado,3,,{0},{0},failed,server,server error (503): Service Unavailable",
            all[2]
        )
    );
    assert!(lines[5].starts_with("5,colado,5,,123,,invalid,length,"));

    // Failed rows can be sent again; the 503 was transient.
    assert_eq!(journal.retry_failed(id).unwrap(), 2);
    let record = Importer::new(Arc::clone(&fake), Arc::clone(&journal))
        .run(id, CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!((record.counts.added, record.counts.failed), (2, 1));
}

#[tokio::test(start_paused = true)]
async fn a_429_pauses_every_worker_for_retry_after() {
    let fake = Fake::new(Duration::from_millis(10));
    let all = keys(200..212);
    fake.script(&all[2], [Reply::RateLimited(Some(Duration::from_secs(7)))]);
    let journal = Arc::new(Journal::in_memory().unwrap());
    let id = journal.create(&target(), &preview_of(&all)).unwrap();
    let (events, sink) = recorder();
    let start = Instant::now();
    let record = Importer::new(Arc::clone(&fake), Arc::clone(&journal))
        .with_options(options(2))
        .run(id, CancellationToken::new(), sink)
        .await
        .unwrap();
    assert_eq!(record.counts.added, 12);
    assert_eq!(fake.calls_for(&all[2]), 2);

    let events = events.lock().unwrap();
    let limited: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, ImportEvent::RateLimited { .. }))
        .collect();
    assert_eq!(
        limited,
        [&ImportEvent::RateLimited {
            import_id: id,
            row: 3,
            wait_ms: 7000
        }]
    );
    // The 429 came back about 10 ms after start; no request started in the next 7 s.
    let calls = fake.calls.lock().unwrap();
    let limited_at = start + Duration::from_millis(10);
    let gap: Vec<_> = calls
        .iter()
        .filter(|(_, at)| *at > limited_at && *at < limited_at + Duration::from_secs(7))
        .collect();
    assert!(gap.is_empty(), "requests during the pause: {gap:?}");
    let retried = calls
        .iter()
        .find(|(k, at)| *k == all[2] && *at > limited_at)
        .unwrap()
        .1;
    assert!(retried >= limited_at + Duration::from_secs(7));
    assert!(start.elapsed() >= Duration::from_secs(7));
}

#[tokio::test(start_paused = true)]
async fn repeated_429_without_retry_after_backs_off_then_fails() {
    let fake = Fake::new(Duration::ZERO);
    let all = keys(300..302);
    fake.script(&all[0], std::iter::repeat_n(Reply::RateLimited(None), 10));
    let journal = Arc::new(Journal::in_memory().unwrap());
    let id = journal.create(&target(), &preview_of(&all)).unwrap();
    let (events, sink) = recorder();
    let start = Instant::now();
    let record = Importer::new(Arc::clone(&fake), Arc::clone(&journal))
        .with_options(ImportOptions {
            concurrency: 1,
            max_rate_limited: 3,
            backoff_base: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
        })
        .run(id, CancellationToken::new(), sink)
        .await
        .unwrap();
    assert_eq!((record.counts.added, record.counts.failed), (1, 1));
    let waits: Vec<u64> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            ImportEvent::RateLimited { wait_ms, .. } => Some(*wait_ms),
            _ => None,
        })
        .collect();
    assert_eq!(waits, [500, 1000, 2000]);
    assert!(start.elapsed() >= Duration::from_millis(3500));
    let rows = journal.rows(id).unwrap();
    assert_eq!(rows[0].reason_code.as_deref(), Some("rateLimited"));
}

#[tokio::test(start_paused = true)]
async fn cancel_stops_new_requests_and_resume_sends_the_rest_once() {
    let fake = Fake::new(Duration::from_millis(50));
    let all = keys(400..420);
    let journal = Arc::new(Journal::in_memory().unwrap());
    let id = journal.create(&target(), &preview_of(&all)).unwrap();
    let importer = Importer::new(Arc::clone(&fake), Arc::clone(&journal)).with_options(options(2));
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let done = Arc::new(Mutex::new(0usize));
    let seen = Arc::clone(&done);
    let record = importer
        .run(id, cancel, move |event| {
            if matches!(event, ImportEvent::Row { .. }) {
                let mut n = seen.lock().unwrap();
                *n += 1;
                if *n == 5 {
                    trigger.cancel();
                }
            }
        })
        .await
        .unwrap();
    assert_eq!(record.state, ImportState::Cancelled);
    let sent = fake.call_count();
    // The two requests in flight when cancelled finish; nothing starts after.
    assert!((5..=6).contains(&sent), "{sent} requests");
    assert_eq!(record.counts.added, sent);
    assert_eq!(record.counts.pending, 20 - sent);

    let open = journal
        .open_imports("sandbox", Some(&target().subscription_id))
        .unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].counts.pending, 20 - sent);
    assert!(
        journal
            .open_imports("other-connection", None)
            .unwrap()
            .is_empty()
    );

    let record = importer
        .run(id, CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(record.state, ImportState::Finished);
    assert_eq!((record.counts.added, record.counts.conflict), (20, 0));
    assert!(
        all.iter().all(|k| fake.calls_for(k) == 1),
        "no key sent twice"
    );
    assert!(journal.open_imports("sandbox", None).unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_import_cut_off_by_closing_the_app_is_listed_and_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Fake::new(Duration::from_millis(10));
    let all = keys(500..510);
    // The fourth request reaches the server, and the app closes before its answer.
    fake.script(&all[3], [Reply::StoreThenHang]);
    let id = {
        let journal = Arc::new(Journal::open(dir.path()).unwrap());
        let id = journal.create(&target(), &preview_of(&all)).unwrap();
        let importer =
            Importer::new(Arc::clone(&fake), Arc::clone(&journal)).with_options(options(1));
        let run =
            tokio::spawn(async move { importer.run(id, CancellationToken::new(), |_| {}).await });
        while fake.call_count() < 4 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        run.abort();
        assert!(run.await.unwrap_err().is_cancelled());
        id
    };

    // The app opens again.
    let journal = Arc::new(Journal::open(dir.path()).unwrap());
    let open = journal.open_imports("sandbox", None).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].id, id);
    assert_eq!(open[0].state, ImportState::Running);
    assert_eq!((open[0].counts.added, open[0].counts.pending), (3, 7));
    let rows = journal.rows(id).unwrap();
    assert_eq!(rows[3].state, RowState::Sending);
    assert!(rows[4..].iter().all(|r| r.state == RowState::Pending));

    let importer = Importer::new(Arc::clone(&fake), Arc::clone(&journal)).with_options(options(3));
    let (events, sink) = recorder();
    let record = importer
        .run(id, CancellationToken::new(), sink)
        .await
        .unwrap();
    assert_eq!(
        events.lock().unwrap()[0],
        ImportEvent::Started {
            import_id: id,
            queued: 7
        }
    );
    // The key whose answer was lost is on the server: its 409 counts as added.
    assert_eq!(
        (
            record.counts.added,
            record.counts.conflict,
            record.counts.pending
        ),
        (10, 0, 0)
    );
    assert_eq!(fake.stored(), 10);
    assert_eq!(fake.calls_for(&all[3]), 2);
    assert_eq!(fake.calls_for(&all[0]), 1);
}

#[tokio::test(start_paused = true)]
async fn one_import_runs_once_at_a_time_and_empty_plans_are_refused() {
    let fake = Fake::new(Duration::from_millis(100));
    let journal = Arc::new(Journal::in_memory().unwrap());
    let id = journal
        .create(&target(), &preview_of(&keys(600..603)))
        .unwrap();
    let importer = Importer::new(Arc::clone(&fake), Arc::clone(&journal));
    let first = {
        let importer = importer.clone();
        tokio::spawn(async move { importer.run(id, CancellationToken::new(), |_| {}).await })
    };
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert!(importer.is_running(id));
    let second = importer.run(id, CancellationToken::new(), |_| {}).await;
    assert!(matches!(second, Err(KeysError::AlreadyRunning(n)) if n == id));
    assert_eq!(first.await.unwrap().unwrap().counts.added, 3);
    assert!(!importer.is_running(id));

    let junk = Preview::build(&[ImportSource::text("t", "123\nabc")], &[]).unwrap();
    assert!(matches!(
        journal.create(&target(), &junk),
        Err(KeysError::NothingToImport)
    ));
    assert!(matches!(
        journal.rows(999),
        Err(KeysError::UnknownImport(999))
    ));
    journal.dismiss(id).unwrap();
    assert_eq!(journal.import(id).unwrap().state, ImportState::Dismissed);
}
