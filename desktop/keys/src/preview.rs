//! The preview of a bulk import: every attempt classified before anything is sent.

use std::collections::{HashMap, HashSet};

use nfehook_core::ChaveAcesso;
use serde::Serialize;

use crate::decoded::ChaveInfo;
use crate::error::SourceError;
use crate::source::{Attempts, ImportSource, MAX_ROWS, MAX_SKIPPED, Origin, Skipped};

/// One row of the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRow {
    /// 1-based row number, stable through the import and its results.
    pub row: usize,
    /// Where the attempt was found.
    pub origin: Origin,
    /// The text as written.
    pub input: String,
    /// What it is.
    pub status: RowStatus,
}

/// The class of a preview row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RowStatus {
    /// A valid key, new to the subscription: it will be imported.
    Valid {
        /// Its fields.
        info: ChaveInfo,
    },
    /// Not a valid key.
    Invalid {
        /// Why.
        problem: nfehook_core::ChaveError,
    },
    /// The same key as an earlier row of this input.
    #[serde(rename_all = "camelCase")]
    Duplicate {
        /// The normalised key.
        chave: String,
        /// The row it first appeared on.
        first_row: usize,
    },
    /// Already on the subscription.
    Existing {
        /// The normalised key.
        chave: String,
    },
}

impl RowStatus {
    /// A stable tag: `valid`, `invalid`, `duplicate`, `existing`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Valid { .. } => "valid",
            Self::Invalid { .. } => "invalid",
            Self::Duplicate { .. } => "duplicate",
            Self::Existing { .. } => "existing",
        }
    }
}

/// Row counts by class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewCounts {
    /// Rows to import.
    pub valid: usize,
    /// Invalid rows.
    pub invalid: usize,
    /// Repeats within the input.
    pub duplicate: usize,
    /// Already on the subscription.
    pub existing: usize,
    /// Lines that held no key.
    pub skipped: usize,
}

/// Most rows one [`PreviewPage`] holds, whatever is asked.
pub const MAX_PAGE_ROWS: usize = 500;

/// One page of a preview's rows, as a UI shows them: what crosses to the webview is bounded
/// by [`MAX_PAGE_ROWS`], not by the size of the import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewPage {
    /// Index of the first row of this page (0-based).
    pub offset: usize,
    /// Rows in the whole preview.
    pub total: usize,
    /// The rows of this page.
    pub rows: Vec<PreviewRow>,
    /// Counts of the whole preview.
    pub counts: PreviewCounts,
    /// The skipped lines listed (at most [`MAX_SKIPPED`]), on the page at offset 0 only.
    pub skipped: Vec<Skipped>,
}

/// Every attempt of the sources, classified.
///
/// ```
/// use nfehook_keys::{ImportSource, Preview};
/// let text = "52060433009911002506550120000007800267301615\n\
///             35170608530528000184550000000154301000771561\n\
///             5206.0433.0099.1100.2506.5501.2000.0007.8002.6730.1615\n\
///             chave\n";
/// let preview = Preview::build(&[ImportSource::text("colado", text)], &[]).unwrap();
/// let kinds: Vec<_> = preview.rows.iter().map(|r| r.status.kind()).collect();
/// assert_eq!(kinds, ["valid", "invalid", "duplicate"]);
/// // As the UI receives it.
/// let json = serde_json::to_value(&preview.rows[2].status).unwrap();
/// assert_eq!(json["kind"], "duplicate");
/// assert_eq!(json["firstRow"], 1);
/// assert_eq!(preview.counts.skipped, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// Rows in input order.
    pub rows: Vec<PreviewRow>,
    /// Lines without a key, and unreadable parts of files: the first
    /// [`MAX_SKIPPED`](crate::MAX_SKIPPED) of them ([`PreviewCounts::skipped`] counts all).
    pub skipped: Vec<Skipped>,
    /// Counts by class.
    pub counts: PreviewCounts,
}

