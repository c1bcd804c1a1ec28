//! Delimited text (CSV, TSV, `;`-separated exports, plain lists): the dialect is sniffed from
//! the text, then the text is split into records of cells with their line numbers.
//!
//! Every character with a meaning here (delimiters, quotes, line breaks, the space) is ASCII, so
//! the scanner walks bytes and hands out slices of the text: a plain cell borrows its text, and
//! sniffing counts cells without building any.

use std::borrow::Cow;

/// Delimiters tried, in order of preference when two fit equally.
const DELIMITERS: [u8; 4] = [b';', b',', b'\t', b'|'];
/// Lines looked at when sniffing.
const SNIFF_LINES: usize = 64;
/// Bytes looked at when sniffing, so that a file of one huge line costs no more to sniff than a
/// page of text.
const SNIFF_BYTES: usize = 16 * 1024;

/// How a text is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dialect {
    /// Cell separator (ASCII); `None` for one value per line.
    pub delimiter: Option<u8>,
    /// Quote character of quoted cells (ASCII).
    pub quote: u8,
}

/// One cell and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cell<'t> {
    /// 1-based line of the cell's first character.
    pub line: usize,
    /// 1-based column (cell index in its record).
    pub column: usize,
    /// Unquoted text: borrowed from the input unless unquoting changed it.
    pub text: Cow<'t, str>,
}

/// Guesses delimiter and quote: a delimiter is chosen when most records of the first lines,
/// split with it (quotes honoured), have the same number of cells, more than one.
pub(crate) fn sniff(text: &str) -> Dialect {
    let sample = sample(text);
    let lines: Vec<&str> = sample
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let quote = sniff_quote(&lines);
    let mut best: Option<(u8, usize)> = None;
    for delimiter in DELIMITERS {
        let dialect = Dialect {
            delimiter: Some(delimiter),
            quote,
        };
        let mut counts = CellCounts::default();
        scan(sample, dialect, &mut counts);
        let counts = counts.per_record;
        let Some((mode, frequency)) = mode(&counts) else {
            continue;
        };
        // Most records must agree, so that a comma in one line of prose does not make a CSV.
        if mode < 2 || frequency * 10 < counts.len() * 7 {
            continue;
        }
        if best.is_none_or(|(_, f)| frequency > f) {
            best = Some((delimiter, frequency));
        }
    }
    Dialect {
        delimiter: best.map(|(d, _)| d),
        quote,
    }
}

/// The first `SNIFF_LINES` lines, or fewer when they pass `SNIFF_BYTES` (cut after the last
/// whole line that fits, else at a character boundary).
fn sample(text: &str) -> &str {
    let mut end = text
        .match_indices('\n')
        .nth(SNIFF_LINES)
        .map_or(text.len(), |(at, _)| at);
    if end > SNIFF_BYTES {
        let cap = (0..=SNIFF_BYTES)
            .rev()
            .find(|&at| text.is_char_boundary(at))
            .unwrap_or(0);
        end = text[..cap].rfind('\n').unwrap_or(cap);
    }
    &text[..end]
}

fn sniff_quote(lines: &[&str]) -> u8 {
    let starts = |q: char| {
        lines
            .iter()
            .filter(|line| line.trim_start().starts_with(q))
            .count()
    };
    if starts('\'') > starts('"') {
        b'\''
    } else {
        b'"'
    }
}

/// The most frequent value and how often it occurs.
fn mode(values: &[usize]) -> Option<(usize, usize)> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let mut best: Option<(usize, usize)> = None;
    for chunk in sorted.chunk_by(|a, b| a == b) {
        if best.is_none_or(|(_, n)| chunk.len() > n) {
            best = Some((chunk[0], chunk.len()));
        }
    }
    best
}

/// Splits `text` into records of cells. Quoted cells may hold delimiters, doubled quotes and
/// line breaks; a quote that is never closed is read as an ordinary character. Empty lines
/// give no record.
pub(crate) fn records(text: &str, dialect: Dialect) -> Vec<Vec<Cell<'_>>> {
    let mut cells = Cells::default();
    scan(text, dialect, &mut cells);
    cells.records
}

