# NFeHook — every job of the project. `make run` and `make test` are the two entry points.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
# The debug binaries the end-to-end suites start (the sandbox, the app) come from the units of
# `cargo test --workspace --all-targets`: a build of one package alone resolves its dependencies'
# features anew and compiles them again (on a fresh clone, 6 of make test's minutes went there).
# So these binaries carry the features the dev-dependencies add (tokio's test-util and
# multi-threaded runtime, tauri's test feature): present, unused by the binaries' code.
DEBUG_BINS = $(CARGO) build --workspace --all-targets

# Each part adds its own targets in a `*.mk` fragment beside its code and appends
# them to TEST_STEPS / BENCH_STEPS / SETUP_STEPS; the desktop fragment sets RUN_TARGET.
TEST_STEPS :=
BENCH_STEPS :=
# System set-up every cargo build of the workspace needs (e.g. WebKitGTK for the Tauri crate).
SETUP_STEPS :=

.PHONY: run test lint test-rust test-nostd bench demo
.DEFAULT_GOAL := run

include $(sort $(wildcard */make.mk desktop/*/make.mk))

## The main job: the desktop app once its fragment sets RUN_TARGET, else a demo of the core.
RUN_TARGET ?= demo
run: $(RUN_TARGET)

demo:
	scripts/setup.sh rust
	$(CARGO) run --quiet --release -p nfehook-core --example demo

## Every test of every part.
test: lint test-nostd test-rust $(TEST_STEPS)
	@[ "$$($(TREE_STATE))" = "$(TREE_BEFORE)" ] || { \
	  echo "make test: the tests changed tracked files (a rewritten lock file?):"; \
	  git status --porcelain --untracked-files=no; exit 1; }
	@echo "make test: all suites passed"

# The tests leave the work tree as they found it: the tracked files' state (which are changed and
# how) is taken when make starts, before any recipe runs, and compared once every suite is done.
# Untracked build output (target/, node_modules/) is kept out of it by .gitignore.
TREE_STATE := { git status --porcelain --untracked-files=no; git diff HEAD; } 2>/dev/null | sha1sum
TREE_BEFORE := $(shell $(TREE_STATE))

lint: $(SETUP_STEPS)
	scripts/setup.sh rust
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust: $(SETUP_STEPS)
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

## Proof that the core builds with no `std`.
test-nostd:
	scripts/setup.sh rust
	$(CARGO) build -p nfehook-core --target thumbv7em-none-eabihf --no-default-features

bench: $(BENCH_STEPS)
	$(CARGO) bench -p nfehook-core --bench timing
