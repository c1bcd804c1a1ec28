//! End to end across the parts, as a customer would wire them: the `nfehook-sandbox` binary
//! delivers signed events to a Node Express receiver built on the `nfehook` npm package
//! (installed from its `npm pack` tarball); the subscriptions are created through
//! `nfehook-client`.
//!
//! Checked: the receiver accepts every genuine delivery, rejects a tampered one, drops a
//! duplicate by `id` (both a replay and a retry after a timed-out attempt), the sandbox
//! records exactly what the receiver answered, a receiver that is down and then up gets every
//! delivery through the retries, and no log line or error of the whole run holds the API key or
//! a secret. The account webhook's deliveries (`{"evento","timestamp","dados"}` signed in
//! `X-ValidaNFe-Signature`) reach the same receiver through retries, each processed once by the
//! digest of its body, a repeat answered as a duplicate and a tampered body refused.
//!
//! Needs `make npm` and `tests/e2e/install.sh` first; `make test-e2e` does both and passes
//! `NFEHOOK_SANDBOX_BIN` and `NFEHOOK_E2E_RECEIVER`.

// One scenario that reads top to bottom.
#![allow(clippy::too_many_lines)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nfehook_client::Client;
use nfehook_core::{EventKind, NewSubscription, Secret};
use serde_json::{Value, json};

const API_KEY: &str = "sbx_e2e_4b7c2d9e8f1a6b3c";
const WRONG_KEY: &str = "sbx_e2e_wrong_0f9e8d7c6b";
/// The receiver's secret, also the secret of subscriptions A and C.
const SECRET_A: &str = "whsec_e2e_receiver_5d1c8e2f7a9b";
/// Subscription B's secret, which the receiver does not know: its deliveries are refused.
const SECRET_B: &str = "whsec_e2e_unknown_3a6f0b4c9d2e";
/// Sandbox attempt timeout; the receiver answers the first `nfe.erro` delivery later than this.
const TIMEOUT_MS: u64 = 1000;
const SLOW_MS: u64 = 1800;
const MAX_ATTEMPTS: usize = 6;

fn env_path(name: &str) -> PathBuf {
    let value = std::env::var_os(name)
        .unwrap_or_else(|| panic!("{name} is not set: run this suite with `make test-e2e`"));
    let path = PathBuf::from(value);
    assert!(path.exists(), "{name}={} does not exist", path.display());
    path
}

fn log_dir() -> PathBuf {
    let dir = nfehook_tests::workspace_root().join("target/e2e/logs");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A valid NF-e key (SP, model 55) with number `numero`.
fn chave(numero: u32) -> String {
    let first_43 = format!("35240311222333000181550010{numero:08}1{numero:08}");
    let digit = nfehook_core::chave::check_digit(first_43.as_bytes());
    format!("{first_43}{digit}")
}

/// A child process whose stdout lines are collected; killed when dropped.
struct Process {
    name: &'static str,
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// Starts `command` with stdout piped (collected) and stderr into `logs/<name>.stderr`,
    /// and waits for a stdout line starting with `ready`; returns it with the process.
    fn start(name: &'static str, mut command: Command, ready: &str) -> (Self, String) {
        let stderr = std::fs::File::create(log_dir().join(format!("{name}.stderr"))).unwrap();
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .unwrap_or_else(|err| panic!("start {name}: {err}"));
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let sink = Arc::clone(&lines);
        let prefix = ready.to_owned();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with(&prefix) {
                    let _ = tx.send(line.clone());
                }
                sink.lock().unwrap().push(line);
            }
        });
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("{name} did not print `{ready}`"));
        (Self { name, child, lines }, line)
    }

    /// Stops it with SIGTERM (then SIGKILL after 10 s) and returns everything it printed.
    fn stop(mut self) -> String {
        let pid = rustix::process::Pid::from_child(&self.child);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(100));
        let stdout = self.lines.lock().unwrap().join("\n");
        std::fs::write(log_dir().join(format!("{}.stdout", self.name)), &stdout).unwrap();
        let stderr =
            std::fs::read_to_string(log_dir().join(format!("{}.stderr", self.name))).unwrap();
        format!("{stdout}\n{stderr}")
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sandbox() -> (Process, String) {
    let mut command = Command::new(env_path("NFEHOOK_SANDBOX_BIN"));
    command
        .args([
            "--in-memory",
            "--listen",
            "127.0.0.1:0",
            "--api-key",
            API_KEY,
        ])
        .args([
            "--max-attempts",
            &MAX_ATTEMPTS.to_string(),
            "--backoff-ms",
            "300",
        ])
        .args(["--timeout-ms", &TIMEOUT_MS.to_string()])
        // Everything, so the secrecy check covers every line the sandbox can write.
        .args(["--log", "trace"])
        .env_remove("RUST_LOG")
        .env_remove("NFEHOOK_SANDBOX_API_KEY");
    let (process, line) = Process::start("sandbox", command, "nfehook-sandbox listening on ");
    let url = line["nfehook-sandbox listening on ".len()..]
        .trim()
        .to_owned();
    (process, url)
}

