#!/usr/bin/env bash
# Other vendors' webhooks, with their own tools as the judges:
# spec/profile-vectors.json against each vendor's reference library (Stripe's
# and Standard Webhooks' from PyPI, octokit's and Standard Webhooks' from
# npm); GitHub's example payloads against GitHub's webhooks document with
# `validate --profile github` (counted, timed, peak memory); and `diff` of two
# published versions of that document, counted. Called by .ci/run after it
# has installed .ci/tools (npm, pinned in package-lock.json) and
# .ci/tools/.venv; installs profiles-requirements.txt (PyPI, pinned) there.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

TOOLS=.ci/tools
PY=$TOOLS/.venv/bin
MODULES=$TOOLS/node_modules
target="${CARGO_TARGET_DIR:-target}"
case $target in /*) ;; *) target=$PWD/$target ;; esac
cargo build --quiet --locked -p whereby-webhooks
cli="$target/debug/whereby-webhooks"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step "profile vectors: stripe's verify_header and standardwebhooks' verify (PyPI)"
[ -x "$PY/python" ] || python3 -m venv "$TOOLS/.venv"
"$PY/pip" install --quiet --disable-pip-version-check -r "$TOOLS/profiles-requirements.txt"
"$PY/python" "$TOOLS/profile_vectors.py" spec/profile-vectors.json

step "profile vectors: @octokit/webhooks-methods and standardwebhooks (npm), GitHub's documented example"
node "$TOOLS/profile_vectors.mjs" spec/profile-vectors.json

# GitHub's documents and examples, as the pinned npm packages publish them.
github_doc=$MODULES/@octokit/openapi-webhooks/generated/api.github.com.json
github_old=$MODULES/openapi-webhooks-11/generated/api.github.com.json
examples=$MODULES/@octokit/webhooks-examples/api.github.com/index.json

step "GitHub's example payloads against GitHub's webhooks document (validate --profile github)"
"$PY/python" "$TOOLS/github_examples.py" "$cli" "$examples" "$github_doc" "$work" 207 329

step "diff of GitHub's webhooks document, @octokit/openapi-webhooks 11.0.0 to 12.1.0"
status=0
"$cli" diff "$github_old" "$github_doc" >"$work/diff.txt" || status=$?
# 1: breaking changes found, which this pair of versions has.
[ "$status" -eq 1 ] || { cat "$work/diff.txt"; echo "diff exited $status, expected 1" >&2; exit 1; }
counts=$(tail -n 1 "$work/diff.txt")
echo "$counts"
[ "$counts" = "139 breaking, 743 compatible" ] ||
    { echo "expected 139 breaking, 743 compatible, as the pinned packages gave" >&2; exit 1; }

step "send --spec: bodies for GitHub's webhooks (every 5th key), judged by listen --profile github --spec (counted)"
# Every 5th of the 261 keys: each send reads the 4.7 MB document again, and
# all 261 twice take minutes. docs/providers.md gives the counts of all.
export WHEREBY_WEBHOOK_SECRET=a-github-webhook-secret-for-ci
"$cli" listen --addr 127.0.0.1:0 --profile github --spec "$github_doc" >"$work/listen.out" 2>"$work/listen.err" &
listener=$!
url=""
for _ in $(seq 600); do url=$(sed -n 's/^listening on //p' "$work/listen.out"); [ -n "$url" ] && break; sleep 0.1; done
[ -n "$url" ] || { cat "$work/listen.err"; echo "listen did not start" >&2; exit 1; }
minimal=0; from_examples=0; with_examples=0; total=0
for key in $("$PY/python" -c "import json,sys; print(' '.join(list(json.load(open(sys.argv[1]))['webhooks'])[::5]))" "$github_doc"); do
    total=$((total + 1))
    "$cli" send "$url" "$key" --profile github --spec "$github_doc" >/dev/null 2>&1 && minimal=$((minimal + 1))
    status=0
    "$cli" send "$url" "$key" --profile github --spec "$github_doc" --examples "$examples" >/dev/null 2>"$work/send.err" || status=$?
    if grep -q -- "--examples file" "$work/send.err"; then
        with_examples=$((with_examples + 1))
        [ "$status" -eq 0 ] && from_examples=$((from_examples + 1))
    fi
done
kill -INT "$listener"; wait "$listener" || true
counts="minimal bodies accepted: $minimal of $total; octokit examples accepted: $from_examples of $with_examples"
echo "$counts"
[ "$counts" = "minimal bodies accepted: 52 of 53; octokit examples accepted: 23 of 37" ] ||
    { echo "the counts differ from those the pinned packages gave" >&2; exit 1; }
