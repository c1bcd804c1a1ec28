# The command line (cli/, binary `nfehook`). Included by the root Makefile; its tests run in
# the workspace's `cargo test`.

.PHONY: demo-cli

## A terminal demo of the whole flow: a listener with its own sandbox, three events, the
## verified deliveries, a clean exit. `make run` runs it where there is no display.
demo-cli:
	scripts/setup.sh rust
	$(CARGO) build --quiet -p nfehook-cli
	NFEHOOK_BIN=$(CURDIR)/target/debug/nfehook cli/demo.sh
