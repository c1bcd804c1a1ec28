//! The sandbox's OpenAPI document (`GET /openapi.json`) against the sandbox itself: the
//! documented paths are exactly the routes the router registers, each path answers exactly
//! the documented methods, every example validates against its schema, and every answer of a
//! session that calls each operation (successes and each documented error) has a documented
//! status and a body that matches its schema.

// The session is one script that reads top to bottom, as a user of the API would call it.
#![allow(clippy::too_many_lines)]

use std::collections::BTreeSet;
use std::time::Duration;

use nfehook_sandbox::{RateLimit, RunningSandbox, Sandbox};
use nfehook_tests::openapi::{Document, escape};
use nfehook_tests::routes::{sandbox_route_paths, shape};
use reqwest::Method;
use serde_json::{Value, json};

const KEY: &str = "sbx_contract_key_5b1f0e";
const CHAVE: &str = "35240311222333000181550010000000011000000015";
const SUBS: &str = "/Webhooks/Subscriptions";
const ONE: &str = "/Webhooks/Subscriptions/{id}";
const CHAVES: &str = "/Webhooks/Subscriptions/{id}/NFe-Chaves";
const ONE_CHAVE: &str = "/Webhooks/Subscriptions/{id}/NFe-Chaves/{chave}";
const UNKNOWN_ID: &str = "00000000-0000-4000-8000-000000000000";

fn doc() -> Document {
    Document::load().expect("desktop/sandbox/openapi.json")
}

fn op_pointer(path: &str, method: &str) -> String {
    format!("#/paths/{}/{method}", escape(path))
}

fn must_validate(doc: &Document, pointer: &str, instance: &Value, what: &str) {
    let errors = doc.validate(pointer, instance).unwrap();
    assert!(
        errors.is_empty(),
        "{what} does not match {pointer}:\n{}\n{instance:#}",
        errors.join("\n")
    );
}

#[test]
fn every_ref_resolves() {
    let doc = doc();
    let refs = doc.refs();
    assert!(refs.len() > 20, "the document uses shared components");
    for (at, target) in refs {
        assert!(doc.at(&target).is_ok(), "{at}: dangling $ref {target}");
    }
}

