#!/usr/bin/env bash
# The example receivers pass every `whereby-webhooks check-receiver` check
# and, started on a port in use, say so in one line and exit 2; and every
# signature snippet of docs/webhooks.md agrees with
# spec/test-vectors.json. Installs Go, Ruby, PHP (and Java 17 if missing)
# from Debian when they are absent.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# Debian bookworm's packages, pinned.
debian_packages=()
command -v go >/dev/null || debian_packages+=("golang-go=2:1.19~1")
command -v ruby >/dev/null || debian_packages+=("ruby=1:3.1")
command -v php >/dev/null || debian_packages+=("php-cli=2:8.2+93")
command -v javac >/dev/null || debian_packages+=("openjdk-17-jdk-headless")
if ((${#debian_packages[@]})); then
    step "installing ${debian_packages[*]} (Debian)"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${debian_packages[@]}" >/dev/null
fi

target="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --locked -p whereby-webhooks --bin whereby-webhooks --example receiver
cli="$target/debug/whereby-webhooks"

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

export WHEREBY_WEBHOOK_SECRET="ci-example-receiver-secret"

# start_receiver NAME COMMAND...: starts the receiver in the background with
# PORT=0 and sets `url` from the line it prints first, once it listens:
# `listening on URL`. Waits at most 30 s for that line, no sleep. Its other
# output goes to $work/NAME.out and $work/NAME.err.
start_receiver() {
    local name="$1" fifo="$work/$1.fifo" out first="" status=0 problem=""
    shift
    mkfifo "$fifo"
    PORT=0 "$@" >"$fifo" 2>"$work/$name.err" &
    pids+=("$!")
    exec {out}<"$fifo"
    IFS= read -r -t 30 -u "$out" first || status=$?
    # The rest of its stdout, drained so that it never blocks on a full pipe.
    cat <&"$out" >"$work/$name.out" &
    pids+=("$!")
    exec {out}<&-
    url="${first#listening on }"
    if ((status > 128)); then
        problem="printed no line within 30 s"
    elif ((status != 0)) && [ -z "$first" ]; then
        problem="stopped before it printed a line"
    elif [[ ! $first =~ ^listening\ on\ http://127\.0\.0\.1:[1-9][0-9]*/webhooks$ ]]; then
        problem="printed '$first' first, not 'listening on http://127.0.0.1:PORT/webhooks'"
    fi
    if [ -n "$problem" ]; then
        echo "the $name example receiver $problem; its stderr:" >&2
        cat "$work/$name.err" >&2
        exit 1
    fi
}

# check_receiver NAME COMMAND...: starts the receiver with PORT=0, runs every
# check against the URL it prints, then starts it again on that same port,
# still taken, where it must say so in one line and exit 2.
check_receiver() {
    local name="$1" port status=0
    shift
    step "check-receiver against the $name example receiver"
    start_receiver "$name" "$@"
    if ! "$cli" check-receiver "$url" --interval 20 "${check_args[@]}"; then
        echo "the $name example receiver failed a check; its output:" >&2
        cat "$work/$name.out" "$work/$name.err" >&2
        exit 1
    fi

    step "the $name example receiver on a port in use"
    port="${url#http://127.0.0.1:}"
    port="${port%/webhooks}"
    PORT="$port" timeout 30 "$@" >"$work/$name.taken.out" 2>"$work/$name.taken.err" || status=$?
    local expected="port $port is in use: set PORT to another port, or PORT=0 for a free one"
    if [ "$status" -ne 2 ] || [ "$(cat "$work/$name.taken.err")" != "$expected" ] ||
        [ -s "$work/$name.taken.out" ]; then
        echo "on port $port, taken, the $name example receiver exited $status, not 2 with only" >&2
        echo "    $expected" >&2
        echo "on stderr; its stdout and stderr:" >&2
        cat "$work/$name.taken.out" "$work/$name.taken.err" >&2
        exit 1
    fi
    echo "exit 2: $expected"
}

check_args=()
check_receiver python python3 examples/receivers/python/receiver.py
check_receiver node node examples/receivers/node/receiver.mjs
check_receiver rust "$target/debug/examples/receiver"

# Receivers in the wild: each built on a vendor's own verification library,
# pinned, graded with that vendor's profile. Each must pass every check its
# scheme can express (the others are reported as skipped).
step "installing standardwebhooks (PyPI) and @octokit/webhooks-methods (npm) for the receivers"
[ -x .ci/tools/.venv/bin/python ] || python3 -m venv .ci/tools/.venv
.ci/tools/.venv/bin/pip install --quiet --disable-pip-version-check -r examples/receivers/standard-webhooks/requirements.txt
npm ci --prefix examples/receivers/github --no-audit --no-fund --loglevel=error
saved_secret=$WHEREBY_WEBHOOK_SECRET
check_args=(--profile standard-webhooks)
export WHEREBY_WEBHOOK_SECRET=whsec_Y2ktc3RhbmRhcmQtd2ViaG9va3MtcmVjZWl2ZXI= WEBHOOK_SECRET=whsec_Y2ktc3RhbmRhcmQtd2ViaG9va3MtcmVjZWl2ZXI=
check_receiver standard-webhooks .ci/tools/.venv/bin/python examples/receivers/standard-webhooks/receiver.py
check_args=(--profile github)
export WHEREBY_WEBHOOK_SECRET=ci-github-receiver-secret WEBHOOK_SECRET=ci-github-receiver-secret
check_receiver github node examples/receivers/github/receiver.mjs
export WHEREBY_WEBHOOK_SECRET=$saved_secret
unset WEBHOOK_SECRET
check_args=()

# Whereby's documented Node snippet, run as written: check-receiver must fail
# it with exactly these checks, and diagnose the re-serialised body. It hashes
# JSON.stringify(body), so it refuses the non-compact bodies and an example
# whose 2367.0 JSON.stringify writes 2367; it never bounds a future timestamp.
step "check-receiver against Whereby's documented Node example (must fail)"
start_receiver whereby-docs-example node examples/receivers/whereby-docs-example/receiver.mjs
status=0
WHEREBY_WEBHOOK_SECRET='<WEBHOOK_SECRET>' "$cli" check-receiver "$url" --interval 20 --format json \
    >"$work/docs-example.json" || status=$?
if [ "$status" -ne 1 ]; then
    echo "check-receiver exited $status against Whereby's documented example, not 1" >&2
    cat "$work/docs-example.json" >&2
    exit 1
fi
python3 - "$work/docs-example.json" <<'PY'
import json, sys

results = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
failed = {r["check"]: (r.get("diagnosis") or {}).get("id") for r in results if not r["passed"]}
expected = {
    "accepts-every-event": "receiver_reserializes_body",
    "raw-body-signature": "receiver_reserializes_body",
    "rejects-future-timestamp": None,
}
if failed != expected:
    print(f"against Whereby's documented example, failed (check: diagnosis) {failed}, not {expected}", file=sys.stderr)
    sys.exit(1)
print("failed as expected:", ", ".join(f"{c} ({d})" if d else c for c, d in sorted(failed.items())))
PY

step "signature snippets against spec/test-vectors.json"
go build -o "$work/verify-go" examples/snippets/verify.go
javac -d "$work/java" examples/snippets/Verify.java
# Each command takes SECRET HEADER BODY_FILE NOW and exits 0 when the
# signature holds, 1 when it does not.
WORK="$work" python3 - <<'PY'
import json, os, subprocess, sys

work = os.environ["WORK"]
node_driver = (
    'import { verify } from "./examples/receivers/node/receiver.mjs";'
    'import { readFileSync } from "node:fs";'
    "const [secret, header, file, now] = process.argv.slice(1);"
    "process.exit(verify(secret, header, readFileSync(file), Number(now)) ? 0 : 1);"
)
python_driver = (
    "import sys; sys.path.insert(0, 'examples/receivers/python');"
    "from receiver import verify;"
    "secret, header, file, now = sys.argv[1:];"
    "sys.exit(0 if verify(secret.encode(), header, open(file, 'rb').read(), int(now)) else 1)"
)
commands = {
    "python": ["python3", "-c", python_driver],
    "node": ["node", "--input-type=module", "-e", node_driver],
    "go": [f"{work}/verify-go"],
    "ruby": ["ruby", "examples/snippets/verify.rb"],
    "php": ["php", "examples/snippets/verify.php"],
    "java": ["java", "-cp", f"{work}/java", "Verify"],
}
vectors = json.load(open("spec/test-vectors.json", encoding="utf-8"))
assert len(vectors) >= 3, "spec/test-vectors.json has fewer than 3 vectors"
failures = 0
for vector in vectors:
    body = vector["body"].encode("utf-8")
    t = vector["timestamp"]
    cases = [
        ("verifies", body, t, 0),
        ("rejects a changed body", body + b" ", t, 1),
        ("rejects 301 s late", body, t + 301, 1),
        ("rejects 301 s early", body, t - 301, 1),
    ]
    for case, data, now, expected in cases:
        path = os.path.join(work, "body")
        with open(path, "wb") as f:
            f.write(data)
        for language, command in commands.items():
            args = command + [vector["secret"], vector["header"], path, str(now)]
            got = subprocess.run(args).returncode
            if got != expected:
                failures += 1
                print(f"FAIL {language}: {vector['name']}: {case}: exit {got}", file=sys.stderr)
print(f"{len(commands)} implementations x {len(vectors)} vectors x 4 cases: {failures} failures")
sys.exit(1 if failures else 0)
PY
