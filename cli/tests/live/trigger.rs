//! `nfehook trigger`: sent straight to a receiver (both dialects, a custom body, a refusal),
//! and through the sandbox's dispatcher to `nfehook listen`.

use nfehook_core::EventKind;

use crate::support::*;

fn verified_app(rt: &tokio::runtime::Runtime, status: u16) -> nfehook_inspector::RunningInspector {
    let app = app(rt, status, r#"{"received":true}"#);
    app.set_secrets(vec![
        nfehook_inspector::NamedSecret::new("one", SECRET_1),
        nfehook_inspector::NamedSecret::new("account", ACCOUNT_SECRET),
    ]);
    app
}

#[test]
fn direct_sends_a_signed_realistic_event_and_shows_the_answer() {
    let rt = runtime();
    let app = verified_app(&rt, 200);
    let out = nfehook(&[
        "--json",
        "trigger",
        "nfe.cancelada",
        "--chave",
        MOC_KEY,
        "--valor",
        "12.30",
        "--to",
        &app.url(),
        "--secret",
        SECRET_1,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let line: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(line["status"], 200);
    assert_eq!(line["ok"], true);
    assert_eq!(line["body"], r#"{"received":true}"#);
    assert_eq!(line["chave"], MOC_KEY);
    let request = &recorded(&app, 1)[0];
    assert!(request.verdict.is_valid(), "{:?}", request.verdict);
    let text = request.body.text.clone().expect("text body");
    assert!(
        text.contains(r#""event":"nfe.cancelada""#) && text.contains(r#""valor":12.30"#),
        "{text}"
    );
    assert_eq!(
        request.event.as_ref().and_then(|e| e.id.clone()),
        line["id"].as_str().map(str::to_owned)
    );
}

#[test]
fn direct_account_event_uses_its_own_header_and_a_random_valid_key() {
    let rt = runtime();
    let app = verified_app(&rt, 200);
    let out = nfehook(&[
        "trigger",
        "guarda.upload.concluido",
        "--to",
        &app.url(),
        "--secret",
        ACCOUNT_SECRET,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("(X-ValidaNFe-Signature)") && text.contains("answer 200 in"),
        "{text}"
    );
    let request = &recorded(&app, 1)[0];
    assert!(
        request
            .headers
            .iter()
            .any(|(n, _)| n == "x-validanfe-signature")
    );
    assert!(request.verdict.is_valid(), "{:?}", request.verdict);
    let event = nfehook_core::Event::from_json(&request.body.bytes()).expect("account event");
    assert!(event.data.chave().is_ok());
}

#[test]
fn direct_custom_body_is_sent_byte_for_byte_and_a_refusal_exits_3() {
    let rt = runtime();
    let app = verified_app(&rt, 503);
    let path = std::env::temp_dir().join(format!("nfehook-live-body-{}.json", std::process::id()));
    let body = b"{ \"anything\" : [1, 2.50] }\n";
    std::fs::write(&path, body).expect("body file");
    let out = nfehook(&[
        "--json",
        "trigger",
        "nfe.erro",
        "--body",
        path.to_str().expect("path"),
        "--to",
        &app.url(),
        "--secret",
        SECRET_1,
    ]);
    std::fs::remove_file(&path).expect("remove body file");
    assert_eq!(out.status.code(), Some(3));
    let line: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("one json line");
    assert_eq!(line["status"], 503);
    assert_eq!(line["ok"], false);
    let request = &recorded(&app, 1)[0];
    assert_eq!(request.body.bytes(), body);
    let signature = &request
        .headers
        .iter()
        .find(|(n, _)| n == "x-webhook-signature")
        .expect("signed")
        .1;
    assert_eq!(signature, &nfehook_core::sign(SECRET_1, body));
}

#[test]
fn through_the_sandbox_to_listen_both_dialects() {
    let rt = runtime();
    let sandbox = sandbox(&rt, None);
    let mut listen = Child::spawn(
        "listen-sandbox",
        &[
            "--json",
            "listen",
            "--port",
            "0",
            "--secret",
            SECRET_1,
            "--secret",
            ACCOUNT_SECRET,
        ],
    );
    let url = listen.url();
    rt.block_on(async {
        let client = nfehook_client::Client::builder(API_KEY)
            .base_url(sandbox.base_url())
            .build()
            .expect("client");
        client
            .create_subscription(&nfehook_core::NewSubscription {
                name: "listen".into(),
                url: format!("{url}/"),
                events: EventKind::SUBSCRIPTION.to_vec(),
                is_active: true,
                secret: Some(nfehook_core::Secret::new(SECRET_1)),
            })
            .await
            .expect("subscription");
        sandbox
            .set_account_webhook(
                nfehook_sandbox::AccountWebhookRequest::new(
                    format!("{url}/conta"),
                    &EventKind::ACCOUNT,
                )
                .with_secret(ACCOUNT_SECRET),
            )
            .await
            .expect("account webhook");
    });
    let base = sandbox.base_url();
    let out = nfehook(&[
        "trigger",
        "nfe.processada",
        "--chave",
        MOC_KEY,
        "--sandbox",
        &base,
        "--api-key",
        API_KEY,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("triggered nfe.processada {MOC_KEY}")),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("1 delivery"), "{}", stdout(&out));
    let out = nfehook_with_env(
        &["--json", "trigger", "nfe.consulta.erro", "--sandbox", &base],
        &[("NFEHOOK_API_KEY", API_KEY)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let triggered: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(triggered["deliveries"][0]["dialect"], "account");

    let mut lines = listen.json_lines(2);
    lines.sort_by_key(|line| line["path"].as_str().map(str::to_owned));
    assert_eq!(lines[0]["path"], "/");
    assert_eq!(lines[0]["valid"], true, "{}", lines[0]);
    assert_eq!(lines[0]["chave"], MOC_KEY);
    assert_eq!(lines[1]["path"], "/conta");
    assert_eq!(lines[1]["valid"], true, "{}", lines[1]);
    assert_eq!(lines[1]["dialect"], "account");
    assert_eq!(lines[1]["verdict"]["secretLabel"], "secret 2");
    listen.stop();
    rt.block_on(sandbox.shutdown()).expect("sandbox shutdown");
}

#[test]
fn trigger_errors_have_their_exit_codes() {
    let rt = runtime();
    let sandbox = sandbox(&rt, None);
    let base = sandbox.base_url();
    let unauthorized = nfehook(&[
        "trigger",
        "nfe.erro",
        "--sandbox",
        &base,
        "--api-key",
        "wrong-key",
    ]);
    assert_eq!(unauthorized.status.code(), Some(3));
    assert!(
        stderr(&unauthorized).starts_with("nfehook: sandbox: 401"),
        "{}",
        stderr(&unauthorized)
    );
    let foreign = nfehook(&[
        "trigger",
        "nfe.consulta.erro",
        "--valor",
        "1.00",
        "--sandbox",
        &base,
        "--api-key",
        API_KEY,
    ]);
    assert_eq!(foreign.status.code(), Some(2));
    assert_eq!(
        nfehook(&[
            "trigger",
            "nfe.inventada",
            "--to",
            "http://127.0.0.1:9/",
            "--secret",
            "s"
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        nfehook(&["trigger", "nfe.erro", "--to", "http://127.0.0.1:9/"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        nfehook(&[
            "trigger",
            "nfe.erro",
            "--chave",
            "123",
            "--to",
            "http://127.0.0.1:9/",
            "--secret",
            "s"
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(nfehook(&["trigger", "nfe.erro"]).status.code(), Some(2));
    assert_eq!(
        nfehook(&["trigger", "nfe.erro", "--sandbox", &base])
            .status
            .code(),
        Some(2)
    );
    let down = nfehook(&[
        "trigger",
        "nfe.erro",
        "--to",
        "http://127.0.0.1:9/",
        "--secret",
        "s",
    ]);
    assert_eq!(down.status.code(), Some(3));
    assert!(
        stderr(&down).contains("no answer from the receiver"),
        "{}",
        stderr(&down)
    );
    rt.block_on(sandbox.shutdown()).expect("sandbox shutdown");
}
