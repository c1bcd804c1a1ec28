#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod documents;
pub mod event;
pub mod fields;
pub mod nfeio;
pub mod outcome;
pub mod receiver;
pub mod scratch;

use wasm_bindgen::prelude::{JsValue, wasm_bindgen};

/// The module's `WebAssembly.Memory`, so JavaScript can write inputs into the
/// [scratch buffer](scratch) directly.
#[wasm_bindgen(js_name = linearMemory)]
#[must_use]
pub fn linear_memory() -> JsValue {
    wasm_bindgen::memory()
}
