//! The one error type of the desktop shell, serialized for the UI as `{"kind": ..., "message": ...}`.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// Result of every fallible operation of this crate.
pub type Result<T, E = DesktopError> = std::result::Result<T, E>;

/// What went wrong, by kind, so the UI can choose the message and the action to offer.
///
/// Never carries an API key or a subscription secret: messages are the server's `message`
/// text or fixed descriptions.
///
/// ```
/// use nfehook_desktop::DesktopError;
/// let err = DesktopError::RateLimited { retry_after: Some(30), message: None };
/// let json = serde_json::to_value(&err).unwrap();
/// assert_eq!(json["kind"], "rateLimited");
/// assert_eq!(json["retryAfter"], 30);
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DesktopError {
    /// 401: the API key is missing or was refused.
    #[error("the API key is missing or was refused{}", suffix(.message))]
    Unauthorized {
        /// The server's message, when it sent one.
        message: Option<String>,
    },
    /// 409: the URL (or NF-e key) is already registered.
    #[error("conflict{}", suffix(.message))]
    Conflict {
        /// The server's message, when it sent one.
        message: Option<String>,
    },
    /// 429: too many requests; `retry_after` seconds from the `Retry-After` header.
    #[error("too many requests{}", suffix(.message))]
    RateLimited {
        /// Seconds to wait, when the server said.
        retry_after: Option<u64>,
        /// The server's message, when it sent one.
        message: Option<String>,
    },
    /// The service could not be reached (connection refused, DNS, timeout).
    #[error("the service could not be reached: {reason}")]
    Offline {
        /// What the transport reported, without URLs' credentials.
        reason: String,
    },
    /// 400 or local validation: field problems keyed by field name (camelCase).
    #[error("invalid data{}", suffix(.message))]
    Validation {
        /// The server's overall message, when any.
        message: Option<String>,
        /// Problems per field: codes from `nfehook-core` locally, the server's text otherwise.
        fields: BTreeMap<String, Vec<String>>,
    },
    /// 404: the subscription does not exist (any more).
    #[error("not found{}", suffix(.message))]
    NotFound {
        /// The server's message, when it sent one.
        message: Option<String>,
    },
    /// Any other answer the client could not use.
    #[error("unexpected answer from the service (HTTP {status}){}", suffix(.message))]
    Server {
        /// HTTP status, or 0 when the body was unusable.
        status: u16,
        /// The server's message, when it sent one.
        message: Option<String>,
    },
    /// No connection has this id.
    #[error("unknown connection {id}")]
    UnknownConnection {
        /// The id asked for.
        id: String,
    },
    /// A connection's settings are not usable (bad base URL, empty name, sandbox edited).
    #[error("invalid connection settings: {reason}")]
    InvalidConnection {
        /// What to fix.
        reason: String,
    },
    /// The connection needs an API key and none is set.
    #[error("no API key is set for this connection")]
    MissingApiKey,
    /// The OS keychain failed in a way that is not "no keychain here".
    #[error("keychain: {reason}")]
    Keychain {
        /// The keychain's own description.
        reason: String,
    },
    /// Reading or writing the app's settings file failed.
    #[error("settings file: {0}")]
    Storage(#[from] std::io::Error),
    /// The settings could not be turned into JSON to be saved.
    #[error("the settings could not be written: {0}")]
    Settings(#[from] serde_json::Error),
    /// The embedded sandbox could not start.
    #[error("the embedded sandbox could not start: {reason}")]
    Sandbox {
        /// Why.
        reason: String,
    },
    /// The embedded sandbox is not running (or not yet).
    #[error("the embedded sandbox is not running")]
    SandboxUnavailable,
    /// Writing to the clipboard failed.
    #[error("clipboard: {reason}")]
    Clipboard {
        /// Why.
        reason: String,
    },
}

fn suffix(message: &Option<String>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!(": {m}"),
        _ => String::new(),
    }
}

impl DesktopError {
    /// Stable camelCase name of the kind, the `kind` field the UI branches on.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Unauthorized { .. } | Self::MissingApiKey => "unauthorized",
            Self::Conflict { .. } => "conflict",
            Self::RateLimited { .. } => "rateLimited",
            Self::Offline { .. } => "offline",
            Self::Validation { .. } => "validation",
            Self::NotFound { .. } => "notFound",
            Self::Server { .. } => "server",
            Self::UnknownConnection { .. } | Self::InvalidConnection { .. } => "connection",
            Self::Keychain { .. } => "keychain",
            Self::Storage(_) | Self::Settings(_) => "storage",
            Self::Sandbox { .. } | Self::SandboxUnavailable => "sandbox",
            Self::Clipboard { .. } => "clipboard",
        }
    }
}

impl Serialize for DesktopError {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kind", self.kind())?;
        map.serialize_entry("message", &self.to_string())?;
        match self {
            Self::RateLimited { retry_after, .. } => {
                map.serialize_entry("retryAfter", retry_after)?;
            }
            Self::Validation { fields, .. } => map.serialize_entry("fields", fields)?,
            Self::Server { status, .. } => map.serialize_entry("status", status)?,
            Self::MissingApiKey => map.serialize_entry("missingKey", &true)?,
            _ => {}
        }
        if let Some(server) = self.server_message() {
            map.serialize_entry("serverMessage", server)?;
        }
        map.end()
    }
}

impl DesktopError {
    fn server_message(&self) -> Option<&str> {
        match self {
            Self::Unauthorized { message }
            | Self::Conflict { message }
            | Self::RateLimited { message, .. }
            | Self::Validation { message, .. }
            | Self::NotFound { message }
            | Self::Server { message, .. } => message.as_deref().filter(|m| !m.is_empty()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_kind_and_extras() {
        let mut fields = BTreeMap::new();
        fields.insert("url".to_owned(), vec!["invalid_url".to_owned()]);
        let v = serde_json::to_value(DesktopError::Validation {
            message: Some("bad".into()),
            fields,
        })
        .unwrap();
        assert_eq!(v["kind"], "validation");
        assert_eq!(v["fields"]["url"][0], "invalid_url");
        assert_eq!(v["serverMessage"], "bad");

        let v = serde_json::to_value(DesktopError::MissingApiKey).unwrap();
        assert_eq!(v["kind"], "unauthorized");
        assert_eq!(v["missingKey"], true);

        let v = serde_json::to_value(DesktopError::Server {
            status: 502,
            message: None,
        })
        .unwrap();
        assert_eq!(v["status"], 502);
        assert!(v.get("serverMessage").is_none());
    }
}
