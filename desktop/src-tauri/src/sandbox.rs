//! The embedded sandbox: `nfehook-sandbox` in-process on 127.0.0.1 (random port), its
//! database in the app's data dir, a fresh local key each launch.

use std::path::Path;

use nfehook_sandbox::{RunningSandbox, Sandbox};

use crate::apikey::ApiKey;
use crate::desktop::SandboxEndpoint;
use crate::error::{DesktopError, Result};

/// File name of the sandbox's SQLite database inside the app data dir.
pub const SANDBOX_DB: &str = "sandbox.sqlite3";

/// Starts the sandbox with its database at `data_dir/sandbox.sqlite3` (the dir is created,
/// owner-only: beside the sandbox's secrets it holds the import journal and the inspector's
/// history). Keep the returned server alive for as long as the app runs.
pub async fn start(data_dir: &Path) -> Result<(RunningSandbox, SandboxEndpoint)> {
    create_owner_only(data_dir)?;
    let running = Sandbox::builder()
        .db_path(data_dir.join(SANDBOX_DB))
        .bind("127.0.0.1:0")
        .start()
        .await
        .map_err(|e| DesktopError::Sandbox {
            reason: e.to_string(),
        })?;
    let endpoint = SandboxEndpoint {
        base_url: running.base_url(),
        api_key: ApiKey::new(running.api_key()),
    };
    Ok((running, endpoint))
}

/// Creates `dir` (and missing parents) readable by its owner only; an existing one is left as
/// it is.
#[cfg(unix)]
fn create_owner_only(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Other systems have no Unix modes; the directory keeps what the platform gives it.
#[cfg(not(unix))]
fn create_owner_only(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[tokio::test]
    async fn the_data_dir_is_created_owner_only() {
        let root = tempfile::tempdir().unwrap();
        let data_dir = root.path().join("dev.nfehook.desktop");
        let (running, endpoint) = super::start(&data_dir).await.unwrap();
        assert!(endpoint.base_url.starts_with("http://127.0.0.1:"));
        let mode = std::fs::metadata(&data_dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{mode:o}");
        running.shutdown().await.unwrap();
    }
}
