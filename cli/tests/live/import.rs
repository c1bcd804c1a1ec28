//! `nfehook chaves import`: a file's keys added through the importer, a 429 in the middle
//! honoured, the per-row results at the end.

use std::time::Duration;

use crate::support::*;

#[test]
fn import_honours_a_429_in_the_middle_and_reports_every_row() {
    let rt = runtime();
    // Three requests a second: the listing and two keys pass, the third key gets a 429.
    let sandbox = sandbox_with_window(&rt, Some(3), Duration::from_secs(1));
    let base = sandbox.base_url();
    let id = rt.block_on(async {
        let client = nfehook_client::Client::builder(API_KEY)
            .base_url(&base)
            .build()
            .expect("client");
        client
            .create_subscription(&nfehook_core::NewSubscription {
                name: "import".into(),
                url: "https://import.example/hook".into(),
                events: nfehook_core::EventKind::SUBSCRIPTION.to_vec(),
                is_active: true,
                secret: None,
            })
            .await
            .expect("subscription")
            .id
    });
    // The creation used the window's first request; start the import in a fresh one.
    std::thread::sleep(Duration::from_millis(1100));
    let keys: Vec<String> = (1..=5).map(valid_key).collect();
    let mut csv = String::from("chave;valor\n");
    for key in &keys {
        csv.push_str(&format!("{key};10,00\n"));
    }
    csv.push_str(&format!("{};1,00\n{MOC_KEY}9;2,00\n", keys[0]));
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("notas.csv");
    std::fs::write(&file, csv).expect("csv");
    let results = dir.join("results.csv");
    let journal = dir.join("journal");
    let out = nfehook(&[
        "--json",
        "chaves",
        "import",
        &id,
        file.to_str().expect("path"),
        "--journal",
        journal.to_str().expect("path"),
        "--concurrency",
        "1",
        "--results",
        results.to_str().expect("path"),
        "--base-url",
        &base,
        "--api-key",
        API_KEY,
    ]);
    // An invalid row in the file: exit 1 once every valid key is added.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert!(
        lines.iter().any(|l| l["type"] == "rateLimited"),
        "{}",
        stdout(&out)
    );
    let summary = lines.last().expect("summary");
    let counts = &summary["import"]["counts"];
    assert_eq!(
        (
            counts["added"].as_u64(),
            counts["duplicate"].as_u64(),
            counts["invalid"].as_u64(),
            counts["failed"].as_u64()
        ),
        (Some(5), Some(1), Some(1), Some(0)),
        "{summary}"
    );
    assert_eq!(summary["rows"].as_array().map(Vec::len), Some(7));
    let written = std::fs::read_to_string(&results).expect("results csv");
    assert!(
        written.starts_with("row,source,line,column,input,chave,result"),
        "{written}"
    );
    assert_eq!(written.lines().count(), 8);
    std::thread::sleep(Duration::from_millis(1100));
    let listed = nfehook(&[
        "--json",
        "chaves",
        "list",
        &id,
        "--base-url",
        &base,
        "--api-key",
        API_KEY,
    ]);
    let listed: serde_json::Value = serde_json::from_str(stdout(&listed).trim()).expect("json");
    assert_eq!(listed["chaves"].as_array().map(Vec::len), Some(5));

    let nothing = nfehook(&[
        "chaves",
        "import",
        &id,
        "--resume",
        "--journal",
        journal.to_str().expect("path"),
        "--base-url",
        &base,
        "--api-key",
        API_KEY,
    ]);
    assert_eq!(nothing.status.code(), Some(2));
    assert!(
        stderr(&nothing).contains("no interrupted import"),
        "{}",
        stderr(&nothing)
    );
    let missing = nfehook(&[
        "chaves",
        "import",
        &id,
        "/nonexistent/keys.csv",
        "--journal",
        journal.to_str().expect("path"),
        "--api-key",
        API_KEY,
        "--base-url",
        &base,
    ]);
    assert_eq!(missing.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).expect("clean up");
    rt.block_on(sandbox.shutdown()).expect("sandbox shutdown");
}
