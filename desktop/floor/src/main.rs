//! A blank Tauri 2 window with one element: the floor of the desktop stack (WebKitGTK, Tauri's
//! runtime, the IPC) that `make figures-desktop` measures beside the app, so the app's start and
//! memory are reported as what it adds to the floor. It prints the same startup line as the app
//! (`first paint N ms after start`) when its page has painted.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
#![forbid(unsafe_code)]

use std::time::Instant;

/// When `main` began, the zero of the reported time.
struct Started(Instant);

/// Called by the page once its first frame is painted.
#[tauri::command]
fn first_paint(started: tauri::State<'_, Started>) {
    eprintln!(
        "nfehook-floor: first paint {} ms after start",
        started.0.elapsed().as_millis()
    );
}

fn main() {
    let started = Started(Instant::now());
    tauri::Builder::default()
        .manage(started)
        .invoke_handler(tauri::generate_handler![first_paint])
        .run(tauri::generate_context!())
        .expect("the floor window could not start");
}
