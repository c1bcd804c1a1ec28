//! `nfehook subscriptions` and `nfehook chaves` against the sandbox: CRUD, every API error
//! (400, 401, 404, 409, 429) with exit 3, and no key or secret in any output.

use crate::support::*;

fn with_key<'a>(base: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(["--base-url", base, "--api-key", API_KEY]);
    all
}

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(stdout(output).trim()).expect("one JSON value")
}

#[test]
fn subscriptions_crud_and_keys() {
    let rt = runtime();
    let sandbox = sandbox(&rt, None);
    let base = sandbox.base_url();
    let created = nfehook(&with_key(
        &base,
        &[
            "--json",
            "subscriptions",
            "create",
            "--name",
            "Webhook Principal",
            "--url",
            "https://suaapp.com/webhooks/nfe",
            "--event",
            "nfe.processada,nfe.cancelada",
            "--secret",
            SECRET_1,
        ],
    ));
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    let created = json(&created);
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(created.get("secret").is_none(), "{created}");
    assert_eq!(
        created["events"],
        serde_json::json!(["nfe.processada", "nfe.cancelada"])
    );

    // The key from the environment, the secret only when asked for.
    let env = [
        ("NFEHOOK_API_KEY", API_KEY),
        ("NFEHOOK_BASE_URL", base.as_str()),
    ];
    let listed = nfehook_with_env(&["subscriptions", "list"], &env);
    assert_eq!(listed.status.code(), Some(0), "{}", stderr(&listed));
    let table = stdout(&listed);
    assert!(
        table.starts_with("ID") && table.contains(&id) && table.contains("Webhook Principal"),
        "{table}"
    );
    let shown = std::process::Command::new(env!("CARGO_BIN_EXE_nfehook"))
        .args(["--json", "subscriptions", "get", &id, "--show-secret"])
        .envs(env)
        .output()
        .expect("run nfehook");
    assert_eq!(json(&shown)["secret"], SECRET_1);

    let add = nfehook(&with_key(
        &base,
        &[
            "chaves",
            "add",
            &id,
            "5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615",
        ],
    ));
    assert_eq!(add.status.code(), Some(0), "{}", stderr(&add));
    assert_eq!(stdout(&add).trim(), format!("added {MOC_KEY}"));
    let list = nfehook(&with_key(&base, &["--json", "chaves", "list", &id]));
    assert_eq!(json(&list)["chaves"], serde_json::json!([MOC_KEY]));
    let got = nfehook(&with_key(&base, &["subscriptions", "get", &id]));
    let text = stdout(&got);
    assert!(
        text.contains("secret      (hidden; --show-secret shows it)") && text.contains(MOC_KEY),
        "{text}"
    );

    let updated = nfehook(&with_key(
        &base,
        &[
            "--json",
            "subscriptions",
            "update",
            &id,
            "--active",
            "false",
            "--name",
            "Pausado",
        ],
    ));
    assert_eq!(updated.status.code(), Some(0), "{}", stderr(&updated));
    let got = nfehook(&with_key(&base, &["--json", "subscriptions", "get", &id]));
    assert_eq!(
        (json(&got)["isActive"].clone(), json(&got)["name"].clone()),
        (serde_json::json!(false), serde_json::json!("Pausado"))
    );

    let removed = nfehook(&with_key(&base, &["chaves", "remove", &id, MOC_KEY]));
    assert_eq!(removed.status.code(), Some(0), "{}", stderr(&removed));
    let deleted = nfehook(&with_key(
        &base,
        &["--json", "subscriptions", "delete", &id],
    ));
    assert_eq!(
        json(&deleted),
        serde_json::json!({ "id": id, "deleted": true })
    );
    let empty = nfehook(&with_key(&base, &["subscriptions", "list"]));
    assert_eq!(stdout(&empty).trim(), "no subscriptions");
    rt.block_on(sandbox.shutdown()).expect("sandbox shutdown");
}

