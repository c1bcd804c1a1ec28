//! Errors of the keys crate.

/// Why a source is refused before it is read: bounds that keep a preview fast and small
/// whatever is pasted or opened.
///
/// ```
/// use nfehook_keys::{ImportSource, SourceError, MAX_SOURCE_BYTES};
/// let huge = ImportSource::file("big.csv", vec![b'1'; MAX_SOURCE_BYTES + 1]);
/// let err = huge.attempts().unwrap_err();
/// assert!(matches!(err, SourceError::TooLarge { .. }));
/// assert_eq!(err.code(), "too_large");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The text or file is larger than [`MAX_SOURCE_BYTES`](crate::MAX_SOURCE_BYTES).
    #[error("{name} has {size} bytes; at most {max} are read")]
    TooLarge {
        /// The source's name.
        name: String,
        /// Its size in bytes.
        size: usize,
        /// The largest size read.
        max: usize,
    },
    /// The sources hold more key attempts than [`MAX_ROWS`](crate::MAX_ROWS).
    #[error("more than {max} keys in {name}; split the import")]
    TooManyRows {
        /// The source where the limit was passed.
        name: String,
        /// The most rows a preview holds.
        max: usize,
    },
}

impl SourceError {
    /// A stable tag for the UI: `too_large`, `too_many_rows`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too_large",
            Self::TooManyRows { .. } => "too_many_rows",
        }
    }
}

/// What can go wrong with the import journal or an import.
#[cfg(feature = "import")]
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
#[cfg(feature = "import")]
pub type Result<T, E = KeysError> = std::result::Result<T, E>;
