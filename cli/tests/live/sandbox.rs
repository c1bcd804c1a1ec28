//! `nfehook sandbox` as a child, driven by the other commands: the whole flow a developer
//! runs, end to end through real processes.

use crate::support::*;

#[test]
fn the_whole_flow_through_nfehook_sandbox_and_listen() {
    let mut sandbox = Child::spawn(
        "sandbox",
        &[
            "sandbox",
            "--listen",
            "127.0.0.1:0",
            "--in-memory",
            "--api-key",
            API_KEY,
            "--max-attempts",
            "1",
        ],
    );
    let base = sandbox.url_in(true);
    assert!(
        sandbox
            .stdout()
            .contains("nfehook sandbox listening on http://127.0.0.1:")
    );
    let mut listen = Child::spawn(
        "listen-flow",
        &["--json", "listen", "--port", "0", "--secret", SECRET_2],
    );
    let receiver = listen.url();
    let created = nfehook(&[
        "--json",
        "subscriptions",
        "create",
        "--name",
        "flow",
        "--url",
        &format!("{receiver}/"),
        "--secret",
        SECRET_2,
        "--base-url",
        &base,
        "--api-key",
        API_KEY,
    ]);
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    for event in ["nfe.processada", "nfe.cancelada", "nfe.erro"] {
        let out = nfehook(&["trigger", event, "--sandbox", &base, "--api-key", API_KEY]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let lines = listen.json_lines(3);
    let mut events: Vec<String> = lines
        .iter()
        .map(|line| {
            assert_eq!(line["valid"], true, "{line}");
            line["event"].as_str().expect("event").to_owned()
        })
        .collect();
    events.sort();
    assert_eq!(events, ["nfe.cancelada", "nfe.erro", "nfe.processada"]);
    listen.stop();
    sandbox.stop();
}

#[test]
fn sandbox_flags_are_checked() {
    let out = nfehook(&["sandbox", "--in-memory", "--db", "x.db"]);
    assert_eq!(out.status.code(), Some(2));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let addr = taken.local_addr().expect("addr").to_string();
    let out = nfehook(&[
        "sandbox",
        "--in-memory",
        "--listen",
        &addr,
        "--api-key",
        API_KEY,
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .lines()
            .any(|l| l.starts_with("nfehook: sandbox:")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn listen_with_its_own_sandbox_subscribes_itself_for_both_dialects() {
    let mut listen = Child::spawn(
        "listen-own-sandbox",
        &["--json", "listen", "--port", "0", "--sandbox"],
    );
    listen.url();
    let text = listen.stderr();
    let after = |marker: &str| {
        let start = text.find(marker).expect(marker) + marker.len();
        text[start..]
            .split(|c: char| c.is_whitespace() || c == ')' || c == '`')
            .next()
            .expect("value")
            .to_owned()
    };
    let base = after("sandbox on ");
    let key = after("(API key ");
    assert!(text.contains("signed with whsec_"), "{text}");
    for event in ["nfe.processada", "nfe.consulta.concluida"] {
        let out = nfehook(&["trigger", event, "--sandbox", &base, "--api-key", &key]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let mut lines = listen.json_lines(2);
    lines.sort_by_key(|line| line["path"].as_str().map(str::to_owned));
    for (line, dialect) in lines.iter().zip(["subscription", "account"]) {
        assert_eq!(line["valid"], true, "{line}");
        assert_eq!(line["verdict"]["secretLabel"], "sandbox");
        assert_eq!(line["dialect"], dialect);
    }
    listen.stop();
}
