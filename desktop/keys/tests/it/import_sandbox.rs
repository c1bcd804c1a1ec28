//! The import through the real client against the sandbox on 127.0.0.1, with its rate limit.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use nfehook_client::{Client, RetryPolicy};
use nfehook_core::{EventKind, NewSubscription};
use nfehook_keys::{
    CancellationToken, ImportEvent, ImportOptions, ImportSource, ImportState, ImportTarget,
    Importer, Journal, Preview, RowState,
};
use nfehook_sandbox::{RateLimit, Sandbox};

use crate::support::{grouped, key};

const API_KEY: &str = "sbx_keys_import_test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_import_into_the_sandbox_honours_its_rate_limit() {
    let sandbox = Sandbox::builder()
        .in_memory()
        .api_key(API_KEY)
        .bind("127.0.0.1:0")
        .rate_limit(RateLimit::new(6, Duration::from_secs(1)))
        .start()
        .await
        .unwrap();
    let client = Client::builder(API_KEY)
        .base_url(sandbox.base_url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let sub = client
        .create_subscription(&NewSubscription {
            name: "import".into(),
            url: "http://127.0.0.1:9/hook".into(),
            events: vec![EventKind::Processada],
            is_active: true,
            secret: None,
        })
        .await
        .unwrap();
    let existing = key(700);
    client.add_chave(&sub.id, &existing).await.unwrap();

    let new: Vec<String> = (701..711).map(key).collect();
    let text = format!(
        "{}\n35170608530528000184550000000154301000771561\n{existing}\n{}\n",
        new[..5].join("\n"),
        grouped(&new[0])
    );
    let csv = format!(
        "chave;valor\n{}\n",
        new[5..]
            .iter()
            .map(|k| format!("{k};1,00"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let already = client.list_chaves(&sub.id).await.unwrap();
    let preview = Preview::build(
        &[
            ImportSource::text("colado", text),
            ImportSource::file("notas.csv", csv.into_bytes()),
        ],
        &already,
    )
    .unwrap();
    let c = preview.counts;
    assert_eq!((c.valid, c.invalid, c.existing, c.duplicate), (10, 1, 1, 1));
    // Someone adds one of the keys between the preview and the import.
    client.add_chave(&sub.id, &new[9]).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let journal = Arc::new(Journal::open(dir.path()).unwrap());
    let target = ImportTarget {
        connection: "sandbox".into(),
        subscription_id: sub.id.clone(),
    };
    let id = journal.create(&target, &preview).unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let importer =
        Importer::new(Arc::new(client.clone()), Arc::clone(&journal)).with_options(ImportOptions {
            concurrency: 4,
            ..ImportOptions::default()
        });
    let record = importer
        .run(id, CancellationToken::new(), move |e| {
            sink.lock().unwrap().push(e);
        })
        .await
        .unwrap();
    assert_eq!(record.state, ImportState::Finished);
    let c = record.counts;
    assert_eq!((c.added, c.conflict, c.failed, c.pending), (9, 1, 0, 0));
    let limited = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, ImportEvent::RateLimited { .. }))
        .count();
    assert!(limited >= 1, "the limit of 6 per second was hit");

    let rows = journal.rows(id).unwrap();
    let conflict = rows.iter().find(|r| r.state == RowState::Conflict).unwrap();
    assert_eq!(conflict.chave.as_deref(), Some(new[9].as_str()));
    assert_eq!(conflict.source, "notas.csv");
    let mut on_server = client.list_chaves(&sub.id).await.unwrap();
    on_server.sort();
    let mut expected: Vec<String> = new.iter().cloned().chain([existing]).collect();
    expected.sort();
    assert_eq!(on_server, expected);
    sandbox.shutdown().await.unwrap();
}
