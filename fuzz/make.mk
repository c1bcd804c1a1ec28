# Fuzzing with cargo-fuzz (libFuzzer). `make fuzz` runs each target for FUZZ_SECONDS;
# `make test` runs a short smoke of each; `make fuzz-long` runs each to FUZZ_LONG_RUNS executions
# (or FUZZ_LONG_CAP seconds), minimises its corpus and writes the table of BENCHMARKS.md.
FUZZ_TARGETS := signature_header chave_parse documents verify_event sandbox_bodies import_parse
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 20
# cargo-fuzz needs nightly flags (-Z sanitizer); the machine has only stable Rust.
FUZZ_ENV := RUSTC_BOOTSTRAP=1

# Each target stops at 10 million executions or FUZZ_LONG_CAP seconds, whichever comes first
# (import_parse, whose inputs are whole files, has an hour: fuzz/long.py), so the six take at
# most two hours; the table says which targets reached 10 million.
FUZZ_LONG_RUNS ?= 10000000
FUZZ_LONG_CAP ?= 600

.PHONY: fuzz fuzz-smoke fuzz-setup fuzz-long
TEST_STEPS += fuzz-smoke

fuzz-setup:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	python3 fuzz/seed.py

# Each run's whole output goes to fuzz/logs/<target>.log; a failure (a build error, a crash) shows
# its last lines rather than only the summary filter's.
fuzz-smoke: fuzz-setup
	@mkdir -p fuzz/logs
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  if ! $(FUZZ_ENV) cargo fuzz run $$t corpus/$$t -- -max_total_time=$(FUZZ_SMOKE_SECONDS) -print_final_stats=1 \
	      > logs/$$t.log 2>&1; then \
	    tail -n 40 logs/$$t.log | sed "s/^/[$$t] /"; exit 1; \
	  fi; \
	  grep -E '^(stat::number_of_executed_units|stat::peak_rss|Done)' logs/$$t.log | sed "s/^/[$$t] /"; \
	done

fuzz: fuzz-setup
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  $(FUZZ_ENV) cargo fuzz run $$t corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 2>&1 \
	    | grep -E '^(stat::number_of_executed_units|#[0-9]+ *DONE|==|SUMMARY|Done)' | sed "s/^/[$$t] /"; \
	done

fuzz-long: fuzz-setup
	FUZZ_TARGETS="$(FUZZ_TARGETS)" FUZZ_LONG_RUNS=$(FUZZ_LONG_RUNS) FUZZ_LONG_CAP=$(FUZZ_LONG_CAP) nice -n 19 python3 fuzz/long.py
