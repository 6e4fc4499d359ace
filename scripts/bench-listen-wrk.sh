#!/usr/bin/env bash
# Requests per second and latency of `whereby-webhooks listen`, measured with
# an external load generator (wrk, from Debian: apt-get install wrk), next to
# a bare tokio + hyper server on the same machine (the bare server of
# crates/cli/benches/listen.rs), all on 127.0.0.1 with 16 connections:
#
#     scripts/bench-listen-wrk.sh            # 10 s per configuration
#     SECONDS_PER_RUN=30 scripts/bench-listen-wrk.sh
#
# Configurations: bare; listen (verify + validate + a stdout line, stdout to a
# file); listen --record; listen --record --fsync. Each posts the same signed
# ~500-byte room.client.joined delivery. With BEFORE_BIN=path/to/an/older/
# whereby-webhooks, that binary's listen and listen --record run too, in the
# same run, for a before/after comparison; ROUNDS=2 repeats everything. wrk, the server and its output thread
# share the machine's cores, so on a small machine the numbers are noisy.
# With PIN=1, each server runs on the last core alone and wrk (one thread) on
# the others (taskset), so that the two do not compete for a core and its
# caches. Each configuration also prints the CPU time the server spent per
# request it answered (user + system, from /proc/<pid>/stat).
# Writes into target/bench-listen/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
seconds=${SECONDS_PER_RUN:-10}
target=${CARGO_TARGET_DIR:-target}
out=$target/bench-listen
bin=$target/release/whereby-webhooks
mkdir -p "$out"
command -v wrk > /dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
# Builds the binary (optimised, bench profile) and the bare server, unless
# BARE_BIN names an already built bare server.
bare_bin=${BARE_BIN:-}
[ -n "$bare_bin" ] || bare_bin=$(cargo bench --locked -p whereby-webhooks --bench listen --no-run 2>&1 \
  | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -1)

export WHEREBY_WEBHOOK_SECRET=bench-signing-secret
"$bin" examples room.client.joined | head -1 | tr -d '\n' > "$out/body.json"
cat > "$out/post.lua" <<LUA
local file = io.open("$out/body.json", "rb")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Whereby-Signature"] = "$("$bin" sign --body "$out/body.json")"
LUA

# With PIN=1: the server on the last core, wrk with one thread on the others.
server_on=()
load_on=()
threads=2
if [ "${PIN:-0}" = 1 ]; then
  last=$(($(nproc) - 1))
  [ "$last" -ge 1 ] || { echo "PIN=1 needs two cores or more" >&2; exit 2; }
  server_on=(taskset -c "$last")
  load_on=(taskset -c "0-$((last - 1))")
  threads=1
fi

# The CPU time (user + system, in clock ticks) process $1 has used.
ticks() {
  # Fields after the command name, which is in parentheses and may hold spaces.
  sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

# Starts "$@" with stdout to $out/stdout, prints its port once it listens.
start() {
  rm -f "$out/stdout"
  "${server_on[@]}" "$@" > "$out/stdout" 2> "$out/stderr" &
  server=$!
  for _ in $(seq 100); do
    port=$(head -1 "$out/stdout" 2> /dev/null | sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p')
    [ -n "$port" ] && return
    sleep 0.1
  done
  echo "the server did not start: $(cat "$out/stderr")" >&2
  exit 2
}

run() {
  local name=$1
  shift
  # Each configuration starts with an empty record file and nothing left to
  # write back from the one before (else the first --fsync flushes it).
  rm -f "$out/record.ndjson"
  sync
  # Signed afresh for each configuration: the default tolerance is 5 minutes.
  sed -i "s/\"Whereby-Signature\"\] = \".*\"/\"Whereby-Signature\"] = \"$("$bin" sign --body "$out/body.json")\"/" "$out/post.lua"
  start "$@"
  "${load_on[@]}" wrk -t"$threads" -c16 -d1s -s "$out/post.lua" "http://127.0.0.1:$port/" > /dev/null
  echo "== $name"
  local before
  before=$(ticks "$server")
  "${load_on[@]}" wrk -t"$threads" -c16 -d"${seconds}s" --latency -s "$out/post.lua" \
    "http://127.0.0.1:$port/" > "$out/wrk.txt"
  local used=$(($(ticks "$server") - before))
  grep -E 'Requests/sec|Non-2xx|99%|50%|requests in|Socket errors' "$out/wrk.txt"
  local requests
  requests=$(awk '/requests in/ {print $1}' "$out/wrk.txt")
  awk -v t="$used" -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN {printf "  CPU per request: %.1f us\n", t / hz * 1e6 / n}'
  kill -TERM "$server"
  wait "$server" || true
}

for round in $(seq "${ROUNDS:-1}"); do
  echo "== round $round"
  run "bare (reads body, answers 200)" env WHEREBY_BENCH_BARE_SERVER=1 "$bare_bin"
  if [ -n "${BEFORE_BIN:-}" ]; then
    run "before: listen" "$BEFORE_BIN" listen --addr 127.0.0.1:0
    run "before: listen --record" "$BEFORE_BIN" listen --addr 127.0.0.1:0 --record "$out/record.ndjson"
  fi
  run "listen" "$bin" listen --addr 127.0.0.1:0
  run "listen --record" "$bin" listen --addr 127.0.0.1:0 --record "$out/record.ndjson"
  run "listen --record --fsync" "$bin" listen --addr 127.0.0.1:0 --record "$out/record.ndjson" --fsync
done
