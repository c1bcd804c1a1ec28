//! Commands of the tools screens (NF-e keys, bulk import, test events, deliveries, inspector):
//! each one a thin call into [`Tools`]. Named in
//! [`COMMANDS`](crate::command_names::COMMANDS), from which `build.rs` declares and grants
//! them. Progress reaches the webview through a [`Channel`] passed by the view (no event
//! permission needed).

use std::sync::Arc;

use nfehook_inspector::{InspectorEvent, RecordedRequest, ResponseConfig, SendOutcome, Verdict};
use nfehook_keys::{ChaveInfo, ImportEvent, ImportRecord, PreviewPage, ResultRow, Validation};
use nfehook_sandbox::Delivery;
use serde::Serialize;
use tauri::State;
use tauri::ipc::Channel;

use crate::bulk_import::{OpenImport, PreviewView, SourceInput};
use crate::chaves::{ChaveRow, RemoveOutcome};
use crate::commands::AppState;
use crate::error::{DesktopError, Result};
use crate::inspector::{InspectorStatus, SecretChoice};
use crate::test_event::{
    AccountWebhookInput, AccountWebhookSet, AccountWebhookView, DeliveryList, DraftInput,
    TestEventDraft, TestEventInput, TestEventResult,
};
use crate::tools::{Exported, Tools};
use crate::view::Created;

/// The tools, managed by Tauri.
pub type ToolsState = Arc<Tools>;

fn copy(state: &AppState, text: &str) -> Result<()> {
    state
        .clipboard
        .write(text)
        .map_err(|reason| DesktopError::Clipboard { reason })
}

/// Live validation of one key.
#[tauri::command]
pub fn validate_chave(tools: State<'_, ToolsState>, input: String) -> Validation {
    tools.validate_chave(&input)
}

/// The keys of a subscription, filtered.
#[tauri::command]
pub async fn list_chaves(
    tools: State<'_, ToolsState>,
    subscription_id: String,
    search: Option<String>,
) -> Result<Vec<ChaveRow>> {
    tools
        .list_chaves(&subscription_id, search.as_deref().unwrap_or(""))
        .await
}

/// Adds one key.
#[tauri::command]
pub async fn add_chave(
    tools: State<'_, ToolsState>,
    subscription_id: String,
    input: String,
) -> Result<ChaveInfo> {
    tools.add_chave(&subscription_id, &input).await
}

/// Removes several keys.
#[tauri::command]
pub async fn remove_chaves(
    tools: State<'_, ToolsState>,
    subscription_id: String,
    chaves: Vec<String>,
) -> Result<RemoveOutcome> {
    tools.remove_chaves(&subscription_id, &chaves).await
}

/// Writes the keys to the export folder.
#[tauri::command]
pub async fn export_chaves(
    tools: State<'_, ToolsState>,
    subscription_id: String,
    search: Option<String>,
) -> Result<Exported> {
    tools
        .export_chaves(&subscription_id, search.as_deref().unwrap_or(""))
        .await
}

/// Copies non-secret text (a key, a `curl` command) to the clipboard.
#[tauri::command]
pub fn copy_text(state: State<'_, AppState>, text: String) -> Result<()> {
    copy(&state, &text)
}

/// Preview of pasted text and opened files.
#[tauri::command]
pub async fn preview_import(
    tools: State<'_, ToolsState>,
    subscription_id: String,
    sources: Vec<SourceInput>,
) -> Result<PreviewView> {
    tools.preview_import(&subscription_id, sources).await
}

fn channel_emitter<T: tauri::ipc::IpcResponse + Send + Sync + 'static>(
    channel: Channel<T>,
) -> crate::tools::Emit<T> {
    Arc::new(move |event: T| {
        // The view may be gone (dialog closed): the import goes on regardless.
        let _ = channel.send(event);
    })
}

/// More rows of a kept preview.
#[tauri::command]
pub fn preview_page(
    tools: State<'_, ToolsState>,
    preview_id: u64,
    offset: usize,
    limit: usize,
) -> Result<PreviewPage> {
    tools.preview_page(preview_id, offset, limit)
}

