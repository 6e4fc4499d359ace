#!/usr/bin/env bash
# Runs README.md's shell blocks as written, top to bottom, as one script, in a
# scratch copy of this checkout, with the freshly built `whereby-webhooks`
# first on PATH. A command that fails fails the run.
#
# Which blocks run: every fenced block whose info string starts with `sh`,
# `bash` or `shell`. A block that cannot run here opts out in its info string,
#
#     ```sh no-run
#
# (GitHub still highlights it as sh), and is listed as skipped. Keep that for
# what truly cannot run in CI: a reader's own application, an install from
# crates.io, a release build, the test suite that .ci/run runs in its own step.
# Other fences (```json, ```text, ```rust) are not shell and never run.
#
# A command whose comment says `exits 1 when ...` (or `exits 1 if ...`) may
# exit 0 or 1, as its comment says; any other status fails the run.
#
# Usage: .ci/readme.sh [README]   (default: README.md of this checkout)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
readme=$(cd "$(dirname "${1:-$root/README.md}")" && pwd)/$(basename "${1:-README.md}")
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
case $CARGO_TARGET_DIR in /*) ;; *) CARGO_TARGET_DIR=$root/$CARGO_TARGET_DIR ;; esac

(cd "$root" && cargo build --locked --quiet -p whereby-webhooks)

work=$(mktemp -d "${TMPDIR:-/tmp}/readme.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The checkout's files, as a fresh clone has them (plus uncommitted edits).
(cd "$root" && git ls-files -z --cached --others --exclude-standard) |
    while IFS= read -r -d '' file; do
        [ -f "$root/$file" ] && printf '%s\0' "$file"
    done |
    (cd "$root" && xargs -0 cp --parents -t "$work")

script=$work/.readme-blocks.sh
awk -v name="$(basename "$readme")" '
    function report(kind) { printf "%s: %s block at line %d\n", name, kind, start > "/dev/stderr" }
    BEGIN {
        print "trap '\''kill $(jobs -p) 2>/dev/null || true'\'' EXIT"
        print "PS4=\"+ \""
        blocks = 0
    }
    !inside && /^```/ {
        inside = 1; start = NR; run = 0
        info = substr($0, 4)
        n = split(info, words, /[ \t,]+/)
        if (words[1] == "sh" || words[1] == "bash" || words[1] == "shell") {
            run = 1
            for (i = 2; i <= n; i++) if (words[i] == "no-run") run = 0
            if (run) {
                blocks++
                printf "set +x; printf \"\\n== %s:%d\\n\"; set -x\n", name, NR
            } else {
                report("skipped (no-run)")
            }
        }
        next
    }
    inside && /^```[ \t]*$/ { inside = 0; next }
    inside && run && /# .*exits 1 (when|if) / {
        print "set +e"
        print
        printf "status=$?; set -e; [ \"$status\" -le 1 ] || { echo \"%s:%d: exit $status\" >&2; exit 1; }\n", name, NR
        next
    }
    inside && run { print }
    END {
        if (inside) { print name ": a block opened at line " start " never closes" > "/dev/stderr"; exit 1 }
        if (blocks == 0) { print name ": no sh block to run" > "/dev/stderr"; exit 1 }
    }
' "$readme" >"$script"

cd "$work"
PATH="$CARGO_TARGET_DIR/debug:$PATH" bash -euo pipefail "$script"
printf '\n%s: every sh block ran\n' "$(basename "$readme")"
