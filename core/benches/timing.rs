//! Dudect-style timing report: does `verify`'s time depend on where the first wrong byte of the
//! signature is? Two classes of headers, wrong at the first byte or at the last, are measured in
//! random interleaved order; Welch's t-test compares the classes. |t| below 4.5 is the usual
//! "no leak detected" threshold. A report, not an assertion: run with `make bench`.

use std::hint::black_box;
use std::time::Instant;

use nfehook_core::Verifier;

const SAMPLES: usize = 200_000;

/// Welford running mean and variance.
#[derive(Default)]
struct Stats {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Stats {
    fn push(&mut self, x: f64) {
        self.n += 1.0;
        let delta = x - self.mean;
        self.mean += delta / self.n;
        self.m2 += delta * (x - self.mean);
    }

    fn variance(&self) -> f64 {
        self.m2 / (self.n - 1.0)
    }
}

fn welch_t(a: &Stats, b: &Stats) -> f64 {
    (a.mean - b.mean) / (a.variance() / a.n + b.variance() / b.n).sqrt()
}

fn header_with_wrong_byte(mac: [u8; 32], index: usize) -> String {
    let mut mac = mac;
    mac[index] ^= 0x01;
    format!("sha256={}", base16ct::lower::encode_string(&mac))
}

fn main() {
    let verifier = Verifier::new("whsec_1234567890abcdef").unwrap();
    let body =
        br#"{"id":"delivery-uuid","event":"nfe.processada","timestamp":"2024-03-10T16:45:30Z"}"#;
    let mac = verifier.mac(body);
    let classes = [
        header_with_wrong_byte(mac, 0),
        header_with_wrong_byte(mac, 31),
    ];
    let mut stats = [Stats::default(), Stats::default()];
    // xorshift: the class order must not be predictable by the branch predictor.
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..SAMPLES {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let class = usize::from(rng & 1 == 1);
        let start = Instant::now();
        let result = verifier.verify(black_box(body), black_box(&classes[class]));
        let elapsed = start.elapsed().as_secs_f64() * 1e9;
        black_box(result).unwrap_err();
        // Drop the slowest outliers (interrupts, preemption), as dudect does with percentiles.
        if elapsed < 20_000.0 {
            stats[class].push(elapsed);
        }
    }
    let t = welch_t(&stats[0], &stats[1]);
    println!("timing: verify with the first wrong byte at 0 vs 31, {SAMPLES} samples");
    println!(
        "  mean ns: first byte {:.1}, last byte {:.1}; Welch t = {t:.2} ({})",
        stats[0].mean,
        stats[1].mean,
        if t.abs() < 4.5 {
            "no leak detected, |t| < 4.5"
        } else {
            "POSSIBLE LEAK, |t| >= 4.5"
        }
    );
}