/// What a scan reports, in order: pieces of a cell's text, the end of a cell, the end of a
/// record.
trait Sink<'t> {
    fn piece(&mut self, piece: &'t str);
    fn end_cell(&mut self, line: usize);
    fn end_record(&mut self);
}

/// Builds the records (those with some non-blank cell).
#[derive(Default)]
struct Cells<'t> {
    records: Vec<Vec<Cell<'t>>>,
    record: Vec<Cell<'t>>,
    text: Option<Cow<'t, str>>,
}

impl<'t> Sink<'t> for Cells<'t> {
    fn piece(&mut self, piece: &'t str) {
        match &mut self.text {
            None => self.text = Some(Cow::Borrowed(piece)),
            Some(text) => text.to_mut().push_str(piece),
        }
    }

    fn end_cell(&mut self, line: usize) {
        self.record.push(Cell {
            line,
            column: self.record.len() + 1,
            text: self.text.take().unwrap_or_default(),
        });
    }

    fn end_record(&mut self) {
        let cells = std::mem::take(&mut self.record);
        if cells.iter().any(|cell| !cell.text.trim().is_empty()) {
            self.records.push(cells);
        }
    }
}

/// Counts the cells of each record that `Cells` would keep, building none.
#[derive(Default)]
struct CellCounts {
    per_record: Vec<usize>,
    cells: usize,
    non_blank: bool,
}

impl Sink<'_> for CellCounts {
    fn piece(&mut self, piece: &str) {
        self.non_blank |= !piece.trim().is_empty();
    }

    fn end_cell(&mut self, _line: usize) {
        self.cells += 1;
    }

    fn end_record(&mut self) {
        if self.non_blank {
            self.per_record.push(self.cells);
        }
        self.cells = 0;
        self.non_blank = false;
    }
}

/// The one scanner behind `records` and `sniff`.
fn scan<'t>(text: &'t str, dialect: Dialect, sink: &mut impl Sink<'t>) {
    let bytes = text.as_bytes();
    let quote = dialect.quote;
    let delimiter = dialect.delimiter;
    let mut line = 1;
    let mut cell_line = 1;
    let mut at_cell_start = true;
    // Where a search for a closing quote found none. Every run of quotes it passed whole was of
    // even length (pairs), so a later search can only succeed on the run it starts inside:
    // looking again to the end for each quote would be quadratic.
    let mut unclosed_from = usize::MAX;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if at_cell_start && b == quote && delimiter.is_some() {
            let from = i + 1;
            let end = if from >= unclosed_from {
                odd_run_end(bytes, from, quote)
            } else {
                let end = closing_quote(bytes, from, quote);
                if end.is_none() {
                    unclosed_from = from;
                }
                end
            };
            if let Some(end) = end {
                let inner = &text[from..end];
                line += inner.bytes().filter(|&c| c == b'\n').count();
                unquote(inner, quote, sink);
                i = end + 1;
                at_cell_start = false;
                continue;
            }
        }
        match b {
            b'\n' => {
                sink.end_cell(cell_line);
                sink.end_record();
                line += 1;
                cell_line = line;
                at_cell_start = true;
                i += 1;
            }
            b'\r' => i += 1,
            b if Some(b) == delimiter => {
                sink.end_cell(cell_line);
                cell_line = line;
                at_cell_start = true;
                i += 1;
            }
            b' ' if at_cell_start => i += 1,
            _ => {
                // A run of ordinary text: only a line break or a delimiter ends it (a quote means
                // something only at the start of a cell, and this is past it).
                let run = bytes[i..]
                    .iter()
                    .position(|&c| c == b'\n' || c == b'\r' || Some(c) == delimiter)
                    .map_or(bytes.len(), |n| i + n);
                sink.piece(&text[i..run]);
                at_cell_start = false;
                i = run;
            }
        }
    }
    sink.end_cell(cell_line);
    sink.end_record();
}

/// Index of the quote closing a quoted cell that starts at `from` (doubled quotes skipped).
fn closing_quote(bytes: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    while let Some(n) = bytes[i..].iter().position(|&c| c == quote) {
        let at = i + n;
        if bytes.get(at + 1) == Some(&quote) {
            i = at + 2;
            continue;
        }
        return Some(at);
    }
    None
}

