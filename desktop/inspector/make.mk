# nfehook-inspector (desktop/inspector). Its Rust tests run with the workspace (`make test`);
# one of them replays a recorded request with the curl binary, installed here.
.PHONY: setup-inspector

SETUP_STEPS += setup-inspector

setup-inspector:
	scripts/setup.sh apt curl