/// Starts importing a preview's valid rows; progress goes to `on_event`.
#[tauri::command]
pub async fn start_import(
    tools: State<'_, ToolsState>,
    preview_id: u64,
    on_event: Channel<ImportEvent>,
) -> Result<i64> {
    tools
        .start_import(preview_id, channel_emitter(on_event))
        .await
}

/// Resumes an interrupted or cancelled import; progress goes to `on_event`.
#[tauri::command]
pub async fn resume_import(
    tools: State<'_, ToolsState>,
    import_id: i64,
    on_event: Channel<ImportEvent>,
) -> Result<()> {
    tools
        .resume_import(import_id, channel_emitter(on_event))
        .await
}

/// Cancels a running import.
#[tauri::command]
pub fn cancel_import(tools: State<'_, ToolsState>, import_id: i64) -> bool {
    tools.cancel_import(import_id)
}

/// Imports of a subscription with rows not sent yet (running, interrupted, cancelled).
#[tauri::command]
pub async fn open_imports(
    tools: State<'_, ToolsState>,
    subscription_id: String,
) -> Result<Vec<OpenImport>> {
    tools.open_imports(&subscription_id).await
}

/// An import's counts, and whether it runs.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportStatus {
    /// The import.
    pub record: ImportRecord,
    /// Whether it is running now.
    pub running: bool,
}

/// An import's counts.
#[tauri::command]
pub fn import_status(tools: State<'_, ToolsState>, import_id: i64) -> Result<ImportStatus> {
    let (record, running) = tools.import_status(import_id)?;
    Ok(ImportStatus { record, running })
}

/// Every row of an import with its result.
#[tauri::command]
pub async fn import_results(
    tools: State<'_, ToolsState>,
    import_id: i64,
) -> Result<Vec<ResultRow>> {
    tools.import_results(import_id).await
}

/// Writes the results CSV to the export folder.
#[tauri::command]
pub async fn export_import_results(
    tools: State<'_, ToolsState>,
    import_id: i64,
) -> Result<Exported> {
    tools.export_import_results(import_id).await
}

/// Copies the results CSV.
#[tauri::command]
pub async fn copy_import_results(
    state: State<'_, AppState>,
    tools: State<'_, ToolsState>,
    import_id: i64,
) -> Result<()> {
    copy(&state, &tools.import_results_csv(import_id).await?)
}

/// Gives up on an import's unsent rows.
#[tauri::command]
pub fn dismiss_import(tools: State<'_, ToolsState>, import_id: i64) -> Result<()> {
    tools.dismiss_import(import_id)
}

/// "Enviar evento de teste".
#[tauri::command]
pub async fn send_test_event(
    tools: State<'_, ToolsState>,
    subscription_id: String,
    input: TestEventInput,
) -> Result<TestEventResult> {
    tools.send_test_event(&subscription_id, &input).await
}

/// The sandbox's deliveries to a subscription, or to every webhook.
#[tauri::command]
pub async fn list_deliveries(
    tools: State<'_, ToolsState>,
    subscription_id: Option<String>,
) -> Result<DeliveryList> {
    tools.list_deliveries(subscription_id.as_deref()).await
}

/// The sandbox's account webhook, `null` while none is set.
#[tauri::command]
pub async fn get_account_webhook(
    tools: State<'_, ToolsState>,
) -> Result<Option<AccountWebhookView>> {
    tools.account_webhook().await
}

/// Sets the sandbox's account webhook.
#[tauri::command]
pub async fn set_account_webhook(
    tools: State<'_, ToolsState>,
    input: AccountWebhookInput,
) -> Result<AccountWebhookSet> {
    tools.set_account_webhook(&input).await
}

/// Sends a delivery again through the sandbox's dispatcher (same delivery, one more attempt).
#[tauri::command]
pub async fn resend_delivery(
    tools: State<'_, ToolsState>,
    delivery_id: String,
) -> Result<Delivery> {
    tools.resend_delivery(&delivery_id).await
}

