//! Import sources (pasted text, opened files) and the key attempts found in them.

use serde::Serialize;

use crate::candidates::attempts;
use crate::delimited::{Cell, records, sniff};
use crate::text::decode_text;
use crate::xml;

/// Longest excerpt of a skipped line kept for display.
const EXCERPT_CHARS: usize = 80;

/// Something to import keys from.
///
/// ```
/// use nfehook_keys::ImportSource;
/// let pasted = ImportSource::text("colado", "5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615");
/// let file = ImportSource::file("notas.csv", b"chave;valor\n52060433009911002506550120000007800267301615;10,00\n".to_vec());
/// assert_eq!(pasted.attempts().candidates.len(), 1);
/// assert_eq!(file.attempts().candidates[0].origin.line, 2);
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
    /// Lines that gave nothing.
    pub skipped: Vec<Skipped>,
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
    #[must_use]
    pub fn attempts(&self) -> Attempts {
        let text = match &self.content {
            SourceContent::Text(text) => text.clone(),
            SourceContent::File(bytes) => decode_text(bytes),
        };
        let is_xml = self.name.to_ascii_lowercase().ends_with(".xml") || xml::looks_like_xml(&text);
        if is_xml {
            self.xml_attempts(&text)
        } else {
            self.delimited_attempts(&text)
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
        out
    }

    fn delimited_attempts(&self, text: &str) -> Attempts {
        let dialect = sniff(text);
        let records = records(text, dialect);
        let columns = records.iter().map(Vec::len).max().unwrap_or(0);
        // In a table, only columns where some cell clearly holds a key are read, so that
        // amounts, dates and names in other columns are not reported as broken keys.
        let key_columns: Vec<bool> = (0..columns)
            .map(|column| {
                columns == 1
                    || records.iter().any(|record| {
                        record
                            .get(column)
                            .is_some_and(|cell| !attempts(&cell.text, true).is_empty())
                    })
            })
            .collect();
        let mut out = Attempts::default();
        for record in &records {
            let mut found_any = false;
            for cell in record {
                if !key_columns[cell.column - 1] {
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
                out.skipped.push(self.skipped_line(record));
            }
        }
        out
    }

    fn skipped_line(&self, record: &[Cell]) -> Skipped {
        let line: Vec<&str> = record.iter().map(|cell| cell.text.as_str()).collect();
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
