#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod candidates;
mod decoded;
mod delimited;
mod error;
mod import;
mod journal;
mod preview;
mod report;
mod source;
mod text;
mod xml;

pub use api::KeyApi;
pub use decoded::{ChaveInfo, ChaveProblem, Validation, validate};
pub use error::{KeysError, Result};
pub use import::{ImportEvent, ImportOptions, Importer};
pub use journal::{
    ImportRecord, ImportState, ImportTarget, JOURNAL_FILE, Journal, ResultCounts, ResultRow,
    RowState,
};
pub use preview::{Preview, PreviewCounts, PreviewRow, RowStatus};
pub use report::{RESULTS_HEADER, results_csv};
pub use source::{Attempts, Candidate, ImportSource, Origin, SkipReason, Skipped, SourceContent};
pub use text::decode_text;
/// Cancels a running import ([`Importer::run`]).
pub use tokio_util::sync::CancellationToken;
