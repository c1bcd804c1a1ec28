//! Redirects are answers, not instructions: a 30x is returned as an error naming the status and
//! the target's origin, and the host it names never hears the API key or the body.

use nfehook_client::{ApiError, SubscriptionPatch};

use crate::support::{API_KEY, Answer, TinyServer, client};

const ID: &str = "6f1c1a52-6c1e-4c55-9a0a-1b2c3d4e5f60";

#[tokio::test]
async fn redirects_are_not_followed_and_the_key_stays_home() {
    let elsewhere = TinyServer::start(|_| Answer::new(200, r#"{"success":true,"data":[]}"#)).await;
    let target = format!("{}/Webhooks/Subscriptions", elsewhere.url());
    let redirecting = {
        let target = target.clone();
        TinyServer::start(move |n| {
            let status = if n % 2 == 0 { 307 } else { 308 };
            Answer::new(status, "").header("location", &format!("{target}?token=t0ps3cret"))
        })
        .await
    };
    let client = client(&redirecting.url());

    // 307 on a GET (safe, retryable): still one request, no retry, no follow.
    let err = client.list_subscriptions().await.unwrap_err();
    let ApiError::Redirect { status, location } = &err else {
        panic!("expected a redirect error, got {err:?}");
    };
    assert_eq!(*status, 307);
    assert_eq!(location.as_deref(), Some(elsewhere.url().as_str()));
    assert_eq!(err.kind(), "redirect");
    assert_eq!(err.status(), Some(307));

    // 308 on a PUT, which a followed redirect would re-send with its body.
    let patch = SubscriptionPatch {
        name: Some("renamed".into()),
        ..SubscriptionPatch::default()
    };
    let put = client.update_subscription(ID, &patch).await.unwrap_err();
    assert!(
        matches!(put, ApiError::Redirect { status: 308, .. }),
        "{put:?}"
    );

    for err in [&err, &put] {
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(API_KEY), "{shown}");
        assert!(!shown.contains("t0ps3cret"), "{shown}");
    }
    assert_eq!(redirecting.hits(), 2);
    assert!(
        redirecting
            .seen()
            .iter()
            .all(|seen| seen.headers.get("x-api-key").is_some()),
        "the configured origin gets the key"
    );
    assert_eq!(
        elsewhere.hits(),
        0,
        "the redirect target received {:?}",
        elsewhere
            .seen()
            .iter()
            .map(|s| s.headers.contains_key("x-api-key"))
            .collect::<Vec<_>>()
    );
}
