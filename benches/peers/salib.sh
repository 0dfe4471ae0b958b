#!/usr/bin/env bash
# Peer comparison of permeate's Sobol indices against SALib. Not part of `cargo test`.
# Run from anywhere:   bash benches/peers/salib.sh [--samples 64] [--reps 50]
# Part 1: Ishigami (examples/sobol_dump.rs) through both tools. Part 2: a real permeate study
# (scenarios/acme-uncertain.toml), its per-world outputs recomputed and fed to SALib.
# Exit status 0 only on PASS (the rule is at the top of salib.py).
set -euo pipefail

PEERS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$PEERS/../.." && pwd)"
VENV="${SALIB_VENV:-/tmp/salib-venv}"
SAMPLES=64
REPS=50
while [ $# -gt 0 ]; do
    case "$1" in
        --samples) SAMPLES="$2"; shift 2 ;;
        --reps) REPS="$2"; shift 2 ;;
        *) echo "usage: salib.sh [--samples N] [--reps R]" >&2; exit 2 ;;
    esac
done
OUT="${SALIB_OUT:-/tmp/permeate-salib-acme-uncertain-n${SAMPLES}-r${REPS}}"

# 1. A venv with the pinned SALib and friends (made once, reused after).
. "$PEERS/venv.sh"
peer_venv "$VENV" "$PEERS/requirements-salib.txt" "SALib, numpy"

# 2. permeate, release build of the binary and the example.
echo "== cargo build --release --bins --examples"
(cd "$ROOT" && cargo build --release --bins --examples)

# 3. A small sensitivity study of the ACME scenario (N base samples, R replications per world).
echo "== permeate sensitivity scenarios/acme-uncertain.toml --samples $SAMPLES -n $REPS -o $OUT"
rm -rf "$OUT"
start=$(date +%s.%N)
(cd "$ROOT" && nice target/release/permeate sensitivity scenarios/acme-uncertain.toml -q -j 2 \
    --samples "$SAMPLES" -n "$REPS" -o "$OUT")
echo "   took $(echo "$(date +%s.%N) - $start" | bc) s"

# 4. Both parts; the exit status is the verdict.
"$VENV/bin/python" "$PEERS/salib.py" --results "$OUT"
