//! Named connections (the embedded sandbox, ValidaNFe production, custom base URLs) and the
//! settings file that remembers them. The file never holds an API key.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{DesktopError, Result};

/// Id of the built-in connection to the embedded sandbox.
pub const SANDBOX_ID: &str = "sandbox";

/// Base URL of the real service (the API paths start with `/Webhooks`).
pub const PRODUCTION_BASE_URL: &str = "https://api.validanfe.com";

/// What a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionKind {
    /// The in-process sandbox: its URL and key are known at run time, never stored.
    Sandbox,
    /// ValidaNFe production, at [`PRODUCTION_BASE_URL`], with an API key.
    Production,
    /// Any other base URL (a staging server, a sandbox run by hand).
    Custom,
}

/// One named connection as stored in the settings file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Stable id; also the keychain account of its API key.
    pub id: String,
    /// What the user called it.
    pub name: String,
    /// What it talks to.
    pub kind: ConnectionKind,
    /// Only for [`ConnectionKind::Custom`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
}

impl Connection {
    /// The built-in sandbox connection.
    pub fn sandbox() -> Self {
        Self {
            id: SANDBOX_ID.to_owned(),
            name: "Sandbox local".to_owned(),
            kind: ConnectionKind::Sandbox,
            base_url: None,
        }
    }
}

/// The settings file's content: the connections and which one is active.
///
/// ```
/// use nfehook_desktop::connection::{Settings, SANDBOX_ID};
/// let s = Settings::default();
/// assert_eq!(s.active, SANDBOX_ID);
/// assert_eq!(s.connections.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Every connection, the sandbox first.
    pub connections: Vec<Connection>,
    /// Id of the active connection.
    pub active: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            connections: vec![Connection::sandbox()],
            active: SANDBOX_ID.to_owned(),
        }
    }
}

/// Largest settings file read: a few connections take a few hundred bytes, so anything near this
/// is not a file the app wrote.
pub const MAX_SETTINGS_BYTES: u64 = 1024 * 1024;

/// What [`Settings::load`] found: the settings to use and, when the file on disk could not be
/// read as settings, where it was moved so the app starts with the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// The settings to start with.
    pub settings: Settings,
    /// The unreadable file, renamed beside the original, to show the user.
    pub set_aside: Option<PathBuf>,
}

impl Settings {
    /// Reads `path`; a missing file gives the defaults. A corrupt, truncated or oversized file
    /// does not stop the app: it is renamed to `<name>.corrupt-<unix seconds>` beside the
    /// original and the defaults are used, with the new path in [`Loaded::set_aside`]. The
    /// sandbox connection is put back if a hand-edited file lost it, and a dangling `active`
    /// falls back to the sandbox.
    ///
    /// ```
    /// use nfehook_desktop::connection::Settings;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("connections.json");
    /// std::fs::write(&path, r#"{"connections": [{"id": "#).unwrap();
    /// let loaded = Settings::load(&path).unwrap();
    /// assert_eq!(loaded.settings, Settings::default());
    /// assert!(loaded.set_aside.unwrap().exists());
    /// assert!(!path.exists());
    /// ```
    pub fn load(path: &Path) -> Result<Loaded> {
        let bytes = match read_bounded(path) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Self::set_aside(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Loaded {
                    settings: Self::default(),
                    set_aside: None,
                });
            }
            Err(e) => return Err(e.into()),
        };
        let Ok(mut settings) = serde_json::from_slice::<Settings>(&bytes) else {
            return Self::set_aside(path);
        };
        if !settings.connections.iter().any(|c| c.id == SANDBOX_ID) {
            settings.connections.insert(0, Connection::sandbox());
        }
        if settings.find(&settings.active.clone()).is_none() {
            settings.active = SANDBOX_ID.to_owned();
        }
        Ok(Loaded {
            settings,
            set_aside: None,
        })
    }

    /// Moves an unusable settings file out of the way (never deleting what the user may want
    /// back) and starts from the defaults.
    fn set_aside(path: &Path) -> Result<Loaded> {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".corrupt-{secs}"));
        let aside = path.with_file_name(name);
        std::fs::rename(path, &aside)?;
        Ok(Loaded {
            settings: Self::default(),
            set_aside: Some(aside),
        })
    }

    /// Writes the file atomically: a temp file in the same directory, flushed to disk, renamed
    /// over the old one, then the directory flushed so the rename itself survives a power cut.
    /// A crash leaves either the old file or the new one, never a truncated one.
    pub fn save(&self, path: &Path) -> Result<()> {
        use std::io::Write as _;
        let dir = path.parent().unwrap_or_else(|| Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(&serde_json::to_vec_pretty(self)?)?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    }

    /// The connection with this id.
    pub fn find(&self, id: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.id == id)
    }

    /// Mutable access to the connection with this id.
    pub fn find_mut(&mut self, id: &str) -> Result<&mut Connection> {
        self.connections
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or_else(|| DesktopError::UnknownConnection { id: id.to_owned() })
    }
}

