//! Delimited text (CSV, TSV, `;`-separated exports, plain lists): the dialect is sniffed from
//! the text, then the text is split into records of cells with their line numbers.

/// Delimiters tried, in order of preference when two fit equally.
const DELIMITERS: [char; 4] = [';', ',', '\t', '|'];
/// Lines looked at when sniffing.
const SNIFF_LINES: usize = 64;

/// How a text is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dialect {
    /// Cell separator; `None` for one value per line.
    pub delimiter: Option<char>,
    /// Quote character of quoted cells.
    pub quote: char,
}

/// One cell and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cell {
    /// 1-based line of the cell's first character.
    pub line: usize,
    /// 1-based column (cell index in its record).
    pub column: usize,
    /// Unquoted text.
    pub text: String,
}

/// Guesses delimiter and quote: a delimiter is chosen when most records of the first lines,
/// split with it (quotes honoured), have the same number of cells, more than one.
pub(crate) fn sniff(text: &str) -> Dialect {
    let sample_end = text
        .match_indices('\n')
        .nth(SNIFF_LINES)
        .map_or(text.len(), |(at, _)| at);
    let sample = &text[..sample_end];
    let lines: Vec<&str> = sample
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let quote = sniff_quote(&lines);
    let mut best: Option<(char, usize)> = None;
    for delimiter in DELIMITERS {
        let dialect = Dialect {
            delimiter: Some(delimiter),
            quote,
        };
        let counts: Vec<usize> = records(sample, dialect).iter().map(Vec::len).collect();
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

fn sniff_quote(lines: &[&str]) -> char {
    let starts = |q: char| {
        lines
            .iter()
            .filter(|line| line.trim_start().starts_with(q))
            .count()
    };
    if starts('\'') > starts('"') {
        '\''
    } else {
        '"'
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
pub(crate) fn records(text: &str, dialect: Dialect) -> Vec<Vec<Cell>> {
    let chars: Vec<char> = text.chars().collect();
    let quote = dialect.quote;
    let mut records = Vec::new();
    let mut record: Vec<Cell> = Vec::new();
    let mut cell = String::new();
    let mut cell_line = 1;
    let mut line = 1;
    let mut at_cell_start = true;
    // Once no closing quote is found after some point, none is found after any later point.
    let mut unclosed_from = usize::MAX;
    let mut i = 0;
    let finish_cell = |record: &mut Vec<Cell>, cell: &mut String, cell_line: usize| {
        record.push(Cell {
            line: cell_line,
            column: record.len() + 1,
            text: std::mem::take(cell),
        });
    };
    while i < chars.len() {
        let c = chars[i];
        if at_cell_start && c == quote && dialect.delimiter.is_some() && i < unclosed_from {
            if let Some(end) = closing_quote(&chars, i + 1, quote) {
                for &q in &chars[i + 1..end] {
                    if q == '\n' {
                        line += 1;
                    }
                }
                cell.extend(
                    unescape_quoted(&chars[i + 1..end], quote)
                        .chars()
                        .filter(|&ch| ch != '\r'),
                );
                i = end + 1;
                at_cell_start = false;
                continue;
            }
            unclosed_from = i;
        }
        match c {
            '\n' => {
                finish_cell(&mut record, &mut cell, cell_line);
                push_record(&mut records, &mut record);
                line += 1;
                cell_line = line;
                at_cell_start = true;
            }
            '\r' => {}
            c if Some(c) == dialect.delimiter => {
                finish_cell(&mut record, &mut cell, cell_line);
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
    finish_cell(&mut record, &mut cell, cell_line);
    push_record(&mut records, &mut record);
    records
}

fn push_record(records: &mut Vec<Vec<Cell>>, record: &mut Vec<Cell>) {
    let cells = std::mem::take(record);
    if cells.iter().any(|cell| !cell.text.trim().is_empty()) {
        records.push(cells);
    }
}

/// Index of the quote closing a quoted cell that starts at `from` (doubled quotes skipped).
fn closing_quote(chars: &[char], from: usize, quote: char) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        if chars[i] == quote {
            if chars.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

fn unescape_quoted(chars: &[char], quote: char) -> String {
    let mut out = String::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        out.push(chars[i]);
        if chars[i] == quote && chars.get(i + 1) == Some(&quote) {
            i += 1;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(records: &[Vec<Cell>]) -> Vec<Vec<&str>> {
        records
            .iter()
            .map(|r| r.iter().map(|c| c.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn sniffs_semicolon_over_decimal_commas() {
        let text = "chave;valor\n1;1500,00\n2;10,5\n";
        assert_eq!(sniff(text).delimiter, Some(';'));
    }

    #[test]
    fn plain_list_has_no_delimiter() {
        let text = "5206 0433\n1234.5678\nhello, world\nabc\n";
        assert_eq!(sniff(text).delimiter, None);
    }

    #[test]
    fn tab_and_pipe_are_found() {
        assert_eq!(sniff("a\tb\nc\td\n").delimiter, Some('\t'));
        assert_eq!(sniff("a|b|c\nd|e|f\n").delimiter, Some('|'));
    }

    #[test]
    fn quoted_cells_keep_delimiters_quotes_and_newlines() {
        let text = "\"a;b\";\"say \"\"hi\"\"\"\n\"multi\nline\";x\ny;z";
        let dialect = Dialect {
            delimiter: Some(';'),
            quote: '"',
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
            delimiter: Some(','),
            quote: '"',
        };
        let records = records("\"abc,d\ne,f", dialect);
        assert_eq!(texts(&records), [vec!["\"abc", "d"], vec!["e", "f"]]);
    }

    #[test]
    fn single_quotes_are_sniffed() {
        let text = "'a,b','c'\n'd','e'\n";
        let dialect = sniff(text);
        assert_eq!(dialect.quote, '\'');
        assert_eq!(dialect.delimiter, Some(','));
        assert_eq!(
            texts(&records(text, dialect)),
            [vec!["a,b", "c"], vec!["d", "e"]]
        );
    }

    #[test]
    fn empty_lines_give_no_record() {
        let dialect = Dialect {
            delimiter: None,
            quote: '"',
        };
        let records = records("\r\n a \r\n\r\n;\r\nb", dialect);
        assert_eq!(texts(&records), [vec!["a "], vec![";"], vec!["b"]]);
        assert_eq!(records[2][0].line, 5);
    }
}
