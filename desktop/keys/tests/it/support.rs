//! Keys for tests and the shared vectors.

use std::path::PathBuf;

use nfehook_core::chave::check_digit;

/// A valid key of model 55, numbered `n` (distinct `n`, distinct keys).
pub fn key(n: u32) -> String {
    let first = format!("5206043300991100250655012{n:09}112345678");
    let dv = check_digit(first.as_bytes());
    format!("{first}{dv}")
}

/// The same key in the DANFE's grouped form.
pub fn grouped(key: &str) -> String {
    key.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn vectors(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
