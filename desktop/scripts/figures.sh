#!/usr/bin/env bash
# Figures of the desktop app: release binary size, cold start to first paint, idle memory,
# list rendering with 10,000 subscriptions in the sandbox. A measurement, not a test.
# Usage (from the repo root): make figures-desktop   (or desktop/scripts/figures.sh after
# `cargo build --release -p nfehook-desktop`). FIGURES_ROWS and FIGURES_RUNS override 10000 / 3.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p nfehook-sandbox
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --version 2.1.0
scripts/setup.sh node desktop/app
xvfb-run -a -s "-screen 0 1280x800x24" node desktop/app/scripts/figures.mjs
