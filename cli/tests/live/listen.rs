//! `nfehook listen`, alone and forwarding to an app: genuine, tampered, NFE.io and account
//! deliveries, an app that is down, a body over the bound.

use crate::support::*;

#[test]
fn forwards_the_exact_bytes_and_headers_and_answers_what_the_app_answered() {
    let rt = runtime();
    let app = app(&rt, 202, r#"{"app":"got it"}"#);
    let mut listen = Child::spawn(
        "listen-forward",
        &[
            "--json",
            "listen",
            "--port",
            "0",
            "--secret",
            SECRET_1,
            "--secret",
            SECRET_2,
            "--secret",
            NFEIO_SECRET,
            "--secret",
            ACCOUNT_SECRET,
            "--forward-to",
            &app.url(),
        ],
    );
    let url = listen.url();

    // Genuine, signed with the second secret (a rotation).
    let body = subscription_body("d-genuine");
    let signature = nfehook_core::sign(SECRET_2, &body);
    let (status, answer) = post(
        &rt,
        &format!("{url}/hooks?x=1"),
        &[
            ("content-type", "application/json"),
            ("x-webhook-signature", &signature),
            ("x-custom", "kept"),
        ],
        body.as_bytes(),
    );
    assert_eq!((status, answer.as_str()), (202, r#"{"app":"got it"}"#));

    // Tampered: still forwarded (the app decides), reported as invalid.
    let tampered = body.replace("1500.00", "9500.00");
    let (status, _) = post(
        &rt,
        &url,
        &[("x-webhook-signature", &signature)],
        tampered.as_bytes(),
    );
    assert_eq!(status, 202);

    // NFE.io's scheme.
    let nfeio_body = br#"{"action":"ping"}"#;
    let hub = nfehook_core::nfeio::sign(NFEIO_SECRET, nfeio_body);
    post(&rt, &url, &[("x-hub-signature", &hub)], nfeio_body);

    // The account webhook's dialect: its own header, a bare hex value.
    let account = account_body();
    let bare = nfehook_core::sign(ACCOUNT_SECRET, &account)["sha256=".len()..].to_owned();
    post(
        &rt,
        &url,
        &[("x-validanfe-signature", &bare)],
        account.as_bytes(),
    );

    let lines = listen.json_lines(4);
    assert_eq!(lines[0]["valid"], true, "{}", lines[0]);
    assert_eq!(lines[0]["verdict"]["secretLabel"], "secret 2");
    assert_eq!(lines[0]["event"], "nfe.processada");
    assert_eq!(lines[0]["chave"], MOC_KEY);
    assert_eq!(lines[0]["dialect"], "subscription");
    assert_eq!(lines[0]["path"], "/hooks?x=1");
    assert_eq!(lines[0]["status"], 202);
    assert_eq!(lines[0]["forward"]["status"], 202);
    assert!(lines[0]["forward"]["latencyMs"].is_u64());

    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[1]["verdict"]["code"], "signature_mismatch");
    assert_eq!(lines[1]["status"], 202);

    assert_eq!(lines[2]["valid"], true, "{}", lines[2]);
    assert_eq!(lines[2]["verdict"]["scheme"], "nfeIo");
    assert_eq!(lines[2]["event"], "ping");

    assert_eq!(lines[3]["valid"], true, "{}", lines[3]);
    assert_eq!(lines[3]["dialect"], "account");
    assert_eq!(lines[3]["event"], "nfe.consulta.concluida");

    let received = recorded(&app, 4);
    assert_eq!(received[0].body.text.as_deref(), Some(body.as_str()));
    let header = |request: &nfehook_inspector::RecordedRequest, name: &str| {
        request
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header(&received[0], "x-webhook-signature"), Some(signature));
    assert_eq!(header(&received[0], "x-custom").as_deref(), Some("kept"));
    assert_eq!(received[1].body.text.as_deref(), Some(tampered.as_str()));
    assert_eq!(header(&received[2], "x-hub-signature"), Some(hub));
    assert_eq!(header(&received[3], "x-validanfe-signature"), Some(bare));
    listen.stop();
}

#[test]
fn human_lines_name_the_event_key_verdict_and_status() {
    let rt = runtime();
    let mut listen = Child::spawn(
        "listen-text",
        &["listen", "--port", "0", "--secret", SECRET_1],
    );
    let url = listen.url();
    let body = subscription_body("d-text");
    let (ok, _) = post(
        &rt,
        &url,
        &[("x-webhook-signature", &nfehook_core::sign(SECRET_1, &body))],
        body.as_bytes(),
    );
    let (refused, answer) = post(&rt, &url, &[], body.as_bytes());
    assert_eq!((ok, refused), (200, 400));
    assert!(answer.contains("missing_signature"), "{answer}");
    let lines = listen.lines(2);
    assert!(lines[0].contains("POST / nfe.processada"), "{}", lines[0]);
    assert!(lines[0].contains(MOC_KEY) && lines[0].contains("valid (secret 1)"));
    assert!(lines[0].ends_with("-> 200"), "{}", lines[0]);
    assert!(
        lines[1]
            .contains("invalid missing_signature: header X-Webhook-Signature or X-ValidaNFe-Signature is missing -> 400"),
        "{}",
        lines[1]
    );
    listen.stop();
}

#[test]
fn an_app_that_is_down_gets_502_and_a_large_body_413() {
    let rt = runtime();
    // A port that was free a moment ago: nothing listens there.
    let closed = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        format!("http://{}/", socket.local_addr().expect("addr"))
    };
    let mut listen = Child::spawn(
        "listen-down",
        &[
            "--json",
            "listen",
            "--port",
            "0",
            "--max-body",
            "64",
            "--forward-to",
            &closed,
        ],
    );
    let url = listen.url();
    let (status, _) = post(&rt, &url, &[], b"{}");
    assert_eq!(status, 502);
    let (status, _) = post(&rt, &url, &[], &[b'x'; 65]);
    assert_eq!(status, 413);
    let lines = listen.json_lines(2);
    assert_eq!(lines[0]["verdict"]["state"], "noSecret");
    assert_eq!(lines[0]["status"], 502);
    assert!(
        lines[0]["forward"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("connection"))
    );
    assert_eq!(lines[1]["status"], 413);
    listen.stop();
}

#[test]
fn bad_listen_flags_exit_2() {
    let out = nfehook(&["listen", "--forward-to", "ftp://example.com/"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("nfehook: --forward-to"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        nfehook(&["listen", "--port", "99999"]).status.code(),
        Some(2)
    );
}

#[test]
fn a_taken_port_is_one_clear_line_and_exit_3() {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let port = socket.local_addr().expect("addr").port().to_string();
    let out = nfehook(&["listen", "--port", &port]);
    assert_eq!(out.status.code(), Some(3));
    let text = stderr(&out);
    assert!(
        text.starts_with("nfehook: cannot listen on 127.0.0.1:"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");
}
