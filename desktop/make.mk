# The desktop app (Tauri v2): desktop/app (Svelte 5 + Vite + TypeScript) and
# desktop/src-tauri (crate nfehook-desktop). Included by the root Makefile.

# What compiling the Tauri crate needs (WebKitGTK 4.1 and friends). Every cargo build of the
# workspace compiles it, so the root `lint` and `test-rust` depend on this through SETUP_STEPS.
DESKTOP_BUILD_APT := libwebkit2gtk-4.1-dev build-essential libssl-dev libayatana-appindicator3-dev \
  librsvg2-dev libxdo-dev pkg-config file
# What the end-to-end tests need: a virtual display, screenshots, Debian's WebKitWebDriver.
DESKTOP_E2E_APT := xvfb xauth x11-utils xdotool imagemagick webkit2gtk-driver
TAURI_DRIVER_VERSION := 2.1.0
DESKTOP_BIN_DEBUG := target/debug/nfehook-desktop

.PHONY: setup-desktop desktop-ui run-desktop test-desktop screenshots figures-desktop

# Where there is no display (a server, CI), `make run` is the command line's terminal demo
# (cli/make.mk) instead of a window that cannot open.
RUN_TARGET := $(if $(DISPLAY)$(WAYLAND_DISPLAY),run-desktop,demo-cli)
SETUP_STEPS += setup-desktop
TEST_STEPS += test-desktop

setup-desktop:
	scripts/setup.sh apt $(DESKTOP_BUILD_APT)

## The frontend bundle the Tauri binary embeds (desktop/app/dist).
desktop-ui:
	scripts/setup.sh node desktop/app
	npm --prefix desktop/app run build

## Builds the release app (profile `desktop`: release optimised for size) and starts it (opens
## on the embedded sandbox).
run-desktop: setup-desktop desktop-ui
	scripts/setup.sh rust
	$(CARGO) build --profile desktop -p nfehook-desktop
	target/desktop/nfehook-desktop

## Vitest + type check, the bundle, the debug binary, then WebDriver end to end under Xvfb.
test-desktop: setup-desktop
	scripts/setup.sh apt $(DESKTOP_E2E_APT)
	scripts/setup.sh node desktop/app
	npm --prefix desktop/app run check
	npm --prefix desktop/app test
	npm --prefix desktop/app run build
	$(DEBUG_BINS)
	command -v tauri-driver >/dev/null || $(CARGO) install tauri-driver --locked --version $(TAURI_DRIVER_VERSION)
	NFEHOOK_DESKTOP_BIN=$(CURDIR)/$(DESKTOP_BIN_DEBUG) NFEHOOK_SANDBOX_BIN=$(CURDIR)/target/debug/nfehook-sandbox \
	  xvfb-run -a -s "-screen 0 1280x800x24" npm --prefix desktop/app run e2e

## The WebDriver screenshot tour alone (every section and tab, light and dark, pt-BR and English,
## into target/desktop-e2e/screenshots), then the two the README shows copied to docs/screenshots.
## `make test` never rewrites the committed ones; only this target does.
screenshots: setup-desktop
	scripts/setup.sh apt $(DESKTOP_E2E_APT)
	scripts/setup.sh node desktop/app
	npm --prefix desktop/app run build
	$(DEBUG_BINS)
	command -v tauri-driver >/dev/null || $(CARGO) install tauri-driver --locked --version $(TAURI_DRIVER_VERSION)
	cd desktop/app && NFEHOOK_DESKTOP_BIN=$(CURDIR)/$(DESKTOP_BIN_DEBUG) NFEHOOK_SANDBOX_BIN=$(CURDIR)/target/debug/nfehook-sandbox \
	  xvfb-run -a -s "-screen 0 1280x800x24" node --test --test-concurrency=1 \
	  --test-name-pattern="screenshots of every main view" e2e/app.test.mjs
	mkdir -p docs/screenshots
	cp target/desktop-e2e/screenshots/subscriptions-overview-pt-BR-light.png docs/screenshots/subscriptions-pt-BR-light.png
	cp target/desktop-e2e/screenshots/inspector-en-dark.png docs/screenshots/inspector-en-dark.png

## The app beside a blank Tauri window (desktop/floor): release size, cold and warm start to first
## paint, idle memory, the startup trace, the 10,000-row list (not a test). Writes
## target/figures-desktop/report.json; `python3 tests/bench/bench.py --only desktop` puts it in
## BENCHMARKS.md.
figures-desktop: setup-desktop desktop-ui
	scripts/setup.sh apt $(DESKTOP_E2E_APT)
	desktop/scripts/figures.sh
