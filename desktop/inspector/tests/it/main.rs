//! The inspector over real HTTP on 127.0.0.1: recording, verdicts, configured answers, the
//! sandbox's retries, history across restarts, and `curl` replays.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nfehook_core::{Dialect, EventKind, NewSubscription, Secret, Timestamp, nfeio, sign};
use nfehook_inspector::{
    Inspector, InspectorError, InspectorEvent, NamedSecret, RecordedRequest, ResponseConfig,
    RunningInspector, Scheme, Verdict, read_history,
};
use nfehook_keys::Validation;
use tokio::sync::broadcast;

const SECRET: &str = "whsec_4f1c0e9a7b2d4c6e8f0a1b2c3d4e5f60";
const CHAVE: &str = "52060433009911002506550120000007800267301615";

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

fn event_body(at_unix: i64, chave: &str) -> String {
    format!(
        r#"{{"id":"delivery-1","event":"nfe.processada","timestamp":"{}","data":{{"nfeChave":"{chave}","status":"processada","emitente":{{"cnpj":"33009911002506","razaoSocial":"Empresa Exemplo LTDA"}},"valor":1500.00}}}}"#,
        Timestamp::from_unix(at_unix)
    )
}

async fn start(secrets: Vec<NamedSecret>) -> RunningInspector {
    Inspector::builder()
        .bind("127.0.0.1:0")
        .secrets(secrets)
        .start()
        .await
        .unwrap()
}

async fn post(url: &str, headers: &[(&str, String)], body: &str) -> reqwest::Response {
    let mut request = reqwest::Client::new().post(url).body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request.send().await.unwrap()
}

async fn next_request(live: &mut broadcast::Receiver<InspectorEvent>) -> RecordedRequest {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), live.recv())
            .await
            .expect("a request within 10 s")
            .unwrap();
        if let InspectorEvent::Request { request } = event {
            return *request;
        }
    }
}

#[tokio::test]
async fn records_every_detail_and_broadcasts_it_live() {
    let inspector = start(vec![NamedSecret::new("Webhook Principal", SECRET)]).await;
    let mut live = inspector.subscribe();
    let body = event_body(now(), CHAVE);
    let answer = post(
        &format!("{}hooks/nfe?tenant=7", inspector.url()),
        &[
            ("Content-Type", "application/json".into()),
            ("X-Webhook-Signature", sign(SECRET, &body)),
            ("X-Custom", "a".into()),
        ],
        &body,
    )
    .await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.unwrap(), "{\"received\":true}");

    let request = next_request(&mut live).await;
    assert_eq!(request.id, 1);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/hooks/nfe?tenant=7")
    );
    assert!(request.received_at.ends_with('Z') && request.received_at.contains('.'));
    assert!(
        request
            .remote_addr
            .as_deref()
            .unwrap()
            .starts_with("127.0.0.1:")
    );
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("x-custom"), Some("a"));
    assert_eq!(header("content-type"), Some("application/json"));
    assert_eq!(request.body.text.as_deref(), Some(body.as_str()));
    assert_eq!(request.body.size, body.len());
    assert!(
        request
            .body
            .pretty
            .as_deref()
            .unwrap()
            .contains("\"valor\": 1500.00")
    );
    assert_eq!(
        request.verdict,
        Verdict::Valid {
            secret_label: "Webhook Principal".into(),
            scheme: Scheme::ValidaNfe
        }
    );
    let event = request.event.as_ref().unwrap();
    assert_eq!(event.id.as_deref(), Some("delivery-1"));
    match &event.chave {
        Validation::Valid(info) => {
            assert_eq!(
                (info.uf, info.ano, info.mes, info.numero),
                ("GO", 2006, 4, 780)
            );
            assert_eq!(info.emitente, "33.009.911/0025-06");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        request
            .raw()
            .starts_with("POST /hooks/nfe?tenant=7 HTTP/1.1\r\n")
    );
    assert_eq!(inspector.requests(), std::slice::from_ref(&request));
    assert_eq!(inspector.request(1), Some(request));

    // Any method and path is recorded, bodies that are not JSON too.
    let answer = reqwest::Client::new()
        .put(format!("{}x", inspector.url()))
        .body(vec![0xff, 0x00])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let request = next_request(&mut live).await;
    assert_eq!(
        (request.method.as_str(), request.body.base64.as_deref()),
        ("PUT", Some("/wA="))
    );
    assert_eq!(request.event, None);
    assert_eq!(request.verdict.code(), Some("missing_signature"));
    inspector.shutdown().await.unwrap();
}