/// Starts the inspector.
#[tauri::command]
pub async fn inspector_start(
    tools: State<'_, ToolsState>,
    port: Option<u16>,
    response: Option<ResponseConfig>,
) -> Result<InspectorStatus> {
    tools
        .inspector_start(port, response.unwrap_or_default())
        .await
}

/// Sends each arriving request to `on_event` (the open inspector view).
#[tauri::command]
pub async fn inspector_watch(
    tools: State<'_, ToolsState>,
    on_event: Channel<InspectorEvent>,
) -> Result<()> {
    tools.inspector_watch(channel_emitter(on_event)).await
}

/// Stops the inspector.
#[tauri::command]
pub async fn inspector_stop(tools: State<'_, ToolsState>) -> Result<()> {
    tools.inspector_stop().await
}

/// Whether the inspector runs, and where.
#[tauri::command]
pub async fn inspector_status(tools: State<'_, ToolsState>) -> Result<InspectorStatus> {
    Ok(tools.inspector_status().await)
}

/// The kept requests, newest first.
#[tauri::command]
pub async fn inspector_requests(tools: State<'_, ToolsState>) -> Result<Vec<RecordedRequest>> {
    tools.inspector_requests().await
}

/// Changes the inspector's answer.
#[tauri::command]
pub async fn inspector_set_response(
    tools: State<'_, ToolsState>,
    response: ResponseConfig,
) -> Result<()> {
    tools.inspector_set_response(response).await
}

/// Chooses the secret signatures are checked with.
#[tauri::command]
pub async fn inspector_use_secret(
    tools: State<'_, ToolsState>,
    choice: SecretChoice,
) -> Result<Option<String>> {
    tools.inspector_use_secret(&choice).await
}

/// Re-checks a kept request against another secret.
#[tauri::command]
pub async fn inspector_verify(
    tools: State<'_, ToolsState>,
    request_id: u64,
    choice: SecretChoice,
) -> Result<Verdict> {
    tools.inspector_verify(request_id, &choice).await
}

/// A kept request as `curl`.
#[tauri::command]
pub async fn inspector_curl(tools: State<'_, ToolsState>, request_id: u64) -> Result<String> {
    tools.inspector_curl(request_id).await
}

/// Forgets every kept request.
#[tauri::command]
pub async fn inspector_clear(tools: State<'_, ToolsState>) -> Result<()> {
    tools.inspector_clear().await
}

/// Creates a sandbox subscription pointing at the inspector.
#[tauri::command]
pub async fn inspector_subscribe_sandbox(tools: State<'_, ToolsState>) -> Result<Created> {
    tools.inspector_subscribe_sandbox().await
}

/// The body a test event would send (its key proposed when none is given), to edit.
#[tauri::command]
pub fn test_event_draft(input: DraftInput) -> Result<TestEventDraft> {
    crate::test_event::draft_now(&input)
}

/// Sends a kept request again to `url`, re-signed with the chosen secret.
#[tauri::command]
pub async fn inspector_replay(
    tools: State<'_, ToolsState>,
    request_id: u64,
    url: String,
    choice: SecretChoice,
) -> Result<SendOutcome> {
    tools.inspector_replay(request_id, &url, &choice).await
}

/// Writes the chosen kept requests to a JSON-lines file in the export folder.
#[tauri::command]
pub async fn inspector_export(
    tools: State<'_, ToolsState>,
    request_ids: Vec<u64>,
) -> Result<Exported> {
    tools.inspector_export(&request_ids).await
}

/// The bounds the UI checks before it reads the user's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolLimits {
    /// Largest text or file of keys read, in bytes.
    pub max_source_bytes: usize,
}

/// The bounds on input, so a file too large is refused before it is read.
#[tauri::command]
pub fn tool_limits() -> ToolLimits {
    ToolLimits {
        max_source_bytes: nfehook_keys::MAX_SOURCE_BYTES,
    }
}

