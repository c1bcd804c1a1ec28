//! WebKitGTK settings of the app's window.
//!
//! The page is drawn without WebKit's GPU compositing: the app is lists and forms, and the
//! compositor's layers and tiles cost the web process about 95 MiB of a 208 MiB window (idle
//! PSS under Xvfb, measured side by side with and without it), and are the part of WebKitGTK
//! most often seen to paint a blank window on a Linux GPU driver. `NFEHOOK_GPU=1` keeps
//! WebKit's own choice.

/// The environment variable that keeps WebKit's hardware acceleration.
pub(crate) const GPU_ENV: &str = "NFEHOOK_GPU";

/// Sets the window's rendering as described in the module, before its page loads.
///
/// # Errors
/// The webview could not be reached (the window is gone).
pub(crate) fn configure<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    if std::env::var_os(GPU_ENV).is_some_and(|v| v == "1") {
        return Ok(());
    }
    #[cfg(any(
        target_os = "linux",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd"
    ))]
    window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        if let Some(settings) = webview.inner().settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    })?;
    Ok(())
}