/// Headers, body, expected code, label of the secret that matched.
type Case<'a> = (Vec<(&'a str, String)>, String, &'a str, Option<&'a str>);

#[tokio::test]
async fn each_failure_has_its_exact_reason() {
    let inspector = start(vec![
        NamedSecret::new("antigo", "whsec_old_secret_0000"),
        NamedSecret::new("atual", SECRET),
    ])
    .await;
    let mut live = inspector.subscribe();
    let url = inspector.url();
    let fresh = event_body(now(), CHAVE);
    // Past a receiver's window (an hour old).
    let stale = event_body(now() - 4000, CHAVE);
    let future = event_body(now() + 900, CHAVE);
    let not_event = r#"{"hello":"world"}"#;
    let cases: Vec<Case> = vec![
        (vec![], fresh.clone(), "missing_signature", None),
        (
            vec![("X-Webhook-Signature", "sha256=zz".into())],
            fresh.clone(),
            "malformed_signature",
            None,
        ),
        (
            vec![("X-Webhook-Signature", sign("whsec_other", &fresh))],
            fresh.clone(),
            "signature_mismatch",
            None,
        ),
        (
            vec![("X-Webhook-Signature", sign(SECRET, &fresh))],
            format!("{fresh} "),
            "signature_mismatch",
            None,
        ),
        (
            vec![("X-Webhook-Signature", sign(SECRET, &stale))],
            stale.clone(),
            "timestamp_too_old",
            Some("atual"),
        ),
        (
            vec![("X-Webhook-Signature", sign(SECRET, &future))],
            future.clone(),
            "timestamp_in_future",
            Some("atual"),
        ),
        (
            vec![(
                "X-Webhook-Signature",
                sign("whsec_old_secret_0000", not_event),
            )],
            not_event.into(),
            "invalid_payload",
            Some("antigo"),
        ),
        (
            vec![(
                "X-Hub-Signature",
                nfeio::sign(SECRET, &fresh).replace("sha1=", "sha1=0"),
            )],
            fresh.clone(),
            "malformed_signature",
            None,
        ),
    ];
    for (headers, body, code, label) in &cases {
        post(&url, headers, body).await;
        let request = next_request(&mut live).await;
        match &request.verdict {
            Verdict::Invalid {
                code: got,
                secret_label,
                message,
                header,
                ..
            } => {
                assert_eq!(
                    (got.as_str(), secret_label.as_deref()),
                    (*code, *label),
                    "{message}"
                );
                if *code == "missing_signature" {
                    assert_eq!(
                        message,
                        "header X-Webhook-Signature or X-ValidaNFe-Signature is missing"
                    );
                    assert_eq!(header, "X-Webhook-Signature or X-ValidaNFe-Signature");
                }
                if *code == "timestamp_too_old" {
                    assert!(
                        message.starts_with("timestamp too old: produced 4"),
                        "{message}"
                    );
                }
            }
            other => panic!("{code}: {other:?}"),
        }
    }
    inspector.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_retry_within_a_receivers_window_is_valid() {
    let inspector = start(vec![NamedSecret::new("atual", SECRET)]).await;
    let mut live = inspector.subscribe();
    let url = inspector.url();
    // A retry ten minutes after its event is what a receiver must accept: valid, not stale.
    let retried = event_body(now() - 600, CHAVE);
    post(
        &url,
        &[("X-Webhook-Signature", sign(SECRET, &retried))],
        &retried,
    )
    .await;
    let request = next_request(&mut live).await;
    assert!(request.verdict.is_valid(), "{:?}", request.verdict);
    inspector.shutdown().await.unwrap();
}

#[tokio::test]
async fn other_schemes_later_checks_and_no_secret() {
    let inspector = start(vec![
        NamedSecret::new("antigo", "whsec_old_secret_0000"),
        NamedSecret::new("atual", SECRET),
    ])
    .await;
    let mut live = inspector.subscribe();
    let url = inspector.url();
    let fresh = event_body(now(), CHAVE);
    // Past a receiver's window (an hour old).
    let stale = event_body(now() - 4000, CHAVE);
    post(
        &url,
        &[("X-Webhook-Signature", sign(SECRET, &stale))],
        &stale,
    )
    .await;
    next_request(&mut live).await;
    // NFE.io's scheme is recognised by its header.
    post(
        &url,
        &[("X-Hub-Signature", nfeio::sign(SECRET, &fresh))],
        &fresh,
    )
    .await;
    let request = next_request(&mut live).await;
    assert_eq!(
        request.verdict,
        Verdict::Valid {
            secret_label: "atual".into(),
            scheme: Scheme::NfeIo
        }
    );

    // Checked again later against a pasted secret: judged at arrival time, not now.
    let first_stale = inspector
        .requests()
        .into_iter()
        .find(|r| r.verdict.code() == Some("timestamp_too_old"))
        .unwrap();
    let again = inspector
        .verify_again(first_stale.id, &[NamedSecret::new("colado", SECRET)])
        .unwrap();
    assert_eq!(again.code(), Some("timestamp_too_old"));
    let signed_ok = inspector
        .requests()
        .into_iter()
        .find(|r| r.verdict.is_valid())
        .unwrap();
    assert_eq!(
        inspector.verify_again(signed_ok.id, &[]),
        Some(Verdict::NoSecret)
    );
    inspector.set_secrets(Vec::new());
    post(
        &url,
        &[("X-Webhook-Signature", sign(SECRET, &fresh))],
        &fresh,
    )
    .await;
    assert_eq!(next_request(&mut live).await.verdict, Verdict::NoSecret);
    // No secret ever reaches Debug output or the records.
    assert!(!format!("{inspector:?}").contains(SECRET));
    assert!(
        !serde_json::to_string(&inspector.requests())
            .unwrap()
            .contains(SECRET)
    );
    inspector.shutdown().await.unwrap();
}

#[tokio::test]
async fn answers_with_the_configured_status_and_delay() {
    let inspector = start(Vec::new()).await;
    let mut live = inspector.subscribe();
    inspector
        .set_response(ResponseConfig {
            status: 503,
            delay_ms: 400,
            body: "try later".into(),
            content_type: "text/plain".into(),
        })
        .unwrap();
    let url = inspector.url();
    let started = Instant::now();
    let sending = tokio::spawn(async move { post(&url, &[], "{}").await });
    // The request is shown live before the answer goes out.
    let request = next_request(&mut live).await;
    assert!(started.elapsed() < Duration::from_millis(400));
    assert_eq!(
        (request.response.status, request.response.delay_ms),
        (503, 400)
    );
    let answer = sending.await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(answer.status(), 503);
    assert_eq!(answer.headers()["content-type"], "text/plain");
    assert_eq!(answer.text().await.unwrap(), "try later");

    assert!(matches!(
        inspector.set_response(ResponseConfig {
            status: 100,
            ..ResponseConfig::default()
        }),
        Err(InspectorError::InvalidStatus(100))
    ));
    assert!(matches!(
        inspector.set_response(ResponseConfig {
            delay_ms: 10_000_000,
            ..ResponseConfig::default()
        }),
        Err(InspectorError::DelayTooLong(_))
    ));
    assert_eq!(inspector.response().status, 503);

    // Shutting down ends a long delayed answer at once.
    inspector
        .set_response(ResponseConfig {
            delay_ms: 60_000,
            ..ResponseConfig::default()
        })
        .unwrap();
    let url = inspector.url();
    let slow =
        tokio::spawn(async move { reqwest::Client::new().post(url).body("{}").send().await });
    next_request(&mut live).await;
    let stopping = Instant::now();
    inspector.shutdown().await.unwrap();
    assert!(stopping.elapsed() < Duration::from_secs(5));
    let _ = slow.await.unwrap();
}

#[tokio::test]
async fn the_sandbox_dispatcher_retries_into_the_inspector() {
    let inspector = start(Vec::new()).await;
    inspector
        .set_response(ResponseConfig {
            status: 500,
            ..ResponseConfig::default()
        })
        .unwrap();
    let mut live = inspector.subscribe();
    let sandbox = nfehook_sandbox::Sandbox::builder()
        .in_memory()
        .api_key("sbx_inspector_test")
        .bind("127.0.0.1:0")
        .backoff_base(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let client = nfehook_client::Client::builder("sbx_inspector_test")
        .base_url(sandbox.base_url())
        .build()
        .unwrap();
    let sub = client
        .create_subscription(&NewSubscription {
            name: "Inspector".into(),
            url: format!("{}webhooks", inspector.url()),
            events: vec![EventKind::Processada],
            is_active: true,
            secret: Some(Secret::new(SECRET)),
        })
        .await
        .unwrap();
    inspector.set_secrets(vec![NamedSecret::new(
        sub.name.clone(),
        sub.secret.expose(),
    )]);
    sandbox
        .trigger(nfehook_sandbox::TriggerRequest::new(EventKind::Processada).with_chave(CHAVE))
        .await
        .unwrap();
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(next_request(&mut live).await);
    }
    let ids: Vec<_> = seen
        .iter()
        .map(|r| r.event.as_ref().unwrap().id.clone().unwrap())
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "every attempt carries the same id"
    );
    assert!(
        seen.iter()
            .all(|r| r.verdict.is_valid() && r.path == "/webhooks" && r.response.status == 500)
    );
    assert!(
        matches!(&seen[0].event.as_ref().unwrap().chave, Validation::Valid(info) if info.chave == CHAVE)
    );
    sandbox.shutdown().await.unwrap();
    inspector.shutdown().await.unwrap();
}

