//! Everything that ends a command early, each with its exit code.

/// Exit code of a signature, delivery or key that does not verify.
pub const EXIT_VERIFY: u8 = 1;
/// Exit code of bad usage or unreadable input.
pub const EXIT_USAGE: u8 = 2;
/// Exit code of an API, network or server failure (or a receiver that did not acknowledge).
pub const EXIT_API: u8 = 3;

/// Why a command failed. Messages never hold a secret, an API key or a whole body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// A file or standard input could not be read.
    #[error("cannot read {what}: {source}")]
    Read {
        /// What was read.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An empty secret: it would verify nothing (an unset variable, most likely).
    #[error("{0}")]
    Secret(#[from] nfehook_core::SecretError),
    /// A key file too large or with too many rows to import or check.
    #[error("{0}")]
    Source(#[from] nfehook_keys::SourceError),
    /// An argument that clap accepted but that makes no sense.
    #[error("{0}")]
    Usage(String),
    /// A key that is not valid (the first one, when several were checked).
    #[error("invalid key: {0}")]
    Chave(nfehook_core::ChaveError),
    /// Several keys checked, some invalid (each already reported).
    #[error("{invalid} of {total} keys are invalid")]
    Chaves {
        /// Invalid keys.
        invalid: usize,
        /// Keys checked.
        total: usize,
    },
    /// A signature header that does not match the body.
    #[error("signature does not verify: {0}")]
    Signature(nfehook_core::SignatureError),
    /// A delivery whose signature, body or timestamp is refused.
    #[error("delivery refused ({code}): {0}", code = .0.code())]
    Event(nfehook_core::EventError),
    /// The Subscriptions API refused or failed.
    #[error("{0}")]
    Api(#[from] nfehook_client::ApiError),
    /// The sandbox's own routes refused or failed.
    #[error("sandbox: {0}")]
    Sandbox(String),
    /// A receiver that did not answer, or answered something other than 2xx.
    #[error("{0}")]
    NotAcknowledged(String),
    /// A server (listen, sandbox) could not start or failed.
    #[error("{0}")]
    Server(String),
    /// A bulk import ended with rows refused by the service or not sent (each reported).
    #[error("import {import_id}: {failed} failed, {pending} not sent")]
    ImportIncomplete {
        /// The journal's id of the import.
        import_id: i64,
        /// Rows the service or the network refused.
        failed: usize,
        /// Rows not sent (cancelled).
        pending: usize,
    },
    /// A bulk import failed as a whole.
    #[error("import: {0}")]
    Import(#[from] nfehook_keys::KeysError),
}

impl CliError {
    /// The process exit code of this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Read { .. } | Self::Usage(_) | Self::Secret(_) | Self::Source(_) => EXIT_USAGE,
            Self::Chave(_) | Self::Chaves { .. } | Self::Signature(_) | Self::Event(_) => {
                EXIT_VERIFY
            }
            Self::Api(
                nfehook_client::ApiError::Config { .. }
                | nfehook_client::ApiError::InvalidChave(_)
                | nfehook_client::ApiError::InvalidArgument { .. },
            ) => EXIT_USAGE,
            Self::Api(_)
            | Self::Sandbox(_)
            | Self::NotAcknowledged(_)
            | Self::Server(_)
            | Self::ImportIncomplete { .. }
            | Self::Import(_) => EXIT_API,
        }
    }

    /// A stable tag for `--json` output.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Read { .. } => "read",
            Self::Usage(_) | Self::Secret(_) | Self::Source(_) => "usage",
            Self::Chave(_) | Self::Chaves { .. } => "invalidChave",
            Self::Signature(_) | Self::Event(_) => "verification",
            Self::Api(error) => error.kind(),
            Self::Sandbox(_) => "sandbox",
            Self::NotAcknowledged(_) => "notAcknowledged",
            Self::Server(_) => "server",
            Self::ImportIncomplete { .. } | Self::Import(_) => "import",
        }
    }

    /// Whether the error was already reported line by line on standard output.
    pub fn already_reported(&self) -> bool {
        matches!(
            self,
            Self::Chaves { .. } | Self::NotAcknowledged(_) | Self::ImportIncomplete { .. }
        )
    }
}

/// Result with a [`CliError`].
pub type Result<T, E = CliError> = std::result::Result<T, E>;