fn start_receiver(name: &'static str, port: u16) -> (Process, String) {
    let dir = env_path("NFEHOOK_E2E_RECEIVER");
    let mut command = Command::new("node");
    command
        .arg("receiver.mjs")
        .current_dir(dir)
        .env("PORT", port.to_string())
        .env("WEBHOOK_SECRET", SECRET_A)
        .env("SLOW_FIRST_ERRO_MS", SLOW_MS.to_string());
    let (process, line) = Process::start(name, command, "receiver listening on ");
    let port = line["receiver listening on ".len()..].trim().to_owned();
    (process, format!("http://127.0.0.1:{port}"))
}

/// A port nothing listens on (yet).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn sandbox_get(base: &str, path: &str) -> Value {
    let answer: Value = http()
        .get(format!("{base}{path}"))
        .header("X-API-KEY", API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["success"], true, "{path}: {answer}");
    answer["data"].clone()
}

async fn trigger(base: &str, event: &str, chave: &str) -> String {
    let answer: Value = http()
        .post(format!("{base}/_sandbox/events"))
        .header("X-API-KEY", API_KEY)
        .json(&json!({ "event": event, "nfeChave": chave }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let deliveries = answer["data"]["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 1, "one subscription per key: {answer}");
    deliveries[0]["id"].as_str().unwrap().to_owned()
}

/// Deliveries by id, once `done` holds for all of `ids` (30 s at most).
async fn wait_deliveries(
    base: &str,
    ids: &[String],
    done: impl Fn(&Value) -> bool,
) -> BTreeMap<String, Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let all = sandbox_get(base, "/_sandbox/deliveries").await;
        let deliveries: BTreeMap<String, Value> = all
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["id"].as_str().unwrap().to_owned(), d.clone()))
            .collect();
        if ids.iter().all(|id| deliveries.get(id).is_some_and(&done)) {
            return deliveries;
        }
        assert!(
            Instant::now() < deadline,
            "deliveries not done in time: {:#}",
            json!(ids.iter().map(|id| &deliveries[id]).collect::<Vec<_>>())
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn received(receiver: &str) -> Value {
    http()
        .get(format!("{receiver}/_received"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn accepted_ids(received: &Value, path: &str) -> Vec<String> {
    received["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["path"] == path)
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The receiver's answers on `path`, in order, as (status, id).
fn answers(received: &Value, path: &str) -> Vec<(u64, Option<String>)> {
    received["answers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["path"] == path)
        .map(|a| {
            (
                a["status"].as_u64().unwrap(),
                a["id"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// Whether a delivery's first attempt has ended: it is listed `in_flight` while it is sent.
fn first_attempt_finished(delivery: &Value) -> bool {
    delivery["attempts"][0]["outcome"]
        .as_str()
        .is_some_and(|outcome| outcome != "in_flight")
}

fn attempt_codes(delivery: &Value) -> Vec<Option<u64>> {
    delivery["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["statusCode"].as_u64())
        .collect()
}

fn new_subscription(
    name: &str,
    url: String,
    events: Vec<EventKind>,
    secret: &str,
) -> NewSubscription {
    NewSubscription {
        name: name.to_owned(),
        url,
        events,
        is_active: true,
        secret: Some(Secret::new(secret)),
    }
}

/// Posts `body` with `signature` straight to the receiver, as an attacker or a replaying
/// proxy would; returns the status and the answer.
async fn post_to_receiver(url: &str, body: &str, signature: Option<&str>) -> (u16, Value) {
    let mut request = http()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header(nfehook_core::SIGNATURE_HEADER, signature);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_reach_a_node_receiver_built_on_the_npm_package() {
    let mut errors: Vec<String> = Vec::new();
    let (sandbox, base) = start_sandbox();
    let (receiver, receiver_url) = start_receiver("receiver", 0);
    let down_port = free_port();

    // Subscriptions through nfehook-client, each scoped to its own NF-e keys.
    let client = Client::builder(API_KEY).base_url(&base).build().unwrap();
    let (k_a1, k_a2, k_b, k_c) = (chave(11), chave(12), chave(21), chave(31));
    let sub_a = client
        .create_subscription(&new_subscription(
            "A: receiver",
            format!("{receiver_url}/webhooks/a"),
            EventKind::SUBSCRIPTION.to_vec(),
            SECRET_A,
        ))
        .await
        .unwrap();
    let sub_b = client
        .create_subscription(&new_subscription(
            "B: secret the receiver does not know",
            format!("{receiver_url}/webhooks/b"),
            vec![EventKind::Processada],
            SECRET_B,
        ))
        .await
        .unwrap();
    let sub_c = client
        .create_subscription(&new_subscription(
            "C: receiver down, then up",
            format!("http://127.0.0.1:{down_port}/webhooks/c"),
            vec![EventKind::Processada],
            SECRET_A,
        ))
        .await
        .unwrap();
    for (sub, key) in [
        (&sub_a, &k_a1),
        (&sub_a, &k_a2),
        (&sub_b, &k_b),
        (&sub_c, &k_c),
    ] {
        client.add_chave(&sub.id, key).await.unwrap();
    }
    // Errors the client produces go into the secrecy check too.
    let taken = client
        .create_subscription(&new_subscription(
            "A again",
            sub_a.url.clone(),
            vec![EventKind::Erro],
            SECRET_A,
        ))
        .await
        .unwrap_err();
    assert_eq!(taken.status(), Some(409));
    let wrong = Client::builder(WRONG_KEY).base_url(&base).build().unwrap();
    let unauthorized = wrong.list_subscriptions().await.unwrap_err();
    assert_eq!(unauthorized.status(), Some(401));
    for err in [&taken, &unauthorized] {
        errors.push(format!("{err} | {err:?}"));
    }
    errors.push(format!(
        "{client:?} {wrong:?} {sub_a:?} {sub_b:?} {sub_c:?}"
    ));

    // Genuine deliveries to A: all accepted once; the slow `nfe.erro` is retried by the
    // sandbox after its timeout, refused while its first handler runs, then dropped as a
    // duplicate.
    let a_ids = vec![
        trigger(&base, "nfe.processada", &k_a1).await,
        trigger(&base, "nfe.cancelada", &k_a1).await,
        trigger(&base, "nfe.erro", &k_a2).await,
    ];
    // B: signed with a secret the receiver does not know, refused on every attempt.
    let b_delivery_id = trigger(&base, "nfe.processada", &k_b).await;
    // C: the receiver is down.
    let mut c_ids = Vec::new();
    for _ in 0..5 {
        c_ids.push(trigger(&base, "nfe.processada", &k_c).await);
    }
    let failed_once = wait_deliveries(&base, &c_ids, |d| {
        d["status"] == "pending" && first_attempt_finished(d)
    })
    .await;
    for id in &c_ids {
        let first = &failed_once[id]["attempts"][0];
        assert!(
            first["statusCode"].is_null(),
            "no receiver, no status: {first}"
        );
        errors.push(first["error"].as_str().unwrap().to_owned());
    }
    let (receiver_c, receiver_c_url) = start_receiver("receiver-c", down_port);
    assert_eq!(receiver_c_url, format!("http://127.0.0.1:{down_port}"));

    let delivered = |d: &Value| d["status"] == "delivered";
    let deliveries =
        wait_deliveries(&base, &[a_ids.clone(), c_ids.clone()].concat(), delivered).await;
    let b_deliveries = wait_deliveries(&base, std::slice::from_ref(&b_delivery_id), |d| {
        d["status"] == "failed"
    })
    .await;
    // The slow first answer to `nfe.erro` ends after its retry was answered: wait for it.
    let expected_answers_a = a_ids.len() + 1;
    let deadline = Instant::now() + Duration::from_secs(10);
    let got = loop {
        let got = received(&receiver_url).await;
        if answers(&got, "/webhooks/a").len() >= expected_answers_a || Instant::now() > deadline {
            break got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let got_c = received(&receiver_c_url).await;

    // A: every genuine delivery accepted exactly once, in any order.
    let accepted_a = accepted_ids(&got, "/webhooks/a");
    assert_eq!(
        accepted_a.iter().collect::<BTreeSet<_>>(),
        a_ids.iter().collect::<BTreeSet<_>>()
    );
    assert_eq!(accepted_a.len(), a_ids.len(), "each event processed once");
    // The sandbox recorded what the receiver answered, attempt by attempt.
    let answers_a = answers(&got, "/webhooks/a");
    for id in &a_ids {
        let delivery = &deliveries[id];
        let answered: Vec<u64> = answers_a
            .iter()
            .filter(|(_, answer_id)| answer_id.as_deref() == Some(id))
            .map(|(status, _)| *status)
            .collect();
        let recorded = attempt_codes(delivery);
        if delivery["event"] == "nfe.erro" {
            // First attempt: answered after the sandbox's timeout (no status recorded). A retry
            // while that handler still runs is refused 409 (the claim's lease, so the event is
            // never handled twice at once); once it succeeded, the retry is a 200 duplicate.
            // Processed once.
            let (last, retries) = recorded.split_last().unwrap();
            assert_eq!(*last, Some(200), "{delivery:#}");
            assert_eq!(retries[0], None, "{delivery:#}");
            assert!(
                retries[1..].iter().all(|code| *code == Some(409)),
                "{delivery:#}"
            );
            assert!(
                delivery["attempts"][0]["error"]
                    .as_str()
                    .unwrap()
                    .contains(&TIMEOUT_MS.to_string()),
                "{delivery:#}"
            );
            // The receiver answered the late first attempt 200, each refusal 409, the last 200.
            let count = |status: u64| answered.iter().filter(|code| **code == status).count();
            assert_eq!(
                (count(200), count(409), answered.len()),
                (2, retries.len() - 1, recorded.len()),
                "{answered:?}"
            );
            errors.push(delivery["attempts"][0]["error"].to_string());
        } else {
            assert_eq!(recorded, vec![Some(200)], "{delivery:#}");
            assert_eq!(answered, vec![200]);
        }
    }
    // B: every attempt refused with 400, and recorded as such.
    let delivery_b = &b_deliveries[&b_delivery_id];
    assert_eq!(attempt_codes(delivery_b), vec![Some(400); MAX_ATTEMPTS]);
    let answers_b: Vec<u64> = answers(&got, "/webhooks/b")
        .iter()
        .map(|(s, _)| *s)
        .collect();
    assert_eq!(answers_b, vec![400; MAX_ATTEMPTS]);
    assert!(accepted_ids(&got, "/webhooks/b").is_empty());
    for attempt in delivery_b["attempts"].as_array().unwrap() {
        errors.push(attempt["error"].to_string());
    }
    // C: down, then up — every event delivered, nothing lost, nothing twice.
    let accepted_c = accepted_ids(&got_c, "/webhooks/c");
    assert_eq!(
        accepted_c.iter().collect::<BTreeSet<_>>(),
        c_ids.iter().collect::<BTreeSet<_>>()
    );
    assert_eq!(accepted_c.len(), c_ids.len());
    for id in &c_ids {
        let codes = attempt_codes(&deliveries[id]);
        assert!(codes.len() >= 2, "{codes:?}");
        assert_eq!(codes.last(), Some(&Some(200)));
        assert!(
            codes[..codes.len() - 1].iter().all(Option::is_none),
            "{codes:?}"
        );
    }

    // Tampered and replayed deliveries, sent straight to the receiver.
    let genuine = &deliveries[&a_ids[0]];
    // A genuine event (its id was processed), signed with the receiver's secret.
    let body = genuine["payload"].to_string();
    let signature = nfehook_core::sign(SECRET_A, &body);
    let webhook_a = format!("{receiver_url}/webhooks/a");
    let tampered = body.replacen("\"nfe.processada\"", "\"nfe.cancelada\"", 1);
    assert_ne!(tampered, body);
    for (what, body, signature, code) in [
        (
            "tampered body",
            tampered.as_str(),
            Some(signature.as_str()),
            "signature_mismatch",
        ),
        ("no signature", body.as_str(), None, "missing_signature"),
        (
            "garbage signature",
            body.as_str(),
            Some("sha256=zz"),
            "malformed_signature",
        ),
        (
            "signed with another secret",
            body.as_str(),
            Some(&*nfehook_core::sign(SECRET_B, &body)),
            "signature_mismatch",
        ),
    ] {
        let (status, answer) = post_to_receiver(&webhook_a, body, signature).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some(code)),
            "{what}: {answer}"
        );
        errors.push(answer.to_string());
    }
    let (status, answer) = post_to_receiver(&webhook_a, &body, Some(&signature)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["duplicate"], true,
        "a replay is dropped by id: {answer}"
    );
    let after = received(&receiver_url).await;
    assert_eq!(
        accepted_ids(&after, "/webhooks/a").len(),
        a_ids.len(),
        "nothing tampered or replayed was processed"
    );

    // What the service shows for the subscriptions afterwards.
    let detail_a = client.get_subscription(&sub_a.id).await.unwrap();
    assert!(detail_a.last_delivery_at.is_some());
    let detail_b = client.get_subscription(&sub_b.id).await.unwrap();
    assert!(detail_b.last_delivery_at.is_none(), "no 2xx delivery to B");
    errors.push(format!("{detail_a:?} {detail_b:?}"));

    // Secrecy: no log line of any process and no error of the run holds the key or a secret.
    let mut corpus = vec![
        ("sandbox", sandbox.stop()),
        ("receiver", receiver.stop()),
        ("receiver-c", receiver_c.stop()),
    ];
    corpus.push(("errors", errors.join("\n")));
    let total_lines: usize = corpus.iter().map(|(_, text)| text.lines().count()).sum();
    assert!(
        corpus[0].1.contains("delivered") || corpus[0].1.lines().count() > 20,
        "the sandbox logged the run at trace level"
    );
    for (source, text) in &corpus {
        for needle in [API_KEY, WRONG_KEY, SECRET_A, SECRET_B] {
            let hits: Vec<&str> = text.lines().filter(|line| line.contains(needle)).collect();
            assert!(
                hits.is_empty(),
                "{source} leaks a key or secret in {} line(s), e.g. {:?}",
                hits.len(),
                hits[0]
            );
        }
    }
    println!(
        "e2e: {} deliveries checked, {total_lines} log lines and {} errors free of the key and secrets",
        a_ids.len() + 1 + c_ids.len(),
        errors.len()
    );
}

/// Sets the sandbox's account webhook through its admin API.
async fn set_account_webhook(base: &str, url: &str, secret: &str) {
    let answer: Value = http()
        .put(format!("{base}/_sandbox/account-webhook"))
        .header("X-API-KEY", API_KEY)
        .json(&json!({ "url": url, "events": EventKind::ACCOUNT, "secret": secret }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["success"], true, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_deliveries_reach_the_node_receiver_through_retries_and_duplicates() {
    let (sandbox, base) = start_sandbox();
    // The receiver is down at first: every account delivery goes through a retry.
    let down_port = free_port();
    set_account_webhook(
        &base,
        &format!("http://127.0.0.1:{down_port}/webhooks/conta"),
        SECRET_A,
    )
    .await;
    let key = chave(41);
    let mut ids = Vec::new();
    for event in EventKind::ACCOUNT {
        ids.push(trigger(&base, event.as_str(), &key).await);
    }
    let pending = wait_deliveries(&base, &ids, |d| {
        d["status"] == "pending" && first_attempt_finished(d)
    })
    .await;
    for id in &ids {
        assert_eq!(pending[id]["dialect"], "account");
    }
    let (receiver, receiver_url) = start_receiver("receiver-conta", down_port);
    let delivered = wait_deliveries(&base, &ids, |d| d["status"] == "delivered").await;
    for id in &ids {
        let codes = attempt_codes(&delivered[id]);
        assert_eq!(
            codes.first(),
            Some(&None),
            "first attempt: nobody listening"
        );
        assert_eq!(codes.last(), Some(&Some(200)), "{:#}", delivered[id]);
    }

    // Every account event accepted once, keyed by the digest of its body (it carries no id).
    let got = received(&receiver_url).await;
    let accepted = accepted_ids(&got, "/webhooks/conta");
    assert_eq!(accepted.len(), EventKind::ACCOUNT.len(), "{got:#}");
    assert!(
        accepted.iter().all(|id| id.starts_with("sha256:")),
        "{accepted:?}"
    );
    assert_eq!(
        accepted.iter().collect::<BTreeSet<_>>().len(),
        accepted.len()
    );
    let events: BTreeSet<&str> = got["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        EventKind::ACCOUNT.iter().map(EventKind::as_str).collect()
    );

    // The same signed account body twice: processed once, the repeat answered as a duplicate;
    // a tampered one refused.
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let body = nfehook_core::AccountEvent {
        evento: EventKind::ConsultaConcluida,
        timestamp: nfehook_core::Timestamp::from_unix(now),
        dados: nfehook_core::AccountEventData::new(&key),
    }
    .to_json();
    let signature = nfehook_core::sign(SECRET_A, &body);
    let url = format!("{receiver_url}/webhooks/conta");
    for expected in [200, 200] {
        let answer = http()
            .post(&url)
            .header("content-type", "application/json")
            .header(nfehook_core::ACCOUNT_SIGNATURE_HEADER, &signature)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), expected);
    }
    let tampered = http()
        .post(&url)
        .header("content-type", "application/json")
        .header(nfehook_core::ACCOUNT_SIGNATURE_HEADER, &signature)
        .body(body.replace("concluida", "erro"))
        .send()
        .await
        .unwrap();
    assert!(tampered.status().is_client_error(), "{}", tampered.status());
    let got = received(&receiver_url).await;
    let digest = nfehook_core::event::body_id(body.as_bytes());
    let times = accepted_ids(&got, "/webhooks/conta")
        .iter()
        .filter(|id| **id == digest)
        .count();
    assert_eq!(times, 1, "the repeat is a duplicate: {got:#}");

    receiver.stop();
    sandbox.stop();
}