#[tokio::test]
async fn keeps_the_last_n_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let open = || {
        Inspector::builder()
            .bind("127.0.0.1:0")
            .data_dir(dir.path())
            .max_requests(3)
            .start()
    };
    let inspector = open().await.unwrap();
    for n in 1..=8 {
        post(
            &format!("{}n/{n}", inspector.url()),
            &[],
            &event_body(now(), CHAVE),
        )
        .await;
    }
    let paths: Vec<String> = inspector.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/n/8", "/n/7", "/n/6"]);
    inspector.shutdown().await.unwrap();
    let lines = std::fs::read_to_string(dir.path().join(nfehook_inspector::HISTORY_FILE))
        .unwrap()
        .lines()
        .count();
    assert!(
        (3..6).contains(&lines),
        "the file is compacted: {lines} lines"
    );

    let inspector = open().await.unwrap();
    let kept = inspector.requests();
    assert_eq!(kept.iter().map(|r| r.id).collect::<Vec<_>>(), [8, 7, 6]);
    assert!(
        matches!(kept[0].event.as_ref().unwrap().chave, Validation::Valid(_)),
        "decoded again on load"
    );
    post(&inspector.url(), &[], "{}").await;
    assert_eq!(inspector.requests()[0].id, 9);
    inspector.clear().unwrap();
    assert!(inspector.requests().is_empty());
    inspector.shutdown().await.unwrap();
    assert!(read_history(dir.path(), 10).unwrap().is_empty());
}

