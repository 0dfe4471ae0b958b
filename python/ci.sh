#!/usr/bin/env bash
# The Python package's CI step (.ci/run): a fresh venv, maturin from PyPI, the Linux wheel built
# from this checkout, installed with its test extras (pandas, pytest, ema_workbench, tomli_w),
# then pytest on python/tests against the installed wheel and the binary it ships.
# Run from anywhere:   bash python/ci.sh
# Every network step is bounded; a failure to reach PyPI fails loudly (it is not skipped).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
WORK="$(mktemp -d -t permeate-python-ci.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
VENV="$WORK/venv"

pypi() {  # pip install, bounded, with a clear message when PyPI cannot be reached
    if ! timeout 900 "$VENV/bin/pip" install --disable-pip-version-check --timeout 60 --retries 3 "$@"; then
        echo "!! python/ci.sh: 'pip install $*' failed: PyPI unreachable or a package is missing." >&2
        echo "!! The Python package's tests need PyPI (maturin, pandas, pytest, ema_workbench, tomli_w)." >&2
        exit 1
    fi
}

echo "== python: fresh venv ($("$PYTHON" --version 2>&1))"
"$PYTHON" -m venv "$VENV" || { echo "!! python/ci.sh: '$PYTHON -m venv' failed (install python3-venv)" >&2; exit 1; }
pypi --quiet maturin

echo "== python: maturin build --release -m Cargo.toml (the Linux wheel)"
start=$(date +%s)
timeout 1800 "$VENV/bin/maturin" build --release -m Cargo.toml -o "$WORK/wheels"
echo "   wheel built in $(( $(date +%s) - start )) s"
wheels=("$WORK"/wheels/permeate-*.whl)
[ "${#wheels[@]}" -eq 1 ] && [ -f "${wheels[0]}" ] || { echo "!! python/ci.sh: expected one wheel, got: ${wheels[*]}" >&2; exit 1; }

echo "== python: install $(basename "${wheels[0]}") with pandas, pytest, ema_workbench"
pypi --quiet "${wheels[0]}[test]"

# The tests must use the installed package and the binary inside the wheel, not this checkout.
unset PERMEATE_BINARY
cd "$WORK"
"$VENV/bin/python" - <<'PY'
import os, sys, permeate
binary = permeate.binary()
print(f"   package {permeate.__file__}\n   binary  {binary}")
sys.exit(0 if binary.startswith(sys.prefix) and permeate.__file__.startswith(sys.prefix) else "not the installed wheel")
PY

echo "== python: pytest"
start=$(date +%s)
timeout 900 "$VENV/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/python/tests"
echo "   pytest took $(( $(date +%s) - start )) s"
