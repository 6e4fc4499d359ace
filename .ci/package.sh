#!/usr/bin/env bash
# Distribution checks: the crates package and build from their tarballs, the
# docs build without warnings, and the Python wheel of the CLI installs into
# a fresh venv and runs. maturin comes from PyPI into a venv of this checkout;
# the wheel is built in the dev profile into the same target dir as the rest
# of CI. A release build recompiles every dependency optimised (measured: 7.7
# CPU-minutes, against 1.5 for dev) and checks nothing more about packaging;
# RELEASING.md builds the release wheels.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

crates=(whereby-webhooks-model whereby-webhooks-signature whereby-webhooks-conformance whereby-webhooks)
target="$(cargo metadata --format-version 1 --no-deps --locked | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"

step "cargo package: the four published crates, each verified by building its tarball"
# The tarballs go into a local registry under the same names and versions on
# every run, and Cargo takes a registry crate of a given version to be
# immutable: without this, a run would verify against the unpacked sources
# and compiled libraries of an earlier run's tarballs.
rm -rf "$target/package"
for crate in "${crates[@]}"; do rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$crate"-[0-9]*; done
cargo clean --quiet --locked "${crates[@]/#/--package=}"
# --workspace packages the crates together: a crate's dependency on another
# workspace crate resolves to the tarball just made, not to crates.io.
cargo package --workspace --exclude xtask --exclude whereby-webhooks-tests --locked

step "cargo doc: no warnings (as on docs.rs)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "Python wheel of the CLI (maturin, PyPI)"
python3 -m venv .ci/tools/.venv-package
.ci/tools/.venv-package/bin/pip install --quiet --disable-pip-version-check -r .ci/tools/package-requirements.txt
wheels="$target/ci-wheels"
rm -rf "$wheels"
.ci/tools/.venv-package/bin/maturin build --manifest-path crates/cli/Cargo.toml --locked --out "$wheels"

step "the wheel installs into a fresh venv and its command runs"
venv="$(mktemp -d)"
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheels"/whereby_webhooks-*.whl
cli="$venv/bin/whereby-webhooks"
version="$(cargo metadata --format-version 1 --no-deps --locked | python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "whereby-webhooks"))')"
test "$("$cli" --version)" = "whereby-webhooks $version"
"$cli" validate spec/examples/room.client.joined.host.json
# A payload that does not conform must fail with exit status 1.
status=0
echo '{"type": "room.client.joined", "data": {}}' | "$cli" validate - >/dev/null || status=$?
test "$status" = 1 || { echo "validate of a bad payload exited $status, expected 1" >&2; exit 1; }
"$cli" spec | cmp - spec/openapi.json
echo "installed command: OK"
"$venv/bin/python" - <<'PY'
from importlib.metadata import metadata
meta = metadata("whereby-webhooks")
missing = [field for field in ("Summary", "License-Expression", "Project-URL", "Classifier", "Requires-Python")
           if not meta.get_all(field)]
assert not missing, f"wheel metadata lacks {missing}"
assert meta["Description-Content-Type"].startswith("text/markdown"), meta["Description-Content-Type"]
assert "pip install whereby-webhooks" in meta.get_payload(), "the wheel's README does not say how to install it"
print(f"wheel metadata: OK ({meta['Name']} {meta['Version']}, {meta['License-Expression']})")
PY
