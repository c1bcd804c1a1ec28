//! The binary's command line: help, generated key, logs without secrets, clean stop on
//! SIGTERM and SIGINT.

use std::process::Command;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::process::SandboxProcess;
use crate::support::{Receiver, Reply, http};

#[test]
fn help_explains_every_flag() {
    let output = Command::new(env!("CARGO_BIN_EXE_nfehook-sandbox"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in [
        "--listen",
        "--db",
        "--in-memory",
        "--api-key",
        "--rate-limit",
        "--rate-window-secs",
        "--max-attempts",
        "--backoff-ms",
        "--timeout-ms",
        "--concurrency",
        "--log",
        "--help",
        "--version",
        "NFEHOOK_SANDBOX_API_KEY",
        "SIGTERM",
    ] {
        assert!(help.contains(flag), "--help mentions {flag}:\n{help}");
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_nfehook-sandbox"))
        .args(["--db", "x.db", "--in-memory"])
        .output()
        .unwrap();
    assert!(!bad.status.success(), "--db and --in-memory conflict");
}

async fn exercise(process: &SandboxProcess, key: &str) -> String {
    let receiver = Receiver::start(&[], Reply::Status(200)).await;
    let base = &process.base_url;
    let created: serde_json::Value = http()
        .post(format!("{base}/Webhooks/Subscriptions"))
        .header("X-API-KEY", key)
        .json(&json!({ "name": "logs", "url": receiver.url(), "events": ["nfe.erro"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["data"]["secret"].as_str().unwrap().to_owned();
    receiver.expect_secret(&secret);
    let triggered = http()
        .request(Method::POST, format!("{base}/_sandbox/events"))
        .header("X-API-KEY", key)
        .json(&json!({ "event": "nfe.erro" }))
        .send()
        .await
        .unwrap();
    assert_eq!(triggered.status(), 202);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while receiver.hits().is_empty() {
        assert!(std::time::Instant::now() < deadline, "no delivery");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(receiver.hits()[0].signature_ok);
    secret
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_key_is_printed_once_and_logs_hold_no_secret() {
    let process =
        SandboxProcess::start(&["--listen", "127.0.0.1:0", "--in-memory", "--log", "trace"]);
    let key = process
        .printed_key
        .clone()
        .expect("a generated key is printed");
    assert!(key.starts_with("sbx_") && key.len() >= 36, "{key}");
    let denied = http()
        .get(format!("{}/Webhooks/Subscriptions", process.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 401);
    let secret = exercise(&process, &key).await;
    // Give the dispatcher time to log the attempt before stopping.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, logs) = process.stop_with("TERM");
    assert!(status.success(), "{status:?}\n{logs}");
    assert!(
        logs.contains("delivery attempt"),
        "the attempt is logged:\n{logs}"
    );
    assert!(logs.contains("SIGTERM received"), "{logs}");
    assert!(!logs.contains(&key), "the API key is not logged");
    assert!(
        !logs.contains(&secret),
        "the subscription secret is not logged"
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_stops_it_cleanly_too() {
    let process = SandboxProcess::start(&[
        "--listen",
        "127.0.0.1:0",
        "--in-memory",
        "--api-key",
        "sbx_given",
    ]);
    assert_eq!(process.printed_key, None);
    exercise(&process, "sbx_given").await;
    let (status, logs) = process.stop_with("INT");
    assert!(status.success(), "{status:?}\n{logs}");
    assert!(logs.contains("SIGINT received"), "{logs}");
    assert!(logs.contains("sandbox stopped"), "{logs}");
}
