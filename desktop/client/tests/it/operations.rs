//! Every operation of the Subscriptions API against an in-process sandbox.

use nfehook_client::{Client, EventKind, NewSubscription, Secret, SubscriptionPatch};
use nfehook_core::ChaveAcesso;

use crate::support::{API_KEY, Answer, TinyServer, client, sandbox};

const CHAVE: &str = "52060433009911002506550120000007800267301615";
const CHAVE_GROUPED: &str = "5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615";
const OTHER_CHAVE: &str = "35170608530528000184550000000154301000771569";

fn new_subscription(url: &str) -> NewSubscription {
    NewSubscription {
        name: "Webhook Principal".into(),
        url: url.into(),
        events: vec![EventKind::Processada, EventKind::Cancelada],
        is_active: true,
        secret: None,
    }
}

#[tokio::test]
async fn every_operation_round_trips_through_the_sandbox() {
    let sandbox = sandbox().await;
    let client = client(&sandbox.base_url());

    assert!(client.list_subscriptions().await.unwrap().is_empty());

    // Create: the service generates the secret.
    let created = client
        .create_subscription(&new_subscription("https://example.com/hook"))
        .await
        .unwrap();
    assert_eq!(created.name, "Webhook Principal");
    assert_eq!(created.url, "https://example.com/hook");
    assert_eq!(
        created.events,
        [EventKind::Processada, EventKind::Cancelada]
    );
    assert!(created.is_active);
    assert!(created.secret.expose().starts_with("whsec_"));
    assert_eq!(created.last_delivery_at, None);
    // A chosen secret is kept.
    let mut chosen = new_subscription("https://example.com/other");
    chosen.secret = Some(Secret::new("my-chosen-secret"));
    chosen.is_active = false;
    let second = client.create_subscription(&chosen).await.unwrap();
    assert_eq!(second.secret.expose(), "my-chosen-secret");
    assert!(!second.is_active);

    // Keys: added from any formatting, sent and returned as 44 digits.
    let added = client.add_chave(&created.id, CHAVE_GROUPED).await.unwrap();
    assert_eq!(added, ChaveAcesso::parse(CHAVE).unwrap());
    client.add_chave(&created.id, OTHER_CHAVE).await.unwrap();
    assert_eq!(
        client.list_chaves(&created.id).await.unwrap(),
        [CHAVE, OTHER_CHAVE]
    );

    // List: summaries with counts; get: detail with keys.
    let list = client.list_subscriptions().await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].id, created.id);
    assert_eq!(list[0].nfe_chaves_count, Some(2));
    assert_eq!(list[1].nfe_chaves_count, Some(0));
    let detail = client.get_subscription(&created.id).await.unwrap();
    assert_eq!(detail.nfe_chaves, [CHAVE, OTHER_CHAVE]);
    assert_eq!(detail.secret, created.secret);
    assert_eq!(detail.created_at, created.created_at);

    // Update: partial; the updated subscription comes back.
    let patch = SubscriptionPatch {
        name: Some("Renomeado".into()),
        events: Some(vec![EventKind::Erro]),
        ..SubscriptionPatch::default()
    };
    let updated = client
        .update_subscription(&created.id, &patch)
        .await
        .unwrap()
        .expect("the sandbox sends the updated subscription back");
    assert_eq!(updated.name, "Renomeado");
    assert_eq!(updated.events, [EventKind::Erro]);
    assert_eq!(
        updated.url, "https://example.com/hook",
        "absent fields unchanged"
    );
    assert_eq!(updated.nfe_chaves_count, Some(2));

    // Remove a key (given formatted), then delete.
    client
        .remove_chave(&created.id, CHAVE_GROUPED)
        .await
        .unwrap();
    assert_eq!(
        client.list_chaves(&created.id).await.unwrap(),
        [OTHER_CHAVE]
    );
    client.delete_subscription(&created.id).await.unwrap();
    let remaining = client.list_subscriptions().await.unwrap();
    assert_eq!(remaining.len(), 1);
    assert_eq!(remaining[0].id, second.id);
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn requests_carry_key_accept_user_agent_and_encoded_paths() {
    let server = TinyServer::start(|_| {
        Answer::new(200, r#"{"success": true, "data": []}"#)
            .header("content-type", "application/json")
    })
    .await;
    let client = Client::builder(API_KEY)
        .base_url(format!("{}/api/", server.url()))
        .build()
        .unwrap();
    client.list_chaves("id with/slash?").await.unwrap();
    client.remove_chave("abc", CHAVE_GROUPED).await.unwrap();
    let custom = Client::builder(API_KEY)
        .base_url(server.url())
        .user_agent("nfehook-desktop/9.9")
        .build()
        .unwrap();
    custom.list_subscriptions().await.unwrap();

    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(
        seen[0].path,
        "/api/Webhooks/Subscriptions/id%20with%2Fslash%3F/NFe-Chaves"
    );
    assert_eq!(
        seen[1].path,
        format!("/api/Webhooks/Subscriptions/abc/NFe-Chaves/{CHAVE}")
    );
    assert_eq!(seen[2].path, "/Webhooks/Subscriptions");
    for (i, request) in seen.iter().enumerate() {
        assert_eq!(request.headers["x-api-key"], API_KEY);
        assert_eq!(request.headers["accept"], "application/json");
        let agent = request.headers["user-agent"].to_str().unwrap();
        if i < 2 {
            assert_eq!(
                agent,
                format!("nfehook-client/{}", env!("CARGO_PKG_VERSION"))
            );
        } else {
            assert_eq!(agent, "nfehook-desktop/9.9");
        }
    }
}

#[tokio::test]
async fn bodies_are_the_documented_json() {
    let server = TinyServer::start(|n| match n {
        0 => Answer::new(
            201,
            r#"{"success": true, "data": {"id": "123e4567-e89b-12d3-a456-426614174000", "name": "n",
                "url": "https://a.b/c", "isActive": true, "events": ["nfe.erro", "nfe.futuro"],
                "secret": "whsec_1234567890abcdef", "createdAt": "2024-03-10T15:30:45Z", "extra": 1}}"#,
        ),
        // An update answer without data: still a success.
        1 => Answer::new(200, r#"{"success": true}"#),
        _ => Answer::new(200, ""),
    })
    .await;
    let client = Client::builder(API_KEY)
        .base_url(server.url())
        .build()
        .unwrap();
    let created = client
        .create_subscription(&new_subscription("https://a.b/c"))
        .await
        .unwrap();
    assert_eq!(
        created.events,
        [EventKind::Erro, EventKind::Unknown("nfe.futuro".into())],
        "unknown events are kept"
    );
    let patch = SubscriptionPatch {
        is_active: Some(false),
        ..SubscriptionPatch::default()
    };
    assert!(
        client
            .update_subscription(&created.id, &patch)
            .await
            .unwrap()
            .is_none()
    );
    client.add_chave(&created.id, CHAVE).await.unwrap();

    let seen = server.seen();
    assert_eq!(seen[0].headers["content-type"], "application/json");
    let sent: serde_json::Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"name": "Webhook Principal", "url": "https://a.b/c",
            "events": ["nfe.processada", "nfe.cancelada"], "isActive": true})
    );
    assert_eq!(seen[1].body, r#"{"isActive":false}"#);
    assert_eq!(seen[2].body, format!(r#"{{"nfeChave":"{CHAVE}"}}"#));
}
