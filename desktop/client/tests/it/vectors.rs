//! The shared access-key vectors (`tests/vectors/chaves.json`) through the client and the
//! sandbox: valid keys in every accepted form are sent as their 44 characters (also as a
//! path segment); invalid ones are refused by the client before any request.

use nfehook_client::{ApiError, EventKind, NewSubscription};
use serde_json::Value;

use crate::support::{Answer, TinyServer, client, quick_retries, sandbox};

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/chaves.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("shared vectors")).unwrap()
}

#[tokio::test]
async fn valid_keys_in_every_form_reach_the_sandbox_normalised() {
    let vectors = vectors();
    let valid = vectors["valid"].as_array().unwrap();
    assert!(!valid.is_empty());
    let sandbox = sandbox().await;
    let client = client(&sandbox.base_url());
    let sub = client
        .create_subscription(&NewSubscription {
            name: "vectors".into(),
            url: "https://example.com/vectors".into(),
            events: vec![EventKind::Processada],
            is_active: true,
            secret: None,
        })
        .await
        .unwrap();
    for vector in valid {
        let input = vector["input"].as_str().unwrap();
        let normalized = vector["normalized"].as_str().unwrap();
        let added = client.add_chave(&sub.id, input).await.unwrap();
        assert_eq!(added.as_str(), normalized, "{}", vector["name"]);
        assert_eq!(client.list_chaves(&sub.id).await.unwrap(), [normalized]);
        // Removed by the same input form, sent as a path segment.
        client.remove_chave(&sub.id, input).await.unwrap();
        assert!(client.list_chaves(&sub.id).await.unwrap().is_empty());
    }
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn invalid_keys_are_refused_before_any_request() {
    let vectors = vectors();
    let invalid = vectors["invalid"].as_array().unwrap();
    assert!(!invalid.is_empty());
    let server = TinyServer::start(|_| Answer::new(500, "must not be called")).await;
    let client = nfehook_client::Client::builder("k")
        .base_url(server.url())
        .retry(quick_retries(0))
        .build()
        .unwrap();
    for vector in invalid {
        let input = vector["input"].as_str().unwrap();
        for result in [
            client.add_chave("id", input).await.map(drop),
            client.remove_chave("id", input).await,
        ] {
            let Err(ApiError::InvalidChave(err)) = result else {
                panic!("{}: expected InvalidChave, got {result:?}", vector["name"]);
            };
            if let Some(code) = vector["error"].as_str() {
                assert_eq!(err.code(), code, "{}", vector["name"]);
            }
        }
    }
    assert_eq!(server.hits(), 0);
}
