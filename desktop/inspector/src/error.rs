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

/// Why a request was refused before it was read or recorded: it may come from a page in the
/// user's browser, which can reach loopback addresses too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refusal {
    /// No `Host` header (nor an authority in the request line).
    #[error("the request names no host; send it to {expected}")]
    MissingHost {
        /// The inspector's own address.
        expected: String,
    },
    /// A `Host` other than the inspector's own address: a DNS name rebound to 127.0.0.1.
    #[error("host {found:?} is not the inspector's address; send it to {expected}")]
    ForeignHost {
        /// What the request named.
        found: String,
        /// The inspector's own address.
        expected: String,
    },
    /// A header only browsers send (`Origin`, `Sec-Fetch-Site`): a page posting cross-site.
    #[error("requests made by a web browser (header {header}) are not accepted")]
    FromBrowser {
        /// The header found.
        header: &'static str,
    },
}

impl Refusal {
    /// A stable code for the JSON answer.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::MissingHost { .. } => "missing_host",
            Self::ForeignHost { .. } => "foreign_host",
            Self::FromBrowser { .. } => "browser_request",
        }
    }
}