/// The file's bytes, or `None` when it is larger than [`MAX_SETTINGS_BYTES`].
fn read_bounded(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_SETTINGS_BYTES + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= MAX_SETTINGS_BYTES).then_some(bytes))
}

/// Checks a custom base URL: absolute http(s) with a host, as `nfehook-core` defines it; the
/// trailing slash is dropped so paths join cleanly.
///
/// ```
/// use nfehook_desktop::connection::normalize_base_url;
/// assert_eq!(normalize_base_url(" https://staging.example.com/ ").unwrap(), "https://staging.example.com");
/// assert!(normalize_base_url("ftp://x").is_err());
/// ```
pub fn normalize_base_url(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    nfehook_core::validate_url(url).map_err(|problem| DesktopError::InvalidConnection {
        reason: format!("base URL: {problem}"),
    })?;
    Ok(url.to_owned())
}

/// Checks a connection name: not blank, at most 80 characters.
pub fn normalize_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(DesktopError::InvalidConnection {
            reason: "the name must have 1 to 80 characters".to_owned(),
        });
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/settings.json");
        let loaded = Settings::load(&path).unwrap();
        assert_eq!(loaded.set_aside, None);
        let mut s = loaded.settings;
        assert_eq!(s, Settings::default());
        s.connections.push(Connection {
            id: "c1".into(),
            name: "Homologação".into(),
            kind: ConnectionKind::Custom,
            base_url: Some("https://hml.example.com".into()),
        });
        s.active = "c1".into();
        s.save(&path).unwrap();
        assert_eq!(Settings::load(&path).unwrap().settings, s);
        // Saving again replaces the file and leaves no temp file beside it.
        s.save(&path).unwrap();
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["settings.json"]);
    }

    #[test]
    fn repairs_hand_edited_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, r#"{"connections": [], "active": "gone"}"#).unwrap();
        let loaded = Settings::load(&path).unwrap();
        assert_eq!(loaded.set_aside, None);
        assert_eq!(loaded.settings.active, SANDBOX_ID);
        assert_eq!(loaded.settings.connections[0].kind, ConnectionKind::Sandbox);
    }

    #[test]
    fn corrupt_truncated_or_huge_files_are_set_aside_with_their_bytes_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("connections.json");
        let good = {
            let mut s = Settings::default();
            s.connections.push(Connection {
                id: "c1".into(),
                name: "Prod".into(),
                kind: ConnectionKind::Production,
                base_url: None,
            });
            serde_json::to_vec_pretty(&s).unwrap()
        };
        let huge = vec![b' '; usize::try_from(MAX_SETTINGS_BYTES).unwrap() + 1];
        for bad in [
            b"not json".to_vec(),
            good[..good.len() / 2].to_vec(),
            vec![0xff, 0xfe, 0x00],
            Vec::new(),
            huge,
        ] {
            std::fs::write(&path, &bad).unwrap();
            let loaded = Settings::load(&path).unwrap();
            assert_eq!(loaded.settings, Settings::default());
            let aside = loaded.set_aside.expect("the bad file is set aside");
            assert_eq!(aside.parent(), path.parent());
            assert!(
                aside
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("connections.json.corrupt-")
            );
            assert_eq!(std::fs::read(&aside).unwrap(), bad);
            assert!(!path.exists(), "the bad file is moved, not copied");
            std::fs::remove_file(aside).unwrap();
        }
    }

    #[test]
    fn validates_names_and_urls() {
        assert!(normalize_name("  ").is_err());
        assert_eq!(normalize_name(" Prod ").unwrap(), "Prod");
        assert!(normalize_base_url("not a url").is_err());
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
    }
}
