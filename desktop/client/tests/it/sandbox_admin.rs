//! The sandbox's admin routes through `SandboxClient`: every operation against an in-process
//! sandbox, and the same errors as the Subscriptions API (a wrong key is `unauthorized`, a rate
//! limit `rateLimited` with its wait, a redirect is not followed).

use std::time::Duration;

use nfehook_client::{ApiError, Client, EventKind, NewSubscription, SandboxClient};
use nfehook_sandbox::{
    AccountWebhookRequest, AttemptOutcome, DeliverRequest, DeliveryQuery, DeliveryStatus,
    TriggerRequest,
};

use crate::support::{Answer, TinyServer, client, sandbox};

const CHAVE: &str = "52060433009911002506550120000007800267301615";

#[tokio::test]
async fn trigger_list_read_and_resend_a_delivery() {
    let sandbox = sandbox().await;
    let api = client(&sandbox.base_url());
    let admin = SandboxClient::new(api.clone());
    // A receiver that answers 200, so the delivery finishes and can be resent.
    let receiver = TinyServer::start(|_| Answer::new(200, "{}")).await;
    let created = api
        .create_subscription(&NewSubscription {
            name: "admin".into(),
            url: format!("{}/hook", receiver.url()),
            events: vec![EventKind::Processada],
            is_active: true,
            secret: None,
        })
        .await
        .unwrap();
    let triggered = admin
        .trigger(&TriggerRequest::new(EventKind::Processada).with_chave(CHAVE))
        .await
        .unwrap();
    assert_eq!(triggered.deliveries.len(), 1);
    let id = triggered.deliveries[0].id.clone();
    let delivered = loop {
        let delivery = admin.delivery(&id).await.unwrap();
        if delivery.status == DeliveryStatus::Delivered {
            break delivery;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(delivered.nfe_chave, CHAVE);
    assert_eq!(delivered.attempts[0].outcome, AttemptOutcome::Succeeded);
    let query = DeliveryQuery {
        subscription_id: Some(created.id.clone()),
        status: Some(DeliveryStatus::Delivered),
        ..DeliveryQuery::default()
    };
    let listed = admin.deliveries(&query).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, id);
    let none = DeliveryQuery {
        status: Some(DeliveryStatus::Failed),
        ..DeliveryQuery::default()
    };
    assert!(admin.deliveries(&none).await.unwrap().is_empty());
    let limited = DeliveryQuery {
        limit: Some(0),
        ..DeliveryQuery::default()
    };
    assert!(admin.deliveries(&limited).await.unwrap().is_empty());
    let one = DeliveryQuery {
        limit: Some(1),
        ..DeliveryQuery::default()
    };
    assert_eq!(admin.deliveries(&one).await.unwrap().len(), 1);

    // Resend: the same delivery, pending again, then a second attempt.
    let resent = admin.resend(&id).await.unwrap();
    assert_eq!(resent.id, id);
    assert_eq!(resent.payload.get(), delivered.payload.get());
    let again = loop {
        let delivery = admin.delivery(&id).await.unwrap();
        if delivery.status == DeliveryStatus::Delivered && delivery.attempts_made == 2 {
            break delivery;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(again.attempts[1].number, 2);
    assert_eq!(receiver.hits(), 2);
    let err = admin.delivery("no-such-delivery").await.unwrap_err();
    assert_eq!(err.kind(), "notFound");
    assert_eq!(
        admin.resend(" ").await.unwrap_err().kind(),
        "invalidArgument"
    );

    assert!(admin.account_webhook().await.unwrap().is_none());
    let events = [EventKind::from_name("nfe.consulta.erro")];
    let set = admin
        .set_account_webhook(&AccountWebhookRequest::new(
            format!("{}/conta", receiver.url()),
            &events,
        ))
        .await
        .unwrap();
    assert!(set.secret.starts_with("whsec_"));
    let read = admin.account_webhook().await.unwrap().unwrap();
    assert_eq!(read.url, set.url);
    let bad = admin
        .set_account_webhook(&AccountWebhookRequest::new("not a url", &events))
        .await
        .unwrap_err();
    assert_eq!(bad.kind(), "validation");
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn admin_errors_are_the_api_clients_errors() {
    let sandbox = sandbox().await;
    let wrong = Client::builder("not-the-key")
        .base_url(sandbox.base_url())
        .build()
        .unwrap();
    let err = SandboxClient::new(wrong)
        .deliveries(&DeliveryQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Unauthorized { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("not-the-key"));
    sandbox.shutdown().await.unwrap();

    // The sandbox limits only the Subscriptions API; a 429 on its admin routes is the same
    // `RateLimited`, with its wait.
    let limited = TinyServer::start(|_| {
        Answer::new(429, r#"{"message":"Too many requests"}"#).header("retry-after", "7")
    })
    .await;
    let admin = SandboxClient::new(client(&limited.url()));
    // POST is sent once: the 429 comes back as it is.
    let err = admin
        .trigger(&TriggerRequest::new(EventKind::Processada))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::RateLimited { retry_after: Some(wait) } if wait == Duration::from_secs(7)),
        "{err:?}"
    );
    assert_eq!(limited.hits(), 1);

    let elsewhere = TinyServer::start(|_| Answer::new(200, r#"{"data":[]}"#)).await;
    let target = format!("{}/_sandbox/deliveries", elsewhere.url());
    let redirecting =
        TinyServer::start(move |_| Answer::new(307, "").header("location", &target)).await;
    let err = SandboxClient::new(client(&redirecting.url()))
        .deliveries(&DeliveryQuery::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Redirect { status: 307, .. }),
        "{err:?}"
    );
    assert_eq!(elsewhere.hits(), 0, "the key never left its origin");
}

#[tokio::test]
async fn a_test_body_reaches_only_its_webhook_as_given_and_waits_for_the_first_attempt() {
    let sandbox = sandbox().await;
    let api = client(&sandbox.base_url());
    let admin = SandboxClient::new(api.clone());
    let receiver = TinyServer::start(|_| Answer::new(200, "{}")).await;
    let mut subscriptions = Vec::new();
    for name in ["one", "two"] {
        let created = api
            .create_subscription(&NewSubscription {
                name: name.into(),
                url: format!("{}/{name}", receiver.url()),
                events: vec![EventKind::Cancelada],
                is_active: true,
                secret: None,
            })
            .await
            .unwrap();
        subscriptions.push(created.id);
    }
    let wait = Duration::from_secs(10);
    let body = format!(
        r#"{{"id":"editado","event":"nfe.cancelada","timestamp":"2024-03-10T16:45:30Z","data":{{"nfeChave":"{CHAVE}","status":"cancelada","valor":1.005}}}}"#
    );
    let test = admin
        .test_body(
            &DeliverRequest::to_subscription(&subscriptions[1], &body),
            wait,
        )
        .await
        .unwrap();
    assert_eq!(test.triggered.deliveries.len(), 1, "only the one asked for");
    let ours = test.delivery.expect("the second subscription's delivery");
    assert_eq!(
        ours.subscription_id.as_deref(),
        Some(subscriptions[1].as_str())
    );
    assert_eq!(ours.nfe_chave, CHAVE);
    assert_eq!(ours.attempts[0].outcome, AttemptOutcome::Succeeded);
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/two");
    assert_eq!(seen[0].body, body, "byte for byte");

    // An account body goes to the account webhook.
    let events = [EventKind::from_name("nfe.consulta.erro")];
    admin
        .set_account_webhook(&AccountWebhookRequest::new(
            format!("{}/conta", receiver.url()),
            &events,
        ))
        .await
        .unwrap();
    let account_body = format!(
        r#"{{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z","dados":{{"chave_nfe":"{CHAVE}","erro_codigo":"404"}}}}"#
    );
    let account = admin
        .test_body(&DeliverRequest::to_account(&account_body), wait)
        .await
        .unwrap();
    let delivery = account.delivery.expect("the account webhook's delivery");
    assert_eq!(delivery.subscription_id, None);
    assert_eq!(delivery.attempts[0].outcome, AttemptOutcome::Succeeded);

    let bad = admin
        .test_body(
            &DeliverRequest::to_subscription(&subscriptions[0], body.replace(CHAVE, "123")),
            wait,
        )
        .await
        .unwrap_err();
    assert_eq!(bad.kind(), "validation");
    let gone = admin
        .test_body(
            &DeliverRequest::to_subscription("00000000-0000-4000-8000-000000000000", &body),
            wait,
        )
        .await
        .unwrap_err();
    assert_eq!(gone.kind(), "notFound");
    sandbox.shutdown().await.unwrap();
}
