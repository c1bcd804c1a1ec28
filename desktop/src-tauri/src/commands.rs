//! The Tauri commands: each one is a thin call into [`Desktop`](crate::Desktop). They are
//! named in [`COMMANDS`](crate::command_names::COMMANDS), from which `build.rs` declares and
//! grants them.

use std::sync::Arc;

use tauri::State;

use crate::clipboard::{CLEAR_AFTER, Clipboard, copy_then_clear};
use crate::desktop::{
    AppInfo, ConnectionHealth, ConnectionInput, ConnectionUpdate, ConnectionView, Desktop,
    HEALTH_TIMEOUT,
};
use crate::error::Result;
use crate::startup::StartupTrace;
use crate::view::{Created, FormCheck, SubscriptionForm, SubscriptionRow, SubscriptionView};

/// What the commands share, managed by Tauri.
pub struct AppState {
    /// The app's logic.
    pub desktop: Arc<Desktop>,
    /// The system clipboard (a fake in tests).
    pub clipboard: Arc<dyn Clipboard>,
    /// The startup trace, which the UI's first paint ends.
    pub trace: StartupTrace,
}

/// Connections, key storage, sandbox state.
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo> {
    state.desktop.info()
}

/// Adds a connection and makes it active.
#[tauri::command]
pub async fn add_connection(
    state: State<'_, AppState>,
    input: ConnectionInput,
) -> Result<ConnectionView> {
    state.desktop.add_connection(input)
}

/// Edits a connection (name, base URL, key).
#[tauri::command]
pub async fn update_connection(
    state: State<'_, AppState>,
    id: String,
    update: ConnectionUpdate,
) -> Result<ConnectionView> {
    state.desktop.update_connection(&id, update)
}

/// Removes a connection and its key.
#[tauri::command]
pub async fn remove_connection(state: State<'_, AppState>, id: String) -> Result<()> {
    state.desktop.remove_connection(&id)
}

/// Switches the active connection.
#[tauri::command]
pub async fn select_connection(state: State<'_, AppState>, id: String) -> Result<()> {
    state.desktop.select_connection(&id)
}

/// The active connection's health: one small, bounded call (see [`Desktop::check_connection`]).
#[tauri::command]
pub async fn check_connection(state: State<'_, AppState>) -> Result<ConnectionHealth> {
    state.desktop.check_connection(HEALTH_TIMEOUT).await
}

/// The subscriptions of the active connection.
#[tauri::command]
pub async fn list_subscriptions(state: State<'_, AppState>) -> Result<Vec<SubscriptionRow>> {
    state.desktop.list_subscriptions().await
}

/// One subscription in full (secret masked).
#[tauri::command]
pub async fn get_subscription(state: State<'_, AppState>, id: String) -> Result<SubscriptionView> {
    state.desktop.get_subscription(&id).await
}

/// Inline validation of the form with `nfehook-core`'s rules.
#[tauri::command]
pub fn validate_subscription(state: State<'_, AppState>, form: SubscriptionForm) -> FormCheck {
    state.desktop.validate_subscription(&form)
}

/// Creates a subscription.
#[tauri::command]
pub async fn create_subscription(
    state: State<'_, AppState>,
    form: SubscriptionForm,
) -> Result<Created> {
    state.desktop.create_subscription(&form).await
}

/// Saves an edited subscription.
#[tauri::command]
pub async fn update_subscription(
    state: State<'_, AppState>,
    id: String,
    form: SubscriptionForm,
) -> Result<SubscriptionView> {
    state.desktop.update_subscription(&id, &form).await
}

/// Turns a subscription on or off.
#[tauri::command]
pub async fn set_subscription_active(
    state: State<'_, AppState>,
    id: String,
    active: bool,
) -> Result<()> {
    state.desktop.set_subscription_active(&id, active).await
}

/// Deletes a subscription.
#[tauri::command]
pub async fn delete_subscription(state: State<'_, AppState>, id: String) -> Result<()> {
    state.desktop.delete_subscription(&id).await
}

/// The subscription's secret in clear (reveal).
#[tauri::command]
pub async fn reveal_secret(state: State<'_, AppState>, id: String) -> Result<String> {
    state.desktop.reveal_secret(&id).await
}

/// Copies the subscription's secret without it passing through the webview; cleared after 30 s.
#[tauri::command]
pub async fn copy_secret(state: State<'_, AppState>, id: String) -> Result<()> {
    let secret = state.desktop.reveal_secret(&id).await?;
    copy_then_clear(state.clipboard.clone(), secret, CLEAR_AFTER)
}

/// Copies a secret the UI is showing (the generated one, shown once); cleared after 30 s.
#[tauri::command]
pub async fn copy_sensitive(state: State<'_, AppState>, text: String) -> Result<()> {
    copy_then_clear(state.clipboard.clone(), text, CLEAR_AFTER)
}

