//! The real `nfehook` binary on sign, verify and chave: no server, no network.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const MOC_KEY: &str = "52060433009911002506550120000007800267301615";

fn nfehook(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nfehook"))
        .args(args)
        .env_remove("NFEHOOK_SECRET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nfehook");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("wait nfehook")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

#[test]
fn sign_matches_core_and_verify_accepts_it() {
    let out = nfehook(&["sign", "--secret", "s3cret"], b"{\"a\":1}");
    assert_eq!(out.status.code(), Some(0));
    let header = stdout(&out).trim().to_owned();
    assert_eq!(header, nfehook_core::sign("s3cret", b"{\"a\":1}"));
    let ok = nfehook(
        &["verify", "--secret", "s3cret", "--header", &header],
        b"{\"a\":1}",
    );
    assert_eq!(ok.status.code(), Some(0));
    assert!(!stdout(&ok).contains("s3cret"));
}

#[test]
fn verify_of_a_tampered_body_exits_1_without_echoing_the_secret() {
    let header = nfehook_core::sign("s3cret", b"{}");
    let out = nfehook(
        &["verify", "--secret", "s3cret", "--header", &header],
        b"{ }",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("nfehook: signature does not verify"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret") && !stdout(&out).contains("s3cret"));
}

#[test]
fn verify_reads_the_body_from_a_file() {
    let dir = std::env::temp_dir().join(format!("nfehook-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("body.json");
    std::fs::write(&path, b"[1,2]").expect("write body");
    let header = nfehook_core::sign("k", b"[1,2]");
    let file = path.to_str().expect("utf-8 path");
    let out = nfehook(
        &[
            "--json", "verify", "--secret", "k", "--header", &header, "--file", file,
        ],
        b"",
    );
    std::fs::remove_dir_all(&dir).expect("clean temp dir");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out).trim(), r#"{"valid":true}"#);
}

#[test]
fn missing_file_is_a_usage_error() {
    let out = nfehook(
        &["sign", "--secret", "k", "--body", "/nonexistent/body.json"],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn chave_json_shows_the_fields() {
    let out = nfehook(&["chave", "--json", MOC_KEY], b"");
    assert_eq!(out.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(value["chave"], MOC_KEY);
    assert_eq!(value["uf"], "GO");
    assert_eq!(value["ano"], 2006);
    assert_eq!(value["numero"], 780);
}

#[test]
fn chave_with_a_wrong_check_digit_exits_1() {
    let mut key = MOC_KEY.to_owned();
    key.replace_range(43.., "4");
    let out = nfehook(&["chave", &key], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("nfehook: invalid key"));
}

#[test]
fn strict_refuses_separators_that_lenient_accepts() {
    let grouped = "5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615";
    assert_eq!(nfehook(&["chave", grouped], b"").status.code(), Some(0));
    let strict = nfehook(&["chave", "--strict", "--today", "2026-11", grouped], b"");
    assert_eq!(strict.status.code(), Some(1));
    assert_eq!(
        nfehook(&["chave", "--strict", "--today", "2026-11", MOC_KEY], b"")
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn strict_defaults_to_the_current_month() {
    // The MOC key dates from 2006-04: valid under strict rules in any month after it.
    assert_eq!(
        nfehook(&["chave", "--strict", MOC_KEY], b"").status.code(),
        Some(0)
    );
    let too_early = nfehook(&["chave", "--strict", "--today", "2006-03", MOC_KEY], b"");
    assert_eq!(too_early.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        nfehook(&["chave", "--strict", "--today", "2026-13", MOC_KEY], b"")
            .status
            .code(),
        Some(2)
    );
    assert_eq!(nfehook(&["nope"], b"").status.code(), Some(2));
}

#[test]
fn several_keys_as_csv_name_the_bad_one_and_exit_1() {
    let out = nfehook(&["chave", "--csv", MOC_KEY, "123"], b"");
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "chave,valid,error");
    assert_eq!(lines[1], format!("{MOC_KEY},true,"));
    assert!(
        lines[2].starts_with("123,false,\"access key has 3 characters"),
        "{}",
        lines[2]
    );
}

#[test]
fn chave_json_prints_one_line_per_key() {
    let out = nfehook(&["--json", "chave", MOC_KEY, "123"], b"");
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|line| serde_json::from_str(line).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[1]["valid"], false);
    // The core's machine form, as the npm package and the desktop give it.
    assert_eq!(
        lines[1]["error"],
        serde_json::json!({
            "code": "length",
            "message": "access key has 3 characters; expected 44",
            "expected": 44,
            "length": 3,
        })
    );
}

const SPEC_BODY: &[u8] = br#"{"id":"d1","event":"nfe.processada","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"52060433009911002506550120000007800267301615","status":"processada","valor":1500.00}}"#;

#[test]
fn verify_with_now_and_tolerance_judges_the_timestamp() {
    let header = nfehook_core::sign("k", SPEC_BODY);
    let fresh = nfehook(
        &[
            "--json",
            "verify",
            "--secret",
            "k",
            "--header",
            &header,
            "--now",
            "2024-03-10T16:50:00Z",
        ],
        SPEC_BODY,
    );
    assert_eq!(fresh.status.code(), Some(0), "{}", stdout(&fresh));
    let value: serde_json::Value = serde_json::from_str(&stdout(&fresh)).expect("json");
    assert_eq!(value["ageSecs"], 270);
    assert_eq!(value["event"], "nfe.processada");

    let stale = nfehook(
        &[
            "verify",
            "--secret",
            "k",
            "--header",
            &header,
            "--now",
            "1710089431",
        ],
        SPEC_BODY,
    );
    assert_eq!(stale.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&stale.stderr);
    assert!(
        stderr.starts_with("nfehook: delivery refused (timestamp_too_old): timestamp too old: produced 301 s ago, tolerance 300 s"),
        "{stderr}"
    );
    let wide = nfehook(
        &[
            "verify",
            "--secret",
            "k",
            "--header",
            &header,
            "--now",
            "1710089431",
            "--tolerance",
            "600",
        ],
        SPEC_BODY,
    );
    assert_eq!(wide.status.code(), Some(0));
    let future = nfehook(
        &[
            "verify",
            "--secret",
            "k",
            "--header",
            &header,
            "--now",
            "1710080000",
        ],
        SPEC_BODY,
    );
    assert_eq!(future.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&future.stderr).contains("timestamp_in_future"));
    assert_eq!(
        nfehook(
            &[
                "verify",
                "--secret",
                "k",
                "--header",
                &header,
                "--now",
                "yesterday"
            ],
            SPEC_BODY
        )
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn verify_with_tolerance_refuses_a_body_that_is_not_a_delivery() {
    let header = nfehook_core::sign("k", b"[1]");
    let out = nfehook(
        &[
            "verify",
            "--secret",
            "k",
            "--header",
            &header,
            "--tolerance",
            "60",
        ],
        b"[1]",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("(invalid_payload)"));
}

/// Writes `contents` to a temporary file named `name` and runs `nfehook chave --file it args…`.
fn chave_file(name: &str, contents: &[u8], args: &[&str]) -> Output {
    let dir = std::env::temp_dir().join(format!("nfehook-cli-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write file");
    let file = path.to_str().expect("utf-8 path").to_owned();
    let mut all = vec!["chave", "--file", &file];
    all.extend(args);
    let out = nfehook(&all, b"");
    std::fs::remove_file(&path).expect("remove file");
    out
}

#[test]
fn chave_file_of_each_kind_with_a_summary() {
    let mut bad = MOC_KEY.to_owned();
    bad.replace_range(43.., "4");
    let text = format!("# keys\n{MOC_KEY}\n{bad}\n{MOC_KEY}\n");
    let out = chave_file("keys.txt", text.as_bytes(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let shown = stdout(&out);
    assert!(
        shown.contains(&format!("line 2: {MOC_KEY} valid: GO 2006-04")),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("line 3: {bad}: invalid: ")),
        "{shown}"
    );
    assert!(
        shown.contains(": 2 valid, 1 invalid, 1 repeated; 1 line without a key"),
        "{shown}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("nfehook: 1 of 3 keys are invalid"));

    let csv = format!("numero;chave;valor\n1;{MOC_KEY};10,00\n");
    let out = chave_file("notas.csv", csv.as_bytes(), &["--json"]);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|line| serde_json::from_str(line).expect("json line"))
        .collect();
    assert_eq!(lines[0]["chave"], MOC_KEY);
    assert_eq!(
        (lines[0]["line"].as_u64(), lines[0]["column"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(lines[1]["summary"]["valid"], 1);

    let xml = format!(
        "<?xml version=\"1.0\"?>\n<nfeProc><protNFe><infProt>\n<chNFe>{MOC_KEY}</chNFe></infProt></protNFe></nfeProc>"
    );
    let out = chave_file("nota.xml", xml.as_bytes(), &["--csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        format!("chave,valid,error,line,column\n{MOC_KEY},true,,3,\n")
    );
}

#[test]
fn chave_bad_files_exit_2() {
    let out = chave_file("empty.txt", b"nothing here\n", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("nfehook: no NF-e key found in"));
    let out = chave_file("broken.xml", b"<nfeProc><chNFe>1</nfeProc", &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let missing = nfehook(&["chave", "--file", "/nonexistent/keys.txt"], b"");
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(nfehook(&["chave"], b"").status.code(), Some(2));
    assert_eq!(
        nfehook(&["chave", "--file", "x.txt", MOC_KEY], b"")
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_reader_that_goes_away_is_not_a_panic() {
    let keys: Vec<&str> = std::iter::repeat_n(MOC_KEY, 5000).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nfehook"))
        .arg("chave")
        .args(&keys)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nfehook");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait nfehook");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

/// Runs `nfehook args…` on a pseudo-terminal (util-linux `script`), or `None` without one.
fn on_a_terminal(args: &str, no_color: bool) -> Option<String> {
    let mut command = Command::new("script");
    command
        .args([
            "-qec",
            &format!("{} {args}", env!("CARGO_BIN_EXE_nfehook")),
            "/dev/null",
        ])
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    if no_color {
        command.env("NO_COLOR", "1");
    }
    let out = command.output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn colours_only_on_a_terminal_and_never_with_no_color() {
    let mut bad = MOC_KEY.to_owned();
    bad.replace_range(43.., "4");
    let Some(coloured) = on_a_terminal(&format!("chave {bad}"), false) else {
        eprintln!("no `script` here: the terminal case is not checked");
        return;
    };
    assert!(coloured.contains("\x1b[31minvalid\x1b[0m"), "{coloured:?}");
    let plain = on_a_terminal(&format!("chave {bad}"), true).expect("script");
    assert!(
        !plain.contains('\x1b') && plain.contains("invalid"),
        "{plain:?}"
    );
    let piped = nfehook(&["chave", &bad], b"");
    assert!(!stdout(&piped).contains('\x1b'));
}
