//! Import sources (pasted text, opened files) and the key attempts found in them.

use serde::Serialize;

use crate::candidates::attempts;
use crate::delimited::{Cell, records, sniff};
use crate::error::SourceError;
use crate::text::decode_text;
use crate::xml;

/// Longest excerpt of a skipped line kept for display.
const EXCERPT_CHARS: usize = 80;

/// Largest text or file read, in bytes (an NF-e XML is a few tens of kB; a list of a hundred
/// thousand keys is under 5 MiB).
pub const MAX_SOURCE_BYTES: usize = 20 * 1024 * 1024;
/// Most key attempts (preview rows) the sources of one preview may hold.
pub const MAX_ROWS: usize = 100_000;
/// Columns of a delimited file searched for keys; cells further right are not read.
pub const MAX_COLUMNS: usize = 256;
/// Records looked at to tell which columns hold keys, as a spreadsheet's first screens would.
pub const MAX_SCAN_ROWS: usize = 10_000;
/// Skipped lines listed (all are counted): a file of prose must not become a list as long.
pub const MAX_SKIPPED: usize = 1_000;

/// Something to import keys from.
///
/// ```
/// use nfehook_keys::ImportSource;
/// let pasted = ImportSource::text("colado", "5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615");
/// let file = ImportSource::file("notas.csv", b"chave;valor\n52060433009911002506550120000007800267301615;10,00\n".to_vec());
/// assert_eq!(pasted.attempts().unwrap().candidates.len(), 1);
/// assert_eq!(file.attempts().unwrap().candidates[0].origin.line, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSource {
    /// Label shown in the preview: a file name, or a word for pasted text.
    pub name: String,
    /// Content.
    pub content: SourceContent,
}

/// The content of an [`ImportSource`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceContent {
    /// Text typed or pasted.
    Text(String),
    /// Bytes of an opened file (`.txt`, `.csv`, `.xml`, any encoding).
    File(Vec<u8>),
}

/// Where an attempt (or a skipped line) came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Origin {
    /// The source's name.
    pub source: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (cell) of a delimited file; `None` for plain lists and XML.
    pub column: Option<usize>,
}

/// A piece of a source meant as a key (valid or not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Where it is.
    pub origin: Origin,
    /// The text as written (trimmed, whitespace collapsed).
    pub input: String,
}

/// A line with content but no key attempt, or a source that could not be read to its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    /// Where.
    pub origin: Origin,
    /// Why: `noKey` (a header, a comment, prose) or `xmlError`.
    pub reason: SkipReason,
    /// The beginning of the line, or the parser's message.
    pub excerpt: String,
}

/// Why a line gave no key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SkipReason {
    /// Nothing in it looks like a key.
    NoKey,
    /// The XML is malformed here; keys before this point were read.
    XmlError,
    /// An XML document with no `chNFe` nor `infNFe/@Id`.
    XmlWithoutKeys,
}

/// Attempts and skipped lines of one or more sources.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Attempts {
    /// Key attempts in source order.
    pub candidates: Vec<Candidate>,
    /// Lines that gave nothing, the first [`MAX_SKIPPED`] of them.
    pub skipped: Vec<Skipped>,
    /// How many lines gave nothing, listed or not.
    pub skipped_lines: usize,
}

