//! Errors of the inspector.

/// What can go wrong starting or configuring an inspector.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InspectorError {
    /// The bind address is not `host:port`.
    #[error("invalid listen address {addr:?}: expected 127.0.0.1:<port>")]
    InvalidAddress {
        /// What was given.
        addr: String,
    },
    /// Only loopback addresses are allowed: the inspector is a local tool.
    #[error("the inspector only listens on loopback addresses, not {addr}")]
    NotLoopback {
        /// What was given.
        addr: String,
    },
    /// The port could not be taken.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The history file or its directory cannot be read or written.
    #[error("inspector history at {path}: {source}")]
    History {
        /// The path.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A response status outside 200–599.
    #[error("response status {0} is not between 200 and 599")]
    InvalidStatus(u16),
    /// A response delay longer than allowed.
    #[error("response delay of {0} ms is longer than the maximum of {max} ms", max = crate::config::MAX_DELAY_MS)]
    DelayTooLong(u64),
    /// The server task failed.
    #[error("inspector server error: {0}")]
    Server(String),
}

/// Result with an [`InspectorError`].
pub type Result<T, E = InspectorError> = std::result::Result<T, E>;
