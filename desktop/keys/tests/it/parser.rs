//! The bulk-import parser and preview on text, CSV, XML and mixed junk.

use nfehook_keys::{ImportSource, Preview, RowStatus, SkipReason};
use proptest::prelude::*;

use crate::support::{grouped, key, vectors};

fn kinds(preview: &Preview) -> Vec<&'static str> {
    preview.rows.iter().map(|r| r.status.kind()).collect()
}

fn chave_of(status: &RowStatus) -> Option<&str> {
    match status {
        RowStatus::Valid { info } => Some(&info.chave),
        RowStatus::Duplicate { chave, .. } | RowStatus::Existing { chave } => Some(chave),
        RowStatus::Invalid { .. } => None,
    }
}

#[test]
fn shared_vectors_classify_as_the_core_says() {
    let vectors = vectors("chaves.json");
    let valid = vectors["valid"].as_array().unwrap();
    let invalid = vectors["invalid"].as_array().unwrap();
    for case in valid {
        let input = case["input"].as_str().unwrap();
        let preview = Preview::build(&[ImportSource::text("v", input)], &[]).unwrap();
        assert_eq!(preview.rows.len(), 1, "{input:?}");
        match &preview.rows[0].status {
            RowStatus::Valid { info } => {
                assert_eq!(info.chave, case["normalized"].as_str().unwrap());
                if let Some(uf) = case.get("uf") {
                    assert_eq!(info.uf, uf.as_str().unwrap());
                }
                if let Some(numero) = case.get("numero") {
                    assert_eq!(u64::from(info.numero), numero.as_u64().unwrap());
                }
            }
            other => panic!("{input:?}: {other:?}"),
        }
    }
    for case in invalid {
        let input = case["input"].as_str().unwrap();
        let preview = Preview::build(&[ImportSource::text("v", input)], &[]).unwrap();
        // Inputs with no digit at all are not key attempts; every other one is one row.
        if !input.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        let Some(row) = preview.rows.first() else {
            panic!("{input:?} gave no row: {:?}", preview.skipped)
        };
        let RowStatus::Invalid { problem } = &row.status else {
            panic!("{input:?}: {:?}", row.status)
        };
        if let Some(code) = case["error"].as_str() {
            assert_eq!(problem.code(), code, "{input:?}");
        }
        if let Some(position) = case.get("position").and_then(serde_json::Value::as_u64) {
            assert_eq!(problem.position(), Some(usize::try_from(position).unwrap()));
        }
        if let Some(expected) = case.get("expected").and_then(serde_json::Value::as_u64) {
            let machine = serde_json::to_value(problem).unwrap();
            assert_eq!(machine["expected"].as_u64(), Some(expected), "{input:?}");
        }
    }
}

#[test]
fn pasted_text_in_every_written_form() {
    let (a, b, c, d) = (key(1), key(2), key(3), key(4));
    let dotted = a
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(".");
    let text = format!(
        "{a}\n\n  {}  \r\nNFe{c}\n{}\n{dotted}\n{d} {}\n",
        grouped(&b),
        c.to_lowercase(),
        grouped(&key(5))
    );
    let preview = Preview::build(&[ImportSource::text("colado", text)], &[]).unwrap();
    assert_eq!(
        kinds(&preview),
        [
            "valid",
            "valid",
            "valid",
            "duplicate",
            "duplicate",
            "valid",
            "valid"
        ]
    );
    assert_eq!(preview.rows[1].origin.line, 3);
    assert_eq!(preview.rows[5].origin.line, 7);
    assert_eq!(preview.rows[6].origin.line, 7);
    assert_eq!(
        preview.rows[3].status,
        RowStatus::Duplicate {
            chave: c.clone(),
            first_row: 3
        }
    );
    assert_eq!(preview.counts.valid, 5);
    assert!(preview.skipped.is_empty());
}

