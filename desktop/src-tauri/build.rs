//! Build script: declares the app's own commands (so the ACL covers them) and makes sure the
//! frontend directory exists, so a fresh clone compiles before `vite build` has run.

use std::path::Path;

/// Every command of `src/commands.rs`; each gets an `allow-<name>` permission that
/// `capabilities/main.json` grants to the main window.
const COMMANDS: &[&str] = &[
    "app_info",
    "add_connection",
    "update_connection",
    "remove_connection",
    "select_connection",
    "list_subscriptions",
    "get_subscription",
    "validate_subscription",
    "create_subscription",
    "update_subscription",
    "set_subscription_active",
    "delete_subscription",
    "reveal_secret",
    "copy_secret",
    "copy_sensitive",
    "ui_ready",
    "validate_chave",
    "list_chaves",
    "add_chave",
    "remove_chaves",
    "export_chaves",
    "copy_text",
    "preview_import",
    "start_import",
    "resume_import",
    "cancel_import",
    "open_imports",
    "import_status",
    "import_results",
    "export_import_results",
    "copy_import_results",
    "dismiss_import",
    "send_test_event",
    "list_deliveries",
    "resend_delivery",
    "get_account_webhook",
    "set_account_webhook",
    "inspector_start",
    "inspector_watch",
    "inspector_stop",
    "inspector_status",
    "inspector_requests",
    "inspector_set_response",
    "inspector_use_secret",
    "inspector_verify",
    "inspector_curl",
    "inspector_clear",
    "inspector_subscribe_sandbox",
];

/// Written only when `vite build` has not produced the real frontend yet: the app then shows
/// how to build it instead of failing to compile (`tauri::generate_context!` needs the dir).
const PLACEHOLDER: &str = "<!doctype html><html lang=\"pt-BR\"><meta charset=\"utf-8\"><title>NFeHook</title>\
<body><p>Interface não compilada: rode <code>make run-desktop</code>.</p></body></html>\n";

fn main() {
    let dist = Path::new("../app/dist");
    if !dist.join("index.html").exists() {
        std::fs::create_dir_all(dist).expect("create desktop/app/dist");
        std::fs::write(dist.join("index.html"), PLACEHOLDER).expect("write placeholder index.html");
    }
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
