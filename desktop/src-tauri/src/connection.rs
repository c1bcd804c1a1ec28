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

impl Settings {
    /// Reads `path`; a missing file gives the defaults. The sandbox connection is put back if
    /// a hand-edited file lost it, and a dangling `active` falls back to the sandbox.
    pub fn load(path: &Path) -> Result<Self> {
        let mut settings: Settings = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(e.into()),
        };
        if !settings.connections.iter().any(|c| c.id == SANDBOX_ID) {
            settings.connections.insert(0, Connection::sandbox());
        }
        if settings.find(&settings.active.clone()).is_none() {
            settings.active = SANDBOX_ID.to_owned();
        }
        Ok(settings)
    }

    /// Writes the file atomically (temp file then rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp: PathBuf = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self)?)?;
        std::fs::rename(&tmp, path)?;
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
        let mut s = Settings::load(&path).unwrap();
        assert_eq!(s, Settings::default());
        s.connections.push(Connection {
            id: "c1".into(),
            name: "Homologação".into(),
            kind: ConnectionKind::Custom,
            base_url: Some("https://hml.example.com".into()),
        });
        s.active = "c1".into();
        s.save(&path).unwrap();
        assert_eq!(Settings::load(&path).unwrap(), s);
    }

    #[test]
    fn repairs_hand_edited_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, r#"{"connections": [], "active": "gone"}"#).unwrap();
        let s = Settings::load(&path).unwrap();
        assert_eq!(s.active, SANDBOX_ID);
        assert_eq!(s.connections[0].kind, ConnectionKind::Sandbox);
        std::fs::write(&path, "not json").unwrap();
        assert!(matches!(
            Settings::load(&path),
            Err(DesktopError::CorruptSettings(_))
        ));
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
