//! Build script: Tauri's context (config, the one-element page) for the blank window.

fn main() {
    tauri_build::build();
}
