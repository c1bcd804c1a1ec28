//! Errors of the keys crate.

/// What can go wrong with the import journal or an import.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeysError {
    /// The journal directory cannot be created or opened.
    #[error("cannot open the import journal in {path}: {source}")]
    JournalDir {
        /// The directory.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A database error of the journal.
    #[error("import journal error: {0}")]
    Journal(#[from] rusqlite::Error),
    /// No import with this id in the journal.
    #[error("no import {0} in the journal")]
    UnknownImport(i64),
    /// The import is being run already (by this process).
    #[error("import {0} is already running")]
    AlreadyRunning(i64),
    /// The preview has no key to import.
    #[error("nothing to import: no valid new key")]
    NothingToImport,
}

/// Result with a [`KeysError`].
pub type Result<T, E = KeysError> = std::result::Result<T, E>;