#[test]
fn every_example_validates_against_its_schema() {
    let doc = doc();
    let mut checked = 0;
    for op in doc.operations() {
        let base = op_pointer(&op.path, &op.method);
        let body = format!("{base}/requestBody/content/application~1json");
        if let Ok(content) = doc.at(&body) {
            let example = content
                .get("example")
                .expect("request bodies have an example");
            must_validate(
                &doc,
                &format!("{body}/schema"),
                example,
                &format!("{body}/example"),
            );
            checked += 1;
        }
        let responses = doc.at(&format!("{base}/responses")).unwrap();
        for status in responses.as_object().unwrap().keys() {
            let (at, response) = doc.follow(&format!("{base}/responses/{status}")).unwrap();
            let Some(content) = response.pointer("/content/application~1json") else {
                continue;
            };
            if let Some(example) = content.get("example") {
                let schema = format!("{at}/content/application~1json/schema");
                must_validate(&doc, &schema, example, &format!("{base} {status} example"));
                checked += 1;
            }
        }
        for level in [base.clone(), format!("#/paths/{}", escape(&op.path))] {
            let Ok(Value::Array(params)) = doc.at(&format!("{level}/parameters")) else {
                continue;
            };
            for (i, param) in params.iter().enumerate() {
                if let Some(example) = param.get("example") {
                    must_validate(
                        &doc,
                        &format!("{level}/parameters/{i}/schema"),
                        example,
                        "parameter example",
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 30, "only {checked} examples checked");
}

#[test]
fn documented_paths_are_exactly_the_registered_routes() {
    let registered: BTreeSet<String> = sandbox_route_paths()
        .unwrap()
        .iter()
        .map(|p| shape(p))
        .collect();
    let documented: BTreeSet<String> = doc().paths().iter().map(|p| shape(p)).collect();
    assert!(
        registered.len() >= 8,
        "routes found in the source: {registered:?}"
    );
    let missing: Vec<_> = registered.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&registered).collect();
    assert!(
        missing.is_empty(),
        "routes not in openapi.json: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "documented paths the router does not have: {extra:?}"
    );
}

async fn start(rate_limit: Option<RateLimit>) -> RunningSandbox {
    let mut builder = Sandbox::builder()
        .in_memory()
        .api_key(KEY)
        .bind("127.0.0.1:0")
        .max_attempts(1)
        .attempt_timeout(Duration::from_millis(500));
    if let Some(limit) = rate_limit {
        builder = builder.rate_limit(limit);
    }
    builder.start().await.unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// One answer, checked against the document.
struct Answer {
    status: u16,
    body: Value,
}

/// Calls `method` on `template` (with `concrete` as the real path) and checks the answer
/// against the operation's documented response for its status.
async fn call(
    doc: &Document,
    base: &str,
    method: &str,
    template: &str,
    concrete: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> Answer {
    let mut request = http().request(
        Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap(),
        format!("{base}{concrete}"),
    );
    if let Some(key) = key {
        request = request.header("X-API-KEY", key);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let retry_after = response.headers().get("retry-after").cloned();
    let text = response.text().await.unwrap();
    let what = format!("{method} {concrete} -> {status}");
    let pointer = format!("{}/responses/{status}", op_pointer(template, method));
    let (at, documented) = doc
        .follow(&pointer)
        .unwrap_or_else(|_| panic!("{what}: status not documented at {pointer}; body {text}"));
    assert!(
        content_type
            .as_deref()
            .is_some_and(|t| t.starts_with("application/json")),
        "{what}: content type {content_type:?}"
    );
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{what}: not JSON: {text}"));
    must_validate(
        doc,
        &format!("{at}/content/application~1json/schema"),
        &body,
        &what,
    );
    if documented.pointer("/headers/Retry-After").is_some() {
        let secs: u64 = retry_after
            .unwrap_or_else(|| panic!("{what}: Retry-After missing"))
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(secs >= 1);
    }
    Answer { status, body }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_path_answers_exactly_the_documented_methods() {
    let doc = doc();
    let sandbox = start(None).await;
    let base = sandbox.base_url();
    let created = call(
        &doc,
        &base,
        "post",
        "/Webhooks/Subscriptions",
        "/Webhooks/Subscriptions",
        Some(KEY),
        Some(r#"{"name":"probe","url":"http://127.0.0.1:9/probe","events":["nfe.erro"]}"#),
    )
    .await;
    assert_eq!(created.status, 201);
    let id = created.body["data"]["id"].as_str().unwrap().to_owned();
    for path in doc.paths() {
        let concrete = path.replace("{id}", &id).replace("{chave}", CHAVE);
        let documented: BTreeSet<&str> = doc
            .operations()
            .into_iter()
            .filter(|op| op.path == path)
            .map(|op| match op.method.as_str() {
                "get" => "GET",
                "post" => "POST",
                "put" => "PUT",
                "delete" => "DELETE",
                "patch" => "PATCH",
                other => panic!("unexpected method {other}"),
            })
            .collect();
        // DELETE last: it may remove what the other probes use (they then answer 404, not 405).
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let answer = http()
                .request(
                    Method::from_bytes(method.as_bytes()).unwrap(),
                    format!("{base}{concrete}"),
                )
                .header("X-API-KEY", KEY)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let status = answer.status().as_u16();
            let text = answer.text().await.unwrap();
            assert!(
                !(status == 404 && text.contains("Route not found")),
                "{method} {path}: the router does not know this path"
            );
            assert_eq!(
                status != 405,
                documented.contains(method),
                "{method} {path} answered {status}; documented methods: {documented:?}"
            );
        }
    }
    sandbox.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_of_a_full_session_matches_the_document() {
    let doc = doc();
    let sandbox = start(None).await;
    let b = sandbox.base_url();
    let k = Some(KEY);

    // The document itself, without a key.
    let served = call(
        &doc,
        &b,
        "get",
        "/openapi.json",
        "/openapi.json",
        None,
        None,
    )
    .await;
    assert_eq!(served.body, doc.root, "the served document is the file");

    // Every operation without a key: 401.
    for op in doc
        .operations()
        .into_iter()
        .filter(|op| op.path != "/openapi.json")
    {
        let concrete = op
            .path
            .replace("{id}", UNKNOWN_ID)
            .replace("{chave}", CHAVE);
        let a = call(
            &doc,
            &b,
            &op.method,
            &op.path,
            &concrete,
            Some("sbx_wrong"),
            Some("{}"),
        )
        .await;
        assert_eq!(a.status, 401, "{} {}", op.method, op.path);
    }

    let new = r#"{"name":"Contrato","url":"http://127.0.0.1:9/contract","events":["nfe.processada","nfe.cancelada"],"secret":"whsec_contract_secret_1"}"#;
    let created = call(&doc, &b, "post", SUBS, SUBS, k, Some(new)).await;
    assert_eq!(created.status, 201);
    let id = created.body["data"]["id"].as_str().unwrap().to_owned();
    let one = format!("{SUBS}/{id}");
    let chaves = format!("{one}/NFe-Chaves");
    assert_eq!(
        call(&doc, &b, "post", SUBS, SUBS, k, Some(new))
            .await
            .status,
        409
    );
    for bad in [
        "",
        "[]",
        "not json",
        r#"{"name":" ","url":"ftp://x","events":["nfe.outro"]}"#,
        r#"{"name":1}"#,
    ] {
        assert_eq!(
            call(&doc, &b, "post", SUBS, SUBS, k, Some(bad))
                .await
                .status,
            400,
            "{bad}"
        );
    }
    let too_long = format!(r#"{{"name":"{}"}}"#, "x".repeat(3 * 1024 * 1024));
    assert_eq!(
        call(&doc, &b, "post", SUBS, SUBS, k, Some(&too_long))
            .await
            .status,
        413
    );
    assert_eq!(call(&doc, &b, "get", SUBS, SUBS, k, None).await.status, 200);
    assert_eq!(call(&doc, &b, "get", ONE, &one, k, None).await.status, 200);
    let missing = format!("{SUBS}/{UNKNOWN_ID}");
    assert_eq!(
        call(&doc, &b, "get", ONE, &missing, k, None).await.status,
        404
    );
    assert_eq!(
        call(&doc, &b, "get", ONE, &format!("{SUBS}/not-a-uuid"), k, None)
            .await
            .status,
        404
    );
    assert_eq!(
        call(
            &doc,
            &b,
            "put",
            ONE,
            &one,
            k,
            Some(r#"{"isActive":true,"name":"Contrato 2"}"#)
        )
        .await
        .status,
        200
    );
    assert_eq!(
        call(
            &doc,
            &b,
            "put",
            ONE,
            &one,
            k,
            Some(r#"{"secret":"whsec_other_secret"}"#)
        )
        .await
        .status,
        400
    );
    assert_eq!(
        call(&doc, &b, "put", ONE, &missing, k, Some("{}"))
            .await
            .status,
        404
    );
    let other = r#"{"name":"B","url":"http://127.0.0.1:9/b","events":["nfe.erro"]}"#;
    let b_created = call(&doc, &b, "post", SUBS, SUBS, k, Some(other)).await;
    assert_eq!(b_created.status, 201, "{:?}", b_created.body.to_string());
    assert_eq!(
        call(
            &doc,
            &b,
            "put",
            ONE,
            &one,
            k,
            Some(r#"{"url":"http://127.0.0.1:9/b"}"#)
        )
        .await
        .status,
        409
    );

    let chave_body = format!(r#"{{"nfeChave":"{CHAVE}"}}"#);
    assert_eq!(
        call(&doc, &b, "post", CHAVES, &chaves, k, Some(&chave_body))
            .await
            .status,
        201
    );
    assert_eq!(
        call(&doc, &b, "post", CHAVES, &chaves, k, Some(&chave_body))
            .await
            .status,
        409
    );
    assert_eq!(
        call(
            &doc,
            &b,
            "post",
            CHAVES,
            &chaves,
            k,
            Some(r#"{"nfeChave":"123"}"#)
        )
        .await
        .status,
        400
    );
    let missing_chaves = format!("{missing}/NFe-Chaves");
    assert_eq!(
        call(
            &doc,
            &b,
            "post",
            CHAVES,
            &missing_chaves,
            k,
            Some(&chave_body)
        )
        .await
        .status,
        404
    );
    let listed = call(&doc, &b, "get", CHAVES, &chaves, k, None).await;
    assert_eq!(listed.body["data"], json!([CHAVE]));
    assert_eq!(
        call(&doc, &b, "get", CHAVES, &missing_chaves, k, None)
            .await
            .status,
        404
    );
    let detail = call(&doc, &b, "get", ONE, &one, k, None).await;
    assert_eq!(detail.body["data"]["nfeChaves"], json!([CHAVE]));

    let triggered = call(
        &doc,
        &b,
        "post",
        "/_sandbox/events",
        "/_sandbox/events",
        k,
        Some(&format!(
            r#"{{"event":"nfe.processada","nfeChave":"{CHAVE}","valor":12.50}}"#
        )),
    )
    .await;
    assert_eq!(triggered.status, 202);
    let delivery_id = triggered.body["data"]["deliveries"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for bad in [
        r#"{"event":"nfe.outro"}"#,
        r#"{"event":"nfe.erro","nfeChave":"1"}"#,
        "[]",
        "{",
    ] {
        assert_eq!(
            call(
                &doc,
                &b,
                "post",
                "/_sandbox/events",
                "/_sandbox/events",
                k,
                Some(bad)
            )
            .await
            .status,
            400,
            "{bad}"
        );
    }
    // Let the one attempt (to a closed local port) end, so finished attempts are in the answers.
    for _ in 0..100 {
        let d = sandbox.delivery(&delivery_id).await.unwrap().unwrap();
        if d.attempts.first().is_some_and(|a| a.outcome.is_finished()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let listed = call(
        &doc,
        &b,
        "get",
        "/_sandbox/deliveries",
        &format!("/_sandbox/deliveries?subscriptionId={id}&status=failed"),
        k,
        None,
    )
    .await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        call(
            &doc,
            &b,
            "get",
            "/_sandbox/deliveries",
            "/_sandbox/deliveries?status=lost",
            k,
            None
        )
        .await
        .status,
        400
    );
    let path = "/_sandbox/deliveries/{id}";
    let got = call(
        &doc,
        &b,
        "get",
        path,
        &format!("/_sandbox/deliveries/{delivery_id}"),
        k,
        None,
    )
    .await;
    assert_eq!(got.body["data"]["attempts"][0]["number"], 1);
    assert_eq!(
        call(
            &doc,
            &b,
            "get",
            path,
            &format!("/_sandbox/deliveries/{UNKNOWN_ID}"),
            k,
            None
        )
        .await
        .status,
        404
    );

    // The account webhook: unset, set, invalid, its events triggered, removed.
    let account = "/_sandbox/account-webhook";
    assert_eq!(
        call(&doc, &b, "get", account, account, k, None)
            .await
            .status,
        404
    );
    assert_eq!(
        call(&doc, &b, "delete", account, account, k, None)
            .await
            .status,
        404
    );
    let set = call(
        &doc,
        &b,
        "put",
        account,
        account,
        k,
        Some(r#"{"url":"http://127.0.0.1:9/conta","events":["nfe.consulta.concluida","nfe.consulta.erro","guarda.upload.concluido"]}"#),
    )
    .await;
    assert_eq!(set.status, 200);
    assert!(
        set.body["data"]["secret"]
            .as_str()
            .unwrap()
            .starts_with("whsec_")
    );
    for bad in [
        "[]",
        r#"{"url":"nota","events":["nfe.processada"]}"#,
        r#"{"url":"http://127.0.0.1:9/conta","events":["nfe.consulta.erro"],"secret":"x"}"#,
    ] {
        assert_eq!(
            call(&doc, &b, "put", account, account, k, Some(bad))
                .await
                .status,
            400,
            "{bad}"
        );
    }
    assert_eq!(
        call(&doc, &b, "get", account, account, k, None)
            .await
            .status,
        200
    );
    let mut account_ids = Vec::new();
    for body in [
        format!(r#"{{"event":"nfe.consulta.concluida","nfeChave":"{CHAVE}","status":"autorizada"}}"#),
        r#"{"event":"nfe.consulta.erro","erroCodigo":"404","erroMensagem":"não encontrada"}"#.to_owned(),
        r#"{"event":"guarda.upload.concluido","arquivoId":"arq-1","urlDownload":"https://api.validanfe.com/GuardaNFe/Download/arq-1"}"#.to_owned(),
    ] {
        let triggered = call(
            &doc,
            &b,
            "post",
            "/_sandbox/events",
            "/_sandbox/events",
            k,
            Some(&body),
        )
        .await;
        assert_eq!(triggered.status, 202, "{body}");
        assert_eq!(triggered.body["data"]["deliveries"][0]["dialect"], "account");
        account_ids.push(
            triggered.body["data"]["deliveries"][0]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(
        call(
            &doc,
            &b,
            "post",
            "/_sandbox/events",
            "/_sandbox/events",
            k,
            Some(r#"{"event":"nfe.consulta.erro","valor":1}"#)
        )
        .await
        .status,
        400
    );
    for id in &account_ids {
        for _ in 0..100 {
            let d = sandbox.delivery(id).await.unwrap().unwrap();
            if d.attempts.first().is_some_and(|a| a.outcome.is_finished()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let listed = call(
        &doc,
        &b,
        "get",
        "/_sandbox/deliveries",
        "/_sandbox/deliveries?dialect=account",
        k,
        None,
    )
    .await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 3);
    assert_eq!(
        call(&doc, &b, "delete", account, account, k, None)
            .await
            .status,
        200
    );
    // Resending: a finished delivery comes back pending; one whose webhook is gone cannot.
    let resend_route = "/_sandbox/deliveries/{id}/resend";
    let resent = call(
        &doc,
        &b,
        "post",
        resend_route,
        &format!("/_sandbox/deliveries/{delivery_id}/resend"),
        k,
        None,
    )
    .await;
    assert_eq!(resent.status, 202);
    assert_eq!(resent.body["data"]["id"], delivery_id.as_str());
    for (target, status) in [(account_ids[0].as_str(), 409), (UNKNOWN_ID, 404)] {
        assert_eq!(
            call(
                &doc,
                &b,
                "post",
                resend_route,
                &format!("/_sandbox/deliveries/{target}/resend"),
                k,
                None
            )
            .await
            .status,
            status
        );
    }

    let one_chave = format!("{chaves}/{CHAVE}");
    assert_eq!(
        call(
            &doc,
            &b,
            "delete",
            ONE_CHAVE,
            &format!("{chaves}/12"),
            k,
            None
        )
        .await
        .status,
        400
    );
    assert_eq!(
        call(&doc, &b, "delete", ONE_CHAVE, &one_chave, k, None)
            .await
            .status,
        200
    );
    assert_eq!(
        call(&doc, &b, "delete", ONE_CHAVE, &one_chave, k, None)
            .await
            .status,
        404
    );
    assert_eq!(
        call(&doc, &b, "delete", ONE, &one, k, None).await.status,
        200
    );
    assert_eq!(
        call(&doc, &b, "delete", ONE, &one, k, None).await.status,
        404
    );
    sandbox.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_answer_matches_the_document() {
    let doc = doc();
    let sandbox = start(Some(RateLimit::new(2, Duration::from_secs(60)))).await;
    let b = sandbox.base_url();
    let path = "/Webhooks/Subscriptions";
    let statuses = [
        call(&doc, &b, "get", path, path, Some(KEY), None)
            .await
            .status,
        call(&doc, &b, "get", path, path, Some(KEY), None)
            .await
            .status,
        call(&doc, &b, "get", path, path, Some(KEY), None)
            .await
            .status,
    ];
    assert_eq!(statuses, [200, 200, 429]);
    sandbox.shutdown().await.unwrap();
}
