#!/usr/bin/env bash
# What a flood of requests without a valid signature costs `listen --record`:
# bytes added to the record and to stdout, and the peak RSS, for one minute of
# wrk (Debian: apt-get install wrk) posting unsigned requests with a 30 KiB
# path and 1 KiB header values as fast as it can, 2 threads, 16 connections:
#
#     scripts/bench-listen-flood.sh                      # the debug binary, 60 s
#     BIN=target/release/whereby-webhooks BEFORE_BIN=old/whereby-webhooks SECONDS_PER_RUN=60 scripts/bench-listen-flood.sh
#
# With BEFORE_BIN, that binary is measured too, in the same run. Writes into
# target/bench-listen-flood/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
seconds=${SECONDS_PER_RUN:-60}
target=${CARGO_TARGET_DIR:-target}
bin=${BIN:-$target/debug/whereby-webhooks}
out=$target/bench-listen-flood
mkdir -p "$out"
command -v wrk > /dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
[ -x "$bin" ] || cargo build --quiet -p whereby-webhooks

cat > "$out/flood.lua" <<'LUA'
wrk.method = "POST"
wrk.path = "/" .. string.rep("p", 30 * 1024)
wrk.headers["User-Agent"] = string.rep("u", 1024)
wrk.headers["X-Request-Id"] = string.rep("r", 1024)
wrk.headers["Content-Type"] = "application/json"
wrk.body = "{}"
LUA

# A long random secret; nothing here is signed with it.
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

measure() {
  local name=$1 binary=$2
  local record=$out/$name.record.ndjson stdout=$out/$name.stdout
  rm -f "$record" "$stdout"
  WHEREBY_WEBHOOK_SECRET=$secret "$binary" listen --addr 127.0.0.1:0 --record "$record" \
    > "$stdout" 2> "$out/$name.stderr" &
  local pid=$!
  local url=""
  for _ in $(seq 1 300); do
    url=$(head -1 "$stdout" 2> /dev/null | sed -n 's/^listening on //p')
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "$name: listen did not start" >&2; cat "$out/$name.stderr" >&2; exit 1; }
  local first
  first=$(stat -c %s "$stdout")
  wrk -t2 -c16 -d"${seconds}s" -s "$out/flood.lua" "$url" > "$out/$name.wrk"
  local peak
  peak=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
  kill -TERM "$pid"
  wait "$pid" || true
  local requests record_bytes stdout_bytes
  requests=$(awk '/requests in/ { print $1 }' "$out/$name.wrk")
  record_bytes=$(stat -c %s "$record")
  stdout_bytes=$(( $(stat -c %s "$stdout") - first ))
  awk -v name="$name" -v s="$seconds" -v n="$requests" -v r="$record_bytes" -v o="$stdout_bytes" -v p="$peak" 'BEGIN {
    m = 60 / s
    printf "| %s | %d | %.0f | %.2f MiB | %.2f MiB | %.2f MiB | %.0f MiB |\n", name, s, n / s, r * m / 1048576, o * m / 1048576, (r + o) * m / 1048576, p / 1024
  }'
}

echo "| binary | seconds | requests/s | record per minute | stdout per minute | together per minute | peak RSS |"
echo "|---|---|---|---|---|---|---|"
if [ -n "${BEFORE_BIN:-}" ]; then
  measure before "$BEFORE_BIN"
fi
measure after "$bin"
