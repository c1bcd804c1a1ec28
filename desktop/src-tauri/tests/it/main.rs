//! The command logic against the real crates: `Desktop` over `nfehook-client`, talking HTTP
//! to an in-process `nfehook-sandbox` on 127.0.0.1.

mod no_display;
mod tools;

use std::sync::Arc;
use std::time::Duration;

use nfehook_core::{EventKind, NewSubscription};
use nfehook_desktop::api::ApiFactory;
use nfehook_desktop::client::ClientFactory;
use nfehook_desktop::connection::ConnectionKind;
use nfehook_desktop::desktop::{ConnectionInput, ConnectionUpdate, HEALTH_TIMEOUT};
use nfehook_desktop::view::SubscriptionForm;
use nfehook_desktop::{ApiKey, Desktop, DesktopError, KeyStore, SandboxEndpoint};
use nfehook_sandbox::{RateLimit, RunningSandbox, Sandbox};

struct World {
    _dir: tempfile::TempDir,
    sandbox: RunningSandbox,
    desktop: Desktop,
}

async fn world(limit: Option<RateLimit>) -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut builder = Sandbox::builder().in_memory().bind("127.0.0.1:0");
    if let Some(limit) = limit {
        builder = builder.rate_limit(limit);
    }
    let sandbox = builder.start().await.unwrap();
    let desktop = Desktop::new(
        dir.path().join("connections.json"),
        KeyStore::memory_only("tests"),
        Arc::new(ClientFactory),
    )
    .unwrap();
    desktop.set_sandbox(Ok(SandboxEndpoint {
        base_url: sandbox.base_url(),
        api_key: ApiKey::new(sandbox.api_key()),
    }));
    World {
        _dir: dir,
        sandbox,
        desktop,
    }
}

fn form(name: &str, url: &str) -> SubscriptionForm {
    SubscriptionForm {
        name: name.into(),
        url: url.into(),
        events: vec!["nfe.processada".into(), "nfe.erro".into()],
        is_active: true,
        secret: None,
    }
}

#[tokio::test]
async fn create_list_edit_toggle_reveal_delete() {
    let w = world(None).await;
    assert!(w.desktop.list_subscriptions().await.unwrap().is_empty());

    let created = w
        .desktop
        .create_subscription(&form("ERP", "https://erp.example.com/hook"))
        .await
        .unwrap();
    let secret = created.generated_secret.expect("generated secret");
    assert!(
        secret.starts_with("whsec_") && secret.len() >= 38,
        "{secret}"
    );
    let id = created.subscription.id;

    let rows = w.desktop.list_subscriptions().await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].name, "ERP");
    assert_eq!(rows[0].events, ["nfe.processada", "nfe.erro"]);

    let edited = SubscriptionForm {
        events: vec!["nfe.cancelada".into()],
        ..form("ERP 2", "https://erp2.example.com/hook")
    };
    let view = w.desktop.update_subscription(&id, &edited).await.unwrap();
    assert_eq!(view.row.name, "ERP 2");
    assert_eq!(view.row.url, "https://erp2.example.com/hook");
    assert_eq!(view.row.events, ["nfe.cancelada"]);
    assert!(view.secret_mask.ends_with(&secret[secret.len() - 4..]));
    assert!(!view.secret_mask.contains(&secret[6..20]));

    w.desktop.set_subscription_active(&id, false).await.unwrap();
    assert!(!w.desktop.list_subscriptions().await.unwrap()[0].is_active);

    assert_eq!(w.desktop.reveal_secret(&id).await.unwrap(), secret);

    w.desktop.delete_subscription(&id).await.unwrap();
    assert!(w.desktop.list_subscriptions().await.unwrap().is_empty());
    assert_eq!(
        w.desktop.get_subscription(&id).await.unwrap_err().kind(),
        "notFound"
    );
}

#[tokio::test]
async fn own_secret_is_kept_and_not_echoed() {
    let w = world(None).await;
    let mine = "whsec_0123456789abcdef0123456789abcdef";
    let created = w
        .desktop
        .create_subscription(&SubscriptionForm {
            secret: Some(mine.into()),
            ..form("A", "https://a.example.com/h")
        })
        .await
        .unwrap();
    assert!(created.generated_secret.is_none());
    assert_eq!(
        w.desktop
            .reveal_secret(&created.subscription.id)
            .await
            .unwrap(),
        mine
    );
}

#[tokio::test]
async fn same_url_twice_is_a_conflict() {
    let w = world(None).await;
    let f = form("A", "https://same.example.com/h");
    w.desktop.create_subscription(&f).await.unwrap();
    let err = w.desktop.create_subscription(&f).await.unwrap_err();
    assert!(matches!(err, DesktopError::Conflict { .. }), "{err:?}");
}

