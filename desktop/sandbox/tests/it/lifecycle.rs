//! Starting, stopping and configuring an embedded sandbox.

use std::time::Duration;

use nfehook_sandbox::{RateLimit, Sandbox, SandboxError};
use reqwest::Method;

use crate::support::{API_KEY, call, fast_sandbox, http, subscribe};

#[tokio::test]
async fn bad_settings_are_refused_with_typed_errors() {
    let err = fast_sandbox().max_attempts(0).start().await.unwrap_err();
    assert!(matches!(err, SandboxError::InvalidConfig(_)), "{err}");
    let err = fast_sandbox()
        .attempt_timeout(Duration::ZERO)
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, SandboxError::InvalidConfig(_)), "{err}");
    let err = fast_sandbox()
        .rate_limit(RateLimit::new(0, Duration::from_secs(1)))
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, SandboxError::InvalidConfig(_)), "{err}");
    let err = fast_sandbox().api_key(" ").start().await.unwrap_err();
    assert!(matches!(err, SandboxError::InvalidConfig(_)), "{err}");
    let err = fast_sandbox()
        .bind("not an address")
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, SandboxError::InvalidAddress { .. }), "{err}");

    let taken = fast_sandbox().start().await.unwrap();
    let err = fast_sandbox()
        .bind(taken.addr().to_string())
        .start()
        .await
        .unwrap_err();
    assert!(
        matches!(err, SandboxError::Bind { addr, .. } if addr == taken.addr()),
        "{err}"
    );
    taken.shutdown().await.unwrap();
}

#[tokio::test]
async fn debug_output_hides_the_key() {
    let builder = fast_sandbox();
    assert!(!format!("{builder:?}").contains(API_KEY));
    let running = builder.start().await.unwrap();
    assert_eq!(running.api_key(), API_KEY);
    assert!(!format!("{running:?}").contains(API_KEY));
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_generated_key_is_random_and_required() {
    let a = Sandbox::builder()
        .bind("127.0.0.1:0")
        .start()
        .await
        .unwrap();
    let b = Sandbox::builder()
        .bind("127.0.0.1:0")
        .start()
        .await
        .unwrap();
    assert_ne!(a.api_key(), b.api_key());
    assert!(a.api_key().starts_with("sbx_"));
    let answer = http()
        .get(format!("{}/Webhooks/Subscriptions", a.base_url()))
        .header("X-API-KEY", b.api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status(),
        401,
        "one sandbox's key does not open another"
    );
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

#[tokio::test]
async fn dropping_it_stops_the_server() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let addr = sandbox.addr();
    drop(sandbox);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still listening after drop"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_database_file_keeps_subscriptions_across_restarts() {
    let dir = std::env::temp_dir().join(format!("nfehook-sandbox-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("kept.db");
    let _ = std::fs::remove_file(&db);

    let first = fast_sandbox().db_path(&db).start().await.unwrap();
    let (id, secret) = subscribe(&first, "https://example.com/kept", &["nfe.erro"]).await;
    first.shutdown().await.unwrap();

    let second = fast_sandbox().db_path(&db).start().await.unwrap();
    let (status, _, body) = call(
        &second.base_url(),
        Method::GET,
        &format!("/Webhooks/Subscriptions/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["secret"], secret.as_str());
    second.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