#[tokio::test]
async fn nested_json_is_shown_as_received_and_no_indented_copy_is_kept_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let inspector = Inspector::builder()
        .bind("127.0.0.1:0")
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let mut live = inspector.subscribe();
    // As deep as serde_json reads, repeated: indented whole it would be some 100 times larger.
    let group = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let nested = format!("[{}]", vec![group; 1000].join(","));
    post(&inspector.url(), &[], &nested).await;
    let request = next_request(&mut live).await;
    assert_eq!(request.body.text.as_deref(), Some(nested.as_str()));
    assert_eq!(request.body.pretty, None);
    assert!(request.body.pretty_truncated);

    let body = event_body(now(), CHAVE);
    post(&inspector.url(), &[], &body).await;
    let request = next_request(&mut live).await;
    let pretty = request.body.pretty.clone().unwrap();
    inspector.shutdown().await.unwrap();

    let file = std::fs::read_to_string(dir.path().join(nfehook_inspector::HISTORY_FILE)).unwrap();
    assert!(
        file.len() < 2 * (nested.len() + body.len()) + 8192,
        "{} bytes",
        file.len()
    );
    for line in file.lines() {
        let stored: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(stored["body"]["pretty"], serde_json::Value::Null);
    }
    // Indented again when read back.
    let kept = read_history(dir.path(), 10).unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept[0].body.pretty_truncated);
    assert_eq!(kept[1].body.pretty.as_deref(), Some(pretty.as_str()));
}

