//! Durability: the binary killed with SIGKILL in the middle of retries loses no delivery.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::process::SandboxProcess;
use crate::support::{API_KEY, Receiver, Reply, call};

fn start(db: &Path, backoff_ms: u64) -> SandboxProcess {
    let db = db.to_str().unwrap();
    let backoff = backoff_ms.to_string();
    #[rustfmt::skip]
    let args = [
        "--listen", "127.0.0.1:0", "--db", db, "--api-key", API_KEY, "--log", "warn",
        "--backoff-ms", &backoff, "--timeout-ms", "5000",
    ];
    let process = SandboxProcess::start(&args);
    assert_eq!(process.printed_key, None, "a given key is not printed");
    process
}

async fn deliveries(base: &str) -> Vec<Value> {
    let (status, _, body) = call(base, Method::GET, "/_sandbox/deliveries", None).await;
    assert_eq!(status, 200);
    body["data"].as_array().unwrap().clone()
}

async fn wait_until(base: &str, limit: Duration, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + limit;
    loop {
        let list = deliveries(base).await;
        if done(&list) {
            return list;
        }
        assert!(
            Instant::now() < deadline,
            "timed out; deliveries: {list:#?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_sandbox_resumes_every_pending_delivery() {
    let dir =
        std::env::temp_dir().join(format!("nfehook-sandbox-durability-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("sandbox.db");
    let _ = std::fs::remove_file(&db);

    // Every delivery fails its first attempt; retries succeed. The backoff is long enough
    // to kill the sandbox while every retry is waiting.
    let receivers = [
        Receiver::start(&[Reply::Status(500); 3], Reply::Status(200)).await,
        Receiver::start(&[Reply::Status(500); 3], Reply::Status(200)).await,
    ];
    let first = start(&db, 2500);
    let mut secrets = HashMap::new();
    for receiver in &receivers {
        let (status, _, created) = call(
            &first.base_url,
            Method::POST,
            "/Webhooks/Subscriptions",
            Some(json!({ "name": "durable", "url": receiver.url(), "events": ["nfe.processada", "nfe.erro", "nfe.cancelada"] })),
        )
        .await;
        assert_eq!(status, 201);
        let secret = created["data"]["secret"].as_str().unwrap().to_owned();
        receiver.expect_secret(&secret);
        secrets.insert(receiver.url(), secret);
    }
    for event in ["nfe.processada", "nfe.erro", "nfe.cancelada"] {
        let (status, _, body) = call(
            &first.base_url,
            Method::POST,
            "/_sandbox/events",
            Some(json!({ "event": event })),
        )
        .await;
        assert_eq!(status, 202, "{body}");
        assert_eq!(body["data"]["deliveries"].as_array().unwrap().len(), 2);
    }
    // All six first attempts failed and are recorded; the retries wait 2.5 s.
    let before = wait_until(&first.base_url, Duration::from_secs(10), |list| {
        list.len() == 6 && list.iter().all(|d| d["attemptsMade"] == 1)
    })
    .await;
    assert!(
        before.iter().all(|d| d["status"] == "pending"),
        "{before:#?}"
    );
    first.kill();

    let second = start(&db, 2500);
    let after = wait_until(&second.base_url, Duration::from_secs(15), |list| {
        list.len() == 6 && list.iter().all(|d| d["status"] != "pending")
    })
    .await;
    let mut ids: Vec<&str> = after.iter().map(|d| d["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    let mut ids_before: Vec<&str> = before.iter().map(|d| d["id"].as_str().unwrap()).collect();
    ids_before.sort_unstable();
    assert_eq!(
        ids, ids_before,
        "the same deliveries, nothing lost or added"
    );
    for delivery in &after {
        assert_eq!(delivery["status"], "delivered", "{delivery:#}");
        let attempts = delivery["attempts"].as_array().unwrap();
        let numbers: Vec<u64> = attempts
            .iter()
            .map(|a| a["number"].as_u64().unwrap())
            .collect();
        assert_eq!(numbers, [1, 2], "one record per attempt: {delivery:#}");
        assert_eq!(attempts[0]["statusCode"], 500);
        assert_eq!(attempts[1]["statusCode"], 200);
    }
    // Each receiver saw each of its deliveries exactly twice (a 500, then a 200), signed.
    for receiver in &receivers {
        let hits = receiver.hits();
        assert_eq!(hits.len(), 6, "3 deliveries x 2 attempts");
        assert!(hits.iter().all(|h| h.signature_ok));
        let mut per_id: HashMap<&str, Vec<u16>> = HashMap::new();
        for hit in &hits {
            per_id
                .entry(hit.id.as_str())
                .or_default()
                .push(hit.answered);
        }
        assert_eq!(per_id.len(), 3);
        assert!(
            per_id.values().all(|answers| answers == &[500, 200]),
            "{per_id:?}"
        );
    }
    second.kill();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attempt_cut_off_by_a_kill_is_made_again_with_the_same_body() {
    let dir = std::env::temp_dir().join(format!("nfehook-sandbox-inflight-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("sandbox.db");
    let _ = std::fs::remove_file(&db);

    // The first request hangs (the sandbox is killed while waiting for it); later ones succeed.
    let receiver =
        Receiver::start(&[Reply::Slow(Duration::from_secs(30))], Reply::Status(200)).await;
    let first = start(&db, 100);
    let (status, _, created) = call(
        &first.base_url,
        Method::POST,
        "/Webhooks/Subscriptions",
        Some(json!({ "name": "in flight", "url": receiver.url(), "events": ["nfe.processada"] })),
    )
    .await;
    assert_eq!(status, 201);
    receiver.expect_secret(created["data"]["secret"].as_str().unwrap());
    let (status, _, _) = call(
        &first.base_url,
        Method::POST,
        "/_sandbox/events",
        Some(json!({ "event": "nfe.processada" })),
    )
    .await;
    assert_eq!(status, 202);
    let deadline = Instant::now() + Duration::from_secs(10);
    while receiver.hits().is_empty() {
        assert!(Instant::now() < deadline, "the first attempt never arrived");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before = deliveries(&first.base_url).await;
    assert_eq!(before.len(), 1);
    assert_eq!(before[0]["status"], "pending");
    assert_eq!(
        before[0]["attemptsMade"], 0,
        "the attempt in flight has not finished"
    );
    let in_flight = &before[0]["attempts"][0];
    assert_eq!(
        (&in_flight["number"], &in_flight["outcome"]),
        (&json!(1), &json!("in_flight")),
        "it is recorded before it is sent: {before:?}"
    );
    assert_eq!(in_flight["statusCode"], Value::Null);
    first.kill();

    let second = start(&db, 100);
    let after = wait_until(&second.base_url, Duration::from_secs(10), |list| {
        list.len() == 1 && list[0]["status"] != "pending"
    })
    .await;
    assert_eq!(after[0]["status"], "delivered");
    assert_eq!(after[0]["id"], before[0]["id"]);
    let attempts = after[0]["attempts"].as_array().unwrap();
    let hits = receiver.hits();
    assert_eq!(
        attempts.len(),
        hits.len(),
        "one record per request the receiver got: {attempts:?}"
    );
    assert_eq!(
        (&attempts[0]["number"], &attempts[0]["outcome"]),
        (&json!(1), &json!("interrupted"))
    );
    assert_eq!(attempts[0]["statusCode"], Value::Null);
    assert!(
        attempts[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("interrupted"),
        "{attempts:?}"
    );
    assert_eq!(
        (&attempts[1]["number"], &attempts[1]["outcome"]),
        (&json!(2), &json!("succeeded"))
    );
    assert_eq!(attempts[1]["statusCode"], 200);
    assert_eq!(after[0]["attemptsMade"], 2);
    assert_eq!(hits.len(), 2, "the cut-off attempt was made again");
    assert_eq!(hits[0].id, hits[1].id, "with the same id");
    assert_eq!(hits[0].body, hits[1].body, "and the same signed bytes");
    assert!(hits.iter().all(|h| h.signature_ok));
    second.kill();
    let _ = std::fs::remove_dir_all(&dir);
}
