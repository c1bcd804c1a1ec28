# Cross-part proof (tests/, crate nfehook-tests): the sandbox's OpenAPI contract under
# schemathesis, the end-to-end run (sandbox binary + nfehook-client + a Node receiver on the
# packed npm package), many Node receivers sharing one Redis guard, and the published
# benchmarks. Included by the root Makefile.

SANDBOX_BIN_DEBUG := target/debug/nfehook-sandbox

.PHONY: test-contract
TEST_STEPS += test-contract

## schemathesis (PyPI, installed into ~/.cache/nfehook) against the sandbox binary on
## 127.0.0.1: no 5xx, every status documented, every body matching its schema. The OpenAPI
## document itself is checked against the router by `cargo test -p nfehook-tests --test contract`.
test-contract: $(SETUP_STEPS)
	scripts/setup.sh rust
	$(DEBUG_BINS)
	tests/contract/schemathesis.sh $(SANDBOX_BIN_DEBUG)

.PHONY: test-e2e
TEST_STEPS += test-e2e

## The sandbox binary delivering to a Node Express receiver that uses the `nfehook` tarball
## from `npm pack` (built by the wasm fragment's `npm`), subscriptions made with nfehook-client;
## then no log line or error of the run may hold the API key or a secret. Logs: target/e2e/logs.
test-e2e: npm $(SETUP_STEPS)
	scripts/setup.sh rust
	$(DEBUG_BINS)
	tests/e2e/install.sh
	# The suite is not an --all-targets target (it needs the npm package), so lint it here.
	$(CARGO) clippy -p nfehook-tests --test e2e -- -D warnings
	NFEHOOK_SANDBOX_BIN=$(CURDIR)/$(SANDBOX_BIN_DEBUG) NFEHOOK_E2E_RECEIVER=$(CURDIR)/target/e2e/receiver \
	  $(CARGO) test -p nfehook-tests --test e2e -- --nocapture

.PHONY: test-receivers
TEST_STEPS += test-receivers

## Many receivers, one guard: four Node receiver processes sharing one redis-server, 1,000
## events sent to several at once, failing handlers and a receiver killed mid-handler; the
## figures land in target/receivers/figures.json (BENCHMARKS.md quotes them). Logs:
## target/receivers/logs.
test-receivers: npm
	scripts/setup.sh apt redis-server
	node --test tests/receivers/*.test.mjs

.PHONY: bench-report
BENCH_STEPS += bench-report

## BENCHMARKS.md at the root, from one run: the core's criterion figures next to software
## SHA-256 and OpenSSL, the npm package against its peers, the sandbox's HTTP and delivery
## throughput, the desktop's figures. BENCH_QUICK=1 for short runs, BENCH_DESKTOP=0 to skip the
## desktop. Logs of the processes it starts: target/bench/.
bench-report: npm
	scripts/setup.sh rust
	scripts/setup.sh apt wrk openssl redis-server
	tests/e2e/install.sh
	python3 tests/bench/bench.py