#[tokio::test]
async fn server_field_errors_come_back_by_field() {
    // Bypass the local validation to see what the server says about a bad URL.
    let w = world(None).await;
    let api = ClientFactory
        .connect(
            &w.sandbox.base_url(),
            Some(&ApiKey::new(w.sandbox.api_key())),
        )
        .unwrap();
    let bad = NewSubscription {
        name: "x".into(),
        url: "not a url".into(),
        events: vec![EventKind::Processada],
        is_active: true,
        secret: None,
    };
    let err = api.create(&bad).await.unwrap_err();
    let DesktopError::Validation { fields, .. } = &err else {
        panic!("expected validation, got {err:?}")
    };
    assert!(fields.contains_key("url"), "{fields:?}");
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(json["kind"], "validation");
}

#[tokio::test]
async fn wrong_key_is_unauthorized_and_never_shown() {
    let w = world(None).await;
    let conn = w
        .desktop
        .add_connection(ConnectionInput {
            name: "Sandbox by hand".into(),
            kind: ConnectionKind::Custom,
            base_url: Some(w.sandbox.base_url()),
            api_key: Some("wrong-key-WXYZ".into()),
        })
        .unwrap();
    let err = w.desktop.list_subscriptions().await.unwrap_err();
    assert!(matches!(err, DesktopError::Unauthorized { .. }), "{err:?}");
    let json = serde_json::to_string(&err).unwrap();
    assert!(!json.contains("wrong-key"), "{json}");

    // Setting the right key fixes it.
    w.desktop
        .update_connection(
            &conn.id,
            ConnectionUpdate {
                api_key: Some(w.sandbox.api_key().to_owned()),
                ..ConnectionUpdate::default()
            },
        )
        .unwrap();
    w.desktop.list_subscriptions().await.unwrap();
}

#[tokio::test]
async fn the_health_check_answers_for_the_active_connection_and_fails_typed_without_the_key() {
    let w = world(None).await;
    w.desktop
        .create_subscription(&form("ERP", "https://erp.example.com/hook"))
        .await
        .unwrap();
    let health = w.desktop.check_connection(HEALTH_TIMEOUT).await.unwrap();
    // The real sandbox answers the probe's unknown id with a 404, which counts as healthy.
    assert_eq!(health.connection_id, "sandbox");

    let conn = w
        .desktop
        .add_connection(ConnectionInput {
            name: "Wrong key".into(),
            kind: ConnectionKind::Custom,
            base_url: Some(w.sandbox.base_url()),
            api_key: Some("wrong-key-WXYZ".into()),
        })
        .unwrap();
    let err = w
        .desktop
        .check_connection(HEALTH_TIMEOUT)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "unauthorized", "{err:?}");
    let json = serde_json::to_string(&err).unwrap();
    assert!(!json.contains("wrong-key"), "{json}");

    w.desktop.remove_connection(&conn.id).unwrap();
    assert_eq!(
        w.desktop
            .check_connection(HEALTH_TIMEOUT)
            .await
            .unwrap()
            .connection_id,
        "sandbox"
    );
}

#[tokio::test]
async fn rate_limit_reports_retry_after() {
    let w = world(Some(RateLimit::new(2, Duration::from_secs(60)))).await;
    w.desktop.list_subscriptions().await.unwrap();
    w.desktop.list_subscriptions().await.unwrap();
    let err = w.desktop.list_subscriptions().await.unwrap_err();
    let DesktopError::RateLimited { retry_after, .. } = err else {
        panic!("expected rate limit, got {err:?}")
    };
    let secs = retry_after.expect("Retry-After");
    assert!((1..=60).contains(&secs), "{secs}");
}

#[tokio::test]
async fn unreachable_service_is_offline() {
    let w = world(None).await;
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    w.desktop
        .add_connection(ConnectionInput {
            name: "Down".into(),
            kind: ConnectionKind::Custom,
            base_url: Some(format!("http://127.0.0.1:{port}")),
            api_key: Some("k".into()),
        })
        .unwrap();
    let err = w.desktop.list_subscriptions().await.unwrap_err();
    assert_eq!(err.kind(), "offline", "{err:?}");
}

#[tokio::test]
async fn embedded_sandbox_keeps_data_in_the_app_dir_across_launches() {
    let dir = tempfile::tempdir().unwrap();
    let (running, endpoint) = nfehook_desktop::sandbox::start(dir.path()).await.unwrap();
    assert!(endpoint.base_url.starts_with("http://127.0.0.1:"));
    assert!(
        dir.path()
            .join(nfehook_desktop::sandbox::SANDBOX_DB)
            .exists()
    );
    let api = ClientFactory
        .connect(&endpoint.base_url, Some(&endpoint.api_key))
        .unwrap();
    api.create(&NewSubscription {
        name: "kept".into(),
        url: "https://kept.example.com/h".into(),
        events: vec![EventKind::Erro],
        is_active: true,
        secret: None,
    })
    .await
    .unwrap();
    running.shutdown().await.unwrap();

    let (_running, endpoint2) = nfehook_desktop::sandbox::start(dir.path()).await.unwrap();
    let api = ClientFactory
        .connect(&endpoint2.base_url, Some(&endpoint2.api_key))
        .unwrap();
    let subs = api.list().await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].name, "kept");
}

