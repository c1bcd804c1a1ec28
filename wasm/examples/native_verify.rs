//! Native baseline for `wasm/bench/verify.mjs`: prints the nanoseconds one
//! `Verifier::verify` of a body of the given size takes on the host. The benchmark builds it
//! with `--cfg sha2_backend="soft"`, so both sides run software SHA-256.
//!
//! `cargo run --release -p nfehook-wasm --example native_verify -- 65536`

use std::hint::black_box;
use std::time::{Duration, Instant};

use nfehook_core::Verifier;

fn main() {
    let size = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(65_536);
    let body = vec![b'x'; size];
    let verifier = Verifier::new("whsec_1234567890abcdef").unwrap();
    let header = verifier.sign(&body);
    assert!(verifier.verify(&body, &header).is_ok());

    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let start = Instant::now();
        let mut runs = 0u32;
        while start.elapsed() < Duration::from_millis(400) {
            for _ in 0..16 {
                black_box(verifier.verify(black_box(&body), black_box(&header))).ok();
            }
            runs += 16;
        }
        best = best.min(start.elapsed().as_secs_f64() * 1e9 / f64::from(runs));
    }
    println!("{best:.0}");
}