#[test]
fn api_errors_exit_3_with_one_clear_line() {
    let rt = runtime();
    let sandbox = sandbox(&rt, None);
    let base = sandbox.base_url();
    let create = |url: &str| {
        nfehook(&with_key(
            &base,
            &["subscriptions", "create", "--name", "n", "--url", url],
        ))
    };
    assert_eq!(create("https://a.example/hook").status.code(), Some(0));

    let conflict = create("https://a.example/hook");
    assert_eq!(conflict.status.code(), Some(3));
    assert!(
        stderr(&conflict).starts_with("nfehook: conflict (409)"),
        "{}",
        stderr(&conflict)
    );

    let invalid = create("not a url");
    assert_eq!(invalid.status.code(), Some(3));
    assert!(
        stderr(&invalid).starts_with("nfehook: invalid request"),
        "{}",
        stderr(&invalid)
    );
    assert!(stderr(&invalid).contains("url"), "{}", stderr(&invalid));

    let unknown = nfehook(&with_key(
        &base,
        &[
            "subscriptions",
            "get",
            "123e4567-e89b-12d3-a456-426614174000",
        ],
    ));
    assert_eq!(unknown.status.code(), Some(3));
    assert!(
        stderr(&unknown).starts_with("nfehook: not found (404)"),
        "{}",
        stderr(&unknown)
    );

    let unauthorized = nfehook(&[
        "--json",
        "subscriptions",
        "list",
        "--base-url",
        &base,
        "--api-key",
        "wrong",
    ]);
    assert_eq!(unauthorized.status.code(), Some(3));
    assert_eq!(json(&unauthorized)["kind"], "unauthorized");

    for output in [&conflict, &invalid, &unknown] {
        assert_eq!(stderr(output).lines().count(), 1, "{}", stderr(output));
        assert!(!stderr(output).contains("panicked"));
    }
    rt.block_on(sandbox.shutdown()).expect("sandbox shutdown");
}

#[test]
fn rate_limited_is_exit_3_with_the_wait() {
    let rt = runtime();
    let sandbox = sandbox(&rt, Some(1));
    let base = sandbox.base_url();
    assert_eq!(
        nfehook(&with_key(&base, &["subscriptions", "list"]))
            .status
            .code(),
        Some(0)
    );
    let limited = nfehook(&with_key(
        &base,
        &[
            "subscriptions",
            "create",
            "--name",
            "n",
            "--url",
            "https://b.example/",
        ],
    ));
    assert_eq!(limited.status.code(), Some(3));
    assert!(
        stderr(&limited).starts_with("nfehook: rate limited (429); retry after"),
        "{}",
        stderr(&limited)
    );
    rt.block_on(sandbox.shutdown()).expect("sandbox shutdown");
}

#[test]
fn api_usage_errors_exit_2() {
    let no_key = nfehook(&["subscriptions", "list", "--base-url", "http://127.0.0.1:9"]);
    assert_eq!(no_key.status.code(), Some(2));
    assert!(
        stderr(&no_key).contains("no API key"),
        "{}",
        stderr(&no_key)
    );
    let bad_base = nfehook(&[
        "subscriptions",
        "list",
        "--base-url",
        "ftp://x",
        "--api-key",
        API_KEY,
    ]);
    assert_eq!(bad_base.status.code(), Some(2), "{}", stderr(&bad_base));
    let bad_event = nfehook(&[
        "subscriptions",
        "create",
        "--name",
        "n",
        "--url",
        "https://a.b/",
        "--event",
        "nfe.nada",
        "--api-key",
        API_KEY,
    ]);
    assert_eq!(bad_event.status.code(), Some(2));
    let bad_key = nfehook(&[
        "chaves",
        "add",
        "123e4567-e89b-12d3-a456-426614174000",
        "123",
        "--api-key",
        API_KEY,
        "--base-url",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(bad_key.status.code(), Some(2), "{}", stderr(&bad_key));
    let nothing = nfehook(&[
        "subscriptions",
        "update",
        "123e4567-e89b-12d3-a456-426614174000",
        "--api-key",
        API_KEY,
    ]);
    assert_eq!(nothing.status.code(), Some(2));
    assert_eq!(
        nfehook(&["subscriptions", "--api-key", API_KEY])
            .status
            .code(),
        Some(2)
    );
    // Misused, the key is still not echoed (the helper checks every output).
    let inline = format!("--api-key={API_KEY}");
    for misuse in [
        &["chave", "--api-key", API_KEY][..],
        &["subscriptions", "lst", "--api-key", API_KEY],
        &["subscriptions", "get", &inline],
        &[
            "trigger",
            "nfe.erro",
            "--sandbox",
            "nope",
            "--api-key",
            API_KEY,
        ],
    ] {
        assert_eq!(nfehook(misuse).status.code(), Some(2), "{misuse:?}");
    }
    let unreachable = nfehook(&[
        "subscriptions",
        "list",
        "--base-url",
        "http://127.0.0.1:9",
        "--api-key",
        API_KEY,
    ]);
    assert_eq!(
        unreachable.status.code(),
        Some(3),
        "{}",
        stderr(&unreachable)
    );
}
