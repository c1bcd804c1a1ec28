//! The dispatcher against real receivers on 127.0.0.1 that verify signatures with
//! `nfehook-core`.

use std::time::Duration;

use nfehook_core::EventKind;
use nfehook_sandbox::{DeliveryQuery, DeliveryStatus, TriggerRequest};
use reqwest::Method;
use serde_json::json;

use crate::support::{
    Receiver, Reply, call, clock_at_now, deactivate, fast_sandbox, settled, subscribe, until,
};

/// A valid key (MOC example) and another valid key.
const CHAVE_A: &str = "52060433009911002506550120000007800267301615";
const CHAVE_B: &str = "35170608530528000184550000000154301000771569";

#[tokio::test]
async fn a_delivery_is_signed_delivered_once_and_recorded() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let receiver = Receiver::start(&[], Reply::Status(200)).await;
    let (sub_id, secret) = subscribe(&sandbox, &receiver.url(), &["nfe.processada"]).await;
    assert!(secret.starts_with("whsec_"));
    receiver.expect_secret(&secret);

    let triggered = sandbox
        .trigger(TriggerRequest::new(EventKind::Processada).with_chave(CHAVE_A))
        .await
        .unwrap();
    assert_eq!(triggered.deliveries.len(), 1);
    assert_eq!(
        triggered.deliveries[0].subscription_id,
        Some(sub_id.clone())
    );
    let id = &triggered.deliveries[0].id;

    let delivery = settled(&sandbox, id, Duration::from_secs(5)).await;
    assert_eq!(delivery.status, DeliveryStatus::Delivered);
    assert_eq!(delivery.attempts_made, 1);
    assert_eq!(delivery.attempts.len(), 1);
    assert_eq!(delivery.attempts[0].status_code, Some(200));
    assert_eq!(delivery.attempts[0].error, None);
    assert!(delivery.completed_at.is_some());

    let hits = receiver.hits();
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    assert!(hit.signature_ok, "signature verified by nfehook-core");
    assert_eq!(&hit.id, id, "the body id is the delivery id");
    assert_eq!(hit.event, "nfe.processada");
    assert_eq!(hit.nfe_chave, CHAVE_A);
    assert_eq!(hit.content_type, "application/json");
    assert_eq!(
        hit.body,
        delivery.payload.get().as_bytes(),
        "the recorded payload is what was sent"
    );
    let body: serde_json::Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(body["data"]["status"], "processada");
    assert_eq!(body["timestamp"], json!(triggered.timestamp.to_string()));
    assert_eq!(
        body["data"]["emitente"]["cnpj"], "33009911002506",
        "the key's issuer"
    );
    assert!(
        String::from_utf8_lossy(&hit.body).contains("\"valor\":1500.00"),
        "exact decimal text"
    );

    let (_, _, detail) = call(
        &sandbox.base_url(),
        Method::GET,
        &format!("/Webhooks/Subscriptions/{sub_id}"),
        None,
    )
    .await;
    assert!(detail["data"]["lastDeliveryAt"].is_string(), "{detail}");
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn deliveries_follow_events_keys_and_activity() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let processada = Receiver::start(&[], Reply::Status(204)).await;
    let cancelada = Receiver::start(&[], Reply::Status(200)).await;
    let keyed = Receiver::start(&[], Reply::Status(200)).await;
    let inactive = Receiver::start(&[], Reply::Status(200)).await;
    let (p_id, _) = subscribe(&sandbox, &processada.url(), &["nfe.processada", "nfe.erro"]).await;
    let (c_id, _) = subscribe(&sandbox, &cancelada.url(), &["nfe.cancelada"]).await;
    let (k_id, _) = subscribe(&sandbox, &keyed.url(), &["nfe.processada"]).await;
    let (i_id, _) = subscribe(&sandbox, &inactive.url(), &["nfe.processada"]).await;
    let base = sandbox.base_url();
    let (status, _, _) = call(
        &base,
        Method::POST,
        &format!("/Webhooks/Subscriptions/{k_id}/NFe-Chaves"),
        Some(json!({ "nfeChave": CHAVE_A })),
    )
    .await;
    assert_eq!(status, 201);
    deactivate(&sandbox, &i_id).await;

    let targets = |t: nfehook_sandbox::Triggered| {
        let mut ids: Vec<String> = t
            .deliveries
            .into_iter()
            .filter_map(|d| d.subscription_id)
            .collect();
        ids.sort();
        ids
    };
    let sorted = |mut ids: Vec<String>| {
        ids.sort();
        ids
    };
    // Key B: the keyed subscription does not want it; the inactive one gets nothing.
    let t = sandbox
        .trigger(TriggerRequest::new(EventKind::Processada).with_chave(CHAVE_B))
        .await
        .unwrap();
    assert_eq!(targets(t), vec![p_id.clone()]);
    // Key A: the keyed subscription wants it too.
    let t = sandbox
        .trigger(TriggerRequest::new(EventKind::Processada).with_chave(CHAVE_A))
        .await
        .unwrap();
    assert_eq!(targets(t), sorted(vec![p_id.clone(), k_id.clone()]));
    // Over HTTP, with a sample key: only the cancelada subscription.
    let (status, _, body) = call(
        &base,
        Method::POST,
        "/_sandbox/events",
        Some(json!({ "event": "nfe.cancelada" })),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["data"]["deliveries"][0]["subscriptionId"], json!(c_id));
    assert_eq!(body["data"]["deliveries"].as_array().unwrap().len(), 1);
    // An event nobody wants.
    let t = sandbox
        .trigger(TriggerRequest::new(EventKind::Cancelada).with_chave(CHAVE_A))
        .await
        .unwrap();
    assert_eq!(targets(t), vec![c_id.clone()]);

    for d in sandbox.deliveries(DeliveryQuery::default()).await.unwrap() {
        let d = settled(&sandbox, &d.id, Duration::from_secs(5)).await;
        assert_eq!(d.status, DeliveryStatus::Delivered, "{d:?}");
    }
    assert_eq!(processada.hits().len(), 2);
    assert_eq!(cancelada.hits().len(), 2);
    assert_eq!(keyed.hits().len(), 1);
    assert_eq!(keyed.hits()[0].nfe_chave, CHAVE_A);
    assert!(inactive.hits().is_empty());
    let only_keyed = sandbox
        .deliveries(DeliveryQuery {
            subscription_id: Some(k_id),
            status: Some(DeliveryStatus::Delivered),
            ..DeliveryQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(only_keyed.len(), 1);
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn failures_are_retried_with_backoff_and_the_same_id() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let receiver = Receiver::start(
        &[Reply::Status(500), Reply::Status(500)],
        Reply::Status(200),
    )
    .await;
    let (_, secret) = subscribe(&sandbox, &receiver.url(), &["nfe.erro"]).await;
    receiver.expect_secret(&secret);
    let triggered = sandbox
        .trigger(TriggerRequest::new(EventKind::Erro))
        .await
        .unwrap();
    let id = triggered.deliveries[0].id.clone();

    let delivery = settled(&sandbox, &id, Duration::from_secs(5)).await;
    assert_eq!(delivery.status, DeliveryStatus::Delivered);
    let codes: Vec<_> = delivery.attempts.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, [Some(500), Some(500), Some(200)]);
    let numbers: Vec<_> = delivery.attempts.iter().map(|a| a.number).collect();
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(
        delivery.attempts[0].error.as_deref(),
        Some("receiver answered HTTP 500")
    );

    let hits = receiver.hits();
    assert_eq!(hits.len(), 3);
    assert!(hits.iter().all(|h| h.id == id && h.signature_ok));
    assert!(
        hits.iter().all(|h| h.body == hits[0].body),
        "the same bytes every time"
    );
    // Exponential backoff: 100 ms, then 200 ms (lower bounds only).
    assert!(hits[1].at - hits[0].at >= Duration::from_millis(100));
    assert!(hits[2].at - hits[1].at >= Duration::from_millis(200));
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_delivery_is_given_up_after_three_failures() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let receiver = Receiver::start(&[], Reply::Status(503)).await;
    let (_, secret) = subscribe(&sandbox, &receiver.url(), &["nfe.processada"]).await;
    receiver.expect_secret(&secret);
    let triggered = sandbox
        .trigger(TriggerRequest::new(EventKind::Processada))
        .await
        .unwrap();
    let id = triggered.deliveries[0].id.clone();

    let delivery = settled(&sandbox, &id, Duration::from_secs(5)).await;
    assert_eq!(delivery.status, DeliveryStatus::Failed);
    assert_eq!(delivery.attempts_made, 3);
    assert_eq!(delivery.next_attempt_at, None);
    assert!(delivery.attempts.iter().all(|a| a.status_code == Some(503)));
    // Longer than the next backoff would be (400 ms): no fourth attempt comes.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(receiver.hits().len(), 3);
    assert!(receiver.hits().iter().all(|h| h.signature_ok));
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_slow_receiver_times_out() {
    let sandbox = fast_sandbox()
        .attempt_timeout(Duration::from_millis(200))
        .max_attempts(2)
        .backoff_base(Duration::from_millis(50))
        .start()
        .await
        .unwrap();
    let receiver = Receiver::start(&[], Reply::Slow(Duration::from_secs(2))).await;
    subscribe(&sandbox, &receiver.url(), &["nfe.processada"]).await;
    let triggered = sandbox
        .trigger(TriggerRequest::new(EventKind::Processada))
        .await
        .unwrap();
    let delivery = settled(
        &sandbox,
        &triggered.deliveries[0].id,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(delivery.status, DeliveryStatus::Failed);
    assert_eq!(delivery.attempts.len(), 2);
    for attempt in &delivery.attempts {
        assert_eq!(attempt.status_code, None);
        assert_eq!(attempt.error.as_deref(), Some("no answer within 200 ms"));
        assert!(
            attempt.latency_ms >= 200 && attempt.latency_ms < 2000,
            "{attempt:?}"
        );
    }
    assert_eq!(receiver.hits().len(), 2);
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn deleting_the_subscription_cancels_pending_deliveries() {
    let sandbox = fast_sandbox()
        .backoff_base(Duration::from_millis(1500))
        .start()
        .await
        .unwrap();
    let receiver = Receiver::start(&[], Reply::Status(500)).await;
    let (sub_id, _) = subscribe(&sandbox, &receiver.url(), &["nfe.processada"]).await;
    let triggered = sandbox
        .trigger(TriggerRequest::new(EventKind::Processada))
        .await
        .unwrap();
    let id = triggered.deliveries[0].id.clone();
    // Wait for the first attempt to be recorded, then delete while the retry waits.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while sandbox.delivery(&id).await.unwrap().unwrap().attempts_made == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "first attempt never made"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (status, _, _) = call(
        &sandbox.base_url(),
        Method::DELETE,
        &format!("/Webhooks/Subscriptions/{sub_id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let delivery = sandbox.delivery(&id).await.unwrap().unwrap();
    assert_eq!(delivery.status, DeliveryStatus::Cancelled);
    assert_eq!(delivery.next_attempt_at, None);
    tokio::time::sleep(Duration::from_millis(1800)).await;
    assert_eq!(receiver.hits().len(), 1, "no retry after the delete");
    let delivery = sandbox.delivery(&id).await.unwrap().unwrap();
    assert_eq!(delivery.status, DeliveryStatus::Cancelled);
    assert_eq!(delivery.attempts.len(), 1);
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn retries_of_a_deactivated_or_deleted_subscription_are_cancelled_not_sent() {
    let clock = clock_at_now();
    let sandbox = fast_sandbox().clock(clock.clone()).start().await.unwrap();
    let base = sandbox.base_url();
    let receivers = [
        Receiver::start(&[], Reply::Status(500)).await,
        Receiver::start(&[], Reply::Status(500)).await,
        Receiver::start(&[], Reply::Status(500)).await,
    ];
    let mut subs = Vec::new();
    for receiver in &receivers {
        subs.push(subscribe(&sandbox, &receiver.url(), &["nfe.erro"]).await.0);
    }
    let triggered = sandbox
        .trigger(TriggerRequest::new(EventKind::Erro))
        .await
        .unwrap();
    let ids: Vec<String> = subs
        .iter()
        .map(|sub| {
            let found = triggered
                .deliveries
                .iter()
                .find(|d| d.subscription_id.as_ref() == Some(sub));
            found.unwrap().id.clone()
        })
        .collect();
    // The first attempts fail; the retries wait on the manual clock, which stands still.
    for id in &ids {
        until(&sandbox, id, |d| d.attempts_made == 1).await;
    }
    deactivate(&sandbox, &subs[0]).await;
    let (status, _, _) = call(
        &base,
        Method::DELETE,
        &format!("/Webhooks/Subscriptions/{}", subs[1]),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (_, _, listed) = call(
        &base,
        Method::GET,
        "/_sandbox/deliveries?status=cancelled",
        None,
    )
    .await;
    let cancelled: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert!(
        cancelled.contains(&ids[0].as_str()),
        "deactivated: {listed}"
    );
    assert!(cancelled.contains(&ids[1].as_str()), "deleted: {listed}");

    // Past every retry: the control subscription's retry is made, in the same pass of the
    // dispatcher that would have picked the other two.
    clock.advance(Duration::from_secs(60));
    until(&sandbox, &ids[2], |d| d.attempts_made == 2).await;
    for (id, receiver) in ids.iter().zip(&receivers).take(2) {
        let delivery = sandbox.delivery(id).await.unwrap().unwrap();
        assert_eq!(delivery.status, DeliveryStatus::Cancelled);
        assert_eq!(delivery.next_attempt_at, None);
        assert_eq!(delivery.attempts.len(), 1);
        assert_eq!(receiver.hits().len(), 1, "no retry of {id}");
    }
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_resent_delivery_is_the_same_delivery_with_one_more_attempt() {
    let sandbox = fast_sandbox().max_attempts(1).start().await.unwrap();
    let base = sandbox.base_url();
    let receiver = Receiver::start(&[Reply::Status(500)], Reply::Status(200)).await;
    let (sub_id, secret) = subscribe(&sandbox, &receiver.url(), &["nfe.processada"]).await;
    receiver.expect_secret(&secret);
    let triggered = sandbox
        .trigger(TriggerRequest::new(EventKind::Processada))
        .await
        .unwrap();
    let id = triggered.deliveries[0].id.clone();
    let failed = until(&sandbox, &id, |d| d.status == DeliveryStatus::Failed).await;
    assert_eq!(failed.attempts.len(), 1);

    let (status, _, body) = call(
        &base,
        Method::POST,
        &format!("/_sandbox/deliveries/{id}/resend"),
        None,
    )
    .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["data"]["id"], id.as_str());
    let delivered = until(&sandbox, &id, |d| d.status == DeliveryStatus::Delivered).await;
    assert_eq!(delivered.attempts_made, 2);
    let numbers: Vec<u32> = delivered.attempts.iter().map(|a| a.number).collect();
    assert_eq!(numbers, [1, 2]);
    let hits = receiver.hits();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].id, hits[1].id, "the same event id");
    assert_eq!(hits[0].body, hits[1].body, "the same body");
    assert!(hits[1].signature_ok);
    assert_eq!(
        sandbox
            .deliveries(DeliveryQuery::default())
            .await
            .unwrap()
            .len(),
        1,
        "no new delivery"
    );

    let unknown = "00000000-0000-4000-8000-000000000000";
    let (status, _, _) = call(
        &base,
        Method::POST,
        &format!("/_sandbox/deliveries/{unknown}/resend"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    deactivate(&sandbox, &sub_id).await;
    let (status, _, body) = call(
        &base,
        Method::POST,
        &format!("/_sandbox/deliveries/{id}/resend"),
        None,
    )
    .await;
    assert_eq!(status, 409, "an inactive subscription gets nothing: {body}");
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_given_body_is_delivered_byte_for_byte_signed_with_the_subscriptions_secret() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let base = sandbox.base_url();
    let receiver = Receiver::start(&[], Reply::Status(200)).await;
    let (sub_id, secret) = subscribe(&sandbox, &receiver.url(), &["nfe.processada"]).await;
    receiver.expect_secret(&secret);
    // Edited as a user would: spacing, an extra field and a `valor` with three decimals kept;
    // a fresh timestamp, which the receiver checks.
    let now = nfehook_core::Timestamp::from_unix(
        i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        )
        .unwrap(),
    );
    let body = format!(
        "{{ \"id\": \"editado-1\", \"event\": \"nfe.cancelada\", \"timestamp\": \"{now}\",\n  \"data\": {{\"nfeChave\": \"52060433009911002506550120000007800267301615\", \"status\": \"cancelada\", \"valor\": 10.125, \"extra\": true}} }}"
    );

    let (status, _, answer) = call(
        &base,
        Method::POST,
        "/_sandbox/deliveries",
        Some(json!({ "subscriptionId": sub_id, "body": body })),
    )
    .await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["data"]["event"], "nfe.cancelada");
    let id = answer["data"]["deliveries"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(id, "editado-1", "the delivery has an id of its own");
    let delivered = until(&sandbox, &id, |d| d.status == DeliveryStatus::Delivered).await;
    assert_eq!(delivered.subscription_id.as_deref(), Some(sub_id.as_str()));
    let hits = receiver.hits();
    assert_eq!(
        hits.len(),
        1,
        "to the one subscription, though it does not list the event"
    );
    assert_eq!(hits[0].body, body.as_bytes());
    assert!(hits[0].signature_ok);
    assert_eq!(hits[0].id, "editado-1");

    // The same body again is a second delivery, not a clash of ids.
    let (status, _, again) = call(
        &base,
        Method::POST,
        "/_sandbox/deliveries",
        Some(json!({ "subscriptionId": sub_id, "body": body })),
    )
    .await;
    assert_eq!(status, 202, "{again}");
    assert_ne!(again["data"]["deliveries"][0]["id"], id.as_str());
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_given_body_that_is_not_a_delivery_of_its_dialect_is_refused_and_nothing_is_stored() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let base = sandbox.base_url();
    let receiver = Receiver::start(&[], Reply::Status(200)).await;
    let (sub_id, _) = subscribe(&sandbox, &receiver.url(), &["nfe.processada"]).await;
    let chave = "52060433009911002506550120000007800267301615";
    let good = format!(
        r#"{{"id":"1","event":"nfe.processada","timestamp":"2024-03-10T16:45:30Z","data":{{"nfeChave":"{chave}","status":"processada"}}}}"#
    );
    let account = format!(
        r#"{{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z","dados":{{"chave_nfe":"{chave}"}}}}"#
    );
    for (request, code, says) in [
        (
            json!({ "subscriptionId": sub_id, "body": "{" }),
            400,
            "invalid payload",
        ),
        (
            json!({ "subscriptionId": sub_id, "body": good.replace("nfe.processada", "nfe.consulta.erro") }),
            400,
            "account dialect",
        ),
        (
            json!({ "subscriptionId": sub_id, "body": good.replace(chave, &chave[..43]) }),
            400,
            "invalid NF-e key",
        ),
        (json!({ "body": good }), 400, "subscriptionId"),
        (
            json!({ "subscriptionId": sub_id, "body": account }),
            400,
            "account webhook",
        ),
        (json!({ "body": account }), 404, "Account webhook"),
        (
            json!({ "subscriptionId": "00000000-0000-4000-8000-000000000000", "body": good }),
            404,
            "Subscription",
        ),
        (
            json!({ "subscriptionId": sub_id, "body": format!("{good}{}", " ".repeat(70_000)) }),
            400,
            "at most 65536",
        ),
    ] {
        let (status, _, answer) =
            call(&base, Method::POST, "/_sandbox/deliveries", Some(request)).await;
        assert_eq!(status, code, "{answer}");
        assert!(answer.to_string().contains(says), "{says}: {answer}");
    }
    deactivate(&sandbox, &sub_id).await;
    let (status, _, answer) = call(
        &base,
        Method::POST,
        "/_sandbox/deliveries",
        Some(json!({ "subscriptionId": sub_id, "body": good })),
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert!(
        sandbox
            .deliveries(DeliveryQuery::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(receiver.hits().is_empty());
    sandbox.shutdown().await.unwrap();
}