#[test]
fn os_keychain_is_used_when_it_answers_else_memory_with_a_notice() {
    use nfehook_desktop::KeyStorage;
    use nfehook_desktop::keystore::OsKeychain;

    let service = "dev.nfehook.desktop.tests";
    let account = format!("it-{}", std::process::id());
    let store = KeyStore::detect(Box::new(OsKeychain::new(service)));
    store.set(&account, &ApiKey::new("it-key-4321")).unwrap();
    match store.storage() {
        KeyStorage::Keychain => {
            // A second store (the next launch) reads it back from the OS keychain.
            let again = KeyStore::detect(Box::new(OsKeychain::new(service)));
            assert_eq!(again.get(&account).unwrap().unwrap().last4(), "4321");
            again.delete(&account).unwrap();
            let third = KeyStore::detect(Box::new(OsKeychain::new(service)));
            assert!(third.get(&account).unwrap().is_none());
        }
        KeyStorage::Memory => {
            // Headless Linux (no Secret Service on D-Bus): the key lives for the session only.
            assert!(store.notice().is_some());
            assert_eq!(store.get(&account).unwrap().unwrap().last4(), "4321");
            let next_launch = KeyStore::detect(Box::new(OsKeychain::new(service)));
            assert!(next_launch.get(&account).unwrap().is_none());
        }
    }
}

/// A new key with the same last four characters as the old one still replaces the client:
/// both the subscriptions screen and the tools' client (one cache) then send the new key.
#[tokio::test]
async fn a_changed_key_replaces_every_cached_client_even_with_the_same_ending() {
    let w = world(None).await;
    let real = w.sandbox.api_key().to_owned();
    let tail: String = real
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let wrong = format!("wrong-key-{tail}");
    let view = w
        .desktop
        .add_connection(ConnectionInput {
            name: "Sandbox à mão".into(),
            kind: ConnectionKind::Custom,
            base_url: Some(w.sandbox.base_url()),
            api_key: Some(wrong),
        })
        .unwrap();
    assert_eq!(view.key_last4.as_deref(), Some(tail.as_str()));
    // Both clients are built and cached with the refused key.
    assert!(matches!(
        w.desktop.list_subscriptions().await.unwrap_err(),
        DesktopError::Unauthorized { .. }
    ));
    let (_, tools_client) = w.desktop.client().await.unwrap();
    assert!(tools_client.list_subscriptions().await.is_err());

    w.desktop
        .update_connection(
            &view.id,
            ConnectionUpdate {
                api_key: Some(real),
                ..ConnectionUpdate::default()
            },
        )
        .unwrap();
    assert!(w.desktop.list_subscriptions().await.unwrap().is_empty());
    let (_, tools_client) = w.desktop.client().await.unwrap();
    assert!(tools_client.list_subscriptions().await.unwrap().is_empty());

    // Clearing the key drops the tools' client too: nothing is sent without one.
    w.desktop
        .update_connection(
            &view.id,
            ConnectionUpdate {
                clear_key: true,
                ..ConnectionUpdate::default()
            },
        )
        .unwrap();
    assert!(matches!(
        w.desktop.client().await.unwrap_err(),
        DesktopError::MissingApiKey
    ));
}

/// A corrupt settings file does not stop the app: it starts on the defaults, the file is kept
/// aside, and the UI is told where.
#[test]
fn a_corrupt_settings_file_is_set_aside_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("connections.json");
    std::fs::write(&path, br#"{"connections": [{"id": "c1", "name": "Pro"#).unwrap();
    let desktop = Desktop::new(
        path.clone(),
        KeyStore::memory_only("tests"),
        Arc::new(ClientFactory),
    )
    .unwrap();
    let info = desktop.info().unwrap();
    assert_eq!(info.connections.len(), 1);
    let aside = info
        .settings_set_aside
        .expect("the UI is told where the file went");
    assert!(aside.contains("connections.json.corrupt-"), "{aside}");
    assert!(std::fs::read_to_string(&aside).unwrap().contains("\"Pro"));
    // The next save writes a fresh, valid file; the set-aside copy stays.
    desktop.select_connection("sandbox").unwrap();
    assert!(std::fs::metadata(&aside).is_ok());
    let again = Desktop::new(
        path,
        KeyStore::memory_only("tests"),
        Arc::new(ClientFactory),
    )
    .unwrap();
    assert_eq!(again.info().unwrap().settings_set_aside, None);
}
