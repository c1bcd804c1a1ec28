//! The tools' features through `Tools`, against an in-process sandbox and the real inspector on
//! 127.0.0.1: bulk import with results and CSV, keys search and removal, test events through
//! the sandbox's dispatcher and signed directly, deliveries with resend, inspector verdicts.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64ct::{Base64, Encoding};
use nfehook_client::SandboxTest;
use nfehook_core::chave::check_digit;
use nfehook_desktop::bulk_import::SourceInput;
use nfehook_desktop::client::ClientFactory;
use nfehook_desktop::connection::ConnectionKind;
use nfehook_desktop::desktop::ConnectionInput;
use nfehook_desktop::inspector::SecretChoice;
use nfehook_desktop::test_event::{
    AccountWebhookInput, DraftInput, TestEventInput, TestEventResult, draft_now,
};
use nfehook_desktop::tools::{Emit, Tools};
use nfehook_desktop::view::SubscriptionForm;
use nfehook_desktop::{ApiKey, Desktop, KeyStore, SandboxEndpoint};
use nfehook_inspector::{InspectorEvent, ResponseConfig, Verdict};
use nfehook_keys::{ImportEvent, ImportState, RowState};
use nfehook_sandbox::{RunningSandbox, Sandbox};

struct Bench {
    dir: tempfile::TempDir,
    sandbox: RunningSandbox,
    desktop: Arc<Desktop>,
    tools: Tools,
}

async fn bench() -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::builder()
        .in_memory()
        .bind("127.0.0.1:0")
        .backoff_base(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let desktop = Arc::new(
        Desktop::new(
            dir.path().join("connections.json"),
            KeyStore::memory_only("tests"),
            Arc::new(ClientFactory),
        )
        .unwrap(),
    );
    desktop.set_sandbox(Ok(SandboxEndpoint {
        base_url: sandbox.base_url(),
        api_key: ApiKey::new(sandbox.api_key()),
    }));
    let tools = Tools::new(
        Arc::clone(&desktop),
        &dir.path().join("data"),
        dir.path().join("exports"),
    );
    Bench {
        dir,
        sandbox,
        desktop,
        tools,
    }
}

fn key(n: u32) -> String {
    let first = format!("5206043300991100250655012{n:09}112345678");
    let dv = check_digit(first.as_bytes());
    format!("{first}{dv}")
}

async fn subscription(b: &Bench, name: &str, url: &str) -> String {
    b.desktop
        .create_subscription(&SubscriptionForm {
            name: name.into(),
            url: url.into(),
            events: vec![
                "nfe.processada".into(),
                "nfe.cancelada".into(),
                "nfe.erro".into(),
            ],
            is_active: true,
            secret: None,
        })
        .await
        .unwrap()
        .subscription
        .id
}

type Seen<T> = Arc<Mutex<Vec<T>>>;