impl Preview {
    /// Reads `sources` and classifies each attempt against `existing`, the keys already on
    /// the subscription (any formatting).
    ///
    /// # Errors
    /// A [`SourceError`] for a source past the size bound, or sources holding more than
    /// [`MAX_ROWS`] attempts together.
    pub fn build(sources: &[ImportSource], existing: &[String]) -> Result<Self, SourceError> {
        let mut all = Attempts::default();
        for source in sources {
            let attempts = source.attempts()?;
            if all.candidates.len() + attempts.candidates.len() > MAX_ROWS {
                return Err(source.too_many_rows());
            }
            all.candidates.extend(attempts.candidates);
            let room = MAX_SKIPPED - all.skipped.len();
            all.skipped.extend(attempts.skipped.into_iter().take(room));
            all.skipped_lines += attempts.skipped_lines;
        }
        Ok(Self::classify(all, existing))
    }

    /// The rows from `offset`, at most `limit` of them (and never more than
    /// [`MAX_PAGE_ROWS`]); past the end, an empty page.
    ///
    /// ```
    /// use nfehook_keys::{ImportSource, Preview, MAX_PAGE_ROWS};
    /// let text = "123\n".repeat(1200);
    /// let preview = Preview::build(&[ImportSource::text("colado", text)], &[]).unwrap();
    /// let page = preview.page(1000, 10_000);
    /// assert_eq!((page.offset, page.total, page.rows.len()), (1000, 1200, 200));
    /// assert_eq!(page.rows[0].row, 1001);
    /// assert_eq!(preview.page(0, 10_000).rows.len(), MAX_PAGE_ROWS);
    /// assert!(preview.page(5000, 10).rows.is_empty());
    /// ```
    #[must_use]
    pub fn page(&self, offset: usize, limit: usize) -> PreviewPage {
        let start = offset.min(self.rows.len());
        let end = start
            .saturating_add(limit.min(MAX_PAGE_ROWS))
            .min(self.rows.len());
        PreviewPage {
            offset,
            total: self.rows.len(),
            rows: self.rows[start..end].to_vec(),
            counts: self.counts,
            skipped: if offset == 0 {
                self.skipped.clone()
            } else {
                Vec::new()
            },
        }
    }

    /// Classifies attempts already found.
    #[must_use]
    pub fn classify(attempts: Attempts, existing: &[String]) -> Self {
        let existing: HashSet<ChaveAcesso> = existing
            .iter()
            .filter_map(|key| ChaveAcesso::parse(key).ok())
            .collect();
        let mut first_seen: HashMap<ChaveAcesso, usize> = HashMap::new();
        let mut counts = PreviewCounts {
            skipped: attempts.skipped_lines,
            ..PreviewCounts::default()
        };
        let rows = attempts
            .candidates
            .into_iter()
            .enumerate()
            .map(|(index, candidate)| {
                let row = index + 1;
                let status = match ChaveAcesso::parse(&candidate.input) {
                    Err(error) => {
                        counts.invalid += 1;
                        RowStatus::Invalid { problem: error }
                    }
                    Ok(chave) => {
                        if let Some(&first_row) = first_seen.get(&chave) {
                            counts.duplicate += 1;
                            RowStatus::Duplicate {
                                chave: chave.as_str().to_owned(),
                                first_row,
                            }
                        } else {
                            first_seen.insert(chave, row);
                            if existing.contains(&chave) {
                                counts.existing += 1;
                                RowStatus::Existing {
                                    chave: chave.as_str().to_owned(),
                                }
                            } else {
                                counts.valid += 1;
                                RowStatus::Valid { info: chave.into() }
                            }
                        }
                    }
                };
                PreviewRow {
                    row,
                    origin: candidate.origin,
                    input: candidate.input,
                    status,
                }
            })
            .collect();
        Self {
            rows,
            skipped: attempts.skipped,
            counts,
        }
    }
}