impl ImportSource {
    /// Pasted or typed text.
    pub fn text(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            content: SourceContent::Text(text.into()),
        }
    }

    /// The bytes of an opened file.
    pub fn file(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self {
            name: name.into(),
            content: SourceContent::File(bytes),
        }
    }

    /// Finds the key attempts: XML when the name ends in `.xml` or the content starts with
    /// `<`, else delimited text with its delimiter and quote guessed.
    ///
    /// # Errors
    /// [`SourceError::TooLarge`] past [`MAX_SOURCE_BYTES`], before anything is read;
    /// [`SourceError::TooManyRows`] past [`MAX_ROWS`] attempts.
    pub fn attempts(&self) -> Result<Attempts, SourceError> {
        let size = match &self.content {
            SourceContent::Text(text) => text.len(),
            SourceContent::File(bytes) => bytes.len(),
        };
        if size > MAX_SOURCE_BYTES {
            return Err(SourceError::TooLarge {
                name: self.name.clone(),
                size,
                max: MAX_SOURCE_BYTES,
            });
        }
        let decoded;
        let text = match &self.content {
            SourceContent::Text(text) => text.as_str(),
            SourceContent::File(bytes) => {
                decoded = decode_text(bytes);
                decoded.as_str()
            }
        };
        let is_xml = self.name.to_ascii_lowercase().ends_with(".xml") || xml::looks_like_xml(text);
        let found = if is_xml {
            self.xml_attempts(text)
        } else {
            self.delimited_attempts(text)
        };
        if found.candidates.len() > MAX_ROWS {
            return Err(self.too_many_rows());
        }
        Ok(found)
    }

    pub(crate) fn too_many_rows(&self) -> SourceError {
        SourceError::TooManyRows {
            name: self.name.clone(),
            max: MAX_ROWS,
        }
    }

    fn origin(&self, line: usize, column: Option<usize>) -> Origin {
        Origin {
            source: self.name.clone(),
            line,
            column,
        }
    }

    fn xml_attempts(&self, text: &str) -> Attempts {
        let found = xml::keys(text);
        let mut out = Attempts {
            candidates: found
                .keys
                .into_iter()
                .map(|key| Candidate {
                    origin: self.origin(key.line, None),
                    input: key.text,
                })
                .collect(),
            skipped: Vec::new(),
            skipped_lines: 0,
        };
        if let Some((message, line)) = found.error {
            out.skipped.push(Skipped {
                origin: self.origin(line, None),
                reason: SkipReason::XmlError,
                excerpt: message,
            });
        } else if out.candidates.is_empty() {
            out.skipped.push(Skipped {
                origin: self.origin(1, None),
                reason: SkipReason::XmlWithoutKeys,
                excerpt: String::new(),
            });
        }
        out.skipped_lines = out.skipped.len();
        out
    }

    fn delimited_attempts(&self, text: &str) -> Attempts {
        let dialect = sniff(text);
        let records = records(text, dialect);
        let columns = records
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .min(MAX_COLUMNS);
        // In a table, only columns where some cell clearly holds a key are read, so that
        // amounts, dates and names in other columns are not reported as broken keys. One pass
        // over the cells of the first records: a crafted file with one very wide row and many
        // short ones costs no more than its size.
        let mut key_columns = vec![columns == 1; columns];
        if columns > 1 {
            for cell in records.iter().take(MAX_SCAN_ROWS).flatten() {
                if let Some(is_key) = key_columns.get_mut(cell.column - 1)
                    && !*is_key
                    && !attempts(&cell.text, true).is_empty()
                {
                    *is_key = true;
                }
            }
        }
        let mut out = Attempts::default();
        for record in &records {
            let mut found_any = false;
            for cell in record {
                if !key_columns.get(cell.column - 1).copied().unwrap_or(false) {
                    continue;
                }
                let column = (columns > 1).then_some(cell.column);
                for input in attempts(&cell.text, false) {
                    found_any = true;
                    out.candidates.push(Candidate {
                        origin: self.origin(cell.line, column),
                        input,
                    });
                }
            }
            if !found_any {
                out.skipped_lines += 1;
                if out.skipped.len() < MAX_SKIPPED {
                    out.skipped.push(self.skipped_line(record));
                }
            }
            // The caller refuses this many; stop reading instead of finding them all.
            if out.candidates.len() > MAX_ROWS {
                break;
            }
        }
        out
    }

    fn skipped_line(&self, record: &[Cell]) -> Skipped {
        let line: Vec<&str> = record.iter().map(|cell| cell.text.as_ref()).collect();
        let line = line.join(" ");
        let mut excerpt: String = line.trim().chars().take(EXCERPT_CHARS).collect();
        if line.trim().chars().count() > EXCERPT_CHARS {
            excerpt.push('…');
        }
        Skipped {
            origin: self.origin(record.first().map_or(1, |cell| cell.line), None),
            reason: SkipReason::NoKey,
            excerpt,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    const KEY: &str = "52060433009911002506550120000007800267301615";

    /// Runs `work` on its own thread and fails when it takes longer than `limit`, so a test of
    /// something that used to hang fails instead of hanging the suite.
    fn within<T: Send + 'static>(limit: Duration, work: impl FnOnce() -> T + Send + 'static) -> T {
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = send.send(work());
        });
        receive
            .recv_timeout(limit)
            .unwrap_or_else(|_| panic!("still running after {limit:?}"))
    }

    #[test]
    fn a_wide_row_among_many_short_ones_is_read_in_linear_time() {
        // 60 000 two-column rows and one row of 200 000 cells: scanning every column of every
        // row is 12 billion steps.
        let mut text = format!("chave;valor\n{KEY};1\n");
        for _ in 0..60_000 {
            text.push_str("nota;10,00\n");
        }
        text.push_str(&"a;".repeat(200_000));
        text.push('\n');
        let started = Instant::now();
        let found = within(Duration::from_secs(30), move || {
            ImportSource::text("colado", text).attempts().unwrap()
        });
        assert_eq!(found.candidates.len(), 1);
        assert_eq!(found.candidates[0].input, KEY);
        assert_eq!(found.candidates[0].origin.column, Some(1));
        assert_eq!(found.skipped_lines, 60_002);
        assert_eq!(found.skipped.len(), MAX_SKIPPED);
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn keys_past_the_scanned_columns_are_not_read() {
        let mut row = vec!["x"; MAX_COLUMNS + 1];
        row[MAX_COLUMNS] = KEY;
        let text = format!("{}\n{}\n", row.join(";"), row.join(";"));
        let found = ImportSource::text("t", text).attempts().unwrap();
        assert!(found.candidates.is_empty());
        let mut row = vec!["x"; MAX_COLUMNS];
        row[MAX_COLUMNS - 1] = KEY;
        let text = format!("{}\n{}\n", row.join(";"), row.join(";"));
        let found = ImportSource::text("t", text).attempts().unwrap();
        assert_eq!(found.candidates.len(), 2);
        assert_eq!(found.candidates[0].origin.column, Some(MAX_COLUMNS));
    }

    #[test]
    fn oversized_sources_are_refused_before_reading() {
        let text = "1".repeat(MAX_SOURCE_BYTES + 1);
        let err = ImportSource::text("colado", text).attempts().unwrap_err();
        assert_eq!(
            err,
            SourceError::TooLarge {
                name: "colado".into(),
                size: MAX_SOURCE_BYTES + 1,
                max: MAX_SOURCE_BYTES
            }
        );
        let err = ImportSource::file("f.xml", vec![b'<'; MAX_SOURCE_BYTES + 1])
            .attempts()
            .unwrap_err();
        assert_eq!(err.code(), "too_large");
        assert!(err.to_string().contains("f.xml"), "{err}");
    }

    #[test]
    fn too_many_rows_are_refused() {
        let text = "123\n".repeat(MAX_ROWS + 1);
        let err = ImportSource::text("colado", text).attempts().unwrap_err();
        assert_eq!(err.code(), "too_many_rows");
        let half = "123\n".repeat(MAX_ROWS / 2 + 1);
        let sources = [
            ImportSource::text("a", half.clone()),
            ImportSource::text("b", half),
        ];
        let err = crate::Preview::build(&sources, &[]).unwrap_err();
        assert_eq!(
            err,
            SourceError::TooManyRows {
                name: "b".into(),
                max: MAX_ROWS
            }
        );
    }
}
