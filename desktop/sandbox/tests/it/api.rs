//! The Subscriptions API contract over HTTP: statuses, envelopes and fields.

use std::time::Duration;

use nfehook_core::{Envelope, Subscription, SubscriptionDetail};
use nfehook_sandbox::RateLimit;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{API_KEY, call, fast_sandbox, http};

const CHAVE: &str = "52060433009911002506550120000007800267301615";

fn new_body(url: &str) -> Value {
    json!({ "name": "Webhook Principal", "url": url, "events": ["nfe.processada", "nfe.cancelada"], "isActive": true })
}

#[tokio::test]
async fn every_route_needs_the_api_key() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let base = sandbox.base_url();
    for (method, path) in [
        (Method::GET, "/Webhooks/Subscriptions"),
        (Method::POST, "/Webhooks/Subscriptions"),
        (
            Method::GET,
            "/Webhooks/Subscriptions/6f1c1a52-6c1e-4c55-9a0a-1b2c3d4e5f60",
        ),
        (Method::GET, "/_sandbox/deliveries"),
        (Method::POST, "/_sandbox/events"),
        (Method::GET, "/nowhere"),
    ] {
        for key in [None, Some("wrong-key"), Some(&API_KEY[..API_KEY.len() - 1])] {
            let mut request = http().request(method.clone(), format!("{base}{path}"));
            if let Some(key) = key {
                request = request.header("X-API-KEY", key);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 401, "{method} {path} with {key:?}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["success"], false);
            assert!(body["message"].as_str().unwrap().contains("API key"));
            assert!(!body.to_string().contains(API_KEY));
        }
    }
    sandbox.shutdown().await.unwrap();
}

