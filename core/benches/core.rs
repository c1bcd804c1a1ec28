//! Criterion benchmarks of the core: verify per body size (plain and keyed), access-key parse.
//! Run with `make bench` (or `cargo bench -p nfehook-core`).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nfehook_core::{ChaveAcesso, Verifier, sign, verify};
use std::hint::black_box;

const SECRET: &str = "whsec_1234567890abcdef";

fn body(len: usize) -> Vec<u8> {
    (0..len).map(|i| b"{\"nfeChave\":\"35\"}"[i % 17]).collect()
}

fn verify_sizes(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    let verifier = Verifier::new(SECRET).unwrap();
    for len in [256, 1024, 4096, 65_536] {
        let body = body(len);
        let header = sign(SECRET, &body);
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_with_input(BenchmarkId::new("plain", len), &body, |b, body| {
            b.iter(|| verify(black_box(SECRET), black_box(body), black_box(&header)));
        });
        group.bench_with_input(BenchmarkId::new("keyed", len), &body, |b, body| {
            b.iter(|| verifier.verify(black_box(body), black_box(&header)));
        });
    }
    group.finish();
}

fn chave_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("chave");
    group.bench_function("parse", |b| {
        b.iter(|| ChaveAcesso::parse(black_box("52060433009911002506550120000007800267301615")));
    });
    group.bench_function("parse_grouped", |b| {
        b.iter(|| {
            ChaveAcesso::parse(black_box(
                "5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615",
            ))
        });
    });
    group.finish();
}

criterion_group!(benches, verify_sizes, chave_parse);
criterion_main!(benches);
