#!/usr/bin/env bash
# The terminal demo `make run` gives where there is no display: `nfehook listen --sandbox`
# (a receiver with its own in-memory sandbox subscribed to it), three events triggered through
# the sandbox, the verified deliveries printed, then a clean exit.
set -euo pipefail

bin=${NFEHOOK_BIN:-target/debug/nfehook}
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    # The listener runs in its own session: end its whole group.
    kill -TERM -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Waits up to $2 seconds until file $1 matches the extended regex $3.
wait_for() {
  local deadline=$((SECONDS + $2))
  until grep -Eq "$3" "$1"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "demo: timed out waiting for $3 in $1:" >&2
      cat "$1" >&2
      exit 1
    fi
    sleep 0.1
  done
}

echo "\$ nfehook listen --port 0 --sandbox"
setsid "$bin" listen --port 0 --sandbox >"$work/out" 2>"$work/err" &
pid=$!
wait_for "$work/err" 20 'listening on http://'
cat "$work/err"
sandbox=$(grep -Eo 'sandbox on http://[0-9.:]+' "$work/err" | head -1 | cut -d' ' -f3)
key=$(grep -Eo 'API key [^ )]+' "$work/err" | head -1 | cut -d' ' -f3)

for event in nfe.processada nfe.cancelada nfe.consulta.concluida; do
  echo "\$ nfehook trigger $event --sandbox $sandbox --api-key …"
  "$bin" trigger "$event" --sandbox "$sandbox" --api-key "$key"
done

echo
echo "the listener received, verified and answered:"
deadline=$((SECONDS + 30))
until [ "$(wc -l <"$work/out")" -ge 3 ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "demo: the three deliveries did not all arrive:" >&2
    cat "$work/out" "$work/err" >&2
    exit 1
  fi
  sleep 0.1
done
cat "$work/out"
kill -TERM -- "-$pid"
wait "$pid"
pid=

echo
echo "No display here, so this was the terminal demo of nfehook (cli/README.md)."
echo "On a machine with a display, 'make run' opens the desktop app ('make run-desktop' always does)."
