#!/usr/bin/env bash
# Runs schemathesis against the sandbox binary on 127.0.0.1, using the OpenAPI document the
# sandbox serves. Fails on any 5xx, undocumented status, wrong content type, missing documented
# header or body that does not match its schema.
#
# The sandbox and schemathesis run in a private network namespace holding only loopback
# (`unshare -n`), so deliveries to whatever URLs schemathesis invents cannot leave the machine.
#
# Usage: tests/contract/schemathesis.sh SANDBOX_BINARY
# Env: SCHEMATHESIS_EXAMPLES (default 150 per operation and phase).
set -euo pipefail

bin=${1:?usage: $0 SANDBOX_BINARY}
bin=$(realpath "$bin")
root=$(cd "$(dirname "$0")/../.." && pwd)
version=4.32.5
venv=${NFEHOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfehook}/schemathesis-$version
examples=${SCHEMATHESIS_EXAMPLES:-150}


if [[ ! -x $venv/bin/schemathesis ]]; then
  echo "installing schemathesis $version into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

out=$root/target/contract
mkdir -p "$out"
key=sbx_contract_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')

run() {
  set -euo pipefail
  ip link set lo up
  port=18787
  "$bin" --in-memory --listen "127.0.0.1:$port" --api-key "$key" --max-attempts 2 \
    --backoff-ms 200 --timeout-ms 1000 --log info >"$out/sandbox.stdout" 2>"$out/sandbox.log" &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for _ in $(seq 100); do
    grep -q "listening on" "$out/sandbox.stdout" 2>/dev/null && break
    sleep 0.1
  done
  grep -q "listening on" "$out/sandbox.stdout"
  status=0
  # One worker: Hypothesis's lambda-source cache is not thread-safe, and with two workers it
  # crashes inside CPython's ast module ("AST constructor recursion depth mismatch", then
  # KeyErrors), a failure of the tool that says nothing about the sandbox.
  "$venv/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
    --header "X-API-KEY: $key" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "$examples" --workers 1 \
    --request-timeout 10 --seed 7 --no-color \
    --report junit --report-dir "$out" || status=$?
  kill $pid
  wait $pid || true
  if grep -Ei "panicked|internal error" "$out/sandbox.log"; then
    echo "the sandbox logged an internal error or a panic during the contract run" >&2
    status=1
  fi
  if grep -F "$key" "$out/sandbox.log"; then
    echo "the API key appears in the sandbox log" >&2
    status=1
  fi
  exit $status
}
export -f run
export bin key out venv examples
if unshare -n true 2>/dev/null; then
  unshare -n bash -c run
else
  echo "cannot create a network namespace (unshare -n needs root); the contract run needs one" >&2
  exit 1
fi