/// Called by the UI once its first frame is on screen (and again by later views); the first
/// call ends the [startup trace](crate::startup) (read by `make figures-desktop`).
#[tauri::command]
pub fn ui_ready(state: State<'_, AppState>) {
    state.trace.first_paint();
}

#[cfg(test)]
mod tests {
    //! The command wiring through Tauri's IPC on the mock runtime (no window, no WebKit).

    use serde_json::{Value, json};

    use crate::clipboard::Clipboard;
    use crate::testing::ipc::{Harness, LOCAL, harness};

    fn invoke(h: &Harness, cmd: &str, args: Value) -> Result<Value, Value> {
        crate::testing::ipc::invoke(h, cmd, args, LOCAL)
    }

    fn invoke_from(h: &Harness, cmd: &str, args: Value, origin: &str) -> Result<Value, Value> {
        crate::testing::ipc::invoke(h, cmd, args, origin)
    }

    #[test]
    fn app_info_over_ipc() {
        let h = harness();
        let info = invoke(&h, "app_info", json!({})).unwrap();
        assert_eq!(info["activeId"], "sandbox");
        assert_eq!(info["keyStorage"], "memory");
        assert_eq!(info["keychainNotice"], "no keychain in tests");
        assert_eq!(info["connections"][0]["keyLast4"], "0000");
        assert!(!info.to_string().contains("sbx_test_key"), "{info}");
    }

    #[test]
    fn create_list_and_typed_errors_over_ipc() {
        let h = harness();
        let form = json!({"name": "ERP", "url": "https://erp.example.com/h", "events": ["nfe.erro"], "isActive": true});
        let created = invoke(&h, "create_subscription", json!({ "form": form })).unwrap();
        assert!(
            created["generatedSecret"]
                .as_str()
                .unwrap()
                .starts_with("whsec_")
        );
        let rows = invoke(&h, "list_subscriptions", json!({})).unwrap();
        assert_eq!(rows[0]["name"], "ERP");
        assert_eq!(rows[0]["events"], json!(["nfe.erro"]));

        let conflict = invoke(&h, "create_subscription", json!({ "form": form })).unwrap_err();
        assert_eq!(conflict["kind"], "conflict");

        let bad = json!({"name": "", "url": "nota", "events": [], "isActive": true});
        let err = invoke(&h, "create_subscription", json!({ "form": bad })).unwrap_err();
        assert_eq!(err["kind"], "validation");
        assert_eq!(err["fields"]["url"], json!(["invalid_url"]));

        let check = invoke(&h, "validate_subscription", json!({ "form": {"name": "x", "url": "http://a.b", "events": ["nfe.erro"], "isActive": true} })).unwrap();
        assert_eq!(check["warnings"], json!(["insecureUrl"]));
    }

    #[test]
    fn the_health_check_answers_over_ipc_for_the_active_connection_without_its_key() {
        let h = harness();
        let form = json!({"name": "A", "url": "https://a.example.com/h", "events": ["nfe.erro"], "isActive": true});
        invoke(&h, "create_subscription", json!({ "form": form })).unwrap();
        let health = invoke(&h, "check_connection", json!({})).unwrap();
        assert_eq!(health["connectionId"], "sandbox");
        assert!(health.get("subscriptions").is_none(), "{health}");
        assert!(health["latencyMs"].is_u64(), "{health}");
        assert!(!health.to_string().contains("sbx_test_key"), "{health}");
    }

    #[test]
    fn copy_secret_goes_to_the_clipboard_not_the_webview() {
        let h = harness();
        let form = json!({"name": "A", "url": "https://a.example.com/h", "events": ["nfe.erro"], "isActive": true, "secret": "whsec_own_secret_123456"});
        let created = invoke(&h, "create_subscription", json!({ "form": form })).unwrap();
        assert!(created["generatedSecret"].is_null());
        let id = created["subscription"]["id"].clone();
        let answer = invoke(&h, "copy_secret", json!({ "id": id })).unwrap();
        assert!(answer.is_null());
        assert_eq!(
            h.clipboard.read().as_deref(),
            Some("whsec_own_secret_123456")
        );
    }

    #[test]
    fn the_acl_refuses_remote_origins_and_ungranted_commands() {
        let h = harness();
        let err = invoke_from(&h, "app_info", json!({}), "https://evil.example/").unwrap_err();
        assert!(err.to_string().contains("not allowed"), "{err}");
        let err = invoke(&h, "plugin:clipboard-manager|read_text", json!({})).unwrap_err();
        assert!(err.to_string().contains("not allowed"), "{err}");
    }
}
