//! The embedded sandbox: `nfehook-sandbox` in-process on 127.0.0.1 (random port), its
//! database in the app's data dir, a fresh local key each launch.

use std::path::Path;

use nfehook_sandbox::{RunningSandbox, Sandbox};

use crate::apikey::ApiKey;
use crate::desktop::SandboxEndpoint;
use crate::error::{DesktopError, Result};

/// File name of the sandbox's SQLite database inside the app data dir.
pub const SANDBOX_DB: &str = "sandbox.sqlite3";

/// Starts the sandbox with its database at `data_dir/sandbox.sqlite3` (the dir is created).
/// Keep the returned server alive for as long as the app runs.
pub async fn start(data_dir: &Path) -> Result<(RunningSandbox, SandboxEndpoint)> {
    std::fs::create_dir_all(data_dir)?;
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
