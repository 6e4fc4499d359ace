#!/usr/bin/env bash
# The published documents, fed to the tools consumers use, as they would.
# Called by .ci/run after it has installed .ci/tools (npm) and .ci/tools/.venv
# (PyPI); installs what else it needs into this checkout (cargo-typify into
# .ci/tools/cargo), and Java, Go, a Go library and Chromium from Debian when
# the machine has none. Everything it generates goes to a temporary folder
# removed at the end. Each generator check counts the examples that parse
# into the right type and fails unless all do.
set -euo pipefail
cd "$(dirname "$0")/.."
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1
export SCARF_ANALYTICS=false DO_NOT_TRACK=1

ROOT=$PWD
TOOLS=.ci/tools
BIN=$TOOLS/node_modules/.bin
PY=$TOOLS/.venv/bin
TYPIFY_VERSION=0.8.0
TYPIFY=$TOOLS/cargo/bin/cargo-typify
DOCS=(spec/openapi.yaml spec/receiver.openapi.yaml spec/openapi-3.0.yaml)
PRISM_PORT=4010
WORK=$(mktemp -d)
PRISM_PID=
LISTEN_PID=
cleanup() {
    if [ -n "$PRISM_PID" ]; then kill "$PRISM_PID" 2>/dev/null || true; fi
    if [ -n "$LISTEN_PID" ]; then kill "$LISTEN_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

# all_pass COMMAND...: runs a check that prints "N passed, M failed" last,
# shows its output, and fails unless N is every example of spec/examples.
EXAMPLES=$(find spec/examples -name '*.json' | wc -l)
all_pass() {
    local out status=0
    out=$("$@" 2>&1) || status=$?
    printf '%s\n' "$out"
    if [ "$status" -ne 0 ] || [ "$(printf '%s\n' "$out" | tail -n 1)" != "$EXAMPLES passed, 0 failed" ]; then
        echo "expected $EXAMPLES passed, 0 failed"
        return 1
    fi
}

step "consumer tools (npm, PyPI, Debian)"
for tool in redocly spectral prism openapi-typescript tsc newman; do
    if [ ! -x "$BIN/$tool" ]; then
        npm ci --prefix "$TOOLS" --no-audit --no-fund --loglevel=error
        break
    fi
done
[ -x "$PY/python" ] || python3 -m venv "$TOOLS/.venv"
"$PY/pip" install --quiet --disable-pip-version-check \
    -r "$TOOLS/requirements.txt" -r "$TOOLS/consumers-requirements.txt"
# Debian bookworm's packages. Chromium is not pinned to a version: Debian's
# security updates replace it, and an older one is no longer installable.
debian_packages=()
command -v java >/dev/null || debian_packages+=(default-jre-headless)
command -v go >/dev/null || debian_packages+=("golang-go=2:1.19~1")
[ -d /usr/share/gocode/src/gopkg.in/validator.v2 ] ||
    debian_packages+=("golang-gopkg-validator.v2-dev=0.0+git20160116-3.1")
command -v chromium >/dev/null || debian_packages+=(chromium fonts-dejavu-core)
command -v unshare >/dev/null || debian_packages+=(util-linux)
if ((${#debian_packages[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${debian_packages[@]}" >/dev/null
fi
if ! "$TYPIFY" typify --version 2>/dev/null | grep -qx "cargo-typify $TYPIFY_VERSION"; then
    cargo install --locked --quiet --version "$TYPIFY_VERSION" cargo-typify --root "$TOOLS/cargo"
fi

step "YAML 1.1 readers (PyYAML safe_load) read each YAML document as its JSON twin"
"$PY/python" - "${DOCS[@]}" spec/review.yml <<'PY'
import json, sys, yaml
for path in sys.argv[1:]:
    loaded = yaml.safe_load(open(path, encoding="utf-8"))
    if path.endswith(".yml"):
        assert isinstance(loaded["date"], str), f"{path}: date read as {type(loaded['date']).__name__}"
    else:
        twin = path[: -len(".yaml")] + ".json"
        assert loaded == json.load(open(twin, encoding="utf-8")), f"{path} does not read as {twin}"
    print(f"{path}: OK")
PY

step "openapi-spec-validator: all three documents, YAML and JSON"
"$PY/openapi-spec-validator" "${DOCS[@]}" "${DOCS[@]/%.yaml/.json}"

step "Spectral, spectral:oas: no errors"
"$BIN/spectral" lint --ruleset "$TOOLS/spectral.yaml" --fail-severity error "${DOCS[@]}"

step "Redocly CLI lint, recommended rules"
"$BIN/redocly" lint "${DOCS[@]}"

step "openapi-generator, Python client: every example parses with its event's model"
for doc in spec/openapi.yaml spec/openapi-3.0.yaml; do
    out="$WORK/python-$(basename "$doc" .yaml)"
    timeout 300 "$PY/openapi-generator-cli" generate -i "$doc" -g python -o "$out" \
        --package-name whereby_webhooks_client \
        --global-property models,modelDocs=false,modelTests=false,supportingFiles \
        >"$out.log" 2>&1 || { cat "$out.log"; exit 1; }
    echo "$doc:"
    all_pass "$PY/python" "$TOOLS/parse_examples.py" "$out" spec/examples
done

step "openapi-generator, Go models, default settings (Go from Debian): every example parses into its event's struct, through the union too, and keeps unknown properties"
for doc in "${DOCS[@]}"; do
    gopath="$WORK/go-$(basename "$doc" .yaml)"
    timeout 300 "$PY/openapi-generator-cli" generate -i "$doc" -g go -o "$gopath/src/whereby" \
        --package-name whereby \
        --global-property models,supportingFiles=utils.go,modelDocs=false,modelTests=false \
        >"$gopath.log" 2>&1 || { cat "$gopath.log"; exit 1; }
    mkdir -p "$gopath/src/parse"
    "$PY/python" "$TOOLS/go_parse_examples.py" whereby "$ROOT/spec/examples" "$gopath/src/parse/main.go"
    cp examples/generated-models/route.go "$gopath/src/parse/"
    echo "$doc:"
    # GOPATH mode: the models' one library comes from Debian, nothing is downloaded.
    all_pass env -C "$gopath/src/parse" GO111MODULE=off GOFLAGS= GOPATH="$gopath:/usr/share/gocode" go run .
done

step "cargo-typify $TYPIFY_VERSION: the types of spec/schemas/event.json build, and every example parses into its event's type, through the union too"
typify="$WORK/typify"
cp -r "$TOOLS/typify-check" "$typify"
mkdir -p "$typify/src"
NO_COLOR=1 "$TYPIFY" typify spec/schemas/event.json -o "$typify/src/generated.rs"
"$PY/python" "$TOOLS/typify_parse_examples.py" spec/examples "$typify/src/main.rs"
cp examples/generated-models/route.rs "$typify/src/route.rs"
all_pass env -C "$typify" CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/typify-check" \
    cargo run --locked --quiet

step "datamodel-code-generator, the command of docs/publishing.md as written: every example parses into its event's model, and keeps unknown properties"
datamodel_command=$(grep -o '`datamodel-codegen [^`]*`' docs/publishing.md | tr -d '`')
[ -n "$datamodel_command" ] || { echo "docs/publishing.md has no datamodel-codegen command"; exit 1; }
echo "$datamodel_command"
mkdir "$WORK/datamodel" && ln -s "$ROOT/spec" "$WORK/datamodel/spec"
(cd "$WORK/datamodel" && PATH="$ROOT/$PY:$PATH" && eval "$datamodel_command") 2>"$WORK/datamodel.log" ||
    { cat "$WORK/datamodel.log"; exit 1; }
all_pass "$PY/python" "$TOOLS/datamodel_parse_examples.py" "$WORK/datamodel/whereby_models.py" \
    spec/examples examples/generated-models/route.py

step "openapi-typescript: types of both 3.1 documents compile under tsc --strict, with every example"
for doc in spec/openapi.yaml spec/receiver.openapi.yaml; do
    "$BIN/openapi-typescript" "$doc" -o "$WORK/$(basename "$doc" .yaml).ts"
done
"$PY/python" - "$WORK/examples.ts" spec/examples <<'PY'
import glob, json, sys
lines = ['import type { components } from "./openapi";', 'import type { components as receiver } from "./receiver.openapi";']
for i, path in enumerate(sorted(glob.glob(sys.argv[2] + "/*.json"))):
    event = json.load(open(path, encoding="utf-8"))
    name = "".join(p[:1].upper() + p[1:] for p in event["type"].split(".")) + "Event"
    lines.append(f'export const event{i}: components["schemas"]["{name}"] = {json.dumps(event)};')
    lines.append(f'export const union{i}: receiver["schemas"]["WebhookEvent"] = {json.dumps(event)};')
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY
cp examples/generated-models/route.ts "$WORK/route.ts"
"$BIN/tsc" --strict --noEmit --target es2022 --module nodenext "$WORK"/*.ts
echo "tsc --strict: OK"
# examples/generated-models/route.ts, compiled and run on every example and on
# a type Whereby may add.
"$BIN/tsc" --strict --target es2022 --module commonjs --outDir "$WORK/js" "$WORK/route.ts"
node - "$WORK/js/route.js" spec/examples <<'JS'
const fs = require("fs");
const { route } = require(process.argv[2]);
let routed = 0, last;
for (const name of fs.readdirSync(process.argv[3]).filter((n) => n.endsWith(".json")).sort()) {
  last = fs.readFileSync(`${process.argv[3]}/${name}`, "utf8");
  const got = route(last);
  if (got === null) continue;
  routed++;
  if (got.type !== JSON.parse(last).type) throw new Error(`${name}: routed as ${got.type}`);
}
if (routed === 0) throw new Error("route handled no example");
const future = { ...JSON.parse(last), type: "room.somethingNew" };
if (route(JSON.stringify(future)) !== null) throw new Error("a new event type was not acknowledged");
console.log(`route: ${routed} examples handled, the rest and a new event type acknowledged`);
JS

step "docs/reference.html from a file:// URL, network off (headless Chromium, Debian): every event and the timeline visible; a screenshot kept"
# `unshare --net` runs the browser in a network namespace of its own, which
# has no interface but a loopback that is down: nothing can be fetched.
ARTEFACTS=${CI_ARTEFACTS:-$ROOT/target/ci-artefacts}
mkdir -p "$ARTEFACTS"
chromium_offline() {
    unshare --net chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --no-pdf-header-footer "$@" "file://$ROOT/docs/reference.html" >>"$WORK/chromium.log" 2>&1 ||
        { cat "$WORK/chromium.log"; return 1; }
}
chromium --version 2>/dev/null
chromium_offline --window-size=1280,1300 --screenshot="$ARTEFACTS/reference.png"
chromium_offline --print-to-pdf="$WORK/reference.pdf"
"$PY/python" - "$WORK/reference.pdf" "$ARTEFACTS/reference.png" spec/examples <<'PY'
import glob, json, os, sys, unicodedata
from pypdf import PdfReader
# NFKC undoes the ligatures of the printed text ("ﬁ" for "fi").
text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in PdfReader(sys.argv[1]).pages))
types = sorted({json.load(open(p))["type"] for p in glob.glob(sys.argv[3] + "/*.json")})
missing = [t for t in types if t not in text]
timeline = ["History at a glance", "real room.client.joined delivery", "real recording.finished delivery"]
missing += [t for t in timeline if t not in text]
assert os.path.getsize(sys.argv[2]) > 10_000, "the screenshot is (nearly) empty"
print(f"{len(types) - len([t for t in types if t in missing])}/{len(types)} event names visible; timeline visible: {not any(t in missing for t in timeline)}")
print(f"screenshot: {sys.argv[2]}")
assert len(types) == 11 and not missing, f"not visible: {missing}"
PY

step "Postman: spec/postman.collection.json, run by newman against \`whereby-webhooks listen\`: every request signed by its script and accepted; refused with another secret"
target="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --locked -p whereby-webhooks --bin whereby-webhooks
WHEREBY_WEBHOOK_SECRET=ci-postman-signing-secret "$target/debug/whereby-webhooks" listen \
    --addr 127.0.0.1:0 >"$WORK/listen.out" 2>"$WORK/listen.err" &
LISTEN_PID=$!
listen_url=
for _ in $(seq 100); do
    listen_url=$(sed -n 's/^listening on //p' "$WORK/listen.out" 2>/dev/null || true)
    [ -n "$listen_url" ] && break
    sleep 0.1
done
[ -n "$listen_url" ] || { cat "$WORK/listen.out" "$WORK/listen.err"; exit 1; }
# newman_run SECRET REPORT: runs the collection with that signing secret.
newman_run() {
    "$BIN/newman" run spec/postman.collection.json --color off --disable-unicode \
        --env-var "receiverUrl=$listen_url/webhooks" --env-var "signingSecret=$1" \
        --reporters json --reporter-json-export "$2" >"$2.log" 2>&1 || { cat "$2.log"; return 1; }
}
newman_run ci-postman-signing-secret "$WORK/newman-signed.json"
newman_run not-the-endpoints-secret "$WORK/newman-forged.json"
kill "$LISTEN_PID" && wait "$LISTEN_PID" 2>/dev/null || true
LISTEN_PID=
"$PY/python" - "$WORK/newman-signed.json" "$WORK/newman-forged.json" <<'PY'
import json, sys
def codes(path):
    run = json.load(open(path))["run"]
    return {e["item"]["name"]: e.get("response", {}).get("code") for e in run["executions"]}
signed, forged = codes(sys.argv[1]), codes(sys.argv[2])
accepted = [n for n, c in signed.items() if c and 200 <= c < 300]
refused = [n for n, c in forged.items() if c and 400 <= c < 500]
print(f"signed with the secret: {len(accepted)}/{len(signed)} accepted; with another: {len(refused)}/{len(forged)} refused")
assert len(signed) == 11 and len(accepted) == 11, signed
assert len(refused) == 11, forged
PY

step "Prism mocks the receiver document: 2xx for every example, 4xx for a body without data"
"$BIN/prism" mock --host 127.0.0.1 --port "$PRISM_PORT" spec/receiver.openapi.yaml >"$WORK/prism.log" 2>&1 &
PRISM_PID=$!
for _ in $(seq 1 60); do
    if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PRISM_PORT/"; then break; fi
    if ! kill -0 "$PRISM_PID" 2>/dev/null; then cat "$WORK/prism.log"; exit 1; fi
    sleep 1
done
SIGNATURE='t=1606227791,v1=94a23dc9d73e8e6abdf9d4095aee954697e9317e9649e742361b35707edd45a3'
post() {
    curl -s -o "$WORK/answer" -w '%{http_code}' --max-time 10 -X POST \
        -H 'Content-Type: application/json' -H "Whereby-Signature: $SIGNATURE" \
        --data-binary "$1" "http://127.0.0.1:$PRISM_PORT/webhooks"
}
passed=0 failed=0
for example in spec/examples/*.json; do
    status=$(post "@$example")
    if [[ $status == 2?? ]]; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "$example: answered $status: $(head -c 500 "$WORK/answer")"
    fi
done
no_data=$("$PY/python" -c 'import json, sys; e = json.load(open(sys.argv[1])); del e["data"]; print(json.dumps(e))' spec/examples/room.client.joined.host.json)
status=$(post "$no_data")
if [[ $status == 4?? ]]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "a body without data: answered $status, not 4xx"
fi
kill "$PRISM_PID" && wait "$PRISM_PID" 2>/dev/null || true
PRISM_PID=
echo "prism: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
