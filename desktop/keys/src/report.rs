//! The results of an import as CSV, for a spreadsheet.

use crate::journal::ResultRow;

/// Header of [`results_csv`].
pub const RESULTS_HEADER: [&str; 9] = [
    "row",
    "source",
    "line",
    "column",
    "input",
    "chave",
    "result",
    "reason_code",
    "reason",
];

/// The rows as CSV (RFC 4180: comma-separated, CRLF, fields quoted when needed), with a
/// header. Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) are
/// prefixed with `'`.
///
/// ```
/// use nfehook_keys::{results_csv, ResultRow, RowState};
/// let row = ResultRow {
///     row: 1, source: "notas.csv".into(), line: 2, column: Some(1),
///     input: "3517, \"x\"".into(), chave: None, state: RowState::Invalid,
///     reason_code: Some("length".into()), reason: Some("=bad".into()),
/// };
/// let csv = results_csv(&[row]);
/// assert_eq!(csv.lines().nth(1), Some("1,notas.csv,2,1,\"3517, \"\"x\"\"\",,invalid,length,'=bad"));
/// ```
#[must_use]
pub fn results_csv(rows: &[ResultRow]) -> String {
    let mut out = String::new();
    push_record(&mut out, RESULTS_HEADER.iter().map(|s| (*s).to_owned()));
    for row in rows {
        push_record(
            &mut out,
            [
                row.row.to_string(),
                row.source.clone(),
                row.line.to_string(),
                row.column.map(|c| c.to_string()).unwrap_or_default(),
                row.input.clone(),
                row.chave.clone().unwrap_or_default(),
                row.state.as_str().to_owned(),
                row.reason_code.clone().unwrap_or_default(),
                row.reason.clone().unwrap_or_default(),
            ],
        );
    }
    out
}

fn push_record(out: &mut String, fields: impl IntoIterator<Item = String>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let field = if field.starts_with(['=', '+', '-', '@']) {
            format!("'{field}")
        } else {
            field
        };
        if field.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&field);
        }
    }
    out.push_str("\r\n");
}
