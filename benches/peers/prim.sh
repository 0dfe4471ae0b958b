#!/usr/bin/env bash
# Peer comparison of permeate's PRIM (scenario discovery) against EMA Workbench's. Not part of
# `cargo test`. Run from anywhere:   bash benches/peers/prim.sh
# Synthetic worlds with known boxes and the worlds of results/acme-uncertain through both tools
# (examples/prim_dump.rs and ema_workbench.analysis.prim); the side-by-side tables are printed
# and written to $PRIM_OUT/report.md. What is compared is explained at the top of prim.py.
set -euo pipefail

PEERS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$PEERS/../.." && pwd)"
VENV="${PRIM_VENV:-$ROOT/target/prim-venv}"
OUT="${PRIM_OUT:-$ROOT/target/prim-peer}"

# 1. A venv with the pinned EMA Workbench and friends (made once, reused after).
. "$PEERS/venv.sh"
peer_venv "$VENV" "$PEERS/requirements-prim.txt" "ema_workbench, numpy, pandas"

# 2. permeate's PRIM, release build of the example.
echo "== cargo build --release --example prim_dump"
(cd "$ROOT" && cargo build --release --example prim_dump)

# 3. Both tools on the same data.
"$VENV/bin/python" -W ignore "$PEERS/prim.py" --dump "$ROOT/target/release/examples/prim_dump" \
    --results "$ROOT/results/acme-uncertain" --out "$OUT"
