# Cross-part proof (tests/, crate nfehook-tests): the sandbox's OpenAPI contract under
# schemathesis, the end-to-end run (sandbox binary + nfehook-client + a Node receiver on the
# packed npm package), and the published benchmarks. Included by the root Makefile.

SANDBOX_BIN_DEBUG := target/debug/nfehook-sandbox

.PHONY: test-contract
TEST_STEPS += test-contract

## schemathesis (PyPI, installed into ~/.cache/nfehook) against the sandbox binary on
## 127.0.0.1: no 5xx, every status documented, every body matching its schema. The OpenAPI
## document itself is checked against the router by `cargo test -p nfehook-tests --test contract`.
test-contract:
	scripts/setup.sh rust
	$(CARGO) build -p nfehook-sandbox --bin nfehook-sandbox
	tests/contract/schemathesis.sh $(SANDBOX_BIN_DEBUG)