#[tokio::test]
async fn the_history_file_stays_under_its_byte_cap() {
    const CAP: usize = 64 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(nfehook_inspector::HISTORY_FILE);
    let open = || {
        Inspector::builder()
            .bind("127.0.0.1:0")
            .data_dir(dir.path())
            .max_history_bytes(CAP)
            .start()
    };
    let inspector = open().await.unwrap();
    let padding = "x".repeat(3000);
    for n in 1..=60 {
        post(
            &format!("{}n/{n}", inspector.url()),
            &[],
            &format!(r#"{{"n":{n},"padding":"{padding}"}}"#),
        )
        .await;
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(size <= CAP as u64, "after {n}: {size} bytes");
    }
    // Memory keeps its own count; the file dropped its oldest requests.
    assert_eq!(inspector.requests().len(), 60);
    inspector.shutdown().await.unwrap();
    let kept: Vec<u64> = read_history(dir.path(), 200)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert!((5..60).contains(&kept.len()), "{kept:?}");
    assert_eq!(kept, ((61 - kept.len() as u64)..=60).collect::<Vec<_>>());

    // A file past the cap, as an older version could leave it (one huge line among them), is
    // cut down when opened.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    std::io::Write::write_all(&mut file, format!("{}\n", "y".repeat(1 << 20)).as_bytes()).unwrap();
    drop(file);
    let inspector = open().await.unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() <= CAP as u64);
    assert_eq!(inspector.requests()[0].id, 60);
    inspector.shutdown().await.unwrap();
}