fn recorder<T: Send + 'static>() -> (Seen<T>, Emit<T>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    (seen, Arc::new(move |e| sink.lock().unwrap().push(e)))
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_import_mixed_input_with_results_and_csv() {
    let b = bench().await;
    let id = subscription(&b, "ERP", "http://127.0.0.1:9/hook").await;
    b.tools.add_chave(&id, &key(1)).await.unwrap();

    let pasted = format!(
        "{}\n{}\n35170608530528000184550000000154301000771561\n{}\nsem chave aqui\n",
        key(1),
        key(2),
        key(2)
    );
    let xml = format!(
        "<nfeProc><protNFe><infProt><chNFe>{}</chNFe></infProt></protNFe></nfeProc>",
        key(3)
    );
    let view = b
        .tools
        .preview_import(
            &id,
            vec![
                SourceInput {
                    name: "colado".into(),
                    text: Some(pasted),
                    base64: None,
                },
                SourceInput {
                    name: "nota.xml".into(),
                    text: None,
                    base64: Some(Base64::encode_string(xml.as_bytes())),
                },
            ],
        )
        .await
        .unwrap();
    let c = view.page.counts;
    assert_eq!(
        (c.valid, c.invalid, c.duplicate, c.existing, c.skipped),
        (2, 1, 1, 1, 1)
    );
    assert_eq!((view.page.total, view.page.rows.len()), (5, 5));
    let page = b.tools.preview_page(view.preview_id, 3, 10).unwrap();
    assert_eq!(page.rows.iter().map(|r| r.row).collect::<Vec<_>>(), [4, 5]);

    // A large preview crosses to the webview a page at a time.
    let many: String = (1..=1200).map(|n| format!("{n}\n")).collect();
    let large = b
        .tools
        .preview_import(
            &id,
            vec![SourceInput {
                name: "colado".into(),
                text: Some(many),
                base64: None,
            }],
        )
        .await
        .unwrap();
    assert_eq!(large.page.total, 1200);
    assert_eq!(large.page.rows.len(), nfehook_keys::MAX_PAGE_ROWS);
    let last = b
        .tools
        .preview_page(large.preview_id, 1000, 100_000)
        .unwrap();
    assert_eq!((last.offset, last.rows.len()), (1000, 200));
    assert!(
        last.skipped.is_empty(),
        "skipped lines come with the first page"
    );

    let (events, emit) = recorder::<ImportEvent>();
    let import_id = b.tools.start_import(view.preview_id, emit).await.unwrap();
    wait_until("the import to end", || {
        events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, ImportEvent::Ended { .. }))
    })
    .await;
    let (record, running) = b.tools.import_status(import_id).unwrap();
    assert!(!running);
    assert_eq!(record.state, ImportState::Finished);
    assert_eq!(
        (
            record.counts.added,
            record.counts.invalid,
            record.counts.duplicate,
            record.counts.existing
        ),
        (2, 1, 1, 1)
    );
    let states: Vec<RowState> = b
        .tools
        .import_results(import_id)
        .await
        .unwrap()
        .iter()
        .map(|r| r.state)
        .collect();
    assert_eq!(
        states,
        [
            RowState::Existing,
            RowState::Added,
            RowState::Invalid,
            RowState::Duplicate,
            RowState::Added
        ]
    );
    let exported = b.tools.export_import_results(import_id).await.unwrap();
    let csv = std::fs::read_to_string(&exported.path).unwrap();
    assert!(csv.starts_with("row,source,line,column,input,chave,result,reason_code,reason\r\n"));
    assert!(csv.contains(",invalid,check_digit,"));
    assert!(
        b.tools
            .start_import(view.preview_id, recorder::<ImportEvent>().1)
            .await
            .is_err(),
        "a preview imports once"
    );
    assert_eq!(
        b.tools
            .preview_page(view.preview_id, 0, 10)
            .unwrap_err()
            .kind(),
        "notFound",
        "nor is it kept once imported"
    );

    let all = b.tools.list_chaves(&id, "").await.unwrap();
    assert_eq!(all.len(), 3);
    let found = b.tools.list_chaves(&id, &key(3)[25..36]).await.unwrap();
    assert_eq!(
        found.iter().map(|r| r.chave.as_str()).collect::<Vec<_>>(),
        [key(3).as_str()]
    );
    let removed = b.tools.remove_chaves(&id, &[key(1), key(9)]).await.unwrap();
    assert_eq!(removed.removed, [key(1)]);
    assert_eq!(removed.failed[0].kind, "notFound");
    let exported = b.tools.export_chaves(&id, "").await.unwrap();
    assert_eq!(exported.count, 2);
    drop(b.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_events_reach_the_inspector_signed_through_both_paths() {
    let b = bench().await;
    let (events, emit) = recorder::<InspectorEvent>();
    let status = b
        .tools
        .inspector_start(None, ResponseConfig::default())
        .await
        .unwrap();
    assert!(status.running);
    b.tools.inspector_watch(emit).await.unwrap();
    let created = b.tools.inspector_subscribe_sandbox().await.unwrap();
    let sub = created.subscription.id.clone();
    assert!(
        created
            .subscription
            .url
            .starts_with(status.url.as_deref().unwrap())
    );
    assert_eq!(
        b.tools.inspector_status().await.secret_label.as_deref(),
        Some(created.subscription.name.as_str())
    );

    // Sandbox: through the dispatcher, the drafted body edited by hand.
    let drafted = draft_now(&DraftInput {
        event: "nfe.cancelada".into(),
        chave: Some(key(5)),
    })
    .unwrap();
    let input = TestEventInput {
        body: drafted
            .body
            .replace("Empresa de Teste NFeHook LTDA", "Editada à mão"),
    };
    let result = b.tools.send_test_event(&sub, &input).await.unwrap();
    let TestEventResult::Sandbox(SandboxTest {
        delivery: Some(delivery),
        ..
    }) = result
    else {
        panic!("{result:?}")
    };
    assert_eq!(delivery.attempts[0].status_code, Some(200));
    wait_until("the request at the inspector", || {
        !events.lock().unwrap().is_empty()
    })
    .await;
    let first = b.tools.inspector_requests().await.unwrap().remove(0);
    assert!(
        matches!(first.verdict, Verdict::Valid { .. }),
        "{:?}",
        first.verdict
    );
    assert_eq!(
        first.body.text.as_deref(),
        Some(input.body.as_str()),
        "as edited"
    );
    let refused = b
        .tools
        .send_test_event(
            &sub,
            &TestEventInput {
                body: input.body.replace(&key(5), "123"),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), "validation");

    // A tampered secret says why.
    let tampered = SecretChoice::Pasted {
        secret: "whsec_tampered0000000000".into(),
    };
    let verdict = b.tools.inspector_verify(first.id, &tampered).await.unwrap();
    assert_eq!(verdict.code(), Some("signature_mismatch"));
    assert!(
        b.tools
            .inspector_curl(first.id)
            .await
            .unwrap()
            .starts_with("curl -X POST")
    );

    // Deliveries and resend.
    let listed = b.tools.list_deliveries(Some(&sub)).await.unwrap();
    assert_eq!(
        listed.limit,
        nfehook_desktop::test_event::MAX_DELIVERIES_LISTED
    );
    let deliveries = listed.deliveries;
    assert_eq!(
        b.tools
            .list_deliveries(None)
            .await
            .unwrap()
            .deliveries
            .len(),
        1
    );
    assert_eq!(deliveries.len(), 1);
    let resent = b.tools.resend_delivery(&deliveries[0].id).await.unwrap();
    // The same delivery sent again, not a new event: same id, same signed body.
    assert_eq!(resent.id, deliveries[0].id);
    assert_eq!(resent.payload.get(), deliveries[0].payload.get());
    assert_eq!(resent.nfe_chave, key(5));
    wait_until("the resent request", || events.lock().unwrap().len() >= 2).await;
    let requests = b.tools.inspector_requests().await.unwrap();
    let ids: Vec<_> = requests[..2]
        .iter()
        .map(|r| r.event.as_ref().and_then(|e| e.id.clone()))
        .collect();
    assert_eq!(ids[0], ids[1], "one event id on both requests");
    assert!(ids[0].is_some());
    let after = b
        .tools
        .list_deliveries(Some(&sub))
        .await
        .unwrap()
        .deliveries;
    assert_eq!(after.len(), 1, "no new delivery");

    // Replayed to the inspector re-signed with a chosen secret: valid with that secret only.
    let chosen = "whsec_escolhido_0123456789abcdef";
    let pasted = SecretChoice::Pasted {
        secret: chosen.into(),
    };
    let target = format!("{}webhooks/nfe", status.url.as_deref().unwrap());
    let outcome = b
        .tools
        .inspector_replay(first.id, &target, &pasted)
        .await
        .unwrap();
    assert_eq!(outcome.status, Some(200));
    wait_until("the replayed request", || events.lock().unwrap().len() >= 3).await;
    let replayed = b.tools.inspector_requests().await.unwrap().remove(0);
    assert_eq!(replayed.body.text, first.body.text);
    assert_eq!(
        b.tools
            .inspector_verify(replayed.id, &pasted)
            .await
            .unwrap()
            .code(),
        None
    );
    let err = b
        .tools
        .inspector_replay(first.id, "nota", &pasted)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "validation");
    let err = b
        .tools
        .inspector_replay(first.id, &target, &SecretChoice::None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "validation");

    // The selection exported as JSON lines, owner-only.
    let exported = b
        .tools
        .inspector_export(&[replayed.id, first.id, 999_999])
        .await
        .unwrap();
    assert_eq!(exported.count, 2);
    let text = std::fs::read_to_string(&exported.path).unwrap();
    let ids: Vec<u64> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids, [replayed.id, first.id]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&exported.path)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The same selection again: a second file, the first one left as it was.
    let again = b
        .tools
        .inspector_export(&[replayed.id, first.id])
        .await
        .unwrap();
    assert_ne!(again.path, exported.path);
    assert_eq!(std::fs::read_to_string(&again.path).unwrap(), text);
    assert_eq!(std::fs::read_to_string(&exported.path).unwrap(), text);
    assert_eq!(
        b.tools.inspector_export(&[]).await.unwrap_err().kind(),
        "validation"
    );

    // Another connection (the same sandbox as a custom URL): signed here, POSTed once.
    b.desktop
        .add_connection(ConnectionInput {
            name: "Outro".into(),
            kind: ConnectionKind::Custom,
            base_url: Some(b.sandbox.base_url()),
            api_key: Some(b.sandbox.api_key().to_owned()),
        })
        .unwrap();
    assert_eq!(
        b.desktop.active_endpoint().await.unwrap().kind,
        ConnectionKind::Custom
    );
    let result = b.tools.send_test_event(&sub, &input).await.unwrap();
    let TestEventResult::Direct { outcome, .. } = result else {
        panic!("{result:?}")
    };
    assert_eq!((outcome.status, outcome.ok), (Some(200), true));
    wait_until("the direct request", || events.lock().unwrap().len() >= 4).await;
    let direct = b.tools.inspector_requests().await.unwrap().remove(0);
    assert!(matches!(direct.verdict, Verdict::Valid { .. }));
    assert_eq!(
        direct.body.text.as_deref(),
        Some(input.body.as_str()),
        "as edited"
    );
    assert!(
        b.tools.list_deliveries(Some(&sub)).await.is_err(),
        "deliveries are a sandbox view"
    );

    b.tools.inspector_stop().await.unwrap();
    assert_eq!(
        b.tools.inspector_requests().await.unwrap().len(),
        4,
        "kept after stopping"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_events_go_to_the_account_webhook_or_are_signed_in_their_dialect() {
    let b = bench().await;
    let (events, emit) = recorder::<InspectorEvent>();
    let status = b
        .tools
        .inspector_start(None, ResponseConfig::default())
        .await
        .unwrap();
    b.tools.inspector_watch(emit).await.unwrap();
    let created = b.tools.inspector_subscribe_sandbox().await.unwrap();
    let sub = created.subscription.id.clone();
    assert_eq!(b.tools.account_webhook().await.unwrap(), None);

    let inspector_url = status.url.clone().unwrap();
    let set = b
        .tools
        .set_account_webhook(&AccountWebhookInput {
            url: format!("{inspector_url}conta"),
            events: vec!["nfe.consulta.erro".into(), "guarda.upload.concluido".into()],
            secret: None,
        })
        .await
        .unwrap();
    let secret = set.secret.expect("a generated secret is shown once");
    assert!(secret.ends_with(&set.webhook.secret_last4));
    let again = b
        .tools
        .set_account_webhook(&AccountWebhookInput {
            url: format!("{inspector_url}conta"),
            events: vec!["nfe.consulta.erro".into()],
            secret: None,
        })
        .await
        .unwrap();
    assert_eq!(again.secret, None, "a kept secret is not shown again");
    let shown = b.tools.account_webhook().await.unwrap().unwrap();
    assert_eq!(shown.events, ["nfe.consulta.erro"]);
    assert_eq!(shown.secret_last4, set.webhook.secret_last4);
    assert!(
        b.tools
            .set_account_webhook(&AccountWebhookInput {
                url: "nota".into(),
                events: vec!["nfe.erro".into()],
                secret: None,
            })
            .await
            .is_err()
    );

    // Sandbox: an account event goes to the account webhook, in the account dialect.
    let input = TestEventInput {
        body: draft_now(&DraftInput {
            event: "nfe.consulta.erro".into(),
            chave: Some(key(7)),
        })
        .unwrap()
        .body,
    };
    let result = b.tools.send_test_event(&sub, &input).await.unwrap();
    let TestEventResult::Sandbox(SandboxTest {
        delivery: Some(delivery),
        ..
    }) = result
    else {
        panic!("{result:?}")
    };
    assert_eq!(delivery.dialect, nfehook_core::Dialect::Account);
    assert_eq!(delivery.attempts[0].status_code, Some(200));
    wait_until("the account delivery", || {
        !events.lock().unwrap().is_empty()
    })
    .await;
    let first = b.tools.inspector_requests().await.unwrap().remove(0);
    let summary = first.event.unwrap();
    assert_eq!(summary.dialect.as_deref(), Some("account"));
    assert_eq!(summary.event.as_deref(), Some("nfe.consulta.erro"));

    // Elsewhere: signed here with the subscription's secret in the account dialect's header.
    b.desktop
        .add_connection(ConnectionInput {
            name: "Outro".into(),
            kind: ConnectionKind::Custom,
            base_url: Some(b.sandbox.base_url()),
            api_key: Some(b.sandbox.api_key().to_owned()),
        })
        .unwrap();
    let input = TestEventInput {
        body: draft_now(&DraftInput {
            event: "guarda.upload.concluido".into(),
            chave: None,
        })
        .unwrap()
        .body,
    };
    let result = b.tools.send_test_event(&sub, &input).await.unwrap();
    let TestEventResult::Direct { outcome, .. } = result else {
        panic!("{result:?}")
    };
    assert_eq!(outcome.signature_header, "X-ValidaNFe-Signature");
    assert_eq!(outcome.status, Some(200));
    wait_until("the direct request", || events.lock().unwrap().len() >= 2).await;
    let direct = b.tools.inspector_requests().await.unwrap().remove(0);
    assert!(
        matches!(direct.verdict, Verdict::Valid { .. }),
        "{:?}",
        direct.verdict
    );
    assert_eq!(direct.event.unwrap().dialect.as_deref(), Some("account"));
    b.tools.inspector_stop().await.unwrap();
}
