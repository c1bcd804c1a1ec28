//! The account webhook: set through `/_sandbox/account-webhook`, delivered in the account
//! dialect (`{"evento","timestamp","dados"}` signed in `X-ValidaNFe-Signature`) with the same
//! retries and records as subscription deliveries.

use std::time::Duration;

use nfehook_core::EventKind;
use nfehook_sandbox::{
    AccountWebhookRequest, DeliveryQuery, DeliveryStatus, Dialect, TriggerRequest,
};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Receiver, Reply, call, fast_sandbox, settled, subscribe};

const CHAVE: &str = "52060433009911002506550120000007800267301615";
const PATH: &str = "/_sandbox/account-webhook";

#[tokio::test]
async fn the_webhook_is_set_read_replaced_and_removed() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let base = sandbox.base_url();
    let (status, _, body) = call(&base, Method::GET, PATH, None).await;
    assert_eq!(status, 404, "none set yet: {body}");
    assert_eq!(body["success"], false);

    let (status, _, set) = call(
        &base,
        Method::PUT,
        PATH,
        Some(json!({ "url": "http://127.0.0.1:9/conta", "events": ["nfe.consulta.erro"] })),
    )
    .await;
    assert_eq!(status, 200, "{set}");
    let secret = set["data"]["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "generated: {secret}");
    assert_eq!(set["data"]["events"], json!(["nfe.consulta.erro"]));

    // Replaced without a secret: the secret stays; with one, it changes.
    let (_, _, kept) = call(
        &base,
        Method::PUT,
        PATH,
        Some(json!({ "url": "http://127.0.0.1:9/outra", "events": ["guarda.upload.concluido", "nfe.consulta.concluida"] })),
    )
    .await;
    assert_eq!(kept["data"]["secret"], secret.as_str());
    assert_eq!(kept["data"]["createdAt"], set["data"]["createdAt"]);
    let (_, _, got) = call(&base, Method::GET, PATH, None).await;
    assert_eq!(got["data"]["url"], "http://127.0.0.1:9/outra");
    let chosen = sandbox
        .set_account_webhook(
            AccountWebhookRequest::new("http://127.0.0.1:9/outra", &EventKind::ACCOUNT)
                .with_secret("segredo-da-conta"),
        )
        .await
        .unwrap();
    assert_eq!(chosen.secret, "segredo-da-conta");
    assert!(!format!("{chosen:?}").contains("segredo"), "Debug hides it");
    assert_eq!(
        sandbox.account_webhook().await.unwrap().unwrap().events,
        EventKind::ACCOUNT
    );

    let (status, _, _) = call(&base, Method::DELETE, PATH, None).await;
    assert_eq!(status, 200);
    let (status, _, _) = call(&base, Method::DELETE, PATH, None).await;
    assert_eq!(status, 404);
    assert!(sandbox.account_webhook().await.unwrap().is_none());
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn invalid_webhooks_get_field_errors() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let base = sandbox.base_url();
    for (body, fields) in [
        (json!({}), vec!["events", "url"]),
        (
            json!({ "url": "ftp://x", "events": ["nfe.processada"] }),
            vec!["events", "url"],
        ),
        (
            json!({ "url": "https://a.b", "events": [] }),
            vec!["events"],
        ),
        (
            json!({ "url": "https://a.b", "events": ["nfe.consulta.erro", "nfe.consulta.erro"] }),
            vec!["events"],
        ),
        (
            json!({ "url": "https://a.b", "events": ["nfe.consulta.erro"], "secret": "curto" }),
            vec!["secret"],
        ),
        (
            json!({ "url": "https://a.b", "events": ["nfe.consulta.erro"], "secret": "com espaço" }),
            vec!["secret"],
        ),
        (json!({ "url": 1, "events": "x" }), vec!["events", "url"]),
    ] {
        let (status, _, answer) = call(&base, Method::PUT, PATH, Some(body.clone())).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let found: Vec<&str> = answer["errors"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(found, fields, "{body}: {answer}");
    }
    let err = sandbox
        .set_account_webhook(AccountWebhookRequest::new("nota", &[]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("url"), "{err}");
    assert!(sandbox.account_webhook().await.unwrap().is_none());
    sandbox.shutdown().await.unwrap();
}

// One scenario from set-up to the listing, read top to bottom.
#[allow(clippy::too_many_lines)]
#[tokio::test]
async fn each_account_event_is_delivered_in_the_account_dialect() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let receiver = Receiver::start(&[], Reply::Status(200)).await;
    let subscriber = Receiver::start(&[], Reply::Status(200)).await;
    subscribe(
        &sandbox,
        &subscriber.url(),
        &["nfe.processada", "nfe.cancelada", "nfe.erro"],
    )
    .await;
    let webhook = sandbox
        .set_account_webhook(AccountWebhookRequest::new(
            receiver.url(),
            &EventKind::ACCOUNT,
        ))
        .await
        .unwrap();
    receiver.expect_secret(&webhook.secret);

    let requests = [
        json!({ "event": "nfe.consulta.concluida", "nfeChave": CHAVE }),
        json!({ "event": "nfe.consulta.erro", "nfeChave": CHAVE, "erroCodigo": "500", "erroMensagem": "SEFAZ indisponível" }),
        json!({ "event": "guarda.upload.concluido", "nfeChave": CHAVE, "arquivoId": "arq-1", "urlDownload": "https://api.validanfe.com/GuardaNFe/Download/arq-1" }),
    ];
    let mut ids = Vec::new();
    for request in &requests {
        let (status, _, triggered) = call(
            &sandbox.base_url(),
            Method::POST,
            "/_sandbox/events",
            Some(request.clone()),
        )
        .await;
        assert_eq!(status, 202, "{triggered}");
        let deliveries = triggered["data"]["deliveries"].as_array().unwrap();
        assert_eq!(deliveries.len(), 1, "only the account webhook: {triggered}");
        assert_eq!(deliveries[0]["dialect"], "account");
        assert_eq!(deliveries[0]["subscriptionId"], Value::Null);
        ids.push(deliveries[0]["id"].as_str().unwrap().to_owned());
    }
    for id in &ids {
        let delivery = settled(&sandbox, id, Duration::from_secs(5)).await;
        assert_eq!(delivery.status, DeliveryStatus::Delivered, "{delivery:?}");
        assert_eq!(delivery.dialect, Dialect::Account);
        assert_eq!(delivery.subscription_id, None);
        assert_eq!(delivery.nfe_chave, CHAVE);
    }
    let hits = receiver.hits();
    assert_eq!(hits.len(), 3);
    assert!(
        subscriber.hits().is_empty(),
        "account events go to the account webhook only"
    );
    for hit in &hits {
        assert!(
            hit.signature_ok,
            "X-ValidaNFe-Signature verifies over the raw body"
        );
        assert_eq!(hit.signature_header, nfehook_core::ACCOUNT_SIGNATURE_HEADER);
        assert_eq!(hit.content_type, "application/json");
        assert_eq!(hit.nfe_chave, CHAVE);
    }
    let bodies: Vec<Value> = hits
        .iter()
        .map(|h| serde_json::from_slice(&h.body).unwrap())
        .collect();
    let by_event = |name: &str| {
        bodies
            .iter()
            .find(|b| b["evento"] == name)
            .unwrap_or_else(|| panic!("{name} delivered"))
    };
    let concluida = by_event("nfe.consulta.concluida");
    assert_eq!(
        concluida["dados"],
        json!({ "chave_nfe": CHAVE, "status": "autorizada", "tipo_consulta": "completa" })
    );
    assert!(concluida.get("id").is_none(), "account bodies carry no id");
    assert!(concluida["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        by_event("nfe.consulta.erro")["dados"],
        json!({ "chave_nfe": CHAVE, "erro_codigo": "500", "erro_mensagem": "SEFAZ indisponível" })
    );
    assert_eq!(
        by_event("guarda.upload.concluido")["dados"],
        json!({ "chave_nfe": CHAVE, "arquivo_id": "arq-1", "url_download": "https://api.validanfe.com/GuardaNFe/Download/arq-1" })
    );
    let text = String::from_utf8(hits[0].body.clone()).unwrap();
    assert!(
        text.starts_with(r#"{"evento":"#),
        "fields in the published order: {text}"
    );

    // Subscription events still go to subscriptions only, in their dialect.
    let triggered = sandbox
        .trigger(TriggerRequest::new(EventKind::Erro).with_chave(CHAVE))
        .await
        .unwrap();
    assert_eq!(triggered.deliveries.len(), 1);
    assert_eq!(triggered.deliveries[0].dialect, Dialect::Subscription);
    settled(
        &sandbox,
        &triggered.deliveries[0].id,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(receiver.hits().len(), 3);
    assert_eq!(
        subscriber.hits()[0].signature_header,
        nfehook_core::SIGNATURE_HEADER
    );
    let listed = sandbox
        .deliveries(DeliveryQuery {
            dialect: Some(Dialect::Account),
            ..DeliveryQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 3);
    let (status, _, body) = call(
        &sandbox.base_url(),
        Method::GET,
        "/_sandbox/deliveries?dialect=subscription",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn samples_fill_missing_fields_and_only_chosen_events_are_sent() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let receiver = Receiver::start(&[], Reply::Status(200)).await;
    let webhook = sandbox
        .set_account_webhook(AccountWebhookRequest::new(
            receiver.url(),
            &[EventKind::GuardaUploadConcluido],
        ))
        .await
        .unwrap();
    receiver.expect_secret(&webhook.secret);
    let skipped = sandbox
        .trigger(TriggerRequest::new(EventKind::from_name(
            "nfe.consulta.concluida",
        )))
        .await
        .unwrap();
    assert!(
        skipped.deliveries.is_empty(),
        "not among the webhook's events"
    );
    let sent = sandbox
        .trigger(TriggerRequest::new(EventKind::from_name(
            "guarda.upload.concluido",
        )))
        .await
        .unwrap();
    assert_eq!(sent.deliveries.len(), 1);
    settled(&sandbox, &sent.deliveries[0].id, Duration::from_secs(5)).await;
    let hits = receiver.hits();
    assert_eq!(hits.len(), 1);
    assert!(hits[0].signature_ok);
    let body: Value = serde_json::from_slice(&hits[0].body).unwrap();
    assert_eq!(body["dados"]["chave_nfe"], sent.nfe_chave.as_str());
    let arquivo = body["dados"]["arquivo_id"].as_str().unwrap();
    assert!(
        body["dados"]["url_download"]
            .as_str()
            .unwrap()
            .starts_with("https://")
            && body["dados"]["url_download"]
                .as_str()
                .unwrap()
                .ends_with(arquivo)
    );
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn fields_of_another_dialect_and_unknown_events_are_refused() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let base = sandbox.base_url();
    for (body, says) in [
        (
            json!({ "event": "nfe.consulta.concluida", "erroCodigo": "1" }),
            "erroCodigo",
        ),
        (
            json!({ "event": "nfe.processada", "status": "autorizada" }),
            "status",
        ),
        (
            json!({ "event": "nfe.consulta.erro", "valor": 1.5 }),
            "valor",
        ),
        (
            json!({ "event": "guarda.upload.concluido", "urlDownload": "nota" }),
            "urlDownload",
        ),
        (
            json!({ "event": "nfe.consulta.erro", "erroMensagem": " " }),
            "erroMensagem",
        ),
        (
            json!({ "event": "nfe.consulta" }),
            "guarda.upload.concluido",
        ),
    ] {
        let (status, _, answer) =
            call(&base, Method::POST, "/_sandbox/events", Some(body.clone())).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(
            answer["message"].as_str().unwrap().contains(says),
            "{body}: {answer}"
        );
    }
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn account_deliveries_are_retried_with_the_same_bytes_and_cancelled_with_the_webhook() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let receiver = Receiver::start(&[Reply::Status(500)], Reply::Status(200)).await;
    let webhook = sandbox
        .set_account_webhook(AccountWebhookRequest::new(
            receiver.url(),
            &EventKind::ACCOUNT,
        ))
        .await
        .unwrap();
    receiver.expect_secret(&webhook.secret);
    let triggered = sandbox
        .trigger(TriggerRequest::new(EventKind::from_name("nfe.consulta.erro")).with_chave(CHAVE))
        .await
        .unwrap();
    let delivery = settled(
        &sandbox,
        &triggered.deliveries[0].id,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(delivery.status, DeliveryStatus::Delivered);
    let codes: Vec<Option<u16>> = delivery.attempts.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, [Some(500), Some(200)]);
    let hits = receiver.hits();
    assert_eq!(hits.len(), 2);
    assert_eq!(
        hits[0].body, hits[1].body,
        "a retry sends the same signed bytes"
    );
    assert_eq!(hits[1].body, delivery.payload.get().as_bytes());
    assert!(hits.iter().all(|h| h.signature_ok));

    // A receiver that never answers 2xx: removing the webhook cancels what is pending.
    let failing = Receiver::start(&[], Reply::Status(503)).await;
    let slow = fast_sandbox()
        .backoff_base(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    slow.set_account_webhook(AccountWebhookRequest::new(
        failing.url(),
        &EventKind::ACCOUNT,
    ))
    .await
    .unwrap();
    let pending = slow
        .trigger(TriggerRequest::new(EventKind::from_name(
            "nfe.consulta.concluida",
        )))
        .await
        .unwrap();
    let id = &pending.deliveries[0].id;
    for _ in 0..200 {
        if slow.delivery(id).await.unwrap().unwrap().attempts_made == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (status, _, _) = call(&slow.base_url(), Method::DELETE, PATH, None).await;
    assert_eq!(status, 200);
    let cancelled = slow.delivery(id).await.unwrap().unwrap();
    assert_eq!(cancelled.status, DeliveryStatus::Cancelled);
    assert_eq!(cancelled.attempts_made, 1);
    sandbox.shutdown().await.unwrap();
    slow.shutdown().await.unwrap();
}
