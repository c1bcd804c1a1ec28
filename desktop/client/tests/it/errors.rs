//! Every error kind, from the sandbox where it can produce it, else from a scripted server;
//! retries of safe requests and none for POST.

use std::time::{Duration, Instant};

use nfehook_client::{ApiError, Client, EventKind, NewSubscription, RetryPolicy};
use nfehook_sandbox::RateLimit;

use crate::support::{
    API_KEY, Answer, TinyServer, client, quick_retries, rate_limited_sandbox, sandbox,
};

const UNKNOWN_ID: &str = "6f1c1a52-6c1e-4c55-9a0a-1b2c3d4e5f60";
const CHAVE: &str = "52060433009911002506550120000007800267301615";

fn new_subscription(url: &str) -> NewSubscription {
    NewSubscription {
        name: "Webhook".into(),
        url: url.into(),
        events: vec![EventKind::Processada],
        is_active: true,
        secret: None,
    }
}

fn scripted(server: &TinyServer, policy: RetryPolicy) -> Client {
    Client::builder(API_KEY)
        .base_url(server.url())
        .retry(policy)
        .build()
        .unwrap()
}

/// No error shows the API key, in its message or its `Debug`.
fn assert_no_key(err: &ApiError) {
    assert!(!err.to_string().contains(API_KEY), "{err}");
    assert!(!format!("{err:?}").contains(API_KEY), "{err:?}");
}

#[tokio::test]
async fn sandbox_errors_map_to_their_kinds() {
    let sandbox = sandbox().await;
    let client = client(&sandbox.base_url());

    // 401: a wrong key.
    let stranger = Client::builder("not-the-key")
        .base_url(sandbox.base_url())
        .build()
        .unwrap();
    let err = stranger.list_subscriptions().await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Unauthorized { message } if message.contains("API key")),
        "{err:?}"
    );
    assert_eq!(err.kind(), "unauthorized");
    assert!(!err.to_string().contains("not-the-key"));

    // 404: unknown id, on every kind of request.
    for err in [
        client.get_subscription(UNKNOWN_ID).await.unwrap_err(),
        client.delete_subscription(UNKNOWN_ID).await.unwrap_err(),
        client.list_chaves(UNKNOWN_ID).await.unwrap_err(),
        client.add_chave(UNKNOWN_ID, CHAVE).await.unwrap_err(),
    ] {
        assert!(matches!(err, ApiError::NotFound { .. }), "{err:?}");
        assert_no_key(&err);
    }

    // 400: the service's field errors come through.
    let mut invalid = new_subscription("ftp://nowhere");
    invalid.events.clear();
    let err = client.create_subscription(&invalid).await.unwrap_err();
    let ApiError::Validation { message, fields } = &err else {
        panic!("expected a validation error, got {err:?}");
    };
    assert!(!message.is_empty());
    assert!(
        fields.contains_key("url") && fields.contains_key("events"),
        "{fields:?}"
    );
    assert!(err.to_string().contains("url: "), "{err}");

    // 409: the same URL twice; the same key twice.
    let created = client
        .create_subscription(&new_subscription("https://example.com/a"))
        .await
        .unwrap();
    let err = client
        .create_subscription(&new_subscription("https://example.com/a"))
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Conflict { .. }), "{err:?}");
    client.add_chave(&created.id, CHAVE).await.unwrap();
    let err = client.add_chave(&created.id, CHAVE).await.unwrap_err();
    assert!(matches!(err, ApiError::Conflict { .. }), "{err:?}");
    assert_eq!(err.status(), Some(409));
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn invalid_keys_and_ids_fail_before_any_request() {
    let server = TinyServer::start(|_| Answer::new(200, r#"{"success":true,"data":null}"#)).await;
    let client = scripted(&server, RetryPolicy::none());
    // ValidaNFe's documentation example: wrong check digit.
    let err = client
        .add_chave("abc", "35170608530528000184550000000154301000771561")
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ApiError::InvalidChave(nfehook_core::ChaveError::CheckDigit {
            expected: 9,
            found: 1
        })
    ));
    assert_eq!(err.kind(), "invalidChave");
    let err = client.remove_chave("abc", "123").await.unwrap_err();
    assert!(matches!(err, ApiError::InvalidChave(_)), "{err:?}");
    let err = client.delete_subscription("  ").await.unwrap_err();
    assert!(matches!(err, ApiError::InvalidArgument { .. }), "{err:?}");
    assert_eq!(server.hits(), 0, "nothing was sent");
}