/// Creates a subscription for `url` and returns its id.
async fn create(base: &str, url: &str) -> String {
    let (status, _, created) = call(
        base,
        Method::POST,
        "/Webhooks/Subscriptions",
        Some(new_body(url)),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    created["data"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn create_answers_201_409_and_400() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let base = sandbox.base_url();

    let (status, _, created) = call(
        &base,
        Method::POST,
        "/Webhooks/Subscriptions",
        Some(new_body("https://example.com/hook")),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(created["success"], true);
    let data = &created["data"];
    let id = data["id"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    assert!(
        data.get("lastDeliveryAt").is_none() && data.get("nfeChavesCount").is_none(),
        "{data}"
    );
    let secret = data["secret"].as_str().unwrap();
    let hex = secret.strip_prefix("whsec_").unwrap();
    assert!(
        hex.len() >= 32
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    // The core model reads it.
    let parsed: Envelope<Subscription> = serde_json::from_value(created.clone()).unwrap();
    assert_eq!(parsed.data.name, "Webhook Principal");
    assert!(parsed.data.is_active);

    // A chosen secret is kept; isActive defaults to true.
    let (status, _, other) = call(&base, Method::POST, "/Webhooks/Subscriptions", Some(json!({
        "name": "Outro", "url": "http://127.0.0.1:9/x", "events": ["nfe.erro"], "secret": "my-own-secret"
    }))).await;
    assert_eq!(status, 201);
    assert_eq!(other["data"]["secret"], "my-own-secret");
    assert_eq!(other["data"]["isActive"], true);

    // Same URL again: 409.
    let (status, _, conflict) = call(
        &base,
        Method::POST,
        "/Webhooks/Subscriptions",
        Some(new_body("https://example.com/hook")),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(conflict["success"], false);

    // Invalid fields: 400 with every problem.
    let (status, _, invalid) = call(
        &base,
        Method::POST,
        "/Webhooks/Subscriptions",
        Some(json!({
            "name": " ", "url": "ftp://x", "events": [], "isActive": "yes"
        })),
    )
    .await;
    assert_eq!(status, 400);
    let errors = invalid["errors"].as_object().unwrap();
    for field in ["name", "url", "events", "isActive"] {
        assert!(errors.contains_key(field), "{field} in {invalid}");
    }
    let (status, _, invalid) = call(
        &base,
        Method::POST,
        "/Webhooks/Subscriptions",
        Some(json!({ "url": "https://a.b/c", "events": ["nfe.inventado"] })),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(invalid["errors"]["name"], json!(["is required"]));
    assert!(
        invalid["errors"]["events"][0]
            .as_str()
            .unwrap()
            .contains("not an event"),
        "{invalid}"
    );
    // Not JSON at all.
    let response = http()
        .post(format!("{base}/Webhooks/Subscriptions"))
        .header("X-API-KEY", API_KEY)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("not valid JSON"));
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn keys_are_validated_normalised_and_unique() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let base = sandbox.base_url();
    let id = create(&base, "https://example.com/hook").await;

    let keys = format!("/Webhooks/Subscriptions/{id}/NFe-Chaves");
    let grouped = "5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615";
    let (status, _, added) = call(
        &base,
        Method::POST,
        &keys,
        Some(json!({ "nfeChave": grouped })),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(added["data"]["nfeChave"], CHAVE);
    let (status, _, _) = call(
        &base,
        Method::POST,
        &keys,
        Some(json!({ "nfeChave": CHAVE })),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _, bad) = call(
        &base,
        Method::POST,
        &keys,
        Some(json!({ "nfeChave": "35170608530528000184550000000154301000771561" })),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        bad["errors"]["nfeChave"][0].as_str().unwrap().contains('9'),
        "expected digit named: {bad}"
    );
    let (status, _, listed) = call(&base, Method::GET, &keys, None).await;
    assert_eq!(status, 200);
    assert_eq!(listed["data"], json!([CHAVE]));

    // Remove; a key not there is 404; an invalid key is 400.
    let (status, _, _) = call(&base, Method::DELETE, &format!("{keys}/{CHAVE}"), None).await;
    assert_eq!(status, 200);
    let (status, _, _) = call(&base, Method::DELETE, &format!("{keys}/{CHAVE}"), None).await;
    assert_eq!(status, 404);
    let (status, _, _) = call(&base, Method::DELETE, &format!("{keys}/123"), None).await;
    assert_eq!(status, 400);
    let (_, _, listed) = call(&base, Method::GET, &keys, None).await;
    assert_eq!(listed["data"], json!([]));
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn list_get_and_update_follow_the_contract() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let base = sandbox.base_url();
    let id = create(&base, "https://example.com/hook").await;
    create(&base, "http://127.0.0.1:9/x").await;
    let keys = format!("/Webhooks/Subscriptions/{id}/NFe-Chaves");
    let (status, _, _) = call(
        &base,
        Method::POST,
        &keys,
        Some(json!({ "nfeChave": CHAVE })),
    )
    .await;
    assert_eq!(status, 201);

    // List: summaries with the key count; get: detail with the keys.
    let (status, _, list) = call(&base, Method::GET, "/Webhooks/Subscriptions", None).await;
    assert_eq!(status, 200);
    let list: Envelope<Vec<Subscription>> = serde_json::from_value(list).unwrap();
    assert_eq!(list.data.len(), 2);
    assert_eq!(list.data[0].id, id);
    assert_eq!(list.data[0].nfe_chaves_count, Some(1));
    assert_eq!(list.data[1].nfe_chaves_count, Some(0));
    assert_eq!(list.data[0].last_delivery_at, None);
    let (status, _, detail) = call(
        &base,
        Method::GET,
        &format!("/Webhooks/Subscriptions/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let detail: Envelope<SubscriptionDetail> = serde_json::from_value(detail).unwrap();
    assert_eq!(detail.data.nfe_chaves, vec![CHAVE]);
    // Upper-case ids work too.
    let (status, _, _) = call(
        &base,
        Method::GET,
        &format!("/Webhooks/Subscriptions/{}", id.to_uppercase()),
        None,
    )
    .await;
    assert_eq!(status, 200);

    // Update: partial; 409 for another's URL; 400 for a bad field or a secret.
    let one = format!("/Webhooks/Subscriptions/{id}");
    let (status, _, updated) = call(
        &base,
        Method::PUT,
        &one,
        Some(json!({ "name": "Renomeado", "isActive": false })),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(updated["data"]["name"], "Renomeado");
    assert_eq!(updated["data"]["isActive"], false);
    assert_eq!(updated["data"]["url"], "https://example.com/hook");
    assert_eq!(updated["data"]["nfeChavesCount"], 1);
    let (status, _, _) = call(
        &base,
        Method::PUT,
        &one,
        Some(json!({ "url": "http://127.0.0.1:9/x" })),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _, bad) = call(
        &base,
        Method::PUT,
        &one,
        Some(json!({ "events": ["nfe.erro", "nfe.erro"], "secret": "x" })),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        bad["errors"]["events"].is_array() && bad["errors"]["secret"].is_array(),
        "{bad}"
    );
    let (_, _, after) = call(&base, Method::GET, &one, None).await;
    assert_eq!(
        after["data"]["events"],
        json!(["nfe.processada", "nfe.cancelada"]),
        "a refused update changes nothing"
    );
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_ids_are_404_and_delete_works_once() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let base = sandbox.base_url();
    let unknown = "/Webhooks/Subscriptions/6f1c1a52-6c1e-4c55-9a0a-1b2c3d4e5f60";
    for (method, path, body) in [
        (Method::GET, unknown.to_owned(), None),
        (
            Method::PUT,
            unknown.to_owned(),
            Some(json!({ "name": "x" })),
        ),
        (Method::DELETE, unknown.to_owned(), None),
        (Method::GET, format!("{unknown}/NFe-Chaves"), None),
        (
            Method::POST,
            format!("{unknown}/NFe-Chaves"),
            Some(json!({ "nfeChave": CHAVE })),
        ),
        (
            Method::DELETE,
            format!("{unknown}/NFe-Chaves/{CHAVE}"),
            None,
        ),
        (
            Method::GET,
            "/Webhooks/Subscriptions/not-a-uuid".to_owned(),
            None,
        ),
    ] {
        let (status, _, body) = call(&base, method.clone(), &path, body).await;
        assert_eq!(status, 404, "{method} {path}");
        assert_eq!(body["success"], false);
    }
    let (status, _, body) = call(&base, Method::PATCH, "/Webhooks/Subscriptions", None).await;
    assert_eq!(status, 405);
    assert_eq!(body["success"], false);
    let id = create(&base, "https://example.com/hook").await;
    let one = format!("/Webhooks/Subscriptions/{id}");
    let (status, _, _) = call(&base, Method::DELETE, &one, None).await;
    assert_eq!(status, 200);
    let (status, _, _) = call(&base, Method::DELETE, &one, None).await;
    assert_eq!(status, 404);
    let (status, _, _) = call(&base, Method::GET, &one, None).await;
    assert_eq!(status, 404);
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let sandbox = fast_sandbox()
        .rate_limit(RateLimit::new(2, Duration::from_secs(30)))
        .start()
        .await
        .unwrap();
    let base = sandbox.base_url();
    for _ in 0..2 {
        let (status, _, _) = call(&base, Method::GET, "/Webhooks/Subscriptions", None).await;
        assert_eq!(status, 200);
    }
    let (status, headers, body) = call(&base, Method::GET, "/Webhooks/Subscriptions", None).await;
    assert_eq!(status, 429);
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    assert_eq!(body["success"], false);
    // Sandbox endpoints are not limited.
    let (status, _, _) = call(&base, Method::GET, "/_sandbox/deliveries", None).await;
    assert_eq!(status, 200);
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn trigger_requests_are_validated() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let base = sandbox.base_url();
    for body in [
        json!({ "event": "nfe.inventado" }),
        json!({ "event": "nfe.processada", "nfeChave": "123" }),
        json!({}),
        json!([1]),
    ] {
        let (status, _, answer) =
            call(&base, Method::POST, "/_sandbox/events", Some(body.clone())).await;
        assert_eq!(status, 400, "{body} -> {answer}");
        assert_eq!(answer["success"], false);
    }
    let (status, _, answer) = call(
        &base,
        Method::POST,
        "/_sandbox/events",
        Some(json!({
            "event": "nfe.erro", "nfeChave": CHAVE, "valor": 12.30,
            "emitente": { "cnpj": "33009911002506", "razaoSocial": "Outra" }
        })),
    )
    .await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["data"]["nfeChave"], CHAVE);
    assert_eq!(answer["data"]["deliveries"], json!([]));
    let (status, _, _) = call(&base, Method::GET, "/_sandbox/deliveries/none", None).await;
    assert_eq!(status, 404);
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413_in_the_json_envelope() {
    let sandbox = fast_sandbox().start().await.unwrap();
    let base = sandbox.base_url();
    let huge = format!(r#"{{"name":"{}"}}"#, "x".repeat(3 * 1024 * 1024));
    for (method, path) in [
        (Method::POST, "/Webhooks/Subscriptions"),
        (Method::POST, "/_sandbox/events"),
        (Method::PUT, "/_sandbox/account-webhook"),
    ] {
        let response = http()
            .request(method.clone(), format!("{base}{path}"))
            .header("X-API-KEY", API_KEY)
            .header("content-type", "application/json")
            .body(huge.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413, "{method} {path}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["success"], false, "{body}");
        assert!(
            body["message"].as_str().unwrap().contains("too large"),
            "{body}"
        );
    }
    sandbox.shutdown().await.unwrap();
}
