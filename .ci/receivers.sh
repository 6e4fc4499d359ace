#!/usr/bin/env bash
# The example receivers pass every `whereby-webhooks check-receiver` check,
# and every signature snippet of docs/webhooks.md agrees with
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

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# check_receiver NAME COMMAND...: starts the receiver on a free PORT, waits
# for it to accept connections, and runs every check against it.
check_receiver() {
    local name="$1" port
    port="$(free_port)"
    shift
    step "check-receiver against the $name example receiver"
    PORT="$port" "$@" >"$work/$name.log" 2>&1 &
    pids+=("$!")
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
    if ! "$cli" check-receiver "http://127.0.0.1:$port/webhooks" --interval 20; then
        echo "the $name example receiver failed a check; its output:" >&2
        cat "$work/$name.log" >&2
        exit 1
    fi
}

check_receiver python python3 examples/receivers/python/receiver.py
check_receiver node node examples/receivers/node/receiver.mjs
check_receiver rust "$target/debug/examples/receiver"

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