/// Checks pasted text and opened files of keys, with no subscription.
#[tauri::command]
pub async fn check_keys(
    tools: State<'_, ToolsState>,
    sources: Vec<SourceInput>,
) -> Result<PreviewView> {
    tools.check_keys(sources).await
}

/// More rows of a kept check of keys.
#[tauri::command]
pub fn check_keys_page(
    tools: State<'_, ToolsState>,
    check_id: u64,
    offset: usize,
    limit: usize,
) -> Result<PreviewPage> {
    tools.check_keys_page(check_id, offset, limit)
}

#[cfg(test)]
mod tests {
    //! The tools' commands through Tauri's IPC on the mock runtime: granted by the capability,
    //! serialised as the UI expects, typed errors.

    use serde_json::json;

    use crate::testing::ipc::{LOCAL, harness, invoke};

    #[test]
    fn live_validation_over_ipc() {
        let h = harness();
        let v = invoke(
            &h,
            "validate_chave",
            json!({"input": "5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615"}),
            LOCAL,
        )
        .unwrap();
        assert_eq!(v["state"], "valid");
        assert_eq!(v["detail"]["uf"], "GO");
        assert_eq!(v["detail"]["emitente"], "33.009.911/0025-06");
        let v = invoke(
            &h,
            "validate_chave",
            json!({"input": "35170608530528000184550000000154301000771561"}),
            LOCAL,
        )
        .unwrap();
        assert_eq!(v["state"], "invalid");
        assert_eq!(v["detail"]["code"], "check_digit");
        assert_eq!(
            (
                v["detail"]["position"].as_u64(),
                v["detail"]["expected"].as_u64()
            ),
            (Some(44), Some(9))
        );
    }

    #[test]
    fn api_errors_are_typed_and_the_inspector_runs_from_ipc() {
        let h = harness();
        let err = invoke(
            &h,
            "preview_import",
            json!({"subscriptionId": "x", "sources": [{"name": "t", "text": "1"}]}),
            LOCAL,
        )
        .unwrap_err();
        assert_eq!(err["kind"], "offline");
        let err = invoke(
            &h,
            "preview_import",
            json!({"subscriptionId": "x", "sources": [{"name": "f.csv", "base64": "%%%"}]}),
            LOCAL,
        )
        .unwrap_err();
        assert_eq!(err["kind"], "validation");
        let err = invoke(
            &h,
            "start_import",
            json!({"previewId": 77, "onEvent": "__CHANNEL__:1"}),
            LOCAL,
        )
        .unwrap_err();
        assert_eq!(err["kind"], "notFound");

        let status = invoke(&h, "inspector_status", json!({}), LOCAL).unwrap();
        assert_eq!(status["running"], false);
        let status = invoke(
            &h,
            "inspector_start",
            json!({"port": null, "response": {"status": 503, "delayMs": 0}}),
            LOCAL,
        )
        .unwrap();
        assert_eq!(status["running"], true);
        assert_eq!(status["response"]["status"], 503);
        assert!(
            status["url"]
                .as_str()
                .unwrap()
                .starts_with("http://127.0.0.1:")
        );
        let err = invoke(
            &h,
            "inspector_set_response",
            json!({"response": {"status": 42}}),
            LOCAL,
        )
        .unwrap_err();
        assert_eq!(err["kind"], "validation");
        invoke(&h, "inspector_stop", json!({}), LOCAL).unwrap();

        invoke(
            &h,
            "copy_text",
            json!({"text": "52060433009911002506550120000007800267301615"}),
            LOCAL,
        )
        .unwrap();
        assert_eq!(
            crate::clipboard::Clipboard::read(h.clipboard.as_ref()).as_deref(),
            Some("52060433009911002506550120000007800267301615")
        );
    }