#[tokio::test]
async fn rate_limit_waits_for_retry_after_then_succeeds() {
    let sandbox = rate_limited_sandbox(RateLimit::new(1, Duration::from_secs(2))).await;
    let patient = client(&sandbox.base_url());
    let impatient = Client::builder(API_KEY)
        .base_url(sandbox.base_url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();

    patient.list_subscriptions().await.unwrap();
    // Over the limit without retries: the error carries Retry-After.
    let err = impatient.list_subscriptions().await.unwrap_err();
    assert!(
        matches!(err, ApiError::RateLimited { retry_after: Some(wait) }
            if wait == Duration::from_secs(1) || wait == Duration::from_secs(2)),
        "{err:?}"
    );
    assert_eq!(err.kind(), "rateLimited");
    // With retries: the client waits what Retry-After says, then gets through.
    let started = Instant::now();
    patient.list_subscriptions().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn retry_after_is_honoured_and_retries_are_counted() {
    let server = TinyServer::start(|n| match n {
        0 | 1 => Answer::new(429, r#"{"success":false,"message":"slow down"}"#)
            .header("retry-after", "1"),
        _ => Answer::new(200, r#"{"success":true,"data":[]}"#),
    })
    .await;
    let client = scripted(&server, quick_retries(3));
    let started = Instant::now();
    assert!(client.list_subscriptions().await.unwrap().is_empty());
    assert_eq!(server.hits(), 3, "two 429s, then the answer");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // Retries are bounded: always 429 gives up after max_retries.
    let server = TinyServer::start(|_| Answer::new(429, "").header("retry-after", "0")).await;
    let err = scripted(&server, quick_retries(2))
        .get_subscription(UNKNOWN_ID)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::RateLimited {
                retry_after: Some(Duration::ZERO)
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.hits(), 3, "1 attempt + 2 retries");

    // A Retry-After beyond max_retry_after is not slept through.
    let server = TinyServer::start(|_| Answer::new(429, "").header("retry-after", "3600")).await;
    let started = Instant::now();
    let err = scripted(&server, quick_retries(3))
        .list_subscriptions()
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::RateLimited { retry_after: Some(wait) } if wait == Duration::from_secs(3600)),
        "{err:?}"
    );
    assert_eq!(server.hits(), 1);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_plain_text_503_is_retried_then_reported() {
    let server = TinyServer::start(|_| {
        Answer::new(503, "Service Unavailable: scheduled maintenance\n")
            .header("content-type", "text/plain")
    })
    .await;
    let err = scripted(&server, quick_retries(2))
        .list_subscriptions()
        .await
        .unwrap_err();
    let ApiError::Server { status, message } = &err else {
        panic!("expected a server error, got {err:?}");
    };
    assert_eq!(*status, 503);
    assert_eq!(message, "Service Unavailable: scheduled maintenance");
    assert_eq!(server.hits(), 3);

    // 502 then 504 then success: safe requests recover.
    let server = TinyServer::start(|n| match n {
        0 => Answer::new(502, ""),
        1 => Answer::new(504, "<html>gateway</html>"),
        _ => Answer::new(200, r#"{"success":true,"data":{"id":"x"}}"#),
    })
    .await;
    scripted(&server, quick_retries(3))
        .delete_subscription("x")
        .await
        .unwrap();
    assert_eq!(server.hits(), 3);
    assert!(server.seen().iter().all(|s| s.method == "DELETE"));

    // A DELETE whose answer was lost: the retry's 404 means it is gone, as asked.
    let server = TinyServer::start(|n| match n {
        0 => Answer::new(502, ""),
        _ => Answer::new(
            404,
            r#"{"success":false,"message":"Subscription not found"}"#,
        ),
    })
    .await;
    let client = scripted(&server, quick_retries(3));
    client.remove_chave("x", CHAVE).await.unwrap();
    assert_eq!(server.hits(), 2);
    // Without a retry, a 404 is a 404.
    let err = client.delete_subscription("x").await.unwrap_err();
    assert!(matches!(err, ApiError::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn post_is_never_retried() {
    for answer in [
        Answer::new(503, "down"),
        Answer::new(429, "").header("retry-after", "0"),
        Answer::new(502, ""),
    ] {
        let server = TinyServer::start(move |_| answer.clone()).await;
        let client = scripted(&server, quick_retries(3));
        let err = client
            .create_subscription(&new_subscription("https://example.com/a"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, ApiError::Server { .. } | ApiError::RateLimited { .. }),
            "{err:?}"
        );
        assert!(client.add_chave("abc", CHAVE).await.is_err());
        assert_eq!(server.hits(), 2, "one create and one add, each sent once");
    }
}

#[tokio::test]
async fn other_statuses_and_bodies_map_to_their_kinds() {
    let server = TinyServer::start(|n| match n {
        0 => Answer::new(
            403,
            r#"{"title": "Forbidden", "detail": "plan does not include webhooks"}"#,
        ),
        1 => Answer::new(500, ""),
        2 => Answer::new(200, "this is not json"),
        3 => Answer::new(418, r#""short and stout""#),
        4 => Answer::new(401, format!("bad key {API_KEY}").as_str()),
        _ => Answer::new(
            422,
            r#"{"type": "about:blank", "title": "Unprocessable", "errors": {"Url": ["bad"]}}"#,
        ),
    })
    .await;
    let client = scripted(&server, quick_retries(3));
    let err = client.list_subscriptions().await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Forbidden { message } if message == "Forbidden: plan does not include webhooks"),
        "{err:?}"
    );
    let err = client.list_subscriptions().await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Server { status: 500, message } if message == "Internal Server Error"),
        "{err:?}"
    );
    let err = client.list_subscriptions().await.unwrap_err();
    assert!(matches!(err, ApiError::Decode { .. }), "{err:?}");
    assert!(
        !err.to_string().contains("this is not json"),
        "the body is not echoed"
    );
    let err = client.list_subscriptions().await.unwrap_err();
    assert!(
        matches!(&err, ApiError::UnexpectedStatus { status: 418, message } if message == "short and stout"),
        "{err:?}"
    );
    let err = client.list_subscriptions().await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Unauthorized { message } if message == "bad key [redacted]"),
        "{err:?}"
    );
    assert_no_key(&err);
    let err = client.list_subscriptions().await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Validation { fields, .. } if fields["Url"] == ["bad"]),
        "{err:?}"
    );
    assert_eq!(server.hits(), 6, "500 and the others are not retried");
}

#[tokio::test]
async fn network_errors_are_retried_and_reported() {
    // A port that was just free: nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = Client::builder(API_KEY)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry(quick_retries(2))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.list_subscriptions().await.unwrap_err();
    assert!(matches!(err, ApiError::Network { .. }), "{err:?}");
    assert_eq!(err.kind(), "network");
    assert!(
        started.elapsed() >= Duration::from_millis(10),
        "it backed off before retrying"
    );
    assert_no_key(&err);
}

#[tokio::test]
async fn a_slow_service_times_out_without_retries() {
    let server = TinyServer::start(|_| {
        Answer::new(200, r#"{"success":true,"data":[]}"#).delay(Duration::from_secs(3))
    })
    .await;
    let client = Client::builder(API_KEY)
        .base_url(server.url())
        .timeout(Duration::from_millis(200))
        .retry(quick_retries(3))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.list_subscriptions().await.unwrap_err();
    assert!(matches!(err, ApiError::Timeout), "{err:?}");
    assert_eq!(err.kind(), "timeout");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.hits(), 1);
}