#[test]
fn semicolon_csv_reads_only_the_key_column() {
    let (a, b) = (key(10), key(11));
    let csv = format!(
        "numero;chave;valor;emissao\r\n\
         10;{a};1500,00;10/03/2024\r\n\
         11;\"{}\";\"2.000,50\";11/03/2024\r\n\
         12;{};9,99;12/03/2024\r\n\
         13;;0,00;13/03/2024\r\n",
        grouped(&b),
        &a[..43]
    );
    let preview =
        Preview::build(&[ImportSource::file("notas.csv", csv.into_bytes())], &[]).unwrap();
    assert_eq!(kinds(&preview), ["valid", "valid", "invalid"]);
    let origins: Vec<(usize, Option<usize>)> = preview
        .rows
        .iter()
        .map(|r| (r.origin.line, r.origin.column))
        .collect();
    assert_eq!(origins, [(2, Some(2)), (3, Some(2)), (4, Some(2))]);
    let RowStatus::Invalid { problem } = &preview.rows[2].status else {
        unreachable!()
    };
    let machine = serde_json::to_value(problem).unwrap();
    assert_eq!(
        (problem.code(), machine["length"].as_u64()),
        ("length", Some(43))
    );
    // The header and the row without a key are listed as skipped, nothing else.
    let skipped: Vec<usize> = preview.skipped.iter().map(|s| s.origin.line).collect();
    assert_eq!(skipped, [1, 5]);
    assert!(
        preview
            .skipped
            .iter()
            .all(|s| s.reason == SkipReason::NoKey)
    );
}

#[test]
fn comma_csv_with_quotes_newlines_and_two_key_columns() {
    let (a, b, c) = (key(20), key(21), key(22));
    let csv = format!(
        "\"chave\",\"obs\",\"chave referenciada\"\n\
         \"{a}\",\"linha 1\nlinha 2, com vírgula\",\"{b}\"\n\
         \"{c}\",\"diz \"\"oi\"\"\",\n"
    );
    let preview =
        Preview::build(&[ImportSource::file("export.csv", csv.into_bytes())], &[]).unwrap();
    let keys: Vec<_> = preview
        .rows
        .iter()
        .filter_map(|r| chave_of(&r.status))
        .collect();
    assert_eq!(keys, [a.as_str(), b.as_str(), c.as_str()]);
    assert_eq!(
        preview.rows[2].origin.line, 4,
        "the quoted line break counts"
    );
    assert_eq!(preview.rows[1].origin.column, Some(3));
}

#[test]
fn excel_unicode_text_and_latin1_files() {
    let (a, b) = (key(30), key(31));
    let tsv = format!("Descrição\tChave\r\nNota 1\t{a}\r\nNota 2\t{b}\r\n");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in tsv.encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let preview = Preview::build(&[ImportSource::file("planilha.txt", utf16)], &[]).unwrap();
    assert_eq!(kinds(&preview), ["valid", "valid"]);
    assert_eq!(preview.rows[1].origin.column, Some(2));

    let mut latin1 = b"Descri\xE7\xE3o;Chave\n".to_vec();
    latin1.extend(
        format!("Jo\u{e3}o;{a}\n")
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap()),
    );
    let preview = Preview::build(&[ImportSource::file("latin1.csv", latin1)], &[]).unwrap();
    assert_eq!(kinds(&preview), ["valid"]);
    assert_eq!(preview.skipped[0].excerpt, "Descrição Chave");
}

fn nfe_proc(chave: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<nfeProc versao="4.00" xmlns="http://www.portalfiscal.inf.br/nfe">
  <NFe xmlns="http://www.portalfiscal.inf.br/nfe">
    <infNFe Id="NFe{chave}" versao="4.00">
      <ide><cUF>52</cUF><nNF>1</nNF></ide>
      <emit><CNPJ>33009911002506</CNPJ><xNome>Empresa &amp; Filhos</xNome></emit>
    </infNFe>
    <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/></Signature>
  </NFe>
  <protNFe versao="4.00"><infProt><tpAmb>1</tpAmb><chNFe>{chave}</chNFe><cStat>100</cStat></infProt></protNFe>
</nfeProc>"#
    )
}

