#!/usr/bin/env bash
# Installs the end-to-end receiver as a user would: `npm pack` of the built npm package
# (wasm/pkg, from `make npm`), then `npm install` of that tarball and Express into a fresh
# project under target/e2e/receiver. Prints nothing on success but npm's own output.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/target/e2e
pkg=$root/wasm/pkg
[[ -f $pkg/package.json ]] || { echo "install.sh: $pkg is missing; run make npm" >&2; exit 1; }

mkdir -p "$out"
rm -f "$out"/nfehook-*.tgz
tarball=$(cd "$out" && npm pack "$pkg" --silent)
rm -rf "$out/receiver"
mkdir -p "$out/receiver"
cp "$root/tests/e2e/package.json" "$root/tests/e2e/receiver.mjs" "$out/receiver/"
cd "$out/receiver"
npm install --no-audit --no-fund --loglevel=error "../$tarball"
node -e "import('nfehook').then(m => { if (typeof m.sign !== 'function') process.exit(1); })"
echo "e2e receiver installed with $tarball"
