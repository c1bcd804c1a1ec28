//! Copying secrets: written to the clipboard, then cleared after a while unless the user has
//! copied something else since.

use std::sync::Arc;
use std::time::Duration;

use crate::error::{DesktopError, Result};

/// How long a copied secret stays on the clipboard.
pub const CLEAR_AFTER: Duration = Duration::from_secs(30);

/// Text clipboard access (the Tauri plugin in the app, a fake in tests).
pub trait Clipboard: Send + Sync + 'static {
    /// Replaces the clipboard's text.
    fn write(&self, text: &str) -> std::result::Result<(), String>;
    /// The clipboard's text, `None` when it holds none.
    fn read(&self) -> Option<String>;
}

/// Writes `text`, then after `after` empties the clipboard if it still holds `text`.
/// Must be called inside a Tokio runtime.
pub fn copy_then_clear(clipboard: Arc<dyn Clipboard>, text: String, after: Duration) -> Result<()> {
    clipboard
        .write(&text)
        .map_err(|reason| DesktopError::Clipboard { reason })?;
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        if clipboard.read().as_deref() == Some(text.as_str()) {
            // Best effort: nothing to tell the user if the clipboard went away meanwhile.
            let _ = clipboard.write("");
        }
    });
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    pub(crate) struct FakeClipboard(pub(crate) Mutex<Option<String>>);

    impl Clipboard for FakeClipboard {
        fn write(&self, text: &str) -> std::result::Result<(), String> {
            *self.0.lock().unwrap() = Some(text.to_owned());
            Ok(())
        }
        fn read(&self) -> Option<String> {
            self.0.lock().unwrap().clone()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn clears_after_30_seconds() {
        let cb = Arc::new(FakeClipboard::default());
        copy_then_clear(cb.clone(), "whsec_abc".into(), CLEAR_AFTER).unwrap();
        assert_eq!(cb.read().as_deref(), Some("whsec_abc"));
        tokio::time::sleep(Duration::from_secs(29)).await;
        assert_eq!(cb.read().as_deref(), Some("whsec_abc"));
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(cb.read().as_deref(), Some(""));
    }

    #[tokio::test(start_paused = true)]
    async fn leaves_what_the_user_copied_since() {
        let cb = Arc::new(FakeClipboard::default());
        copy_then_clear(cb.clone(), "whsec_abc".into(), CLEAR_AFTER).unwrap();
        cb.write("something else").unwrap();
        tokio::time::sleep(Duration::from_secs(31)).await;
        assert_eq!(cb.read().as_deref(), Some("something else"));
    }
}