#[test]
fn nfe_xml_files_batches_and_broken_ones() {
    let (a, b, c, d) = (key(40), key(41), key(42), key(43));
    let batch = format!(
        "<enviNFe><idLote>1</idLote><NFe><infNFe Id=\"NFe{b}\"/></NFe><NFe><infNFe Id=\"NFe{c}\"></infNFe></NFe></enviNFe>"
    );
    let broken =
        format!("<nfeProc><protNFe><infProt><chNFe>{d}</chNFe></infProt>\n</protNFe\n<oops");
    let no_key = "<root><nada/></root>";
    let sources = [
        ImportSource::file("a.xml", nfe_proc(&a).into_bytes()),
        ImportSource::file("lote.XML", batch.into_bytes()),
        ImportSource::file("quebrado.xml", broken.into_bytes()),
        ImportSource::file("vazio.xml", no_key.as_bytes().to_vec()),
        // Pasted XML is recognised by its first character.
        ImportSource::text("colado", nfe_proc(&a)),
    ];
    let preview = Preview::build(&sources, &[]).unwrap();
    let keys: Vec<_> = preview
        .rows
        .iter()
        .filter_map(|r| chave_of(&r.status))
        .collect();
    assert_eq!(
        keys,
        [a.as_str(), b.as_str(), c.as_str(), d.as_str(), a.as_str()]
    );
    assert_eq!(
        kinds(&preview),
        ["valid", "valid", "valid", "valid", "duplicate"]
    );
    assert_eq!(preview.rows[0].origin.line, 4);
    assert_eq!(preview.rows[0].input, format!("NFe{a}"));
    let reasons: Vec<(&str, SkipReason)> = preview
        .skipped
        .iter()
        .map(|s| (s.origin.source.as_str(), s.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            ("quebrado.xml", SkipReason::XmlError),
            ("vazio.xml", SkipReason::XmlWithoutKeys)
        ]
    );
    assert_eq!(preview.skipped[0].origin.line, 2);
}

#[test]
fn mixed_junk_is_sorted_into_rows_and_skipped_lines() {
    let (a, b, existing) = (key(50), key(51), key(52));
    let mut wrong_dv = a.clone();
    let last = wrong_dv.pop().unwrap();
    wrong_dv.push(if last == '9' {
        '0'
    } else {
        char::from(u8::try_from(u32::from(last) + 1).unwrap())
    });
    let mut letter_o = b.clone();
    letter_o.replace_range(29..30, "O");
    let text = format!(
        "# chaves do mês\n\
         Olá, seguem as chaves:\n\
         Chave de acesso: {}, emitida em 10.03.2024.\n\
         {wrong_dv}\n\
         {letter_o}\n\
         {existing}\n\
         \u{a0}{a}\u{a0}\n\
         Total: 3 notas, R$ 1.500,00\n\
         123\n\
         ✓ 日本語 \u{0}\n",
        grouped(&a)
    );
    let preview = Preview::build(
        &[ImportSource::text("colado", text)],
        std::slice::from_ref(&existing),
    )
    .unwrap();
    assert_eq!(
        kinds(&preview),
        [
            "valid",
            "invalid",
            "invalid",
            "existing",
            "duplicate",
            "invalid"
        ]
    );
    let problems: Vec<(&str, Option<usize>)> = preview
        .rows
        .iter()
        .filter_map(|r| match &r.status {
            RowStatus::Invalid { problem } => Some((problem.code(), problem.position())),
            _ => None,
        })
        .collect();
    assert_eq!(
        problems,
        [
            ("check_digit", Some(44)),
            ("invalid_character", Some(30)),
            ("length", None)
        ]
    );
    let skipped: Vec<usize> = preview.skipped.iter().map(|s| s.origin.line).collect();
    assert_eq!(skipped, [1, 2, 8, 10]);
    assert_eq!(preview.counts.skipped, 4);
    assert_eq!(
        (
            preview.counts.valid,
            preview.counts.invalid,
            preview.counts.existing,
            preview.counts.duplicate
        ),
        (1, 3, 1, 1)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_give_a_consistent_preview(bytes in proptest::collection::vec(any::<u8>(), 0..600), xml in any::<bool>()) {
        let name = if xml { "f.xml" } else { "f.csv" };
        let preview = Preview::build(&[ImportSource::file(name, bytes)], &[]).unwrap();
        for (i, row) in preview.rows.iter().enumerate() {
            prop_assert_eq!(row.row, i + 1);
            if let Some(chave) = chave_of(&row.status) {
                prop_assert!(nfehook_core::ChaveAcesso::parse(chave).is_ok());
            }
        }
        let c = preview.counts;
        prop_assert_eq!(c.valid + c.invalid + c.duplicate + c.existing, preview.rows.len());
    }

    #[test]
    fn keys_survive_any_surrounding_junk(
        n in 0u32..1_000_000,
        before in "[a-z ,;:]{0,12}",
        after in "[a-z ,;:.!]{0,12}",
        form in 0usize..3,
    ) {
        let k = key(n);
        let written = match form { 0 => k.clone(), 1 => grouped(&k), _ => format!("NFe{k}") };
        let text = format!("{before} {written} {after}\n{k}\n");
        let preview = Preview::build(&[ImportSource::text("t", text)], &[]).unwrap();
        prop_assert_eq!(kinds(&preview), ["valid", "duplicate"]);
    }
}
