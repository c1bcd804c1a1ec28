//! Errors of the sandbox library and binary.

use std::net::SocketAddr;

/// What can go wrong while starting, running or querying a sandbox.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The listen address could not be parsed or resolved.
    #[error("invalid listen address `{addr}`: {reason}")]
    InvalidAddress {
        /// The address as given.
        addr: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The socket could not be bound (address in use, permission denied, ...).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address that was tried.
        addr: SocketAddr,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A configuration value is out of range (zero attempts, zero window, ...).
    #[error("invalid sandbox configuration: {0}")]
    InvalidConfig(String),
    /// The SQLite database could not be opened, migrated or queried.
    #[error("sandbox database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// The database file or its directory could not be created or made owner-only.
    #[error("cannot secure the sandbox database file {}: {source}", path.display())]
    DatabaseFile {
        /// The database file.
        path: std::path::PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The database was written by an incompatible (newer) sandbox.
    #[error(
        "sandbox database schema version {found} is newer than this sandbox supports ({supported})"
    )]
    SchemaVersion {
        /// Version found in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// A request to the sandbox was invalid (unknown event, invalid NF-e key, ...).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The HTTP client used for deliveries could not be built.
    #[error("cannot build the delivery HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
    /// The HTTP server stopped with an I/O error.
    #[error("sandbox server failed: {0}")]
    Server(#[source] std::io::Error),
    /// A background task panicked or was cancelled.
    #[error("sandbox background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Result with a [`SandboxError`].
pub type Result<T, E = SandboxError> = std::result::Result<T, E>;