    #[test]
    fn keys_are_checked_with_no_subscription_and_read_page_by_page() {
        let h = harness();
        // An import preview kept first, so a check's id could be taken for it.
        let preview = nfehook_keys::Preview::build(
            &[nfehook_keys::ImportSource::text(
                "colado",
                "52060433009911002506550120000007800267301615",
            )],
            &[],
        )
        .unwrap();
        let (import_id, _) = h.tools().previews.insert(
            nfehook_keys::ImportTarget {
                connection: "sandbox".into(),
                subscription_id: "s".into(),
            },
            preview,
        );
        let mut text = String::new();
        for n in 1..=620u32 {
            let first = format!("5206043300991100250655012{n:09}112345678");
            let digit = nfehook_core::chave::check_digit(first.as_bytes());
            text.push_str(&first);
            text.push(char::from(b'0' + digit));
            text.push('\n');
        }
        // 40 digits: read as a key of the wrong length.
        text.push_str("5206043300991100250655012000000000112345\n");
        let view = invoke(
            &h,
            "check_keys",
            json!({"sources": [{"name": "colado", "text": text}]}),
            LOCAL,
        )
        .unwrap();
        assert_eq!(view["page"]["total"], 621);
        assert_eq!(view["page"]["rows"].as_array().unwrap().len(), 500);
        assert_eq!(view["page"]["counts"]["valid"], 620);
        assert_eq!(view["page"]["counts"]["invalid"], 1);
        assert_eq!(view["page"]["counts"]["existing"], 0);
        let page = invoke(
            &h,
            "check_keys_page",
            json!({"checkId": view["previewId"], "offset": 500, "limit": 500}),
            LOCAL,
        )
        .unwrap();
        let rows = page["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 121);
        assert_eq!(rows[120]["row"], 621);
        assert_eq!(rows[120]["status"]["kind"], "invalid");
        let err = invoke(
            &h,
            "check_keys_page",
            json!({"checkId": 999, "offset": 0, "limit": 10}),
            LOCAL,
        )
        .unwrap_err();
        assert_eq!(err["kind"], "notFound");
        // A check is not an import preview: it cannot be imported, and the preview kept is
        // still there for its own id.
        assert_ne!(view["previewId"], import_id);
        let err = invoke(
            &h,
            "start_import",
            json!({"previewId": view["previewId"], "onEvent": "__CHANNEL__:1"}),
            LOCAL,
        )
        .unwrap_err();
        assert_eq!(err["kind"], "notFound");
        assert!(h.tools().previews.page(import_id, 0, 1).is_some());
    }

    #[test]
    fn a_test_event_draft_proposes_a_key_of_this_month() {
        let h = harness();
        let draft = invoke(
            &h,
            "test_event_draft",
            json!({"input": {"event": "nfe.processada"}}),
            LOCAL,
        )
        .unwrap();
        let chave = draft["chave"].as_str().unwrap();
        assert!(nfehook_core::ChaveAcesso::parse(chave).is_ok(), "{chave}");
        assert!(draft["body"].as_str().unwrap().contains(chave));
        let err = invoke(
            &h,
            "send_test_event",
            json!({"subscriptionId": "x", "input": {"body": "{}"}}),
            LOCAL,
        )
        .unwrap_err();
        assert_eq!(err["kind"], "validation");
        assert_eq!(err["fields"]["body"][0], "invalid_payload");
    }

    #[test]
    fn the_input_bounds_are_the_crates_own() {
        let h = harness();
        let limits = invoke(&h, "tool_limits", json!({}), LOCAL).unwrap();
        assert_eq!(limits["maxSourceBytes"], nfehook_keys::MAX_SOURCE_BYTES);
    }

    #[test]
    fn the_tools_are_granted_only_to_the_app() {
        let h = harness();
        let err = invoke(
            &h,
            "validate_chave",
            json!({"input": "1"}),
            "https://evil.example/",
        )
        .unwrap_err();
        assert!(err.to_string().contains("not allowed"), "{err}");
        let err = invoke(&h, "inspector_start", json!({}), "https://evil.example/").unwrap_err();
        assert!(err.to_string().contains("not allowed"), "{err}");
    }
}
