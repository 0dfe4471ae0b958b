#!/usr/bin/env bash
# Peer comparison of permeate against EoN (Epidemics on Networks).
# Run from the repository root:   bash benches/peers/run.sh [compare.py options]
# e.g. bash benches/peers/run.sh --reps-super 500 --reps-near 5000
# Results: printed, and written to benches/peers/out/report.md.
set -euo pipefail

PEERS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$PEERS/../.." && pwd)"
VENV="$PEERS/.venv"

# 1. Python side: a venv with EoN and friends (made once, reused after).
. "$PEERS/venv.sh"
peer_venv "$VENV" "$PEERS/requirements.txt" "EoN, networkx, numpy, scipy"

# 2. permeate, built in release mode. If the build fails, the EoN side still runs
#    (and the script exits non-zero), so a stale binary is never benchmarked.
PERMEATE_ARGS=(--permeate "$ROOT/target/release/permeate")
echo "== cargo build --release"
if ! (cd "$ROOT" && cargo build --release); then
    echo "!! cargo build failed: running the EoN side only" >&2
    PERMEATE_ARGS=(--no-permeate)
fi

# 3. The comparison itself.
cd "$PEERS"
"$VENV/bin/python" compare.py "${PERMEATE_ARGS[@]}" "$@"
