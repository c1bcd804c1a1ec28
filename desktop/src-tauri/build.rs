//! Build script: declares the app's own commands (so the ACL covers them), writes the
//! capability granting them and their TypeScript names from the one list, and makes sure the
//! frontend directory exists, so a fresh clone compiles before `vite build` has run.

use std::path::Path;

// Every app command, defined once (also compiled into the crate, whose tests check the handler
// list, this capability and the UI against it).
include!("src/command_names.rs");

/// Written only when `vite build` has not produced the real frontend yet: the app then shows
/// how to build it instead of failing to compile (`tauri::generate_context!` needs the dir).
const PLACEHOLDER: &str = "<!doctype html><html lang=\"pt-BR\"><meta charset=\"utf-8\"><title>NFeHook</title>\
<body><p>Interface não compilada: rode <code>make run-desktop</code>.</p></body></html>\n";

/// Writes `text` to `path` unless it already holds it (an unchanged file keeps its time, so
/// nothing rebuilds for it).
fn write_if_changed(path: &str, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).unwrap_or_else(|err| panic!("write {path}: {err}"));
    }
}

fn main() {
    println!("cargo:rerun-if-changed=src/command_names.rs");
    write_if_changed("capabilities/main.json", &capability_json());
    write_if_changed("../app/src/lib/commands.ts", &typescript());
    let dist = Path::new("../app/dist");
    if !dist.join("index.html").exists() {
        std::fs::create_dir_all(dist).expect("create desktop/app/dist");
        std::fs::write(dist.join("index.html"), PLACEHOLDER).expect("write placeholder index.html");
    }
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
