#!/usr/bin/env bash
# Installs what the build and the tests need, skipping what is already there.
# Usage: scripts/setup.sh [rust] [wasm] [node DIR...] [apt PKG...]
set -euo pipefail

need_rust_target() {
  rustup target list --installed | grep -qx "$1" || rustup target add "$1"
}

need_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# The wasm-bindgen CLI must match the `wasm-bindgen` crate version exactly.
WASM_BINDGEN_VERSION=0.2.130

need_wasm_bindgen() {
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
    # Not --locked: the CLI's own lock file pins a webpki-roots release the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

# `npm ci` installs exactly what the committed lock file names and never rewrites it, so a set-up
# leaves the work tree as it found it; a lock out of step with package.json is an error here.
need_node_modules() {
  local dir=$1
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ] \
    || [ "$dir/package.json" -nt "$dir/node_modules" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$dir/node_modules"
  fi
}

while [ $# -gt 0 ]; do
  case "$1" in
    rust) need_rust_target thumbv7em-none-eabihf ;;
    wasm) need_rust_target wasm32-unknown-unknown; need_wasm_bindgen ;;
    node) shift; need_node_modules "$1" ;;
    apt) shift; need_apt "$@"; break ;;
    *) echo "setup: unknown step $1" >&2; exit 2 ;;
  esac
  shift
done
