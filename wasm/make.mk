# npm package `nfehook` (wasm/): `make npm` builds it into wasm/pkg/, `make test-npm` builds and
# runs its node tests, `make bench-npm` prints its benchmark against Node's crypto and peers.

NPM_OUT := wasm/pkg
NPM_GEN := target/nfehook-npm
NPM_WASM := target/wasm32-unknown-unknown/release/nfehook_wasm.wasm

.PHONY: npm test-npm bench-npm
TEST_STEPS += test-npm
# `make bench` reaches bench-npm through tests/bench/bench.py (BENCHMARKS.md), so it is not
# a BENCH_STEPS of its own.

# The module is built with SIMD, for sha2's simd128 backend (every engine of Node >= 16.4,
# Workers, Deno and Bun has it), and unstripped, because wasm-bindgen reads its
# `target_features` section (wasm-opt strips it later). Both targets of wasm-bindgen write the
# same .wasm; wasm/build/assemble.mjs checks that, optimises it once and writes the package.
npm:
	scripts/setup.sh wasm node wasm
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128" \
	  CARGO_PROFILE_RELEASE_STRIP=false \
	  $(CARGO) build --release --target wasm32-unknown-unknown -p nfehook-wasm
	rm -rf $(NPM_GEN)
	wasm-bindgen --target nodejs --out-name nfehook --out-dir $(NPM_GEN)/node $(NPM_WASM)
	wasm-bindgen --target web --out-name nfehook --out-dir $(NPM_GEN)/web $(NPM_WASM)
	node wasm/build/assemble.mjs $(NPM_GEN) $(NPM_OUT)

# The Redis store's tests start a real redis-server (Debian's package) on 127.0.0.1.
test-npm: npm
	scripts/setup.sh apt redis-server
	node --test wasm/test/*.test.mjs

bench-npm: npm
	node wasm/bench/verify.mjs
