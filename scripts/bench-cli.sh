#!/usr/bin/env bash
# End-to-end throughput of `whereby-webhooks validate --quiet` on an NDJSON
# corpus of mixed events (300-800 bytes each, generated deterministically from
# the spec's examples), next to ajv (Node) validating the same corpus against
# the same schemas with the same dispatch on `type`.
#
#     scripts/bench-cli.sh              # 100,000 events
#     COUNT=1000000 scripts/bench-cli.sh
#
# The baseline is one thread reading the same file and parsing each line
# with serde_json::from_slice::<Value>, nothing else (the parse_baseline
# example of the conformance crate). BEFORE_BIN=path/to/an/older/
# whereby-webhooks times that binary too, in the same run.
#
# Times with hyperfine when it is installed (apt-get install hyperfine), else
# with /usr/bin/time. Writes into target/bench-cli/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
count=${COUNT:-100000}
target=${CARGO_TARGET_DIR:-target}
out=$target/bench-cli
corpus=$out/corpus.ndjson
bin=$target/release/whereby-webhooks
mkdir -p "$out"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
cargo build --release --quiet -p whereby-webhooks
cargo build --release --quiet -p whereby-webhooks-conformance --example parse_baseline
cargo run --release --quiet -p whereby-webhooks-conformance --example gen_corpus -- "$corpus" "$count"
(cd scripts/bench-ajv && npm ci --silent --no-audit --no-fund)
bytes=$(stat -c %s "$corpus")

echo "== both validators accept the whole corpus"
"$bin" validate --quiet "$corpus"
node scripts/bench-ajv/validate.mjs "$corpus"

cli="$bin validate --quiet $corpus"
one="env RAYON_NUM_THREADS=1 $bin validate --quiet $corpus"
ajv="node scripts/bench-ajv/validate.mjs $corpus"
baseline="$target/release/examples/parse_baseline $corpus"
before=()
[ -z "${BEFORE_BIN:-}" ] || before=(-n "before: whereby-webhooks" "$BEFORE_BIN validate --quiet $corpus")

if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 --runs "${RUNS:-10}" --export-json "$out/hyperfine.json" \
    -n "serde_json::from_slice, 1 thread" "$baseline" \
    "${before[@]}" \
    -n "whereby-webhooks" "$cli" \
    -n "whereby-webhooks, 1 thread" "$one" \
    -n "ajv" "$ajv"
  node - "$out/hyperfine.json" "$bytes" "$count" <<'JS'
const [file, bytes, count] = process.argv.slice(2);
const { results } = JSON.parse(require("node:fs").readFileSync(file, "utf8"));
const ajv = results.find((r) => r.command === "ajv").mean;
const base = results.find((r) => r.command.startsWith("serde_json")).mean;
console.log(`\n== throughput on ${count} events, ${(bytes / 1e6).toFixed(1)} MB`);
for (const r of results) {
  console.log(
    `${r.command.padEnd(28)} ${r.mean.toFixed(3)} s ± ${r.stddev.toFixed(3)}  ` +
      `${(bytes / r.mean / 1e6).toFixed(1).padStart(6)} MB/s  ` +
      `${Math.round(count / r.mean).toLocaleString("en").padStart(10)} events/s  ` +
      `${(base / r.mean).toFixed(2)}x baseline  ${(ajv / r.mean).toFixed(2)}x ajv`,
  );
}
JS
else
  for command in "$baseline" "$cli" "$one" "$ajv"; do
    echo "== $command"
    /usr/bin/time -f "%e s elapsed, %U s user, %M KB max RSS" $command
  done
  echo "corpus: $count events, $bytes bytes"
fi
