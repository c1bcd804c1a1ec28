#!/usr/bin/env bash
# Figures of the desktop app beside the floor of its stack (a blank Tauri window, desktop/floor):
# release binary size, cold and warm spawn to first paint, idle memory, the app's startup trace,
# and the list with 10,000 subscriptions. A measurement, not a test. Writes
# target/figures-desktop/report.json (tests/bench/bench.py turns it into BENCHMARKS.md's table).
# Usage (from the repo root): make figures-desktop. FIGURES_ROWS, FIGURES_COLD_RUNS,
# FIGURES_WARM_RUNS and FIGURES_REFRESHES override 10000 / 3 / 5 / 5.
set -euo pipefail
cd "$(dirname "$0")/../.."
# One build of all three: Tauri is compiled once, with the same features for the app and the floor.
cargo build --profile desktop -p nfehook-desktop -p nfehook-floor -p nfehook-sandbox
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --version 2.1.0
scripts/setup.sh node desktop/app
NFEHOOK_DESKTOP_BIN="$PWD/target/desktop/nfehook-desktop" NFEHOOK_FLOOR_BIN="$PWD/target/desktop/nfehook-floor" \
  NFEHOOK_SANDBOX_BIN="$PWD/target/desktop/nfehook-sandbox" \
  xvfb-run -a -s "-screen 0 1280x800x24" node desktop/app/scripts/figures.mjs