/// The closing quote of a search that starts at `from`, when only the run of quotes starting
/// there can hold one: a run of odd length ends with a lone quote.
fn odd_run_end(bytes: &[u8], from: usize, quote: u8) -> Option<usize> {
    let run = bytes[from..].iter().take_while(|&&c| c == quote).count();
    (run % 2 == 1).then(|| from + run - 1)
}

/// The text of a quoted cell (between its quotes): doubled quotes read as one, carriage returns
/// dropped.
fn unquote<'t>(inner: &'t str, quote: u8, sink: &mut impl Sink<'t>) {
    let bytes = inner.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' => {
                sink.piece(&inner[start..i]);
                i += 1;
                start = i;
            }
            // Inside a closed quoted cell every quote is doubled: keep the first, skip the second.
            c if c == quote => {
                sink.piece(&inner[start..=i]);
                i += 2;
                start = i;
            }
            _ => i += 1,
        }
    }
    sink.piece(&inner[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(records: &'a [Vec<Cell<'_>>]) -> Vec<Vec<&'a str>> {
        records
            .iter()
            .map(|r| r.iter().map(|c| c.text.as_ref()).collect())
            .collect()
    }

    #[test]
    fn sniffs_semicolon_over_decimal_commas() {
        let text = "chave;valor\n1;1500,00\n2;10,5\n";
        assert_eq!(sniff(text).delimiter, Some(b';'));
    }

    #[test]
    fn plain_list_has_no_delimiter() {
        let text = "5206 0433\n1234.5678\nhello, world\nabc\n";
        assert_eq!(sniff(text).delimiter, None);
    }

    #[test]
    fn tab_and_pipe_are_found() {
        assert_eq!(sniff("a\tb\nc\td\n").delimiter, Some(b'\t'));
        assert_eq!(sniff("a|b|c\nd|e|f\n").delimiter, Some(b'|'));
    }

    #[test]
    fn quoted_cells_keep_delimiters_quotes_and_newlines() {
        let text = "\"a;b\";\"say \"\"hi\"\"\"\n\"multi\nline\";x\ny;z";
        let dialect = Dialect {
            delimiter: Some(b';'),
            quote: b'"',
        };
        let records = records(text, dialect);
        assert_eq!(
            texts(&records),
            [
                vec!["a;b", "say \"hi\""],
                vec!["multi\nline", "x"],
                vec!["y", "z"]
            ]
        );
        assert_eq!(records[1][0].line, 2);
        assert_eq!(records[2][0].line, 4);
        assert_eq!(records[2][1].column, 2);
    }

    #[test]
    fn unclosed_quote_is_literal() {
        let dialect = Dialect {
            delimiter: Some(b','),
            quote: b'"',
        };
        let records = records("\"abc,d\ne,f", dialect);
        assert_eq!(texts(&records), [vec!["\"abc", "d"], vec!["e", "f"]]);
    }

    #[test]
    fn a_quote_after_an_unclosed_one_can_still_close() {
        // The first quote finds no lone closing quote (the last two are a pair from there), but
        // the third starts a closed, empty cell.
        let dialect = Dialect {
            delimiter: Some(b';'),
            quote: b'\'',
        };
        assert_eq!(texts(&records("';''", dialect)), [vec!["'", ""]]);
    }

    #[test]
    fn single_quotes_are_sniffed() {
        let text = "'a,b','c'\n'd','e'\n";
        let dialect = sniff(text);
        assert_eq!(dialect.quote, b'\'');
        assert_eq!(dialect.delimiter, Some(b','));
        assert_eq!(
            texts(&records(text, dialect)),
            [vec!["a,b", "c"], vec!["d", "e"]]
        );
    }

    #[test]
    fn empty_lines_give_no_record() {
        let dialect = Dialect {
            delimiter: None,
            quote: b'"',
        };
        let records = records("\r\n a \r\n\r\n;\r\nb", dialect);
        assert_eq!(texts(&records), [vec!["a "], vec![";"], vec!["b"]]);
        assert_eq!(records[2][0].line, 5);
    }

    /// The scanner as first written, char by char with a `String` per cell: the definition the
    /// byte scanner is checked against.
    fn reference(
        text: &str,
        delimiter: Option<char>,
        quote: char,
    ) -> Vec<Vec<(usize, usize, String)>> {
        let chars: Vec<char> = text.chars().collect();
        let mut records = Vec::new();
        let mut record: Vec<(usize, usize, String)> = Vec::new();
        let mut cell = String::new();
        let (mut cell_line, mut line, mut at_cell_start, mut i) = (1, 1, true, 0);
        let finish = |record: &mut Vec<(usize, usize, String)>, cell: &mut String, line: usize| {
            record.push((line, record.len() + 1, std::mem::take(cell)));
        };
        let push = |records: &mut Vec<Vec<(usize, usize, String)>>, record: &mut Vec<_>| {
            let cells: Vec<(usize, usize, String)> = std::mem::take(record);
            if cells.iter().any(|(_, _, t)| !t.trim().is_empty()) {
                records.push(cells);
            }
        };
        while i < chars.len() {
            let c = chars[i];
            if at_cell_start && c == quote && delimiter.is_some() {
                let mut j = i + 1;
                let mut end = None;
                while j < chars.len() {
                    if chars[j] == quote {
                        if chars.get(j + 1) == Some(&quote) {
                            j += 2;
                            continue;
                        }
                        end = Some(j);
                        break;
                    }
                    j += 1;
                }
                if let Some(end) = end {
                    let mut k = i + 1;
                    while k < end {
                        if chars[k] == '\n' {
                            line += 1;
                        }
                        if chars[k] != '\r' {
                            cell.push(chars[k]);
                        }
                        k += if chars[k] == quote { 2 } else { 1 };
                    }
                    i = end + 1;
                    at_cell_start = false;
                    continue;
                }
            }
            match c {
                '\n' => {
                    finish(&mut record, &mut cell, cell_line);
                    push(&mut records, &mut record);
                    line += 1;
                    cell_line = line;
                    at_cell_start = true;
                }
                '\r' => {}
                c if Some(c) == delimiter => {
                    finish(&mut record, &mut cell, cell_line);
                    cell_line = line;
                    at_cell_start = true;
                }
                ' ' if at_cell_start => {}
                c => {
                    cell.push(c);
                    at_cell_start = false;
                }
            }
            i += 1;
        }
        finish(&mut record, &mut cell, cell_line);
        push(&mut records, &mut record);
        records
    }

    fn owned(records: &[Vec<Cell<'_>>]) -> Vec<Vec<(usize, usize, String)>> {
        records
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| (c.line, c.column, c.text.to_string()))
                    .collect()
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn the_byte_scanner_reads_as_the_definition(
            text in "[a\"' ;,\t|\r\n5é]{0,60}",
            delimiter in proptest::option::of(proptest::sample::select(DELIMITERS.to_vec())),
            quote in proptest::sample::select(vec![b'"', b'\'']),
        ) {
            let dialect = Dialect { delimiter, quote };
            let expected = reference(&text, delimiter.map(char::from), char::from(quote));
            proptest::prop_assert_eq!(owned(&records(&text, dialect)), expected);
            let mut counts = CellCounts::default();
            scan(&text, dialect, &mut counts);
            let lengths: Vec<usize> = records(&text, dialect).iter().map(Vec::len).collect();
            proptest::prop_assert_eq!(counts.per_record, lengths);
        }
    }

    #[test]
    fn a_plain_cell_borrows_its_text() {
        let dialect = Dialect {
            delimiter: Some(b';'),
            quote: b'"',
        };
        let records = records("abc;\"d\"\"e\"\n", dialect);
        assert!(matches!(records[0][0].text, Cow::Borrowed("abc")));
        assert_eq!(records[0][1].text, "d\"e");
    }

    #[test]
    fn the_sniffing_sample_is_bounded_in_bytes() {
        // One line far longer than the sample, with a multi-byte character across the cut.
        let mut text = "a;".repeat(SNIFF_BYTES / 2 - 1);
        text.push_str("xé;b\n");
        text.push_str(&"x;y\n".repeat(10));
        let cut = sample(&text);
        assert!(cut.len() <= SNIFF_BYTES);
        assert!(text.is_char_boundary(cut.len()));
        // Whole lines are kept when one fits.
        let lines = format!("{}\n{}", "a;b", "c".repeat(SNIFF_BYTES));
        assert_eq!(sample(&lines), "a;b");
        assert_eq!(sniff(&lines).delimiter, Some(b';'));
    }
}
