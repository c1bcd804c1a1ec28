//! The bulk-import parser (nfehook-keys) on any file: never panics, every row it reports is
//! consistent, and every key it calls valid is one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nfehook_core::ChaveAcesso;
use nfehook_keys::{ImportSource, Preview, RowStatus, decode_text};

fuzz_target!(|data: &[u8]| {
    // First byte: how the content arrives (pasted text, a .csv, a .txt or an .xml file).
    let Some((&kind, content)) = data.split_first() else {
        return;
    };
    let source = match kind % 4 {
        0 => ImportSource::text("colado", String::from_utf8_lossy(content).into_owned()),
        1 => ImportSource::file("f.csv", content.to_vec()),
        2 => ImportSource::file("f.txt", content.to_vec()),
        _ => ImportSource::file("f.xml", content.to_vec()),
    };
    let text = match kind % 4 {
        0 => String::from_utf8_lossy(content).into_owned(),
        _ => decode_text(content),
    };
    let lines = text.matches('\n').count() + 1;
    let existing = ["52060433009911002506550120000007800267301615".to_owned()];
    // Inputs past the size or row bounds are refused with a typed error, not read.
    let Ok(preview) = Preview::build(std::slice::from_ref(&source), &existing) else {
        return;
    };
    let mut seen = std::collections::HashSet::new();
    for (index, row) in preview.rows.iter().enumerate() {
        assert_eq!(row.row, index + 1);
        assert!(row.origin.line >= 1 && row.origin.line <= lines, "line {} of {lines}", row.origin.line);
        match &row.status {
            RowStatus::Valid { info } => {
                let chave = ChaveAcesso::parse(&info.chave).expect("a valid row parses");
                assert_eq!(ChaveAcesso::parse(&row.input), Ok(chave));
                assert!(seen.insert(chave), "a second occurrence must be a duplicate");
            }
            RowStatus::Existing { chave } => {
                assert_eq!(chave, &existing[0]);
                assert!(seen.insert(ChaveAcesso::parse(chave).unwrap()));
            }
            RowStatus::Duplicate { chave, first_row } => {
                assert!(*first_row < row.row);
                assert!(seen.contains(&ChaveAcesso::parse(chave).unwrap()));
            }
            RowStatus::Invalid { problem } => {
                assert!(ChaveAcesso::parse(&row.input).is_err());
                assert!(!problem.to_string().is_empty());
            }
        }
    }
    let c = preview.counts;
    assert_eq!(c.valid + c.invalid + c.duplicate + c.existing, preview.rows.len());
    assert_eq!(c.skipped.min(nfehook_keys::MAX_SKIPPED), preview.skipped.len());
    let _ = nfehook_keys::validate(&String::from_utf8_lossy(content));
});
