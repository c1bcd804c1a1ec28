//! NFeHook desktop: a Tauri v2 shell over `nfehook-client` and `nfehook-sandbox`.
//!
//! The logic lives in [`Desktop`] (connections, keys, subscription operations) and is tested
//! without a window; [`commands`] are one-line Tauri wrappers around it, and [`run`] wires
//! them to a window, the OS keychain, the clipboard and the embedded sandbox.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
mod apikey;
pub mod bulk_import;
pub mod chaves;
pub mod client;
pub mod clipboard;
/// The name of every app command, once: `build.rs` declares them to the ACL, writes the
/// capability granting them (`capabilities/main.json`) and their TypeScript union
/// (`desktop/app/src/lib/commands.ts`) from [`COMMANDS`](command_names::COMMANDS); its tests
/// fail when the handler list below or the UI's `call('…')`s drift from it.
pub mod command_names;
pub mod commands;
pub mod connection;
pub mod desktop;
pub mod display;
mod error;
pub mod inspector;
pub mod keystore;
pub mod sandbox;
pub mod startup;
pub mod test_event;
pub mod tool_commands;
pub mod tools;
pub mod view;
mod webview;

#[cfg(test)]
mod testing;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tauri::Manager;
use tauri::webview::PageLoadEvent;
use tauri_plugin_clipboard_manager::ClipboardExt;

pub use apikey::ApiKey;
pub use desktop::{Desktop, SandboxEndpoint};
pub use error::{DesktopError, Result};
pub use keystore::{KeyStorage, KeyStore};

/// Registers every command of [`commands`] on `builder`, for any runtime (the real one, or
/// the mock runtime in tests).
pub fn with_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::app_info,
        commands::add_connection,
        commands::update_connection,
        commands::remove_connection,
        commands::select_connection,
        commands::check_connection,
        commands::list_subscriptions,
        commands::get_subscription,
        commands::validate_subscription,
        commands::create_subscription,
        commands::update_subscription,
        commands::set_subscription_active,
        commands::delete_subscription,
        commands::reveal_secret,
        commands::copy_secret,
        commands::copy_sensitive,
        commands::ui_ready,
        tool_commands::validate_chave,
        tool_commands::list_chaves,
        tool_commands::add_chave,
        tool_commands::remove_chaves,
        tool_commands::export_chaves,
        tool_commands::copy_text,
        tool_commands::preview_import,
        tool_commands::preview_page,
        tool_commands::start_import,
        tool_commands::resume_import,
        tool_commands::cancel_import,
        tool_commands::open_imports,
        tool_commands::import_status,
        tool_commands::import_results,
        tool_commands::export_import_results,
        tool_commands::copy_import_results,
        tool_commands::dismiss_import,
        tool_commands::send_test_event,
        tool_commands::list_deliveries,
        tool_commands::resend_delivery,
        tool_commands::get_account_webhook,
        tool_commands::set_account_webhook,
        tool_commands::inspector_start,
        tool_commands::inspector_watch,
        tool_commands::inspector_stop,
        tool_commands::inspector_status,
        tool_commands::inspector_requests,
        tool_commands::inspector_set_response,
        tool_commands::inspector_use_secret,
        tool_commands::inspector_verify,
        tool_commands::inspector_curl,
        tool_commands::inspector_clear,
        tool_commands::inspector_subscribe_sandbox,
        tool_commands::test_event_draft,
        tool_commands::inspector_replay,
        tool_commands::inspector_export,
        tool_commands::check_keys,
        tool_commands::check_keys_page,
        tool_commands::tool_limits,
    ])
}

/// The system clipboard through the Tauri plugin.
struct SystemClipboard<R: tauri::Runtime>(tauri::AppHandle<R>);

impl<R: tauri::Runtime> clipboard::Clipboard for SystemClipboard<R> {
    fn write(&self, text: &str) -> std::result::Result<(), String> {
        self.0
            .clipboard()
            .write_text(text)
            .map_err(|e| e.to_string())
    }

    fn read(&self) -> Option<String> {
        self.0.clipboard().read_text().ok()
    }
}

/// Keeps the embedded sandbox's server alive for the app's lifetime (dropping it stops it).
#[derive(Default)]
struct SandboxServer {
    running: Mutex<Option<nfehook_sandbox::RunningSandbox>>,
}

/// Starts the embedded sandbox in the background (its database is opened off the path to the
/// first paint); requests on its connection wait for it (see [`desktop::SANDBOX_WAIT`]).
fn start_sandbox<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    desktop: Arc<Desktop>,
    data_dir: PathBuf,
    trace: startup::StartupTrace,
) {
    tauri::async_runtime::spawn(async move {
        match sandbox::start(&data_dir).await {
            Ok((running, endpoint)) => {
                // Kept before it is announced, so no request finds it stopped.
                *app.state::<SandboxServer>()
                    .running
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(running);
                desktop.set_sandbox(Ok(endpoint));
            }
            Err(err) => desktop.set_sandbox(Err(err.to_string())),
        }
        trace.mark("sandbox started");
    });
}

/// Starts the app: the window first; the keychain probe and the embedded sandbox start beside
/// it, and the databases open when first used. With no display it says so in one line and
/// exits with [`display::NO_DISPLAY_EXIT`].
pub fn run() {
    let trace = startup::StartupTrace::from_env();
    if let Err(no_display) = display::check() {
        eprintln!("{}", no_display.line(&display::message_locale()));
        std::process::exit(display::NO_DISPLAY_EXIT);
    }
    trace.mark("display opened");
    let page_trace = trace.clone();
    let setup_trace = trace.clone();
    let app = with_commands(tauri::Builder::default())
        .plugin(tauri_plugin_clipboard_manager::init())
        .on_page_load(move |_, payload| match payload.event() {
            PageLoadEvent::Started => page_trace.mark("page load started"),
            PageLoadEvent::Finished => page_trace.mark("page loaded"),
        })
        .setup(move |app| {
            let trace = setup_trace;
            trace.mark("setup");
            if let Some(window) = app.get_webview_window("main") {
                webview::configure(&window)?;
            }
            let data_dir = app.path().app_data_dir()?;
            let config_dir = app.path().app_config_dir()?;
            let keys = KeyStore::detect_in_background(Box::new(keystore::OsKeychain::new(
                keystore::KEYCHAIN_SERVICE,
            )));
            let desktop = Arc::new(Desktop::new(
                config_dir.join("connections.json"),
                keys,
                Arc::new(client::ClientFactory),
            )?);
            trace.mark("settings loaded");
            app.manage(SandboxServer::default());
            start_sandbox(
                app.handle().clone(),
                Arc::clone(&desktop),
                data_dir.clone(),
                trace.clone(),
            );
            // The tools' files: the import journal and inspector history beside the sandbox's
            // data; exported CSV/TXT files to NFEHOOK_EXPORT_DIR, else Downloads.
            let export_dir = std::env::var_os("NFEHOOK_EXPORT_DIR")
                .map(std::path::PathBuf::from)
                .or_else(|| app.path().download_dir().ok())
                .unwrap_or_else(|| data_dir.join("exports"));
            let tools = tools::Tools::new(Arc::clone(&desktop), &data_dir, export_dir);
            app.manage::<tool_commands::ToolsState>(Arc::new(tools));
            app.manage(commands::AppState {
                desktop,
                clipboard: Arc::new(SystemClipboard(app.handle().clone())),
                trace: trace.clone(),
            });
            trace.mark("setup done");
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("error while building the NFeHook desktop app");
    trace.mark("app built");
    app.run(|_, _| {});
}
