//! Criterion benchmarks of the bulk-import preview: 50,000 keys in each kind of source the
//! importer reads (pasted text, a `.txt` list, a `;`-separated `.csv` export, an NF-e batch
//! `.xml`), beside the floor every preview pays: the core's parse of the same 50,000 keys.
//! Run with `make bench` (tests/bench/bench.py, section 6) or `cargo bench -p nfehook-keys`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nfehook_core::ChaveAcesso;
use nfehook_core::chave::check_digit;
use nfehook_keys::{ImportSource, Preview};
use std::hint::black_box;

/// Keys in each source.
const KEYS: usize = 50_000;

fn keys() -> Vec<String> {
    (1..=KEYS)
        .map(|n| {
            let first = format!("5206043300991100250655012{n:09}112345678");
            let dv = check_digit(first.as_bytes());
            format!("{first}{dv}")
        })
        .collect()
}

/// The sources, each holding every key once, as exported by the tools users import from.
fn sources(keys: &[String]) -> Vec<(&'static str, ImportSource)> {
    let lines = keys.join("\n");
    let txt = keys.join("\r\n");
    let mut csv = String::from("chave;emissao;valor\n");
    for key in keys {
        csv.push_str(key);
        csv.push_str(";10/03/2024;1.500,00\n");
    }
    let mut xml = String::from("<enviNFe versao=\"4.00\"><idLote>1</idLote>\n");
    for key in keys {
        xml.push_str("<NFe><infNFe Id=\"NFe");
        xml.push_str(key);
        xml.push_str("\" versao=\"4.00\"><ide><cUF>52</cUF></ide></infNFe></NFe>\n");
    }
    xml.push_str("</enviNFe>\n");
    vec![
        ("text", ImportSource::text("colado", lines)),
        ("txt", ImportSource::file("chaves.txt", txt.into_bytes())),
        ("csv", ImportSource::file("notas.csv", csv.into_bytes())),
        ("xml", ImportSource::file("lote.xml", xml.into_bytes())),
    ]
}

fn preview(c: &mut Criterion) {
    let keys = keys();
    let mut group = c.benchmark_group("preview");
    group.sample_size(10);
    group.throughput(Throughput::Elements(KEYS as u64));
    group.bench_function("floor_parse", |b| {
        b.iter(|| {
            keys.iter()
                .filter(|key| ChaveAcesso::parse(black_box(key)).is_ok())
                .count()
        });
    });
    for (kind, source) in sources(&keys) {
        let rows = Preview::build(std::slice::from_ref(&source), &[])
            .expect("the source is read")
            .counts
            .valid;
        assert_eq!(rows, KEYS, "{kind}: every key is a valid row");
        group.bench_with_input(BenchmarkId::new("build", kind), &source, |b, source| {
            b.iter(|| Preview::build(std::slice::from_ref(black_box(source)), &[]));
        });
    }
    group.finish();
}

criterion_group!(benches, preview);
criterion_main!(benches);
