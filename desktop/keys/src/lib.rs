#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "import")]
mod api;
mod candidates;
mod decoded;
mod delimited;
mod error;
#[cfg(feature = "import")]
mod import;
#[cfg(feature = "import")]
mod journal;
mod preview;
mod preview_store;
#[cfg(feature = "import")]
mod report;
mod source;
mod text;
mod xml;

pub use decoded::{ChaveInfo, Validation, validate};
pub use error::SourceError;
pub use preview::{MAX_PAGE_ROWS, Preview, PreviewCounts, PreviewPage, PreviewRow, RowStatus};
pub use preview_store::{DEFAULT_PREVIEW_TTL, DEFAULT_PREVIEWS_KEPT, PreviewStore};
pub use source::{
    Attempts, Candidate, ImportSource, MAX_COLUMNS, MAX_ROWS, MAX_SCAN_ROWS, MAX_SKIPPED,
    MAX_SOURCE_BYTES, Origin, SkipReason, Skipped, SourceContent,
};
pub use text::decode_text;

#[cfg(feature = "import")]
pub use api::KeyApi;
#[cfg(feature = "import")]
pub use error::{KeysError, Result};
#[cfg(feature = "import")]
pub use import::{ImportEvent, ImportOptions, Importer};
#[cfg(feature = "import")]
pub use journal::{
    ImportRecord, ImportState, ImportTarget, JOURNAL_FILE, Journal, ResultCounts, ResultRow,
    RowState,
};
#[cfg(feature = "import")]
pub use report::{RESULTS_HEADER, results_csv};
/// Cancels a running import ([`Importer::run`]).
#[cfg(feature = "import")]
pub use tokio_util::sync::CancellationToken;