#[cfg(unix)]
#[tokio::test]
async fn the_history_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &std::path::Path| {
        format!(
            "{:o}",
            std::fs::metadata(path).unwrap().permissions().mode() & 0o777
        )
    };
    let root = tempfile::tempdir().unwrap();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();

    // Created: the directory and its missing parents 0700, the file 0600, also once rewritten.
    let fresh = root.path().join("app").join("data");
    let file = fresh.join(nfehook_inspector::HISTORY_FILE);
    let inspector = Inspector::builder()
        .bind("127.0.0.1:0")
        .data_dir(&fresh)
        .max_requests(1)
        .start()
        .await
        .unwrap();
    post(&inspector.url(), &[], "{}").await;
    assert_eq!(
        [mode(&fresh), mode(fresh.parent().unwrap()), mode(&file)],
        ["700", "700", "600"]
    );
    std::fs::write(file.with_extension("jsonl.tmp"), "").unwrap();
    std::fs::set_permissions(
        file.with_extension("jsonl.tmp"),
        std::fs::Permissions::from_mode(0o666),
    )
    .unwrap();
    post(&inspector.url(), &[], "{}").await;
    inspector.clear().unwrap();
    assert_eq!(mode(&file), "600", "after a rewrite");
    inspector.shutdown().await.unwrap();
    assert_eq!(
        mode(root.path()),
        "755",
        "only the data directory is tightened"
    );

    // Found looser: tightened when the inspector opens them.
    let loose = root.path().join("loose");
    std::fs::create_dir(&loose).unwrap();
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o775)).unwrap();
    let file = loose.join(nfehook_inspector::HISTORY_FILE);
    std::fs::write(&file, "").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
    let inspector = Inspector::builder()
        .bind("127.0.0.1:0")
        .data_dir(&loose)
        .start()
        .await
        .unwrap();
    assert_eq!([mode(&loose), mode(&file)], ["700", "600"]);
    inspector.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_curl_replay_reproduces_the_request_byte_for_byte() {
    let inspector = start(vec![NamedSecret::new("atual", SECRET)]).await;
    let mut live = inspector.subscribe();
    let body = event_body(now(), CHAVE).replace(
        "Empresa Exemplo LTDA",
        "Empresa d'Exemplo \\\"São\\\" $HOME `x`",
    );
    post(
        &format!("{}hooks?a=1&b=2", inspector.url()),
        &[
            ("Content-Type", "application/json".into()),
            ("X-Webhook-Signature", sign(SECRET, &body)),
        ],
        &body,
    )
    .await;
    let original = next_request(&mut live).await;
    let command = original.to_curl(&inspector.url());
    let output = tokio::process::Command::new("bash")
        .arg("-c")
        .arg(format!("{command} --silent --show-error"))
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let replay = next_request(&mut live).await;
    assert_eq!(replay.body.text, original.body.text);
    assert_eq!(replay.path, original.path);
    assert!(replay.verdict.is_valid(), "{:?}", replay.verdict);
    inspector.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_hostile_method_does_not_run_when_the_curl_command_is_pasted() {
    let inspector = start(Vec::new()).await;
    let mut live = inspector.subscribe();
    post(&inspector.url(), &[], "{}").await;
    let mut request = next_request(&mut live).await;
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("pwned");
    request.method = format!("POST$(touch {})", marker.display());
    let command = request.to_curl(&inspector.url());
    assert!(
        command.starts_with(&format!("curl -X 'POST$(touch {})' ", marker.display())),
        "{command}"
    );
    let output = tokio::process::Command::new("bash")
        .arg("-c")
        .arg(format!("{command} --silent --max-time 5"))
        .output()
        .await
        .unwrap();
    assert!(
        !marker.exists(),
        "the method ran as a command: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    inspector.shutdown().await.unwrap();
}

/// Sends `head` (request line and headers, without the blank line) and a `{}` body over a
/// plain TCP connection; returns the status and the body of the answer.
async fn raw_request(addr: std::net::SocketAddr, head: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("{head}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut answer))
        .await
        .expect("an answer within 10 s")
        .unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

#[tokio::test]
async fn only_requests_naming_the_inspector_s_own_address_are_recorded() {
    let inspector = start(Vec::new()).await;
    let addr = inspector.addr();
    let port = addr.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let (status, _) = raw_request(addr, &format!("POST /ok HTTP/1.1\r\nHost: {host}")).await;
        assert_eq!(status, 200, "{host}");
    }
    assert_eq!(inspector.requests().len(), 3);

    let refused = [
        (
            format!("POST / HTTP/1.1\r\nHost: rebound.example:{port}"),
            "foreign_host",
        ),
        (
            format!("POST / HTTP/1.1\r\nHost: 127.0.0.1:{}", port ^ 1),
            "foreign_host",
        ),
        (
            format!("POST http://rebound.example:{port}/ HTTP/1.1\r\nHost: 127.0.0.1:{port}"),
            "foreign_host",
        ),
        ("POST / HTTP/1.0".to_owned(), "missing_host"),
        (
            format!("POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: https://site.example"),
            "browser_request",
        ),
        (
            format!("POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nSec-Fetch-Site: cross-site"),
            "browser_request",
        ),
    ];
    for (head, code) in &refused {
        let (status, body) = raw_request(addr, head).await;
        assert_eq!(status, 403, "{head}");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (body["success"].as_bool(), body["code"].as_str()),
            (Some(false), Some(*code)),
            "{head}"
        );
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    // A DNS name rebound to 127.0.0.1, as a page in a browser would reach it.
    let rebound = reqwest::Client::builder()
        .resolve("rebound.example", addr)
        .build()
        .unwrap()
        .post(format!("http://rebound.example:{port}/hook"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), 403);
    assert_eq!(
        inspector.requests().len(),
        3,
        "refused requests are not recorded"
    );
    inspector.shutdown().await.unwrap();
}

#[tokio::test]
async fn listens_only_on_loopback_and_on_a_chosen_port() {
    let err = Inspector::builder()
        .bind("0.0.0.0:0")
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, InspectorError::NotLoopback { .. }));
    let err = Inspector::builder()
        .bind("localhost")
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, InspectorError::InvalidAddress { .. }));
    let first = start(Vec::new()).await;
    let port = first.addr().port();
    let err = Inspector::builder()
        .bind(format!("127.0.0.1:{port}"))
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, InspectorError::Bind { .. }));
    first.shutdown().await.unwrap();
    let chosen = Inspector::builder()
        .bind(format!("127.0.0.1:{port}"))
        .start()
        .await
        .unwrap();
    assert_eq!(chosen.url(), format!("http://127.0.0.1:{port}/"));
    chosen.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_signed_test_event_is_valid_at_the_inspector_and_reports_the_answer() {
    let inspector = start(vec![NamedSecret::new("atual", SECRET)]).await;
    let mut live = inspector.subscribe();
    let chave = nfehook_core::ChaveAcesso::parse(CHAVE).unwrap();
    let event = nfehook_inspector::test_event(EventKind::Processada, chave, now());
    let body = event.to_json();
    let outcome = nfehook_inspector::send_signed(
        &format!("{}teste", inspector.url()),
        Dialect::Subscription,
        &Secret::new(SECRET),
        &body,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(
        (outcome.status, outcome.ok, outcome.error.as_deref()),
        (Some(200), true, None)
    );
    assert_eq!(outcome.body, "{\"received\":true}");
    assert!(
        outcome
            .headers
            .iter()
            .any(|(n, v)| n == "content-type" && v == "application/json")
    );
    let received = next_request(&mut live).await;
    assert!(received.verdict.is_valid());
    assert_eq!(received.body.text.as_deref(), Some(body.as_str()));
    assert_eq!(received.event.unwrap().id, Some(event.id));

    // A refusal and a long answer come back as they are, cut at 4 KiB.
    inspector
        .set_response(ResponseConfig {
            status: 422,
            body: "x".repeat(5000),
            ..ResponseConfig::default()
        })
        .unwrap();
    let outcome = nfehook_inspector::send_signed(
        &inspector.url(),
        Dialect::Subscription,
        &Secret::new("whsec_wrong"),
        &body,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!((outcome.status, outcome.ok), (Some(422), false));
    assert!(outcome.body_truncated);
    assert_eq!(outcome.body.len(), nfehook_inspector::MAX_RESPONSE_BODY);
    assert_eq!(
        next_request(&mut live).await.verdict.code(),
        Some("signature_mismatch")
    );
    let port = inspector.addr().port();
    inspector.shutdown().await.unwrap();

    let outcome = nfehook_inspector::send_signed(
        &format!("http://127.0.0.1:{port}/"),
        Dialect::Subscription,
        &Secret::new(SECRET),
        &body,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(outcome.status, None);
    assert!(outcome.error.unwrap().starts_with("connection failed"));
}

#[tokio::test]
async fn both_dialects_are_decoded_verified_and_shown() {
    let inspector = start(vec![NamedSecret::new("conta", SECRET)]).await;
    let mut live = inspector.subscribe();
    for kind in EventKind::SUBSCRIPTION.iter().chain(&EventKind::ACCOUNT) {
        let chave = nfehook_core::ChaveAcesso::parse(CHAVE).unwrap();
        let (dialect, body) = nfehook_inspector::test_body(kind, chave, now()).unwrap();
        let outcome = nfehook_inspector::send_signed(
            &inspector.url(),
            dialect,
            &Secret::new(SECRET),
            &body,
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(outcome.status, Some(200), "{kind}");
        assert_eq!(outcome.signature_header, dialect.signature_header());
        let received = next_request(&mut live).await;
        assert!(
            received.verdict.is_valid(),
            "{kind}: {:?}",
            received.verdict
        );
        let summary = received.event.unwrap();
        assert_eq!(summary.dialect.as_deref(), Some(dialect.as_str()));
        assert_eq!(summary.event.as_deref(), Some(kind.as_str()));
        assert_eq!(summary.nfe_chave.as_deref(), Some(CHAVE));
        assert!(matches!(summary.chave, Validation::Valid(_)), "{kind}");
        let names: Vec<&str> = summary.fields.iter().map(|f| f.name.as_str()).collect();
        let expected: &[&str] = match kind {
            EventKind::ConsultaConcluida => &["status", "tipoConsulta"],
            EventKind::ConsultaErro => &["erroCodigo", "erroMensagem"],
            EventKind::GuardaUploadConcluido => &["arquivoId", "urlDownload"],
            _ => &["status", "emitente", "valor", "dataEmissao"],
        };
        assert_eq!(names, expected, "{kind}");
        if dialect == Dialect::Account {
            let id = summary.id.unwrap();
            assert_eq!(
                id,
                nfehook_core::event::body_id(body.as_bytes()),
                "digest id"
            );
        }
    }

    // The account dialect's failures get the same typed verdicts, naming its header.
    let account = nfehook_inspector::test_body(
        &EventKind::ConsultaErro,
        nfehook_core::ChaveAcesso::parse(CHAVE).unwrap(),
        now() - 2 * 3600,
    )
    .unwrap()
    .1;
    for (value, code) in [
        (sign("whsec_wrong", &account), "signature_mismatch"),
        (sign(SECRET, &account), "timestamp_too_old"),
        (
            nfeio::sign(SECRET, account.as_bytes()),
            "malformed_signature",
        ),
    ] {
        post(
            &inspector.url(),
            &[("X-ValidaNFe-Signature", value.clone())],
            &account,
        )
        .await;
        let verdict = next_request(&mut live).await.verdict;
        match verdict {
            Verdict::Invalid {
                code: found,
                header,
                ..
            } => {
                assert!(
                    found == code
                        || (code == "malformed_signature" && found == "unsupported_algorithm"),
                    "{value}: {found}"
                );
                assert_eq!(header, "X-ValidaNFe-Signature");
            }
            other => panic!("{value}: {other:?}"),
        }
    }
    post(&inspector.url(), &[], &account).await;
    match next_request(&mut live).await.verdict {
        Verdict::Invalid { message, .. } => assert_eq!(
            message,
            "header X-Webhook-Signature or X-ValidaNFe-Signature is missing"
        ),
        other => panic!("{other:?}"),
    }
    inspector.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_sandbox_delivers_account_events_into_the_inspector() {
    let inspector = start(vec![NamedSecret::new("conta", SECRET)]).await;
    let mut live = inspector.subscribe();
    let sandbox = nfehook_sandbox::Sandbox::builder()
        .in_memory()
        .bind("127.0.0.1:0")
        .start()
        .await
        .unwrap();
    sandbox
        .set_account_webhook(
            nfehook_sandbox::AccountWebhookRequest::new(inspector.url(), &EventKind::ACCOUNT)
                .with_secret(SECRET),
        )
        .await
        .unwrap();
    sandbox
        .trigger(
            nfehook_sandbox::TriggerRequest::new(EventKind::GuardaUploadConcluido)
                .with_chave(CHAVE),
        )
        .await
        .unwrap();
    let received = next_request(&mut live).await;
    assert!(received.verdict.is_valid(), "{:?}", received.verdict);
    let summary = received.event.unwrap();
    assert_eq!(summary.dialect.as_deref(), Some("account"));
    assert_eq!(summary.event.as_deref(), Some("guarda.upload.concluido"));
    sandbox.shutdown().await.unwrap();
    inspector.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_request_replayed_re_signed_with_a_chosen_secret_is_valid_and_byte_for_byte() {
    let inspector = start(vec![NamedSecret::new("escolhido", SECRET)]).await;
    let mut live = inspector.subscribe();
    // Arrives signed with another secret: invalid here.
    let body = event_body(now(), CHAVE);
    post(
        &format!("{}webhooks/nfe", inspector.url()),
        &[(nfehook_core::SIGNATURE_HEADER, sign("whsec_outro", &body))],
        &body,
    )
    .await;
    let first = next_request(&mut live).await;
    assert_eq!(first.verdict.code(), Some("signature_mismatch"));

    let target = format!("{}webhooks/nfe", inspector.url());
    let outcome = nfehook_inspector::replay(
        &first,
        &target,
        &Secret::new(SECRET),
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    assert_eq!((outcome.status, outcome.ok), (Some(200), true));
    let replayed = next_request(&mut live).await;
    assert!(replayed.verdict.is_valid(), "{:?}", replayed.verdict);
    assert_eq!(replayed.body.text.as_deref(), Some(body.as_str()));
    assert_eq!(replayed.path, "/webhooks/nfe");

    // An account delivery is replayed in the account dialect's header.
    let account = format!(
        r#"{{"evento":"nfe.consulta.erro","timestamp":"{}","dados":{{"chave_nfe":"{CHAVE}","erro_codigo":"404"}}}}"#,
        Timestamp::from_unix(now())
    );
    post(&inspector.url(), &[], &account).await;
    let unsigned = next_request(&mut live).await;
    let outcome = nfehook_inspector::replay(
        &unsigned,
        &inspector.url(),
        &Secret::new(SECRET),
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    assert_eq!(
        outcome.signature_header,
        Dialect::Account.signature_header()
    );
    assert!(next_request(&mut live).await.verdict.is_valid());

    for (url, secret, code) in [
        ("ftp://127.0.0.1/", SECRET, "invalid_url"),
        ("not a url", SECRET, "invalid_url"),
        (target.as_str(), "", "no_secret"),
    ] {
        let err =
            nfehook_inspector::replay(&first, url, &Secret::new(secret), Duration::from_secs(5))
                .await
                .unwrap_err();
        assert_eq!(err.code(), code, "{url}");
    }
    let mut binary = first.clone();
    binary.body = nfehook_inspector::Body::new(&[0xff, 0xfe]);
    let err = nfehook_inspector::replay(
        &binary,
        &target,
        &Secret::new(SECRET),
        Duration::from_secs(5),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "not_text");
    inspector.shutdown().await.unwrap();
}
