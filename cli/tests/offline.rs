//! The real `nfehook` binary on sign, verify and chave.

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
}
