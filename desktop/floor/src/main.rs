//! A blank Tauri 2 window with one element: the floor of the desktop stack (WebKitGTK, Tauri's
//! runtime, the IPC) that `make figures-desktop` measures beside the app, so the app's start and
//! memory are reported as what it adds to the floor. It prints the same startup line as the app
//! (`first paint N ms after start`) when its page has painted.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
#![forbid(unsafe_code)]

use std::time::Instant;

/// When `main` began, the zero of the reported time.
struct Started(Instant);

/// Called by the page once its first frame is painted.
#[tauri::command]
fn first_paint(started: tauri::State<'_, Started>) {
    eprintln!(
        "nfehook-floor: first paint {} ms after start",
        started.0.elapsed().as_millis()
    );
}

fn main() {
    let started = Started(Instant::now());
    tauri::Builder::default()
        .manage(started)
        .invoke_handler(tauri::generate_handler![first_paint])
        // Drawn as the app is (desktop/src-tauri/src/webview.rs): no GPU compositing unless
        // NFEHOOK_GPU=1, so that what the app adds is its own.
        .setup(|app| {
            #[cfg(any(
                target_os = "linux",
                target_os = "dragonfly",
                target_os = "freebsd",
                target_os = "netbsd",
                target_os = "openbsd"
            ))]
            if std::env::var_os("NFEHOOK_GPU").is_none_or(|v| v != "1")
                && let Some(window) = tauri::Manager::get_webview_window(app, "main")
            {
                window.with_webview(|webview| {
                    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
                    if let Some(settings) = webview.inner().settings() {
                        settings
                            .set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
                    }
                })?;
            }
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the floor window could not start");
}
